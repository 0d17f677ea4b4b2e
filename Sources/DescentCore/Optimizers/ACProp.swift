// ACProp.swift — ACProp (Zhuang et al., 2021, "Momentum Centering and Asynchronous Update for
// Adaptive Gradient Methods"), as optax.contrib.acprop computes it (optax 0.2.8, contrib/_acprop.py:
// scale_by_acprop, then add_decayed_weights(weight_decay, mask), then scale_by_learning_rate).
// Not an AdaBelief knob: three things differ at once (the error against the OLD m, the
// denominator from the OLD s, the raw gradient in the numerator). Element-wise; count k = 0, 1, …
// before the step:
//
//   ŝ  = 1 at the first step (k = 0), else s/(1 − β₂ᵏ)     (the OLD s, the OLD count)
//   u  = g/(√ŝ + ε)                  (the raw gradient: optax's lambda names it m but maps it over
//                                     the updates; the paper's numerator is the momentum)
//   e  = g − m                       (the OLD m)
//   m ← (1 − β₁)·g + β₁·m            (kept, read only by the next step's e)
//   s ← (1 − β₂)·e² + β₂·s + ε_root
//   u ← u + λ·w                      (where the mask applies)
//   w ← w + (−lr)·u
//
// State names optax's: mu, nu (ScaleByBeliefState), count.

public struct ACPropFamily: OptimizerFamily {
    public var beta1 = 0.9
    public var beta2 = 0.999
    public var eps = 1e-16
    public var epsRoot = 1e-16
    public var weightDecay = 0.0
    /// Per tensor: the decay applies (optax `mask`); nil = every tensor.
    public var decayMask: [Bool]? = nil
    /// A known-wrong variant's knob: the bias-corrected momentum m̂ in the numerator (the paper's form).
    public var momentumNumerator = false
    /// A known-wrong variant's knob: the denominator from the NEW s (AdaBelief's synchronous update).
    public var synchronous = false
    /// A known-wrong variant's knob: the decay added to the gradient before the scaling.
    public var decayOnGradient = false

    public init() {}

    public var familyName: String { "ACProp" }
    public var summary: String {
        var s = "optax form, betas (\(beta1), \(beta2)), eps \(eps), eps_root \(epsRoot) into the state"
        if weightDecay != 0 { s += ", decay \(weightDecay) after the scaling" }
        if let m = decayMask { s += ", decay mask \(m)" }
        if momentumNumerator { s += ", momentum in the numerator" }
        if synchronous { s += ", synchronous denominator" }
        if decayOnGradient { s += ", decay on the gradient" }
        return s
    }

    @_specialize(where T == Double) @_specialize(where T == Float)
    public func makeStepper<T: DescentFloat>(_: T.Type, shapes: [[Int]], engine: Engine) throws -> StepperBox<T> {
        try requireDecayMask(decayMask, matches: shapes)
        return StepperBox(ACPropStepper<T>(self, shapes: shapes, engine: engine))
    }
}

/// One ACProp step. Slots: s0 = mu, s1 = nu.
public struct ACPropKernel<Scalar: DescentFloat>: ElementwiseKernel {
    @usableFromInline var beta1, beta2, oneMinusBeta1, oneMinusBeta2, eps, epsRoot, bc2, bc1, decay, negLr: Scalar
    /// The first step: ŝ = 1.
    @usableFromInline var initial, momentum, synchronous, decayOnGradient: Bool
    @inlinable public var slotCount: Int { 2 }

    @inlinable @inline(__always)
    public func apply<L: Lane>(_ p: inout L, _ g0: L, _ s: inout Slots<L>) where L.Scalar == Scalar {
        let g = decayOnGradient && decay != 0 ? g0 + L(repeating: decay) * p : g0
        let e = g - s.s0
        let oldNu = s.s1
        s.s0 = L(repeating: oneMinusBeta1) * g + L(repeating: beta1) * s.s0
        s.s1 = L(repeating: oneMinusBeta2) * (e * e) + L(repeating: beta2) * s.s1 + L(repeating: epsRoot)
        let nuHat = synchronous ? s.s1 / L(repeating: bc2) : (initial ? L(repeating: 1) : oldNu / L(repeating: bc2))
        let num = momentum ? s.s0 / L(repeating: bc1) : g
        var u = num / (nuHat.squareRoot() + L(repeating: eps))
        if !decayOnGradient && decay != 0 { u = u + L(repeating: decay) * p }
        p = p + L(repeating: negLr) * u
    }
}

final class ACPropStepper<T: DescentFloat>: Stepper {
    let config: ACPropFamily
    let engine: Engine
    let mu: [Buffer<T>], nu: [Buffer<T>]
    var count = 0

    init(_ config: ACPropFamily, shapes: [[Int]], engine: Engine) {
        self.config = config
        self.engine = engine
        mu = .zeros(like: shapes)
        nu = .zeros(like: shapes)
    }

    func step(params: [Buffer<T>], grads: [Buffer<T>], lr: Double) {
        let c = config
        let t = Double(c.synchronous ? count + 1 : max(count, 1))
        let base = ACPropKernel<T>(beta1: T(c.beta1), beta2: T(c.beta2), oneMinusBeta1: T(1 - c.beta1), oneMinusBeta2: T(1 - c.beta2),
                                   eps: T(c.eps), epsRoot: T(c.epsRoot), bc2: T(1 - Double.pow(c.beta2, t)),
                                   bc1: T(1 - Double.pow(c.beta1, Double(count + 1))), decay: T(c.weightDecay), negLr: T(-lr),
                                   initial: count == 0, momentum: c.momentumNumerator, synchronous: c.synchronous,
                                   decayOnGradient: c.decayOnGradient)
        var plain = base
        plain.decay = 0
        engine.map(perTensor: { (c.decayMask?[$0] ?? true) ? base : plain }, params, grads, [mu, nu])
        count += 1
    }

    var state: [(name: String, buffers: [Buffer<T>])] { [("mu", mu), ("nu", nu)] }
}

extension ACPropStepper {
    func save() -> StepperState { StepperState(buffers: state, scalars: [("count", Double(count))]) }
    func load(_ saved: StepperState) throws { try saved.restore(into: state); count = try saved.count("count") }
}
