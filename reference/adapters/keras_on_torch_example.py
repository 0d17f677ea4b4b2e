#!/usr/bin/env python3
"""Keras 3.15.1 run on the TORCH fixtures, as a user porting a torch model to Keras would call it.

    descent verify fixtures/torch --adapter "/tmp/descent-ref/bin/python reference/adapters/keras_on_torch_example.py" --name keras-on-torch

This is not a conformance adapter (Keras is not torch, and most cases fail): it is the check that
Descent's diagnosis explains a real library's differences. Each torch case is translated to the
Keras call a porting user would write — only the arguments the torch call gives, renamed:
lr → learning_rate, betas → beta_1/beta_2, eps → epsilon, alpha → rho, momentum, nesterov,
centered, rho, amsgrad, initial_accumulator_value, weight_decay (Keras's own decoupled decay);
torch.optim.NAdam → keras.optimizers.Nadam (momentum_decay has no Keras argument and is dropped);
clip_grad_norm_(max_norm) → global_clipnorm, clip_grad_value_(v) → clipvalue;
CosineAnnealingLR(T_max, eta_min) → CosineDecay(base_lr, decay_steps=T_max, alpha=eta_min/base_lr).
Arguments Keras cannot express (maximize, dampening, lr_decay, an inf-norm clip, …) make the case
`unsupported`. The translated case is then run by keras_adapter.py's code (the real Keras).
Every failing trajectory should come back with a diagnosis naming what Keras does differently.

KERAS_BACKEND=torch runs the optimizers on Keras's torch backend (default: JAX), where Keras computes
global_clipnorm's scale in float32 (the diagnosis then says "matches … up to float32-level rounding").
Two other porting styles, for checking the diagnosis against them too:
  DESCENT_PORT_DEFAULTS=torch   pass torch's defaults explicitly for what the case leaves out
  DESCENT_PORT_DROP=1           leave out what Keras cannot express (maximize, dampening, lr_decay, an
                                inf-norm clip) instead of answering unsupported
"""
import os

import keras_adapter as K  # noqa: E402  (sets up Keras in float64)

NAMES = {"SGD": "SGD", "Adagrad": "Adagrad", "RMSprop": "RMSprop", "Adadelta": "Adadelta", "Adam": "Adam",
         "AdamW": "AdamW", "Adamax": "Adamax", "NAdam": "Nadam"}
RENAME = {"lr": "learning_rate", "eps": "epsilon", "alpha": "rho"}
KEPT = {"momentum", "nesterov", "centered", "rho", "amsgrad", "initial_accumulator_value", "weight_decay"}
DROPPED = {"foreach", "capturable", "differentiable", "fused", "decoupled_weight_decay", "momentum_decay"}
# Arguments whose non-default value Keras has no way to express.
INEXPRESSIBLE = {"maximize": False, "dampening": 0, "lr_decay": 0}
FILL_DEFAULTS = os.environ.get("DESCENT_PORT_DEFAULTS") == "torch"
DROP = os.environ.get("DESCENT_PORT_DROP") == "1"
# torch.optim's defaults (torch 2.15.0), for DESCENT_PORT_DEFAULTS=torch.
TORCH_DEFAULTS = {
    "SGD": {"lr": 1e-3, "momentum": 0.0},
    "Adagrad": {"lr": 1e-2, "eps": 1e-10, "initial_accumulator_value": 0.0},
    "RMSprop": {"lr": 1e-2, "alpha": 0.99, "eps": 1e-8, "momentum": 0.0},
    "Adadelta": {"lr": 1.0, "rho": 0.9, "eps": 1e-6},
    "Adam": {"lr": 1e-3, "betas": [0.9, 0.999], "eps": 1e-8},
    "AdamW": {"lr": 1e-3, "betas": [0.9, 0.999], "eps": 1e-8, "weight_decay": 1e-2},
    "Adamax": {"lr": 2e-3, "betas": [0.9, 0.999], "eps": 1e-8},
    "NAdam": {"lr": 2e-3, "betas": [0.9, 0.999], "eps": 1e-8},
}


class Unsupported(Exception):
    pass


def keras_kwargs(name, hp):
    out = {}
    hp = dict(hp or {})
    if FILL_DEFAULTS:
        hp = {**TORCH_DEFAULTS.get(name, {}), **hp}
    for k, v in hp.items():
        if k in DROPPED:
            continue
        if k in INEXPRESSIBLE:
            if v not in (None, INEXPRESSIBLE[k]) and not DROP:
                raise Unsupported(f"keras.optimizers.{NAMES[name]} has no equivalent of {k}={v}")
            continue
        if k == "betas":
            out["beta_1"], out["beta_2"] = float(v[0]), float(v[1])
        elif k in RENAME:
            out[RENAME[k]] = v
        elif k in KEPT:
            out[k] = float(v) if k in ("momentum", "weight_decay", "rho") and not isinstance(v, bool) else v
        else:
            raise Unsupported(f"no Keras argument for torch's {k}")
    if out.get("weight_decay") == 0.0 and name != "AdamW":
        del out["weight_decay"]   # Keras: None means no decay
    return out


def clipping(transforms):
    out = {}
    for t in transforms or []:
        p = t.get("parameters") or {}
        if t.get("name") == "clip_grad_norm_" and p.get("norm_type", 2.0) in (2, 2.0):
            out["global_clipnorm"] = float(p["max_norm"])
        elif t.get("name") == "clip_grad_value_":
            out["clipvalue"] = float(p["clip_value"])
        elif not DROP:
            raise Unsupported(f"Keras has no equivalent of {t.get('name')}({p})")
    return out


def translate(c):
    c = dict(c)
    if c["kind"] == "optimizer":
        o = c["optimizer"]
        if o["name"] not in NAMES:
            raise Unsupported(f"Keras has no {o['name']}")
        hp = keras_kwargs(o["name"], o.get("hyperparameters"))
        hp.update(clipping(c.pop("grad_transforms", None)))
        c["optimizer"] = {"convention": "keras", "name": NAMES[o["name"]], "hyperparameters": hp}
        return c
    s = c["schedule"]
    p = s.get("parameters") or {}
    if s["name"] != "CosineAnnealingLR":
        raise Unsupported(f"no Keras schedule stands in for {s['name']} here")
    base = c.get("base_lr", 0.1)
    c["schedule"] = {"convention": "keras", "name": "CosineDecay",
                     "parameters": {"initial_learning_rate": base, "decay_steps": p["T_max"],
                                    "alpha": p.get("eta_min", 0.0) / base}}
    return c


def handle(c):
    conv = (c.get("optimizer") or c.get("schedule") or {}).get("convention")
    if conv != "torch":
        return {"unsupported": f"this example ports torch cases to Keras (case is '{conv}')"}
    try:
        k = translate(c)
    except Unsupported as e:
        return {"unsupported": str(e)}
    return K.handle(k)


if __name__ == "__main__":
    K.serve(handle)
