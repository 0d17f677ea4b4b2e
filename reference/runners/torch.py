"""The torch runner: torch.optim and the torch-style packages (pytorch_optimizer, lion_pytorch,
schedulefree) in float64, torch.nn.utils clipping, torch.optim.lr_scheduler.

A replay is the loop every torch golden and torch-style adapter runs: float64 leaf tensors, per step
the step's lr in every param_group (the constructor's lr when the step has none), the gradients
given or common.problem_grad at the current parameters, the case's clipping, then `opt.step()` —
`opt.step(closure)` for torch.optim.LBFGS, whose closure sets the gradients and returns
common.problem_loss. torch.optim.Muon and pytorch_optimizer's SOAP run with the float64 patches of
matrix_patches.py (the libraries cast to bfloat16 / float32 inside), applied when their class is
looked up.
"""
from __future__ import annotations

import numpy as np

from common import flat, problem_grad, problem_loss

CONVENTIONS = ("torch", "pytorch_optimizer", "lion_pytorch", "schedulefree")
PAIRS = {"betas", "etas", "step_sizes", "ns_coefficients"}   # JSON lists the constructors take as tuples


def setup():
    import torch

    torch.set_default_dtype(torch.float64)
    return torch


def kwargs(hp):
    """The constructor's keyword arguments: a fixture's hyperparameters with PAIRS as tuples."""
    return {k: (tuple(v) if k in PAIRS and isinstance(v, list) else v) for k, v in (hp or {}).items()}


def optimizer_class(convention, name):
    """The optimizer class of a torch-style convention, or None when the library has no `name`."""
    setup()
    if convention == "torch":
        import torch

        cls = getattr(torch.optim, name, None)
        if name == "Muon":
            import matrix_patches

            matrix_patches.patch_torch_muon()
    elif convention == "pytorch_optimizer":
        import pytorch_optimizer

        cls = getattr(pytorch_optimizer, name, None)
        if name == "SOAP":
            import matrix_patches

            matrix_patches.patch_soap_qr()
    elif convention == "lion_pytorch":
        import lion_pytorch

        cls = getattr(lion_pytorch, name, None)
    elif convention == "schedulefree":
        import schedulefree

        cls = getattr(schedulefree, name, None)
    else:
        raise ValueError(f"not a torch-style convention: {convention}")
    return cls if isinstance(cls, type) else None


def make_optimizer(convention, name, ps, hp):
    """The optimizer on the tensors `ps` (schedulefree's in train mode)."""
    cls = optimizer_class(convention, name)
    if cls is None:
        raise LookupError(f"{convention} has no {name}")
    opt = cls(ps, **kwargs(hp))
    if convention == "schedulefree":
        opt.train()
    return opt


def tensors(params):
    torch = setup()
    return [torch.tensor(p["values"], dtype=torch.float64).reshape(p["shape"]).requires_grad_(True) for p in params]


def clip_fn(transforms):
    """torch.nn.utils clipping from a case's grad_transforms (None without any); NotImplementedError
    for a transform this runner does not know."""
    torch = setup()
    fns = []
    for t in transforms or []:
        if t.get("convention") != "torch" or t.get("name") not in ("clip_grad_norm_", "clip_grad_value_"):
            raise NotImplementedError(f"gradient transform {t.get('convention')}.{t.get('name')}")
        kw = dict(t.get("parameters") or {})
        if kw.get("norm_type") == "inf":
            kw["norm_type"] = float("inf")
        fns.append((getattr(torch.nn.utils, t["name"]), kw))
    if not fns:
        return None
    return lambda ps: [f(ps, **kw) for f, kw in fns]


def replay(convention, name, hp, params, steps, grads=None, problem=None, lrs=None, transforms=None, seed=None):
    """Replays `convention`.`name`(**hp) for `steps` steps (see the package docstring); `seed`
    seeds torch's global generator first (pytorch_optimizer's ScalableShampoo starts its power
    iteration at torch.randn)."""
    torch = setup()
    ps = tensors(params)
    if seed is not None:
        torch.manual_seed(seed)
    opt = make_optimizer(convention, name, ps, hp)
    return run(opt, ps, steps, grads, problem, lrs, transforms)


def run(opt, ps, steps, grads=None, problem=None, lrs=None, transforms=None):
    """The replay loop on a built optimizer."""
    torch = setup()
    clip = clip_fn(transforms)
    base = [g["lr"] for g in opt.param_groups]
    out = []
    for t in range(steps):
        for g, b in zip(opt.param_groups, base):
            g["lr"] = lrs[t] if lrs is not None and lrs[t] is not None else b

        def set_grads(t=t):
            if problem is not None:
                gs = [problem_grad(problem, ps[0].detach().numpy().reshape(-1).copy())]
            else:
                gs = grads[t]
            for p, g in zip(ps, gs):
                p.grad = torch.tensor(np.asarray(g, dtype=np.float64)).reshape(p.shape)
            if clip is not None:
                clip(ps)

        if isinstance(opt, torch.optim.LBFGS):
            if problem is None:
                raise NotImplementedError("LBFGS needs a closed-loop problem")

            def closure():
                set_grads()
                return torch.tensor(problem_loss(problem, ps[0].detach().numpy().reshape(-1).copy()))

            opt.step(closure)
        else:
            set_grads()
            opt.step()
        out.append([flat(p.detach().numpy()) for p in ps])
    return out


def constructor_error(convention, name, hp, shapes=((2,),), catch=(Exception,)):
    """The message the constructor raises for `hp` on zero tensors of `shapes` (exceptions of the
    classes in `catch`), or None when it accepts them. An AssertionError without a message (as
    lion-pytorch raises) gives its type name."""
    torch = setup()
    ps = [torch.zeros(s, requires_grad=True) for s in shapes]
    try:
        make_optimizer(convention, name, ps, hp)
    except catch as e:
        return (str(e) or type(e).__name__) if isinstance(e, AssertionError) else str(e)
    return None


def train(case):
    """A training case (`kind: "training"`): training_models.torch_train with the case's optimizer
    and clipping. Returns (losses, params after each step)."""
    import training_models as tm

    o = case["optimizer"]
    ps = tensors(case["params"])
    opt = make_optimizer(o["convention"], o["name"], ps, o.get("hyperparameters"))
    return tm.torch_train(case, opt, ps, clip_fn(case.get("grad_transforms")))


# ---------------------------------------------------------------------------------------------
# torch.optim.lr_scheduler


def build_scheduler(opt, name, params):
    """torch.optim.lr_scheduler.<name>(opt, **params); SequentialLR and ChainedScheduler take their
    children as [{"name", "parameters"}]. LambdaLR / MultiplicativeLR (a Python callable) raise
    NotImplementedError."""
    torch = setup()
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


def has_scheduler(name):
    return hasattr(setup().optim.lr_scheduler, name)


def schedule_values(name, params, base_lr, n, optimizer="SGD", metrics=None):
    """(lrs, momenta) of a scheduler on a dummy float64 parameter under SGD(momentum=0.9) or
    Adam(betas=(0.9, 0.999)): values[0] right after the scheduler is built, values[k] after the k-th
    `scheduler.step()` (an `optimizer.step()` precedes each; `metrics[k]` is passed to it when
    given). The momentum is the group's `momentum` (SGD) or `betas[0]` (Adam)."""
    torch = setup()
    p = torch.nn.Parameter(torch.zeros(2))
    if optimizer == "SGD":
        opt = torch.optim.SGD([p], lr=base_lr, momentum=0.9)
    else:
        opt = torch.optim.Adam([p], lr=base_lr, betas=(0.9, 0.999))
    sched = build_scheduler(opt, name, params)
    group = opt.param_groups[0]

    def mom():
        return float(group["betas"][0]) if optimizer == "Adam" else float(group["momentum"])

    lrs, moms = [float(group["lr"])], [mom()]
    for k in range(n - 1):
        p.grad = torch.zeros_like(p)
        opt.step()
        if metrics is not None:
            sched.step(metrics[k])
        else:
            sched.step()
        lrs.append(float(group["lr"]))
        moms.append(mom())
    return lrs, moms
