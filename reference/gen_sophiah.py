"""Golden fixtures for pytorch_optimizer.SophiaH (pytorch-optimizer 4.1.0, torch 2.15.0 float64).

SophiaH refreshes its Hessian-diagonal estimate on the steps t with (t − 1) % update_period == 0 by a
Hutchinson probe (random z, autograd through the loss's graph), or on any step handed an estimate
through `step(hessian=[...])` (base/optimizer.py set_hessian). A replay case cannot draw the probe,
so it hands the estimate: `steps[k].hessian` (FORMAT.md), present on every refresh step of the
period and, where a case says so, on other steps too (each of those is then a refresh step). The
replay is `opt.step(hessian=D)` on those steps and `opt.step()` on the others.

The estimates of most cases are drawn here (mixed signs and magnitudes, exact zeros, so the
max(h, eps) clamp and the ±p clip both bind on some entries). One case is the library's OWN
Hutchinson estimate on a real loss (`loss.backward(create_graph=True)`, torch.manual_seed): its
gradients and the `state['hessian']` the library computed at each refresh step are recorded, and
the generator checks that handing them back through step(hessian=...) reproduces the library's own
trajectory bit for bit before writing the case.

Tensors: a 2-D matrix, a vector, a 3-D tensor with 1000× gradients and a 1-element one. Every case
names the mistake it is designed to catch.
"""
from __future__ import annotations

import numpy as np

import common
import gen_lion_lamb
from common import Fixture, flat
from runners import torch as torch_runner

C = "pytorch_optimizer"
N = "SophiaH"
SOURCE = "pytorch-optimizer 4.1.0 (torch 2.15.0)"
STEPS = 12
SHAPES = [(3, 4), (5,), (2, 1, 3), (1,)]
TOL = {"rtol": 1e-9, "atol": 1e-12}
FILES = common.Files()


def _hessians(rng, shapes, steps, scale=1.0, negative=0.2, zero=0.1):
    """Diagonal estimates of order `scale` (log-uniform over two decades), a `negative` fraction
    negative (a Hutchinson estimate can be), a `zero` fraction exactly 0."""
    out = []
    for _ in range(steps):
        step = []
        for s in shapes:
            n = int(np.prod(s))
            h = scale * 10.0 ** rng.uniform(-1, 1, size=n)
            h[rng.random(n) < negative] *= -1
            h[rng.random(n) < zero] = 0.0
            step.append(flat(h))
        out.append(step)
    return out


def _steps(expected, grads, lrs, hessians):
    steps = common.trajectory_steps(expected, grads, lrs)
    for s, h in zip(steps, hessians):
        if h is not None:
            e = s.pop("expected")
            s["hessian"] = h
            s["expected"] = e
    return steps


def R(tag, hp, description, when=None, steps=STEPS, lr_base=None, hscale=1.0, negative=0.2, **inputs):
    """A replay case; `when(t)` (t = 1, 2, …) says on which steps an estimate is handed (default:
    every refresh step of hp's update_period, 10 by default)."""
    case_id = f"{C}/{N}/{tag}"
    params, grads = gen_lion_lamb._inputs(case_id, steps, shapes=SHAPES, **inputs)
    rng = common.case_rng(case_id + "/hessian")
    period = hp.get("update_period", 10)
    when = when or (lambda t: (t - 1) % period == 0)
    hs = _hessians(rng, SHAPES, steps, scale=hscale, negative=negative)
    hs = [h if when(t + 1) else None for t, h in enumerate(hs)]
    lrs = common.lr_sequence(lr_base, steps) if lr_base is not None else None
    expected = torch_runner.replay(C, N, hp, params, steps, grads=grads, lrs=lrs, hessians=hs)
    return common.optimizer_case(case_id, SOURCE, C, N, hp, params, _steps(expected, grads, lrs, hs),
                                 description, TOL)


def E(tag, hp, description):
    return gen_lion_lamb.error_case(C, N, tag, hp, description)


def hutchinson_case(tag, hp, description, steps=10, seed=1234):
    """The library's own estimate: loss(w) = Σ_i c_i·w_i⁴/4 + Σ_i s_i·sin(w_i) + ½‖A w_0‖² (every
    tensor flattened), backward(create_graph=True), opt.step(); the gradients and, at each refresh
    step, state['hessian'] recorded. Replaying them through step(hessian=...) must give the same
    trajectory (checked here)."""
    torch = torch_runner.setup()
    case_id = f"{C}/{N}/{tag}"
    rng = common.case_rng(case_id)
    params = common.initial_params(rng, SHAPES)
    coef = [torch.tensor(rng.uniform(0.1, 2.0, size=int(np.prod(s)))).reshape(s) for s in SHAPES]
    sin = [torch.tensor(rng.uniform(-1.0, 1.0, size=int(np.prod(s)))).reshape(s) for s in SHAPES]
    a = torch.tensor(rng.normal(size=(4, 12)))
    ps = torch_runner.tensors(params)
    opt = torch_runner.make_optimizer(C, N, ps, hp)
    torch.manual_seed(seed)
    period = hp.get("update_period", 10)
    grads, hessians, expected = [], [], []
    for t in range(1, steps + 1):
        opt.zero_grad(set_to_none=True)
        loss = sum((c * p ** 4).sum() / 4 + (s * torch.sin(p)).sum() for c, s, p in zip(coef, sin, ps))
        loss = loss + 0.5 * (a @ ps[0].reshape(-1)).pow(2).sum()
        loss.backward(create_graph=True)
        grads.append([flat(p.grad.detach().numpy()) for p in ps])
        opt.step()
        refresh = (t - 1) % period == 0
        hessians.append([flat(opt.state[p]["hessian"].detach().numpy()) for p in ps] if refresh else None)
        expected.append([flat(p.detach().numpy()) for p in ps])
    replayed = torch_runner.replay(C, N, hp, params, steps, grads=grads, hessians=hessians)
    if replayed != expected:
        raise AssertionError(f"{case_id}: step(hessian=the library's own estimate) does not reproduce its trajectory")
    return common.optimizer_case(case_id, SOURCE, C, N, hp, params, _steps(expected, grads, None, hessians),
                                 description, TOL)


@FILES.file("pytorch_optimizer/SophiaH.json")
def pytorch_optimizer_sophiah():
    every = lambda t: True   # noqa: E731
    cases = [
        R("defaults", {},
          "pytorch_optimizer.SophiaH defaults: lr 6e-2, betas (0.96, 0.99), p 1e-2, update_period 10 (estimates "
          "handed at steps 1 and 11 only), eps 1e-12, decoupled decay 0; catches the Hessian EMA updated on every "
          "step (it absorbs the stale estimate again), the ±p clip left out, and bias correction added."),
        R("every-step-p", {"p": 1.0},
          "An estimate handed on EVERY step (each one a refresh, whatever update_period says) and p 1.0 (the "
          "ratio m/max(h, eps) binds the clip on some entries only); catches a handed estimate ignored off the "
          "period, b1 and b2 swapped, and the clip to ±p missing.", when=every),
        R("update-period-3", {"p": 1.0, "update_period": 3, "lr": 0.02},
          "update_period 3: estimates at steps 1, 4, 7, 10 only; h ← lerp(h, D, 1 − b2) there and nowhere "
          "else; catches the EMA refreshed every step, the period counted from 0 the other way "
          "(t % update_period), and the refresh skipped.", lr_base=0.02),
        R("handed-off-period", {"p": 1.0, "update_period": 4},
          "update_period 4 with estimates ALSO handed at steps 2 and 3 (step(hessian=...) forces a refresh): "
          "steps 1, 2, 3, 5, 9 refresh; catches a handed estimate used only on the period's steps.",
          when=lambda t: t in (1, 2, 3) or (t - 1) % 4 == 0),
        R("negative-hessian-eps", {"p": 2.0, "eps": 0.05},
          "Half the estimates negative and eps 0.05: the denominator is max(h, eps) (clamp, not |h|), so a "
          "negative h gives m/eps, clipped to ±p; catches max(|h|, eps), eps added instead of clamped, and eps "
          "ignored.", when=every, negative=0.5),
        R("decoupled-decay", {"p": 1.0, "weight_decay": 0.5, "lr": 0.05},
          "weight_decay 0.5, decoupled (weight_decouple True is the default): w ← w·(1 − lr·wd) before the step; "
          "catches coupled decay (wd·w added to g).", when=every, lr_base=0.05),
        R("coupled-decay", {"p": 1.0, "weight_decay": 0.3, "weight_decouple": False},
          "weight_decouple False: wd·w added to g before the momentum; catches decoupled decay.", when=every),
        R("fixed-decay", {"p": 1.0, "weight_decay": 0.05, "fixed_decay": True},
          "fixed_decay: w ← w·(1 − wd), not scaled by the lr; catches the flag ignored.", when=every),
        R("maximize-coupled", {"p": 1.0, "weight_decay": 0.2, "weight_decouple": False, "maximize": True},
          "maximize negates g BEFORE the coupled decay is added; catches the update negated instead.", when=every),
        R("betas-lr-schedule", {"p": 1.0, "betas": [0.8, 0.5], "lr": 0.03, "update_period": 2},
          "betas (0.8, 0.5), update_period 2 and a changing lr: catches b1 and b2 swapped, a cached lr and the "
          "EMA weights b and 1 − b swapped.", lr_base=0.03),
        R("per-param-zero", {"p": 1.0, "foreach": False, "update_period": 5},
          "foreach=False (the per-parameter path); a tensor at exactly 0 and one whose gradient is always 0 "
          "(m stays 0: the update is 0 whatever h is).", zero_params=(0,), zero_grads=(1,)),
        R("large-hessian-unclipped", {"p": 0.5, "update_period": 3},
          "Estimates of order 100 and p 0.5: most ratios stay inside the clip, so the update is m/h itself; "
          "catches a γ (the paper's ρ) multiplying h and the ratio replaced by its sign.", hscale=100.0,
          negative=0.0),
        hutchinson_case("library-hutchinson", {"p": 0.5, "update_period": 3, "lr": 0.02},
                        "The library's OWN Hutchinson estimate (Gaussian probe, torch.manual_seed(1234), "
                        "loss.backward(create_graph=True)) on a smooth loss: steps[k].hessian is the "
                        "state['hessian'] it computed at each refresh step (1, 4, 7, 10), and replaying it "
                        "through step(hessian=...) reproduces its trajectory exactly (checked by the generator): "
                        "a handed estimate means what the library's own one means."),
        E("invalid-lr", {"lr": -0.001}, "A negative lr: NegativeLRError's wording."),
        E("invalid-beta1", {"betas": [1.0, 0.99]}, "beta1 must be in [0, 1): validate_betas' wording."),
        E("invalid-beta2", {"betas": [0.9, -0.5]}, "beta2 must be in [0, 1)."),
        E("invalid-weight-decay", {"weight_decay": -0.1}, "Negative weight_decay (validated after betas)."),
        E("invalid-p", {"p": -0.01}, "Negative p: named 'p (gradient clip)' in the message."),
        E("invalid-update-period", {"update_period": 0}, "update_period 0: NegativeStepError's wording."),
        E("invalid-num-samples", {"num_samples": 0}, "num_samples 0: must be positive."),
        E("invalid-distribution", {"hessian_distribution": "uniform"},
          "An unknown hessian_distribution: validate_options' wording (the options joined by 'or')."),
        E("invalid-eps", {"eps": -1e-8}, "Negative eps (validated last)."),
    ]
    return Fixture("pytorch_optimizer/SophiaH.json", "pytorch_optimizer.SophiaH (pytorch-optimizer 4.1.0, torch "
                   "2.15.0 float64): the Hessian estimate handed to step(hessian=...) on every refresh step "
                   "(steps[k].hessian).", cases)
