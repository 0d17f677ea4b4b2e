// DAdaptationVariants.swift — known-wrong variants of D-Adaptation Adam (dadaptation.DAdaptAdam,
// optax.contrib.dadapt_adamw). Appended to `KnownWrong.all`; the fixtures of
// reference/gen_dadaptation.py catch every one (DAdaptationTests asserts it).
import DescentCore
import DescentJSON

/// A variant of the D-Adaptation families, through the same-named knob of each (nil: not Lion's).
private func both(_ adam: @escaping @Sendable (inout DAdaptAdamFamily) -> Bool,
                  _ sgd: @escaping @Sendable (inout DAdaptSGDFamily) -> Bool,
                  _ lion: (@Sendable (inout DAdaptLionFamily) -> Bool)? = nil,
                  adagrad: (@Sendable (inout DAdaptAdaGradFamily) -> Bool)? = nil,
                  adan: (@Sendable (inout DAdaptAdanFamily) -> Bool)? = nil) -> KnownWrongVariant.Mistake {
    .family { f in
        if var x = f as? DAdaptAdamFamily { return adam(&x) ? x : nil }
        if var x = f as? DAdaptSGDFamily { return sgd(&x) ? x : nil }
        if let lion, var x = f as? DAdaptLionFamily { return lion(&x) ? x : nil }
        if let adagrad, var x = f as? DAdaptAdaGradFamily { return adagrad(&x) ? x : nil }
        if let adan, var x = f as? DAdaptAdanFamily { return adan(&x) ? x : nil }
        return nil
    }
}

package let dadaptationVariants: [KnownWrongVariant] = [
    KnownWrongVariant("dadapt-d-per-tensor", "D-Adaptation's d estimate per tensor (each tensor's own numerator and ‖s‖) instead of one sum over all the tensors", both(
        { x in guard !x.perTensorD else { return false }; x.perTensorD = true; return true },
        { x in guard !x.perTensorD else { return false }; x.perTensorD = true; return true },
        { x in guard !x.perTensorD else { return false }; x.perTensorD = true; return true },
        adagrad: { x in guard !x.perTensorD else { return false }; x.perTensorD = true; return true },
        adan: { x in guard !x.perTensorD else { return false }; x.perTensorD = true; return true })),
    KnownWrongVariant("dadapt-d-shrinks", "D-Adaptation's d set to the estimate d̂ (capped by growth_rate) without the max(d, ·): d may shrink", both(
        { x in guard !x.allowShrink else { return false }; x.allowShrink = true; return true },
        { x in guard !x.allowShrink else { return false }; x.allowShrink = true; return true },
        { x in guard !x.allowShrink else { return false }; x.allowShrink = true; return true },
        adagrad: { x in guard !x.allowShrink else { return false }; x.allowShrink = true; return true },
        adan: { x in guard !x.allowShrink else { return false }; x.allowShrink = true; return true })),
    KnownWrongVariant("dadapt-growth-rate-ignored", "D-Adaptation's growth_rate cap missing: d ← max(d, d̂) with no min(·, d·growth_rate)", both(
        { x in guard x.growthRate.isFinite else { return false }; x.growthRate = .infinity; return true },
        { x in guard x.growthRate.isFinite else { return false }; x.growthRate = .infinity; return true },
        adagrad: { x in guard x.growthRate.isFinite else { return false }; x.growthRate = .infinity; return true },
        adan: { x in guard x.growthRate.isFinite else { return false }; x.growthRate = .infinity; return true })),
    KnownWrongVariant("dadapt-s-unweighted", "D-Adaptation's s accumulator of the raw gradients (s ← √β₂·s + (1 − √β₂)·g) instead of weighted by dlr = d·lr", .changing(DAdaptAdamFamily.self) { x in
        guard !x.unweightedS else { return false }
        x.unweightedS = true; return true
    }),
    KnownWrongVariant("dadapt-bias-correction-forced", "DAdaptAdam's bias correction √(1 − β₂ᵏ⁺¹)/(1 − β₁ᵏ⁺¹) applied although use_bias_correction is off (its default; optax's dadapt_adamw always applies it)", .changing(DAdaptAdamFamily.self) { x in
        guard !x.biasCorrection else { return false }
        x.biasCorrection = true; return true
    }),
    KnownWrongVariant("dadapt-step-with-new-d", "D-Adaptation's step taken at the new d (dlr recomputed after the d update) instead of the old d that m and the decay carry", .changing(DAdaptAdamFamily.self) { x in
        guard !x.stepWithNewD else { return false }
        x.stepWithNewD = true; return true
    }),
    KnownWrongVariant("dadapt-no-early-return", "DAdaptAdam's step completed when ‖s‖₁ = 0 (every gradient 0 so far): the decoupled decay applied and k advanced, where the library returns first", .changing(DAdaptAdamFamily.self) { x in
        guard x.form == .dadaptation, !x.noEarlyReturn else { return false }
        x.noEarlyReturn = true; return true
    }),
    KnownWrongVariant("dadapt-sgd-decay-in-g0", "DAdaptSGD's g0 = ‖g‖ taken of the decayed gradient g + wd·w (the library's `grad.add` there is not in place: g0 is of the raw gradient)", .changing(DAdaptSGDFamily.self) { x in
        guard x.weightDecay != 0, !x.decayInG0 else { return false }
        x.decayInG0 = true; return true
    }),
    KnownWrongVariant("dadapt-lion-m-unweighted", "DAdaptLion's momentum of the raw gradient (m ← β₂·m + (1 − β₂)·g) where the library weights it by dlr = d·lr (so its m is tiny beside the g inside the sign)", .changing(DAdaptLionFamily.self) { x in
        guard !x.unweightedM else { return false }
        x.unweightedM = true; return true
    }),
    KnownWrongVariant("dadapt-adagrad-alpha-from-zero", "DAdaptAdaGrad's accumulator alphak started at 0 where the library fills it with 1e-6 (its first denominators √(g²) + eps instead of √(1e-6 + g²) + eps)", .changing(DAdaptAdaGradFamily.self) { x in
        guard !x.alphaFromZero else { return false }
        x.alphaFromZero = true; return true
    }),
    KnownWrongVariant("dadapt-adan-prox-swapped", "DAdaptAdan's two decays swapped: w·(1 − dlr·wd) − step where the library divides, (w − step)/(1 + dlr·wd) (no_prox False, its default), or the other way round", .changing(DAdaptAdanFamily.self) { x in
        guard x.weightDecay != 0, !x.proxSwapped else { return false }
        x.proxSwapped = true; return true
    }),
    KnownWrongVariant("dadapt-adan-first-diff-from-zero", "DAdaptAdan's first gradient difference g − 0 (pre_grad starting at 0) where the library sets pre_grad = g at a tensor's first step, so δ = 0 there", .changing(DAdaptAdanFamily.self) { x in
        guard !x.firstDiffFromZero else { return false }
        x.firstDiffFromZero = true; return true
    }),
]
