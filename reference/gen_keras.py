"""Golden fixtures for the keras convention: keras.optimizers.X and keras.optimizers.schedules.X.

Expected values come from Keras 3.15.1 itself (keras.config.set_floatx("float64")): the optimizers'
own `apply_gradients` on the JAX backend (jax_enable_x64), with a per-step
learning rate assigned to `optimizer.learning_rate` before the step, and the schedules called at
the integer step k (what an optimizer passes them: `iterations`, the updates already made).
Every case says which mistake it is built to catch. Writes fixtures/keras/*.json and
fixtures/keras/schedules/*.json.

Two backends, because Keras's float64 leaks into float32 differently on each: off TensorFlow, Keras's
`result_type` maps float64 to float32 (dtypes.BIT64_TO_BIT32_DTYPE). On JAX, `ops.cos`/`floor`/`ceil`
cast through it, so CosineDecay and CosineDecayRestarts come out in float32 arithmetic; on torch,
`ops.minimum` of a float64 tensor and a Python float does, so clipnorm and global_clipnorm do. The
optimizers are therefore replayed on JAX (where they are float64 throughout) and the schedules are
evaluated on the torch backend, in a child process of this one (one backend per process).
"""
from __future__ import annotations

import functools
import json
import os
import subprocess
import sys

_SCHEDULES_WORKER = "--keras-schedules-worker" in sys.argv
os.environ["KERAS_BACKEND"] = "torch" if _SCHEDULES_WORKER else "jax"   # must precede `import keras`

import common  # noqa: E402
from common import DEFAULT_SHAPES, Fixture  # noqa: E402
from runners import keras as keras_runner  # noqa: E402

SOURCE = "keras 3.15.1"
STEPS = 20
TOL = {"rtol": 1e-9, "atol": 1e-12}
FILES = common.Files()


def _keras():
    keras = keras_runner.setup()
    assert keras.backend.backend() == os.environ["KERAS_BACKEND"], "keras was imported before gen_keras set its backend"
    return keras


def run_keras(name, hp, params, grads, lrs):
    """Replays keras.optimizers.<name>(**hp) on `params` with the gradient sequence `grads`."""
    _keras()
    return keras_runner.replay(name, hp, params, len(grads), grads=grads, lrs=lrs)


def keras_error(name, hp):
    _keras()
    message = keras_runner.constructor_error(name, hp)
    if message is None:
        raise AssertionError(f"keras.optimizers.{name}({hp}) was accepted")
    return message


def optimizer_case(name, cid, hp, description, lrs=None, shapes=DEFAULT_SHAPES, grad_scale=1.0, tolerance=TOL):
    case_id = f"keras/{name}/{cid}"
    rng = common.case_rng(case_id)
    params = common.initial_params(rng, shapes)
    grads = common.discriminating_grads(rng, shapes, STEPS)
    if grad_scale != 1.0:
        grads = [[[x * grad_scale for x in g] for g in step] for step in grads]
    expected = run_keras(name, hp, params, grads, lrs)
    steps = common.trajectory_steps(expected, grads, lrs)
    return common.optimizer_case(case_id, SOURCE, "keras", name, hp, params, steps, description, tolerance)


def error_case(name, cid, hp, description):
    case_id = f"keras/{name}/{cid}"
    params = common.initial_params(common.case_rng(case_id), [(2,)])
    return common.optimizer_case(case_id, SOURCE, "keras", name, hp, params, None, description, TOL,
                                 error=keras_error(name, hp))


def optimizer_specs():
    """{optimizer name: [a function making each case]} (nothing runs until a case is made)."""
    by = {}

    def add(name, cid, hp, description, **kw):
        by.setdefault(name, []).append(functools.partial(optimizer_case, name, cid, hp, description, **kw))

    def error(name, cid, hp, description):
        by.setdefault(name, []).append(functools.partial(error_case, name, cid, hp, description))

    sched = common.lr_sequence(0.05, STEPS)

    # SGD
    add("SGD", "defaults", {}, "learning_rate 0.01 by default (torch's SGD defaults to 1e-3): catches the wrong default.")
    add("SGD", "momentum-lr-schedule", {"learning_rate": 0.05, "momentum": 0.9},
        "Momentum with an lr that changes mid-run: Keras keeps lr inside the buffer (m ← μm − lr·g), so an lr "
        "change does not rescale past momentum; catches momentum-lr-outside and a buffer started at the gradient.",
        lrs=sched)
    add("SGD", "nesterov", {"learning_rate": 0.02, "momentum": 0.8, "nesterov": True},
        "Nesterov w ← w + μm − lr·g: catches nesterov computed as plain momentum.")
    add("SGD", "weight-decay", {"learning_rate": 0.1, "momentum": 0.5, "weight_decay": 0.3},
        "Keras's weight decay w ← w − w·λ·lr before the update (not added to the gradient): catches L2-coupled "
        "decay and decay not scaled by lr.", lrs=common.lr_sequence(0.1, STEPS))
    add("SGD", "clipnorm", {"learning_rate": 0.1, "clipnorm": 0.5},
        "clipnorm clips each tensor to its own norm: catches a global norm, or torch's +1e-6.", grad_scale=3.0)
    add("SGD", "global-clipnorm", {"learning_rate": 0.1, "global_clipnorm": 0.7},
        "global_clipnorm scales all tensors by c/max(n, c) with n over all of them and no +1e-6: catches "
        "per-tensor clipping and torch's clip_grad_norm_ epsilon.", grad_scale=3.0)
    add("SGD", "clipvalue", {"learning_rate": 0.1, "momentum": 0.9, "clipvalue": 0.05},
        "clipvalue clamps every element to ±c before the momentum: catches clipping ignored.")
    error("SGD", "momentum-int", {"momentum": 0}, "Keras insists momentum is a float: the integer 0 is rejected.")
    error("SGD", "momentum-above-one", {"momentum": 1.5}, "momentum must lie in [0, 1].")
    error("SGD", "two-clips", {"clipnorm": 1.0, "clipvalue": 0.5}, "At most one of clipnorm, clipvalue, global_clipnorm.")

    # RMSprop
    add("RMSprop", "defaults", {}, "rho 0.9 and epsilon 1e-7 inside the root (√(v + ε)), lr 1e-3: dead elements "
        "and 1e-8 gradients catch ε outside the root and torch's alpha 0.99.")
    add("RMSprop", "momentum-lr-schedule", {"learning_rate": 0.01, "momentum": 0.9}, "Momentum buffer holds "
        "lr·g/√(v+ε) (lr inside): with an lr changing mid-run catches lr outside the buffer (torch's form), and "
        "with it ε inside the root: the pair torch users hit.", lrs=common.lr_sequence(0.01, STEPS))
    add("RMSprop", "centered", {"learning_rate": 0.01, "rho": 0.8, "centered": True, "epsilon": 1e-4},
        "Centered: √(v − ā² + ε); catches uncentered RMSprop and ε outside the root.")
    add("RMSprop", "centered-momentum", {"learning_rate": 0.01, "rho": 0.95, "momentum": 0.5, "centered": True},
        "Centered with momentum: catches the momentum buffer with lr outside.", lrs=common.lr_sequence(0.01, STEPS))
    add("RMSprop", "weight-decay", {"learning_rate": 0.01, "weight_decay": 0.2},
        "Keras decay before the update, decoupled: catches L2 decay on the gradient.")

    # Adagrad
    add("Adagrad", "defaults", {}, "initial_accumulator_value 0.1 and epsilon 1e-7 inside the root: catches a zero "
        "initial accumulator (torch's default) and ε outside the root.")
    add("Adagrad", "zero-accumulator-large-eps", {"learning_rate": 0.1, "initial_accumulator_value": 0.0, "epsilon": 1e-2},
        "A zero accumulator with a large ε: √(s + ε) vs √s + ε differ on every element.")
    add("Adagrad", "lr-schedule", {"learning_rate": 0.1, "initial_accumulator_value": 0.5},
        "An lr changing mid-run (no lr_decay in Keras); catches an initial accumulator ignored.",
        lrs=common.lr_sequence(0.1, STEPS))

    # Adadelta
    add("Adadelta", "defaults", {}, "learning_rate 1e-3, rho 0.95, epsilon 1e-7 (torch: lr 1.0, rho 0.9, eps 1e-6): catches torch's defaults.")
    add("Adadelta", "lr-one", {"learning_rate": 1.0, "rho": 0.9, "epsilon": 1e-6}, "torch's defaults spelled out: the same update as torch.")
    add("Adadelta", "weight-decay", {"learning_rate": 0.5, "weight_decay": 0.1},
        "Keras decay before the update: catches L2 decay on the gradient.")

    # Adam
    add("Adam", "defaults", {}, "epsilon 1e-7 as epsilon hat: α = lr·√(1−β₂ᵗ)/(1−β₁ᵗ), ε added to √v; 1e-8 gradients "
        "and dead elements catch torch's ε (outside √v̂) and ε inside the root.")
    add("Adam", "large-epsilon", {"learning_rate": 0.01, "epsilon": 1e-3},
        "A large ε makes epsilon hat visible everywhere: catches ε added after bias correction.")
    add("Adam", "amsgrad", {"learning_rate": 0.01, "amsgrad": True, "epsilon": 1e-4},
        "AMSGrad: max of the raw v, then epsilon hat: catches amsgrad ignored and the max of v̂.")
    add("Adam", "weight-decay-lr-schedule", {"learning_rate": 0.01, "weight_decay": 0.2},
        "Adam's weight_decay in Keras is decoupled, before the update, × the current lr: catches L2 decay.",
        lrs=common.lr_sequence(0.01, STEPS))
    add("Adam", "betas", {"learning_rate": 0.02, "beta_1": 0.5, "beta_2": 0.8},
        "Small betas make the bias corrections large for many steps: catches no bias correction.")

    # AdamW
    add("AdamW", "defaults", {}, "weight_decay 0.004 by default (torch: 1e-2), epsilon hat: catches torch's defaults.")
    add("AdamW", "large-decay", {"learning_rate": 0.01, "weight_decay": 0.5, "epsilon": 1e-5},
        "A large decay × lr: catches decay not scaled by lr, and coupled decay.", lrs=common.lr_sequence(0.01, STEPS))
    add("AdamW", "amsgrad", {"learning_rate": 0.01, "weight_decay": 0.1, "amsgrad": True},
        "AMSGrad with decay: catches amsgrad ignored.")
    error("AdamW", "weight-decay-none", {"weight_decay": None}, "AdamW rejects weight_decay=None.")

    # Adamax
    add("Adamax", "defaults", {}, "u ← max(β₂u, |g|), divided by u + ε (ε outside the max; torch puts it inside): "
        "dead elements and 1e-8 gradients catch torch's form.")
    add("Adamax", "large-epsilon", {"learning_rate": 0.01, "epsilon": 1e-3, "beta_2": 0.9},
        "A large ε: max(β₂u, |g| + ε) and max(β₂u, |g|) + ε differ visibly.")
    add("Adamax", "weight-decay", {"learning_rate": 0.01, "weight_decay": 0.1},
        "Keras decay before the update (torch's Adamax decay is L2).")

    # Nadam
    add("Nadam", "defaults", {}, "μₜ = β₁(1 − ½·0.96ᵗ) (torch: 0.96^(0.004·t)): catches torch's momentum_decay.")
    add("Nadam", "betas-lr-schedule", {"learning_rate": 0.01, "beta_1": 0.8, "beta_2": 0.9, "epsilon": 1e-5},
        "Other betas and an lr changing mid-run.", lrs=common.lr_sequence(0.01, STEPS))
    add("Nadam", "weight-decay", {"learning_rate": 0.01, "weight_decay": 0.1}, "Keras decay before the update.")

    # Lion
    add("Lion", "defaults", {}, "sign(β₁m + (1−β₁)g) with β₁ 0.9, then m ← β₂m + (1−β₂)g with β₂ 0.99: catches swapped betas and the one-beta form.")
    add("Lion", "weight-decay", {"learning_rate": 0.01, "beta_1": 0.5, "beta_2": 0.9, "weight_decay": 0.3},
        "Keras decay before the sign update.")
    error("Lion", "beta1-zero", {"beta_1": 0.0}, "beta_1 = 0 degenerates to SignSGD and is rejected.")

    # Lamb
    add("Lamb", "defaults", {}, "Adam direction with ε 1e-7 outside √v̂, trust ratio ‖w‖/‖u‖: catches no trust ratio, no bias correction.")
    add("Lamb", "weight-decay", {"learning_rate": 0.01, "weight_decay": 0.1, "epsilon": 1e-4},
        "Keras decay applied to w before ‖w‖ is taken (not added to the update).")

    # Ftrl
    add("Ftrl", "defaults", {}, "initial_accumulator_value 0.1, learning_rate_power −0.5: catches an accumulator from 0 "
        "and a root taken of the old accumulator only.")
    add("Ftrl", "l1-l2", {"learning_rate": 0.1, "l1_regularization_strength": 0.01, "l2_regularization_strength": 0.1,
                          "beta": 0.5}, "l1 clips the linear term to zero (exact zeros in the weights), l2 and beta/(2·lr) in "
        "the quadratic: an lr changing mid-run moves beta's term.", lrs=common.lr_sequence(0.1, STEPS))
    add("Ftrl", "shrinkage", {"learning_rate": 0.05, "l2_shrinkage_regularization_strength": 0.2, "initial_accumulator_value": 0.5},
        "l2 shrinkage adds 2·λ·w to the gradient used in the linear term only (not the accumulator).")
    add("Ftrl", "power-zero", {"learning_rate": 0.05, "learning_rate_power": 0.0, "l2_regularization_strength": 0.01},
        "learning_rate_power 0: a fixed step (n^0 = 1).")
    error("Ftrl", "positive-power", {"learning_rate_power": 0.5}, "learning_rate_power must be negative or zero.")

    # Muon (2-D tensors; the 1-D one goes to Keras's AdamW fallback). Keras computes the Frobenius
    # norm of Newton–Schulz's input in float32 on every backend (ops.norm casts through result_type,
    # which maps float64 to float32 off TensorFlow), which moves the float64 trajectory by ~1e-7
    # relative: these cases allow 1e-5, still far below any of Muon's known mistakes.
    muon_shapes = [(3, 4), (5,), (4, 2)]
    muon_tol = {"rtol": 1e-5, "atol": 1e-9}
    add("Muon", "defaults", {"learning_rate": 0.01}, "Momentum as a trace μ·M + G (not an EMA), Nesterov G + μ·M, "
        "Newton–Schulz of X/(‖X‖ + 1e-7) on the wide orientation, update × √max(A, B)·0.2; the 1-D tensor by Adam "
        "with epsilon hat; weight_decay and adam_weight_decay 0.004 before the update: catches an EMA momentum, "
        "no shape scaling, no Nesterov.", shapes=muon_shapes, tolerance=muon_tol)
    add("Muon", "no-nesterov-decay", {"learning_rate": 0.02, "nesterov": False, "momentum": 0.9, "weight_decay": 0.1,
                                      "adam_weight_decay": 0.05, "rms_rate": 0.3}, "nesterov=False, other decays and "
        "rms_rate, an lr changing mid-run: catches Nesterov always on and the Muon decay used for the Adam tensors.",
        lrs=common.lr_sequence(0.02, STEPS), shapes=muon_shapes, tolerance=muon_tol)
    add("Muon", "coefficients", {"learning_rate": 0.01, "muon_a": 2.0, "muon_b": -1.5, "muon_c": 0.5, "ns_steps": 3,
                                 "weight_decay": None, "adam_weight_decay": None},
        "Other Newton–Schulz coefficients and steps, no decay: catches the coefficients or the step count ignored.",
        shapes=[(3, 4), (4, 4)], tolerance=muon_tol)

    # ScheduleFreeAdamW (Keras's own form: x rebuilt from the weights, weights 1/t)
    name = "ScheduleFreeAdamW"
    add(name, "defaults", {}, "learning_rate 0.0025, beta_1 0.9, beta_2 0.999, epsilon 1e-8: the averaging weight "
        "is 1/t (uniform, no lr_max² weighting as schedulefree and optax use) and z starts at the weights; catches "
        "schedulefree's weighting and z started at 0.")
    add(name, "betas-lr-schedule", {"learning_rate": 0.05, "beta_1": 0.7, "beta_2": 0.95, "epsilon": 1e-6},
        "Other betas and epsilon, an lr that changes mid-run (the step takes the lr in force, the weights stay "
        "1/t): catches the bias correction of v dropped and ε inside the root.", lrs=common.lr_sequence(0.05, STEPS))
    add(name, "warmup", {"learning_rate": 0.05, "warmup_steps": 5},
        "warmup_steps 5: lr·min(t/5, 1), t from 1; catches the warmup ignored or counted from 0.")
    add(name, "weight-decay", {"learning_rate": 0.05, "weight_decay": 0.2, "warmup_steps": 3},
        "Keras's decay y ← y − y·λ·lr before the step, at the lr without warmup, and z copied from the weights "
        "before that decay: catches decay applied to z or x (as schedulefree does at y inside the step) and "
        "decay scaled by the warmed-up lr.", lrs=common.lr_sequence(0.05, STEPS))
    add(name, "clipnorm", {"learning_rate": 0.05, "clipnorm": 0.5},
        "clipnorm per tensor before the step (the base optimizer's): catches clipping ignored.", grad_scale=3.0)
    error(name, "two-clips", {"clipnorm": 1.0, "global_clipnorm": 0.5}, "At most one of clipnorm, clipvalue, global_clipnorm.")

    return by


def ema_specs():
    """The base optimizer's use_ema (keras/use_ema.json): [a function making each case]."""
    out = []

    def add(name, cid, hp, description, **kw):
        out.append(functools.partial(optimizer_case, name, cid, hp, description, **kw))

    def error(name, cid, hp, description):
        out.append(functools.partial(error_case, name, cid, hp, description))

    add("SGD", "ema-overwrite-3", {"learning_rate": 0.05, "momentum": 0.9, "use_ema": True, "ema_overwrite_frequency": 3},
        "use_ema with ema_overwrite_frequency 3: the weights become the EMA (ema_momentum 0.99, started at the weights "
        "after the first update) after steps 3, 6, …; catches the write-back ignored or counted from 0, and the "
        "average started from 0.")
    add("Adam", "ema-every-step", {"learning_rate": 0.02, "use_ema": True, "ema_momentum": 0.5, "ema_overwrite_frequency": 1},
        "ema_momentum 0.5, written back after every step: the weights are the average itself; catches ema_momentum "
        "ignored.")
    add("AdamW", "ema-no-overwrite", {"learning_rate": 0.02, "use_ema": True, "ema_momentum": 0.9},
        "use_ema without ema_overwrite_frequency: the average is kept aside and the weights are AdamW's own (the "
        "average only replaces them at the end of fit); catches a port that trains on the average.")
    add("Lion", "ema-overwrite-4-decay", {"learning_rate": 0.01, "weight_decay": 0.1, "use_ema": True,
                                          "ema_momentum": 0.8, "ema_overwrite_frequency": 4},
        "Lion with Keras's decay and an EMA written back every 4 steps: the decay acts on the written-back weights.")
    add("SGD", "ema-off-unchecked", {"learning_rate": 0.05, "use_ema": False, "ema_momentum": 2.0},
        "use_ema=False: ema_momentum is not checked (2.0 is accepted) and nothing is averaged.")
    error("SGD", "ema-momentum-range", {"use_ema": True, "ema_momentum": 1.5},
          "ema_momentum outside [0, 1] with use_ema: Keras's ValueError.")
    error("SGD", "ema-frequency-float", {"use_ema": True, "ema_overwrite_frequency": 2.5},
          "ema_overwrite_frequency not an integer: Keras's ValueError.")
    error("SGD", "ema-frequency-negative", {"use_ema": True, "ema_overwrite_frequency": -1},
          "ema_overwrite_frequency below 1: Keras's ValueError.")
    return out


def ema_fixture():
    return Fixture("keras/use_ema.json", f"keras.optimizers.Optimizer's use_ema ({SOURCE}, JAX backend, float64): the "
                   "EMA of the weights, written back every ema_overwrite_frequency steps.",
                   [make() for make in ema_specs()])


def optimizer_fixture(name):
    return Fixture(f"keras/{name}.json", f"keras.optimizers.{name} ({SOURCE}, JAX backend, float64): defaults, "
                   "epsilon placement, momentum form, Keras weight decay and clipping, lr changing mid-run.",
                   [make() for make in optimizer_specs()[name]])


def schedule_case(name, cid, params, n, description):
    _keras()
    return {
        "id": f"keras/{name}/{cid}", "kind": "schedule", "source": SOURCE, "dtype": "float64",
        "description": description,
        "schedule": {"convention": "keras", "name": name, "parameters": params},
        "expected_lr": keras_runner.schedule_values(name, params, n), "tolerance": TOL,
    }


def schedule_error_case(name, cid, params, description):
    _keras()
    msg = keras_runner.schedule_error(name, params)
    if msg is None:
        raise AssertionError(f"{name}({params}) accepted")
    return {
        "id": f"keras/{name}/{cid}", "kind": "schedule", "source": SOURCE, "dtype": "float64",
        "description": description,
        "schedule": {"convention": "keras", "name": name, "parameters": params},
        "expected_error": msg, "tolerance": TOL,
    }


def schedule_specs():
    """{schedule name: [a function making each case]}; the cases are made on the torch backend by
    the worker process (`schedules`)."""
    by = {}

    def add(name, cid, params, n, description):
        by.setdefault(name, []).append(functools.partial(schedule_case, name, cid, params, n, description))

    def error(name, cid, params, description):
        by.setdefault(name, []).append(functools.partial(schedule_error_case, name, cid, params, description))

    add("ExponentialDecay", "smooth", {"initial_learning_rate": 0.1, "decay_steps": 5, "decay_rate": 0.5}, 20,
        "Continuous exponent k/decay_steps: catches staircase applied and an off-by-one step.")
    add("ExponentialDecay", "staircase", {"initial_learning_rate": 0.1, "decay_steps": 4, "decay_rate": 0.7, "staircase": True}, 20,
        "Floored exponent: catches staircase ignored.")
    error("ExponentialDecay", "zero-steps", {"initial_learning_rate": 0.1, "decay_steps": 0, "decay_rate": 0.5},
          "decay_steps must be > 0.")
    add("PiecewiseConstantDecay", "boundaries", {"boundaries": [3, 7, 12], "values": [0.1, 0.05, 0.01, 0.001]}, 16,
        "A boundary step keeps the earlier value (step ≤ boundary): catches < for ≤ (optax switches at the boundary).")
    error("PiecewiseConstantDecay", "length", {"boundaries": [3, 7], "values": [0.1, 0.05]},
          "One more value than boundaries.")
    add("PolynomialDecay", "linear", {"initial_learning_rate": 0.1, "decay_steps": 10}, 15,
        "end_learning_rate 1e-4 by default, held after decay_steps: catches end 0.")
    add("PolynomialDecay", "power-cycle", {"initial_learning_rate": 0.1, "decay_steps": 4, "end_learning_rate": 0.01,
                                           "power": 2.0, "cycle": True}, 20,
        "cycle stretches decay_steps to the next multiple (at k = 0 too): catches cycle ignored.")
    add("InverseTimeDecay", "smooth", {"initial_learning_rate": 0.1, "decay_steps": 3, "decay_rate": 0.5}, 20,
        "init/(1 + rate·k/T): catches an off-by-one step.")
    add("InverseTimeDecay", "staircase", {"initial_learning_rate": 0.1, "decay_steps": 3, "decay_rate": 0.5, "staircase": True}, 20,
        "Floored k/T: catches staircase ignored.")
    add("CosineDecay", "held-after-decay", {"initial_learning_rate": 0.1, "decay_steps": 10, "alpha": 0.1}, 20,
        "Cosine to alpha·init over decay_steps, then HELD there (torch's CosineAnnealingLR goes on rising): "
        "catches a cosine continued past decay_steps.")
    add("CosineDecay", "warmup", {"initial_learning_rate": 0.0, "decay_steps": 10, "warmup_target": 0.1,
                                  "warmup_steps": 5, "alpha": 0.05}, 20,
        "Linear warmup from init to warmup_target over warmup_steps, then cosine over decay_steps (not including "
        "the warmup, unlike optax): catches the warmup counted inside decay_steps.")
    add("CosineDecayRestarts", "t-mul", {"initial_learning_rate": 0.1, "first_decay_steps": 3}, 25,
        "Periods 3, 6, 12 (t_mul 2): catches t_mul ignored.")
    add("CosineDecayRestarts", "m-mul-alpha", {"initial_learning_rate": 0.1, "first_decay_steps": 4, "t_mul": 1.0,
                                               "m_mul": 0.5, "alpha": 0.1}, 20,
        "Equal periods, each peak halved, floor alpha·init: catches m_mul ignored.")
    return by


def schedule_cases():
    """{name: cases} of every schedule (run in the worker, on the torch backend)."""
    return {name: [make() for make in makers] for name, makers in schedule_specs().items()}


@functools.lru_cache(maxsize=None)
def schedules():
    """The schedule cases, evaluated by one child process on the torch backend (for every schedule
    file at once: its start-up is most of the cost)."""
    env = dict(os.environ, KERAS_BACKEND="torch")
    out = subprocess.run([sys.executable, os.path.abspath(__file__), "--keras-schedules-worker"], env=env,
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def schedule_fixture(name):
    return Fixture(f"keras/schedules/{name}.json", f"keras.optimizers.schedules.{name} ({SOURCE}, torch backend, float64): "
                   "schedule(k) for k = 0, 1, … (the lr of the (k+1)-th update).", schedules()[name])


for _name in optimizer_specs():
    FILES.add(f"keras/{_name}.json", functools.partial(optimizer_fixture, _name))
for _name in schedule_specs():
    FILES.add(f"keras/schedules/{_name}.json", functools.partial(schedule_fixture, _name))
FILES.add("keras/use_ema.json", ema_fixture)


def generate():
    return FILES.build_all()


if __name__ == "__main__" and _SCHEDULES_WORKER:
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    json.dump(schedule_cases(), sys.stdout)
