#!/usr/bin/env python3
"""Descent adapter for the real keras.optimizers and keras.optimizers.schedules (Keras 3.15.1).

    descent verify fixtures/keras --adapter "/tmp/descent-ref/bin/python reference/adapters/keras_adapter.py" --name keras

Runs `keras` convention cases with the library itself in float64 (keras.config.set_floatx),
through reference/runners/keras.py, the code gen_keras.py uses; every other convention is
answered `unsupported`. Optimizers run on the JAX backend (x64);
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

from _protocol import numbers, serve, trajectory  # noqa: E402
from runners import keras as keras_runner  # noqa: E402
from runners import replay_inputs  # noqa: E402

keras_runner.setup()   # jax x64 on the JAX backend, floatx float64


def optimizer_case(c):
    o = c["optimizer"]
    if keras_runner.optimizer_class(o["name"]) is None:
        return {"unsupported": f"keras.optimizers has no {o['name']}"}
    if c.get("grad_transforms"):
        return {"unsupported": "gradient transforms are Keras optimizer arguments (clipnorm, …), not grad_transforms"}
    # an lr override holds for its step only
    return {"params": trajectory(keras_runner.replay(o["name"], o.get("hyperparameters"), c["params"], *replay_inputs(c)))}


def schedule_values(c):
    s = c["schedule"]
    if keras_runner.schedule_class(s["name"]) is None:
        return {"unsupported": f"keras.optimizers.schedules has no {s['name']}"}
    return {"lr": numbers(keras_runner.schedule_values(s["name"], s.get("parameters"), c.get("length", 0)))}


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
