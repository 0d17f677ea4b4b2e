#!/usr/bin/env python3
"""Descent adapter for the real `schedulefree` package (1.4.1, on torch 2.15.0, float64).

    descent verify fixtures --adapter "python reference/adapters/schedulefree_adapter.py" --name schedulefree

Runs `schedulefree` convention cases (SGDScheduleFree, AdamWScheduleFree, …) with the package
itself, in train mode: the parameters reported after each step are the ones held in train mode (y),
as the fixture spec says. Every other convention is answered `unsupported`.
"""
import numpy as np
import schedulefree
import torch

from _protocol import numbers, problem_grad, serve

torch.set_default_dtype(torch.float64)


def optimizer_case(c):
    o = c["optimizer"]
    cls = getattr(schedulefree, o["name"], None)
    if cls is None or not isinstance(cls, type):
        return {"unsupported": f"schedulefree has no {o['name']}"}
    hp = {k: (tuple(v) if k == "betas" and isinstance(v, list) else v) for k, v in (o.get("hyperparameters") or {}).items()}
    ps = [torch.tensor(p["values"], dtype=torch.float64).reshape(p["shape"]).requires_grad_(True) for p in c["params"]]
    opt = cls(ps, **hp)
    opt.train()
    if not c.get("steps"):
        return {"params": []}
    base = [g["lr"] for g in opt.param_groups]
    problem = c.get("problem")
    out = []
    for s in c["steps"]:
        for g, b in zip(opt.param_groups, base):
            g["lr"] = s["lr"] if s.get("lr") is not None else b   # an override holds for its step only
        if problem is not None:
            gs = [problem_grad(problem, ps[0].detach().numpy().reshape(-1).copy())]
        else:
            gs = s["grads"]
        for p, g in zip(ps, gs):
            p.grad = torch.tensor(np.asarray(g, dtype=np.float64)).reshape(p.shape)
        opt.step()
        out.append([numbers(p.detach().numpy().reshape(-1)) for p in ps])
    return {"params": out}


def handle(c):
    conv = (c.get("optimizer") or c.get("schedule") or {}).get("convention")
    if conv != "schedulefree" or c["kind"] != "optimizer":
        return {"unsupported": f"this adapter runs schedulefree optimizer cases only (case is '{conv}')"}
    return optimizer_case(c)


if __name__ == "__main__":
    serve(handle)
