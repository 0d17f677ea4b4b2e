"""Golden fixtures for the field features of the keras convention (fixtures/FORMAT.md, "Field
features"): exclude_from_weight_decay by tensor name, null gradients, the optimizer's state after
every step, a resumed optimizer, gradient_accumulation_steps, a LearningRateSchedule handed to the
optimizer and empty / 0-d tensors. Writes fixtures/keras/features/*.json.

Expected values come from Keras 3.15.1 itself in float64 (keras.config.set_floatx) on the torch
backend, through runners/keras.py's `replay` (the code adapters/keras_adapter.py answers these
cases with). On torch these optimizers and the schedules stay in float64 throughout (CosineDecay
does not on JAX, where ops.cos casts through float32; no case here clips, the one place torch
leaks float32), so the cases are made by a child process of this one on the torch backend (one
backend per process; gen_keras.py, imported in the same run, picks JAX).

What these cases pin down (keras/src/optimizers/base_optimizer.py of 3.15.1):
- a missing gradient (the pair left out of apply_gradients) leaves the variable and its slots
  alone (no weight decay either), while `iterations` advances (`apply`, line 533), so a variable
  that starts late has its first bias correction at the global step;
- `iterations` in the state is the value of the optimizer's `iteration` variable: every
  apply_gradients call, micro-steps included;
- gradient_accumulation_steps: the update uses the mean (g + acc)/steps (line 567) on every
  steps-th call, but the optimizers' own step count is the `iterations` property,
  floor(iteration / steps) (line 198): the first update has local_step 1, not steps;
- a LearningRateSchedule is evaluated at the raw `iteration` variable (line 781), micro-steps
  included, and so is the lr that scales the weight decay;
- exclude_from_weight_decay(var_names=…) is re.search of "|".join(var_names) in the variable's
  name (lines 913-916, 943-944): regular expressions, not substrings.
"""
from __future__ import annotations

import functools
import json
import os
import subprocess
import sys

_WORKER = "--keras-features-worker" in sys.argv
if _WORKER:
    os.environ["KERAS_BACKEND"] = "torch"   # must precede `import keras`

import common  # noqa: E402
from common import Fixture  # noqa: E402

SOURCE = "keras 3.15.1"
TOL = {"rtol": 1e-9, "atol": 1e-12}
# Keras takes Muon's Frobenius norm in float32 on every backend (see gen_keras.py)
MUON_TOL = {"rtol": 1e-5, "atol": 1e-9}
FILES = common.Files()

SHAPES = [(3, 2), (2,), (4,)]
NAMES = ["dense_kernel", "dense_bias", "norm_gamma"]

GROUPS = {
    "param_groups": "exclude_from_weight_decay(var_names=…) selecting tensors by name",
    "missing_grads": "null gradients (the pair left out of apply_gradients)",
    "state": "the optimizer's variables after every step",
    "resume": "a fresh optimizer built on the same variables, given the old one's variables",
    "accumulation": "gradient_accumulation_steps",
    "schedule_in_optimizer": "a LearningRateSchedule as learning_rate",
    "empty_tensors": "zero-size and 0-d tensors",
}


def sched(name, **parameters):
    return {"convention": "keras", "name": name, "parameters": parameters}


def specs():
    """{file feature: [(optimizer, slug, hyperparameters, features, description, options)]}."""
    by = {k: [] for k in GROUPS}

    def add(file, name, slug, hp, features, description, **kw):
        by[file].append((name, slug, hp, features, description, kw))

    # ---- param_groups: exclude_from_weight_decay ------------------------------------------------
    add("param_groups", "AdamW", "exclude-bias",
        {"learning_rate": 0.02, "weight_decay": 0.3, "exclude_from_weight_decay": {"var_names": ["bias"]}},
        ["param_groups", "state"],
        "AdamW with exclude_from_weight_decay(var_names=['bias']): dense_bias gets no decay, the kernel and "
        "norm_gamma do: catches the exclusion ignored (bias decayed) and decay dropped for every tensor.")
    add("param_groups", "Lion", "exclude-two-patterns",
        {"learning_rate": 0.01, "weight_decay": 0.5, "exclude_from_weight_decay": {"var_names": ["bias", "gamma"]}},
        ["param_groups"],
        "Lion with two exclusion patterns: only dense_kernel is decayed (before the sign update): catches only the "
        "first pattern honoured.")
    add("param_groups", "SGD", "exclude-anchored-regex",
        {"learning_rate": 0.1, "momentum": 0.9, "weight_decay": 0.2,
         "exclude_from_weight_decay": {"var_names": ["^embedding"]}},
        ["param_groups"],
        "var_names are regular expressions found with re.search: '^embedding' excludes embedding_table but not "
        "proj_embedding: catches a literal substring test (which excludes neither) and a test ignoring the anchor "
        "(which excludes both).",
        names=["embedding_table", "proj_embedding", "dense_bias"])
    add("param_groups", "Lamb", "exclude-bias-norm",
        {"learning_rate": 0.01, "weight_decay": 0.1, "epsilon": 1e-4,
         "exclude_from_weight_decay": {"var_names": ["bias", "norm"]}},
        ["param_groups"],
        "Lamb with decay on the kernel only: the decay changes ‖w‖ before the trust ratio, so an exclusion ignored "
        "moves the excluded tensors' trust ratios too.",
        names=["dense_kernel", "dense_bias", "layer_norm_scale"])
    add("param_groups", "Adam", "exclude-kernel-schedule",
        {"weight_decay": 0.2, "exclude_from_weight_decay": {"var_names": ["kernel$"]}},
        ["param_groups", "schedule_in_optimizer"],
        "Adam's weight_decay with 'kernel$' excluded and an ExponentialDecay lr: the decay of the other tensors is "
        "w·λ·schedule(iterations): catches the decay scaled by the constructor's lr or by schedule(iterations + 1).",
        schedule=sched("ExponentialDecay", initial_learning_rate=0.05, decay_steps=2, decay_rate=0.5),
        names=["dense_kernel", "dense_kernel_scale", "dense_bias"])
    add("param_groups", "AdamW", "exclude-resume",
        {"learning_rate": 0.01, "weight_decay": 0.4, "exclude_from_weight_decay": {"var_names": ["bias"]}},
        ["param_groups", "resume", "state"],
        "The exclusion holds after a resume (the fresh optimizer is configured the same way): catches the "
        "exclusion lost with the rebuilt optimizer.", resume=4)

    # ---- missing_grads --------------------------------------------------------------------------
    add("missing_grads", "Adam", "late-start",
        {"learning_rate": 0.02, "beta_1": 0.5, "beta_2": 0.8},
        ["missing_grads", "state"],
        "dense_bias has no gradient for the first 4 steps: it stays put, its slots stay 0, and its first update "
        "uses the global step (local_step 5, iterations counts every apply_gradients call): catches a per-tensor "
        "step count (torch's form) and a missing gradient treated as zero.", nulls={1: range(0, 4)})
    add("missing_grads", "Adam", "amsgrad-dropout",
        {"learning_rate": 0.01, "amsgrad": True, "epsilon": 1e-4},
        ["missing_grads", "state"],
        "dense_kernel drops out for steps 4–6 and returns: its momentum, velocity and velocity_hat are frozen "
        "meanwhile (no decay of m toward 0): catches a zero gradient fed in its place.", nulls={0: range(3, 6)})
    add("missing_grads", "SGD", "momentum-dropout",
        {"learning_rate": 0.05, "momentum": 0.9},
        ["missing_grads", "state"],
        "norm_gamma has no gradient at steps 3, 4 and 7: it does not move at all (the momentum is not applied "
        "on its own) and its buffer keeps its value: catches a momentum step taken without a gradient.",
        nulls={2: [2, 3, 6]})
    add("missing_grads", "Nadam", "late-start",
        {"learning_rate": 0.01},
        ["missing_grads", "state"],
        "dense_kernel starts at step 4: Nadam's u_product (one for the whole optimizer) has advanced every step, "
        "so its first update uses the global μ schedule: catches a per-tensor u_product or step.",
        nulls={0: range(0, 3)})
    add("missing_grads", "RMSprop", "centered-momentum-dropout",
        {"learning_rate": 0.01, "rho": 0.8, "momentum": 0.5, "centered": True},
        ["missing_grads", "state"],
        "dense_bias misses steps 2–3: velocity, average_gradient and momentum are frozen and the tensor does not "
        "move: catches the momentum applied without a gradient.", nulls={1: [1, 2]})
    add("missing_grads", "Lion", "dropout-decay",
        {"learning_rate": 0.01, "weight_decay": 0.3},
        ["missing_grads"],
        "A tensor without a gradient gets no weight decay either (Keras decays only the variables in the call): "
        "catches decay applied to every variable each step.", nulls={0: [1, 4, 5], 2: [2]})
    add("missing_grads", "Adamax", "late-start",
        {"learning_rate": 0.02, "beta_1": 0.6},
        ["missing_grads", "state"],
        "norm_gamma starts at step 6: the bias correction 1 − β₁ᵗ uses the global t = 6: catches a per-tensor t.",
        nulls={2: range(0, 5)}, steps=10)

    # ---- state ----------------------------------------------------------------------------------
    add("state", "Adam", "amsgrad",
        {"learning_rate": 0.01, "amsgrad": True},
        ["state"], "Adam's slots momentum, velocity and velocity_hat (the max of the raw velocity), iterations: "
        "catches v̂ kept bias-corrected, and the max taken of the corrected velocity.")
    add("state", "SGD", "nesterov",
        {"learning_rate": 0.02, "momentum": 0.8, "nesterov": True},
        ["state"], "SGD's momentum slot holds μm − lr·g (lr inside, sign negative): catches torch's buffer "
        "(μb + g).", lrs=common.lr_sequence(0.02, 8))
    add("state", "RMSprop", "centered-momentum",
        {"learning_rate": 0.01, "rho": 0.9, "momentum": 0.6, "centered": True},
        ["state"], "RMSprop's velocity, average_gradient and momentum (lr·g/√(v − ā² + ε) accumulated): catches "
        "the momentum buffer without lr.")
    add("state", "Adadelta", "defaults",
        {"learning_rate": 1.0},
        ["state"], "Adadelta's accumulated_grad and accumulated_delta_var: catches the delta accumulated before "
        "the update is computed.")
    add("state", "Ftrl", "l1-l2-shrinkage",
        {"learning_rate": 0.1, "l1_regularization_strength": 0.01, "l2_regularization_strength": 0.1,
         "l2_shrinkage_regularization_strength": 0.05},
        ["state"], "Ftrl's accumulator (from 0.1) and linear: catches the shrinkage added to the accumulator's "
        "gradient.")
    add("state", "Adagrad", "defaults", {"learning_rate": 0.1},
        ["state"], "Adagrad's accumulator starts at initial_accumulator_value 0.1: catches an accumulator from 0.")
    add("state", "Nadam", "defaults", {"learning_rate": 0.01},
        ["state"], "Nadam's u_product, one number for the whole optimizer (Π μₜ), next to momentum and velocity: "
        "catches a μ product restarted or kept per tensor.")
    add("state", "Adamax", "defaults", {"learning_rate": 0.01},
        ["state"], "Adamax's momentum and norm (u ← max(β₂u, |g|)): catches ε folded into the norm.")
    add("state", "Muon", "mixed-shapes", {"learning_rate": 0.01},
        ["state"], "Muon keeps momentum for every tensor but velocity only for the ones it hands to AdamW (the 1-D "
        "one): velocity is null for the matrices: catches Adam state kept for Muon tensors.",
        shapes=[(3, 4), (5,), (4, 2)], names=["dense_kernel", "dense_bias", "out_kernel"], tolerance=MUON_TOL)
    add("state", "Lamb", "defaults", {"learning_rate": 0.01},
        ["state"], "Lamb's momentum and velocity (not bias-corrected in the slots): catches corrected moments stored.")

    # ---- resume ---------------------------------------------------------------------------------
    add("resume", "Adam", "amsgrad",
        {"learning_rate": 0.01, "amsgrad": True, "beta_1": 0.7},
        ["resume", "state"], "Resumed after step 4 of 8: iterations comes back with the slots, so the bias "
        "correction goes on at t = 5: catches iterations not saved (a restart of the bias correction).", resume=4)
    add("resume", "SGD", "nesterov",
        {"learning_rate": 0.05, "momentum": 0.9, "nesterov": True},
        ["resume", "state"], "Resumed after step 3: the momentum comes back: catches a buffer restarted at 0.",
        resume=3)
    add("resume", "Nadam", "u-product",
        {"learning_rate": 0.01, "beta_1": 0.8},
        ["resume", "state"], "Resumed after step 5: Nadam's u_product is one of the optimizer's variables and comes "
        "back too: catches u_product reset to 1 on load.", resume=5)
    add("resume", "Adadelta", "defaults",
        {"learning_rate": 1.0, "rho": 0.8},
        ["resume", "state"], "Resumed after step 2: both accumulators come back: catches one of them dropped.",
        resume=2)
    add("resume", "Ftrl", "l1-l2",
        {"learning_rate": 0.1, "l1_regularization_strength": 0.02, "l2_regularization_strength": 0.1, "beta": 0.5},
        ["resume", "state"], "Resumed after step 6: accumulator and linear come back (the weights are a function "
        "of them under l1): catches linear rebuilt from the weights.", resume=6)
    add("resume", "RMSprop", "centered-momentum",
        {"learning_rate": 0.01, "momentum": 0.5, "centered": True},
        ["resume", "state"], "Resumed after step 4: velocity, average_gradient and momentum come back: catches the "
        "centered average dropped.", resume=4)
    add("resume", "Muon", "mixed-shapes",
        {"learning_rate": 0.02, "momentum": 0.9},
        ["resume", "state"], "Muon resumed after step 3: the matrices' momentum and the vector's Adam state: "
        "catches iterations lost (the Adam tensor's bias correction).", resume=3,
        shapes=[(3, 4), (5,), (4, 2)], names=["dense_kernel", "dense_bias", "out_kernel"], tolerance=MUON_TOL)
    add("resume", "Adam", "cosine-schedule",
        {},
        ["resume", "schedule_in_optimizer", "state"], "CosineDecay in the optimizer, resumed after step 5: the "
        "schedule goes on from the restored iterations: catches a schedule restarted at 0 after a load.",
        resume=5, schedule=sched("CosineDecay", initial_learning_rate=0.05, decay_steps=8, alpha=0.1), steps=9)

    # ---- accumulation ---------------------------------------------------------------------------
    add("accumulation", "Adam", "steps-2",
        {"learning_rate": 0.02, "beta_1": 0.5, "beta_2": 0.8, "gradient_accumulation_steps": 2},
        ["accumulation", "state"], "gradient_accumulation_steps 2: updates on calls 2, 4, … with the MEAN of the "
        "two gradients; Adam's bias correction uses floor(iterations / 2) + 1 (1 at the first update); "
        "gradient_accumulator holds the SUM between updates: catches the sum applied, and the micro-step count "
        "in the bias correction.")
    add("accumulation", "SGD", "momentum-steps-3",
        {"learning_rate": 0.05, "momentum": 0.9, "gradient_accumulation_steps": 3},
        ["accumulation", "state"], "SGD momentum updating every 3rd call with the mean of 3 micro-batches: the "
        "momentum moves only at updates: catches momentum advanced on every micro-step.", steps=9)
    add("accumulation", "AdamW", "steps-2-decay",
        {"learning_rate": 0.01, "weight_decay": 0.5, "gradient_accumulation_steps": 2},
        ["accumulation"], "AdamW with accumulation: the weight decay is applied at updates only: catches decay on "
        "every micro-step.")
    add("accumulation", "Adam", "steps-3-exponential-decay",
        {"gradient_accumulation_steps": 3},
        ["accumulation", "schedule_in_optimizer", "state"], "ExponentialDecay with accumulation 3: the update on "
        "call 3n uses schedule(3n − 1) (the raw iteration variable, micro-steps included) while the bias correction "
        "uses n: catches the schedule evaluated at the update count.",
        schedule=sched("ExponentialDecay", initial_learning_rate=0.05, decay_steps=2, decay_rate=0.5), steps=9)
    add("accumulation", "Nadam", "steps-2",
        {"learning_rate": 0.01, "gradient_accumulation_steps": 2},
        ["accumulation", "state"], "Nadam with accumulation 2: u_product advances at updates only, with μ at "
        "floor(iterations / 2) + 1: catches the μ schedule driven by micro-steps.")
    add("accumulation", "RMSprop", "steps-2-lr-changes",
        {"learning_rate": 0.01, "gradient_accumulation_steps": 2},
        ["accumulation"], "RMSprop accumulating 2, the lr changing mid-run: an update uses the lr in force at the "
        "call it happens on.", lrs=common.lr_sequence(0.01, 8))
    add("accumulation", "Lion", "steps-3-resume-mid-cycle",
        {"learning_rate": 0.01, "gradient_accumulation_steps": 3},
        ["accumulation", "resume", "state"], "Resumed after call 4 (one micro-batch accumulated since the last "
        "update): the gradient_accumulator comes back with the other variables: catches the accumulator dropped "
        "on load.", resume=4, steps=9)

    # ---- schedule_in_optimizer ------------------------------------------------------------------
    add("schedule_in_optimizer", "Adam", "exponential-decay",
        {}, ["schedule_in_optimizer"],
        "ExponentialDecay(0.05, 2, 0.5) as learning_rate: update n (from 0) uses schedule(n): catches "
        "schedule(n + 1) (an off-by-one in which count the optimizer passes).",
        schedule=sched("ExponentialDecay", initial_learning_rate=0.05, decay_steps=2, decay_rate=0.5))
    add("schedule_in_optimizer", "SGD", "cosine-warmup",
        {"momentum": 0.9}, ["schedule_in_optimizer", "state"],
        "CosineDecay with a linear warmup from 0: the first update has lr = schedule(0) = 0 (nothing moves, the "
        "momentum stays 0); warmup over 3 updates, cosine over the next 6: catches the warmup counted inside "
        "decay_steps and schedule(1) for the first update.", steps=10,
        schedule=sched("CosineDecay", initial_learning_rate=0.0, decay_steps=6, warmup_target=0.1, warmup_steps=3,
                       alpha=0.1))
    add("schedule_in_optimizer", "AdamW", "piecewise-constant",
        {"weight_decay": 0.3}, ["schedule_in_optimizer"],
        "PiecewiseConstantDecay (boundaries 2, 5): iteration 2 keeps the first value (step ≤ boundary); the "
        "weight decay is × the scheduled lr: catches < for ≤ and decay × a fixed lr.",
        schedule=sched("PiecewiseConstantDecay", boundaries=[2, 5], values=[0.05, 0.02, 0.005]))
    add("schedule_in_optimizer", "RMSprop", "polynomial-decay",
        {"momentum": 0.5}, ["schedule_in_optimizer"],
        "PolynomialDecay (power 2) to 1e-3 over 6 updates, then held: catches the schedule running past "
        "decay_steps.", steps=9,
        schedule=sched("PolynomialDecay", initial_learning_rate=0.02, decay_steps=6, end_learning_rate=0.001,
                       power=2.0))
    add("schedule_in_optimizer", "Adagrad", "inverse-time-decay",
        {}, ["schedule_in_optimizer"],
        "InverseTimeDecay(0.1, 2, 1.0): lr = 0.1/(1 + n/2) at update n: catches an off-by-one step.",
        schedule=sched("InverseTimeDecay", initial_learning_rate=0.1, decay_steps=2, decay_rate=1.0))
    add("schedule_in_optimizer", "Adam", "piecewise-accumulation",
        {"gradient_accumulation_steps": 2}, ["schedule_in_optimizer", "accumulation"],
        "PiecewiseConstantDecay(boundaries [3], values [0.1, 0.01]) with accumulation 2: updates happen on "
        "iterations 1, 3, 5, 7, so the third and fourth updates use 0.01: the schedule sees every micro-step "
        "(by the update count 0..3 they would all use 0.1): catches the schedule fed the update count.",
        schedule=sched("PiecewiseConstantDecay", boundaries=[3], values=[0.1, 0.01]))
    add("schedule_in_optimizer", "Lion", "cosine-decay",
        {}, ["schedule_in_optimizer"],
        "CosineDecay to alpha·init over 5 updates, then held: Lion's step is ±lr, so each parameter moves by "
        "exactly the scheduled lr: catches any shift of the schedule.", steps=8,
        schedule=sched("CosineDecay", initial_learning_rate=0.01, decay_steps=5, alpha=0.2))

    # ---- empty_tensors --------------------------------------------------------------------------
    add("empty_tensors", "Adam", "empty-and-scalar",
        {"learning_rate": 0.01}, ["empty_tensors", "state"],
        "Tensors of shapes [0], [0, 3] and [] next to an ordinary one: the empty ones have empty slots, the 0-d "
        "one updates like any element: catches a crash or a shape mix-up on zero-size and 0-d tensors.",
        shapes=[(0,), (3,), (0, 3), ()], names=["empty_bias", "dense_bias", "empty_kernel", "scale"])
    add("empty_tensors", "SGD", "momentum-scalar",
        {"learning_rate": 0.05, "momentum": 0.9}, ["empty_tensors", "state"],
        "A 0-d tensor with momentum: catches a 0-d tensor treated as shape [1] in the state, or skipped.",
        shapes=[(), (2, 2)], names=["temperature", "dense_kernel"])
    add("empty_tensors", "Lamb", "empty-trust-ratio",
        {"learning_rate": 0.01, "weight_decay": 0.1}, ["empty_tensors"],
        "Lamb's trust ratio over a zero-size tensor (‖w‖ = ‖u‖ = 0) must not disturb the others; the 0-d "
        "tensor's trust ratio is |w|/|u|: catches a global trust ratio.",
        shapes=[(0, 3), (4,), ()], names=["empty_kernel", "dense_bias", "scale"])
    add("empty_tensors", "Adagrad", "scalar-empty",
        {"learning_rate": 0.1}, ["empty_tensors"],
        "Adagrad over [], [0] and [2, 3] tensors: catches zero-size tensors mishandled.",
        shapes=[(), (0,), (2, 3)], names=["scale", "empty_bias", "dense_kernel"])
    return by


def feature_case(file, name, slug, hp, features, description, shapes=SHAPES, names=None, steps=8, nulls=None,
                 schedule=None, resume=None, lrs=None, tolerance=TOL):
    from runners import keras as keras_runner

    case_id = f"keras/features/{file}/{name}/{slug}"
    rng = common.case_rng(case_id)
    params = common.initial_params(rng, shapes)
    names = names or NAMES[:len(shapes)]
    params = [{"name": n, **p} for n, p in zip(names, params)]
    grads = common.discriminating_grads(rng, shapes, steps)
    for i, ts in (nulls or {}).items():
        for t in ts:
            grads[t][i] = None
    with_state = "state" in features
    result = keras_runner.replay(name, hp, params, steps, grads=grads, lrs=lrs, schedule=schedule, resume=resume,
                                 state=with_state)
    expected, states = result if with_state else (result, None)
    out_steps = []
    for t in range(steps):
        s = {}
        if lrs is not None:
            s["lr"] = lrs[t]
        s["grads"] = grads[t]
        s["expected"] = expected[t]
        if states is not None:
            s["expected_state"] = states[t]
        out_steps.append(s)
    c = {"id": case_id, "kind": "optimizer", "source": SOURCE, "dtype": "float64", "description": description,
         "features": list(features),
         "optimizer": {"convention": "keras", "name": name, "hyperparameters": hp}}
    if schedule is not None:
        c["schedule"] = schedule
    c["params"] = params
    if resume is not None:
        c["resume"] = {"after_step": resume}
    c["steps"] = out_steps
    c["tolerance"] = dict(tolerance)
    return c


def all_cases():
    """{file feature: [cases]}, computed on the torch backend (the worker)."""
    from runners import keras as keras_runner

    keras = keras_runner.setup()
    assert keras.backend.backend() == "torch", "the keras feature goldens are made on the torch backend"
    return {f: [feature_case(f, *spec[:5], **spec[5]) for spec in specs_] for f, specs_ in specs().items()}


@functools.lru_cache(maxsize=None)
def cases():
    env = dict(os.environ, KERAS_BACKEND="torch")
    out = subprocess.run([sys.executable, os.path.abspath(__file__), "--keras-features-worker"], env=env,
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def feature_fixture(feature):
    return Fixture(f"keras/features/{feature}.json",
                   f"keras.optimizers ({SOURCE}, torch backend, float64): {GROUPS[feature]}. "
                   "Cases may combine features; `features` lists them all.", cases()[feature])


for _feature in GROUPS:
    FILES.add(f"keras/features/{_feature}.json", functools.partial(feature_fixture, _feature))


if __name__ == "__main__" and _WORKER:
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import warnings

    warnings.simplefilter("ignore")   # Keras warns on every missing gradient
    json.dump(all_cases(), sys.stdout)
