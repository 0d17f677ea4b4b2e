"""Field-feature cases (fixtures/FORMAT.md, "Field features") inside a topic's own fixture file:
the case as gen_features_torch.py / gen_features_optax.py write theirs, its expected values and
expected_state from the library runner's `replay_case` (runners/torch.py, runners/optax.py)."""
from __future__ import annotations

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
