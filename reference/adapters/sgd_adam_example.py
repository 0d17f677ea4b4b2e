#!/usr/bin/env python3
"""A minimal adapter to copy: plain SGD and Adam written by hand, no libraries but the stdlib.

    descent verify fixtures/torch/SGD.json fixtures/torch/Adam.json \
        --adapter "python3 reference/adapters/sgd_adam_example.py" --name example

It implements torch.optim.SGD without momentum and torch.optim.Adam (betas, eps, weight_decay;
no amsgrad/maximize) and answers `unsupported` for everything else. Replace `step_*` with a call
into your own optimizer, in any language, and keep the loop.
"""
import json
import math
import sys


def sgd(case, hp):
    if any(hp.get(k) for k in ("momentum", "weight_decay", "maximize", "nesterov")):
        return None
    lr0 = hp.get("lr", 1e-3)
    ps = [list(p["values"]) for p in case["params"]]
    out = []
    for s in case["steps"]:
        lr = s.get("lr", lr0)
        ps = [[w - lr * g for w, g in zip(p, gs)] for p, gs in zip(ps, s["grads"])]
        out.append([list(p) for p in ps])
    return out


def adam(case, hp):
    if any(hp.get(k) for k in ("amsgrad", "maximize", "decoupled_weight_decay")):
        return None
    lr0, (b1, b2), eps, wd = hp.get("lr", 1e-3), hp.get("betas", (0.9, 0.999)), hp.get("eps", 1e-8), hp.get("weight_decay", 0.0)
    ps = [list(p["values"]) for p in case["params"]]
    m = [[0.0] * len(p) for p in ps]
    v = [[0.0] * len(p) for p in ps]
    out = []
    for t, s in enumerate(case["steps"], start=1):
        lr = s.get("lr", lr0)
        for i, gs in enumerate(s["grads"]):
            for j, g in enumerate(gs):
                g = g + wd * ps[i][j]
                m[i][j] = b1 * m[i][j] + (1 - b1) * g
                v[i][j] = b2 * v[i][j] + (1 - b2) * g * g
                denom = math.sqrt(v[i][j]) / math.sqrt(1 - b2 ** t) + eps
                ps[i][j] -= lr / (1 - b1 ** t) * m[i][j] / denom
        out.append([list(p) for p in ps])
    return out


for line in sys.stdin:
    case = json.loads(line)
    opt = case.get("optimizer") or {}
    run = {("torch", "SGD"): sgd, ("torch", "Adam"): adam}.get((opt.get("convention"), opt.get("name")))
    params = None
    if run and case.get("kind") == "optimizer" and not case.get("problem") and not case.get("grad_transforms") and case.get("steps"):
        params = run(case, opt.get("hyperparameters") or {})
    if params is None:
        answer = {"id": case["id"], "unsupported": "the example implements plain torch SGD and Adam replay cases (no problem, no grad_transforms) only"}
    else:
        answer = {"id": case["id"], "params": params}
    print(json.dumps(answer), flush=True)
