// AdEMAMix.swift — AdEMAMix (Pagliardini, Ablin & Grangier 2024, "The AdEMAMix Optimizer: Better,
// Faster, Older"): Adam plus a slow EMA m₂ of the gradient (decay β₃), added with weight α to the
// bias-corrected fast EMA; m₂ is NOT bias-corrected (it is meant to fill slowly). As
// optax.contrib.ademamix (optax 0.2.8, contrib/_ademamix.py) and pytorch_optimizer.AdEMAMix
// (pytorch-optimizer 4.1.0, optimizer/ademamix.py) compute it. Step t = 1, 2, …, element-wise:
//
//   g ← −g                                   maximize (pytorch_optimizer)
//   g ← g + λ·w                              coupled decay (pytorch_optimizer, weight_decouple False: the default)
//   w ← w·(1 − lr·λ) | w·(1 − λ)             decoupled | fixed_decay (pytorch_optimizer)
//   m₁ ← β₁·m₁ + (1 − β₁)·g
//   m₂ ← β₃(t)·m₂ + (1 − β₃(t))·g
//   ν  ← β₂·ν + (1 − β₂)·g²
//   u  = (m₁/(1 − β₁ᵗ) + α(t)·m₂) / (√(ν/(1 − β₂ᵗ) + ε_root) + ε)
//   u  ← u + λ·w                             optax weight_decay (mask per tensor), then
//   w  ← w + (−lr)·u
//
// The warmups, where the two libraries differ:
//   optax: α(t) = alpha(t − 1) and β₃(t) = b3(t − 1) when `alpha` / `b3` are schedules (evaluated at
//          count_m2, the count BEFORE the update: 0 at the first step); constants otherwise. optax
//          has no t_alpha_beta3 and no built-in β₃ warmup.
//   pytorch_optimizer: with T = t_alpha_beta3 (None: constants), at the step t itself,
//          α(t) = min(t·α/T, α),
//          β₃(t) = min(exp(ln β₁·ln β₃ / ((1 − t/T)·ln β₃ + (t/T)·ln β₁)), β₃)   (the paper's half-life
//          interpolation from β₁ to β₃).
//   bitsandbytes (0.50.2, optim/ademamix.py): the same two warmups, α over `t_alpha` steps and β₃ over
//          `t_beta3` (each None or 0: none); the pytorch_optimizer form's arithmetic, decay w·(1 − lr·λ).
// Operation order and state names per library:
//   optax              m = (1−β)·g + β·m; ν̂ = ν/(1 − β₂ᵗ) under the root with ε_root    m1, m2, nu
//   pytorch_optimizer  m = lerp(m, g, 1 − β) (torch's two-branch lerp); ν = ν·β₂ + (1−β₂)·g·g;
//                      denominator √ν/√(1 − β₂ᵗ) + ε; w + (−lr)·(u/denominator)   exp_avg, exp_avg_slow, exp_avg_sq
// Defaults: alpha 5 in both (optax's scale_by_ademamix alone defaults to 6); b3 0.9999.

public struct AdEMAMixFamily: OptimizerFamily {
    public enum Form: String, Sendable {
        case optax, pytorchOptimizer = "pytorch_optimizer"
    }

    public var form: Form
    public var beta1 = 0.9
    public var beta2 = 0.999
    public var beta3 = 0.9999
    public var alpha = 5.0
    public var eps = 1e-8
    /// optax `eps_root` (under the root).
    public var epsRoot = 0.0
    /// pytorch_optimizer `t_alpha_beta3`; nil = no warmup.
    public var tAlphaBeta3: Double? = nil
    /// bitsandbytes's separate spans `t_alpha` / `t_beta3` (the same two warmups, each over its own
    /// span; nil = `tAlphaBeta3`'s).
    public var tAlpha: Double? = nil
    public var tBeta3: Double? = nil
    /// optax: `alpha` / `b3` given as schedules of the count (nil = the constants above).
    var alphaSchedule: OptaxSchedule? = nil
    var beta3Schedule: OptaxSchedule? = nil
    /// `.decoupled` is optax's λ·w added to the update in the optax form.
    public var decay: LionDecay = .none
    /// Per tensor: whether the decay applies (optax `mask`); nil = every tensor.
    public var decayMask: [Bool]? = nil
    public var maximize = false
    /// Known-wrong variants' knobs: m₂ bias-corrected by 1 − β₃ᵗ; the β₃ / α warmups ignored.
    public var correctSlowMoment = false
    public var skipBeta3Warmup = false
    public var skipAlphaWarmup = false

    public init(form: Form) { self.form = form }

    /// Whether α / β₃ change over the first steps (t_alpha_beta3, or an optax schedule).
    public var alphaWarmsUp: Bool { (tAlpha ?? tAlphaBeta3) != nil || alphaSchedule != nil }
    public var beta3WarmsUp: Bool { (tBeta3 ?? tAlphaBeta3) != nil || beta3Schedule != nil }

    public var familyName: String { "AdEMAMix" }
    public var summary: String {
        var parts = ["\(form.rawValue) form", "betas (\(beta1), \(beta2), \(beta3))", "alpha \(alpha)", "eps \(eps)"]
        if epsRoot != 0 { parts.append("eps_root \(epsRoot)") }
        if let t = tAlphaBeta3 { parts.append("t_alpha_beta3 \(t)") }
        if let t = tAlpha { parts.append("t_alpha \(t)") }
        if let t = tBeta3 { parts.append("t_beta3 \(t)") }
        if alphaSchedule != nil { parts.append("alpha scheduled") }
        if beta3Schedule != nil { parts.append("b3 scheduled") }
        parts += decaySummary(decay, decayMask, maximize)
        if correctSlowMoment { parts.append("m2 bias-corrected") }
        if skipBeta3Warmup { parts.append("no b3 warmup") }
        if skipAlphaWarmup { parts.append("no alpha warmup") }
        return parts.joined(separator: ", ")
    }

    @_specialize(where T == Double) @_specialize(where T == Float)
    public func makeStepper<T: DescentFloat>(_: T.Type, shapes: [[Int]], engine: Engine) throws -> StepperBox<T> {
        try requireDecayMask(decayMask, matches: shapes)
        return StepperBox(AdEMAMixStepper<T>(self, shapes: shapes, engine: engine))
    }

    /// (α, β₃) of step t (t = 1, 2, …).
    func mixing(step t: Int) -> (alpha: Double, beta3: Double) {
        var a = alpha, b3 = beta3
        if let s = alphaSchedule, !skipAlphaWarmup { a = s(t - 1, as: Double.self) }
        if let s = beta3Schedule, !skipBeta3Warmup { b3 = s(t - 1, as: Double.self) }
        let x = Double(t)
        if let span = tAlpha ?? tAlphaBeta3, !skipAlphaWarmup { a = Swift.min(x * alpha / span, alpha) }
        if let span = tBeta3 ?? tAlphaBeta3, !skipBeta3Warmup {
            let l1 = Double.log(beta1), l3 = Double.log(beta3)
            b3 = Swift.min(Double.exp(l1 * l3 / ((1.0 - x / span) * l3 + (x / span) * l1)), beta3)
        }
        return (a, b3)
    }

    /// The kernel of step t at learning rate lr, for a tensor that is (or is not) decayed.
    func kernel<T: DescentFloat>(step t: Int, lr: Double, decayed: Bool) -> AdEMAMixKernel<T> {
        let (a, b3) = mixing(step: t)
        let (coupled, factor, added) = (decayed ? decay : LionDecay.none).parts(lr: lr, addedToUpdate: form == .optax)
        let x = Double(t)
        return AdEMAMixKernel<T>(
            torch: form == .pytorchOptimizer, maximize: maximize, coupled: T(coupled), decayFactor: T(factor),
            addedDecay: T(added), beta1: T(beta1), oneMinusBeta1: T(1 - beta1), beta2: T(beta2),
            oneMinusBeta2: T(1 - beta2), beta3: T(b3), oneMinusBeta3: T(1 - b3), alpha: T(a),
            bc1: T(1 - Double.pow(beta1, x)), bc2: T(1 - Double.pow(beta2, x)),
            bc2Sqrt: T((1 - Double.pow(beta2, x)).squareRoot()),
            bc3: T(correctSlowMoment ? 1 - Double.pow(b3, x) : 1), eps: T(eps), epsRoot: T(epsRoot), negLr: T(-lr))
    }
}

/// The summary parts both AdEMAMix families share: the decay, its mask, maximize.
private func decaySummary(_ decay: LionDecay, _ mask: [Bool]?, _ maximize: Bool) -> [String] {
    [decay.summary] + (mask.map { ["decay mask \($0)"] } ?? []) + (maximize ? ["maximize"] : [])
}

/// One AdEMAMix step. Slots: s0 = m₁, s1 = m₂, s2 = ν.
public struct AdEMAMixKernel<Scalar: DescentFloat>: ElementwiseKernel {
    @usableFromInline var torch, maximize: Bool
    @usableFromInline var coupled, decayFactor, addedDecay: Scalar
    @usableFromInline var beta1, oneMinusBeta1, beta2, oneMinusBeta2, beta3, oneMinusBeta3, alpha: Scalar
    @usableFromInline var bc1, bc2, bc2Sqrt, bc3, eps, epsRoot, negLr: Scalar
    @inlinable public var slotCount: Int { 3 }

    @inlinable @inline(__always)
    public func apply<L: Lane>(_ p: inout L, _ g: L, _ s: inout Slots<L>) where L.Scalar == Scalar {
        if torch {
            var d = maximize ? -g : g
            if coupled != 0 { d = d + L(repeating: coupled) * p }
            if decayFactor != 1 { p = p * L(repeating: decayFactor) }
            s.s0 = torchLerp(s.s0, d, oneMinusBeta1)
            s.s2 = s.s2 * L(repeating: beta2) + L(repeating: oneMinusBeta2) * d * d
            s.s1 = torchLerp(s.s1, d, oneMinusBeta3)
            let den = s.s2.squareRoot() / L(repeating: bc2Sqrt) + L(repeating: eps)
            let slow = bc3 != 1 ? s.s1 / L(repeating: bc3) : s.s1
            let u = s.s0 / L(repeating: bc1) + L(repeating: alpha) * slow
            p = p + L(repeating: negLr) * (u / den)
        } else {
            s.s0 = L(repeating: oneMinusBeta1) * g + L(repeating: beta1) * s.s0
            s.s1 = L(repeating: oneMinusBeta3) * g + L(repeating: beta3) * s.s1
            s.s2 = L(repeating: oneMinusBeta2) * (g * g) + L(repeating: beta2) * s.s2
            let slow = bc3 != 1 ? s.s1 / L(repeating: bc3) : s.s1
            var u = (s.s0 / L(repeating: bc1) + L(repeating: alpha) * slow)
                / ((s.s2 / L(repeating: bc2) + L(repeating: epsRoot)).squareRoot() + L(repeating: eps))
            if addedDecay != 0 { u = u + L(repeating: addedDecay) * p }
            p = p + L(repeating: negLr) * u
        }
    }
}

final class AdEMAMixStepper<T: DescentFloat>: Stepper {
    let config: AdEMAMixFamily
    let engine: Engine
    let m1: [Buffer<T>], m2: [Buffer<T>], nu: [Buffer<T>]
    var steps = 0

    init(_ config: AdEMAMixFamily, shapes: [[Int]], engine: Engine) {
        self.config = config
        self.engine = engine
        m1 = .zeros(like: shapes)
        m2 = .zeros(like: shapes)
        nu = .zeros(like: shapes)
    }

    func step(params: [Buffer<T>], grads: [Buffer<T>], lr: Double) {
        steps += 1
        let decayed: AdEMAMixKernel<T> = config.kernel(step: steps, lr: lr, decayed: true)
        let plain: AdEMAMixKernel<T> = config.kernel(step: steps, lr: lr, decayed: false)
        let mask = config.decayMask
        engine.map(perTensor: { (mask?[$0] ?? true) ? decayed : plain }, params, grads, [m1, m2, nu])
    }

    var state: [(name: String, buffers: [Buffer<T>])] {
        config.form == .optax ? [("m1", m1), ("m2", m2), ("nu", nu)]
                              : [("exp_avg", m1), ("exp_avg_slow", m2), ("exp_avg_sq", nu)]
    }
}

extension AdEMAMixStepper {
    func save() -> StepperState { StepperState(buffers: state, scalars: [("step", Double(steps))]) }
    func load(_ saved: StepperState) throws { try saved.restore(into: state); steps = try saved.count() }
}

// MARK: Simplified AdEMAMix
//
// Simplified AdEMAMix (Morwani et al. 2025, "Connections between Schedule-Free Optimizers,
// AdEMAMix, and Accelerated SGD Variants"): one momentum buffer and the current gradient mixed in
// with weight α. Not the same update in the two libraries, so two forms of one family:
//
//   optax.contrib.simplified_ademamix (count t = 1, 2, …; α a number or a schedule of t − 1):
//     m ← g + β₁·m                                   (an accumulator: no 1 − β₁, no bias correction)
//     n ← g² + β₂·(n − g²)                           (lerp(β₂, g², n))
//     u = (m + α·g) / (√(n/(1 − β₂ᵗ) + ε_root) + ε); u ← u + λ·w (mask); w ← w + (−lr)·u
//   pytorch_optimizer.SimplifiedAdEMAMix (step t = 1, 2, …):
//     g ← −g (maximize); decay coupled (g + λ·w) or decoupled w·(1 − lr·λ) (the default) or fixed w·(1 − λ)
//     β₁(t) = f⁻¹((1 − t/W)·f(min_beta1) + (t/W)·f(β₁)) for t < W = beta1_warmup, else β₁, with the
//             half-life f(b) = ln 0.5/ln(b + 1e-8) − 1, f⁻¹(x) = 0.5^(1/(x + 1))
//     m ← lerp(m, g, 1 − β₁(t))                      (an EMA)
//     v ← v·β₂ + (1 − β₂)·g·g
//     d ← β₂·d + (1 − β₂) (d₀ = 0: den_sum, a Python float), s = √d — a float32 tensor on the
//         default foreach path (foreach None or True), float64 with foreach False
//     u = (m + α·g) / (√v + s·ε) / s                 (s·ε in float32 on the foreach path); w ← w + (−lr)·u
// State names: optax m, n; pytorch_optimizer exp_avg, exp_avg_sq (and the scalars num_sum, den_sum).

public struct SimplifiedAdEMAMixFamily: OptimizerFamily {
    public var form: AdEMAMixFamily.Form
    public var beta1 = 0.99
    public var beta2 = 0.95
    public var alpha = 0.0
    public var eps = 1e-8
    public var epsRoot = 0.0
    /// optax: `alpha` as a schedule of the count (nil = the constant).
    var alphaSchedule: OptaxSchedule? = nil
    /// pytorch_optimizer `beta1_warmup` (nil or 0: off) and `min_beta1`.
    public var beta1Warmup: Int? = nil
    public var minBeta1 = 0.9
    /// pytorch_optimizer: √den_sum rounded to float32 (the foreach path).
    public var denSumFloat32 = true
    public var decay: LionDecay = .none
    public var decayMask: [Bool]? = nil
    public var maximize = false
    /// Known-wrong variants' knobs: optax's accumulator as an EMA; pytorch_optimizer's double
    /// division replaced by Adam's √(v/den_sum) + ε; the β₁ warmup ignored.
    public var emaMomentum = false
    public var adamDenominator = false
    public var skipBeta1Warmup = false

    public init(form: AdEMAMixFamily.Form) { self.form = form }

    public var familyName: String { "SimplifiedAdEMAMix" }
    public var summary: String {
        var parts = ["\(form.rawValue) form", "betas (\(beta1), \(beta2))", "alpha \(alphaSchedule != nil ? "scheduled" : "\(alpha)")", "eps \(eps)"]
        if epsRoot != 0 { parts.append("eps_root \(epsRoot)") }
        if let w = beta1Warmup, w != 0 { parts.append("beta1 warmup \(w) from \(minBeta1)") }
        if form == .pytorchOptimizer { parts.append(denSumFloat32 ? "√den_sum in float32 (foreach)" : "√den_sum in float64") }
        parts += decaySummary(decay, decayMask, maximize)
        if emaMomentum { parts.append("EMA momentum") }
        if adamDenominator { parts.append("Adam's denominator") }
        if skipBeta1Warmup { parts.append("no beta1 warmup") }
        return parts.joined(separator: ", ")
    }

    @_specialize(where T == Double) @_specialize(where T == Float)
    public func makeStepper<T: DescentFloat>(_: T.Type, shapes: [[Int]], engine: Engine) throws -> StepperBox<T> {
        try requireDecayMask(decayMask, matches: shapes)
        return StepperBox(SimplifiedAdEMAMixStepper<T>(self, shapes: shapes, engine: engine))
    }

    /// β₁ of step t (pytorch_optimizer's linear_hl_warmup_scheduler).
    func beta1At(step t: Int) -> Double {
        guard let w = beta1Warmup, w != 0, !skipBeta1Warmup, t < w else { return beta1 }
        func f(_ b: Double) -> Double { Double.log(0.5) / Double.log(b + 1e-8) - 1.0 }
        let a = Double(t) / Double(w)
        return Double.pow(0.5, 1.0 / ((1.0 - a) * f(minBeta1) + a * f(beta1) + 1))
    }

    /// The kernel of step t at learning rate lr; `denSum` is pytorch_optimizer's den_sum after the step.
    func kernel<T: DescentFloat>(step t: Int, lr: Double, denSum: Double, decayed: Bool) -> SimplifiedAdEMAMixKernel<T> {
        let (coupled, factor, added) = (decayed ? decay : LionDecay.none).parts(lr: lr, addedToUpdate: form == .optax)
        let b1 = form == .optax ? beta1 : beta1At(step: t)
        let a = alphaSchedule.map { $0(t - 1, as: Double.self) } ?? alpha
        var s = denSum.squareRoot(), sEps = s * eps
        if denSumFloat32 {
            let s32 = Float(s)
            s = Double(s32)
            sEps = Double(s32 * Float(eps))
        }
        return SimplifiedAdEMAMixKernel<T>(
            torch: form == .pytorchOptimizer, maximize: maximize, ema: emaMomentum, adam: adamDenominator,
            coupled: T(coupled), decayFactor: T(factor), addedDecay: T(added), beta1: T(b1), oneMinusBeta1: T(1 - b1),
            beta2: T(beta2), oneMinusBeta2: T(1 - beta2), alpha: T(a), bc2: T(1 - Double.pow(beta2, Double(t))),
            denSum: T(denSum), denSqrt: T(s), denEps: T(sEps), eps: T(eps), epsRoot: T(epsRoot), negLr: T(-lr))
    }
}

/// One Simplified AdEMAMix step. Slots: s0 = m, s1 = n (ν).
public struct SimplifiedAdEMAMixKernel<Scalar: DescentFloat>: ElementwiseKernel {
    @usableFromInline var torch, maximize, ema, adam: Bool
    @usableFromInline var coupled, decayFactor, addedDecay, beta1, oneMinusBeta1, beta2, oneMinusBeta2, alpha: Scalar
    @usableFromInline var bc2, denSum, denSqrt, denEps, eps, epsRoot, negLr: Scalar
    @inlinable public var slotCount: Int { 2 }

    @inlinable @inline(__always)
    public func apply<L: Lane>(_ p: inout L, _ g: L, _ s: inout Slots<L>) where L.Scalar == Scalar {
        if torch {
            var d = maximize ? -g : g
            if coupled != 0 { d = d + L(repeating: coupled) * p }
            if decayFactor != 1 { p = p * L(repeating: decayFactor) }
            s.s0 = torchLerp(s.s0, d, oneMinusBeta1)
            s.s1 = s.s1 * L(repeating: beta2) + L(repeating: oneMinusBeta2) * d * d
            let num = s.s0 + L(repeating: alpha) * d
            let u = adam ? num / ((s.s1 / L(repeating: denSum)).squareRoot() + L(repeating: eps))
                         : num / (s.s1.squareRoot() + L(repeating: denEps)) / L(repeating: denSqrt)
            p = p + L(repeating: negLr) * u
        } else {
            s.s0 = ema ? L(repeating: oneMinusBeta1) * g + L(repeating: beta1) * s.s0 : g + L(repeating: beta1) * s.s0
            let g2 = g * g
            s.s1 = g2 + L(repeating: beta2) * (s.s1 - g2)
            var u = (s.s0 + L(repeating: alpha) * g)
                / ((s.s1 / L(repeating: bc2) + L(repeating: epsRoot)).squareRoot() + L(repeating: eps))
            if addedDecay != 0 { u = u + L(repeating: addedDecay) * p }
            p = p + L(repeating: negLr) * u
        }
    }
}

final class SimplifiedAdEMAMixStepper<T: DescentFloat>: Stepper {
    let config: SimplifiedAdEMAMixFamily
    let engine: Engine
    let m: [Buffer<T>], n: [Buffer<T>]
    var steps = 0
    /// pytorch_optimizer's per-parameter scalars (equal for every tensor of the group).
    var numSum = 0.0, denSum = 0.0

    init(_ config: SimplifiedAdEMAMixFamily, shapes: [[Int]], engine: Engine) {
        self.config = config
        self.engine = engine
        m = .zeros(like: shapes)
        n = .zeros(like: shapes)
    }

    func step(params: [Buffer<T>], grads: [Buffer<T>], lr: Double) {
        steps += 1
        if config.form == .pytorchOptimizer {
            numSum = config.beta1At(step: steps) * numSum + 1.0
            denSum = config.beta2 * denSum + (1.0 - config.beta2)
        }
        let decayed: SimplifiedAdEMAMixKernel<T> = config.kernel(step: steps, lr: lr, denSum: denSum, decayed: true)
        let plain: SimplifiedAdEMAMixKernel<T> = config.kernel(step: steps, lr: lr, denSum: denSum, decayed: false)
        let mask = config.decayMask
        engine.map(perTensor: { (mask?[$0] ?? true) ? decayed : plain }, params, grads, [m, n])
    }

    var state: [(name: String, buffers: [Buffer<T>])] {
        config.form == .optax ? [("m", m), ("n", n)] : [("exp_avg", m), ("exp_avg_sq", n)]
    }
}

extension SimplifiedAdEMAMixStepper {
    func save() -> StepperState {
        StepperState(buffers: state, scalars: [("step", Double(steps)), ("num_sum", numSum), ("den_sum", denSum)])
    }
    func load(_ saved: StepperState) throws {
        try saved.restore(into: state)
        steps = try saved.count()
        numSum = try saved.scalar("num_sum")
        denSum = try saved.scalar("den_sum")
    }
}
