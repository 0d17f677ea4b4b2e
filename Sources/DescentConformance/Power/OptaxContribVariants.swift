// OptaxContribVariants.swift — known-wrong variants of optax.contrib dog / dowg, cocob, acprop and
// momo / momo_adam (DoG.swift, COCOB.swift, ACProp.swift, Momo.swift). Appended to
// `KnownWrong.all`; the fixtures of reference/gen_optax_contrib.py catch every one
// (OptaxContribTests asserts it).
import DescentCore

package let optaxContribVariants: [KnownWrongVariant] = [
    KnownWrongVariant("dog-distance-per-tensor", "DoG / DoWG's distance ‖x − x₀‖ and gradient sum taken per tensor (each tensor its own step size) instead of one norm over all the tensors", .changing(DoGFamily.self) { x in
        guard !x.perTensor else { return false }
        x.perTensor = true; return true
    }),
    KnownWrongVariant("dog-r-eps-squared-norm", "DoG's heuristic r_eps = α·(1 + ‖x₀‖²) from the squared norm of the initial parameters instead of α·(1 + ‖x₀‖)", .changing(DoGFamily.self) { x in
        guard x.form == .dog, case .heuristic = x.initStep, !x.rEpsSquaredNorm else { return false }
        x.rEpsSquaredNorm = true; return true
    }),
    KnownWrongVariant("dog-current-distance", "DoG / DoWG's distance estimate set to the current distance ‖x − x₀‖ instead of its running max", .changing(DoGFamily.self) { x in
        guard !x.currentDistance else { return false }
        x.currentDistance = true; return true
    }),
    KnownWrongVariant("dowg-distance-not-squared", "DoWG's step size r̄/(√v + eps) with the distance in place of its square r̄²", .changing(DoGFamily.self) { x in
        guard x.form == .dowg, !x.dowgRootDistance else { return false }
        x.dowgRootDistance = true; return true
    }),
    KnownWrongVariant("cocob-reward-sign", "COCOB's reward moved the wrong way: R ← max(R + c·(w − w₀), 0) instead of R − c·(w − w₀)", .changing(COCOBFamily.self) { x in
        guard !x.rewardSignFlipped else { return false }
        x.rewardSignFlipped = true; return true
    }),
    KnownWrongVariant("cocob-reward-unclamped", "COCOB's reward not clamped at 0 (R ← R − c·(w − w₀))", .changing(COCOBFamily.self) { x in
        guard !x.rewardUnclamped else { return false }
        x.rewardUnclamped = true; return true
    }),
    KnownWrongVariant("cocob-lr-on-update", "optax cocob's learning_rate applied to the update instead of scaling the gradient in front of the betting", .changing(COCOBFamily.self) { x in
        guard !x.lrOnUpdate else { return false }
        x.lrOnUpdate = true; return true
    }),
    KnownWrongVariant("acprop-momentum-numerator", "ACProp's numerator the bias-corrected momentum m̂ (the paper's form) instead of the raw gradient optax divides", .changing(ACPropFamily.self) { x in
        guard !x.momentumNumerator else { return false }
        x.momentumNumerator = true; return true
    }),
    KnownWrongVariant("acprop-synchronous", "ACProp's denominator from the new s (AdaBelief's synchronous update) instead of the previous step's", .changing(ACPropFamily.self) { x in
        guard !x.synchronous else { return false }
        x.synchronous = true; return true
    }),
    KnownWrongVariant("acprop-decay-on-gradient", "acprop's weight decay added to the gradient before the scaling instead of to the scaled update", .changing(ACPropFamily.self) { x in
        guard x.weightDecay != 0, !x.decayOnGradient else { return false }
        x.decayOnGradient = true; return true
    }),
    KnownWrongVariant("momo-lower-bound-unclamped", "Momo's adapted lower bound not clamped at lower_bound (the max(·, lower_bound) of the reset and of the new estimate missing)", .changing(MomoFamily.self) { x in
        guard x.adaptLowerBound, !x.lowerBoundUnclamped else { return false }
        x.lowerBoundUnclamped = true; return true
    }),
    KnownWrongVariant("momo-numerator-unclamped", "Momo's Polyak numerator not clamped at 0: a loss below the bound steps uphill", .changing(MomoFamily.self) { x in
        guard !x.numeratorUnclamped else { return false }
        x.numeratorUnclamped = true; return true
    }),
]
