// ADOPTVariants.swift — known-wrong variants of ADOPT (optax.contrib.adopt, pytorch_optimizer.ADOPT).
// Appended to `KnownWrong.all`; the fixtures of reference/gen_adopt.py catch every one
// (ADOPTTests asserts it).
import DescentCore
import DescentJSON

package let adoptVariants: [KnownWrongVariant] = [
    KnownWrongVariant("adopt-update-at-first-step", "ADOPT's first step moves the parameters (v ← g², then the regular normalised step with it, as Adam's first step) instead of only setting v = g²", .changing(ADOPTFamily.self) { x in
        guard !x.updateAtFirstStep else { return false }
        x.updateAtFirstStep = true; return true
    }),
    KnownWrongVariant("adopt-normalise-after-momentum", "ADOPT's momentum taken of the raw gradient and normalised by max(√v, eps) afterwards (Adam's order) instead of normalising (and clipping) the gradient before the momentum", .changing(ADOPTFamily.self) { x in
        guard !x.normaliseAfterMomentum else { return false }
        x.normaliseAfterMomentum = true; return true
    }),
    KnownWrongVariant("adopt-no-clipping", "ADOPT without its clip of the normalised gradient to ±step^0.25 (optax use_clipping, pytorch_optimizer clip_lambda)", .changing(ADOPTFamily.self) { x in
        guard x.clipping else { return false }
        x.clipping = false; return true
    }),
    KnownWrongVariant("adopt-current-second-moment", "ADOPT's v updated with this step's g² before the normalisation (Adam's order) instead of normalising by the previous step's v", .changing(ADOPTFamily.self) { x in
        guard !x.currentSecondMoment else { return false }
        x.currentSecondMoment = true; return true
    }),
]
