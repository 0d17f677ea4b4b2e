#!/usr/bin/env python3
"""Descent adapter for the real Hugging Face transformers (5.23.0): transformers.optimization's
Adafactor and its get_*_schedule* functions.

    descent verify fixtures/transformers --adapter "python reference/adapters/transformers_adapter.py" --name transformers

Runs `transformers` convention cases with the library itself, through reference/runners/torch.py
(the code gen_transformers.py uses): Adafactor in float64 (a per-step lr is set in
param_group["lr"] for that step only, as a scheduler would), a schedule on torch.optim.SGD(lr=base_lr)
over a dummy parameter, the lr read after each scheduler.step(); a training case through
training_models.torch_train (as gen_training_more.py). Every other convention is answered `unsupported`.
"""
from _protocol import numbers, serve, trajectory, training_answer
from runners import replay_inputs
from runners import torch as torch_runner
from runners.torch import features_answer


def training_case(c):
    """kind "training": the MLP in torch.nn.functional, autograd, Adafactor (training_models.torch_train)."""
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
    if torch_runner.optimizer_class("transformers", o["name"]) is None:
        return {"unsupported": f"transformers.optimization has no {o['name']}"}
    if c["kind"] == "training":
        return training_case(c)
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
    if conv != "transformers" or c["kind"] not in ("optimizer", "schedule", "training"):
        return {"unsupported": f"this adapter runs transformers optimizer, schedule and training cases only (case is '{conv}')"}
    return schedule_case(c) if c["kind"] == "schedule" else optimizer_case(c)


if __name__ == "__main__":
    serve(handle)
