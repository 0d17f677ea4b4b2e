"""Golden fixtures for Rprop: torch.optim.Rprop and optax.rprop.

- torch goldens come from torch.optim.Rprop (float64 default dtype, the per-step lr set in every
  param_group, as every torch golden): its step sizes start at the group's lr at the first step
  and no later lr changes them.
- optax goldens come from optax.rprop (jax_enable_x64; a per-step lr through inject_hyperparams):
  its step sizes start at the constructor's learning_rate in init, and the update it emits is the
  one computed a step earlier (the first step moves nothing) — optax as it is.

The gradients give every element a sign pattern, so that every branch of the sign logic is taken
many times in 20 steps: a steady sign (the step size grows to its maximum), an alternating sign (a
flip every step: torch zeroes the gradient, so the next step compares with 0 and the step size
halves every other step, down to its minimum), a random sign with exact zeros, and elements that
are always 0. Magnitudes are 10**U(-3, 1): Rprop must not care.

Every case says, in `description`, which implementation mistake it is designed to catch.
"""
from __future__ import annotations

import functools

import numpy as np

import common
import feature_cases
from common import Fixture
from runners import optax as optax_runner
from runners import torch as torch_runner

STEPS = 20
SHAPES = [(4, 3), (6,), (2, 2, 2)]
TOL = {"rtol": 1e-10, "atol": 1e-12}
FILES = common.Files()


def sign_pattern_grads(rng, shapes, steps):
    """Per element one pattern — steady (40%), alternating (25%), random with zeros (25%), dead
    (10%) — times a per-element magnitude 10**U(-3, 1) that varies by ±30% per step."""
    out = [[] for _ in range(steps)]
    for s in shapes:
        n = int(np.prod(s))
        kind = rng.choice(4, size=n, p=[0.4, 0.25, 0.25, 0.1])
        sign0 = rng.choice([-1.0, 1.0], size=n)
        scale = 10.0 ** rng.uniform(-3, 1, size=n)
        for t in range(steps):
            mag = scale * (1.0 + 0.3 * rng.random(n))
            rand = rng.choice([-1.0, 0.0, 1.0], size=n, p=[0.45, 0.1, 0.45])
            sign = np.where(kind == 0, sign0, np.where(kind == 1, sign0 * (-1.0) ** t, np.where(kind == 2, rand, 0.0)))
            out[t].append(common.flat(sign * mag))
    return out


def _inputs(case_id):
    rng = common.case_rng(case_id)
    params = common.initial_params(rng, SHAPES)
    grads = sign_pattern_grads(rng, SHAPES, STEPS)
    return params, grads


def first_lr_differs(base):
    """A per-step lr whose first value is not the constructor's: 2.5·base, then lr_sequence's."""
    lrs = common.lr_sequence(base, STEPS)
    lrs[0] = 2.5 * base
    return lrs


# (tag, hyperparameters, lrs (None: the constructor's), description)
TORCH_CASES = [
    ("defaults", {}, None,
     "No hyperparameters: catches wrong defaults (lr 1e-2, etas (0.5, 1.2), step_sizes (1e-6, 50)), the "
     "gradient not zeroed on a sign change (torch: no move on the flip, prev ← 0, so the step after a flip "
     "neither grows nor shrinks), a step scaled by |g| and optax's one-step lag."),
    ("step-size-clamps", {"lr": 0.01, "step_sizes": [1e-3, 0.02]}, None,
     "step_sizes (1e-3, 0.02): steady elements reach the maximum in 4 steps, alternating ones the minimum; "
     "catches unclamped step sizes and the bounds swapped."),
    ("lr-above-max", {"lr": 0.5, "step_sizes": [1e-6, 0.1]}, None,
     "lr 0.5 above the maximum 0.1: torch clamps every step, also where sign(g·prev) = 0, so the first step "
     "already moves by 0.1; catches optax's rule (unchanged and unclamped where the product is 0)."),
    ("min-above-max", {"lr": 0.05, "step_sizes": [0.2, 0.03]}, None,
     "step_sizes with the minimum above the maximum (torch does not validate them): torch.clamp sets every "
     "step size to the maximum; catches a clamp that applies the minimum last."),
    ("etas", {"lr": 0.02, "etas": [0.3, 1.5]}, None,
     "etas (0.3, 1.5): catches the etas ignored or swapped."),
    ("lr-schedule", {"lr": 0.02}, "first-differs",
     "A per-step lr whose first value (0.05) is not the constructor's (0.02), then changing: torch fills the "
     "step sizes with the group's lr at the first step and never reads it again; catches the constructor's lr, "
     "and a step that follows the current lr."),
    ("maximize", {"lr": 0.02, "maximize": True}, None,
     "maximize: the gradient negated before the sign logic (prev holds −g); catches a missing negation."),
    ("all-flags", {"lr": 0.03, "etas": [0.4, 1.3], "step_sizes": [2e-3, 0.06], "maximize": True,
                   "foreach": False, "capturable": False, "differentiable": False}, "first-differs",
     "Every knob at once, with the implementation flags that change nothing."),
]

TORCH_ERRORS = [
    ("lr-negative", {"lr": -0.1}, "lr below 0: torch's ValueError."),
    ("eta-minus-one", {"etas": [1.0, 1.2]}, "etas[0] not below 1: torch's ValueError (both etas printed)."),
    ("eta-minus-zero", {"etas": [0.0, 1.2]}, "etas[0] not above 0: torch's ValueError."),
    ("eta-plus-one", {"etas": [0.5, 1.0]}, "etas[1] not above 1: torch's ValueError."),
    ("etas-ints", {"etas": [0, 2]}, "Integer etas: the message prints them as Python ints (0, 2)."),
    ("lr-before-etas", {"lr": -1.0, "etas": [2.0, 0.5]}, "lr and etas both invalid: torch checks lr first."),
]

OPTAX_CASES = [
    ("defaults", {"learning_rate": 0.01}, None,
     "Defaults: catches wrong defaults (eta_minus 0.5, eta_plus 1.2, min_step_size 1e-6, max_step_size 50) and "
     "the update of this step emitted (optax emits the previous one: the first step moves nothing); catches "
     "torch's comparison with the previous gradient only through the zeroing (the signs agree)."),
    ("step-size-clamps", {"learning_rate": 0.01, "min_step_size": 1e-3, "max_step_size": 0.02}, None,
     "Bounds (1e-3, 0.02): steady elements reach the maximum, alternating ones the minimum; catches unclamped "
     "step sizes."),
    ("lr-above-max", {"learning_rate": 0.5, "max_step_size": 0.1}, None,
     "learning_rate 0.5 above max_step_size 0.1: optax leaves a step size unchanged and unclipped where "
     "g·prev_updates = 0 (every element at the first step, the zeros later), so the second step moves by 0.5; "
     "catches torch's clamp on every step."),
    ("min-above-max", {"learning_rate": 0.05, "min_step_size": 0.2, "max_step_size": 0.03}, None,
     "min_step_size above max_step_size: jnp.clip gives the maximum where it clips; catches the minimum "
     "applied last."),
    ("etas", {"learning_rate": 0.02, "eta_minus": 0.3, "eta_plus": 1.5}, None,
     "eta_minus 0.3, eta_plus 1.5: catches the etas ignored or swapped."),
    ("lr-schedule", {"learning_rate": 0.02}, "first-differs",
     "An injected per-step learning_rate (first 0.05, then changing) with 0.02 given to the constructor: the "
     "step sizes are filled in init from the constructor's and the injected value is never read; catches the "
     "first step's lr (torch's rule) and a step following the current lr."),
    ("negative-learning-rate", {"learning_rate": -0.01}, None,
     "A negative learning_rate (optax validates nothing): the step sizes start negative, so "
     "prev_updates = step·sign(g) has the opposite sign of g, a steady gradient reads as a flip "
     "(g·prev_updates < 0) and the step size is clipped up to min_step_size; catches the sign logic done on "
     "sign(g)·sign(g_prev) instead of g·prev_updates."),
]

OPTAX_ERRORS = [
    ("learning-rate-none", {"learning_rate": None}, TypeError,
     "learning_rate None: init's jnp.full_like raises TypeError."),
]


# Field-feature cases (their expected_state from the runners' replay_case): the state names and
# when the state is made. (tag, hyperparameters, features, lrs kind, description, options)
TORCH_FEATURES = [
    ("state", {"lr": 0.02, "step_sizes": [1e-3, 0.05]}, ["state"], None,
     "The state after every step: step, prev (the gradient after the zeroing: 0 where it flipped) and step_size; "
     "catches prev holding the raw gradient and step sizes stored before the clamp.", {}),
    ("missing-grads-state", {"lr": 0.02}, ["missing_grads", "state"], "first-differs",
     "Tensor 1 has no gradient at the first 3 steps and the lr changes: its state is made at its first gradient, "
     "so its step sizes start at the lr of THAT step (0.01), not the first step's (0.05); catches state made for "
     "every tensor at the first step and a global step count.", {"late": (1, 3)}),
    ("resume", {"lr": 0.02, "etas": [0.4, 1.3]}, ["state", "resume"], None,
     "A state_dict saved after step 6 and loaded into a fresh optimizer: prev and step_size come back; catches "
     "a resume that restarts the step sizes at lr or forgets prev.", {"resume": 6}),
]

OPTAX_FEATURES = [
    ("state", {"learning_rate": 0.02, "max_step_size": 0.05}, ["state"], None,
     "The state after every step: step_sizes and prev_updates (η·sign(g), 0 after a flip); catches prev_updates "
     "holding the gradient (torch's prev) and the update of this step emitted.", {}),
    ("resume", {"learning_rate": 0.02}, ["state", "resume"], None,
     "The state saved after step 6 and restored into a fresh init: the update emitted after the resume is the "
     "saved prev_updates; catches a resume that starts prev_updates at 0 again.", {"resume": 6}),
]


def _feature_cases(conv, name, specs, lr_key):
    source = {"torch": "torch 2.15.0", "optax": "optax 0.2.8"}[conv]
    out = []
    for tag, hp, feats, kind, desc, opts in specs:
        cid = f"{conv}/{name}/{tag}"
        params, grads = _inputs(cid)
        grads = grads[:10]
        if "late" in opts:
            i, until = opts["late"]
            grads = [[None if (j == i and t < until) else g for j, g in enumerate(step)] for t, step in enumerate(grads)]
        lrs = _lrs(kind, hp, lr_key)
        if lrs is not None:
            lrs = lrs[:10]
            lrs[3:] = [hp[lr_key] * 0.5] * 7
        out.append(feature_cases.case(cid, source, conv, name, hp, desc, feats, params, grads, TOL, lrs=lrs,
                                      resume=opts.get("resume")))
    return out


def _lrs(kind, hp, key):
    if kind is None:
        return None
    return first_lr_differs(hp[key])


def torch_fixture():
    fx = Fixture("torch/Rprop.json", "torch.optim.Rprop goldens (torch 2.15.0, float64).")
    for tag, hp, kind, desc in TORCH_CASES:
        cid = f"torch/Rprop/{tag}"
        params, grads = _inputs(cid)
        lrs = _lrs(kind, hp, "lr")
        expected = torch_runner.replay("torch", "Rprop", hp, params, STEPS, grads=grads, lrs=lrs)
        fx.cases.append(common.optimizer_case(cid, "torch 2.15.0", "torch", "Rprop", hp, params,
                                              common.trajectory_steps(expected, grads, lrs), desc, TOL))
    fx.cases += _feature_cases("torch", "Rprop", TORCH_FEATURES, "lr")
    for tag, hp, desc in TORCH_ERRORS:
        cid = f"torch/Rprop/{tag}"
        params = common.initial_params(common.case_rng(cid), [(2,)])
        message = torch_runner.constructor_error("torch", "Rprop", hp, catch=(ValueError,))
        assert message is not None, f"torch.optim.Rprop({hp}) was accepted"
        fx.cases.append(common.optimizer_case(cid, "torch 2.15.0", "torch", "Rprop", hp, params, None, desc, TOL,
                                              error=message))
    return fx


def optax_fixture():
    fx = Fixture("optax/rprop.json", "optax.rprop goldens (optax 0.2.8, jax x64).")
    for tag, hp, kind, desc in OPTAX_CASES:
        cid = f"optax/rprop/{tag}"
        params, grads = _inputs(cid)
        lrs = _lrs(kind, hp, "learning_rate")
        expected = optax_runner.replay("rprop", hp, params, STEPS, grads=grads, lrs=lrs)
        fx.cases.append(common.optimizer_case(cid, "optax 0.2.8", "optax", "rprop", hp, params,
                                              common.trajectory_steps(expected, grads, lrs), desc, TOL))
    fx.cases += _feature_cases("optax", "rprop", OPTAX_FEATURES, "learning_rate")
    for tag, hp, exc, desc in OPTAX_ERRORS:
        cid = f"optax/rprop/{tag}"
        params = common.initial_params(common.case_rng(cid), [(2,)])
        message = optax_runner.first_update_error(optax_runner.factory("rprop"), hp, params, catch=(exc,))
        assert message is not None, f"optax.rprop({hp}) was accepted"
        fx.cases.append(common.optimizer_case(cid, "optax 0.2.8", "optax", "rprop", hp, params, None, desc, TOL,
                                              error=message))
    return fx


PROBLEM_STEPS = 25
PROBLEM_OPTS = {
    "torch": ("Rprop", {"lr": 0.05, "step_sizes": [1e-4, 0.5]},
              "torch Rprop in a closed loop: each sign flip of the true gradient zeroes it (no move) and halves the "
              "step size, so a wrong branch compounds."),
    "optax": ("rprop", {"learning_rate": 0.05, "max_step_size": 0.5},
              "optax rprop in a closed loop: the update applied is the previous step's, so the gradient is taken "
              "at points one update behind; a port that applies this step's update diverges at once."),
}


def problem_fixture(conv):
    name, hp, desc = PROBLEM_OPTS[conv]
    source = {"torch": "torch 2.15.0", "optax": "optax 0.2.8"}[conv]
    fx = Fixture(f"{conv}/problems/rprop.json", f"Rprop ({source}) on the standard closed-loop problems.")
    for pname, problem, params in common.standard_problems():
        cid = f"{conv}/{name}/problem-{pname}"
        if conv == "torch":
            expected = torch_runner.replay("torch", name, hp, params, PROBLEM_STEPS, problem=problem)
        else:
            expected = optax_runner.replay(name, hp, params, PROBLEM_STEPS, problem=problem)
        fx.cases.append(common.optimizer_case(cid, source, conv, name, hp, params,
                                              common.trajectory_steps(expected, [None] * PROBLEM_STEPS,
                                                                      [None] * PROBLEM_STEPS),
                                              f"{desc} Problem: {pname}.", TOL, problem=problem))
    return fx


FILES.add("torch/Rprop.json", torch_fixture)
FILES.add("optax/rprop.json", optax_fixture)
for _conv in ("torch", "optax"):
    FILES.add(f"{_conv}/problems/rprop.json", functools.partial(problem_fixture, _conv))


def generate():
    return FILES.build_all()
