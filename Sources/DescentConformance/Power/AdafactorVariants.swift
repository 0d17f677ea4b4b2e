// AdafactorVariants.swift — known-wrong variants of Adafactor: the mistakes its ports make. To be
// appended to `KnownWrong.all`; the fixtures of reference/gen_adafactor.py and gen_transformers.py
// catch every one (AdafactorTests and TransformersTests assert it).
import DescentCore
import DescentJSON

private func adafactor(_ change: @escaping @Sendable (inout AdafactorFamily) -> Bool) -> KnownWrongVariant.Mistake {
    .changing(AdafactorFamily.self, change)
}

package let adafactorVariants: [KnownWrongVariant] = [
    KnownWrongVariant("adafactor-no-update-clipping", "Adafactor without update clipping: u used as is instead of u/max(1, RMS(u)/d)", adafactor { x in
        guard x.clipThreshold != nil else { return false }
        x.clipThreshold = nil; return true
    }),
    KnownWrongVariant("adafactor-row-col-swapped", "Adafactor's row and column statistics swapped: v̂ᵢⱼ = rⱼ·cᵢ/m (the row mean taken where the column mean belongs)", adafactor { x in
        guard x.factoring != .off else { return false }
        x.rowColSwapped = true; return true
    }),
    KnownWrongVariant("adafactor-relative-step-ignored", "Adafactor's relative step ignored: ρ = lr instead of min(lr, 1/√t)", adafactor { x in
        guard x.relativeStep else { return false }
        x.relativeStep = false; return true
    }),
    KnownWrongVariant("adafactor-scale-parameter-dropped", "Adafactor's parameter scale dropped: α = ρ instead of max(eps2, RMS(w))·ρ (transformers' scale_parameter, torch's and Keras's eps2, optax's multiply_by_parameter_scale)", adafactor { x in
        guard x.paramScaleFloor != nil else { return false }
        x.paramScaleFloor = nil; return true
    }),
    KnownWrongVariant("adafactor-warmup-init-ignored", "transformers Adafactor's warmup_init ignored: ρ = min(1e-2, 1/√t) instead of min(1e-6·t, 1/√t)", adafactor { x in
        guard x.relativeStep, case .warmup = x.relativeStepCap else { return false }
        x.relativeStepCap = .constant(1e-2); return true
    }),
    KnownWrongVariant("adafactor-constant-beta2", "Adafactor's β₂ decay not applied: a constant β₂ = 0.999 instead of 1 − t^τ", adafactor { x in
        guard x.constantBeta2 == nil else { return false }
        x.constantBeta2 = 0.999; return true
    }),
]
