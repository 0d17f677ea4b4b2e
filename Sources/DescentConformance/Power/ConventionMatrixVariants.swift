// ConventionMatrixVariants.swift — known-wrong variants found by running Keras on torch's
// fixtures (issue 11): each is one library's convention used where another's is meant, or a
// torch edge case missed; the transformers schedules' edges; and the first variants of the matrix
// optimizers (Muon, Shampoo, SOAP).
// Appended to `KnownWrong.all`; every one is caught by some fixture (`descent power`).
import DescentCore
import DescentJSON

private func adam(_ change: @escaping @Sendable (inout AdamFamily) -> Bool) -> KnownWrongVariant.Mistake { .changing(AdamFamily.self, change) }

/// Whether an Adam family computes torch's Adam maths (ε outside √v̂, bias-corrected, no Nesterov),
/// in any library's operation order — the form epsilon hat can be made in.
private func plainAdam(_ a: AdamFamily) -> Bool {
    a.form != .textbook && a.epsRoot == 0 && a.eps != 0 && !a.nesterov && a.biasCorrectionMu && a.biasCorrectionNu
        && a.amsgrad != .maxOfCorrected && !a.epsilonHat
}

private func hasDecoupled(_ a: AdamFamily) -> Bool {
    if case .decoupled = a.decay { return true }
    return false
}

private let textbookQuintic: [(Double, Double, Double)] = Array(repeating: (15.0 / 8, -10.0 / 8, 3.0 / 8), count: 5)

private func isTextbookQuintic(_ c: [(Double, Double, Double)]) -> Bool {
    guard c.count == textbookQuintic.count else { return false }
    for (x, y) in zip(c, textbookQuintic) where x.0 != y.0 || x.1 != y.1 || x.2 != y.2 { return false }
    return true
}

package let conventionVariants: [KnownWrongVariant] = [
    KnownWrongVariant("keras-ema-from-zero", "Keras use_ema with ema_momentum already at the first step: the average starts from 0 instead of the weights", .changing(KerasEMAFamily.self) { e in
        guard !e.fullMomentumAtFirstStep else { return false }
        e.fullMomentumAtFirstStep = true; return true
    }),
    KnownWrongVariant("keras-ema-overwrite-off-by-one", "Keras use_ema writing the average back when iterations mod ema_overwrite_frequency = 0 before the step (steps 1, f + 1, …) instead of after steps f, 2f, …", .changing(KerasEMAFamily.self) { e in
        guard e.overwriteFrequency != nil, !e.overwriteCountedBefore else { return false }
        e.overwriteCountedBefore = true; return true
    }),
    KnownWrongVariant("keras-ema-overwrite-ignored", "Keras use_ema's ema_overwrite_frequency ignored: the average never replaces the weights", ignoring("ema_overwrite_frequency", setTo: .null, when: { !$0.isNull }, in: ["keras"])),
    KnownWrongVariant("keras-ema-momentum-ignored", "Keras use_ema's ema_momentum ignored (0.99 used)", ignoring("ema_momentum", setTo: JSON(0.99), when: { ($0.doubleValue ?? 0.99) != 0.99 }, in: ["keras"])),
    KnownWrongVariant("keras-ema-trains-on-average", "Keras use_ema that trains on the average: the weights replaced by the EMA after every step, with or without ema_overwrite_frequency", .changing(KerasEMAFamily.self) { e in
        guard e.overwriteFrequency != 1 else { return false }
        e.overwriteFrequency = 1; return true
    }),
    // MARK: Keras's conventions where torch's are meant (and back)
    KnownWrongVariant("adam-epsilon-hat", "Keras's epsilon hat in Adam: ε added to √v with both bias corrections folded into the step size, lr·√(1−β₂ᵗ)/(1−β₁ᵗ)·m/(√v + ε) (torch's form with ε/√(1−β₂ᵗ))", adam { a in
        guard plainAdam(a), !hasDecoupled(a) else { return false }
        a.form = .torch; a.epsilonHat = true; return true
    }),
    KnownWrongVariant("adamw-epsilon-hat", "Keras's epsilon hat in AdamW (decoupled decay kept): ε added to √v, bias corrections folded into the step size", adam { a in
        guard plainAdam(a), hasDecoupled(a) else { return false }
        a.form = .torch; a.epsilonHat = true; return true
    }),
    KnownWrongVariant("adam-epsilon-not-hat", "torch's Adam (ε added to √v̂ after bias correction) where the convention uses Keras's epsilon hat", adam { a in
        guard a.epsilonHat else { return false }
        a.epsilonHat = false; return true
    }),
    KnownWrongVariant("adamax-eps-outside-max", "Adamax with ε outside the max (Keras): u ← max(β₂u, |g|), then divided by u + ε, instead of u ← max(β₂u, |g| + ε)", .changing(AdamaxFamily.self) { a in
        guard !a.epsOutsideMax && a.eps != 0 else { return false }
        a.epsOutsideMax = true; return true
    }),
    KnownWrongVariant("adamax-eps-inside-max", "Adamax with ε inside the max (torch) where the convention divides by u + ε", .changing(AdamaxFamily.self) { a in
        guard a.epsOutsideMax && a.eps != 0 else { return false }
        a.epsOutsideMax = false; return true
    }),
    KnownWrongVariant("nadam-keras-momentum-schedule", "NAdam with Keras's fixed momentum schedule μₜ = β₁(1 − ½·0.96ᵗ) (torch's momentum_decay taken as 1)", .changing(NAdamFamily.self) { n in
        guard n.momentumDecay != 1 else { return false }
        n.momentumDecay = 1; return true
    }),
    KnownWrongVariant("rmsprop-momentum-lr-moved", "RMSprop's momentum buffer with the lr on the other side (Keras and optax accumulate lr·g/√v; torch accumulates g/√v and multiplies by lr after)", .changing(RMSpropFamily.self) { r in
        guard r.momentum != 0 else { return false }
        r.lrInsideMomentum.toggle(); return true
    }),
    KnownWrongVariant("clip-norm-without-epsilon", "torch's clip_grad_norm_ without its +1e-6 in the divisor (max_norm/n, as Keras's global_clipnorm and optax's clip_by_global_norm compute)", .family { f in
        guard let t = f as? TransformedFamily,
              t.transforms.contains(where: { ($0 as? TorchClipGradNorm).map { $0.epsilon != 0 } ?? false }) else { return nil }
        return TransformedFamily(inner: t.inner, transforms: t.transforms.map { x in
            guard var c = x as? TorchClipGradNorm else { return x }
            c.epsilon = 0
            return c
        })
    }),

    KnownWrongVariant("gradient-clipping-ignored", "gradient clipping not applied (clip_grad_norm_, clip_grad_value_, optax clip_by_global_norm / clip, Keras clipnorm / clipvalue / global_clipnorm)", .family { f in
        guard let t = f as? TransformedFamily, !t.transforms.isEmpty else { return nil }
        return t.inner
    }),

    // MARK: torch schedule edges
    KnownWrongVariant("cosine-held-after-t-max", "CosineAnnealingLR held at eta_min after T_max (as Keras's CosineDecay and optax hold their floor); torch's cosine goes on past T_max", .schedule { $0.mutated(.cosineHeldAfterTMax) }),
    KnownWrongVariant("constantlr-total-iters-zero", "ConstantLR(total_iters=0) taken as no scaling at all (torch applies the factor at construction and never restores it)", .arguments { convention, name, args in
        guard convention == "torch", name == "ConstantLR", args.first(where: { $0.0 == "total_iters" })?.1.doubleValue == 0 else { return false }
        let factor = args.first { $0.0 == "factor" }?.1.doubleValue ?? 1.0 / 3
        guard factor != 1 else { return false }
        if let i = args.firstIndex(where: { $0.0 == "factor" }) { args[i].1 = JSON(1.0) } else { args.append(("factor", JSON(1.0))) }
        return true
    }),
    KnownWrongVariant("linearlr-total-iters-zero", "LinearLR(total_iters=0) taken as already finished, end_factor from the start (torch applies start_factor at construction and keeps it)", .arguments { convention, name, args in
        guard convention == "torch", name == "LinearLR", args.first(where: { $0.0 == "total_iters" })?.1.doubleValue == 0 else { return false }
        let start = args.first { $0.0 == "start_factor" }?.1.doubleValue ?? 1.0 / 3
        let end = args.first { $0.0 == "end_factor" }?.1.doubleValue ?? 1.0
        guard start != end else { return false }
        if let i = args.firstIndex(where: { $0.0 == "start_factor" }) { args[i].1 = JSON(end) } else { args.append(("start_factor", JSON(end))) }
        return true
    }),

    // MARK: transformers schedule edges
    KnownWrongVariant("hf-inverse-sqrt-timescale-10000", "transformers' get_inverse_sqrt_schedule with timescale 10000 whatever num_warmup_steps is (timescale None means num_warmup_steps, and 10000 only when that is 0)", .arguments { convention, name, args in
        guard convention == "transformers", name == "get_inverse_sqrt_schedule",
              !args.contains(where: { $0.0 == "timescale" && !$0.1.isNull }),
              let w = args.first(where: { $0.0 == "num_warmup_steps" })?.1.intValue, w != 0, w != 10_000 else { return false }
        args.removeAll { $0.0 == "timescale" }
        args.append(("timescale", JSON(10_000))); return true
    }),
    KnownWrongVariant("hf-min-lr-read-as-rate", "transformers' cosine-with-min-lr schedules taking min_lr as the ratio min_lr_rate (not divided by the optimizer's lr)", .arguments { convention, name, args in
        guard convention == "transformers", name.hasPrefix("get_cosine_with_min_lr_schedule"),
              !args.contains(where: { $0.0 == "min_lr_rate" && !$0.1.isNull }),
              let i = args.firstIndex(where: { $0.0 == "min_lr" && !$0.1.isNull }) else { return false }
        args[i].0 = "min_lr_rate"; return true
    }),
]

package let matrixVariants: [KnownWrongVariant] = [
    // MARK: Muon
    KnownWrongVariant("muon-wrong-newton-schulz", "Muon's Newton–Schulz with the textbook quintic coefficients (15/8, −5/4, 3/8) instead of the tuned (3.4445, −4.7750, 2.0315) (or the reverse)", .changing(MuonFamily.self) { m in
        let textbook = isTextbookQuintic(m.coefficients)
        let tuned: [(Double, Double, Double)] = Array(repeating: (3.4445, -4.7750, 2.0315), count: 5)
        m.coefficients = textbook ? tuned : textbookQuintic
        return true
    }),
    KnownWrongVariant("muon-no-shape-scaling", "Muon without its shape-based lr scaling (the orthogonalised update taken at scale 1)", .changing(MuonFamily.self) { m in
        guard m.shapeScale != .unscaled else { return false }
        m.shapeScale = .unscaled; return true
    }),
    KnownWrongVariant("muon-no-nesterov", "Muon without Nesterov (the momentum itself orthogonalised) where nesterov=True", .changing(MuonFamily.self) { m in
        guard m.nesterov else { return false }
        m.nesterov = false; return true
    }),
    KnownWrongVariant("muon-momentum-form", "Muon's momentum as the other form: an EMA μ·M + (1−μ)·G where Keras keeps a trace μ·M + G, or the trace where torch and optax keep the EMA", .changing(MuonFamily.self) { m in
        guard m.momentum != 0 else { return false }
        if !m.momentumTrace { m.form = .torch }
        m.momentumTrace.toggle(); return true
    }),
    // MARK: Shampoo
    KnownWrongVariant("shampoo-wrong-root", "Shampoo with the order-2 inverse roots (L^(−1/2)·G·R^(−1/2)) instead of the fourth roots", .changing(ShampooFamily.self) { s in
        guard s.rootOrderScale == 1 else { return false }
        s.rootOrderScale = 0.5; return true
    }),
    KnownWrongVariant("shampoo-no-epsilon", "Shampoo's statistics started at 0 instead of matrix_eps·I (no epsilon)", .changing(ShampooFamily.self) { s in
        guard s.matrixEps != 0 else { return false }
        s.matrixEps = 0; return true
    }),
    // MARK: SOAP
    KnownWrongVariant("soap-no-bias-correction", "SOAP without bias correction (step lr instead of lr·√(1−β₂ˢ)/(1−β₁ˢ))", .changing(SOAPFamily.self) { s in
        guard s.correctBias else { return false }
        s.correctBias = false; return true
    }),
    KnownWrongVariant("soap-no-rotate-back", "SOAP's Adam direction applied in the eigenbasis, not rotated back by Q_L·…·Q_Rᵀ", .changing(SOAPFamily.self) { s in
        guard s.projectBack else { return false }
        s.projectBack = false; return true
    }),
]
