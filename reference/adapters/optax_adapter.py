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

Cases with field features (FORMAT.md, "Field features": `features`, `optimizer.param_groups`,
`resume`, `accumulation`, `non_finite`, `schedule`, empty and 0-d tensors) run through the runner's
replay_case (multi_transform, MultiSteps, apply_if_finite, a schedule as learning_rate, the state
saved with numpy.save and loaded into a fresh init at the resume point), and the answer adds
`state`, one object per step (runners/optax.py state_entries). `null` gradients are answered
`unsupported` (optax's updates tree must match the parameters').

A replay case's `steps[k].value` (the loss, FORMAT.md) is passed to the update of a factory that
takes one (`update(..., value=)`: polyak_sgd, optax.contrib momo and momo_adam; runners/optax.py
NEEDS_VALUE).
"""
from _protocol import number, numbers, serve, trajectory, training_answer
from runners import optax as optax_runner
from runners import replay_inputs, replay_values

optax_runner.setup()   # x64, CPU


def optimizer_case(c):
    o = c["optimizer"]
    factory = optax_runner.factory(o["name"])
    if factory is None:
        return {"unsupported": f"optax has no {o['name']}"}
    hp = dict(o.get("hyperparameters") or {})
    if c.get("validation") and o["name"] in optax_runner.NEEDS_VALUE:
        # optax checks polyak_sgd's variant at the first update, which needs the objective's value
        message = optax_runner.first_update_error(factory, hp, c["params"], catch=(ValueError,), problem=c.get("problem"))
        return {"error": message} if message is not None else {"params": []}
    if o["name"] == "lbfgs":
        return lbfgs_case(c, hp)
    if c.get("features") or any(c.get(k) is not None for k in optax_runner.FEATURE_FIELDS) \
            or (o.get("param_groups") is not None):
        return feature_case(c)
    steps, grads, problem, lrs = replay_inputs(c)
    # an lr override holds for its step only; optax clipping transforms are chained in front
    return {"params": trajectory(optax_runner.replay(factory, hp, c["params"], steps, grads, problem, lrs,
                                                     c.get("grad_transforms"), values=replay_values(c)))}


def feature_case(c):
    """A case with field features (param_groups, resume, accumulation, non_finite, schedule, empty or
    0-d tensors): runners/optax.py's replay_case, the goldens' code, which saves and loads the state
    at the resume point itself. The reply adds the state after every step (names and forms of
    FORMAT.md's expected_state, runners/optax.py state_entries)."""
    unknown = [f for f in c.get("features") or [] if f not in FEATURES]
    if unknown:
        return {"error": f"features: unknown tag {unknown[0]!r}"}
    if c.get("problem") is None and any(g is None for s in c.get("steps") or [] for g in s.get("grads") or []):
        return {"unsupported": "null gradients (missing_grads) cannot be expressed in optax: the updates tree must match the parameters'"}
    if c["optimizer"]["name"] == "lbfgs":
        return {"unsupported": "field features with optax.lbfgs"}
    params, states = optax_runner.replay_case(c)
    return {"params": trajectory(params), "state": [state_answer(s) for s in states]}


FEATURES = ("param_groups", "missing_grads", "state", "resume", "accumulation", "non_finite",
            "schedule_in_optimizer", "empty_tensors")


def state_answer(entries):
    """One step's state entries, NaN-safe: numbers, per-tensor arrays of numbers / arrays / null."""
    def one(v):
        if v is None:
            return None
        if isinstance(v, list):
            return [one(x) for x in v]
        return v if isinstance(v, int) else number(v)
    return {k: one(v) for k, v in entries.items()}


def training_case(c):
    """kind "training": the MLP in jax.numpy, jax.value_and_grad, optax clipping chained in front,
    the optimizer (inject_hyperparams when a step sets the lr) — training_models.optax_train."""
    import training_models as tm

    why = tm.check_model(c["model"])
    if why:
        return {"unsupported": why}
    if optax_runner.factory(c["optimizer"]["name"]) is None:
        return {"unsupported": f"optax has no {c['optimizer']['name']}"}
    try:
        return training_answer(*optax_runner.train(c))
    except NotImplementedError as e:   # optax.lbfgs: see runners/optax.py `train`
        return {"unsupported": str(e)}


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
    except NotImplementedError as e:   # a gradient transform or feature the runner does not know
        return {"unsupported": str(e)}
    finally:
        optax_runner.trim_caches()


if __name__ == "__main__":
    serve(handle)
