// Adafactor.swift — a second moment kept as row and column statistics for matrices (Shazeer &
// Stern, 2018): torch.optim.Adafactor, optax.adafactor, keras.optimizers.Adafactor and
// transformers.optimization.Adafactor.
//
// Step t = 1, 2, … on a tensor w with gradient g (d ← −g if maximize):
//   decay        torch:  ŵ = t^τ (τ = beta2_decay, −0.8);  s ← lerp(s, x, ŵ)       (torch's lerp_)
//                keras:  β = 1 − t^τ (τ = beta_2_decay);    s ← β·s + (1 − β)·x
//                transformers: β = 1 − t^τ (τ = decay_rate, math.pow in float64), the same EMA
//                optax:  β = 1 − (t − offset)^(−decay_rate), in float32 arithmetic (_decay_rate_pow);
//                        s ← β·s + (1 − β)·x, (1 − β) also float32
//   x            the mean of d² + ε₁ (optax eps, keras epsilon_1, transformers eps[0], 1e-30; torch
//                adds nothing)
//   factored     a tensor of ≥ 2 dims [… , R, C] (torch, keras, transformers: the last two, whatever
//                their size; optax: the two largest,
//                factored only when the smaller of them is ≥ min_dim_size_to_factor, 128):
//                  r ← decay(r, mean over C of d² + ε₁)     (torch row_var, keras r; [… , R])
//                  c ← decay(c, mean over R of d² + ε₁)     (torch col_var, keras c; [… , C])
//                  v̂ = r ⊗ c / m,  m = mean over R of r     (torch: m clamped at eps1)
//                (optax normalises the statistic reduced over the LARGEST axis: for R > C that is
//                 c, m = mean over C of c — the same number in exact arithmetic)
//   otherwise    v ← decay(v, d² + ε₁);  v̂ = v
//   u = d / √max(v̂, eps1²)            (torch clamps at eps1², eps1 = finfo(dtype).eps by default)
//   u ← u / max(1, RMS(u)/threshold)  (update clipping: torch d, optax clipping_threshold, keras
//                                      clip_threshold; optax clipping_threshold None: off)
//   ρ = min(lr, 1/√t)                 (relative step: torch, keras always — Keras's relative_step
//                                      changes nothing for a constant lr; optax: ρ = lr;
//                                      transformers relative_step: min(1e-2, 1/√t), or
//                                      min(1e-6·t, 1/√t) with warmup_init, the lr unused;
//                                      relative_step False: ρ = lr)
//   α = max(eps2, RMS(w))·ρ           (parameter scale: torch eps[1], keras epsilon_2, optax
//                                      multiply_by_parameter_scale with 1e-3; off: α = ρ)
//   torch:  α from w before the decay; w ← w·(1 − lr·λ) (raw lr); w ← w + (−α/clip)·u
//   keras:  w ← w − α·(u/clip)        (Keras's weight_decay is KerasBase's, before the step)
//   optax:  x = ((u/clip)·lr)·max(1e-3, RMS(w)); m ← (1 − μ)·x + μ·m (momentum, stored in float32
//           by dtype_momentum's default, and then μ·m is a float32 product); x = m;
//           x ← x + λ·w (weight_decay_rate, not × lr); w ← w − x
//   transformers: α from w before the decay (Python's max(eps[1], RMS(w))); x = (u/clip)·α;
//           m ← β₁·m + (1 − β₁)·x, x = m (beta1 set); w ← w + (−λ·α)·w (weight_decay × the scaled
//           α, not the lr); w ← w − x. (v̂ is rsqrt(r/m)·rsqrt(c) there; Descent takes rsqrt(r⊗c/m),
//           equal up to rounding.)
// Keras takes every mean above (the statistics, mean(r), RMS(w), RMS(u)) in float32
// (`meansInFloat32`). The row and column sums, the mean of r and the outer product r ⊗ c are the
// engine's gemm (with a vector of ones); RMS is the engine's norm; the rest is three element-wise
// passes (squares and statistics, u, the step).
import Foundation

/// (batch, R, C) of a tensor of ≥ 2 dims over its last two (the leading dims are a batch of
/// [R, C] slices), or nil for a scalar or a vector: torch's, Keras's and transformers' Adafactor
/// and pytorch_optimizer's CAME factor every such tensor.
func lastTwoFactorization(_ shape: [Int]) -> (batch: Int, rows: Int, cols: Int)? {
    guard shape.count >= 2 else { return nil }
    let n = shape.count
    return (batch: shape[..<(n - 2)].reduce(1, *), rows: shape[n - 2], cols: shape[n - 1])
}

/// The row sums (over C) and column sums (over R) of each [R, C] slice of `x`, by the engine's
/// gemm with a vector of ones (`ones` at least max(R, C) long).
func rowAndColumnSums<T: DescentFloat>(_ engine: Engine, _ x: Buffer<T>, batch: Int, rows r: Int, cols cc: Int,
                                       ones: Buffer<T>, rowSums: Buffer<T>, colSums: Buffer<T>) {
    for b in 0..<batch {
        let a = UnsafePointer(x.pointer + b * r * cc)
        engine.gemm(transA: false, transB: false, m: r, n: 1, k: cc, alpha: 1, a, lda: cc,
                    UnsafePointer(ones.pointer), ldb: 1, beta: 0, rowSums.pointer + b * r, ldc: 1)
        engine.gemm(transA: true, transB: false, m: cc, n: 1, k: r, alpha: 1, a, lda: cc,
                    UnsafePointer(ones.pointer), ldb: 1, beta: 0, colSums.pointer + b * cc, ldc: 1)
    }
}

/// out[i, j] = alpha·a[i]·b[j] for an R-vector a and a C-vector b (the engine's gemm with k = 1).
func outerProduct<T: DescentFloat>(_ engine: Engine, _ a: UnsafeMutablePointer<T>, _ b: UnsafeMutablePointer<T>,
                                   rows r: Int, cols cc: Int, alpha: T = 1, into out: UnsafeMutablePointer<T>) {
    engine.gemm(transA: false, transB: false, m: r, n: cc, k: 1, alpha: alpha, UnsafePointer(a), lda: 1,
                UnsafePointer(b), ldb: cc, beta: 0, out, ldc: cc)
}

public struct AdafactorFamily: OptimizerFamily {
    /// Which library's arithmetic shapes the update (the order of the final operations).
    public enum Form: String, Sendable { case torch, keras, optax, transformers }
    /// How the decay of the statistics is computed and applied.
    public enum DecayForm: String, Sendable {
        /// torch: weight t^τ, torch's two-sided lerp.
        case torchLerp
        /// keras: β = 1 − t^τ in the run's precision, EMA β·s + (1 − β)·x.
        case ema
        /// optax: β = 1 − (t − offset)^τ in float32 (τ = −decay_rate), EMA with float32 (1 − β).
        case optaxFloat32
    }
    /// Which tensors are factored.
    public enum Factoring: Sendable, Equatable {
        /// every tensor of ≥ 2 dimensions, over its last two (torch, keras).
        case lastTwo
        /// the two largest dimensions, when the smaller of them is ≥ minDimSize (optax); Descent
        /// runs it when those are the last two (numpy's argsort order decides ties).
        case twoLargest(minDimSize: Int)
        /// none (optax factored=False).
        case off
    }
    /// torch's eps1: the clamp of m at eps1 and of v̂ at eps1².
    public enum Floor: Sendable, Equatable {
        case none
        /// finfo(dtype).eps of the run's precision (torch's eps=(None, …)).
        case machineEpsilon
        case value(Double)
    }

    public var form: Form
    /// τ: torch beta2_decay, keras beta_2_decay (−0.8); optax −decay_rate.
    public var decayExponent: Double
    public var decayForm: DecayForm
    /// optax decay_offset: the decay is evaluated at t − offset.
    public var decayOffset: Int
    /// A fixed β̂₂ in place of the schedule (a known-wrong variant's knob; nil = the schedule).
    public var constantBeta2: Double?
    /// Added to d² before every statistic (optax eps, keras epsilon_1; torch 0).
    public var epsSquare: Double
    public var floor: Floor
    /// eps2 / epsilon_2 / optax's 1e-3: α = max(this, RMS(w))·ρ; nil: no parameter scale.
    public var paramScaleFloor: Double?
    /// ρ = min(lr, 1/√t) (torch, keras); false: ρ = lr (optax).
    public var relativeStep: Bool
    /// What caps ρ under relativeStep: ρ = min(cap, 1/√t).
    public enum RelativeStepCap: Sendable, Equatable {
        /// the lr (torch, keras).
        case lr
        /// a constant, the lr unused (transformers relative_step: 1e-2).
        case constant(Double)
        /// perStep·t, the lr unused (transformers warmup_init: 1e-6·t).
        case warmup(perStep: Double)
    }
    public var relativeStepCap: RelativeStepCap
    /// Update clipping threshold; nil: no clipping.
    public var clipThreshold: Double?
    public var factoring: Factoring
    /// optax momentum (ema after the lr and the parameter scale, not debiased); 0: none.
    public var momentum: Double
    /// optax dtype_momentum float32: the stored ema rounded to float32 after each step.
    public var momentumFloat32: Bool
    /// torch: w ← w·(1 − lr·λ) before the update; optax: λ·w added to the update (weight_decay_rate).
    public var weightDecay: Double
    public var maximize: Bool
    /// Keras: every mean (the statistics, m, RMS(w), RMS(u)) is taken in float32 — keras.ops.mean
    /// computes in result_type(dtype, "float32"), which is float32 off TensorFlow, on both the JAX
    /// and the torch backend — and cast back: here a float32 sum in index order times 1/count, as
    /// XLA computes it (the goldens are made on JAX).
    public var meansInFloat32: Bool
    /// A known-wrong variant's knob: the factored estimate transposed, v̂ᵢⱼ = rⱼ·cᵢ/m (on square
    /// factored slices; the row and column means swapped).
    public var rowColSwapped: Bool
    /// The library's names for (row statistic, column statistic, full second moment, momentum).
    /// optax: v_row is the statistic reduced over the largest axis, whichever that is.
    public var stateNames: (String, String, String, String)

    public init(form: Form) {
        self.form = form
        decayExponent = -0.8
        decayOffset = 0
        constantBeta2 = nil
        momentum = 0
        momentumFloat32 = false
        weightDecay = 0
        maximize = false
        rowColSwapped = false
        meansInFloat32 = form == .keras
        relativeStepCap = .lr
        switch form {
        case .torch:
            decayForm = .torchLerp; epsSquare = 0; floor = .machineEpsilon; paramScaleFloor = 1e-3
            relativeStep = true; clipThreshold = 1; factoring = .lastTwo
            stateNames = ("row_var", "col_var", "variance", "-")
        case .keras:
            decayForm = .ema; epsSquare = 1e-30; floor = .none; paramScaleFloor = 1e-3
            relativeStep = true; clipThreshold = 1; factoring = .lastTwo
            stateNames = ("r", "c", "velocity", "-")
        case .optax:
            decayForm = .optaxFloat32; epsSquare = 1e-30; floor = .none; paramScaleFloor = 1e-3
            relativeStep = false; clipThreshold = 1; factoring = .twoLargest(minDimSize: 128)
            stateNames = ("v_row", "v_col", "v", "ema")
        case .transformers:
            decayForm = .ema; epsSquare = 1e-30; floor = .none; paramScaleFloor = 1e-3
            relativeStep = true; relativeStepCap = .constant(1e-2); clipThreshold = 1; factoring = .lastTwo
            stateNames = ("exp_avg_sq_row", "exp_avg_sq_col", "exp_avg_sq", "exp_avg")
        }
    }

    public var familyName: String { "Adafactor" }
    public var summary: String {
        var s = "\(form.rawValue) form, decay \(decayForm.rawValue) τ \(decayExponent)"
        if decayOffset != 0 { s += " offset \(decayOffset)" }
        if let b = constantBeta2 { s += ", constant β₂ \(b)" }
        switch factoring {
        case .lastTwo: s += ", factored over the last two dims"
        case .twoLargest(let m): s += ", factored over the two largest dims (≥ \(m))"
        case .off: s += ", not factored"
        }
        if epsSquare != 0 { s += ", ε \(epsSquare) added to g²" }
        switch floor {
        case .none: break
        case .machineEpsilon: s += ", v̂ clamped at eps1² (eps1 = machine epsilon)"
        case .value(let e): s += ", v̂ clamped at eps1² (eps1 = \(e))"
        }
        if relativeStep {
            switch relativeStepCap {
            case .lr: s += ", ρ = min(lr, 1/√t)"
            case .constant(let c): s += ", ρ = min(\(c), 1/√t)"
            case .warmup(let k): s += ", ρ = min(\(k)·t, 1/√t)"
            }
        } else {
            s += ", ρ = lr"
        }
        if let p = paramScaleFloor { s += ", α = max(\(p), RMS(w))·ρ" }
        s += clipThreshold.map { ", update clipped at RMS \($0)" } ?? ", no update clipping"
        if momentum != 0 { s += ", momentum \(momentum)\(momentumFloat32 ? " (stored float32)" : "")" }
        if weightDecay != 0 {
            switch form {
            case .optax: s += ", λ·w added \(weightDecay)"
            case .transformers: s += ", w·(1 − α·\(weightDecay))"
            default: s += ", w·(1 − lr·\(weightDecay))"
            }
        }
        if maximize { s += ", maximize" }
        if meansInFloat32 { s += ", means in float32" }
        if rowColSwapped { s += ", row/column statistics swapped" }
        return s
    }

    /// Where tensor `shape` is factored: (batch, R, C) over its last two dims, or nil.
    func factorization(_ shape: [Int]) throws -> (batch: Int, rows: Int, cols: Int)? {
        guard let split = lastTwoFactorization(shape) else { return nil }
        let n = shape.count
        switch factoring {
        case .off: return nil
        case .lastTwo: return split
        case .twoLargest(let minDim):
            // numpy's argsort of a short shape (insertion sort: stable); the last two entries.
            let order = shape.indices.sorted { shape[$0] < shape[$1] || (shape[$0] == shape[$1] && $0 < $1) }
            let d1 = order[n - 2], d0 = order[n - 1]
            if shape[d1] < minDim { return nil }
            guard Set([d1, d0]) == Set([n - 2, n - 1]) else {
                throw DescentError.unsupported("Adafactor: shape \(shape) is factored by optax over dims \(d1) and \(d0), not its last two (not implemented in Descent)")
            }
            return split
        }
    }

    @_specialize(where T == Double) @_specialize(where T == Float)
    public func makeStepper<T: DescentFloat>(_: T.Type, shapes: [[Int]], engine: Engine) throws -> StepperBox<T> {
        return StepperBox(try AdafactorStepper<T>(self, shapes: shapes, engine: engine))
    }
}

/// Statistics: mode 0 writes p ← g² + ε (the squares, g the gradient); mode 1 decays p toward the
/// mean g/count (g a row or column sum).
public struct AdafactorStatKernel<Scalar: DescentFloat>: ElementwiseKernel {
    @usableFromInline var square: Bool
    @usableFromInline var eps: Scalar
    @usableFromInline var count: Scalar
    @usableFromInline var lerp: Bool
    @usableFromInline var weight: Scalar      // torch: ŵ; EMA: β
    @usableFromInline var rest: Scalar        // torch: 1 − ŵ; EMA: 1 − β
    @inlinable public var slotCount: Int { 0 }

    @inlinable @inline(__always)
    public func apply<L: Lane>(_ p: inout L, _ g: L, _ s: inout Slots<L>) where L.Scalar == Scalar {
        if square {
            p = g * g + L(repeating: eps)
            return
        }
        let x = g / L(repeating: count)
        if lerp {
            p = weight < 0.5 ? p + L(repeating: weight) * (x - p) : x - (x - p) * L(repeating: rest)
        } else {
            p = L(repeating: weight) * p + L(repeating: rest) * x
        }
    }
}

/// The scaled update u = d/√max(v̂, floor²) into p (p's input unused); slot 0 is v̂ (factored) or
/// the second moment v, decayed here toward d² + ε.
public struct AdafactorUpdateKernel<Scalar: DescentFloat>: ElementwiseKernel {
    @usableFromInline var ownsMoment: Bool
    @usableFromInline var maximize: Bool
    @usableFromInline var eps: Scalar
    @usableFromInline var lerp: Bool
    @usableFromInline var weight: Scalar
    @usableFromInline var rest: Scalar
    @usableFromInline var floorSquared: Scalar
    @usableFromInline var reciprocal: Bool    // torch: rsqrt(v)·g
    @inlinable public var slotCount: Int { 1 }

    @inlinable @inline(__always)
    public func apply<L: Lane>(_ p: inout L, _ g: L, _ s: inout Slots<L>) where L.Scalar == Scalar {
        let d = maximize ? -g : g
        if ownsMoment {
            let x = d * d + L(repeating: eps)
            if lerp {
                s.s0 = weight < 0.5 ? s.s0 + L(repeating: weight) * (x - s.s0) : x - (x - s.s0) * L(repeating: rest)
            } else {
                s.s0 = L(repeating: weight) * s.s0 + L(repeating: rest) * x
            }
        }
        var v = s.s0
        if floorSquared > 0 { v = L.maxNaN(v, L(repeating: floorSquared)) }
        p = reciprocal ? L(repeating: 1) / v.squareRoot() * d : d / v.squareRoot()
    }
}

/// The parameter step from the scaled update u (g) and, for optax's momentum, slot 0.
public struct AdafactorApplyKernel<Scalar: DescentFloat>: ElementwiseKernel {
    @usableFromInline var form: AdafactorFamily.Form
    @usableFromInline var clip: Scalar        // max(1, RMS(u)/threshold), or 1
    @usableFromInline var alpha: Scalar       // torch, keras: α; optax: lr
    @usableFromInline var paramScale: Scalar  // optax: max(1e-3, RMS(w)), or 1
    @usableFromInline var decayFactor: Scalar // torch: 1 − lr·λ
    @usableFromInline var weightDecay: Scalar // optax: λ; transformers: −λ·α
    @usableFromInline var momentum: Scalar
    @usableFromInline var emaScale: Scalar    // μ, or 1 where μ·m was taken in float32 already
    @usableFromInline var keep: Scalar        // 1 − μ
    @usableFromInline var clipping: Bool
    @usableFromInline var scaling: Bool
    @inlinable public var slotCount: Int { momentum != 0 ? 1 : 0 }

    @inlinable @inline(__always)
    public func apply<L: Lane>(_ p: inout L, _ g: L, _ s: inout Slots<L>) where L.Scalar == Scalar {
        switch form {
        case .torch:
            if decayFactor != 1 { p = p * L(repeating: decayFactor) }
            p = p + L(repeating: -alpha / clip) * g
        case .keras:
            p = p - L(repeating: alpha) * (clipping ? g / L(repeating: clip) : g)
        case .optax:
            var x = clipping ? g / L(repeating: clip) : g
            x = x * L(repeating: alpha)
            if scaling { x = x * L(repeating: paramScale) }
            if momentum != 0 {
                s.s0 = L(repeating: keep) * x + L(repeating: emaScale) * s.s0
                x = s.s0
            }
            if weightDecay != 0 { x = x + L(repeating: weightDecay) * p }
            p = p - x
        case .transformers:
            var x = clipping ? g / L(repeating: clip) : g
            x = x * L(repeating: alpha)
            if momentum != 0 {
                s.s0 = L(repeating: emaScale) * s.s0 + L(repeating: keep) * x
                x = s.s0
            }
            if weightDecay != 0 { p = p + L(repeating: weightDecay) * p }
            p = p - x
        }
    }
}

final class AdafactorStepper<T: DescentFloat>: Stepper {
    let config: AdafactorFamily
    let engine: Engine
    let sizes: [Int]
    /// Per tensor: (batch, R, C) when factored.
    let factors: [(batch: Int, rows: Int, cols: Int)?]
    /// optax's v_row is the column statistic where R > C (its largest axis is R).
    let optaxLargestIsRows: [Bool]
    let rowVar: [Buffer<T>]     // factored: batch·R; otherwise a placeholder
    let colVar: [Buffer<T>]     // factored: batch·C
    let variance: [Buffer<T>]   // not factored: the second moment; factored: v̂ (scratch; Keras's velocity)
    let ema: [Buffer<T>]
    // Scratch.
    let squares: [Buffer<T>]
    let rowSums: [Buffer<T>]
    let colSums: [Buffer<T>]
    let updates: [Buffer<T>]
    let ones: Buffer<T>
    let placeholders: [Buffer<T>]
    /// transformers' state["RMS"]: RMS(w) before the last step, per tensor (reported, never read back).
    let lastRMS: [Buffer<T>]
    var t = 0

    init(_ config: AdafactorFamily, shapes: [[Int]], engine: Engine) throws {
        self.config = config
        self.engine = engine
        sizes = shapes.map { $0.reduce(1, *) }
        factors = try shapes.map { try config.factorization($0) }
        optaxLargestIsRows = factors.map { f in f.map { $0.rows > $0.cols } ?? false }
        let placeholder = config.form == .optax ? 1 : 0   // optax keeps zeros((1,)) where a statistic is unused
        rowVar = factors.map { Buffer<T>(zeros: $0.map { $0.batch * $0.rows } ?? placeholder) }
        colVar = factors.map { Buffer<T>(zeros: $0.map { $0.batch * $0.cols } ?? placeholder) }
        variance = zip(factors, sizes).map { f, n in Buffer<T>(zeros: n) }
        placeholders = factors.map { _ in Buffer<T>(zeros: placeholder) }
        ema = T(config.momentum) != 0 ? .zeros(like: shapes) : []
        squares = zip(factors, sizes).map { f, n in Buffer<T>(zeros: f == nil ? 0 : n) }
        rowSums = factors.map { Buffer<T>(zeros: $0.map { $0.batch * $0.rows } ?? 0) }
        colSums = factors.map { Buffer<T>(zeros: $0.map { $0.batch * $0.cols } ?? 0) }
        updates = sizes.map { Buffer<T>(zeros: $0) }
        let longest = factors.compactMap { $0.map { max($0.rows, $0.cols) } }.max() ?? 0
        ones = Buffer<T>(repeating: 1, count: longest)
        lastRMS = config.form == .transformers ? sizes.map { _ in Buffer<T>(zeros: 1) } : []
    }

    /// Keras's mean in float32 (JAX backend): the values cast to Float, summed in index order,
    /// multiplied by 1/count, cast back.
    func mean32(_ p: UnsafePointer<T>, count: Int, stride: Int = 1, squared: Bool = false) -> T {
        var sum: Float = 0
        for k in 0..<count {
            let x = p[k * stride]
            sum += Float(squared ? x * x : x)
        }
        return T(sum * (1 / Float(count)))   // XLA divides by the constant count as × 1/count
    }

    /// (weight, rest) of this step's decay: torch (ŵ, 1 − ŵ), EMA (β, 1 − β).
    func decay() -> (T, T) {
        let c = config
        if let b = c.constantBeta2 {
            return (T(b), T(1 - b))   // applied as an EMA (the kernels' lerp is off)
        }
        switch c.decayForm {
        case .torchLerp:
            let w = Foundation.pow(Double(t), c.decayExponent)
            return (T(w), T(1 - w))
        case .ema:
            let beta = 1 - T.pow(T(t), T(c.decayExponent))
            return (beta, 1 - beta)
        case .optaxFloat32:
            let beta = Float(1) - Foundation.powf(Float(t - c.decayOffset), Float(c.decayExponent))
            return (T(beta), T(Float(1) - beta))
        }
    }

    func step(params: [Buffer<T>], grads: [Buffer<T>], lr: Double) {
        t += 1
        let c = config
        let (weight, rest) = decay()
        let lerp = c.decayForm == .torchLerp && c.constantBeta2 == nil
        let eps = T(c.epsSquare)
        let eps1: T? = {
            switch c.floor {
            case .none: return nil
            case .machineEpsilon: return T.ulpOfOne
            case .value(let e): return T(e)
            }
        }()

        // The factored statistics: squares, row and column sums (G·1, Gᵀ·1), their decay.
        let fi = factors.indices.filter { factors[$0] != nil }
        if !fi.isEmpty {
            let sq = AdafactorStatKernel<T>(square: true, eps: eps, count: 1, lerp: false, weight: 0, rest: 0)
            engine.map(sq, fi.map { squares[$0] }, fi.map { grads[$0] }, [])
            for i in fi {
                let f = factors[i]!
                let (r, cc) = (f.rows, f.cols)
                for b in 0..<f.batch where c.meansInFloat32 {
                    // the means themselves (the stat kernel below divides by 1)
                    let a = UnsafePointer(squares[i].pointer + b * r * cc)
                    for row in 0..<r { rowSums[i][b * r + row] = mean32(a + row * cc, count: cc) }
                    for col in 0..<cc { colSums[i][b * cc + col] = mean32(a + col, count: r, stride: cc) }
                }
                if !c.meansInFloat32 {
                    rowAndColumnSums(engine, squares[i], batch: f.batch, rows: r, cols: cc, ones: ones,
                                     rowSums: rowSums[i], colSums: colSums[i])
                }
            }
            engine.map(perTensor: { j in
                let f = self.factors[fi[j % fi.count]]!
                let count = c.meansInFloat32 ? 1 : (j < fi.count ? f.cols : f.rows)
                return AdafactorStatKernel<T>(square: false, eps: 0, count: T(count), lerp: lerp,
                                              weight: weight, rest: rest)
            }, fi.map { rowVar[$0] } + fi.map { colVar[$0] }, fi.map { rowSums[$0] } + fi.map { colSums[$0] }, [])
            // v̂ = r ⊗ c / m per slice.
            for i in fi {
                let f = factors[i]!
                let (r, cc) = (f.rows, f.cols)
                let byCols = c.form == .optax && optaxLargestIsRows[i]
                for b in 0..<f.batch {
                    let rp = rowVar[i].pointer + b * r, cp = colVar[i].pointer + b * cc
                    var sum = T(0)
                    if c.meansInFloat32 {
                        // Keras: m = mean(r) in float32 (below)
                    } else if byCols {
                        engine.gemm(transA: false, transB: false, m: 1, n: 1, k: cc, alpha: 1, UnsafePointer(ones.pointer), lda: cc,
                                    UnsafePointer(cp), ldb: 1, beta: 0, &sum, ldc: 1)
                    } else {
                        engine.gemm(transA: false, transB: false, m: 1, n: 1, k: r, alpha: 1, UnsafePointer(ones.pointer), lda: r,
                                    UnsafePointer(rp), ldb: 1, beta: 0, &sum, ldc: 1)
                    }
                    var m = c.meansInFloat32 ? mean32(UnsafePointer(rp), count: r) : sum / T(byCols ? cc : r)
                    if let e = eps1 { m = T.maxNaN(m, e) }
                    let out = variance[i].pointer + b * r * cc
                    let swapped = c.rowColSwapped && r == cc
                    outerProduct(engine, swapped ? cp : rp, swapped ? rp : cp, rows: r, cols: cc, alpha: 1 / m, into: out)
                }
            }
        }

        // u = d/√max(v̂, eps1²), every tensor in one pass.
        let floorSquared = eps1.map { $0 * $0 } ?? 0
        engine.map(perTensor: { i in
            AdafactorUpdateKernel<T>(ownsMoment: self.factors[i] == nil, maximize: c.maximize, eps: eps, lerp: lerp,
                                     weight: weight, rest: rest, floorSquared: floorSquared,
                                     reciprocal: c.form == .torch || c.form == .transformers)
        }, updates, grads, [variance])

        // Per tensor: the clipping divisor and the parameter scale, then the step.
        let rho: Double
        if c.relativeStep {
            let cap: Double
            switch c.relativeStepCap {
            case .lr: cap = lr
            case .constant(let v): cap = v
            case .warmup(let k): cap = k * Double(t)
            }
            rho = Swift.min(cap, 1 / Double(t).squareRoot())
        } else {
            rho = lr
        }
        var clips = [T](repeating: 1, count: sizes.count)
        var alphas = [T](repeating: T(rho), count: sizes.count)
        var scales = [T](repeating: 1, count: sizes.count)
        for i in sizes.indices {
            let root = T(Double(sizes[i]).squareRoot())
            if !lastRMS.isEmpty { lastRMS[i][0] = engine.norm(params[i]) / root }
            if let d = c.clipThreshold {
                let rms = c.meansInFloat32 ? mean32(UnsafePointer(updates[i].pointer), count: sizes[i], squared: true).squareRoot()
                                           : engine.norm(updates[i]) / root
                clips[i] = T.maxNaN(1, rms / T(d))
            }
            if let floor = c.paramScaleFloor {
                let rms = engine.norm(params[i]) / root
                // transformers: Python's max(eps[1], RMS), the floor unless RMS is larger (a NaN RMS gives the floor).
                let s = (rms <= T(floor) && c.form == .optax) || (c.form == .transformers && !(rms > T(floor)))
                    ? T(floor) : T.maxNaN(T(floor), rms)
                if c.form == .optax { scales[i] = s } else { alphas[i] = T(Double(s) * rho) }
            }
        }
        if c.form == .optax { alphas = alphas.map { _ in T(lr) } }
        if c.form == .keras {
            // Keras: lr, 1/√t and max(…) in the variable's precision.
            let kr = c.relativeStep ? T.minNaN(T(lr), 1 / T(t).squareRoot()) : T(lr)
            for i in sizes.indices {
                let rms = c.meansInFloat32 ? mean32(UnsafePointer(params[i].pointer), count: sizes[i], squared: true).squareRoot()
                                           : engine.norm(params[i]) / T(Double(sizes[i]).squareRoot())
                alphas[i] = c.paramScaleFloor.map { T.maxNaN(T($0), rms) * kr } ?? kr
            }
        }
        let decayFactor = c.form == .torch && c.weightDecay != 0 ? T(1 - lr * c.weightDecay) : 1
        let mu = T(c.momentum)
        let emaFloat32 = c.momentumFloat32 && T.self != Float.self
        if emaFloat32 {
            // optax's update_moment: decay·m with m stored in float32 and decay a Python float (weakly
            // typed: float32 too) is a float32 product; (1 − decay)·x stays in the run's precision.
            let muF = Float(c.momentum)
            for b in ema {
                for j in 0..<b.count { b[j] = T(muF * Float(b[j])) }
            }
        }
        engine.map(perTensor: { i in
            AdafactorApplyKernel<T>(form: c.form, clip: clips[i], alpha: alphas[i], paramScale: scales[i],
                                    decayFactor: decayFactor,
                                    weightDecay: c.form == .optax ? T(c.weightDecay)
                                        : c.form == .transformers ? -T(c.weightDecay) * alphas[i] : 0,
                                    momentum: mu, emaScale: emaFloat32 ? 1 : mu, keep: T(1 - c.momentum),
                                    clipping: c.clipThreshold != nil,
                                    scaling: c.paramScaleFloor != nil)
        }, params, updates, ema.isEmpty ? [] : [ema])
        if c.momentumFloat32 && T.self != Float.self {
            // A storage cast (optax.tree.cast(ema, dtype_momentum)), not optimizer math.
            for b in ema {
                for j in 0..<b.count { b[j] = T(Float(b[j])) }
            }
        }
    }

    var state: [(name: String, buffers: [Buffer<T>])] {
        let n = config.stateNames
        let factored = factors.map { $0 != nil }
        var rows = rowVar, cols = colVar
        if config.form == .optax {
            rows = factors.indices.map { optaxLargestIsRows[$0] ? colVar[$0] : rowVar[$0] }
            cols = factors.indices.map { optaxLargestIsRows[$0] ? rowVar[$0] : colVar[$0] }
        }
        // torch and optax keep no full moment for a factored tensor (Keras's velocity is v̂).
        let full = config.form == .keras ? variance : factors.indices.map { factored[$0] ? placeholders[$0] : variance[$0] }
        var s: [(name: String, buffers: [Buffer<T>])] = [(n.0, rows), (n.1, cols), (n.2, full)]
        if !ema.isEmpty { s.append((n.3, ema)) }
        if !lastRMS.isEmpty { s.append(("RMS", lastRMS)) }
        return s
    }
}

extension AdafactorStepper {
    func save() -> StepperState { StepperState(buffers: state, scalars: [("step", Double(t))]) }
    func load(_ saved: StepperState) throws { try saved.restore(into: state); t = try saved.count() }
}
