"""Golden fixtures for the 32-bit optimizers of bitsandbytes (0.50.2, torch 2.15.0) on the CPU:
Adam, AdamW, Lion and AdEMAMix with their 32bit and Paged aliases; SGD, RMSprop and Adagrad with
their 32bit aliases.

On the CPU every update is `_optimizer_update_32bit_cpu` (bitsandbytes/backends/cpu/ops.py:345-451):
the gradient and the parameter are taken as float32 (`g.float()`, `p.data.float()`), the state is
float32 and the parameter is written back after each step. So these are float32 cases, as users run
them: float32 parameters (the runner's PARAM_DTYPES), initial values and gradients that are float32
numbers (rounded here, so that a float64 run starts from the same inputs), and expected values that
are float32 numbers. `tolerance` (a float64 evaluation) covers the golden's own float32 rounding
(TOL below); `tolerance_float32` (TOL32) is the float32 evaluation's.

What the cases are designed to catch, besides each default and flag:
- bitsandbytes `Adam(weight_decay > 0)` is DECOUPLED (w·(1 − lr·wd) before the update, ops.py:375):
  Adam and AdamW share the "adam" kernel; a port that reads torch Adam's L2 decay is caught.
- `amsgrad=True` is accepted and never read by the 32-bit classes (only the 8-bit ones reject it,
  optim/adam.py); the amsgrad cases use gradients that shrink, so a port that honours it is caught.
- `Adam32bit(optim_bits=8)` is still 32-bit (the class passes 32).
- AdEMAMix's warmups run over their own spans t_alpha and t_beta3, and 0 means none (`if t_alpha:`).
- SGD's dampening and nesterov, and RMSprop's momentum, are validated and then not read by the CPU
  kernels (ops.py:397-427): ports that honour them are caught.
- The constructors' errors, in their order (optim/optimizer.py:458-470; the classes' own checks
  and NotImplementedErrors first).
"""
from __future__ import annotations

import numpy as np

import common
from common import Fixture
from runners import torch as torch_runner

C = "bitsandbytes"
SOURCE = "bitsandbytes 0.50.2 (torch 2.15.0, CPU, float32)"
STEPS = 20
SHAPES = [(3, 4), (5,), (2, 1, 3)]
# A float64 evaluation of float32 goldens: float32 rounds each operation at 2⁻²⁴ ≈ 6e-8, and 20
# steps accumulate some hundreds of ulps on the elements whose update is a ratio of small moments.
TOL = {"rtol": 2e-5, "atol": 1e-6}
TOL32 = {"rtol": 2e-5, "atol": 1e-6}
FILES = common.Files()


def _f32(xs):
    return [float(np.float32(x)) for x in xs]


def _inputs(cid, steps, shrink=False, grad_scale=1.0):
    """Float32 initial parameters of order 1 and discriminating gradients (1e-8..10, exact zeros),
    rounded to float32; tensor 2's are 100x the others'. `shrink`: after step 5 every gradient is
    multiplied by 0.5 per step, so v decreases (amsgrad's running max would differ)."""
    rng = common.case_rng(cid)
    params = common.initial_params(rng, SHAPES)
    for p in params:
        p["values"] = _f32(p["values"])
    grads = common.discriminating_grads(rng, SHAPES, steps, log10_scale=(-6, 1))
    for t, step in enumerate(grads):
        k = grad_scale * (0.5 ** max(0, t - 5) if shrink else 1.0)
        step[2] = [x * 100.0 for x in step[2]]
        for i in range(len(step)):
            step[i] = _f32([x * k for x in step[i]])
    return params, grads


def replay_case(name, tag, hp, description, lr_base=None, **inputs):
    cid = f"{C}/{name}/{tag}"
    params, grads = _inputs(cid, STEPS, **inputs)
    lrs = common.lr_sequence(lr_base, STEPS) if lr_base is not None else None
    expected = torch_runner.replay(C, name, hp, params, STEPS, grads=grads, lrs=lrs)
    return common.optimizer_case(cid, SOURCE, C, name, hp, params, common.trajectory_steps(expected, grads, lrs),
                                 description, TOL, tolerance_float32=TOL32, dtype="float32")


def error_cases(name, errors, catch=(ValueError,)):
    cases = torch_runner.constructor_error_cases(C, name, errors, SOURCE, TOL, f"{C}/{name}", catch=catch)
    for c in cases:
        c["dtype"] = "float32"
    return cases


ADAM_ERRORS = [
    ("invalid-lr", {"lr": -0.001}, "lr must be >= 0 (0 is accepted): 'Invalid learning rate: -0.001'."),
    ("invalid-eps", {"eps": -1e-08}, "eps must be >= 0: 'Invalid epsilon value: -1e-08'."),
    ("invalid-beta1", {"betas": [1.0, 0.999]}, "betas[0] must be in [0, 1)."),
    ("invalid-beta2", {"betas": [0.9, -0.5]}, "betas[1] must be in [0, 1)."),
    ("invalid-weight-decay", {"weight_decay": -0.1}, "weight_decay must be >= 0."),
    ("invalid-order", {"lr": -1.0, "eps": -1.0, "weight_decay": -1.0}, "lr is checked before eps and weight_decay."),
    ("invalid-order-eps-betas", {"eps": -1.0, "betas": [2.0, 0.999]}, "eps is checked before the betas."),
]


@FILES.file("bitsandbytes/Adam.json")
def adam():
    R = replay_case
    cases = [
        R("Adam", "defaults", {},
          "bitsandbytes.optim.Adam defaults: lr 1e-3, betas (0.9, 0.999), eps 1e-8, weight_decay 0, in float32 "
          "(m, v float32; w ← w − lr·(√(1−β₂ᵗ)/(1−β₁ᵗ))·m/(√v + eps·√(1−β₂ᵗ)))."),
        R("Adam", "weight-decay", {"lr": 0.01, "weight_decay": 0.1},
          "weight_decay 0.1 in Adam (not AdamW) is DECOUPLED: w·(1 − lr·wd) before the update (the \"adam\" "
          "kernel is AdamW's); catches torch Adam's L2 decay (wd·w added to g)."),
        R("Adam", "amsgrad-ignored", {"lr": 0.01, "amsgrad": True},
          "amsgrad=True is accepted and never read by the 32-bit Adam; the gradients halve every step after "
          "step 5, so v falls and an AMSGrad running max would change the steps: catches amsgrad honoured.",
          shrink=True),
        R("Adam", "betas-eps-lr-schedule", {"betas": [0.8, 0.99], "eps": 1e-3},
          "betas (0.8, 0.99), eps 1e-3 (large, so its placement shows: ε·√(1−β₂ᵗ) added to √v, i.e. ε on "
          "the corrected √v̂) and an lr changed between steps; catches ε added to the raw √v (Keras's "
          "epsilon hat), swapped betas and a cached lr.", lr_base=0.01),
        R("Adam", "no-op-keywords", {"lr": 0.01, "min_8bit_size": 16, "is_paged": True},
          "min_8bit_size 16 and is_paged True with optim_bits 32: state stays float32 (min_8bit_size is read "
          "only at 8 bits) and paging falls back to ordinary buffers on the CPU."),
        R("Adam32bit", "optim-bits-ignored", {"lr": 0.01, "optim_bits": 8, "weight_decay": 0.05},
          "Adam32bit(optim_bits=8) is still 32-bit (the class passes 32); weight decay decoupled."),
        R("PagedAdam", "defaults", {"lr": 0.01},
          "PagedAdam on the CPU: the same update (paged buffers fall back to ordinary ones)."),
        R("PagedAdam32bit", "weight-decay", {"lr": 0.01, "weight_decay": 0.2, "betas": [0.95, 0.9]},
          "PagedAdam32bit, weight_decay 0.2 decoupled, betas (0.95, 0.9)."),
    ]
    cases += error_cases("Adam", ADAM_ERRORS)
    return Fixture("bitsandbytes/Adam.json", "bitsandbytes.optim Adam, Adam32bit, PagedAdam, PagedAdam32bit "
                   "(bitsandbytes 0.50.2, torch 2.15.0, CPU): float32 goldens.", cases)


@FILES.file("bitsandbytes/AdamW.json")
def adamw():
    R = replay_case
    cases = [
        R("AdamW", "defaults", {},
          "bitsandbytes.optim.AdamW defaults: lr 1e-3, betas (0.9, 0.999), eps 1e-8, weight_decay 1e-2 "
          "(decoupled, w·(1 − lr·wd)); catches torch AdamW's default taken as 0."),
        R("AdamW", "weight-decay-lr-schedule", {"lr": 0.01, "weight_decay": 0.3},
          "weight_decay 0.3 and an lr changed between steps: the decay uses the step's lr; catches the decay "
          "applied without lr and a cached lr.", lr_base=0.02),
        R("AdamW", "amsgrad-ignored", {"lr": 0.01, "amsgrad": True},
          "amsgrad=True accepted and ignored (32-bit); gradients halve after step 5: catches amsgrad honoured.",
          shrink=True),
        R("AdamW32bit", "betas", {"lr": 0.01, "betas": [0.5, 0.9]},
          "AdamW32bit betas (0.5, 0.9): the bias corrections of small betas; catches swapped betas."),
        R("PagedAdamW", "defaults", {},
          "PagedAdamW on the CPU: AdamW's update and defaults."),
        R("PagedAdamW32bit", "zero-decay", {"lr": 0.01, "weight_decay": 0.0},
          "PagedAdamW32bit with weight_decay 0: no decay at all."),
    ]
    cases += error_cases("AdamW", ADAM_ERRORS[:5])
    return Fixture("bitsandbytes/AdamW.json", "bitsandbytes.optim AdamW, AdamW32bit, PagedAdamW, PagedAdamW32bit "
                   "(bitsandbytes 0.50.2, torch 2.15.0, CPU): float32 goldens.", cases)


@FILES.file("bitsandbytes/Lion.json")
def lion():
    R = replay_case
    cases = [
        R("Lion", "defaults", {},
          "bitsandbytes.optim.Lion defaults: lr 1e-4, betas (0.9, 0.99), weight_decay 0: c = β₁m + (1−β₁)g, "
          "w ← w − lr·sign(c), m ← β₂m + (1−β₂)g; catches the one-beta form and m updated before c."),
        R("Lion", "weight-decay-lr-schedule", {"lr": 0.01, "weight_decay": 0.5, "betas": [0.95, 0.98]},
          "weight_decay 0.5 decoupled, w·(1 − lr·wd) with the step's lr, betas (0.95, 0.98); catches coupled "
          "decay, decay without lr, swapped betas.", lr_base=0.01),
        R("Lion32bit", "weight-decay", {"lr": 0.003, "weight_decay": 0.1},
          "Lion32bit, weight_decay 0.1."),
        R("PagedLion", "defaults", {"lr": 0.001},
          "PagedLion on the CPU: Lion's update."),
        R("PagedLion32bit", "betas", {"lr": 0.001, "betas": [0.5, 0.999]},
          "PagedLion32bit betas (0.5, 0.999)."),
    ]
    cases += error_cases("Lion", [
        ("invalid-lr", {"lr": -0.0001}, "lr must be >= 0."),
        ("invalid-beta1", {"betas": [1.0, 0.99]}, "betas[0] must be in [0, 1)."),
        ("invalid-beta2", {"betas": [0.9, 1.5]}, "betas[1] must be in [0, 1)."),
        ("invalid-weight-decay", {"weight_decay": -0.5}, "weight_decay must be >= 0."),
    ])
    return Fixture("bitsandbytes/Lion.json", "bitsandbytes.optim Lion, Lion32bit, PagedLion, PagedLion32bit "
                   "(bitsandbytes 0.50.2, torch 2.15.0, CPU): float32 goldens.", cases)


@FILES.file("bitsandbytes/AdEMAMix.json")
def ademamix():
    R = replay_case
    cases = [
        R("AdEMAMix", "defaults", {},
          "bitsandbytes.optim.AdEMAMix defaults: lr 1e-3, betas (0.9, 0.999, 0.9999), alpha 5, eps 1e-8, "
          "weight_decay 1e-2 decoupled (w·(1 − lr·wd) first), m2 not bias-corrected; catches pytorch_optimizer's "
          "defaults (weight_decay 0, coupled) and m2 bias-corrected."),
        R("AdEMAMix", "warmups", {"lr": 0.01, "t_alpha": 10, "t_beta3": 15},
          "t_alpha 10 and t_beta3 15: alpha warms up linearly over 10 steps and beta3 by the half-life "
          "interpolation from beta1 over 15, each over its own span; catches one span for both and a warmup "
          "ignored."),
        R("AdEMAMix", "warmup-zero", {"lr": 0.01, "t_alpha": 0, "t_beta3": 8},
          "t_alpha 0 means no alpha warmup (the library tests `if t_alpha:`); beta3 warms over 8 steps."),
        R("AdEMAMix", "alpha-betas-lr-schedule", {"alpha": 8.0, "betas": [0.8, 0.99, 0.999], "weight_decay": 0.0},
          "alpha 8, betas (0.8, 0.99, 0.999), no decay, and an lr changed between steps.", lr_base=0.005),
        R("PagedAdEMAMix", "weight-decay", {"lr": 0.01, "weight_decay": 0.2, "eps": 1e-4},
          "PagedAdEMAMix on the CPU, weight_decay 0.2, eps 1e-4 (added to √v/√(1−β₂ᵗ))."),
    ]
    cases += error_cases("AdEMAMix", [
        ("invalid-lr", {"lr": -0.001}, "lr must be >= 0."),
        ("invalid-eps", {"eps": -1e-08}, "eps must be >= 0."),
        ("invalid-beta3", {"betas": [0.9, 0.999, 1.0]}, "betas[2] (beta3) must be in [0, 1) too."),
        ("invalid-weight-decay", {"weight_decay": -0.01}, "weight_decay must be >= 0."),
    ])
    return Fixture("bitsandbytes/AdEMAMix.json", "bitsandbytes.optim AdEMAMix, PagedAdEMAMix "
                   "(bitsandbytes 0.50.2, torch 2.15.0, CPU): float32 goldens.", cases)


@FILES.file("bitsandbytes/SGD.json")
def sgd():
    R = replay_case
    cases = [
        R("SGD", "momentum", {"lr": 0.01, "momentum": 0.9},
          "bitsandbytes.optim.SGD, momentum 0.9 (momentum 0 is rejected): buf ← g at step 1, then 0.9·buf + g; "
          "w ← w − lr·buf; catches the buffer started at (1 − momentum)·g."),
        R("SGD", "dampening-nesterov-ignored", {"lr": 0.01, "momentum": 0.8, "dampening": 0.5, "nesterov": True},
          "dampening 0.5 and nesterov True: validated (dampening as a beta) and NOT read by the CPU momentum kernel; "
          "catches dampening or Nesterov honoured."),
        R("SGD", "weight-decay-lr-schedule", {"lr": 0.02, "momentum": 0.5, "weight_decay": 0.1},
          "weight_decay 0.1 as L2 (added to g before the buffer) and an lr changed between steps; catches decoupled "
          "decay and a cached lr.", lr_base=0.02),
        R("SGD32bit", "momentum", {"lr": 0.005, "momentum": 0.95},
          "SGD32bit, momentum 0.95."),
    ]
    cases += error_cases("SGD", [
        ("missing-lr", {"momentum": 0.9}, "lr is a required argument (TypeError)."),
        ("no-momentum", {"lr": 0.1}, "momentum 0 (the default) is rejected: NotImplementedError."),
        ("invalid-lr", {"lr": -0.1, "momentum": 0.9}, "lr must be >= 0."),
        ("invalid-momentum", {"lr": 0.1, "momentum": 1.0}, "momentum is validated as betas[0], in [0, 1)."),
        ("invalid-dampening", {"lr": 0.1, "momentum": 0.9, "dampening": 1.5}, "dampening is validated as betas[1]."),
        ("invalid-weight-decay", {"lr": 0.1, "momentum": 0.9, "weight_decay": -0.1}, "weight_decay must be >= 0."),
    ], catch=(ValueError, TypeError, NotImplementedError))
    return Fixture("bitsandbytes/SGD.json", "bitsandbytes.optim SGD, SGD32bit (bitsandbytes 0.50.2, torch 2.15.0, CPU): "
                   "float32 goldens.", cases)


@FILES.file("bitsandbytes/RMSprop.json")
def rmsprop():
    R = replay_case
    cases = [
        R("RMSprop", "defaults", {},
          "bitsandbytes.optim.RMSprop defaults: lr 1e-2, alpha 0.99, eps 1e-8: v ← αv + (1−α)g², w ← w − lr·g/(√v + ε); "
          "catches ε inside the root and the accumulator started at 1."),
        R("RMSprop", "momentum-ignored", {"lr": 0.001, "momentum": 0.9, "alpha": 0.9},
          "momentum 0.9: validated as betas[1] and NOT read by the CPU rmsprop kernel; catches momentum honoured."),
        R("RMSprop", "weight-decay-eps", {"lr": 0.001, "weight_decay": 0.2, "eps": 1e-3},
          "weight_decay 0.2 as L2 (into g, also into g²), eps 1e-3."),
        R("RMSprop32bit", "alpha-lr-schedule", {"alpha": 0.5}, "RMSprop32bit, alpha 0.5, an lr changed between steps.",
          lr_base=0.003),
    ]
    cases += error_cases("RMSprop", [
        ("alpha-zero", {"alpha": 0.0}, "alpha 0 is rejected: NotImplementedError (before any other check)."),
        ("centered", {"centered": True, "lr": -1.0}, "centered is rejected: NotImplementedError, before lr is checked."),
        ("invalid-lr", {"lr": -0.01}, "lr must be >= 0."),
        ("invalid-eps", {"eps": -1e-08}, "eps must be >= 0."),
        ("invalid-alpha", {"alpha": 1.0}, "alpha is validated as betas[0], in [0, 1)."),
        ("invalid-momentum", {"momentum": -0.5}, "momentum is validated as betas[1]."),
    ], catch=(ValueError, NotImplementedError))
    return Fixture("bitsandbytes/RMSprop.json", "bitsandbytes.optim RMSprop, RMSprop32bit (bitsandbytes 0.50.2, torch "
                   "2.15.0, CPU): float32 goldens.", cases)


@FILES.file("bitsandbytes/Adagrad.json")
def adagrad():
    R = replay_case
    cases = [
        R("Adagrad", "defaults", {},
          "bitsandbytes.optim.Adagrad defaults: lr 1e-2, eps 1e-10: s ← s + g², w ← w − lr·g/(√s + ε); catches ε "
          "inside the root and an initial accumulator of 0.1 (Keras)."),
        R("Adagrad", "weight-decay-lr-schedule", {"lr": 0.05, "weight_decay": 0.1},
          "weight_decay 0.1 as L2 (into g before s), an lr changed between steps.", lr_base=0.05),
        R("Adagrad32bit", "eps", {"lr": 0.1, "eps": 1e-3, "optim_bits": 8},
          "Adagrad32bit with eps 1e-3 and optim_bits 8 (ignored: the class passes 32)."),
    ]
    cases += error_cases("Adagrad", [
        ("invalid-lr", {"lr": -0.01}, "lr must be >= 0."),
        ("invalid-weight-decay", {"weight_decay": -0.1, "eps": -1.0}, "weight_decay is checked before eps."),
        ("invalid-eps", {"eps": -1e-10}, "eps must be >= 0."),
        ("initial-accumulator", {"initial_accumulator_value": 0.1}, "a nonzero initial_accumulator_value is rejected."),
        ("lr-decay", {"lr_decay": 0.01}, "a nonzero lr_decay is rejected."),
        ("order-accumulator-lr-decay", {"lr_decay": 0.01, "initial_accumulator_value": 0.1},
         "initial_accumulator_value is checked before lr_decay."),
    ])
    return Fixture("bitsandbytes/Adagrad.json", "bitsandbytes.optim Adagrad, Adagrad32bit (bitsandbytes 0.50.2, torch "
                   "2.15.0, CPU): float32 goldens.", cases)
