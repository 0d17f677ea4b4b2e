#!/usr/bin/env python3
"""Descent adapter for the real pytorch_optimizer (4.1.0) and lion-pytorch (0.2.5) packages.

    descent verify fixtures --adapter "python reference/adapters/pytorch_optimizer_adapter.py" --name pytorch_optimizer

Runs `pytorch_optimizer` cases (a class of the pytorch_optimizer package) and `lion_pytorch` cases
(`Lion` from lion-pytorch) with the libraries themselves, in float64 as the goldens are computed;
every other convention is answered `unsupported`. A per-step lr is set in param_group["lr"] for
that step only, as a scheduler would.
"""
import numpy as np
import torch

from _protocol import numbers, problem_grad, serve

torch.set_default_dtype(torch.float64)
PAIRS = {"betas"}


def kwargs(h):
    return {k: (tuple(v) if k in PAIRS and isinstance(v, list) else v) for k, v in (h or {}).items()}


def optimizer_class(convention, name):
    if convention == "lion_pytorch":
        import lion_pytorch

        cls = getattr(lion_pytorch, name, None)
    else:
        import pytorch_optimizer

        cls = getattr(pytorch_optimizer, name, None)
    return cls if isinstance(cls, type) else None


def optimizer_case(c):
    o = c["optimizer"]
    cls = optimizer_class(o["convention"], o["name"])
    if cls is None:
        return {"unsupported": f"{o['convention']} has no {o['name']}"}
    if c.get("grad_transforms"):
        return {"unsupported": "gradient transforms are not run by this adapter"}
    ps = [torch.tensor(p["values"], dtype=torch.float64).reshape(p["shape"]).requires_grad_(True) for p in c["params"]]
    opt = cls(ps, **kwargs(o.get("hyperparameters")))
    base = [g["lr"] for g in opt.param_groups]
    problem = c.get("problem")
    out = []
    for s in c.get("steps") or []:
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
    if conv not in ("pytorch_optimizer", "lion_pytorch") or c["kind"] != "optimizer":
        return {"unsupported": f"this adapter runs pytorch_optimizer and lion_pytorch optimizer cases only (case is '{conv}')"}
    return optimizer_case(c)


if __name__ == "__main__":
    serve(handle)
