#!/usr/bin/env python3
"""Descent adapter for the real torch.optim and torch.optim.lr_scheduler (torch 2.15.0).

    descent verify fixtures --adapter "python reference/adapters/torch_adapter.py" --name torch

Runs `torch` convention cases (optimizer, schedule and training cases) with the library itself (float64 default dtype, as the goldens
are computed), through reference/runners/torch.py, the code the generators use; every other
convention is answered `unsupported`.
"""
from _protocol import numbers, serve, trajectory, training_answer
from runners import replay_inputs
from runners import torch as torch_runner  # noqa: E402  (torch.optim.Muon's Newton–Schulz in float64: matrix_patches)
from runners.torch import features_answer

torch_runner.setup()   # float64 default dtype, as the goldens are computed


def optimizer_case(c):
    o = c["optimizer"]
    if torch_runner.optimizer_class("torch", o["name"]) is None:
        return {"unsupported": f"torch.optim has no {o['name']}"}
    if torch_runner.uses_features(c):
        return features_answer(c)
    ps = torch_runner.tensors(c["params"])
    opt = torch_runner.make_optimizer("torch", o["name"], ps, o.get("hyperparameters"))
    if not c.get("steps"):
        return {"params": []}
    steps, grads, problem, lrs = replay_inputs(c)
    # an lr override holds for its step only; LBFGS steps with a closure on the problem
    return {"params": trajectory(torch_runner.run(opt, ps, steps, grads, problem, lrs, c.get("grad_transforms")))}


def training_case(c):
    """kind "training": the MLP in torch.nn.functional, autograd, torch clipping, torch.optim."""
    import training_models as tm

    o = c["optimizer"]
    if torch_runner.optimizer_class("torch", o["name"]) is None:
        return {"unsupported": f"torch.optim has no {o['name']}"}
    why = tm.check_model(c["model"])
    if why:
        return {"unsupported": why}
    return training_answer(*torch_runner.train(c))


def schedule_case(c):
    s = c["schedule"]
    if not torch_runner.has_scheduler(s["name"]):
        return {"unsupported": f"torch.optim.lr_scheduler has no {s['name']}"}
    lrs, moms = torch_runner.schedule_values(s["name"], s.get("parameters"), c.get("base_lr", 0.1), c.get("length", 0),
                                             metrics=c.get("metrics"))
    return {"lr": numbers(lrs), "momentum": numbers(moms)}


def guarded(run, c):
    try:
        return run(c)
    except NotImplementedError as e:
        return {"unsupported": str(e)}


def handle(c):
    conv = (c.get("optimizer") or c.get("schedule") or {}).get("convention")
    if conv != "torch":
        return {"unsupported": f"this adapter runs torch cases only (case is '{conv}')"}
    if c["kind"] == "training":
        return guarded(training_case, c)
    return guarded(optimizer_case if c["kind"] == "optimizer" else schedule_case, c)


if __name__ == "__main__":
    serve(handle)
