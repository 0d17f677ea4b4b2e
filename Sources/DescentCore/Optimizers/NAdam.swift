// NAdam.swift — torch's NAdam (Dozat 2016 with momentum decay). Step t = 1, 2, …:
//
//   μₜ = β₁·(1 − ½·0.96^(t·ψ)),  μₜ₊₁ = β₁·(1 − ½·0.96^((t+1)·ψ))      ψ = momentum_decay
//   Πₜ = Πₜ₋₁·μₜ   (mu_product, a float64 scalar, Π₀ = 1)
//   g ← −g if maximize;  g ← g + λ·w (L2)  |  w ← w·(1 − lr·λ) (decoupled)
//   m ← β₁·m + (1−β₁)·g ;  v ← β₂·v + (1−β₂)·g²
//   d = √(v / (1 − β₂ᵗ)) + ε
//   w ← w − lr·(1−μₜ)/(1−Πₜ) · g/d − lr·μₜ₊₁/(1−Πₜ·μₜ₊₁) · m/d
//
// optax.nadam is a different algorithm (Adam with a Nesterov m̂, no momentum schedule): it is
// `AdamFamily` with `nesterov = true`.

public struct NAdamFamily: OptimizerFamily {
    public var beta1 = 0.9
    public var beta2 = 0.999
    public var eps = 1e-8
    public var momentumDecay = 4e-3
    /// `.l2` or `.decoupled` (torch `decoupled_weight_decay`).
    public var decay: AdamDecay = .none
    public var maximize = false
    /// A port's precision (the diagnosis's knob): μₜ, μₜ₊₁, their running product, 1 − β₂ᵗ and the
    /// step's two coefficients computed in float32.
    public var scalarsInFloat32 = false

    public init() {}

    public var familyName: String { "NAdam" }
    public var summary: String {
        "torch form, betas (\(beta1), \(beta2)), eps \(eps) outside the root, momentum_decay \(momentumDecay), "
            + decay.summary + (maximize ? ", maximize" : "") + (scalarsInFloat32 ? ", step scalars in float32" : "")
    }

    @_specialize(where T == Double) @_specialize(where T == Float)
    public func makeStepper<T: DescentFloat>(_: T.Type, shapes: [[Int]], engine: Engine) throws -> StepperBox<T> {
        return StepperBox(NAdamStepper<T>(self, shapes: shapes, engine: engine))
    }
}

/// One NAdam step for one tensor. Slots: s0 = exp_avg, s1 = exp_avg_sq.
public struct NAdamKernel<Scalar: DescentFloat>: ElementwiseKernel {
    @usableFromInline var maximize: Bool
    @usableFromInline var l2, decayFactor: Scalar
    @usableFromInline var beta2, oneMinusBeta1, oneMinusBeta2, eps, bc2: Scalar
    /// −lr·(1−μₜ)/(1−Πₜ) and −lr·μₜ₊₁/(1−Πₜ₊₁).
    @usableFromInline var gradCoefficient, momentumCoefficient: Scalar
    @inlinable public var slotCount: Int { 2 }

    @inlinable @inline(__always)
    public func apply<L: Lane>(_ p: inout L, _ g: L, _ s: inout Slots<L>) where L.Scalar == Scalar {
        var d = maximize ? -g : g
        if decayFactor != 1 { p = p * L(repeating: decayFactor) }
        if l2 != 0 { d = d + L(repeating: l2) * p }
        s.s0 = torchLerp(s.s0, d, oneMinusBeta1)
        s.s1 = s.s1 * L(repeating: beta2) + L(repeating: oneMinusBeta2) * d * d
        let denom = (s.s1 / L(repeating: bc2)).squareRoot() + L(repeating: eps)
        p = p + L(repeating: gradCoefficient) * d / denom
        p = p + L(repeating: momentumCoefficient) * s.s0 / denom
    }
}

final class NAdamStepper<T: DescentFloat>: Stepper {
    let config: NAdamFamily
    let engine: Engine
    private(set) var t = 0
    /// Πₜ, kept in float64 whatever the parameters' precision (torch's scalar state dtype).
    private(set) var muProduct = 1.0
    let m: [Buffer<T>], v: [Buffer<T>]

    init(_ config: NAdamFamily, shapes: [[Int]], engine: Engine) {
        self.config = config
        self.engine = engine
        m = .zeros(like: shapes)
        v = .zeros(like: shapes)
    }

    func step(params: [Buffer<T>], grads: [Buffer<T>], lr: Double) {
        t += 1
        let c = config, step = Double(t)
        var bc2 = 1 - Double.pow(c.beta2, step)
        let mu = c.beta1 * (1.0 - 0.5 * Double.pow(0.96, step * c.momentumDecay))
        let muNext = c.beta1 * (1.0 - 0.5 * Double.pow(0.96, (step + 1) * c.momentumDecay))
        var gradCoefficient: Double, momentumCoefficient: Double
        if c.scalarsInFloat32 {
            // A port that computes the step's scalars in float32 (the diagnosis's precision knob).
            let b1 = Float(c.beta1), s = Float(step), md = Float(c.momentumDecay), lrF = Float(lr)
            let muF = b1 * (1 - 0.5 * Float.pow(0.96, s * md)), muNextF = b1 * (1 - 0.5 * Float.pow(0.96, (s + 1) * md))
            let product = Float(muProduct) * muF
            muProduct = Double(product)
            bc2 = Double(1 - Float.pow(Float(c.beta2), s))
            gradCoefficient = Double(-lrF * (1 - muF) / (1 - product))
            momentumCoefficient = Double((-lrF * muNextF) / (1 - product * muNextF))
        } else {
            muProduct *= mu
            let muProductNext = muProduct * muNext
            gradCoefficient = -lr * (1.0 - mu) / (1.0 - muProduct)
            momentumCoefficient = (-lr * muNext) / (1.0 - muProductNext)
        }
        let decoupled = c.decay.decoupled
        let k = NAdamKernel<T>(
            maximize: c.maximize, l2: T(c.decay.l2), decayFactor: T(decoupled != 0 ? 1 - lr * decoupled : 1),
            beta2: T(c.beta2), oneMinusBeta1: T(1 - c.beta1), oneMinusBeta2: T(1 - c.beta2), eps: T(c.eps), bc2: T(bc2),
            gradCoefficient: T(gradCoefficient), momentumCoefficient: T(momentumCoefficient))
        engine.map(k, params, grads, [m, v])
    }

    var state: [(name: String, buffers: [Buffer<T>])] {
        [("exp_avg", m), ("exp_avg_sq", v), ("mu_product", m.map { _ in Buffer<T>([T(muProduct)]) })]
    }
}

extension NAdamStepper {
    func save() -> StepperState { StepperState(buffers: state, scalars: [("step", Double(t)), ("mu_product", muProduct)]) }
    func load(_ saved: StepperState) throws {
        try saved.restore(into: state)
        t = try saved.count()
        muProduct = try saved.scalar("mu_product")
    }
}
