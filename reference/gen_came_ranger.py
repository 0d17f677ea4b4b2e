"""Golden fixtures for pytorch_optimizer.CAME and pytorch_optimizer.Ranger (pytorch-optimizer 4.1.0,
torch 2.15.0 float64), replayed through gen_lion_lamb.run (the torch runner).

CAME (optimizer/came.py): Adafactor's factored second moment (tensors of >= 2 dims, over the last
two: r and c are the b2-EMAs of the row and column means of g² + eps1, u = rsqrt(r/mean(r)) ⊗
rsqrt(c); vectors keep v) times g, clipped to RMS clip_threshold, then m ← lerp(m, u, 1 − b1) and,
for factored tensors, the confidence: the instability (u − m)² + eps2 factored the same way with b3,
the step lr·(its rsqrt factors)·m. ams_bound keeps the running max of 1/u (√v̂) and uses
rsqrt(max/b2). Tensors: a (3, 4) matrix, a vector, a (2, 3, 3) tensor (a batch of two square
slices) with 1000× gradients and a (1, 6) matrix (one row: r/mean(r) = 1).

Ranger (optimizer/ranger.py): RAdam with gradient centralization (use_gc: tensors of > 1 dims,
gc_conv_only: > 3 dims, lose their mean over every dim but the first) and Lookahead (every k steps
slow ← lerp(slow, w, alpha), w ← slow; slow starts at the initial weights). Below n_sma_threshold
the step is w − (lr·r_t/(1 − b1ᵗ))·m with r_t = −1 unless degenerated_to_sgd: with b2 = 0.999 the
first five steps go UP the gradient (Ranger has no step_size > 0 guard, unlike the library's RAdam).
Tensors: a (3, 4) matrix, a vector (never centralized), a (2, 1, 3) tensor with 1000× gradients
and a (2, 2, 1, 2) 4-D tensor (the only one gc_conv_only centralizes).
Every case names the mistake it is designed to catch.
"""
from __future__ import annotations

import gen_lion_lamb
from common import Fixture
import common

C = "pytorch_optimizer"
FILES = common.Files()
SOURCE = "pytorch_optimizer.{} (pytorch-optimizer 4.1.0, torch 2.15.0 float64)."

CAME_SHAPES = [(3, 4), (5,), (2, 3, 3), (1, 6)]
CAME_STEPS = 8
RANGER_SHAPES = [(3, 4), (5,), (2, 1, 3), (2, 2, 1, 2)]
RANGER_STEPS = 14


def E(name, tag, hp, description):
    return gen_lion_lamb.error_case(C, name, tag, hp, description)


@FILES.file("pytorch_optimizer/CAME.json")
def pytorch_optimizer_came():
    N = "CAME"

    def R(tag, hp, description, steps=CAME_STEPS, lr_base=None, **inputs):
        return gen_lion_lamb.replay_case(C, N, tag, hp, description, steps=steps, lr_base=lr_base,
                                         shapes=CAME_SHAPES, **inputs)

    cases = [
        R("defaults", {},
          "pytorch_optimizer.CAME defaults: lr 2e-4, betas (0.9, 0.999, 0.9999), eps1 1e-30, eps2 1e-16, clip_threshold 1 "
          "(binding: RMS(g/√v̂) ≈ 1/√(1 − b2) at the first step), no decay; the matrices factored over the last two dims "
          "(the (2, 3, 3) tensor per slice), the vector not; catches update clipping left out, the confidence factor "
          "left out, the instability taken from the momentum before the update, and the row and column statistics "
          "swapped (the square slices)."),
        R("betas-lr-schedule", {"lr": 0.01, "betas": [0.8, 0.9, 0.95]},
          "betas (0.8, 0.9, 0.95) and a changing lr: catches b2 and b3 swapped (the second moment's and the "
          "instability's rates), b1 misplaced and a cached lr.", lr_base=0.01),
        R("decoupled-decay", {"lr": 0.01, "weight_decay": 0.5},
          "weight_decay 0.5, decoupled by default (weight_decouple True): w ← w·(1 − lr·wd) before the step; catches "
          "coupled decay.", lr_base=0.01),
        R("coupled-decay", {"lr": 0.01, "weight_decay": 0.3, "weight_decouple": False},
          "weight_decouple False: wd·w added to g before the second moment and the update u·g; catches decoupled "
          "decay."),
        R("fixed-decay", {"lr": 0.01, "weight_decay": 0.05, "fixed_decay": True},
          "fixed_decay: w ← w·(1 − wd), not scaled by the lr; catches the flag ignored.", lr_base=0.01),
        R("maximize-coupled", {"lr": 0.01, "weight_decay": 0.2, "weight_decouple": False, "maximize": True},
          "maximize negates g BEFORE the coupled decay is added; catches the update negated instead."),
        R("ams-bound", {"lr": 0.01, "ams_bound": True, "betas": [0.9, 0.9, 0.99]},
          "ams_bound: exp_avg_sq_hat is the running max of 1/u = √v̂ (not of v̂) and u = rsqrt(max/b2) — with b2 0.9 "
          "the division by b2 is a 5% change; catches the flag ignored and AMSGrad's max of v̂ itself."),
        R("clip-threshold", {"lr": 0.01, "clip_threshold": 0.05},
          "clip_threshold 0.05 (binding at every step): catches the keyword ignored and RMS·threshold for "
          "RMS/threshold."),
        R("no-clip-large-eps", {"lr": 0.01, "clip_threshold": 1000.0, "eps1": 1e-2, "eps2": 1e-3},
          "clip_threshold 1000 (never binding) with eps1 1e-2 and eps2 1e-3 large enough to matter: eps1 added to g² "
          "before the statistics (not under the root), eps2 to the instability; catches either eps left out or "
          "swapped."),
        R("per-param-zero", {"lr": 0.01, "foreach": False},
          "foreach=False (the per-parameter path, the same expressions); a matrix at exactly 0 and a vector whose "
          "gradient is always 0 (u = 0·rsqrt(eps1-sized v), clip 1).", zero_params=(0,), zero_grads=(1,)),
        E(N, "invalid-lr", {"lr": -0.001}, "A negative lr: NegativeLRError's wording."),
        E(N, "invalid-beta1", {"betas": [1.0, 0.999, 0.9999]}, "beta1 must be in [0, 1): validate_betas' wording."),
        E(N, "invalid-beta2", {"betas": [0.9, -0.5, 0.9999]}, "beta2 must be in [0, 1)."),
        E(N, "invalid-beta3", {"betas": [0.9, 0.999, 1.5]}, "beta3 must be in [0, 1] (closed, unlike beta1 and beta2)."),
        E(N, "invalid-weight-decay", {"weight_decay": -0.1}, "Negative weight_decay (validated after betas)."),
        E(N, "invalid-eps1", {"eps1": -1e-30}, "Negative eps1 (validated after weight_decay)."),
        E(N, "invalid-eps2", {"eps2": -1e-16}, "Negative eps2 (validated last)."),
    ]
    return Fixture("pytorch_optimizer/CAME.json", SOURCE.format(N), cases)


@FILES.file("pytorch_optimizer/Ranger.json")
def pytorch_optimizer_ranger():
    N = "Ranger"

    def R(tag, hp, description, steps=RANGER_STEPS, lr_base=None, **inputs):
        return gen_lion_lamb.replay_case(C, N, tag, hp, description, steps=steps, lr_base=lr_base,
                                         shapes=RANGER_SHAPES, **inputs)

    cases = [
        R("defaults", {},
          "pytorch_optimizer.Ranger defaults: lr 1e-3, betas (0.95, 0.999), eps 1e-5, alpha 0.5, k 6 (syncs at steps 6 "
          "and 12), n_sma_threshold 5 (ρ₅ = 4.996: steps 1–5 unrectified), degenerated_to_sgd False (r_t = −1: those "
          "steps go UP the gradient, w + (lr/(1 − b1ᵗ))·m), use_gc on every tensor of > 1 dims; catches the lookahead "
          "left out, the slow weights never moved, the sync one step early, the η > 0 guard of the library's RAdam, "
          "centralization left out or applied to the vector, and the rectification threshold off by one."),
        R("k3-alpha", {"lr": 0.01, "betas": [0.9, 0.99], "k": 3, "alpha": 0.8},
          "k 3 and alpha 0.8 (syncs at 3, 6, 9, 12): slow ← slow + 0.8·(w − slow); catches alpha weighting the slow "
          "weights instead of the fast ones, and k ignored.", steps=13),
        R("degenerated-to-sgd", {"lr": 0.01, "degenerated_to_sgd": True, "k": 4},
          "degenerated_to_sgd: below the threshold r_t = 1, an SGD-with-momentum step DOWN the gradient, "
          "w − (lr/(1 − b1ᵗ))·m; catches the flag ignored."),
        R("gc-conv-only", {"lr": 0.01, "gc_conv_only": True},
          "gc_conv_only: only tensors of > 3 dims (the 4-D one) are centralized; catches the flag ignored "
          "(the matrices centralized too)."),
        R("no-gc", {"lr": 0.01, "use_gc": False},
          "use_gc False: no centralization at all; catches the keyword ignored."),
        R("decoupled-decay", {"lr": 0.01, "weight_decay": 0.5},
          "weight_decay 0.5, decoupled by default: w ← w·(1 − lr·wd) before the step; catches coupled decay.",
          lr_base=0.01),
        R("coupled-decay", {"lr": 0.01, "weight_decay": 0.3, "weight_decouple": False},
          "weight_decouple False: wd·w added to the CENTRALIZED g (centralization first); catches decoupled decay and "
          "the decay added before centralizing."),
        R("fixed-decay", {"lr": 0.01, "weight_decay": 0.05, "fixed_decay": True},
          "fixed_decay: w ← w·(1 − wd), not scaled by the lr; catches the flag ignored."),
        R("maximize-coupled", {"lr": 0.01, "weight_decay": 0.2, "weight_decouple": False, "maximize": True},
          "maximize negates g before the centralization and the coupled decay; catches the update negated instead."),
        R("threshold-4", {"lr": 0.01, "n_sma_threshold": 4, "eps": 1e-8},
          "n_sma_threshold 4 (rectified from step 5: ρ₄ = 3.9975 < 4 ≤ ρ₅; a threshold below 4 makes the library's "
          "math.sqrt raise once 3 ≤ ρ < 4) and eps 1e-8; catches the default 5 used."),
        R("adam-debias", {"lr": 0.01, "adam_debias": True, "betas": [0.9, 0.9]},
          "adam_debias (a **kwargs group key): η = lr·r_t, not lr·r_t/(1 − b1ᵗ); betas (0.9, 0.9) rectify from step 6 "
          "(ρ∞ = 19); catches the key ignored."),
        R("k1-lr-schedule", {"lr": 0.02, "k": 1, "alpha": 0.3},
          "k 1 (a sync every step) and a changing lr: catches a cached lr and the sync skipped on the first step.",
          lr_base=0.02),
        R("per-param-zero", {"lr": 0.01, "foreach": False},
          "foreach=False (the per-parameter path); a matrix at exactly 0 and a vector whose gradient is always 0.",
          zero_params=(0,), zero_grads=(1,)),
        E(N, "invalid-lr", {"lr": -0.001}, "A negative lr: NegativeLRError's wording."),
        E(N, "invalid-beta1", {"betas": [1.0, 0.999]}, "beta1 must be in [0, 1): validate_betas' wording."),
        E(N, "invalid-beta2", {"betas": [0.95, -0.5]}, "beta2 must be in [0, 1)."),
        E(N, "invalid-alpha", {"alpha": 1.5}, "alpha must be in [0, 1] (closed; validated after betas)."),
        E(N, "invalid-k", {"k": 0}, "k must be positive (validated after alpha)."),
        E(N, "invalid-weight-decay", {"weight_decay": -0.1}, "Negative weight_decay (validated after k)."),
        E(N, "invalid-eps", {"eps": -1e-8}, "Negative eps (validated last)."),
    ]
    return Fixture("pytorch_optimizer/Ranger.json", SOURCE.format(N), cases)


RANGER21_SHAPES = [(3, 4), (5,), (2, 3, 2), (2, 2, 1, 2)]
RANGER21_STEPS = 20


@FILES.file("pytorch_optimizer/Ranger21.json")
def pytorch_optimizer_ranger21():
    N = "Ranger21"

    def R(tag, hp, description, steps=RANGER21_STEPS, lr_base=None, **inputs):
        return gen_lion_lamb.replay_case(C, N, tag, hp, description, steps=steps, lr_base=lr_base,
                                         shapes=RANGER21_SHAPES, **inputs)

    cases = [
        R("defaults", {"num_iterations": 20},
          "pytorch_optimizer.Ranger21 defaults over num_iterations 20: warmup 4 steps (⌈2/(1 − b2)⌉ = 2000 is over 45% "
          "of 20, so int(0.22·20)), warmdown over the last 6 (from step 14, to warm_down_min_lr 3e-5 from the "
          "constructor's lr), agc 1e-2, the gradient centralized and normalized TWICE (before the variance and again "
          "before the momentum), S = 1 + Σ v/(1 − b2ᵗ), stable decay 1e-4·lr/σ, norm loss 1e-4, softplus 50, "
          "positive-negative momenta alternating, Lookahead every 5 steps; catches the second preprocessing left out, "
          "S started at 0, the momenta not alternating and the lookahead left out."),
        R("no-schedule-lr", {"num_iterations": 20, "disable_lr_scheduler": True, "lr": 0.01, "weight_decay": 0.1},
          "disable_lr_scheduler with lr 0.01 and a changing lr (the step's lr used as it is), weight_decay 0.1: "
          "catches the schedule applied anyway and a cached lr.", lr_base=0.01),
        R("explicit-warmup-warmdown", {"num_iterations": 30, "num_warm_up_iterations": 2, "num_warm_down_iterations": 5,
                                       "warm_down_min_lr": 1e-4, "lr": 0.01},
          "num_warm_up_iterations 2 and num_warm_down_iterations 5 given (steps 26–30 warm down to 1e-4 — past "
          "the 20 steps replayed only the warmup binds), lr 0.01; catches the defaults used instead."),
        R("flags-off", {"num_iterations": 20, "use_softplus": False, "centralize_gradients": False,
                        "normalize_gradients": False, "lr": 0.01},
          "softplus, centralization and normalization off: the raw clipped gradient and √v̂/√(1 − b2ᵗ) + eps; catches "
          "any of them applied anyway."),
        R("agc-lookahead", {"num_iterations": 20, "agc_clipping_value": 0.5, "agc_eps": 0.1, "lookahead_merge_time": 3,
                            "lookahead_blending_alpha": 0.8, "beta0": 0.5, "lr": 0.01},
          "agc_clipping_value 0.5 and agc_eps 0.1 (some rows clipped, some not), Lookahead every 3 steps with alpha "
          "0.8, beta0 0.5; catches the keywords ignored and alpha weighting the slow weights."),
        R("decay-forms", {"num_iterations": 20, "weight_decay": 0.5, "fixed_decay": True, "norm_loss_factor": 0.1,
                          "lr": 0.01},
          "fixed_decay: w·(1 − wd/σ), not × lr; norm_loss_factor 0.1; catches fixed_decay ignored and the norm loss "
          "ignored."),
        R("no-decouple-maximize", {"num_iterations": 20, "weight_decay": 0.5, "weight_decouple": False,
                                   "maximize": True, "lr": 0.01},
          "weight_decouple False: NO weight decay at all (apply_weight_decay gets no gradient to add it to); maximize "
          "negates g first; catches coupled decay added to g."),
        R("adam-debias-betas", {"num_iterations": 20, "adam_debias": True, "betas": [0.8, 0.99], "lr": 0.01},
          "adam_debias (a **kwargs group key): η = lr_t, not lr_t/(1 − b1ᵗ); betas (0.8, 0.99); catches the key "
          "ignored and b1² for the momentum's rate replaced by b1."),
        R("per-param-zero", {"num_iterations": 20, "foreach": False, "lr": 0.01},
          "foreach=False (the per-parameter path); a matrix at exactly 0 (agc's floor agc_eps binds, the norm loss's "
          "1/(0 + eps)) and a vector whose gradient is always 0 (softplus of eps: log 2/50).",
          zero_params=(0,), zero_grads=(1,)),
        E(N, "missing-num-iterations", {}, "num_iterations is required: Python's TypeError."),
        E(N, "invalid-lr", {"num_iterations": 20, "lr": -0.001}, "A negative lr: NegativeLRError's wording."),
        E(N, "invalid-min-lr", {"num_iterations": 20, "warm_down_min_lr": -1e-5},
          "A negative warm_down_min_lr, checked as a learning rate (NegativeLRError) before betas."),
        E(N, "invalid-beta1", {"num_iterations": 20, "betas": [1.0, 0.999]}, "beta1 must be in [0, 1)."),
        E(N, "invalid-beta0", {"num_iterations": 20, "beta0": 1.0}, "beta0 must be in [0, 1) (after betas)."),
        E(N, "invalid-weight-decay", {"num_iterations": 20, "weight_decay": -0.1}, "Negative weight_decay."),
        E(N, "invalid-agc-clipping-value", {"num_iterations": 20, "agc_clipping_value": -1.0},
          "Negative agc_clipping_value (before eps)."),
        E(N, "invalid-eps", {"num_iterations": 20, "eps": -1e-8}, "Negative eps (before agc_eps)."),
        E(N, "invalid-agc-eps", {"num_iterations": 20, "agc_eps": -1e-3}, "Negative agc_eps (validated last)."),
    ]
    return Fixture("pytorch_optimizer/Ranger21.json", SOURCE.format(N), cases)


def generate():
    return FILES.build_all()
