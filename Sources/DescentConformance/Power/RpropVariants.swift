// RpropVariants.swift — known-wrong variants of Rprop: the mistakes its ports make. Appended to
// `KnownWrong.all`; the fixtures of reference/gen_rprop.py catch every one (RpropTests asserts it).
import DescentCore
import DescentJSON

private func rprop(_ change: @escaping @Sendable (inout RpropFamily) -> Bool) -> KnownWrongVariant.Mistake {
    .changing(RpropFamily.self, change)
}

package let rpropVariants: [KnownWrongVariant] = [
    KnownWrongVariant("rprop-no-zeroing-on-sign-change", "Rprop without the zeroing on a sign change: the flip still steps by sign(g)·η and is remembered as prev (the original Rprop without weight-backtracking, not the iRprop− that torch and optax implement)", rprop { x in
        guard x.zeroOnSignChange else { return false }
        x.zeroOnSignChange = false; return true
    }),
    KnownWrongVariant("rprop-step-sizes-unclamped", "Rprop's step sizes not clamped to [min, max]: they grow and shrink geometrically without bounds", rprop { x in
        guard x.clampStepSizes else { return false }
        x.clampStepSizes = false; return true
    }),
    KnownWrongVariant("rprop-optax-current-update", "optax rprop 'fixed': this step's update η·sign(g) applied, where optax applies the one computed a step earlier (its first step moves nothing)", rprop { x in
        guard x.form == .optax, x.emitsPreviousUpdate else { return false }
        x.emitsPreviousUpdate = false; return true
    }),
]
