"""Golden fixtures for the field features of the optax convention (fixtures/FORMAT.md, "Field
features"), under fixtures/optax/features/:

- `param_groups`: optax.multi_transform({"g0": T0, "g1": T1, …}, labels), each group's
  hyperparameters merged over the case's; a group with its own `name` (set_to_zero, adam next to
  muon) takes its own hyperparameters only; a per-step lr for every group or one per group.
- `state`: `expected_state` after every step, named by runners/optax.py's state_entries (the
  field names of optax's state NamedTuples, first in a depth-first walk; a group's scalars written
  per tensor of its group).
- `resume`: after `resume.after_step` the state's leaves go through numpy.save / numpy.load into a
  fresh opt.init(params) (jax.tree.unflatten of its treedef), and the run goes on with a freshly
  built optimizer.
- `accumulation`: optax.MultiSteps(opt, every_k_schedule=k) with a float64 accumulator (optax's
  default float32 accumulator would round the running mean).
- `non_finite`: optax.apply_if_finite(opt, max_consecutive_errors=m) with NaN / ±inf gradients.
- `schedule_in_optimizer`: learning_rate=optax.<schedule>(…) given to the optimizer. The
  optimizer's count is int32, and with int32 counts several optax schedules compute in float32;
  every schedule here is checked (check_exact_schedule) to give schedule(jnp.int32(n)) ==
  schedule(n) for every n the case reaches, so the goldens carry the float64 schedule(n).
- `empty_tensors`: shapes [0], [0, 3] and the 0-d [] next to ordinary tensors.

optax has no None gradients, so there are no `missing_grads` cases. Every case runs through
runners/optax.py's replay_case, the code the optax adapter answers with.
"""
from __future__ import annotations

import math

import common
from common import Fixture
from runners import optax as optax_runner

TOL = {"rtol": 1e-9, "atol": 1e-12}
SOURCE = "optax 0.2.8"
FILES = common.Files()
NAN, INF = math.nan, math.inf

SHAPES = [(3, 2), (2,)]
SHAPES3 = [(3, 2), (2,), (2, 2)]
EMPTY = [(3, 2), (0,), (), (0, 3)]


def check_exact_schedule(schedule, n):
    """Raises unless the schedule at the optimizer's int32 count equals it at a Python int for
    every count 0..n-1 (optax computes some schedules in float32 from an int32 count)."""
    optax_runner.setup()
    import jax.numpy as jnp

    s = optax_runner.build_schedule(schedule["name"], schedule.get("parameters"))
    for k in range(n):
        a, b = float(s(k)), float(s(jnp.asarray(k, dtype=jnp.int32)))
        if a != b:
            raise ValueError(f"{schedule['name']}{schedule.get('parameters')}: schedule({k}) = {a!r} but {b!r} "
                             "at an int32 count (float32 arithmetic); choose exactly representable parameters")


def sched(name, **parameters):
    return {"convention": "optax", "name": name, "parameters": parameters}


def apply_if_finite(m):
    return {"convention": "optax", "name": "apply_if_finite", "parameters": {"max_consecutive_errors": m}}


def make_case(path, slug, name, hp, description, features, shapes=SHAPES, steps=8, groups=None, lrs=None,
              schedule=None, accumulation=None, non_finite=None, resume=None, bad=None, names=None):
    """One case: inputs from common.case_rng(id), expected values (and expected_state when tagged
    "state") from optax_runner.replay_case. `bad` = [(step, tensor, element, value)] puts
    non-finite numbers into the gradients."""
    cid = f"optax/features/{path}/{slug}"
    rng = common.case_rng(cid)
    params = common.initial_params(rng, shapes)
    if names:
        for p, nm in zip(params, names):
            p["name"] = nm
    grads = common.discriminating_grads(rng, shapes, steps)
    for t, i, j, v in bad or []:
        grads[t][i][j] = v
    if schedule is not None:
        check_exact_schedule(schedule, steps + 1)
    feats = list(features)
    if any(0 in s or len(s) == 0 for s in shapes):
        assert "empty_tensors" in feats, cid
    optimizer = {"convention": "optax", "name": name, "hyperparameters": hp}
    if groups is not None:
        optimizer["param_groups"] = groups
    c = {"id": cid, "kind": "optimizer", "source": SOURCE, "dtype": "float64", "description": description,
         "features": feats, "optimizer": optimizer}
    if schedule is not None:
        c["schedule"] = schedule
    if accumulation is not None:
        c["accumulation"] = {"steps": accumulation}
    if non_finite is not None:
        c["non_finite"] = non_finite
    if resume is not None:
        c["resume"] = {"after_step": resume}
    c["params"] = params
    c["steps"] = []
    for t in range(steps):
        s = {}
        if lrs is not None and lrs[t] is not None:
            s["lr"] = lrs[t]
        s["grads"] = grads[t]
        c["steps"].append(s)
    expected, states = optax_runner.replay_case(c)
    for s, e, st in zip(c["steps"], expected, states):
        s["expected"] = e
        if "state" in feats:
            s["expected_state"] = st
    c["tolerance"] = dict(TOL)
    check_case(c)
    return c


def check_case(c):
    """What every generated case must satisfy: its tags name its fields; accumulation leaves the
    parameters unchanged off the boundary; non-finite numbers only in a non_finite case."""
    f = set(c["features"])
    assert ("param_groups" in f) == ("param_groups" in c["optimizer"]) or c["optimizer"]["hyperparameters"].get("mask") is not None, c["id"]
    for key, tag in [("resume", "resume"), ("accumulation", "accumulation"), ("non_finite", "non_finite"),
                     ("schedule", "schedule_in_optimizer")]:
        assert (key in c) == (tag in f), (c["id"], key)
    assert ("state" in f) == all("expected_state" in s for s in c["steps"]), c["id"]
    assert 6 <= len(c["steps"]) <= 12, c["id"]
    if "accumulation" in c:
        k = c["accumulation"]["steps"]
        before = [p["values"] for p in c["params"]]
        for t, s in enumerate(c["steps"]):
            if (t + 1) % k:
                assert s["expected"] == before, (c["id"], t)
            before = s["expected"]


def fixture(path, description, cases):
    return Fixture(f"optax/features/{path}.json", description, cases)


LR8 = common.lr_sequence(0.02, 8)


# ---------------------------------------------------------------------------------------------


@FILES.file("optax/features/param_groups.json")
def param_groups():
    p = "param_groups"
    cases = [
        make_case(p, "adam-two-groups", "adam", {"learning_rate": 0.01},
                  "multi_transform with a second group of its own learning_rate and b1: catches group "
                  "hyperparameters ignored, or the case's not filled in under the group's.",
                  ["param_groups", "state"], shapes=SHAPES3,
                  groups=[{"params": [0, 2]}, {"params": [1], "hyperparameters": {"learning_rate": 0.05, "b1": 0.7}}]),
        make_case(p, "sgd-nesterov-vs-plain", "sgd", {"learning_rate": 0.05, "momentum": 0.9, "nesterov": True},
                  "sgd with nesterov momentum in one group and no momentum in the other: catches one group's "
                  "momentum buffer shared with, or applied to, the other.",
                  ["param_groups", "state"], shapes=SHAPES3,
                  groups=[{"params": [1]}, {"params": [0, 2], "hyperparameters": {"momentum": None, "nesterov": False, "learning_rate": 0.1}}]),
        make_case(p, "adam-frozen-set-to-zero", "adam", {"learning_rate": 0.02},
                  "A group whose transform is set_to_zero: its tensors never move and have no state; catches "
                  "frozen tensors still updated, or the frozen group counted in the other's step count.",
                  ["param_groups", "state"], shapes=SHAPES3,
                  groups=[{"params": [0]}, {"params": [1, 2], "name": "set_to_zero"}]),
        make_case(p, "adamw-decay-per-group", "adamw", {"learning_rate": 0.01, "weight_decay": 0.2},
                  "adamw with weight decay in one group and none in the other (the bias group): catches decay "
                  "applied to every tensor or to none.",
                  ["param_groups"], shapes=SHAPES3,
                  groups=[{"params": [0, 2]}, {"params": [1], "hyperparameters": {"weight_decay": 0.0}}]),
        make_case(p, "adamw-mask", "adamw", {"learning_rate": 0.01, "weight_decay": 0.3, "mask": [True, False, True]},
                  "adamw's own mask (the optax way to exclude tensors from weight decay, as Keras's "
                  "exclude_from_weight_decay): catches the mask ignored or inverted.",
                  ["param_groups", "state"], shapes=SHAPES3,
                  names=["dense/kernel", "dense/bias", "out/kernel"]),
        make_case(p, "lion-lr-per-group", "lion", {"learning_rate": 0.01},
                  "Per-step lr per group ([a, null]: the second group keeps its own lr): catches one lr for "
                  "every group, or null read as 0.",
                  ["param_groups"], shapes=SHAPES,
                  groups=[{"params": [0]}, {"params": [1], "hyperparameters": {"learning_rate": 0.003, "b1": 0.5}}],
                  lrs=[None, 0.02, [0.005, None], [0.005, 0.001], None, 0.002, [None, 0.01], None]),
        make_case(p, "muon-with-adam-group", "muon", {"learning_rate": 0.02},
                  "muon on the matrix, a group named adam (its own optimizer and hyperparameters) on the vector: "
                  "catches a group's name ignored, or muon's orthogonalisation applied to the wrong group.",
                  ["param_groups", "state"], shapes=SHAPES,
                  groups=[{"params": [0]}, {"params": [1], "name": "adam", "hyperparameters": {"learning_rate": 0.005, "b2": 0.99}}]),
        make_case(p, "lamb-vs-lars", "lamb", {"learning_rate": 0.01, "weight_decay": 0.01},
                  "lamb in one group, lars in the other: trust ratios are per tensor within each group; catches "
                  "the trust ratio taken over a group or the whole model.",
                  ["param_groups", "state"], shapes=SHAPES3,
                  groups=[{"params": [0, 1]}, {"params": [2], "name": "lars", "hyperparameters": {"learning_rate": 0.05, "momentum": 0.8}}]),
        make_case(p, "radam-adamax-lr-steps", "radam", {"learning_rate": 0.01},
                  "radam and adamax groups under a changing lr for every group: catches the per-step lr set "
                  "on one group only.",
                  ["param_groups", "state"], shapes=SHAPES3, steps=10,
                  groups=[{"params": [2, 0]}, {"params": [1], "name": "adamax", "hyperparameters": {"learning_rate": 0.02}}],
                  lrs=common.lr_sequence(0.01, 10)),
    ]
    return fixture(p, "optax.multi_transform param groups (optax 0.2.8, jax x64).", cases)


@FILES.file("optax/features/state.json")
def state():
    p = "state"
    cases = [
        make_case(p, "adam", "adam", {"learning_rate": 0.01, "b1": 0.8, "b2": 0.95},
                  "adam's count, mu and nu after every step: catches moments stored bias-corrected, or count "
                  "off by one.", ["state"]),
        make_case(p, "amsgrad", "amsgrad", {"learning_rate": 0.01},
                  "amsgrad's nu_max: catches the maximum taken over bias-corrected values or over mu.", ["state"]),
        make_case(p, "sgd-momentum-lr", "sgd", {"learning_rate": 0.05, "momentum": 0.9},
                  "sgd's trace (the momentum buffer, without the lr) under a changing lr: catches lr folded into "
                  "the buffer.", ["state"], lrs=common.lr_sequence(0.05, 8)),
        make_case(p, "adagrad", "adagrad", {"learning_rate": 0.1, "initial_accumulator_value": 0.05},
                  "adagrad's sum_of_squares starting at initial_accumulator_value: catches it starting at 0.",
                  ["state"]),
        make_case(p, "adadelta", "adadelta", {"learning_rate": 1.0, "rho": 0.8},
                  "adadelta's e_g and e_x: catches e_x updated with the update before the lr, or rho swapped.",
                  ["state"]),
        make_case(p, "rmsprop-centered-momentum", "rmsprop", {"learning_rate": 0.01, "centered": True, "momentum": 0.5},
                  "centered rmsprop's mu (mean gradient), nu and trace: catches the centred variance without "
                  "mu², or momentum on the gradient.", ["state"]),
        make_case(p, "nadam", "nadam", {"learning_rate": 0.01},
                  "nadam's state is adam's (count, mu, nu): catches the nesterov look-ahead stored in mu.",
                  ["state"]),
        make_case(p, "lion", "lion", {"learning_rate": 0.003, "b1": 0.9, "b2": 0.95},
                  "lion's mu is updated with b2 after the step used b1: catches b1 and b2 swapped.", ["state"]),
        make_case(p, "schedule-free-adamw", "schedule_free_adamw", {"learning_rate": 0.01, "warmup_steps": 3},
                  "schedule_free_adamw's b1, weight_sum, step_count (starting at 1), max_lr, nu and z: catches "
                  "weight_sum accumulating before warmup ends, or z confused with the parameters.", ["state"]),
        make_case(p, "muon", "muon", {"learning_rate": 0.02}, "muon's per-tensor count and mu (muon on the matrix, "
                  "adam's count, mu and nu on the vector): catches the vector given muon's momentum.", ["state"]),
    ]
    return fixture(p, "optax optimizer state after every step (optax 0.2.8, jax x64).", cases)


@FILES.file("optax/features/resume.json")
def resume():
    p = "resume"
    cases = [
        make_case(p, "adam", "adam", {"learning_rate": 0.01}, "Resume after step 4: catches count not restored "
                  "(bias correction restarting) or moments reset.", ["resume", "state"], resume=4),
        make_case(p, "adamw", "adamw", {"learning_rate": 0.01, "weight_decay": 0.1}, "adamw resumed after step 3: "
                  "catches moments or count lost across the save and load.", ["resume"], resume=3),
        make_case(p, "nadam", "nadam", {"learning_rate": 0.01, "b1": 0.85}, "nadam resumed after step 5: catches "
                  "the look-ahead product recomputed from a reset count.", ["resume"], resume=5),
        make_case(p, "radam", "radam", {"learning_rate": 0.01}, "radam resumed after step 5, before the rectified "
                  "phase starts at count 6: catches the rectification threshold judged on a restarted count.",
                  ["resume", "state"], steps=10, resume=5),
        make_case(p, "schedule-free-adamw", "schedule_free_adamw", {"learning_rate": 0.01, "warmup_steps": 2},
                  "schedule_free_adamw resumed after step 4: catches z, weight_sum or max_lr not saved (the "
                  "interpolation restarts).", ["resume", "state"], resume=4),
        make_case(p, "muon", "muon", {"learning_rate": 0.02}, "muon resumed after step 3: catches the momentum "
                  "of either partition (muon or its adam) lost.", ["resume"], resume=3),
        make_case(p, "lion", "lion", {"learning_rate": 0.003}, "lion resumed after step 4: catches mu reset (lion's "
                  "sign update is then wrong on the next step).", ["resume"], resume=4),
        make_case(p, "adam-inject-lr", "adam", {"learning_rate": 0.02}, "adam with a per-step lr "
                  "(inject_hyperparams) resumed after step 4: catches the injected state's count or inner state "
                  "not restored.", ["resume", "state"], lrs=LR8, resume=4),
        make_case(p, "adam-groups", "adam", {"learning_rate": 0.01}, "adam in two groups resumed after step 2: "
                  "catches one group's state restored into the other.", ["resume", "param_groups", "state"],
                  shapes=SHAPES3, resume=2,
                  groups=[{"params": [1]}, {"params": [0, 2], "hyperparameters": {"b1": 0.5}}]),
        make_case(p, "amsgrad", "amsgrad", {"learning_rate": 0.01}, "amsgrad resumed after step 6 of 8: catches "
                  "nu_max not saved.", ["resume"], resume=6),
    ]
    return fixture(p, "optax state saved and loaded mid-run (numpy.save of the state's leaves into a fresh "
                      "init's tree; optax 0.2.8, jax x64).", cases)


@FILES.file("optax/features/accumulation.json")
def accumulation():
    p = "accumulation"
    cases = [
        make_case(p, "sgd-k2", "sgd", {"learning_rate": 0.1}, "MultiSteps with k = 2 around sgd: catches the "
                  "sum used for the mean, or an update on every micro-step.", ["accumulation"], accumulation=2),
        make_case(p, "adam-k3-state", "adam", {"learning_rate": 0.01}, "MultiSteps k = 3 around adam with its "
                  "state: mini_step, gradient_step, acc_grads (the running mean, zeroed after an update) and adam's "
                  "count advancing once per update: catches bias correction counting micro-steps.",
                  ["accumulation", "state"], steps=9, accumulation=3),
        make_case(p, "adam-k2-schedule", "adam", {}, "MultiSteps k = 2 with a linear_schedule in adam: the "
                  "schedule sees the count of applied updates; catches it advanced on micro-steps.",
                  ["accumulation", "schedule_in_optimizer", "state"], accumulation=2,
                  schedule=sched("linear_schedule", init_value=0.125, end_value=0.015625, transition_steps=4)),
        make_case(p, "rmsprop-k3-lr", "rmsprop", {"learning_rate": 0.01}, "MultiSteps k = 3 with a per-step lr: "
                  "the lr of the step the update happens on is the one used; catches the first micro-step's lr.",
                  ["accumulation"], steps=9, accumulation=3, lrs=common.lr_sequence(0.01, 9)),
        make_case(p, "lion-k2-groups", "lion", {"learning_rate": 0.003}, "MultiSteps k = 2 around two lion "
                  "groups: catches the groups' state advanced on micro-steps.",
                  ["accumulation", "param_groups", "state"], accumulation=2,
                  groups=[{"params": [0]}, {"params": [1], "hyperparameters": {"learning_rate": 0.01}}]),
        make_case(p, "adam-k3-resume", "adam", {"learning_rate": 0.01}, "MultiSteps k = 3 resumed after step 4, in "
                  "the middle of an accumulation: catches acc_grads or mini_step not saved.",
                  ["accumulation", "resume", "state"], steps=9, accumulation=3, resume=4),
        make_case(p, "adagrad-k4", "adagrad", {"learning_rate": 0.1}, "MultiSteps k = 4 around adagrad: catches "
                  "squares of micro-batch gradients accumulated instead of the square of their mean.",
                  ["accumulation"], accumulation=4),
    ]
    return fixture(p, "optax.MultiSteps gradient accumulation (mean of the micro-batch gradients, float64 "
                      "accumulator; optax 0.2.8, jax x64).", cases)


@FILES.file("optax/features/non_finite.json")
def non_finite():
    p = "non_finite"
    cases = [
        make_case(p, "adam-skips", "adam", {"learning_rate": 0.01}, "apply_if_finite (max_consecutive_errors = 2) "
                  "with a NaN at step 3 and an inf at step 6: both updates are rejected (no change, adam's count "
                  "not advanced); catches NaN written into the moments or the step counted.",
                  ["non_finite", "state"], non_finite=apply_if_finite(2), bad=[(2, 0, 1, NAN), (5, 1, 0, INF)]),
        make_case(p, "adam-gives-up", "adam", {"learning_rate": 0.01}, "Three non-finite steps in a row with "
                  "max_consecutive_errors = 2: the third is applied (notfinite_count 3 > 2) and NaN propagates "
                  "into every later step; catches the guard that never gives up, or gives up one step early.",
                  ["non_finite", "state"], non_finite=apply_if_finite(2),
                  bad=[(2, 0, 0, NAN), (3, 1, 1, INF), (4, 0, 3, NAN)]),
        make_case(p, "sgd-momentum-inf", "sgd", {"learning_rate": 0.05, "momentum": 0.9},
                  "-inf gradients on two separated steps: the trace is kept; catches the momentum buffer decayed "
                  "on a skipped step.", ["non_finite", "state"], non_finite=apply_if_finite(1),
                  bad=[(1, 0, 2, -INF), (4, 0, 2, -INF)]),
        make_case(p, "adam-schedule", "adam", {}, "apply_if_finite around adam with an exponential_decay "
                  "schedule: a rejected step does not advance the schedule's count; catches the schedule evaluated "
                  "at the number of steps taken.", ["non_finite", "schedule_in_optimizer", "state"],
                  non_finite=apply_if_finite(3), bad=[(1, 1, 0, NAN), (2, 0, 4, NAN), (5, 0, 0, INF)],
                  schedule=sched("exponential_decay", init_value=0.125, transition_steps=1, decay_rate=0.5)),
        make_case(p, "lion-zero-tolerance", "lion", {"learning_rate": 0.003},
                  "max_consecutive_errors = 0: the first non-finite step is already applied (1 > 0); catches >= "
                  "in place of >.", ["non_finite"], non_finite=apply_if_finite(0), bad=[(3, 1, 1, NAN)]),
        make_case(p, "nadam-groups", "nadam", {"learning_rate": 0.01}, "apply_if_finite around two nadam groups, "
                  "a NaN in one group's gradient: the whole step is rejected, for both groups; catches a per-group "
                  "or per-tensor check.", ["non_finite", "param_groups", "state"], shapes=SHAPES3,
                  non_finite=apply_if_finite(2), bad=[(3, 2, 1, NAN)],
                  groups=[{"params": [0, 1]}, {"params": [2], "hyperparameters": {"learning_rate": 0.02}}]),
        make_case(p, "adam-resume-after-reject", "adam", {"learning_rate": 0.01}, "Resume right after a rejected "
                  "step (notfinite_count 1): catches the guard's count not saved (the next non-finite step then "
                  "rejected where it must be applied).", ["non_finite", "resume", "state"],
                  non_finite=apply_if_finite(1), resume=3, bad=[(2, 0, 0, NAN), (3, 1, 0, NAN)]),
    ]
    return fixture(p, "optax.apply_if_finite guards against non-finite gradients (optax 0.2.8, jax x64).", cases)


@FILES.file("optax/features/schedule_in_optimizer.json")
def schedule_in_optimizer():
    p = "schedule_in_optimizer"
    cases = [
        make_case(p, "adam-exponential-decay", "adam", {}, "adam with learning_rate=exponential_decay(staircase): "
                  "the first update uses schedule(0); catches schedule(1) on the first step.",
                  ["schedule_in_optimizer", "state"],
                  schedule=sched("exponential_decay", init_value=0.125, transition_steps=2, decay_rate=0.5, staircase=True)),
        make_case(p, "adamw-warmup-cosine", "adamw", {"weight_decay": 0.1}, "adamw with a "
                  "warmup_cosine_decay_schedule (0 at the first step): catches the decay not scaled by the "
                  "scheduled lr (optax multiplies weight decay by the lr) or a warmup starting at schedule(1).",
                  ["schedule_in_optimizer"], steps=8,
                  schedule=sched("warmup_cosine_decay_schedule", init_value=0.0, peak_value=0.125, warmup_steps=4,
                                 decay_steps=6, end_value=0.015625)),
        make_case(p, "sgd-momentum-linear", "sgd", {"momentum": 0.9}, "momentum sgd with a linear_schedule: "
                  "optax scales the trace by the lr after the buffer; catches lr inside the momentum buffer.",
                  ["schedule_in_optimizer"],
                  schedule=sched("linear_schedule", init_value=0.0, end_value=0.125, transition_steps=4)),
        make_case(p, "rmsprop-piecewise", "rmsprop", {}, "rmsprop with a piecewise_constant_schedule (boundaries "
                  "3 and 6): catches a boundary applied one step early or late.", ["schedule_in_optimizer"],
                  schedule=sched("piecewise_constant_schedule", init_value=0.01, boundaries_and_scales={"3": 0.5, "6": 0.2})),
        make_case(p, "lion-cosine", "lion", {}, "lion with a cosine_decay_schedule: catches the cosine evaluated "
                  "past decay_steps without clamping.", ["schedule_in_optimizer", "state"], steps=10,
                  schedule=sched("cosine_decay_schedule", init_value=0.003, decay_steps=7, alpha=0.1)),
        make_case(p, "adam-multisteps-piecewise", "adam", {}, "MultiSteps k = 3 around adam with a "
                  "piecewise_constant_schedule: the schedule counts updates (schedule(1) on the second update, "
                  "step 6), not micro-steps; catches schedule(5) there.",
                  ["schedule_in_optimizer", "accumulation", "state"], steps=9, accumulation=3,
                  schedule=sched("piecewise_constant_schedule", init_value=0.02, boundaries_and_scales={"1": 0.25, "2": 4.0})),
        make_case(p, "lamb-groups-schedule", "lamb", {"weight_decay": 0.01}, "lamb in two groups, each with the "
                  "schedule (its own count): catches a schedule stepped once per group per step.",
                  ["schedule_in_optimizer", "param_groups", "state"], shapes=SHAPES3,
                  groups=[{"params": [0]}, {"params": [1, 2], "hyperparameters": {"weight_decay": 0.0}}],
                  schedule=sched("polynomial_schedule", init_value=0.125, end_value=0.015625, power=2, transition_steps=4)),
        make_case(p, "schedule-free-adamw-linear", "schedule_free_adamw", {}, "schedule_free_adamw given a "
                  "linear_schedule: its inner adam step uses schedule(count) with count from 0, but the averaging "
                  "weight and max_lr use schedule(step_count) with step_count from 1; catches one count for both.",
                  ["schedule_in_optimizer", "state"],
                  schedule=sched("linear_schedule", init_value=0.0, end_value=0.015625, transition_steps=4)),
    ]
    return fixture(p, "optax optimizers given a schedule object as learning_rate (optax 0.2.8, jax x64).", cases)


@FILES.file("optax/features/empty_tensors.json")
def empty_tensors():
    p = "empty_tensors"
    cases = [
        make_case(p, "adam", "adam", {"learning_rate": 0.01}, "adam over [3,2], [0], [] and [0,3]: catches "
                  "empty tensors crashing the step, or a 0-d tensor treated as empty.", ["empty_tensors", "state"],
                  shapes=EMPTY),
        make_case(p, "sgd-momentum", "sgd", {"learning_rate": 0.05, "momentum": 0.9, "nesterov": True},
                  "nesterov sgd with empty and 0-d tensors: catches the 0-d tensor's buffer lost.",
                  ["empty_tensors"], shapes=EMPTY),
        make_case(p, "lamb", "lamb", {"learning_rate": 0.01, "weight_decay": 0.01}, "lamb's per-tensor trust ratio "
                  "with empty tensors (norm 0: ratio 1): catches a 0/0 NaN.", ["empty_tensors", "state"],
                  shapes=EMPTY),
        make_case(p, "lars", "lars", {"learning_rate": 0.1, "momentum": 0.5}, "lars with empty and 0-d tensors: "
                  "catches the trust ratio of an empty tensor.", ["empty_tensors"], shapes=EMPTY),
        make_case(p, "muon", "muon", {"learning_rate": 0.02}, "muon with [3,2], [0] and []: the empty and 0-d "
                  "tensors go to muon's adam; catches them sent to Newton-Schulz. (optax.contrib.muon cannot take "
                  "a [0, 3] matrix: its Newton-Schulz divides by zero.)", ["empty_tensors"],
                  shapes=[(3, 2), (0,), ()]),
        make_case(p, "apply-if-finite", "adam", {"learning_rate": 0.01}, "apply_if_finite with empty tensors (all "
                  "of an empty tensor is finite) and a NaN in the 0-d one: catches the empty check read as not "
                  "finite.", ["empty_tensors", "non_finite", "state"], shapes=EMPTY,
                  non_finite=apply_if_finite(2), bad=[(3, 2, 0, NAN)]),
        make_case(p, "adagrad-groups", "adagrad", {"learning_rate": 0.1}, "A param group that holds only empty "
                  "tensors: catches a group with nothing to update breaking the step.",
                  ["empty_tensors", "param_groups"], shapes=EMPTY,
                  groups=[{"params": [0, 2]}, {"params": [1, 3], "hyperparameters": {"learning_rate": 0.5}}]),
    ]
    return fixture(p, "optax optimizers over empty ([0], [0, 3]) and 0-d ([]) tensors (optax 0.2.8, jax x64).", cases)


def generate():
    return FILES.build_all()
