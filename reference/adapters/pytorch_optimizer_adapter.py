#!/usr/bin/env python3
"""Descent adapter for the real pytorch_optimizer (4.1.0) and lion-pytorch (0.2.5) packages.

    descent verify fixtures --adapter "python reference/adapters/pytorch_optimizer_adapter.py" --name pytorch_optimizer

Runs `pytorch_optimizer` cases (a class of the pytorch_optimizer package) and `lion_pytorch` cases
(`Lion` from lion-pytorch) with the libraries themselves, in float64 as the goldens are computed;
every other convention is answered `unsupported`. A per-step lr is set in param_group["lr"] for
that step only, as a scheduler would.
"""

from _protocol import serve
from _torch_loop import replay, tensors, train
import matrix_patches  # noqa: E402  (reference/: SOAP's QR in float64, as the goldens are computed)

matrix_patches.patch_soap_qr()

PAIRS = {"betas"}


def kwargs(h):
    return {k: (tuple(v) if k in PAIRS and isinstance(v, list) else v) for k, v in (h or {}).items()}


def optimizer_class(convention, name):
    if convention == "lion_pytorch":
        import lion_pytorch

        cls = getattr(lion_pytorch, name, None)
    else:
        import pytorch_optimizer

        cls = getattr(pytorch_optimizer, name, None)
    return cls if isinstance(cls, type) else None


def optimizer_case(c):
    o = c["optimizer"]
    cls = optimizer_class(o["convention"], o["name"])
    if cls is None:
        return {"unsupported": f"{o['convention']} has no {o['name']}"}
    if c["kind"] == "training":
        ps = tensors(c)
        return train(c, cls(ps, **kwargs(o.get("hyperparameters"))), ps)
    if c.get("grad_transforms"):
        return {"unsupported": "gradient transforms are not run by this adapter"}
    ps = tensors(c)
    opt = cls(ps, **kwargs(o.get("hyperparameters")))
    return replay(c, opt, ps)


def handle(c):
    conv = (c.get("optimizer") or c.get("schedule") or {}).get("convention")
    if conv not in ("pytorch_optimizer", "lion_pytorch") or c["kind"] not in ("optimizer", "training"):
        return {"unsupported": f"this adapter runs pytorch_optimizer and lion_pytorch optimizer cases only (case is '{conv}')"}
    return optimizer_case(c)


if __name__ == "__main__":
    serve(handle)
