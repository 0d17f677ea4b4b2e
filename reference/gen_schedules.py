"""Golden fixtures for learning-rate schedules in three conventions.

- torch 2.15.0 (`torch.optim.lr_scheduler`): a dummy float64 parameter under torch.optim.SGD
  (momentum=0.9) or torch.optim.Adam; `expected_lr[0]` is `param_groups[0]["lr"]` right after the
  scheduler is built, `expected_lr[k]` after the k-th `scheduler.step()` (an `optimizer.step()`
  precedes each). `expected_momentum` is the group's `momentum` (SGD) or `betas[0]` (Adam).
- optax 0.2.8 with jax x64: `expected_lr[k] = schedule(k)`.
- textbook: a direct numpy transcription of the spec table (/work/shared/spec/fixtures.md).

Every case says in its `description` which mistake it is designed to catch.
"""
from __future__ import annotations

import functools
import math
import warnings

import numpy as np

import common
from common import Fixture
from runners import optax as optax_runner
from runners import torch as torch_runner

TOL = {"rtol": 1e-12, "atol": 1e-15}
FILES = common.Files()

# ---------------------------------------------------------------------------------------------
# torch


def torch_case(cid, name, params, base_lr, n, description, optimizer="SGD", metrics=None, tolerance=None):
    """A torch schedule case: runners/torch.py's schedule_values under SGD(momentum=0.9) or Adam."""
    lrs, moms = torch_runner.schedule_values(name, params, base_lr, n, optimizer=optimizer, metrics=metrics)
    case = {
        "id": f"torch/{name}/{cid}",
        "kind": "schedule",
        "source": "torch 2.15.0",
        "dtype": "float64",
        "description": description,
        "schedule": {"convention": "torch", "name": name, "parameters": params},
        "base_lr": base_lr,
    }
    if metrics is not None:
        case["metrics"] = list(metrics[: n - 1])
    case["expected_lr"] = lrs
    cycles = name in ("CyclicLR", "OneCycleLR") and params.get("cycle_momentum", True)
    if name in ("SequentialLR", "ChainedScheduler"):
        cycles = any(c["name"] in ("CyclicLR", "OneCycleLR") and c.get("parameters", {}).get("cycle_momentum", True)
                     for c in params["schedulers"])
    if cycles:
        case["expected_momentum"] = moms
    case["tolerance"] = tolerance or TOL
    return case


def torch_specs():
    """{scheduler name: [a function making each case]} (nothing runs until a case is made)."""
    by = {}

    def add(name, cid, params, base_lr, n, description, **kw):
        by.setdefault(name, []).append(functools.partial(torch_case, cid, name, params, base_lr, n, description, **kw))

    # StepLR
    add("StepLR", "basic", {"step_size": 3, "gamma": 0.5}, 0.1, 25,
        "Decay every 3 steps by 0.5; catches off-by-one in when the first decay happens (step 3, not 2 or 4).")
    add("StepLR", "default-gamma", {"step_size": 4}, 0.3, 22,
        "gamma defaults to 0.1; the chainable form multiplies the current lr, so 0.3*0.1*0.1 rounds like torch's product, not 0.3*0.1**2.")
    add("StepLR", "step-size-1", {"step_size": 1, "gamma": 0.93}, 0.7, 30,
        "step_size=1 decays at every step: repeated multiplication (chainable form) not gamma**k.")

    # MultiStepLR
    add("MultiStepLR", "repeated", {"milestones": [3, 7, 7, 12], "gamma": 0.5}, 0.1, 20,
        "A repeated milestone multiplies twice (Counter of milestones): lr*gamma**2 at step 7.")
    add("MultiStepLR", "milestone-at-0", {"milestones": [0, 5, 9], "gamma": 0.3}, 0.2, 20,
        "A milestone at 0 is applied by the constructor's initial step: expected_lr[0] is already base_lr*gamma.")
    add("MultiStepLR", "unsorted-default-gamma", {"milestones": [11, 2, 6]}, 1.0, 20,
        "Unsorted milestones work (membership test), gamma defaults to 0.1.")

    # ConstantLR
    add("ConstantLR", "default", {}, 0.1, 20,
        "Defaults factor=1/3, total_iters=5: lr*factor for steps 0..4 then restored by multiplying with 1/factor (not set to base_lr).")
    add("ConstantLR", "half-10", {"factor": 0.5, "total_iters": 10}, 0.05, 20,
        "Custom factor and total_iters: the restore happens exactly at step total_iters.")
    add("ConstantLR", "total-iters-0", {"factor": 0.25, "total_iters": 0}, 0.1, 12,
        "total_iters=0: the recursive form applies the factor at construction and never restores it (last_epoch never equals 0 again); the closed form would give base_lr.")

    # LinearLR
    add("LinearLR", "default", {}, 0.1, 12,
        "Defaults start 1/3, end 1, total_iters 5, via torch's recursive ratio 1+(e-s)/(T*s+(k-1)(e-s)), constant after total_iters.")
    add("LinearLR", "warmup", {"start_factor": 0.25, "end_factor": 0.75, "total_iters": 10}, 0.2, 20,
        "Custom start/end factors: the recursive ratio form must be reproduced for rtol 1e-12.")
    add("LinearLR", "decay", {"start_factor": 1.0, "end_factor": 0.1, "total_iters": 7}, 0.5, 15,
        "Decreasing linear schedule (end < start).")
    add("LinearLR", "to-zero", {"start_factor": 1.0, "end_factor": 0.0, "total_iters": 6}, 0.3, 10,
        "end_factor 0: the recursive ratio reaches exactly 0 at total_iters (denominator 1) and stays there.")
    add("LinearLR", "total-iters-0", {"start_factor": 0.5, "total_iters": 0}, 0.1, 6,
        "total_iters=0: start_factor applied at construction and kept forever (last_epoch > total_iters).")

    # ExponentialLR
    add("ExponentialLR", "decay", {"gamma": 0.9}, 0.1, 30,
        "lr multiplied by gamma at each step (chainable), not at construction.")
    add("ExponentialLR", "growth", {"gamma": 1.05}, 0.01, 25,
        "gamma > 1 is allowed and grows the lr.")

    # PolynomialLR
    add("PolynomialLR", "default", {}, 0.1, 10,
        "Defaults total_iters=5, power=1: reaches exactly 0 at step 5 and stays there.")
    add("PolynomialLR", "power-2.5", {"total_iters": 10, "power": 2.5}, 0.3, 16,
        "Non-integer power through the recursive ratio ((1-k/T)/(1-(k-1)/T))**power.")
    add("PolynomialLR", "sqrt", {"total_iters": 7, "power": 0.5}, 1.0, 12,
        "power < 1.")

    # CosineAnnealingLR
    add("CosineAnnealingLR", "past-tmax", {"T_max": 10, "eta_min": 0.001}, 0.1, 36,
        "Steps well past T_max: torch's recursive form follows the cosine back up (period 2*T_max), including the special branch at (k-1-T_max) % (2*T_max) == 0.")
    add("CosineAnnealingLR", "eta-min-default", {"T_max": 7}, 0.05, 22,
        "eta_min defaults to 0; T_max reached and passed (lr 0 at step 7, then rising).")
    add("CosineAnnealingLR", "tmax-1", {"T_max": 1, "eta_min": 0.01}, 0.2, 10,
        "T_max=1 alternates eta_min/base_lr through the restart branch every other step.")

    # CosineAnnealingWarmRestarts
    add("CosineAnnealingWarmRestarts", "tmult-1", {"T_0": 5, "eta_min": 0.01}, 0.1, 23,
        "Fixed period T_0=5: restarts to base_lr at steps 5, 10, 15, 20.")
    add("CosineAnnealingWarmRestarts", "tmult-2", {"T_0": 3, "T_mult": 2, "eta_min": 0.001}, 0.1, 50,
        "T_mult=2: periods 3, 6, 12, 24 (>= 2 restarts); T_cur and T_i bookkeeping.")
    add("CosineAnnealingWarmRestarts", "tmult-3-default-eta", {"T_0": 2, "T_mult": 3}, 0.4, 30,
        "T_mult=3 with eta_min default 0.")

    # CyclicLR
    add("CyclicLR", "triangular", {"base_lr": 0.01, "max_lr": 0.1, "step_size_up": 4}, 0.5, 30,
        "triangular with momentum cycling (defaults 0.8/0.9, inverse to lr); the optimizer's own lr 0.5 is overwritten by base_lr.")
    add("CyclicLR", "triangular2-asym", {"base_lr": 0.001, "max_lr": 0.01, "step_size_up": 3, "step_size_down": 5,
                                          "mode": "triangular2", "base_momentum": 0.85, "max_momentum": 0.95}, 0.1, 40,
        "triangular2 halves the amplitude each cycle; asymmetric step_size_down; custom momentum range.")
    add("CyclicLR", "exp-range", {"base_lr": 0.01, "max_lr": 0.1, "step_size_up": 5, "mode": "exp_range", "gamma": 0.97}, 0.1, 35,
        "exp_range scales by gamma**iteration (scale_mode iterations), for lr and momentum.")
    add("CyclicLR", "scale-mode-ignored", {"base_lr": 0.02, "max_lr": 0.2, "step_size_up": 3, "mode": "triangular2",
                                            "scale_mode": "iterations", "cycle_momentum": False}, 0.1, 25,
        "Without a custom scale_fn torch overwrites scale_mode from mode, so scale_mode='iterations' is ignored here; no momentum cycling.")
    add("CyclicLR", "adam-beta1", {"base_lr": 0.001, "max_lr": 0.006, "step_size_up": 4, "step_size_down": 2,
                                    "mode": "exp_range", "gamma": 0.99, "base_momentum": 0.85, "max_momentum": 0.95}, 0.001, 25,
        "With Adam the cycled momentum is betas[0].", optimizer="Adam")

    # OneCycleLR
    add("OneCycleLR", "cos", {"max_lr": 0.1, "total_steps": 50}, 0.1, 51,
        "Default cos annealing, pct_start 0.3, div 25, final_div 1e4, momentum 0.95->0.85->0.95; the last value at step total_steps extrapolates past the phase end.")
    add("OneCycleLR", "linear", {"max_lr": 0.05, "total_steps": 30, "anneal_strategy": "linear", "pct_start": 0.25}, 0.1, 31,
        "Linear annealing with pct_start 0.25: phase ends at float(pct*total)-1.")
    add("OneCycleLR", "three-phase", {"max_lr": 0.2, "total_steps": 40, "three_phase": True, "div_factor": 10.0,
                                       "final_div_factor": 100.0}, 0.1, 41,
        "three_phase: up, symmetric down to initial_lr, then annihilation to min_lr; custom div factors.")
    add("OneCycleLR", "three-phase-linear-epochs", {"max_lr": 0.1, "epochs": 4, "steps_per_epoch": 6, "three_phase": True,
                                                     "anneal_strategy": "linear", "pct_start": 0.4}, 0.1, 25,
        "total_steps from epochs*steps_per_epoch; linear three-phase.")
    add("OneCycleLR", "no-momentum", {"max_lr": 1.0, "total_steps": 20, "cycle_momentum": False, "pct_start": 0.5}, 0.1, 21,
        "cycle_momentum=False leaves momentum alone.")
    add("OneCycleLR", "adam-beta1", {"max_lr": 0.01, "total_steps": 25, "base_momentum": 0.8, "max_momentum": 0.9}, 0.001, 26,
        "With Adam the cycled momentum is betas[0]; custom momentum range.", optimizer="Adam")

    # ReduceLROnPlateau
    m1 = [1.0, 0.9, 0.85, 0.86, 0.87, 0.88, 0.84, 0.84, 0.84, 0.84, 0.83999, 0.84, 0.85, 0.9, 0.7, 0.71, 0.72, 0.73,
          0.74, 0.75, 0.76, 0.77, 0.78, 0.79, 0.8]
    add("ReduceLROnPlateau", "min-rel", {"patience": 2}, 0.1, 26,
        "mode min, threshold 1e-4 rel: 0.83999 is not better than 0.84*(1-1e-4); reduction after patience+1 bad epochs.",
        metrics=m1)
    m2 = [0.1, 0.2, 0.25, 0.25, 0.26, 0.26, 0.26, 0.26, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.35, 0.35, 0.35, 0.35, 0.35, 0.35,
          0.35, 0.35, 0.35, 0.35, 0.35]
    add("ReduceLROnPlateau", "max-abs-cooldown", {"mode": "max", "threshold_mode": "abs", "threshold": 0.01, "patience": 1,
                                                  "cooldown": 2, "factor": 0.5}, 0.1, 26,
        "mode max with abs threshold 0.01 (0.26 vs 0.25 is not better); cooldown ignores bad epochs for 2 steps.",
        metrics=m2)
    m3 = [5.0 - 0.0 * k for k in range(30)]
    add("ReduceLROnPlateau", "min-lr-eps", {"factor": 0.3, "patience": 0, "min_lr": 0.002}, 0.1, 30,
        "Constant metric with patience 0: reduce every step until min_lr clamps; then old-new <= eps stops updates.",
        metrics=m3)
    m4 = [3.0, 2.0, 2.5, 2.4, 2.3, 2.2, 2.1, 2.0, 1.99, 1.98, 1.97, 1.96, 1.95, 1.94, 1.93, 1.92, 1.91, 1.9, 1.89, 1.88]
    add("ReduceLROnPlateau", "rel-threshold-eps", {"threshold": 0.05, "patience": 1, "factor": 0.5, "eps": 0.01}, 0.1, 21,
        "rel threshold 5%: slow improvements count as bad; eps=0.01 stops reductions once lr*(1-factor) <= 0.01.",
        metrics=m4)
    m5 = [0.5, 0.6, 0.6, 0.6, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7]
    add("ReduceLROnPlateau", "max-rel-min-lr-list", {"mode": "max", "patience": 3, "min_lr": [0.03], "cooldown": 1}, 0.1, 21,
        "mode max rel with min_lr given as a one-element list (one per param group).", metrics=m5)

    m6 = [2.0, 1.5, 1.45, 1.44, 1.2, 1.19, 1.18, 1.17, 1.16, 1.0, 0.99, 0.98, 0.97, 0.96, 0.95, 0.94, 0.93, 0.92, 0.91, 0.9]
    add("ReduceLROnPlateau", "min-abs", {"threshold_mode": "abs", "threshold": 0.05, "patience": 2, "factor": 0.25}, 0.2, 21,
        "mode min with abs threshold 0.05: an improvement of 0.01 per step is not better than best - 0.05.", metrics=m6)

    # SequentialLR
    def ch(name, **p):
        return {"name": name, "parameters": p}

    add("SequentialLR", "linear-then-exp", {"schedulers": [ch("LinearLR", start_factor=0.1, total_iters=5),
                                                           ch("ExponentialLR", gamma=0.9)], "milestones": [5]}, 0.1, 25,
        "Warmup then decay: at the milestone torch calls the next scheduler's _update_lr(0) (closed form at epoch 0 = base_lr), then steps it.")
    add("SequentialLR", "milestone-0", {"schedulers": [ch("ExponentialLR", gamma=0.5), ch("StepLR", step_size=3, gamma=0.2)],
                                        "milestones": [0]}, 0.1, 20,
        "A milestone at 0: only the second scheduler is initially stepped; the first never runs.")
    add("SequentialLR", "three-cosine", {"schedulers": [ch("LinearLR", start_factor=0.2, total_iters=3), ch("ConstantLR", factor=0.5, total_iters=100),
                                                        ch("CosineAnnealingLR", T_max=8, eta_min=0.001)], "milestones": [3, 8]}, 0.1, 25,
        "Three children with two milestones; CosineAnnealingLR restarts from base_lr at its milestone and passes T_max.")
    add("SequentialLR", "constant-multistep", {"schedulers": [ch("ConstantLR", factor=0.3, total_iters=2), ch("MultiStepLR", milestones=[2, 4], gamma=0.5)],
                                               "milestones": [6]}, 0.2, 20,
        "The MultiStepLR child's constructor and undo leave state behind; at milestone 6 its closed form at epoch 0 gives base_lr, then counting restarts (its milestones 2, 4 relative to 6).")
    add("SequentialLR", "linear-warm-restarts", {"schedulers": [ch("LinearLR", start_factor=0.5, total_iters=4), ch("CosineAnnealingWarmRestarts", T_0=4, T_mult=2)],
                                                 "milestones": [4]}, 0.1, 25,
        "CosineAnnealingWarmRestarts has no closed form: _update_lr(0) uses its get_lr with its stale T_cur; quirk reproduced.")
    add("SequentialLR", "poly-onecycle", {"schedulers": [ch("PolynomialLR", total_iters=4, power=2.0), ch("OneCycleLR", max_lr=0.5, total_steps=30)],
                                          "milestones": [5]}, 0.1, 25,
        "OneCycleLR's constructor overwrites group['initial_lr'], so SequentialLR's reset and the PolynomialLR child start from max_lr/div_factor; momentum cycles.")

    add("SequentialLR", "exp-cyclic", {"schedulers": [ch("ExponentialLR", gamma=0.8), ch("CyclicLR", base_lr=0.01, max_lr=0.05, step_size_up=3)],
                                       "milestones": [6]}, 0.1, 25,
        "CyclicLR has no closed form: at the milestone _update_lr(0) calls its get_lr at epoch 0 (base_lr); its constructor already set the momentum.")

    # ChainedScheduler
    add("ChainedScheduler", "constant-exp", {"schedulers": [ch("ConstantLR", factor=0.5, total_iters=4), ch("ExponentialLR", gamma=0.9)]}, 0.1, 20,
        "Both children multiply the same lr each step; initial values come from the children's constructors.")
    add("ChainedScheduler", "cosine-multistep", {"schedulers": [ch("CosineAnnealingLR", T_max=10, eta_min=0.01), ch("MultiStepLR", milestones=[4, 8], gamma=0.5)]}, 0.1, 25,
        "The cosine recursive form works on the lr already scaled by MultiStepLR: only the chainable arithmetic gives this.")
    add("ChainedScheduler", "linear-step", {"schedulers": [ch("LinearLR", start_factor=0.25, total_iters=6), ch("StepLR", step_size=5, gamma=0.7)]}, 0.3, 20,
        "Warmup chained with step decay.")

    add("ChainedScheduler", "onecycle-exp", {"schedulers": [ch("OneCycleLR", max_lr=0.3, total_steps=24, three_phase=True), ch("ExponentialLR", gamma=0.95)]}, 0.1, 25,
        "OneCycleLR sets the lr absolutely each step, then ExponentialLR multiplies it by gamma: order of children matters.")

    return by


def torch_fixture(name):
    warnings.filterwarnings("ignore")
    return Fixture(f"torch/schedules/{name}.json", f"torch 2.15.0 torch.optim.lr_scheduler.{name}",
                   [make() for make in torch_specs()[name]])


# ---------------------------------------------------------------------------------------------
# optax


def optax_case(name, cid, params, n, description, tolerance=None):
    """An optax schedule case: schedule(k) for k = 0 .. n-1 with a Python int count (runners/optax.py)."""
    vals = optax_runner.schedule_values(name, params, n)
    # NB: a Python int count (the spec's schedule(k)); an int32 count (as inject_hyperparams
    # passes it) makes some schedules compute count/transition_steps in float32.
    return {
        "id": f"optax/{name}/{cid}",
        "kind": "schedule",
        "source": "optax 0.2.8",
        "dtype": "float64",
        "description": description,
        "schedule": {"convention": "optax", "name": name, "parameters": params},
        "expected_lr": vals,
        "tolerance": tolerance or TOL,
    }


def optax_specs():
    """{schedule name: [a function making each case]}."""
    by = {}

    def add(name, cid, params, n, description, tolerance=None):
        by.setdefault(name, []).append(functools.partial(optax_case, name, cid, params, n, description, tolerance))

    add("constant_schedule", "basic", {"value": 0.003}, 20, "Constant: no off-by-one, no decay.")
    add("linear_schedule", "warmup", {"init_value": 0.0, "end_value": 0.1, "transition_steps": 10}, 20,
        "schedule(0) = init_value, reaches end_value at transition_steps and holds it.")
    add("linear_schedule", "begin", {"init_value": 0.1, "end_value": 0.01, "transition_steps": 8, "transition_begin": 5}, 20,
        "transition_begin delays the start (held at init_value before).")
    add("linear_schedule", "zero-steps", {"init_value": 0.2, "end_value": 0.01, "transition_steps": 0}, 20,
        "transition_steps <= 0 gives the constant init_value.")
    add("polynomial_schedule", "power-2", {"init_value": 1.0, "end_value": 0.001, "power": 2, "transition_steps": 15}, 20,
        "(init-end)*(1-k/T)**power + end with power 2.")
    add("polynomial_schedule", "power-0.5-negative-begin", {"init_value": 0.5, "end_value": 0.05, "power": 0.5,
                                                            "transition_steps": 12, "transition_begin": -3}, 20,
        "Negative transition_begin falls back to 0; non-integer power.")
    add("polynomial_schedule", "int-power-begin", {"init_value": 0.3, "end_value": 0.01, "power": 3, "transition_steps": 10,
                                                   "transition_begin": 4}, 20,
        "Python-int power (jnp uses integer_pow) with a positive transition_begin.")
    add("exponential_decay", "smooth", {"init_value": 0.1, "transition_steps": 5, "decay_rate": 0.5}, 25,
        "Continuous exponent count/transition_steps (not staircase).")
    add("exponential_decay", "staircase-begin", {"init_value": 0.1, "transition_steps": 4, "decay_rate": 0.7,
                                                 "transition_begin": 3, "staircase": True}, 25,
        "staircase floors the exponent; transition_begin holds init_value until then (including count == begin).")
    add("exponential_decay", "end-value-clip", {"init_value": 0.1, "transition_steps": 2, "decay_rate": 0.6, "end_value": 0.01}, 25,
        "end_value is a floor (decay_rate < 1 -> maximum).")
    add("exponential_decay", "growth-end-value", {"init_value": 0.01, "transition_steps": 3, "decay_rate": 1.5, "end_value": 0.05}, 25,
        "decay_rate > 1 makes end_value a ceiling (minimum).")
    add("exponential_decay", "zero-rate", {"init_value": 0.3, "transition_steps": 3, "decay_rate": 0.0}, 20,
        "decay_rate == 0 gives the constant init_value (not 0).")
    add("cosine_decay_schedule", "basic", {"init_value": 0.1, "decay_steps": 20}, 26,
        "Cosine to 0 over 20 steps, then held (count clipped to decay_steps).")
    add("cosine_decay_schedule", "alpha-exponent", {"init_value": 0.5, "decay_steps": 15, "alpha": 0.1, "exponent": 2.0}, 20,
        "alpha floor as a fraction of init_value and exponent != 1: (1-alpha)*c**exponent + alpha.")
    add("cosine_decay_schedule", "int-exponent", {"init_value": 1.0, "decay_steps": 12, "alpha": 0.02, "exponent": 3}, 16,
        "Integer exponent 3 (integer_pow) with alpha.")
    add("exponential_decay", "negative-begin-staircase", {"init_value": 0.5, "transition_steps": 3, "decay_rate": 0.5,
                                                          "transition_begin": -4, "staircase": True}, 15,
        "A negative transition_begin falls back to 0 (not a shift left).")
    add("warmup_cosine_decay_schedule", "basic", {"init_value": 0.0, "peak_value": 0.1, "warmup_steps": 5, "decay_steps": 25,
                                                  "end_value": 0.001}, 30,
        "decay_steps counts the warmup (cosine lasts decay_steps - warmup_steps); alpha = end/peak.")
    add("warmup_cosine_decay_schedule", "exponent", {"init_value": 0.01, "peak_value": 0.2, "warmup_steps": 3, "decay_steps": 18,
                                                     "exponent": 1.5}, 22,
        "Exponent != 1 in the cosine part; end_value default 0.")
    add("warmup_constant_schedule", "basic", {"init_value": 0.001, "peak_value": 0.05, "warmup_steps": 6}, 15,
        "Linear warmup then constant peak.")
    add("warmup_exponential_decay_schedule", "basic", {"init_value": 0.0, "peak_value": 0.1, "warmup_steps": 4,
                                                       "transition_steps": 3, "decay_rate": 0.8}, 25,
        "Decay counted from the end of warmup.")
    add("warmup_exponential_decay_schedule", "staircase-end", {"init_value": 0.01, "peak_value": 0.1, "warmup_steps": 5,
                                                               "transition_steps": 2, "decay_rate": 0.5, "transition_begin": 2,
                                                               "staircase": True, "end_value": 0.02}, 25,
        "All exponential options after warmup: transition_begin, staircase, end_value.")
    add("piecewise_constant_schedule", "basic", {"init_value": 0.1, "boundaries_and_scales": {"5": 0.5, "10": 0.2, "15": 3.0}}, 20,
        "Scales are cumulative and apply from count == boundary (sign(threshold-count) is 0 there).")
    add("piecewise_constant_schedule", "unsorted-zero", {"init_value": 1.0, "boundaries_and_scales": {"8": 0.1, "0": 0.5, "3": 0.0}}, 12,
        "Unsorted string keys are sorted numerically; a boundary at 0 applies from the start; scale 0 is allowed.")
    add("piecewise_interpolate_schedule", "linear", {"interpolate_type": "linear", "init_value": 0.1,
                                                      "boundaries_and_scales": {"5": 2.0, "10": 0.1, "14": 0.5}}, 20,
        "Linear interpolation between cumulative products of scales.")
    add("piecewise_interpolate_schedule", "cosine", {"interpolate_type": "cosine", "init_value": 0.05,
                                                      "boundaries_and_scales": {"4": 4.0, "12": 0.01}}, 18,
        "Cosine interpolation; after the last boundary the last value holds.")
    add("linear_onecycle_schedule", "basic", {"transition_steps": 40, "peak_value": 0.1}, 45,
        "Defaults pct_start 0.3, pct_final 0.85, div 25, final_div 1e4; int() truncation of the boundaries.")
    add("linear_onecycle_schedule", "custom", {"transition_steps": 25, "peak_value": 1.0, "pct_start": 0.2, "pct_final": 0.7,
                                               "div_factor": 10.0, "final_div_factor": 100.0}, 30,
        "Custom pct_start/pct_final/div factors.")
    add("cosine_onecycle_schedule", "basic", {"transition_steps": 30, "peak_value": 0.2}, 35,
        "Default cosine one-cycle: the second scale is 1/(div*final_div), so the final value is peak/(div*final_div) (not init/final_div).")
    add("cosine_onecycle_schedule", "custom", {"transition_steps": 17, "peak_value": 0.5, "pct_start": 0.45, "div_factor": 5.0,
                                               "final_div_factor": 50.0}, 20,
        "Custom pct_start (int(0.45*17) = 7) and div factors.")
    add("sgdr_schedule", "three-restarts", {"cosine_kwargs": [
        {"init_value": 0.0, "peak_value": 0.1, "warmup_steps": 2, "decay_steps": 8},
        {"init_value": 0.01, "peak_value": 0.05, "warmup_steps": 1, "decay_steps": 10, "end_value": 0.001},
        {"init_value": 0.0, "peak_value": 0.02, "warmup_steps": 3, "decay_steps": 12, "exponent": 2.0}]}, 35,
        "Warm restarts: each warmup_cosine_decay_schedule restarts at the cumulative decay_steps boundary.")
    add("join_schedules", "three", {"schedules": [
        {"name": "linear_schedule", "parameters": {"init_value": 0.0, "end_value": 0.1, "transition_steps": 5}},
        {"name": "constant_schedule", "parameters": {"value": 0.1}},
        {"name": "cosine_decay_schedule", "parameters": {"init_value": 0.1, "decay_steps": 10, "alpha": 0.05}}],
        "boundaries": [5, 9]}, 25,
        "Each later schedule sees step - boundary (restarts its own count at its boundary).")
    add("join_schedules", "nested", {"schedules": [
        {"name": "exponential_decay", "parameters": {"init_value": 0.2, "transition_steps": 2, "decay_rate": 0.9}},
        {"name": "join_schedules", "parameters": {"schedules": [
            {"name": "constant_schedule", "parameters": {"value": 0.05}},
            {"name": "polynomial_schedule", "parameters": {"init_value": 0.05, "end_value": 0.0, "power": 3, "transition_steps": 6}}],
            "boundaries": [3]}}],
        "boundaries": [6]}, 20,
        "A join inside a join: offsets compose.")

    return by


def optax_fixture(name):
    return Fixture(f"optax/schedules/{name}.json", f"optax 0.2.8 optax.{name}", [make() for make in optax_specs()[name]])


# ---------------------------------------------------------------------------------------------
# textbook (numpy transcription of the spec table)


def tb_step_decay(p, n):
    return [p["lr"] * p["gamma"] ** (t // p["step_size"]) for t in range(n)]


def tb_cosine_annealing(p, n):
    emax, emin, T = p["eta_max"], p.get("eta_min", 0.0), p["t_max"]
    return [emin + 0.5 * (emax - emin) * (1 + np.cos(np.pi * min(t, T) / T)) for t in range(n)]


def tb_one_cycle(p, n):
    mx, mn, w, T = p["max_lr"], p.get("min_lr", 0.0), p["warmup_steps"], p["total_steps"]
    out = []
    for t in range(n):
        if t < w:
            out.append(mx * t / w)
        else:
            out.append(mn + 0.5 * (mx - mn) * (1 + np.cos(np.pi * min(t - w, T - w) / (T - w))))
    return out


def tb_reduce_on_plateau(p, metrics, n):
    lr, factor, patience, min_lr = p["lr"], p["factor"], p["patience"], p.get("min_lr", 0.0)
    best, bad = math.inf, 0
    out = [lr]
    for t in range(n - 1):
        m = metrics[t]
        if m < best:
            best, bad = m, 0
        else:
            bad += 1
        if bad >= patience:
            lr = max(lr * factor, min_lr)
            bad = 0
        out.append(lr)
    return out


def tb_segments(p, n):
    segs = p["segments"]
    out = []
    for t in range(n):
        start = 0
        v = None
        for s in segs:
            if t < start + s["steps"]:
                tau = t - start
                if s["shape"] == "linear":
                    v = s["from"] + (s["to"] - s["from"]) * tau / s["steps"]
                elif s["shape"] == "cosine":
                    v = s["to"] + 0.5 * (s["from"] - s["to"]) * (1 + np.cos(np.pi * tau / s["steps"]))
                else:
                    v = s["from"]
                break
            start += s["steps"]
        if v is None:
            last = segs[-1]
            v = last["from"] if last["shape"] == "constant" else last["to"]
        out.append(float(v))
    return out


def textbook_case(name, cid, params, n, description, metrics=None):
    if name == "reduce_on_plateau":
        vals = tb_reduce_on_plateau(params, metrics, n)
    else:
        vals = globals()["tb_" + name](params, n)
    case = {
        "id": f"textbook/{name}/{cid}",
        "kind": "schedule",
        "source": "numpy transcription of the course equations",
        "dtype": "float64",
        "description": description,
        "schedule": {"convention": "textbook", "name": name, "parameters": params},
    }
    if metrics is not None:
        case["metrics"] = metrics[: n - 1]
    case["expected_lr"] = [float(v) for v in vals]
    case["tolerance"] = TOL
    return case


def textbook_specs():
    """{schedule name: [a function making each case]}."""
    by = {}

    def add(name, cid, params, n, description, metrics=None):
        by.setdefault(name, []).append(functools.partial(textbook_case, name, cid, params, n, description, metrics))

    add("step_decay", "basic", {"lr": 0.1, "gamma": 0.5, "step_size": 4}, 20,
        "lr*gamma**floor(t/step_size): first decay at t = step_size, not step_size-1.")
    add("step_decay", "every-step", {"lr": 1.0, "gamma": 0.9, "step_size": 1}, 25, "step_size 1: gamma**t.")
    add("cosine_annealing", "past-tmax", {"eta_max": 0.1, "eta_min": 0.001, "t_max": 15}, 25,
        "t clipped at t_max: eta_min holds after t_max (unlike torch's periodic recursion).")
    add("cosine_annealing", "eta-min-0", {"eta_max": 0.05, "eta_min": 0.0, "t_max": 10}, 12, "eta_min 0, lr(0) = eta_max.")
    add("one_cycle", "basic", {"max_lr": 0.1, "min_lr": 0.001, "warmup_steps": 5, "total_steps": 20}, 25,
        "Linear warmup from 0 (lr(0) = 0), cosine to min_lr over total-warmup, then min_lr holds.")
    add("one_cycle", "no-warmup", {"max_lr": 0.2, "min_lr": 0.0, "warmup_steps": 0, "total_steps": 10}, 14,
        "warmup_steps = 0 starts at max_lr.")
    mets = [1.0, 0.9, 0.9, 0.95, 0.8, 0.8, 0.8, 0.81, 0.79, 0.79, 0.79, 0.79, 0.79, 0.79, 0.79, 0.79, 0.79, 0.79, 0.79, 0.79, 0.5, 0.5, 0.5, 0.5]
    add("reduce_on_plateau", "basic", {"lr": 0.1, "factor": 0.5, "patience": 2, "min_lr": 0.005}, 25,
        "Strict improvement resets the count; equal metrics count as bad; reduction at bad >= patience; metrics[t] sets lr of step t+1; min_lr clamps.",
        metrics=mets)
    add("reduce_on_plateau", "patience-1", {"lr": 1.0, "factor": 0.1, "patience": 1, "min_lr": 0.0}, 20,
        "patience 1 reduces at every non-improving metric.", metrics=mets)
    add("segments", "deepseek-v3", {"segments": [
        {"shape": "linear", "steps": 4, "from": 0.0, "to": 2.2e-4},
        {"shape": "constant", "steps": 6, "from": 2.2e-4, "to": 2.2e-4},
        {"shape": "cosine", "steps": 10, "from": 2.2e-4, "to": 2.2e-5},
        {"shape": "constant", "steps": 3, "from": 2.2e-5, "to": 2.2e-5},
        {"shape": "constant", "steps": 3, "from": 7.3e-6, "to": 7.3e-6}]}, 30,
        "DeepSeek-V3-style warmup / constant / cosine / constant / constant (scaled-down step counts); the last value holds after the run.")
    add("segments", "linear-cosine-end", {"segments": [
        {"shape": "cosine", "steps": 5, "from": 0.1, "to": 0.05},
        {"shape": "linear", "steps": 6, "from": 0.05, "to": 0.0}]}, 15,
        "Segment boundaries: each segment starts at its own `from`; after a final linear segment its `to` holds.")

    return by


def textbook_fixture(name):
    return Fixture(f"textbook/schedules/{name}.json", f"textbook {name} (spec table)",
                   [make() for make in textbook_specs()[name]])


for _name in sorted(torch_specs()):
    FILES.add(f"torch/schedules/{_name}.json", functools.partial(torch_fixture, _name))
for _name in sorted(optax_specs()):
    FILES.add(f"optax/schedules/{_name}.json", functools.partial(optax_fixture, _name))
for _name in sorted(textbook_specs()):
    FILES.add(f"textbook/schedules/{_name}.json", functools.partial(textbook_fixture, _name))


def generate():
    return FILES.build_all()
