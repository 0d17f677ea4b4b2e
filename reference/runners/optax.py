"""The optax runner: optax and optax.contrib optimizers (jax x64, CPU), optax schedules, optax.lbfgs.

A replay builds `factory(**hp)`, or — when a step sets the lr — `optax.inject_hyperparams(factory,
static_args=<every argument but learning_rate>)(**hp)`, so the transformation is exactly the plain
call's and only the learning rate is a traced hyperparameter; optax clipping from a case's
grad_transforms is chained in front (`optax.chain(clip…, opt)`, the lr then set on the last,
inner state). Per step: the step's lr (the constructor's when it has none), the gradients given or
common.problem_grad at the current parameters, `opt.update`, `optax.apply_updates`.
"""
from __future__ import annotations

import numpy as np

from common import flat, problem_grad, problem_loss


def setup():
    import jax

    jax.config.update("jax_enable_x64", True)
    jax.config.update("jax_platforms", "cpu")
    return jax


def trim_caches(fraction=0.5):
    """Drops jax's compiled executables when this process holds more than `fraction` of the
    kernel's limit of memory maps (Linux's vm.max_map_count; everywhere else, always). Eager optax
    compiles one executable per operation and shape, each with its own maps; a long-lived process
    (an adapter over all of fixtures/optax) otherwise hits the limit and LLVM fails with "Cannot
    allocate memory", then the process crashes. Returns whether it cleared them."""
    jax = setup()
    try:
        with open("/proc/sys/vm/max_map_count") as f:
            limit = int(f.read())
        with open("/proc/self/maps") as f:
            maps = sum(1 for _ in f)
    except (OSError, ValueError):
        maps, limit = 1, 0
    if maps > fraction * limit:
        jax.clear_caches()
        return True
    return False


def factory(name):
    """optax.<name>, else optax.contrib.<name>; None when neither is a callable."""
    setup()
    import optax

    f = getattr(optax, name, None) or getattr(optax.contrib, name, None)
    return f if callable(f) else None


# Factories whose update takes the objective's value (`update(..., value=loss)`): on a closed-loop
# problem the value is common.problem_loss at the parameters the gradient is taken at; on a replay
# case, the step's `value` (FORMAT.md, `steps[k].value`).
NEEDS_VALUE = {"polyak_sgd", "momo", "momo_adam"}


def _extra(f, problem, x, value=None):
    """The update's extra keyword arguments: `value` for a factory in NEEDS_VALUE (the step's given
    value, else the problem's at x)."""
    if getattr(f, "__name__", None) not in NEEDS_VALUE:
        return {}
    if value is not None:
        return {"value": value}
    if problem is None:
        raise NotImplementedError(f"optax.{f.__name__} needs the objective's value: closed-loop problem cases, or "
                                  "replay cases giving steps[k].value")
    return {"value": problem_loss(problem, x)}


# Factories whose defaults inject_hyperparams must leave alone (see build). optax.contrib.adopt: its
# callable default clip_value_fn would be taken for a schedule and replaced by its value at the count.
_STATIC_DEFAULTS = {"adafactor", "adopt"}


def build(factory_, hp, injected=False, transforms=None):
    """The gradient transformation of a case (see the module docstring); NotImplementedError for
    a non-optax gradient transform."""
    setup()
    import optax

    hp = schedule_valued(hp)
    if injected:
        static = tuple(k for k in hp if k != "learning_rate")
        if getattr(factory_, "__name__", None) in _STATIC_DEFAULTS:
            # the arguments left at their defaults static too: inject_hyperparams would make them
            # float64 arrays (and call a callable one, adopt's clip_value_fn, as a schedule), and adafactor's decay 1 - t**(-decay_rate) is float32 arithmetic
            # only with a Python-float decay_rate (factorized._decay_rate_pow)
            import inspect

            static += tuple(k for k in inspect.signature(factory_).parameters if k != "learning_rate" and k not in hp)
        opt = optax.inject_hyperparams(factory_, static_args=static)(**hp)
    else:
        opt = factory_(**hp)
    for t in transforms or []:
        if t.get("convention") != "optax":
            raise NotImplementedError(f"gradient transform {t.get('convention')}.{t.get('name')}")
    if transforms:
        opt = optax.chain(*[getattr(optax, t["name"])(**(t.get("parameters") or {})) for t in transforms], opt)
    return opt


def schedule_valued(hp):
    """The hyperparameters with every `{ "name", "parameters" }` object other than learning_rate
    built into optax.<name>(**parameters) (a `base.ScalarOrSchedule` argument such as
    optax.contrib.ademamix's `alpha` and `b3`, which the optimizer evaluates at its own count)."""
    return {k: build_schedule(v["name"], v.get("parameters")) if k != "learning_rate" and isinstance(v, dict)
            and "name" in v else v for k, v in hp.items()}


def replay(name, hp, params, steps, grads=None, problem=None, lrs=None, transforms=None, clear_caches=False,
           values=None):
    """Replays optax.`name` (or a factory) for `steps` steps (see the package docstring).
    `values`: None, or the objective's value passed to each step's update (`steps[k].value`) for a
    factory in NEEDS_VALUE.
    `clear_caches` drops jax's compiled executables afterwards: eager optax compiles one small
    executable per operation, and thousands of them (optax.contrib.muon over a whole file) exhaust
    the process's memory maps."""
    jax = setup()
    import jax.numpy as jnp
    import optax

    f = factory(name) if isinstance(name, str) else name
    if f is None:
        raise LookupError(f"optax has no {name}")
    injected = lrs is not None and any(lr is not None for lr in lrs)
    opt = build(f, hp, injected, transforms)
    ps = [jnp.asarray(np.array(p["values"], dtype=np.float64).reshape(p["shape"])) for p in params]
    state = opt.init(ps)
    base = hp.get("learning_rate")
    out = []
    for t in range(steps):
        if injected:
            lr = lrs[t] if lrs[t] is not None else base
            inner = state[-1] if transforms else state
            inner.hyperparams["learning_rate"] = jnp.asarray(lr, dtype=jnp.float64)
        x = None
        if problem is not None:
            x = np.asarray(ps[0], dtype=np.float64).reshape(-1)
            gs = [jnp.asarray(problem_grad(problem, x).reshape(ps[0].shape))]
        else:
            gs = [jnp.asarray(np.array(g, dtype=np.float64).reshape(p.shape)) for g, p in zip(grads[t], ps)]
        updates, state = opt.update(gs, state, ps, **_extra(f, problem, x, None if values is None else values[t]))
        ps = optax.apply_updates(ps, updates)
        out.append([flat(np.asarray(p)) for p in ps])
    if clear_caches:
        jax.clear_caches()
    return out


def call_error(name, hp, catch=(TypeError,)):
    """The message of calling optax.`name`(**hp) (exceptions of the classes in `catch`), or None
    when the call is accepted: optax validates little but Python's call itself."""
    f = factory(name)
    try:
        f(**hp)
    except catch as e:
        return str(e)
    return None


def first_update_error(factory_, hp, params, catch=(ValueError,), problem=None):
    """The message optax raises for `hp` in the call, `init` or the first `update` (with gradients
    of ones, and the value of `problem` at the parameters for a factory that takes one), or None
    when all three succeed; some arguments are only checked there."""
    setup()
    import jax.numpy as jnp

    try:
        opt = factory_(**hp)
        ps = [jnp.asarray(np.array(p["values"]).reshape(p["shape"])) for p in params]
        state = opt.init(ps)
        x = np.asarray(ps[0], dtype=np.float64).reshape(-1) if problem is not None else None
        opt.update([jnp.ones_like(p) for p in ps], state, ps, **_extra(factory_, problem, x))
    except catch as e:
        return str(e)
    return None


def train(case):
    """A training case (`kind: "training"`): training_models.optax_train with the case's optimizer
    (inject_hyperparams when a step sets the lr) and its clipping chained in front; a factory in
    NEEDS_VALUE gets the batch loss as `value`. optax.lbfgs is refused (its loop reuses the line
    search's value and gradient, of the previous step's minibatch). Returns
    (losses, params after each step)."""
    import training_models as tm

    o = case["optimizer"]
    hp = dict(o.get("hyperparameters") or {})
    f = factory(o["name"])
    if f is None:
        raise LookupError(f"optax has no {o['name']}")
    if o["name"] == "lbfgs":
        raise NotImplementedError("optax.lbfgs: value_and_grad_from_state reuses the line search's value and gradient, "
                                  "taken on the previous step's minibatch")
    injected = any(s.get("lr") is not None for s in case["steps"])
    transforms = case.get("grad_transforms") or []
    opt = build(f, hp, injected, transforms)
    return tm.optax_train(case, opt, injected, hp.get("learning_rate"), bool(transforms),
                          takes_value=o["name"] in NEEDS_VALUE)


# ---------------------------------------------------------------------------------------------
# schedules


def build_schedule(name, params):
    """optax.<name>(**params): `boundaries_and_scales` keys as ints, join_schedules' children as
    [{"name", "parameters"}]; LookupError for a name optax does not have."""
    f = factory(name)
    if f is None:
        raise LookupError(f"optax has no {name}")
    params = dict(params or {})
    if params.get("boundaries_and_scales") is not None:
        params["boundaries_and_scales"] = {int(k): v for k, v in params["boundaries_and_scales"].items()}
    if name == "join_schedules":
        params["schedules"] = [build_schedule(ch["name"], ch.get("parameters")) for ch in params["schedules"]]
    return f(**params)


def schedule_values(name, params, n):
    """schedule(k) for k = 0 .. n-1, with a Python int count (an int32 count, as inject_hyperparams
    passes it, makes some schedules compute count/transition_steps in float32)."""
    s = build_schedule(name, params)
    return [float(s(k)) for k in range(n)]


# ---------------------------------------------------------------------------------------------
# optax.lbfgs: the loop of the optax docs' L-BFGS example


def problem_fn(problem):
    """A closed-loop problem as a jax function: value = common.problem_loss's formula, gradient =
    common.problem_grad's formula (jax.custom_vjp), so optax's line search sees the gradients the
    harness computes, not autodiff's (which rounds differently)."""
    jax = setup()
    import jax.numpy as jnp

    name = problem["name"]
    if name == "quadratic":
        d = len(problem["b"])
        A = jnp.asarray(np.array(problem["A"], dtype=np.float64).reshape(d, d))
        b = jnp.asarray(np.array(problem["b"], dtype=np.float64))
        loss = lambda x: 0.5 * x @ A @ x - b @ x  # noqa: E731
        grad = lambda x: A @ x - b  # noqa: E731
    elif name == "rosenbrock":
        a, bb = float(problem["a"]), float(problem["b"])
        loss = lambda x: (a - x[0]) ** 2 + bb * (x[1] - x[0] ** 2) ** 2  # noqa: E731
        grad = lambda x: jnp.stack([-2.0 * (a - x[0]) - 4.0 * bb * x[0] * (x[1] - x[0] ** 2), 2.0 * bb * (x[1] - x[0] ** 2)])  # noqa: E731
    elif name == "ridge":
        n, d = problem["n"], problem["d"]
        X = jnp.asarray(np.array(problem["X"], dtype=np.float64).reshape(n, d))
        y = jnp.asarray(np.array(problem["y"], dtype=np.float64))
        lam = problem["lambda"]

        def loss(w):
            r = y - X @ w
            return r @ r + lam * w @ w

        grad = lambda w: -2.0 * X.T @ (y - X @ w) + 2.0 * lam * w  # noqa: E731
    else:
        raise ValueError(name)

    @jax.custom_vjp
    def f(x):
        return loss(x)

    def fwd(x):
        return loss(x), grad(x)

    def bwd(g, res):
        return (g * res,)

    f.defvjp(fwd, bwd)
    return f


def lbfgs(hp, params, problem, steps):
    """optax.lbfgs(**hp) on a closed-loop problem, one fixture step per update:
        value, grad = optax.value_and_grad_from_state(f)(params, state=opt_state)
        updates, opt_state = opt.update(grad, opt_state, params, value=value, grad=grad, value_fn=f)
        params = optax.apply_updates(params, updates)"""
    setup()
    import jax.numpy as jnp
    import optax

    opt = optax.lbfgs(**hp)   # raises as optax does (e.g. memory_size < 1)
    f = problem_fn(problem)
    x = jnp.asarray(np.array(params[0]["values"], dtype=np.float64).reshape(params[0]["shape"]))
    state = opt.init(x)
    value_and_grad = optax.value_and_grad_from_state(f)
    out = []
    for _ in range(steps):
        value, grad = value_and_grad(x, state=state)
        updates, state = opt.update(grad, state, x, value=value, grad=grad, value_fn=f)
        x = optax.apply_updates(x, updates)
        out.append([flat(np.asarray(x))])
    return out


# ---------------------------------------------------------------------------------------------
# field features (fixtures/FORMAT.md, "Field features"): param groups, expected state, resume,
# accumulation, non-finite guards, a schedule handed to the optimizer, empty tensors

FEATURE_FIELDS = ("param_groups", "resume", "accumulation", "non_finite", "schedule")


def _number(x):
    """A gradient entry as a float: the spec's "NaN" / "Infinity" / "-Infinity" strings included."""
    return float(x)


def _tensor(values, shape):
    return np.array([_number(v) for v in values], dtype=np.float64).reshape(shape)


def _takes_lr(f):
    import inspect

    try:
        return "learning_rate" in inspect.signature(f).parameters
    except (TypeError, ValueError):
        return False


def case_groups(case):
    """[(label, optax name, hyperparameters)] of a case's optimizer and the label of every tensor.
    Without `param_groups`: one group (label None). A group's hyperparameters are the case's with
    the group's on top; a group that gives its own `name` takes its own hyperparameters only
    (`set_to_zero` takes none)."""
    o = case["optimizer"]
    hp = dict(o.get("hyperparameters") or {})
    groups = o.get("param_groups")
    if not groups:
        return [(None, o["name"], hp)], None
    n = len(case["params"])
    labels = [None] * n
    out = []
    for j, g in enumerate(groups):
        label = f"g{j}"
        for i in g["params"]:
            if labels[i] is not None:
                raise ValueError(f"optimizer.param_groups: tensor {i} is in two groups")
            labels[i] = label
        own = dict(g.get("hyperparameters") or {})
        name = g.get("name", o["name"])
        out.append((label, name, own if name != o["name"] else {**hp, **own}))
    if any(lab is None for lab in labels):
        raise ValueError(f"optimizer.param_groups: tensor {labels.index(None)} is in no group")
    if len(groups) > 10:
        raise NotImplementedError("more than 10 param groups")   # "g10" < "g2": keys would sort out of order
    return out, labels


def build_case(case, injected):
    """The gradient transformation of a case with field features, outermost first:
    optax.apply_if_finite(·, **non_finite.parameters) | optax.MultiSteps(·, every_k_schedule=k,
    accumulator_dtype=float64) | optax.chain(<grad_transforms>, ·) | optax.multi_transform({"g0": T0,
    …}, labels) | T. Each T is optax.<name>(**hyperparameters), learning_rate=optax.<schedule>(…)
    with a `schedule`, or inject_hyperparams(optax.<name>, static_args=<all but learning_rate>)
    when a step sets the lr (only for a transform that takes a learning_rate). Returns (opt, groups,
    which groups are injected)."""
    setup()
    import jax.numpy as jnp
    import optax

    groups, labels = case_groups(case)
    sched = case.get("schedule")
    if sched is not None and sched.get("convention", "optax") != "optax":
        raise NotImplementedError(f"a {sched.get('convention')} schedule in an optax optimizer")
    transforms = {}
    inj = {}
    for label, name, h in groups:
        f = factory(name)
        if f is None:
            raise LookupError(f"optax has no {name}")
        h = dict(h)
        if sched is not None and _takes_lr(f):
            h["learning_rate"] = build_schedule(sched["name"], sched.get("parameters"))
        inj[label] = injected and _takes_lr(f)
        transforms[label] = build(f, h, inj[label])
    opt = transforms[None] if labels is None else optax.multi_transform(transforms, labels)
    gt = case.get("grad_transforms") or []
    for t in gt:
        if t.get("convention") != "optax":
            raise NotImplementedError(f"gradient transform {t.get('convention')}.{t.get('name')}")
    if gt:
        opt = optax.chain(*[getattr(optax, t["name"])(**(t.get("parameters") or {})) for t in gt], opt)
    acc, nf = case.get("accumulation"), case.get("non_finite")
    if acc is not None and nf is not None:
        raise NotImplementedError("accumulation together with non_finite")
    if acc is not None:
        # float64 accumulator: optax's default (float32) would round the running mean to float32
        # between micro-steps, far outside a float64 tolerance
        opt = optax.MultiSteps(opt, every_k_schedule=int(acc["steps"]), accumulator_dtype=jnp.float64)
    if nf is not None:
        if nf.get("convention") != "optax" or nf.get("name") != "apply_if_finite":
            raise NotImplementedError(f"non_finite guard {nf.get('convention')}.{nf.get('name')}")
        opt = optax.apply_if_finite(opt, **(nf.get("parameters") or {}))
    return opt, groups, inj


def _core_state(case, state):
    """The state of the optimizer proper (the multi_transform or T) inside the wrappers."""
    if case.get("non_finite") is not None:
        state = state.inner_state
    if case.get("accumulation") is not None:
        state = state.inner_opt_state
    if case.get("grad_transforms"):
        state = state[-1]
    return state


def _set_lrs(case, state, groups, inj, lr):
    import jax.numpy as jnp

    core = _core_state(case, state)
    for j, (label, _, h) in enumerate(groups):
        if not inj[label]:
            continue
        x = lr[j] if isinstance(lr, list) else lr
        if x is None:
            x = h.get("learning_rate")
        s = core if label is None else core.inner_states[label].inner_state
        s.hyperparams["learning_rate"] = jnp.asarray(x, dtype=jnp.float64)


def _is_masked_node(x):
    return type(x).__name__ == "MaskedNode"


def _is_array(x):
    import jax

    return isinstance(x, (jax.Array, np.ndarray, np.generic, bool, int, float))


def state_entries(state, n, labels=None):
    """`expected_state` of one step from an optax state (see FORMAT.md, "expected_state"):

    - a depth-first walk of the state in its pytree order (NamedTuple fields in order, tuples
      (chain states) in order, a multi_transform's groups by sorted label); every NamedTuple field
      is a candidate, under its field name:
      - a 0-d array is a scalar: a number (an integer stays an integer, a boolean is 1 or 0);
      - a list of n entries (a tree of the parameters' structure: the parameters are a list) is
        per tensor: each entry's values flattened row-major; a MaskedNode entry (a tensor the
        transform does not see) is null;
      - a NamedTuple or tuple is walked; a dict (inject_hyperparams' hyperparams and
        hyperparams_states) and any other array (muon's ns_coeffs, lbfgs' weights_memory) are
        skipped.
    - Outside a multi_transform a scalar is one number for the whole optimizer. Inside one (the
      case's param groups, or muon's own adam/muon partition) each group's scalar is written per
      tensor for the tensors of its group (the case's labels; for a partition the case did not
      make, the tensors whose per-tensor entries in that group are not MaskedNode), null for the
      others; so the entry is then a per-tensor array.
    - When a name occurs more than once (inject_hyperparams' count and scale_by_adam's, adam's
      count and scale_by_schedule's), the first in the walk wins, tensor by tensor; a name that is
      a whole-optimizer number is never filled in per tensor later, nor the reverse.
    - A per-tensor entry that is null for every tensor is left out.
    Keys are in the order of their first occurrence in the walk."""
    out = {}
    case_partition = [labels is not None]

    def scalar(v):
        x = np.asarray(v)
        return int(x) if x.dtype.kind in "iub" else float(x)

    def add_scalar(name, v, members):
        if members is None:
            out.setdefault(name, scalar(v))
            return
        e = out.setdefault(name, [None] * n)
        if isinstance(e, list):
            for i in sorted(members):
                if e[i] is None:
                    e[i] = scalar(v)

    def add_tensors(name, lst, members):
        e = out.setdefault(name, [None] * n)
        if not isinstance(e, list):
            return
        for i, x in enumerate(lst):
            if not _is_masked_node(x) and (members is None or i in members) and e[i] is None:
                e[i] = flat(np.asarray(x))

    def per_tensor(v):
        return isinstance(v, list) and len(v) == n and all(_is_array(x) or _is_masked_node(x) for x in v) \
            and any(not _is_masked_node(x) for x in v)

    def present(node):
        """Tensors with a per-tensor entry somewhere under node."""
        found = set()

        def go(x):
            if isinstance(x, list) and per_tensor(x):
                found.update(i for i, y in enumerate(x) if not _is_masked_node(y))
            elif isinstance(x, dict):
                for k in sorted(x):
                    go(x[k])
            elif isinstance(x, (tuple, list)):
                for y in x:
                    go(y)

        go(node)
        return found

    def walk(node, members):
        if type(node).__name__ == "PartitionState" and hasattr(node, "inner_states"):
            mine = case_partition[0]
            case_partition[0] = False
            for label in sorted(node.inner_states):
                sub = node.inner_states[label]
                gm = {i for i in range(n) if labels[i] == label} if mine else present(sub)
                if members is not None:
                    gm &= members
                walk(sub, gm)
            return
        if isinstance(node, tuple) and hasattr(node, "_fields"):
            for name, v in zip(node._fields, node):
                if _is_array(v):
                    if np.ndim(v) == 0:
                        add_scalar(name, v, members)
                elif per_tensor(v):
                    add_tensors(name, v, members)
                elif isinstance(v, (tuple, list)):
                    walk(v, members)
            return
        if isinstance(node, (tuple, list)):
            for v in node:
                walk(v, members)

    walk(state, None)
    return {k: v for k, v in out.items() if not (isinstance(v, list) and all(x is None for x in v))}


def _save_load(state, fresh):
    """The running state's leaves through numpy.save / numpy.load (dtype kept), put back into the
    structure of a fresh opt.init(params)."""
    import io

    import jax
    import jax.numpy as jnp

    leaves, treedef = jax.tree.flatten(state)
    fresh_def = jax.tree.structure(fresh)
    if treedef != fresh_def:
        raise ValueError(f"resume: the running state's structure {treedef} is not a fresh init's {fresh_def}")
    buf = io.BytesIO()
    for x in leaves:
        np.save(buf, np.asarray(x), allow_pickle=False)
    buf.seek(0)
    loaded = [np.load(buf, allow_pickle=False) for _ in leaves]
    return jax.tree.unflatten(fresh_def, [jnp.asarray(x) for x in loaded])


def replay_case(case):
    """Runs an optimizer case with any of the field features optax can express (param_groups,
    resume, accumulation, non_finite, schedule, empty and 0-d tensors; see build_case) and returns
    (params after each step, state_entries after each step). Per step: the step's lr (a number
    for every group, or one per group with null for the group's own) on the injected
    learning_rate, the gradients (or common.problem_grad at the current parameters), `opt.update`,
    `optax.apply_updates`; after step `resume.after_step` the state goes through _save_load into
    a freshly built optimizer's init, which runs the rest. `missing_grads` (null gradients)
    cannot be expressed in optax: NotImplementedError."""
    jax = setup()
    import jax.numpy as jnp
    import optax

    steps = case.get("steps") or []
    problem = case.get("problem")
    lrs = [s.get("lr") for s in steps]
    injected = any(lr is not None for lr in lrs)
    if injected and case.get("schedule") is not None:
        raise ValueError("steps[k].lr: a case with a schedule in the optimizer sets no per-step lr")
    if problem is None and any(g is None for s in steps for g in s["grads"]):
        raise NotImplementedError("null gradients (missing_grads) cannot be expressed in optax")
    opt, groups, inj = build_case(case, injected)
    _, labels = case_groups(case)
    ps = [jnp.asarray(_tensor(p["values"], p["shape"])) for p in case["params"]]
    n = len(ps)
    state = opt.init(ps)
    resume = (case.get("resume") or {}).get("after_step")
    out, states = [], []
    for t, s in enumerate(steps):
        if injected:
            _set_lrs(case, state, groups, inj, lrs[t])
        if problem is not None:
            x = np.asarray(ps[0], dtype=np.float64).reshape(-1)
            gs = [jnp.asarray(problem_grad(problem, x).reshape(ps[0].shape))]
        else:
            gs = [jnp.asarray(_tensor(g, p.shape)) for g, p in zip(s["grads"], ps)]
        updates, state = opt.update(gs, state, ps)
        ps = optax.apply_updates(ps, updates)
        if resume is not None and t + 1 == resume:
            opt, groups, inj = build_case(case, injected)
            state = _save_load(state, opt.init(ps))
        out.append([flat(np.asarray(p)) for p in ps])
        states.append(state_entries(state, n, labels))
    return out, states
