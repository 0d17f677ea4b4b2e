"""Golden fixtures for optax.polyak_sgd (optax 0.2.8, jax x64): SGD with Polyak's step size,
min((f(w) − f_min) / (‖u‖² + eps), max_learning_rate) times u = −scaling·g (the norm is the SCALED
update's). It needs the objective's value at every step (`update(..., value=loss)`), so its cases
are closed-loop problems (fixtures/FORMAT.md): the runner passes common.problem_loss as the value,
the formula the harness evaluates (PolyakSGD.swift). Every case says, in `description`, which
implementation mistake it is designed to catch.
"""
from __future__ import annotations

import common
from common import Fixture
from runners import optax as optax_runner

SOURCE = "optax 0.2.8"
TOL = {"rtol": 1e-9, "atol": 1e-12}
# Polyak's step f/‖u‖² amplifies rounding in a closed loop: a float32 run leaves the float32 policy's
# tolerance after 9–14 steps on these problems (measured), so the cases stop at 7.
STEPS = 7
FILES = common.Files()

# (tag, hyperparameters, description); each runs on every standard problem
CASES = [
    ("defaults", {},
     "Defaults max_learning_rate 1, scaling 1, f_min 0, eps 0, variant 'sps': on the quadratic f goes negative, so "
     "the gap and the step turn negative (an ascent step, as optax does); catches the gap clipped at 0 in 'sps', "
     "f_min ignored, and the loss taken after the step."),
    ("sps-plus", {"variant": "sps+", "f_min": 5.0},
     "variant 'sps+' with f_min 5 above f on the quadratic and the ridge: the gap is clipped at 0, so those do not "
     "move, where 'sps' steps backwards (Rosenbrock starts above 5); catches 'sps+' read as 'sps'."),
    ("f-min", {"f_min": -1.5},
     "f_min −1.5: the gap is f + 1.5; catches f_min ignored and its sign."),
    ("scaling-capped", {"scaling": 0.5, "max_learning_rate": 0.2, "eps": 1e-3},
     "scaling 0.5, max_learning_rate 0.2, eps 1e-3: the norm is of the scaled update (0.25·‖g‖²) and the cap binds "
     "where the gradient is small; catches the raw gradient's norm, the cap ignored, and eps left out."),
]


def problem_fixture():
    fx = Fixture("optax/problems/polyak_sgd.json",
                 "optax.polyak_sgd (optax 0.2.8, jax x64) on the standard closed-loop problems: the objective's value "
                 "at each step is the problem's loss.")
    for pname, problem, params in common.standard_problems():
        for tag, hp, desc in CASES:
            cid = f"optax/polyak_sgd/problem-{pname}-{tag}"
            expected = optax_runner.replay("polyak_sgd", hp, params, STEPS, problem=problem)
            fx.cases.append(common.optimizer_case(cid, SOURCE, "optax", "polyak_sgd", hp, params,
                                                  common.trajectory_steps(expected, [None] * STEPS, [None] * STEPS),
                                                  f"{desc} Problem: {pname}.", TOL, problem=problem))
    # optax checks `variant` when the first update runs
    hp = {"variant": "sps-plus"}
    _, problem, params = common.standard_problems()[1]
    try:
        optax_runner.replay("polyak_sgd", hp, params, 1, problem=problem)
        raise AssertionError("polyak_sgd(variant='sps-plus') was accepted")
    except ValueError as e:
        message = str(e)
    fx.cases.append(common.optimizer_case("optax/polyak_sgd/invalid-variant", SOURCE, "optax", "polyak_sgd", hp, params,
                                          None, "An unknown variant (optax raises at the first update).", TOL,
                                          problem=problem, error=message))
    return fx


FILES.add("optax/problems/polyak_sgd.json", problem_fixture)


def generate():
    return FILES.build_all()
