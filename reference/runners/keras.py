"""The keras runner: keras.optimizers and keras.optimizers.schedules (Keras 3) in float64.

The backend is the caller's choice and must be in KERAS_BACKEND before Keras is first imported
(one backend per process): gen_keras.py and adapters/keras_adapter.py replay the optimizers on JAX
(x64) and evaluate the schedules on torch, where each stays in float64 (see gen_keras.py).

A replay: keras.Variable float64 parameters, per step the step's lr assigned to
`optimizer.learning_rate` (a float learning rate is a variable; the constructor's value is
assigned back on the step after an override), the gradients given or common.problem_grad at the
current parameters, then `optimizer.apply_gradients`.
"""
from __future__ import annotations

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


def replay(name, hp, params, steps, grads=None, problem=None, lrs=None):
    """Replays keras.optimizers.`name`(**hp) for `steps` steps (see the package docstring)."""
    keras = setup()
    cls = optimizer_class(name)
    if cls is None:
        raise LookupError(f"keras.optimizers has no {name}")
    vs = [keras.Variable(np.array(p["values"], dtype=np.float64).reshape(p["shape"]), dtype="float64") for p in params]
    opt = cls(**(hp or {}))
    base, overridden = None, False
    out = []
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
        g = [keras.ops.convert_to_tensor(np.array(g, dtype=np.float64).reshape(v.shape)) for g, v in zip(gs, vs)]
        opt.apply_gradients(zip(g, vs))
        out.append([flat(np.asarray(v)) for v in vs])
    return out


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
