"""Golden fixtures for the `transformers` convention (Hugging Face transformers 5.23.0,
transformers/optimization.py): `Adafactor` and the `get_*_schedule*` functions.

- Adafactor goldens come from transformers.optimization.Adafactor itself, a torch.optim.Optimizer,
  through runners/torch.py (float64 default dtype; a step's `lr` is set in param_group["lr"] for
  that step only, as a scheduler would, which Adafactor ignores under relative_step). The tensors
  are a 4x3 matrix, a vector (a full exp_avg_sq), a square 3x3 (a transposed factored estimate
  shows), a 2x2x3 tensor (factored over its last two dims per leading index) and a 1x4 row (two
  dims, so factored, though one of them is 1: transformers has no size threshold). 10 steps.
  Gradients are common.discriminating_grads (scales 1e-8..10, exact zeros): eps[0] = 1e-30 is added
  to g², so they are well defined in both precisions.
  Within a few steps ρ = min(1e-2, 1/√t) is 1e-2 (1/√t is smaller only from t = 10⁴); warmup_init's
  min(1e-6·t, 1/√t) is 1e-6·t, which counts the steps.
- Schedule goldens: the function called on a torch.optim.SGD(lr=base_lr, momentum=0.9) over a
  dummy float64 parameter, through runners/torch.py's schedule_values (as the torch schedule
  goldens): expected_lr[0] right after it is built, expected_lr[k] after the k-th
  `scheduler.step()`, that is base_lr·λ(k).

transformers is not in the shared reference venv of the other generators: this module imports it
only when a file is built (install it from requirements.lock, where it is pinned).
Every case says, in `description`, which implementation mistake it is designed to catch.
"""
from __future__ import annotations

import functools
import warnings

import common
import feature_cases
from common import Fixture
from runners import torch as torch_runner

VERSION = "5.23.0"
SOURCE = f"transformers {VERSION}"
STEPS = 10
SHAPES = [(4, 3), (5,), (3, 3), (2, 2, 3), (1, 4)]
TOL = {"rtol": 1e-9, "atol": 1e-12}
SCHEDULE_TOL = {"rtol": 1e-12, "atol": 1e-15}
FILES = common.Files()


def _transformers():
    import transformers

    assert transformers.__version__ == VERSION, f"transformers {transformers.__version__}, the goldens pin {VERSION}"
    warnings.filterwarnings("ignore")
    return transformers


# (tag, hyperparameters, per-step lr from this base or None, description)
ADAFACTOR_CASES = [
    ("defaults", {}, None,
     "No arguments: lr None with relative_step, so ρ = min(1e-2, 1/√t) = 1e-2; scale_parameter "
     "(α = max(1e-3, RMS(w))·ρ, RMS of w before the step); eps[0] 1e-30 added to g²; decay_rate -0.8 "
     "(β = 1 − t^-0.8, 0 at step 1); clip_threshold 1; every ≥2-D tensor factored over its last two dims "
     "(the 1x4 row too); catches torch's lr 1e-2 cap read from the group, v̂ clamped, a size threshold on "
     "factoring and row/column means over the wrong dims."),
    ("relative-step-ignores-lr", {}, 0.5,
     "relative_step with a per-step lr set in the param group (0.5, 0.25, 0.85, 0.05): transformers never "
     "reads the group's lr then; catches ρ = min(lr, 1/√t) (torch's relative step) and the lr used."),
    ("warmup-init", {"warmup_init": True}, None,
     "warmup_init: ρ = min(1e-6·t, 1/√t) = 1e-6·t; catches warmup_init ignored and t counted from 0."),
    ("warmup-init-no-scale", {"warmup_init": True, "scale_parameter": False}, None,
     "warmup_init without scale_parameter: α = 1e-6·t exactly; catches the parameter scale applied anyway."),
    ("no-scale-parameter", {"scale_parameter": False}, None,
     "scale_parameter False: α = ρ = 1e-2; catches scale_parameter ignored."),
    ("manual-lr", {"lr": 0.05, "relative_step": False}, None,
     "lr 0.05 with relative_step False: ρ = lr, times max(1e-3, RMS(w)); catches the relative step kept "
     "(ρ = min(lr, 1e-2)) and the parameter scale dropped."),
    ("manual-lr-schedule", {"lr": 0.05, "relative_step": False}, 0.05,
     "A per-step lr with relative_step False: the group's lr is ρ; catches ignoring the per-step lr."),
    ("manual-lr-no-scale", {"lr": 0.02, "relative_step": False, "scale_parameter": False}, None,
     "relative_step and scale_parameter both False: the step is lr·u/clip; catches a relative step or a "
     "parameter scale left in."),
    ("beta1", {"beta1": 0.9}, None,
     "beta1 0.9: exp_avg ← 0.9·exp_avg + 0.1·(α·u/clip) from zeros, not debiased, the lr inside the EMA; "
     "catches beta1 ignored, a debiased EMA and the EMA of the unscaled update."),
    ("beta1-manual-lr-schedule", {"lr": 0.05, "relative_step": False, "beta1": 0.8}, 0.05,
     "beta1 with a changing lr: the lr is inside exp_avg; catches the lr applied outside it."),
    ("weight-decay", {"weight_decay": 0.5}, None,
     "weight_decay 0.5 under relative_step: w ← w − λ·α·w with α = max(1e-3, RMS(w))·ρ (the scaled step, "
     "RMS ≈ 1.2 here), before w ← w − u; catches decay by ρ or by the group's lr, and L2 decay on the gradient."),
    ("weight-decay-manual-lr", {"lr": 0.1, "relative_step": False, "weight_decay": 0.3}, 0.1,
     "weight_decay with a changing manual lr: the decay is λ·α·w with this step's α; catches decay with "
     "the initial lr or without the parameter scale."),
    ("clip-threshold", {"clip_threshold": 0.5}, None,
     "clip_threshold 0.5: u/max(1, RMS(u)/0.5); catches the threshold ignored (at step 1 an unfactored u "
     "is ±1, RMS ≤ 1, so only a threshold below 1 clips it)."),
    ("clip-threshold-large", {"clip_threshold": 50.0}, None,
     "clip_threshold 50: no tensor is clipped; catches clipping at 1 whatever the threshold."),
    ("decay-rate", {"decay_rate": -0.5}, None,
     "decay_rate -0.5: β = 1 − t^-0.5; catches the default decay and a constant β₂."),
    ("eps", {"eps": [1e-3, 2.0]}, None,
     "eps (1e-3, 2): 1e-3 added to g² before the means (visible on the small gradients) and the parameter "
     "scale floored at 2, above RMS(w); catches either eps ignored or the two swapped."),
    ("all-flags", {"lr": 0.3, "relative_step": False, "eps": [1e-20, 0.2], "clip_threshold": 0.8,
                   "decay_rate": -0.6, "beta1": 0.5, "weight_decay": 0.05}, 0.3,
     "Every knob at once with a changing lr."),
]

# Field features (fixtures/FORMAT.md): (tag, hyperparameters, features, description, late tensor
# (index, first step with a gradient) or None, resume after step or None). No `state` cases: the
# factored statistics (exp_avg_sq_row, exp_avg_sq_col) are not of the parameter's shape, which
# expected_state requires of a state tensor.
ADAFACTOR_FEATURES = [
    ("late-tensor-warmup-init", {"warmup_init": True}, ["missing_grads"],
     "The vector has no gradient for its first 3 steps under warmup_init: its own step counter (state['step'], "
     "per tensor) starts when its gradient does, so its ρ = 1e-6·t counts its own steps; catches a global step "
     "count.", (1, 3), None),
    ("resume-beta1", {"lr": 0.05, "relative_step": False, "beta1": 0.8}, ["resume"],
     "A checkpoint after step 4 loaded into a new Adafactor: every statistic, exp_avg and the per-tensor step "
     "continue; catches state left out of the checkpoint.", None, 4),
]

ADAFACTOR_ERRORS = [
    ("lr-with-relative-step", {"lr": 0.01},
     "lr given while relative_step is True (its default): transformers' ValueError."),
    ("lr-with-relative-step-and-warmup", {"lr": 0.01, "warmup_init": True},
     "lr with relative_step and warmup_init: the lr check comes first."),
    ("warmup-init-without-relative-step", {"lr": 0.01, "relative_step": False, "warmup_init": True},
     "warmup_init with relative_step False: transformers' ValueError."),
]


def _inputs(case_id, lr):
    rng = common.case_rng(case_id)
    params = common.initial_params(rng, SHAPES)
    grads = common.discriminating_grads(rng, SHAPES, STEPS)
    lrs = common.lr_sequence(lr, STEPS) if lr is not None else None
    return params, grads, lrs


def adafactor_fixture():
    _transformers()
    fx = Fixture("transformers/Adafactor.json", f"transformers.optimization.Adafactor goldens ({SOURCE}, float64).")
    for tag, hp, lr, desc in ADAFACTOR_CASES:
        cid = f"transformers/Adafactor/{tag}"
        params, grads, lrs = _inputs(cid, lr)
        expected = torch_runner.replay("transformers", "Adafactor", hp, params, STEPS, grads=grads, lrs=lrs)
        fx.cases.append(common.optimizer_case(cid, SOURCE, "transformers", "Adafactor", hp, params,
                                              common.trajectory_steps(expected, grads, lrs), desc, TOL))
    for tag, hp, feats, desc, late, resume in ADAFACTOR_FEATURES:
        cid = f"transformers/Adafactor/{tag}"
        params, grads, _ = _inputs(cid, None)
        if late is not None:
            grads = [[None if (j == late[0] and t < late[1]) else g for j, g in enumerate(step)]
                     for t, step in enumerate(grads)]
        fx.cases.append(feature_cases.case(cid, SOURCE, "transformers", "Adafactor", hp, desc, feats, params, grads, TOL,
                                           resume=resume))
    fx.cases += torch_runner.constructor_error_cases("transformers", "Adafactor", ADAFACTOR_ERRORS, SOURCE, TOL,
                                                     "transformers/Adafactor")
    return fx


# ---------------------------------------------------------------------------------------------
# Schedules


def schedule_case(name, cid, params, base_lr, n, description, metrics=None):
    lrs, _ = torch_runner.schedule_values(name, params, base_lr, n, metrics=metrics,
                                          build=torch_runner.transformers_scheduler)
    case = {
        "id": f"transformers/{name}/{cid}", "kind": "schedule", "source": SOURCE, "dtype": "float64",
        "description": description,
        "schedule": {"convention": "transformers", "name": name, "parameters": params},
        "base_lr": base_lr,
    }
    if metrics is not None:
        case["metrics"] = list(metrics[: n - 1])
    case["expected_lr"] = lrs
    case["tolerance"] = SCHEDULE_TOL
    return case


def schedule_error_case(name, cid, params, base_lr, description):
    torch = torch_runner.setup()
    opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(2))], lr=base_lr, momentum=0.9)
    try:
        torch_runner.transformers_scheduler(opt, name, params)
    except (ValueError, TypeError) as e:   # TypeError: get_scheduler's doubled keyword
        message = str(e)
    else:
        raise AssertionError(f"{name}({params}) accepted")
    return {
        "id": f"transformers/{name}/{cid}", "kind": "schedule", "source": SOURCE, "dtype": "float64",
        "description": description,
        "schedule": {"convention": "transformers", "name": name, "parameters": params},
        "base_lr": base_lr, "expected_error": message, "tolerance": SCHEDULE_TOL,
    }


# Metrics for GreedyLR with patience 1: improvements, a stall, improvements (a factor-0.5 lr goes up and
# down across them).
GREEDY_METRICS = [1.0, 0.9, 0.8, 0.8, 0.85, 0.9, 0.7, 0.6, 0.5, 0.55, 0.56]


def schedule_specs():
    """{function name: [a function making each case]} (nothing runs until a case is made)."""
    by = {}

    def add(name, cid, params, base_lr, n, description, **kw):
        by.setdefault(name, []).append(functools.partial(schedule_case, name, cid, params, base_lr, n, description, **kw))

    def error(name, cid, params, base_lr, description):
        by.setdefault(name, []).append(functools.partial(schedule_error_case, name, cid, params, base_lr, description))

    add("get_constant_schedule", "basic", {}, 0.1, 5, "λ = 1 (an int): the optimizer's lr at every step.")

    name = "get_constant_schedule_with_warmup"
    add(name, "warmup-3", {"num_warmup_steps": 3}, 0.2, 7,
        "k/3 for k < 3, then 1: catches the warmup starting at 1/W (k + 1) or ending one step late.")
    add(name, "warmup-0", {"num_warmup_steps": 0}, 0.2, 4, "No warmup: the lr from step 0.")

    name = "get_linear_schedule_with_warmup"
    add(name, "warmup-past-end", {"num_warmup_steps": 2, "num_training_steps": 10}, 0.1, 14,
        "The Trainer's default: k/2, then (10 − k)/8, 0 at k = 10 and clamped at 0 past the end; catches "
        "(N − k)/N (the warmup counted into the decay), no clamp, and float vs integer division.")
    add(name, "warmup-0", {"num_warmup_steps": 0, "num_training_steps": 5}, 0.3, 7,
        "No warmup: (5 − k)/5 from λ(0) = 1; catches max(1, W) applied to the decay's denominator wrongly.")
    add(name, "warmup-equals-total", {"num_warmup_steps": 4, "num_training_steps": 4}, 0.1, 7,
        "W = N: the decay's denominator is max(1, 0) = 1, so λ(4) = 0 and below 0 is clamped; catches a "
        "division by zero or a NaN.")
    add(name, "warmup-longer", {"num_warmup_steps": 5, "num_training_steps": 3}, 0.1, 8,
        "W > N: the warmup runs to k = 4, then max(0, (3 − k)/1) = 0; catches the decay starting at N.")

    name = "get_cosine_schedule_with_warmup"
    add(name, "default-cycles-past-end", {"num_warmup_steps": 2, "num_training_steps": 10}, 0.1, 15,
        "num_cycles 0.5: ½(1 + cos(π·progress)) to 0 at N, and past N the cosine rises again (progress > 1 is "
        "not clamped, only the factor at 0); catches clamping progress and a cosine over N instead of N − W.")
    add(name, "two-cycles", {"num_warmup_steps": 0, "num_training_steps": 8, "num_cycles": 2}, 0.5, 10,
        "num_cycles 2 without warmup: two full waves; catches num_cycles ignored or read as half-waves.")
    add(name, "warmup-equals-total", {"num_warmup_steps": 3, "num_training_steps": 3}, 0.1, 6,
        "W = N: progress (k − 3)/max(1, 0); catches a division by zero.")

    name = "get_cosine_with_hard_restarts_schedule_with_warmup"
    add(name, "three-cycles", {"num_warmup_steps": 1, "num_training_steps": 10, "num_cycles": 3}, 0.1, 13,
        "3 restarts: ½(1 + cos(π·((3·progress) mod 1))), 0 from progress 1 on; catches the restart missing "
        "(a plain cosine) and the tail past N not 0.")
    add(name, "default-cycles", {"num_warmup_steps": 0, "num_training_steps": 6}, 0.2, 8,
        "num_cycles defaults to 1 (one half-cosine, then 0): catches a default of 0.5.")
    add(name, "fractional-cycles", {"num_warmup_steps": 2, "num_training_steps": 9, "num_cycles": 1.5}, 0.1, 10,
        "num_cycles 1.5 (a float works: float(num_cycles)): catches an integer restart count.")

    name = "get_polynomial_decay_schedule_with_warmup"
    add(name, "power-2-past-end", {"num_warmup_steps": 2, "num_training_steps": 10, "lr_end": 1e-3, "power": 2.0},
        0.1, 14,
        "(lr − lr_end)·(1 − (k − 2)/8)² + lr_end, divided by lr (LambdaLR multiplies it back), lr_end/lr past N; "
        "catches the decay to 0, the power ignored and the warmup counted into the decay.")
    add(name, "defaults", {"num_warmup_steps": 0, "num_training_steps": 5}, 0.3, 7,
        "lr_end 1e-7 and power 1 by default: catches other defaults (0, 2).")
    add(name, "sqrt", {"num_warmup_steps": 1, "num_training_steps": 6, "lr_end": 0.01, "power": 0.5}, 0.05, 8,
        "power 0.5: catches the power read as an integer.")
    error(name, "lr-end-too-large", {"num_warmup_steps": 1, "num_training_steps": 5, "lr_end": 0.2}, 0.1,
          "lr_end 0.2 above the optimizer's lr 0.1: transformers' ValueError naming both.")
    error(name, "lr-end-equal", {"num_warmup_steps": 1, "num_training_steps": 5, "lr_end": 0.1}, 0.1,
          "lr_end equal to the optimizer's lr: not (lr > lr_end) raises too; catches a >= test.")

    name = "get_inverse_sqrt_schedule"
    add(name, "timescale-default", {"num_warmup_steps": 3}, 0.1, 10,
        "timescale None: it is num_warmup_steps (3), so λ = 1/√((k + 0)/3) after the warmup; catches "
        "1/√k and a timescale of 10000 when W is given.")
    add(name, "no-warmup", {"num_warmup_steps": 0}, 0.1, 6,
        "W 0 and timescale None: timescale 10000 (num_warmup_steps or 10_000); catches a division by zero.")
    add(name, "timescale-5", {"num_warmup_steps": 2, "timescale": 5}, 0.2, 10,
        "timescale 5, W 2: shift 3, λ = 1/√((k + 3)/5) (1.0 at k = 2); catches the shift missing.")

    name = "get_cosine_with_min_lr_schedule_with_warmup"
    add(name, "min-lr", {"num_warmup_steps": 2, "num_training_steps": 10, "min_lr": 1e-3}, 0.1, 13,
        "min_lr 1e-3: min_lr_rate = min_lr/lr, factor·(1 − rate) + rate; catches min_lr added to a cosine to 0 "
        "and min_lr read as a rate.")
    add(name, "min-lr-rate", {"num_warmup_steps": 0, "num_training_steps": 6, "num_cycles": 1.0, "min_lr_rate": 0.1},
        0.5, 8, "min_lr_rate 0.1 with one full wave: catches the rate ignored.")
    error(name, "both", {"num_warmup_steps": 1, "num_training_steps": 5, "min_lr": 1e-3, "min_lr_rate": 0.1}, 0.1,
          "min_lr and min_lr_rate both set: transformers' ValueError.")
    error(name, "neither", {"num_warmup_steps": 1, "num_training_steps": 5}, 0.1,
          "Neither min_lr nor min_lr_rate: transformers' ValueError.")

    name = "get_cosine_with_min_lr_schedule_with_warmup_lr_rate"
    add(name, "default-warmup", {"num_warmup_steps": 3, "num_training_steps": 10, "min_lr_rate": 0.05}, 0.1, 12,
        "warmup_lr_rate None: (k + 1)/W during the warmup and progress (k − W + 1)/(N − W): catches the "
        "plain cosine's k/W and (k − W).")
    add(name, "warmup-lr-rate", {"num_warmup_steps": 4, "num_training_steps": 9, "min_lr": 0.01,
                                 "warmup_lr_rate": 0.1}, 0.1, 11,
        "warmup_lr_rate 0.1: 0.1 + 0.9·k/max(1, W − 1); catches the rate ignored.")

    name = "get_wsd_schedule"
    add(name, "defaults", {"num_warmup_steps": 2, "num_decay_steps": 4, "num_training_steps": 10}, 0.1, 13,
        "Linear warmup, stable 10 − 2 − 4 = 4 steps at 1, cosine decay over 4, then min_lr_ratio 0; catches "
        "the stable phase computed wrongly and the decay's cosine over the whole run.")
    add(name, "cosine-warmup-linear-decay", {"num_warmup_steps": 3, "num_decay_steps": 3, "num_stable_steps": 2,
                                             "warmup_type": "cosine", "decay_type": "linear", "min_lr_ratio": 0.1},
        0.2, 11,
        "cosine warmup and linear decay from/to min_lr_ratio 0.1 (factor·0.9 + 0.1), num_stable_steps given; "
        "catches min_lr_ratio ignored at either end.")
    add(name, "one-minus-sqrt", {"num_warmup_steps": 2, "num_decay_steps": 5, "num_stable_steps": 1,
                                 "warmup_type": "1-sqrt", "decay_type": "1-sqrt", "min_lr_ratio": 0.05}, 0.1, 10,
        "1-sqrt warmup (1 − √(1 − p)) and decay (1 − √p): catches the two forms swapped.")
    add(name, "both-lengths", {"num_warmup_steps": 1, "num_decay_steps": 2, "num_training_steps": 20,
                               "num_stable_steps": 3, "num_cycles": 1.0}, 0.1, 9,
        "num_training_steps and num_stable_steps both given: num_stable_steps wins (a warning); after the decay "
        "min_lr_ratio; num_cycles 1 (a full wave in the decay); catches the stable phase from num_training_steps.")
    error(name, "no-length", {"num_warmup_steps": 1, "num_decay_steps": 2}, 0.1,
          "Neither num_training_steps nor num_stable_steps: transformers' ValueError.")
    error(name, "bad-warmup-type", {"num_warmup_steps": 1, "num_decay_steps": 2, "num_training_steps": 5,
                                    "warmup_type": "exp"}, 0.1, "An unknown warmup_type: transformers' ValueError.")
    error(name, "bad-decay-type", {"num_warmup_steps": 1, "num_decay_steps": 2, "num_training_steps": 5,
                                   "decay_type": "step"}, 0.1, "An unknown decay_type: transformers' ValueError.")

    name = "get_scheduler"
    add(name, "linear", {"name": "linear", "num_warmup_steps": 2, "num_training_steps": 8}, 0.1, 11,
        "get_scheduler('linear', …), what the Trainer builds from lr_scheduler_type's default: "
        "get_linear_schedule_with_warmup(num_warmup_steps=2, num_training_steps=8).")
    add(name, "cosine-kwargs", {"name": "cosine", "num_warmup_steps": 1, "num_training_steps": 9,
                                "scheduler_specific_kwargs": {"num_cycles": 1.5}}, 0.1, 11,
        "scheduler_specific_kwargs go to the function (num_cycles 1.5, so the lr rises again): catches them dropped.")
    add(name, "cosine-with-restarts", {"name": "cosine_with_restarts", "num_warmup_steps": 0, "num_training_steps": 9,
                                       "scheduler_specific_kwargs": {"num_cycles": 3}}, 0.1, 11,
        "cosine_with_restarts names get_cosine_with_hard_restarts_schedule_with_warmup.")
    add(name, "polynomial", {"name": "polynomial", "num_warmup_steps": 2, "num_training_steps": 8,
                             "scheduler_specific_kwargs": {"power": 2.0, "lr_end": 0.01}}, 0.1, 11,
        "polynomial with power and lr_end through scheduler_specific_kwargs.")
    add(name, "constant-ignores-the-rest", {"name": "constant", "num_warmup_steps": 3, "num_training_steps": 8,
                                            "scheduler_specific_kwargs": {"num_cycles": 2}}, 0.1, 6,
        "constant: get_constant_schedule(optimizer) alone; the warmup, the total and the kwargs are ignored "
        "(catches a warmup applied).")
    add(name, "constant-with-warmup-ignores-kwargs", {"name": "constant_with_warmup", "num_warmup_steps": 3,
                                                      "num_training_steps": 8,
                                                      "scheduler_specific_kwargs": {"num_cycles": 2}}, 0.1, 7,
        "constant_with_warmup gets num_warmup_steps only: the total and the kwargs are not passed (a function that "
        "took them would raise).")
    add(name, "inverse-sqrt", {"name": "inverse_sqrt", "num_warmup_steps": 2, "scheduler_specific_kwargs": {"timescale": 3}},
        0.1, 9, "inverse_sqrt gets num_warmup_steps and the kwargs (timescale), no num_training_steps.")
    add(name, "cosine-with-min-lr", {"name": "cosine_with_min_lr", "num_warmup_steps": 1, "num_training_steps": 8,
                                     "scheduler_specific_kwargs": {"min_lr_rate": 0.1}}, 0.2, 10,
        "cosine_with_min_lr names get_cosine_with_min_lr_schedule_with_warmup.")
    add(name, "cosine-warmup-with-min-lr", {"name": "cosine_warmup_with_min_lr", "num_warmup_steps": 2,
                                            "num_training_steps": 8, "scheduler_specific_kwargs": {"min_lr": 0.02}},
        0.2, 10, "cosine_warmup_with_min_lr names the _lr_rate variant (float warmup (k + 1)/W).")
    add(name, "wsd-without-total", {"name": "warmup_stable_decay", "num_warmup_steps": 2,
                                    "scheduler_specific_kwargs": {"num_decay_steps": 3, "num_stable_steps": 2}}, 0.1, 10,
        "warmup_stable_decay passes num_training_steps=None on: wsd's own num_stable_steps then sets the plateau.")
    add(name, "reduce-lr-on-plateau", {"name": "reduce_lr_on_plateau", "num_warmup_steps": 5,
                                       "scheduler_specific_kwargs": {"factor": 0.5, "patience": 1}}, 0.1, 10,
        "reduce_lr_on_plateau: ReduceLROnPlateau(optimizer, **kwargs), the warmup ignored.",
        metrics=[1.0, 0.9, 0.95, 0.97, 0.8, 0.85, 0.86, 0.87, 0.88])
    add(name, "greedy", {"name": "greedy", "num_warmup_steps": 5, "num_training_steps": 9,
                         "scheduler_specific_kwargs": {"factor": 0.5, "patience": 1, "min_lr": 0.01}}, 0.1, 12,
        "greedy: GreedyLR(optimizer, **kwargs), the warmup and the total ignored (a warmup applied is caught).",
        metrics=GREEDY_METRICS)
    error(name, "unknown-name", {"name": "cosine_annealing", "num_warmup_steps": 1, "num_training_steps": 5}, 0.1,
          "A name that is no SchedulerType: its ValueError lists the valid ones.")
    error(name, "no-warmup", {"name": "linear", "num_training_steps": 5}, 0.1,
          "Every type but constant, reduce_lr_on_plateau and greedy needs num_warmup_steps (the enum member is "
          "named in the message).")
    error(name, "no-total", {"name": "cosine", "num_warmup_steps": 1}, 0.1,
          "cosine needs num_training_steps.")
    error(name, "warmup-twice", {"name": "linear", "num_warmup_steps": 1, "num_training_steps": 5,
                                 "scheduler_specific_kwargs": {"num_warmup_steps": 2}}, 0.1,
          "num_warmup_steps given again in scheduler_specific_kwargs: Python's TypeError for the call.")

    name = "get_greedy_schedule"
    # Metrics that improve for a while, stall, improve again and climb: both moves of GreedyLR.
    down = [1.0 - 0.01 * k for k in range(14)]
    add(name, "defaults", {}, 0.1, 30,
        "Defaults (factor 0.95, patience 10, threshold 1e-6 abs, max_lr 1.0): eleven improving metrics raise the lr "
        "by 1/0.95, then eleven more again, then flat metrics lower it; catches ReduceLROnPlateau's defaults or a "
        "scheduler that never raises.",
        metrics=down + [down[-1]] * 15)
    add(name, "patience-1", {"factor": 0.5, "patience": 1, "min_lr": 0.01}, 0.1, 12,
        "factor 0.5, patience 1: an lr raised after two improvements and lowered after two others; catches "
        "patience compared with ≥ instead of >.",
        metrics=GREEDY_METRICS)
    add(name, "reset-at-min", {"factor": 0.5, "patience": 0, "min_lr": 0.01, "reset_start": 2}, 0.1, 12,
        "Flat metrics with patience 0: the lr halves down to min_lr, and after reset_start reductions at min_lr "
        "GreedyLR resets to the initial lr (and best to +∞); catches a missing reset.",
        metrics=[1.0] * 11)
    add(name, "cooldown-warmup", {"factor": 0.5, "patience": 1, "cooldown": 2, "warmup": 1, "min_lr": 0.001}, 0.1, 16,
        "cooldown 2 after each lowering and warmup 1 after each raising, both clearing the counts; catches either "
        "ignored.",
        metrics=[1.0, 0.9, 0.8, 0.7, 0.6, 0.6, 0.6, 0.6, 0.6, 0.5, 0.4, 0.3, 0.3, 0.3, 0.3])
    add(name, "max-rel", {"mode": "max", "threshold_mode": "rel", "threshold": 0.05, "factor": 0.8, "patience": 1,
                          "min_lr": 0.05, "max_lr": 0.2}, 0.1, 14,
        "mode max with a 5% relative threshold: a rise under 5% does not count; max_lr caps the raise at 0.2; "
        "catches the threshold ignored or applied absolutely, and a missing cap.",
        metrics=[1.0, 1.1, 1.2, 1.21, 1.3, 1.4, 1.5, 1.6, 1.61, 1.62, 1.63, 1.64, 1.65])
    add(name, "smooth", {"smooth": True, "window_size": 3, "factor": 0.5, "patience": 1, "min_lr": [0.005]}, 0.1, 14,
        "smooth with window_size 3: decisions on the running mean of the last three metrics (a descent with two "
        "spikes, which the mean remembers for three steps); "
        "min_lr given as a list of one; catches the raw metric used.",
        metrics=[1.0, 0.9, 0.8, 2.0, 0.7, 0.6, 0.5, 0.4, 1.5, 0.35, 0.3, 0.25, 0.2])
    add(name, "eps", {"factor": 0.9, "patience": 0, "eps": 0.005, "min_lr": 0.0}, 0.1, 14,
        "eps 0.005: lowerings smaller than eps are not applied, so the lr stops at the first step under 0.05 "
        "(0.1·0.9ᵏ); catches eps ignored.",
        metrics=[1.0] * 13)
    error(name, "factor-1", {"factor": 1.0}, 0.1, "factor 1.0: GreedyLR's ValueError.")
    error(name, "factor-before-mode", {"factor": 1.5, "mode": "average"}, 0.1,
          "factor is checked first: with a bad mode too, the factor's ValueError.")
    error(name, "min-lr-list", {"min_lr": [0.1, 0.2], "mode": "average"}, 0.1,
          "min_lr as a list of two for one param group, checked before mode.")
    error(name, "max-lr-list", {"max_lr": [1.0, 2.0]}, 0.1, "max_lr as a list of two for one param group.")
    error(name, "mode", {"mode": "average"}, 0.1, "An unknown mode: GreedyLR's ValueError.")
    error(name, "threshold-mode", {"threshold_mode": "relative"}, 0.1, "An unknown threshold_mode.")

    name = "get_reduce_on_plateau_schedule"
    add(name, "patience-1", {"factor": 0.5, "patience": 1}, 0.1, 10,
        "torch's ReduceLROnPlateau(optimizer, factor=0.5, patience=1) stepped with metrics: catches other defaults.",
        metrics=[1.0, 0.9, 0.95, 0.97, 0.8, 0.85, 0.86, 0.87, 0.88])
    return by


def schedule_fixture(name):
    _transformers()
    return Fixture(f"transformers/schedules/{name}.json", f"{SOURCE} transformers.optimization.{name}",
                   [make() for make in schedule_specs()[name]])


FILES.add("transformers/Adafactor.json", adafactor_fixture)
for _name in schedule_specs():
    FILES.add(f"transformers/schedules/{_name}.json", functools.partial(schedule_fixture, _name))


def generate():
    return FILES.build_all()
