"""Golden fixtures for Lion, LAMB and LARS in every convention whose library defines them:
optax lion / lamb / lars and sign_sgd / signum (Lion with b1 = 0 and with b1 = b2 = beta: the same
family) (optax 0.2.8, jax x64), lion_pytorch Lion (lion-pytorch 0.2.5) and
pytorch_optimizer Lion / Tiger / Lamb / LARS (pytorch-optimizer 4.1.0), plus closed-loop problem
cases.

Expected values come from the real libraries only (torch-side in float64 with
torch.set_default_dtype(torch.float64), optax with jax_enable_x64). Every case names the mistake
it is designed to catch. Tensors: a non-square matrix, a 1-D vector (LAMB/LARS exclusion), a 3-D
tensor carrying huge gradients and a (1, 6) matrix (2-D although it holds a vector's worth of
values: pytorch_optimizer's LARS tests `ndim > 1`, not the element count).
"""
from __future__ import annotations

import functools

import common
from common import Fixture
from runners import optax as optax_runner
from runners import torch as torch_runner

STEPS = 20
RECTIFY_STEPS = 24
TOL = {"rtol": 1e-9, "atol": 1e-12}
PRE_NORM_TOL = {"rtol": 1e-6, "atol": 1e-6}
SHAPES = [(3, 4), (5,), (2, 1, 3), (1, 6)]

SOURCES = {"optax": "optax 0.2.8", "lion_pytorch": "lion-pytorch 0.2.5 (torch 2.15.0)",
           "pytorch_optimizer": "pytorch-optimizer 4.1.0 (torch 2.15.0)"}
FILES = common.Files()


def _inputs(case_id, steps, shapes=SHAPES, zero_params=(), zero_grads=(), scale_params=None):
    """Initial parameters and gradients spanning 1e-8..1e4 with exact zeros: tensor 2 carries
    gradients 1000x larger than the others. `zero_params` tensors start at exactly 0,
    `zero_grads` tensors get an all-zero gradient at every step, `scale_params` = (i, k)
    multiplies tensor i's initial values by k."""
    rng = common.case_rng(case_id)
    params = common.initial_params(rng, shapes)
    grads = common.discriminating_grads(rng, shapes, steps)
    for step in grads:
        if len(step) > 2:
            step[2] = [x * 1e3 for x in step[2]]
        for i in zero_grads:
            step[i] = [0.0] * len(step[i])
    for i in zero_params:
        params[i]["values"] = [0.0] * len(params[i]["values"])
    if scale_params is not None:
        i, k = scale_params
        params[i]["values"] = [x * k for x in params[i]["values"]]
    return params, grads


def run(conv, name, hp, params, steps, grads=None, problem=None, lrs=None):
    """The parameters after each step, from runners/ (optax, or the torch runner for lion_pytorch
    and pytorch_optimizer)."""
    if conv == "optax":
        return optax_runner.replay(name, hp, params, steps, grads=grads, problem=problem, lrs=lrs)
    return torch_runner.replay(conv, name, hp, params, steps, grads=grads, problem=problem, lrs=lrs)


def replay_case(conv, name, tag, hp, description, steps=STEPS, lr_base=None, tolerance=TOL, **inputs):
    """A replay case: fixed discriminating gradients; `lr_base` set => the lr changes mid-run."""
    case_id = f"{conv}/{name}/{tag}"
    params, grads = _inputs(case_id, steps, **inputs)
    lrs = common.lr_sequence(lr_base, steps) if lr_base is not None else None
    expected = run(conv, name, hp, params, steps, grads=grads, lrs=lrs)
    return common.optimizer_case(case_id, SOURCES[conv], conv, name, hp, params,
                                 common.trajectory_steps(expected, grads, lrs), description, tolerance)


def problem_case(conv, name, tag, hp, problem_name, problem, params, description, steps=STEPS, lr_base=None):
    """A closed-loop case: the gradient at each step is the problem's gradient at the current params."""
    case_id = f"{conv}/problems/{name}/{problem_name}/{tag}"
    lrs = common.lr_sequence(lr_base, steps) if lr_base is not None else None
    expected = run(conv, name, hp, params, steps, problem=problem, lrs=lrs)
    return common.optimizer_case(case_id, SOURCES[conv], conv, name, hp, params,
                                 common.trajectory_steps(expected, lrs=lrs), description, TOL, problem=problem)


def error_case(conv, name, tag, hp, description):
    """An argument-validation case: the constructor rejects `hp`; `expected_error` is its message
    (an AssertionError carries no message: its type name is the expected text)."""
    if conv == "optax":
        message = optax_runner.call_error(name, hp)
    else:   # pytorch_optimizer's NegativeLRError is an Exception
        message = torch_runner.constructor_error(conv, name, hp)
    if message is None:
        raise AssertionError(f"{conv}.{name} accepted {hp}")
    return common.optimizer_case(f"{conv}/{name}/{tag}", SOURCES[conv], conv, name, hp,
                                 [{"shape": [2], "values": [0.5, -1.5]}], None, description, TOL, error=message)


# ---------------------------------------------------------------------------------------------
# optax


ONE_BETA = ("the one-beta sign form of some lecture slides (m <- b*m + (1-b)*g; w <- w - lr*sign(m)) is "
            "a different algorithm")


@FILES.file("optax/lion.json")
def optax_lion():
    R = replay_case
    lion = [
        R("optax", "lion", "defaults", {"learning_rate": 1e-3},
          "optax.lion defaults: b1 0.9, b2 0.99 and weight_decay 1e-3 (not 0); catches a missing default decay "
          "and " + ONE_BETA + " (b1 != b2 separates them)."),
        R("optax", "lion", "betas-lr-schedule", {"learning_rate": 0.01, "b1": 0.8, "b2": 0.95, "weight_decay": 0.0},
          "b1 interpolates the sign argument c, b2 the momentum: catches b1 and b2 swapped, the momentum updated "
          "before c is formed, and a cached lr (learning_rate injected per step).", lr_base=0.01),
        R("optax", "lion", "decay-lr-schedule", {"learning_rate": 0.01, "weight_decay": 0.5},
          "Large decay added to sign(c) before scaling by -lr: the lr in force scales the decay; catches unscaled "
          "decay, decay applied after the sign update (w_new instead of w), and decay inside c.", lr_base=0.01),
        R("optax", "lion", "mask", {"learning_rate": 0.01, "weight_decay": 0.3, "mask": [True, False, True, False]},
          "mask: tensors 1 and 3 are not decayed; catches an ignored or misaligned mask."),
        R("optax", "lion", "small-b1-mu-dtype", {"learning_rate": 0.005, "b1": 0.3, "b2": 0.999, "mu_dtype": "float64",
                                                 "weight_decay": 0.0},
          "b1 < 0.5 with a slow b2 (mu_dtype float64 is the goldens' precision); catches b and 1-b swapped in c "
          "and sign(m) (" + ONE_BETA + ")."),
        R("optax", "lion", "zero-params", {"learning_rate": 0.01, "weight_decay": 0.2},
          "A tensor starting at exactly 0 and a tensor whose gradient is always 0: sign(0) = 0 must leave it "
          "unmoved except for decay; catches sign(0) taken as +1.", zero_params=(0,), zero_grads=(3,)),
        R("optax", "lion", "learning-rate-none", {"learning_rate": None, "b1": 0.8, "weight_decay": 0.01},
          "learning_rate=None: scale_by_learning_rate(None) is the identity, so sign(c) + wd*w is ADDED "
          "(no -lr scaling, no sign flip); catches treating None as a default lr."),
        error_case("optax", "lion", "missing-learning-rate", {},
                   "learning_rate is a required positional argument (Python's TypeError)."),
    ]
    return Fixture("optax/lion.json", "optax.lion (optax 0.2.8): the paper's two-beta Lion.", lion)


@FILES.file("optax/sign_sgd.json")
def optax_sign_sgd():
    R = replay_case
    cases = [
        R("optax", "sign_sgd", "basic", {"learning_rate": 0.01},
          "optax.sign_sgd: w <- w - lr*sign(g), no state and no weight decay (Descent maps it onto Lion with "
          "b1 = 0); catches lion's default weight_decay carried over, a momentum (b1 != 0), and a step scaled "
          "by |g|."),
        R("optax", "sign_sgd", "lr-schedule", {"learning_rate": 0.02},
          "A learning_rate injected per step: catches a cached lr.", lr_base=0.02),
        R("optax", "sign_sgd", "zero-grads", {"learning_rate": 0.01},
          "A tensor starting at 0 and a tensor whose gradient is always 0: sign(0) = 0 leaves it unmoved; catches "
          "sign(0) taken as +1.", zero_params=(0,), zero_grads=(3,)),
        R("optax", "sign_sgd", "learning-rate-none", {"learning_rate": None},
          "learning_rate=None: scale_by_learning_rate(None) is the identity, so sign(g) is ADDED; catches None "
          "read as a default lr."),
        error_case("optax", "sign_sgd", "missing-learning-rate", {},
                   "learning_rate is a required positional argument (Python's TypeError)."),
    ]
    return Fixture("optax/sign_sgd.json", "optax.sign_sgd (optax 0.2.8): signSGD, Lion with b1 = 0.", cases)


def signum_state_case():
    """The state after every step (EmaState: count, ema), from optax_runner.replay_case."""
    import feature_cases

    cid = "optax/signum/state"
    params, grads = _inputs(cid, 8)
    return feature_cases.case(cid, SOURCES["optax"], "optax", "signum", {"learning_rate": 0.01, "beta": 0.7},
                              "The state after every step: ema's count and ema (Lion's m in Descent), the EMA of the "
                              "gradient from 0; catches a debiased ema stored, and the momentum of a two-beta Lion.",
                              ["state"], params, grads, TOL)


@FILES.file("optax/signum.json")
def optax_signum():
    R = replay_case
    cases = [
        R("optax", "signum", "defaults", {"learning_rate": 0.01},
          "optax.signum defaults: m <- beta*m + (1-beta)*g from 0 (ema, not debiased), w <- w - lr*sign(m), no "
          "weight decay (Descent maps it onto Lion with b1 = b2 = beta); catches the sign of g instead of m, a "
          "debiased ema (the same sign: only a wrong beta shows), lion's b2 0.99 kept, and lion's weight decay."),
        R("optax", "signum", "beta-lr-schedule", {"learning_rate": 0.02, "beta": 0.6},
          "beta 0.6 with an injected per-step lr: catches beta ignored, beta and 1-beta swapped, and a cached lr.",
          lr_base=0.02),
        R("optax", "signum", "small-beta", {"learning_rate": 0.01, "beta": 0.2, "accumulator_dtype": None},
          "beta 0.2 (the gradient dominates m): catches beta and 1-beta swapped."),
        R("optax", "signum", "learning-rate-none", {"learning_rate": None, "beta": 0.8},
          "learning_rate=None: the identity, so sign(m) is ADDED; catches None read as a default lr."),
        error_case("optax", "signum", "missing-learning-rate", {"beta": 0.9},
                   "learning_rate is a required positional argument (Python's TypeError)."),
        signum_state_case(),
    ]
    return Fixture("optax/signum.json", "optax.signum (optax 0.2.8): signSGD with an EMA, Lion with b1 = b2 = beta.",
                   cases)


@FILES.file("optax/lamb.json")
def optax_lamb():
    R = replay_case
    lamb = [
        R("optax", "lamb", "defaults", {"learning_rate": 1e-3},
          "optax.lamb defaults (eps 1e-6, no decay): trust ratio ||w||/||u|| per tensor on the bias-corrected "
          "Adam update; catches a global (all-tensor) norm, bias correction dropped, and pytorch_optimizer's "
          "clip of ||w|| at 10."),
        R("optax", "lamb", "decay-lr-schedule", {"learning_rate": 0.01, "weight_decay": 0.1},
          "Decay is added to the Adam update BEFORE the trust ratio (it enters ||u||); lr injected per step; "
          "catches decay outside the ratio and a cached lr.", lr_base=0.01),
        R("optax", "lamb", "mask", {"learning_rate": 0.01, "weight_decay": 0.2, "mask": [False, True, True, False]},
          "mask: tensors 0 and 3 are not decayed; catches an ignored mask."),
        R("optax", "lamb", "eps-root", {"learning_rate": 0.01, "b1": 0.8, "b2": 0.95, "eps": 1e-3, "eps_root": 1e-6},
          "Large eps and eps_root: u = m_hat/(sqrt(v_hat + eps_root) + eps); catches eps and eps_root swapped "
          "or eps inside the root."),
        R("optax", "lamb", "large-weights", {"learning_rate": 0.01},
          "A tensor with ||w|| ~ 50: optax does NOT clip ||w|| (pytorch_optimizer clips it at 10); catches the "
          "clip.", scale_params=(0, 25.0)),
        R("optax", "lamb", "zero-norms", {"learning_rate": 0.01, "weight_decay": 0.01},
          "Tensor 0 starts at exactly 0 (||w|| = 0 -> ratio 1 on the first step) and tensor 3 gets zero "
          "gradients (u = wd*w, ratio 1/wd); catches a zero ratio for zero weights and ratio 1 for zero "
          "gradients.", zero_params=(0,), zero_grads=(3,)),
        error_case("optax", "lamb", "missing-learning-rate", {"b1": 0.9},
                   "learning_rate is a required positional argument (Python's TypeError)."),
    ]
    return Fixture("optax/lamb.json", "optax.lamb (optax 0.2.8).", lamb)


@FILES.file("optax/lars.json")
def optax_lars():
    R = replay_case
    lars = [
        R("optax", "lars", "defaults", {"learning_rate": 0.5},
          "optax.lars defaults: trust_coefficient 1e-3, eps 0, momentum 0.9, every tensor (1-D too) scaled by "
          "tc*||w||/||g||; catches pytorch_optimizer's exclusion of 1-D tensors and lr outside the trace."),
        R("optax", "lars", "decay-lr-schedule", {"learning_rate": 0.5, "weight_decay": 0.1, "trust_coefficient": 0.01},
          "Decay enters the update before the ratio (||g + wd*w|| in the denominator, not ||g|| + wd*||w||), and "
          "the lr is applied BEFORE the momentum trace: an lr changed mid-run stays in the buffer; catches lr "
          "outside the momentum.", lr_base=0.5),
        R("optax", "lars", "nesterov", {"learning_rate": 0.3, "weight_decay": 0.05, "momentum": 0.8, "nesterov": True,
                                        "trust_coefficient": 0.02},
          "nesterov: update = u + momentum*trace_new; catches the plain trace and the torch form."),
        R("optax", "lars", "masks", {"learning_rate": 0.5, "weight_decay": 0.1, "trust_coefficient": 0.01,
                                     "weight_decay_mask": [True, False, True, True],
                                     "trust_ratio_mask": [True, True, False, False]},
          "weight_decay_mask and trust_ratio_mask per tensor; catches the masks swapped or ignored."),
        R("optax", "lars", "eps-zero-norms", {"learning_rate": 0.5, "eps": 1e-3, "trust_coefficient": 0.05},
          "eps in the ratio's denominator; tensor 3 gets zero gradients (||u|| = 0 -> ratio 1, not tc*||w||/eps) "
          "and tensor 0 starts at 0; catches the zero-norm guard applied to ||u|| + eps.",
          zero_params=(0,), zero_grads=(3,)),
        R("optax", "lars", "no-momentum", {"learning_rate": 0.5, "momentum": 0.0, "weight_decay": 0.02},
          "momentum 0: plain trust-ratio SGD; catches a momentum default applied anyway."),
        R("optax", "lars", "no-trust-ratio", {"learning_rate": 0.05, "trust_ratio_mask": False, "weight_decay": 0.01},
          "trust_ratio_mask False: SGD with decay and lr-inside momentum; catches the mask ignored."),
        R("optax", "lars", "decay-mask-false", {"learning_rate": 0.5, "weight_decay": 0.1, "weight_decay_mask": False,
                                                "trust_coefficient": 0.01},
          "weight_decay_mask=False: no tensor is decayed although weight_decay is set; catches the mask ignored."),
        error_case("optax", "lars", "missing-learning-rate", {},
                   "learning_rate is a required positional argument (Python's TypeError)."),
    ]
    return Fixture("optax/lars.json", "optax.lars (optax 0.2.8).", lars)


# ---------------------------------------------------------------------------------------------
# lion_pytorch


@FILES.file("lion_pytorch/Lion.json")
def lion_pytorch_lion():
    R = replay_case
    C = "lion_pytorch"
    cases = [
        R(C, "Lion", "defaults", {},
          "lion-pytorch defaults: lr 1e-4, betas (0.9, 0.99), weight_decay 0; catches a wrong default lr and "
          + ONE_BETA + "."),
        R(C, "Lion", "betas-lr-schedule", {"lr": 0.01, "betas": [0.5, 0.95]},
          "Custom betas (first for c, second for the momentum) and an lr changed per step through "
          "param_group['lr']; catches swapped betas and a cached lr.", lr_base=0.01),
        R(C, "Lion", "decay-lr-schedule", {"lr": 0.01, "weight_decay": 0.3},
          "w *= 1 - lr*wd BEFORE the sign step, with the lr in force; catches unscaled decay and decay of the "
          "updated weights.", lr_base=0.01),
        R(C, "Lion", "decoupled-lr-schedule", {"lr": 0.01, "weight_decay": 0.05, "decoupled_weight_decay": True},
          "decoupled_weight_decay: wd is divided by the INITIAL lr (constructor argument), so the decay factor is "
          "1 - lr_t*wd/lr_0; catches dividing by the current lr (decay independent of the schedule) and the flag "
          "ignored.", lr_base=0.01),
        R(C, "Lion", "use-triton-false-zero", {"lr": 0.003, "betas": [0.3, 0.99], "weight_decay": 0.1,
                                                "use_triton": False},
          "use_triton=False accepted; b1 < 0.5; a zero tensor and an always-zero gradient: sign(0) = 0; catches "
          "sign(0) = +1.", zero_params=(0,), zero_grads=(3,)),
        error_case(C, "Lion", "invalid-lr", {"lr": 0.0}, "lr must be > 0 (assert lr > 0.): lr = 0 is rejected."),
        error_case(C, "Lion", "invalid-beta", {"betas": [0.9, 1.5]}, "Each beta must be in [0, 1] (an assertion)."),
    ]
    return Fixture("lion_pytorch/Lion.json", "lion_pytorch.Lion (lion-pytorch 0.2.5, torch 2.15.0 float64).", cases)


# ---------------------------------------------------------------------------------------------
# pytorch_optimizer


@FILES.file("pytorch_optimizer/Lion.json")
def pytorch_optimizer_lion():
    R = replay_case
    C = "pytorch_optimizer"
    E = error_case
    lion = [
        R(C, "Lion", "defaults", {},
          "pytorch_optimizer.Lion defaults: lr 1e-4, betas (0.9, 0.99), weight_decay 0, momentum via lerp; "
          "catches " + ONE_BETA + "."),
        R(C, "Lion", "decay-lr-schedule", {"lr": 0.01, "weight_decay": 0.3},
          "weight_decouple (default True): w *= 1 - lr*wd before the step with the lr in force.", lr_base=0.01),
        R(C, "Lion", "fixed-decay", {"lr": 0.01, "weight_decay": 0.02, "fixed_decay": True},
          "fixed_decay: w *= 1 - wd, NOT scaled by lr; lr changes mid-run; catches the flag ignored.", lr_base=0.01),
        R(C, "Lion", "coupled-decay", {"lr": 0.01, "weight_decay": 0.5, "weight_decouple": False},
          "weight_decouple=False: wd*w is added to the gradient, so it enters c AND the momentum; catches "
          "decoupled decay and decay in c only."),
        R(C, "Lion", "maximize-coupled", {"lr": 0.01, "weight_decay": 0.2, "weight_decouple": False,
                                          "maximize": True, "betas": [0.3, 0.9]},
          "maximize negates the gradient BEFORE the coupled decay is added; b1 < 0.5 (lerp's other branch); "
          "catches negating the update or the decayed gradient."),
        R(C, "Lion", "per-param-zero", {"lr": 0.01, "foreach": False, "weight_decay": 0.1},
          "foreach=False (the per-parameter path); a zero tensor and an always-zero gradient: sign(0) = 0.",
          zero_params=(0,), zero_grads=(3,)),
        R(C, "Lion", "adanorm", {"lr": 0.01, "adanorm": True, "betas": [0.9, 0.9]},
          "adanorm (r 0.95): the MOMENTUM takes g*e/||g|| when the running norm e exceeds ||g|| (c keeps g); "
          "b1 = b2 so only the momentum path differs; catches adanorm ignored or applied to c."),
        R(C, "Lion", "adanorm-r-coupled", {"lr": 0.01, "adanorm": True, "adanorm_r": 0.7, "weight_decay": 0.2,
                                           "weight_decouple": False},
          "adanorm_r 0.7 with coupled decay (the norm is taken of g + wd*w); catches the default r."),
        R(C, "Lion", "cautious", {"lr": 0.01, "cautious": True, "weight_decay": 0.1, "maximize": True},
          "cautious: sign(c) kept only where it agrees with the gradient, rescaled by N/(agreeing + 1) per "
          "tensor; catches cautious ignored, the rescaling missing or counted over all tensors.", lr_base=0.01),
        R(C, "Lion", "cautious-adanorm-zero", {"lr": 0.01, "cautious": True, "adanorm": True, "betas": [0.5, 0.95]},
          "cautious with adanorm, a zero tensor and an always-zero gradient (||g|| = 0: no rescaling, nothing "
          "agrees).", zero_params=(0,), zero_grads=(3,)),
        R(C, "Lion", "use-gc", {"lr": 0.01, "use_gc": True, "betas": [0.8, 0.99]},
          "use_gc: each row of an ndim > 1 gradient loses its mean over the other axes (the (1, 6) matrix as one "
          "row, the 3-D tensor per leading index; 1-D tensors untouched); catches centralization ignored, over "
          "the whole tensor, or applied to vectors.", lr_base=0.01),
        R(C, "Lion", "use-gc-everything", {"lr": 0.01, "use_gc": True, "maximize": True, "weight_decay": 0.2,
                                           "weight_decouple": False, "cautious": True, "adanorm": True},
          "use_gc after maximize and before the coupled decay, with cautious and adanorm seeing the centralized "
          "gradient; catches the wrong order."),
        E(C, "Lion", "invalid-lr", {"lr": -1}, "A negative lr: NegativeLRError, lr printed as Python prints an int."),
        E(C, "Lion", "invalid-lr-float", {"lr": -0.001}, "A negative float lr: printed with repr."),
        E(C, "Lion", "invalid-beta1", {"betas": [1.0, 0.99]}, "beta1 must be in [0, 1)."),
        E(C, "Lion", "invalid-beta2", {"betas": [0.9, -0.1]}, "beta2 must be in [0, 1)."),
        E(C, "Lion", "invalid-weight-decay", {"weight_decay": -0.1}, "Negative weight_decay."),
    ]
    return Fixture("pytorch_optimizer/Lion.json", "pytorch_optimizer.Lion (pytorch-optimizer 4.1.0, torch 2.15.0 float64).", lion)


@FILES.file("pytorch_optimizer/Lamb.json")
def pytorch_optimizer_lamb():
    R = replay_case
    C = "pytorch_optimizer"
    E = error_case
    lamb = [
        R(C, "Lamb", "defaults", {},
          "pytorch_optimizer.Lamb defaults: lr 1e-3, eps 1e-6, no moment bias correction but step size "
          "lr/(1 - b1^t) (adam_debias False), ||w|| clipped at 10, ratio ||w||/(||u|| + eps); catches optax's "
          "bias-corrected moments and a missing 1/bc1."),
        R(C, "Lamb", "large-weights", {"lr": 0.01},
          "A tensor with ||w|| ~ 50: the weight norm is clamped at 10 in the ratio; catches the clamp missing.",
          scale_params=(0, 25.0)),
        R(C, "Lamb", "decoupled-lr-schedule", {"lr": 0.01, "weight_decay": 0.1},
          "weight_decouple (default): w *= 1 - lr*wd before the trust ratio is measured (||w|| of the decayed "
          "weights); lr changed per step.", lr_base=0.01),
        R(C, "Lamb", "fixed-decay", {"lr": 0.01, "weight_decay": 0.05, "fixed_decay": True},
          "fixed_decay: w *= 1 - wd not scaled by lr.", lr_base=0.01),
        R(C, "Lamb", "coupled-decay", {"lr": 0.01, "weight_decay": 0.1, "weight_decouple": False},
          "weight_decouple=False: wd*w added to the Adam update (inside ||u||), not to the gradient; catches "
          "L2 decay in the moments."),
        R(C, "Lamb", "adam-debias", {"lr": 0.01, "adam_debias": True, "betas": [0.8, 0.99]},
          "adam_debias=True: step size lr, no 1/bc1; catches the flag ignored."),
        R(C, "Lamb", "no-grad-averaging", {"lr": 0.01, "grad_averaging": False},
          "grad_averaging=False: m = b1*m + g (no 1 - b1); catches the flag ignored."),
        R(C, "Lamb", "adam", {"lr": 0.01, "adam": True, "weight_decay": 0.05},
          "adam=True: trust ratio 1 (plain Adam-style step with lr/bc1); catches the ratio applied anyway."),
        R(C, "Lamb", "pre-norm-maximize", {"lr": 0.01, "pre_norm": True, "maximize": True},
          "pre_norm: gradients scaled by min(1, max_grad_norm/(||g||_global + eps)), the global norm taken "
          "over ALL tensors (in float32, as the library does) — tiny gradients vs eps show it; maximize; catches "
          "per-tensor clipping and pre_norm ignored. Tolerance 1e-6: the library's factor is float32 and torch's "
          "float32 sqrt is not correctly rounded (1 ulp = 6e-8 relative off in ~17% of inputs), which eps "
          "amplifies; both mistakes named move the trajectory by more than 1e-3.",
          tolerance=PRE_NORM_TOL),
        R(C, "Lamb", "pre-norm-off", {"lr": 0.01, "pre_norm": True, "max_grad_norm": 0.0, "eps": 1e-4},
          "max_grad_norm 0 disables the pre-normalisation even with pre_norm=True."),
        R(C, "Lamb", "rectify", {"lr": 0.01, "rectify": True, "betas": [0.9, 0.99], "weight_decay": 0.01},
          "rectify (RAdam-style) over 24 steps: no parameter step until n_sma >= 5 (decoupled decay still "
          "applies), then lr*r_t/bc1; the ratio uses ||w - step*m/(sqrt(v)+eps)|| as the library computes it; "
          "catches the standard LAMB ratio under rectify.", steps=RECTIFY_STEPS),
        R(C, "Lamb", "rectify-degenerated", {"lr": 0.01, "rectify": True, "degenerated_to_sgd": True,
                                             "n_sma_threshold": 8, "weight_decay": 0.1, "weight_decouple": False},
          "degenerated_to_sgd: SGD-with-momentum steps until n_sma >= 8; coupled decay is DROPPED under rectify "
          "(the library only adds it in the non-rectified branch); catches the threshold ignored and decay "
          "applied.", steps=RECTIFY_STEPS, lr_base=0.01),
        R(C, "Lamb", "zero-norms", {"lr": 0.01, "weight_decay": 0.01, "weight_decouple": False},
          "A tensor starting at 0 (ratio 1) and a tensor with zero gradients (u = wd*w, ratio ~1/wd); catches "
          "zero-norm guards.", zero_params=(0,), zero_grads=(3,)),
        R(C, "Lamb", "adanorm", {"lr": 0.01, "adanorm": True, "adanorm_r": 0.9, "weight_decay": 0.01},
          "adanorm: m takes g*e/||g|| when the running norm e exceeds ||g|| (v keeps g); catches adanorm ignored "
          "or applied to v.", lr_base=0.01),
        R(C, "Lamb", "adanorm-rectify", {"lr": 0.01, "adanorm": True, "rectify": True, "degenerated_to_sgd": True},
          "adanorm under rectify (the per-parameter path), SGD steps before the threshold.", steps=RECTIFY_STEPS),
        E(C, "Lamb", "invalid-lr", {"lr": -0.5}, "A negative lr: NegativeLRError."),
        E(C, "Lamb", "invalid-beta1", {"betas": [1.0, 0.999]}, "beta1 must be in [0, 1)."),
        E(C, "Lamb", "invalid-max-grad-norm", {"max_grad_norm": -1.0}, "max_grad_norm must be non-negative."),
        E(C, "Lamb", "invalid-eps", {"eps": -1e-6}, "eps must be non-negative."),
        E(C, "Lamb", "validation-order", {"weight_decay": -1.0, "eps": -1.0},
          "Several invalid values: weight_decay is checked before eps."),
    ]
    return Fixture("pytorch_optimizer/Lamb.json", "pytorch_optimizer.Lamb (pytorch-optimizer 4.1.0, torch 2.15.0 float64).", lamb)


@FILES.file("pytorch_optimizer/LARS.json")
def pytorch_optimizer_lars():
    R = replay_case
    C = "pytorch_optimizer"
    E = error_case
    lars = [
        R(C, "LARS", "defaults", {},
          "pytorch_optimizer.LARS defaults: lr 1e-3, momentum 0.9, trust_coefficient 1e-3; 1-D tensors are "
          "EXCLUDED (no ratio, no decay) while a (1, 6) matrix is not (ndim > 1); catches optax's all-tensor "
          "ratio and exclusion by element count."),
        R(C, "LARS", "decay-lr-schedule", {"lr": 0.5, "weight_decay": 0.01, "trust_coefficient": 0.01},
          "Ratio tc*||w||/(||g|| + wd*||w||) (the paper's denominator, not ||g + wd*w||), decay added to the "
          "gradient for ndim > 1 only; the lr multiplies the momentum buffer's output (outside), so an lr changed "
          "mid-run does not persist; catches optax's lr-inside form.", lr_base=0.5),
        R(C, "LARS", "dampening", {"lr": 0.5, "momentum": 0.8, "dampening": 0.3, "trust_coefficient": 0.01},
          "dampening applies from the first step (zero-initialised buffer, unlike torch SGD); catches torch's "
          "first-step clone and dampening ignored."),
        R(C, "LARS", "nesterov", {"lr": 0.5, "nesterov": True, "weight_decay": 0.05, "trust_coefficient": 0.01},
          "nesterov: g + momentum*buf; catches the plain buffer."),
        R(C, "LARS", "no-momentum-maximize", {"lr": 0.5, "momentum": 0.0, "maximize": True, "weight_decay": 0.02,
                                              "trust_coefficient": 0.01},
          "momentum 0 (no buffer) with maximize: the gradient is negated before the ratio and decay; catches "
          "maximize applied to the update."),
        R(C, "LARS", "zero-norms", {"lr": 0.5, "weight_decay": 0.01, "trust_coefficient": 0.01},
          "A matrix starting at 0 (ratio 1) and a matrix with zero gradients (denominator wd*||w|| > 0, ratio "
          "tc/wd); catches the guard applied to ||g|| alone.", zero_params=(0,), zero_grads=(3,)),
        E(C, "LARS", "invalid-lr", {"lr": -1.0}, "A negative lr: NegativeLRError."),
        E(C, "LARS", "invalid-momentum", {"momentum": 1.0}, "momentum must be in [0, 1)."),
        E(C, "LARS", "invalid-dampening", {"dampening": -0.1}, "dampening must be in [0, 1)."),
        E(C, "LARS", "invalid-trust-coefficient", {"trust_coefficient": -0.001}, "trust_coefficient must be non-negative."),
        E(C, "LARS", "invalid-weight-decay", {"weight_decay": -0.01}, "weight_decay must be non-negative."),
    ]
    return Fixture("pytorch_optimizer/LARS.json", "pytorch_optimizer.LARS (pytorch-optimizer 4.1.0, torch 2.15.0 float64).", lars)


# ---------------------------------------------------------------------------------------------
@FILES.file("pytorch_optimizer/Tiger.json")
def pytorch_optimizer_tiger():
    R = replay_case
    C = "pytorch_optimizer"
    E = error_case
    tiger = [
        R(C, "Tiger", "defaults", {},
          "pytorch_optimizer.Tiger defaults: lr 1e-3, beta 0.965, weight_decay 0.01 decoupled (x lr): "
          "m <- lerp(m, g, 1 - beta), w <- w - lr*sign(m) with the NEW m; catches the sign of the old m, "
          "Lion's two default betas, and the decay left at Lion's default 0."),
        R(C, "Tiger", "beta-lr-schedule", {"lr": 0.01, "beta": 0.3, "weight_decay": 0.1},
          "beta < 0.5 (lerp's other branch) and an lr that changes mid-run (the decay uses the lr in force).",
          lr_base=0.01),
        R(C, "Tiger", "fixed-decay", {"lr": 0.01, "weight_decay": 0.02, "fixed_decay": True},
          "fixed_decay: w *= 1 - wd, NOT scaled by lr; catches the flag ignored.", lr_base=0.01),
        R(C, "Tiger", "coupled-decay", {"lr": 0.01, "weight_decay": 0.5, "weight_decouple": False, "beta": 0.9},
          "weight_decouple=False: wd*w is added to the gradient before the EMA; catches decoupled decay."),
        R(C, "Tiger", "maximize-coupled", {"lr": 0.01, "weight_decay": 0.2, "weight_decouple": False,
                                           "maximize": True},
          "maximize negates the gradient BEFORE the coupled decay is added."),
        R(C, "Tiger", "per-param-zero-no-decay", {"lr": 0.01, "foreach": False, "weight_decay": 0.0, "beta": 0.0},
          "foreach=False, no decay and beta 0 (signSGD: m = g); a zero tensor and an always-zero gradient: "
          "sign(0) = 0.", zero_params=(0,), zero_grads=(3,)),
        R(C, "Tiger", "kwargs-dropped", {"lr": 0.01, "adanorm": True, "cautious": True, "use_gc": True},
          "Tiger's **kwargs are dropped (unlike Lion's, which go into the group defaults): adanorm, cautious "
          "and use_gc change nothing here; catches an implementation that honours them."),
        E(C, "Tiger", "invalid-lr", {"lr": -1}, "A negative lr: NegativeLRError."),
        E(C, "Tiger", "invalid-beta", {"beta": 1.0}, "beta must be in [0, 1)."),
        E(C, "Tiger", "invalid-weight-decay", {"weight_decay": -0.1}, "Negative weight_decay."),
    ]
    # Tiger is pytorch_optimizer's own Lion with betas (beta, beta): checked on the library, bit for bit.
    for case in tiger:
        if "expected_error" in case:
            continue
        hp = dict(case["optimizer"]["hyperparameters"])
        beta = hp.pop("beta", 0.965)
        hp.setdefault("weight_decay", 0.01)
        hp.setdefault("lr", 1e-3)
        for k in ("adanorm", "cautious", "use_gc"):
            hp.pop(k, None)
        grads = [step["grads"] for step in case["steps"]]
        lrs = [step["lr"] for step in case["steps"]] if "lr" in case["steps"][0] else None
        lion = run(C, "Lion", {**hp, "betas": [beta, beta]}, case["params"], len(grads), grads=grads, lrs=lrs)
        if lion != [step["expected"] for step in case["steps"]]:
            raise AssertionError(f"{case['id']}: Tiger differs from pytorch_optimizer Lion(betas=(beta, beta))")
    return Fixture("pytorch_optimizer/Tiger.json", "pytorch_optimizer.Tiger (pytorch-optimizer 4.1.0, torch 2.15.0 "
                   "float64): Lion with b1 = b2 = beta (checked against the library's Lion when generated).", tiger)


# closed-loop problems


PROBLEM_SPECS = {
    "optax": [
        ("lion", "decay", {"learning_rate": 0.02, "weight_decay": 0.1}, 0.02),
        ("lamb", "decay", {"learning_rate": 0.02, "weight_decay": 0.01}, None),
        ("lars", "nesterov", {"learning_rate": 1.0, "trust_coefficient": 0.02, "nesterov": True}, None),
    ],
    "lion_pytorch": [
        ("Lion", "decay", {"lr": 0.02, "weight_decay": 0.1}, 0.02),
    ],
    "pytorch_optimizer": [
        ("Lion", "decay", {"lr": 0.02, "weight_decay": 0.1}, 0.02),
        ("Lamb", "decay", {"lr": 0.02, "weight_decay": 0.01}, None),
        ("LARS", "momentum", {"lr": 0.01, "weight_decay": 0.01}, None),
    ],
}


def problem_fixture(conv):
    cases = []
    for pname, problem, params in common.standard_problems():
        for name, tag, hp, lr_base in PROBLEM_SPECS[conv]:
            if pname == "rosenbrock" and name == "LARS":
                hp = {**hp, "lr": 2e-4}   # 1-D: plain momentum SGD; keep it stable on rosenbrock
            cases.append(problem_case(
                conv, name, tag, hp, pname, problem, params,
                f"Closed loop on {pname}: the gradient at each step comes from the current parameters, so an "
                f"error compounds through the trajectory instead of staying local to one step.",
                lr_base=lr_base))
    return Fixture(f"{conv}/problems/lion_lamb.json",
                   f"Lion / LAMB / LARS ({conv}) on the standard closed-loop problems (quadratic, rosenbrock, "
                   f"ridge).", cases)


for _conv in PROBLEM_SPECS:
    FILES.add(f"{_conv}/problems/lion_lamb.json", functools.partial(problem_fixture, _conv))


SIGN_PROBLEM_SPECS = [
    ("sign_sgd", "lr-schedule", {"learning_rate": 0.02}, 0.02),
    ("signum", "beta", {"learning_rate": 0.02, "beta": 0.7}, None),
]


@FILES.file("optax/problems/sign.json")
def sign_problem_fixture():
    cases = []
    for pname, problem, params in common.standard_problems():
        for name, tag, hp, lr_base in SIGN_PROBLEM_SPECS:
            cases.append(problem_case(
                "optax", name, tag, hp, pname, problem, params,
                f"Closed loop on {pname}: every step moves each coordinate by exactly lr (or 0), so the iterate "
                f"oscillates around the minimum; a wrong sign or a wrong momentum changes every later gradient.",
                lr_base=lr_base))
    return Fixture("optax/problems/sign.json",
                   "optax sign_sgd / signum on the standard closed-loop problems (quadratic, rosenbrock, ridge).", cases)


def generate():
    return FILES.build_all()
