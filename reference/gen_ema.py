"""Golden fixtures for optax.ema (optax 0.2.8, jax x64): `fixtures/optax/ema.json`.

`optax.ema(decay, debias=True, accumulator_dtype=None)` is a gradient transformation, not a full
optimizer: its output is the EMA of the updates it is given,

    m <- (1 - decay)*g + decay*m          (m_0 = 0; optax.tree.update_moment, order 1)
    u  = m / (1 - decay**count)           (count incremented first, so 1 - decay at the first step; debias only)

and a case replays it alone, as runners/optax.py replays every optax name: `opt = optax.ema(**hp)`,
`updates, state = opt.update(grads, state)`, `params = optax.apply_updates(params, updates)`, so the
parameters move by +u: optax's sign (the EMA of the raw gradients, ADDED to the parameters; no
learning rate, no negation). Descent maps it onto its SGD family (momentum = dampening = decay, a
buffer from 0, lr = -1) with the `debias` knob (SGD.swift).

Expected values come from optax only. Every case names the mistake it is designed to catch.
"""
from __future__ import annotations

import common
import feature_cases
from common import Fixture
from runners import optax as optax_runner

STEPS = 10
SHAPES = [(3, 4), (5,), (2, 1, 3)]
TOL = {"rtol": 1e-10, "atol": 1e-12}
SOURCE = "optax 0.2.8"
FILES = common.Files()

# (tag, hyperparameters, description, zero_grads: tensors whose gradient is always 0)
CASES = [
    ("defaults", {"decay": 0.9},
     "optax.ema(0.9) with debias=True (its default): u = m/(1 - 0.9**t), added to the parameters; catches debias "
     "off by default, decay and 1 - decay swapped, the EMA subtracted (a descent step), and the bias correction "
     "with the count before its increment (a division by 1 - 0.9**0 = 0) or one ahead (1 - 0.9**(t+1))", ()),
    ("debias-off", {"decay": 0.9, "debias": False},
     "debias=False: u = m itself, the EMA from 0 (small at first); catches debias applied anyway", ()),
    ("decay-0.999", {"decay": 0.999, "debias": True},
     "decay 0.999: the bias correction 1 - 0.999**t is ~t/1000, so the debiased EMA is about the running mean of "
     "the gradients while m itself is 1000x smaller; catches a missing or miscounted bias correction", ()),
    ("decay-0.999-debias-off", {"decay": 0.999, "debias": False, "accumulator_dtype": None},
     "decay 0.999 without debias (accumulator_dtype None: the parameters' float64): the parameters barely move; "
     "catches debias applied anyway", ()),
    ("decay-0", {"decay": 0.0},
     "decay 0 with debias: m = g and 1 - 0**t = 1, so u = g exactly (the identity transform); catches a state kept "
     "(m = decay*m + g) and 0**t mishandled", ()),
    ("decay-0-debias-off", {"decay": 0.0, "debias": False},
     "decay 0 without debias: u = g; catches a buffer that keeps the past", ()),
    ("zero-grads", {"decay": 0.8},
     "Tensor 1 gets an all-zero gradient at every step: its EMA stays exactly 0 and the debiased 0/(1 - 0.8**t) "
     "leaves it unmoved; catches state shared across tensors", (1,)),
]

ERRORS = [
    ("missing-decay", {"debias": True}, "decay is a required positional argument (Python's TypeError)"),
]


def _inputs(cid, zero_grads=()):
    rng = common.case_rng(cid)
    params = common.initial_params(rng, SHAPES)
    grads = common.discriminating_grads(rng, SHAPES, STEPS)
    for step in grads:
        for i in zero_grads:
            step[i] = [0.0] * len(step[i])
    return params, grads


def state_case():
    """The state after every step (EmaState: count, ema), from optax_runner.replay_case."""
    cid = "optax/ema/state"
    params, grads = _inputs(cid)
    return feature_cases.case(cid, SOURCE, "optax", "ema", {"decay": 0.7},
                              "The state after every step: count (the debias count, incremented before the "
                              "correction) and ema, the EMA kept NOT debiased (the debiased value is only the "
                              "output); catches the debiased value stored, and a count that lags the step",
                              ["state"], params, grads, TOL)


@FILES.file("optax/ema.json")
def optax_ema():
    cases = []
    for tag, hp, desc, zero in CASES:
        cid = f"optax/ema/{tag}"
        params, grads = _inputs(cid, zero)
        expected = optax_runner.replay("ema", hp, params, STEPS, grads=grads)
        cases.append(common.optimizer_case(cid, SOURCE, "optax", "ema", hp, params,
                                           common.trajectory_steps(expected, grads), desc + ".", TOL))
    cases.append(state_case())
    cases += common.error_cases("optax", "ema", ERRORS, SOURCE, TOL, optax_runner.call_error)
    return Fixture("optax/ema.json", "optax.ema (optax 0.2.8): the (debiased) EMA of the gradients, added to the "
                   "parameters (a gradient transformation replayed alone).", cases)
