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
    if o["name"] == "AveragedModel" and "low_precision" not in c and not torch_runner.uses_features(c):
        opt, ps, update = torch_runner.build_averaged_model(c["params"], o.get("hyperparameters"))
        if not c.get("steps"):
            return {"params": []}
        steps, grads, problem, lrs = replay_inputs(c)
        return {"params": trajectory(torch_runner.run(opt, ps, steps, grads, problem, lrs, c.get("grad_transforms"), after_step=update))}
    if torch_runner.optimizer_class("torch", o["name"]) is None:
        return {"unsupported": f"torch.optim has no {o['name']}"}
    if "low_precision" in c:
        return low_precision_case(c)
    if torch_runner.uses_features(c):
        return features_answer(c)
    ps = torch_runner.tensors(c["params"])
    opt = torch_runner.make_optimizer("torch", o["name"], ps, o.get("hyperparameters"))
    if not c.get("steps"):
        return {"params": []}
    steps, grads, problem, lrs = replay_inputs(c)
    # an lr override holds for its step only; LBFGS steps with a closure on the problem
    return {"params": trajectory(torch_runner.run(opt, ps, steps, grads, problem, lrs, c.get("grad_transforms")))}


def low_precision_case(c):
    """A `low_precision` case (FORMAT.md, "Low precision"): the bf16/fp16 tensors on the path it
    names, as reference/gen_lowp_torch.py runs torch for the goldens."""
    import gen_lowp_torch

    lp, o = c["low_precision"], c["optimizer"]
    dtype, path = lp.get("param_dtype"), lp.get("path")
    if dtype not in gen_lowp_torch.DTYPES or lp.get("state_dtype", dtype) != dtype:
        return {"unsupported": "torch keeps bfloat16/float16 parameters with state in the same dtype"}
    if path not in gen_lowp_torch.PATHS:
        return {"unsupported": f"torch has no path {path!r} (for_loop, foreach, fused)"}
    if o["name"] not in gen_lowp_torch.CASES or any(s.get("lr") is not None for s in c["steps"]) or torch_runner.uses_features(c):
        return {"unsupported": "this adapter replays low-precision Adam, AdamW and SGD without per-step lr or field features"}
    params = [[float(x) for x in p["values"]] for p in c["params"]]
    grads = [[[float(x) for x in g] for g in s["grads"]] for s in c["steps"]]
    return {"params": trajectory(gen_lowp_torch.run_torch(o["name"], o.get("hyperparameters") or {}, path, dtype, params, grads))}


def training_case(c):
    """kind "training": the MLP in torch.nn.functional, autograd, torch clipping, torch.optim."""
    import training_models as tm

    o = c["optimizer"]
    if o["name"] == "AveragedModel" and "low_precision" not in c and not torch_runner.uses_features(c):
        opt, ps, update = torch_runner.build_averaged_model(c["params"], o.get("hyperparameters"))
        if not c.get("steps"):
            return {"params": []}
        steps, grads, problem, lrs = replay_inputs(c)
        return {"params": trajectory(torch_runner.run(opt, ps, steps, grads, problem, lrs, c.get("grad_transforms"), after_step=update))}
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
