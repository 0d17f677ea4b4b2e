"""Golden fixtures for AdEMAMix (Pagliardini et al. 2024): optax.contrib.ademamix (optax 0.2.8,
jax x64) and pytorch_optimizer.AdEMAMix (pytorch-optimizer 4.1.0, torch 2.15.0 float64).

One algorithm, two sets of knobs (Sources/DescentCore/Optimizers/AdEMAMix.swift): Adam plus a slow
EMA m2 (decay b3) added, NOT bias-corrected, with weight alpha to the bias-corrected fast EMA.
- optax: `alpha` and `b3` are numbers or schedules evaluated at the count before the update (0, 1,
  …); no t_alpha_beta3; eps_root under the root; weight_decay·w added to the update (mask), × lr.
- pytorch_optimizer: `t_alpha_beta3` warms alpha up linearly, min(t·alpha/T, alpha), and b3 by the
  paper's half-life interpolation from b1, both at the step t = 1, 2, …; weight_decay coupled (into
  the gradient, the default), decoupled or fixed; maximize; denominator √v/√(1 − b2ᵗ) + eps.

Gradients: common.discriminating_grads (scales 1e-8..10, exact zeros, dead elements); the
pytorch_optimizer cases use gen_lion_lamb's inputs (tensor 2's gradients ×1000, zero tensors).
A schedule-valued alpha or b3 is a `{ "name", "parameters" }` object (fixtures/FORMAT.md); the
schedules chosen are exact in float32 (optax evaluates them at an int32 count). Every case says,
in `description`, which implementation mistake it is designed to catch.
"""
from __future__ import annotations

import common
import feature_cases
from gen_lion_lamb import error_case, replay_case
from runners import optax as optax_runner

STEPS = 16
SHAPES = [(3, 2), (4,)]
TOL = {"rtol": 1e-9, "atol": 1e-12}
SOURCE = "optax 0.2.8"
FILES = common.Files()


def _linear(init, end, steps):
    return {"name": "linear_schedule", "parameters": {"init_value": init, "end_value": end, "transition_steps": steps}}


# (tag, hyperparameters, per-step lr base or None, description)
OPTAX_CASES = [
    ("defaults", {"learning_rate": 0.01},
     None, "Defaults b1 0.9, b2 0.999, b3 0.9999, alpha 5.0 (the alias's; scale_by_ademamix's own default is 6.0), "
     "eps 1e-8: m2 is NOT bias-corrected, so alpha·m2 starts at alpha·(1 − b3)·g; catches m2 bias-corrected, alpha 6, "
     "and m2 dropped (plain Adam)."),
    ("betas-lr-schedule", {"learning_rate": 0.02, "b1": 0.8, "b2": 0.9, "b3": 0.95, "alpha": 2.0},
     0.02, "b1 0.8, b2 0.9, b3 0.95, alpha 2 and a changing lr: catches b1 and b3 swapped, b3 for b2, and a cached lr."),
    ("eps-root", {"learning_rate": 0.01, "b3": 0.99, "eps": 1e-6, "eps_root": 1e-10},
     None, "eps 1e-6 outside and eps_root 1e-10 inside the root of the bias-corrected ν̂; catches them swapped or eps "
     "inside the root (the 1e-8 gradients show it)."),
    ("weight-decay", {"learning_rate": 0.01, "b3": 0.99, "weight_decay": 0.1},
     None, "weight_decay 0.1: λ·w (the parameters before the step) added to the update, then × lr; catches decay "
     "added to the gradient (it would enter m1, m2, ν) and decay not scaled by lr."),
    ("weight-decay-mask", {"learning_rate": 0.01, "b3": 0.99, "weight_decay": 0.2, "mask": [False, True]},
     None, "mask [False, True]: only the second tensor decays; catches the mask ignored or inverted."),
    ("alpha-b3-schedules", {"learning_rate": 0.01, "alpha": _linear(0.0, 4.0, 8), "b3": _linear(0.5, 0.75, 8)},
     None, "alpha and b3 as optax.linear_schedule (0 → 4 and 0.5 → 0.75 over 8 counts), evaluated at count_m2 "
     "before the update (0 at the first step: alpha 0 there), 16 steps so half are inside the warmup and half after; "
     "catches the schedules read at the step t = count + 1 (pytorch_optimizer's clock) and a warmup missing."),
    ("b3-schedule-only", {"learning_rate": 0.02, "b1": 0.75, "b3": _linear(0.75, 0.9375, 4), "alpha": 3.0},
     0.02, "b3 warmed up from b1 by a linear_schedule over 4 counts, alpha constant 3, a changing lr; catches the "
     "constant b3 used throughout (no β₃ warmup)."),
    ("learning-rate-none", {"learning_rate": None, "b3": 0.9},
     None, "learning_rate None: scale_by_learning_rate(None) is the identity, so u is ADDED; catches None read as a "
     "default lr."),
]

def optax_file(name, cases, missing_lr_hp):
    """optax/<name>.json: the trajectory `cases` and the missing-learning_rate error."""
    fx = common.Fixture(f"optax/{name}.json", f"optax.contrib.{name} goldens (optax 0.2.8, jax x64).")
    fx.cases += feature_cases.optax_trajectory_cases(name, cases, SHAPES, STEPS, TOL, SOURCE)
    errors = [("missing-learning-rate", missing_lr_hp, "learning_rate is a required positional argument (Python's TypeError).")]
    fx.cases += common.error_cases("optax", name, errors, SOURCE, TOL, optax_runner.call_error)
    return fx


@FILES.file("optax/ademamix.json")
def optax_ademamix():
    return optax_file("ademamix", OPTAX_CASES, {"b3": 0.99})


@FILES.file("pytorch_optimizer/AdEMAMix.json")
def pytorch_optimizer_ademamix():
    R = replay_case
    C = "pytorch_optimizer"
    N = "AdEMAMix"
    E = error_case
    cases = [
        R(C, N, "defaults", {},
          "pytorch_optimizer.AdEMAMix defaults: lr 1e-3, betas (0.9, 0.999, 0.9999), alpha 5, t_alpha_beta3 None (no "
          "warmup), eps 1e-8; m2 (exp_avg_slow) not bias-corrected; catches m2 bias-corrected and m2 dropped.",
          steps=STEPS),
        R(C, N, "warmup", {"lr": 0.01, "t_alpha_beta3": 8},
          "t_alpha_beta3 8 over 16 steps: alpha_t = min(t·alpha/8, alpha) and b3_t = min(exp(ln b1·ln b3/((1 − t/8)·ln b3 "
          "+ (t/8)·ln b1)), b3) at t = 1, 2, … (b3_t = b1 at t = 0, never used), so half the steps are inside the "
          "warmup; catches the alpha warmup missing, the β₃ warmup missing, and the warmups read at t − 1.",
          steps=STEPS),
        R(C, N, "warmup-betas-float", {"lr": 0.02, "betas": [0.8, 0.99, 0.999], "alpha": 3.0, "t_alpha_beta3": 12.5},
          "betas (0.8, 0.99, 0.999), alpha 3, a float t_alpha_beta3 12.5 and a changing lr: catches t_alpha_beta3 "
          "truncated to an int, b1 and b3 swapped in the half-life formula, and a cached lr.", steps=STEPS, lr_base=0.02),
        R(C, N, "coupled-decay", {"lr": 0.01, "weight_decay": 0.1, "betas": [0.9, 0.999, 0.99]},
          "weight_decay 0.1 with weight_decouple False (the default): wd·w is ADDED TO THE GRADIENT, so it enters all "
          "three moments; catches decoupled decay by default (AdamW's habit).", steps=STEPS),
        R(C, N, "decoupled-decay", {"lr": 0.01, "weight_decay": 0.2, "weight_decouple": True, "t_alpha_beta3": 6},
          "weight_decouple: w *= 1 − lr·wd before the step, with the lr in force (it changes); with the warmup; "
          "catches decay coupled or not scaled by lr.", steps=STEPS, lr_base=0.01),
        R(C, N, "fixed-decay", {"lr": 0.01, "weight_decay": 0.02, "weight_decouple": True, "fixed_decay": True},
          "fixed_decay: w *= 1 − wd, NOT scaled by lr; catches the flag ignored.", steps=STEPS),
        R(C, N, "maximize-small-b1", {"lr": 0.01, "maximize": True, "betas": [0.3, 0.9, 0.99], "t_alpha_beta3": 5,
                                      "weight_decay": 0.1},
          "maximize negates the gradient before the coupled decay; b1 0.3 so lerp(·, g, 1 − b1) takes torch's other "
          "branch (weight ≥ 0.5), and so does b3_t at the start of the warmup (it starts at b1); catches the negated "
          "update or the negated decayed gradient.", steps=STEPS),
        R(C, N, "per-param-zero", {"lr": 0.01, "foreach": False, "alpha": 8.0, "t_alpha_beta3": 4},
          "foreach False (the per-parameter path), alpha 8 warmed up over 4 steps; a tensor starting at exactly 0 and "
          "a tensor whose gradient is always 0 (its moments stay 0: the update is 0/(0 + eps) = 0).",
          steps=STEPS, zero_params=(0,), zero_grads=(3,)),
        E(C, N, "invalid-lr", {"lr": -1}, "A negative lr: NegativeLRError, lr printed as Python prints an int."),
        E(C, N, "invalid-beta1", {"betas": [1.0, 0.999, 0.9999]}, "beta1 must be in [0, 1)."),
        E(C, N, "invalid-beta2", {"betas": [0.9, -0.1, 0.9999]}, "beta2 must be in [0, 1)."),
        E(C, N, "invalid-beta3", {"betas": [0.9, 0.999, 1.5]}, "beta3 must be in [0, 1] (closed: 1.0 is accepted)."),
        E(C, N, "invalid-alpha", {"alpha": -1.0}, "A negative alpha."),
        E(C, N, "invalid-t-alpha-beta3", {"t_alpha_beta3": -5}, "A negative t_alpha_beta3 (None is accepted)."),
        E(C, N, "invalid-weight-decay", {"weight_decay": -0.1}, "A negative weight_decay."),
        E(C, N, "invalid-eps", {"eps": -1e-8}, "A negative eps, checked last."),
    ]
    return common.Fixture("pytorch_optimizer/AdEMAMix.json",
                          "pytorch_optimizer.AdEMAMix (pytorch-optimizer 4.1.0, torch 2.15.0 float64).", cases)


SIMPLIFIED_CASES = [
    ("defaults", {"learning_rate": 0.01},
     None, "Defaults b1 0.99, b2 0.95, alpha 0, eps 1e-8: m ← b1·m + g is an ACCUMULATOR (no 1 − b1) and is not "
     "bias-corrected, ν is and sits under the root; catches an EMA for m (pytorch_optimizer's lerp) and m "
     "bias-corrected."),
    ("alpha-betas-lr-schedule", {"learning_rate": 0.02, "b1": 0.9, "b2": 0.8, "alpha": 2.0},
     0.02, "alpha 2: u = (m + alpha·g)/(√ν̂ + eps), the CURRENT gradient mixed in; b1 0.9, b2 0.8 and a changing lr; "
     "catches alpha·m for alpha·g and b1 and b2 swapped."),
    ("eps-root-decay", {"learning_rate": 0.01, "eps": 1e-6, "eps_root": 1e-10, "weight_decay": 0.1,
                        "mask": [True, False]},
     None, "eps 1e-6 and eps_root 1e-10, weight_decay 0.1 on the first tensor only (mask): λ·w added to the update, "
     "× lr; catches decay in the gradient and the mask ignored."),
    ("alpha-schedule", {"learning_rate": 0.01, "alpha": _linear(0.0, 2.0, 8)},
     None, "alpha as optax.linear_schedule 0 → 2 over 8 counts, read at the count t before the update (0 first); "
     "catches the schedule read at t + 1 and a constant alpha."),
]

@FILES.file("optax/simplified_ademamix.json")
def optax_simplified_ademamix():
    return optax_file("simplified_ademamix", SIMPLIFIED_CASES, {"b1": 0.9})


@FILES.file("pytorch_optimizer/SimplifiedAdEMAMix.json")
def pytorch_optimizer_simplified_ademamix():
    R = replay_case
    C = "pytorch_optimizer"
    N = "SimplifiedAdEMAMix"
    E = error_case
    cases = [
        R(C, N, "defaults", {"lr": 0.01},
          "pytorch_optimizer.SimplifiedAdEMAMix with lr 0.01 (its default is 1e-4), betas (0.99, 0.95), alpha 0, eps "
          "1e-8, weight_decouple True, the default foreach path: m = lerp(m, g, 1 − b1) is an EMA (optax's is an "
          "accumulator b1·m + g), and the step divides by √den_sum TWICE over: (m + alpha·g)/(√v + √den_sum·eps)/√den_sum, "
          "den_sum = b2·den_sum + (1 − b2); on the foreach path √den_sum is a float32 tensor; catches optax's "
          "accumulator, the usual √(v/(1 − b2ᵗ)) denominator, and √den_sum kept in float64.", steps=STEPS),
        R(C, N, "alpha-decay-lr-schedule", {"lr": 0.02, "alpha": 2.0, "betas": [0.9, 0.8], "weight_decay": 0.1},
          "alpha 2 (the current gradient mixed in), decoupled decay w·(1 − lr·wd) with a changing lr; catches alpha·m "
          "and coupled decay.", steps=STEPS, lr_base=0.02),
        R(C, N, "per-param-coupled", {"lr": 0.01, "foreach": False, "alpha": 1.0, "weight_decay": 0.2,
                                      "weight_decouple": False, "maximize": True},
          "foreach False (the per-parameter path: √den_sum in float64), coupled decay after maximize; a zero tensor and "
          "an always-zero gradient.", steps=STEPS, zero_params=(0,), zero_grads=(3,)),
        R(C, N, "beta1-warmup", {"lr": 0.01, "beta1_warmup": 6, "min_beta1": 0.5, "betas": [0.95, 0.9]},
          "beta1_warmup 6 from min_beta1 0.5: b1(t) = f⁻¹((1 − t/6)·f(0.5) + (t/6)·f(0.95)) with the half-life "
          "f(b) = ln 0.5/ln(b + 1e-8) − 1, f⁻¹(x) = 0.5^(1/(x + 1)), for t < 6, then 0.95; catches the warmup "
          "ignored, linear in b1, and run at t − 1.", steps=STEPS),
        R(C, N, "fixed-decay", {"lr": 0.01, "weight_decay": 0.02, "fixed_decay": True, "foreach": False},
          "fixed_decay: w *= 1 − wd, not scaled by lr.", steps=STEPS),
        E(C, N, "invalid-lr", {"lr": -1}, "A negative lr: NegativeLRError."),
        E(C, N, "invalid-beta1", {"betas": [1.0, 0.95]}, "beta1 must be in [0, 1)."),
        E(C, N, "invalid-beta2", {"betas": [0.99, 1.0]}, "beta2 must be in [0, 1)."),
        E(C, N, "invalid-alpha", {"alpha": -1.0}, "A negative alpha."),
        E(C, N, "invalid-min-beta1", {"min_beta1": -0.5}, "A negative min_beta1."),
        E(C, N, "invalid-weight-decay", {"weight_decay": -0.1}, "A negative weight_decay."),
        E(C, N, "invalid-eps", {"eps": -1e-8}, "A negative eps."),
    ]
    return common.Fixture("pytorch_optimizer/SimplifiedAdEMAMix.json",
                          "pytorch_optimizer.SimplifiedAdEMAMix (pytorch-optimizer 4.1.0, torch 2.15.0 float64).", cases)


def generate():
    return FILES.build_all()
