// PytorchOptimizerCAMERangerVariants.swift — known-wrong variants of pytorch_optimizer.CAME,
// pytorch_optimizer.Ranger and Ranger21 (pytorch-optimizer 4.1.0): the mistakes of a port of each.
// Appended to `KnownWrong.all`; the fixtures pytorch_optimizer/CAME.json, Ranger.json and Ranger21.json
// (reference/gen_came_ranger.py) catch every one (PytorchOptimizerCAMERangerTests asserts it). The
// RAdam variant radam-threshold-off-by-one applies to Ranger's RAdam too.
import DescentCore

package let pytorchOptimizerCAMERangerVariants: [KnownWrongVariant] = [
    // MARK: CAME
    KnownWrongVariant("came-no-update-clipping", "CAME without its update clipping: u·g used as is instead of divided by max(1, RMS/clip_threshold)", .changing(CAMEFamily.self) { x in
        guard x.clipping else { return false }
        x.clipping = false; return true
    }),
    KnownWrongVariant("came-instability-from-previous-momentum", "CAME's instability (u − m)² taken with the momentum before this step's update instead of the new m", .changing(CAMEFamily.self) { x in
        guard !x.residualFromPreviousMomentum else { return false }
        x.residualFromPreviousMomentum = true; return true
    }),
    KnownWrongVariant("came-no-confidence", "CAME without the confidence factor: factored tensors step by the momentum alone (Adafactor with momentum)", .changing(CAMEFamily.self) { x in
        guard x.confidence else { return false }
        x.confidence = false; return true
    }),
    KnownWrongVariant("came-row-col-swapped", "CAME's factored statistics swapped: rsqrt(c/mean(c)) ⊗ rsqrt(r) on square slices (the row and column means exchanged)", .changing(CAMEFamily.self) { x in
        guard !x.rowColSwapped else { return false }
        x.rowColSwapped = true; return true
    }),
    KnownWrongVariant("came-ams-bound-of-v", "CAME's ams_bound as AMSGrad's running max of v̂ itself, rsqrt(max v̂), where the library keeps the max of 1/u = √v̂ and takes rsqrt(max/β₂)", .changing(CAMEFamily.self) { x in
        guard x.amsBound, x.amsBoundOfRoot else { return false }
        x.amsBoundOfRoot = false; return true
    }),

    // MARK: Ranger
    KnownWrongVariant("lookahead-never-syncs", "Lookahead's sync left out: the weights never pulled back to the slow weights (the inner optimizer alone)", .changing(LookaheadFamily.self) { x in
        guard x.syncs else { return false }
        x.syncs = false; return true
    }),
    KnownWrongVariant("lookahead-slow-weights-never-updated", "Lookahead's slow weights kept at the initial weights: w ← lerp(φ₀, w, α) at each sync, φ never moved", .changing(LookaheadFamily.self) { x in
        guard x.syncs, x.keepsSlow else { return false }
        x.keepsSlow = false; return true
    }),
    KnownWrongVariant("lookahead-alpha-toward-slow", "Lookahead's alpha weighting the slow weights (w ← lerp(w, φ, α)) instead of the fast ones (φ ← lerp(φ, w, α))", .changing(LookaheadFamily.self) { x in
        guard x.syncs, !x.alphaTowardSlow, x.alpha != 0.5 else { return false }
        x.alphaTowardSlow = true; return true
    }),
    KnownWrongVariant("lookahead-sync-one-step-early", "Lookahead synced on (t − 1) mod k = 0 (the counter read before its increment: steps 1, k + 1, …) instead of t mod k = 0", .changing(LookaheadFamily.self) { x in
        guard x.syncs, x.k > 1, !x.countedBefore else { return false }
        x.countedBefore = true; return true
    }),
    KnownWrongVariant("ranger-gc-ignored", "Ranger's use_gc (default True) ignored: no gradient centralization", .family { f in
        (f as? CentralizedFamily)?.inner
    }),
    KnownWrongVariant("ranger-gc-on-vectors", "Ranger's gradient centralization applied to 1-D tensors too (their whole mean subtracted), where the library centralizes only tensors of > 1 dims", .changing(CentralizedFamily.self) { x in
        guard x.above == 1 else { return false }
        x.above = 0; return true
    }),
    KnownWrongVariant("ranger-gc-conv-only-ignored", "Ranger's gc_conv_only ignored: tensors of 2 and 3 dims centralized as well as those of > 3", .changing(CentralizedFamily.self) { x in
        guard x.above == 3 else { return false }
        x.above = 1; return true
    }),
    KnownWrongVariant("ranger-negative-step-guarded", "Ranger given the η > 0 guard of pytorch_optimizer's RAdam: no step below n_sma_threshold without degenerated_to_sgd, where Ranger steps by −η·m with η = −lr/(1 − β₁ᵗ) (up the gradient)", .changing(RAdamFamily.self) { x in
        guard var po = x.pytorchOptimizer, !po.guardsNegativeStep, !po.degeneratedToSGD else { return false }
        po.guardsNegativeStep = true
        x.pytorchOptimizer = po; return true
    }),
    KnownWrongVariant("ranger-degenerated-to-sgd-ignored", "Ranger's degenerated_to_sgd ignored: r_t = −1 below the threshold (a step up the gradient) instead of an SGD step down it", .changing(RAdamFamily.self) { x in
        guard var po = x.pytorchOptimizer, po.degeneratedToSGD else { return false }
        po.degeneratedToSGD = false
        x.pytorchOptimizer = po; return true
    }),
    KnownWrongVariant("ranger-adam-debias-ignored", "Ranger's adam_debias (a **kwargs group key) ignored: η divided by 1 − β₁ᵗ anyway", .changing(RAdamFamily.self) { x in
        guard var po = x.pytorchOptimizer, po.adamDebias else { return false }
        po.adamDebias = false
        x.pytorchOptimizer = po; return true
    }),

    // MARK: Ranger21
    KnownWrongVariant("ranger21-gradient-preprocessed-once", "Ranger21's gradient centralized and normalized once, where the library does it again (on the already preprocessed gradient) before the momentum", .changing(Ranger21Family.self) { x in
        guard x.preprocessTwice, x.centralize || x.normalize else { return false }
        x.preprocessTwice = false; return true
    }),
    KnownWrongVariant("ranger21-variance-sum-from-zero", "Ranger21's stable-decay σ = √(S/N) with S summed from 0 instead of the library's 1.0", .changing(Ranger21Family.self) { x in
        guard x.varianceSumStart == 1 else { return false }
        x.varianceSumStart = 0; return true
    }),
    KnownWrongVariant("ranger21-momenta-not-alternating", "Ranger21's positive-negative momentum with grad_ma always the one updated (never swapped with neg_grad_ma on even steps)", .changing(Ranger21Family.self) { x in
        guard x.alternates else { return false }
        x.alternates = false; return true
    }),
    KnownWrongVariant("ranger21-schedule-ignored", "Ranger21's built-in warmup and warmdown left out (lr used as it is)", .changing(Ranger21Family.self) { x in
        guard x.schedule != nil else { return false }
        x.schedule = nil; return true
    }),
]
