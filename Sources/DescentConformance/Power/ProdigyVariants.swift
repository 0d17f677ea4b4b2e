// ProdigyVariants.swift — known-wrong variants of Prodigy (prodigyopt.Prodigy, optax.contrib.prodigy,
// pytorch_optimizer.Prodigy).
// Appended to `KnownWrong.all`; the fixtures of reference/gen_prodigy.py catch every one
// (ProdigyTests asserts it).
import DescentCore
import DescentJSON

package let prodigyVariants: [KnownWrongVariant] = [
    KnownWrongVariant("prodigy-estimate-per-tensor", "Prodigy's numerator ⟨g, p0 − w⟩ and Σ|s| summed per tensor, one d per tensor, instead of one estimate over every tensor", .changing(ProdigyFamily.self) { x in
        guard !x.perTensorEstimate else { return false }
        x.perTensorEstimate = true; return true
    }),
    KnownWrongVariant("prodigy-beta3-is-beta2", "Prodigy's beta3 None taken as beta2 instead of √beta2", .changing(ProdigyFamily.self) { x in
        guard x.beta3 == nil else { return false }
        x.beta3 = x.beta2; return true
    }),
    KnownWrongVariant("prodigy-d-follows-estimate", "Prodigy's d set to the estimate d̂ every step (no max with d, no growth cap: d may shrink) instead of d never decreasing", .changing(ProdigyFamily.self) { x in
        guard !x.dFollowsEstimate else { return false }
        x.dFollowsEstimate = true; return true
    }),
    KnownWrongVariant("prodigy-growth-rate-ignored", "prodigyopt's growth_rate cap not applied (d ← max d̂ at once)", .changing(ProdigyFamily.self) { x in
        guard x.growthRate.isFinite, !x.uncapped else { return false }
        x.uncapped = true; return true
    }),
    KnownWrongVariant("prodigy-decay-not-scaled-by-d", "Prodigy's decoupled weight decay scaled by lr only (w ← w − λ·lr·w, AdamW's) instead of by dlr = d·lr", .changing(ProdigyFamily.self) { x in
        guard x.weightDecay != 0, x.decouple || x.form == .optax, !x.fixedDecay, !x.decayByLROnly else { return false }
        x.decayByLROnly = true; return true
    }),
    KnownWrongVariant("prodigy-bias-correction-applied", "Prodigy's bias correction √(1 − β₂ᵗ)/(1 − β₁ᵗ) applied although it is off (prodigyopt use_bias_correction, pytorch_optimizer bias_correction; optax's always-on form)", .changing(ProdigyFamily.self) { x in
        guard x.form != .optax, !x.biasCorrection else { return false }
        x.biasCorrection = true; return true
    }),
    KnownWrongVariant("prodigy-no-bias-correction", "optax.contrib.prodigy without its always-on bias correction (prodigyopt's default)", .changing(ProdigyFamily.self) { x in
        guard x.form == .optax, x.biasCorrection else { return false }
        x.biasCorrection = false; return true
    }),
    KnownWrongVariant("prodigy-coupled-decay-applied", "pytorch_optimizer's weight_decouple=False applied as L2 (wd·w added to g before the moments) where the library adds it after them, to no effect", .changing(ProdigyFamily.self) { x in
        guard x.form == .pytorchOptimizer, x.weightDecay != 0, !x.decouple, !x.decayAsL2 else { return false }
        x.decayAsL2 = true; return true
    }),
    KnownWrongVariant("prodigy-step-not-advanced-on-zero-step", "pytorch_optimizer's group step not advanced by a step whose Σ|s| is 0 (prodigyopt's k), which shifts the bias correction", .changing(ProdigyFamily.self) { x in
        guard x.form == .pytorchOptimizer, !x.holdStepOnEmptyStep else { return false }
        x.holdStepOnEmptyStep = true; return true
    }),
    KnownWrongVariant("prodigy-slice-p-ignored", "prodigyopt's slice_p ignored: s, p0 and the numerator over every element", .changing(ProdigyFamily.self) { x in
        guard x.sliceP != 1 else { return false }
        x.sliceP = 1; return true
    }),
]
