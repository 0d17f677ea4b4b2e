// DAdaptAdaGradAdan.swift — D-Adaptation on AdaGrad and on Adan, as dadaptation 3.2 computes them
// (dadapt_adagrad.py, dadapt_adan.py). Both keep ONE d over every tensor (DAdaptationEstimates'
// units), the scalars in Python floats (float64), each tensor's sums taken in its dtype.
//
// DAdaptAdaGrad (dense gradients), dlr = d·lr with the OLD d, α starting at 1e-6 (not 0), x0 = w at
// the tensor's first step:
//
//   g    ← g + λ·w                                   weight_decay (coupled, in place)
//   Δsq  += Σ s²/(√α + ε)  (new) − Σ s²/(√α + ε) (old)   α ← α + g², s ← s + dlr·g in between
//   Δl1  += Σ|s| (new) − Σ|s| (old)
//   gsq  += Σ g²/(√α + ε)                             with the new α
//   sksq ← sksq + Δsq;  skl1 ← skl1 + Δl1             (running sums of changes, not recomputed)
//   skl1 = 0: return (α and s have their update; the group sums and d do not)
//   gw   ← gw + dlr·dlr·gsq                           gsq_weighted
//   d    ← max(d, min((sksq − gw)/skl1, d·growth_rate))   when lr > 0
//   z     = x0 − s/(√α + ε);  w ← z (momentum 0) | w·(1 − ck) + ck·z, ck = 1 − momentum
//
// State alphak, sk, x0; the group's d, k, gsq_weighted, sksq_weighted, skl1.
//
// DAdaptAdan, dlr = d·lr with the OLD d; pre_grad = g at a tensor's first (advancing) step:
//
//   δ     = g − pre_grad;  u = g + β₂·δ
//   m    ← β₁·m + dlr·(1 − β₁)·g;  n ← β₂·n + dlr·(1 − β₂)·δ;  v ← β₃·v + (1 − β₃)·u²
//   gsq  += Σ g²/(√v + ε);  s ← β₃·s + dlr·(1 − β₃)·g;  sksq += Σ s²/(√v + ε);  ‖s‖₁ += Σ|s|
//   gw   ← β₃·gw + gsq·dlr²·(1 − β₃)                  gsq_weighted (an EMA; sksq and ‖s‖₁ are not)
//   ‖s‖₁ = 0: return (m, n, v, s updated; gw, d, step, pre_grad not)
//   d    ← max(d, min((sksq/(1 − β₃) − gw)/‖s‖₁, d·growth_rate))   when lr > 0
//   w    ← w·(1 − dlr·λ) − (m + β₂·n)/(√v + ε)        no_prox
//        | (w − (m + β₂·n)/(√v + ε))/(1 + dlr·λ)      the default (proximal) decay
//   pre_grad ← g
//
// State exp_avg, exp_avg_diff, exp_avg_sq, s, pre_grad; the group's d, k, gsq_weighted.

public struct DAdaptAdaGradFamily: OptimizerFamily {
    public var momentum = 0.0
    public var weightDecay = 0.0
    public var eps = 1e-6
    public var d0 = 1e-6
    public var growthRate = Double.infinity
    /// Known-wrong variants' knobs: one d per tensor; d ← min(d̂, d·growth_rate) without the max;
    /// α starting at 0 (the library fills it with 1e-6).
    public var perTensorD = false
    public var allowShrink = false
    public var alphaFromZero = false

    public init() {}

    public var familyName: String { "DAdaptAdaGrad" }
    public var summary: String {
        var parts = ["momentum \(momentum)", "eps \(eps)", "d0 \(d0)", weightDecay == 0 ? "no decay" : "coupled decay \(weightDecay)"]
        if growthRate.isFinite { parts.append("growth_rate \(growthRate)") }
        if perTensorD { parts.append("one d per tensor") }
        if allowShrink { parts.append("d may shrink") }
        if alphaFromZero { parts.append("alphak from 0") }
        return parts.joined(separator: ", ")
    }

    @_specialize(where T == Double) @_specialize(where T == Float)
    public func makeStepper<T: DescentFloat>(_: T.Type, shapes: [[Int]], engine: Engine) throws -> StepperBox<T> {
        StepperBox(DAdaptAdaGradStepper<T>(self, shapes: shapes, engine: engine))
    }
}

/// A DAdaptAdaGrad pass. mode 0: slots s0 = alphak, s1 = sk, s2 = the scratch s²/(√α + ε) (old).
/// mode 1: g ← g + λ·w, α ← α + g², s2 = g²/(√α + ε), s ← s + dlr·g, s3 = s²/(√α + ε).
/// mode 2: slots s0 = alphak, s1 = sk, s2 = x0; z = x0 − s/(√α + ε), w ← z | w·keep + ck·z.
public struct DAdaptAdaGradKernel<Scalar: DescentFloat>: ElementwiseKernel {
    @usableFromInline var mode: Int
    @usableFromInline var coupled, dlr, eps, keep, ck: Scalar
    public var slotCount: Int

    @inlinable @inline(__always)
    public func apply<L: Lane>(_ p: inout L, _ g: L, _ s: inout Slots<L>) where L.Scalar == Scalar {
        let e = L(repeating: eps)
        if mode == 0 {
            s.s2 = (s.s1 * s.s1) / (s.s0.squareRoot() + e)
            return
        }
        if mode == 1 {
            let d = coupled != 0 ? g + L(repeating: coupled) * p : g
            s.s0 = s.s0 + d * d
            let den = s.s0.squareRoot() + e
            s.s2 = (d * d) / den
            s.s1 = s.s1 + L(repeating: dlr) * d
            s.s3 = (s.s1 * s.s1) / den
            return
        }
        let z = s.s2 - s.s1 / (s.s0.squareRoot() + e)
        p = ck != 1 ? p * L(repeating: keep) + L(repeating: ck) * z : z
    }
}

final class DAdaptAdaGradStepper<T: DescentFloat>: GroupedStepper {
    /// The first group's knobs: lr, momentum, growth_rate, as dadaptation reads `self.param_groups[0]`.
    let config: DAdaptAdaGradFamily
    /// Each param group's knobs (eps, weight_decay), each tensor's group.
    let groups: [DAdaptAdaGradFamily]
    let groupOf: [Int]
    let engine: Engine
    let alphak: [Buffer<T>], sk: [Buffer<T>], x0: [Buffer<T>], scratch: [Buffer<T>], scratch2: [Buffer<T>]
    var est: DAdaptationEstimates
    var gsqWeighted: [Double], sksqWeighted: [Double], skl1: [Double]
    var k = 0
    /// Whether tensor i has had a gradient (its state, x0 = w and α = 1e-6, is built then).
    var started: [Bool]

    convenience init(_ config: DAdaptAdaGradFamily, shapes: [[Int]], engine: Engine) {
        self.init(groups: [config], members: [Array(shapes.indices)], shapes: shapes, engine: engine)
    }

    init(groups: [DAdaptAdaGradFamily], members: [[Int]], shapes: [[Int]], engine: Engine) {
        config = groups[0]
        self.groups = groups
        groupOf = groupIndex(members, count: shapes.count)
        self.engine = engine
        alphak = .zeros(like: shapes)
        sk = .zeros(like: shapes)
        x0 = .zeros(like: shapes)
        scratch = .zeros(like: shapes)
        scratch2 = .zeros(like: shapes)
        est = DAdaptationEstimates(shapes, perTensor: config.perTensorD, d0: config.d0)
        gsqWeighted = Array(repeating: 0, count: est.units.count)
        sksqWeighted = gsqWeighted
        skl1 = gsqWeighted
        started = Array(repeating: false, count: shapes.count)
    }

    func step(params: [Buffer<T>], grads: [Buffer<T>], lr: Double) {
        step(params, grads.map { Optional($0) }, lr: lr)
    }

    /// dadaptation's DAdaptAdaGrad steps every group at the first group's lr (no lr check, no lr gate).
    func step(params: [Buffer<T>], grads: [Buffer<T>?], groupLRs: [Double]) throws {
        step(params, grads, lr: groupLRs.first ?? 0)
    }

    private func step(_ params: [Buffer<T>], _ grads: [Buffer<T>?], lr: Double) {
        let c = config
        for i in params.indices where grads[i] != nil && !started[i] {
            x0[i].copy(from: params[i])
            for j in 0..<alphak[i].count { alphak[i][j] = c.alphaFromZero ? 0 : T(1e-6) }
            started[i] = true
        }
        let ck = 1 - c.momentum
        var advanced = false
        for (u, tensors) in est.units.enumerated() {
            let present = tensors.filter { grads[$0] != nil }
            let dlr = est.d[u] * lr
            var gSq = 0.0, sqChange = 0.0, l1Change = 0.0
            for i in present {
                let g = groups[groupOf[i]]
                let old = DAdaptAdaGradKernel<T>(mode: 0, coupled: 0, dlr: 0, eps: T(g.eps), keep: 0, ck: 0, slotCount: 3)
                let moments = DAdaptAdaGradKernel<T>(mode: 1, coupled: T(g.weightDecay), dlr: T(dlr), eps: T(g.eps), keep: 0, ck: 0, slotCount: 4)
                engine.map(old, params[i], grads[i]!, [alphak[i], sk[i], scratch[i]])
                let oldSq = dadaptationSum(scratch[i]) { $0 }, oldL1 = dadaptationSum(sk[i]) { $0.magnitude }
                engine.map(moments, params[i], grads[i]!, [alphak[i], sk[i], scratch[i], scratch2[i]])
                gSq += dadaptationSum(scratch[i]) { $0 }
                sqChange += dadaptationSum(scratch2[i]) { $0 } - oldSq
                l1Change += dadaptationSum(sk[i]) { $0.magnitude } - oldL1
            }
            let sksq = sksqWeighted[u] + sqChange, l1 = skl1[u] + l1Change
            if l1 == 0 { continue }
            let gw = gsqWeighted[u] + dlr * dlr * gSq
            if lr > 0 { est.d[u] = dadaptationD(est.d[u], (sksq - gw) / l1, growthRate: c.growthRate, allowShrink: c.allowShrink) }
            (gsqWeighted[u], sksqWeighted[u], skl1[u]) = (gw, sksq, l1)
            for i in present {
                let primal = DAdaptAdaGradKernel<T>(mode: 2, coupled: 0, dlr: 0, eps: T(groups[groupOf[i]].eps), keep: T(1 - ck),
                                                    ck: c.momentum != 0 ? T(ck) : 1, slotCount: 3)
                engine.map(primal, params[i], grads[i]!, [alphak[i], sk[i], x0[i]])
            }
            advanced = true
        }
        if advanced { k += 1 }
    }

    var state: [(name: String, buffers: [Buffer<T>])] { [("alphak", alphak), ("sk", sk), ("x0", x0)] }
}

extension DAdaptAdaGradStepper {
    func save() -> StepperState {
        var scalars: [(name: String, value: Double)] = [("k", Double(k))]
        if est.units.count == 1 {
            scalars += [("d", est.d[0]), ("gsq_weighted", gsqWeighted[0]), ("sksq_weighted", sksqWeighted[0]), ("skl1", skl1[0])]
        }
        var out = StepperState(buffers: state, scalars: scalars)
        out.add(perTensor: started.map { $0 ? 1.0 : 0.0 }, as: "started")
        return out
    }
    func load(_ saved: StepperState) throws {
        try saved.restore(into: state)
        k = try saved.count("k")
        started = try saved.perTensor("started", count: started.count).map { (x: Double) in x != 0 }
        guard est.units.count == 1 else { return }
        est.d[0] = try saved.scalar("d")
        gsqWeighted[0] = try saved.scalar("gsq_weighted")
        sksqWeighted[0] = try saved.scalar("sksq_weighted")
        skl1[0] = try saved.scalar("skl1")
    }
}

public struct DAdaptAdanFamily: OptimizerFamily {
    public var beta1 = 0.98
    public var beta2 = 0.92
    public var beta3 = 0.99
    public var eps = 1e-8
    public var weightDecay = 0.02
    public var noProx = false
    public var d0 = 1e-6
    public var growthRate = Double.infinity
    /// Known-wrong variants' knobs: one d per tensor; d ← min(d̂, d·growth_rate) without the max;
    /// the prox and no_prox decays swapped; the first step's gradient difference g − 0 (pre_grad
    /// not set to g at a tensor's first step).
    public var perTensorD = false
    public var allowShrink = false
    public var proxSwapped = false
    public var firstDiffFromZero = false

    public init() {}

    public var familyName: String { "DAdaptAdan" }
    public var summary: String {
        var parts = ["betas (\(beta1), \(beta2), \(beta3))", "eps \(eps)", "d0 \(d0)",
                     weightDecay == 0 ? "no decay" : "\(noProx ? "no_prox" : "proximal") decay \(weightDecay) × dlr"]
        if growthRate.isFinite { parts.append("growth_rate \(growthRate)") }
        if perTensorD { parts.append("one d per tensor") }
        if allowShrink { parts.append("d may shrink") }
        if proxSwapped { parts.append("prox and no_prox swapped") }
        if firstDiffFromZero { parts.append("first gradient difference from 0") }
        return parts.joined(separator: ", ")
    }

    @_specialize(where T == Double) @_specialize(where T == Float)
    public func makeStepper<T: DescentFloat>(_: T.Type, shapes: [[Int]], engine: Engine) throws -> StepperBox<T> {
        StepperBox(DAdaptAdanStepper<T>(self, shapes: shapes, engine: engine))
    }
}

/// A DAdaptAdan pass. mode 0 (moments): slots s0 = exp_avg, s1 = exp_avg_diff, s2 = exp_avg_sq,
/// s3 = pre_grad (set to g). mode 1: slots s0 = exp_avg_sq, s1 = s, s2 = the scratch g²/(√v + ε),
/// s3 = the scratch s²/(√v + ε) after s ← β₃·s + dlr·(1 − β₃)·g. mode 2 (the step): slots s0, s1, s2
/// of mode 0; `prox`: w ← (w − step)/(1 + dlr·λ), else w ← w·(1 − dlr·λ) − step.
public struct DAdaptAdanKernel<Scalar: DescentFloat>: ElementwiseKernel {
    @usableFromInline var mode: Int
    @usableFromInline var prox: Bool
    @usableFromInline var beta1, beta2, beta3, alphaM, alphaN, oneMinusBeta3, alphaS, eps, factor: Scalar
    public var slotCount: Int

    @inlinable @inline(__always)
    public func apply<L: Lane>(_ p: inout L, _ g: L, _ s: inout Slots<L>) where L.Scalar == Scalar {
        let e = L(repeating: eps)
        switch mode {
        case 0:
            let diff = g - s.s3
            let u = g + L(repeating: beta2) * diff
            s.s0 = s.s0 * L(repeating: beta1) + L(repeating: alphaM) * g
            s.s1 = s.s1 * L(repeating: beta2) + L(repeating: alphaN) * diff
            s.s2 = s.s2 * L(repeating: beta3) + L(repeating: oneMinusBeta3) * (u * u)
            s.s3 = g
        case 1:
            let den = s.s0.squareRoot() + e
            s.s2 = (g * g) / den
            s.s1 = s.s1 * L(repeating: beta3) + L(repeating: alphaS) * g
            s.s3 = (s.s1 * s.s1) / den
        default:
            let step = (s.s0 + L(repeating: beta2) * s.s1) / (s.s2.squareRoot() + e)
            if prox {
                p = p - step
                if factor != 1 { p = p / L(repeating: factor) }
            } else {
                if factor != 1 { p = p * L(repeating: factor) }
                p = p - step
            }
        }
    }
}

final class DAdaptAdanStepper<T: DescentFloat>: GroupedStepper {
    /// The first group's knobs: lr, betas, no_prox, growth_rate, as dadaptation reads
    /// `self.param_groups[0]`.
    let config: DAdaptAdanFamily
    /// Each param group's knobs (weight_decay, eps), each tensor's group.
    let groups: [DAdaptAdanFamily]
    let groupOf: [Int]
    let engine: Engine
    let m: [Buffer<T>], n: [Buffer<T>], v: [Buffer<T>], s: [Buffer<T>], pre: [Buffer<T>], scratch: [Buffer<T>], scratch2: [Buffer<T>]
    var est: DAdaptationEstimates
    var gsqWeighted: [Double]
    var k = 0
    /// dadaptation's per-parameter state['step']; pre_grad is set while it is 0.
    var tensorSteps: [Int]

    convenience init(_ config: DAdaptAdanFamily, shapes: [[Int]], engine: Engine) {
        self.init(groups: [config], members: [Array(shapes.indices)], shapes: shapes, engine: engine)
    }

    init(groups: [DAdaptAdanFamily], members: [[Int]], shapes: [[Int]], engine: Engine) {
        config = groups[0]
        self.groups = groups
        groupOf = groupIndex(members, count: shapes.count)
        self.engine = engine
        m = .zeros(like: shapes)
        n = .zeros(like: shapes)
        v = .zeros(like: shapes)
        s = .zeros(like: shapes)
        pre = .zeros(like: shapes)
        scratch = .zeros(like: shapes)
        scratch2 = .zeros(like: shapes)
        est = DAdaptationEstimates(shapes, perTensor: config.perTensorD, d0: config.d0)
        gsqWeighted = Array(repeating: 0, count: est.units.count)
        tensorSteps = Array(repeating: 0, count: shapes.count)
    }

    func step(params: [Buffer<T>], grads: [Buffer<T>], lr: Double) {
        step(params, grads.map { Optional($0) }, lr: lr)
    }

    /// dadaptation's DAdaptAdan steps every group at the first group's lr (no lr check, no lr gate).
    func step(params: [Buffer<T>], grads: [Buffer<T>?], groupLRs: [Double]) throws {
        step(params, grads, lr: groupLRs.first ?? 0)
    }

    private func step(_ params: [Buffer<T>], _ grads: [Buffer<T>?], lr: Double) {
        let c = config
        if !c.firstDiffFromZero {
            for i in params.indices where grads[i] != nil && tensorSteps[i] == 0 { pre[i].copy(from: grads[i]!) }
        }
        var advanced = false
        for (u, tensors) in est.units.enumerated() {
            let present = tensors.filter { grads[$0] != nil }
            let dlr = est.d[u] * lr
            var gSq = 0.0, sksq = 0.0, l1 = 0.0
            for i in present {
                let eps = groups[groupOf[i]].eps
                let moments = DAdaptAdanKernel<T>(mode: 0, prox: false, beta1: T(c.beta1), beta2: T(c.beta2), beta3: T(c.beta3),
                                                  alphaM: T(dlr * (1 - c.beta1)), alphaN: T(dlr * (1 - c.beta2)),
                                                  oneMinusBeta3: T(1 - c.beta3), alphaS: 0, eps: T(eps), factor: 1, slotCount: 4)
                let sums = DAdaptAdanKernel<T>(mode: 1, prox: false, beta1: 0, beta2: 0, beta3: T(c.beta3), alphaM: 0, alphaN: 0,
                                               oneMinusBeta3: 0, alphaS: T(dlr * (1 - c.beta3)), eps: T(eps), factor: 1, slotCount: 4)
                engine.map(moments, params[i], grads[i]!, [m[i], n[i], v[i], pre[i]])
                engine.map(sums, params[i], grads[i]!, [v[i], s[i], scratch[i], scratch2[i]])
                gSq += dadaptationSum(scratch[i]) { $0 }
                sksq += dadaptationSum(scratch2[i]) { $0 }
                l1 += dadaptationSum(s[i]) { $0.magnitude }
            }
            let gw = c.beta3 * gsqWeighted[u] + gSq * Double.pow(dlr, 2) * (1 - c.beta3)
            if l1 == 0 { continue }
            if lr > 0 {
                est.d[u] = dadaptationD(est.d[u], (sksq / (1 - c.beta3) - gw) / l1, growthRate: c.growthRate, allowShrink: c.allowShrink)
            }
            gsqWeighted[u] = gw
            let noProx = c.noProx != c.proxSwapped
            for i in present {
                let g = groups[groupOf[i]]
                let step = DAdaptAdanKernel<T>(mode: 2, prox: !noProx, beta1: 0, beta2: T(c.beta2), beta3: 0, alphaM: 0, alphaN: 0,
                                               oneMinusBeta3: 0, alphaS: 0, eps: T(g.eps),
                                               factor: T(noProx ? 1 - dlr * g.weightDecay : 1 + dlr * g.weightDecay), slotCount: 3)
                engine.map(step, params[i], grads[i]!, [m[i], n[i], v[i]])
                tensorSteps[i] += 1
            }
            advanced = true
        }
        if advanced { k += 1 }
    }

    var state: [(name: String, buffers: [Buffer<T>])] {
        [("exp_avg", m), ("exp_avg_diff", n), ("exp_avg_sq", v), ("s", s), ("pre_grad", pre)]
    }
}

extension DAdaptAdanStepper {
    func save() -> StepperState {
        var scalars: [(name: String, value: Double)] = [("k", Double(k))]
        if est.units.count == 1 { scalars += [("d", est.d[0]), ("gsq_weighted", gsqWeighted[0])] }
        var out = StepperState(buffers: state, scalars: scalars)
        out.add(perTensor: tensorSteps.map(Double.init), as: "step")
        return out
    }
    func load(_ saved: StepperState) throws {
        try saved.restore(into: state)
        k = try saved.count("k")
        tensorSteps = try saved.perTensor("step", count: tensorSteps.count).map { (x: Double) in Int(x) }
        guard est.units.count == 1 else { return }
        est.d[0] = try saved.scalar("d")
        gsqWeighted[0] = try saved.scalar("gsq_weighted")
    }
}

extension DAdaptAdanFamily: GroupSharingFamily {
    public var sharesStateAcrossGroups: Bool { true }

    @_specialize(where T == Double) @_specialize(where T == Float)
    public func makeGroupedStepper<T: DescentFloat>(_: T.Type, groups: [any OptimizerFamily], members: [[Int]],
                                                    shapes: [[Int]], engine: Engine) throws -> StepperBox<T> {
        let fs = try sameFamilies(groups)
        guard !fs.isEmpty else { throw DescentError.unsupported("DAdaptAdan over no param groups") }
        return StepperBox(DAdaptAdanStepper<T>(groups: fs, members: members, shapes: shapes, engine: engine))
    }
}

extension DAdaptAdaGradFamily: GroupSharingFamily {
    public var sharesStateAcrossGroups: Bool { true }

    @_specialize(where T == Double) @_specialize(where T == Float)
    public func makeGroupedStepper<T: DescentFloat>(_: T.Type, groups: [any OptimizerFamily], members: [[Int]],
                                                    shapes: [[Int]], engine: Engine) throws -> StepperBox<T> {
        let fs = try sameFamilies(groups)
        guard !fs.isEmpty else { throw DescentError.unsupported("DAdaptAdaGrad over no param groups") }
        return StepperBox(DAdaptAdaGradStepper<T>(groups: fs, members: members, shapes: shapes, engine: engine))
    }
}
