#!/usr/bin/env python3
"""Descent adapter for the real pytorch_optimizer (4.1.0), lion-pytorch (0.2.5), prodigyopt (1.1.2),
dadaptation (3.2) and bitsandbytes (0.50.2) packages.

    descent verify fixtures --adapter "python reference/adapters/pytorch_optimizer_adapter.py" --name pytorch_optimizer

Runs `pytorch_optimizer` cases (a class of the pytorch_optimizer package) and `lion_pytorch` cases
(`Lion` from lion-pytorch), `prodigyopt` cases (`Prodigy`) and `dadaptation` cases (`DAdaptAdam`,
`DAdaptSGD`, `DAdaptLion`) and `bitsandbytes` cases (its 32-bit optimizers on the CPU, on float32
parameters: the library computes in float32) with the libraries themselves, in float64 as the
goldens are computed (bitsandbytes: float32),
through reference/runners/torch.py (SOAP's QR in float64: matrix_patches); every other convention
is answered `unsupported`. A per-step lr is set in param_group["lr"] for that step only, as a
scheduler would; a step's `hessian` (SophiaH) is handed to `opt.step(hessian=[...])`.
"""

from _protocol import numbers, serve, trajectory, training_answer
from runners import replay_hessians, replay_inputs
from runners import torch as torch_runner
from runners.torch import features_answer

CONVENTIONS = ("pytorch_optimizer", "lion_pytorch", "prodigyopt", "dadaptation", "bitsandbytes")


def training_case(c):
    import training_models as tm

    why = tm.check_model(c["model"])
    if why:
        return {"unsupported": why}
    try:
        return training_answer(*torch_runner.train(c))
    except NotImplementedError as e:   # a gradient transform the runner does not know
        return {"unsupported": str(e)}


def optimizer_case(c):
    o = c["optimizer"]
    if torch_runner.optimizer_class(o["convention"], o["name"]) is None:
        return {"unsupported": f"{o['convention']} has no {o['name']}"}
    if c["kind"] == "training":
        return training_case(c)
    if c.get("grad_transforms"):
        return {"unsupported": "gradient transforms are not run by this adapter"}
    if torch_runner.uses_features(c):
        try:
            return features_answer(c)
        except NotImplementedError as e:   # a field-feature combination the runner does not run
            return {"unsupported": str(e)}
    ps = torch_runner.tensors(c["params"], o["convention"])
    opt = torch_runner.make_optimizer(o["convention"], o["name"], ps, o.get("hyperparameters"))
    return {"params": trajectory(torch_runner.run(opt, ps, *replay_inputs(c), hessians=replay_hessians(c)))}


def schedule_case(c):
    """pytorch_optimizer.load_lr_scheduler(name)(SGD(momentum=0.9), **parameters), stepped (proportion: around
    its inner scheduler, runners.torch.pytorch_optimizer_schedule_values)."""
    s = c["schedule"]
    try:
        lrs, moms = torch_runner.pytorch_optimizer_schedule_values(s["name"], s.get("parameters"), c.get("base_lr", 0.1),
                                                                   c.get("length", 0))
    except Exception as e:
        if c.get("validation"):   # the library rejects the arguments: its own message
            return {"error": str(e)}
        if isinstance(e, (NotImplementedError, ValueError)):   # a name load_lr_scheduler does not know
            return {"unsupported": str(e)}
        raise
    out = {"lr": numbers(lrs)}
    if len(set(moms)) > 1:
        out["momentum"] = numbers(moms)
    return out


def handle(c):
    conv = (c.get("optimizer") or c.get("schedule") or {}).get("convention")
    if conv == "pytorch_optimizer" and c["kind"] == "schedule":
        return schedule_case(c)
    if conv not in CONVENTIONS or c["kind"] not in ("optimizer", "training"):
        return {"unsupported": f"this adapter runs pytorch_optimizer, lion_pytorch, prodigyopt, dadaptation and bitsandbytes optimizer cases and pytorch_optimizer schedules only (case is '{conv}')"}
    return optimizer_case(c)


if __name__ == "__main__":
    serve(handle)
