// NovoGrad.swift — NovoGrad (Ginsburg et al., 2019): SGD with momentum on the gradient normalised
// per tensor by a second moment of its squared norm, as optax.novograd computes it (optax 0.2.8,
// transform.py's scale_by_novograd, then scale_by_learning_rate). Not an Adam knob: the second
// moment is ONE number per tensor, and the first moment has no (1 − β₁). Step t = 1, 2, …:
//
//   q = ‖g‖²                                   (jnp.linalg.norm(g)**2, per tensor)
//   nu ← q                          at t = 1   (not an EMA from 0)
//   nu ← (1 − β₂)·q + β₂·nu          at t > 1
//   x = g/(√(nu + ε_root) + ε) + λ·w            (element-wise; the decay is inside the momentum)
//   mu ← x                          at t = 1
//   mu ← β₁·mu + x                   at t > 1
//   w ← w + (−lr)·mu
//
// State names optax's: mu (per element), nu (one number per tensor), count (`step` here).

public struct NovoGradFamily: OptimizerFamily {
    public var beta1 = 0.9
    public var beta2 = 0.25
    public var eps = 1e-6
    public var epsRoot = 0.0
    public var weightDecay = 0.0
    /// A known-wrong variant's knob: an element-wise second moment (g², Adam's shape) in place of
    /// the per-tensor ‖g‖².
    public var elementwiseSecondMoment = false
    /// A known-wrong variant's knob: false starts nu as an EMA from 0 ((1 − β₂)·‖g‖² at t = 1)
    /// instead of ‖g‖².
    public var firstStepSetsNu = true

    public init() {}

    public var familyName: String { "NovoGrad" }
    public var summary: String {
        var s = "optax form, betas (\(beta1), \(beta2)), eps \(eps)"
        if epsRoot != 0 { s += " + \(epsRoot) inside the root" }
        if weightDecay != 0 { s += ", decay \(weightDecay) inside the momentum" }
        if elementwiseSecondMoment { s += ", element-wise second moment" }
        if !firstStepSetsNu { s += ", nu an EMA from 0" }
        return s
    }

    @_specialize(where T == Double) @_specialize(where T == Float)
    public func makeStepper<T: DescentFloat>(_: T.Type, shapes: [[Int]], engine: Engine) throws -> StepperBox<T> {
        return StepperBox(NovoGradStepper<T>(self, shapes: shapes, engine: engine))
    }
}

/// One NovoGrad step on one tensor. Slot s0 = mu; with the element-wise variant, s1 = nu per element.
public struct NovoGradKernel<Scalar: DescentFloat>: ElementwiseKernel {
    @usableFromInline var beta1, beta2, oneMinusBeta2, eps, epsRoot, decay, negLr: Scalar
    /// This tensor's nu (after this step's update), when it is one number.
    @usableFromInline var nu: Scalar
    @usableFromInline var first, firstSetsNu: Bool
    public var slotCount: Int

    @inlinable @inline(__always)
    public func apply<L: Lane>(_ p: inout L, _ g: L, _ s: inout Slots<L>) where L.Scalar == Scalar {
        var v = L(repeating: nu)
        if slotCount == 2 {
            let g2 = g * g
            s.s1 = first && firstSetsNu ? g2 : L(repeating: oneMinusBeta2) * g2 + L(repeating: beta2) * s.s1
            v = s.s1
        }
        var x = g / ((v + L(repeating: epsRoot)).squareRoot() + L(repeating: eps))
        if decay != 0 { x = x + L(repeating: decay) * p }
        s.s0 = first ? x : L(repeating: beta1) * s.s0 + x
        p = p + L(repeating: negLr) * s.s0
    }
}

final class NovoGradStepper<T: DescentFloat>: Stepper {
    let config: NovoGradFamily
    let engine: Engine
    let mu: [Buffer<T>]
    /// One number per tensor (or, with the element-wise variant, one per element).
    let nu: [Buffer<T>]
    var steps = 0

    init(_ config: NovoGradFamily, shapes: [[Int]], engine: Engine) {
        self.config = config
        self.engine = engine
        mu = .zeros(like: shapes)
        nu = config.elementwiseSecondMoment ? .zeros(like: shapes) : shapes.map { _ in Buffer<T>(zeros: 1) }
    }

    func step(params: [Buffer<T>], grads: [Buffer<T>], lr: Double) {
        let c = config
        let first = steps == 0
        steps += 1
        if !c.elementwiseSecondMoment {
            for i in params.indices {
                let norm = engine.norm(grads[i])
                let q = norm * norm
                nu[i][0] = first && c.firstStepSetsNu ? q : T(1 - c.beta2) * q + T(c.beta2) * nu[i][0]
            }
        }
        func kernel(_ i: Int) -> NovoGradKernel<T> {
            NovoGradKernel<T>(beta1: T(c.beta1), beta2: T(c.beta2), oneMinusBeta2: T(1 - c.beta2), eps: T(c.eps), epsRoot: T(c.epsRoot),
                              decay: T(c.weightDecay), negLr: T(-lr), nu: c.elementwiseSecondMoment ? 0 : nu[i][0],
                              first: first, firstSetsNu: c.firstStepSetsNu, slotCount: c.elementwiseSecondMoment ? 2 : 1)
        }
        engine.map(perTensor: kernel, params, grads, c.elementwiseSecondMoment ? [mu, nu] : [mu])
    }

    var state: [(name: String, buffers: [Buffer<T>])] { [("mu", mu), ("nu", nu)] }
}

extension NovoGradStepper {
    func save() -> StepperState { StepperState(buffers: state, scalars: [("step", Double(steps))]) }
    func load(_ saved: StepperState) throws { try saved.restore(into: state); steps = try saved.count() }
}
