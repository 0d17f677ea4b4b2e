"""The keras runner: keras.optimizers and keras.optimizers.schedules (Keras 3) in float64.

The backend is the caller's choice and must be in KERAS_BACKEND before Keras is first imported
(one backend per process): gen_keras.py and adapters/keras_adapter.py replay the optimizers on JAX
(x64) and evaluate the schedules on torch, where each stays in float64 (see gen_keras.py).

A replay: keras.Variable float64 parameters, per step the step's lr assigned to
`optimizer.learning_rate` (a float learning rate is a variable; the constructor's value is
assigned back on the step after an override), the gradients given or common.problem_grad at the
current parameters, then `optimizer.apply_gradients`. `replay` also runs the field features of
fixtures/FORMAT.md (tensor names, exclude_from_weight_decay, null gradients, the state after every
step, resume, gradient_accumulation_steps, a LearningRateSchedule as learning_rate, empty tensors);
`replay_case` runs a whole case. The feature goldens (gen_features_keras.py) are made on the torch
backend, where these optimizers and the schedules stay in float64 (no clipping there: on torch
`ops.minimum` leaks float32).
"""
from __future__ import annotations

import contextlib
import os

import numpy as np

from common import flat, problem_grad


def setup():
    if os.environ.get("KERAS_BACKEND", "jax") == "jax":
        import jax

        jax.config.update("jax_enable_x64", True)
    import keras

    keras.config.set_floatx("float64")
    return keras


def optimizer_class(name):
    cls = getattr(setup().optimizers, name, None)
    return cls if isinstance(cls, type) else None


def replay(name, hp, params, steps, grads=None, problem=None, lrs=None, schedule=None, resume=None,
           state=None):
    """Replays keras.optimizers.`name`(**hp) for `steps` steps (see the module docstring).

    Without the field-feature arguments this is the plain replay, returning the parameters after
    every step. The field features (fixtures/FORMAT.md, "Field features"):
    - `params[i]["name"]`: the keras.Variable's name (a name with "/" is made in name scopes, so
      "dense/kernel" is the variable "kernel" whose path is "dense/kernel"; Keras rejects "/" in
      a name);
    - `hp["exclude_from_weight_decay"] = {"var_names": [...]}`: not a constructor argument, but
      `optimizer.exclude_from_weight_decay(var_names=...)` called after construction;
    - `hp["gradient_accumulation_steps"]`: passed to the constructor as is;
    - a `None` gradient (grads[t][i] is None): the pair is left out of `apply_gradients` (the
      optimizer is built on every variable before the first step, as `model.fit` builds it);
    - `schedule` = {"name", "parameters"}: learning_rate=keras.optimizers.schedules.<name>(**parameters);
    - `resume` = k: after the k-th step a fresh optimizer of the same configuration is built on the
      same variables and each of `opt.variables` is assigned, from a numpy copy, to the matching one
      (same position, checked by name and shape) of the fresh one's `variables`;
    - `state` true: returns (params, states), states[t] the optimizer's state after step t as
      `optimizer_state` gives it.
    """
    keras = setup()
    cls = optimizer_class(name)
    if cls is None:
        raise LookupError(f"keras.optimizers has no {name}")
    hp = dict(hp or {})
    exclude = hp.pop("exclude_from_weight_decay", None)
    features = (exclude is not None or schedule is not None or resume is not None or state
                or any(p.get("name") is not None for p in params)
                or (grads is not None and any(g is None for step in grads for g in step)))
    if schedule is not None:
        if "learning_rate" in hp:
            raise ValueError("a case with a schedule gives no learning_rate hyperparameter")
        if lrs is not None:
            raise ValueError("steps[k].lr: a case with a schedule in the optimizer sets no per-step lr")
        hp["learning_rate"] = schedule_object(schedule["name"], schedule.get("parameters"))
    vs = [_variable(keras, p) for p in params]

    def make():
        opt = cls(**hp)
        if exclude is not None:
            unknown = set(exclude) - {"var_names"}
            if unknown:
                raise ValueError(f"exclude_from_weight_decay: unknown keys {sorted(unknown)} (only var_names)")
            opt.exclude_from_weight_decay(var_names=list(exclude.get("var_names") or []))
        if features:
            opt.build(vs)
        return opt

    opt = make()
    base, overridden = None, False
    out, states = [], []
    for t in range(steps):
        if lrs is not None and lrs[t] is not None:
            if base is None:
                base = float(np.asarray(opt.learning_rate))
            opt.learning_rate = lrs[t]
            overridden = True
        elif overridden:
            opt.learning_rate = base   # an override holds for its step only
            overridden = False
        if problem is not None:
            gs = [problem_grad(problem, np.asarray(vs[0]).reshape(-1).copy())]
        else:
            gs = grads[t]
        # tensors of the backend (the torch backend's foreach updates take no numpy arrays)
        pairs = [(keras.ops.convert_to_tensor(np.array(g, dtype=np.float64).reshape(v.shape)), v)
                 for g, v in zip(gs, vs) if g is not None]
        if not pairs:
            # Keras refuses a step without any gradient (_filter_empty_gradients:
            # "No gradients provided for any variable."), iterations unchanged
            opt.apply_gradients([(None, v) for v in vs])
        else:
            opt.apply_gradients(pairs)
        if resume is not None and t + 1 == resume:
            opt = _resumed(opt, make)
        out.append([flat(np.asarray(v)) for v in vs])
        if state:
            states.append(optimizer_state(opt, vs))
    return (out, states) if state else out


def _variable(keras, p):
    value = np.array(p["values"], dtype=np.float64).reshape(p["shape"])
    name = p.get("name")
    if name is None:
        return keras.Variable(value, dtype="float64")
    *scopes, last = name.split("/")
    if not scopes:
        return keras.Variable(value, dtype="float64", name=last)
    with contextlib.ExitStack() as stack:
        for s in scopes:
            stack.enter_context(keras.name_scope(s))
        return keras.Variable(value, dtype="float64", name=last)


def _resumed(opt, make):
    """A fresh optimizer of the same configuration, built on the same variables, holding `opt`'s
    variables (iterations, learning_rate and the slots) from numpy copies."""
    opt2 = make()
    old, new = opt.variables, opt2.variables
    if len(old) != len(new):
        raise AssertionError(f"resume: {len(old)} optimizer variables, the fresh optimizer has {len(new)}")
    for a, b in zip(old, new):
        ka, kb = _role(opt, a), _role(opt2, b)
        if ka != kb or tuple(a.shape) != tuple(b.shape):
            raise AssertionError(f"resume: {ka}{tuple(a.shape)} does not match {kb}{tuple(b.shape)}")
        b.assign(np.array(a.numpy(), copy=True))
    return opt2


def _role(opt, v):
    """What an optimizer variable is: the attribute holding it (`_iterations`, `_learning_rate`,
    Nadam's `_u_product`, auto-named "variable_N" differently in every optimizer), else its name
    (a slot: f"{variable path}_{slot}")."""
    attr = [k for k, x in vars(opt).items() if x is v]
    return attr[0] if attr else v.name


def _slot_prefix(v):
    # add_variable_from_reference names a slot f"{reference.path.replace('/', '_')}_{slot}"
    return (getattr(v, "path", None) or v.name).replace("/", "_") + "_"


def optimizer_state(opt, vs):
    """The optimizer's state as an `expected_state` object: "iterations" (the value of Keras's
    `iteration` variable, every apply_gradients call counted, micro-steps included) and, per slot
    name (the optimizer variable's name without its variable's prefix: momentum, velocity,
    velocity_hat, gradient_accumulator, ...), one entry per tensor in `vs` order (the flat values,
    or None for a tensor without that slot); a variable of the whole optimizer by the attribute
    holding it (Nadam's `u_product`, a number). The learning_rate variable is left out."""
    prefixes = [_slot_prefix(v) for v in vs]
    slots = {}
    iterations = None
    for ov in opt.variables:
        if ov is opt._iterations:
            iterations = int(np.asarray(ov.numpy()))
            continue
        if ov is opt._learning_rate:
            continue
        match = [(len(p), i) for i, p in enumerate(prefixes) if ov.name.startswith(p)]
        if not match:
            # a scalar of the whole optimizer (Nadam's `_u_product`, a Variable named "variable"):
            # named by the optimizer's attribute holding it, without the leading underscore
            attr = [k for k, x in vars(opt).items() if x is ov]
            if not attr:
                raise AssertionError(f"optimizer variable {ov.name} belongs to no parameter")
            value = np.asarray(ov.numpy())
            slots[attr[0].lstrip("_")] = float(value) if value.ndim == 0 else flat(value)
            continue
        _, i = max(match)
        slot = ov.name[len(prefixes[i]):]
        entry = slots.setdefault(slot, [None] * len(vs))
        if entry[i] is not None:
            raise AssertionError(f"two {slot} slots for parameter {i}")
        entry[i] = flat(np.asarray(ov.numpy()))
    return {"iterations": iterations, **slots}


def replay_case(case, state=None):
    """Runs an optimizer case (the fixture's dict) with every feature it gives; returns the
    parameters after every step, and with `state` (default: whether any step has
    `expected_state`, or the case's `features` has "state") also the state after every step."""
    from runners import replay_inputs

    o = case["optimizer"]
    if o.get("param_groups"):
        raise ValueError("optimizer.param_groups: a keras optimizer has no groups (use exclude_from_weight_decay)")
    if case.get("accumulation"):
        raise ValueError("accumulation: a keras case gives gradient_accumulation_steps in hyperparameters")
    if case.get("grad_transforms") or case.get("non_finite"):
        raise ValueError("grad_transforms / non_finite: not a keras field (Keras clips inside the optimizer)")
    if state is None:
        state = "state" in (case.get("features") or []) or any("expected_state" in s for s in case.get("steps") or [])
    n, grads, problem, lrs = replay_inputs(case)
    resume = (case.get("resume") or {}).get("after_step")
    return replay(o["name"], o.get("hyperparameters"), case["params"], n, grads=grads, problem=problem, lrs=lrs,
                  schedule=case.get("schedule"), resume=resume, state=state)


def constructor_error(name, hp, catch=(ValueError,)):
    """The message keras.optimizers.`name`(**hp) raises (exceptions of the classes in `catch`), or
    None when it accepts the arguments."""
    try:
        optimizer_class(name)(**hp)
    except catch as e:
        return str(e)
    return None


def schedule_class(name):
    cls = getattr(setup().optimizers.schedules, name, None)
    return cls if isinstance(cls, type) else None


def schedule_object(name, params):
    """keras.optimizers.schedules.`name`(**params)."""
    cls = schedule_class(name)
    if cls is None:
        raise LookupError(f"keras.optimizers.schedules has no {name}")
    return cls(**(params or {}))


def schedule_values(name, params, n):
    """schedule(k) for k = 0 .. n-1 (k = the updates already made, what an optimizer passes)."""
    cls = schedule_class(name)
    if cls is None:
        raise LookupError(f"keras.optimizers.schedules has no {name}")
    s = cls(**(params or {}))
    return [float(np.asarray(s(k))) for k in range(n)]


def schedule_error(name, params, catch=(ValueError,)):
    """The message keras.optimizers.schedules.`name`(**params) raises, or None."""
    try:
        schedule_class(name)(**params)
    except catch as e:
        return str(e)
    return None


def train(case):
    """A training case (`kind: "training"`) on the JAX backend: keras.optimizers.<name>(**hp) on
    float64 keras.Variables of the case's params, the gradients of training_models.jax_loss by
    jax.value_and_grad (training_models.keras_train). Returns (losses, params after each step)."""
    import training_models as tm

    keras = setup()
    if keras.backend.backend() != "jax":
        raise NotImplementedError("keras training cases run on the JAX backend (jax.grad of the model)")
    o = case["optimizer"]
    cls = optimizer_class(o["name"])
    if cls is None:
        raise LookupError(f"keras.optimizers has no {o['name']}")
    if case.get("grad_transforms"):
        raise ValueError("grad_transforms: not a keras field (Keras clips inside the optimizer)")
    vs = [_variable(keras, p) for p in case["params"]]
    opt = cls(**dict(o.get("hyperparameters") or {}))
    return tm.keras_train(case, opt, vs, keras)
