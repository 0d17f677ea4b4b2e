"""The replay (and training) loop shared by adapters of torch-style optimizer packages (pytorch_optimizer,
lion_pytorch, schedulefree): float64 tensors, the step's lr override for that step only, the
gradient given or computed from the closed-loop problem, then `opt.step()`."""
import numpy as np
import torch

from _protocol import numbers, problem_grad

torch.set_default_dtype(torch.float64)


def tensors(case):
    return [torch.tensor(p["values"], dtype=torch.float64).reshape(p["shape"]).requires_grad_(True) for p in case["params"]]


def train(case, opt, ps):
    """A training case (`kind: "training"`): the loop of training_models.torch_train (loss before
    each step, backward, the case's torch clipping, opt.step()), answered with `loss` and `params`."""
    import training_models as tm

    why = tm.check_model(case["model"])
    if why:
        return {"unsupported": why}
    try:
        clip = tm.torch_clip(case.get("grad_transforms"))
    except NotImplementedError as e:
        return {"unsupported": str(e)}
    losses, params = tm.torch_train(case, opt, ps, clip)
    return {"loss": numbers(losses), "params": [[numbers(t) for t in step] for step in params]}


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
