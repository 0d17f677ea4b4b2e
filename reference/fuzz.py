"""Differential fuzzing of Descent against the real libraries (a developer tool, not a generator).

    /work/venv/ref/bin/python reference/fuzz.py SEED [--out /tmp/descent-fuzz] [--cases N]
    .build/release/descent verify /tmp/descent-fuzz --implementation naive --dtype float64

Draws random but valid hyperparameter combinations for every torch and optax optimizer and
schedule Descent supports (every flag on/off, betas near 0 and 1, eps 0 or large, large decay,
an lr that changes per step, scalar / 1-D / 2-D / 3-D tensors, tiny and huge gradients, exact
zeros), runs the real library in float64 and writes `descent-fixture/1` files under --out
(never under fixtures/). Invalid argument draws that the library rejects become
`expected_error` cases. Cases whose trajectory is not finite (the library produced NaN/inf) are
dropped and counted. Deterministic for a given SEED.
"""
from __future__ import annotations

import argparse
import math
import os
import sys
import warnings
import zlib

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import common  # noqa: E402
from common import Fixture  # noqa: E402
from runners import optax as optax_runner  # noqa: E402
from runners import torch as torch_runner  # noqa: E402

TORCH_SRC, OPTAX_SRC = "torch 2.15.0", "optax 0.2.8"
TOL = {"rtol": 1e-9, "atol": 1e-12}
STOL = {"rtol": 1e-12, "atol": 1e-15}
FIXTURES = os.path.normpath(os.path.join(HERE, "..", "fixtures"))

SHAPE_POOL = [(), (1,), (5,), (3, 4), (2, 1, 3), (4, 2), (7,)]
MATRIX_POOL = [(3, 4), (4, 3), (2, 5), (6, 2), (1, 4), (3, 3)]


# ---------------------------------------------------------------------------------------------
# random draws


class Draw:
    def __init__(self, rng):
        self.rng = rng

    def pick(self, *xs):
        return xs[int(self.rng.integers(len(xs)))]

    def coin(self, p=0.5):
        return bool(self.rng.random() < p)

    def maybe(self, hp, key, draw, p=0.5):
        """hp[key] = draw() with probability p (the coin is drawn first, as `if coin(p):` would)."""
        if self.coin(p):
            hp[key] = draw()

    def u(self, a, b):
        return float(self.rng.uniform(a, b))

    def logu(self, a, b):
        return float(10.0 ** self.rng.uniform(math.log10(a), math.log10(b)))

    def beta(self):
        return self.pick(0.0, self.u(0.0, 0.2), self.u(0.5, 0.99), 0.9, 0.999, 1.0 - self.logu(1e-9, 1e-4))

    def eps(self):
        return self.pick(0.0, 1e-8, self.logu(1e-12, 1e-3), self.logu(1e-2, 2.0))

    def wd(self):
        return self.pick(0.0, self.logu(1e-4, 1e-1), self.u(0.5, 3.0))

    def lr(self):
        return self.pick(self.logu(1e-4, 1e-1), self.u(0.1, 1.5))

    def shapes(self, matrix=False):
        pool = MATRIX_POOL if matrix else SHAPE_POOL
        k = int(self.rng.integers(1, 4))
        return [pool[int(self.rng.integers(len(pool)))] for _ in range(k)]

    def inputs(self, shapes, steps):
        params = common.initial_params(self.rng, shapes)
        grads = common.discriminating_grads(self.rng, shapes, steps,
                                            zero_frac=self.pick(0.0, 0.1, 0.4), dead_frac=self.pick(0.0, 0.08, 0.3))
        mode = self.pick("plain", "plain", "huge", "tiny", "zero-step", "mixed")
        if mode == "huge":
            grads = [[[x * 1e6 for x in g] for g in s] for s in grads]
        elif mode == "tiny":
            grads = [[[x * 1e-10 for x in g] for g in s] for s in grads]
        elif mode == "zero-step":
            t = int(self.rng.integers(steps))
            grads[t] = [[0.0] * len(g) for g in grads[t]]
        elif mode == "mixed":
            grads = [[[x * (1e4 if i % 2 else 1e-6) for x in g] for i, g in enumerate(s)] for s in grads]
        return params, grads, mode

    def lrs(self, base, steps):
        kind = self.pick("none", "none", "sequence", "random")
        if kind == "none" or base is None:
            return [None] * steps, kind
        if kind == "sequence":
            return common.lr_sequence(base, steps), kind
        return [float(base * 10.0 ** self.rng.uniform(-1.5, 0.5)) for _ in range(steps)], kind


# ---------------------------------------------------------------------------------------------
# optimizer hyperparameter samplers: d -> hp (library keyword names)


def torch_samplers(d):
    def common_flags(hp):
        d.maybe(hp, "maximize", lambda: True, 0.3)
        d.maybe(hp, "foreach", lambda: d.pick(True, False, None), 0.15)
        return hp

    def adamlike(extra):
        def f():
            hp = {}
            d.maybe(hp, "lr", d.lr, 0.8)
            d.maybe(hp, "betas", lambda: [d.beta(), d.beta()], 0.8)
            d.maybe(hp, "eps", d.eps, 0.7)
            d.maybe(hp, "weight_decay", d.wd, 0.7)
            extra(hp)
            return common_flags(hp)
        return f

    def sgd():
        hp = {"lr": d.lr()}
        d.maybe(hp, "momentum", lambda: d.pick(0.0, d.u(0.0, 1.0), 0.99, 1.0, d.u(1.0, 1.5)), 0.8)
        if hp.get("momentum", 0) > 0 and d.coin(0.5):
            hp["nesterov"] = True
        elif d.coin(0.5):
            hp["dampening"] = d.pick(0.0, d.u(0.0, 1.0), 1.0)
        d.maybe(hp, "weight_decay", d.wd, 0.6)
        return common_flags(hp)

    def adagrad():
        hp = {}
        d.maybe(hp, "lr", d.lr, 0.8)
        d.maybe(hp, "lr_decay", lambda: d.pick(0.0, d.logu(1e-3, 1.0)), 0.6)
        d.maybe(hp, "weight_decay", d.wd, 0.6)
        d.maybe(hp, "initial_accumulator_value", lambda: d.pick(0.0, 0.1, d.u(0.5, 3.0)), 0.6)
        d.maybe(hp, "eps", d.eps, 0.6)
        return common_flags(hp)

    def rmsprop():
        hp = {}
        d.maybe(hp, "lr", d.lr, 0.8)
        d.maybe(hp, "alpha", d.beta, 0.7)
        d.maybe(hp, "eps", d.eps, 0.6)
        d.maybe(hp, "weight_decay", d.wd, 0.6)
        d.maybe(hp, "momentum", lambda: d.pick(0.0, d.u(0.0, 1.0), 0.9), 0.6)
        d.maybe(hp, "centered", lambda: True, 0.5)
        d.maybe(hp, "capturable", lambda: False, 0.1)
        return common_flags(hp)

    def adadelta():
        hp = {}
        d.maybe(hp, "lr", lambda: d.pick(1.0, d.lr()), 0.8)
        d.maybe(hp, "rho", d.beta, 0.7)
        d.maybe(hp, "eps", d.eps, 0.6)
        d.maybe(hp, "weight_decay", d.wd, 0.6)
        return common_flags(hp)

    def adam_extra(hp):
        d.maybe(hp, "amsgrad", lambda: True, 0.5)
        d.maybe(hp, "decoupled_weight_decay", d.coin, 0.4)

    def adamw_extra(hp):
        d.maybe(hp, "amsgrad", lambda: True, 0.5)

    def nadam_extra(hp):
        d.maybe(hp, "momentum_decay", lambda: d.pick(0.0, 0.004, d.logu(1e-3, 1.0)), 0.6)
        d.maybe(hp, "decoupled_weight_decay", d.coin, 0.4)

    def radam_extra(hp):
        d.maybe(hp, "decoupled_weight_decay", d.coin, 0.4)

    def muon():
        hp = {}
        d.maybe(hp, "lr", d.lr, 0.8)
        d.maybe(hp, "weight_decay", lambda: d.pick(0.0, d.wd(), 0.1), 0.7)
        d.maybe(hp, "momentum", lambda: d.pick(0.0, d.u(0.0, 1.0), 0.95), 0.7)
        d.maybe(hp, "nesterov", d.coin, 0.5)
        d.maybe(hp, "ns_steps", lambda: int(d.rng.integers(0, 8)), 0.4)
        d.maybe(hp, "eps", lambda: d.pick(1e-7, d.logu(1e-12, 1e-1)), 0.3)
        d.maybe(hp, "adjust_lr_fn", lambda: d.pick(None, "original", "match_rms_adamw"), 0.5)
        d.maybe(hp, "ns_coefficients", lambda: [d.u(1, 4), d.u(-5, -1), d.u(0.5, 2.5)], 0.3)
        return hp

    return {
        "SGD": sgd, "Adagrad": adagrad, "RMSprop": rmsprop, "Adadelta": adadelta,
        "Adam": adamlike(adam_extra), "AdamW": adamlike(adamw_extra), "Adamax": adamlike(lambda hp: None),
        "NAdam": adamlike(nadam_extra), "RAdam": adamlike(radam_extra), "Muon": muon,
    }


def torch_invalid(d, name):
    """A draw that is probably invalid; kept only if torch really raises."""
    key = d.pick("lr", "eps", "weight_decay", "betas0", "betas1", "momentum", "nesterov", "alpha", "rho",
                 "lr_decay", "initial_accumulator_value", "momentum_decay", "dampening")
    bad = d.pick(-1e-3, -1, -0.5, 1.0, 1.5, -1e-8, 2)
    hp = {}
    if key == "betas0":
        hp["betas"] = [bad, 0.999]
    elif key == "betas1":
        hp["betas"] = [0.9, bad]
    elif key == "nesterov":
        hp.update({"nesterov": True, "momentum": d.pick(0.0, 0.9), "dampening": d.pick(0.0, 0.5)})
    else:
        hp[key] = bad
    return key, hp


def optax_samplers(d):
    def lr():
        return d.lr()

    def adamlike(keys):
        def f():
            hp = {"learning_rate": lr()}
            for k in keys:
                if not d.coin(0.7):
                    continue
                if k in ("b1", "b2"):
                    hp[k] = d.beta()
                elif k == "eps":
                    hp[k] = d.eps()
                elif k == "eps_root":
                    hp[k] = d.pick(0.0, d.logu(1e-16, 1e-6), d.logu(1e-3, 1.0))
                elif k == "weight_decay":
                    hp[k] = d.wd()
                elif k == "threshold":
                    hp[k] = d.pick(5.0, d.u(0.0, 10.0), 0.0, 100.0)
                else:  # booleans
                    hp[k] = d.coin()
            return hp
        return f

    def sgd():
        hp = {"learning_rate": lr()}
        d.maybe(hp, "momentum", lambda: d.pick(None, 0.0, d.u(0.0, 1.0), 0.99), 0.7)
        d.maybe(hp, "nesterov", d.coin, 0.5)
        return hp

    def adagrad():
        hp = {"learning_rate": lr()}
        d.maybe(hp, "initial_accumulator_value", lambda: d.pick(0.0, 0.1, d.u(0.5, 3.0)), 0.7)
        d.maybe(hp, "eps", d.eps, 0.7)
        return hp

    def rmsprop():
        hp = {"learning_rate": lr()}
        d.maybe(hp, "decay", d.beta, 0.7)
        d.maybe(hp, "eps", d.eps, 0.6)
        d.maybe(hp, "initial_scale", lambda: d.pick(0.0, 1.0, d.u(0.0, 2.0)), 0.5)
        for k in ("eps_in_sqrt", "centered", "nesterov", "bias_correction"):
            if d.coin(0.5):
                hp[k] = d.coin()
        d.maybe(hp, "momentum", lambda: d.pick(None, 0.0, d.u(0.0, 1.0), 0.9), 0.5)
        return hp

    def adadelta():
        hp = {}
        d.maybe(hp, "learning_rate", lambda: d.pick(None, lr()), 0.7)
        d.maybe(hp, "rho", d.beta, 0.7)
        d.maybe(hp, "eps", d.eps, 0.6)
        d.maybe(hp, "weight_decay", d.wd, 0.6)
        return hp

    def lion():
        hp = {"learning_rate": lr()}
        d.maybe(hp, "b1", d.beta, 0.7)
        d.maybe(hp, "b2", d.beta, 0.7)
        d.maybe(hp, "weight_decay", d.wd, 0.7)
        return hp

    def lars():
        hp = {"learning_rate": lr()}
        d.maybe(hp, "weight_decay", d.wd, 0.7)
        d.maybe(hp, "trust_coefficient", lambda: d.pick(0.001, d.logu(1e-4, 1.0)), 0.6)
        d.maybe(hp, "eps", d.eps, 0.6)
        d.maybe(hp, "momentum", lambda: d.pick(0.0, d.u(0.0, 1.0), 0.9), 0.6)
        d.maybe(hp, "nesterov", d.coin, 0.5)
        d.maybe(hp, "weight_decay_mask", d.coin, 0.2)
        d.maybe(hp, "trust_ratio_mask", d.coin, 0.2)
        return hp

    def muon():
        hp = {"learning_rate": lr()}
        d.maybe(hp, "beta", d.beta, 0.6)
        d.maybe(hp, "eps", lambda: d.pick(1e-8, d.logu(1e-12, 1e-1)), 0.4)
        d.maybe(hp, "weight_decay", d.wd, 0.5)
        d.maybe(hp, "nesterov", d.coin, 0.5)
        d.maybe(hp, "ns_steps", lambda: int(d.rng.integers(0, 8)), 0.4)
        d.maybe(hp, "adaptive", d.coin, 0.3)
        d.maybe(hp, "adam_b1", d.beta, 0.4)
        d.maybe(hp, "adam_b2", d.beta, 0.4)
        d.maybe(hp, "adam_eps_root", lambda: d.pick(0.0, 1e-8), 0.3)
        d.maybe(hp, "adam_weight_decay", d.wd, 0.3)
        d.maybe(hp, "adam_learning_rate", lambda: d.pick(None, lr()), 0.3)
        d.maybe(hp, "consistent_rms", lambda: d.pick(None, 0.2, d.u(0.05, 1.0)), 0.3)
        return hp

    return {
        "sgd": sgd, "adagrad": adagrad, "rmsprop": rmsprop, "adadelta": adadelta,
        "adam": adamlike(["b1", "b2", "eps", "eps_root", "nesterov"]),
        "adamw": adamlike(["b1", "b2", "eps", "eps_root", "weight_decay", "nesterov"]),
        "nadam": adamlike(["b1", "b2", "eps", "eps_root", "nesterov"]),
        "nadamw": adamlike(["b1", "b2", "eps", "eps_root", "weight_decay", "nesterov"]),
        "amsgrad": adamlike(["b1", "b2", "eps", "eps_root", "bias_correction_mu", "bias_correction_nu"]),
        "adamax": adamlike(["b1", "b2", "eps"]),
        "adamaxw": adamlike(["b1", "b2", "eps", "weight_decay"]),
        "radam": adamlike(["b1", "b2", "eps", "eps_root", "threshold", "nesterov"]),
        "lion": lion, "lamb": adamlike(["b1", "b2", "eps", "eps_root", "weight_decay"]), "lars": lars,
        "muon": muon,
    }


# ---------------------------------------------------------------------------------------------
# library runners


def run_torch(name, hp, params, grads, lrs):
    """torch.optim.<name> (Muon with the float64 Newton-Schulz of gen_matrix.py: the library casts to
    bfloat16), through runners/torch.py."""
    return torch_runner.replay("torch", name, hp, params, len(grads), grads=grads, lrs=lrs)


def optax_factory(name):
    import optax

    return optax.contrib.muon if name == "muon" else getattr(optax, name)


def run_optax(name, hp, params, grads, lrs):
    kw = dict(hp)
    if "ns_coeffs" in kw:
        kw["ns_coeffs"] = tuple(kw["ns_coeffs"])
    if kw.get("learning_rate", 0.0) is None:
        lrs = [None] * len(lrs)
    return optax_runner.replay(optax_factory(name), kw, params, len(grads), grads=grads, lrs=lrs)


TORCH_FLAGS = ("foreach", "fused", "differentiable", "capturable")


def torch_flags(d, name, hp):
    """foreach / fused / differentiable / capturable drawn from what the constructor accepts."""
    import inspect

    import torch

    accepted = inspect.signature(getattr(torch.optim, name).__init__).parameters
    for k in TORCH_FLAGS:
        if k in accepted and d.coin(0.25):
            # differentiable=True needs a non-leaf setup and capturable=True a GPU (CPU raises in step())
            hp[k] = d.pick(True, False, None) if k in ("foreach", "fused") else False
    return hp


def intify(d, hp):
    """Integral float values written as JSON integers sometimes (lr=1, weight_decay=0, betas [0, 0])."""
    def f(v):
        if isinstance(v, float) and v.is_integer() and d.coin(0.5):
            return int(v)
        if isinstance(v, list):
            return [f(x) for x in v]
        return v
    return {k: f(v) for k, v in hp.items()}


MASK_KEYS = {"adamw": ["mask"], "adamaxw": ["mask"], "nadamw": ["mask"], "lion": ["mask"], "lamb": ["mask"],
             "lars": ["weight_decay_mask", "trust_ratio_mask"], "adadelta": ["weight_decay_mask"]}


def finite(expected):
    return all(math.isfinite(x) for s in expected for t in s for x in t)


# ---------------------------------------------------------------------------------------------
# optimizer cases


def optimizer_fixtures(seed, n, stats):
    d = Draw(np.random.default_rng([seed, 1]))
    out = []
    for conv, samplers, runner in (("torch", torch_samplers(d), run_torch), ("optax", optax_samplers(d), run_optax)):
        src = TORCH_SRC if conv == "torch" else OPTAX_SRC
        for name, sample in samplers.items():
            cases = []
            for i in range(n):
                hp = sample()
                matrix = name in ("Muon",) or (name == "muon" and d.coin(0.7))
                shapes = d.shapes(matrix=matrix)
                if conv == "torch":
                    hp = torch_flags(d, name, hp)
                for k in MASK_KEYS.get(name, []):
                    if d.coin(0.3):
                        hp[k] = d.pick(None, d.coin(), [d.coin() for _ in shapes])
                if d.coin(0.3):
                    hp = intify(d, hp)
                steps = int(d.pick(12, 20, 25))
                params, grads, gmode = d.inputs(shapes, steps)
                base = hp.get("lr", hp.get("learning_rate", 1e-3 if conv == "torch" else None))
                lrs, lrmode = d.lrs(base, steps)
                cid = f"{conv}/{name}/fuzz-{seed}-{i}"
                if conv == "torch":
                    err = torch_construction_error(name, hp, params)
                    if err is not None:
                        cases.append(error_case(cid + "-error", name, hp, params, err, f"fuzz: torch rejects {hp}"))
                        continue
                try:
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore")
                        expected = runner(name, hp, params, grads, lrs)
                except Exception as e:  # noqa: BLE001
                    stats.setdefault("library-raised", []).append(f"{cid} {hp}: {type(e).__name__}: {e}")
                    continue
                if not finite(expected):
                    stats.setdefault("non-finite", []).append(cid)
                    continue
                desc = f"fuzz seed {seed}: shapes {[list(s) for s in shapes]}, grads {gmode}, lr {lrmode}"
                cases.append(common.optimizer_case(cid, src, conv, name, hp, params,
                                                   common.trajectory_steps(expected, grads, lrs), desc, TOL))
            if conv == "torch" and name != "Muon":
                cases += torch_error_cases(d, name, seed, max(2, n // 3))
            stats.setdefault("optimizer-counts", {})[f"{conv}/{name}"] = len(cases)
            out.append(Fixture(f"{conv}/{name}.json", f"fuzz seed {seed}: {conv} {name}", cases))
    return out


def torch_construction_error(name, hp, params):
    """torch's ValueError/RuntimeError message when the constructor rejects `hp` (else None)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return torch_runner.constructor_error("torch", name, hp, shapes=[p["shape"] for p in params],
                                              catch=(ValueError, RuntimeError))


def error_case(cid, name, hp, params, message, description):
    return common.optimizer_case(cid, TORCH_SRC, "torch", name, hp, params, None, description, TOL, error=message)


def torch_error_cases(d, name, seed, k):
    cases = []
    for j in range(k * 3):
        if len(cases) >= k:
            break
        key, hp = torch_invalid(d, name)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                message = torch_runner.constructor_error("torch", name, hp, catch=(ValueError, RuntimeError))
        except TypeError:
            continue  # not a keyword of this optimizer
        if message is not None:
            cases.append(error_case(f"torch/{name}/fuzz-error-{seed}-{j}", name, hp,
                                    [{"shape": [2], "values": [0.5, -1.5]}], message, f"fuzz: invalid {key}"))
    return cases


# ---------------------------------------------------------------------------------------------
# schedules


def torch_schedule_params(d, name, depth=0):
    p = {}
    if name == "StepLR":
        p["step_size"] = int(d.rng.integers(1, 8))
        if d.coin(0.7):
            p["gamma"] = d.pick(d.u(0.1, 0.99), 1.0, d.u(1.0, 1.3), 0.0)
    elif name == "MultiStepLR":
        p["milestones"] = [int(x) for x in d.rng.integers(0, 20, size=int(d.rng.integers(0, 5)))]
        if d.coin(0.7):
            p["gamma"] = d.pick(d.u(0.1, 0.99), 2.0, 0.0)
    elif name == "ConstantLR":
        if d.coin(0.7):
            p["factor"] = d.pick(d.u(0.0, 1.0), 1.0, 0.0)
        if d.coin(0.7):
            p["total_iters"] = int(d.rng.integers(0, 12))
    elif name == "LinearLR":
        if d.coin(0.7):
            p["start_factor"] = d.pick(d.u(1e-3, 1.0), 1.0)
        if d.coin(0.7):
            p["end_factor"] = d.pick(d.u(0.0, 1.0), 0.0, 1.0)
        if d.coin(0.7):
            p["total_iters"] = int(d.rng.integers(0, 15))
    elif name == "ExponentialLR":
        p["gamma"] = d.pick(d.u(0.5, 1.0), 1.0, d.u(1.0, 1.1), 0.0)
    elif name == "PolynomialLR":
        if d.coin(0.7):
            p["total_iters"] = int(d.rng.integers(0, 15))
        if d.coin(0.7):
            p["power"] = d.pick(1.0, d.u(0.1, 3.0), 2, 0.0)
    elif name == "CosineAnnealingLR":
        p["T_max"] = int(d.rng.integers(1, 15))
        if d.coin(0.6):
            p["eta_min"] = d.pick(0.0, d.logu(1e-5, 1e-2), d.u(0.1, 1.0))
    elif name == "CosineAnnealingWarmRestarts":
        p["T_0"] = int(d.rng.integers(1, 8))
        if d.coin(0.6):
            p["T_mult"] = int(d.rng.integers(1, 4))
        if d.coin(0.6):
            p["eta_min"] = d.pick(0.0, d.logu(1e-5, 1e-2), d.u(0.1, 1.0))
    elif name == "CyclicLR":
        p["base_lr"] = d.logu(1e-4, 1e-2)
        p["max_lr"] = d.pick(p["base_lr"] * d.u(1.0, 50.0), d.logu(1e-5, 1e-3))
        if d.coin(0.7):
            p["step_size_up"] = int(d.rng.integers(1, 8))
        if d.coin(0.5):
            p["step_size_down"] = d.pick(None, int(d.rng.integers(1, 8)))
        if d.coin(0.7):
            p["mode"] = d.pick("triangular", "triangular2", "exp_range")
        if d.coin(0.5):
            p["gamma"] = d.pick(d.u(0.8, 1.0), 1.0)
        if d.coin(0.3):
            p["scale_mode"] = d.pick("cycle", "iterations")
        if d.coin(0.4):
            p["cycle_momentum"] = d.coin()
        if d.coin(0.4):
            p["base_momentum"] = d.u(0.5, 0.9)
        if d.coin(0.4):
            p["max_momentum"] = d.u(0.8, 0.99)
    elif name == "OneCycleLR":
        p["max_lr"] = d.lr()
        if d.coin(0.7):
            p["total_steps"] = int(d.rng.integers(2, 40))
        else:
            p["epochs"] = int(d.rng.integers(1, 6))
            p["steps_per_epoch"] = int(d.rng.integers(1, 8))
        if d.coin(0.6):
            p["pct_start"] = d.pick(d.u(0.05, 0.95), 0.5, 0.3)
        if d.coin(0.5):
            p["anneal_strategy"] = d.pick("cos", "linear")
        if d.coin(0.4):
            p["cycle_momentum"] = d.coin()
        if d.coin(0.4):
            p["base_momentum"] = d.u(0.5, 0.9)
        if d.coin(0.4):
            p["max_momentum"] = d.u(0.8, 0.99)
        if d.coin(0.5):
            p["div_factor"] = d.pick(25.0, d.u(1.0, 100.0))
        if d.coin(0.5):
            p["final_div_factor"] = d.pick(1e4, d.u(1.0, 1e5))
        if d.coin(0.5):
            p["three_phase"] = d.coin()
    elif name == "ReduceLROnPlateau":
        if d.coin(0.5):
            p["mode"] = d.pick("min", "max")
        if d.coin(0.6):
            p["factor"] = d.pick(0.1, d.u(0.0, 1.0), 0.5)
        if d.coin(0.6):
            p["patience"] = int(d.rng.integers(0, 5))
        if d.coin(0.5):
            p["threshold"] = d.pick(1e-4, 0.0, d.u(0.0, 0.1))
        if d.coin(0.5):
            p["threshold_mode"] = d.pick("rel", "abs")
        if d.coin(0.5):
            p["cooldown"] = int(d.rng.integers(0, 4))
        if d.coin(0.5):
            p["min_lr"] = d.pick(0.0, d.logu(1e-5, 1e-2), [d.logu(1e-5, 1e-2)])
        if d.coin(0.4):
            p["eps"] = d.pick(1e-8, 0.0, d.logu(1e-5, 1e-2))
    elif name in ("SequentialLR", "ChainedScheduler"):
        simple = ["StepLR", "MultiStepLR", "ConstantLR", "LinearLR", "ExponentialLR", "PolynomialLR",
                  "CosineAnnealingLR", "CosineAnnealingWarmRestarts", "CyclicLR", "OneCycleLR"]
        k = int(d.rng.integers(1, 4))
        kids = [d.pick(*simple) for _ in range(k)]
        p["schedulers"] = [{"name": c, "parameters": torch_schedule_params(d, c, depth + 1)} for c in kids]
        if name == "SequentialLR":
            p["milestones"] = sorted(int(x) for x in d.rng.integers(0, 20, size=k - 1))
    return p


TORCH_SCHEDULES = ["StepLR", "MultiStepLR", "ConstantLR", "LinearLR", "ExponentialLR", "PolynomialLR",
                   "CosineAnnealingLR", "CosineAnnealingWarmRestarts", "CyclicLR", "OneCycleLR",
                   "ReduceLROnPlateau", "SequentialLR", "ChainedScheduler"]


def torch_schedule_fixtures(seed, n, stats):
    import torch

    import gen_schedules as gs

    torch.set_default_dtype(torch.float64)
    d = Draw(np.random.default_rng([seed, 2]))
    out = []
    for name in TORCH_SCHEDULES:
        cases = []
        for i in range(n):
            params = torch_schedule_params(d, name)
            base_lr = d.lr()
            length = int(d.rng.integers(5, 45))
            metrics = None
            if name == "ReduceLROnPlateau":
                m = np.cumsum(d.rng.standard_normal(length) * 0.1) + 1.0
                m[d.rng.random(length) < 0.3] = 1.0
                metrics = [float(x) for x in m]
            cid = f"fuzz-{seed}-{i}"
            opt = d.pick("SGD", "Adam")
            try:  # construction alone: what it rejects is an expected_error case
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    dummy = torch.nn.Parameter(torch.zeros(2))
                    torch_runner.build_scheduler(torch.optim.SGD([dummy], lr=base_lr, momentum=0.9), name, params)
                    built = True
            except Exception as e:  # noqa: BLE001
                built, build_error = False, e
            try:
                if not built:
                    raise build_error
                if name == "OneCycleLR":  # stepping past total_steps raises
                    total = params.get("total_steps") or params["epochs"] * params["steps_per_epoch"]
                    length = min(length, total + 1)
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    case = gs.torch_case(cid, name, params, base_lr, length, f"fuzz seed {seed}",
                                         optimizer=opt, metrics=metrics)
            except (ValueError, RuntimeError, ZeroDivisionError, TypeError, IndexError) as e:
                msg = f"{type(e).__name__}: {e}"
                if not built and isinstance(e, ValueError):
                    cases.append({"id": f"torch/{name}/{cid}-error", "kind": "schedule", "source": TORCH_SRC,
                                  "dtype": "float64", "description": f"fuzz: torch raises {msg}",
                                  "schedule": {"convention": "torch", "name": name, "parameters": params},
                                  "base_lr": base_lr, "expected_error": str(e), "tolerance": STOL})
                else:
                    stats.setdefault("library-raised", []).append(f"torch/{name}/{cid} {params}: {msg}")
                continue
            if not all(math.isfinite(x) for x in case["expected_lr"] + case.get("expected_momentum", [])):
                stats.setdefault("non-finite", []).append(case["id"])
                continue
            cases.append(case)
        stats.setdefault("schedule-counts", {})[f"torch/{name}"] = len(cases)
        out.append(Fixture(f"torch/schedules/{name}.json", f"fuzz seed {seed}: torch {name}", cases))
    return out


def optax_schedule_params(d, name, depth=0):
    p = {}
    iv = d.pick(0.0, d.lr(), 1.0)
    if name == "constant_schedule":
        p["value"] = d.lr()
    elif name == "linear_schedule":
        p.update(init_value=iv, end_value=d.pick(0.0, d.lr()), transition_steps=int(d.rng.integers(-2, 20)))
        if d.coin(0.5):
            p["transition_begin"] = int(d.rng.integers(-3, 10))
    elif name == "polynomial_schedule":
        p.update(init_value=iv, end_value=d.pick(0.0, d.lr()), power=d.pick(1, 2, 3, d.u(0.1, 3.0), 0.0),
                 transition_steps=int(d.rng.integers(-2, 20)))
        if d.coin(0.5):
            p["transition_begin"] = int(d.rng.integers(-3, 10))
    elif name == "exponential_decay":
        p.update(init_value=d.lr(), transition_steps=int(d.rng.integers(-1, 10)),
                 decay_rate=d.pick(d.u(0.1, 1.0), 1.0, 0.0, d.u(1.0, 1.5)))
        if d.coin(0.5):
            p["transition_begin"] = int(d.rng.integers(-3, 10))
        if d.coin(0.5):
            p["staircase"] = d.coin()
        if d.coin(0.5):
            p["end_value"] = d.pick(None, d.lr())
    elif name == "cosine_decay_schedule":
        p.update(init_value=d.lr(), decay_steps=int(d.rng.integers(1, 25)))
        if d.coin(0.5):
            p["alpha"] = d.pick(0.0, d.u(0.0, 1.0), 1.5)
        if d.coin(0.5):
            p["exponent"] = d.pick(1.0, 2, d.u(0.2, 3.0))
    elif name == "warmup_cosine_decay_schedule":
        w = int(d.rng.integers(0, 10))
        p.update(init_value=d.pick(0.0, d.lr()), peak_value=d.lr(), warmup_steps=w,
                 decay_steps=w + int(d.rng.integers(1, 20)))
        if d.coin(0.5):
            p["end_value"] = d.pick(0.0, d.lr())
        if d.coin(0.5):
            p["exponent"] = d.pick(1.0, 2.0, d.u(0.2, 3.0))
    elif name == "warmup_constant_schedule":
        p.update(init_value=d.pick(0.0, d.lr()), peak_value=d.lr(), warmup_steps=int(d.rng.integers(0, 12)))
    elif name == "warmup_exponential_decay_schedule":
        p.update(init_value=d.pick(0.0, d.lr()), peak_value=d.lr(), warmup_steps=int(d.rng.integers(0, 10)),
                 transition_steps=int(d.rng.integers(1, 8)), decay_rate=d.pick(d.u(0.1, 1.0), d.u(1.0, 1.3)))
        if d.coin(0.5):
            p["transition_begin"] = int(d.rng.integers(0, 6))
        if d.coin(0.5):
            p["staircase"] = d.coin()
        if d.coin(0.5):
            p["end_value"] = d.pick(None, d.lr())
    elif name in ("piecewise_constant_schedule", "piecewise_interpolate_schedule"):
        bs = {str(int(b)): d.pick(d.u(0.0, 2.0), 0.5, 0.0, 10.0) for b in d.rng.integers(0, 25, size=int(d.rng.integers(0, 5)))}
        p["init_value"] = d.lr()
        p["boundaries_and_scales"] = bs if (bs or d.coin(0.5)) else None
        if name == "piecewise_interpolate_schedule":
            p = {"interpolate_type": d.pick("linear", "cosine"), **p}
    elif name in ("linear_onecycle_schedule", "cosine_onecycle_schedule"):
        p.update(transition_steps=int(d.rng.integers(2, 50)), peak_value=d.lr())
        if d.coin(0.5):
            p["pct_start"] = d.u(0.05, 0.6)
        if name == "linear_onecycle_schedule" and d.coin(0.5):
            p["pct_final"] = d.u(0.65, 1.0)
        if d.coin(0.5):
            p["div_factor"] = d.u(1.0, 100.0)
        if d.coin(0.5):
            p["final_div_factor"] = d.u(1.0, 1e5)
    elif name == "sgdr_schedule":
        p["cosine_kwargs"] = [optax_schedule_params(d, "warmup_cosine_decay_schedule", depth + 1)
                              for _ in range(int(d.rng.integers(1, 4)))]
    elif name == "join_schedules":
        kids = [n for n in OPTAX_SCHEDULES if n not in ("join_schedules", "sgdr_schedule")]
        if depth < 1:
            kids.append("join_schedules")
        k = int(d.rng.integers(1, 4))
        p["schedules"] = [{"name": c, "parameters": optax_schedule_params(d, c, depth + 1)} for c in
                          [d.pick(*kids) for _ in range(k)]]
        p["boundaries"] = sorted(int(x) for x in d.rng.integers(0, 25, size=k - 1))
    return p


OPTAX_SCHEDULES = ["constant_schedule", "linear_schedule", "polynomial_schedule", "exponential_decay",
                   "cosine_decay_schedule", "warmup_cosine_decay_schedule", "warmup_constant_schedule",
                   "warmup_exponential_decay_schedule", "piecewise_constant_schedule",
                   "piecewise_interpolate_schedule", "linear_onecycle_schedule", "cosine_onecycle_schedule",
                   "sgdr_schedule", "join_schedules"]


def optax_schedule_fixtures(seed, n, stats):
    optax_runner.setup()
    d = Draw(np.random.default_rng([seed, 3]))
    out = []
    for name in OPTAX_SCHEDULES:
        cases = []
        for i in range(n):
            params = optax_schedule_params(d, name)
            length = int(d.rng.integers(5, 45))
            cid = f"optax/{name}/fuzz-{seed}-{i}"
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    s = optax_runner.build_schedule(name, params)
                    vals = [float(s(k)) for k in range(length)]
            except Exception as e:  # noqa: BLE001
                stats.setdefault("library-raised", []).append(f"{cid} {params}: {type(e).__name__}: {e}")
                continue
            if not all(math.isfinite(v) for v in vals):
                stats.setdefault("non-finite", []).append(cid)
                continue
            cases.append({"id": cid, "kind": "schedule", "source": OPTAX_SRC, "dtype": "float64",
                          "description": f"fuzz seed {seed}",
                          "schedule": {"convention": "optax", "name": name, "parameters": params},
                          "expected_lr": vals, "tolerance": STOL})
        stats.setdefault("schedule-counts", {})[f"optax/{name}"] = len(cases)
        out.append(Fixture(f"optax/schedules/{name}.json", f"fuzz seed {seed}: optax {name}", cases))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("seed", type=int)
    ap.add_argument("--out", default="/tmp/descent-fuzz")
    ap.add_argument("--cases", type=int, default=12, help="cases per optimizer / schedule (default 12)")
    ap.add_argument("--only", choices=["optimizers", "schedules"], help="generate only one kind")
    args = ap.parse_args()
    out = os.path.abspath(args.out)
    if out == FIXTURES or out.startswith(FIXTURES + os.sep):
        sys.exit("fuzz.py must not write into fixtures/")
    warnings.filterwarnings("ignore")
    import jax

    jax.config.update("jax_enable_x64", True)
    stats = {}
    fixtures = []
    if args.only != "schedules":
        fixtures += optimizer_fixtures(args.seed, args.cases, stats)
    if args.only != "optimizers":
        fixtures += torch_schedule_fixtures(args.seed, args.cases, stats)
        fixtures += optax_schedule_fixtures(args.seed, args.cases, stats)
    for fx in fixtures:
        if fx.cases:
            common.write(fx, out)
    for k in ("optimizer-counts", "schedule-counts"):
        for name, c in stats.get(k, {}).items():
            print(f"{name}: {c} cases")
    for k in ("library-raised", "non-finite"):
        if stats.get(k):
            print(f"\n{k}: {len(stats[k])}")
            for line in stats[k]:
                print("  " + line[:300])
    print(f"\nwrote {sum(len(f.cases) for f in fixtures)} cases under {out}")


if __name__ == "__main__":
    main()
