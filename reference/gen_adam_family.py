"""Golden fixtures for the Adam group: torch Adam, AdamW, Adamax, NAdam, RAdam; optax adam, adamw,
adamax(w), nadam(w), radam, amsgrad; textbook adam, adamw; closed-loop problems for torch and optax.

Expected values come from the real libraries (torch 2.15.0 in float64, optax 0.2.8 with
jax_enable_x64) or, for the textbook, from a direct numpy transcription of the spec table's
equations (written here independently of the Swift code). Every case names the mistake it catches.
"""
from __future__ import annotations

import functools

import numpy as np

import common
from common import DEFAULT_SHAPES, Fixture, flat
from runners import optax as optax_runner
from runners import torch as torch_runner

STEPS = 20
RADAM_STEPS = 24
TOL = {"rtol": 1e-9, "atol": 1e-12}
FILES = common.Files()


def _inputs(case_id, steps, shapes=DEFAULT_SHAPES, decay=None):
    """Initial parameters and a discriminating gradient sequence (optionally shrinking by `decay`
    per step, so a running maximum of v is attained early and AMSGrad variants separate)."""
    rng = common.case_rng(case_id)
    params = common.initial_params(rng, shapes)
    grads = common.discriminating_grads(rng, shapes, steps)
    if decay is not None:
        grads = [[[x * decay ** t for x in g] for g in step] for t, step in enumerate(grads)]
    return params, grads


# ---------------------------------------------------------------------------------------------
# Runners: (name, hp, params, steps, grads=None, problem=None, lrs=None) -> the parameters after
# each step; the libraries' are in runners/, the textbook's is the spec's equations below.


def run_torch(name, hp, params, steps, grads=None, problem=None, lrs=None):
    return torch_runner.replay("torch", name, hp, params, steps, grads=grads, problem=problem, lrs=lrs)


def run_optax(name, hp, params, steps, grads=None, problem=None, lrs=None):
    return optax_runner.replay(name, hp, params, steps, grads=grads, problem=problem, lrs=lrs)


def run_textbook(name, hp, params, steps, grads=None, problem=None, lrs=None):
    """The course equations, step t = 0, 1, …, transcribed directly:
    m ← b1·m + (1−b1)·g; v ← b2·v + (1−b2)·g²; m̂ = m/(1−b1^(t+1)); v̂ = v/(1−b2^(t+1));
    w ← w − lr·m̂/√(v̂ + eps); adamw: then w ← w − weight_decay·w_before."""
    b1, b2, eps = hp["beta1"], hp["beta2"], hp["eps"]
    wd = hp.get("weight_decay", 0.0) if name == "adamw" else 0.0
    ws = [np.array(p["values"], dtype=np.float64) for p in params]
    ms = [np.zeros_like(w) for w in ws]
    vs = [np.zeros_like(w) for w in ws]
    out = []
    for t in range(steps):
        lr = hp["lr"] if lrs is None else lrs[t]
        gs = [flat(common.problem_grad(problem, ws[0]))] if problem is not None else grads[t]
        new = []
        for i, (w, g) in enumerate(zip(ws, gs)):
            g = np.array(g, dtype=np.float64)
            ms[i] = b1 * ms[i] + (1 - b1) * g
            vs[i] = b2 * vs[i] + (1 - b2) * g * g
            m_hat = ms[i] / (1 - b1 ** (t + 1))
            v_hat = vs[i] / (1 - b2 ** (t + 1))
            w_new = w - lr * m_hat / np.sqrt(v_hat + eps)
            if name == "adamw":
                w_new = w_new - wd * w
            new.append(w_new)
        ws = new
        out.append([flat(w) for w in ws])
    return out


RUNNERS = {"torch": run_torch, "optax": run_optax, "textbook": run_textbook}
SOURCES = {"torch": "torch 2.15.0", "optax": "optax 0.2.8",
           "textbook": "numpy transcription of the course equations"}


def replay_case(conv, name, tag, hp, description, steps=STEPS, lr_base=None, decay=None):
    """A replay case: fixed discriminating gradients; `lr_base` set ⇒ the lr changes mid-run."""
    case_id = f"{conv}/{name}/{tag}"
    params, grads = _inputs(case_id, steps, decay=decay)
    lrs = common.lr_sequence(lr_base, steps) if lr_base is not None else None
    expected = RUNNERS[conv](name, hp, params, steps, grads=grads, lrs=lrs)
    return common.optimizer_case(case_id, SOURCES[conv], conv, name, hp, params,
                                 common.trajectory_steps(expected, grads, lrs), description, TOL)


def problem_case(conv, name, tag, hp, problem_name, problem, params, description, steps=STEPS, lr_base=None):
    """A closed-loop case: the gradient at each step is the problem's gradient at the current params."""
    case_id = f"{conv}/problems/{name}/{problem_name}/{tag}"
    lrs = common.lr_sequence(lr_base, steps) if lr_base is not None else None
    expected = RUNNERS[conv](name, hp, params, steps, problem=problem, lrs=lrs)
    return common.optimizer_case(case_id, SOURCES[conv], conv, name, hp, params,
                                 common.trajectory_steps(expected, lrs=lrs), description, TOL, problem=problem)


def torch_error_case(name, tag, hp, description):
    """An argument-validation case: torch's constructor rejects `hp`; `expected_error` is its message."""
    params = [{"shape": [2], "values": [0.5, -1.5]}]
    message = torch_runner.constructor_error("torch", name, hp, catch=(ValueError, RuntimeError))
    if message is None:
        raise AssertionError(f"torch accepted {name}({hp})")
    return common.optimizer_case(f"torch/{name}/{tag}", SOURCES["torch"], "torch", name, hp, params, None,
                                 description, TOL, error=message)


def torch_error_cases(name, extra=()):
    """The range checks every Adam-group constructor makes, in torch's order, plus `extra`."""
    E = torch_error_case
    return [
        E(name, "invalid-lr", {"lr": -0.001}, "Negative lr is rejected with torch's message (Python repr of the float)."),
        E(name, "invalid-lr-int", {"lr": -1}, "An integer lr is printed as Python prints an int: 'Invalid learning rate: -1'."),
        E(name, "invalid-eps", {"eps": -1e-08}, "Negative eps; the number printed as Python does ('-1e-08')."),
        E(name, "invalid-beta0", {"betas": [1.0, 0.999]}, "beta1 must be in [0, 1)."),
        E(name, "invalid-beta1", {"betas": [0.9, -0.5]}, "beta2 must be in [0, 1)."),
        E(name, "invalid-weight-decay", {"weight_decay": -0.1}, "Negative weight_decay is rejected."),
        E(name, "validation-order", {"lr": -1e-05, "eps": -1.0, "weight_decay": -1.0},
          "Several invalid values: torch reports the learning rate first."),
    ] + list(extra)


def optax_error_case(name, tag, hp, description):
    """optax validates nothing but Python's call itself: a missing required argument is a TypeError."""
    message = optax_runner.call_error(name, hp)
    if message is None:
        raise AssertionError(f"optax accepted {name}({hp})")
    return common.optimizer_case(f"optax/{name}/{tag}", SOURCES["optax"], "optax", name, hp,
                                 [{"shape": [2], "values": [0.5, -1.5]}], None, description, TOL, error=message)


# ---------------------------------------------------------------------------------------------
# torch


@FILES.file("torch/Adam.json")
def torch_adam():
    R = replay_case
    E = torch_error_case
    adam = [
        R("torch", "Adam", "defaults", {},
          "Library defaults (lr 1e-3, betas (0.9, 0.999), eps 1e-8, no decay); gradients 1e-8..10 with exact "
          "zeros and dead elements catch eps inside the root instead of added after sqrt(v)/sqrt(bc2)."),
        R("torch", "Adam", "betas-lr-schedule", {"lr": 0.05, "betas": [0.8, 0.99]},
          "Custom betas and an lr that changes mid-run (param_group['lr']); catches swapped betas, a cached "
          "lr, and bias corrections counted from 0 instead of 1.", lr_base=0.05),
        R("torch", "Adam", "small-betas", {"lr": 0.02, "betas": [0.3, 0.5], "eps": 1e-6},
          "beta1 < 0.5 (torch's lerp takes its other branch) and a fast beta2; catches b1 and 1-b1 swapped "
          "and bias corrections that vanish too early."),
        R("torch", "Adam", "large-eps", {"lr": 0.01, "eps": 1e-3},
          "A large eps: catches eps added to v (inside the root) or to sqrt(v) before bias correction."),
        R("torch", "Adam", "amsgrad", {"lr": 0.01, "amsgrad": True},
          "AMSGrad on shrinking gradients: the max of the RAW exp_avg_sq is divided by bc2 (optax takes the max "
          "of the corrected v-hat instead); catches either form of the other library.", decay=0.8),
        R("torch", "Adam", "l2", {"lr": 0.01, "weight_decay": 0.1},
          "Coupled L2 decay: weight_decay*w is added to the gradient before both moments; catches decoupled "
          "decay in Adam."),
        R("torch", "Adam", "decoupled", {"lr": 0.01, "weight_decay": 0.1, "decoupled_weight_decay": True},
          "Adam(decoupled_weight_decay=True) is AdamW: w *= 1 - lr*wd before the step; catches ignoring the "
          "flag.", lr_base=0.01),
        R("torch", "Adam", "maximize-l2", {"lr": 0.01, "weight_decay": 0.05, "maximize": True},
          "maximize negates the gradient BEFORE the L2 term is added; catches negating the update or the "
          "decayed gradient."),
        R("torch", "Adam", "all-flags", {"lr": 0.03, "betas": [0.85, 0.95], "eps": 1e-7, "weight_decay": 0.02,
                                         "amsgrad": True, "maximize": True, "foreach": False},
          "Every flag on (amsgrad, maximize, L2 decay, custom betas and eps) with an lr schedule on shrinking "
          "gradients; catches wrong interaction order.", lr_base=0.03, decay=0.85),
    ]
    adam += torch_error_cases("Adam", [
        E("Adam", "betas-int", {"betas": [0, 0.999]},
          "Adam/AdamW require both betas to be floats: an integer 0 is rejected (after the range checks)."),
        E("Adam", "fused-foreach", {"fused": True, "foreach": True},
          "fused and foreach together are rejected by the constructor."),
    ])
    return Fixture("torch/Adam.json", "torch.optim.Adam (torch 2.15.0): defaults, betas, eps, L2 and decoupled decay, "
                   "amsgrad, maximize, lr schedule.", adam)


@FILES.file("torch/AdamW.json")
def torch_adamw():
    R = replay_case
    E = torch_error_case
    adamw = [
        R("torch", "AdamW", "defaults", {},
          "AdamW defaults: weight_decay 1e-2 (not 0 as in Adam, not 1e-4 as in optax), lr 1e-3; catches "
          "wrong default decay."),
        R("torch", "AdamW", "decay-lr-schedule", {"lr": 0.02, "weight_decay": 0.1},
          "Decoupled decay w *= 1 - lr*wd uses the lr in force at each step; catches decay not scaled by lr or "
          "scaled by the initial lr.", lr_base=0.02),
        R("torch", "AdamW", "amsgrad-maximize", {"lr": 0.01, "betas": [0.9, 0.99], "weight_decay": 0.05,
                                                 "amsgrad": True, "maximize": True},
          "AdamW with amsgrad (max of raw v) and maximize on shrinking gradients; catches maximize flipping the "
          "decay sign.", decay=0.8),
        R("torch", "AdamW", "no-decay", {"lr": 0.01, "weight_decay": 0.0, "eps": 1e-6},
          "weight_decay 0: AdamW must equal Adam exactly."),
    ]
    adamw += torch_error_cases("AdamW", [
        E("AdamW", "fused-differentiable", {"fused": True, "differentiable": True},
          "fused with differentiable is rejected by the constructor."),
    ])
    return Fixture("torch/AdamW.json", "torch.optim.AdamW (torch 2.15.0).", adamw)


@FILES.file("torch/Adamax.json")
def torch_adamax():
    R = replay_case
    adamax = [
        R("torch", "Adamax", "defaults", {},
          "Adamax defaults (lr 2e-3); exp_inf = max(b2*exp_inf, |g| + eps): catches eps added to the "
          "denominator instead of inside the max, and a missing bias correction of exp_avg."),
        R("torch", "Adamax", "l2-lr-schedule", {"lr": 0.02, "betas": [0.8, 0.95], "weight_decay": 0.1},
          "L2 decay enters the gradient (and so |g| in the infinity norm); lr changes mid-run.", lr_base=0.02),
        R("torch", "Adamax", "maximize-large-eps", {"lr": 0.01, "eps": 1e-3, "maximize": True},
          "Large eps with maximize: catches eps outside the max (zero gradients give exp_inf = eps)."),
    ]
    adamax += torch_error_cases("Adamax")
    return Fixture("torch/Adamax.json", "torch.optim.Adamax (torch 2.15.0).", adamax)


@FILES.file("torch/NAdam.json")
def torch_nadam():
    R = replay_case
    E = torch_error_case
    nadam = [
        R("torch", "NAdam", "defaults", {},
          "NAdam defaults (lr 2e-3, momentum_decay 4e-3); catches optax's nadam (no momentum schedule) and a "
          "float32 or missing mu_product."),
        R("torch", "NAdam", "momentum-decay-lr-schedule", {"lr": 0.02, "betas": [0.85, 0.99], "momentum_decay": 0.05},
          "A large momentum_decay makes mu_t vary strongly; catches mu_t/mu_{t+1} off by one step and lr "
          "applied once instead of to both terms.", lr_base=0.02),
        R("torch", "NAdam", "l2", {"lr": 0.01, "weight_decay": 0.1, "eps": 1e-6},
          "Coupled L2 decay (the gradient term also carries the decay); denominator sqrt(v/bc2) + eps."),
        R("torch", "NAdam", "decoupled-maximize", {"lr": 0.01, "weight_decay": 0.1, "decoupled_weight_decay": True,
                                                   "maximize": True},
          "decoupled_weight_decay: w *= 1 - lr*wd; with maximize; catches the flag being ignored."),
        R("torch", "NAdam", "no-momentum-decay", {"lr": 0.01, "momentum_decay": 0.0},
          "momentum_decay 0: mu_t = beta1/2 constant; catches a schedule that ignores momentum_decay."),
    ]
    nadam += torch_error_cases("NAdam", [
        E("NAdam", "invalid-momentum-decay", {"momentum_decay": -0.004}, "Negative momentum_decay is rejected."),
    ])
    return Fixture("torch/NAdam.json", "torch.optim.NAdam (torch 2.15.0).", nadam)


@FILES.file("torch/RAdam.json")
def torch_radam():
    R = replay_case
    radam = [
        R("torch", "RAdam", "defaults", {},
          "RAdam defaults over 24 steps: un-rectified (w -= lr*m_hat) while rho_t <= 5, rectified after; "
          "catches the wrong threshold or onset step and rectification from step 1.", steps=RADAM_STEPS),
        R("torch", "RAdam", "l2-lr-schedule", {"lr": 0.02, "betas": [0.8, 0.99], "weight_decay": 0.1},
          "L2 decay and a changing lr; beta2 0.99 moves the rectification onset.", steps=RADAM_STEPS, lr_base=0.02),
        R("torch", "RAdam", "decoupled-maximize", {"lr": 0.01, "weight_decay": 0.05, "decoupled_weight_decay": True,
                                                   "maximize": True},
          "decoupled_weight_decay with maximize.", steps=RADAM_STEPS),
        R("torch", "RAdam", "large-eps", {"lr": 0.01, "eps": 1e-3},
          "Large eps: torch's adaptive term is sqrt(bc2)/(sqrt(v) + eps), i.e. eps NOT divided by sqrt(bc2) "
          "(optax adds eps to sqrt(v_hat)); catches the optax form.", steps=RADAM_STEPS),
    ]
    radam += torch_error_cases("RAdam")
    return Fixture("torch/RAdam.json", "torch.optim.RAdam (torch 2.15.0): through the rectification threshold.", radam)


# ---------------------------------------------------------------------------------------------
# optax


@FILES.file("optax/adam.json")
def optax_adam():
    R = replay_case
    adam = [
        R("optax", "adam", "defaults", {"learning_rate": 1e-3},
          "optax.adam defaults (b1 0.9, b2 0.999, eps 1e-8, eps_root 0); tiny and zero gradients catch eps "
          "inside the root."),
        R("optax", "adam", "eps-root-lr-schedule", {"learning_rate": 0.02, "b1": 0.8, "b2": 0.99, "eps_root": 1e-10},
          "eps_root inside the root (sqrt(v_hat + eps_root) + eps) with gradients down to 1e-8, and an lr "
          "injected per step; catches eps_root ignored or added outside.", lr_base=0.02),
        R("optax", "adam", "eps-root-only", {"learning_rate": 0.01, "eps": 0.0, "eps_root": 1e-12},
          "eps = 0 with only eps_root: dead elements stay finite only if eps_root is under the root."),
        R("optax", "adam", "nesterov", {"learning_rate": 0.01, "b1": 0.85, "nesterov": True},
          "nesterov=True: m_hat = b1*m/(1-b1^(t+1)) + (1-b1)*g/(1-b1^t); catches plain Adam and bias "
          "corrections off by one."),
        R("optax", "adam", "small-betas", {"learning_rate": 0.02, "b1": 0.3, "b2": 0.5, "eps": 1e-6},
          "Small b1 and b2; catches b and 1-b swapped."),
    ]
    adam += [
        R("optax", "adam", "learning-rate-none", {"learning_rate": None, "b1": 0.8},
          "learning_rate=None: scale_by_learning_rate(None) is the identity, so the update is ADDED "
          "(no -lr scaling, no sign flip); catches treating None as a default lr."),
        optax_error_case("adam", "missing-learning-rate", {},
                         "learning_rate is a required positional argument (Python's TypeError)."),
        optax_error_case("nadam", "missing-learning-rate", {"b1": 0.9},
                         "nadam is functools.partial(adam, nesterov=True): the TypeError names adam()."),
    ]
    return Fixture("optax/adam.json", "optax.adam (optax 0.2.8).", adam)


@FILES.file("optax/adamw.json")
def optax_adamw():
    R = replay_case
    adamw = [
        R("optax", "adamw", "defaults", {"learning_rate": 1e-3},
          "optax.adamw defaults: weight_decay 1e-4 (torch's AdamW uses 1e-2)."),
        R("optax", "adamw", "decay-lr-schedule", {"learning_rate": 0.02, "weight_decay": 0.1},
          "Decay is added to the Adam update before scaling by -lr: the lr in force scales it; catches "
          "unscaled decay.", lr_base=0.02),
        R("optax", "adamw", "mask", {"learning_rate": 0.01, "weight_decay": 0.2, "mask": [True, False, True]},
          "mask: the second tensor is not decayed; catches a mask that is ignored or applied to the wrong "
          "tensor."),
        R("optax", "adamw", "nesterov-eps-root", {"learning_rate": 0.01, "b2": 0.95, "eps_root": 1e-10,
                                                  "weight_decay": 0.05, "nesterov": True},
          "adamw with nesterov and eps_root (that is nadamw)."),
    ]
    return Fixture("optax/adamw.json", "optax.adamw (optax 0.2.8).", adamw)


@FILES.file("optax/nadam.json")
def optax_nadam():
    R = replay_case
    nadam = [
        R("optax", "nadam", "defaults", {"learning_rate": 1e-3},
          "optax.nadam is adam(nesterov=True), NOT torch's NAdam (no momentum schedule, no mu_product)."),
        R("optax", "nadam", "betas-lr-schedule", {"learning_rate": 0.02, "b1": 0.8, "b2": 0.99, "eps_root": 1e-12},
          "Custom b1/b2, eps_root and an injected lr.", lr_base=0.02),
        R("optax", "nadamw", "decay", {"learning_rate": 0.01, "weight_decay": 0.1},
          "optax.nadamw: nesterov Adam plus decoupled decay scaled by lr.", lr_base=0.01),
    ]
    return Fixture("optax/nadam.json", "optax.nadam and optax.nadamw (optax 0.2.8).", nadam)


@FILES.file("optax/amsgrad.json")
def optax_amsgrad():
    R = replay_case
    amsgrad = [
        R("optax", "amsgrad", "defaults", {"learning_rate": 0.01},
          "optax.amsgrad takes the max of the BIAS-CORRECTED v_hat (torch: of the raw v, then corrects); "
          "shrinking gradients make the two differ.", decay=0.8),
        R("optax", "amsgrad", "no-bias-correction", {"learning_rate": 0.01, "bias_correction_mu": False,
                                                     "bias_correction_nu": False},
          "bias_correction_mu/nu False (the original AMSGrad); catches the flags ignored.", decay=0.8),
        R("optax", "amsgrad", "eps-root-lr-schedule", {"learning_rate": 0.02, "b1": 0.85, "b2": 0.95, "eps_root": 1e-10},
          "eps_root inside the root with the running max; lr injected per step.", lr_base=0.02, decay=0.85),
    ]
    return Fixture("optax/amsgrad.json", "optax.amsgrad (optax 0.2.8).", amsgrad)


@FILES.file("optax/adamax.json")
def optax_adamax():
    R = replay_case
    adamax = [
        R("optax", "adamax", "defaults", {"learning_rate": 2e-3},
          "optax.adamax: nu = max(|g| + eps, b2*nu), update (mu/bc1)/nu; catches eps outside the max."),
        R("optax", "adamax", "large-eps-lr-schedule", {"learning_rate": 0.02, "b1": 0.8, "b2": 0.95, "eps": 1e-3},
          "Large eps inside the max with an injected lr.", lr_base=0.02),
        R("optax", "adamaxw", "decay-mask", {"learning_rate": 0.01, "weight_decay": 0.1, "mask": [False, True, True]},
          "optax.adamaxw: decoupled decay scaled by lr, masked off for the first tensor."),
    ]
    return Fixture("optax/adamax.json", "optax.adamax and optax.adamaxw (optax 0.2.8).", adamax)


@FILES.file("optax/radam.json")
def optax_radam():
    R = replay_case
    radam = [
        R("optax", "radam", "defaults", {"learning_rate": 1e-3},
          "optax.radam over 24 steps: m_hat alone while rho_t < 5, r*m_hat/(sqrt(v_hat)+eps) after; catches "
          "torch's eps form (sqrt(bc2)/(sqrt(v)+eps)).", steps=RADAM_STEPS),
        R("optax", "radam", "threshold-lr-schedule", {"learning_rate": 0.02, "b2": 0.99, "threshold": 8.0},
          "A custom threshold (rho_t >= 8) moves the rectification onset; lr injected per step.",
          steps=RADAM_STEPS, lr_base=0.02),
        R("optax", "radam", "nesterov-eps-root", {"learning_rate": 0.01, "b1": 0.85, "eps": 1e-4, "eps_root": 1e-10,
                                                  "nesterov": True},
          "nesterov m_hat and eps_root in the rectified update.", steps=RADAM_STEPS),
        R("optax", "radam", "b2-near-one", {"learning_rate": 0.05, "b2": 0.9999999957151253},
          "b2 = 1 - 4.3e-9: rho_t = rho_inf - 2t*b2^t/(1 - b2^t) cancels catastrophically, so the one-ulp "
          "difference between libm pow and XLA's square-and-multiply for b2**count (count is int32) moves "
          "rho_10 from 10.53 to 9.32; catches powers computed with pow() instead of XLA's integer power "
          "(found by reference/fuzz.py).", steps=RADAM_STEPS),
    ]
    return Fixture("optax/radam.json", "optax.radam (optax 0.2.8): through the rectification threshold.", radam)


# ---------------------------------------------------------------------------------------------
# textbook


@FILES.file("textbook/adam.json")
def textbook_adam():
    R = replay_case
    adam = [
        R("textbook", "adam", "basic", {"lr": 0.01, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8},
          "eps INSIDE the root of v_hat + eps: tiny and dead gradients catch the library form sqrt(v_hat) + eps."),
        R("textbook", "adam", "large-eps-lr-schedule", {"lr": 0.05, "beta1": 0.8, "beta2": 0.99, "eps": 1e-4},
          "A large eps under the root and an lr that changes per step.", lr_base=0.05),
    ]
    return Fixture("textbook/adam.json", "textbook adam (the course equations; numpy transcription).", adam)


@FILES.file("textbook/adamw.json")
def textbook_adamw():
    R = replay_case
    adamw = [
        R("textbook", "adamw", "basic", {"lr": 0.01, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "weight_decay": 0.01},
          "Decay w -= weight_decay*w_before NOT scaled by lr; catches the library (lr*wd) form."),
        R("textbook", "adamw", "lr-schedule", {"lr": 0.02, "beta1": 0.85, "beta2": 0.99, "eps": 1e-6,
                                               "weight_decay": 0.003},
          "With a changing lr the unscaled decay stays constant; catches decay applied to the updated w.",
          lr_base=0.02),
    ]
    return Fixture("textbook/adamw.json", "textbook adamw (the course equations; numpy transcription).", adamw)


# ---------------------------------------------------------------------------------------------
# closed-loop problems


PROBLEM_SPECS = {
    "torch": [
        ("Adam", "amsgrad", {"lr": 0.05, "amsgrad": True}, None),
        ("AdamW", "decay", {"lr": 0.05, "weight_decay": 0.1}, 0.05),
        ("Adamax", "l2", {"lr": 0.05, "weight_decay": 0.01}, None),
        ("NAdam", "default", {"lr": 0.05}, None),
        ("RAdam", "decoupled", {"lr": 0.05, "weight_decay": 0.01, "decoupled_weight_decay": True}, None),
    ],
    "optax": [
        ("adam", "nesterov", {"learning_rate": 0.05, "nesterov": True}, None),
        ("adamw", "decay", {"learning_rate": 0.05, "weight_decay": 0.1}, 0.05),
        ("amsgrad", "default", {"learning_rate": 0.05}, None),
        ("adamax", "default", {"learning_rate": 0.05}, None),
        ("radam", "default", {"learning_rate": 0.05}, None),
    ],
}


def problem_fixture(conv):
    cases = []
    for pname, problem, params in common.standard_problems():
        for name, tag, hp, lr_base in PROBLEM_SPECS[conv]:
            if pname == "rosenbrock" and name.lower() == "radam":
                # un-rectified RAdam steps are SGD with momentum: keep them stable on rosenbrock
                hp = {**hp, ("lr" if conv == "torch" else "learning_rate"): 2e-4}
            cases.append(problem_case(
                conv, name, tag, hp, pname, problem, params,
                f"Closed loop on {pname}: the gradient at each step comes from the current parameters, so an "
                f"error compounds through the trajectory instead of staying local to one step.",
                steps=RADAM_STEPS if name.lower() == "radam" else STEPS, lr_base=lr_base))
    return Fixture(f"{conv}/problems/adam_group.json",
                   f"Adam group ({conv}) on the standard closed-loop problems (quadratic, rosenbrock, ridge).", cases)


for _conv in PROBLEM_SPECS:
    FILES.add(f"{_conv}/problems/adam_group.json", functools.partial(problem_fixture, _conv))


def generate():
    return FILES.build_all()
