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

from common import flat, problem_grad


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


def build(factory_, hp, injected=False, transforms=None):
    """The gradient transformation of a case (see the module docstring); NotImplementedError for
    a non-optax gradient transform."""
    setup()
    import optax

    if injected:
        static = tuple(k for k in hp if k != "learning_rate")
        opt = optax.inject_hyperparams(factory_, static_args=static)(**hp)
    else:
        opt = factory_(**hp)
    for t in transforms or []:
        if t.get("convention") != "optax":
            raise NotImplementedError(f"gradient transform {t.get('convention')}.{t.get('name')}")
    if transforms:
        opt = optax.chain(*[getattr(optax, t["name"])(**(t.get("parameters") or {})) for t in transforms], opt)
    return opt


def replay(name, hp, params, steps, grads=None, problem=None, lrs=None, transforms=None, clear_caches=False):
    """Replays optax.`name` (or a factory) for `steps` steps (see the package docstring).
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
        if problem is not None:
            x = np.asarray(ps[0], dtype=np.float64).reshape(-1)
            gs = [jnp.asarray(problem_grad(problem, x).reshape(ps[0].shape))]
        else:
            gs = [jnp.asarray(np.array(g, dtype=np.float64).reshape(p.shape)) for g, p in zip(grads[t], ps)]
        updates, state = opt.update(gs, state, ps)
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


def first_update_error(factory_, hp, params, catch=(ValueError,)):
    """The message optax raises for `hp` in the call, `init` or the first `update` (with gradients
    of ones), or None when all three succeed; some arguments are only checked there."""
    setup()
    import jax.numpy as jnp

    try:
        opt = factory_(**hp)
        ps = [jnp.asarray(np.array(p["values"]).reshape(p["shape"])) for p in params]
        state = opt.init(ps)
        opt.update([jnp.ones_like(p) for p in ps], state, ps)
    except catch as e:
        return str(e)
    return None


def train(case):
    """A training case (`kind: "training"`): training_models.optax_train with the case's optimizer
    (inject_hyperparams when a step sets the lr) and its clipping chained in front. Returns
    (losses, params after each step)."""
    import training_models as tm

    o = case["optimizer"]
    hp = dict(o.get("hyperparameters") or {})
    f = factory(o["name"])
    if f is None:
        raise LookupError(f"optax has no {o['name']}")
    injected = any(s.get("lr") is not None for s in case["steps"])
    transforms = case.get("grad_transforms") or []
    opt = build(f, hp, injected, transforms)
    return tm.optax_train(case, opt, injected, hp.get("learning_rate"), bool(transforms))


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
