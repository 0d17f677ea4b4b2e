"""Golden fixtures for ADOPT (Taniguchi et al. 2024): optax.contrib.adopt (optax 0.2.8, jax x64) and
pytorch_optimizer.ADOPT (pytorch-optimizer 4.1.0, torch 2.15.0 float64).

Both libraries: the first step only sets v = g² (the parameters do not move, but for
pytorch_optimizer's weight decay, which is applied before that first step's return); every later
step normalises the gradient by max(√v_prev, eps) BEFORE the momentum, clips it to ±c, takes the
momentum, moves the parameters by −lr·m, and only then folds g² into v. They differ in:
- the clip value: optax c = count^0.25 with count = t − 1 (0, 1, 2^0.25, … at steps 1, 2, 3, …),
  pytorch_optimizer c = t^0.25 (its group step; first clip at step 2 is 2^0.25); optax
  `use_clipping=False`, pytorch_optimizer `clip_lambda=None` turn it off;
- nesterov (optax only: the update is b1·m + (1 − b1)·n with the new m);
- weight decay (pytorch_optimizer only: coupled by default, weight_decouple, fixed_decay);
- maximize (pytorch_optimizer only); the momentum as an EMA (optax) or a lerp (pytorch_optimizer).

Gradients: common.discriminating_grads (scales 1e-8..10, exact zeros, dead elements): an element
whose gradient was 0 at every earlier step has v = 0, so its next nonzero gradient is divided by
eps (1e-6) and the clip decides the step. Every case says which mistake it is designed to catch.
"""
from __future__ import annotations

import common
import feature_cases
import gen_lion_lamb
from common import Fixture
from runners import optax as optax_runner

STEPS = 16
STATE_STEPS = 8
SHAPES = [(3, 4), (5,), (2, 1, 3)]
TOL = {"rtol": 1e-9, "atol": 1e-12}
SOURCES = gen_lion_lamb.SOURCES
FILES = common.Files()


def _inputs(cid, steps, zero_params=(), zero_grads=(), late=None):
    """Initial parameters and gradients; `zero_params` tensors start at 0, `zero_grads` tensors get
    0 at every step; `late` = (i, k): tensor i has no gradient (None) for its first k steps."""
    rng = common.case_rng(cid)
    params = common.initial_params(rng, SHAPES)
    grads = common.discriminating_grads(rng, SHAPES, steps)
    for i in zero_params:
        params[i]["values"] = [0.0] * len(params[i]["values"])
    for step in grads:
        for i in zero_grads:
            step[i] = [0.0] * len(step[i])
    if late is not None:
        i, k = late
        for step in grads[:k]:
            step[i] = None
    return params, grads


def replay_case(conv, tag, hp, description, lr_base=None, **inputs):
    name = "adopt" if conv == "optax" else "ADOPT"
    cid = f"{conv}/{name}/{tag}"
    params, grads = _inputs(cid, STEPS, **inputs)
    lrs = common.lr_sequence(lr_base, STEPS) if lr_base is not None else None
    expected = gen_lion_lamb.run(conv, name, hp, params, STEPS, grads=grads, lrs=lrs)
    return common.optimizer_case(cid, SOURCES[conv], conv, name, hp, params,
                                 common.trajectory_steps(expected, grads, lrs), description, TOL)


def feature_case(conv, tag, hp, description, features, resume=None, **inputs):
    name = "adopt" if conv == "optax" else "ADOPT"
    cid = f"{conv}/{name}/{tag}"
    params, grads = _inputs(cid, STATE_STEPS, **inputs)
    return feature_cases.case(cid, SOURCES[conv], conv, name, hp, description, features, params, grads, TOL,
                              resume=resume)


def error_case(conv, tag, hp, description):
    """An argument-validation case, as gen_lion_lamb writes its own (the same sources)."""
    return gen_lion_lamb.error_case(conv, "adopt" if conv == "optax" else "ADOPT", tag, hp, description)


FIRST = ("the first step only sets v = g² and leaves the parameters where they are; catches a first step that "
         "moves them (Adam's update at t = 1)")


@FILES.file("optax/adopt.json")
def optax_adopt():
    C = "optax"
    R, F, E = replay_case, feature_case, error_case
    cases = [
        R(C, "defaults", {"learning_rate": 0.01},
          "optax.contrib.adopt defaults: b1 0.9, b2 0.9999, eps 1e-6, use_clipping with c = count^0.25 (count = t − 1: "
          "0 at step 1, 1 at step 2). " + FIRST + "; the gradient normalised by max(√v_prev, eps) AFTER the "
          "momentum instead of before; no clipping (an element whose v is 0 takes g/eps); pytorch_optimizer's "
          "clip t^0.25; v updated before the normalisation."),
        R(C, "betas-lr-schedule", {"learning_rate": 0.02, "b1": 0.8, "b2": 0.9},
          "b1 0.8, b2 0.9 and a changing lr: catches b1 and b2 swapped, 1 − b for b, and a cached lr.", lr_base=0.02),
        R(C, "no-clipping", {"learning_rate": 0.001, "use_clipping": False},
          "use_clipping=False: n = g/max(√v_prev, eps) unclipped (elements with v = 0 take steps of order "
          "lr·(1 − b1)·g/eps); catches clipping applied anyway."),
        R(C, "large-eps", {"learning_rate": 0.01, "eps": 1e-2, "use_clipping": False},
          "eps 1e-2 unclipped: the denominator is max(√v, eps), so every element with √v < 1e-2 is divided by eps "
          "exactly; catches √(v + eps), √v + eps and eps under the root."),
        R(C, "nesterov", {"learning_rate": 0.01, "nesterov": True},
          "nesterov: the update is b1·m + (1 − b1)·n with the NEW m (update_moment applied twice); catches nesterov "
          "ignored and the look-ahead taken from the old m."),
        R(C, "nesterov-no-clipping-lr-schedule", {"learning_rate": 0.005, "b1": 0.7, "nesterov": True,
                                                  "use_clipping": False},
          "nesterov, b1 0.7, no clipping and a changing lr.", lr_base=0.005),
        R(C, "zero-b2", {"learning_rate": 0.01, "b2": 0.0},
          "b2 = 0: v is the previous step's g², so n = g_t/max(|g_{t−1}|, eps); catches v taken after the update "
          "(n = ±1 everywhere)."),
        R(C, "learning-rate-none", {"learning_rate": None, "b1": 0.5},
          "learning_rate None: scale_by_learning_rate(None) is the identity, so the momentum is ADDED; catches None "
          "read as a default lr."),
        R(C, "zero-tensors", {"learning_rate": 0.01},
          "A tensor at exactly 0 and a tensor whose gradient is 0 at every step (v = 0, n = 0/eps = 0: it never "
          "moves).", zero_params=(0,), zero_grads=(1,)),
        F(C, "state", {"learning_rate": 0.01},
          "The state after every step (ScaleByAdamState: count, mu, nu): mu stays 0 at step 1, nu = g² there; "
          "catches nu stored before the normalisation used it and mu updated at step 1.", ["state"]),
        F(C, "resume", {"learning_rate": 0.01},
          "A resume after step 3 through numpy.save of the state: count decides both the first step and the clip.",
          ["resume"], resume=3),
    ]
    cases += common.error_cases("optax", "adopt", [
        ("missing-learning-rate", {"b1": 0.9}, "learning_rate is a required positional argument (Python's TypeError)."),
    ], SOURCES["optax"], TOL, optax_runner.call_error)
    return Fixture("optax/adopt.json", "optax.contrib.adopt goldens (optax 0.2.8, jax x64).", cases)


@FILES.file("pytorch_optimizer/ADOPT.json")
def pytorch_optimizer_adopt():
    C = "pytorch_optimizer"
    R, F, E = replay_case, feature_case, error_case
    cases = [
        R(C, "defaults", {},
          "pytorch_optimizer.ADOPT defaults: lr 1e-3, betas (0.9, 0.9999), eps 1e-6, clip_lambda t^0.25 (t the "
          "group step: 2^0.25 at the first clipped step), weight_decay 0, momentum by lerp. " + FIRST + "; the "
          "normalisation after the momentum; no clipping; optax's clip (t − 1)^0.25."),
        R(C, "betas-lr-schedule", {"lr": 0.02, "betas": [0.8, 0.9]},
          "betas (0.8, 0.9) and a changing lr: catches b1 and b2 swapped and a cached lr.", lr_base=0.02),
        R(C, "small-beta1", {"lr": 0.01, "betas": [0.3, 0.99]},
          "b1 0.3: lerp's weight 1 − b1 ≥ 0.5 takes torch's other branch; catches b1 and 1 − b1 swapped."),
        R(C, "no-clipping", {"lr": 0.001, "clip_lambda": None},
          "clip_lambda=None: no clipping; catches clipping applied anyway."),
        R(C, "large-eps", {"lr": 0.01, "eps": 1e-2, "clip_lambda": None},
          "eps 1e-2 unclipped: the denominator is max(√v, eps); catches √(v + eps) and √v + eps."),
        R(C, "coupled-decay", {"lr": 0.01, "weight_decay": 0.5},
          "weight_decay 0.5, coupled (weight_decouple False, the default): wd·w is added to g before v = g² at step "
          "1 and before the normalisation and v later; catches decoupled decay and decay ignored at step 1."),
        R(C, "decoupled-decay", {"lr": 0.01, "weight_decay": 0.5, "weight_decouple": True},
          "weight_decouple: w ← w·(1 − lr·wd) on EVERY step, the first included (the only change at step 1); "
          "catches a first step that does nothing at all, and coupled decay.", lr_base=0.01),
        R(C, "fixed-decay", {"lr": 0.01, "weight_decay": 0.05, "weight_decouple": True, "fixed_decay": True},
          "fixed_decay: w ← w·(1 − wd), not scaled by the lr in force; catches the flag ignored.", lr_base=0.01),
        R(C, "maximize-coupled", {"lr": 0.01, "weight_decay": 0.2, "maximize": True},
          "maximize negates g BEFORE the coupled decay is added; catches the update negated instead."),
        R(C, "per-param-zero", {"lr": 0.01, "foreach": False},
          "foreach=False (the per-parameter path); a tensor at 0 and one whose gradient is always 0.",
          zero_params=(0,), zero_grads=(1,)),
        F(C, "state", {"lr": 0.01},
          "The state after every step (exp_avg, exp_avg_sq, the group's step): exp_avg stays 0 at step 1, "
          "exp_avg_sq = g² there.", ["state"]),
        F(C, "resume", {"lr": 0.01, "weight_decay": 0.1, "weight_decouple": True},
          "A resume after step 3 through state_dict / torch.save: the group's step decides the clip.",
          ["resume"], resume=3),
        F(C, "late-tensor", {"lr": 0.01},
          "Tensor 2 has no gradient for 3 steps: the group's step advances without it, so its first gradient (group "
          "step 4) is NOT a first step: it is divided by eps (v = 0) and clipped to 4^0.25; catches a per-tensor "
          "first step.", ["missing_grads", "state"], late=(2, 3)),
        E(C, "invalid-lr", {"lr": -0.001}, "A negative lr: NegativeLRError."),
        E(C, "invalid-beta1", {"betas": [1.0, 0.9999]}, "beta1 must be in [0, 1)."),
        E(C, "invalid-beta2", {"betas": [0.9, -0.5]}, "beta2 must be in [0, 1)."),
        E(C, "invalid-weight-decay", {"weight_decay": -0.1}, "Negative weight_decay."),
        E(C, "invalid-eps", {"eps": -1e-6}, "Negative eps."),
    ]
    return Fixture("pytorch_optimizer/ADOPT.json", "pytorch_optimizer.ADOPT (pytorch-optimizer 4.1.0, torch 2.15.0 "
                   "float64).", cases)


def generate():
    return FILES.build_all()
