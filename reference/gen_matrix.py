"""Golden fixtures for the matrix optimizers: torch.optim.Muon, optax.contrib.muon,
pytorch_optimizer Shampoo and SOAP.

- torch Muon orthogonalises in bfloat16 and pytorch_optimizer's SOAP runs its QR in float32; the
  float64 goldens are computed with those internal casts removed (reference/matrix_patches.py) and
  every such case says so in its description. optax.contrib.muon runs Newton–Schulz in the update's
  dtype (float64 under x64) and needs no patch.
- Matrices are non-square in both orientations (3×5 and 5×3) so fan-in/fan-out mix-ups show;
  gradients span 1e-8..10 per element with exact zeros (common.discriminating_grads), plus tiny
  (~1e-9) and huge (~1e4) gradient cases; the lr changes mid-run in most cases.
- Closed-loop cases (problems/matrix.json): a d = 6 quadratic whose single tensor has shape [2, 3].

Every case says, in `description`, which implementation mistake it is designed to catch.
"""
from __future__ import annotations

import functools

import numpy as np

import common
from common import Fixture, flat
from runners import optax as optax_runner
from runners import torch as torch_runner

STEPS = 24
TOL = {"rtol": 1e-9, "atol": 1e-12}
PO_TOL = dict(TOL)
SCHUR_NEWTON_TOL = {"rtol": 1e-8, "atol": 1e-11}
SCHUR_NEWTON_WHY = (" Tolerance rtol 1e-8: the Schur–Newton ridge is λ_max·matrix_eps with λ_max from 100 power "
                    "iterations started at torch.randn, so the library itself is not deterministic at this level "
                    "(two seeds differ by up to 2.7e-10 relative on this file); Descent starts from a fixed vector.")
SHAMPOO_TOL32 = {"rtol": 5e-3, "atol": 1e-5}
SHAMPOO_TOL32_WHY = (" tolerance_float32 5e-3: the inverse roots of statistics with condition numbers up to ~1e6 amplify "
                     "float32 rounding — pytorch_optimizer itself run in float32 leaves these float64 trajectories by up "
                     "to 3.3e-3 relative (measured on this file).")
TORCH_SRC = "torch 2.15.0"
OPTAX_SRC = "optax 0.2.8"
PO_SRC = "pytorch_optimizer 4.1.0"
FILES = common.Files()
F64_MUON = (" Golden computed with torch's Newton–Schulz patched to run in float64 (the library casts to "
            "bfloat16; reference/matrix_patches.py).")


def _grads(rng, shapes, steps, scale):
    g = common.discriminating_grads(rng, shapes, steps)
    if scale == 1.0:
        return g
    return [[[x * scale for x in t] for t in step] for step in g]


def _inputs(case_id, shapes, lr, steps=STEPS, vary_lr=True, scale=1.0):
    rng = common.case_rng(case_id)
    params = common.initial_params(rng, shapes)
    grads = _grads(rng, shapes, steps, scale)
    lrs = common.lr_sequence(lr, steps) if (vary_lr and lr is not None) else [None] * steps
    return params, grads, lrs


def _quadratic6():
    rng = np.random.default_rng(6023)
    d = 6
    M = rng.standard_normal((d, d))
    A = M @ M.T + 0.5 * np.eye(d)
    b = rng.standard_normal(d)
    return {"name": "quadratic", "A": flat(A), "b": flat(b)}, [{"shape": [2, 3], "values": flat(rng.uniform(-1, 1, d))}]


# ---------------------------------------------------------------------------------------------
# torch


def _replay(convention, name, hp, params, grads_or_problem, lrs, seed=None):
    problem = grads_or_problem if isinstance(grads_or_problem, dict) else None
    return torch_runner.replay(convention, name, hp, params, len(lrs), grads=None if problem else grads_or_problem,
                               problem=problem, lrs=lrs, seed=seed)


def run_torch_muon(hp, params, grads_or_problem, lrs):
    """torch.optim.Muon with the float64 Newton–Schulz (the runner applies matrix_patches)."""
    return _replay("torch", "Muon", hp, params, grads_or_problem, lrs)


MUON_SHAPES = [(3, 5), (5, 3)]

TORCH_MUON = [
    ("defaults", {}, None, 1.0,
     "No hyperparameters and no per-step lr: catches wrong defaults (lr 1e-3, weight_decay 0.1 decoupled × lr, momentum 0.95, nesterov on, NS (3.4445, −4.775, 2.0315) × 5, eps 1e-7)."),
    ("lr-schedule", {"lr": 0.02, "weight_decay": 0.0}, 0.02, 1.0,
     "lr changed mid-run, no decay: catches ignoring the per-step lr, and the 'original' scale √max(1, A/B) taken from the wrong dimension (5×3 gets √(5/3), 3×5 gets 1)."),
    ("no-nesterov", {"lr": 0.02, "nesterov": False, "weight_decay": 0.0}, 0.02, 1.0,
     "nesterov=False: catches orthogonalising lerp(g, buf, μ) instead of the buffer itself."),
    ("momentum-ema", {"lr": 0.02, "momentum": 0.6, "weight_decay": 0.0}, 0.02, 1.0,
     "momentum 0.6: catches a summed buffer μ·B + g (the docstring's form) instead of torch's lerp_ EMA μ·B + (1−μ)·g, and a swapped lerp weight."),
    ("weight-decay", {"lr": 0.02, "weight_decay": 0.3}, 0.02, 1.0,
     "Decoupled decay W·(1 − lr·λ) before the update: catches decay scaled by the adjusted lr, applied after the update, or coupled into the gradient."),
    ("match-rms-adamw", {"lr": 0.01, "adjust_lr_fn": "match_rms_adamw", "weight_decay": 0.05}, 0.01, 1.0,
     "adjust_lr_fn='match_rms_adamw': catches a missing 0.2·√max(A, B) scale (Moonshot) or the original rule used instead."),
    ("spectral-unclamped", {"lr": 0.01, "adjust_lr_fn": "spectral_unclamped", "weight_decay": 0.0}, 0.01, 1.0,
     "adjust_lr_fn='spectral_unclamped': catches clamping √(A/B) at 1 (the 3×5 tensor must get √0.6)."),
    ("original-explicit", {"lr": 0.01, "adjust_lr_fn": "original", "momentum": 0.9, "nesterov": False}, 0.01, 1.0,
     "adjust_lr_fn='original' spelled out, without nesterov, default decay 0.1: catches treating the explicit name differently from None."),
    ("ns-coefficients", {"lr": 0.02, "ns_coefficients": [2.0, -1.5, 0.5], "ns_steps": 3, "weight_decay": 0.0}, 0.02, 1.0,
     "Cubic Newton–Schulz (2, −1.5, 0.5) × 3: catches hard-coded coefficients or step count, and a, b, c applied to the wrong powers of XXᵀ."),
    ("tiny-grads-eps", {"lr": 0.02, "eps": 1e-3, "weight_decay": 0.0}, 0.02, 1e-7,
     "Gradients ~1e-7 with eps 1e-3: ‖U‖_F < eps, so torch divides by eps (clamp), not by ‖U‖ + eps — catches the optax normalisation and a spectral-norm normalisation."),
    ("huge-grads", {"lr": 0.02, "weight_decay": 0.0}, 0.02, 1e4,
     "Gradients ~1e4: the update must not grow with the gradient (orthogonalisation is scale-free); catches a missing normalisation before Newton–Schulz."),
    ("momentum-zero", {"lr": 0.05, "momentum": 0.0, "weight_decay": 0.01}, 0.05, 1.0,
     "momentum 0: catches a buffer that keeps history (lerp weight 1 − μ = 1 replaces it) and nesterov applied with μ = 0 incorrectly."),
]

TORCH_MUON_ERRORS = [
    ("non-2d", {"lr": 0.02}, [(3, 5), (5,)],
     "A 1-D parameter: torch.optim.Muon's constructor rejects every non-2-D parameter (Descent must not fall back to Adam the way optax does)."),
    ("non-2d-3d", {}, [(2, 1, 3)],
     "A 3-D parameter: the size is printed as torch.Size([2, 1, 3])."),
    ("invalid-lr", {"lr": -0.01}, MUON_SHAPES, "Negative lr is rejected with Muon's own message (not Adam's 'Invalid learning rate')."),
    ("invalid-momentum", {"momentum": -0.5}, MUON_SHAPES, "Negative momentum is rejected."),
    ("invalid-weight-decay", {"weight_decay": -0.1}, MUON_SHAPES, "Negative weight decay is rejected."),
    ("invalid-adjust-lr-fn", {"adjust_lr_fn": "rms"}, MUON_SHAPES, "An unknown adjust_lr_fn is rejected."),
]


@FILES.file("torch/Muon.json")
def torch_muon():
    cases = []
    for tag, hp, lr, scale, desc in TORCH_MUON:
        cid = f"torch/Muon/{tag}"
        params, grads, lrs = _inputs(cid, MUON_SHAPES, lr, scale=scale)
        exp = run_torch_muon(hp, params, grads, lrs)
        cases.append(common.optimizer_case(cid, TORCH_SRC, "torch", "Muon", hp, params,
                                           common.trajectory_steps(exp, grads, lrs), desc + F64_MUON, TOL))
    for tag, hp, shapes, desc in TORCH_MUON_ERRORS:
        cid = f"torch/Muon/{tag}"
        params = common.initial_params(common.case_rng(cid), shapes)
        msg = torch_runner.constructor_error("torch", "Muon", hp, shapes=shapes, catch=(ValueError,))
        if msg is None:
            raise AssertionError("expected a ValueError")
        cases.append(common.optimizer_case(cid, TORCH_SRC, "torch", "Muon", hp, params, None, desc, TOL, error=msg))
    return Fixture("torch/Muon.json", "torch.optim.Muon (torch 2.15.0), Newton–Schulz patched to float64.", cases)


@FILES.file("torch/problems/matrix.json")
def torch_matrix_problems():
    problem, p0 = _quadratic6()
    hp = {"lr": 0.05, "weight_decay": 0.01}
    lrs = [None] * STEPS
    exp = run_torch_muon(hp, p0, problem, lrs)
    prob = [common.optimizer_case(
        "torch/Muon/problem-quadratic", TORCH_SRC, "torch", "Muon", hp, p0, common.trajectory_steps(exp, [None] * STEPS, lrs),
        "Muon in a closed loop on a d = 6 quadratic held as a 2×3 matrix: an error anywhere compounds through the gradient."
        + F64_MUON, TOL, problem=problem)]
    return Fixture("torch/problems/matrix.json", "Matrix optimizers (torch 2.15.0) on a closed-loop quadratic held as a 2×3 matrix.", prob)


# ---------------------------------------------------------------------------------------------
# optax


def run_optax_muon(hp, params, grads_or_problem, lrs):
    """optax.contrib.muon; jax's caches are dropped after each case (thousands of eager executables
    over a whole file exhaust the process's memory maps)."""
    import optax

    problem = grads_or_problem if isinstance(grads_or_problem, dict) else None
    return optax_runner.replay(optax.contrib.muon, hp, params, len(lrs), grads=None if problem else grads_or_problem,
                               problem=problem, lrs=lrs, clear_caches=True)


OPTAX_MUON = [
    ("basic", {"learning_rate": 0.02}, MUON_SHAPES, 0.02, 1.0,
     "Defaults with a changing lr: catches a missing bias correction of the nesterov mix β·M/(1−β^(t+1)) + (1−β)·G/(1−β^t), and the width scale √max(1, fan_out/fan_in) taken as torch's √max(1, A/B) (3×5 gets √(5/3) here, 5×3 gets 1)."),
    ("constant-lr", {"learning_rate": 0.01}, MUON_SHAPES, None, 1.0,
     "No inject_hyperparams: the plain call's defaults (beta 0.95, eps 1e-8 added to ‖Û‖_F, 5 standard NS steps)."),
    ("no-nesterov", {"learning_rate": 0.02, "nesterov": False}, MUON_SHAPES, 0.02, 1.0,
     "nesterov=False: catches a missing 1/(1−β^t) bias correction of the plain moment."),
    ("weight-decay", {"learning_rate": 0.02, "weight_decay": 0.2}, MUON_SHAPES, 0.02, 1.0,
     "weight_decay: optax adds λ·W to the scaled update, then multiplies by −lr: catches decay not scaled by lr or scaled by the shape factor."),
    ("consistent-rms", {"learning_rate": 0.02, "consistent_rms": 0.2}, MUON_SHAPES, 0.02, 1.0,
     "consistent_rms=0.2: scale √max(fan_in, fan_out)·0.2 replaces the width scale."),
    ("adaptive", {"learning_rate": 0.02, "adaptive": True}, MUON_SHAPES, 0.02, 1.0,
     "adaptive=True: O is scaled by ⟨Û, O⟩ (the dual norm); catches a missing or wrongly placed scale."),
    ("beta-eps", {"learning_rate": 0.02, "beta": 0.7, "eps": 1e-3}, MUON_SHAPES, 0.02, 1.0,
     "beta 0.7 and eps 1e-3: catches β and 1−β swapped and eps ignored in ‖Û‖_F + eps."),
    ("tiny-grads", {"learning_rate": 0.02, "eps": 1e-6}, MUON_SHAPES, 0.02, 1e-8,
     "Gradients ~1e-8, eps 1e-6: optax divides by ‖Û‖ + eps (no clamp) — catches torch's max(‖U‖, eps)."),
    ("huge-grads", {"learning_rate": 0.02}, MUON_SHAPES, 0.02, 1e4,
     "Gradients ~1e4: catches a missing normalisation before Newton–Schulz."),
    ("ns-dion", {"learning_rate": 0.02, "ns_coeffs": "dion"}, MUON_SHAPES, 0.02, 1.0,
     "ns_coeffs='dion': five different (a, b, c) triples, one per step, in order: catches reusing the first triple or reversing the list."),
    ("ns-custom", {"learning_rate": 0.02, "ns_coeffs": [2.0, -1.5, 0.5], "ns_steps": 3}, MUON_SHAPES, 0.02, 1.0,
     "A custom cubic triple × 3 steps: catches hard-coded coefficients or step count."),
    ("spectral", {"learning_rate": 0.02, "preconditioning": "spectral"}, MUON_SHAPES, 0.02, 1.0,
     "preconditioning='spectral': scale by the largest singular value, not the Frobenius norm."),
    ("aol", {"learning_rate": 0.02, "preconditioning": "aol"}, MUON_SHAPES, 0.02, 1.0,
     "preconditioning='aol': no norm scaling; the first NS step rescales rows by (Σ_j |XXᵀ|_ij)^(−½)."),
    ("schatten", {"learning_rate": 0.02, "preconditioning": "schatten"}, MUON_SHAPES, 0.02, 1.0,
     "preconditioning='schatten': the first NS step divides X by √‖XXᵀ‖_F."),
    ("adam-fallback", {"learning_rate": 0.02, "weight_decay": 0.1}, [(3, 5), (5,), (2, 1, 3)], 0.02, 1.0,
     "A 1-D and a 3-D tensor with the default 2-D rule: they go to optax.adamw with nesterov=True (NAdamW), eps = Muon's eps and adam_weight_decay 0 (Muon's weight_decay must not reach them); catches Muon applied to them or plain Adam."),
    ("mu-dtype-float32", {"learning_rate": 0.02, "mu_dtype": "float32"}, [(3, 5), (5,)], 0.02, 1.0,
     "mu_dtype='float32': both first moments (Muon's and the Adam fallback's) are stored rounded to float32 after each step, while the step uses the unrounded float64 moment; catches ignoring mu_dtype (differences ~1e-8 relative, far above the tolerance) and rounding before use."),
    ("adam-fallback-options", {"learning_rate": 0.02, "nesterov": False, "adam_b1": 0.8, "adam_b2": 0.9,
                               "adam_eps_root": 1e-6, "adam_weight_decay": 0.05, "adam_learning_rate": 0.005},
     [(5, 3), (4,)], 0.02, 1.0,
     "adam_* options: adam_learning_rate is fixed (the per-step lr reaches only the Muon tensors), adam_b1/b2/eps_root/weight_decay and nesterov=False reach the Adam branch."),
]


# (An unknown `preconditioning` is not a case: optax accepts the call and init and raises only in
# the first update, which an expected_error case cannot express; Descent rejects it up front.)
OPTAX_MUON_ERRORS = [
    ("unknown-preset", {"learning_rate": 0.02, "ns_coeffs": "bogus"},
     "An unknown ns_coeffs preset is rejected by optax.contrib.muon itself."),
    ("dion-too-few-steps", {"learning_rate": 0.02, "ns_coeffs": "dion", "ns_steps": 3},
     "The five dion triples with ns_steps 3: optax refuses (at init) rather than truncating the list."),
]


def optax_error(hp, params):
    """The library's ValueError for `hp` (raised by the call, init or the first update)."""
    import optax

    msg = optax_runner.first_update_error(optax.contrib.muon, hp, params)
    if msg is None:
        raise AssertionError(f"expected a ValueError for {hp}")
    return msg


@FILES.file("optax/muon.json")
def optax_muon():
    cases = []
    for tag, hp, shapes, lr, scale, desc in OPTAX_MUON:
        cid = f"optax/muon/{tag}"
        params, grads, lrs = _inputs(cid, shapes, lr, scale=scale, vary_lr=lr is not None)
        exp = run_optax_muon(hp, params, grads, lrs)
        cases.append(common.optimizer_case(cid, OPTAX_SRC, "optax", "muon", hp, params, common.trajectory_steps(exp, grads, lrs),
                                           desc + " optax runs Newton–Schulz in the update's dtype (float64 here): no patch.", TOL))
    for tag, hp, desc in OPTAX_MUON_ERRORS:
        cid = f"optax/muon/{tag}"
        params = common.initial_params(common.case_rng(cid), MUON_SHAPES)
        cases.append(common.optimizer_case(cid, OPTAX_SRC, "optax", "muon", hp, params, None, desc, TOL,
                                           error=optax_error(hp, params)))
    return Fixture("optax/muon.json", "optax.contrib.muon (optax 0.2.8, x64; Newton–Schulz in float64 natively).", cases)


@FILES.file("optax/problems/matrix.json")
def optax_matrix_problems():
    problem, p0 = _quadratic6()
    hp = {"learning_rate": 0.05, "weight_decay": 0.01}
    lrs = [None] * STEPS
    exp = run_optax_muon(hp, p0, problem, lrs)
    prob = [common.optimizer_case("optax/muon/problem-quadratic", OPTAX_SRC, "optax", "muon", hp, p0,
                                  common.trajectory_steps(exp, [None] * STEPS, lrs),
                                  "optax.contrib.muon in a closed loop on a d = 6 quadratic held as a 2×3 matrix.", TOL,
                                  problem=problem)]
    return Fixture("optax/problems/matrix.json", "optax.contrib.muon on a closed-loop quadratic held as a 2×3 matrix.", prob)


# ---------------------------------------------------------------------------------------------
# pytorch_optimizer Shampoo / SOAP


def _mixed_grads(rng, shapes, steps, scale=1.0, zero_frac=0.1):
    """Gradients of one order of magnitude (×0.5..×1.5 of `scale`), signs varying, 10 % exact zeros.

    The preconditioners' eigen-decompositions are only as accurate as their conditioning allows,
    in LAPACK as in Descent; per-element scales spanning 1e-8..10 would make the small-eigenvalue
    eigenvectors ill-determined in both, so these cases use gradients of one scale (a uniformly
    tiny or huge `scale` does not change the conditioning).
    """
    out = []
    for _ in range(steps):
        step = []
        for s in shapes:
            n = int(np.prod(s))
            g = scale * rng.standard_normal(n) * (0.5 + rng.random(n))
            g[rng.random(n) < zero_frac] = 0.0
            step.append(flat(g))
        out.append(step)
    return out


def run_po(name, hp, params, grads_or_problem, lrs):
    """pytorch_optimizer.<name> (SOAP with the float64 QR: the runner applies matrix_patches).
    ScalableShampoo's power iteration starts from torch.randn: torch is seeded per case so the files
    are reproducible."""
    return _replay("pytorch_optimizer", name, hp, params, grads_or_problem, lrs, seed=20261123)


SHAMPOO_SHAPES = [(3, 5), (5, 3), (4,)]
F64_SOAP = (" Golden computed with SOAP's QR patched to run in float64 (the library casts the power iterate to "
            "float32 before torch.linalg.qr; reference/matrix_patches.py).")

SHAMPOO = [
    ("defaults", {}, None, 1.0,
     "No hyperparameters: catches wrong defaults (lr 1e-3, matrix_eps 1e-6 as the initial L = R = eps·I, roots every step, no momentum) and the wrong root (L^(−1/4)·G·R^(−1/4) for 2-D, L^(−1/2) for 1-D)."),
    ("lr-schedule", {"lr": 0.05}, 0.05, 1.0,
     "lr changed mid-run: catches ignoring the per-step lr; non-square 3×5 and 5×3 tensors catch L and R swapped."),
    ("momentum", {"lr": 0.05, "momentum": 0.6}, 0.05, 1.0,
     "momentum 0.6: the library lerps the gradient toward the LAST PRECONDITIONED update (initialised with the first raw gradient); catches a classic momentum buffer of gradients."),
    ("compute-steps", {"lr": 0.05, "preconditioning_compute_steps": 3, "matrix_eps": 1e-2}, 0.05, 1.0,
     "preconditioning_compute_steps 3: the inverse roots start at zero (steps 1–2 move nothing) and are refreshed only every third step from the statistics accumulated every step; catches recomputing every step or an identity initial root."),
    ("weight-decay-l2", {"lr": 0.05, "weight_decay": 0.1}, 0.05, 1.0,
     "Coupled decay G + λ·W before the statistics: catches decay added after preconditioning or left out of L and R."),
    ("weight-decouple", {"lr": 0.05, "weight_decay": 0.1, "weight_decouple": True}, 0.05, 1.0,
     "weight_decouple: W·(1 − lr·λ) before the update; catches coupled decay."),
    ("fixed-decay-maximize", {"lr": 0.05, "weight_decay": 0.05, "weight_decouple": True, "fixed_decay": True, "maximize": True}, 0.05, 1.0,
     "fixed_decay (W·(1 − λ), not × lr) and maximize: catches the decay scaled by lr and a missing negation."),
    ("matrix-eps-tiny-grads", {"lr": 0.01, "matrix_eps": 1e-3}, 0.01, 1e-3,
     "Gradients ~1e-3 with matrix_eps 1e-3: the eps·I start dominates the statistics; catches eps added at every root instead of once at initialisation."),
    ("tensors-3d", {"lr": 0.05, "momentum": 0.5}, [(2, 1, 3), (2, 3, 2), (3, 4)], 0.05, 1.0,
     "3-D tensors: one statistic per mode (a 1×1 one for the size-1 mode), roots of order −1/(2·3) = −1/6, mode products in the library's order; catches −1/4 hard-coded, the tensor flattened to a matrix, or modes mixed up."),
    ("huge-grads", {"lr": 0.01, "momentum": 0.3, "weight_decay": 0.01, "matrix_eps": 1e3}, 0.01, 1e3,
     "Gradients ~1e3 (matrix_eps 1e3 keeps the statistics' condition number float32-meaningful): the statistics grow like 1e6 per step; catches an unscaled update (the roots must shrink it)."),
]

SOAP_SQUARE = [(4, 4), (3, 3), (5,)]
SOAP = [
    ("defaults", {}, SOAP_SQUARE, None, 1.0,
     "No hyperparameters: catches wrong defaults (lr 3e-3, betas (0.95, 0.95), weight_decay 1e-2 decoupled × lr AFTER the update, eps 1e-8, QR refresh every 10 steps, bias correction √(1−β₂ˢ)/(1−β₁ˢ) with s = t − 1) and an update at the first step (SOAP's first step only builds the eigenbases)."),
    ("lr-schedule", {"lr": 0.01, "weight_decay": 0.0}, SOAP_SQUARE, 0.01, 1.0,
     "lr changed mid-run, no decay: catches ignoring the per-step lr; a 1-D tensor (not preconditioned) runs as Adam in its own coordinates."),
    ("frequency-2", {"lr": 0.01, "precondition_frequency": 2}, SOAP_SQUARE, 0.01, 1.0,
     "precondition_frequency 2: the eigenbases are refreshed by one power iteration + QR every 2nd step with exp_avg_sq permuted to the new eigenvalue order; catches a full re-eigendecomposition, a missing permutation or a refresh on the wrong step."),
    ("betas-shampoo-beta", {"lr": 0.01, "betas": [0.8, 0.9], "shampoo_beta": 0.7, "precondition_frequency": 3}, SOAP_SQUARE, 0.01, 1.0,
     "betas (0.8, 0.9) with shampoo_beta 0.7: catches the statistics decayed with β₂ instead of shampoo_beta, and β₁/β₂ swapped."),
    ("no-correct-bias", {"lr": 0.01, "correct_bias": False, "weight_decay": 0.1}, SOAP_SQUARE, 0.01, 1.0,
     "correct_bias=False with decay 0.1: catches a bias correction that is always on and decay applied before the update."),
    ("normalize-eps", {"lr": 0.01, "normalize_gradient": True, "eps": 1e-3}, SOAP_SQUARE, 0.01, 1.0,
     "normalize_gradient with eps 1e-3: the direction is divided by √mean(N²) + eps; eps also sits outside √v; catches either missing."),
    ("max-precondition-dim", {"lr": 0.01, "max_precondition_dim": 4, "precondition_frequency": 3}, [(3, 5), (5, 3), (4, 4)], 0.01, 1.0,
     "max_precondition_dim 4 on 3×5 and 5×3 tensors: only the dimension of size 3 is preconditioned (the other uses the identity); catches preconditioning every dimension or projecting the wrong side."),
    ("maximize-tiny", {"lr": 0.01, "maximize": True, "precondition_frequency": 4}, SOAP_SQUARE, 0.01, 1e-6,
     "maximize with gradients ~1e-6 (√v ~ eps scale): catches a missing negation and eps placed inside the root."),
    ("huge-grads", {"lr": 0.01, "precondition_frequency": 5}, SOAP_SQUARE, 0.01, 1e4,
     "Gradients ~1e4: the update stays O(lr) (Adam in the eigenbasis is scale-free); catches unnormalised moments."),
]

SSHAMPOO = [
    ("defaults", {}, None, 1.0,
     "No hyperparameters: with block_size 512, shape_interpretation merges 3×5 into [15] → [1], so NOTHING is preconditioned; start_preconditioning_step 25 > 24 steps, so the update is the SGD-grafted nesterov momentum β₁·N + g. Catches preconditioning small tensors and a wrong momentum form."),
    ("schur-newton", {"lr": 0.01, "shape_interpretation": False, "start_preconditioning_step": 5, "preconditioning_compute_steps": 4}, 0.01, 1.0,
     "Preconditioned 3×5 / 5×3 with Schur–Newton roots recomputed every 4th step, used from step 5, SGD graft: catches exact roots instead of the library's coupled iteration (stopped at max|M − I| ≤ 1e-3), P₀ = I before the first root, the graft-norm rescaling, and L/R swapped."),
    ("svd", {"lr": 0.01, "shape_interpretation": False, "start_preconditioning_step": 3, "preconditioning_compute_steps": 2, "use_svd": True}, 0.01, 1.0,
     "use_svd: exact inverse 4th roots every 2nd step: catches the Schur–Newton approximation used regardless, and statistics without the β₂ / (1−β₂) EMA weights."),
    ("adagrad-graft-block", {"lr": 0.02, "block_size": 5, "graft_type": 2, "start_preconditioning_step": 4, "preconditioning_compute_steps": 3, "use_svd": True}, 0.02, 1.0,
     "block_size 5 keeps 3×5 as [3, 5] under shape_interpretation; AdaGrad graft g/(√Σg² + 1e-10): catches merged dims computed wrongly and the graft statistics decayed."),
    ("rmsprop-ema-no-nesterov", {"lr": 0.02, "shape_interpretation": False, "graft_type": 3, "moving_average_for_momentum": True, "nesterov": False, "betas": [0.8, 0.95], "start_preconditioning_step": 6, "preconditioning_compute_steps": 5}, 0.02, 1.0,
     "RMSProp graft, EMA momentum lerp(M, d, 1−β₁), no nesterov: catches a summed momentum, a graft momentum without the (1−β₁) weight, and nesterov applied anyway."),
    ("no-graft-coupled-lr", {"lr": 0.02, "shape_interpretation": False, "graft_type": 0, "decoupled_learning_rate": False, "start_preconditioning_step": 3, "preconditioning_compute_steps": 3, "use_svd": True}, 0.02, 1.0,
     "graft_type NONE (no norm rescaling) and decoupled_learning_rate=False (lr multiplies the directions before the momentum): catches rescaling anyway and lr applied outside the momentum."),
    ("sqrtn-decoupled-decay", {"lr": 0.02, "shape_interpretation": False, "graft_type": 4, "weight_decay": 0.1, "decoupled_weight_decay": True, "start_preconditioning_step": 4, "preconditioning_compute_steps": 4}, 0.02, 1.0,
     "SQRTN graft sign(g) with decoupled decay W·(1 − lr·λ): catches coupled decay and a graft of magnitude other than ‖sign g‖."),
    ("coupled-decay-input-maximize", {"lr": 0.02, "shape_interpretation": False, "weight_decay": 0.05, "pre_conditioner_type": 1, "maximize": True, "start_preconditioning_step": 3, "preconditioning_compute_steps": 2, "use_svd": True}, 0.02, 1.0,
     "pre_conditioner_type INPUT (left side only, exponent 2), coupled decay added to both directions after the graft rescaling, maximize: catches preconditioning both sides and decay before the rescaling."),
    ("output-override-statistics", {"lr": 0.02, "shape_interpretation": False, "pre_conditioner_type": 2, "inverse_exponent_override": 4, "statistics_compute_steps": 2, "start_preconditioning_step": 4, "preconditioning_compute_steps": 3}, 0.02, 1.0,
     "pre_conditioner_type OUTPUT (right side only), inverse_exponent_override 4, statistics every 2nd step: catches the default exponent 2·rank and statistics accumulated every step."),
]

PO_ERRORS = [
    ("ScalableShampoo", "invalid-lr", {"lr": -0.1}, "Negative lr: pytorch_optimizer's NegativeLRError text."),
    ("ScalableShampoo", "invalid-start", {"start_preconditioning_step": 0}, "start_preconditioning_step must be ≥ 1 (NegativeStepError)."),
    ("Shampoo", "invalid-lr", {"lr": -0.1}, "Negative lr: pytorch_optimizer's NegativeLRError text."),
    ("Shampoo", "invalid-momentum", {"momentum": 1.0}, "momentum must lie in [0, 1)."),
    ("Shampoo", "invalid-compute-steps", {"preconditioning_compute_steps": 0}, "preconditioning_compute_steps must be ≥ 1 (NegativeStepError)."),
    ("Shampoo", "invalid-matrix-eps", {"matrix_eps": -1e-6}, "Negative matrix_eps is rejected."),
    ("SOAP", "invalid-beta2", {"betas": [0.9, 1.0]}, "beta2 must lie in [0, 1)."),
    ("SOAP", "invalid-frequency", {"precondition_frequency": 0}, "precondition_frequency must be positive."),
    ("SOAP", "invalid-shampoo-beta", {"shampoo_beta": -0.5}, "Negative shampoo_beta is rejected."),
]


def po_fixture(name):
    cases_def, shapes_of = {"Shampoo": (SHAMPOO, None), "ScalableShampoo": (SSHAMPOO, None), "SOAP": (SOAP, True)}[name]
    cases = []
    for row in cases_def:
        if shapes_of or len(row) == 6:
            tag, hp, shapes, lr, scale, desc = row
        else:
            tag, hp, lr, scale, desc = row
            shapes = SHAMPOO_SHAPES
        cid = f"pytorch_optimizer/{name}/{tag}"
        rng = common.case_rng(cid)
        params = common.initial_params(rng, shapes)
        grads = _mixed_grads(rng, shapes, STEPS, scale)
        lrs = common.lr_sequence(lr, STEPS) if lr is not None else [None] * STEPS
        exp = run_po(name, hp, params, grads, lrs)
        d = desc + (F64_SOAP if name == "SOAP" else "")
        schur = name == "ScalableShampoo" and not hp.get("use_svd") and tag != "defaults"
        if schur:
            d += SCHUR_NEWTON_WHY
        c = common.optimizer_case(cid, PO_SRC, "pytorch_optimizer", name, hp, params, common.trajectory_steps(exp, grads, lrs),
                                  d, SCHUR_NEWTON_TOL if schur else PO_TOL)
        if name in ("Shampoo", "ScalableShampoo"):
            c["tolerance_float32"] = dict(SHAMPOO_TOL32)
            c["description"] += SHAMPOO_TOL32_WHY
        cases.append(c)
    for n2, tag, hp, desc in PO_ERRORS:
        if n2 != name:
            continue
        cid = f"pytorch_optimizer/{name}/{tag}"
        params = common.initial_params(common.case_rng(cid), [(3, 3)])
        msg = torch_runner.constructor_error("pytorch_optimizer", name, hp, shapes=[(3, 3)])  # the library's own text
        if msg is None:
            raise AssertionError("expected an error")
        cases.append(common.optimizer_case(cid, PO_SRC, "pytorch_optimizer", name, hp, params, None, desc, TOL, error=msg))
    return Fixture(f"pytorch_optimizer/{name}.json", f"pytorch_optimizer.{name} (pytorch_optimizer 4.1.0, float64).", cases)


for _name in ("Shampoo", "ScalableShampoo", "SOAP"):
    FILES.add(f"pytorch_optimizer/{_name}.json", functools.partial(po_fixture, _name))


@FILES.file("pytorch_optimizer/problems/matrix.json")
def po_matrix_problems():
    problem, p0 = _quadratic6()
    prob = []
    for name, hp, extra in (("Shampoo", {"lr": 0.05, "momentum": 0.3}, ""),
                            ("SOAP", {"lr": 0.02, "precondition_frequency": 3, "max_precondition_dim": 2}, F64_SOAP)):
        lrs = [None] * STEPS
        exp = run_po(name, hp, p0, problem, lrs)
        prob.append(common.optimizer_case(
            f"pytorch_optimizer/{name}/problem-quadratic", PO_SRC, "pytorch_optimizer", name, hp, p0,
            common.trajectory_steps(exp, [None] * STEPS, lrs),
            f"{name} in a closed loop on a d = 6 quadratic held as a 2×3 matrix."
            + (" max_precondition_dim 2 preconditions only the dimension of size 2 (the 3×3 GG of a 2×3 gradient is rank-deficient)." if name == "SOAP" else "")
            + extra, PO_TOL, problem=problem))
    return Fixture("pytorch_optimizer/problems/matrix.json",
                   "pytorch_optimizer Shampoo and SOAP on a closed-loop quadratic held as a 2×3 matrix.", prob)


def generate():
    return FILES.build_all()
