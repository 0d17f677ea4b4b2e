// AdEMAMixVariants.swift — known-wrong variants of AdEMAMix (optax.contrib.ademamix,
// pytorch_optimizer.AdEMAMix) and Simplified AdEMAMix (optax.contrib.simplified_ademamix,
// pytorch_optimizer.SimplifiedAdEMAMix). Appended to `KnownWrong.all`; the fixtures of
// reference/gen_ademamix.py catch every one (AdEMAMixTests asserts it).
import DescentCore
import DescentJSON

private func ademamix(_ change: @escaping @Sendable (inout AdEMAMixFamily) -> Bool) -> KnownWrongVariant.Mistake {
    .changing(AdEMAMixFamily.self, change)
}

package let ademamixVariants: [KnownWrongVariant] = [
    KnownWrongVariant("ademamix-slow-ema-bias-corrected", "AdEMAMix with the slow EMA m₂ bias-corrected by 1 − β₃ᵗ like m₁ (neither library corrects it: it fills slowly on purpose)", ademamix { x in
        guard !x.correctSlowMoment else { return false }
        x.correctSlowMoment = true; return true
    }),
    KnownWrongVariant("ademamix-no-beta3-warmup", "AdEMAMix with β₃ constant from the first step: t_alpha_beta3 (or optax's b3 schedule) ignored for β₃", ademamix { x in
        guard !x.skipBeta3Warmup, x.beta3WarmsUp else { return false }
        x.skipBeta3Warmup = true; return true
    }),
    KnownWrongVariant("ademamix-no-alpha-warmup", "AdEMAMix with α constant from the first step: t_alpha_beta3 (or optax's alpha schedule) ignored for α", ademamix { x in
        guard !x.skipAlphaWarmup, x.alphaWarmsUp else { return false }
        x.skipAlphaWarmup = true; return true
    }),
    KnownWrongVariant("simplified-ademamix-ema-momentum", "optax's Simplified AdEMAMix with an EMA m ← β₁·m + (1 − β₁)·g instead of its accumulator m ← β₁·m + g", .changing(SimplifiedAdEMAMixFamily.self) { x in
        guard x.form == .optax, !x.emaMomentum else { return false }
        x.emaMomentum = true; return true
    }),
    KnownWrongVariant("simplified-ademamix-adam-denominator", "pytorch_optimizer's SimplifiedAdEMAMix with Adam's √(v/den_sum) + ε instead of its (√v + √den_sum·ε)·√den_sum", .changing(SimplifiedAdEMAMixFamily.self) { x in
        guard x.form == .pytorchOptimizer, !x.adamDenominator else { return false }
        x.adamDenominator = true; return true
    }),
    KnownWrongVariant("simplified-ademamix-no-beta1-warmup", "SimplifiedAdEMAMix with β₁ constant: beta1_warmup ignored", .changing(SimplifiedAdEMAMixFamily.self) { x in
        guard !x.skipBeta1Warmup, (x.beta1Warmup ?? 0) != 0 else { return false }
        x.skipBeta1Warmup = true; return true
    }),
]
