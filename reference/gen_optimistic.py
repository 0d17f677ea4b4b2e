"""Golden fixtures for optax's optimistic optimizers (optax 0.2.8, jax x64; a per-step lr through
inject_hyperparams): optimistic_gradient_descent, optimistic_adam_v2 and the deprecated
optimistic_adam, all on transform.py's scale_by_optimistic_gradient:

    o = (alpha + beta)·a − beta·a_prev,  a_prev = a on the first step (optax issue 1082),

with a the gradient (optimistic_gradient_descent) or Adam's direction (scale_by_adam, nesterov by
default), then × −learning_rate; optimistic_adam takes alpha = learning_rate, beta = optimism
(default learning_rate) and ends in × −1 (OptimisticGradient.swift).

Gradients: common.discriminating_grads (scales 1e-8..10, exact zeros, dead elements). Every case
says, in `description`, which implementation mistake it is designed to catch.
"""
from __future__ import annotations

import functools

import common
import feature_cases

STEPS = 12
SHAPES = [(3, 4), (5,), (2, 1, 3)]
TOL = {"rtol": 1e-9, "atol": 1e-12}
SOURCE = "optax 0.2.8"
FILES = common.Files()

CASES = {
    "optimistic_gradient_descent": [
        ("defaults", {"learning_rate": 0.05}, None,
         "Defaults alpha 1, beta 1: o = 2g − g_prev, with g_prev = g on the first step (so the first step is plain "
         "GD); catches the previous gradient started at 0 (first step 2g, optax before issue 1082), the optimistic "
         "combination kept as the previous gradient, and beta's sign."),
        ("alpha-beta-lr-schedule", {"learning_rate": 0.02, "alpha": 0.7, "beta": 0.3}, 0.02,
         "alpha 0.7, beta 0.3 and a changing lr: o = g + 0.3·(g − g_prev)·…; catches alpha and beta swapped (the "
         "first step's alpha + beta hides it, later steps do not) and a cached lr."),
        ("beta-zero", {"learning_rate": 0.1, "alpha": 0.5, "beta": 0.0}, None,
         "beta 0: plain GD with step alpha·lr; catches beta read as alpha."),
        ("learning-rate-none", {"learning_rate": None, "beta": 2.0}, None,
         "learning_rate None: scale_by_learning_rate(None) is the identity, so o is ADDED; catches None read as a "
         "default lr."),
    ],
    "optimistic_adam_v2": [
        ("defaults", {"learning_rate": 0.01}, None,
         "Defaults b1 0.9, b2 0.999, eps 1e-8, alpha 1, beta 1, nesterov True: the optimism acts on Adam's "
         "direction (the previous one is Adam's previous output, not the gradient); catches nesterov ignored "
         "(plain Adam's m̂), the optimism on the raw gradient, and the zero start of the previous direction."),
        ("no-nesterov-lr-schedule", {"learning_rate": 0.02, "nesterov": False, "b1": 0.8, "alpha": 0.6, "beta": 0.9}, 0.02,
         "nesterov False, b1 0.8, alpha 0.6, beta 0.9 and a changing lr: catches nesterov forced on, alpha and beta "
         "swapped, and a cached lr."),
        ("eps-root", {"learning_rate": 0.01, "eps": 1e-10, "eps_root": 1e-8, "b2": 0.99}, None,
         "eps_root 1e-8 under the root, eps 1e-10, b2 0.99: the 1e-8-scale gradients show where each goes."),
    ],
    "optimistic_adam": [
        ("defaults", {"learning_rate": 0.01}, None,
         "The deprecated form: alpha = learning_rate, beta = optimism = learning_rate, then × −1 (no lr scaling): "
         "o = 2·lr·a − lr·a_prev; catches the update scaled by lr again (lr²) and optimism defaulting to 1."),
        ("optimism-lr-schedule", {"learning_rate": 0.05, "optimism": 0.02, "b1": 0.7}, 0.05,
         "optimism 0.02 (beta) and a changing lr, which inject_hyperparams passes as alpha each step: catches the "
         "optimism taken from the lr when it is given, and a cached lr."),
        ("lr-schedule-optimism-none", {"learning_rate": 0.03, "nesterov": False}, 0.03,
         "optimism None under a changing lr: beta follows the step's lr too; nesterov False."),
    ],
}

ERRORS = {name: [("missing-learning-rate", {}, "learning_rate is a required positional argument (Python's TypeError).")]
          for name in CASES}

STATE_DESC = {
    "optimistic_gradient_descent": "The state after every step (ScaleByOptimisticGradientState: is_initial_step, "
                                   "previous_gradient = the last gradient): catches the combination stored instead.",
    "optimistic_adam_v2": "The state after every step (scale_by_adam's count, mu, nu; is_initial_step; "
                          "previous_gradient = Adam's last direction, not the gradient).",
    "optimistic_adam": "The state after every step of the deprecated form (count, mu, nu, is_initial_step, "
                       "previous_gradient).",
}


def fixture(name):
    return feature_cases.optax_topic_file(
        name, f"optax.{name} goldens (optax 0.2.8, jax x64).", CASES[name], ERRORS[name], STATE_DESC[name], SHAPES,
        STEPS, TOL, SOURCE, state_steps=6,
        resume=(3, "A save and load after step 3: catches a lost previous gradient or a first-step flag that restarts "
                   "on load."))


PROBLEM_STEPS = 20
PROBLEM_OPTS = [
    ("optimistic_gradient_descent", {"learning_rate": 5e-4, "beta": 0.5},
     "Optimistic GD in a closed loop: the extrapolation from the previous gradient changes every later gradient."),
    ("optimistic_adam_v2", {"learning_rate": 0.02}, "Optimistic Adam (v2) in a closed loop."),
]


def problem_fixture():
    return feature_cases.optax_problem_file("optax/problems/optimistic.json", "optax optimistic_gradient_descent / optimistic_adam_v2 (optax 0.2.8) on the standard closed-loop problems.", PROBLEM_OPTS, PROBLEM_STEPS, TOL, SOURCE)


for _name in CASES:
    FILES.add(f"optax/{_name}.json", functools.partial(fixture, _name))
FILES.add("optax/problems/optimistic.json", problem_fixture)


def generate():
    return FILES.build_all()
