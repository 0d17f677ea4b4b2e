"""Golden fixtures for optax.yogi and optax.adabelief (optax 0.2.8, jax x64; a per-step lr through
inject_hyperparams).

Neither is an Adam knob in Descent (Yogi.swift, AdaBelief.swift): Yogi's second moment moves
additively, v ← v − (1 − b2)·sign(v − g²)·g², from 1e-6 (both moments start there); AdaBelief's is
the EMA of the squared prediction error (g − m)², with eps_root added into the state every step.

Gradients: common.discriminating_grads (per-element scales 1e-8..10, exact zeros, dead elements), so
the 1e-6 start of Yogi's moments, AdaBelief's eps_root in the state and its small default eps all
show. Every case says, in `description`, which implementation mistake it is designed to catch.
"""
from __future__ import annotations

import functools

import common
import feature_cases

STEPS = 20
SHAPES = [(4, 3), (5,), (2, 2, 2)]
TOL = {"rtol": 1e-9, "atol": 1e-12}
SOURCE = "optax 0.2.8"
FILES = common.Files()

# (tag, hyperparameters, per-step lr from this base or None, description)
CASES = {
    "yogi": [
        ("defaults", {"learning_rate": 0.01}, None,
         "Defaults b1 0.9, b2 0.999, eps 1e-3: catches Adam's second moment (an EMA of g²) for Yogi's additive "
         "sign update, moments started at 0 instead of 1e-6 (the dead elements keep m = 1e-6·0.9^t and move), "
         "Adam's eps 1e-8, and a missing bias correction."),
        ("betas-lr-schedule", {"learning_rate": 0.02, "b1": 0.8, "b2": 0.9}, 0.02,
         "b1 0.8, b2 0.9 and a changing lr: v moves by 10% of g² towards it per step; catches b1 and b2 swapped, "
         "1 − b2 for b2, and a cached lr."),
        ("small-eps", {"learning_rate": 0.01, "eps": 1e-8}, None,
         "eps 1e-8: the gradients of 1e-8 scale and the 1e-6 start dominate √v̂; catches eps inside the root and "
         "v₀ = 0."),
        ("learning-rate-none", {"learning_rate": None, "b1": 0.5}, None,
         "learning_rate None: scale_by_learning_rate(None) is the identity, so u is ADDED; catches None read as a "
         "default lr."),
    ],
    "adabelief": [
        ("defaults", {"learning_rate": 0.01}, None,
         "Defaults b1 0.9, b2 0.999, eps 1e-16, eps_root 1e-16: catches Adam's g² for the prediction error "
         "(g − m)² (with the NEW m), eps_root under the root instead of accumulated into the state (dead "
         "elements: s = eps_root·Σβ₂ᵏ), and Adam's eps."),
        ("betas-lr-schedule", {"learning_rate": 0.02, "b1": 0.7, "b2": 0.95}, 0.02,
         "b1 0.7, b2 0.95 and a changing lr: catches the prediction error taken with the old m, betas swapped and a "
         "cached lr."),
        ("eps-root", {"learning_rate": 0.01, "eps_root": 1e-6, "eps": 1e-8}, None,
         "eps_root 1e-6 and eps 1e-8: eps_root accumulates into s (s/(1 − β₂ᵗ) grows like t·eps_root at first); "
         "catches eps_root added once under the root, and eps and eps_root swapped."),
        ("nesterov", {"learning_rate": 0.01, "nesterov": True}, None,
         "nesterov: m̂ = b1·m/(1 − b1^(t+1)) + (1 − b1)·g/(1 − b1^t), as optax's nadam; catches nesterov ignored "
         "and the look-ahead with b1^t in both corrections."),
        ("nesterov-lr-schedule", {"learning_rate": 0.02, "b1": 0.8, "eps_root": 1e-10, "nesterov": True}, 0.02,
         "nesterov with b1 0.8, eps_root 1e-10 and a changing lr."),
        ("learning-rate-none", {"learning_rate": None}, None,
         "learning_rate None: the identity, so u is ADDED; catches None read as a default lr."),
    ],
}

ERRORS = {
    "yogi": [("missing-learning-rate", {"b1": 0.9}, "learning_rate is a required positional argument (Python's TypeError).")],
    "adabelief": [("missing-learning-rate", {}, "learning_rate is a required positional argument (Python's TypeError).")],
}


STATE_DESC = {
    "yogi": "The state after every step (ScaleByAdamState: count, mu, nu): both start at 1e-6; catches a state "
            "started at 0 and v stored after the bias correction.",
    "adabelief": "The state after every step (ScaleByBeliefState: count, mu, nu): nu holds eps_root added every "
                 "step; catches eps_root kept out of the state.",
}


def fixture(name):
    return feature_cases.optax_topic_file(name, f"optax.{name} goldens (optax 0.2.8, jax x64).", CASES[name], ERRORS[name],
                                          STATE_DESC[name], SHAPES, STEPS, TOL, SOURCE)


PROBLEM_STEPS = 25
PROBLEM_OPTS = [
    ("yogi", {"learning_rate": 0.05}, "Yogi in a closed loop: its second moment rises and falls with the gradient."),
    ("adabelief", {"learning_rate": 0.02, "eps_root": 1e-12}, "AdaBelief in a closed loop: a smooth gradient has a "
     "small prediction error, so the steps grow; a wrong second moment changes every later gradient."),
]


def problem_fixture():
    return feature_cases.optax_problem_file("optax/problems/yogi_adabelief.json", "optax yogi / adabelief (optax 0.2.8) on the standard closed-loop problems.", PROBLEM_OPTS, PROBLEM_STEPS, TOL, SOURCE)


for _name in CASES:
    FILES.add(f"optax/{_name}.json", functools.partial(fixture, _name))
FILES.add("optax/problems/yogi_adabelief.json", problem_fixture)


def generate():
    return FILES.build_all()
