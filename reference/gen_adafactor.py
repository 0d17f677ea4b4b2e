"""Golden fixtures for Adafactor: torch.optim.Adafactor, optax.adafactor, keras.optimizers.Adafactor.

- torch goldens come from torch.optim.Adafactor (float64 default dtype, lr set through
  param_groups); eps1=None is finfo(float64).eps there.
- optax goldens come from optax.adafactor (jax_enable_x64; a per-step lr through inject_hyperparams
  with every other argument static). optax factors only tensors whose two largest dims are both
  >= min_dim_size_to_factor (128 by default), so the factored cases pass a small one.
- keras goldens come from keras.optimizers.Adafactor's own apply_gradients, floatx float64, on the
  JAX backend (x64), as gen_keras.py and the keras adapter run Keras's optimizers. Keras's means are
  float32 on every backend but TensorFlow (see KERAS_TOL), so its tolerance is wider.

The tensors are a 4x3 matrix (R > C: optax normalises its column statistic), a vector (a full
second moment everywhere), a square 3x3 (where a transposed factored estimate shows) and a
2x2x3 tensor (torch and Keras factor the last two dims per leading index; optax factors its two
largest dims, the same two here). 16 steps.

Gradients: optax and Keras add eps (1e-30) to g², so common.discriminating_grads (scales
1e-8..10, exact zeros) are well defined in both precisions. torch adds nothing and clamps v̂ at
eps1² with eps1 = finfo(dtype).eps — 2.2e-16 in the float64 golden, 1.2e-7 in a float32 run — so a
gradient below ~1e-7 is clamped in float32 only: torch's cases use gradients of one scale
(10^U(-2, 0.5) per element, with the same exact zeros), where the clamp acts only on exact zeros
(0·rsqrt(eps1²) = 0 in both precisions) unless a case sets eps1 itself.

Every case says, in `description`, which implementation mistake it is designed to catch.
"""
from __future__ import annotations

import functools
import os

import numpy as np

os.environ.setdefault("KERAS_BACKEND", "jax")   # as gen_keras.py: the optimizers on JAX (x64)

import common  # noqa: E402
from common import Fixture  # noqa: E402
from runners import keras as keras_runner  # noqa: E402
from runners import optax as optax_runner  # noqa: E402
from runners import torch as torch_runner  # noqa: E402

STEPS = 16
SHAPES = [(4, 3), (5,), (3, 3), (2, 2, 3)]
TOL = {"rtol": 1e-9, "atol": 1e-12}
# Keras takes every mean in float32 (keras.ops.mean computes in result_type(float64, "float32"),
# float32 off TensorFlow, on JAX and torch alike): the statistics, mean(r), RMS(w) and RMS(u) are
# float32-rounded. Descent reproduces that (a float32 sum times 1/n, as XLA divides), but not XLA's
# summation order of a whole-tensor reduction, so a float32 ulp of RMS(u) or RMS(w) (~6e-8 of the
# step) remains per step.
KERAS_TOL = {"rtol": 1e-5, "atol": 1e-6}
FILES = common.Files()


def one_scale_grads(rng, shapes, steps, zero_frac=0.1, dead_frac=0.08):
    """discriminating_grads with per-element scales 10**U(-2, 0.5) instead of 10**U(-8, 1)."""
    return common.discriminating_grads(rng, shapes, steps, zero_frac, dead_frac, log10_scale=(-2, 0.5))


def _inputs(case_id, lr, vary, one_scale=False):
    rng = common.case_rng(case_id)
    params = common.initial_params(rng, SHAPES)
    grads = (one_scale_grads if one_scale else common.discriminating_grads)(rng, SHAPES, STEPS)
    lrs = common.lr_sequence(lr, STEPS) if vary else [None] * STEPS
    return params, grads, lrs


# (tag, hyperparameters, per-step lr from this base or None, description)
TORCH_CASES = [
    ("defaults", {}, None,
     "No hyperparameters: catches wrong defaults (lr 1e-2, beta2_decay -0.8, eps (None → finfo.eps, 1e-3), d 1) "
     "and statistics over the wrong dims (row_var is the mean over the last dim, col_var over the one before, "
     "per leading index of the 3-D tensor)."),
    ("relative-step", {"lr": 1.0}, 1.0,
     "lr 1 and larger (the per-step lr reaches 1.7): rho = min(lr, 1/sqrt(t)) is 1/sqrt(t) from step 2; catches "
     "the relative step ignored (rho = lr) and t counted from 0."),
    ("lr-schedule", {"lr": 0.05}, 0.05,
     "A changing lr below 1/sqrt(t): catches ignoring the per-step lr."),
    ("beta2-decay", {"lr": 0.05, "beta2_decay": -0.5}, None,
     "beta2_decay -0.5: catches a constant beta2 and 1 - t^decay used as the lerp weight (torch lerps by t^decay)."),
    ("clip-d", {"lr": 0.05, "d": 1.5}, None,
     "Update clipping at RMS 1.5: catches d ignored and u/max(1, RMS(u)) with d 1."),
    ("eps", {"lr": 0.05, "eps": [1e-2, 2.0]}, None,
     "eps1 1e-2 (v̂ clamped at 1e-4, the row mean at 1e-2) and eps2 2 above RMS(w): catches eps1 added instead "
     "of clamped, eps1 unsquared, and the parameter scale without its floor."),
    ("weight-decay", {"lr": 0.05, "weight_decay": 0.2}, 0.05,
     "weight_decay 0.2 with a changing lr: w ← w·(1 − lr·λ) with the raw lr (not rho), after alpha is taken from "
     "the undecayed w; catches decay by rho, L2 decay on the gradient, and alpha from the decayed weights."),
    ("maximize", {"lr": 0.05, "maximize": True}, None,
     "maximize: catches a missing negation (the statistics are of g², the step follows +g)."),
    ("all-flags", {"lr": 0.8, "beta2_decay": -0.6, "eps": [1e-3, 0.5], "d": 1.2, "weight_decay": 0.05,
                   "maximize": True}, 0.8,
     "Every knob at once, lr above 1/sqrt(t) from step 2."),
]

TORCH_ERRORS = [
    ("lr-negative", {"lr": -0.1}, "lr below 0: torch's ValueError."),
    ("beta2-decay-positive", {"beta2_decay": 0.5}, "beta2_decay above 0: torch's ValueError."),
    ("eps1-negative", {"eps": [-1.0, 1e-3]}, "eps1 below 0: torch's ValueError."),
    ("eps2-negative", {"eps": [None, -0.5]}, "eps2 below 0 with eps1 None: torch's ValueError."),
    ("d-below-one", {"d": 0.5}, "d below 1: torch's ValueError."),
    ("weight-decay-negative", {"weight_decay": -0.1}, "weight_decay below 0: torch's ValueError."),
]

OPTAX_CASES = [
    ("unfactored-default", {"learning_rate": 0.05}, 0.05,
     "Defaults with min_dim_size_to_factor 128: no tensor here is factored (a full v everywhere); catches "
     "factoring small matrices, the relative step (optax: rho = lr), eps 1e-30 missing from g², the block-RMS "
     "clipping at 1 and the parameter scale max(1e-3, RMS(w))."),
    ("learning-rate-none", {}, None,
     "learning_rate None: no scale_by_learning_rate, but scale(-1) still follows (w ← w − u·scale); catches None "
     "read as 'add the update' (other optax aliases) or a default lr."),
    ("factored", {"learning_rate": 0.05, "min_dim_size_to_factor": 1}, 0.05,
     "Every matrix factored: catches row/column statistics swapped (the 3x3 tensor), the factored mean over the "
     "wrong axis, and the decay 1 − (t)^-0.8 in float64 (optax computes it in float32)."),
    ("factored-min3", {"learning_rate": 0.05, "min_dim_size_to_factor": 3}, None,
     "min_dim_size_to_factor 3: the 4x3 and 3x3 tensors are factored, the 2x2x3 is not (its second largest dim is "
     "2); catches the threshold applied to the largest dim, or to the last two dims' minimum the wrong way."),
    ("factored-false", {"learning_rate": 0.05, "min_dim_size_to_factor": 1, "factored": False}, None,
     "factored False: a full v for every tensor; catches factored ignored."),
    ("momentum", {"learning_rate": 0.05, "min_dim_size_to_factor": 1, "momentum": 0.9}, None,
     "momentum 0.9: ema(momentum) from zero, not debiased, stored in float32 (dtype_momentum's default) while "
     "the step uses the unrounded ema, and momentum·ema a float32 product (a Python float times a float32 "
     "array); catches a debiased ema, a buffer started at the update, and the buffer kept in float64."),
    ("momentum-lr-schedule", {"learning_rate": 0.05, "min_dim_size_to_factor": 1, "momentum": 0.9}, 0.05,
     "momentum 0.9 with a changing lr: the ema comes after scale_by_learning_rate, so lr is inside the buffer; "
     "catches lr applied outside it."),
    ("momentum-float64", {"learning_rate": 0.05, "momentum": 0.8, "dtype_momentum": "float64"}, None,
     "dtype_momentum float64: the ema kept unrounded."),
    ("no-parameter-scale", {"learning_rate": 0.05, "min_dim_size_to_factor": 1, "multiply_by_parameter_scale": False},
     None, "multiply_by_parameter_scale False: the step is lr·u; catches the scale applied anyway."),
    ("no-clipping", {"learning_rate": 0.05, "min_dim_size_to_factor": 1, "clipping_threshold": None}, None,
     "clipping_threshold None: no update clipping; catches clipping at 1 regardless."),
    ("clipping-half", {"learning_rate": 0.05, "clipping_threshold": 0.5}, None,
     "clipping_threshold 0.5: catches the threshold ignored; at step 1 every unfactored u is ±1 (RMS ≤ 1) and "
     "only a threshold below 1 clips."),
    ("decay-offset", {"learning_rate": 0.05, "min_dim_size_to_factor": 1, "decay_rate": 0.5, "decay_offset": -4},
     None, "decay_rate 0.5 and decay_offset -4 (the decay evaluated at t + 4): catches the offset or the rate ignored."),
    ("weight-decay-rate", {"learning_rate": 0.05, "weight_decay_rate": 0.1}, 0.05,
     "weight_decay_rate 0.1 with a changing lr: λ·w added to the update after the lr (not multiplied by it); "
     "catches decay scaled by lr."),
    ("eps", {"learning_rate": 0.05, "min_dim_size_to_factor": 1, "eps": 1e-4}, None,
     "eps 1e-4 added to g² before the statistics: catches eps ignored or added after the mean."),
]

OPTAX_ERRORS = [
    ("min-dim-none", {"learning_rate": 0.05, "min_dim_size_to_factor": None},
     "min_dim_size_to_factor None: the comparison in init raises TypeError."),
]

KERAS_CASES = [
    ("defaults", {}, None,
     "No arguments: learning_rate 1e-3, beta_2_decay -0.8, epsilon_1 1e-30 added to g², epsilon_2 1e-3, "
     "clip_threshold 1; catches torch's lr 1e-2, eps clamped instead of added, and the factored velocity "
     "(r/mean(r))⊗c over the wrong dims."),
    ("relative-step", {"learning_rate": 1.0}, 1.0,
     "learning_rate 1 and above: rho = min(lr, 1/sqrt(t)); catches the relative step ignored."),
    ("relative-step-false", {"learning_rate": 1.0, "relative_step": False}, None,
     "relative_step False with a constant lr: update_step still takes rho = min(lr, 1/sqrt(t)), so the flag "
     "changes nothing; catches relative_step False read as rho = lr."),
    ("lr-schedule", {"learning_rate": 0.05}, 0.05,
     "A changing lr: catches ignoring the per-step lr."),
    ("beta-2-decay", {"learning_rate": 0.05, "beta_2_decay": -0.5}, None,
     "beta_2_decay -0.5: catches a constant beta_2 or the default decay."),
    ("clip-threshold", {"learning_rate": 0.05, "clip_threshold": 0.5}, None,
     "clip_threshold 0.5: catches the threshold ignored (at step 1 the unfactored u is ±1, RMS ≤ 1)."),
    ("epsilons", {"learning_rate": 0.05, "epsilon_1": 1e-4, "epsilon_2": 2.0}, None,
     "epsilon_1 1e-4 added to g² and epsilon_2 2 above RMS(w): catches either epsilon ignored or swapped."),
    ("weight-decay", {"learning_rate": 0.05, "weight_decay": 0.2}, 0.05,
     "Keras's weight decay w ← w − w·λ·lr before update_step (alpha from the decayed w): catches torch's form."),
]

KERAS_ERRORS = [
    ("clipnorm-and-clipvalue", {"clipnorm": 1.0, "clipvalue": 0.5},
     "clipnorm and clipvalue together: keras's ValueError."),
]


def torch_fixture():
    fx = Fixture("torch/Adafactor.json", "torch.optim.Adafactor goldens (torch 2.15.0, float64).")
    for tag, hp, lr, desc in TORCH_CASES:
        cid = f"torch/Adafactor/{tag}"
        params, grads, lrs = _inputs(cid, lr, lr is not None, one_scale=True)
        expected = torch_runner.replay("torch", "Adafactor", hp, params, STEPS, grads=grads, lrs=lrs)
        fx.cases.append(common.optimizer_case(cid, "torch 2.15.0", "torch", "Adafactor", hp, params,
                                              common.trajectory_steps(expected, grads, lrs), desc, TOL))
    for tag, hp, desc in TORCH_ERRORS:
        cid = f"torch/Adafactor/{tag}"
        params = common.initial_params(common.case_rng(cid), [(2,)])
        message = torch_runner.constructor_error("torch", "Adafactor", hp, catch=(ValueError,))
        assert message is not None, f"torch.optim.Adafactor({hp}) was accepted"
        fx.cases.append(common.optimizer_case(cid, "torch 2.15.0", "torch", "Adafactor", hp, params, None, desc, TOL,
                                              error=message))
    return fx


def optax_fixture():
    fx = Fixture("optax/adafactor.json", "optax.adafactor goldens (optax 0.2.8, jax x64).")
    for tag, hp, lr, desc in OPTAX_CASES:
        cid = f"optax/adafactor/{tag}"
        params, grads, lrs = _inputs(cid, lr, lr is not None)
        expected = optax_runner.replay("adafactor", hp, params, STEPS, grads=grads, lrs=lrs)
        fx.cases.append(common.optimizer_case(cid, "optax 0.2.8", "optax", "adafactor", hp, params,
                                              common.trajectory_steps(expected, grads, lrs), desc, TOL))
    for tag, hp, desc in OPTAX_ERRORS:
        cid = f"optax/adafactor/{tag}"
        params = common.initial_params(common.case_rng(cid), [(2, 3)])
        message = optax_runner.first_update_error(optax_runner.factory("adafactor"), hp, params, catch=(TypeError,))
        assert message is not None, f"optax.adafactor({hp}) was accepted"
        fx.cases.append(common.optimizer_case(cid, "optax 0.2.8", "optax", "adafactor", hp, params, None, desc, TOL,
                                              error=message))
    return fx


def keras_fixture():
    keras = keras_runner.setup()
    assert keras.backend.backend() == "jax", "the keras goldens are made on the JAX backend (KERAS_BACKEND=jax)"
    fx = Fixture("keras/Adafactor.json", "keras.optimizers.Adafactor goldens (keras 3.15.1, float64, JAX backend).")
    for tag, hp, lr, desc in KERAS_CASES:
        cid = f"keras/Adafactor/{tag}"
        params, grads, lrs = _inputs(cid, lr, lr is not None)
        expected = keras_runner.replay("Adafactor", hp, params, STEPS, grads=grads, lrs=lrs)
        fx.cases.append(common.optimizer_case(cid, "keras 3.15.1", "keras", "Adafactor", hp, params,
                                              common.trajectory_steps(expected, grads, lrs), desc, KERAS_TOL))
    for tag, hp, desc in KERAS_ERRORS:
        cid = f"keras/Adafactor/{tag}"
        params = common.initial_params(common.case_rng(cid), [(2,)])
        message = keras_runner.constructor_error("Adafactor", hp)
        assert message is not None, f"keras.optimizers.Adafactor({hp}) was accepted"
        fx.cases.append(common.optimizer_case(cid, "keras 3.15.1", "keras", "Adafactor", hp, params, None, desc, TOL,
                                              error=message))
    return fx


FILES.add("torch/Adafactor.json", torch_fixture)
FILES.add("optax/adafactor.json", optax_fixture)
FILES.add("keras/Adafactor.json", keras_fixture)


def generate():
    return FILES.build_all()
