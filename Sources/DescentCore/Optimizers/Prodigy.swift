// Prodigy.swift — Prodigy (Mishchenko & Defazio 2023, "Prodigy: An Expeditiously Adaptive
// Parameter-Free Learner"): Adam whose step size is a distance estimate d, as prodigyopt.Prodigy
// (prodigyopt 1.1.2, prodigyopt/prodigy.py), optax.contrib.prodigy (optax 0.2.8,
// contrib/_prodigy.py) and pytorch_optimizer.Prodigy (pytorch-optimizer 4.1.0,
// optimizer/prodigy.py) compute it. Per step k = 0, 1, … (k the steps taken so far), with the old d:
//
//   g ← g + λ·w                                  coupled decay (prodigyopt decouple=False)
//   bc = √(1 − β₂ᵏ⁺¹)/(1 − β₁ᵏ⁺¹)                 prodigyopt use_bias_correction (else 1); optax always
//   dlr = d·lr·bc
//   r ← β₃·r + Σₜ (d/d0)·dlr·⟨gₜ, p0ₜ − wₜ⟩        ONE scalar over every tensor (the numerator)
//   s ← β₃·s + (d/d0)·dlr·g                      (safeguard_warmup: (d/d0)·d·g)
//   m ← β₁·m + (1 − β₁)·d·g;  v ← β₂·v + (1 − β₂)·d²·g²
//   d̂ = d_coef·r / Σₜ Σ|sₜ|                      (β₃ = √β₂ unless given)
//   prodigyopt: d ← max(d, d̂) while d = d0;  d_max ← max(d_max, d̂);  d ← min(d_max, d·growth_rate)
//   optax:      d ← max(d, d̂)
//   w ← w − λ·dlr·w                              decoupled decay (prodigyopt's default; optax's only form)
//   w ← w − dlr·m/(√v + d·eps)                   the NEW d in the eps term (β₁ = 0, prodigyopt: no m,
//                                                 w ← w − dlr·d·g/(√v + d·eps), the new d in both)
//
// The forms are these equations in each library's operation order and state names:
//   prodigyopt  m·β₁ + g·(d(1 − β₁)), v·β₂ + (d²(1 − β₂))·g·g (torch's add_ / addcmul_); s and p0
//               kept for every slice_p-th element of each flattened tensor (s, p0: the dot and Σ|s|
//               over those); a step whose Σ|s| is 0 returns after the EMAs, before anything else
//               moves (k not advanced); the group's k, d, d_max, d_numerator     s, p0, exp_avg, exp_avg_sq
//   optax       dg = d·g; m ← β₁·m + (1 − β₁)·dg, v ← β₂·v + (1 − β₂)·dg·dg, s ← β₃·s + dlr·dg/d0;
//               u = −λ·dlr·w − dlr·m/(√v + d·eps), w ← w + u; jnp.maximum (NaN propagates)
//                                       exp_avg, exp_avg_sq, grad_sum, params0, estim_lr, numerator_weighted
//   pytorch_optimizer  as prodigyopt, but: g ← −g (maximize) first; dlr = d·lr/((1 − β₁ᵗ)/√(1 − β₂ᵗ))
//               (bias_correction) with t the group's step (from 1, advanced BEFORE the early return, so
//               an all-zero step still counts); r ← β₃·r kept even on that return; no lr > 0 gate, no
//               slice_p; the decay after the estimate, w ← w·(1 − wd·dlr) (fixed_decay: w·(1 − wd));
//               weight_decouple=False adds wd·w to p.grad after the moments were taken: no effect.
//               The group's `step` (t + 1 after t steps)          s, p0, exp_avg, exp_avg_sq
// The reductions (the dot and Σ|s|) are accumulated in float64 per tensor, as torch's `.item()`
// hands them to Python floats; d, d_max, r are float64 scalars in both precisions.

public struct ProdigyFamily: OptimizerFamily {
    /// Whose operation order, state names and d update.
    public enum Form: String, Sendable {
        case prodigyopt, optax, pytorchOptimizer = "pytorch_optimizer"
    }

    public var form: Form
    public var beta1 = 0.9
    public var beta2 = 0.999
    /// nil: √β₂ (prodigyopt `math.sqrt(beta2)`, optax `beta2**0.5`).
    public var beta3: Double? = nil
    public var eps = 1e-8
    public var weightDecay = 0.0
    /// Decoupled decay (prodigyopt `decouple`; optax always); false: λ·w added to g.
    public var decouple = true
    /// prodigyopt `use_bias_correction` (optax: always).
    public var biasCorrection: Bool
    public var safeguardWarmup = false
    /// prodigyopt `d0`, optax `estim_lr0`.
    public var d0 = 1e-6
    /// prodigyopt `d_coef`, optax `estim_lr_coef`.
    public var dCoef = 1.0
    /// prodigyopt `growth_rate` (optax has none: ∞).
    public var growthRate = Double.infinity
    /// prodigyopt `slice_p`: s and p0 over every slice_p-th element.
    public var sliceP = 1
    /// pytorch_optimizer `maximize`.
    public var maximize = false
    /// pytorch_optimizer `fixed_decay`: w ← w·(1 − wd).
    public var fixedDecay = false
    /// A known-wrong variant's knob: one estimate (r, s sums, d) per tensor instead of over them all.
    public var perTensorEstimate = false
    /// A known-wrong variant's knob: d ← d̂ every step (no max, no growth cap: d may shrink).
    public var dFollowsEstimate = false
    /// A known-wrong variant's knob: the growth-rate cap not applied.
    public var uncapped = false
    /// A known-wrong variant's knob: the decoupled decay scaled by lr only (w ← w − λ·lr·w), not d·lr.
    public var decayByLROnly = false
    /// A known-wrong variant's knob: pytorch_optimizer's weight_decouple=False applied as L2 on g.
    public var decayAsL2 = false
    /// A known-wrong variant's knob: pytorch_optimizer's group step held by a step whose Σ|s| is 0.
    public var holdStepOnEmptyStep = false

    public init(form: Form) {
        self.form = form
        biasCorrection = form == .optax
    }

    /// The knobs prodigyopt and pytorch_optimizer both take, from their constructors' keywords.
    public init(form: Form, betas: (Double, Double), beta3: Double?, eps: Double, weightDecay: Double, decouple: Bool,
                biasCorrection: Bool, safeguardWarmup: Bool, d0: Double, dCoef: Double, growthRate: Double) {
        self.init(form: form)
        (beta1, beta2) = betas
        self.beta3 = beta3
        self.eps = eps
        self.weightDecay = weightDecay
        self.decouple = decouple
        self.biasCorrection = biasCorrection
        self.safeguardWarmup = safeguardWarmup
        self.d0 = d0
        self.dCoef = dCoef
        self.growthRate = growthRate
    }

    /// β₃ in force.
    public var effectiveBeta3: Double {
        if let b = beta3 { return b }
        return form == .optax ? Double.pow(beta2, 0.5) : beta2.squareRoot()
    }

    public var familyName: String { "Prodigy" }
    public var summary: String {
        var parts = ["\(form.rawValue) form", "betas (\(beta1), \(beta2)), beta3 \(beta3.map { "\($0)" } ?? "√beta2")",
                     "eps \(eps)·d", "d0 \(d0)", "d_coef \(dCoef)"]
        if growthRate.isFinite { parts.append("growth_rate \(growthRate)") }
        if biasCorrection { parts.append("bias correction") }
        if safeguardWarmup { parts.append("safeguard warmup") }
        if weightDecay != 0 { parts.append("\(decouple ? fixedDecay ? "fixed" : "decoupled" : "coupled") decay \(weightDecay)\(decayByLROnly ? " × lr only" : "")") }
        if maximize { parts.append("maximize") }
        if sliceP != 1 { parts.append("slice_p \(sliceP)") }
        if perTensorEstimate { parts.append("one estimate per tensor") }
        if dFollowsEstimate { parts.append("d ← d̂ (may shrink)") }
        if uncapped { parts.append("growth cap not applied") }
        if decayAsL2 { parts.append("weight_decouple=False as L2") }
        if holdStepOnEmptyStep { parts.append("step held on a step with Σ|s| = 0") }
        return parts.joined(separator: ", ")
    }

    @_specialize(where T == Double) @_specialize(where T == Float)
    public func makeStepper<T: DescentFloat>(_: T.Type, shapes: [[Int]], engine: Engine) throws -> StepperBox<T> {
        guard sliceP >= 1 else { throw DescentError.unsupported("prodigyopt slice_p=\(sliceP): a slice step must be positive") }
        return StepperBox(ProdigyStepper<T>(self, shapes: shapes, engine: engine))
    }
}

extension ProdigyFamily: GroupSharingFamily {
    /// prodigyopt and pytorch_optimizer keep one d over every group (optax: a state per transform).
    public var sharesStateAcrossGroups: Bool { form != .optax }

    @_specialize(where T == Double) @_specialize(where T == Float)
    public func makeGroupedStepper<T: DescentFloat>(_: T.Type, groups: [any OptimizerFamily], members: [[Int]],
                                                    shapes: [[Int]], engine: Engine) throws -> StepperBox<T> {
        let fs = try sameFamilies(groups)
        if let bad = fs.first(where: { $0.sliceP < 1 }) {
            throw DescentError.unsupported("prodigyopt slice_p=\(bad.sliceP): a slice step must be positive")
        }
        guard !fs.isEmpty else { throw DescentError.unsupported("Prodigy over no param groups") }
        return StepperBox(ProdigyStepper<T>(groups: fs, members: members, shapes: shapes, engine: engine))
    }
}

/// One Prodigy step after the estimate: the EMAs (with the old d) and the move (with the new d in
/// the eps term). Slots: s0 = m (exp_avg), s1 = v (exp_avg_sq).
public struct ProdigyKernel<Scalar: DescentFloat>: ElementwiseKernel {
    @usableFromInline var coupled, b1, b2, mScale, vScale, dOld, epsD, decay, decayFactor, negDlr, negDlrD: Scalar
    @usableFromInline var optax, momentum, updateEMA, emaOnly, negate: Bool
    @inlinable public var slotCount: Int { 2 }

    @inlinable @inline(__always)
    public func apply<L: Lane>(_ p: inout L, _ g: L, _ s: inout Slots<L>) where L.Scalar == Scalar {
        if optax {
            let dg = L(repeating: dOld) * g
            s.s0 = L(repeating: b1) * s.s0 + L(repeating: mScale) * dg
            s.s1 = L(repeating: b2) * s.s1 + (L(repeating: vScale) * dg) * dg
            let u = L(repeating: decay) * p - (L(repeating: -negDlr) * s.s0) / (s.s1.squareRoot() + L(repeating: epsD))
            p = p + u
            return
        }
        let x = negate ? -g : coupled != 0 ? g + L(repeating: coupled) * p : g
        if updateEMA {
            if momentum { s.s0 = s.s0 * L(repeating: b1) + x * L(repeating: mScale) }
            s.s1 = s.s1 * L(repeating: b2) + (L(repeating: vScale) * x) * x
        }
        if emaOnly { return }
        let denom = s.s1.squareRoot() + L(repeating: epsD)
        if decay != 0 { p = p + L(repeating: decay) * p }
        if decayFactor != 1 { p = p * L(repeating: decayFactor) }
        p = momentum ? p + (L(repeating: negDlr) * s.s0) / denom : p + (L(repeating: negDlrD) * x) / denom
    }
}

final class ProdigyStepper<T: DescentFloat>: GroupedStepper {
    /// The first group's knobs: the globals (betas, β₃, bias correction, d_coef, growth_rate,
    /// prodigyopt's decouple), as the libraries read `self.param_groups[0]`.
    let config: ProdigyFamily
    /// Each param group's knobs (one group without param groups) and each tensor's group.
    let groups: [ProdigyFamily]
    let groupOf: [Int]
    let engine: Engine
    let m: [Buffer<T>], v: [Buffer<T>], s: [Buffer<T>], p0: [Buffer<T>]
    /// The tensors of each estimate: all of them (the variant: one each).
    let units: [[Int]]
    var d: [Double], dMax: [Double], numerator: [Double]
    var k = 0
    /// Whether tensor i has had a gradient (p0 is taken then: the libraries build a tensor's state
    /// at its first gradient).
    var started: [Bool]
    /// The steps each tensor took (it moves only on the steps it has a gradient).
    var tensorSteps: [Int]

    convenience init(_ config: ProdigyFamily, shapes: [[Int]], engine: Engine) {
        self.init(groups: [config], members: [Array(shapes.indices)], shapes: shapes, engine: engine)
    }

    init(groups: [ProdigyFamily], members: [[Int]], shapes: [[Int]], engine: Engine) {
        config = groups[0]
        self.groups = groups
        let of = groupIndex(members, count: shapes.count)
        groupOf = of
        self.engine = engine
        m = .zeros(like: shapes)
        v = .zeros(like: shapes)
        let sliced = shapes.indices.map { i -> [Int] in
            let p = groups[of[i]].sliceP
            return [(shapes[i].reduce(1, *) + p - 1) / p]
        }
        s = .zeros(like: sliced)
        p0 = .zeros(like: sliced)
        units = config.perTensorEstimate ? shapes.indices.map { [$0] } : [Array(shapes.indices)]
        d = Array(repeating: config.d0, count: units.count)
        dMax = d
        numerator = Array(repeating: 0, count: units.count)
        started = Array(repeating: false, count: shapes.count)
        tensorSteps = Array(repeating: 0, count: shapes.count)
    }

    func step(params: [Buffer<T>], grads: [Buffer<T>], lr: Double) {
        step(params, grads.map { Optional($0) }, lrs: Array(repeating: lr, count: groups.count))
    }

    func step(params: [Buffer<T>], grads: [Buffer<T>?], groupLRs: [Double]) throws {
        // prodigyopt: "if group_lr not in [lr, 0.0]: raise RuntimeError" (lr the largest group lr).
        if config.form == .prodigyopt { _ = try largestGroupLR(groupLRs, message: groupLRMessage) }
        step(params, grads, lrs: groupLRs)
    }

    private func step(_ params: [Buffer<T>], _ grads: [Buffer<T>?], lrs: [Double]) {
        let c = config
        for (i, p) in params.enumerated() where !started[i] && grads[i] != nil {
            let sp = groups[groupOf[i]].sliceP
            for j in 0..<p0[i].count { p0[i][j] = p[j * sp] }
            started[i] = true
        }
        let b3 = c.effectiveBeta3
        let t = Double(k + 1)
        let po = c.form == .pytorchOptimizer
        // prodigyopt steps with the largest group lr; pytorch_optimizer with the first group's.
        let lr = c.form == .prodigyopt ? lrs.max() ?? 0 : lrs[0]
        // The knobs read after the groups' loop come from the last group (its d0 in `d == d0`;
        // pytorch_optimizer's d_coef, d_max and growth_rate too).
        let last = groups[groups.count - 1]
        // pytorch_optimizer divides by (1 − β₁ᵗ)/√(1 − β₂ᵗ); the others multiply by √(1 − β₂ᵗ)/(1 − β₁ᵗ).
        var bc = 1.0, divisor = 1.0
        if c.biasCorrection && po {
            divisor = (1 - Double.pow(c.beta1, t)) / (1 - Double.pow(c.beta2, t)).squareRoot()
        } else if c.biasCorrection {
            bc = Double.pow(1 - Double.pow(c.beta2, t), 0.5) / (1 - Double.pow(c.beta1, t))
        }
        /// Tensor i's coupled decay (prodigyopt: the group's weight_decay unless the first group decouples).
        func coupled(_ g: ProdigyFamily) -> Double {
            (c.form == .prodigyopt && !c.decouple) || (c.decayAsL2 && !g.decouple) ? g.weightDecay : 0
        }
        var advanced = po && !c.holdStepOnEmptyStep
        for (u, tensors) in units.enumerated() {
            let present = tensors.filter { grads[$0] != nil }
            let dOld = d[u]
            let dlr = po ? dOld * lr / divisor : dOld * lr * bc
            var delta = 0.0, denom = 0.0
            /// prodigyopt leaves a group at lr 0 out of the sums and the EMAs ("if group_lr > 0.0").
            func active(_ i: Int) -> Bool { c.form != .prodigyopt || lrs[groupOf[i]] > 0 }
            if po { numerator[u] *= b3 }
            for i in present where active(i) {
                let g = groups[groupOf[i]]
                // pytorch_optimizer's d / d0 is the first group's d0 in every group.
                let d0 = po ? c.d0 : g.d0
                let sAlpha = c.form == .optax ? (g.safeguardWarmup ? dOld : dlr) : (dOld / d0) * (g.safeguardWarmup ? dOld : dlr)
                let (dot, sum) = statistics(i, params[i], grads[i]!, coupled: coupled(g), b3: b3, alpha: sAlpha, dOld: dOld, sliceP: g.sliceP)
                switch c.form {
                case .optax: delta += dot
                case .prodigyopt: delta += (dOld / d0) * dlr * dot
                case .pytorchOptimizer: numerator[u] += (dOld / d0) * dlr * dot
                }
                denom += sum
            }
            let kernelFor = { (i: Int, dNew: Double, emaOnly: Bool) -> ProdigyKernel<T> in
                let g = self.groups[self.groupOf[i]]
                // prodigyopt decouples by the first group's flag; pytorch_optimizer by the group's.
                let decoupled = g.weightDecay != 0 && (c.form == .optax || (po ? g.decouple : c.decouple))
                let scale = c.decayByLROnly ? lr : dlr
                let decay = decoupled && !po ? -g.weightDecay * scale : 0
                let factor = decoupled && po ? 1 - g.weightDecay * (g.fixedDecay ? 1 : scale) : 1
                return ProdigyKernel<T>(coupled: T(coupled(g)), b1: T(c.beta1), b2: T(c.beta2),
                                        mScale: T(c.form == .optax ? 1 - c.beta1 : dOld * (1 - c.beta1)),
                                        vScale: T(c.form == .optax ? 1 - c.beta2 : dOld * dOld * (1 - c.beta2)),
                                        dOld: T(dOld), epsD: T(dNew * g.eps), decay: T(decay), decayFactor: T(factor),
                                        negDlr: T(-dlr), negDlrD: T(-dlr * dNew),
                                        optax: c.form == .optax, momentum: c.form != .prodigyopt || c.beta1 > 0,
                                        updateEMA: active(i), emaOnly: emaOnly, negate: po && c.maximize)
            }
            if c.form != .optax && denom == 0 {
                // step() returns before the estimate: only the EMAs (of g = 0 where s is 0) moved.
                for i in present where active(i) { engine.map(kernelFor(i, dOld, true), params[i], grads[i]!, [m[i], v[i]]) }
                continue
            }
            advanced = true
            let r: Double
            switch c.form {
            case .optax: r = b3 * numerator[u] + (dOld / c.d0) * dlr * delta
            case .prodigyopt: r = numerator[u] * b3 + delta
            case .pytorchOptimizer: r = numerator[u]
            }
            let dHat = (po ? last.dCoef : c.dCoef) * r / denom
            var dNew = dOld
            if c.dFollowsEstimate {
                dNew = dHat
            } else if c.form == .optax {
                dNew = dOld.isNaN || dHat.isNaN ? .nan : Swift.max(dOld, dHat)
            } else if po || lr > 0 {
                if dOld == last.d0 { dNew = dHat > dNew ? dHat : dNew }
                if dHat > dMax[u] { dMax[u] = dHat }
                let growth = po ? last.growthRate : c.growthRate
                let capped = c.uncapped ? dMax[u] : (dNew * growth < dMax[u] ? dNew * growth : dMax[u])
                dNew = capped
            }
            if c.form == .optax || c.dFollowsEstimate { dMax[u] = Swift.max(dMax[u], dNew) }
            numerator[u] = r
            d[u] = dNew
            for i in present {
                engine.map(kernelFor(i, dNew, false), params[i], grads[i]!, [m[i], v[i]])
                tensorSteps[i] += 1
            }
        }
        // pytorch_optimizer's group step advances before the early return.
        if advanced { k += 1 }
    }

    /// Tensor i's ⟨g, p0 − w⟩ and Σ|s| after s ← β₃·s + α·g, over its sliced elements, in float64
    /// (the optax form: s ← β₃·s + α·(d·g)/d0). p0 − w is taken in float64, exact for float32 values:
    /// early steps move w by ~d0·lr, a few float32 ulps of an order-1 weight.
    private func statistics(_ i: Int, _ p: Buffer<T>, _ g: Buffer<T>, coupled: Double, b3: Double, alpha: Double,
                            dOld: Double, sliceP: Int) -> (Double, Double) {
        let c = config
        let si = s[i], p0i = p0[i]
        let b3T = T(b3), alphaT = T(alpha), coupledT = T(coupled), dT = T(dOld), d0T = T(c.d0)
        let negate = c.form == .pytorchOptimizer && c.maximize
        var dot = 0.0, sum = 0.0
        for j in 0..<si.count {
            let e = j * sliceP
            let x = negate ? -g[e] : coupled != 0 ? g[e] + coupledT * p[e] : g[e]
            dot += Double(x) * (Double(p0i[j]) - Double(p[e]))
            if c.form == .optax {
                si[j] = b3T * si[j] + alphaT * (dT * x) / d0T
            } else {
                si[j] = si[j] * b3T + x * alphaT
            }
            sum += Double(abs(si[j]))
        }
        return (dot, sum)
    }

    var state: [(name: String, buffers: [Buffer<T>])] {
        switch config.form {
        case .optax: return [("exp_avg", m), ("exp_avg_sq", v), ("grad_sum", s), ("params0", p0)]
        case .prodigyopt: return [("s", s), ("p0", p0)] + (config.beta1 > 0 ? [("exp_avg", m)] : []) + [("exp_avg_sq", v)]
        case .pytorchOptimizer: return [("s", s), ("p0", p0), ("exp_avg", m), ("exp_avg_sq", v)]
        }
    }

    /// The estimate's scalars, named as the library names them (unit u > 0 of the per-tensor variant
    /// suffixed).
    var scalarNames: [String] {
        config.form == .optax ? ["estim_lr", "d_max", "numerator_weighted"] : ["d", "d_max", "d_numerator"]
    }
}

extension ProdigyStepper {
    func save() -> StepperState {
        // pytorch_optimizer's group `step` starts at 1: t + 1 after t steps.
        let step = config.form == .pytorchOptimizer ? k + 1 : k
        var scalars: [(name: String, value: Double)] = [("step", Double(step)), ("k", Double(k))]
        for u in units.indices {
            let suffix = u == 0 ? "" : ".\(u)"
            let names = scalarNames
            scalars += [(names[0] + suffix, d[u]), (names[1] + suffix, dMax[u]), (names[2] + suffix, numerator[u])]
        }
        var buffers = state
        if config.form == .prodigyopt && config.beta1 == 0 { buffers.append(("exp_avg", m)) }
        var out = StepperState(buffers: buffers, scalars: scalars)
        out.add(perTensor: started.map { $0 ? 1.0 : 0.0 }, as: "started")
        // prodigyopt's per-parameter state['step'] (the steps each tensor took; a tensor whose
        // gradients came late has fewer).
        if config.form == .prodigyopt { out.add(perTensor: tensorSteps.map(Double.init), as: "step") }
        return out
    }

    func load(_ saved: StepperState) throws {
        var buffers = state
        if config.form == .prodigyopt && config.beta1 == 0 { buffers.append(("exp_avg", m)) }
        try saved.restore(into: buffers)
        k = try saved.count("k")
        started = try saved.perTensor("started", count: started.count).map { (x: Double) in x != 0 }
        if config.form == .prodigyopt { tensorSteps = try saved.perTensor("step", count: started.count).map { (x: Double) in Int(x) } }
        for u in units.indices {
            let suffix = u == 0 ? "" : ".\(u)"
            let names = scalarNames
            d[u] = try saved.scalar(names[0] + suffix)
            dMax[u] = try saved.scalar(names[1] + suffix)
            numerator[u] = try saved.scalar(names[2] + suffix)
        }
    }
}
