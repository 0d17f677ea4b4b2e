// Adan.swift — Adan, the ADAptive Nesterov momentum algorithm (Xie et al., 2022), as optax.adan
// computes it (optax 0.2.8: transform.py's scale_by_adan, then add_decayed_weights(weight_decay,
// mask), then scale_by_learning_rate). Element-wise; step t = 1, 2, …; every EMA is optax's
// update_moment, (1 − β)·x + β·old, so β is the weight of the OLD value (the docstring writes the
// opposite):
//
//   d = 0 at the first step (t = 1), else g − g_prev     (g_prev: the raw gradient of the last step)
//   m ← (1 − β₁)·g + β₁·m
//   v ← (1 − β₂)·d + β₂·v
//   n ← (1 − β₃)·(g + (1 − β₂)·d)² + β₃·n
//   u = (m/(1 − β₁ᵗ) + (1 − β₂)·v/(1 − β₂ᵗ)) / (√(n/(1 − β₃ᵗ) + ε_root) + ε)
//   u ← u + λ·w                                          (where the mask applies)
//   w ← w + (−lr)·u;  g_prev ← g
//
// The decay is added to the update before the lr (optax's chain), not the paper's division by
// 1 + λ·lr. State names optax's: m, v, n, g (ScaleByAdanState); its counter t is `step` here
// (optaxStateNames maps t onto it).
//
// pytorch_optimizer.Adan (pytorch-optimizer 4.1.0, optimizer/adan.py), `form = .pytorchOptimizer`,
// the official Adan code's form, with β₂ (not 1 − β₂) weighting the difference twice:
//   c = min(max_grad_norm/(‖g‖ + eps), 1) over every tensor (1 when max_grad_norm = 0; the norm in
//       float32: each tensor's norm rounded to float32, squared and summed in float32)
//   g_prev at the first step = c·g_raw (before maximize), so d = 0 there, but with maximize d = 2·g
//   g ← −g (maximize); g ← c·g;  d = g − g_prev
//   m ← lerp(m, g, 1 − β₁);  v ← lerp(v, d, 1 − β₂);  n ← β₃·n + (1 − β₃)·(g + β₂·d)²
//   weight_decouple: w ← w·(1 − lr·λ) first
//   w ← w − (lr/(1 − β₁ᵗ))·m/(√n/√(1 − β₃ᵗ) + ε) − (lr·β₂/(1 − β₂ᵗ))·v/(same)
//   else (the default, the paper's proximal form): w ← w/(1 + lr·λ) after;  g_prev ← g
// The state keeps the optax names (m, v, n, g = g_prev, positive; the library stores −g_prev).

public struct AdanFamily: OptimizerFamily {
    public var beta1 = 0.98
    public var beta2 = 0.92
    public var beta3 = 0.99
    public var eps = 1e-8
    public var epsRoot = 1e-8
    public var weightDecay = 0.0
    /// Per tensor: the decay applies (optax `mask`); nil = every tensor.
    public var decayMask: [Bool]? = nil
    /// A known-wrong variant's knob: false drops the gradient difference (d = 0 at every step).
    public var gradientDifference = true
    /// A known-wrong variant's knob: false takes the first step's difference against a previous
    /// gradient of 0 (d = g) instead of skipping it (d = 0).
    public var firstDifferenceZero = true
    /// Whose form (see the header).
    public enum Form: String, Sendable { case optax, pytorchOptimizer = "pytorch_optimizer" }
    public var form = Form.optax
    /// pytorch_optimizer only: the global clip norm (0 = none), maximize, weight_decouple (else
    /// the proximal division by 1 + lr·λ).
    public var maxGradNorm = 0.0
    public var maximize = false
    public var decouple = false
    /// A known-wrong variant's knob: the optax/paper weight 1 − β₂ on d where pytorch_optimizer uses β₂.
    public var oneMinusBeta2Difference = false
    /// A known-wrong variant's knob: g_prev at the first step taken from the negated gradient
    /// (d = 0 under maximize too).
    public var firstPreviousAfterMaximize = false

    public init() {}

    public var familyName: String { "Adan" }
    public var summary: String {
        if form == .pytorchOptimizer {
            var s = "pytorch_optimizer form, betas (\(beta1), \(beta2), \(beta3)), eps \(eps)"
            if maxGradNorm != 0 { s += ", global clip \(maxGradNorm)" }
            if weightDecay != 0 { s += decouple ? ", decay \(weightDecay) decoupled" : ", decay \(weightDecay) proximal (w/(1 + lr·λ))" }
            if maximize { s += ", maximize" }
            if oneMinusBeta2Difference { s += ", 1 − β₂ on the difference" }
            if !gradientDifference { s += ", no gradient difference" }
            return s
        }
        var s = "optax form, betas (\(beta1), \(beta2), \(beta3)), eps \(eps) + \(epsRoot) inside the root"
        if weightDecay != 0 { s += ", decay \(weightDecay) added to the update" }
        if let m = decayMask { s += ", decay mask \(m)" }
        if !gradientDifference { s += ", no gradient difference" }
        if !firstDifferenceZero { s += ", first difference against 0" }
        return s
    }

    @_specialize(where T == Double) @_specialize(where T == Float)
    public func makeStepper<T: DescentFloat>(_: T.Type, shapes: [[Int]], engine: Engine) throws -> StepperBox<T> {
        try requireDecayMask(decayMask, matches: shapes)
        return StepperBox(AdanStepper<T>(self, shapes: shapes, engine: engine))
    }
}

/// One Adan step. Slots: s0 = m, s1 = v, s2 = n, s3 = g (the previous gradient).
public struct AdanKernel<Scalar: DescentFloat>: ElementwiseKernel {
    @usableFromInline var beta1, beta2, beta3, oneMinusBeta1, oneMinusBeta2, oneMinusBeta3: Scalar
    @usableFromInline var eps, epsRoot, bc1, bc2, bc3, decay, negLr: Scalar
    /// Whether this step takes the difference g − g_prev (false: d = 0).
    @usableFromInline var difference: Bool
    /// pytorch_optimizer's form: the first step, maximize, the clip factor, the weight of d, the
    /// two step sizes, √(1 − β₃ᵗ), the decoupled factor and the proximal divisor.
    @usableFromInline var torch = false, first = false, maximize = false, firstAfterMaximize = false
    @usableFromInline var clip: Scalar = 1, diffWeight: Scalar = 0, step1: Scalar = 0, step2: Scalar = 0
    @usableFromInline var rootDivisor: Scalar = 1, decayFactor: Scalar = 1, proxDivisor: Scalar = 1
    @inlinable public var slotCount: Int { 4 }

    @inlinable @inline(__always)
    public func apply<L: Lane>(_ p: inout L, _ g0: L, _ s: inout Slots<L>) where L.Scalar == Scalar {
        if torch {
            if first && !firstAfterMaximize { s.s3 = g0 * L(repeating: clip) }
            var g = maximize ? -g0 : g0
            g = g * L(repeating: clip)
            if first && firstAfterMaximize { s.s3 = g }
            let d = difference ? g - s.s3 : L(repeating: 0)
            s.s0 = L(repeating: beta1) * s.s0 + L(repeating: oneMinusBeta1) * g
            s.s1 = L(repeating: beta2) * s.s1 + L(repeating: oneMinusBeta2) * d
            let sq = L(repeating: diffWeight) * d + g
            s.s2 = L(repeating: beta3) * s.s2 + L(repeating: oneMinusBeta3) * (sq * sq)
            let den = s.s2.squareRoot() / L(repeating: rootDivisor) + L(repeating: eps)
            if decayFactor != 1 { p = p * L(repeating: decayFactor) }
            p = p - L(repeating: step1) * (s.s0 / den)
            p = p - L(repeating: step2) * (s.s1 / den)
            if proxDivisor != 1 { p = p / L(repeating: proxDivisor) }
            s.s3 = g
            return
        }
        let g = g0
        let d = difference ? g - s.s3 : L(repeating: 0)
        s.s0 = L(repeating: oneMinusBeta1) * g + L(repeating: beta1) * s.s0
        s.s1 = L(repeating: oneMinusBeta2) * d + L(repeating: beta2) * s.s1
        let sq = g + L(repeating: oneMinusBeta2) * d
        s.s2 = L(repeating: oneMinusBeta3) * (sq * sq) + L(repeating: beta3) * s.s2
        let dir = s.s0 / L(repeating: bc1) + L(repeating: oneMinusBeta2) * (s.s1 / L(repeating: bc2))
        var u = dir / ((s.s2 / L(repeating: bc3) + L(repeating: epsRoot)).squareRoot() + L(repeating: eps))
        if decay != 0 { u = u + L(repeating: decay) * p }
        p = p + L(repeating: negLr) * u
        s.s3 = g
    }
}

final class AdanStepper<T: DescentFloat>: Stepper {
    let config: AdanFamily
    let engine: Engine
    let m: [Buffer<T>], v: [Buffer<T>], n: [Buffer<T>], previous: [Buffer<T>]
    var steps = 0

    init(_ config: AdanFamily, shapes: [[Int]], engine: Engine) {
        self.config = config
        self.engine = engine
        m = .zeros(like: shapes)
        v = .zeros(like: shapes)
        n = .zeros(like: shapes)
        previous = .zeros(like: shapes)
    }

    func step(params: [Buffer<T>], grads: [Buffer<T>], lr: Double) {
        let c = config
        let difference = c.gradientDifference && (steps > 0 || !c.firstDifferenceZero)
        steps += 1
        let t = Double(steps)
        let base = AdanKernel<T>(beta1: T(c.beta1), beta2: T(c.beta2), beta3: T(c.beta3),
                                 oneMinusBeta1: T(1 - c.beta1), oneMinusBeta2: T(1 - c.beta2), oneMinusBeta3: T(1 - c.beta3),
                                 eps: T(c.eps), epsRoot: T(c.epsRoot),
                                 bc1: T(1 - Double.pow(c.beta1, t)), bc2: T(1 - Double.pow(c.beta2, t)), bc3: T(1 - Double.pow(c.beta3, t)),
                                 decay: T(c.weightDecay), negLr: T(-lr), difference: difference)
        if c.form == .pytorchOptimizer {
            var k = base
            k.torch = true
            k.first = steps == 1
            k.difference = c.gradientDifference
            k.maximize = c.maximize
            k.firstAfterMaximize = c.firstPreviousAfterMaximize
            k.clip = T(clipFactor(grads))
            let w = c.oneMinusBeta2Difference ? 1 - c.beta2 : c.beta2
            k.diffWeight = T(w)
            k.step1 = T(lr / (1 - Double.pow(c.beta1, t)))
            k.step2 = T(lr * w / (1 - Double.pow(c.beta2, t)))
            k.rootDivisor = T((1 - Double.pow(c.beta3, t)).squareRoot())
            if c.weightDecay != 0 {
                if c.decouple { k.decayFactor = T(1 - lr * c.weightDecay) } else { k.proxDivisor = T(1 + lr * c.weightDecay) }
            }
            engine.map(k, params, grads, [m, v, n, previous])
            return
        }
        var plain = base
        plain.decay = 0
        engine.map(perTensor: { (c.decayMask?[$0] ?? true) ? base : plain }, params, grads, [m, v, n, previous])
    }

    /// pytorch_optimizer's clip_global_grad_norm: each tensor's norm rounded to float32, squared and
    /// summed in float32, √ + eps in float32, min(max_grad_norm / that, 1) in float32.
    func clipFactor(_ grads: [Buffer<T>]) -> Double {
        guard config.maxGradNorm != 0 else { return 1 }
        var sum: Float = 0
        for g in grads {
            let n = Float(Double(engine.norm(g)))
            sum += n * n
        }
        let norm = sum.squareRoot() + Float(config.eps)
        return Double(Swift.min(Float(config.maxGradNorm) / norm, 1))
    }

    var state: [(name: String, buffers: [Buffer<T>])] { [("m", m), ("v", v), ("n", n), ("g", previous)] }
}

extension AdanStepper {
    func save() -> StepperState { StepperState(buffers: state, scalars: [("step", Double(steps))]) }
    func load(_ saved: StepperState) throws { try saved.restore(into: state); steps = try saved.count() }
}
