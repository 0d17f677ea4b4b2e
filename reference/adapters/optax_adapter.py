#!/usr/bin/env python3
"""Descent adapter for the real optax (0.2.8, jax x64).

    descent verify fixtures --adapter "python reference/adapters/optax_adapter.py" --name optax

Runs `optax` convention cases (optimizer, schedule and training cases) with the library itself; every other convention is answered
`unsupported`. A per-step lr is set through optax.inject_hyperparams, as the goldens do.
"""
import jax

jax.config.update("jax_enable_x64", True)
jax.config.update("jax_platforms", "cpu")
import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402
import optax  # noqa: E402

from _protocol import numbers, problem_grad, serve  # noqa: E402


def function(name):
    f = getattr(optax, name, None) or getattr(optax.contrib, name, None)
    return f if callable(f) else None


def optimizer_case(c):
    o = c["optimizer"]
    factory = function(o["name"])
    if factory is None:
        return {"unsupported": f"optax has no {o['name']}"}
    hp = dict(o.get("hyperparameters") or {})
    steps = c.get("steps") or []
    if o["name"] == "lbfgs":
        return lbfgs_case(c, hp, steps)
    injected = any(s.get("lr") is not None for s in steps)
    if injected:
        static = tuple(k for k in hp if k != "learning_rate")
        opt = optax.inject_hyperparams(factory, static_args=static)(**hp)
    else:
        opt = factory(**hp)
    transforms = c.get("grad_transforms") or []
    for t in transforms:
        if t.get("convention") != "optax":
            return {"unsupported": f"gradient transform {t.get('convention')}.{t.get('name')}"}
    if transforms:
        opt = optax.chain(*[getattr(optax, t["name"])(**(t.get("parameters") or {})) for t in transforms], opt)
    ps = [jnp.asarray(np.array(p["values"], dtype=np.float64).reshape(p["shape"])) for p in c["params"]]
    state = opt.init(ps)
    base = hp.get("learning_rate")
    problem = c.get("problem")
    out = []
    for s in steps:
        if injected:
            lr = s["lr"] if s.get("lr") is not None else base   # an override holds for its step only
            inner = state[-1] if transforms else state
            inner.hyperparams["learning_rate"] = jnp.asarray(lr, dtype=jnp.float64)
        if problem is not None:
            x = np.asarray(ps[0], dtype=np.float64).reshape(-1)
            gs = [jnp.asarray(problem_grad(problem, x).reshape(ps[0].shape))]
        else:
            gs = [jnp.asarray(np.array(g, dtype=np.float64).reshape(p.shape)) for g, p in zip(s["grads"], ps)]
        updates, state = opt.update(gs, state, ps)
        ps = optax.apply_updates(ps, updates)
        out.append([numbers(np.asarray(p).reshape(-1)) for p in ps])
    return {"params": out}


def training_case(c):
    """kind "training": the MLP in jax.numpy, jax.value_and_grad, optax clipping chained in front,
    the optimizer (inject_hyperparams when a step sets the lr) — training_models.optax_train."""
    import training_models as tm

    why = tm.check_model(c["model"])
    if why:
        return {"unsupported": why}
    o = c["optimizer"]
    factory = function(o["name"])
    if factory is None:
        return {"unsupported": f"optax has no {o['name']}"}
    hp = dict(o.get("hyperparameters") or {})
    steps = c["steps"]
    injected = any(s.get("lr") is not None for s in steps)
    if injected:
        static = tuple(k for k in hp if k != "learning_rate")
        opt = optax.inject_hyperparams(factory, static_args=static)(**hp)
    else:
        opt = factory(**hp)
    transforms = c.get("grad_transforms") or []
    for t in transforms:
        if t.get("convention") != "optax":
            return {"unsupported": f"gradient transform {t.get('convention')}.{t.get('name')}"}
    if transforms:
        opt = optax.chain(*[getattr(optax, t["name"])(**(t.get("parameters") or {})) for t in transforms], opt)
    losses, params = tm.optax_train(c, opt, injected, hp.get("learning_rate"), bool(transforms))
    return {"loss": numbers(losses), "params": [[numbers(t) for t in step] for step in params]}


def lbfgs_case(c, hp, steps):
    """optax.lbfgs evaluates the objective in its line search: the loop of the optax docs' L-BFGS
    example, with the problem as a jax function (value = problem_loss, gradient = problem_grad)."""
    opt = optax.lbfgs(**hp)   # raises as optax does (e.g. memory_size < 1)
    problem = c.get("problem")
    if problem is None:
        return {"unsupported": "optax.lbfgs needs a closed-loop problem (value_fn)"} if steps else {"params": []}
    if any(s.get("lr") is not None for s in steps):
        return {"unsupported": "a per-step lr for optax.lbfgs"}
    from gen_lbfgs_schedulefree import optax_problem_fn

    f = optax_problem_fn(problem)
    p = c["params"][0]
    x = jnp.asarray(np.array(p["values"], dtype=np.float64).reshape(p["shape"]))
    state = opt.init(x)
    value_and_grad = optax.value_and_grad_from_state(f)
    out = []
    for _ in steps:
        value, grad = value_and_grad(x, state=state)
        updates, state = opt.update(grad, state, x, value=value, grad=grad, value_fn=f)
        x = optax.apply_updates(x, updates)
        out.append([numbers(np.asarray(x).reshape(-1))])
    return {"params": out}


def build_schedule(name, params):
    f = function(name)
    if f is None:
        raise LookupError(f"optax has no {name}")
    params = dict(params or {})
    if params.get("boundaries_and_scales") is not None:
        params["boundaries_and_scales"] = {int(k): v for k, v in params["boundaries_and_scales"].items()}
    if name == "join_schedules":
        params["schedules"] = [build_schedule(ch["name"], ch.get("parameters")) for ch in params["schedules"]]
    return f(**params)


def schedule_case(c):
    try:
        sched = build_schedule(c["schedule"]["name"], c["schedule"].get("parameters"))
    except LookupError as e:
        return {"unsupported": str(e)}
    return {"lr": numbers([float(sched(k)) for k in range(c["length"])])}


def handle(c):
    conv = (c.get("optimizer") or c.get("schedule") or {}).get("convention")
    if conv != "optax":
        return {"unsupported": f"this adapter runs optax cases only (case is '{conv}')"}
    if c["kind"] == "training":
        return training_case(c)
    return optimizer_case(c) if c["kind"] == "optimizer" else schedule_case(c)


if __name__ == "__main__":
    serve(handle)
