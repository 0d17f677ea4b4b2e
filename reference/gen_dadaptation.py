"""Golden fixtures for D-Adaptation (Defazio & Mishchenko 2023, "Learning-Rate-Free Learning by
D-Adaptation"): dadaptation.DAdaptAdam, DAdaptSGD and DAdaptLion (dadaptation 3.2, torch 2.15.0 float64) and
optax.contrib.dadapt_adamw (optax 0.2.8, jax x64).

Both libraries run Adam at the adapted lr dlr = d·lr (·the bias correction), where d is a running
lower bound on the distance to the solution: num = Σ dlr·⟨g, s/(√v + eps)⟩ over EVERY tensor (old
s and v), s ← √b2·s + dlr·(1 − √b2)·g, nw ← √b2·nw + (1 − √b2)·num, d ← max(d, nw/((1 − √b2)·‖s‖₁))
with ‖s‖₁ summed over every tensor too; the step w ← w − m/(√v + eps) uses the OLD d (m carries
it). They differ in:
- the bias correction: dadaptation's use_bias_correction (off by default), optax always;
- growth_rate (dadaptation only: d ← max(d, min(d̂, d·growth_rate)));
- the decay: dadaptation coupled (g + wd·w) by default, decouple for w ← w − dlr·wd·w; optax's
  weight_decay is the decoupled one;
- a step whose ‖s‖₁ is 0 (every gradient 0 so far): dadaptation returns before moving the
  parameters and before advancing k; optax's d̂ is 0/0 = NaN (not in these goldens).

DAdaptSGD is dual averaging at dlr = d·lr/g0 (g0 = ‖g‖ of the first step's RAW gradients over every
tensor): s ← s + dlr·g, nw ← nw + dlr·⟨g, s_old⟩, d ← max(d, min(2·nw/‖s‖₂, d·growth_rate)),
w ← momentum·w + (1 − momentum)·(x0 − s).
DAdaptLion is Lion at dlr = d·lr with m ← b2·m + (1 − b2)·dlr·g and s the EMA of dlr·sign steps;
no growth_rate, d0 not validated, lr 0 accepted.
DAdaptAdaGrad (10 steps): alphak from 1e-6, sk ← sk + dlr·g, sksq_weighted and skl1 running sums of each
step's changes, d̂ = (sksq_weighted − gsq_weighted)/skl1, w = x0 − sk/(√alphak + eps) (momentum mixes w in).
DAdaptAdan (10 steps): Adan's m, n, v at dlr, pre_grad = g at the first step, d̂ =
(Σ s²/(√v + eps)/(1 − b3) − gsq_weighted)/‖s‖₁, the proximal decay (w − step)/(1 + dlr·wd) or no_prox's
w·(1 − dlr·wd) − step.

Every case has three tensors of very different gradient scales (common.discriminating_grads), so a
d summed per tensor instead of over all of them is far off. Every case says which mistake it is
designed to catch.
"""
from __future__ import annotations

import common
import gen_lion_lamb
from common import Fixture
from runners import optax as optax_runner
from runners import torch as torch_runner

STEPS = 20
SHAPES = [(3, 4), (5,), (2, 1, 3)]
TOL = {"rtol": 1e-9, "atol": 1e-12}
SOURCES = {"dadaptation": "dadaptation 3.2 (torch 2.15.0)", "optax": "optax 0.2.8"}
NAMES = {"dadaptation": "DAdaptAdam", "optax": "dadapt_adamw"}
FILES = common.Files()


def _inputs(cid, steps, zero_first=0, scale=1.0, drift=0.0, shapes=SHAPES):
    """Initial parameters and gradients (× scale); the first `zero_first` steps' gradients are all 0;
    `drift` adds one fixed direction (× drift) to every step's gradient, so the gradients agree and
    the d estimate grows (with independent gradients DAdaptSGD's numerator stays ≤ 0)."""
    rng = common.case_rng(cid)
    params = common.initial_params(rng, shapes)
    grads = common.discriminating_grads(rng, shapes, steps)
    if drift:
        direction = [rng.standard_normal(len(g)) * drift for g in grads[0]]
        grads = [[[float(x + y) for x, y in zip(g, d)] for g, d in zip(step, direction)] for step in grads]
    grads = [[[x * scale for x in g] for g in step] for step in grads]
    for step in grads[:zero_first]:
        for i in range(len(step)):
            step[i] = [0.0] * len(step[i])
    return params, grads


def replay_case(conv, tag, hp, description, lr_base=None, name=None, steps=STEPS, **inputs):
    name = name or NAMES[conv]
    cid = f"{conv}/{name}/{tag}"
    params, grads = _inputs(cid, steps, **inputs)
    lrs = common.lr_sequence(lr_base, steps) if lr_base is not None else None
    expected = gen_lion_lamb.run(conv, name, hp, params, steps, grads=grads, lrs=lrs)
    return common.optimizer_case(cid, SOURCES[conv], conv, name, hp, params,
                                 common.trajectory_steps(expected, grads, lrs), description, TOL)


def drifting_case(name):
    """replay_case for dadaptation `name`, its gradients drifting (drift 1.0) unless told otherwise."""
    def case(tag, hp, description, drift=1.0, **kw):
        return replay_case("dadaptation", tag, hp, description, name=name, drift=drift, **kw)
    return case


def error_cases(errors, name="DAdaptAdam"):
    return torch_runner.constructor_error_cases("dadaptation", name, errors, SOURCES["dadaptation"], TOL,
                                                f"dadaptation/{name}")


GROUP = ("three tensors of gradient scales 1e-8..10: num and ‖s‖₁ are ONE sum over all of them; catches a d per "
         "tensor")


@FILES.file("dadaptation/DAdaptAdam.json")
def dadaptation_adam():
    C = "dadaptation"
    R = replay_case
    cases = [
        R(C, "defaults", {},
          "dadaptation.DAdaptAdam defaults: lr 1.0, betas (0.9, 0.999), eps 1e-8, d0 1e-6, growth_rate inf, no bias "
          "correction, weight_decay 0. " + GROUP + "; s not weighted by dlr (d then grows by orders of magnitude "
          "more); the step taken with the new d instead of the old; bias correction applied although "
          "use_bias_correction is off."),
        R(C, "bias-correction", {"use_bias_correction": True},
          "use_bias_correction: dlr = d·lr·√(1 − b2ᵏ⁺¹)/(1 − b1ᵏ⁺¹) (k from 0), in the moments, s and the decay; "
          "catches the flag ignored and the correction divided into m and v as Adam's instead."),
        R(C, "growth-rate", {"growth_rate": 1.02},
          "growth_rate 1.02: d grows by at most 2% per step (a warmup); catches the cap missing."),
        R(C, "growth-rate-inf-explicit", {"growth_rate": "inf", "lr": 0.5},
          "growth_rate given as \"inf\" (Python's float('inf')) and lr 0.5: dlr = 0.5·d; catches lr outside "
          "dlr (applied to the step only)."),
        R(C, "large-d0", {"d0": 0.05},
          "d0 0.05, above what the estimate d̂ = nw/((1 − √b2)·‖s‖₁) reaches for several steps: d stays at d0 "
          "until d̂ passes it; catches d ← d̂ (d allowed to shrink)."),
        R(C, "betas-eps", {"betas": [0.8, 0.95], "eps": 1e-3},
          "betas (0.8, 0.95), eps 1e-3: √b2 weighs s and nw; catches b2 for √b2, betas swapped, and eps under "
          "the root."),
        R(C, "coupled-decay", {"weight_decay": 0.1},
          "weight_decay 0.1 with decouple False (the default): g ← g + wd·w BEFORE num, the moments and s; catches "
          "decoupled decay and the raw g in num."),
        R(C, "decoupled-decay", {"weight_decay": 0.1, "decouple": True, "use_bias_correction": True},
          "decouple with bias correction: w ← w − dlr·wd·w (dlr with the OLD d) before the step; catches coupled "
          "decay and a decay not scaled by dlr."),
        R(C, "lr-schedule", {"lr": 1.0, "growth_rate": 1.5},
          "The group's lr changed by a schedule (1, 0.5, 1.7, 0.1), growth_rate 1.5: dlr = d·lr in force; "
          "catches a cached lr and the cap computed from d·lr.", lr_base=1.0),
        R(C, "zero-start-decoupled", {"weight_decay": 0.5, "decouple": True, "log_every": 1},
          "The first 3 steps' gradients are all 0 (‖s‖₁ = 0): DAdaptAdam returns before the decoupled decay and "
          "before k advances, so the parameters do not move until step 4; log_every 1 only logs. Catches the "
          "decay applied on those steps.", zero_first=3),
        R(C, "small-gradients", {"use_bias_correction": True},
          "Gradients scaled by 1e-4: d is scale-free (d̂ is a ratio of sums of g), so the trajectory adapts; "
          "catches an eps-dominated denominator mistaken for the step.", scale=1e-4),
    ]
    cases += error_cases([
        ("invalid-d0", {"d0": 0.0}, "d0 must be > 0 (checked first)."),
        ("invalid-lr", {"lr": -1.0, "eps": 0.0}, "lr must be > 0: checked after d0, before eps."),
        ("invalid-eps", {"eps": 0.0}, "eps must be > 0."),
        ("invalid-beta1", {"betas": [1.0, 0.999]}, "betas[0] must be in [0, 1)."),
        ("invalid-beta2", {"betas": [0.9, -0.5]}, "betas[1] must be in [0, 1)."),
    ])
    return Fixture("dadaptation/DAdaptAdam.json", "dadaptation.DAdaptAdam (dadaptation 3.2, torch 2.15.0 float64).",
                   cases)


@FILES.file("optax/dadapt_adamw.json")
def optax_dadapt_adamw():
    C = "optax"
    R = replay_case
    cases = [
        R(C, "defaults", {},
          "optax.contrib.dadapt_adamw defaults: learning_rate 1.0, betas (0.9, 0.999), eps 1e-8, estim_lr0 1e-6, "
          "weight_decay 0; the bias correction always on (count + 1). " + GROUP + "; dadaptation's default of no "
          "bias correction."),
        R(C, "betas-eps", {"betas": [0.8, 0.95], "eps": 1e-3},
          "betas (0.8, 0.95), eps 1e-3; catches betas swapped and b2 for √b2."),
        R(C, "estim-lr0", {"estim_lr0": 0.05},
          "estim_lr0 0.05, above the early estimates: estim_lr = max(estim_lr, d̂) holds it; catches d allowed "
          "to shrink."),
        R(C, "weight-decay", {"weight_decay": 0.1},
          "weight_decay 0.1: u = −wd·dlr·w − m/(√v + eps), decoupled and scaled by dlr (old estim_lr); catches "
          "dadaptation's default coupled decay."),
        R(C, "lr-schedule", {"learning_rate": 1.0, "weight_decay": 0.05},
          "learning_rate by inject_hyperparams (1, 0.5, 1.7, 0.1): dlr = estim_lr·lr·bc; catches a cached lr.",
          lr_base=1.0),
    ]
    return Fixture("optax/dadapt_adamw.json", "optax.contrib.dadapt_adamw goldens (optax 0.2.8, jax x64).", cases)


@FILES.file("dadaptation/DAdaptSGD.json")
def dadaptation_sgd():
    N = "DAdaptSGD"
    R = drifting_case(N)

    cases = [   # every case's gradients share a drift direction (1.0 per element), so d grows
        R("defaults", {},
          "dadaptation.DAdaptSGD defaults: lr 1.0, momentum 0, weight_decay 0, d0 1e-6, growth_rate inf: w = x0 − s "
          "(dual averaging), dlr = d·lr/g0 with g0 the first step's gradient norm over all tensors. " + GROUP +
          "; d allowed to shrink (d̂ = 2·nw/‖s‖ falls back when the gradients turn)."),
        R("momentum", {"momentum": 0.9},
          "momentum 0.9: w ← w·(1 − ck) + ck·(x0 − s) with ck = 1 − momentum = 0.1 (1 − ck in float64); catches "
          "momentum and 1 − momentum swapped and a heavy-ball momentum buffer."),
        R("growth-rate", {"growth_rate": 1.05, "momentum": 0.5},
          "growth_rate 1.05: d grows by at most 5% per step; catches the cap missing."),
        R("no-drift", {"momentum": 0.3},
          "Independent gradients (no drift): nw stays ≤ 0, so d holds at d0 and the trajectory is plain dual "
          "averaging at d0·lr/g0; catches d ← d̂ (negative or zero) and a d below d0.", drift=0.0),
        R("coupled-decay", {"weight_decay": 0.1},
          "weight_decay 0.1, coupled (g + wd·w in nw and s) but NOT in g0: the library's first-step "
          "`grad.add(p, alpha=decay)` is not in place; catches g0 of the decayed gradient."),
        R("large-d0-lr-schedule", {"d0": 0.05, "lr": 0.5},
          "d0 0.05 (above the early estimates) and lr 0.5 changed by a schedule (0.5, 0.25, 0.85, 0.05): "
          "dlr = d·lr/g0 with the lr in force; catches a cached lr and d allowed to shrink.", lr_base=0.5),
        R("small-gradients", {"momentum": 0.8},
          "Gradients scaled by 1e-4: g0 normalises them, so dlr is scale-free; catches g0 left out.", scale=1e-4),
    ]
    cases += error_cases([
        ("invalid-d0", {"d0": -1e-6, "lr": 0.0}, "d0 must be > 0 (checked before lr)."),
        ("invalid-lr", {"lr": 0.0}, "lr must be > 0."),
    ], name=N)
    return Fixture("dadaptation/DAdaptSGD.json", "dadaptation.DAdaptSGD (dadaptation 3.2, torch 2.15.0 float64).", cases)


@FILES.file("dadaptation/DAdaptLion.json")
def dadaptation_lion():
    N = "DAdaptLion"
    R = drifting_case(N)

    cases = [   # every case's gradients but no-drift's share a drift direction (1.0 per element), so d grows
        R("defaults", {},
          "dadaptation.DAdaptLion defaults: lr 1.0, betas (0.9, 0.99), weight_decay 0, d0 1e-6, no growth_rate; "
          "u = sign(b1·m + (1 − b1)·g) with m ← b2·m + (1 − b2)·dlr·g (m carries dlr, g in the sign does not). "
          + GROUP + "; m of the raw g; d allowed to shrink."),
        R("betas", {"betas": [0.5, 0.9]},
          "betas (0.5, 0.9): b1 in the sign's interpolation, b2 in m, √b2 in s and nw; catches betas swapped."),
        R("weight-decay", {"weight_decay": 0.2, "lr": 0.5},
          "weight_decay 0.2, lr 0.5: w ← w·(1 − dlr·wd) before the signed step, dlr with the old d; catches a decay "
          "scaled by lr alone and a decay after the step."),
        R("lr-schedule", {"lr": 1.0},
          "The group's lr changed by a schedule (1, 0.5, 1.7, 0.1): dlr = d·lr in force; catches a cached lr.",
          lr_base=1.0),
        R("large-d0", {"d0": 0.01},
          "d0 0.01, above the early estimates: d = max(d, d̂) holds it; catches d ← d̂."),
        R("no-drift", {"betas": [0.8, 0.99]},
          "Independent gradients (no drift): the signed steps disagree, d barely moves.", drift=0.0),
        R("zero-lr", {"lr": 0.0},
          "lr 0 is accepted (the check is lr ≥ 0): dlr = 0, s stays 0, every step returns early and nothing moves; "
          "catches lr 0 refused."),
    ]
    cases += error_cases([
        ("invalid-lr", {"lr": -0.5, "d0": -1.0}, "lr must be ≥ 0; d0 is not validated at all (a negative d0 passes)."),
        ("invalid-beta1", {"betas": [1.0, 0.99]}, "betas[0] must be in [0, 1)."),
        ("invalid-beta2", {"betas": [0.9, 1.5]}, "betas[1] must be in [0, 1)."),
    ], name=N)
    return Fixture("dadaptation/DAdaptLion.json", "dadaptation.DAdaptLion (dadaptation 3.2, torch 2.15.0 float64).",
                   cases)


# DAdaptAdaGrad and DAdaptAdan: 10 steps over a 2-D, a 1-element and a 3-D tensor.
NEW_SHAPES = [(3, 4), (1,), (2, 1, 3)]
GROUP_NEW = ("a 2-D, a 1-element and a 3-D tensor of gradient scales 1e-8..10: the d sums are ONE sum over all of "
             "them; catches a d per tensor")


def new_case(name):
    """drifting_case for the DAdaptAdaGrad / DAdaptAdan goldens: 10 steps over NEW_SHAPES."""
    case = drifting_case(name)

    def run(tag, hp, description, **kw):
        return case(tag, hp, description, steps=10, shapes=NEW_SHAPES, **kw)
    return run


@FILES.file("dadaptation/DAdaptAdaGrad.json")
def dadaptation_adagrad():
    N = "DAdaptAdaGrad"
    R = new_case(N)
    cases = [   # every case's gradients but no-drift's share a drift direction (1.0 per element), so d grows
        R("defaults", {},
          "dadaptation.DAdaptAdaGrad defaults: lr 1.0, momentum 0, weight_decay 0, eps 1e-6 (outside the root), d0 "
          "1e-6, growth_rate inf; alphak starts at 1e-6 (not 0), w = x0 − sk/(√alphak + eps). " + GROUP_NEW +
          "; alphak started at 0 (the 1e-8-scale gradients' denominators change by orders of magnitude); d allowed "
          "to shrink."),
        R("momentum", {"momentum": 0.9},
          "momentum 0.9: w ← w·(1 − ck) + ck·z with ck = 1 − momentum (w keeps 0.9 of itself); catches momentum and "
          "1 − momentum swapped and w ← z regardless."),
        R("coupled-decay", {"weight_decay": 0.1},
          "weight_decay 0.1: g ← g + wd·w before alphak, sk and the sums; catches the decay left out or applied to w."),
        R("eps", {"eps": 1e-2, "momentum": 0.5},
          "eps 1e-2: (√alphak + eps) in every denominator (sums and z); catches eps under the root or a default eps."),
        R("growth-rate", {"growth_rate": 1.05},
          "growth_rate 1.05: d grows by at most 5% per step; catches the cap missing."),
        R("large-d0", {"d0": 0.05},
          "d0 0.05, above the early estimates (sksq_weighted − gsq_weighted)/skl1: d = max(d, ·) holds it; catches "
          "d ← d̂."),
        R("lr-schedule", {"lr": 0.5},
          "The group's lr changed by a schedule (0.5, 0.25, 0.85, 0.05): dlr = d·lr in force (sk ← sk + dlr·g, "
          "gsq_weighted += dlr²·Σ g²/(√alphak + eps)); catches a cached lr.", lr_base=0.5),
        R("no-drift", {"momentum": 0.3},
          "Independent gradients (no drift): d barely moves from d0; catches d ← d̂ (which goes negative).",
          drift=0.0),
        R("zero-start", {"log_every": 1, "growth_rate": 2.0},
          "The first 2 steps' gradients are all 0: skl1 = 0, the step returns before moving the parameters and k "
          "does not advance; x0 is the parameters at the first step; log_every 1 only logs; growth_rate 2.",
          zero_first=2),
    ]
    cases += error_cases([
        ("invalid-d0", {"d0": 0.0, "lr": -1.0}, "d0 must be > 0 (checked first)."),
        ("invalid-lr", {"lr": 0.0, "momentum": -1.0}, "lr must be > 0, worded 'Learning rate 0.0 must be positive', "
                                                        "checked before momentum."),
        ("invalid-momentum", {"momentum": -0.5, "eps": 0.0}, "momentum must be ≥ 0 ('Momentum -0.5 must be "
                                                              "non-negative'), checked before eps."),
        ("invalid-eps", {"eps": 0.0}, "eps must be > 0."),
    ], name=N)
    return Fixture("dadaptation/DAdaptAdaGrad.json", "dadaptation.DAdaptAdaGrad (dadaptation 3.2, torch 2.15.0 float64).",
                   cases)


@FILES.file("dadaptation/DAdaptAdan.json")
def dadaptation_adan():
    N = "DAdaptAdan"
    R = new_case(N)
    cases = [
        R("defaults", {},
          "dadaptation.DAdaptAdan defaults: lr 1.0, betas (0.98, 0.92, 0.99), eps 1e-8, weight_decay 0.02 with the "
          "proximal decay (no_prox False: w ← (w − step)/(1 + dlr·wd)), d0 1e-6, growth_rate inf; pre_grad = g at "
          "the first step (δ = 0 there). " + GROUP_NEW + "; the decays swapped; δ = g − 0 at the first step."),
        R("no-prox", {"no_prox": True, "weight_decay": 0.3},
          "no_prox with weight_decay 0.3: w ← w·(1 − dlr·wd) − step; catches the proximal form kept."),
        R("prox-strong", {"weight_decay": 0.5, "d0": 0.01},
          "weight_decay 0.5, d0 0.01 (the decay visible): w ← (w − step)/(1 + dlr·wd); catches no_prox's form."),
        R("no-decay", {"weight_decay": 0.0},
          "weight_decay 0: the parameters move by the step alone; catches a default decay applied anyway."),
        R("betas-eps", {"betas": [0.9, 0.8, 0.95], "eps": 1e-3},
          "betas (0.9, 0.8, 0.95), eps 1e-3: b1 in m, b2 in n, in u = g + b2·δ and in the step, b3 in v, s and "
          "gsq_weighted; catches betas permuted and eps under the root."),
        R("growth-rate", {"growth_rate": 1.05},
          "growth_rate 1.05: d grows by at most 5% per step; catches the cap missing."),
        R("large-d0", {"d0": 0.05, "weight_decay": 0.0},
          "d0 0.05, above the early estimates: d = max(d, d̂) holds it; catches d ← d̂."),
        R("lr-schedule", {"lr": 1.0},
          "The group's lr changed by a schedule (1, 0.5, 1.7, 0.1): dlr = d·lr in force in m, n, s, "
          "gsq_weighted and the decay; catches a cached lr.", lr_base=1.0),
        R("zero-start", {"log_every": 1},
          "The first 2 steps' gradients are all 0: ‖s‖₁ = 0, the step returns before the decay, the step "
          "counters and pre_grad; the first real step sets pre_grad = g (δ = 0); log_every 1 only logs.",
          zero_first=2),
    ]
    cases += error_cases([
        ("invalid-d0", {"d0": -1.0, "lr": 0.0}, "d0 must be > 0 (checked first)."),
        ("invalid-lr", {"lr": 0.0, "eps": 0.0}, "lr must be > 0, checked before eps."),
        ("invalid-eps", {"eps": -1e-8}, "eps must be > 0."),
        ("invalid-beta1", {"betas": [1.0, 0.92, 0.99]}, "betas[0] must be in [0, 1)."),
        ("invalid-beta2", {"betas": [0.98, -0.1, 0.99]}, "betas[1] must be in [0, 1)."),
        ("invalid-beta3", {"betas": [0.98, 0.92, 1.0]}, "betas[2] must be in [0, 1)."),
    ], name=N)
    return Fixture("dadaptation/DAdaptAdan.json", "dadaptation.DAdaptAdan (dadaptation 3.2, torch 2.15.0 float64).",
                   cases)


def generate():
    return FILES.build_all()
