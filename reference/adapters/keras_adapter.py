#!/usr/bin/env python3
"""Descent adapter for the real keras.optimizers and keras.optimizers.schedules (Keras 3.15.1).

    descent verify fixtures/keras --adapter "/tmp/descent-ref/bin/python reference/adapters/keras_adapter.py" --name keras

Runs `keras` convention cases with the library itself in float64 (keras.config.set_floatx);
every other convention is answered `unsupported`. Optimizers run on the JAX backend (x64);
schedules are evaluated by a child process of this adapter on the torch backend — Keras's float64
leaks into float32 in ops.cos on JAX and in ops.minimum (clipping) on torch (see gen_keras.py).
KERAS_BACKEND set in the environment overrides the optimizer backend.
"""
import json
import os
import subprocess
import sys

SCHEDULE_WORKER = "--schedule-worker" in sys.argv
BACKEND = "torch" if SCHEDULE_WORKER else os.environ.get("KERAS_BACKEND", "jax")
os.environ["KERAS_BACKEND"] = BACKEND

import numpy as np  # noqa: E402

if BACKEND == "jax":
    import jax  # noqa: E402

    jax.config.update("jax_enable_x64", True)
import keras  # noqa: E402

from _protocol import numbers, problem_grad, serve  # noqa: E402

keras.config.set_floatx("float64")


def to_tensor(a):
    return keras.ops.convert_to_tensor(np.asarray(a, dtype=np.float64))


def optimizer_case(c):
    o = c["optimizer"]
    cls = getattr(keras.optimizers, o["name"], None)
    if cls is None or not isinstance(cls, type):
        return {"unsupported": f"keras.optimizers has no {o['name']}"}
    if c.get("grad_transforms"):
        return {"unsupported": "gradient transforms are Keras optimizer arguments (clipnorm, …), not grad_transforms"}
    opt = cls(**(o.get("hyperparameters") or {}))
    if not c.get("steps"):
        return {"params": []}
    vs = [keras.Variable(np.array(p["values"], dtype=np.float64).reshape(p["shape"]), dtype="float64") for p in c["params"]]
    base = float(np.asarray(opt.learning_rate))
    problem = c.get("problem")
    out = []
    for s in c["steps"]:
        opt.learning_rate = s["lr"] if s.get("lr") is not None else base   # an override holds for its step only
        if problem is not None:
            gs = [problem_grad(problem, np.asarray(vs[0]).reshape(-1).copy())]
        else:
            gs = s["grads"]
        opt.apply_gradients(zip([to_tensor(np.reshape(g, v.shape)) for g, v in zip(gs, vs)], vs))
        out.append([numbers(np.asarray(v).reshape(-1)) for v in vs])
    return {"params": out}


def schedule_values(c):
    s = c["schedule"]
    cls = getattr(keras.optimizers.schedules, s["name"], None)
    if cls is None or not isinstance(cls, type):
        return {"unsupported": f"keras.optimizers.schedules has no {s['name']}"}
    sched = cls(**(s.get("parameters") or {}))
    return {"lr": numbers([float(np.asarray(sched(k))) for k in range(c["length"])])}


_worker = None


def schedule_case(c):
    """Forwarded to a child adapter on the torch backend (one backend per process)."""
    global _worker
    if SCHEDULE_WORKER:
        return schedule_values(c)
    if _worker is None or _worker.poll() is not None:
        env = dict(os.environ, KERAS_BACKEND="torch")
        _worker = subprocess.Popen([sys.executable, os.path.abspath(__file__), "--schedule-worker"], env=env,
                                   stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    _worker.stdin.write(json.dumps(c) + "\n")
    _worker.stdin.flush()
    answer = json.loads(_worker.stdout.readline())
    answer.pop("id", None)
    return answer


def handle(c):
    conv = (c.get("optimizer") or c.get("schedule") or {}).get("convention")
    if conv != "keras":
        return {"unsupported": f"this adapter runs keras cases only (case is '{conv}')"}
    return optimizer_case(c) if c["kind"] == "optimizer" else schedule_case(c)


if __name__ == "__main__":
    serve(handle)
