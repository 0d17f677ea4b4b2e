"""The replay loop shared by adapters of torch-style optimizer packages (pytorch_optimizer,
lion_pytorch, schedulefree): float64 tensors, the step's lr override for that step only, the
gradient given or computed from the closed-loop problem, then `opt.step()`."""
import numpy as np
import torch

from _protocol import numbers, problem_grad

torch.set_default_dtype(torch.float64)


def tensors(case):
    return [torch.tensor(p["values"], dtype=torch.float64).reshape(p["shape"]).requires_grad_(True) for p in case["params"]]


def replay(case, opt, ps):
    base = [g["lr"] for g in opt.param_groups]
    problem = case.get("problem")
    out = []
    for s in case.get("steps") or []:
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
