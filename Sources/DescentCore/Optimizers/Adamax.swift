// Adamax.swift — Adam with the infinity norm (torch Adamax, optax adamax / adamaxw).
// Step t = 1, 2, …; bc₁ = 1 − β₁ᵗ; element-wise:
//
//   g ← −g if maximize;  g ← g + λ·w             (torch: L2 decay, coupled)
//   m ← β₁·m + (1−β₁)·g
//   u ← max(β₂·u, |g| + ε)                       (ε inside the max: a zero gradient still gives ε)
//   w ← w − lr·(m/bc₁)/u − lr·λ·w_before         (optax adamaxw: decoupled decay, `mask`)
//
// torch computes w ← w + (−lr/bc₁)·m/u with state exp_avg, exp_inf; optax computes
// w ← w + (−lr)·((m/bc₁)/u + λ·w) with state mu, nu.

public struct AdamaxFamily: OptimizerFamily {
    /// `.torch` or `.optax` (the textbook has no Adamax).
    public var form: AdamForm
    public var beta1 = 0.9
    public var beta2 = 0.999
    public var eps = 1e-8
    /// torch: `.l2`; optax adamaxw: `.decoupled`.
    public var decay: AdamDecay = .none
    public var decayMask: [Bool]? = nil
    public var maximize = false
    /// Keras (torch form only): u ← max(β₂·u, |g|), then divide by u + ε (ε outside the max).
    public var epsOutsideMax = false
    /// m divided by 1 − β₁ᵗ (every library here); false: m used raw (a real implementation's mistake).
    public var biasCorrection = true
    /// A port's precision (the diagnosis's knob): 1 − β₁ᵗ and lr/(1 − β₁ᵗ) computed in float32.
    public var scalarsInFloat32 = false

    public init(form: AdamForm) { self.form = form }

    public var familyName: String { "Adamax" }
    public var summary: String {
        "\(form.rawValue) form, betas (\(beta1), \(beta2)), eps \(eps) \(epsOutsideMax ? "outside (u + ε)" : "inside") the max, \(decay.summary)"
            + (decayMask.map { ", decay mask \($0)" } ?? "") + (maximize ? ", maximize" : "")
            + (biasCorrection ? "" : ", no bias correction") + (scalarsInFloat32 ? ", step scalars in float32" : "")
    }

    @_specialize(where T == Double) @_specialize(where T == Float)
    public func makeStepper<T: DescentFloat>(_: T.Type, shapes: [[Int]], engine: Engine) throws -> StepperBox<T> {
        try requireDecayMask(decayMask, matches: shapes)
        return StepperBox(AdamaxStepper<T>(self, shapes: shapes, engine: engine))
    }
}

/// One Adamax step for one tensor. Slots: s0 = m, s1 = u (the infinity norm).
public struct AdamaxKernel<Scalar: DescentFloat>: ElementwiseKernel {
    @usableFromInline var form: AdamForm
    @usableFromInline var maximize: Bool
    @usableFromInline var epsOutsideMax = false
    @usableFromInline var l2, decoupled: Scalar
    @usableFromInline var beta1, beta2, oneMinusBeta1, eps: Scalar
    @usableFromInline var bc1, negLr, negStepSize: Scalar
    @inlinable public var slotCount: Int { 2 }

    @inlinable @inline(__always)
    public func apply<L: Lane>(_ p: inout L, _ g: L, _ s: inout Slots<L>) where L.Scalar == Scalar {
        var d = maximize ? -g : g
        if l2 != 0 { d = d + L(repeating: l2) * p }
        if form == .torch {
            s.s0 = torchLerp(s.s0, d, oneMinusBeta1)
            if epsOutsideMax {
                s.s1 = L.maxNaN(s.s1 * L(repeating: beta2), d.absolute)
                p = p + L(repeating: negStepSize) * s.s0 / (s.s1 + L(repeating: eps))
            } else {
                s.s1 = L.maxNaN(s.s1 * L(repeating: beta2), d.absolute + L(repeating: eps))
                p = p + L(repeating: negStepSize) * s.s0 / s.s1
            }
        } else {
            s.s0 = L(repeating: oneMinusBeta1) * d + L(repeating: beta1) * s.s0
            s.s1 = L.maxNaN(epsOutsideMax ? d.absolute : d.absolute + L(repeating: eps), L(repeating: beta2) * s.s1)
            var u = s.s0 / L(repeating: bc1) / (epsOutsideMax ? s.s1 + L(repeating: eps) : s.s1)
            if decoupled != 0 { u = u + L(repeating: decoupled) * p }
            p = p + L(repeating: negLr) * u
        }
    }
}

final class AdamaxStepper<T: DescentFloat>: Stepper {
    let config: AdamaxFamily
    let engine: Engine
    private(set) var t = 0
    let m: [Buffer<T>], u: [Buffer<T>]

    init(_ config: AdamaxFamily, shapes: [[Int]], engine: Engine) {
        self.config = config
        self.engine = engine
        m = .zeros(like: shapes)
        u = .zeros(like: shapes)
    }

    func step(params: [Buffer<T>], grads: [Buffer<T>], lr: Double) {
        t += 1
        var bc1 = config.biasCorrection ? 1 - Double.pow(config.beta1, Double(t)) : 1
        var stepSize = lr / bc1
        if config.scalarsInFloat32 {
            let bc1F: Float = config.biasCorrection ? 1 - Float.pow(Float(config.beta1), Float(t)) : 1
            bc1 = Double(bc1F)
            stepSize = Double(Float(lr) / bc1F)
        }
        let k = AdamaxKernel<T>(
            form: config.form, maximize: config.maximize, epsOutsideMax: config.epsOutsideMax, l2: T(config.decay.l2), decoupled: T(config.decay.decoupled),
            beta1: T(config.beta1), beta2: T(config.beta2), oneMinusBeta1: T(1 - config.beta1), eps: T(config.eps),
            bc1: T(bc1), negLr: T(-lr), negStepSize: T(-stepSize))
        var masked = k
        masked.decoupled = 0
        let mask = config.decayMask
        engine.map(perTensor: { i in mask?[i] == false ? masked : k }, params, grads, [m, u])
    }

    var state: [(name: String, buffers: [Buffer<T>])] {
        config.form == .torch ? [("exp_avg", m), ("exp_inf", u)] : [("mu", m), ("nu", u)]
    }
}

extension AdamaxStepper {
    func save() -> StepperState { StepperState(buffers: state, scalars: [("step", Double(t))]) }
    func load(_ saved: StepperState) throws { try saved.restore(into: state); t = try saved.count() }
}
