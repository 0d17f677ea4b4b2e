"""Golden fixtures for torch.optim.SparseAdam (torch 2.15.0, float64).

SparseAdam takes only sparse gradients and updates exp_avg, exp_avg_sq and the parameter at the
entries the coalesced gradient holds (torch/optim/_functional.py's sparse_adam); its `step` counts
every step the tensor has a gradient, an empty one included. The gradients are built the ways a
user builds them, and the case records what the optimizer sees after `coalesce()`: the dense values
in `grads` and the present entries in `grad_indices` (fixtures/FORMAT.md):

- `embedding`: torch.nn.functional.embedding(ids, W, sparse=True) backward (nn.Embedding(sparse=True)):
  a hybrid sparse gradient whose rows are the looked-up ids, with repeated ids (summed by coalesce)
  and every element of a looked-up row present, zeros included;
- `to_sparse`: a dense gradient's `.to_sparse()`: its exact zeros are NOT present;
- `coo`: torch.sparse_coo_tensor(indices, values, shape) with duplicate indices and explicit zero
  values, which ARE present (their m and v decay, the parameter moves);
- `empty`: a sparse gradient with no entries: the step still counts.

Every case says, in `description`, which implementation mistake it is designed to catch.
"""
from __future__ import annotations

import numpy as np

import common
import feature_cases
from common import Fixture, flat
from runners import torch as torch_runner

SOURCE = "torch 2.15.0"
TOL = {"rtol": 1e-9, "atol": 1e-12}
STEPS = 10
SHAPES = [(6, 3), (5,), (2, 2, 2)]
FILES = common.Files()


def user_grad(rng, kind, shape):
    """One sparse gradient built as a user would (see the module docstring)."""
    torch = torch_runner.setup()
    n = int(np.prod(shape))
    if kind == "embedding":
        rows, dim = shape
        ids = torch.tensor(rng.integers(0, rows, size=4), dtype=torch.int64)   # repeats likely
        w = torch.zeros(shape, dtype=torch.float64, requires_grad=True)
        out = torch.nn.functional.embedding(ids, w, sparse=True)
        coeff = torch.tensor(rng.standard_normal((4, dim)) * 10.0 ** rng.uniform(-3, 0.5, size=(4, dim)))
        coeff[rng.random((4, dim)) < 0.15] = 0.0
        (out * coeff).sum().backward()
        return w.grad
    if kind == "to_sparse":
        g = rng.standard_normal(n) * 10.0 ** rng.uniform(-3, 0.5, size=n)
        g[rng.random(n) < 0.45] = 0.0
        return torch.tensor(g).reshape(shape).to_sparse()
    if kind == "coo":
        k = max(2, n // 2)
        flat_idx = rng.integers(0, n, size=k)                                    # duplicates likely
        vals = rng.standard_normal(k) * 10.0 ** rng.uniform(-3, 0.5, size=k)
        vals[rng.random(k) < 0.25] = 0.0                                         # explicit zeros
        coords = np.stack(np.unravel_index(flat_idx, shape))
        return torch.sparse_coo_tensor(torch.tensor(coords), torch.tensor(vals), shape)
    if kind == "empty":
        return torch.sparse_coo_tensor(torch.zeros((len(shape), 0), dtype=torch.int64), torch.zeros(0), shape)
    raise ValueError(kind)


def gradient_plan(rng, kinds, steps):
    """Per step, per tensor: the user-built sparse gradient (None: no gradient), following `kinds`:
    a list over tensors of a kind or of a callable t -> kind."""
    plan = []
    for t in range(steps):
        row = []
        for kind, shape in zip(kinds, SHAPES):
            k = kind(t) if callable(kind) else kind
            row.append(None if k is None else user_grad(rng, k, shape))
        plan.append(row)
    return plan


def case_from(cid, hp, plan, desc, lrs=None, features=None, resume=None, shapes=SHAPES):
    """The case, its expected values from torch.optim.SparseAdam on the user-built gradients."""
    rng = common.case_rng(cid + "/params")
    params = common.initial_params(rng, shapes)
    steps = []
    for t, row in enumerate(plan):
        s = {}
        if lrs is not None and lrs[t] is not None:
            s["lr"] = lrs[t]
        recs = [None if g is None else torch_runner.sparse_record(g) for g in row]
        s["grads"] = [None if r is None else r[0] for r in recs]
        s["grad_indices"] = [None if r is None else r[1] for r in recs]
        steps.append(s)
    c = {"id": cid, "kind": "optimizer", "source": SOURCE, "dtype": "float64", "description": desc}
    if features:
        c["features"] = [f for f in feature_cases.ORDER if f in features]
    c["optimizer"] = {"convention": "torch", "name": "SparseAdam", "hyperparameters": hp}
    if resume is not None:
        c["resume"] = {"after_step": resume}
    c["params"] = params
    c["steps"] = steps
    c["tolerance"] = dict(TOL)
    expected, states = torch_runner.replay_case(c, record_state=bool(features and "state" in features), sparse=plan)
    for t, s in enumerate(steps):
        s["expected"] = expected[t]
        if features and "state" in features:
            s["expected_state"] = states[t]
    # the adapter's way (sparse tensors rebuilt from grad_indices) gives the same bits
    again, _ = torch_runner.replay_case(c, record_state=False)
    assert again == expected, f"{cid}: the case's grad_indices do not reproduce the user-built gradients"
    return c


MIXED = ["embedding", "to_sparse", "coo"]

CASES = [
    ("defaults", {}, MIXED, None,
     "Defaults lr 1e-3, betas (0.9, 0.999), eps 1e-8 on an nn.Embedding(sparse=True) gradient (repeated ids summed, "
     "whole rows present), a to_sparse() gradient (its zeros absent) and a COO gradient with duplicates and explicit "
     "zeros (present): catches absent entries decaying m and v or moving (Adam on the densified gradient), explicit "
     "zeros treated as absent, duplicates not summed, and a missing bias correction."),
    ("betas-lr-schedule", {"lr": 0.05, "betas": [0.8, 0.95], "eps": 1e-6}, MIXED, 0.05,
     "betas (0.8, 0.95), eps 1e-6 and a changing lr: catches betas swapped, eps inside the root, and a cached lr."),
    ("maximize", {"lr": 0.02, "maximize": True}, MIXED, None,
     "maximize: the gradient is negated before the moments; catches maximize ignored or applied to the update only "
     "(v is the same, m's sign differs)."),
    ("empty-steps", {"lr": 0.03, "betas": [0.5, 0.9]},
     [lambda t: "empty" if t in (0, 3, 4) else "embedding", lambda t: "empty" if t % 3 == 1 else "to_sparse", "coo"],
     None,
     "Sparse gradients with no entries at some steps (the first one included): torch still counts the step, so the "
     "next bias correction uses the larger count; catches an empty gradient not counted, and a crash or NaN on it."),
]

ERRORS = [
    ("invalid-lr-zero", {"lr": 0.0}, "lr must be strictly positive (0.0 < lr), unlike Adam's 0.0 <= lr."),
    ("invalid-lr", {"lr": -0.01}, "A negative lr."),
    ("invalid-eps-zero", {"eps": 0.0}, "eps must be strictly positive (0.0 < eps), unlike Adam's 0.0 <= eps."),
    ("invalid-beta1", {"betas": [1.0, 0.999]}, "betas[0] = 1.0 is out of [0, 1)."),
    ("invalid-beta2", {"betas": [0.9, -0.1]}, "betas[1] < 0."),
]


def fixture():
    fx = Fixture("torch/SparseAdam.json", "torch.optim.SparseAdam goldens (torch 2.15.0, float64): sparse gradients as "
                 "users build them, recorded coalesced (grads + grad_indices).")
    for tag, hp, kinds, lr, desc in CASES:
        cid = f"torch/SparseAdam/{tag}"
        plan = gradient_plan(common.case_rng(cid), kinds, STEPS)
        lrs = common.lr_sequence(lr, STEPS) if lr is not None else None
        fx.cases.append(case_from(cid, hp, plan, desc, lrs=lrs))
    cid = "torch/SparseAdam/state-late-gradient"
    plan = gradient_plan(common.case_rng(cid), [lambda t: None if t < 3 else "embedding", "to_sparse", "coo"], 8)
    fx.cases.append(case_from(cid, {"lr": 0.01}, plan,
                              "The state after every step (step, exp_avg, exp_avg_sq) with the first tensor's first "
                              "gradient at step 4 (p.grad None before): its step starts then; catches one step count "
                              "for all tensors, and moments written at absent entries.",
                              features=["missing_grads", "state"]))
    cid = "torch/SparseAdam/resume"
    plan = gradient_plan(common.case_rng(cid), MIXED, 8)
    fx.cases.append(case_from(cid, {"lr": 0.01, "betas": [0.8, 0.99]}, plan,
                              "A state_dict round trip after step 4: catches a lost per-tensor step count or moments.",
                              features=["resume"], resume=4))
    for tag, hp, desc in ERRORS:
        cid = f"torch/SparseAdam/{tag}"
        message = torch_runner.constructor_error("torch", "SparseAdam", hp, catch=(ValueError,))
        assert message is not None, f"SparseAdam({hp}) was accepted"
        fx.cases.append(common.optimizer_case(cid, SOURCE, "torch", "SparseAdam", hp,
                                              common.initial_params(common.case_rng(cid), [(2,)]), None, desc, TOL,
                                              error=message))
    return fx


FILES.add("torch/SparseAdam.json", fixture)


def generate():
    return FILES.build_all()
