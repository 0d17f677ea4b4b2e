"""Golden fixtures for pytorch_optimizer.GaLore (pytorch-optimizer 4.1.0, torch 2.15.0 float64).

GaLore is Adam on a low-rank projection R of each 2-D gradient of a group that has `rank`, the
projector from an SVD of the gradient at the tensor's first step and whenever
group['step'] % update_proj_gap == 0 (optimizer/utils/galore.py); every other tensor gets AdamW.
Two facts decide what a replay can reproduce, and both are measured here for every case:

- The library casts the gradient to float32 for torch.linalg.svd (get_orthogonal_matrix:
  `weights.float()`) and casts the singular vectors back, so a float64 golden carries LAPACK's
  float32 rounding. A consumer computing the SVD of float32(G) exactly and rounding its vectors to
  float32 (as Descent does) differs from it by LAPACK's float32 error only. `_measure` replays each
  case with torch.linalg.svd replaced by the float64 SVD of the same float32 input, its vectors
  rounded to float32 — and with the sign of every singular pair flipped at random — and the case's
  tolerance is 100× the largest difference from the library's own trajectory (at least 1e-9).
- The singular vectors' signs are arbitrary (LAPACK fixes them by its arithmetic). Within one
  projector they cancel (R, m and N flip together, v is squared, the back-projection flips back);
  across a refresh the old m meets the new R, which depends on them unless β₁ = 0 (m = R exactly).
  So the cases that refresh the projector have β₁ = 0, and the others run fewer steps than
  update_proj_gap; `_measure`'s sign flips would show any dependence (they raise above 1e-6).

Tensors: a tall 6×4 and a wide 3×5 matrix (std projects them on opposite sides), a vector (never
projected) and a square 4×4 one; matrix gradients are Gaussian (distinct singular values with
gaps of order 1: a well-conditioned SVD), the vector's the discriminating ones. Every case names
the mistake it is designed to catch.
"""
from __future__ import annotations

import contextlib

import numpy as np

import common
import gen_lion_lamb
from common import Fixture, flat
from runners import torch as torch_runner

C = "pytorch_optimizer"
N = "GaLore"
SOURCE = "pytorch-optimizer 4.1.0 (torch 2.15.0)"
STEPS = 8
SHAPES = [(6, 4), (3, 5), (5,), (4, 4)]
FILES = common.Files()


def _inputs(case_id, steps):
    rng = common.case_rng(case_id)
    params = common.initial_params(rng, SHAPES)
    vec = common.discriminating_grads(rng, [SHAPES[2]], steps)
    grads = []
    for t in range(steps):
        step = []
        for i, s in enumerate(SHAPES):
            step.append(vec[t][0] if len(s) == 1 else flat(rng.normal(size=s)))
        grads.append(step)
    return params, grads


@contextlib.contextmanager
def _emulated_svd(flip_seed):
    """torch.linalg.svd replaced by the float64 SVD of its (float32) input, the vectors rounded to
    float32 and the sign of each singular pair flipped at random."""
    torch = torch_runner.setup()
    original = torch.linalg.svd
    rng = np.random.default_rng(flip_seed)

    def svd(x, full_matrices=True):
        u, s, vh = original(x.double(), full_matrices=full_matrices)
        signs = torch.tensor(rng.choice([-1.0, 1.0], size=s.shape[0]), dtype=torch.float64)
        return (u * signs).to(x.dtype), s.to(x.dtype), (vh * signs[:, None]).to(x.dtype)

    torch.linalg.svd = svd
    try:
        yield
    finally:
        torch.linalg.svd = original


def _measure(case_id, run):
    """The tolerance of a case: 100× the largest difference between the library's trajectory and
    the emulated-SVD one (two sets of random signs), at least 1e-9 (absolute and relative)."""
    expected = run()
    worst = 0.0
    for seed in (1, 2):
        with _emulated_svd(seed):
            other = run()
        for a, b in zip(expected, other):
            for x, y in zip(a, b):
                d = np.max(np.abs(np.array(x) - np.array(y)) / np.maximum(1.0, np.abs(np.array(x)))) if len(x) else 0.0
                worst = max(worst, float(d))
    if worst > 1e-6:
        raise AssertionError(f"{case_id}: the trajectory depends on the SVD's signs or rounding ({worst:.3g})")
    tol = max(1e-9, float(f"{100 * worst:.1g}"))
    return expected, worst, {"rtol": tol, "atol": tol}


def R(tag, hp, description, steps=STEPS, lr_base=None):
    case_id = f"{C}/{N}/{tag}"
    params, grads = _inputs(case_id, steps)
    lrs = common.lr_sequence(lr_base, steps) if lr_base is not None else None
    expected, worst, tol = _measure(case_id, lambda: torch_runner.replay(C, N, hp, params, steps, grads=grads, lrs=lrs))
    description += (f" Tolerance {tol['rtol']:g}: 100× the {worst:.2g} by which an exact SVD of float32(G) (vectors rounded "
                    "to float32, random signs) departs from the library's float32 LAPACK one.")
    return common.optimizer_case(case_id, SOURCE, C, N, hp, params, common.trajectory_steps(expected, grads, lrs),
                                 description, tol)


def E(tag, hp, description):
    return gen_lion_lamb.error_case(C, N, tag, hp, description)


def P(rank=2, gap=50, scale=0.25, kind="std", **rest):
    return {"rank": rank, "update_proj_gap": gap, "scale": scale, "projection_type": kind, **rest}


def groups_case():
    """param_groups (FORMAT.md's field feature): the projector keys in the first group only (the
    tall and the square matrix); the wide matrix and the vector in a group without rank (AdamW)."""
    cid = f"{C}/{N}/param-groups"
    params, grads = _inputs(cid, STEPS)
    c = {"id": cid, "kind": "optimizer", "source": SOURCE, "dtype": "float64",
         "description": "param_groups: rank, update_proj_gap, scale and projection_type ('right', scale 0.5) in the "
                        "first group only (the tall and the square matrix are projected); the wide matrix and the "
                        "vector in a group without rank get AdamW; catches the projector keys applied to every group "
                        "and a group without rank projected.",
         "features": ["param_groups"],
         "optimizer": {"convention": C, "name": N, "hyperparameters": {"lr": 0.01, "weight_decay": 0.1},
                       "param_groups": [{"params": [0, 3], "hyperparameters": P(rank=2, gap=50, scale=0.5, kind="right")},
                                        {"params": [1, 2]}]},
         "params": params, "steps": [{"grads": g} for g in grads]}
    expected, worst, tol = _measure(cid, lambda: torch_runner.replay_case(c, record_state=False)[0])
    for s, e in zip(c["steps"], expected):
        s["expected"] = e
    c["tolerance"] = tol
    c["description"] += (f" Tolerance {tol['rtol']:g}: 100× the {worst:.2g} by which an exact SVD of float32(G) "
                         "(vectors rounded to float32, random signs) departs from the library's float32 LAPACK one.")
    return c


@FILES.file("pytorch_optimizer/GaLore.json")
def pytorch_optimizer_galore():
    beta0 = [0.0, 0.999]
    cases = [
        R("adamw-no-rank", {"lr": 0.01, "weight_decay": 0.2},
          "No rank in the group: every tensor gets AdamW (α = lr·√(1 − b2ᵗ)/(1 − b1ᵗ), eps 1e-6 outside the root) and "
          "the decay w·(1 − lr·wd) comes AFTER the step; catches the decay applied first (torch AdamW's order) and "
          "a 2-D tensor projected without rank."),
        R("std-rank2", P(lr=0.01),
          "projection_type std, rank 2, scale 0.25: the tall 6×4 matrix projected on the right (G·V₂, 6×2 moments), "
          "the wide 3×5 on the left (U₂ᵀ·G, 2×5), the square 4×4 on the right, the vector AdamW; no refresh within "
          "8 steps (gap 50); catches scale left out and the sides swapped for tall and wide matrices."),
        R("std-refresh-gap3", P(gap=3, lr=0.01, betas=beta0), "std with update_proj_gap 3 over 10 steps: the projector "
          "is recomputed at steps 3, 6 and 9 (t % gap == 0, besides the first step), with b1 = 0 (m = R, so the SVD's "
          "signs cannot matter); catches the projection never refreshed and refreshed at 1 + k·gap.", steps=10),
        R("reverse-std", P(kind="reverse_std", lr=0.01),
          "projection_type reverse_std: the tall matrix on the LEFT (U₂ᵀ·G), the wide one on the right; catches "
          "reverse_std taken as std."),
        R("right", P(kind="right", scale=2.0, lr=0.01),
          "projection_type right on every matrix (G·V₂ even for the wide one, moments 3×2) and scale 2; catches "
          "right taken as std."),
        R("left", P(kind="left", rank=3, lr=0.01),
          "projection_type left on every matrix (U₃ᵀ·G even for the tall one) with rank 3; catches left taken as "
          "std and the rank ignored."),
        R("full", P(kind="full", rank=2, lr=0.01, betas=beta0, gap=4, eps=0.1), "projection_type full: R = U₂ᵀ·G·V₂ "
          "(2×2 moments), back U₂·N·V₂ᵀ, refreshed at steps 4 and 8 (b1 = 0); catches one side only. eps 0.1: at a "
          "refresh step R's off-diagonal is zero but for the float32 SVD's rounding (~1e-7·σ), which Adam divides by "
          "√v + eps; with the default eps 1e-6 that noise becomes an O(0.1) normalised update and the library's "
          "trajectory is its float32 LAPACK's alone (measured 1.7e-5 from an exact SVD after one step), so the "
          "case takes an eps that keeps it below 1e-8.", steps=9),
        R("random-is-svd", P(kind="random", lr=0.01),
          "projection_type random: GaLore.step never asks the projector for random matrices (from_random_matrix "
          "stays False), so 'random' is the SVD projection of std; catches random taken for a random projection."),
        R("rank-none", P(rank=None, lr=0.01, scale=1.0),
          "rank None: every singular vector (k = min(m, n)): the projection is a rotation, and Adam runs in the "
          "rotated coordinates (not element-wise Adam); catches rank None read as no projection."),
        R("rank-above-min", P(rank=10, kind="std", lr=0.01, betas=beta0, gap=2),
          "rank 10 above every matrix's smaller dimension: k = min(rank, m, n); gap 2 refreshes at every even step "
          "(b1 = 0)."),
        R("maximize-decay-schedule", P(lr=0.02, weight_decay=0.3, maximize=True, eps=1e-3), "maximize negates g "
          "before the projection; weight_decay 0.3 after the step, a changing lr, eps 1e-3 outside the root; "
          "catches the decay before the step and a cached lr.", lr_base=0.02),
        R("per-param", P(lr=0.01, foreach=False, betas=[0.8, 0.9]),
          "foreach=False (the unprojected tensors on the per-parameter path) and betas (0.8, 0.9): catches b1 and "
          "b2 swapped and bias correction left out."),
        groups_case(),
        E("invalid-lr", {"lr": -0.001}, "A negative lr: NegativeLRError's wording."),
        E("invalid-beta1", {"betas": [1.0, 0.999]}, "beta1 must be in [0, 1): validate_betas' wording."),
        E("invalid-beta2", {"betas": [0.9, -0.5]}, "beta2 must be in [0, 1)."),
        E("invalid-weight-decay", {"weight_decay": -0.1}, "Negative weight_decay (validated after betas)."),
        E("invalid-eps", {"eps": -1e-8}, "Negative eps (validated last)."),
    ]
    return Fixture("pytorch_optimizer/GaLore.json", "pytorch_optimizer.GaLore (pytorch-optimizer 4.1.0, torch 2.15.0 "
                   "float64): the projector's SVD is the library's float32 one; each case's tolerance is measured "
                   "(see its description).", cases)
