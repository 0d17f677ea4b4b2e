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
//
// pytorch_optimizer.AdaBelief (pytorch-optimizer 4.1.0, optimizer/adabelief.py), `form =
// .pytorchOptimizer`, with eps in both places (eps_root = eps): g ← −g (maximize), then
// apply_weight_decay (decoupled by default: w ← w·(1 − lr·λ); fixed_decay w·(1 − λ);
// weight_decouple False: g ← g + λ·w), m by lerp, s as above with ε added into it,
// ŝ = max(ŝ_prev, s) with ams_bound (max_exp_avg_var), step size η = lr/(1 − β₁ᵗ) (adam_debias: lr):
//   rectify off: w ← w − η·m/(√ŝ/√(1 − β₂ᵗ) + ε)
//   rectify on (RAdam): ρ∞ = 2/(1 − β₂) − 1, ρ = ρ∞ − 2t·β₂ᵗ/(1 − β₂ᵗ); η ← η·r with
//     r = √((1 − β₂ᵗ)(ρ − 4)(ρ − 2)ρ∞/((ρ∞ − 4)ρ(ρ∞ − 2))) when ρ ≥ n_sma_threshold, else 1
//     (degenerated_to_sgd) or −1; then w ← w − η·m/(√ŝ + ε) (no 1 − β₂ᵗ under it) when
//     ρ ≥ threshold, else w ← w − η·m when η > 0, else nothing.
// State names exp_avg, exp_avg_var, max_exp_avg_var.

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
    /// Whose operation order and state names.
    public enum Form: String, Sendable { case optax, pytorchOptimizer = "pytorch_optimizer" }
    public var form = Form.optax
    /// pytorch_optimizer only: weight decay, maximize, adam_debias, ams_bound, RAdam rectification.
    public var decay = LionDecay.none
    public var maximize = false
    public var adamDebias = false
    public var amsBound = false
    public var rectify = false
    public var nSmaThreshold = 5.0
    public var degeneratedToSGD = true
    /// A known-wrong variant's knob: the rectified step keeps √(1 − β₂ᵗ) under √s (the library drops it).
    public var rectifiedRootCorrection = false

    public init() {}

    public var familyName: String { "AdaBelief" }
    public var summary: String {
        var s = "\(form.rawValue) form, betas (\(beta1), \(beta2)), eps \(eps), eps_root \(epsRoot) "
        s += epsRootInState ? "added into the state" : "inside the root"
        if nesterov { s += ", nesterov" }
        if adamSecondMoment { s += ", Adam's second moment (g², not (g − m)²)" }
        if form == .pytorchOptimizer {
            s += ", " + decay.summary
            if maximize { s += ", maximize" }
            if adamDebias { s += ", adam_debias" }
            if amsBound { s += ", ams_bound" }
            if rectify { s += ", rectify (n_sma_threshold \(nSmaThreshold)\(degeneratedToSGD ? ", degenerated_to_sgd" : ""))" }
        }
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
    /// pytorch_optimizer's order: maximize, coupled λ / decay factor, ams (slot s2), the step's
    /// mode (0 adaptive, 1 SGD, 2 none), its size and the divisor of √ŝ (√(1 − β₂ᵗ), or 1).
    @usableFromInline var torch = false, maximize = false, ams = false
    @usableFromInline var mode = 0
    @usableFromInline var coupled: Scalar = 0, decayFactor: Scalar = 1, rootDivisor: Scalar = 1, stepSize: Scalar = 0
    @inlinable public var slotCount: Int { ams ? 3 : 2 }

    @inlinable @inline(__always)
    public func apply<L: Lane>(_ p: inout L, _ g0: L, _ s: inout Slots<L>) where L.Scalar == Scalar {
        var g = g0
        if torch {
            if maximize { g = -g }
            if coupled != 0 { g = g + L(repeating: coupled) * p }
            if decayFactor != 1 { p = p * L(repeating: decayFactor) }
            s.s0 = L(repeating: oneMinusBeta1) * g + L(repeating: beta1) * s.s0
            let r = adam ? g : g - s.s0
            s.s1 = L(repeating: beta2) * s.s1 + L(repeating: oneMinusBeta2) * (r * r)
            if epsRootInState { s.s1 = s.s1 + L(repeating: epsRoot) }
            var v = s.s1
            if ams { s.s2 = L.maxNaN(s.s2, s.s1); v = s.s2 }
            if !epsRootInState { v = v + L(repeating: epsRoot) }
            if mode == 0 {
                p = p - L(repeating: stepSize) * (s.s0 / (v.squareRoot() / L(repeating: rootDivisor) + L(repeating: eps)))
            } else if mode == 1 {
                p = p - L(repeating: stepSize) * s.s0
            }
            return
        }
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
    let mu: [Buffer<T>], nu: [Buffer<T>], maxNu: [Buffer<T>]
    var steps = 0

    init(_ config: AdaBeliefFamily, shapes: [[Int]], engine: Engine) {
        self.config = config
        self.engine = engine
        mu = .zeros(like: shapes)
        nu = .zeros(like: shapes)
        maxNu = config.form == .pytorchOptimizer && config.amsBound ? .zeros(like: shapes) : []
    }

    func step(params: [Buffer<T>], grads: [Buffer<T>], lr: Double) {
        steps += 1
        let c = config, t = Double(steps)
        var k = AdaBeliefKernel<T>(beta1: T(c.beta1), beta2: T(c.beta2), oneMinusBeta1: T(1 - c.beta1), oneMinusBeta2: T(1 - c.beta2),
                                   eps: T(c.eps), epsRoot: T(c.epsRoot),
                                   bc1: T(1 - Double.pow(c.beta1, t)), bc2: T(1 - Double.pow(c.beta2, t)),
                                   bc1Next: T(1 - Double.pow(c.beta1, t + 1)), negLr: T(-lr),
                                   nesterov: c.nesterov, adam: c.adamSecondMoment, epsRootInState: c.epsRootInState)
        guard c.form == .pytorchOptimizer else { engine.map(k, params, grads, [mu, nu]); return }
        let d = c.decay.parts(lr: lr, addedToUpdate: false)
        k.torch = true
        k.maximize = c.maximize
        k.ams = c.amsBound
        k.coupled = T(d.coupled)
        k.decayFactor = T(d.factor)
        // get_rectify_step_size, then apply_adam_debias, in Python floats.
        var stepSize = lr, mode = 0
        if c.rectify {
            let b2t = Double.pow(c.beta2, t)
            let sma: Double
            (stepSize, sma) = pytorchOptimizerRectifiedStep(step: steps, lr: lr, beta2: c.beta2, threshold: c.nSmaThreshold,
                                                            degeneratedToSGD: c.degeneratedToSGD)
            if !c.adamDebias { stepSize /= 1 - Double.pow(c.beta1, t) }
            mode = sma >= c.nSmaThreshold ? 0 : stepSize > 0 ? 1 : 2
            k.rootDivisor = c.rectifiedRootCorrection ? T((1 - b2t).squareRoot()) : 1
        } else {
            if !c.adamDebias { stepSize /= 1 - Double.pow(c.beta1, t) }
            k.rootDivisor = T((1 - Double.pow(c.beta2, t)).squareRoot())
        }
        k.mode = mode
        k.stepSize = T(stepSize)
        engine.map(k, params, grads, c.amsBound ? [mu, nu, maxNu] : [mu, nu])
    }

    var state: [(name: String, buffers: [Buffer<T>])] {
        guard config.form == .pytorchOptimizer else { return [("mu", mu), ("nu", nu)] }
        return config.amsBound ? [("exp_avg", mu), ("exp_avg_var", nu), ("max_exp_avg_var", maxNu)] : [("exp_avg", mu), ("exp_avg_var", nu)]
    }
}

extension AdaBeliefStepper {
    func save() -> StepperState { StepperState(buffers: state, scalars: [("step", Double(steps))]) }
    func load(_ saved: StepperState) throws { try saved.restore(into: state); steps = try saved.count() }
}
