// MADGRADVariants.swift — known-wrong variants of MADGRAD (optax.contrib.madgrad,
// pytorch_optimizer.MADGRAD): the mistakes a port of the dual-averaging method makes.
// Appended to `KnownWrong.all`; the fixtures of reference/gen_madgrad.py catch every one
// (MADGRADTests asserts it).
import DescentCore
import DescentJSON

package let madgradVariants: [KnownWrongVariant] = [
    KnownWrongVariant("madgrad-square-root", "MADGRAD's σ = √G + eps (Adagrad's root) instead of the cube root ∛G + eps", .changing(MADGRADFamily.self) { x in
        guard !x.squareRoot else { return false }
        x.squareRoot = true; return true
    }),
    KnownWrongVariant("madgrad-ema-accumulators", "MADGRAD's dual averaging replaced by EMAs (G ← β·G + (1 − β)·λ·g², s ← β·s + (1 − β)·λ·g with β = momentum) instead of λ-weighted sums", .changing(MADGRADFamily.self) { x in
        guard !x.accumulateAsEMA, x.momentum != 0 else { return false }
        x.accumulateAsEMA = true; return true
    }),
    KnownWrongVariant("madgrad-decay-in-s-only", "MADGRAD's coupled weight decay added to the gradient of s only (G of the raw gradient) instead of to the gradient of both", .changing(MADGRADFamily.self) { x in
        guard x.weightDecay != 0, x.form == .optax || !x.decoupledDecay, !x.decayInSumOnly else { return false }
        x.decayInSumOnly = true; return true
    }),
    KnownWrongVariant("madgrad-eps-not-in-lr", "MADGRAD's λ = lr·√(k + 1) (eps not added to the lr, as the paper writes it) instead of (lr + eps)·√(k + 1)", .changing(MADGRADFamily.self) { x in
        guard !x.epsNotInLR else { return false }
        x.epsNotInLR = true; return true
    }),
    KnownWrongVariant("madgrad-decay-from-new-weights", "pytorch_optimizer MADGRAD's weight_decouple decay taken from the post-step weights instead of the pre-step ones (p_old)", .changing(MADGRADFamily.self) { x in
        guard x.form == .pytorchOptimizer, x.decoupledDecay, x.weightDecay > 0, !x.decayFromNewWeights else { return false }
        x.decayFromNewWeights = true; return true
    }),
    KnownWrongVariant("madgrad-x0-kept-at-momentum-zero", "pytorch_optimizer MADGRAD at momentum 0 with x0 kept at the initial params (optax's form) instead of rebuilt as w + s/rms_old each step", .changing(MADGRADFamily.self) { x in
        guard x.form == .pytorchOptimizer, x.momentum == 0, !x.keepInitialX0 else { return false }
        x.keepInitialX0 = true; return true
    }),
]
