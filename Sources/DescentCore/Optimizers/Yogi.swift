// Yogi.swift — Yogi (Zaheer et al., 2018, "Adaptive Methods for Nonconvex Optimization"): Adam
// whose second moment moves additively, by (1 − β₂)·g² towards g², so it cannot grow as fast as
// Adam's. optax.yogi (optax 0.2.8, transform.py's scale_by_yogi with eps_root 0 and
// initial_accumulator_value 1e-6, then scale_by_learning_rate). Step t = 1, 2, …, element-wise:
//
//   m ← (1 − β₁)·g + β₁·m                        (m₀ = 1e-6, not 0)
//   v ← v − ((1 − β₂)·sign(v − g²))·g²           (v₀ = 1e-6; sign(0) = 0 keeps v)
//   u = (m/(1 − β₁ᵗ)) / (√(v/(1 − β₂ᵗ) + ε_root) + ε)
//   w ← w + (−lr)·u
//
// State names optax's: mu, nu (ScaleByAdamState).
//
// pytorch_optimizer.Yogi (pytorch-optimizer 4.1.0, optimizer/yogi.py) is the same rule in its own
// order, with `form = .pytorchOptimizer`: g ← −g (maximize), then apply_weight_decay (coupled
// g ← g + λ·w, or w ← w·(1 − lr·λ), or w·(1 − λ) with fixed_decay), m by lerp, the same v update,
// and w ← w − (lr/(1 − β₁ᵗ))·m/(√v/√(1 − β₂ᵗ) + ε) (adam_debias: lr, not lr/(1 − β₁ᵗ)); both
// moments start at initial_accumulator (1e-6). State names exp_avg, exp_avg_sq.

public struct YogiFamily: OptimizerFamily {
    public var beta1 = 0.9
    public var beta2 = 0.999
    public var eps = 1e-3
    public var epsRoot = 0.0
    /// Both accumulators start here (optax's initial_accumulator_value).
    public var initialAccumulator = 1e-6
    /// A known-wrong variant's knob: Adam's v ← β₂·v + (1 − β₂)·g² in place of Yogi's.
    public var adamSecondMoment = false
    /// Whose operation order and state names (the rule is the same).
    public enum Form: String, Sendable { case optax, pytorchOptimizer = "pytorch_optimizer" }
    public var form = Form.optax
    /// pytorch_optimizer's weight decay (applied before the moments).
    public var decay = LionDecay.none
    /// pytorch_optimizer's maximize: g ← −g first.
    public var maximize = false
    /// pytorch_optimizer's adam_debias: the step is lr·m/…, without m's bias correction.
    public var adamDebias = false

    public init() {}

    public var familyName: String { "Yogi" }
    public var summary: String {
        var s = "\(form.rawValue) form, betas (\(beta1), \(beta2)), eps \(eps)"
        if epsRoot != 0 { s += " + \(epsRoot) inside the root" }
        s += ", accumulators start at \(initialAccumulator)"
        if adamSecondMoment { s += ", Adam's second moment" }
        if form == .pytorchOptimizer { s += ", " + decay.summary }
        if maximize { s += ", maximize" }
        if adamDebias { s += ", adam_debias" }
        return s
    }

    @_specialize(where T == Double) @_specialize(where T == Float)
    public func makeStepper<T: DescentFloat>(_: T.Type, shapes: [[Int]], engine: Engine) throws -> StepperBox<T> {
        return StepperBox(YogiStepper<T>(self, shapes: shapes, engine: engine))
    }
}

/// One Yogi step. Slots: s0 = mu, s1 = nu.
public struct YogiKernel<Scalar: DescentFloat>: ElementwiseKernel {
    @usableFromInline var beta1, beta2, oneMinusBeta1, oneMinusBeta2, eps, epsRoot, bc1, bc2, negLr: Scalar
    @usableFromInline var adam: Bool
    /// pytorch_optimizer's order: maximize, coupled λ / decay factor, √v/√bc2 (sqrtBc2 = √bc2).
    @usableFromInline var torch = false, maximize = false
    @usableFromInline var coupled: Scalar = 0, decayFactor: Scalar = 1, sqrtBc2: Scalar = 1, stepSize: Scalar = 0
    @inlinable public var slotCount: Int { 2 }

    @inlinable @inline(__always)
    public func apply<L: Lane>(_ p: inout L, _ g0: L, _ s: inout Slots<L>) where L.Scalar == Scalar {
        var g = g0
        if torch {
            if maximize { g = -g }
            if coupled != 0 { g = g + L(repeating: coupled) * p }
            if decayFactor != 1 { p = p * L(repeating: decayFactor) }
        }
        s.s0 = L(repeating: oneMinusBeta1) * g + L(repeating: beta1) * s.s0
        let g2 = g * g
        if adam {
            s.s1 = L(repeating: oneMinusBeta2) * g2 + L(repeating: beta2) * s.s1
        } else {
            s.s1 = s.s1 - L(repeating: oneMinusBeta2) * (s.s1 - g2).signum * g2
        }
        if torch {
            p = p - L(repeating: stepSize) * (s.s0 / (s.s1.squareRoot() / L(repeating: sqrtBc2) + L(repeating: eps)))
            return
        }
        let u = s.s0 / L(repeating: bc1) / ((s.s1 / L(repeating: bc2) + L(repeating: epsRoot)).squareRoot() + L(repeating: eps))
        p = p + L(repeating: negLr) * u
    }
}

final class YogiStepper<T: DescentFloat>: Stepper {
    let config: YogiFamily
    let engine: Engine
    let mu: [Buffer<T>], nu: [Buffer<T>]
    var steps = 0

    init(_ config: YogiFamily, shapes: [[Int]], engine: Engine) {
        self.config = config
        self.engine = engine
        mu = shapes.map { Buffer<T>(repeating: T(config.initialAccumulator), count: $0.reduce(1, *)) }
        nu = shapes.map { Buffer<T>(repeating: T(config.initialAccumulator), count: $0.reduce(1, *)) }
    }

    func step(params: [Buffer<T>], grads: [Buffer<T>], lr: Double) {
        steps += 1
        let c = config, t = Double(steps)
        var k = YogiKernel<T>(beta1: T(c.beta1), beta2: T(c.beta2), oneMinusBeta1: T(1 - c.beta1), oneMinusBeta2: T(1 - c.beta2),
                              eps: T(c.eps), epsRoot: T(c.epsRoot),
                              bc1: T(1 - Double.pow(c.beta1, t)), bc2: T(1 - Double.pow(c.beta2, t)), negLr: T(-lr),
                              adam: c.adamSecondMoment)
        if c.form == .pytorchOptimizer {
            let d = c.decay.parts(lr: lr, addedToUpdate: false)
            k.torch = true
            k.maximize = c.maximize
            k.coupled = T(d.coupled)
            k.decayFactor = T(d.factor)
            k.sqrtBc2 = T((1 - Double.pow(c.beta2, t)).squareRoot())
            k.stepSize = T(c.adamDebias ? lr : lr / (1 - Double.pow(c.beta1, t)))
        }
        engine.map(k, params, grads, [mu, nu])
    }

    var state: [(name: String, buffers: [Buffer<T>])] {
        config.form == .pytorchOptimizer ? [("exp_avg", mu), ("exp_avg_sq", nu)] : [("mu", mu), ("nu", nu)]
    }
}

extension YogiStepper {
    func save() -> StepperState { StepperState(buffers: state, scalars: [("step", Double(steps))]) }
    func load(_ saved: StepperState) throws { try saved.restore(into: state); steps = try saved.count() }
}
