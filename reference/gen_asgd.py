"""Golden fixtures for torch.optim.ASGD (torch 2.15.0, float64 default dtype).

The parameters never read ASGD's average ax: an averaging mistake shows only in the state. So
besides trajectory cases (the per-step lr set in every param_group, as every torch golden), the
file has `state` cases (fixtures/FORMAT.md, "Field features") whose expected_state after every
step — step, eta, mu and ax, read from the optimizer's state — come from runners/torch.py
`replay_case`; they use a small t0 so that the average starts within the run (mu = 1/max(1, t − t0)
is computed at step t and used at t + 1, so ax is a copy of w until t − 1 − t0 > 1).

Gradients: common.discriminating_grads. Every case says, in `description`, which implementation
mistake it is designed to catch.
"""
from __future__ import annotations

import common
import feature_cases
from common import Fixture
from runners import torch as torch_runner

STEPS = 16
SHAPES = [(4, 3), (5,)]
TOL = {"rtol": 1e-10, "atol": 1e-12}
SOURCE = "torch 2.15.0"
FILES = common.Files()


def first_lr_differs(base):
    lrs = common.lr_sequence(base, STEPS)
    lrs[0] = 2.0 * base
    return lrs


# (tag, hyperparameters, lrs: None | "sequence" | "first-differs", state, description)
CASES = [
    ("defaults", {}, None, False,
     "No hyperparameters: catches wrong defaults (lr 1e-2, lambd 1e-4, alpha 0.75, t0 1e6) in the "
     "trajectory (eta and the decay term w·(1 − lambd·eta) move it by ~1e-6 relative)."),
    ("eta-decay", {"lr": 0.1, "lambd": 0.5, "alpha": 0.75}, None, False,
     "lambd 0.5: eta = lr/(1 + lambd·lr·t)^alpha falls by half over the run and the decay term shrinks w by "
     "5% a step; catches eta kept constant, eta computed before the step (t counted from the step being "
     "taken), and the decay term dropped (lambd only in eta)."),
    ("alpha", {"lr": 0.1, "lambd": 0.3, "alpha": 0.4}, None, False,
     "alpha 0.4: catches the exponent ignored or taken as 1."),
    ("lr-schedule", {"lr": 0.05, "lambd": 0.2}, "first-differs", False,
     "A per-step lr whose first value is not the constructor's: eta starts at the group's lr at the first "
     "step, and each step computes the next eta from the lr in force then; catches eta from the constructor's "
     "lr, and the current lr used directly as the step."),
    ("weight-decay", {"lr": 0.05, "lambd": 0.1, "weight_decay": 0.3}, "sequence", False,
     "weight_decay 0.3: L2, g + λ·w before the decay term; catches decoupled decay."),
    ("maximize", {"lr": 0.05, "lambd": 0.1, "maximize": True}, None, False,
     "maximize: catches a missing negation."),
    ("state-t0-small", {"lr": 0.05, "lambd": 0.1, "t0": 3}, None, True,
     "t0 3 with the state after every step: ax is a copy of w through step 5 (mu = 1/max(1, t − t0) from "
     "the step before), then the running mean ax ← ax + (w − ax)·mu with mu = 1/2, 1/3, …; catches averaging "
     "from the first step, mu from the current step, and a missing copy while mu = 1."),
    ("state-t0-fractional", {"lr": 0.05, "lambd": 0.1, "t0": 2.5, "weight_decay": 0.1}, "sequence", True,
     "t0 2.5 (torch does not require an integer) with a changing lr: mu = 1/1.5, 1/2.5, … from step 5; "
     "catches t0 rounded, max(1, t − t0) missing (a negative mu at the first steps), and eta and mu in the state (state_dict's eta is the next step's)."),
    ("state-t0-zero", {"lr": 0.02, "t0": 0, "maximize": True}, None, True,
     "t0 0 with maximize: mu = 1/max(1, t) is 1 after steps 1 and 2 (copies at steps 1 and 2), then 1/2, "
     "1/3, … at steps 3, 4, …; catches the copy test done on t instead of mu, and a missing negation."),
    ("all-flags", {"lr": 0.08, "lambd": 0.25, "alpha": 0.6, "t0": 4, "weight_decay": 0.05, "maximize": True,
                   "foreach": False, "differentiable": False, "capturable": False}, "first-differs", True,
     "Every knob at once, with the implementation flags that change nothing."),
]

# (tag, hyperparameters, features, description, (tensor, first step with a gradient) or None, resume after)
FEATURES = [
    ("missing-grads-state", {"lr": 0.05, "lambd": 0.2, "t0": 1}, ["missing_grads", "state"],
     "Tensor 1 has no gradient before step 5, and the lr drops from 0.08 to 0.03 at step 5: its state (step, "
     "eta = that step's lr, mu = 1, ax) is made at its first gradient and counts its own steps; catches a global "
     "step count, eta from the first step's lr, and an average started early.", (1, 4), None),
    ("resume", {"lr": 0.05, "lambd": 0.2, "t0": 2}, ["state", "resume"],
     "A state_dict saved after step 6 (averaging already on) and loaded into a fresh optimizer: eta, mu, step and "
     "ax come back; catches eta or mu recomputed from a reset count, and ax restarted.", None, 6),
]

ERRORS = [
    ("lr-negative", {"lr": -0.1}, "lr below 0: torch's ValueError."),
    ("lambd-negative", {"lambd": -1e-4}, "lambd below 0: torch's ValueError."),
    ("alpha-negative", {"alpha": -0.5}, "alpha below 0: torch's ValueError."),
    ("weight-decay-negative", {"weight_decay": -0.1}, "weight_decay below 0: torch's ValueError."),
    ("lambd-before-alpha", {"lambd": -1.0, "alpha": -1.0}, "lambd and alpha both invalid: torch checks lambd first."),
]


def _lrs(kind, hp):
    base = hp.get("lr", 1e-2)
    if kind is None:
        return None
    if kind == "sequence":
        return common.lr_sequence(base, STEPS)
    return first_lr_differs(base)


def state_case(cid, hp, lrs, desc):
    """A `state` case: the trajectory and expected_state from replay_case."""
    rng = common.case_rng(cid)
    params = common.initial_params(rng, SHAPES)
    grads = common.discriminating_grads(rng, SHAPES, STEPS)
    steps = []
    for t in range(STEPS):
        s = {}
        if lrs is not None:
            s["lr"] = lrs[t]
        s["grads"] = grads[t]
        steps.append(s)
    c = {"id": cid, "kind": "optimizer", "source": SOURCE, "dtype": "float64", "description": desc,
         "features": ["state"], "optimizer": {"convention": "torch", "name": "ASGD", "hyperparameters": hp},
         "params": params, "steps": steps, "tolerance": dict(TOL)}
    expected, states = torch_runner.replay_case(c, record_state=True)
    for t, s in enumerate(steps):
        s["expected"] = expected[t]
        s["expected_state"] = states[t]
    return c


def torch_fixture():
    fx = Fixture("torch/ASGD.json", "torch.optim.ASGD goldens (torch 2.15.0, float64).")
    for tag, hp, kind, state, desc in CASES:
        cid = f"torch/ASGD/{tag}"
        lrs = _lrs(kind, hp)
        if state:
            fx.cases.append(state_case(cid, hp, lrs, desc))
            continue
        rng = common.case_rng(cid)
        params = common.initial_params(rng, SHAPES)
        grads = common.discriminating_grads(rng, SHAPES, STEPS)
        expected = torch_runner.replay("torch", "ASGD", hp, params, STEPS, grads=grads, lrs=lrs)
        fx.cases.append(common.optimizer_case(cid, SOURCE, "torch", "ASGD", hp, params,
                                              common.trajectory_steps(expected, grads, lrs), desc, TOL))
    for tag, hp, feats, desc, late, resume in FEATURES:
        cid = f"torch/ASGD/{tag}"
        rng = common.case_rng(cid)
        params = common.initial_params(rng, SHAPES)
        grads = common.discriminating_grads(rng, SHAPES, 10)
        lrs = [0.08, 0.08, 0.08, 0.08] + [0.03] * 6
        if late is not None:
            grads = [[None if (j == late[0] and t < late[1]) else g for j, g in enumerate(step)] for t, step in enumerate(grads)]
        fx.cases.append(feature_cases.case(cid, SOURCE, "torch", "ASGD", hp, desc, feats, params, grads, TOL, lrs=lrs,
                                           resume=resume))
    for tag, hp, desc in ERRORS:
        cid = f"torch/ASGD/{tag}"
        params = common.initial_params(common.case_rng(cid), [(2,)])
        message = torch_runner.constructor_error("torch", "ASGD", hp, catch=(ValueError,))
        assert message is not None, f"torch.optim.ASGD({hp}) was accepted"
        fx.cases.append(common.optimizer_case(cid, SOURCE, "torch", "ASGD", hp, params, None, desc, TOL,
                                              error=message))
    return fx


PROBLEM_STEPS = 25


def problem_fixture():
    hp = {"lr": 0.001, "lambd": 0.5, "t0": 5}
    fx = Fixture("torch/problems/asgd.json", "torch.optim.ASGD (torch 2.15.0) on the standard closed-loop problems.")
    for pname, problem, params in common.standard_problems():
        cid = f"torch/ASGD/problem-{pname}"
        expected = torch_runner.replay("torch", "ASGD", hp, params, PROBLEM_STEPS, problem=problem)
        fx.cases.append(common.optimizer_case(cid, SOURCE, "torch", "ASGD", hp, params,
                                              common.trajectory_steps(expected, [None] * PROBLEM_STEPS,
                                                                      [None] * PROBLEM_STEPS),
                                              "ASGD with a decaying eta and the decay term in a closed loop "
                                              f"(every error compounds). Problem: {pname}.", TOL, problem=problem))
    return fx


FILES.add("torch/ASGD.json", torch_fixture)
FILES.add("torch/problems/asgd.json", problem_fixture)


def generate():
    return FILES.build_all()
