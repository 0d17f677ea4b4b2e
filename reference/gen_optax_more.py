"""Golden fixtures for optax.adan, optax.novograd, optax.fromage and optax.sm3 (optax 0.2.8, jax
x64; a per-step lr through inject_hyperparams).

Each is a family of its own in Descent (Adan.swift, NovoGrad.swift, Fromage.swift, SM3.swift):
- adan: scale_by_adan (m, v over the gradient difference g − g_prev, which is 0 at the first step,
  n over (g + (1 − b2)·diff)², all three bias-corrected), then add_decayed_weights(weight_decay,
  mask), then −lr;
- novograd: a per-tensor second moment from ‖g‖², the first step setting nu = ‖g‖² and
  mu = g/(√nu + eps) + wd·w (no EMA from 0), later mu ← b1·mu + (that), then −lr;
- fromage: g·max(‖w‖, min_norm)/max(‖g‖, min_norm) per tensor (1 when a norm is 0), then
  −lr/√(1 + lr²), then + (1/√(1 + lr²) − 1)·w;
- sm3: per-dimension accumulators (a 1-D tensor keeps one per element), accum = g² + min over the
  dimensions of their accumulators, g·rsqrt(accum + 1e-8) where accum > 0 else 0, momentum as an
  EMA, then −lr; each dimension's accumulator becomes the max of accum over the other dimensions.

Gradients: common.discriminating_grads (per-element scales 1e-8..10, exact zeros, dead elements)
on a 2-D, a 1-D and a 3-D tensor, 10 steps. Every case says, in `description`, which implementation
mistake it is designed to catch.
"""
from __future__ import annotations

import functools

import common
import feature_cases
from common import Fixture
from runners import optax as optax_runner

STEPS = 10
SHAPES = [(4, 3), (5,), (2, 2, 2)]
TOL = {"rtol": 1e-9, "atol": 1e-12}
SOURCE = "optax 0.2.8"
FILES = common.Files()


def zero_first_steps(grads, tensor, k):
    """The gradients with tensor `tensor` exactly 0 at the first `k` steps."""
    return [[[0.0] * len(g) if i == tensor and t < k else g for i, g in enumerate(step)] for t, step in enumerate(grads)]


def zero_params(params, tensor):
    return [dict(p, values=[0.0] * len(p["values"])) if i == tensor else p for i, p in enumerate(params)]


def small_grads(grads, scale):
    return [[[x * scale for x in g] for g in step] for step in grads]


# (tag, hyperparameters, per-step lr from this base or None, description, input edits)
# An edit is ("zero_grads", tensor, k), ("zero_params", tensor) or ("scale_grads", factor).
CASES = {
    "adan": [
        ("defaults", {"learning_rate": 0.01}, None,
         "Defaults b1 0.98, b2 0.92, b3 0.99, eps 1e-8, eps_root 1e-8 (the alias's; scale_by_adan's own is 0): "
         "catches the gradient-difference term left out (v and the (1 − b2)·diff in n), a first-step difference "
         "g − 0 instead of 0, b1 read as the weight of the new gradient (the docstring's form), and a missing "
         "bias correction.", []),
        ("betas-lr-schedule", {"learning_rate": 0.02, "b1": 0.7, "b2": 0.6, "b3": 0.9}, 0.02,
         "b1 0.7, b2 0.6, b3 0.9 and a changing lr: (1 − b2) weighs the difference in both the update and n; "
         "catches b2 and b3 swapped, the previous gradient not stored, and a cached lr.", []),
        ("weight-decay", {"learning_rate": 0.01, "weight_decay": 0.1}, None,
         "weight_decay 0.1: u + λ·w added after the Adan direction, then −lr (not the paper's division by "
         "1 + λ·lr); catches decay inside the moments and decay not scaled by lr.", []),
        ("weight-decay-mask", {"learning_rate": 0.01, "weight_decay": 0.2, "mask": [True, False, True]}, None,
         "weight_decay 0.2 with mask [True, False, True]: the 1-D tensor is not decayed; catches an ignored or "
         "misaligned mask.", []),
        ("eps-root", {"learning_rate": 0.01, "eps": 1e-6, "eps_root": 1e-4}, None,
         "eps 1e-6, eps_root 1e-4: eps_root inside the root on the bias-corrected n; catches eps and eps_root "
         "swapped, eps_root ignored, and eps_root added before the bias correction.", []),
        ("zero-gradients", {"learning_rate": 0.05, "b2": 0.5}, None,
         "The 1-D tensor's gradient is exactly 0 for the first 3 steps, then the difference jumps: catches a "
         "difference taken against a previous gradient that was never stored, and 0/0 at the dead elements.",
         [("zero_grads", 1, 3)]),
        ("learning-rate-none", {"learning_rate": None, "b1": 0.5}, None,
         "learning_rate None: scale_by_learning_rate(None) is the identity, so u is ADDED; catches None read as a "
         "default lr.", []),
    ],
    "novograd": [
        ("defaults", {"learning_rate": 0.01}, None,
         "Defaults b1 0.9, b2 0.25, eps 1e-6 (the alias's; scale_by_novograd's own is 1e-8), eps_root 0: "
         "catches an element-wise second moment for the per-tensor ‖g‖², nu started as an EMA from 0 rather than "
         "‖g‖², mu with (1 − b1) on the new term, and the transform's eps.", []),
        ("betas-lr-schedule", {"learning_rate": 0.02, "b1": 0.5, "b2": 0.6}, 0.02,
         "b1 0.5, b2 0.6 and a changing lr: nu ← (1 − b2)·‖g‖² + b2·nu per tensor; catches b1 and b2 swapped and "
         "a cached lr.", []),
        ("weight-decay", {"learning_rate": 0.01, "weight_decay": 0.1}, None,
         "weight_decay 0.1: λ·w added to the normalised gradient INSIDE the momentum (mu ← b1·mu + g/(√nu + eps) "
         "+ λ·w); catches decoupled decay outside mu.", []),
        ("eps-root", {"learning_rate": 0.01, "eps": 1e-8, "eps_root": 1e-4}, None,
         "eps 1e-8, eps_root 1e-4: catches eps and eps_root swapped and eps_root ignored.", []),
        ("zero-first-gradient", {"learning_rate": 0.01, "b2": 0.5}, None,
         "The 1-D tensor's gradient is exactly 0 at the first 2 steps: its nu is set from ‖0‖² = 0 at step 1 "
         "and its mu is 0; catches a first step read as 'the first nonzero gradient' and a division by √0 without "
         "eps.", [("zero_grads", 1, 2)]),
        ("learning-rate-none", {"learning_rate": None, "b1": 0.5}, None,
         "learning_rate None: the identity, so mu is ADDED; catches None read as a default lr.", []),
    ],
    "fromage": [
        ("defaults", {"learning_rate": 0.01}, None,
         "Default min_norm 1e-6: per-tensor ratio ‖w‖/‖g‖, then w ← w/√(1 + lr²) − lr/√(1 + lr²)·ratio·g; "
         "catches the 1/√(1 + lr²) factor left out, and a global norm for the per-tensor ones.", []),
        ("large-lr-schedule", {"learning_rate": 0.5}, 0.5,
         "lr 0.5 changing every few steps: the factor 1/√(1 + lr²) is 0.894 at first and follows the step's lr; "
         "catches the factor left out or computed from the first lr only, and the shrink applied to the update "
         "only.", []),
        ("min-norm-clamp", {"learning_rate": 0.1, "min_norm": 0.5}, None,
         "min_norm 0.5 with gradients scaled by 1e-2: most gradient norms are below it and are clamped to 0.5; "
         "catches min_norm ignored and min_norm added to the norm.", [("scale_grads", 1e-2)]),
        ("zero-params-min-norm-0", {"learning_rate": 0.1, "min_norm": 0.0}, None,
         "min_norm 0 and the 1-D tensor's parameters all 0 at the start and its gradient 0 at the first step: "
         "the ratio is 1 where either norm is 0 (the tensor then moves by −lr·mult·g), not 0 or NaN.",
         [("zero_params", 1), ("zero_grads", 2, 1)]),
    ],
    "sm3": [
        ("defaults", {"learning_rate": 0.1}, None,
         "Default momentum 0.9: accumulators per dimension (4 + 3 for the 4×3 tensor, 2 + 2 + 2 for the 2×2×2, "
         "one per element for the 1-D), accum = g² + min of the dimensions' accumulators, then g·rsqrt(accum + "
         "1e-8), an EMA with momentum; catches an element-wise (Adagrad) accumulator, max for min, and momentum "
         "as a heavy-ball sum.", []),
        ("no-momentum-lr-schedule", {"learning_rate": 0.05, "momentum": 0.0}, 0.05,
         "momentum 0 and a changing lr: the update is −lr·g/√(accum + 1e-8); catches eps outside the root, and a "
         "cached lr.", []),
        ("zero-gradients", {"learning_rate": 0.1, "momentum": 0.5}, None,
         "The 2-D tensor's gradient is exactly 0 at the first 3 steps: accum is 0 there and the update 0 (not "
         "0·rsqrt(1e-8)); catches the where(accum > 0) left out when a later accum is 0 too.",
         [("zero_grads", 0, 3)]),
    ],
}

ERRORS = {
    "adan": [("missing-learning-rate", {"b1": 0.9}, "learning_rate is a required positional argument (Python's TypeError).")],
    "novograd": [("missing-learning-rate", {}, "learning_rate is a required positional argument (Python's TypeError).")],
    "fromage": [("missing-learning-rate", {}, "learning_rate is a required positional argument (Python's TypeError)."),
                ("learning-rate-none", {"learning_rate": None},
                 "learning_rate None: fromage computes 1/(1 + learning_rate**2)**0.5 at the call, a TypeError.")],
    "sm3": [("missing-learning-rate", {"momentum": 0.9}, "learning_rate is a required positional argument (Python's TypeError)."),
            ("learning-rate-none", {"learning_rate": None},
             "learning_rate None: sm3 scales by -learning_rate at the call, a TypeError.")],
}

STATE_DESC = {
    "adan": "The state after every step (ScaleByAdanState: m, v, n, g, t): g is the raw gradient kept for the next "
            "difference and v is 0 after the first step; catches the previous gradient stored after the decay "
            "and the moments stored bias-corrected.",
    "novograd": "The state after every step (ScaleByNovogradState: count, mu, nu): nu is one number per tensor; "
                "catches an element-wise nu and mu stored after the lr.",
    "sm3": "The state after every step (ScaleBySM3State: nu, the momentum; optax's per-dimension mu is a list of "
           "vectors per tensor, not graded here): catches the momentum stored after the lr.",
}


RESUME_DESC = {
    "adan": "Resumed after step 3 through the saved state (numpy.save of the leaves into a fresh init): catches the "
            "previous gradient g or the counter t lost on the way (a resumed run would then skip the next "
            "difference or restart the bias corrections).",
    "novograd": "Resumed after step 3: catches the count lost on the way (the resumed run would set nu from ‖g‖² "
                "again, as at a first step).",
    "sm3": "Resumed after step 3: catches the per-dimension accumulators mu not saved (optax saves the list of "
           "vectors of every tensor).",
}

EMPTY_SHAPES = [(3,), (), (0, 3)]
EMPTY_DESC = ("A 3-vector, a 0-d tensor and a zero-size [0, 3] tensor: the 0-d tensor is one element (its norm is its "
              "absolute value) and the empty one has norm 0 and changes nothing; catches a crash or a NaN from them.")


def inputs(cid, edits, steps=STEPS, shapes=SHAPES):
    rng = common.case_rng(cid)
    params = common.initial_params(rng, shapes)
    grads = common.discriminating_grads(rng, shapes, steps)
    for e in edits:
        if e[0] == "zero_grads":
            grads = zero_first_steps(grads, e[1], e[2])
        elif e[0] == "zero_params":
            params = zero_params(params, e[1])
        elif e[0] == "scale_grads":
            grads = small_grads(grads, e[1])
        else:
            raise ValueError(e)
    return params, grads


def fixture(name):
    fx = Fixture(f"optax/{name}.json", f"optax.{name} goldens (optax 0.2.8, jax x64).")
    for tag, hp, lr, desc, edits in CASES[name]:
        cid = f"optax/{name}/{tag}"
        params, grads = inputs(cid, edits)
        lrs = common.lr_sequence(lr, STEPS) if lr is not None else None
        expected = optax_runner.replay(name, hp, params, STEPS, grads=grads, lrs=lrs)
        fx.cases.append(common.optimizer_case(cid, SOURCE, "optax", name, hp, params,
                                              common.trajectory_steps(expected, grads, lrs), desc, TOL))
    if name in STATE_DESC:
        cid = f"optax/{name}/state"
        params, grads = inputs(cid, [], steps=6)
        fx.cases.append(feature_cases.case(cid, SOURCE, "optax", name, {"learning_rate": 0.01}, STATE_DESC[name],
                                           ["state"], params, grads, TOL))
    if name in RESUME_DESC:
        cid = f"optax/{name}/resume"
        params, grads = inputs(cid, [], steps=6)
        fx.cases.append(feature_cases.case(cid, SOURCE, "optax", name, {"learning_rate": 0.02}, RESUME_DESC[name],
                                           ["resume"], params, grads, TOL, resume=3))
    if name != "sm3":   # optax.sm3 fails on 0-d and zero-size n-D tensors (Descent: unsupported)
        cid = f"optax/{name}/empty-tensors"
        params, grads = inputs(cid, [], steps=4, shapes=EMPTY_SHAPES)
        fx.cases.append(feature_cases.case(cid, SOURCE, "optax", name, {"learning_rate": 0.05}, EMPTY_DESC,
                                           ["empty_tensors"], params, grads, TOL))
    fx.cases += common.error_cases("optax", name, ERRORS[name], SOURCE, TOL, optax_runner.call_error)
    return fx


for _name in CASES:
    FILES.add(f"optax/{_name}.json", functools.partial(fixture, _name))


def generate():
    return FILES.build_all()
