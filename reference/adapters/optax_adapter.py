#!/usr/bin/env python3
"""Descent adapter for the real optax (0.2.8, jax x64).

    descent verify fixtures --adapter "python reference/adapters/optax_adapter.py" --name optax

Runs `optax` convention cases (optimizer, schedule and training cases) with the library itself,
through reference/runners/optax.py, the code the generators use; every other convention is answered
`unsupported`. A per-step lr is set through optax.inject_hyperparams, as the goldens do. After
each optimizer and training case, jax's compiled executables are dropped once the process holds
half the kernel's limit of memory maps (runners/optax.py, trim_caches): eager optax compiles one
executable per operation and shape, and over all of fixtures/optax they would exhaust the maps
(LLVM "Cannot allocate memory", then a crash).
"""
from _protocol import numbers, serve, trajectory, training_answer
from runners import optax as optax_runner
from runners import replay_inputs

optax_runner.setup()   # x64, CPU


def optimizer_case(c):
    o = c["optimizer"]
    factory = optax_runner.factory(o["name"])
    if factory is None:
        return {"unsupported": f"optax has no {o['name']}"}
    hp = dict(o.get("hyperparameters") or {})
    if o["name"] == "lbfgs":
        return lbfgs_case(c, hp)
    steps, grads, problem, lrs = replay_inputs(c)
    # an lr override holds for its step only; optax clipping transforms are chained in front
    return {"params": trajectory(optax_runner.replay(factory, hp, c["params"], steps, grads, problem, lrs,
                                                     c.get("grad_transforms")))}


def training_case(c):
    """kind "training": the MLP in jax.numpy, jax.value_and_grad, optax clipping chained in front,
    the optimizer (inject_hyperparams when a step sets the lr) — training_models.optax_train."""
    import training_models as tm

    why = tm.check_model(c["model"])
    if why:
        return {"unsupported": why}
    if optax_runner.factory(c["optimizer"]["name"]) is None:
        return {"unsupported": f"optax has no {c['optimizer']['name']}"}
    return training_answer(*optax_runner.train(c))


def lbfgs_case(c, hp):
    """optax.lbfgs evaluates the objective in its line search: the loop of the optax docs' L-BFGS
    example, with the problem as a jax function (value = problem_loss, gradient = problem_grad)."""
    optax_runner.factory("lbfgs")(**hp)   # raises as optax does (e.g. memory_size < 1)
    steps, _, problem, lrs = replay_inputs(c)
    if problem is None:
        return {"unsupported": "optax.lbfgs needs a closed-loop problem (value_fn)"} if steps else {"params": []}
    if lrs is not None:
        return {"unsupported": "a per-step lr for optax.lbfgs"}
    return {"params": trajectory(optax_runner.lbfgs(hp, c["params"], problem, steps))}


def schedule_case(c):
    s = c["schedule"]
    try:
        sched = optax_runner.build_schedule(s["name"], s.get("parameters"))
    except LookupError as e:
        return {"unsupported": str(e)}
    return {"lr": numbers([float(sched(k)) for k in range(c["length"])])}


def handle(c):
    conv = (c.get("optimizer") or c.get("schedule") or {}).get("convention")
    if conv != "optax":
        return {"unsupported": f"this adapter runs optax cases only (case is '{conv}')"}
    if c["kind"] == "schedule":
        return schedule_case(c)
    try:
        return training_case(c) if c["kind"] == "training" else optimizer_case(c)
    except NotImplementedError as e:   # a gradient transform the runner does not know
        return {"unsupported": str(e)}
    finally:
        optax_runner.trim_caches()


if __name__ == "__main__":
    serve(handle)
