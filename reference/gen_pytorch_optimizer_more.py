"""Golden fixtures for pytorch_optimizer.Yogi, AdaBelief and Adan (pytorch-optimizer
4.1.0, torch 2.15.0 float64), replayed through gen_lion_lamb.run (the torch runner).

Both are the optax algorithms (gen_yogi_adabelief.py) in pytorch_optimizer's own form: maximize,
then apply_weight_decay (DECOUPLED by default: w·(1 − lr·wd); fixed_decay w·(1 − wd); weight_decouple
False adds wd·w to g), the first moment by lerp, and the step lr/(1 − b1ᵗ) · m/(√v/√(1 − b2ᵗ) + eps)
(adam_debias in **kwargs: lr alone). Yogi: both moments start at initial_accumulator (1e-6), eps
1e-3 outside the root, lr 1e-2. AdaBelief: eps 1e-16 added INTO s at every step and again outside
the root; ams_bound bounds by the running max of s; rectify is RAdam's (below n_sma_threshold an
SGD step lr/(1 − b1ᵗ)·m when degenerated_to_sgd, else no step; above it the root has no
1 − b2ᵗ). Tensors: a 2-D matrix, a vector, a 3-D tensor with 1000× gradients and a 1-element one.
Adan: the official code's form (β₂ weights the difference in n and in the step, where optax uses
1 − β₂), a global gradient clip max_grad_norm computed in float32, maximize's first difference 2g, and
weight_decay proximal (w/(1 + lr·wd) after the step) unless weight_decouple.
Every case names the mistake it is designed to catch.
"""
from __future__ import annotations

import functools

from runners import torch as torch_runner
import gen_lion_lamb
from common import Fixture
import common

STEPS = 8
RECTIFY_STEPS = 10
SHAPES = [(3, 4), (5,), (2, 1, 3), (1,)]
C = "pytorch_optimizer"
FILES = common.Files()


def R(name, tag, hp, description, steps=STEPS, lr_base=None, **inputs):
    return gen_lion_lamb.replay_case(C, name, tag, hp, description, steps=steps, lr_base=lr_base,
                                     shapes=SHAPES, **inputs)


def E(name, tag, hp, description):
    return gen_lion_lamb.error_case(C, name, tag, hp, description)


def _errors(name, rest=(0.999,)):
    """The validators in the library's order; `rest` completes betas (Adan has three)."""
    return [
        E(name, "invalid-lr", {"lr": -0.001}, "A negative lr: NegativeLRError's wording."),
        E(name, "invalid-beta1", {"betas": [1.0, *rest]}, "beta1 must be in [0, 1): validate_betas' wording."),
        E(name, "invalid-beta2", {"betas": [0.9, -0.5, *rest[1:]]}, "beta2 must be in [0, 1)."),
        E(name, "invalid-weight-decay", {"weight_decay": -0.1}, "Negative weight_decay (validated after betas)."),
        E(name, "invalid-eps", {"eps": -1e-8}, "Negative eps (validated last)."),
    ]


@FILES.file("pytorch_optimizer/Yogi.json")
def pytorch_optimizer_yogi():
    N = "Yogi"
    cases = [
        R(N, "defaults", {},
          "pytorch_optimizer.Yogi defaults: lr 1e-2, betas (0.9, 0.999), initial_accumulator 1e-6 for BOTH moments, "
          "eps 1e-3 outside the root; catches Adam's second moment, the sign of sign(v − g²) flipped, moments started "
          "at 0 and eps under the root."),
        R(N, "betas-lr-schedule", {"lr": 0.02, "betas": [0.8, 0.9]},
          "betas (0.8, 0.9) and a changing lr: catches b1 and b2 swapped and a cached lr.", lr_base=0.02),
        R(N, "initial-accumulator", {"lr": 0.01, "initial_accumulator": 0.5, "eps": 1e-6},
          "initial_accumulator 0.5: m starts at 0.5 as well as v (optax's value for both); catches the keyword "
          "ignored and m started at 0."),
        R(N, "decoupled-decay", {"lr": 0.01, "weight_decay": 0.5},
          "weight_decay 0.5, decoupled (weight_decouple True is the default): w ← w·(1 − lr·wd) before the step; "
          "catches coupled decay (Adam's L2).", lr_base=0.01),
        R(N, "coupled-decay", {"lr": 0.01, "weight_decay": 0.3, "weight_decouple": False},
          "weight_decouple False: wd·w added to g before both moments; catches decoupled decay."),
        R(N, "fixed-decay", {"lr": 0.01, "weight_decay": 0.05, "fixed_decay": True},
          "fixed_decay: w ← w·(1 − wd), not scaled by the lr; catches the flag ignored.", lr_base=0.01),
        R(N, "maximize-coupled", {"lr": 0.01, "weight_decay": 0.2, "weight_decouple": False, "maximize": True},
          "maximize negates g BEFORE the coupled decay is added; catches the update negated instead."),
        R(N, "adam-debias", {"lr": 0.01, "adam_debias": True},
          "adam_debias (a **kwargs group key): the step is lr, not lr/(1 − b1ᵗ); catches the key ignored."),
        R(N, "per-param-zero", {"lr": 0.01, "foreach": False},
          "foreach=False (the per-parameter path); a tensor at exactly 0 and one whose gradient is always 0 "
          "(sign(v − 0) = +1 shrinks v by nothing: g² = 0).", zero_params=(0,), zero_grads=(1,)),
    ] + _errors(N)
    return Fixture("pytorch_optimizer/Yogi.json", "pytorch_optimizer.Yogi (pytorch-optimizer 4.1.0, torch 2.15.0 "
                   "float64).", cases)


@FILES.file("pytorch_optimizer/AdaBelief.json")
def pytorch_optimizer_adabelief():
    N = "AdaBelief"
    cases = [
        R(N, "defaults", {},
          "pytorch_optimizer.AdaBelief defaults: lr 1e-3, betas (0.9, 0.999), eps 1e-16 added INTO s every step and "
          "again outside the root, weight decay 0; catches Adam's g² for (g − m)², and eps left out of the state."),
        R(N, "large-eps", {"lr": 0.01, "eps": 1e-3},
          "eps 1e-3: s accumulates eps each step (s_t ≥ eps·Σβ₂ᵏ), so eps outside the EMA only or under the root "
          "only is visible; catches both."),
        R(N, "betas-lr-schedule", {"lr": 0.02, "betas": [0.8, 0.9], "eps": 1e-8},
          "betas (0.8, 0.9) and a changing lr: catches b1 and b2 swapped and a cached lr.", lr_base=0.02),
        R(N, "decoupled-decay", {"lr": 0.01, "weight_decay": 0.5},
          "weight_decay 0.5, decoupled by default: w ← w·(1 − lr·wd) before the step; catches coupled decay.",
          lr_base=0.01),
        R(N, "coupled-decay", {"lr": 0.01, "weight_decay": 0.3, "weight_decouple": False},
          "weight_decouple False: wd·w added to g before both moments; catches decoupled decay."),
        R(N, "fixed-decay", {"lr": 0.01, "weight_decay": 0.05, "fixed_decay": True},
          "fixed_decay: w ← w·(1 − wd), not scaled by the lr; catches the flag ignored."),
        R(N, "maximize-coupled", {"lr": 0.01, "weight_decay": 0.2, "weight_decouple": False, "maximize": True},
          "maximize negates g BEFORE the coupled decay; catches the update negated instead."),
        R(N, "ams-bound", {"lr": 0.01, "ams_bound": True, "eps": 1e-8},
          "ams_bound: the denominator uses the running max of s (max_exp_avg_var) — gradients shrink across steps so "
          "the max differs from s; catches the flag ignored."),
        R(N, "adam-debias", {"lr": 0.01, "adam_debias": True},
          "adam_debias (a **kwargs group key): the step is lr, not lr/(1 − b1ᵗ); catches the key ignored."),
        R(N, "rectify", {"lr": 0.01, "rectify": True, "betas": [0.9, 0.9], "eps": 1e-8},
          "rectify with b2 0.9 (ρ∞ = 19, ρ crosses 5 at step 6): SGD steps lr/(1 − b1ᵗ)·m first (degenerated_to_sgd), "
          "then RAdam's r·lr/(1 − b1ᵗ)·m/(√s + eps) with NO 1 − b2ᵗ under the root; catches rectify ignored, the "
          "bias-corrected root kept, and the SGD phase skipped.", steps=RECTIFY_STEPS),
        R(N, "rectify-no-sgd-ams", {"lr": 0.01, "rectify": True, "betas": [0.9, 0.9], "degenerated_to_sgd": False,
                                    "ams_bound": True, "n_sma_threshold": 4},
          "rectify with degenerated_to_sgd False (no step at all while ρ < n_sma_threshold 4) and ams_bound; catches "
          "the SGD step taken anyway and the threshold's default 5 used.", steps=RECTIFY_STEPS),
        R(N, "per-param-zero", {"lr": 0.01, "foreach": False, "eps": 1e-8},
          "foreach=False (the per-parameter path); a tensor at exactly 0 and one whose gradient is always 0.",
          zero_params=(0,), zero_grads=(1,)),
    ] + _errors(N)
    return Fixture("pytorch_optimizer/AdaBelief.json", "pytorch_optimizer.AdaBelief (pytorch-optimizer 4.1.0, torch "
                   "2.15.0 float64).", cases)


@FILES.file("pytorch_optimizer/Adan.json")
def pytorch_optimizer_adan():
    N = "Adan"
    cases = [
        R(N, "defaults", {},
          "pytorch_optimizer.Adan defaults: lr 1e-3, betas (0.98, 0.92, 0.99), eps 1e-8 outside the root, no clip, d = 0 "
          "at the first step; n from (g + b2·d)² and the v step lr·b2/(1 − b2ᵗ); catches optax's 1 − b2 in both places "
          "and the difference dropped."),
        R(N, "betas-lr-schedule", {"lr": 0.02, "betas": [0.9, 0.5, 0.8]},
          "betas (0.9, 0.5, 0.8) and a changing lr: catches the betas permuted and a cached lr.", lr_base=0.02),
        R(N, "proximal-decay", {"lr": 0.05, "weight_decay": 0.5},
          "weight_decay 0.5 with weight_decouple False (the default): w ← (w − step)/(1 + lr·wd) AFTER the step, the "
          "paper's proximal form; catches decay added to g and decoupled decay.", lr_base=0.05),
        R(N, "decoupled-decay", {"lr": 0.05, "weight_decay": 0.5, "weight_decouple": True},
          "weight_decouple: w ← w·(1 − lr·wd) BEFORE the step; catches the proximal division used anyway."),
        R(N, "global-clip", {"lr": 0.01, "max_grad_norm": 1.0},
          "max_grad_norm 1.0: every gradient scaled by min(1/(‖g‖ + eps), 1) with ‖g‖ over ALL tensors (tensor 2 "
          "carries 1000× gradients, so the clip binds), computed in float32; the first step's g_prev is the clipped g; "
          "catches per-tensor clipping and the clip ignored."),
        R(N, "maximize", {"lr": 0.01, "maximize": True},
          "maximize: g_prev is initialised from the raw gradient BEFORE the negation, so the first difference is 2·(−g), "
          "not 0; catches a zero first difference under maximize and the update negated instead."),
        R(N, "per-param-zero", {"lr": 0.01, "foreach": False},
          "foreach=False (the per-parameter path); a tensor at exactly 0 and one whose gradient is always 0.",
          zero_params=(0,), zero_grads=(1,)),
    ] + _errors(N, rest=(0.92, 0.99)) + [
        E(N, "invalid-beta3", {"betas": [0.98, 0.92, 1.5]}, "beta3 must be in [0, 1] (closed, unlike beta1 and beta2)."),
        E(N, "invalid-max-grad-norm", {"max_grad_norm": -1.0}, "Negative max_grad_norm (validated before eps)."),
    ]
    return Fixture("pytorch_optimizer/Adan.json", "pytorch_optimizer.Adan (pytorch-optimizer 4.1.0, torch 2.15.0 "
                   "float64).", cases)


@FILES.file("pytorch_optimizer/StableAdamW.json")
def pytorch_optimizer_stable_adamw():
    N = "StableAdamW"
    cases = [
        R(N, "defaults", {},
          "pytorch_optimizer.StableAdamW defaults: lr 1e-3, betas (0.9, 0.99) debiased per step "
          "(1 − (βᵗ − β)/(βᵗ − 1): the first step takes m = g, v = g²), weight_decay 1e-2 decoupled at lr_t, eps "
          "1e-8; the (2, 1, 3) tensor's gradients are 1000× larger, so its RMS clip differs from the others'; catches "
          "Adam's bias correction, betas as plain EMA rates and the RMS clip left out."),
        R(N, "betas-lr-schedule", {"lr": 0.02, "betas": [0.8, 0.95], "weight_decay": 0.1},
          "Other betas, decay 0.1 and a changing lr: catches the decay scaled by the raw lr instead of lr_t, and a "
          "cached lr.", lr_base=0.02),
        R(N, "no-decay-eps", {"lr": 0.01, "weight_decay": 0.0, "eps": 1e-3},
          "weight_decay 0 and a large eps (ε² = 1e-6 floors v inside the RMS): catches ε inside the root or the clip "
          "taken without ε²."),
        R(N, "coupled-decay", {"lr": 0.01, "weight_decay": 0.3, "weight_decouple": False},
          "weight_decouple False: wd·w added to g before both moments and the RMS; catches decoupled decay."),
        R(N, "maximize-kahan-off", {"lr": 0.01, "maximize": True, "kahan_sum": False},
          "maximize negates g first; kahan_sum False (it only acts on 16-bit parameters anyway)."),
        R(N, "per-param-zero", {"lr": 0.01, "foreach": False},
          "foreach=False; a tensor at exactly 0 and one whose gradient is always 0 (v = 0, g²/max(v, ε²) = 0, "
          "rms clipped to 1).", zero_params=(0,), zero_grads=(1,)),
    ] + _errors(N, rest=(0.99,))
    return Fixture("pytorch_optimizer/StableAdamW.json", "pytorch_optimizer.StableAdamW (pytorch-optimizer 4.1.0, "
                   "torch 2.15.0 float64).", cases)


# ---------------------------------------------------------------------------------------------
# Schedules: the load_lr_scheduler names that return torch.optim.lr_scheduler's own classes.

SCHEDULE_TOL = {"rtol": 1e-12, "atol": 1e-15}


def schedule_case(name, cid, params, base_lr, n, description, cycles=False):
    lrs, moms = torch_runner.pytorch_optimizer_schedule_values(name, params, base_lr, n)
    case = {
        "id": f"pytorch_optimizer/{name}/{cid}", "kind": "schedule", "source": "pytorch-optimizer 4.1.0 (torch 2.15.0)",
        "dtype": "float64", "description": description,
        "schedule": {"convention": C, "name": name, "parameters": params},
        "base_lr": base_lr, "expected_lr": lrs,
    }
    if cycles:
        case["expected_momentum"] = moms
    case["tolerance"] = SCHEDULE_TOL
    return case


TORCH_CLASS = " load_lr_scheduler('{}') returns torch.optim.lr_scheduler.{} itself: catches a port with other defaults."
PO_SCHEDULES = {
    "constant": ("ConstantLR", [("factor-half", {"factor": 0.5, "total_iters": 3}, 0.1, 8, False),
                                ("defaults", {}, 0.1, 8, False)]),
    "step": ("StepLR", [("step-3", {"step_size": 3, "gamma": 0.5}, 0.1, 10, False)]),
    "multi_step": ("MultiStepLR", [("milestones", {"milestones": [2, 5], "gamma": 0.1}, 0.1, 8, False)]),
    "cyclic": ("CyclicLR", [("triangular", {"base_lr": 0.01, "max_lr": 0.1, "step_size_up": 3}, 0.1, 14, True),
                            ("exp-range", {"base_lr": 0.01, "max_lr": 0.1, "step_size_up": 2, "mode": "exp_range",
                                           "gamma": 0.9, "cycle_momentum": False}, 0.1, 12, False)]),
    "one_cycle": ("OneCycleLR", [("cos", {"max_lr": 0.1, "total_steps": 10}, 0.1, 10, True)]),
    "cosine_annealing": ("CosineAnnealingLR", [("t-max-4", {"T_max": 4, "eta_min": 0.01}, 0.1, 12, False)]),
    "cosine_annealing_with_warm_restart": ("CosineAnnealingWarmRestarts",
                                           [("t-mult-2", {"T_0": 2, "T_mult": 2, "eta_min": 0.001}, 0.1, 14, False)]),
}


def _po_schedule_fixture(name):
    torch_class, specs = PO_SCHEDULES[name]
    cases = [schedule_case(name, cid, params, base, n, f"{cid}: {params}." + TORCH_CLASS.format(name, torch_class),
                           cycles=cycles)
             for cid, params, base, n, cycles in specs]
    return Fixture(f"pytorch_optimizer/schedules/{name}.json",
                   f"pytorch_optimizer.load_lr_scheduler('{name}') (pytorch-optimizer 4.1.0 on torch 2.15.0, float64): "
                   "expected_lr[k] after k scheduler steps.", cases)


for _name in PO_SCHEDULES:
    FILES.add(f"pytorch_optimizer/schedules/{_name}.json", functools.partial(_po_schedule_fixture, _name))


# ---------------------------------------------------------------------------------------------
# Schedules: pytorch_optimizer's own schedulers (lr_scheduler/linear_warmup.py, rex.py,
# cosine_anealing.py, chebyshev.py, wsd.py, proportion.py). base_lr is the optimizer's lr, which
# the classes that set the group's lr to min_lr in their constructor never read.


def schedule_error_case(name, cid, params, base_lr, description):
    """The library's message when load_lr_scheduler(name)(optimizer, **params) raises (while building,
    which includes the constructor's own step)."""
    try:
        torch_runner.pytorch_optimizer_schedule_values(name, params, base_lr, 1)
    except Exception as e:   # NegativeLRError, NegativeStepError, ValueError, TypeError: each its own message
        message = str(e)
    else:
        raise AssertionError(f"{name}({params}) accepted")
    return {
        "id": f"pytorch_optimizer/{name}/{cid}", "kind": "schedule", "source": "pytorch-optimizer 4.1.0 (torch 2.15.0)",
        "dtype": "float64", "description": description,
        "schedule": {"convention": C, "name": name, "parameters": params},
        "base_lr": base_lr, "expected_error": message, "tolerance": SCHEDULE_TOL,
    }


def _warmup_errors(name):
    """BaseLinearWarmupScheduler.validate_parameters, in its order: min_lr, max_lr, init_lr, t_max, warmup_steps."""
    return [
        (name, "negative-min-lr-first", {"t_max": -1, "max_lr": -0.1, "min_lr": -0.5}, 0.1,
         "min_lr, max_lr and t_max all negative: min_lr is checked first (NegativeLRError's 'min_lr must be positive. "
         "(-0.5 > 0)'); catches another order."),
        (name, "negative-max-lr", {"t_max": 5, "max_lr": -1}, 0.1, "A negative max_lr: NegativeLRError naming max_lr."),
        (name, "negative-init-lr", {"t_max": 5, "max_lr": 0.1, "init_lr": -0.01, "warmup_steps": -1}, 0.1,
         "init_lr (an lr) is checked before warmup_steps (a step count)."),
        (name, "negative-t-max", {"t_max": -3, "max_lr": 0.1, "warmup_steps": -1}, 0.1,
         "t_max negative: NegativeStepError's 't_max must be positive. (-3 > 0)', before warmup_steps."),
        (name, "negative-warmup", {"t_max": 5, "max_lr": 0.1, "warmup_steps": -2}, 0.1, "warmup_steps negative."),
        (name, "missing-t-max", {"max_lr": 0.1}, 0.1, "t_max is required: the TypeError of BaseLinearWarmupScheduler.__init__."),
    ]


OWN_SCHEDULES = {
    "linear": [
        ("warmup-init-past-end", {"t_max": 8, "max_lr": 0.1, "min_lr": 0.01, "init_lr": 0.001, "warmup_steps": 3}, 0.5, 14,
         "LinearScheduler: the constructor sets the group's lr to min_lr (not the optimizer's 0.5); step() k (from 0) gives "
         "init_lr + (max_lr − init_lr)·k/3 for k < 3, max_lr at k = 3, then max_lr + (min_lr − max_lr)·(k − 3)/(8 − 3), "
         "which goes on below min_lr and below 0 past t_max; catches the base lr at step 0, the warmup counted from 1, "
         "init_lr ignored, and the decay clamped at min_lr."),
        ("defaults", {"t_max": 5, "max_lr": 0.2}, 0.1, 9,
         "min_lr 0, init_lr 0, no warmup: max_lr at the first step, 0 at t_max, negative after; catches other defaults."),
    ],
    "cosine": [
        ("warmup-past-end", {"t_max": 10, "max_lr": 0.2, "min_lr": 0.02, "init_lr": 0.01, "warmup_steps": 2}, 0.3, 20,
         "CosineScheduler: warmup as LinearScheduler's, then min_lr + (max_lr − min_lr)(cos(π(k − 2)/8) + 1)/2, which "
         "rises again past t_max (nothing holds it at min_lr); catches the cosine held at min_lr, the warmup off by one "
         "and a cosine over t_max instead of t_max − warmup_steps."),
        ("defaults", {"t_max": 6, "max_lr": 0.1}, 0.1, 9, "No warmup, min_lr 0: a half cosine from max_lr at step 1."),
    ],
    "poly": [
        ("default-order", {"t_max": 10, "max_lr": 0.1, "min_lr": 0.01, "warmup_steps": 2}, 0.1, 12,
         "PolyScheduler's default poly_order 0.5: after the warmup, min_lr + (max_lr − min_lr)·(k − warmup)^0.5 with the "
         "raw step count (nothing divides by t_max, so the lr grows past max_lr); catches a normalized polynomial "
         "decay (1 − progress)^p, which is what one expects and not what the library computes."),
        ("order-2-float", {"t_max": 6, "max_lr": 0.05, "min_lr": 0.0, "poly_order": 1.5, "init_lr": 0.01,
                           "warmup_steps": 1}, 0.1, 7,
         "poly_order 1.5: catches the exponent ignored (the default 0.5)."),
    ],
    "rex": [
        ("defaults", {"total_steps": 6}, 0.1, 10,
         "REXScheduler defaults max_lr 1.0, min_lr 0: its constructor steps once (step_t 0 → 1, the lr max_lr) and then "
         "sets the group's lr to min_lr, so the lrs are min_lr, then f(1), f(2), …, "
         "f(t) = min_lr + (max_lr − min_lr)(1 − t/T)/(1 − t/(2T)), and min_lr from t = T on; catches the constructor's "
         "step forgotten (max_lr at the first step), and the lr after construction as max_lr."),
        ("min-max", {"total_steps": 8, "max_lr": 0.1, "min_lr": 0.01}, 0.5, 12,
         "max_lr 0.1, min_lr 0.01 (the optimizer's 0.5 is never used); past total_steps the lr stays at min_lr."),
    ],
    "cosine_annealing_with_warmup": [
        ("defaults", {"first_cycle_steps": 4}, 0.1, 14,
         "CosineAnnealingWarmupRestarts defaults: max_lr 1e-4, min_lr 1e-6, no warmup, gamma 0.9, cycle_mult 1. Its "
         "constructor's step computes step 0 of the first cycle and then sets the group's lr to min_lr, so step 0 of the "
         "first cycle (max_lr) is never seen; each restart's max_lr is 1e-4·0.9^cycle; catches gamma ignored, the base "
         "lr as the cosine's floor and the first cycle's max_lr shown at step 0."),
        ("warmup-cycle-mult", {"first_cycle_steps": 5, "cycle_mult": 1.5, "max_lr": 0.1, "min_lr": 0.01, "warmup_steps": 2,
                               "gamma": 0.5}, 0.2, 30,
         "warmup 2 (a linear rise from min_lr to max_lr in every cycle), cycle_mult 1.5: the next cycle has "
         "max(1, int((5 − 2)·1.5)) + 2 = 6 steps, then int(4·1.5) + 2 = 8; catches cycle_mult applied to the whole "
         "cycle (warmup included), cycle_mult ignored and the warmup only in the first cycle."),
        ("shrinking-cycles", {"first_cycle_steps": 6, "cycle_mult": 0.5, "max_lr": 0.1, "min_lr": 0.0, "warmup_steps": 1,
                              "gamma": 1.0}, 0.1, 18,
         "cycle_mult 0.5: cycles of 6, 3, 2, 2, … steps (max(1, int(·)) keeps at least one step after the warmup); "
         "catches the max(1, …) floor missing."),
    ],
    "chebyshev": [
        ("num-epochs-8", {"num_epochs": 8}, 0.1, 12,
         "get_chebyshev_schedule (a LambdaLR): 2^(int(log2(num_epochs − 1)) + 1) = 8 reciprocal Chebyshev nodes "
         "1/(c − r·cos((i + ½)π/8)) on [0.05, 1], in the fractal order [0, 7, 3, 4, 1, 6, 2, 5], read at index "
         "clamp(epoch − 2, 0, 7) (epochs 0, 1, 2 share the first); catches the nodes in sorted or reversed order, the "
         "index epoch instead of epoch − 2, and the last factor not held after the end."),
        ("num-epochs-9", {"num_epochs": 9}, 0.2, 20,
         "num_epochs 9: 16 nodes (int(log2(8)) + 1 = 4), the permutation of 16; catches the node count num_epochs."),
        ("num-epochs-4", {"num_epochs": 4}, 0.1, 6,
         "num_epochs 4: 4 nodes but a permutation of num_nodes − 2 = 2 indices, so only the first two nodes are used; "
         "catches a full permutation."),
        ("num-epochs-1", {"num_epochs": 1}, 0.1, 3, "num_epochs 1: one node, 1/(0.525 − 0.475·cos(π/2))."),
        ("is-warmup", {"num_epochs": 8, "is_warmup": True}, 0.1, 4, "is_warmup: the factor is 1 at every epoch."),
    ],
    "warmup_stable_decay": [
        ("default-1-sqrt", {"num_warmup_steps": 3, "num_stable_steps": 2, "num_decay_steps": 5, "min_lr_ratio": 0.1},
         0.1, 14,
         "get_wsd_schedule's default cooldown '1-sqrt': k/3, 1, then 1 − √((k − 5)/5) down to 1 − √(4/5) — min_lr_ratio "
         "is NOT the floor of this cooldown — and min_lr_ratio from k = 10; catches the floor applied to every "
         "cooldown (transformers' get_wsd_schedule does that), and a cosine default."),
        ("cosine", {"num_warmup_steps": 2, "num_stable_steps": 1, "num_decay_steps": 6, "min_lr_ratio": 0.2,
                    "cooldown_type": "cosine"}, 0.3, 12,
         "cosine cooldown: (1 − r)·max(0, ½(1 + cos(2π·0.5·progress))) + r; catches num_cycles read as full waves."),
        ("cosine-one-cycle", {"num_warmup_steps": 0, "num_stable_steps": 2, "num_decay_steps": 6, "num_cycles": 1.0,
                              "cooldown_type": "cosine"}, 0.1, 10,
         "num_cycles 1: a full wave down and back up during the decay, then min_lr_ratio 0; catches num_cycles ignored."),
        ("linear", {"num_warmup_steps": 1, "num_stable_steps": 1, "num_decay_steps": 4, "min_lr_ratio": 0.05,
                    "cooldown_type": "linear"}, 0.1, 8, "linear cooldown 1 − progress (to 0, not to min_lr_ratio)."),
        ("1-square", {"num_warmup_steps": 2, "num_stable_steps": 0, "num_decay_steps": 4, "cooldown_type": "1-square"},
         0.1, 8, "1-square cooldown 1 − progress²; catches it computed as 1-sqrt or (1 − progress)²."),
        ("unknown-cooldown", {"num_warmup_steps": 1, "num_stable_steps": 1, "num_decay_steps": 3, "min_lr_ratio": 0.3,
                              "cooldown_type": "exp"}, 0.1, 7,
         "an unknown cooldown_type raises nothing: the decay steps fall through to min_lr_ratio; catches an error or "
         "a default curve."),
    ],
    "proportion": [
        ("cosine-rho", {"lr_scheduler": {"name": "cosine", "parameters": {"t_max": 6, "max_lr": 0.1, "min_lr": 0.01,
                                                                           "init_lr": 0.001, "warmup_steps": 2}},
                        "max_lr": 0.1, "min_lr": 0.01, "max_value": 0.5, "min_value": 0.05}, 0.1, 10,
         "ProportionScheduler around a CosineScheduler (SAM's rho): min_value + (max_value − min_value)(lr − min_lr)/"
         "(max_lr − min_lr) of the inner scheduler's last_lr, after the inner step; its constructor steps once, reading "
         "last_lr = [init_lr] (0.001, below min_lr, so the value is below min_value), not the group's lr (min_lr); "
         "catches the group's lr read, the mapping reversed, and the value clamped."),
        ("rex-rho", {"lr_scheduler": {"name": "rex", "parameters": {"total_steps": 5, "max_lr": 0.1, "min_lr": 0.0}},
                     "max_lr": 0.1, "max_value": 1.0, "min_value": 0.1}, 0.1, 8,
         "around REX: last_lr after REX's constructor is [max_lr] (its constructor's step), while the group holds "
         "min_lr; catches the group's lr read."),
        ("torch-step", {"lr_scheduler": {"name": "step", "parameters": {"step_size": 2, "gamma": 0.5}},
                        "max_lr": 0.1, "min_lr": 0.0, "max_value": 2.0, "min_value": 0.2}, 0.1, 8,
         "around torch's StepLR, which has no last_lr attribute (only _last_lr): the group's lr is read."),
        ("defaults-constant", {"lr_scheduler": {"name": "linear", "parameters": {"t_max": 4, "max_lr": 0.1}},
                               "max_lr": 0.1}, 0.1, 6,
         "defaults min_lr 0, max_value 2.0, min_value 2.0: the value is 2.0 whatever the lr; catches other defaults."),
        ("max-not-above-min", {"lr_scheduler": {"name": "chebyshev", "parameters": {"num_epochs": 8}},
                               "max_lr": 0.01, "min_lr": 0.01, "max_value": 0.7, "min_value": 0.1}, 0.1, 5,
         "max_lr ≤ min_lr: the value is max_value (no division by zero); around a LambdaLR (the group's lr)."),
    ],
}

OWN_ERRORS = (_warmup_errors("linear") + [
    ("cosine", "negative-max-lr", {"t_max": 5, "max_lr": -1}, 0.1, "CosineScheduler shares BaseLinearWarmupScheduler's checks."),
    ("poly", "poly-order-zero", {"t_max": 5, "max_lr": 0.1, "poly_order": 0}, 0.1,
     "poly_order 0: PolyScheduler's ValueError 'poly_order must be positive. 0'."),
    ("poly", "poly-order-first", {"t_max": -5, "max_lr": -0.1, "poly_order": -1.5}, 0.1,
     "poly_order is checked before BaseLinearWarmupScheduler's own checks."),
    ("poly", "negative-t-max", {"t_max": -1, "max_lr": 0.1}, 0.1, "PolyScheduler passes its kwargs to the base checks."),
    ("rex", "missing-total-steps", {"max_lr": 0.1}, 0.1, "total_steps is required: REXScheduler.__init__'s TypeError."),
    ("cosine_annealing_with_warmup", "warmup-not-smaller", {"first_cycle_steps": 3, "warmup_steps": 3}, 0.1,
     "warmup_steps equal to first_cycle_steps: 'warmup_steps must be smaller than first_cycle_steps. 3 < 3'; catches "
     "a > test."),
    ("cosine_annealing_with_warmup", "warmup-longer", {"first_cycle_steps": 2, "warmup_steps": 5, "max_lr": 0.1}, 0.1,
     "warmup_steps 5 > first_cycle_steps 2."),
    ("chebyshev", "missing-num-epochs", {}, 0.1, "num_epochs is required: get_chebyshev_schedule's TypeError."),
    ("warmup_stable_decay", "missing-decay", {"num_warmup_steps": 1, "num_stable_steps": 2}, 0.1,
     "num_decay_steps is required: get_wsd_schedule's TypeError."),
])


def _own_schedule_fixture(name):
    cases = [schedule_case(name, cid, params, base, n, description) for cid, params, base, n, description in OWN_SCHEDULES[name]]
    cases += [schedule_error_case(n, cid, params, base, description) for n, cid, params, base, description in OWN_ERRORS
              if n == name]
    what = ("ProportionScheduler(load_lr_scheduler(parameters.lr_scheduler.name)(optimizer, **…), **rest): expected_lr[k] "
            "is its value (get_lr()) after k rounds of inner.step(); proportion.step()" if name == "proportion" else
            "expected_lr[k] is the group's lr after k scheduler steps")
    return Fixture(f"pytorch_optimizer/schedules/{name}.json",
                   f"pytorch_optimizer.load_lr_scheduler('{name}') (pytorch-optimizer 4.1.0 on torch 2.15.0, float64): "
                   f"{what}.", cases)


for _name in OWN_SCHEDULES:
    FILES.add(f"pytorch_optimizer/schedules/{_name}.json", functools.partial(_own_schedule_fixture, _name))


def generate():
    return FILES.build_all()
