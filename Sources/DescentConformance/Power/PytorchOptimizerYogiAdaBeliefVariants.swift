// PytorchOptimizerYogiAdaBeliefVariants.swift — known-wrong variants of pytorch_optimizer.Yogi and
// pytorch_optimizer.AdaBelief (pytorch-optimizer 4.1.0): the mistakes of a port of their extra
// flags. Appended to `KnownWrong.all`; the fixtures pytorch_optimizer/Yogi.json and AdaBelief.json
// (reference/gen_pytorch_optimizer_more.py) catch every one (PytorchOptimizerYogiAdaBeliefTests
// asserts it). The optax variants (yogiAdaBeliefVariants: Adam's second moment, moments from 0, eps
// under the root instead of into the state) apply to these forms too.
import DescentCore
import DescentJSON

/// weight_decouple's default read as False: the decoupled decay applied as Adam's L2 instead.
private func coupledForDecoupled(_ d: inout LionDecay) -> Bool {
    guard case let .decoupled(l) = d else { return false }
    d = .coupled(l); return true
}

package let pytorchOptimizerYogiAdaBeliefVariants: [KnownWrongVariant] = [
    KnownWrongVariant("po-yogi-coupled-decay", "pytorch_optimizer.Yogi's weight_decay added to the gradient (L2) instead of decoupled w·(1 − lr·wd), its default weight_decouple=True", .changing(YogiFamily.self) { x in
        guard x.form == .pytorchOptimizer else { return false }
        return coupledForDecoupled(&x.decay)
    }),
    KnownWrongVariant("po-yogi-adam-debias-ignored", "pytorch_optimizer.Yogi's adam_debias (a **kwargs group key) ignored: the step still divided by 1 − b1ᵗ", .changing(YogiFamily.self) { x in
        guard x.form == .pytorchOptimizer, x.adamDebias else { return false }
        x.adamDebias = false; return true
    }),
    KnownWrongVariant("po-adabelief-coupled-decay", "pytorch_optimizer.AdaBelief's weight_decay added to the gradient (L2) instead of decoupled w·(1 − lr·wd), its default weight_decouple=True", .changing(AdaBeliefFamily.self) { x in
        guard x.form == .pytorchOptimizer else { return false }
        return coupledForDecoupled(&x.decay)
    }),
    KnownWrongVariant("po-adabelief-ams-bound-ignored", "pytorch_optimizer.AdaBelief's ams_bound ignored: the denominator from s instead of its running maximum", .changing(AdaBeliefFamily.self) { x in
        guard x.form == .pytorchOptimizer, x.amsBound else { return false }
        x.amsBound = false; return true
    }),
    KnownWrongVariant("po-adabelief-rectify-ignored", "pytorch_optimizer.AdaBelief's rectify ignored: the plain bias-corrected step at every t", .changing(AdaBeliefFamily.self) { x in
        guard x.form == .pytorchOptimizer, x.rectify else { return false }
        x.rectify = false; return true
    }),
    KnownWrongVariant("po-adabelief-rectified-root-corrected", "pytorch_optimizer.AdaBelief's rectified step with √s divided by √(1 − b2ᵗ) (RAdam papers' form) where the library divides by nothing", .changing(AdaBeliefFamily.self) { x in
        guard x.form == .pytorchOptimizer, x.rectify, !x.rectifiedRootCorrection else { return false }
        x.rectifiedRootCorrection = true; return true
    }),
    KnownWrongVariant("po-adabelief-no-sgd-phase", "pytorch_optimizer.AdaBelief's rectify skipping the steps below n_sma_threshold (degenerated_to_sgd read as False) instead of the SGD step lr/(1 − b1ᵗ)·m", .changing(AdaBeliefFamily.self) { x in
        guard x.form == .pytorchOptimizer, x.rectify, x.degeneratedToSGD else { return false }
        x.degeneratedToSGD = false; return true
    }),
]

/// pytorch_optimizer.Adan's porting mistakes (pytorch_optimizer/Adan.json catches each).
package let pytorchOptimizerAdanVariants: [KnownWrongVariant] = [
    KnownWrongVariant("po-adan-one-minus-beta2", "pytorch_optimizer.Adan with optax's / the paper's 1 − b2 weighting the gradient difference (in n and in the v step) where the library's official form uses b2", .changing(AdanFamily.self) { x in
        guard x.form == .pytorchOptimizer, !x.oneMinusBeta2Difference else { return false }
        x.oneMinusBeta2Difference = true; return true
    }),
    KnownWrongVariant("po-adan-decoupled-for-proximal", "pytorch_optimizer.Adan's default weight decay (weight_decouple False: the proximal w/(1 + lr·wd) after the step) applied as decoupled w·(1 − lr·wd)", .changing(AdanFamily.self) { x in
        guard x.form == .pytorchOptimizer, x.weightDecay != 0, !x.decouple else { return false }
        x.decouple = true; return true
    }),
    KnownWrongVariant("po-adan-no-clip", "pytorch_optimizer.Adan's max_grad_norm ignored (no global gradient clip)", .changing(AdanFamily.self) { x in
        guard x.form == .pytorchOptimizer, x.maxGradNorm != 0 else { return false }
        x.maxGradNorm = 0; return true
    }),
    KnownWrongVariant("po-adan-maximize-zero-first-difference", "pytorch_optimizer.Adan's first g_prev taken after maximize's negation (d = 0), where the library sets it from the raw gradient so the first difference is 2·(−g)", .changing(AdanFamily.self) { x in
        guard x.form == .pytorchOptimizer, x.maximize, !x.firstPreviousAfterMaximize else { return false }
        x.firstPreviousAfterMaximize = true; return true
    }),
]

/// pytorch_optimizer.StableAdamW: the two parts that make it StableAdamW rather than AdamW.
package let pytorchOptimizerStableAdamWVariants: [KnownWrongVariant] = [
    KnownWrongVariant("stableadamw-no-rms-clip", "StableAdamW without its update clipping: lr used as is instead of lr/max(1, √mean(g²/max(v, ε²))) per tensor", .changing(StableAdamWFamily.self) { x in
        guard x.rmsClip else { return false }
        x.rmsClip = false; return true
    }),
    KnownWrongVariant("stableadamw-plain-betas", "StableAdamW with plain β₁, β₂ as the EMA rates instead of the debiased (βᵗ − β)/(βᵗ − 1) (uncorrected moments that start at zero)", .changing(StableAdamWFamily.self) { x in
        guard x.debiasedBetas else { return false }
        x.debiasedBetas = false; return true
    }),
]
