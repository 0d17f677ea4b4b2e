#!/usr/bin/env python3
"""Descent adapter for the real `schedulefree` package (1.4.1, on torch 2.15.0, float64).

    descent verify fixtures --adapter "python reference/adapters/schedulefree_adapter.py" --name schedulefree

Runs `schedulefree` convention cases (SGDScheduleFree, AdamWScheduleFree, …) with the package
itself, in train mode, through reference/runners/torch.py: the parameters reported after each step
are the ones held in train mode (y), as the fixture spec says. Every other convention is answered
`unsupported`.
"""
from _protocol import serve, trajectory, training_answer
from runners import replay_inputs
from runners import torch as torch_runner
from runners.torch import features_answer


def optimizer_case(c):
    o = c["optimizer"]
    if torch_runner.optimizer_class("schedulefree", o["name"]) is None:
        return {"unsupported": f"schedulefree has no {o['name']}"}
    if c["kind"] == "training":
        import training_models as tm

        why = tm.check_model(c["model"])
        return {"unsupported": why} if why else training_answer(*torch_runner.train(c))
    if torch_runner.uses_features(c):
        return features_answer(c)
    ps = torch_runner.tensors(c["params"])
    opt = torch_runner.make_optimizer("schedulefree", o["name"], ps, o.get("hyperparameters"))   # in train mode
    return {"params": trajectory(torch_runner.run(opt, ps, *replay_inputs(c), c.get("grad_transforms")))}


def guarded(c):
    try:
        return optimizer_case(c)
    except NotImplementedError as e:   # a gradient transform the runner does not know
        return {"unsupported": str(e)}


def handle(c):
    conv = (c.get("optimizer") or c.get("schedule") or {}).get("convention")
    if conv != "schedulefree" or c["kind"] not in ("optimizer", "training"):
        return {"unsupported": f"this adapter runs schedulefree optimizer cases only (case is '{conv}')"}
    return guarded(c)


if __name__ == "__main__":
    serve(handle)
