"""Golden fixtures for torch.optim.swa_utils.SWALR (torch 2.15.0): `fixtures/torch/schedules/SWALR.json`.

SWALR anneals each group's lr to `swa_lr` over `anneal_epochs` scheduler steps and then holds it. Its
get_lr is chainable: with step = _step_count - 1 (max(1, step) when anneal_epochs == 0),
t = clamp((step - 1)/max(1, anneal_epochs)) and t' = clamp(step/max(1, anneal_epochs)), it first
recovers the lr the anneal started from out of the group's current lr,
lr0 = (lr - α(t)·swa_lr)/(1 - α(t)) (swa_lr itself when α(t) = 1), then returns
swa_lr·α(t') + lr0·(1 - α(t')), with α(t) = (1 - cos(πt))/2 ('cos') or t ('linear').

The cases run through gen_schedules.py's torch layout (runners/torch.py's schedule_values on a dummy
SGD parameter; expected_lr[0] right after construction); validation cases carry torch's messages.
AveragedModel (the weight average itself) is not a schedule and is not covered here.
"""
from __future__ import annotations

import warnings

import common
from common import Fixture
from gen_schedules import TOL, torch_case
from runners import torch as torch_runner

SOURCE = "torch 2.15.0"
FILES = common.Files()


def ch(name, **p):
    return {"name": name, "parameters": p}


# (tag, parameters, base_lr, number of values, description)
CASES = [
    ("cos-defaults", {"swa_lr": 0.05}, 0.1, 14,
     "swa_lr only: anneal_epochs 10 and anneal_strategy 'cos' by default; the lr is unchanged at construction "
     "(step 0), then falls along (1 - cos(pi*t))/2 to swa_lr at step 10 and stays; catches a linear anneal, "
     "anneal_epochs other than 10, and the anneal counted from 1 (reaching swa_lr one step early)"),
    ("linear", {"swa_lr": 0.02, "anneal_epochs": 5, "anneal_strategy": "linear"}, 0.1, 9,
     "anneal_strategy 'linear' over 5 steps: alpha = t; catches the cosine used instead, and the chainable "
     "recovery of the starting lr (lr - alpha*swa_lr)/(1 - alpha) replaced by base_lr (the same in exact "
     "arithmetic: only the rounding differs)"),
    ("anneal-up", {"swa_lr": 0.3, "anneal_epochs": 3}, 0.1, 7,
     "swa_lr above the optimizer's lr: the anneal rises; catches a min/max clamp toward the smaller value"),
    ("anneal-epochs-0", {"swa_lr": 0.02, "anneal_epochs": 0}, 0.1, 5,
     "anneal_epochs 0: step = max(1, step), so the lr is swa_lr already right after construction; catches "
     "base_lr at step 0 and a division by anneal_epochs"),
    ("anneal-epochs-1-linear", {"swa_lr": [0.04], "anneal_epochs": 1, "anneal_strategy": "linear"}, 0.1, 5,
     "anneal_epochs 1 with swa_lr given as a list of one value (one per param group): swa_lr at the first "
     "step; catches the list form rejected"),
    ("sequential-after-step", {"schedulers": [ch("StepLR", step_size=2, gamma=0.5), ch("SWALR", swa_lr=0.01, anneal_epochs=4)],
                               "milestones": [5]}, 0.2, 14,
     "SequentialLR: StepLR for 5 steps, then SWALR: at the milestone torch calls SWALR's _update_lr(0), which has "
     "no closed form, so get_lr runs with the _step_count of its construction (1: step 0, the lr kept); the anneal "
     "then starts from the decayed lr; catches the anneal started from base_lr, and _step_count reset at the "
     "milestone"),
    ("chained-exponential", {"schedulers": [ch("ExponentialLR", gamma=0.9), ch("SWALR", swa_lr=0.03, anneal_epochs=5)]},
     0.1, 10,
     "ChainedScheduler: ExponentialLR scales the lr first each step, then SWALR recovers its starting lr out of "
     "that scaled value; catches SWALR computed from base_lr instead of the group's current lr"),
]

# (tag, parameters, description)
ERRORS = [
    ("bad-strategy", {"swa_lr": 0.05, "anneal_strategy": "exp"}, "An anneal_strategy other than 'cos' or 'linear': torch's ValueError"),
    ("negative-epochs", {"swa_lr": 0.05, "anneal_epochs": -1}, "anneal_epochs below 0: torch's ValueError"),
    ("float-epochs", {"swa_lr": 0.05, "anneal_epochs": 2.0}, "anneal_epochs a float (isinstance int fails even for 2.0): torch's ValueError"),
    ("swa-lr-length", {"swa_lr": [0.05, 0.01]}, "swa_lr a list of 2 for 1 param group: _format_param's ValueError"),
    ("length-before-strategy", {"swa_lr": [0.05, 0.01], "anneal_strategy": "exp"},
     "Both swa_lr's length and anneal_strategy wrong: torch checks swa_lr first"),
    ("strategy-before-epochs", {"swa_lr": 0.05, "anneal_strategy": "exp", "anneal_epochs": -2},
     "Both anneal_strategy and anneal_epochs wrong: torch checks anneal_strategy first"),
    ("missing-swa-lr", {"anneal_epochs": 3}, "swa_lr is required (Python's TypeError)"),
]


def error_case(tag, params, base_lr, description):
    torch = torch_runner.setup()
    opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(2))], lr=base_lr, momentum=0.9)
    try:
        torch_runner.build_scheduler(opt, "SWALR", params)
    except (ValueError, TypeError) as e:
        message = str(e)
    else:
        raise AssertionError(f"SWALR({params}) accepted")
    return {"id": f"torch/SWALR/{tag}", "kind": "schedule", "source": SOURCE, "dtype": "float64",
            "description": description + ".", "schedule": {"convention": "torch", "name": "SWALR", "parameters": params},
            "base_lr": base_lr, "expected_error": message, "tolerance": dict(TOL)}


@FILES.file("torch/schedules/SWALR.json")
def torch_swalr():
    warnings.filterwarnings("ignore")
    cases = []
    for tag, params, base_lr, n, desc in CASES:
        composite = "schedulers" in params
        name = ("SequentialLR" if "milestones" in params else "ChainedScheduler") if composite else "SWALR"
        c = torch_case(tag, name, params, base_lr, n, desc + ".")
        c["id"] = f"torch/SWALR/{tag}"
        cases.append(c)
    cases += [error_case(tag, params, 0.1, desc) for tag, params, desc in ERRORS]
    return Fixture("torch/schedules/SWALR.json", "torch 2.15.0 torch.optim.swa_utils.SWALR", cases)
