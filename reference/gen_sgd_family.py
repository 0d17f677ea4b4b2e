"""Golden fixtures for the SGD group: SGD / momentum, Adagrad, RMSprop, Adadelta.

- torch goldens come from torch.optim (float64 default dtype, lr set through param_groups).
- optax goldens come from optax (jax_enable_x64; a per-step lr through inject_hyperparams with
  every other argument static, so the transformation is exactly the plain call's).
- textbook goldens come from a direct numpy transcription of the spec's equations (below), written
  separately from any library.
- closed-loop problem cases: the gradient of each step is common.problem_grad at the current params.

Every case says, in `description`, which implementation mistake it is designed to catch.
"""
from __future__ import annotations

import functools

import numpy as np

import common
from common import Fixture, flat
from runners import optax as optax_runner
from runners import torch as torch_runner

STEPS = 24
SHAPES = common.DEFAULT_SHAPES
TOL = {"rtol": 1e-9, "atol": 1e-12}
FILES = common.Files()


def _inputs(case_id: str, lr: float | None, steps=STEPS, vary_lr=True):
    rng = common.case_rng(case_id)
    params = common.initial_params(rng, SHAPES)
    grads = common.discriminating_grads(rng, SHAPES, steps)
    lrs = common.lr_sequence(lr, steps) if (vary_lr and lr is not None) else [None] * steps
    return params, grads, lrs


def run_torch(name, hp, params, grads_or_problem, lrs):
    """torch.optim.<name>; `grads_or_problem` is a list of per-step gradients or a problem."""
    problem = grads_or_problem if isinstance(grads_or_problem, dict) else None
    return torch_runner.replay("torch", name, hp, params, len(lrs), grads=None if problem else grads_or_problem,
                               problem=problem, lrs=lrs)


def run_optax(name, hp, params, grads_or_problem, lrs):
    problem = grads_or_problem if isinstance(grads_or_problem, dict) else None
    return optax_runner.replay(name, hp, params, len(lrs), grads=None if problem else grads_or_problem,
                               problem=problem, lrs=lrs)


TORCH_CASES = {
    "SGD": [
        ("defaults", {}, False,
         "No hyperparameters at all and no per-step lr: catches a wrong default lr (torch 2.15 SGD uses 1e-3)."),
        ("plain-lr-schedule", {"lr": 0.05}, True,
         "Plain SGD with the lr changed mid-run: catches ignoring the per-step lr."),
        ("momentum", {"lr": 0.05, "momentum": 0.9}, True,
         "Momentum with a changing lr: catches lr applied inside the buffer (torch keeps it outside)."),
        ("momentum-dampening", {"lr": 0.05, "momentum": 0.9, "dampening": 0.5}, True,
         "Dampening: catches dampening the first step (torch initialises the buffer to an undampened clone of the gradient) and a zero-initialised buffer."),
        ("nesterov", {"lr": 0.05, "momentum": 0.8, "nesterov": True}, True,
         "Nesterov: catches using the buffer instead of g + momentum·buf as the direction."),
        ("weight-decay-maximize", {"lr": 0.05, "weight_decay": 0.1, "maximize": True}, True,
         "maximize with L2 decay: catches negating after adding weight_decay·w (torch negates the gradient first), or decoupled decay."),
        ("all-flags", {"lr": 0.03, "momentum": 0.7, "nesterov": True, "weight_decay": 0.05, "maximize": True}, True,
         "Nesterov + L2 decay + maximize together: catches decay added after the momentum buffer or a sign error in the nesterov look-ahead."),
        ("momentum-dampening-decay", {"lr": 0.02, "momentum": 0.95, "dampening": 0.3, "weight_decay": 0.01}, True,
         "Dampening + L2 decay: catches decay left out of the first-step buffer clone."),
    ],
    "Adagrad": [
        ("defaults", {}, False,
         "No hyperparameters: catches wrong defaults (lr 1e-2, eps 1e-10 outside the root, initial sum 0)."),
        ("lr-schedule", {"lr": 0.1}, True,
         "Changing lr: catches ignoring the per-step lr."),
        ("lr-decay", {"lr": 0.1, "lr_decay": 0.1}, True,
         "lr_decay: catches clr = lr/(1 + t·lr_decay) with t counted from 1 instead of 0, or decay applied to the base lr only."),
        ("eps-initial", {"lr": 0.1, "eps": 1e-3, "initial_accumulator_value": 0.5}, True,
         "Large eps and initial sum: catches eps inside the square root (torch adds it outside) and a zero initial accumulator."),
        ("weight-decay-maximize", {"lr": 0.1, "weight_decay": 0.1, "maximize": True}, True,
         "maximize with L2 decay: catches the order of negation and decay (decay enters the sum of squares)."),
        ("all-flags", {"lr": 0.2, "lr_decay": 0.05, "weight_decay": 0.02, "initial_accumulator_value": 0.1, "eps": 1e-6, "maximize": True}, True,
         "Every knob at once."),
    ],
    "RMSprop": [
        ("defaults", {}, False,
         "No hyperparameters: catches wrong defaults (lr 1e-2, alpha 0.99, eps 1e-8 outside the root)."),
        ("alpha-eps", {"lr": 0.01, "alpha": 0.9, "eps": 1e-3}, True,
         "Large eps: catches eps inside the square root (torch: sqrt(v) + eps) and alpha used as 1-alpha."),
        ("centered", {"lr": 0.01, "centered": True}, True,
         "centered: catches a missing grad_avg² subtraction or a grad_avg that is not an EMA of the gradient."),
        ("momentum", {"lr": 0.01, "momentum": 0.9}, True,
         "Momentum with a changing lr: catches lr applied inside the buffer (torch: buf ← μ·buf + g/avg; w ← w − lr·buf)."),
        ("weight-decay-maximize", {"lr": 0.01, "weight_decay": 0.1, "maximize": True}, True,
         "maximize with L2 decay: catches the order of negation and decay."),
        ("all-flags", {"lr": 0.005, "alpha": 0.95, "eps": 1e-6, "weight_decay": 0.05, "momentum": 0.8, "centered": True, "maximize": True}, True,
         "centered + momentum + L2 decay + maximize together."),
    ],
    "Adadelta": [
        ("defaults", {}, False,
         "No hyperparameters: catches wrong defaults (lr 1.0, rho 0.9, eps 1e-6) and eps outside the roots."),
        ("lr-schedule", {"lr": 0.5, "rho": 0.95, "eps": 1e-4}, True,
         "Changing lr and large eps: catches lr folded into acc_delta (it must scale only the parameter step) and the wrong previous acc_delta."),
        ("weight-decay-maximize", {"lr": 1.0, "weight_decay": 0.1, "maximize": True}, True,
         "maximize with L2 decay: catches the order of negation and decay."),
        ("rho-small", {"lr": 2.0, "rho": 0.3, "eps": 1e-8}, True,
         "Small rho: catches rho and 1-rho swapped in either running average."),
    ],
}

OPTAX_CASES = {
    "sgd": [
        ("plain", {"learning_rate": 0.05}, True,
         "Plain SGD with a changing lr: catches ignoring the per-step lr."),
        ("momentum", {"learning_rate": 0.05, "momentum": 0.9}, True,
         "optax.trace then scale_by_learning_rate: catches lr applied inside the trace."),
        ("nesterov", {"learning_rate": 0.05, "momentum": 0.8, "nesterov": True}, True,
         "Nesterov trace: catches using the trace instead of g + momentum·trace."),
        ("constant-lr", {"learning_rate": 0.02, "momentum": 0.5}, False,
         "No per-step lr: catches a wrong learning_rate read."),
        ("learning-rate-none", {"learning_rate": None, "momentum": 0.9}, False,
         "learning_rate=None: scale_by_learning_rate(None) is the identity, so params move ALONG the trace "
         "(w <- w + trace); catches treating None as missing or as a default lr with a sign flip."),
    ],
    "adagrad": [
        ("defaults", {"learning_rate": 0.1}, True,
         "Defaults: catches initial_accumulator_value 0 (optax: 0.1) and eps outside the root (optax: rsqrt(sum + 1e-7))."),
        ("eps-large", {"learning_rate": 0.1, "eps": 1e-2, "initial_accumulator_value": 0.0}, True,
         "Large eps, zero initial sum: catches torch's sqrt(sum) + eps."),
        ("negative-initial", {"learning_rate": 0.1, "initial_accumulator_value": -0.5}, True,
         "Negative initial sum (optax accepts it): where(sum > 0, rsqrt(sum + eps), 0) gives 0 where the sum is not positive; catches a missing guard (NaN)."),
    ],
    "rmsprop": [
        ("defaults", {"learning_rate": 0.01}, True,
         "Defaults: catches torch's alpha 0.99 (optax decay 0.9) and eps outside the root (optax: inside)."),
        ("eps-outside", {"learning_rate": 0.01, "eps": 1e-3, "eps_in_sqrt": False}, True,
         "eps_in_sqrt=False: 1/(sqrt(nu) + eps)."),
        ("initial-scale", {"learning_rate": 0.01, "initial_scale": 1.0, "eps": 1e-6}, True,
         "initial_scale 1 (TF1): catches a zero-initialised nu."),
        ("centered", {"learning_rate": 0.01, "centered": True, "eps": 1e-6}, True,
         "centered (scale_by_stddev): catches a missing mu² subtraction."),
        ("bias-correction", {"learning_rate": 0.01, "bias_correction": True, "decay": 0.95}, True,
         "bias_correction: catches nu used without dividing by 1 - decay^t."),
        ("momentum", {"learning_rate": 0.01, "momentum": 0.9}, True,
         "Momentum with a changing lr: optax chains trace AFTER scale_by_learning_rate, so lr is inside the trace; catches torch's lr-outside form."),
        ("momentum-nesterov", {"learning_rate": 0.01, "momentum": 0.9, "nesterov": True}, True,
         "Nesterov trace after the lr: catches using the trace instead of u + momentum·trace."),
        ("learning-rate-none", {"learning_rate": None, "momentum": 0.5, "eps": 1e-4}, False,
         "learning_rate=None: no scaling and no sign flip before the trace (w <- w + trace of the rms-scaled gradient)."),
        ("bias-correction-momentum", {"learning_rate": 0.01, "bias_correction": True, "eps_in_sqrt": False, "eps": 1e-4,
                                      "momentum": 0.8}, True,
         "bias_correction with eps outside the root and lr-inside momentum: catches eps added before the correction."),
        ("all-flags", {"learning_rate": 0.02, "decay": 0.8, "eps": 1e-4, "initial_scale": 0.1, "eps_in_sqrt": False,
                       "centered": True, "momentum": 0.7, "nesterov": True}, True,
         "centered + eps outside + initial scale + nesterov momentum. (centered with bias_correction is left out: "
         "at step 1 nu_hat - mu_hat^2 is 0 up to rounding, so the golden would record rounding noise.)"),
    ],
    "adadelta": [
        ("no-learning-rate", {}, False,
         "learning_rate=None: scale_by_learning_rate(None) is the identity, so the update is ADDED unscaled (w ← w + δ); catches a default lr of 1 with a sign flip."),
        ("lr-schedule", {"learning_rate": 0.5, "rho": 0.95, "eps": 1e-4}, True,
         "Changing lr: catches lr folded into e_x (it must scale only the final update)."),
        ("weight-decay", {"learning_rate": 1.0, "weight_decay": 0.1}, True,
         "add_decayed_weights before scale_by_adadelta: catches decoupled decay or decay after the scaling."),
        ("weight-decay-mask", {"learning_rate": 1.0, "weight_decay": 0.1, "weight_decay_mask": [True, False, True]}, True,
         "weight_decay_mask per tensor: catches the mask being ignored (tensor 2 must not decay)."),
        ("weight-decay-mask-false", {"learning_rate": 1.0, "weight_decay": 0.1, "weight_decay_mask": False}, True,
         "one boolean masks every tensor (optax.masked takes the mask as a prefix of the params tree): False means "
         "no decay at all; catches a bare boolean rejected, or read as 'decay everything'."),
    ],
}


def torch_fixture(name):
    fx = Fixture(f"torch/{name}.json", f"torch.optim.{name} goldens (torch 2.15.0, float64).")
    for tag, hp, vary, desc in TORCH_CASES[name]:
        cid = f"torch/{name}/{tag}"
        base_lr = hp.get("lr", 0.01)
        params, grads, lrs = _inputs(cid, base_lr, vary_lr=vary)
        expected = run_torch(name, hp, params, grads, lrs)
        fx.cases.append(common.optimizer_case(cid, "torch 2.15.0", "torch", name, hp, params,
                                              common.trajectory_steps(expected, grads, lrs), desc, TOL))
    return fx


def optax_fixture(name):
    fx = Fixture(f"optax/{name}.json", f"optax.{name} goldens (optax 0.2.8, jax x64).")
    for tag, hp, vary, desc in OPTAX_CASES[name]:
        cid = f"optax/{name}/{tag}"
        params, grads, lrs = _inputs(cid, hp.get("learning_rate"), vary_lr=vary)
        expected = run_optax(name, hp, params, grads, lrs)
        fx.cases.append(common.optimizer_case(cid, "optax 0.2.8", "optax", name, hp, params,
                                              common.trajectory_steps(expected, grads, lrs), desc, TOL))
    return fx


# ---------------------------------------------------------------------------------------------
# textbook: a direct numpy transcription of the spec table (t = 0, 1, …; states start at 0)


def textbook_run(name, hp, params, grads, lrs):
    ws = [np.array(p["values"], dtype=np.float64) for p in params]
    state = [np.zeros_like(w) for w in ws]
    expected = []
    for t in range(len(grads)):
        lr = lrs[t] if lrs[t] is not None else hp["lr"]
        for i, w in enumerate(ws):
            g = np.array(grads[t][i], dtype=np.float64)
            if name in ("sgd", "gd"):
                ws[i] = w - lr * g
            elif name == "momentum":
                state[i] = hp["mu"] * state[i] - lr * g          # m ← mu·m − lr·g
                ws[i] = w + state[i]                            # w ← w + m
            elif name == "momentum_ema":
                state[i] = hp["beta"] * state[i] + (1 - hp["beta"]) * g
                ws[i] = w - lr * state[i]
            elif name == "momentum_sum":
                state[i] = hp["beta"] * state[i] + g
                ws[i] = w - lr * state[i]
            elif name == "adagrad":
                state[i] = state[i] + g ** 2
                ws[i] = w - lr * g / np.sqrt(state[i] + hp["eps"])
            elif name == "rmsprop":
                state[i] = hp["beta"] * state[i] + (1 - hp["beta"]) * g ** 2
                ws[i] = w - lr * g / np.sqrt(state[i] + hp["eps"])
            else:
                raise ValueError(name)
        expected.append([flat(w) for w in ws])
    return expected


TEXTBOOK_CASES = {
    "sgd": [("lr-schedule", {"lr": 0.05}, True, "w ← w − lr·g with a changing lr: catches ignoring the per-step lr.")],
    "gd": [("constant", {"lr": 0.03}, False, "gd is sgd: catches the alias missing or reading another lr.")],
    "momentum": [
        ("lr-schedule", {"lr": 0.05, "mu": 0.9}, True,
         "m ← mu·m − lr·g; w ← w + m with a changing lr: lr is INSIDE the buffer, so old steps keep their old lr; catches lr applied outside."),
        ("constant", {"lr": 0.02, "mu": 0.5}, False, "Constant lr, small mu: catches mu read as 1 − mu."),
    ],
    "momentum_ema": [
        ("lr-schedule", {"lr": 0.05, "beta": 0.9}, True,
         "v ← beta·v + (1−beta)·g from v = 0: catches torch-style initialisation of v to the first gradient and a missing (1 − beta)."),
    ],
    "momentum_sum": [
        ("lr-schedule", {"lr": 0.05, "beta": 0.9}, True,
         "v ← beta·v + g: catches an EMA (1 − beta) factor and lr inside the buffer."),
    ],
    "adagrad": [
        ("lr-schedule", {"lr": 0.1, "eps": 1e-8}, True,
         "eps inside the root: catches sqrt(v) + eps (tiny gradients 1e-8 make the two differ)."),
        ("eps-large", {"lr": 0.1, "eps": 1e-2}, False, "Large eps: catches eps outside the root or left out."),
    ],
    "rmsprop": [
        ("lr-schedule", {"lr": 0.01, "beta": 0.9, "eps": 1e-8}, True,
         "v ← beta·v + (1−beta)·g² with eps inside the root: catches sqrt(v) + eps and beta/1−beta swapped."),
        ("eps-large", {"lr": 0.01, "beta": 0.99, "eps": 1e-3}, True, "Large eps, slow decay: catches eps outside the root."),
    ],
}


def textbook_fixture(name):
    fx = Fixture(f"textbook/{name}.json", f"textbook {name}: numpy transcription of the course equations.")
    for tag, hp, vary, desc in TEXTBOOK_CASES[name]:
        cid = f"textbook/{name}/{tag}"
        params, grads, lrs = _inputs(cid, hp["lr"], vary_lr=vary)
        expected = textbook_run(name, hp, params, grads, lrs)
        fx.cases.append(common.optimizer_case(cid, "numpy transcription of the course equations", "textbook", name,
                                              hp, params, common.trajectory_steps(expected, grads, lrs), desc, TOL))
    return fx


# ---------------------------------------------------------------------------------------------
# closed-loop problems

PROBLEM_STEPS = 25

TORCH_PROBLEM_OPTS = [
    ("SGD", {"lr": 0.002, "momentum": 0.9, "nesterov": True, "weight_decay": 0.01},
     "Nesterov SGD with L2 decay in a closed loop: the gradient depends on the previous update, so an error anywhere compounds."),
    ("Adagrad", {"lr": 0.05, "lr_decay": 0.01, "initial_accumulator_value": 0.1},
     "Adagrad with lr_decay in a closed loop."),
    ("RMSprop", {"lr": 0.005, "momentum": 0.5, "centered": True},
     "Centered RMSprop with momentum in a closed loop."),
    ("Adadelta", {"lr": 1.0},
     "Adadelta defaults in a closed loop (slow start from acc_delta = 0: catches a wrong eps placement)."),
]

OPTAX_PROBLEM_OPTS = [
    ("sgd", {"learning_rate": 0.002, "momentum": 0.9, "nesterov": True},
     "Nesterov trace in a closed loop."),
    ("adagrad", {"learning_rate": 0.05},
     "optax adagrad defaults (initial 0.1, eps inside the root) in a closed loop."),
    ("rmsprop", {"learning_rate": 0.005, "momentum": 0.5, "bias_correction": True},
     "Bias-corrected rmsprop with lr-inside momentum in a closed loop."),
    ("adadelta", {"learning_rate": 1.0, "weight_decay": 0.01},
     "adadelta with decayed weights in a closed loop."),
]


def problem_fixture(conv):
    opts, runner, source = {"torch": (TORCH_PROBLEM_OPTS, run_torch, "torch 2.15.0"),
                            "optax": (OPTAX_PROBLEM_OPTS, run_optax, "optax 0.2.8")}[conv]
    fx = Fixture(f"{conv}/problems/sgd_group.json",
                 f"SGD-group optimizers ({source}) on the standard closed-loop problems.")
    for pname, problem, params in common.standard_problems():
        for name, hp, desc in opts:
            cid = f"{conv}/{name}/problem-{pname}"
            lrs = [None] * PROBLEM_STEPS
            expected = runner(name, hp, params, problem, lrs)
            fx.cases.append(common.optimizer_case(cid, source, conv, name, hp, params,
                                                  common.trajectory_steps(expected, [None] * PROBLEM_STEPS, lrs),
                                                  f"{desc} Problem: {pname}.", TOL, problem=problem))
    return fx


for _name in TORCH_CASES:
    FILES.add(f"torch/{_name}.json", functools.partial(torch_fixture, _name))
for _name in OPTAX_CASES:
    FILES.add(f"optax/{_name}.json", functools.partial(optax_fixture, _name))
for _name in TEXTBOOK_CASES:
    FILES.add(f"textbook/{_name}.json", functools.partial(textbook_fixture, _name))
for _conv in ("torch", "optax"):
    FILES.add(f"{_conv}/problems/sgd_group.json", functools.partial(problem_fixture, _conv))


def generate():
    return FILES.build_all()
