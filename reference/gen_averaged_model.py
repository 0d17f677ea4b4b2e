"""Golden fixtures for torch.optim.swa_utils.AveragedModel (torch 2.15.0): `fixtures/torch/AveragedModel.json`.

AveragedModel keeps a deep copy of the model (the initial parameters) and, on each
update_parameters(model), copies the model into it when n_averaged == 0 and otherwise averages:
the equal average w + (p - w)/(n + 1) by default (on the CPU, not a foreach device, through
get_swa_avg_fn), lerp(w, p, 1/(n + 1)) with multi_avg_fn=get_swa_multi_avg_fn(), decay*w +
(1 - decay)*p with avg_fn=get_ema_avg_fn(decay) and lerp(w, p, 1 - decay) with
multi_avg_fn=get_ema_multi_avg_fn(decay); n_averaged (a long tensor) is then incremented.

A case trains the model (a ParameterList of the case's tensors) with a torch.optim optimizer
(`optimizer` in the hyperparameters) and calls update_parameters after optimizer step k when
k >= update_start and (k - update_start) % update_every == 0; the expected values are the averaged
model's parameters after every step (runners/torch.py's build_averaged_model). The SWALR case is
the torch SWA tutorial's loop (CosineAnnealingLR until swa_start, then update_parameters and
SWALR.step() each step) run for real, its per-step lr recorded in steps[k].lr.

Expected values come from torch only. Every case names the mistake it is designed to catch.
"""
from __future__ import annotations

import warnings

import common
from common import Fixture
from runners import torch as torch_runner

STEPS = 10
SHAPES = [(3, 4), (5,), (2, 1, 3)]
TOL = {"rtol": 1e-10, "atol": 1e-12}
SOURCE = "torch 2.15.0"
FILES = common.Files()

SGDM = {"name": "SGD", "hyperparameters": {"lr": 0.05, "momentum": 0.9}}
ADAM = {"name": "Adam", "hyperparameters": {"lr": 0.01}}


def fn(name, **parameters):
    return {"name": name, "parameters": parameters} if parameters else {"name": name}


# (tag, hyperparameters, description)
CASES = [
    ("swa-default-sgd", {"optimizer": SGDM},
     "SWA by default (no avg_fn, no multi_avg_fn) over SGD with momentum, update_parameters after every step: the "
     "first update copies the model, then w + (p - w)/(n + 1); the reported parameters are the running mean of the "
     "model's; catches the mean off by one in n_averaged (1/(n + 2)), the model's own parameters reported, and the "
     "average started from the initial parameters"),
    ("swa-multi-adam", {"optimizer": ADAM, "multi_avg_fn": fn("get_swa_multi_avg_fn")},
     "multi_avg_fn=get_swa_multi_avg_fn() over Adam: _foreach_lerp_ with weight 1/(n + 1) (1/2 takes lerp's "
     "e - (e - s)*(1 - t) branch, later weights the s + t*(e - s) one); catches the off-by-one count"),
    ("swa-avg-fn-adamw", {"optimizer": {"name": "AdamW", "hyperparameters": {"lr": 0.02, "weight_decay": 0.1}},
                          "avg_fn": fn("get_swa_avg_fn"), "use_buffers": True, "device": None},
     "avg_fn=get_swa_avg_fn() over AdamW, use_buffers=True (the model has no buffers: no effect) and device None: "
     "the same equal average; catches the off-by-one count"),
    ("ema-multi-0.9", {"optimizer": SGDM, "multi_avg_fn": fn("get_ema_multi_avg_fn", decay=0.9)},
     "multi_avg_fn=get_ema_multi_avg_fn(0.9): the first update copies the model (W_0^EMA = W_0^model), then "
     "lerp(w, p, 0.1) = 0.9*w + 0.1*p; catches the first update blended with the initial copy instead of copying, "
     "and decay applied as 1 - decay (0.1*w + 0.9*p)"),
    ("ema-multi-0.3", {"optimizer": ADAM, "multi_avg_fn": fn("get_ema_multi_avg_fn", decay=0.3)},
     "get_ema_multi_avg_fn(0.3): lerp weight 0.7, lerp's e - (e - s)*(1 - t) branch; catches decay and 1 - decay "
     "swapped, and the first update not copying"),
    ("ema-avg-fn-0.8", {"optimizer": SGDM, "avg_fn": fn("get_ema_avg_fn", decay=0.8)},
     "avg_fn=get_ema_avg_fn(0.8): decay*w + (1 - decay)*p per tensor after a first copy; catches decay swapped and "
     "the first update averaged"),
    ("ema-default-decay", {"optimizer": {"name": "SGD", "hyperparameters": {"lr": 0.1}},
                           "multi_avg_fn": fn("get_ema_multi_avg_fn")},
     "get_ema_multi_avg_fn() with its default decay 0.999: after the first copy the average barely moves; catches "
     "another default decay and decay swapped (the average would follow the model)"),
    ("swa-start-4", {"optimizer": SGDM, "update_start": 4},
     "update_parameters after steps 4, 5, …: the reported parameters are the initial ones for steps 1-3 (the deep "
     "copy made at construction), then the model at step 4 (the first update copies), then the mean of steps 4..k; "
     "catches the averaging started at step 1 and the first update after the start averaged with the initial copy"),
    ("ema-start-3-every-2", {"optimizer": ADAM, "multi_avg_fn": fn("get_ema_multi_avg_fn", decay=0.6),
                             "update_start": 3, "update_every": 2},
     "EMA 0.6 updated after steps 3, 5, 7, 9 only: between updates the average holds; catches update_every "
     "ignored, the start ignored and the first update not copying"),
]

ERRORS = [
    ("both-fns", {"optimizer": SGDM, "avg_fn": fn("get_swa_avg_fn"), "multi_avg_fn": fn("get_swa_multi_avg_fn")},
     "avg_fn and multi_avg_fn both given: AveragedModel's AssertionError"),
    ("ema-decay-above-1", {"optimizer": SGDM, "multi_avg_fn": fn("get_ema_multi_avg_fn", decay=1.5)},
     "get_ema_multi_avg_fn(1.5): its ValueError (decay in [0, 1])"),
    ("ema-avg-decay-negative", {"optimizer": SGDM, "avg_fn": fn("get_ema_avg_fn", decay=-0.1)},
     "get_ema_avg_fn(-0.1): its ValueError"),
    ("decay-before-both", {"optimizer": SGDM, "avg_fn": fn("get_swa_avg_fn"),
                           "multi_avg_fn": fn("get_ema_multi_avg_fn", decay=2)},
     "An invalid decay (the integer 2, printed as such) and both functions given: the getter raises before "
     "AveragedModel is built"),
    ("inner-optimizer-first", {"optimizer": {"name": "SGD", "hyperparameters": {"lr": -0.1}},
                               "multi_avg_fn": fn("get_ema_multi_avg_fn", decay=1.5)},
     "The optimizer's own invalid lr and an invalid decay: the optimizer is built first, so torch.optim.SGD's "
     "ValueError"),
]


def _inputs(cid, steps=STEPS):
    rng = common.case_rng(cid)
    params = common.initial_params(rng, SHAPES)
    grads = common.discriminating_grads(rng, SHAPES, steps, log10_scale=(-2, 0.5))
    return params, grads


def swalr_case():
    """The torch SWA tutorial's loop, run for real: CosineAnnealingLR until swa_start, then
    update_parameters and SWALR.step() after each step (`if i > swa_start`, i from 0)."""
    torch = torch_runner.setup()
    from torch.optim import swa_utils

    cid = "torch/AveragedModel/swalr-tutorial"
    steps, swa_start = 12, 4
    params, grads = _inputs(cid, steps)
    model = torch.nn.ParameterList([torch.nn.Parameter(t.detach().clone()) for t in torch_runner.tensors(params)])
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    averaged = swa_utils.AveragedModel(model)
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=steps)
    swa_scheduler = swa_utils.SWALR(opt, swa_lr=0.05, anneal_epochs=3, anneal_strategy="linear")
    lrs, expected = [], []
    for i in range(steps):
        lrs.append(opt.param_groups[0]["lr"])
        for p, g in zip(model.parameters(), grads[i]):
            p.grad = torch.tensor(g, dtype=torch.float64).reshape(p.shape)
        opt.step()
        if i > swa_start:
            averaged.update_parameters(model)
            swa_scheduler.step()
        else:
            scheduler.step()
        expected.append([common.flat(p.detach().numpy()) for p in averaged.parameters()])
    hp = {"optimizer": {"name": "SGD", "hyperparameters": {"lr": 0.1, "momentum": 0.9}}, "update_start": swa_start + 2}
    replayed = torch_runner.replay_averaged_model(hp, params, steps, grads=grads, lrs=lrs)
    assert replayed == expected, "the tutorial loop and the replay of its lrs differ"
    return common.optimizer_case(
        cid, SOURCE, "torch", "AveragedModel", hp, params, common.trajectory_steps(expected, grads, lrs),
        "The torch SWA tutorial's loop: SGD(lr 0.1, momentum 0.9) under CosineAnnealingLR(T_max 12) for steps "
        "1-5, then (i > swa_start = 4) update_parameters and SWALR(swa_lr 0.05, anneal_epochs 3, linear) after "
        "each step, the lr of each step in steps[k].lr; the average is the initial parameters until step 6, then "
        "the mean of the model from step 6 on; catches the average taken from swa_start itself (one step early) "
        "and the mean off by one.", TOL)


@FILES.file("torch/AveragedModel.json")
def torch_averaged_model():
    warnings.filterwarnings("ignore")
    cases = []
    for tag, hp, desc in CASES:
        cid = f"torch/AveragedModel/{tag}"
        params, grads = _inputs(cid)
        expected = torch_runner.replay_averaged_model(hp, params, STEPS, grads=grads)
        cases.append(common.optimizer_case(cid, SOURCE, "torch", "AveragedModel", hp, params,
                                           common.trajectory_steps(expected, grads), desc + ".", TOL))
    cases.append(swalr_case())
    for tag, hp, desc in ERRORS:
        cid = f"torch/AveragedModel/{tag}"
        message = torch_runner.averaged_model_error(hp)
        assert message is not None, f"AveragedModel({hp}) was accepted"
        cases.append(common.optimizer_case(cid, SOURCE, "torch", "AveragedModel", hp,
                                           common.initial_params(common.case_rng(cid), [(2,)]), None, desc + ".", TOL,
                                           error=message))
    return Fixture("torch/AveragedModel.json", "torch 2.15.0 torch.optim.swa_utils.AveragedModel over a torch.optim "
                   "optimizer: the averaged model's parameters after every step (SWA and EMA).", cases)
