#!/usr/bin/env python3
"""Descent adapter for the real `schedulefree` package (1.4.1, on torch 2.15.0, float64).

    descent verify fixtures --adapter "python reference/adapters/schedulefree_adapter.py" --name schedulefree

Runs `schedulefree` convention cases (SGDScheduleFree, AdamWScheduleFree, …) with the package
itself, in train mode: the parameters reported after each step are the ones held in train mode (y),
as the fixture spec says. Every other convention is answered `unsupported`.
"""
import schedulefree

from _protocol import serve
from _torch_loop import replay, tensors, train



def optimizer_case(c):
    o = c["optimizer"]
    cls = getattr(schedulefree, o["name"], None)
    if cls is None or not isinstance(cls, type):
        return {"unsupported": f"schedulefree has no {o['name']}"}
    hp = {k: (tuple(v) if k == "betas" and isinstance(v, list) else v) for k, v in (o.get("hyperparameters") or {}).items()}
    ps = tensors(c)
    opt = cls(ps, **hp)
    opt.train()
    return train(c, opt, ps) if c["kind"] == "training" else replay(c, opt, ps)


def handle(c):
    conv = (c.get("optimizer") or c.get("schedule") or {}).get("convention")
    if conv != "schedulefree" or c["kind"] not in ("optimizer", "training"):
        return {"unsupported": f"this adapter runs schedulefree optimizer cases only (case is '{conv}')"}
    return optimizer_case(c)


if __name__ == "__main__":
    serve(handle)
