// FamilyKnobs.swift — each family's knobs and constants, as the diagnosis searches them
// (KnobSearch.swift): the discrete choices real libraries make (ε inside or outside the root,
// bias correction, the decay's form, where lr enters the momentum, how a buffer starts, the clamp
// in a norm) and, for the continuous hyperparameters, a small explicit grid of the values real
// libraries use (ε 1e-8/1e-10/1e-7/1e-6/1e-16/0, the usual betas, initial accumulators 0/0.1/1,
// weight decay 0 and the libraries' defaults, momentum 0/0.9).
//
// A change is one knob set to one value other than the case's; a set of changes has at most one
// change per knob and is applied in table order (a value before its placement: "ε 1e-8" then
// "ε inside the root" moves the new value). A change that does not apply to the family it meets
// (another family, or a knob that means nothing there) makes the candidate decline the case.
import DescentCore

/// One knob of a family set to one value.
package struct KnobChange: Sendable {
    /// The knob ("ε", "ε placement", "β₂", …): a set holds at most one change per knob.
    package let knob: String
    /// What the change does, in the case's terms: "initial accumulator 1 (case: 0)", "ε inside the root".
    package let text: String
    /// Rounding a constant to float32 (precision localisation), not a choice of the library.
    package let precision: Bool
    package let apply: @Sendable (any OptimizerFamily) -> (any OptimizerFamily)?
}

/// `x` as a diagnosis prints a constant: 1e-08, 0.9, 0.
package func knobNumber(_ x: Double) -> String {
    if x == 0 { return "0" }
    if x == x.rounded(), abs(x) < 1e6 { return String(Int(x)) }
    let a = abs(x)
    if a >= 1e-3 && a < 1e6 { return String(x) }
    return sci(x)
}

/// Builds the knob list of a family of type F from its current value.
private struct Table<F: OptimizerFamily> {
    let f: F
    var out: [KnobChange] = []

    init(_ f: F) { self.f = f }

    private func change(_ set: @escaping @Sendable (inout F) -> Bool) -> @Sendable (any OptimizerFamily) -> (any OptimizerFamily)? {
        { fam in
            guard var x = fam as? F, set(&x) else { return nil }
            return x
        }
    }

    /// A discrete choice: `text` names the new setting; `set` returns false where it does not apply.
    mutating func choice(_ knob: String, _ text: String, _ set: @escaping @Sendable (inout F) -> Bool) {
        out.append(KnobChange(knob: knob, text: text, precision: false, apply: change(set)))
    }

    /// A constant over a grid; also its rounding to float32 (precision localisation) when that changes it.
    mutating func number(_ knob: String, _ kp: WritableKeyPath<F, Double> & Sendable, _ grid: [Double], when: Bool = true) {
        guard when else { return }
        let now = f[keyPath: kp]
        var seen: Set<Double> = [now]
        for v in grid where !seen.contains(v) {
            seen.insert(v)
            out.append(KnobChange(knob: knob, text: "\(knob) \(knobNumber(v)) (case: \(knobNumber(now)))", precision: false,
                                  apply: change { x in x[keyPath: kp] = v; return true }))
        }
        let r = Double(Float(now))
        if r != now {
            out.append(KnobChange(knob: knob, text: "\(knob) rounded to float32 (\(knobNumber(now)) → \(r))", precision: true,
                                  apply: change { x in x[keyPath: kp] = r; return true }))
        }
    }

    /// A Boolean knob: `on` / `off` describe the two settings.
    mutating func toggle(_ knob: String, _ kp: WritableKeyPath<F, Bool> & Sendable, on: String, off: String, when: Bool = true) {
        guard when else { return }
        let now = f[keyPath: kp]
        out.append(KnobChange(knob: knob, text: now ? off : on, precision: false,
                              apply: change { x in x[keyPath: kp] = !now; return true }))
    }
}

/// The grids (the values real libraries use).
package enum KnobGrid {
    package static let eps: [Double] = [1e-8, 1e-10, 1e-7, 1e-6, 1e-16, 0]
    package static let beta1: [Double] = [0.9, 0.95, 0.8, 0]
    package static let beta2: [Double] = [0.999, 0.99, 0.98, 0.95, 0.9999]
    package static let initialAccumulator: [Double] = [0, 0.1, 1]
    package static let weightDecay: [Double] = [0, 1e-2, 1e-4, 5e-4, 1e-1]
    package static let momentum: [Double] = [0, 0.9]
    package static let decayRate: [Double] = [0.99, 0.9, 0.95, 0.999]
}

/// An Adam-group decay's λ (0 without decay).
private func amount(_ d: AdamDecay) -> Double {
    switch d {
    case .none: return 0
    case let .l2(l), let .decoupled(l), let .decoupledUnscaled(l): return l
    }
}

/// Adam-group decay form: the same λ, another form.
private func adamDecayForms<F: OptimizerFamily>(_ t: inout Table<F>, _ kp: WritableKeyPath<F, AdamDecay> & Sendable) {
    let now = t.f[keyPath: kp]
    let forms: [(String, @Sendable (Double) -> AdamDecay)] = [
        ("weight decay applied as L2 on the gradient (coupled)", { .l2($0) }),
        ("weight decay decoupled (w ← w − lr·λ·w)", { .decoupled($0) }),
        ("weight decay decoupled, not scaled by lr (w ← w − λ·w)", { .decoupledUnscaled($0) }),
    ]
    for (text, make) in forms {
        if now != .none && make(amount(now)) == now { continue }
        t.choice("decay form", text) { x in
            let d = x[keyPath: kp], l = amount(d)
            guard l != 0, make(l) != d else { return false }
            x[keyPath: kp] = make(l); return true
        }
    }
    let l = amount(now)
    var seen: Set<Double> = [l]
    for v in KnobGrid.weightDecay where !seen.contains(v) {
        seen.insert(v)
        t.choice("weight decay", "weight decay \(knobNumber(v)) (case: \(knobNumber(l)))") { x in
            switch x[keyPath: kp] {
            case .none: x[keyPath: kp] = v == 0 ? .none : .decoupled(v)
            case .l2: x[keyPath: kp] = v == 0 ? .none : .l2(v)
            case .decoupled: x[keyPath: kp] = v == 0 ? .none : .decoupled(v)
            case .decoupledUnscaled: x[keyPath: kp] = v == 0 ? .none : .decoupledUnscaled(v)
            }
            return true
        }
    }
}

/// The knob "step scalars in float32": a port that computes the per-step scalars (bias corrections,
/// RAdam's ρₜ and rₜ) in float32; a precision change (`precise`).
private func floatScalars<F: OptimizerFamily>(_ t: inout Table<F>, _ kp: WritableKeyPath<F, Bool> & Sendable, _ text: String) {
    guard !t.f[keyPath: kp] else { return }
    t.choice("step scalars in float32", text) { x in x[keyPath: kp] = true; return true }
}

/// The table's "step scalars in float32" change marked as a precision change.
private func precise(_ changes: [KnobChange]) -> [KnobChange] {
    changes.map { c in c.knob == "step scalars in float32" ? KnobChange(knob: c.knob, text: c.text, precision: true, apply: c.apply) : c }
}

/// 1-D tensors (biases, norms) left out of the decay: the mask `rank ≥ 2`.
private func excludeVectors<F: OptimizerFamily>(_ t: inout Table<F>, _ kp: WritableKeyPath<F, [Bool]?> & Sendable, shapes: [[Int]], decays: Bool) {
    let mask = shapes.map { $0.count >= 2 }
    guard decays, mask.contains(false), mask.contains(true), t.f[keyPath: kp] != mask else { return }
    t.choice("decay mask", "1-D tensors (biases, norms) excluded from weight decay") { x in x[keyPath: kp] = mask; return true }
}

package enum FamilyKnobs {
    /// The knob changes of `family` (the innermost one, under clipping or Keras's decay) for a
    /// case with tensors of these shapes.
    package static func changes(for family: any OptimizerFamily, shapes: [[Int]]) -> [KnobChange] {
        if let w = family as? any WrappingFamily { return changes(for: w.wrapped, shapes: shapes) }
        switch family {
        case let a as AdamFamily: return adam(a, shapes)
        case let s as SGDFamily: return sgd(s)
        case let r as RMSpropFamily: return rmsprop(r)
        case let a as AdagradFamily: return adagrad(a)
        case let a as AdamaxFamily: return adamax(a, shapes)
        case let r as RAdamFamily: return radam(r)
        case let n as NAdamFamily: return nadam(n)
        case let l as LambFamily: return lamb(l, shapes)
        case let l as LARSFamily: return lars(l)
        case let m as MuonFamily: return muon(m)
        case let l as LionFamily: return lion(l)
        case let a as AdadeltaFamily: return adadelta(a)
        default: return []
        }
    }

    private static func adam(_ a: AdamFamily, _ shapes: [[Int]]) -> [KnobChange] {
        var t = Table(a)
        let inside = a.eps == 0 && a.epsRoot != 0
        if inside { t.number("ε", \.epsRoot, KnobGrid.eps) } else { t.number("ε", \.eps, KnobGrid.eps) }
        if a.eps != 0 && a.epsRoot == 0 {
            t.choice("ε placement", "ε inside the root (√(v̂+ε))") { x in
                guard x.epsRoot == 0, !x.epsilonHat else { return false }
                if x.form == .torch { x.form = .optax }
                x.epsRoot = x.eps; x.eps = 0; return true
            }
        }
        if inside {
            t.choice("ε placement", "ε outside the root (√v̂ + ε)") { x in
                guard x.eps == 0 else { return false }
                x.eps = x.epsRoot; x.epsRoot = 0; return true
            }
        }
        if a.form == .torch {
            t.toggle("ε placement", \.epsilonHat, on: "ε hat: ε added to √v with lr·√bc₂/bc₁ (Keras/the paper's form)", off: "ε added to √v̂")
        }
        if a.biasCorrectionMu && a.biasCorrectionNu {
            for (text, mu, nu) in [("no bias correction", false, false), ("no bias correction of m (v̂ corrected)", false, true),
                                   ("no bias correction of v (m̂ corrected)", true, false)] {
                t.choice("bias correction", text) { x in
                    guard !x.epsilonHat else { return false }
                    if x.form == .torch { x.form = .optax }
                    x.biasCorrectionMu = mu; x.biasCorrectionNu = nu; return true
                }
            }
        } else {
            t.choice("bias correction", "both moments bias-corrected") { x in x.biasCorrectionMu = true; x.biasCorrectionNu = true; return true }
        }
        t.number("β₁", \.beta1, KnobGrid.beta1)
        t.number("β₂", \.beta2, KnobGrid.beta2)
        adamDecayForms(&t, \.decay)
        excludeVectors(&t, \.decayMask, shapes: shapes, decays: a.decay != .none)
        for (mode, text) in [(AdamFamily.AMSGrad.off, "no AMSGrad"), (.maxOfRaw, "AMSGrad over raw v (torch)"), (.maxOfCorrected, "AMSGrad over v̂ (optax)")] where mode != a.amsgrad {
            t.choice("amsgrad", text) { x in x.amsgrad = mode; return true }
        }
        if a.form != .torch { t.toggle("nesterov", \.nesterov, on: "Nesterov momentum (NAdam form)", off: "no Nesterov momentum") }
        t.choice("bias corrections in float32", "bias corrections 1−β₁ᵗ, 1−β₂ᵗ computed in float32") { x in
            guard !x.biasCorrectionInFloat32 else { return false }
            x.biasCorrectionInFloat32 = true; return true
        }
        return t.out.map { c in c.knob == "bias corrections in float32" ? KnobChange(knob: c.knob, text: c.text, precision: true, apply: c.apply) : c }
    }

    private static func sgd(_ s: SGDFamily) -> [KnobChange] {
        var t = Table(s)
        t.number("momentum", \.momentum, KnobGrid.momentum)
        t.number("dampening", \.dampening, [0, s.momentum != 0 ? s.momentum : 0.9])
        t.toggle("nesterov", \.nesterov, on: "Nesterov momentum", off: "no Nesterov momentum")
        t.toggle("lr in momentum", \.lrInsideBuffer, on: "lr inside the momentum buffer", off: "lr outside the momentum buffer")
        t.toggle("buffer start", \.bufferStartsAtGradient, on: "momentum buffer cloned from the first gradient", off: "momentum buffer started at zero")
        if s.momentum != 0 { t.toggle("debias", \.debias, on: "buffer debiased by 1 − momentum^t (optax ema)", off: "buffer not debiased") }
        t.number("weight decay", \.weightDecay, KnobGrid.weightDecay)
        t.choice("decay form", s.decoupledDecay ? "weight decay as L2 on the gradient" : "weight decay decoupled (w ← w·(1 − lr·λ))") { x in
            guard x.weightDecay != 0 else { return false }
            x.decoupledDecay.toggle(); return true
        }
        return t.out
    }

    private static func rmsprop(_ r: RMSpropFamily) -> [KnobChange] {
        var t = Table(r)
        t.number("initial accumulator", \.initialScale, KnobGrid.initialAccumulator)
        t.number("ε", \.eps, KnobGrid.eps)
        t.toggle("ε placement", \.epsInsideSqrt, on: "ε inside the root", off: "ε outside the root")
        t.toggle("centered", \.centered, on: "centered", off: "uncentered")
        t.toggle("bias correction", \.biasCorrection, on: "bias-corrected second moment", off: "no bias correction")
        t.number("decay", \.decay, KnobGrid.decayRate)
        t.number("momentum", \.momentum, KnobGrid.momentum)
        t.toggle("nesterov", \.nesterov, on: "Nesterov momentum", off: "no Nesterov momentum")
        t.toggle("lr in momentum", \.lrInsideMomentum, on: "lr inside the momentum buffer", off: "lr outside the momentum buffer")
        t.number("weight decay", \.weightDecay, KnobGrid.weightDecay)
        return t.out
    }

    private static func adagrad(_ a: AdagradFamily) -> [KnobChange] {
        var t = Table(a)
        t.number("initial accumulator", \.initialAccumulator, KnobGrid.initialAccumulator)
        t.number("ε", \.eps, KnobGrid.eps)
        t.toggle("ε placement", \.epsInsideSqrt, on: "ε inside the root", off: "ε outside the root")
        t.number("lr decay", \.lrDecay, [0])
        t.number("weight decay", \.weightDecay, KnobGrid.weightDecay)
        return t.out
    }

    private static func adamax(_ a: AdamaxFamily, _ shapes: [[Int]]) -> [KnobChange] {
        var t = Table(a)
        t.number("ε", \.eps, KnobGrid.eps)
        t.toggle("ε placement", \.epsOutsideMax, on: "ε added after the max (u + ε)", off: "ε inside the max (max(β₂u, |g|+ε))")
        t.toggle("bias correction", \.biasCorrection, on: "bias-corrected m", off: "no bias correction")
        t.number("β₁", \.beta1, KnobGrid.beta1)
        t.number("β₂", \.beta2, KnobGrid.beta2)
        adamDecayForms(&t, \.decay)
        excludeVectors(&t, \.decayMask, shapes: shapes, decays: a.decay != .none)
        floatScalars(&t, \.scalarsInFloat32, "the bias correction 1−β₁ᵗ and lr/(1−β₁ᵗ) computed in float32")
        return precise(t.out)
    }

    private static func radam(_ r: RAdamFamily) -> [KnobChange] {
        var t = Table(r)
        t.number("ε", \.eps, KnobGrid.eps)
        for (form, text) in [(AdamForm.torch, "ε added to √v, then × √bc₂ (torch's form)"), (.optax, "ε added to √v̂ (optax's form)")] where form != r.form {
            t.choice("ε placement", text) { x in x.form = form; return true }
        }
        t.number("β₁", \.beta1, KnobGrid.beta1)
        t.number("β₂", \.beta2, KnobGrid.beta2)
        t.number("rectification threshold", \.threshold, [5, 4, 6])
        adamDecayForms(&t, \.decay)
        if r.pytorchOptimizer == nil {
            floatScalars(&t, \.scalarsInFloat32, "the step's scalars 1−β₁ᵗ, 1−β₂ᵗ, ρₜ and the rectification rₜ computed in float32")
        }
        return precise(t.out)
    }

    private static func nadam(_ n: NAdamFamily) -> [KnobChange] {
        var t = Table(n)
        t.number("ε", \.eps, KnobGrid.eps)
        t.number("β₁", \.beta1, KnobGrid.beta1)
        t.number("β₂", \.beta2, KnobGrid.beta2)
        t.number("momentum decay", \.momentumDecay, [4e-3, 0])
        adamDecayForms(&t, \.decay)
        floatScalars(&t, \.scalarsInFloat32, "the step's scalars μₜ, their product, 1−β₂ᵗ and the step's coefficients computed in float32")
        return precise(t.out)
    }

    private static func lamb(_ l: LambFamily, _ shapes: [[Int]]) -> [KnobChange] {
        var t = Table(l)
        t.number("ε", \.eps, KnobGrid.eps)
        t.number("trust-ratio ε", \.trustEps, [0, 1e-6, 1e-8])
        for (bc, text) in [(LambFamily.BiasCorrection.moments, "bias-corrected moments"), (.stepSize, "bias correction folded into the step size"),
                           (.none, "no bias correction")] where bc != l.biasCorrection {
            t.choice("bias correction", text) { x in x.biasCorrection = bc; return true }
        }
        t.number("β₁", \.beta1, KnobGrid.beta1)
        t.number("β₂", \.beta2, KnobGrid.beta2)
        t.toggle("trust ratio", \.trustRatio, on: "trust ratio applied", off: "no trust ratio")
        if l.weightNormClip != nil { t.choice("norm clamp", "‖w‖ not clamped") { x in x.weightNormClip = nil; return true } }
        else { t.choice("norm clamp", "‖w‖ clamped at 10") { x in x.weightNormClip = 10; return true } }
        let λ: Double
        switch l.decay {
        case .none: λ = 0
        case let .addedToUpdate(v), let .decoupled(v), let .fixed(v): λ = v
        }
        if λ != 0 {
            for (d, text) in [(LambFamily.Decay.addedToUpdate(λ), "decay added to the update (inside the trust ratio)"),
                              (.decoupled(λ), "decay decoupled × lr (outside the trust ratio)"), (.fixed(λ), "decay decoupled, not × lr")] where d != l.decay {
                t.choice("decay form", text) { x in x.decay = d; return true }
            }
            t.choice("weight decay", "weight decay 0 (case: \(knobNumber(λ)))") { x in x.decay = .none; return true }
        }
        excludeVectors(&t, \.decayMask, shapes: shapes, decays: λ != 0)
        if l.rectify == nil && l.biasCorrection != .none {
            floatScalars(&t, \.scalarsInFloat32, "the bias corrections 1−β₁ᵗ, 1−β₂ᵗ computed in float32")
        }
        return precise(t.out)
    }

    private static func lars(_ l: LARSFamily) -> [KnobChange] {
        var t = Table(l)
        t.number("ε", \.eps, [0, 1e-8, 1e-9, 1e-6])
        t.number("momentum", \.momentum, KnobGrid.momentum)
        t.toggle("nesterov", \.nesterov, on: "Nesterov momentum", off: "no Nesterov momentum")
        t.toggle("lr in momentum", \.lrInsideMomentum, on: "lr inside the momentum buffer", off: "lr outside the momentum buffer")
        t.toggle("vectors", \.excludeVectors, on: "1-D tensors excluded from decay and the trust ratio", off: "1-D tensors decayed and scaled")
        for (d, text) in [(LARSFamily.Denominator.updateNorm, "trust ratio over ‖g + λw‖"), (.gradNormPlusDecay, "trust ratio over ‖g‖ + λ‖w‖")] where d != l.denominator {
            t.choice("trust denominator", text) { x in x.denominator = d; return true }
        }
        t.number("trust coefficient", \.trustCoefficient, [0.001, 0.02])
        t.number("weight decay", \.weightDecay, KnobGrid.weightDecay)
        return t.out
    }

    private static func muon(_ m: MuonFamily) -> [KnobChange] {
        var t = Table(m)
        switch m.normalization {
        case let .frobeniusClamped(e):
            t.choice("norm clamp", "X/(‖X‖+ε) before Newton–Schulz (case: X/max(‖X‖, ε))") { x in x.normalization = .frobeniusPlus(e); return true }
            for v in [1e-7, 1e-8] where v != e {
                t.choice("ε", "ε \(knobNumber(v)) (case: \(knobNumber(e)))") { x in
                    guard case .frobeniusClamped = x.normalization else { x.normalization = .frobeniusPlus(v); return true }
                    x.normalization = .frobeniusClamped(v); return true
                }
            }
        case let .frobeniusPlus(e):
            t.choice("norm clamp", "X/max(‖X‖, ε) before Newton–Schulz (case: X/(‖X‖+ε))") { x in x.normalization = .frobeniusClamped(e); return true }
            for v in [1e-7, 1e-8] where v != e {
                t.choice("ε", "ε \(knobNumber(v)) (case: \(knobNumber(e)))") { x in
                    guard case .frobeniusPlus = x.normalization else { x.normalization = .frobeniusClamped(v); return true }
                    x.normalization = .frobeniusPlus(v); return true
                }
            }
        default: break
        }
        t.number("momentum", \.momentum, [0.95, 0.9])
        t.toggle("nesterov", \.nesterov, on: "Nesterov momentum", off: "no Nesterov momentum")
        t.toggle("momentum form", \.momentumTrace, on: "momentum as a trace μ·M + G", off: "momentum as an EMA")
        t.number("weight decay", \.weightDecay, [0, 0.01, 0.1])
        let c = m.coefficients
        let r = c.map { (Double(Float($0.0)), Double(Float($0.1)), Double(Float($0.2))) }
        if zip(c, r).contains(where: { $0.0 != $1.0 || $0.1 != $1.1 || $0.2 != $1.2 }) {
            t.out.append(KnobChange(knob: "Newton–Schulz coefficients", text: "Newton–Schulz coefficients rounded to float32", precision: true) { f in
                guard var x = f as? MuonFamily else { return nil }
                x.coefficients = r; return x
            })
        }
        return t.out
    }

    private static func lion(_ l: LionFamily) -> [KnobChange] {
        var t = Table(l)
        t.number("β₁", \.beta1, [0.9, 0.95])
        t.number("β₂", \.beta2, [0.99, 0.98])
        t.toggle("caution mask", \.cautious, on: "caution mask (update zeroed where its sign disagrees with the gradient, rescaled)", off: "no caution mask")
        return t.out
    }

    private static func adadelta(_ a: AdadeltaFamily) -> [KnobChange] {
        var t = Table(a)
        t.number("ε", \.eps, KnobGrid.eps)
        t.number("ρ", \.rho, [0.9, 0.95])
        t.number("weight decay", \.weightDecay, KnobGrid.weightDecay)
        return t.out
    }
}
