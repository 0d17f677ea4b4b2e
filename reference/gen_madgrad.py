"""Golden fixtures for MADGRAD (Defazio & Jelassi 2021, "Adaptivity without Compromise: A
Momentumized, Adaptive, Dual Averaged Gradient Method"): optax.contrib.madgrad (optax 0.2.8, jax
x64) and pytorch_optimizer.MADGRAD (pytorch-optimizer 4.1.0, torch 2.15.0 float64).

Both: λ = (lr + eps)·√(k + 1); G ← G + λ·g², s ← s + λ·g (weighted SUMS from the start: dual
averaging, not an EMA); z = x0 − s/(∛G + eps); w ← (1 − momentum)·z + momentum·w. They differ in:
eps on a zero lr (optax adds it, pytorch_optimizer uses 0), the root (jnp.cbrt / pow(1/3), with
pytorch_optimizer's eps = 0 masking a zero root to inf), x0 at momentum 0 (optax keeps the initial
params, pytorch_optimizer rebuilds x0 = w + s/rms_old each step), the decay (optax coupled only;
pytorch_optimizer coupled or weight_decouple: w − (lr + eps)·wd·w_old after the step), maximize
(pytorch_optimizer only).

Tensors: a 3x4 matrix, a 5-vector, a 1-element vector carrying 1000x larger gradients and a 2x1x3
tensor; gradients common.discriminating_grads (scales 1e-8..10, exact zeros, dead elements).
"""
from __future__ import annotations

import common
import gen_lion_lamb
from common import Fixture
from runners import optax as optax_runner

STEPS = 8
SHAPES = [(3, 4), (5,), (1,), (2, 1, 3)]
TOL = gen_lion_lamb.TOL
SOURCES = gen_lion_lamb.SOURCES
FILES = common.Files()

SUMS = ("G and s are sums weighted by λ = (lr + eps)·√(k + 1); catches the dual averaging replaced by EMAs, "
        "the cube root replaced by a square root and eps left out of the lr")


# optax under inject_hyperparams (a per-step lr): learning_rate is a float64 array, so
# λ = (lr + eps)·float32(√(count + 1)) is float64, where a static Python-float learning_rate leaves λ
# a float32 number (weak typing). Descent runs the static form; over 8 steps the two differ by up to
# 6e-8 relative in the params, inside this tolerance and far below a cached lr's error.
INJECTED_TOL = {"rtol": 1e-6, "atol": 1e-12}


def R(conv, tag, hp, description, lr_base=None, tolerance=TOL, **inputs):
    name = "madgrad" if conv == "optax" else "MADGRAD"
    return gen_lion_lamb.replay_case(conv, name, tag, hp, description, steps=STEPS, lr_base=lr_base,
                                     tolerance=tolerance, shapes=SHAPES, **inputs)


@FILES.file("optax/madgrad.json")
def optax_madgrad():
    C = "optax"
    cases = [
        R(C, "defaults", {"learning_rate": 0.01},
          "optax.contrib.madgrad defaults: momentum 0.9, weight_decay 0, eps 1e-6. " + SUMS + "."),
        R(C, "momentum-zero", {"learning_rate": 0.01, "momentum": 0.0},
          "momentum 0: w = z = x0 − s/σ with x0 the INITIAL params (not the previous iterate); catches a "
          "primal step w − s/σ and the momentum ignored."),
        R(C, "momentum-low", {"learning_rate": 0.05, "momentum": 0.3},
          "momentum 0.3: w ← 0.7·z + 0.3·w; catches momentum and 1 − momentum swapped."),
        R(C, "weight-decay", {"learning_rate": 0.01, "weight_decay": 0.5},
          "weight_decay 0.5 (add_decayed_weights before scale_by_madgrad): g + wd·w enters both G and s; "
          "catches the decay applied to s only and decay ignored."),
        R(C, "large-eps", {"learning_rate": 0.01, "eps": 0.05},
          "eps 0.05 added both to the lr (λ = (lr + eps)·√(k+1)) and to ∛G; catches eps left out of λ."),
        R(C, "zero-lr", {"learning_rate": 0.0, "eps": 1e-3},
          "learning_rate 0: optax still adds eps (λ = eps·√(k+1)), so the params move; catches "
          "pytorch_optimizer's lr == 0 → 0 rule ported to optax."),
        R(C, "lr-schedule", {"learning_rate": 0.02, "momentum": 0.5},
          "learning_rate injected per step (inject_hyperparams): catches a cached lr. rtol 1e-6: injected, the "
          "learning_rate is a float64 array and λ float64, where a static learning_rate gives a float32 λ (the "
          "form Descent runs; up to 6e-8 relative apart over these steps).", lr_base=0.02, tolerance=INJECTED_TOL),
    ]
    cases += common.error_cases("optax", "madgrad", [
        ("missing-learning-rate", {"momentum": 0.9}, "learning_rate is a required positional argument (Python's TypeError)."),
    ], SOURCES["optax"], TOL, optax_runner.call_error)
    return Fixture("optax/madgrad.json", "optax.contrib.madgrad goldens (optax 0.2.8, jax x64).", cases)


@FILES.file("pytorch_optimizer/MADGRAD.json")
def pytorch_optimizer_madgrad():
    C = "pytorch_optimizer"
    E = lambda tag, hp, d: gen_lion_lamb.error_case(C, "MADGRAD", tag, hp, d)   # noqa: E731
    cases = [
        R(C, "defaults", {},
          "pytorch_optimizer.MADGRAD defaults: lr 1e-3, momentum 0.9, weight_decay 0, weight_decouple False, "
          "eps 1e-6. " + SUMS + "."),
        R(C, "momentum-zero", {"lr": 0.01, "momentum": 0.0},
          "momentum 0: x0 = w + s/rms_old rebuilt each step, w ← x0 − s/rms; catches the momentum ignored."),
        R(C, "momentum-low", {"lr": 0.05, "momentum": 0.3},
          "momentum 0.3: lerp weight 0.7 (torch's second lerp branch); catches momentum and 1 − momentum swapped."),
        R(C, "coupled-decay", {"lr": 0.01, "weight_decay": 0.5},
          "weight_decay 0.5, weight_decouple False: g + wd·w enters both G and s; catches the decay applied to "
          "s only, decoupled decay and decay ignored."),
        R(C, "decoupled-decay", {"lr": 0.01, "weight_decay": 0.5, "weight_decouple": True},
          "weight_decouple: after the step w ← w − (lr + eps)·wd·w_old (the PRE-step weights); catches coupled "
          "decay and the decay not scaled by lr."),
        R(C, "decoupled-decay-momentum-zero", {"lr": 0.01, "weight_decay": 0.5, "weight_decouple": True,
                                               "momentum": 0.0},
          "weight_decouple with momentum 0: the decay moves w off z, so the rebuilt x0 = w + s/rms_old differs "
          "from the initial params; catches x0 kept fixed at momentum 0."),
        R(C, "maximize", {"lr": 0.01, "maximize": True},
          "maximize: the gradient negated before G and s; catches maximize ignored."),
        R(C, "large-eps", {"lr": 0.01, "eps": 0.05},
          "eps 0.05 added both to the lr and to the cube root; catches eps left out of λ."),
        R(C, "zero-eps", {"lr": 0.01, "eps": 0.0},
          "eps 0 with a tensor whose gradients are all 0: rms = 0 there is treated as inf (the coordinates stay "
          "at x0); catches 0/0 = NaN.", zero_grads=(1,)),
        R(C, "lr-schedule", {"lr": 0.02, "momentum": 0.5},
          "The group lr changed between steps (read each step, λ with the lr in force): catches a cached lr.",
          lr_base=0.02),
        R(C, "kwargs", {"lr": 0.01, "foreach": False, "nesterov": True},
          "foreach False (the per-parameter path, same arithmetic) and an unknown keyword, swallowed by "
          "**kwargs: catches a rejected keyword."),
        E("invalid-lr", {"lr": -0.001}, "A negative lr: NegativeLRError."),
        E("invalid-weight-decay", {"weight_decay": -0.1}, "Negative weight_decay (checked before momentum)."),
        E("invalid-momentum", {"momentum": 1.0}, "momentum must be in [0, 1)."),
        E("invalid-eps", {"eps": -1e-6}, "Negative eps."),
    ]
    return Fixture("pytorch_optimizer/MADGRAD.json", "pytorch_optimizer.MADGRAD (pytorch-optimizer 4.1.0, torch "
                   "2.15.0 float64).", cases)


def generate():
    return FILES.build_all()
