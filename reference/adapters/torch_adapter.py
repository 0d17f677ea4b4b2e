#!/usr/bin/env python3
"""Descent adapter for the real torch.optim and torch.optim.lr_scheduler (torch 2.15.0).

    descent verify fixtures --adapter "python reference/adapters/torch_adapter.py" --name torch

Runs `torch` convention cases (optimizer, schedule and training cases) with the library itself (float64 default dtype, as the goldens
are computed); every other convention is answered `unsupported`.
"""
import numpy as np
import torch

from _protocol import numbers, problem_grad, serve
import matrix_patches  # noqa: E402  (reference/: torch.optim.Muon's Newton–Schulz in the input's dtype, not bfloat16)

matrix_patches.patch_torch_muon()

torch.set_default_dtype(torch.float64)
PAIRS = {"betas", "etas", "step_sizes"}


def kwargs(h):
    return {k: (tuple(v) if k in PAIRS and isinstance(v, list) else v) for k, v in (h or {}).items()}


def optimizer_case(c):
    o = c["optimizer"]
    cls = getattr(torch.optim, o["name"], None)
    if cls is None or not isinstance(cls, type):
        return {"unsupported": f"torch.optim has no {o['name']}"}
    ps = [torch.tensor(p["values"], dtype=torch.float64).reshape(p["shape"]).requires_grad_(True) for p in c["params"]]
    opt = cls(ps, **kwargs(o.get("hyperparameters")))
    if not c.get("steps"):
        return {"params": []}
    base = [g["lr"] for g in opt.param_groups]
    problem = c.get("problem")
    out = []
    for s in c["steps"]:
        for g, b in zip(opt.param_groups, base):
            g["lr"] = s["lr"] if s.get("lr") is not None else b   # an override holds for its step only

        def set_grads():
            if problem is not None:
                x = ps[0].detach().numpy().reshape(-1).copy()
                gs = [problem_grad(problem, x)]
            else:
                gs = s["grads"]
            for p, g in zip(ps, gs):
                p.grad = torch.tensor(np.asarray(g, dtype=np.float64)).reshape(p.shape)

        def clip():
            for t in c.get("grad_transforms") or []:
                if t.get("convention") != "torch":
                    raise NotImplementedError(f"gradient transform {t.get('convention')}.{t.get('name')}")
                kw = dict(t.get("parameters") or {})
                if kw.get("norm_type") == "inf":
                    kw["norm_type"] = float("inf")
                getattr(torch.nn.utils, t["name"])(ps, **kw)

        if isinstance(opt, torch.optim.LBFGS):
            if problem is None:
                return {"unsupported": "LBFGS needs a closed-loop problem"}
            from common import problem_loss

            def closure():
                set_grads()
                clip()
                return torch.tensor(problem_loss(problem, ps[0].detach().numpy().reshape(-1)))

            opt.step(closure)
        else:
            set_grads()
            clip()
            opt.step()
        out.append([numbers(p.detach().numpy().reshape(-1)) for p in ps])
    return {"params": out}


def training_case(c):
    """kind "training": the MLP in torch.nn.functional, autograd, torch clipping, torch.optim."""
    from _torch_loop import train

    o = c["optimizer"]
    cls = getattr(torch.optim, o["name"], None)
    if cls is None or not isinstance(cls, type):
        return {"unsupported": f"torch.optim has no {o['name']}"}
    ps = [torch.tensor(p["values"], dtype=torch.float64).reshape(p["shape"]).requires_grad_(True) for p in c["params"]]
    return train(c, cls(ps, **kwargs(o.get("hyperparameters"))), ps)


def build_scheduler(opt, name, params):
    S = torch.optim.lr_scheduler
    params = dict(params or {})
    if name in ("LambdaLR", "MultiplicativeLR"):
        raise NotImplementedError(f"{name} takes a Python callable")
    if name in ("SequentialLR", "ChainedScheduler"):
        children = [build_scheduler(opt, ch["name"], ch.get("parameters")) for ch in params.pop("schedulers")]
        if name == "SequentialLR":
            return S.SequentialLR(opt, schedulers=children, **params)
        return S.ChainedScheduler(children, **params)
    return getattr(S, name)(opt, **params)


def schedule_case(c):
    s = c["schedule"]
    if not hasattr(torch.optim.lr_scheduler, s["name"]):
        return {"unsupported": f"torch.optim.lr_scheduler has no {s['name']}"}
    p = torch.nn.Parameter(torch.zeros(2))
    opt = torch.optim.SGD([p], lr=c.get("base_lr", 0.1), momentum=0.9)
    try:
        sched = build_scheduler(opt, s["name"], s.get("parameters"))
    except NotImplementedError as e:
        return {"unsupported": str(e)}
    g = opt.param_groups[0]
    lrs, moms = [float(g["lr"])], [float(g["momentum"])]
    metrics = c.get("metrics")
    for k in range(c["length"] - 1):
        p.grad = torch.zeros_like(p)
        opt.step()
        if metrics is not None:
            sched.step(metrics[k])
        else:
            sched.step()
        lrs.append(float(g["lr"]))
        moms.append(float(g["momentum"]))
    return {"lr": numbers(lrs), "momentum": numbers(moms)}


def guarded(c):
    try:
        return optimizer_case(c)
    except NotImplementedError as e:
        return {"unsupported": str(e)}


def handle(c):
    conv = (c.get("optimizer") or c.get("schedule") or {}).get("convention")
    if conv != "torch":
        return {"unsupported": f"this adapter runs torch cases only (case is '{conv}')"}
    if c["kind"] == "training":
        return training_case(c)
    return guarded(c) if c["kind"] == "optimizer" else schedule_case(c)


if __name__ == "__main__":
    serve(handle)
