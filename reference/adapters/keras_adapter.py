#!/usr/bin/env python3
"""Descent adapter for the real keras.optimizers and keras.optimizers.schedules (Keras 3.15.1).

    descent verify fixtures/keras --adapter "/tmp/descent-ref/bin/python reference/adapters/keras_adapter.py" --name keras

Runs `keras` convention cases with the library itself in float64 (keras.config.set_floatx),
through reference/runners/keras.py, the code gen_keras.py uses; every other convention is
answered `unsupported`. Optimizers run on the JAX backend (x64);
schedules are evaluated by a child process of this adapter on the torch backend — Keras's float64
leaks into float32 in ops.cos on JAX and in ops.minimum (clipping) on torch (see gen_keras.py).
KERAS_BACKEND set in the environment overrides the optimizer backend.

Cases with the field features of the fixture spec (`features`, `params[i].name`,
`exclude_from_weight_decay`, `null` gradients, `resume`, `gradient_accumulation_steps`, a `schedule`
on an optimizer case, empty tensors) run on the torch backend too, in the same child process,
through runners.keras.replay_case (the code gen_features_keras.py made their goldens with, on
torch: CosineDecay leaks float32 on JAX); the answer adds `state`, the optimizer's variables after
every step (`iterations` and the slots by name, the spec's "Adapter requests and replies").
`optimizer.param_groups`, `accumulation`, `non_finite` and `grad_transforms` are not Keras's forms
and are answered `unsupported`. Training cases run on the JAX backend: jax.value_and_grad of the
jax MLP, the optimizer's apply_gradients (runners.keras.train, as gen_training_more.py).
"""
import json
import os
import subprocess
import sys

SCHEDULE_WORKER = "--schedule-worker" in sys.argv   # the torch-backend child: schedules and feature cases
BACKEND = "torch" if SCHEDULE_WORKER else os.environ.get("KERAS_BACKEND", "jax")
os.environ["KERAS_BACKEND"] = BACKEND

from _protocol import number, numbers, serve, trajectory, training_answer  # noqa: E402
from runners import keras as keras_runner  # noqa: E402
from runners import replay_inputs  # noqa: E402

keras_runner.setup()   # jax x64 on the JAX backend, floatx float64


FEATURE_HYPERPARAMETERS = ("exclude_from_weight_decay", "gradient_accumulation_steps")


def has_features(c):
    """Whether an optimizer case uses any field feature (then it runs on the torch backend)."""
    hp = c["optimizer"].get("hyperparameters") or {}
    return bool(c.get("features") or c.get("schedule") or c.get("resume") or c["optimizer"].get("param_groups")
                or c.get("accumulation") or c.get("non_finite")
                or any(k in hp for k in FEATURE_HYPERPARAMETERS)
                or any(p.get("name") is not None or 0 in p["shape"] or p["shape"] == [] for p in c["params"])
                or any(g is None for s in c.get("steps") or [] for g in s.get("grads") or []))


def state_answer(state):
    """One step's state as the protocol's object (NaN-safe numbers, null kept)."""
    out = {}
    for k, v in state.items():
        if isinstance(v, list):
            out[k] = [None if x is None else (numbers(x) if isinstance(x, list) else number(x)) for x in v]
        else:
            out[k] = v if isinstance(v, int) else number(v)
    return out


def feature_case(c):
    o = c["optimizer"]
    if o.get("param_groups"):
        return {"unsupported": "a Keras optimizer has no param groups (Keras selects by exclude_from_weight_decay)"}
    if c.get("accumulation"):
        return {"unsupported": "Keras accumulates through gradient_accumulation_steps, not the accumulation field"}
    if c.get("non_finite"):
        return {"unsupported": f"non_finite guard {c['non_finite'].get('name')!r} is not a Keras one"}
    sched = c.get("schedule")
    if sched is not None:
        if sched.get("convention") != "keras":
            return {"unsupported": f"a {sched.get('convention')} schedule in a keras optimizer"}
        if keras_runner.schedule_class(sched["name"]) is None:
            return {"unsupported": f"keras.optimizers.schedules has no {sched['name']}"}
    params, states = keras_runner.replay_case(c, state=True)
    return {"params": trajectory(params), "state": [state_answer(s) for s in states]}


def optimizer_case(c):
    o = c["optimizer"]
    if keras_runner.optimizer_class(o["name"]) is None:
        return {"unsupported": f"keras.optimizers has no {o['name']}"}
    if c.get("grad_transforms"):
        return {"unsupported": "gradient transforms are Keras optimizer arguments (clipnorm, …), not grad_transforms"}
    if has_features(c):
        return feature_case(c) if BACKEND == "torch" else torch_worker(c)
    # an lr override holds for its step only
    return {"params": trajectory(keras_runner.replay(o["name"], o.get("hyperparameters"), c["params"], *replay_inputs(c)))}


def training_case(c):
    """kind "training": jax.value_and_grad of the jax MLP, then the optimizer's apply_gradients on the
    JAX backend (runners.keras.train, as gen_training_more.py)."""
    import training_models as tm

    o = c["optimizer"]
    why = tm.check_model(c["model"])
    if why:
        return {"unsupported": why}
    if keras_runner.optimizer_class(o["name"]) is None:
        return {"unsupported": f"keras.optimizers has no {o['name']}"}
    if c.get("grad_transforms"):
        return {"unsupported": "gradient transforms are Keras optimizer arguments (clipnorm, …), not grad_transforms"}
    if BACKEND != "jax":
        return {"unsupported": "keras training cases take the model's gradients from jax: run with KERAS_BACKEND=jax"}
    return training_answer(*keras_runner.train(c))


def schedule_values(c):
    s = c["schedule"]
    if keras_runner.schedule_class(s["name"]) is None:
        return {"unsupported": f"keras.optimizers.schedules has no {s['name']}"}
    return {"lr": numbers(keras_runner.schedule_values(s["name"], s.get("parameters"), c.get("length", 0)))}


_worker = None


def schedule_case(c):
    """Forwarded to a child adapter on the torch backend (one backend per process)."""
    if SCHEDULE_WORKER:
        return schedule_values(c)
    return torch_worker(c)


def torch_worker(c):
    """The answer of the child adapter on the torch backend."""
    global _worker
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
    if c["kind"] == "training":
        return training_case(c)
    return optimizer_case(c) if c["kind"] == "optimizer" else schedule_case(c)


if __name__ == "__main__":
    serve(handle)
