// CAME.swift — Confidence-guided Adaptive Memory Efficient optimization (Luo et al., 2023) as
// pytorch_optimizer 4.1.0 computes it (pytorch_optimizer/optimizer/came.py; the foreach path that
// CPU tensors take by default and the per-parameter path compute the same expressions).
// Step t = 1, 2, … on a tensor w with gradient g; betas (β₁, β₂, β₃):
//
//   g ← −g (maximize);  apply_weight_decay: w ← w·(1 − lr·λ) (weight_decouple, the default;
//                       fixed_decay: w·(1 − λ)), or g ← g + λ·w (weight_decouple False)
//   x = g² + ε₁
//   factored (≥ 2 dims [… , R, C], over the last two, whatever their size):
//       r ← r·β₂ + (1 − β₂)·mean over C of x    (exp_avg_sq_row, [… , R])
//       c ← c·β₂ + (1 − β₂)·mean over R of x    (exp_avg_sq_col, [… , C])
//       u = rsqrt(r/mean(r)) ⊗ rsqrt(c)          (approximate_sq_grad, per [R, C] slice)
//   otherwise: v ← v·β₂ + (1 − β₂)·x;  u = rsqrt(v)   (exp_avg_sq)
//   ams_bound: ĥ ← max(ĥ, 1/u);  u = rsqrt(ĥ/β₂)     (exp_avg_sq_hat: the running max of √v̂, not
//                                                     of v̂, then divided by β₂ — the library's code)
//   u ← u·g;  u ← u / max(1, RMS(u)/clip_threshold)   (update clipping, one number per tensor)
//   m ← lerp(m, u, 1 − β₁)                            (exp_avg, torch's lerp)
//   factored: the confidence of the update, from the instability (u − m)² (m the NEW momentum):
//       s = (u − m)² + ε₂
//       R ← R·β₃ + (1 − β₃)·mean over C of s;  C ← C·β₃ + (1 − β₃)·mean over R of s
//       u = (rsqrt(R/mean(R)) ⊗ rsqrt(C))·m       (exp_avg_res_row, exp_avg_res_col)
//   otherwise: u = m
//   w ← w + (−lr)·u
//
// No bias correction and no relative step. rsqrt is 1/√x, as torch's CPU kernels compute it. The
// row and column sums and the outer products are the engine's gemm (a vector of ones, then k = 1),
// shared with Adafactor; the rest is element-wise passes per tensor.

public struct CAMEFamily: OptimizerFamily {
    public var beta1 = 0.9
    public var beta2 = 0.999
    public var beta3 = 0.9999
    public var eps1 = 1e-30
    public var eps2 = 1e-16
    public var clipThreshold = 1.0
    public var amsBound = false
    public var decay = LionDecay.none
    public var maximize = false
    /// Known-wrong forms: no update clipping; the instability taken from the momentum before this
    /// step's update (u − m_{t−1}); the confidence factor left out (factored tensors step by m, as
    /// Adafactor with momentum); the row and column statistics swapped on square slices;
    /// ams_bound as AMSGrad's running max of v̂ itself (not of its root over β₂).
    public var clipping = true
    public var residualFromPreviousMomentum = false
    public var confidence = true
    public var rowColSwapped = false
    public var amsBoundOfRoot = true

    public init() {}

    public var familyName: String { "CAME" }
    public var summary: String {
        var parts = ["betas (\(beta1), \(beta2), \(beta3))", "eps1 \(eps1)", "eps2 \(eps2)", "factored over the last two dims"]
        parts.append(clipping ? "update clipped at RMS \(clipThreshold)" : "no update clipping")
        parts.append(confidence ? "confidence from (u − \(residualFromPreviousMomentum ? "m_prev" : "m"))²" : "no confidence factor")
        if amsBound { parts.append(amsBoundOfRoot ? "ams_bound rsqrt(max √v̂ / β₂)" : "ams_bound max of v̂") }
        if decay != .none { parts.append(decay.summary) }
        if maximize { parts.append("maximize") }
        if rowColSwapped { parts.append("row/column statistics swapped") }
        return parts.joined(separator: ", ")
    }

    @_specialize(where T == Double) @_specialize(where T == Float)
    public func makeStepper<T: DescentFloat>(_: T.Type, shapes: [[Int]], engine: Engine) throws -> StepperBox<T> {
        StepperBox(CAMEStepper<T>(self, shapes: shapes, engine: engine))
    }
}

/// One CAME pass over a tensor. Slots: s0 = exp_avg, s1 = the scratch update u; then, for a tensor
/// not factored, s2 = exp_avg_sq and s3 = exp_avg_sq_hat (ams_bound); factored: s2 = exp_avg_sq_hat.
/// mode 0: not factored: v ← β₂v + (1 − β₂)(d² + ε₁), u = d·rsqrt(v) (ams_bound: d·rsqrt(ĥ/β₂)).
/// mode 1: factored: u ← d² + ε₁ (the statistic).   mode 2: factored: u (the factored rsqrt) ← u·d.
/// mode 3: u ← u/clip, m ← lerp(m, u, 1 − β₁); factored: u ← (u − m)² + ε₂; else w ← w·keep − lr·m.
/// mode 4: factored: w ← w·keep − lr·(u·m) (u the confidence).
public struct CAMEKernel<Scalar: DescentFloat>: ElementwiseKernel {
    @usableFromInline var mode: Int
    @usableFromInline var factored, maximize, ams, amsOfRoot, previousMomentum: Bool
    @usableFromInline var coupled, keep, negLr: Scalar
    @usableFromInline var beta2, oneMinusBeta2, oneMinusBeta1, eps1, eps2, clip: Scalar
    @inlinable public var slotCount: Int { 2 + (factored ? 0 : 1) + (ams ? 1 : 0) }

    @inlinable @inline(__always)
    func prepared<L: Lane>(_ p: L, _ g: L) -> L where L.Scalar == Scalar {
        let d = maximize ? -g : g
        return coupled != 0 ? d + L(repeating: coupled) * p : d
    }

    @inlinable @inline(__always)
    public func apply<L: Lane>(_ p: inout L, _ g: L, _ s: inout Slots<L>) where L.Scalar == Scalar {
        switch mode {
        case 0:
            let d = prepared(p, g)
            s.s2 = s.s2 * L(repeating: beta2) + L(repeating: oneMinusBeta2) * (d * d + L(repeating: eps1))
            var u = L(repeating: 1) / s.s2.squareRoot()
            if ams {
                // ams_bound on the inverse root (written out: a kernel calls no helper taking inout lanes).
                if amsOfRoot {
                    s.s3 = L.maxNaN(s.s3, L(repeating: 1) / u)
                    u = L(repeating: 1) / (s.s3 / L(repeating: beta2)).squareRoot()
                } else {
                    s.s3 = L.maxNaN(s.s3, s.s2)
                    u = L(repeating: 1) / s.s3.squareRoot()
                }
            }
            s.s1 = u * d
        case 1:
            let d = prepared(p, g)
            s.s1 = d * d + L(repeating: eps1)
        case 2:
            let d = prepared(p, g)
            var u = s.s1
            if ams {
                if amsOfRoot {
                    s.s2 = L.maxNaN(s.s2, L(repeating: 1) / u)
                    u = L(repeating: 1) / (s.s2 / L(repeating: beta2)).squareRoot()
                } else {
                    // v̂ for the AMSGrad-style variant: the reciprocal square of the factored rsqrt.
                    s.s2 = L.maxNaN(s.s2, L(repeating: 1) / (u * u))
                    u = L(repeating: 1) / s.s2.squareRoot()
                }
            }
            s.s1 = u * d
        case 3:
            let u = s.s1 / L(repeating: clip)
            let previous = s.s0
            s.s0 = torchLerp(s.s0, u, oneMinusBeta1)
            if factored {
                let r = u - (previousMomentum ? previous : s.s0)
                s.s1 = r * r + L(repeating: eps2)
            } else {
                if keep != 1 { p = p * L(repeating: keep) }
                p = p + L(repeating: negLr) * s.s0
            }
        default:
            if keep != 1 { p = p * L(repeating: keep) }
            p = p + L(repeating: negLr) * (s.s1 * s.s0)
        }
    }
}

final class CAMEStepper<T: DescentFloat>: Stepper {
    let config: CAMEFamily
    let engine: Engine
    let sizes: [Int]
    let factors: [(batch: Int, rows: Int, cols: Int)?]
    let m: [Buffer<T>]
    let sqRow, sqCol, resRow, resCol: [Buffer<T>]   // factored: batch·R, batch·C; otherwise empty
    let sq: [Buffer<T>]                              // not factored: exp_avg_sq; factored: empty
    let hat: [Buffer<T>]                             // ams_bound: exp_avg_sq_hat; otherwise empty
    // Scratch.
    let update: [Buffer<T>]
    let rowSums, colSums, rowFactors, colFactors: [Buffer<T>]
    let ones: Buffer<T>
    var step = 0

    init(_ config: CAMEFamily, shapes: [[Int]], engine: Engine) {
        self.config = config
        self.engine = engine
        sizes = shapes.map { $0.reduce(1, *) }
        factors = shapes.map(lastTwoFactorization)
        m = .zeros(like: shapes)
        let rows = factors.map { Buffer<T>(zeros: $0.map { $0.batch * $0.rows } ?? 0) }
        let cols = factors.map { Buffer<T>(zeros: $0.map { $0.batch * $0.cols } ?? 0) }
        sqRow = rows
        sqCol = cols
        resRow = factors.map { Buffer<T>(zeros: $0.map { $0.batch * $0.rows } ?? 0) }
        resCol = factors.map { Buffer<T>(zeros: $0.map { $0.batch * $0.cols } ?? 0) }
        sq = zip(factors, sizes).map { f, n in Buffer<T>(zeros: f == nil ? n : 0) }
        hat = sizes.map { Buffer<T>(zeros: config.amsBound ? $0 : 0) }
        update = .zeros(like: shapes)
        rowSums = factors.map { Buffer<T>(zeros: $0.map { $0.batch * $0.rows } ?? 0) }
        colSums = factors.map { Buffer<T>(zeros: $0.map { $0.batch * $0.cols } ?? 0) }
        rowFactors = factors.map { Buffer<T>(zeros: $0.map { $0.batch * $0.rows } ?? 0) }
        colFactors = factors.map { Buffer<T>(zeros: $0.map { $0.batch * $0.cols } ?? 0) }
        ones = Buffer<T>(repeating: 1, count: factors.compactMap { $0.map { max($0.rows, $0.cols) } }.max() ?? 0)
    }

    /// The statistics r, c of tensor i decayed toward the row and column means of `x` at rate β,
    /// then approximate_sq_grad into `update[i]`: rsqrt(r/mean(r)) ⊗ rsqrt(c) per slice.
    func factoredRoot(_ i: Int, _ x: Buffer<T>, _ r: Buffer<T>, _ c: Buffer<T>, beta: Double) {
        let f = factors[i]!
        rowAndColumnSums(engine, x, batch: f.batch, rows: f.rows, cols: f.cols, ones: ones, rowSums: rowSums[i], colSums: colSums[i])
        let (w, rest) = (T(beta), T(1 - beta))
        engine.map(AdafactorStatKernel<T>(square: false, eps: 0, count: T(f.cols), lerp: false, weight: w, rest: rest), r, rowSums[i], [])
        engine.map(AdafactorStatKernel<T>(square: false, eps: 0, count: T(f.rows), lerp: false, weight: w, rest: rest), c, colSums[i], [])
        let swapped = config.rowColSwapped && f.rows == f.cols
        let (rs, cs) = swapped ? (c, r) : (r, c)
        for b in 0..<f.batch {
            var sum = T(0)
            for k in 0..<f.rows { sum += rs[b * f.rows + k] }
            let mean = sum / T(f.rows)
            for k in 0..<f.rows { rowFactors[i][b * f.rows + k] = 1 / (rs[b * f.rows + k] / mean).squareRoot() }
            for k in 0..<f.cols { colFactors[i][b * f.cols + k] = 1 / cs[b * f.cols + k].squareRoot() }
            outerProduct(engine, rowFactors[i].pointer + b * f.rows, colFactors[i].pointer + b * f.cols,
                         rows: f.rows, cols: f.cols, into: update[i].pointer + b * f.rows * f.cols)
        }
    }

    func step(params: [Buffer<T>], grads: [Buffer<T>], lr: Double) {
        step += 1
        let c = config
        let d = c.decay.parts(lr: lr, addedToUpdate: false)
        for i in params.indices {
            let factored = factors[i] != nil
            var k = CAMEKernel<T>(mode: 0, factored: factored, maximize: c.maximize, ams: c.amsBound,
                                  amsOfRoot: c.amsBoundOfRoot, previousMomentum: c.residualFromPreviousMomentum,
                                  coupled: T(d.coupled), keep: T(d.factor), negLr: T(-lr),
                                  beta2: T(c.beta2), oneMinusBeta2: T(1 - c.beta2), oneMinusBeta1: T(1 - c.beta1),
                                  eps1: T(c.eps1), eps2: T(c.eps2), clip: 1)
            let slots = [m[i], update[i]] + (factored ? [] : [sq[i]]) + (c.amsBound ? [hat[i]] : [])
            if factored {
                k.mode = 1
                engine.map(k, params[i], grads[i], slots)
                factoredRoot(i, update[i], sqRow[i], sqCol[i], beta: c.beta2)
                k.mode = 2
            }
            engine.map(k, params[i], grads[i], slots)
            if c.clipping {
                let rms = engine.norm(update[i]) / T(Double(sizes[i]).squareRoot())
                k.clip = T.maxNaN(rms / T(c.clipThreshold), 1)   // clamp_(min=1.0) keeps a NaN
            }
            k.mode = 3
            engine.map(k, params[i], grads[i], slots)
            guard factored else { continue }
            if c.confidence {
                factoredRoot(i, update[i], resRow[i], resCol[i], beta: c.beta3)
            } else {
                for j in 0..<update[i].count { update[i][j] = 1 }
            }
            k.mode = 4
            engine.map(k, params[i], grads[i], slots)
        }
    }

    var state: [(name: String, buffers: [Buffer<T>])] {
        var s: [(name: String, buffers: [Buffer<T>])] = [("exp_avg", m), ("exp_avg_sq_row", sqRow), ("exp_avg_sq_col", sqCol),
                                                         ("exp_avg_res_row", resRow), ("exp_avg_res_col", resCol), ("exp_avg_sq", sq)]
        if config.amsBound { s.append(("exp_avg_sq_hat", hat)) }
        return s
    }
}

extension CAMEStepper {
    func save() -> StepperState { StepperState(buffers: state, scalars: [("step", Double(step))]) }
    func load(_ saved: StepperState) throws {
        try saved.restore(into: state)
        step = try saved.count()
    }
}
