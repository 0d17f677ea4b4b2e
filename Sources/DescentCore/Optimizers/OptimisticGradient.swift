// OptimisticGradient.swift — optax's generalized optimistic gradient (Mokhtari et al., 2019;
// Daskalakis et al., 2017), alone (optax.optimistic_gradient_descent) or on Adam's direction
// (optax.optimistic_adam_v2 and the deprecated optax.optimistic_adam). optax 0.2.8,
// transform.py's scale_by_optimistic_gradient after alias.py's chains. Step t = 1, 2, …,
// element-wise:
//
//   a = g                                                   (optimistic_gradient_descent)
//   a = m̂/(√(v/(1 − β₂ᵗ) + ε_root) + ε)                     (Adam first: scale_by_adam, as optax.adam;
//       m ← (1 − β₁)·g + β₁·m, v ← (1 − β₂)·g² + β₂·v;       m̂ = m/(1 − β₁ᵗ), or with nesterov (the
//       optimistic_adam default) m̂ = β₁·m/(1 − β₁ᵗ⁺¹) + (1 − β₁)·g/(1 − β₁ᵗ))
//   p = a on the first step (is_initial_step: optax issue 1082), else previous_gradient
//   o = (α + β)·a − β·p;   previous_gradient ← a
//   w ← w + (−lr)·o        (optimistic_gradient_descent, optimistic_adam_v2)
//   w ← w + (−1)·o         (optimistic_adam: α = learning_rate, β = optimism, default learning_rate)
//
// State names optax's: previous_gradient, is_initial_step (and scale_by_adam's mu, nu).

public struct OptimisticGradientFamily: OptimizerFamily {
    /// α; nil = the step's learning rate (optimistic_adam).
    public var alpha: Double? = 1
    /// β; nil = the step's learning rate (optimistic_adam's optimism=None).
    public var beta: Double? = 1
    /// The final scale is −lr (true) or −1 (optimistic_adam, whose lr is α).
    public var scaleByLearningRate = true
    /// Adam's direction first (optimistic_adam, optimistic_adam_v2).
    public var adam = false
    public var beta1 = 0.9
    public var beta2 = 0.999
    public var eps = 1e-8
    public var epsRoot = 0.0
    public var nesterov = true
    /// A known-wrong variant's knob: the previous gradient starts at 0 (optax before issue 1082)
    /// instead of at the first gradient.
    public var zeroStart = false
    /// A known-wrong variant's knob: the optimistic combination o is kept as the previous
    /// gradient instead of the direction a it was made from.
    public var keepsCombination = false

    public init() {}

    public var familyName: String { "OptimisticGradient" }
    public var summary: String {
        func shown(_ x: Double?) -> String { x.map { "\($0)" } ?? "lr" }
        var s = "optax form, alpha \(shown(alpha)), beta \(shown(beta))"
        if adam { s += " on Adam's direction, betas (\(beta1), \(beta2)), eps \(eps)" + (epsRoot != 0 ? ", eps_root \(epsRoot)" : "") + (nesterov ? ", nesterov" : "") }
        s += scaleByLearningRate ? ", × −lr" : ", × −1"
        if zeroStart { s += ", previous gradient starts at 0" }
        if keepsCombination { s += ", keeps the combination as previous" }
        return s
    }

    @_specialize(where T == Double) @_specialize(where T == Float)
    public func makeStepper<T: DescentFloat>(_: T.Type, shapes: [[Int]], engine: Engine) throws -> StepperBox<T> {
        return StepperBox(OptimisticGradientStepper<T>(self, shapes: shapes, engine: engine))
    }
}

/// One optimistic step. Slots: s0 = previous_gradient, s1 = mu, s2 = nu (Adam only).
public struct OptimisticGradientKernel<Scalar: DescentFloat>: ElementwiseKernel {
    @usableFromInline var alphaPlusBeta, beta, scale: Scalar
    @usableFromInline var initial, adam, nesterov, keepsCombination: Bool
    @usableFromInline var beta1, beta2, oneMinusBeta1, oneMinusBeta2, eps, epsRoot, bc1, bc2, bc1Next: Scalar
    @inlinable public var slotCount: Int { adam ? 3 : 1 }

    @inlinable @inline(__always)
    public func apply<L: Lane>(_ p: inout L, _ g: L, _ s: inout Slots<L>) where L.Scalar == Scalar {
        var a = g
        if adam {
            s.s1 = L(repeating: oneMinusBeta1) * g + L(repeating: beta1) * s.s1
            s.s2 = L(repeating: oneMinusBeta2) * (g * g) + L(repeating: beta2) * s.s2
            let mHat = nesterov
                ? L(repeating: beta1) * (s.s1 / L(repeating: bc1Next)) + L(repeating: oneMinusBeta1) * (g / L(repeating: bc1))
                : s.s1 / L(repeating: bc1)
            a = mHat / ((s.s2 / L(repeating: bc2) + L(repeating: epsRoot)).squareRoot() + L(repeating: eps))
        }
        let previous = initial ? a : s.s0
        let o = L(repeating: alphaPlusBeta) * a - L(repeating: beta) * previous
        s.s0 = keepsCombination ? o : a
        p = p + L(repeating: scale) * o
    }
}

final class OptimisticGradientStepper<T: DescentFloat>: Stepper {
    let config: OptimisticGradientFamily
    let engine: Engine
    let previous: [Buffer<T>], mu: [Buffer<T>], nu: [Buffer<T>]
    var steps = 0

    init(_ config: OptimisticGradientFamily, shapes: [[Int]], engine: Engine) {
        self.config = config
        self.engine = engine
        previous = .zeros(like: shapes)
        mu = config.adam ? .zeros(like: shapes) : []
        nu = config.adam ? .zeros(like: shapes) : []
    }

    func step(params: [Buffer<T>], grads: [Buffer<T>], lr: Double) {
        steps += 1
        let c = config, t = Double(steps)
        let alpha = c.alpha ?? lr, beta = c.beta ?? lr
        let k = OptimisticGradientKernel<T>(
            alphaPlusBeta: T(alpha + beta), beta: T(beta), scale: T(c.scaleByLearningRate ? -lr : -1),
            initial: steps == 1 && !c.zeroStart, adam: c.adam, nesterov: c.nesterov, keepsCombination: c.keepsCombination,
            beta1: T(c.beta1), beta2: T(c.beta2), oneMinusBeta1: T(1 - c.beta1), oneMinusBeta2: T(1 - c.beta2),
            eps: T(c.eps), epsRoot: T(c.epsRoot),
            bc1: T(1 - Double.pow(c.beta1, t)), bc2: T(1 - Double.pow(c.beta2, t)), bc1Next: T(1 - Double.pow(c.beta1, t + 1)))
        engine.map(k, params, grads, c.adam ? [previous, mu, nu] : [previous])
    }

    var state: [(name: String, buffers: [Buffer<T>])] {
        [("previous_gradient", previous)] + (config.adam ? [("mu", mu), ("nu", nu)] : [])
    }
}

extension OptimisticGradientStepper {
    /// `is_initial_step` (optax's flag, 1 before the first step) is saved for the state checks and
    /// follows from `step` on load.
    func save() -> StepperState {
        StepperState(buffers: state, scalars: [("step", Double(steps)), ("is_initial_step", steps == 0 ? 1 : 0)])
    }
    func load(_ saved: StepperState) throws { try saved.restore(into: state); steps = try saved.count() }
}
