"""Golden fixtures for optax 0.2.8's remaining optax.contrib optimizers (jax x64): dog and dowg
(contrib/_dog.py), cocob (contrib/_cocob.py), acprop (contrib/_acprop.py), momo and momo_adam
(contrib/_momo.py). The optax convention names them without the `contrib.` prefix.

- dog: η = r̄/√(G + eps) with r̄ = max(r_eps, max_k ‖x_k − x₀‖) and G = Σ_k ‖g_k‖², both ONE number
  over every tensor (optax.tree.norm of the whole tree); r_eps from init_step: ("distance", r),
  ("heuristic", α) → α·(1 + ‖x₀‖) with ‖x₀‖ the norm of the initial parameters over every tensor,
  ("learning_rate", η₀) → r_eps = 0 and the first step at η₀. weight_decay (None by default) is
  add_decayed_weights in front: the decayed gradient enters G. The unknown tag is a ValueError at
  init.
- dowg: η = r̄²/(√v + eps), r̄² = max(init_estim_sq_dist (None: eps), ‖x − x₀‖²), v ← v + r̄²·‖g‖².
- cocob: per element, the gradient scaled by +learning_rate (flip_sign False) after the decay;
  L ← max(L, |g|) from eps, G ← G + |g|, R ← max(R − g·(w − w₀), 0), C ← C − g;
  w ← w₀ + C/(L·max(G + L, alpha·L))·(L + R) (the update is −w + that).
- acprop: AdaBelief with the asynchronous update: the error g − m with the OLD m, the denominator
  from the OLD s (bias-corrected at the old count; 1 at the first step), the numerator the RAW
  gradient (the lambda's `m` is mapped over the updates), then + weight_decay·w, then −lr.
- momo / momo_adam: the update takes the loss (`value=`); replay cases give it per step
  (`steps[k].value`, FORMAT.md). The values are a fixed sequence per case, not a function of the
  parameters: optax uses the number it is given.

Three tensors of different shapes (a 2-D one, a vector, a one-element one) with gradients spanning
1e-8..10; 8 steps. Every case says which mistake it is designed to catch.
"""
from __future__ import annotations

import common
import gen_lion_lamb
from common import Fixture
from runners import optax as optax_runner

STEPS = 8
SHAPES = [(3, 4), (5,), (1,)]
TOL = {"rtol": 1e-9, "atol": 1e-12}
SOURCE = "optax 0.2.8"
FILES = common.Files()


def _inputs(cid, zero_params=False, zero_first=0, scale=1.0):
    rng = common.case_rng(cid)
    params = common.initial_params(rng, SHAPES)
    grads = common.discriminating_grads(rng, SHAPES, STEPS)
    grads = [[[x * scale for x in g] for g in step] for step in grads]
    for step in grads[:zero_first]:
        for i in range(len(step)):
            step[i] = [0.0] * len(step[i])
    if zero_params:
        for p in params:
            p["values"] = [0.0] * len(p["values"])
    return params, grads, rng


def case(name, tag, hp, description, lr_base=None, values=None, **inputs):
    """A replay case of optax.contrib.`name`; `values(rng)` gives the loss of every step (momo)."""
    cid = f"optax/{name}/{tag}"
    params, grads, rng = _inputs(cid, **inputs)
    lrs = common.lr_sequence(lr_base, STEPS) if lr_base is not None else None
    vals = values(rng) if values is not None else None
    if vals is None:
        expected = gen_lion_lamb.run("optax", name, hp, params, STEPS, grads=grads, lrs=lrs)
    else:
        expected = optax_runner.replay(name, hp, params, STEPS, grads=grads, lrs=lrs, values=vals)
    steps = common.trajectory_steps(expected, grads, lrs)
    if vals is not None:
        steps = [{**{k: v for k, v in s.items() if k != "expected"}, "value": vals[t], "expected": s["expected"]}
                 for t, s in enumerate(steps)]
    return common.optimizer_case(cid, SOURCE, "optax", name, hp, params, steps, description, TOL)


def error_case(name, tag, hp, description, at_init=False):
    """An argument-validation case: optax's message at the call (TypeError), or with `at_init`
    where optax checks only in init / the first update (ValueError)."""
    params = [{"shape": [2], "values": [0.5, -1.5]}]
    if at_init:
        message = optax_runner.first_update_error(optax_runner.factory(name), hp, params)
    else:
        message = optax_runner.call_error(name, hp)
    if message is None:
        raise AssertionError(f"optax.contrib.{name} accepted {hp}")
    return common.optimizer_case(f"optax/{name}/{tag}", SOURCE, "optax", name, hp, params, None, description, TOL,
                                 error=message)


GLOBAL = ("three tensors of different sizes and gradient scales: the distance and the gradient sum are ONE norm "
          "over all of them; catches them taken per tensor")


@FILES.file("optax/dog.json")
def dog():
    N = "dog"
    cases = [
        case(N, "defaults", {},
             "optax.contrib.dog defaults: learning_rate 1.0, init_step ('heuristic', 1e-6), eps 1e-8, no weight decay: "
             "r_eps = 1e-6·(1 + ‖x₀‖), η = r̄/√(G + eps). " + GLOBAL + "; r_eps from ‖x₀‖² instead of ‖x₀‖."),
        case(N, "heuristic-large", {"init_step": ["heuristic", 0.1], "learning_rate": 0.5},
             "init_step ('heuristic', 0.1), learning_rate 0.5: the steps move the parameters far enough that "
             "r̄ = max(r̄, ‖x − x₀‖) grows past r_eps; catches the current distance for the running max, and the "
             "learning_rate not multiplied in."),
        case(N, "distance", {"init_step": ["distance", 0.05]},
             "init_step ('distance', 0.05): r_eps = 0.05 as given, not scaled by 1 + ‖x₀‖; catches the heuristic "
             "applied to every tag."),
        case(N, "learning-rate", {"init_step": ["learning_rate", 0.01]},
             "init_step ('learning_rate', 0.01): r_eps = 0, the first step at η = 0.01 (G still accumulates), later "
             "steps at r̄/√(G + eps) with r̄ the distance travelled; catches the tag ignored."),
        case(N, "zero-params", {"init_step": ["heuristic", 0.01]},
             "Every initial parameter 0: r_eps = 0.01·(1 + 0) = 0.01 exactly; catches r_eps = α·‖x₀‖ (0: no step "
             "ever) and the distance measured from 0 instead of x₀ (the same here, so the other cases catch that).",
             zero_params=True),
        case(N, "eps", {"eps": 1.0, "init_step": ["heuristic", 0.01]},
             "eps 1.0 inside the root with small gradients (× 0.01): √(G + eps) ≠ √G + eps; catches eps outside the "
             "root.", scale=0.01),
        case(N, "weight-decay", {"weight_decay": 0.1, "init_step": ["heuristic", 0.01]},
             "weight_decay 0.1: add_decayed_weights in front, g + 0.1·w enters G and the step; catches decay added "
             "after the DoG scaling (not in G)."),
        case(N, "weight-decay-mask", {"weight_decay": 0.5, "mask": [True, False, True], "init_step": ["distance", 0.01]},
             "weight_decay 0.5 with mask [True, False, True]: the vector is not decayed; catches the mask ignored."),
        case(N, "lr-schedule", {"learning_rate": 1.0, "init_step": ["heuristic", 0.01]},
             "learning_rate by inject_hyperparams (1, 0.5, 1.7, 0.1): it multiplies the DoG step; catches a cached lr.",
             lr_base=1.0),
    ]
    cases.append(error_case(N, "invalid-init-step", {"init_step": ["bogus", 1.0]},
                            "An unknown init_step tag: optax raises its ValueError in init (not at the call).",
                            at_init=True))
    return Fixture("optax/dog.json", "optax.contrib.dog goldens (optax 0.2.8, jax x64).", cases)


@FILES.file("optax/dowg.json")
def dowg():
    N = "dowg"
    cases = [
        case(N, "defaults", {},
             "optax.contrib.dowg defaults: learning_rate 1.0, init_estim_sq_dist None (= eps), eps 1e-4: "
             "r̄² = max(r̄², ‖x − x₀‖²), v ← v + r̄²·‖g‖², η = r̄²/(√v + eps). " + GLOBAL + "; r̄ for r̄² in η."),
        case(N, "init-sq-dist", {"init_estim_sq_dist": 0.01, "learning_rate": 0.5},
             "init_estim_sq_dist 0.01, learning_rate 0.5: r̄² starts at 0.01 (a squared distance, not a distance) "
             "and grows once the parameters travel; catches it square-rooted or squared, and the current distance "
             "for the running max."),
        case(N, "eps", {"eps": 0.5, "init_estim_sq_dist": 1e-2},
             "eps 0.5 outside the root: η = r̄²/(√v + eps); catches eps inside the root (√(v + eps))."),
        case(N, "weight-decay", {"weight_decay": 0.2, "mask": [False, True, True], "init_estim_sq_dist": 1e-2},
             "weight_decay 0.2 with mask [False, True, True]: the decayed gradient enters v; catches the mask "
             "ignored and decay after the scaling."),
        case(N, "lr-schedule", {"learning_rate": 1.0, "init_estim_sq_dist": 1e-2},
             "learning_rate by inject_hyperparams (1, 0.5, 1.7, 0.1); catches a cached lr.", lr_base=1.0),
    ]
    return Fixture("optax/dowg.json", "optax.contrib.dowg goldens (optax 0.2.8, jax x64).", cases)


@FILES.file("optax/cocob.json")
def cocob():
    N = "cocob"
    cases = [
        case(N, "defaults", {},
             "optax.contrib.cocob defaults: learning_rate 1.0, alpha 100, eps 1e-8, weight_decay 0: per element "
             "L ← max(L, |g|) from eps, G ← G + |g|, R ← max(R − g·(w − w₀), 0), C ← C − g, "
             "w = w₀ + C/(L·max(G + L, alpha·L))·(L + R); catches the reward's sign flipped (R + g·(w − w₀))."),
        case(N, "small-alpha", {"alpha": 2.0},
             "alpha 2: G + L passes alpha·L after a step, so the max switches branch; catches max(G + L, alpha·L) "
             "replaced by either term and the reward not clamped at 0."),
        case(N, "learning-rate", {"learning_rate": 0.3, "alpha": 5.0},
             "learning_rate 0.3: scale_by_learning_rate(flip_sign=False) in FRONT of the betting, so it scales the "
             "gradient (the bet is scale-free in g: only R's units change); catches lr applied to the update."),
        case(N, "lr-schedule", {"learning_rate": 1.0, "alpha": 5.0},
             "learning_rate by inject_hyperparams (1, 0.5, 1.7, 0.1) scaling each step's gradient; catches a cached lr.",
             lr_base=1.0),
        case(N, "weight-decay", {"weight_decay": 0.1, "mask": [True, True, False], "alpha": 10.0},
             "weight_decay 0.1 with mask [True, True, False]: g + 0.1·w (before the lr) enters every statistic; "
             "catches the mask ignored."),
        case(N, "zero-start", {"eps": 1e-3},
             "The first 2 steps' gradients are all 0, eps 1e-3: L = eps, the update is −w + w₀ = 0; catches L "
             "started at 0 (0/0) and eps ignored.", zero_first=2),
    ]
    return Fixture("optax/cocob.json", "optax.contrib.cocob goldens (optax 0.2.8, jax x64).", cases)


@FILES.file("optax/acprop.json")
def acprop():
    N = "acprop"
    cases = [
        case(N, "defaults", {"learning_rate": 0.01},
             "optax.contrib.acprop defaults (learning_rate 0.01 given: it is required): b1 0.9, b2 0.999, eps 1e-16, "
             "eps_root 1e-16, weight_decay 0; u = g/(√ŝ_old + eps) with ŝ_old the OLD s bias-corrected at the old "
             "count (1 at the first step), s ← b2·s + (1 − b2)·(g − m_old)² + eps_root; catches AdaBelief's "
             "synchronous denominator, the momentum in the numerator and the error against the new m."),
        case(N, "betas", {"learning_rate": 0.05, "b1": 0.5, "b2": 0.9, "eps": 1e-8},
             "b1 0.5, b2 0.9, eps 1e-8: the bias correction 1 − b2^(t−1) of the old s; catches b2^t and b1 for b2."),
        case(N, "eps-root", {"learning_rate": 0.02, "eps_root": 1e-6, "eps": 1e-10},
             "eps_root 1e-6 added INTO s every step (it enters the next step's denominator); catches eps_root under "
             "the root of this step."),
        case(N, "weight-decay", {"learning_rate": 0.01, "weight_decay": 0.1, "mask": [True, False, True]},
             "weight_decay 0.1 with mask [True, False, True], added AFTER the scaling (u + 0.1·w, then −lr); catches "
             "the decay added to the gradient (then scaled) and the mask ignored."),
        case(N, "lr-schedule", {"learning_rate": 0.01},
             "learning_rate by inject_hyperparams (0.01, 0.005, 0.017, 0.001); catches a cached lr.", lr_base=0.01),
    ]
    cases.append(error_case(N, "missing-learning-rate", {},
                            "learning_rate is required (Python's TypeError)."))
    return Fixture("optax/acprop.json", "optax.contrib.acprop goldens (optax 0.2.8, jax x64).", cases)


def losses(lo, hi):
    """A fixed loss sequence per case: STEPS values drawn uniformly in [lo, hi)."""
    return lambda rng: [float(x) for x in rng.uniform(lo, hi, STEPS)]


def falling_below(bound):
    """Losses that fall from 2 to below `bound`: the clamps at the lower bound act."""
    return lambda rng: [float(2.0 * 0.5 ** t + bound - 0.3 + 0.05 * rng.standard_normal()) for t in range(STEPS)]


@FILES.file("optax/momo.json")
def momo():
    N = "momo"
    cases = [
        case(N, "defaults", {},
             "optax.contrib.momo defaults: learning_rate 1.0, beta 0.9, lower_bound 0, weight_decay 0, "
             "adapt_lower_bound False; the first step takes bt = 0 (barf, exp_avg and gamma start at the first "
             "value); τ = min(lr, max(barf − lb − gamma + ⟨d, w⟩, 0)/‖d‖²) over every tensor; catches beta applied "
             "at the first step.", values=losses(0.5, 3.0)),
        case(N, "small-lr", {"learning_rate": 0.01, "beta": 0.5},
             "learning_rate 0.01, beta 0.5: the cap lr binds (τ = lr); catches the min missing.",
             values=losses(0.5, 3.0)),
        case(N, "lower-bound", {"lower_bound": 0.5},
             "lower_bound 0.5 with losses below it: the numerator max(·, 0) clamps and τ = 0 (no step); catches the "
             "clamp at 0 missing (a step uphill).", values=falling_below(0.5)),
        case(N, "weight-decay", {"weight_decay": 0.1, "learning_rate": 0.5},
             "weight_decay 0.1: u = −(lr·wd)/(1 + lr·wd)·w − τ·d with (1 + lr·wd) in τ's numerator; catches the decay "
             "as lr·wd·w and the factor left out of τ.", values=losses(0.5, 3.0)),
        case(N, "adapt-lower-bound", {"adapt_lower_bound": True, "lower_bound": -0.5},
             "adapt_lower_bound with lower_bound −0.5: lb is reset when the cap falls below it and moved to "
             "barf + ⟨d, w⟩ − gamma − τ·‖d‖²/2, both clamped at lower_bound by max; catches the clamp missing.",
             values=falling_below(-0.5)),
        case(N, "adapt-weight-decay", {"adapt_lower_bound": True, "weight_decay": 0.05, "beta": 0.8},
             "adapt_lower_bound with weight_decay 0.05, beta 0.8: (1 + lr·wd) in the reset test and the reset "
             "value; catches the factor dropped there.", values=losses(0.1, 1.0)),
        case(N, "lr-schedule", {"learning_rate": 1.0},
             "learning_rate by inject_hyperparams (1, 0.5, 1.7, 0.1): the cap of τ in force; catches a cached lr.",
             lr_base=1.0, values=losses(0.5, 3.0)),
        case(N, "zero-start", {"weight_decay": 0.1},
             "The first step's gradients are all 0: ‖d‖² ≤ float64's eps, so τ = 0 and only the decay moves w; "
             "catches 0/0.", zero_first=1, values=losses(0.5, 3.0)),
    ]
    return Fixture("optax/momo.json", "optax.contrib.momo goldens (optax 0.2.8, jax x64); every step gives the loss "
                   "passed to update(..., value=).", cases)


@FILES.file("optax/momo_adam.json")
def momo_adam():
    N = "momo_adam"
    cases = [
        case(N, "defaults", {},
             "optax.contrib.momo_adam defaults: learning_rate 0.01, b1 0.9, b2 0.999, eps 1e-8, lower_bound 0, "
             "weight_decay 0, adapt_lower_bound False; precond = eps + √(v/(1 − b2ᵗ)), ‖d‖² = ⟨d, d/precond⟩, "
             "τ = min(lr/(1 − b1ᵗ), max(…, 0)/‖d‖²); catches the bias correction of lr missing and eps inside the "
             "root.", values=losses(0.5, 3.0)),
        case(N, "large-lr", {"learning_rate": 1.0, "b1": 0.8, "b2": 0.99},
             "learning_rate 1, betas (0.8, 0.99): the Polyak term binds; catches barf or gamma without the b1 EMA.",
             values=losses(0.5, 3.0)),
        case(N, "lower-bound", {"learning_rate": 1.0, "lower_bound": 0.5},
             "lower_bound 0.5 (× bc1 in the numerator) with losses below it: the max(·, 0) clamps; catches lb not "
             "scaled by 1 − b1ᵗ.", values=falling_below(0.5)),
        case(N, "weight-decay", {"learning_rate": 0.5, "weight_decay": 0.1},
             "weight_decay 0.1: u = −(lr·wd)/(1 + lr·wd)·w − τ·d/precond; catches the decay as lr·wd·w.",
             values=losses(0.5, 3.0)),
        case(N, "adapt-lower-bound", {"learning_rate": 1.0, "adapt_lower_bound": True, "lower_bound": -0.5},
             "adapt_lower_bound with lower_bound −0.5: the reset (cap < (1 + lr·wd)·bc1·lb) and the new lb "
             "((barf + ⟨d, w⟩ − gamma − τ‖d‖²/2)/bc1) both clamped at lower_bound; catches the clamp missing.",
             values=falling_below(-0.5)),
        case(N, "lr-schedule", {"learning_rate": 0.1},
             "learning_rate by inject_hyperparams (0.1, 0.05, 0.17, 0.01); catches a cached lr.", lr_base=0.1,
             values=losses(0.5, 3.0)),
    ]
    return Fixture("optax/momo_adam.json", "optax.contrib.momo_adam goldens (optax 0.2.8, jax x64); every step gives "
                   "the loss passed to update(..., value=).", cases)


def generate():
    return FILES.build_all()
