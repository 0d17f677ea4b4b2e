// Momo.swift — MoMo, momentum models for adaptive learning rates (Schaipp et al., 2023), as
// optax.contrib.momo and momo_adam compute them (optax 0.2.8, contrib/_momo.py). The update takes
// the loss f at the parameters (`update(..., value=f)`): a closed-loop problem's value, or a replay
// case's `steps[k].value`. Count k = 0, 1, … before the step; α the step's lr; q = 1 + α·λ; sums
// over every tensor; scalars in the parameters' dtype:
//
//   momo:       bt = 0 at k = 0, else beta
//               f̄ ← bt·f̄ + (1 − bt)·f;  d ← bt·d + (1 − bt)·g;  γ ← bt·γ + (1 − bt)·⟨g, w⟩
//               n = ‖d‖²;  b = 1 (no bias correction);  P = 1
//   momo_adam:  f̄ ← β₁·f̄ + (1 − β₁)·f;  d ← β₁·d + (1 − β₁)·g;  v ← β₂·v + (1 − β₂)·g²
//               P = eps + √(v/(1 − β₂ᵏ⁺¹));  n = ⟨d, d/P⟩;  γ ← β₁·γ + (1 − β₁)·⟨g, w⟩;  b = 1 − β₁ᵏ⁺¹
//   ip = ⟨d, w⟩
//   adapt_lower_bound: cap = q·(f̄ − γ) + ip;  lb' = max(cap/(2·b·q), lower_bound) if cap < q·b·lb else lb
//   t1 = max(q·(f̄ − b·lb' − γ) + ip, 0)/n, 0 where n ≤ 2.22e-16 (float64's eps, whatever the dtype)
//   τ  = min(α/b, t1)
//   w ← w + (−(α·λ)/q·w − τ·d/P)
//   adapt_lower_bound: lb ← max(((f̄ + ip − γ) − τ·n/2)/b, lower_bound)
//
// State names optax's: exp_avg (exp_avg_sq), barf, gamma, lb, count.

public struct MomoFamily: OptimizerFamily {
    public enum Form: String, Sendable { case momo, momoAdam = "momo_adam" }
    public var form: Form
    public var beta1 = 0.9
    public var beta2 = 0.999
    public var eps = 1e-8
    public var lowerBound = 0.0
    public var weightDecay = 0.0
    public var adaptLowerBound = false
    /// A known-wrong variant's knob: the adapted lower bound not clamped at lower_bound.
    public var lowerBoundUnclamped = false
    /// A known-wrong variant's knob: the Polyak numerator not clamped at 0.
    public var numeratorUnclamped = false

    public init(form: Form) { self.form = form }

    public var familyName: String { "Momo" }
    public var summary: String {
        var s = form == .momo ? "momo, beta \(beta1)" : "momo_adam, betas (\(beta1), \(beta2)), eps \(eps)"
        s += ", lower_bound \(lowerBound)"
        if adaptLowerBound { s += " (adapted)" }
        if weightDecay != 0 { s += ", weight_decay \(weightDecay)" }
        if lowerBoundUnclamped { s += ", adapted bound not clamped" }
        if numeratorUnclamped { s += ", numerator not clamped at 0" }
        return s
    }

    @_specialize(where T == Double) @_specialize(where T == Float)
    public func makeStepper<T: DescentFloat>(_: T.Type, shapes: [[Int]], engine: Engine) throws -> StepperBox<T> {
        StepperBox(MomoStepper<T>(self, shapes: shapes, engine: engine))
    }
}

/// A Momo pass. `moments`: slots s0 = exp_avg, s1 = exp_avg_sq (momo_adam), s2 = the scratch d/P
/// (written); the parameters do not move. Otherwise slot s0 = the scratch d/P and
/// w ← w + (decayFactor·w − τ·(d/P)).
public struct MomoKernel<Scalar: DescentFloat>: ElementwiseKernel {
    @usableFromInline var moments, adam: Bool
    @usableFromInline var b1, oneMinusB1, b2, oneMinusB2, bc2, eps, decayFactor, tau: Scalar
    public var slotCount: Int

    @inlinable @inline(__always)
    public func apply<L: Lane>(_ p: inout L, _ g: L, _ s: inout Slots<L>) where L.Scalar == Scalar {
        if moments {
            s.s0 = L(repeating: b1) * s.s0 + L(repeating: oneMinusB1) * g
            if adam {
                s.s1 = L(repeating: b2) * s.s1 + L(repeating: oneMinusB2) * g * g
                s.s2 = s.s0 / (L(repeating: eps) + (s.s1 / L(repeating: bc2)).squareRoot())
            } else {
                s.s2 = s.s0
            }
            return
        }
        p = p + (L(repeating: decayFactor) * p - L(repeating: tau) * s.s0)
    }
}

final class MomoStepper<T: DescentFloat>: ValueTakingStepper {
    let config: MomoFamily
    let engine: Engine
    let expAvg: [Buffer<T>], expAvgSq: [Buffer<T>], weighted: [Buffer<T>]
    var barf: T = 0, gamma: T = 0, lb: T
    var count = 0

    init(_ config: MomoFamily, shapes: [[Int]], engine: Engine) {
        self.config = config
        self.engine = engine
        expAvg = .zeros(like: shapes)
        expAvgSq = .zeros(like: shapes)
        weighted = .zeros(like: shapes)
        lb = T(config.lowerBound)
    }

    /// The step at the objective's value `loss` (ValueTakingStepper gives the protocol's steps).
    func step(params: [Buffer<T>], grads: [Buffer<T>], loss: Double, lr: Double) {
        let c = config
        let adam = c.form == .momoAdam
        let k = Double(count)
        let bt = adam ? T(c.beta1) : (count == 0 ? 0 : T(c.beta1))
        let oneMinus = adam ? T(1 - c.beta1) : 1 - bt
        barf = bt * barf + oneMinus * T(loss)
        var gw: T = 0
        for i in params.indices { gw += engine.dot(grads[i], params[i]) }
        let kernel = MomoKernel<T>(moments: true, adam: adam, b1: bt, oneMinusB1: oneMinus, b2: T(c.beta2), oneMinusB2: T(1 - c.beta2),
                                   bc2: T(1 - Double.pow(c.beta2, k + 1)), eps: T(c.eps), decayFactor: 0, tau: 0, slotCount: 3)
        engine.map(kernel, params, grads, [expAvg, expAvgSq, weighted])
        var n: T = 0, ip: T = 0
        for i in params.indices {
            n += engine.dot(expAvg[i], weighted[i])
            ip += engine.dot(expAvg[i], params[i])
        }
        gamma = bt * gamma + oneMinus * gw
        let alpha = T(lr), wd = T(c.weightDecay)
        let q = 1 + alpha * wd
        let b: T = adam ? T(1 - Double.pow(c.beta1, k + 1)) : 1
        var thisLB = lb
        if c.adaptLowerBound {
            let cap = q * (barf - gamma) + ip
            if cap < q * b * lb {
                let reset = cap / (2 * b * q)
                thisLB = c.lowerBoundUnclamped ? reset : T.maxNaN(reset, T(c.lowerBound))
            }
        }
        let num = q * (barf - b * thisLB - gamma) + ip
        var t1 = (c.numeratorUnclamped ? num : T.maxNaN(num, 0)) / n
        if n <= T(Double.ulpOfOne) { t1 = 0 }
        let tau = T.minNaN(alpha / b, t1)
        let update = MomoKernel<T>(moments: false, adam: adam, b1: 0, oneMinusB1: 0, b2: 0, oneMinusB2: 0, bc2: 1, eps: 0,
                                   decayFactor: -(alpha * wd) / q, tau: tau, slotCount: 1)
        engine.map(update, params, grads, [weighted])
        if c.adaptLowerBound {
            let moved = ((barf + ip - gamma) - T(0.5) * tau * n) / b
            lb = c.lowerBoundUnclamped ? moved : T.maxNaN(moved, T(c.lowerBound))
        }
        count += 1
    }

    var state: [(name: String, buffers: [Buffer<T>])] {
        config.form == .momoAdam ? [("exp_avg", expAvg), ("exp_avg_sq", expAvgSq)] : [("exp_avg", expAvg)]
    }
}

extension MomoStepper {
    func save() -> StepperState {
        StepperState(buffers: state, scalars: [("barf", Double(barf)), ("gamma", Double(gamma)), ("lb", Double(lb)),
                                               ("count", Double(count))])
    }
    func load(_ saved: StepperState) throws {
        try saved.restore(into: state)
        barf = T(try saved.scalar("barf"))
        gamma = T(try saved.scalar("gamma"))
        lb = T(try saved.scalar("lb"))
        count = try saved.count("count")
    }
}
