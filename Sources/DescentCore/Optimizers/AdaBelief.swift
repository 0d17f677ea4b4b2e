// AdaBelief.swift — AdaBelief (Zhuang et al., 2020): Adam whose second moment is the EMA of the
// squared prediction error (g − m)², the "belief" in the gradient, rather than of g². optax.adabelief
// (optax 0.2.8, transform.py's scale_by_belief, then scale_by_learning_rate). Step t = 1, 2, …:
//
//   m ← (1 − β₁)·g + β₁·m
//   s ← (1 − β₂)·(g − m)² + β₂·s;   s ← s + ε_root     (ε_root is added INTO the state every step)
//   m̂ = m/(1 − β₁ᵗ)        nesterov: m̂ = β₁·(m/(1 − β₁ᵗ⁺¹)) + (1 − β₁)·(g/(1 − β₁ᵗ))
//   u = m̂ / (√(s/(1 − β₂ᵗ)) + ε)
//   w ← w + (−lr)·u
//
// State names optax's: mu, nu (ScaleByBeliefState).

public struct AdaBeliefFamily: OptimizerFamily {
    public var beta1 = 0.9
    public var beta2 = 0.999
    public var eps = 1e-16
    public var epsRoot = 1e-16
    public var nesterov = false
    /// A known-wrong variant's knob: Adam's g² in place of (g − m)².
    public var adamSecondMoment = false
    /// A known-wrong variant's knob: false adds ε_root under the root only (Adam's eps_root)
    /// instead of into the state.
    public var epsRootInState = true

    public init() {}

    public var familyName: String { "AdaBelief" }
    public var summary: String {
        var s = "optax form, betas (\(beta1), \(beta2)), eps \(eps), eps_root \(epsRoot) "
        s += epsRootInState ? "added into the state" : "inside the root"
        if nesterov { s += ", nesterov" }
        if adamSecondMoment { s += ", Adam's second moment (g², not (g − m)²)" }
        return s
    }

    @_specialize(where T == Double) @_specialize(where T == Float)
    public func makeStepper<T: DescentFloat>(_: T.Type, shapes: [[Int]], engine: Engine) throws -> StepperBox<T> {
        return StepperBox(AdaBeliefStepper<T>(self, shapes: shapes, engine: engine))
    }
}

/// One AdaBelief step. Slots: s0 = mu, s1 = nu.
public struct AdaBeliefKernel<Scalar: DescentFloat>: ElementwiseKernel {
    @usableFromInline var beta1, beta2, oneMinusBeta1, oneMinusBeta2, eps, epsRoot, bc1, bc2, bc1Next, negLr: Scalar
    @usableFromInline var nesterov, adam, epsRootInState: Bool
    @inlinable public var slotCount: Int { 2 }

    @inlinable @inline(__always)
    public func apply<L: Lane>(_ p: inout L, _ g: L, _ s: inout Slots<L>) where L.Scalar == Scalar {
        s.s0 = L(repeating: oneMinusBeta1) * g + L(repeating: beta1) * s.s0
        let e = adam ? g : g - s.s0
        s.s1 = L(repeating: oneMinusBeta2) * (e * e) + L(repeating: beta2) * s.s1
        if epsRootInState { s.s1 = s.s1 + L(repeating: epsRoot) }
        let mHat = nesterov
            ? L(repeating: beta1) * (s.s0 / L(repeating: bc1Next)) + L(repeating: oneMinusBeta1) * (g / L(repeating: bc1))
            : s.s0 / L(repeating: bc1)
        var vHat = s.s1 / L(repeating: bc2)
        if !epsRootInState { vHat = vHat + L(repeating: epsRoot) }
        p = p + L(repeating: negLr) * (mHat / (vHat.squareRoot() + L(repeating: eps)))
    }
}

final class AdaBeliefStepper<T: DescentFloat>: Stepper {
    let config: AdaBeliefFamily
    let engine: Engine
    let mu: [Buffer<T>], nu: [Buffer<T>]
    var steps = 0

    init(_ config: AdaBeliefFamily, shapes: [[Int]], engine: Engine) {
        self.config = config
        self.engine = engine
        mu = .zeros(like: shapes)
        nu = .zeros(like: shapes)
    }

    func step(params: [Buffer<T>], grads: [Buffer<T>], lr: Double) {
        steps += 1
        let c = config, t = Double(steps)
        let k = AdaBeliefKernel<T>(beta1: T(c.beta1), beta2: T(c.beta2), oneMinusBeta1: T(1 - c.beta1), oneMinusBeta2: T(1 - c.beta2),
                                   eps: T(c.eps), epsRoot: T(c.epsRoot),
                                   bc1: T(1 - Double.pow(c.beta1, t)), bc2: T(1 - Double.pow(c.beta2, t)),
                                   bc1Next: T(1 - Double.pow(c.beta1, t + 1)), negLr: T(-lr),
                                   nesterov: c.nesterov, adam: c.adamSecondMoment, epsRootInState: c.epsRootInState)
        engine.map(k, params, grads, [mu, nu])
    }

    var state: [(name: String, buffers: [Buffer<T>])] { [("mu", mu), ("nu", nu)] }
}

extension AdaBeliefStepper {
    func save() -> StepperState { StepperState(buffers: state, scalars: [("step", Double(steps))]) }
    func load(_ saved: StepperState) throws { try saved.restore(into: state); steps = try saved.count() }
}
