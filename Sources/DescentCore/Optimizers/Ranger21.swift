// Ranger21.swift — pytorch_optimizer 4.1.0's Ranger21 (Wright & Demeure, 2021; pytorch_optimizer/
// optimizer/ranger21.py, the foreach path CPU tensors take by default, whose expressions the
// per-parameter path repeats): AdamW with positive-negative momentum, adaptive gradient clipping,
// gradient centralization and normalization, stable weight decay, norm loss, softplus, a built-in
// warmup / warmdown of the lr, inside Lookahead (LookaheadFamily, Ranger21's form). Step t:
//
//   every tensor first (the library's _preprocess_group):
//     d = g (−g with maximize); d ← agc(w, d): per unit-norm group, d·(m/n) where n = max(‖d‖, 1e-6)
//       exceeds m = max(‖w‖, agc_eps)·agc_clipping_value (unit_norm: the whole tensor for ≤ 1 dim,
//       dim 1 for 2 and 3 dims, dims 1… for more)
//     d ← d − mean over dims 1… (centralize_gradients, tensors of > 1 dims)
//     d ← d/(std(d) + 1e-8) (normalize_gradients, tensors of > 2 elements; unbiased std)
//     v ← β₂·v + (1 − β₂)·d²  (variance_ma);  S ← S + Σ v/(1 − β₂ᵗ), S starting at 1.0
//   σ = √(S/N), N the number of elements of every tensor
//   lr_t = lr·min(1, t/W) for t ≤ W (warmup), then from step D on max(lr₀ − (lr₀ − lr_min)·
//     min((t + 1 − D)/(N_down + 1), 1), lr_min) (warmdown, from the constructor's lr₀);
//     disable_lr_scheduler: lr_t = lr. η = lr_t/(1 − β₁ᵗ) (adam_debias: lr_t)
//   then per tensor:
//     w ← w·(1 − λ·lr_t·(1/σ)) (weight_decouple, fixed_decay: λ·(1/σ)); weight_decouple False: no
//       decay at all (the library passes no gradient to apply_weight_decay)
//     w ← w·(1 − lr_t·2·norm_loss_factor·(1 − 1/(‖w‖ + eps)))   (norm loss, per unit-norm group)
//     v̂ ← max(v̂, v);  δ = softplus_β(√v̂/√(1 − β₂ᵗ) + eps)   (max_variance_ma; use_softplus)
//     d ← centralized and normalized AGAIN (the library preprocesses the clipped gradient twice)
//     (m⁺, m⁻) = (grad_ma, neg_grad_ma) on odd steps, swapped on even ones:
//     m⁺ ← lerp(m⁺, d, 1 − β₁²);  u = (m⁺·(1 + β₀) + (−β₀)·m⁻)·(1/√((1 + β₀)² + β₀²))
//     w ← w + (−η)·(u/δ)
//
// The norms, means and standard deviations are Swift loops; the moments and the step are map passes.
import Foundation

public struct Ranger21Family: OptimizerFamily {
    public var beta0 = 0.9
    public var beta1 = 0.9
    public var beta2 = 0.999
    public var eps = 1e-8
    public var softplusBeta: Double? = 50
    public var agcClip = 1e-2
    public var agcEps = 1e-3
    public var centralize = true
    public var normalize = true
    public var weightDecay = 1e-4
    public var decouple = true
    public var fixedDecay = false
    public var normLossFactor = 1e-4
    public var maximize = false
    public var adamDebias = false
    /// The built-in schedule: nil = disable_lr_scheduler.
    public struct Schedule: Sendable, Equatable {
        public var warmUp: Int
        public var warmDown: Int
        public var startWarmDown: Int
        public var startingLR: Double
        public var minLR: Double
    }
    public var schedule: Schedule?
    /// Known-wrong forms: the gradient preprocessed once (not again before the momentum); S
    /// started from 0 instead of 1.0; the positive and negative momenta never alternating.
    public var preprocessTwice = true
    public var varianceSumStart = 1.0
    public var alternates = true

    public init() {}

    public var familyName: String { "Ranger21" }
    public var summary: String {
        var parts = ["beta0 \(beta0)", "betas (\(beta1), \(beta2))", "eps \(eps)", "agc \(agcClip) (eps \(agcEps))"]
        if centralize { parts.append("centralized") }
        if normalize { parts.append("normalized") }
        if (centralize || normalize) && !preprocessTwice { parts.append("preprocessed once") }
        if let s = softplusBeta { parts.append("softplus β \(s)") }
        if weightDecay != 0 { parts.append(decouple ? "stable decay \(weightDecay)\(fixedDecay ? " (not × lr)" : "")" : "no decay (weight_decouple False)") }
        if normLossFactor != 0 { parts.append("norm loss \(normLossFactor)") }
        if let s = schedule { parts.append("warmup \(s.warmUp), warmdown \(s.warmDown) from \(s.startWarmDown) to \(s.minLR)") }
        if varianceSumStart != 1 { parts.append("variance sum from \(varianceSumStart)") }
        if !alternates { parts.append("momenta not alternating") }
        if maximize { parts.append("maximize") }
        if adamDebias { parts.append("adam_debias") }
        return parts.joined(separator: ", ")
    }

    /// warm_up_dampening, then warm_down (Python floats).
    func lr(_ lr: Double, step t: Int) -> Double {
        guard let s = schedule else { return lr }
        var out = lr
        if t <= s.warmUp { out = lr * Swift.min(1.0, Double(t) / Double(s.warmUp)) }
        if t >= s.startWarmDown {
            let iteration = Swift.max((t + 1) - s.startWarmDown, 1)
            let pct = Swift.min(Double(iteration) / Double(s.warmDown + 1), 1.0)
            out = Swift.max(s.startingLR - (s.startingLR - s.minLR) * pct, s.minLR)
        }
        return out
    }

    @_specialize(where T == Double) @_specialize(where T == Float)
    public func makeStepper<T: DescentFloat>(_: T.Type, shapes: [[Int]], engine: Engine) throws -> StepperBox<T> {
        StepperBox(Ranger21Stepper<T>(self, shapes: shapes, engine: engine))
    }
}

/// mode 0: s0 = variance_ma ← β₂v + (1 − β₂)d² (g = the preprocessed d).
/// mode 1: s0 = m⁺ ← lerp(m⁺, d, 1 − β₁²), s1 = m⁻, s2 = the denominator δ; the step
/// w ← w + (−η)·(((m⁺·(1 + β₀) + (−β₀)·m⁻)·(1/noise))/δ).
public struct Ranger21Kernel<Scalar: DescentFloat>: ElementwiseKernel {
    @usableFromInline var mode: Int
    @usableFromInline var beta2, oneMinusBeta2, weight, onePlusBeta0, negBeta0, inverseNoise, negStep: Scalar
    @inlinable public var slotCount: Int { mode == 0 ? 1 : 3 }

    @inlinable @inline(__always)
    public func apply<L: Lane>(_ p: inout L, _ g: L, _ s: inout Slots<L>) where L.Scalar == Scalar {
        if mode == 0 {
            s.s0 = s.s0 * L(repeating: beta2) + L(repeating: oneMinusBeta2) * g * g
            return
        }
        s.s0 = torchLerp(s.s0, g, weight)
        let u = (s.s0 * L(repeating: onePlusBeta0) + L(repeating: negBeta0) * s.s1) * L(repeating: inverseNoise)
        p = p + L(repeating: negStep) * (u / s.s2)
    }
}

final class Ranger21Stepper<T: DescentFloat>: Stepper {
    let config: Ranger21Family
    let engine: Engine
    let shapes: [[Int]]
    let gradMA, negGradMA, variance, maxVariance: [Buffer<T>]
    let work: [Buffer<T>]
    let denominators: [Buffer<T>]
    let centralizers: [CentralizationMeans<T>?]
    var t = 0

    init(_ config: Ranger21Family, shapes: [[Int]], engine: Engine) {
        self.config = config
        self.engine = engine
        self.shapes = shapes
        gradMA = .zeros(like: shapes)
        negGradMA = .zeros(like: shapes)
        variance = .zeros(like: shapes)
        maxVariance = .zeros(like: shapes)
        work = .zeros(like: shapes)
        denominators = .zeros(like: shapes)
        centralizers = shapes.map { config.centralize ? CentralizationMeans<T>(shape: $0, above: 1) : nil }
    }

    /// unit_norm's reduction: (outer, reduced, inner) with the norm over the middle axis.
    static func unitNormLayout(_ shape: [Int]) -> (outer: Int, mid: Int, inner: Int) {
        let n = shape.reduce(1, *)
        switch shape.count {
        case 0, 1: return (1, n, 1)
        case 2: return (shape[0], shape[1], 1)
        case 3: return (shape[0], shape[1], shape[2])
        default: return (shape[0], shape[0] == 0 ? 0 : n / shape[0], 1)
        }
    }

    /// Per unit-norm group of x: its 2-norm.
    func unitNorms(_ x: Buffer<T>, _ shape: [Int]) -> [T] {
        let (o, m, inner) = Self.unitNormLayout(shape)
        var out = [T](repeating: 0, count: o * inner)
        for a in 0..<o {
            for c in 0..<inner {
                var sum = T(0)
                for b in 0..<m { let v = x[(a * m + b) * inner + c]; sum += v * v }
                out[a * inner + c] = sum.squareRoot()
            }
        }
        return out
    }

    /// x[element] ← f(x[element], its group's value).
    func eachGroup(_ x: Buffer<T>, _ shape: [Int], _ values: [T], _ f: (T, T) -> T) {
        let (o, m, inner) = Self.unitNormLayout(shape)
        for a in 0..<o {
            for b in 0..<m {
                for c in 0..<inner { let j = (a * m + b) * inner + c; x[j] = f(x[j], values[a * inner + c]) }
            }
        }
    }

    /// centralize_gradient, then normalize_gradient, on d (tensor i).
    func preprocess(_ i: Int) {
        let d = work[i]
        if let c = centralizers[i] {
            c.compute(d, engine: engine)
            engine.axpy(-1, c.means, d)
        }
        if config.normalize && d.count > 2 {
            var sum = T(0)
            for j in 0..<d.count { sum += d[j] }
            let mean = sum / T(d.count)
            var sq = T(0)
            for j in 0..<d.count { let e = d[j] - mean; sq += e * e }
            let s = (sq / T(d.count - 1)).squareRoot() + T(1e-8)
            for j in 0..<d.count { d[j] = d[j] / s }
        }
    }

    func step(params: [Buffer<T>], grads: [Buffer<T>], lr: Double) {
        t += 1
        let c = config
        let bc2 = 1 - Double.pow(c.beta2, Double(t))
        var k = Ranger21Kernel<T>(mode: 0, beta2: T(c.beta2), oneMinusBeta2: T(1 - c.beta2),
                                  weight: T(1 - Double.pow(c.beta1, 2)), onePlusBeta0: T(1 + c.beta0), negBeta0: T(-c.beta0),
                                  inverseNoise: T(1 / (Double.pow(1 + c.beta0, 2) + Double.pow(c.beta0, 2)).squareRoot()),
                                  negStep: 0)
        var sum = T(c.varianceSumStart)
        var count = 0
        for i in params.indices {
            let d = work[i], shape = shapes[i]
            d.copy(from: grads[i])
            if c.maximize { for j in 0..<d.count { d[j] = -d[j] } }
            // agc: the clipped gradient where its unit norm exceeds the parameter's (× the clip value).
            let maxNorms = unitNorms(params[i], shape).map { T.maxNaN($0, T(c.agcEps)) * T(c.agcClip) }
            let gNorms = unitNorms(d, shape).map { T.maxNaN($0, T(1e-6)) }
            let ratios = zip(maxNorms, gNorms).map { m, n in n > m ? m / n : T.nan }
            eachGroup(d, shape, ratios) { x, r in r.isNaN ? x : x * r }
            preprocess(i)
            k.mode = 0
            engine.map(k, params[i], d, [variance[i]])
            var s = T(0)
            for j in 0..<variance[i].count { s += variance[i][j] / T(bc2) }
            sum += s
            count += d.count
        }
        let sigma = (Double(sum) / Double(count)).squareRoot()
        let lrT = c.lr(lr, step: t)
        let stepSize = c.adamDebias ? lrT : lrT / (1 - Double.pow(c.beta1, Double(t)))
        k.mode = 1
        k.negStep = T(-stepSize)
        let odd = !c.alternates || t % 2 == 1
        for i in params.indices {
            let w = params[i], shape = shapes[i]
            if c.decouple && c.weightDecay != 0 {
                let factor = 1.0 - c.weightDecay * (c.fixedDecay ? 1.0 : lrT) * (1.0 / sigma)
                for j in 0..<w.count { w[j] = w[j] * T(factor) }
            }
            let corrections = unitNorms(w, shape).map { T(2.0 * c.normLossFactor) * (1 - 1 / ($0 + T(c.eps))) }
            eachGroup(w, shape, corrections) { x, corr in x * (1 - T(lrT) * corr) }
            // v̂ ← max(v̂, v); δ = softplus_β(√v̂/√bc₂ + eps) (torch's softplus, threshold 20:
            // x where β·x > 20, else log1p(exp(β·x))/β).
            let bc2Sqrt = T(bc2.squareRoot()), e = T(c.eps), delta = denominators[i]
            for j in 0..<w.count {
                maxVariance[i][j] = T.maxNaN(maxVariance[i][j], variance[i][j])
                var x = maxVariance[i][j].squareRoot() / bc2Sqrt + e
                if let b = c.softplusBeta.map({ T($0) }), !(x * b > 20) { x = T(Foundation.log1p(Double(T.exp(x * b)))) / b }
                delta[j] = x
            }
            if c.preprocessTwice { preprocess(i) }
            let (plus, minus) = odd ? (gradMA[i], negGradMA[i]) : (negGradMA[i], gradMA[i])
            engine.map(k, w, work[i], [plus, minus, delta])
        }
    }

    var state: [(name: String, buffers: [Buffer<T>])] {
        [("grad_ma", gradMA), ("neg_grad_ma", negGradMA), ("variance_ma", variance), ("max_variance_ma", maxVariance)]
    }
}

extension Ranger21Stepper {
    func save() -> StepperState { StepperState(buffers: state, scalars: [("step", Double(t))]) }
    func load(_ saved: StepperState) throws { try saved.restore(into: state); t = try saved.count() }
}
