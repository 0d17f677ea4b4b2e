"""The torch runner: torch.optim and the torch-style packages (pytorch_optimizer, lion_pytorch,
schedulefree, prodigyopt) in float64, torch.nn.utils clipping, torch.optim.lr_scheduler.

A replay is the loop every torch golden and torch-style adapter runs: float64 leaf tensors, per step
the step's lr in every param_group (the constructor's lr when the step has none), the gradients
given or common.problem_grad at the current parameters, the case's clipping, then `opt.step()` —
`opt.step(closure)` for torch.optim.LBFGS, whose closure sets the gradients and returns
common.problem_loss. torch.optim.Muon and pytorch_optimizer's SOAP run with the float64 patches of
matrix_patches.py (the libraries cast to bfloat16 / float32 inside), applied when their class is
looked up.

`replay_case` runs a case with the field features of the fixture spec (param groups, null
gradients, the state after every step, resume through state_dict / torch.save / weights_only load,
gradient accumulation, torch.amp.GradScaler, an lr scheduler on the optimizer, empty and 0-d
tensors); `features_answer` is the adapters' reply built on it.
"""
from __future__ import annotations

import numpy as np

from common import flat, problem_grad, problem_loss

CONVENTIONS = ("torch", "pytorch_optimizer", "lion_pytorch", "schedulefree", "transformers", "prodigyopt", "dadaptation",
               "bitsandbytes")
# The parameters' dtype per convention (float64 otherwise): bitsandbytes computes in float32 whatever
# the parameters are (g.float(), p.data.float(), float32 state), so its goldens are float32 cases
# run on float32 parameters, as its users run it.
PARAM_DTYPES = {"bitsandbytes": "float32"}
PAIRS = {"betas", "etas", "step_sizes", "ns_coefficients"}   # JSON lists the constructors take as tuples
# Keywords a fixture may give as the string "inf" or "Infinity" (Python's float('inf'), which JSON
# cannot hold): prodigyopt.Prodigy's and dadaptation's growth_rate, whose default is inf.
INFINITE = {"growth_rate"}


def setup():
    import torch

    torch.set_default_dtype(torch.float64)
    return torch


def kwargs(hp):
    """The constructor's keyword arguments: a fixture's hyperparameters with PAIRS as tuples and an
    INFINITE keyword's "inf" as float('inf')."""
    def value(k, v):
        if k in PAIRS and isinstance(v, list):
            return tuple(v)
        if k in INFINITE and v in ("inf", "Infinity"):
            return float("inf")
        return v

    return {k: value(k, v) for k, v in (hp or {}).items()}


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
    elif convention == "dadaptation":
        import dadaptation

        cls = getattr(dadaptation, name, None)
    elif convention == "transformers":
        import transformers.optimization

        cls = getattr(transformers.optimization, name, None)
    elif convention == "prodigyopt":
        import prodigyopt

        cls = getattr(prodigyopt, name, None)
    elif convention == "bitsandbytes":
        import bitsandbytes.optim

        cls = getattr(bitsandbytes.optim, name, None)
    else:
        raise ValueError(f"not a torch-style convention: {convention}")
    return cls if isinstance(cls, type) else None


def make_optimizer(convention, name, ps, hp):
    """The optimizer on the tensors `ps` (schedulefree's in train mode)."""
    cls = optimizer_class(convention, name)
    if cls is None:
        raise LookupError(f"{convention} has no {name}")
    opt = construct(cls, ps, kwargs(hp))
    if convention == "schedulefree" and hasattr(opt, "train"):   # the *Closure classes have no modes
        opt.train()
    return opt


def construct(cls, arg, kw):
    """cls(arg, **kw) with the constructor's prints sent to stderr: prodigyopt.Prodigy prints
    "Using decoupled weight decay" to stdout when weight_decay > 0 and decouple, which would break
    an adapter's one-JSON-line-per-case stdout."""
    import contextlib
    import sys

    with contextlib.redirect_stdout(sys.stderr):
        return cls(arg, **kw)


def tensors(params, convention=None):
    """Leaf tensors of the case's parameters, in the convention's PARAM_DTYPES (float64 by default)."""
    torch = setup()
    dtype = getattr(torch, PARAM_DTYPES.get(convention, "float64"))
    return [torch.tensor(p["values"], dtype=dtype).reshape(p["shape"]).requires_grad_(True) for p in params]


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


def replay(convention, name, hp, params, steps, grads=None, problem=None, lrs=None, transforms=None, seed=None,
           hessians=None):
    """Replays `convention`.`name`(**hp) for `steps` steps (see the package docstring); `seed`
    seeds torch's global generator first (pytorch_optimizer's ScalableShampoo starts its power
    iteration at torch.randn)."""
    torch = setup()
    ps = tensors(params, convention)
    if seed is not None:
        torch.manual_seed(seed)
    opt = make_optimizer(convention, name, ps, hp)
    return run(opt, ps, steps, grads, problem, lrs, transforms, hessians=hessians)


def hessian_arg(ps, h):
    """`step(hessian=...)`'s list (pytorch_optimizer SophiaH) from a step's `hessian` field (one flat
    list per tensor, FORMAT.md steps[k].hessian), or None when the step gives none."""
    torch = setup()
    if h is None:
        return None
    return [torch.tensor(np.asarray(x, dtype=np.float64)).reshape(p.shape) for p, x in zip(ps, h)]


def run(opt, ps, steps, grads=None, problem=None, lrs=None, transforms=None, hessians=None, after_step=None):
    """The replay loop on a built optimizer. `hessians`: None, or per step None or the estimate
    handed to `opt.step(hessian=...)` (steps[k].hessian). `after_step()`, when given, is called after
    each step and returns what that step reports (AveragedModel: the averaged parameters)."""
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
                p.grad = torch.tensor(np.asarray(g, dtype=np.float64)).reshape(p.shape).to(p.dtype)
            if clip is not None:
                clip(ps)

        if isinstance(opt, torch.optim.LBFGS):
            if problem is None:
                raise NotImplementedError("LBFGS needs a closed-loop problem")

            def closure():
                set_grads()
                return torch.tensor(problem_loss(problem, ps[0].detach().numpy().reshape(-1).copy()))

            opt.step(closure)
        elif type(opt).__module__.startswith("schedulefree") and type(opt).__name__.endswith("Closure"):
            # schedulefree's closure classes move the parameters to y, call the closure there (it
            # sets the gradients) and leave x in them.
            def closure():
                set_grads()
                return torch.tensor(0.0, dtype=torch.float64)

            opt.step(closure)
        else:
            set_grads()
            h = hessian_arg(ps, hessians[t]) if hessians is not None else None
            if h is not None:
                opt.step(hessian=h)
            else:
                opt.step()
        out.append(after_step() if after_step is not None else [flat(p.detach().numpy()) for p in ps])
    return out


def build_averaged_model(params, hp):
    """torch.optim.swa_utils.AveragedModel over a torch.optim optimizer, as a fixture's
    `AveragedModel` case means it (fixtures/FORMAT.md): the model (a ParameterList of the case's
    tensors), its optimizer `hp["optimizer"]` = {name, hyperparameters} built first, then the
    averaging function (`avg_fn` / `multi_avg_fn`: {name, parameters} of a swa_utils getter, or
    None), then AveragedModel(model, **the rest); `update_start` / `update_every` say after which
    optimizer steps update_parameters is called. Returns (optimizer, model tensors, update) where
    update(k) is called after step k (1, 2, …) and returns the averaged parameters."""
    torch = setup()
    from torch.optim import swa_utils

    hp = dict(hp or {})
    inner = hp.pop("optimizer")
    start = hp.pop("update_start", 1)
    every = hp.pop("update_every", 1)
    model = torch.nn.ParameterList([torch.nn.Parameter(t.detach().clone()) for t in tensors(params)])
    ps = list(model.parameters())
    opt = make_optimizer("torch", inner["name"], ps, inner.get("hyperparameters"))
    for key in ("avg_fn", "multi_avg_fn"):
        if hp.get(key) is not None:
            f = hp[key]
            hp[key] = getattr(swa_utils, f["name"])(**(f.get("parameters") or {}))
    averaged = swa_utils.AveragedModel(model, **hp)
    steps = [0]

    def update():
        steps[0] += 1
        k = steps[0]
        if k >= start and (k - start) % every == 0:
            averaged.update_parameters(model)
        return [flat(p.detach().numpy()) for p in averaged.parameters()]

    return opt, ps, update


def replay_averaged_model(hp, params, steps, grads=None, problem=None, lrs=None, transforms=None):
    """The averaged parameters after each of `steps` steps (build_averaged_model)."""
    opt, ps, update = build_averaged_model(params, hp)
    return run(opt, ps, steps, grads, problem, lrs, transforms, after_step=update)


def averaged_model_error(hp, shapes=((2,),)):
    """The message build_averaged_model raises for `hp` (ValueError, AssertionError), or None."""
    params = [{"shape": list(s), "values": [0.0] * int(np.prod(s))} for s in shapes]
    try:
        build_averaged_model(params, hp)
    except (ValueError, AssertionError) as e:
        return str(e)
    return None


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


def constructor_error_cases(convention, name, errors, source, tolerance, prefix, catch=(ValueError,)):
    """The argument-validation cases of `errors`, [(tag, hyperparameters, description)]: each with
    the message the constructor raises on a (2,) tensor, id `<prefix>/<tag>` (its params from that
    id's generator); an AssertionError when the constructor accepts one."""
    import common

    out = []
    for tag, hp, desc in errors:
        cid = f"{prefix}/{tag}"
        params = common.initial_params(common.case_rng(cid), [(2,)])
        message = constructor_error(convention, name, hp, catch=catch)
        assert message is not None, f"{convention} {name}({hp}) was accepted"
        out.append(common.optimizer_case(cid, source, convention, name, hp, params, None, desc, tolerance, error=message))
    return out


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
    """torch.optim.lr_scheduler.<name>(opt, **params) (SWALR: torch.optim.swa_utils.SWALR); SequentialLR and ChainedScheduler take their
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
    return (getattr(S, name, None) or getattr(torch.optim.swa_utils, name))(opt, **params)


def has_scheduler(name):
    """A scheduler of torch.optim.lr_scheduler, or SWALR (torch.optim.swa_utils)."""
    optim = setup().optim
    return hasattr(optim.lr_scheduler, name) or name == "SWALR"


def transformers_scheduler(opt, name, params):
    """transformers.optimization.<name>(opt, **params) (the get_*_schedule* functions), and
    get_scheduler(optimizer=opt, **params), whose first parameter is the scheduler's `name`."""
    import transformers.optimization

    fn = getattr(transformers.optimization, name, None)
    if fn is None or not name.startswith("get_"):
        raise NotImplementedError(f"transformers.optimization has no schedule {name}")
    if name == "get_scheduler":
        return fn(optimizer=opt, **dict(params or {}))
    return fn(opt, **dict(params or {}))


def pytorch_optimizer_scheduler(opt, name, params):
    """pytorch_optimizer.load_lr_scheduler(name)(opt, **params) (a name of its SchedulerType)."""
    from pytorch_optimizer import load_lr_scheduler
    return load_lr_scheduler(name)(opt, **dict(params or {}))


def pytorch_optimizer_schedule_values(name, params, base_lr, n):
    """(lrs, momenta) of load_lr_scheduler(name)(SGD(momentum=0.9), **params), as schedule_values.
    'proportion' is ProportionScheduler(lr_scheduler, **rest), which wraps a scheduler, not an
    optimizer: params["lr_scheduler"] is {"name", "parameters"}, a load_lr_scheduler name built on
    the optimizer, and values[k] is the ProportionScheduler's value (its get_lr(), e.g. SAM's rho)
    after k rounds of `opt.step(); inner.step(); proportion.step()` (values[0]: from the step its
    constructor takes)."""
    if name.lower() != "proportion":
        return schedule_values(name, params, base_lr, n, build=pytorch_optimizer_scheduler)
    from pytorch_optimizer import load_lr_scheduler
    torch = setup()
    p = torch.nn.Parameter(torch.zeros(2))
    opt = torch.optim.SGD([p], lr=base_lr, momentum=0.9)
    rest = dict(params or {})
    child = rest.pop("lr_scheduler")
    inner = pytorch_optimizer_scheduler(opt, child["name"], child.get("parameters"))
    prop = load_lr_scheduler(name)(inner, **rest)
    values = [float(prop.get_lr())]
    for _ in range(n - 1):
        p.grad = torch.zeros_like(p)
        opt.step()
        inner.step()
        values.append(float(prop.step()))
    return values, [0.9] * n


def schedule_values(name, params, base_lr, n, optimizer="SGD", metrics=None, build=None):
    """(lrs, momenta) of a scheduler on a dummy float64 parameter under SGD(momentum=0.9) or
    Adam(betas=(0.9, 0.999)): values[0] right after the scheduler is built, values[k] after the k-th
    `scheduler.step()` (an `optimizer.step()` precedes each; `metrics[k]` is passed to it when
    given). The momentum is the group's `momentum` (SGD) or `betas[0]` (Adam). `build(opt, name,
    params)` makes the scheduler (default: torch.optim.lr_scheduler's, build_scheduler)."""
    torch = setup()
    p = torch.nn.Parameter(torch.zeros(2))
    if optimizer == "SGD":
        opt = torch.optim.SGD([p], lr=base_lr, momentum=0.9)
    else:
        opt = torch.optim.Adam([p], lr=base_lr, betas=(0.9, 0.999))
    sched = (build or build_scheduler)(opt, name, params)
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


# ---------------------------------------------------------------------------------------------
# Field features (fixtures/FORMAT.md, "Field features"): param groups, null gradients, expected
# state, resume, accumulation, GradScaler, a scheduler on the optimizer, empty tensors.

FEATURE_FIELDS = ("resume", "accumulation", "non_finite", "schedule")
# Group keys holding a library's running scalars, reported per tensor of the group. pytorch_optimizer
# counts `step` in the group (group["step"] += 1 on every step(), with or without gradients), not
# per parameter. prodigyopt keeps its one D estimate in the groups (k, d, d_max, d_numerator: the same
# value in every group).
GROUP_STATE_KEYS = {"schedulefree": ("k", "weight_sum", "lr_max"), "pytorch_optimizer": ("step",),
                    "prodigyopt": ("k", "d", "d_max", "d_numerator")}
# 0-d state tensors that are scalars even for a 0-d parameter (a 0-d state tensor of any other key of a
# 0-d parameter is "a state tensor of the parameter's shape": a list of one number).
SCALAR_STATE_KEYS = {"step", "mu_product", "func_evals", "n_iter", "t", "prev_loss", "H_diag"}


def uses_features(case):
    """Whether an optimizer case uses a field-feature field the plain `run` loop does not know, or is
    tagged with `features` (its reply then carries the state after every step)."""
    if case.get("features") or any(k in case for k in FEATURE_FIELDS) or (case.get("optimizer") or {}).get("param_groups"):
        return True
    for s in case.get("steps") or []:
        if isinstance(s.get("lr"), list) or any(g is None for g in s.get("grads") or []) or s.get("grad_indices") is not None:
            return True
    return False


def _number(x):
    """A fixture number ("NaN" / "Infinity" / "-Infinity" in a non_finite case) as a float."""
    if isinstance(x, str):
        return {"NaN": float("nan"), "Infinity": float("inf"), "-Infinity": float("-inf")}[x]
    return float(x)


def _tensor(values, shape):
    torch = setup()
    return torch.tensor([_number(v) for v in values], dtype=torch.float64).reshape(shape)


def _group_args(ps, o):
    """(constructor's first argument, group index of every tensor) for the case's optimizer."""
    groups = o.get("param_groups")
    if not groups:
        return ps, [0] * len(ps)
    owner = [None] * len(ps)
    args = []
    for j, g in enumerate(groups):
        for i in g["params"]:
            if owner[i] is not None:
                raise ValueError(f"tensor {i} is in two param_groups")
            owner[i] = j
        args.append({"params": [ps[i] for i in g["params"]], **kwargs(g.get("hyperparameters"))})
    if any(j is None for j in owner):
        raise ValueError("a tensor is in no param_group")
    return args, owner


def _build(o, ps):
    cls = optimizer_class(o["convention"], o["name"])
    if cls is None:
        raise LookupError(f"{o['convention']} has no {o['name']}")
    arg, owner = _group_args(ps, o)
    opt = construct(cls, arg, kwargs(o.get("hyperparameters")))
    if o["convention"] == "schedulefree":
        opt.train()
    return opt, owner


def _state_value(v, param, key):
    """A state entry in the fixture's form, or `_SKIP` for what it cannot hold (lists, objects)."""
    torch = setup()
    if v is None:
        return None
    if isinstance(v, torch.Tensor):
        if v.dim() == 0 and (param.dim() > 0 or key in SCALAR_STATE_KEYS):
            x = v.item()
            return int(x) if isinstance(x, (bool, int)) else float(x)
        return [float(x) for x in v.detach().reshape(-1).tolist()]
    if isinstance(v, bool):
        return int(v)
    if isinstance(v, (int, float)):
        return v
    return _SKIP


_SKIP = object()


def capture_state(opt, ps, owner, convention, scaler=None):
    """The optimizer's state in the fixture's `expected_state` form: every key of opt.state[p] (state
    tensors flattened, 0-d tensors and numbers as numbers, null for a tensor without that key; a key
    holding a list or an object is left out), then the group keys of GROUP_STATE_KEYS written for each
    tensor of the group, then GradScaler's `scale`."""
    per = []
    keys = []
    dropped = set()
    for p in ps:
        st = opt.state[p] if p in opt.state else {}
        row = {}
        for k, v in st.items():
            if not isinstance(k, str):
                continue
            x = _state_value(v, p, k)
            if x is _SKIP:
                dropped.add(k)
                continue
            row[k] = x
            if k not in keys:
                keys.append(k)
        per.append(row)
    out = {k: [row.get(k) for row in per] for k in keys if k not in dropped}
    for k in GROUP_STATE_KEYS.get(convention, ()):
        if k in out:
            continue
        vals = [opt.param_groups[j].get(k) for j in owner]
        if any(v is not None for v in vals):
            out[k] = [None if v is None else (v if isinstance(v, int) and not isinstance(v, bool) else float(v)) for v in vals]
    if scaler is not None:
        out["scale"] = float(scaler.get_scale())
    return out


def _roundtrip(obj):
    import io

    torch = setup()
    buf = io.BytesIO()
    torch.save(obj, buf)
    buf.seek(0)
    return torch.load(buf, weights_only=True)


def sparse_grad(values, indices, shape):
    """The sparse COO gradient a case's `grad_indices` describe: the entries at these flat row-major
    indices (every dimension sparse), with the values of the dense `values` there; already
    coalesced (the indices are unique and ascending), so torch's coalesce() changes nothing."""
    torch = setup()
    dense = np.asarray(values, dtype=np.float64).reshape(-1)
    idx = np.asarray(indices, dtype=np.int64)
    coords = np.stack(np.unravel_index(idx, tuple(shape))) if len(shape) else np.zeros((0, len(idx)), dtype=np.int64)
    return torch.sparse_coo_tensor(torch.tensor(coords, dtype=torch.int64).reshape(len(shape), len(idx)),
                                   torch.tensor(dense[idx], dtype=torch.float64), tuple(shape))


def sparse_record(g):
    """(dense values, grad_indices entry) of a user-built sparse gradient as the optimizer sees it:
    coalesce() (duplicate indices summed), every entry the coalesced tensor holds present, explicit
    zeros included; a hybrid tensor (nn.Embedding's: sparse rows, dense values) holds every element
    of its rows."""
    c = g.coalesce()
    mask = torch_sparse_mask(c)
    dense = c.to_dense().reshape(-1).numpy()
    return flat(dense), [int(i) for i in np.flatnonzero(mask)]


def torch_sparse_mask(c):
    """The flat presence mask of a coalesced sparse tensor (1 where it holds an entry)."""
    torch = setup()
    ones = torch.sparse_coo_tensor(c._indices(), torch.ones_like(c._values()), c.shape)
    return ones.to_dense().reshape(-1).numpy() != 0


def replay_case(case, seed=None, record_state=True, sparse=None):
    """Runs an optimizer case (replay or closed loop) with every field feature of the fixture spec,
    the torch-style way:

    - `optimizer.param_groups`: Cls([{"params": [...], **group hyperparameters}, ...], **hyperparameters);
    - `steps[k].lr`: a number for every group or a list with one entry per group (None: the group's
      own lr), for that step only (not with a `schedule`);
    - a None gradient: p.grad = None for that step;
    - `resume`: after step k, opt.state_dict() -> torch.save -> torch.load(weights_only=True) into a
      freshly built optimizer (train() for schedulefree) with load_state_dict;
    - `accumulation`: p.grad is the sum of the micro-batch gradients, opt.step() and opt.zero_grad()
      on every k-th step;
    - `non_finite` (torch GradScaler): torch.amp.GradScaler("cpu", **parameters); p.grad =
      scaler.scale(g) (the backward pass of a scaled loss), scaler.step(opt), scaler.update();
    - `schedule`: torch.optim.lr_scheduler.<name>(opt, **parameters) right after the optimizer,
      sched.step() after each update (before it with "stepping": "before_optimizer"), also after a
      step GradScaler skipped;
    - `grad_transforms`: the clipping, after GradScaler's unscale_ when there is one;
    - `steps[k].grad_indices` (torch.optim.SparseAdam): p.grad is the sparse tensor of sparse_grad,
      or, when the generator passes `sparse` (a list over steps of the user-built sparse gradients),
      that tensor itself.

    Returns (params after each step, state after each step or None)."""
    torch = setup()
    o = case["optimizer"]
    conv = o["convention"]
    ps = [_tensor(p["values"], p["shape"]).requires_grad_(True) for p in case["params"]]
    if seed is not None:
        torch.manual_seed(seed)
    opt, owner = _build(o, ps)
    steps = case.get("steps") or []
    problem = case.get("problem")
    clip = clip_fn(case.get("grad_transforms"))
    every = int((case.get("accumulation") or {}).get("steps", 1))
    resume_at = (case.get("resume") or {}).get("after_step")
    scaler = None
    nf = case.get("non_finite")
    if nf is not None:
        if nf.get("convention") != "torch" or nf.get("name") != "GradScaler":
            raise NotImplementedError(f"non-finite guard {nf.get('convention')}.{nf.get('name')}")
        scaler = torch.amp.GradScaler("cpu", **(nf.get("parameters") or {}))
    sched = None
    before = False
    sc = case.get("schedule")
    if sc is not None:
        if sc.get("convention") != "torch":
            raise NotImplementedError(f"a {sc.get('convention')} schedule on a torch-style optimizer")
        sched = build_scheduler(opt, sc["name"], sc.get("parameters"))
        before = sc.get("stepping") == "before_optimizer"
        if resume_at is not None:
            raise NotImplementedError("resume with a schedule (the spec saves the optimizer's state only)")
    lbfgs = isinstance(opt, torch.optim.LBFGS)
    if lbfgs and (problem is None or scaler is not None or every != 1):
        raise NotImplementedError("LBFGS runs a closed-loop problem without GradScaler or accumulation")
    base = [g["lr"] for g in opt.param_groups]
    out, states = [], []

    def grads_at(t):
        if problem is not None:
            return [flat(problem_grad(problem, ps[0].detach().numpy().reshape(-1).copy()))]
        return steps[t]["grads"]

    for t in range(len(steps)):
        lr = steps[t].get("lr")
        if sched is not None:
            if lr is not None:
                raise ValueError(f"steps[{t}].lr with a schedule")
        else:
            for j, g in enumerate(opt.param_groups):
                v = lr[j] if isinstance(lr, list) else lr
                g["lr"] = base[j] if v is None else v
        update = (t + 1) % every == 0

        def set_grads(t=t):
            for i, (p, g) in enumerate(zip(ps, grads_at(t))):
                if g is None:
                    if every != 1:
                        raise ValueError("null gradients and accumulation do not combine")
                    p.grad = None
                    continue
                idx = (steps[t].get("grad_indices") or [None] * len(ps))[i] if problem is None else None
                if sparse is not None or idx is not None:
                    if scaler is not None or every != 1:
                        raise NotImplementedError("sparse gradients with GradScaler or accumulation")
                    p.grad = sparse[t][i] if sparse is not None else sparse_grad(g, idx, p.shape)
                    continue
                x = _tensor(g, p.shape)
                if scaler is not None:
                    x = scaler.scale(x)
                p.grad = x if (every == 1 or p.grad is None) else p.grad + x

        if lbfgs:
            def closure():
                set_grads()
                if clip is not None:
                    clip(ps)
                return torch.tensor(problem_loss(problem, ps[0].detach().numpy().reshape(-1).copy()))

            if before:
                sched.step()
            opt.step(closure)
            if sched is not None and not before:
                sched.step()
        else:
            set_grads()
            if update:
                if clip is not None:
                    if scaler is not None:
                        scaler.unscale_(opt)
                    clip(ps)
                if sched is not None and before:
                    sched.step()
                h = hessian_arg(ps, steps[t].get("hessian"))
                if scaler is not None:
                    if h is not None:
                        raise NotImplementedError("steps[k].hessian with GradScaler")
                    scaler.step(opt)
                    scaler.update()
                elif h is not None:
                    opt.step(hessian=h)
                else:
                    opt.step()
                if sched is not None and not before:
                    sched.step()
                if every != 1:
                    opt.zero_grad()
        out.append([flat(p.detach().numpy()) for p in ps])
        if resume_at is not None and t + 1 == resume_at:
            sd = _roundtrip(opt.state_dict())
            opt, owner = _build(o, ps)
            opt.load_state_dict(sd)
        if record_state:
            states.append(capture_state(opt, ps, owner, conv, scaler))
    return out, (states if record_state else None)


def _nan_safe(x):
    if isinstance(x, list):
        return [_nan_safe(v) for v in x]
    if isinstance(x, float) and not np.isfinite(x):
        return "NaN" if np.isnan(x) else ("Infinity" if x > 0 else "-Infinity")
    return x


def features_answer(case):
    """An adapter's reply to a case with field features: {"params": [...], "state": [one object per
    step]} (NaN / ±inf as the protocol's strings); NotImplementedError for what this runner does not
    run (answered `unsupported`)."""
    params, states = replay_case(case)
    return {"params": _nan_safe(params), "state": [{k: _nan_safe(v) for k, v in s.items()} for s in states]}
