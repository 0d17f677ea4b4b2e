"""Field-feature cases (fixtures/FORMAT.md, "Field features") inside a topic's own fixture file:
the case as gen_features_torch.py / gen_features_optax.py write theirs, its expected values and
expected_state from the library runner's `replay_case` (runners/torch.py, runners/optax.py)."""
from __future__ import annotations

import common
from runners import optax as optax_runner
from runners import torch as torch_runner

ORDER = ["param_groups", "missing_grads", "state", "resume", "accumulation", "non_finite",
         "schedule_in_optimizer", "empty_tensors"]


def case(cid, source, conv, name, hp, description, features, params, grads, tolerance, lrs=None, resume=None):
    """`grads[t][i]` None: tensor i has no gradient at step t (torch-style conventions only)."""
    feats = [f for f in ORDER if f in features]
    assert ("missing_grads" in feats) == any(g is None for step in grads for g in step), cid
    assert ("resume" in feats) == (resume is not None), cid
    c = {"id": cid, "kind": "optimizer", "source": source, "dtype": "float64", "description": description,
         "features": feats, "optimizer": {"convention": conv, "name": name, "hyperparameters": hp}}
    if resume is not None:
        c["resume"] = {"after_step": resume}
    c["params"] = params
    steps = []
    for t, g in enumerate(grads):
        s = {}
        if lrs is not None and lrs[t] is not None:
            s["lr"] = lrs[t]
        s["grads"] = g
        steps.append(s)
    c["steps"] = steps
    c["tolerance"] = dict(tolerance)
    if conv == "optax":
        expected, states = optax_runner.replay_case(c)
    else:
        expected, states = torch_runner.replay_case(c, record_state="state" in feats)
    for t, s in enumerate(steps):
        s["expected"] = expected[t]
        if "state" in feats:
            s["expected_state"] = states[t]
    return c


def optax_trajectory_cases(name, cases, shapes, steps, tolerance, source):
    """The trajectory cases `cases` (tag, hyperparameters, per-step lr base or None, description)
    of optax.`name` on common.discriminating_grads, ids `optax/<name>/<tag>`."""
    out = []
    for tag, hp, lr, desc in cases:
        cid = f"optax/{name}/{tag}"
        rng = common.case_rng(cid)
        params = common.initial_params(rng, shapes)
        grads = common.discriminating_grads(rng, shapes, steps)
        lrs = common.lr_sequence(lr, steps) if lr is not None else None
        expected = optax_runner.replay(name, hp, params, steps, grads=grads, lrs=lrs)
        out.append(common.optimizer_case(cid, source, "optax", name, hp, params,
                                         common.trajectory_steps(expected, grads, lrs), desc, tolerance))
    return out


def optax_topic_file(name, description, cases, errors, state_desc, shapes, steps, tolerance, source,
                     state_steps=8, resume=None):
    """The fixture file `optax/<name>.json` of a topic generator: the trajectory cases `cases`
    (tag, hyperparameters, per-step lr base or None, description) on common.discriminating_grads,
    a `state` case of `state_steps` steps at learning_rate 0.01, with `resume` = (after_step,
    description) a `resume` case of `state_steps` steps too, then the argument errors `errors`
    (tag, hyperparameters, description) as optax raises them."""
    fx = common.Fixture(f"optax/{name}.json", description)
    fx.cases += optax_trajectory_cases(name, cases, shapes, steps, tolerance, source)
    extra = [("state", state_desc, ["state"], None)]
    if resume is not None:
        extra.append(("resume", resume[1], ["resume"], resume[0]))
    for tag, desc, feats, after in extra:
        cid = f"optax/{name}/{tag}"
        rng = common.case_rng(cid)
        params = common.initial_params(rng, shapes)
        grads = common.discriminating_grads(rng, shapes, state_steps)
        fx.cases.append(case(cid, source, "optax", name, {"learning_rate": 0.01}, desc, feats, params, grads,
                             tolerance, resume=after))
    fx.cases += common.error_cases("optax", name, errors, source, tolerance, optax_runner.call_error)
    return fx


def optax_problem_file(path, description, opts, steps, tolerance, source):
    """A closed-loop fixture file of a topic generator: every (name, hyperparameters, description)
    of `opts` on each of common.standard_problems(), `steps` steps each (id
    `optax/<name>/problem-<problem>`)."""
    fx = common.Fixture(path, description)
    for pname, problem, params in common.standard_problems():
        for name, hp, desc in opts:
            cid = f"optax/{name}/problem-{pname}"
            expected = optax_runner.replay(name, hp, params, steps, problem=problem)
            fx.cases.append(common.optimizer_case(cid, source, "optax", name, hp, params,
                                                  common.trajectory_steps(expected, [None] * steps, [None] * steps),
                                                  f"{desc} Problem: {pname}.", tolerance, problem=problem))
    return fx
