#!/usr/bin/env python3
"""Descent adapter for the real Hugging Face transformers (5.23.0): transformers.optimization's
Adafactor and its get_*_schedule* functions.

    descent verify fixtures/transformers --adapter "python reference/adapters/transformers_adapter.py" --name transformers

Runs `transformers` convention cases with the library itself, through reference/runners/torch.py
(the code gen_transformers.py uses): Adafactor in float64 (a per-step lr is set in
param_group["lr"] for that step only, as a scheduler would), a schedule on torch.optim.SGD(lr=base_lr)
over a dummy parameter, the lr read after each scheduler.step(). Every other convention is
answered `unsupported`.
"""
from _protocol import numbers, serve, trajectory
from runners import replay_inputs
from runners import torch as torch_runner
from runners.torch import features_answer


def optimizer_case(c):
    o = c["optimizer"]
    if torch_runner.optimizer_class("transformers", o["name"]) is None:
        return {"unsupported": f"transformers.optimization has no {o['name']}"}
    if c.get("grad_transforms"):
        return {"unsupported": "gradient transforms are not run by this adapter"}
    if torch_runner.uses_features(c):
        try:
            return features_answer(c)
        except NotImplementedError as e:
            return {"unsupported": str(e)}
    ps = torch_runner.tensors(c["params"])
    opt = torch_runner.make_optimizer("transformers", o["name"], ps, o.get("hyperparameters"))
    if not c.get("steps"):
        return {"params": []}
    return {"params": trajectory(torch_runner.run(opt, ps, *replay_inputs(c)))}


def schedule_case(c):
    s = c["schedule"]
    try:
        lrs, _ = torch_runner.schedule_values(s["name"], s.get("parameters"), c.get("base_lr", 0.1), c.get("length", 0),
                                              metrics=c.get("metrics"), build=torch_runner.transformers_scheduler)
    except NotImplementedError as e:
        return {"unsupported": str(e)}
    return {"lr": numbers(lrs)}


def handle(c):
    conv = (c.get("optimizer") or c.get("schedule") or {}).get("convention")
    if conv != "transformers" or c["kind"] not in ("optimizer", "schedule"):
        return {"unsupported": f"this adapter runs transformers optimizer and schedule cases only (case is '{conv}')"}
    return optimizer_case(c) if c["kind"] == "optimizer" else schedule_case(c)


if __name__ == "__main__":
    serve(handle)
