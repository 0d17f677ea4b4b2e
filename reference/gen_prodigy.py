"""Golden fixtures for Prodigy (Mishchenko & Defazio 2023, "Prodigy: An Expeditiously Adaptive
Parameter-Free Learner"): prodigyopt.Prodigy (prodigyopt 1.1.2, torch 2.15.0 float64),
optax.contrib.prodigy (optax 0.2.8, jax x64) and pytorch_optimizer.Prodigy (pytorch-optimizer 4.1.0).

Both keep one distance estimate d (optax: estim_lr) for the whole parameter set: per step, with the
old d and dlr = d·lr·bc,

    s ← β₃·s + (d/d0)·dlr·g           (safeguard_warmup: (d/d0)·d·g)     per element
    r ← β₃·r + (d/d0)·dlr·⟨g, p0 − p⟩                                     ONE scalar
    d̂ = d_coef·r / Σ|s|                                                   sums over EVERY tensor
    m ← β₁·m + (1 − β₁)·d·g;  v ← β₂·v + (1 − β₂)·d²·g²
    d ← max(d, d̂) (prodigyopt: capped by d·growth_rate; it may jump past the cap while d = d0)
    w ← w − dlr·m/(√v + d·eps)   (the NEW d in the eps term), decay −wd·dlr·w (decoupled)

They differ in: bias correction bc = √(1 − β₂ᵗ)/(1 − β₁ᵗ) (prodigyopt use_bias_correction, off by
default; optax always), growth_rate and coupled decay (prodigyopt only), slice_p (prodigyopt: s and p0
kept for every slice_p-th element only, and the dot over those), prodigyopt's early return on a step
whose Σ|s| is 0 (no step at all, k not advanced; optax divides 0 by 0), and the state each keeps.
pytorch_optimizer is prodigyopt's algorithm with its own corners: the group step advances even on that
early return, maximize and fixed_decay, the decay w·(1 − wd·dlr) after the estimate, and
weight_decouple=False adding wd·w to p.grad only after the moments were taken (no effect at all).

The sums run over all tensors of the parameter set, so every case has three tensors of very
different gradient scales: summing per tensor (one d per tensor) is the classic porting mistake.
Gradients: persistent ones (`_grads`: each element has a fixed sign and scale 1e-8..10, noise of
60% on top, exact zeros and dead elements), so that w drifts away from p0 along g, r grows and d
rises from d0 by orders of magnitude within the 20 steps, as it does in training (random-sign
gradients leave r near 0 and d at d0, which would test nothing of the estimate).
"""
from __future__ import annotations

import common
import feature_cases
import gen_lion_lamb
from common import Fixture
from runners import torch as torch_runner

STEPS = 20
STATE_STEPS = 8
SHAPES = [(3, 4), (5,), (2, 1, 3)]
TOL = {"rtol": 1e-9, "atol": 1e-12}
# float32 runs: the policy's rtol 1e-4, and an atol of 1e-4 of the weights' scale (1e-3) rather than
# of each tensor's largest value, since d (one scalar for all tensors) carries float32 rounding
# from every tensor into the small elements of each.
TOL32 = {"rtol": 1e-4, "atol": 1e-7}
# The first steps move w by about d0·lr = 1e-6: a few float32 ulps of an order-1 weight, so a float32
# run of order-1 weights (torch's too) loses the numerator ⟨g, p0 − w⟩ to rounding and d takes
# another path. Weights of order 1e-3 keep those steps far above float32's resolution.
PARAM_SCALE = 1e-3
SOURCES = {"prodigyopt": "prodigyopt 1.1.2 (torch 2.15.0)", "optax": "optax 0.2.8",
           "pytorch_optimizer": "pytorch-optimizer 4.1.0 (torch 2.15.0)"}
NAMES = {"prodigyopt": "Prodigy", "optax": "prodigy", "pytorch_optimizer": "Prodigy"}
FILES = common.Files()


def _grads(rng, steps, zero_frac=0.1, dead_frac=0.08):
    """Gradients with a persistent direction per element (see the module docstring)."""
    import numpy as np

    n = [int(np.prod(s)) for s in SHAPES]
    scales = [10.0 ** rng.uniform(-8, 1, size=k) for k in n]
    mean = [rng.choice([-1.0, 1.0], size=k) * (0.5 + rng.random(k)) for k in n]
    dead = [rng.random(k) < dead_frac for k in n]
    out = []
    for _ in range(steps):
        step = []
        for sc, mu, dd in zip(scales, mean, dead):
            g = sc * (mu + 0.6 * rng.standard_normal(sc.shape))
            g[rng.random(sc.shape) < zero_frac] = 0.0
            g[dd] = 0.0
            step.append(common.flat(g))
        out.append(step)
    return out


def _inputs(cid, steps, zero_params=(), zero_grads=(), zero_first=0):
    """Initial parameters and gradients; tensor 2's gradients are 100x the others'. `zero_params`
    tensors start at 0, `zero_grads` tensors get 0 at every step, and every gradient of the first
    `zero_first` steps is 0."""
    rng = common.case_rng(cid)
    params = common.initial_params(rng, SHAPES)
    for p in params:   # weights of order 1e-3 (see PARAM_SCALE)
        p["values"] = [x * PARAM_SCALE for x in p["values"]]
    grads = _grads(rng, steps)
    for i in zero_params:
        params[i]["values"] = [0.0] * len(params[i]["values"])
    for t, step in enumerate(grads):
        step[2] = [x * 100.0 for x in step[2]]
        for i in range(len(step)):
            if i in zero_grads or t < zero_first:
                step[i] = [0.0] * len(step[i])
    return params, grads


def replay_case(conv, tag, hp, description, lr_base=None, **inputs):
    name = NAMES[conv]
    cid = f"{conv}/{name}/{tag}"
    params, grads = _inputs(cid, STEPS, **inputs)
    lrs = common.lr_sequence(lr_base, STEPS) if lr_base is not None else None
    expected = gen_lion_lamb.run(conv, name, hp, params, STEPS, grads=grads, lrs=lrs)
    return common.optimizer_case(cid, SOURCES[conv], conv, name, hp, params,
                                 common.trajectory_steps(expected, grads, lrs), description, TOL,
                                 tolerance_float32=TOL32)


def feature_case(conv, tag, hp, description, features, resume=None, **inputs):
    name = NAMES[conv]
    cid = f"{conv}/{name}/{tag}"
    params, grads = _inputs(cid, STATE_STEPS, **inputs)
    return feature_cases.case(cid, SOURCES[conv], conv, name, hp, description, features, params, grads, TOL,
                              resume=resume)


GROUP = ("the numerator r and Σ|s| summed over all three tensors (one d for the parameter set); catches "
         "sums per tensor (a d per tensor)")


@FILES.file("prodigyopt/Prodigy.json")
def prodigyopt_prodigy():
    C = "prodigyopt"
    R, F = replay_case, feature_case
    cases = [
        R(C, "defaults", {},
          "prodigyopt.Prodigy defaults: lr 1.0, betas (0.9, 0.999), beta3 None (√0.999), eps 1e-8, d0 1e-6, "
          "d_coef 1, growth_rate inf, no bias correction, weight_decay 0. " + GROUP + "; beta3 taken as beta2 "
          "instead of √beta2; bias correction applied although it is off; d allowed to fall back to d̂ (d "
          "never decreases); the old d in the eps term."),
        R(C, "bias-correction", {"use_bias_correction": True},
          "use_bias_correction: dlr = d·lr·√(1 − β₂ᵏ⁺¹)/(1 − β₁ᵏ⁺¹), in the step AND in s and r; catches "
          "the flag ignored and the correction applied to the step only."),
        R(C, "growth-rate", {"growth_rate": 1.02},
          "growth_rate 1.02: d ← min(d_max, d·1.02) after the first growth; while d = d0 it may jump to d̂ "
          "(d ← max(d, d̂) first); catches the cap not applied and the cap applied at the first jump."),
        R(C, "growth-rate-bias-correction", {"growth_rate": 1.5, "use_bias_correction": True, "d0": 1e-4},
          "growth_rate 1.5 with bias correction and d0 1e-4."),
        R(C, "beta3", {"beta3": 0.9},
          "beta3 0.9 given: the EMA of s and r uses it (not √β₂); catches beta3 ignored."),
        R(C, "betas-lr-schedule", {"betas": [0.8, 0.99]},
          "betas (0.8, 0.99) with beta3 √0.99 and a changing lr (lr = max over the groups, read each step): "
          "catches β₁ and β₂ swapped and a cached lr.", lr_base=1.0),
        R(C, "decoupled-decay", {"weight_decay": 0.1},
          "weight_decay 0.1, decouple True (the default): w ← w − wd·dlr·w (dlr = d·lr with the old d) "
          "before the step; catches decay not scaled by d·lr (by lr only) and coupled decay."),
        R(C, "coupled-decay", {"weight_decay": 0.1, "decouple": False, "use_bias_correction": True},
          "decouple False: wd·w added to g before everything (s, r, m and v see it); catches decoupled decay."),
        R(C, "safeguard-warmup", {"safeguard_warmup": True, "use_bias_correction": True},
          "safeguard_warmup: s ← β₃·s + (d/d0)·d·g (no lr, no bias correction in s); catches the flag ignored."),
        R(C, "d0-d-coef", {"d0": 1e-3, "d_coef": 0.5, "lr": 0.5},
          "d0 1e-3, d_coef 0.5, lr 0.5: d̂ = 0.5·r/Σ|s|; catches d_coef ignored and d/d0 taken as d."),
        R(C, "large-eps", {"eps": 0.1},
          "eps 0.1: the denominator is √v + d·eps (eps scaled by the new d); catches eps not multiplied by d."),
        R(C, "beta1-zero", {"betas": [0.0, 0.999], "use_bias_correction": True},
          "β₁ = 0: no exp_avg; the step is −dlr·d·g/(√v + d·eps) with the NEW d in both places (the EMA of v "
          "took the old one); catches the old d there (bias correction on keeps the replay bounded)."),
        R(C, "slice-p", {"slice_p": 3},
          "slice_p 3: s and p0 kept for elements 0, 3, 6, … of each flattened tensor only, r and Σ|s| over "
          "those; catches the full statistics."),
        R(C, "zero-first-step", {"use_bias_correction": True},
          "Every gradient of the first two steps is 0: Σ|s| = 0, so step() returns before anything moves, "
          "k is not advanced, and the bias correction of the first real step is that of k = 0.",
          zero_first=2),
        R(C, "zero-tensors", {},
          "A tensor at exactly 0 (prodigyopt keeps its p0 as one 0) and a tensor whose gradient is always 0.",
          zero_params=(0,), zero_grads=(1,)),
        F(C, "state", {"use_bias_correction": True, "growth_rate": 1.1},
          "The state after every step: per tensor s, p0, exp_avg, exp_avg_sq and step; the group's k, d, "
          "d_max and d_numerator (r).", ["state"]),
        F(C, "resume", {"weight_decay": 0.05, "use_bias_correction": True},
          "A resume after step 3 through state_dict / torch.save: d, d_max, d_numerator and k are group keys.",
          ["resume"], resume=3),
    ]
    cases += torch_runner.constructor_error_cases(C, "Prodigy", [
        ("invalid-d0", {"d0": 0.0}, "d0 must be > 0 (checked first)."),
        ("invalid-lr", {"lr": 0.0}, "lr must be > 0 (0 is rejected)."),
        ("invalid-eps", {"eps": 0.0}, "eps must be > 0."),
        ("invalid-beta1", {"betas": [1.0, 0.999]}, "betas[0] must be in [0, 1)."),
        ("invalid-beta2", {"betas": [0.9, -0.5]}, "betas[1] must be in [0, 1)."),
        ("invalid-order", {"d0": -1.0, "lr": -1.0}, "d0 is validated before lr."),
    ], SOURCES[C], TOL, "prodigyopt/Prodigy")
    return Fixture("prodigyopt/Prodigy.json", "prodigyopt.Prodigy (prodigyopt 1.1.2, torch 2.15.0 float64).", cases)


@FILES.file("optax/prodigy.json")
def optax_prodigy():
    C = "optax"
    R, F = replay_case, feature_case
    cases = [
        R(C, "defaults", {},
          "optax.contrib.prodigy defaults: learning_rate 1.0, betas (0.9, 0.999), beta3 None (0.999**0.5), "
          "eps 1e-8, estim_lr0 1e-6, estim_lr_coef 1, weight_decay 0; the bias correction is ALWAYS on. "
          + GROUP + "; prodigyopt's default of no bias correction; beta3 as beta2."),
        R(C, "betas-lr-schedule", {"betas": [0.8, 0.99]},
          "betas (0.8, 0.99) and a changing learning_rate (inject_hyperparams): catches a cached lr.",
          lr_base=1.0),
        R(C, "beta3", {"beta3": 0.95, "learning_rate": 0.5},
          "beta3 0.95 and learning_rate 0.5: catches beta3 ignored."),
        R(C, "weight-decay", {"weight_decay": 0.1},
          "weight_decay 0.1: −wd·dlr·w added to the update (decoupled, with the old estim_lr); catches "
          "decay not scaled by estim_lr·lr."),
        R(C, "safeguard-warmup", {"safeguard_warmup": True},
          "safeguard_warmup: grad_sum ← β₃·grad_sum + estim_lr·(estim_lr·g)/estim_lr0 (no lr, no bias "
          "correction); catches the flag ignored."),
        R(C, "estim-lr0-coef", {"estim_lr0": 1e-3, "estim_lr_coef": 0.5},
          "estim_lr0 1e-3 and estim_lr_coef 0.5: catches the coefficient ignored."),
        R(C, "large-eps", {"eps": 0.1},
          "eps 0.1: √v + estim_lr·eps with the NEW estim_lr; catches eps not multiplied by it."),
        R(C, "zero-tensors", {},
          "A tensor at exactly 0 and a tensor whose gradient is always 0.", zero_params=(0,), zero_grads=(1,)),
        F(C, "state", {"weight_decay": 0.05},
          "The state after every step (ProdigyState: exp_avg, exp_avg_sq, grad_sum, params0, estim_lr, "
          "numerator_weighted, count).", ["state"]),
        F(C, "resume", {"safeguard_warmup": True},
          "A resume after step 3 through numpy.save of the state.", ["resume"], resume=3),
    ]
    return Fixture("optax/prodigy.json", "optax.contrib.prodigy goldens (optax 0.2.8, jax x64).", cases)


@FILES.file("pytorch_optimizer/Prodigy.json")
def pytorch_optimizer_prodigy():
    C = "pytorch_optimizer"
    R, F = replay_case, feature_case
    cases = [
        R(C, "defaults", {},
          "pytorch_optimizer.Prodigy defaults: lr 1.0, betas (0.9, 0.999), beta3 None (√β₂), d0 1e-6, d_coef 1, "
          "growth_rate inf, bias_correction False, weight_decay 0 (weight_decouple True), eps 1e-8. " + GROUP
          + "; bias correction applied although it is off."),
        R(C, "bias-correction", {"bias_correction": True},
          "bias_correction: d_lr = d·lr/((1 − β₁ᵗ)/√(1 − β₂ᵗ)) with t the group's step from 1."),
        R(C, "growth-rate", {"growth_rate": 1.05, "bias_correction": True},
          "growth_rate 1.05: catches the cap not applied."),
        R(C, "decoupled-decay", {"weight_decay": 0.1, "bias_correction": True},
          "weight_decay 0.1, weight_decouple True (the default): w ← w·(1 − wd·d_lr) AFTER the estimate, with the "
          "old d; catches decay not scaled by d·lr."),
        R(C, "fixed-decay", {"weight_decay": 0.01, "fixed_decay": True, "bias_correction": True},
          "fixed_decay: w ← w·(1 − wd), not scaled by d_lr; catches the flag ignored."),
        R(C, "coupled-decay-no-effect", {"weight_decay": 0.5, "weight_decouple": False, "bias_correction": True},
          "weight_decouple False: the library adds wd·w to p.grad in its second loop, AFTER the moments, s and the "
          "numerator were taken, so the decay changes nothing (upstream: coupled decay is a no-op in 4.1.0); "
          "catches coupled decay applied as L2."),
        R(C, "maximize-beta3-lr-schedule", {"maximize": True, "beta3": 0.9, "bias_correction": True},
          "maximize negates g before everything; beta3 0.9; a changing lr.", lr_base=1.0),
        R(C, "safeguard-d0-coef", {"safeguard_warmup": True, "d0": 1e-4, "d_coef": 2.0, "bias_correction": True},
          "safeguard_warmup, d0 1e-4 and d_coef 2."),
        R(C, "zero-first-step", {"bias_correction": True},
          "Every gradient of the first two steps is 0: Σ|s| = 0 returns early, but the group's step has already "
          "advanced (unlike prodigyopt's k), so the first real step's bias correction is that of t = 3.",
          zero_first=2),
        R(C, "per-param-zero", {"foreach": False},
          "foreach=False (the per-parameter path), a tensor at 0 and a tensor whose gradient is always 0.",
          zero_params=(0,), zero_grads=(1,)),
        F(C, "state", {"bias_correction": True, "growth_rate": 1.1},
          "The state after every step: per tensor s, p0, exp_avg, exp_avg_sq; the group's step.", ["state"]),
        F(C, "resume", {"weight_decay": 0.05, "bias_correction": True},
          "A resume after step 3 through state_dict / torch.save (d, d_max, d_numerator and step are group keys).",
          ["resume"], resume=3),
    ]
    cases += torch_runner.constructor_error_cases(C, "Prodigy", [
        ("invalid-lr", {"lr": -1.0}, "A negative lr: NegativeLRError."),
        ("invalid-beta1", {"betas": [1.0, 0.999]}, "beta1 must be in [0, 1)."),
        ("invalid-beta3", {"beta3": 1.5}, "beta3 must be in [0, 1] (closed)."),
        ("invalid-weight-decay", {"weight_decay": -0.1}, "Negative weight_decay."),
        ("invalid-eps", {"eps": -1e-8}, "Negative eps."),
    ], SOURCES[C], TOL, "pytorch_optimizer/Prodigy", catch=(Exception,))
    return Fixture("pytorch_optimizer/Prodigy.json", "pytorch_optimizer.Prodigy (pytorch-optimizer 4.1.0, torch 2.15.0 "
                   "float64).", cases)


def generate():
    return FILES.build_all()
