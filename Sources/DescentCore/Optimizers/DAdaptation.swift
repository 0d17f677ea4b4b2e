// DAdaptation.swift — D-Adaptation (Defazio & Mishchenko 2023, "Learning-Rate-Free Learning by
// D-Adaptation") for Adam, as dadaptation.DAdaptAdam (dadaptation 3.2, dadapt_adam.py) and
// optax.contrib.dadapt_adamw (optax 0.2.8, contrib/_dadapt_adamw.py) compute it. One step at the
// lr in force, k = the number of steps taken (from 0), d the distance estimate (d₀ at first):
//
//   bc    = √(1 − β₂ᵏ⁺¹)/(1 − β₁ᵏ⁺¹)     use_bias_correction (dadaptation, off by default; optax always)
//         | 1
//   dlr   = d·lr·bc                          the step's adapted lr, from the OLD d
//   g    ← g + λ·w                           coupled decay (dadaptation, decouple False)
//   num   = Σ_tensors dlr·⟨g, s/(√v + ε)⟩    with the OLD s and v           (one sum over ALL tensors)
//   m    ← β₁·m + dlr·(1 − β₁)·g
//   v    ← β₂·v + (1 − β₂)·g²
//   s    ← √β₂·s + dlr·(1 − √β₂)·g
//   nw   ← √β₂·nw + (1 − √β₂)·num             numerator_weighted
//   ‖s‖₁ = Σ_tensors Σ|s|                                                  (one sum over ALL tensors)
//   dadaptation: if ‖s‖₁ = 0 the step returns here (the parameters, k and nw do not change; m, v,
//                s keep their update); a step at lr 0 changes nothing at all.
//   d̂    = nw/((1 − √β₂)·‖s‖₁)
//   d    ← max(d, min(d̂, d·growth_rate))      (optax: max(d, d̂); a NaN d̂ — ‖s‖₁ = 0 — makes d NaN)
//   w    ← w − dlr·λ·w                       decoupled decay (dadaptation decouple; optax weight_decay)
//   w    ← w − m/(√v + ε)                    the step: m already carries dlr (the OLD d)
//   k    ← k + 1
//
// The forms are the same equations in each library's operation order and precision:
//   dadaptation  the scalars (dlr, num, nw, d, ‖s‖₁) in Python floats (float64): each tensor's dot
//                and |s| sum taken in the tensor's dtype, then summed as Python floats; the alphas
//                r·dlr·(1 − β₁) and dlr·(1 − √β₂) computed in float64; w ← w + (−λ·dlr)·w, then
//                w ← w + (−1)·m/(√v + ε). State exp_avg, exp_avg_sq, s; the group's d, k,
//                numerator_weighted.
//   optax        the scalars in the parameters' dtype (estim_lr, numerator_weighted, dlr);
//                u = (−λ·dlr)·w − m/(√v + ε), w ← w + u. State exp_avg, exp_avg_sq, grad_sum,
//                estim_lr, numerator_weighted, count.
// The d estimate belongs to the whole optimizer (every param group's tensors feed one sum and one d
// in dadaptation), so a case's tensors are one unit here.

/// dadaptation's d ← max(d, min(d̂, d·growth_rate)) with Python's min and max (a NaN d̂ keeps d);
/// `allowShrink` (a known-wrong variant) drops the max.
func dadaptationD(_ d: Double, _ dHat: Double, growthRate: Double, allowShrink: Bool) -> Double {
    let capped = pyMin(dHat, d * growthRate)
    return allowShrink ? capped : pyMax(d, capped)
}

/// A D-Adaptation stepper's estimates: its units of tensors (all of them, or one each in the
/// per-tensor variant), each unit's d and numerator_weighted; saved as the library's group scalars
/// (`dName` for d) when there is one unit.
struct DAdaptationEstimates {
    let units: [[Int]]
    var d: [Double], numeratorWeighted: [Double]

    init(_ shapes: [[Int]], perTensor: Bool, d0: Double) {
        units = perTensor ? shapes.indices.map { [$0] } : [Array(shapes.indices)]
        d = Array(repeating: d0, count: units.count)
        numeratorWeighted = Array(repeating: 0, count: units.count)
    }

    func scalars(_ dName: String) -> [(String, Double)] {
        units.count == 1 ? [(dName, d[0]), ("numerator_weighted", numeratorWeighted[0])] : []
    }

    mutating func load(_ saved: StepperState, _ dName: String) throws {
        guard units.count == 1 else { return }
        d[0] = try saved.scalar(dName)
        numeratorWeighted[0] = try saved.scalar("numerator_weighted")
    }
}

/// Σ x (or Σ |x|, or Σ x²) of one tensor in its dtype, as a Python float (torch's `.sum().item()`).
func dadaptationSum<T: DescentFloat>(_ b: Buffer<T>, _ f: (T) -> T) -> Double {
    var acc = T(0)
    for i in 0..<b.count { acc += f(b[i]) }
    return Double(acc)
}

public struct DAdaptAdamFamily: OptimizerFamily {
    public enum Form: String, Sendable { case dadaptation, optax }
    public enum Decay: Sendable, Equatable {
        case none
        /// g ← g + λ·w (dadaptation, decouple False).
        case coupled(Double)
        /// w ← w − dlr·λ·w (dadaptation decouple, optax weight_decay).
        case decoupled(Double)
    }

    public var form: Form
    public var beta1 = 0.9
    public var beta2 = 0.999
    public var eps = 1e-8
    public var decay: Decay = .none
    public var biasCorrection: Bool
    /// d₀ (dadaptation `d0`, optax `estim_lr0`).
    public var d0 = 1e-6
    /// d grows by at most this factor per step (dadaptation `growth_rate`; ∞ = no cap).
    public var growthRate = Double.infinity
    /// dadaptation's `decouple` as given (with param groups the first group's decides every group's
    /// weight_decay; `decay` says what it means for this group's own).
    public var decouple = false
    /// dadaptation's group key `layer_scale` r (default 1; not a constructor argument): the group's
    /// numerator, first moment and ‖s‖₁ terms are scaled by r.
    public var layerScale = 1.0
    /// A known-wrong variant's knob: one d (and numerator) per tensor, from that tensor's sums only.
    public var perTensorD = false
    /// A known-wrong variant's knob: d ← min(d̂, d·growth_rate) without the max (d may shrink).
    public var allowShrink = false
    /// A known-wrong variant's knob: s ← √β₂·s + (1 − √β₂)·g, not weighted by dlr.
    public var unweightedS = false
    /// A known-wrong variant's knob: the step taken with the new d (dlr recomputed after d̂).
    public var stepWithNewD = false
    /// A known-wrong variant's knob: dadaptation's step goes on when ‖s‖₁ = 0 (d̂ = 0/0, d kept).
    public var noEarlyReturn = false

    public init(form: Form) {
        self.form = form
        biasCorrection = form == .optax
    }

    public var familyName: String { "DAdaptAdam" }
    public var summary: String {
        var parts = ["\(form.rawValue) form", "betas (\(beta1), \(beta2))", "eps \(eps)", "d0 \(d0)",
                     biasCorrection ? "bias correction" : "no bias correction"]
        switch decay {
        case .none: parts.append("no decay")
        case let .coupled(l): parts.append("coupled decay \(l)")
        case let .decoupled(l): parts.append("decoupled decay \(l) × dlr")
        }
        if growthRate.isFinite { parts.append("growth_rate \(growthRate)") }
        if perTensorD { parts.append("one d per tensor") }
        if allowShrink { parts.append("d may shrink") }
        if unweightedS { parts.append("s not weighted by d·lr") }
        if stepWithNewD { parts.append("the step with the new d") }
        if noEarlyReturn { parts.append("no early return at ‖s‖₁ = 0") }
        return parts.joined(separator: ", ")
    }

    @_specialize(where T == Double) @_specialize(where T == Float)
    public func makeStepper<T: DescentFloat>(_: T.Type, shapes: [[Int]], engine: Engine) throws -> StepperBox<T> {
        StepperBox(DAdaptAdamStepper<T>(self, shapes: shapes, engine: engine))
    }
}

/// A D-Adaptation Adam pass. `moments`: slots s0 = exp_avg, s1 = exp_avg_sq, s2 = s (grad_sum),
/// s3 = the scratch g·s/(√v + ε) of the numerator (old s and v); the parameters do not move.
/// Otherwise (the step): slots s0, s1; w ← w + c·w − m/(√v + ε) (`combined`: w + (c·w − m/(√v + ε))).
public struct DAdaptAdamKernel<Scalar: DescentFloat>: ElementwiseKernel {
    @usableFromInline var moments, combined: Bool
    @usableFromInline var beta1, beta2, oneMinusBeta2, sqrtBeta2, alphaM, alphaS, eps, coupled, decayFactor: Scalar
    /// 1 but in the step-with-the-new-d variant (new d / old d).
    @usableFromInline var stepScale: Scalar
    public var slotCount: Int

    @inlinable @inline(__always)
    public func apply<L: Lane>(_ p: inout L, _ g: L, _ s: inout Slots<L>) where L.Scalar == Scalar {
        if moments {
            let d = coupled != 0 ? g + L(repeating: coupled) * p : g
            s.s3 = d * (s.s2 / (s.s1.squareRoot() + L(repeating: eps)))
            s.s0 = s.s0 * L(repeating: beta1) + L(repeating: alphaM) * d
            s.s1 = s.s1 * L(repeating: beta2) + L(repeating: oneMinusBeta2) * d * d
            s.s2 = s.s2 * L(repeating: sqrtBeta2) + L(repeating: alphaS) * d
            return
        }
        var step = s.s0 / (s.s1.squareRoot() + L(repeating: eps))
        if stepScale != 1 { step = L(repeating: stepScale) * step }
        if combined {
            p = p + (L(repeating: decayFactor) * p - step)
        } else {
            if decayFactor != 0 { p = p + L(repeating: decayFactor) * p }
            p = p - step
        }
    }
}

final class DAdaptAdamStepper<T: DescentFloat>: GroupedStepper {
    /// The first group's knobs: the globals (betas, bias correction, growth_rate, decouple), as
    /// dadaptation reads `self.param_groups[0]`.
    let config: DAdaptAdamFamily
    /// Each param group's knobs (eps, weight_decay; one group without param groups), each tensor's group.
    let groups: [DAdaptAdamFamily]
    let groupOf: [Int]
    let engine: Engine
    let m: [Buffer<T>], v: [Buffer<T>], s: [Buffer<T>], scratch: [Buffer<T>]
    var est: DAdaptationEstimates
    var k = 0
    /// dadaptation's per-parameter state['step']: the steps each tensor moved.
    var tensorSteps: [Int]

    convenience init(_ config: DAdaptAdamFamily, shapes: [[Int]], engine: Engine) {
        self.init(groups: [config], members: [Array(shapes.indices)], shapes: shapes, engine: engine)
    }

    init(groups: [DAdaptAdamFamily], members: [[Int]], shapes: [[Int]], engine: Engine) {
        config = groups[0]
        self.groups = groups
        groupOf = groupIndex(members, count: shapes.count)
        self.engine = engine
        m = .zeros(like: shapes)
        v = .zeros(like: shapes)
        s = .zeros(like: shapes)
        scratch = .zeros(like: shapes)
        est = DAdaptationEstimates(shapes, perTensor: config.perTensorD, d0: config.form == .optax ? Double(T(config.d0)) : config.d0)
        tensorSteps = Array(repeating: 0, count: shapes.count)
    }

    /// A scalar as the library holds it: a Python float (dadaptation), the parameters' dtype (optax).
    func held(_ x: Double) -> Double { config.form == .optax ? Double(T(x)) : x }

    func step(params: [Buffer<T>], grads: [Buffer<T>], lr: Double) {
        step(params, grads.map { Optional($0) }, lrs: Array(repeating: lr, count: groups.count))
    }

    func step(params: [Buffer<T>], grads: [Buffer<T>?], groupLRs: [Double]) throws {
        // "if group_lr not in [lr, 0.0]: raise RuntimeError" (lr the largest group lr).
        _ = try largestGroupLR(groupLRs, message: groupLRMessage + ". To scale the learning rate differently for each layer, set the 'layer_scale' value instead.")
        step(params, grads, lrs: groupLRs)
    }

    /// Group j's decay: its own weight_decay, coupled or decoupled by the first group's `decouple`.
    private func decay(_ g: DAdaptAdamFamily) -> DAdaptAdamFamily.Decay {
        guard config.form == .dadaptation else { return g.decay }
        switch g.decay {
        case .none: return .none
        case let .coupled(l), let .decoupled(l): return config.decouple ? .decoupled(l) : .coupled(l)
        }
    }

    private func step(_ params: [Buffer<T>], _ grads: [Buffer<T>?], lrs: [Double]) {
        let c = config
        let dadaptation = c.form == .dadaptation
        let lr = lrs.max() ?? 0
        if dadaptation && !(lr > 0) { return }   // no group with lr > 0: ‖s‖₁ = 0, the early return
        let bc = c.biasCorrection ? Double.pow(1 - Double.pow(c.beta2, Double(k + 1)), 0.5) / (1 - Double.pow(c.beta1, Double(k + 1))) : 1
        let sqrtBeta2 = Double.pow(c.beta2, 0.5)
        var advanced = false
        /// dadaptation leaves a group at lr 0 out of the sums and the moments ("if group_lr > 0.0").
        func active(_ i: Int) -> Bool { !dadaptation || lrs[groupOf[i]] > 0 }
        for (u, tensors) in est.units.enumerated() {
            let present = tensors.filter { grads[$0] != nil }
            // optax: dlr = (estim_lr·sched)·bc, in the parameters' dtype.
            let dlr = dadaptation ? est.d[u] * lr * bc : held(held(est.d[u] * lr) * bc)
            let wS = c.unweightedS ? 1 : dlr
            let alphaM = dadaptation ? dlr * (1 - c.beta1) : held(held(1 - c.beta1) * dlr)
            let alphaS = dadaptation ? wS * (1 - sqrtBeta2) : held(held(1 - sqrtBeta2) * wS)
            var numerator = 0.0, l1 = 0.0
            for i in present where active(i) {
                let g = groups[groupOf[i]]
                var coupled = 0.0
                if case let .coupled(l) = decay(g) { coupled = l }
                // layer_scale r: exp_avg's alpha r·dlr·(1 − β₁), r·dlr·⟨g, s/(√v + ε)⟩, r·Σ|s|.
                let r = g.layerScale
                let moments = DAdaptAdamKernel<T>(moments: true, combined: false, beta1: T(c.beta1), beta2: T(c.beta2),
                                                  oneMinusBeta2: T(1 - c.beta2), sqrtBeta2: T(sqrtBeta2), alphaM: T(dadaptation ? r * dlr * (1 - c.beta1) : alphaM),
                                                  alphaS: T(alphaS), eps: T(g.eps), coupled: T(coupled), decayFactor: 0, stepScale: 1,
                                                  slotCount: 4)
                engine.map(moments, params[i], grads[i]!, [m[i], v[i], s[i], scratch[i]])
                let dot = dadaptationSum(scratch[i]) { $0 }, sk = dadaptationSum(s[i]) { $0.magnitude }
                numerator = dadaptation ? numerator + r * dlr * dot : held(numerator + dot)
                l1 = dadaptation ? l1 + r * sk : held(l1 + sk)
            }
            let nw = dadaptation ? sqrtBeta2 * est.numeratorWeighted[u] + (1 - sqrtBeta2) * numerator
                : held(held(sqrtBeta2 * est.numeratorWeighted[u]) + held(held(held(1 - sqrtBeta2) * dlr) * numerator))
            if dadaptation && l1 == 0 && !c.noEarlyReturn { continue }
            est.numeratorWeighted[u] = nw
            let dHat = dadaptation ? nw / ((1 - sqrtBeta2) * l1) : held(nw / held(held(1 - sqrtBeta2) * l1))
            if dadaptation {
                est.d[u] = dadaptationD(est.d[u], dHat, growthRate: c.growthRate, allowShrink: c.allowShrink)
            } else {
                est.d[u] = est.d[u].isNaN || dHat.isNaN ? .nan : c.allowShrink ? dHat : Swift.max(est.d[u], dHat)
            }
            // The step: m already holds the old dlr; decoupled decay scaled by it too.
            let stepDlr = c.stepWithNewD ? (dadaptation ? est.d[u] * lr * bc : held(held(est.d[u] * lr) * bc)) : dlr
            for i in present {
                let g = groups[groupOf[i]]
                var factor = 0.0
                if case let .decoupled(l) = decay(g) { factor = dadaptation ? -l * stepDlr : held(held(-l) * stepDlr) }
                let update = DAdaptAdamKernel<T>(moments: false, combined: !dadaptation, beta1: 0, beta2: 0, oneMinusBeta2: 0,
                                                 sqrtBeta2: 0, alphaM: 0, alphaS: 0, eps: T(g.eps), coupled: 0,
                                                 decayFactor: T(factor), stepScale: T(dlr != 0 ? stepDlr / dlr : 1), slotCount: 2)
                engine.map(update, params[i], grads[i]!, [m[i], v[i]])
                tensorSteps[i] += 1
            }
            advanced = true
        }
        if advanced || !dadaptation { k += 1 }
    }

    var state: [(name: String, buffers: [Buffer<T>])] {
        [("exp_avg", m), ("exp_avg_sq", v), (config.form == .optax ? "grad_sum" : "s", s)]
    }
}

extension DAdaptAdamStepper {
    var names: (k: String, d: String) { config.form == .optax ? ("count", "estim_lr") : ("k", "d") }
    func save() -> StepperState {
        var out = StepperState(buffers: state, scalars: [(names.k, Double(k))] + est.scalars(names.d))
        // dadaptation's per-parameter state['step'] (fewer for a tensor whose gradients came late).
        if config.form == .dadaptation { out.add(perTensor: tensorSteps.map(Double.init), as: "step") }
        return out
    }
    func load(_ saved: StepperState) throws {
        try saved.restore(into: state)
        k = try saved.count(names.k)
        try est.load(saved, names.d)
        if config.form == .dadaptation { tensorSteps = try saved.perTensor("step", count: tensorSteps.count).map { (x: Double) in Int(x) } }
    }
}

extension DAdaptAdamFamily: GroupSharingFamily {
    /// dadaptation keeps one d over every group (optax: a state per transform).
    public var sharesStateAcrossGroups: Bool { form == .dadaptation }

    @_specialize(where T == Double) @_specialize(where T == Float)
    public func makeGroupedStepper<T: DescentFloat>(_: T.Type, groups: [any OptimizerFamily], members: [[Int]],
                                                    shapes: [[Int]], engine: Engine) throws -> StepperBox<T> {
        let fs = try sameFamilies(groups)
        guard !fs.isEmpty else { throw DescentError.unsupported("DAdaptAdam over no param groups") }
        return StepperBox(DAdaptAdamStepper<T>(groups: fs, members: members, shapes: shapes, engine: engine))
    }
}

// DAdaptSGD (dadaptation 3.2, dadapt_sgd.py): dual averaging at the adapted lr. At the first step
// g₀ = ‖g‖ over every tensor (the RAW gradient: the library's `grad.add(p, alpha=decay)` there is not
// in place, so the decay is not in g₀), x₀ = z = w. Then, with the old d:
//
//   dlr  = d·lr/g₀
//   g   ← g + λ·w                           weight_decay (coupled)
//   nw  ← nw + dlr·⟨g, s⟩                    the OLD s, summed over every tensor (no EMA)
//   s   ← s + dlr·g
//   d̂    = 2·nw/‖s‖₂                         ‖s‖₂ over every tensor
//   d   ← max(d, min(d̂, d·growth_rate))
//   z   ← x₀ − s;   w ← w·(1 − ck) + ck·z     ck = 1 − momentum (1 − ck in float64, not `momentum`)
//
// State z, s, x0; the group's d, k, numerator_weighted, g0_norm. (A first step whose gradients are
// all 0 divides by g₀ = 0, and an lr of 0 reads an unset local: both raise in the library.)
public struct DAdaptSGDFamily: OptimizerFamily {
    public var momentum = 0.0
    public var weightDecay = 0.0
    public var d0 = 1e-6
    public var growthRate = Double.infinity
    /// Known-wrong variants' knobs: one d per tensor; d ← min(d̂, d·growth_rate) without the max;
    /// g₀ taken of the decayed gradient.
    public var perTensorD = false
    public var allowShrink = false
    public var decayInG0 = false

    public init() {}

    public var familyName: String { "DAdaptSGD" }
    public var summary: String {
        var parts = ["momentum \(momentum)", "d0 \(d0)", weightDecay == 0 ? "no decay" : "coupled decay \(weightDecay)"]
        if growthRate.isFinite { parts.append("growth_rate \(growthRate)") }
        if perTensorD { parts.append("one d per tensor") }
        if allowShrink { parts.append("d may shrink") }
        if decayInG0 { parts.append("g0 of the decayed gradient") }
        return parts.joined(separator: ", ")
    }

    @_specialize(where T == Double) @_specialize(where T == Float)
    public func makeStepper<T: DescentFloat>(_: T.Type, shapes: [[Int]], engine: Engine) throws -> StepperBox<T> {
        StepperBox(DAdaptSGDStepper<T>(self, shapes: shapes, engine: engine))
    }
}

/// A DAdaptSGD pass. `dual`: slots s0 = s, s1 = the scratch g·s (old s); g ← g + λ·w, s ← s + dlr·g.
/// Otherwise: slots s0 = s, s1 = x0, s2 = z; z ← x0 − s, w ← w·keep + ck·z.
public struct DAdaptSGDKernel<Scalar: DescentFloat>: ElementwiseKernel {
    @usableFromInline var dual: Bool
    @usableFromInline var coupled, dlr, keep, ck: Scalar
    public var slotCount: Int

    @inlinable @inline(__always)
    public func apply<L: Lane>(_ p: inout L, _ g: L, _ s: inout Slots<L>) where L.Scalar == Scalar {
        if dual {
            let d = coupled != 0 ? g + L(repeating: coupled) * p : g
            s.s1 = d * s.s0
            s.s0 = s.s0 + L(repeating: dlr) * d
            return
        }
        s.s2 = s.s1 - s.s0
        p = p * L(repeating: keep) + L(repeating: ck) * s.s2
    }
}

final class DAdaptSGDStepper<T: DescentFloat>: GroupedStepper {
    /// The first group's knobs: with param groups dadaptation reads weight_decay, momentum and
    /// growth_rate from `self.param_groups[0]` for every group; a group gives only its lr.
    let config: DAdaptSGDFamily
    let groupOf: [Int], groupCount: Int
    let engine: Engine
    let s: [Buffer<T>], x0: [Buffer<T>], z: [Buffer<T>], scratch: [Buffer<T>]
    var est: DAdaptationEstimates
    var g0Norm = 0.0
    var k = 0
    /// Whether tensor i has had a gradient (x0 and z are its value then).
    var started: [Bool]

    convenience init(_ config: DAdaptSGDFamily, shapes: [[Int]], engine: Engine) {
        self.init(config, members: [Array(shapes.indices)], shapes: shapes, engine: engine)
    }

    init(_ config: DAdaptSGDFamily, members: [[Int]], shapes: [[Int]], engine: Engine) {
        self.config = config
        groupOf = groupIndex(members, count: shapes.count)
        groupCount = members.count
        self.engine = engine
        s = .zeros(like: shapes)
        x0 = .zeros(like: shapes)
        z = .zeros(like: shapes)
        scratch = .zeros(like: shapes)
        est = DAdaptationEstimates(shapes, perTensor: config.perTensorD, d0: config.d0)
        started = Array(repeating: false, count: shapes.count)
    }

    func step(params: [Buffer<T>], grads: [Buffer<T>], lr: Double) {
        step(params, grads.map { Optional($0) }, lrs: Array(repeating: lr, count: groupCount))
    }

    func step(params: [Buffer<T>], grads: [Buffer<T>?], groupLRs: [Double]) throws {
        // "if group_lr not in [lr, 0.0]: raise RuntimeError" (lr the largest group lr).
        _ = try largestGroupLR(groupLRs, message: groupLRMessage)
        step(params, grads, lrs: groupLRs)
    }

    private func step(_ params: [Buffer<T>], _ grads: [Buffer<T>?], lrs: [Double]) {
        let c = config
        let lr = lrs.max() ?? 0
        /// A group at lr 0 is left out of g0, the sums and s ("if group_lr > 0.0"); it still moves.
        func active(_ i: Int) -> Bool { lrs[groupOf[i]] > 0 }
        if k == 0 {
            var gSq = 0.0
            for i in params.indices where grads[i] != nil && active(i) {
                let (p, g) = (params[i], grads[i]!)
                let decay = T(c.decayInG0 ? c.weightDecay : 0)
                var acc = T(0)
                for j in 0..<g.count { let e = g[j] + decay * p[j]; acc += e * e }
                gSq += Double(acc)
            }
            g0Norm = gSq.squareRoot()
        }
        for i in params.indices where grads[i] != nil && !started[i] {
            x0[i].copy(from: params[i])
            z[i].copy(from: params[i])
            started[i] = true
        }
        let ck = 1 - c.momentum
        var advanced = false
        for (u, tensors) in est.units.enumerated() {
            let present = tensors.filter { grads[$0] != nil }
            let dlr = est.d[u] * lr / g0Norm
            let dual = DAdaptSGDKernel<T>(dual: true, coupled: T(c.weightDecay), dlr: T(dlr), keep: 0, ck: 0, slotCount: 2)
            var numerator = est.numeratorWeighted[u], skSq = 0.0
            for i in present where active(i) {
                engine.map(dual, params[i], grads[i]!, [s[i], scratch[i]])
                numerator += dlr * dadaptationSum(scratch[i]) { $0 }
                skSq += dadaptationSum(s[i]) { $0 * $0 }
            }
            let dHat = 2 * numerator / skSq.squareRoot()
            let newD = dadaptationD(est.d[u], dHat, growthRate: c.growthRate, allowShrink: c.allowShrink)
            if skSq == 0 { continue }
            est.numeratorWeighted[u] = numerator
            est.d[u] = newD
            let primal = DAdaptSGDKernel<T>(dual: false, coupled: 0, dlr: 0, keep: T(1 - ck), ck: T(ck), slotCount: 3)
            for i in present { engine.map(primal, params[i], grads[i]!, [s[i], x0[i], z[i]]) }
            advanced = true
        }
        if advanced { k += 1 }
    }

    var state: [(name: String, buffers: [Buffer<T>])] { [("z", z), ("s", s), ("x0", x0)] }
}

extension DAdaptSGDStepper {
    func save() -> StepperState {
        var out = StepperState(buffers: state, scalars: [("k", Double(k)), ("g0_norm", g0Norm)] + est.scalars("d"))
        out.add(perTensor: started.map { $0 ? 1.0 : 0.0 }, as: "started")
        return out
    }
    func load(_ saved: StepperState) throws {
        try saved.restore(into: state)
        k = try saved.count("k")
        g0Norm = try saved.scalar("g0_norm")
        try est.load(saved, "d")
        started = try saved.perTensor("started", count: started.count).map { (x: Double) in x != 0 }
    }
}

// DAdaptLion (dadaptation 3.2, dadapt_lion.py): Lion at dlr = d·lr, in one pass per tensor, with
// the old d:
//
//   w   ← w·(1 − dlr·λ)                       weight_decay (AdamW style, before the step)
//   u    = sign(β₁·m + (1 − β₁)·g)
//   w   ← w − dlr·u
//   m   ← β₂·m + (1 − β₂)·dlr·g               m carries dlr (g in the sign does not)
//   num  = Σ dlr·⟨u, s⟩                        the OLD s, over every tensor
//   s   ← √β₂·s + (1 − √β₂)·dlr·u
//   nw  ← √β₂·nw + (1 − √β₂)·num
//   ‖s‖₁ = 0: return (the parameters HAVE moved; nw, d, k unchanged)
//   d   ← max(d, nw/((1 − √β₂)·‖s‖₁))          only when lr > 0; no growth_rate
//
// State exp_avg, s; the group's d, k, numerator_weighted.
public struct DAdaptLionFamily: OptimizerFamily {
    public var beta1 = 0.9
    public var beta2 = 0.99
    public var weightDecay = 0.0
    public var d0 = 1e-6
    /// Known-wrong variants' knobs: one d per tensor; d ← d̂ without the max; m of the raw g
    /// (m ← β₂·m + (1 − β₂)·g, not weighted by dlr).
    public var perTensorD = false
    public var allowShrink = false
    public var unweightedM = false

    public init() {}

    public var familyName: String { "DAdaptLion" }
    public var summary: String {
        var parts = ["betas (\(beta1), \(beta2))", "d0 \(d0)", weightDecay == 0 ? "no decay" : "decoupled decay \(weightDecay) × dlr"]
        if perTensorD { parts.append("one d per tensor") }
        if allowShrink { parts.append("d may shrink") }
        if unweightedM { parts.append("m not weighted by d·lr") }
        return parts.joined(separator: ", ")
    }

    @_specialize(where T == Double) @_specialize(where T == Float)
    public func makeStepper<T: DescentFloat>(_: T.Type, shapes: [[Int]], engine: Engine) throws -> StepperBox<T> {
        StepperBox(DAdaptLionStepper<T>(self, shapes: shapes, engine: engine))
    }
}

/// One DAdaptLion pass. Slots: s0 = exp_avg, s1 = s, s2 = the scratch u·s (old s).
public struct DAdaptLionKernel<Scalar: DescentFloat>: ElementwiseKernel {
    @usableFromInline var decayFactor, beta1, oneMinusBeta1, beta2, alphaM, negDlr, sqrtBeta2, alphaS: Scalar
    @inlinable public var slotCount: Int { 3 }

    @inlinable @inline(__always)
    public func apply<L: Lane>(_ p: inout L, _ g: L, _ s: inout Slots<L>) where L.Scalar == Scalar {
        p = p * L(repeating: decayFactor)
        let u = (s.s0 * L(repeating: beta1) + L(repeating: oneMinusBeta1) * g).signum
        p = p + L(repeating: negDlr) * u
        s.s0 = s.s0 * L(repeating: beta2) + L(repeating: alphaM) * g
        s.s2 = u * s.s1
        s.s1 = s.s1 * L(repeating: sqrtBeta2) + L(repeating: alphaS) * u
    }
}

final class DAdaptLionStepper<T: DescentFloat>: GroupedStepper {
    /// The first group's knobs (betas), as dadaptation reads `self.param_groups[0]`.
    let config: DAdaptLionFamily
    /// Each param group's knobs (its weight_decay), each tensor's group.
    let groups: [DAdaptLionFamily]
    let groupOf: [Int]
    let engine: Engine
    let m: [Buffer<T>], s: [Buffer<T>], scratch: [Buffer<T>]
    var est: DAdaptationEstimates
    var k = 0

    convenience init(_ config: DAdaptLionFamily, shapes: [[Int]], engine: Engine) {
        self.init(groups: [config], members: [Array(shapes.indices)], shapes: shapes, engine: engine)
    }

    init(groups: [DAdaptLionFamily], members: [[Int]], shapes: [[Int]], engine: Engine) {
        config = groups[0]
        self.groups = groups
        groupOf = groupIndex(members, count: shapes.count)
        self.engine = engine
        m = .zeros(like: shapes)
        s = .zeros(like: shapes)
        scratch = .zeros(like: shapes)
        est = DAdaptationEstimates(shapes, perTensor: config.perTensorD, d0: config.d0)
    }

    func step(params: [Buffer<T>], grads: [Buffer<T>], lr: Double) {
        step(params, grads.map { Optional($0) }, lr: lr)
    }

    func step(params: [Buffer<T>], grads: [Buffer<T>?], groupLRs: [Double]) throws {
        // "if group_lr not in [lr, 0.0]: raise RuntimeError" (lr the largest group lr).
        step(params, grads, lr: try largestGroupLR(groupLRs, message: groupLRMessage))
    }

    /// Every tensor with a gradient steps at dlr = d·(the largest group lr), a group at lr 0 too.
    private func step(_ params: [Buffer<T>], _ grads: [Buffer<T>?], lr: Double) {
        let c = config
        let sqrtBeta2 = Double.pow(c.beta2, 0.5)
        var advanced = false
        for (u, tensors) in est.units.enumerated() {
            let dlr = est.d[u] * lr
            var numerator = 0.0, l1 = 0.0
            for i in tensors where grads[i] != nil {
                let wd = groups[groupOf[i]].weightDecay
                let kernel = DAdaptLionKernel<T>(decayFactor: T(1 - dlr * wd), beta1: T(c.beta1), oneMinusBeta1: T(1 - c.beta1),
                                                 beta2: T(c.beta2), alphaM: T((1 - c.beta2) * (c.unweightedM ? 1 : dlr)), negDlr: T(-dlr),
                                                 sqrtBeta2: T(sqrtBeta2), alphaS: T((1 - sqrtBeta2) * dlr))
                engine.map(kernel, params[i], grads[i]!, [m[i], s[i], scratch[i]])
                numerator += dlr * dadaptationSum(scratch[i]) { $0 }
                l1 += dadaptationSum(s[i]) { $0.magnitude }
            }
            let nw = sqrtBeta2 * est.numeratorWeighted[u] + (1 - sqrtBeta2) * numerator
            if l1 == 0 { continue }
            if lr > 0 { est.d[u] = dadaptationD(est.d[u], nw / ((1 - sqrtBeta2) * l1), growthRate: .infinity, allowShrink: c.allowShrink) }
            est.numeratorWeighted[u] = nw
            advanced = true
        }
        if advanced { k += 1 }
    }

    var state: [(name: String, buffers: [Buffer<T>])] { [("exp_avg", m), ("s", s)] }
}

extension DAdaptLionStepper {
    func save() -> StepperState { StepperState(buffers: state, scalars: [("k", Double(k))] + est.scalars("d")) }
    func load(_ saved: StepperState) throws {
        try saved.restore(into: state)
        k = try saved.count("k")
        try est.load(saved, "d")
    }
}

extension DAdaptLionFamily: GroupSharingFamily {
    public var sharesStateAcrossGroups: Bool { true }

    @_specialize(where T == Double) @_specialize(where T == Float)
    public func makeGroupedStepper<T: DescentFloat>(_: T.Type, groups: [any OptimizerFamily], members: [[Int]],
                                                    shapes: [[Int]], engine: Engine) throws -> StepperBox<T> {
        let fs = try sameFamilies(groups)
        guard !fs.isEmpty else { throw DescentError.unsupported("DAdaptLion over no param groups") }
        return StepperBox(DAdaptLionStepper<T>(groups: fs, members: members, shapes: shapes, engine: engine))
    }
}

extension DAdaptSGDFamily: GroupSharingFamily {
    public var sharesStateAcrossGroups: Bool { true }

    /// The first group's family decides every knob (dadaptation reads them from param_groups[0]).
    @_specialize(where T == Double) @_specialize(where T == Float)
    public func makeGroupedStepper<T: DescentFloat>(_: T.Type, groups: [any OptimizerFamily], members: [[Int]],
                                                    shapes: [[Int]], engine: Engine) throws -> StepperBox<T> {
        guard let first = try sameFamilies(groups).first else { throw DescentError.unsupported("DAdaptSGD over no param groups") }
        return StepperBox(DAdaptSGDStepper<T>(first, members: members, shapes: shapes, engine: engine))
    }
}

/// dadaptation's `layer_scale`: a key DAdaptAdam keeps in each param group (its defaults dict), not a
/// constructor argument, so only a group sets it (a number; the library multiplies by it).
extension DAdaptAdamFamily: GroupKeyFamily {
    public func setting(groupKey: String, to value: Double?) throws -> DAdaptAdamFamily {
        guard groupKey == "layer_scale", form == .dadaptation else {
            throw DescentError.unsupported("\(familyName) has no group key '\(groupKey)'")
        }
        guard let r = value else {
            throw DescentError.invalidHyperparameter(field: "optimizer.param_groups.layer_scale", message: "layer_scale must be a number")
        }
        var f = self
        f.layerScale = r
        return f
    }
}
