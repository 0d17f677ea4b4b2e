// LibraryChoiceVariants.swift — known-wrong variants that are real libraries' choices where the
// case's library makes the other one (issue 19's list): an RMSprop accumulator started at 1, RAdam's
// ε on √v̂, Adamax without bias correction, SGD's L2 decay applied decoupled, a trust ratio with +ε,
// torch's Adagrad ε replaced by the common 1e-8, and an "sgd" factory that adds momentum 0.9 and
// Nesterov. Each is a knob or an argument of an existing family, so when a third-party port makes
// one of these choices the diagnosis names it by this id. Appended to `KnownWrong.all`; each is
// caught by Descent's own goldens (PowerTests).
import DescentCore
import DescentJSON

package let libraryChoiceVariants: [KnownWrongVariant] = [
    KnownWrongVariant("rmsprop-accumulator-starts-at-one", "RMSprop's square average started at 1 (TF1's and optax's initial_scale=1) where the case's library starts it at its own value (torch: 0)",
                      .changing(RMSpropFamily.self) { r in
        guard r.initialScale != 1 else { return false }
        r.initialScale = 1; return true
    }),
    KnownWrongVariant("radam-eps-on-corrected-v", "RAdam with ε added to the bias-corrected √v̂ (optax's form) where torch adds it to √v before the √(1 − β₂ᵗ) correction",
                      .changing(RAdamFamily.self) { r in
        guard r.form == .torch, r.eps != 0 else { return false }
        r.form = .optax; return true
    }),
    KnownWrongVariant("adamax-no-bias-correction", "Adamax without the 1 − β₁ᵗ bias correction of its first moment",
                      .changing(AdamaxFamily.self) { a in
        guard a.biasCorrection else { return false }
        a.biasCorrection = false; return true
    }),
    KnownWrongVariant("sgd-l2-decay-decoupled", "SGD's weight_decay applied decoupled, w ← w·(1 − lr·λ), where the library adds λ·w to the gradient before the momentum (they differ once momentum carries the decay)",
                      .changing(SGDFamily.self) { s in
        guard s.weightDecay != 0, s.momentum != 0, !s.decoupledDecay else { return false }
        s.decoupledDecay = true; return true
    }),
    KnownWrongVariant("lamb-trust-ratio-eps", "LAMB's trust ratio ‖w‖/(‖u‖ + ε) with ε = 1e-6 (pytorch_optimizer's form) where the library divides by ‖u‖ alone",
                      .changing(LambFamily.self) { l in
        guard l.trustEps == 0, l.trustRatio else { return false }
        l.trustEps = 1e-6; return true
    }),
    KnownWrongVariant("adagrad-eps-1e-8", "torch Adagrad with ε = 1e-8 (the common default) where torch's is 1e-10",
                      .arguments { convention, name, args in
        guard convention == "torch", name == "Adagrad" else { return false }
        if let e = args.first(where: { $0.0 == "eps" })?.1.doubleValue, e != 1e-10 { return false }
        args.removeAll { $0.0 == "eps" }
        args.append(("eps", JSON(1e-8)))
        return true
    }),
    KnownWrongVariant("sgd-factory-adds-nesterov-momentum", "an optimizer factory that builds \"sgd\" with momentum 0.9 and Nesterov where the case asks for plain SGD (momentum 0)",
                      .arguments { convention, name, args in
        guard convention == "torch", name == "SGD" else { return false }
        if let m = args.first(where: { $0.0 == "momentum" })?.1.doubleValue, m != 0 { return false }
        if args.contains(where: { $0.0 == "dampening" && ($0.1.doubleValue ?? 0) != 0 }) { return false }
        args.removeAll { $0.0 == "momentum" || $0.0 == "nesterov" }
        args.append(("momentum", JSON(0.9)))
        args.append(("nesterov", JSON(true)))
        return true
    }),
]
