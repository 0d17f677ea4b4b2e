// LionLambVariants.swift — known-wrong variants of Lion, LAMB and LARS: the mistakes their
// implementations (and course slides) make. To be appended to `KnownWrong.all`; the fixtures of
// reference/gen_lion_lamb.py catch every one (LionLambTests asserts it).
import DescentCore
import DescentJSON

private func lion(_ change: @escaping @Sendable (inout LionFamily) -> Bool) -> KnownWrongVariant.Mistake { .changing(LionFamily.self, change) }

private func lamb(_ change: @escaping @Sendable (inout LambFamily) -> Bool) -> KnownWrongVariant.Mistake { .changing(LambFamily.self, change) }

private func lars(_ change: @escaping @Sendable (inout LARSFamily) -> Bool) -> KnownWrongVariant.Mistake { .changing(LARSFamily.self, change) }

package let lionLambVariants: [KnownWrongVariant] = [
    // MARK: Lion
    KnownWrongVariant("lion-one-beta", "the lecture-slide sign form: m ← β·m + (1−β)·g; w ← w − lr·sign(m) (β = β₂), not the paper's two-beta Lion", lion { x in
        guard x.beta1 != x.beta2 else { return false }
        x.beta1 = x.beta2; return true
    }),
    KnownWrongVariant("lion-betas-swapped", "Lion with β₁ (for c) and β₂ (for the momentum) swapped", lion { x in
        guard x.beta1 != x.beta2 else { return false }
        swap(&x.beta1, &x.beta2); return true
    }),
    KnownWrongVariant("lion-decay-not-scaled", "Lion's decoupled decay w·(1 − λ) instead of w·(1 − lr·λ)", lion { x in
        guard case let .decoupled(l) = x.decay else { return false }
        x.decay = .fixed(l); return true
    }),
    KnownWrongVariant("lion-decay-coupled", "Lion's decay added to the gradient (inside the sign) instead of decoupled", lion { x in
        guard case let .decoupled(l) = x.decay else { return false }
        x.decay = .coupled(l); x.form = .pytorchOptimizer; return true
    }),
    // MARK: pytorch_optimizer Tiger and optax signum (Lion with b1 = b2)
    KnownWrongVariant("tiger-sign-of-old-momentum", "Tiger / signum stepping by the sign of the momentum before this step's update (w ← w − lr·sign(mₜ₋₁), then m ← lerp(m, g, 1−β)) instead of the updated one", lion { x in
        guard x.beta1 == x.beta2, x.beta1 != 1 else { return false }
        x.beta1 = 1; return true
    }),
    KnownWrongVariant("tiger-decay-dropped", "Tiger ported onto Lion with Lion's default weight_decay 0, dropping Tiger's decay (default 0.01)", lion { x in
        guard x.form == .pytorchOptimizer, x.beta1 == x.beta2, x.decay != .none else { return false }
        x.decay = .none; return true
    }),
    // MARK: optax sign_sgd and signum (Lion with b1 = 0, and with b1 = b2)
    KnownWrongVariant("signum-sign-of-gradient", "signum without its EMA: w ← w − lr·sign(g) (signSGD) instead of sign(β·m + (1−β)·g)", lion { x in
        guard x.beta1 == x.beta2, x.beta1 != 0 else { return false }
        x.beta1 = 0; return true
    }),
    KnownWrongVariant("signum-lion-b2", "signum ported onto optax.lion(b1=beta), keeping lion's b2 0.99: the sign argument and the momentum decay differently", lion { x in
        guard x.beta1 == x.beta2, x.beta1 != 0.99, x.beta1 != 0 else { return false }
        x.beta2 = 0.99; return true
    }),
    KnownWrongVariant("sign-lion-default-decay", "sign_sgd or signum ported onto optax.lion with lion's default weight_decay 1e-3 left in", lion { x in
        guard x.form == .optax, x.decay == .none, x.beta1 == 0 || x.beta1 == x.beta2 else { return false }
        x.decay = .decoupled(1e-3); return true
    }),
    // MARK: LAMB
    KnownWrongVariant("lamb-no-bias-correction", "LAMB without bias correction (raw m and v, step lr)", lamb { x in
        guard x.biasCorrection != .none else { return false }
        x.biasCorrection = .none; return true
    }),
    KnownWrongVariant("lamb-moments-corrected", "LAMB with optax's corrected moments where the library only divides the step by 1 − β₁ᵗ", lamb { x in
        guard x.biasCorrection == .stepSize else { return false }
        x.biasCorrection = .moments; return true
    }),
    KnownWrongVariant("lamb-no-norm-clip", "LAMB's ‖w‖ not clamped at 10 in the trust ratio", lamb { x in
        guard x.weightNormClip != nil else { return false }
        x.weightNormClip = nil; return true
    }),
    KnownWrongVariant("lamb-norm-clip", "LAMB's ‖w‖ clamped at 10 where the library does not clamp", lamb { x in
        guard x.weightNormClip == nil else { return false }
        x.weightNormClip = 10; return true
    }),
    KnownWrongVariant("lamb-no-trust-ratio", "LAMB without its trust ratio (plain Adam-style step)", lamb { x in
        guard x.trustRatio else { return false }
        x.trustRatio = false; return true
    }),
    KnownWrongVariant("lamb-decay-outside-ratio", "LAMB's decay applied to w after the ratio instead of added to the update", lamb { x in
        guard case let .addedToUpdate(l) = x.decay, x.rectify == nil else { return false }
        x.decay = .decoupled(l); return true
    }),
    // MARK: LARS
    KnownWrongVariant("lars-vectors-included", "LARS rescales and decays 1-D tensors where the library excludes them", lars { x in
        guard x.excludeVectors else { return false }
        x.excludeVectors = false; return true
    }),
    KnownWrongVariant("lars-vectors-excluded", "LARS skips 1-D tensors where the library rescales them", lars { x in
        guard !x.excludeVectors else { return false }
        x.excludeVectors = true; return true
    }),
    KnownWrongVariant("lars-lr-moved", "LARS with the lr on the other side of the momentum buffer", lars { x in
        guard x.momentum != 0 else { return false }
        x.lrInsideMomentum.toggle(); x.dampening = 0; return true
    }),
    KnownWrongVariant("lars-other-denominator", "LARS's ratio over ‖g‖ + λ‖w‖ where the library takes ‖g + λw‖, or the reverse", lars { x in
        guard x.weightDecay != 0 && x.trustRatio else { return false }
        x.denominator = x.denominator == .updateNorm ? .gradNormPlusDecay : .updateNorm; return true
    }),
]
