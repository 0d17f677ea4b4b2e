// SOAP.swift — pytorch_optimizer.SOAP (pytorch_optimizer 4.1.0, optimizer/soap.py): Adam run in
// the eigenbasis of Shampoo's preconditioners (Vyas et al. 2024). Per tensor, gradient G;
// each preconditioned dimension d has statistics GG_d and basis Q_d (an unpreconditioned one —
// 1-D tensors, or a dimension > max_precondition_dim — has the identity):
//
//   first step:  GG_L = lerp(0, G·Gᵀ, 1−β_s), GG_R = lerp(0, Gᵀ·G, 1−β_s);  Q_d = eigenvectors of GG_d,
//                eigenvalues descending; NO parameter update (not even decay)
//   step t ≥ 2, s = t − 1:
//     G ← −G if maximize;   G̃ = Q_Lᵀ·G·Q_R                         (project)
//     m ← lerp(m, G, 1−β₁)              (original space)
//     v ← lerp(v, G̃², 1−β₂)             (eigenbasis)
//     N = Q_L·( (Q_Lᵀ·m·Q_R) / (√v + ε) )·Q_Rᵀ                     (project back)
//     N ← N / (√mean(N²) + ε)  if normalize_gradient
//     W ← W − lr·(√(1−β₂ˢ)/(1−β₁ˢ))·N   (without the factor when correct_bias=False)
//     W ← W·(1 − lr·λ)
//     GG_d ← lerp(GG_d, outer_d(G), 1−β_s)
//     if s % precondition_frequency == 0:  per dimension, P = GG_d·Q_d, order its columns by
//        diag(Q_dᵀ·P) descending (permuting v along d the same way), Q_d = Q of QR(P)
//
// Eigenvectors and QR columns are defined only up to sign; the update is invariant to those
// signs (every Q appears twice). It is NOT invariant to the basis chosen inside a repeated
// eigenvalue, so cases whose first GG is rank-deficient (a non-square 2-D tensor with both
// dimensions preconditioned) cannot be reproduced and are reported unsupported.

public struct SOAPFamily: OptimizerFamily {
    public var beta1 = 0.95
    public var beta2 = 0.95
    public var shampooBeta: Double? = nil
    public var weightDecay = 1e-2
    public var preconditionFrequency = 10
    public var maxPreconditionDim = 10000
    public var correctBias = true
    public var normalizeGradient = false
    public var eps = 1e-8
    public var maximize = false
    /// `precondition_1d=True`: unsupported on 1-D tensors (see makeStepper), harmless otherwise.
    public var precondition1D = false
    /// false: the Adam direction is used in the eigenbasis, not rotated back by Q_L·…·Q_Rᵀ
    /// (a known-wrong variant).
    public var projectBack = true

    public init() {}

    public var familyName: String { "SOAP" }
    public var summary: String {
        var parts = ["betas (\(beta1), \(beta2))", "shampoo_beta \(shampooBeta ?? beta2)", "eps \(eps)",
                     "QR refresh every \(preconditionFrequency) steps", "max_precondition_dim \(maxPreconditionDim)",
                     "decoupled decay \(weightDecay) × lr after the update"]
        if !correctBias { parts.append("no bias correction") }
        if !projectBack { parts.append("direction left in the eigenbasis") }
        if normalizeGradient { parts.append("normalize_gradient") }
        if maximize { parts.append("maximize") }
        return parts.joined(separator: ", ")
    }

    @_specialize(where T == Double) @_specialize(where T == Float)
    public func makeStepper<T: DescentFloat>(_: T.Type, shapes: [[Int]], engine: Engine) throws -> StepperBox<T> {
        for s in shapes {
            if s.count == 1 && precondition1D && s[0] <= maxPreconditionDim {
                throw DescentError.unsupported(
                    "pytorch_optimizer.SOAP with precondition_1d=True on a 1-D tensor: its first GG = g·gᵀ has rank 1, its eigenbasis inside the zero eigenvalue is LAPACK's arbitrary choice, and SOAP's result depends on it")
            }
            if s.count < 1 || s.count > 2 {
                throw DescentError.unsupported("pytorch_optimizer.SOAP on a tensor of shape \(s): Descent implements 1-D and 2-D tensors")
            }
            if s.count == 2 && s[0] != s[1] && s[0] <= maxPreconditionDim && s[1] <= maxPreconditionDim {
                throw DescentError.unsupported(
                    "pytorch_optimizer.SOAP on a \(s[0])×\(s[1]) tensor with both dimensions preconditioned: the first GG of the larger dimension is rank-deficient, its eigenbasis inside the zero eigenvalue is LAPACK's arbitrary choice, and SOAP's result depends on it")
            }
        }
        return StepperBox(SOAPStepper<T>(self, shapes: shapes, engine: engine))
    }
}

/// p = G (out, maximized), g = raw gradient, s0 = exp_avg.
public struct SOAPMomentKernel<Scalar: DescentFloat>: ElementwiseKernel {
    @usableFromInline var maximize: Bool
    @usableFromInline var oneMinusBeta1: Scalar
    @inlinable public var slotCount: Int { 1 }

    @inlinable @inline(__always)
    public func apply<L: Lane>(_ p: inout L, _ g: L, _ s: inout Slots<L>) where L.Scalar == Scalar {
        p = maximize ? -g : g
        s.s0 = torchLerp(s.s0, p, oneMinusBeta1)
    }
}

/// p = projected m (in: Qᵀm·Q, out: the Adam direction), g = projected G, s0 = exp_avg_sq.
public struct SOAPSecondMomentKernel<Scalar: DescentFloat>: ElementwiseKernel {
    @usableFromInline var oneMinusBeta2, eps: Scalar
    @inlinable public var slotCount: Int { 1 }

    @inlinable @inline(__always)
    public func apply<L: Lane>(_ p: inout L, _ g: L, _ s: inout Slots<L>) where L.Scalar == Scalar {
        s.s0 = torchLerp(s.s0, g * g, oneMinusBeta2)
        p = p / (s.s0.squareRoot() + L(repeating: eps))
    }
}

/// W ← W − step·N/n (n = 1 unless normalize_gradient), then W ← W·(1 − lr·λ).
public struct SOAPApplyKernel<Scalar: DescentFloat>: ElementwiseKernel {
    @usableFromInline var negStepSize, norm, decayFactor: Scalar
    @usableFromInline var normalize, decay: Bool
    @inlinable public var slotCount: Int { 0 }

    @inlinable @inline(__always)
    public func apply<L: Lane>(_ p: inout L, _ n: L, _ s: inout Slots<L>) where L.Scalar == Scalar {
        let d = normalize ? n / L(repeating: norm) : n
        p = p + L(repeating: negStepSize) * d
        if decay { p = p * L(repeating: decayFactor) }
    }
}

/// GG ← lerp(GG, outer, w). p = GG, g = outer.
public struct LerpKernel<Scalar: DescentFloat>: ElementwiseKernel {
    @usableFromInline var weight: Scalar
    @inlinable public var slotCount: Int { 0 }

    @inlinable @inline(__always)
    public func apply<L: Lane>(_ p: inout L, _ g: L, _ s: inout Slots<L>) where L.Scalar == Scalar {
        p = torchLerp(p, g, weight)
    }
}

final class SOAPStepper<T: DescentFloat>: Stepper {
    let config: SOAPFamily
    let engine: Engine
    /// Every tensor as a matrix: 2-D as is, 1-D as one row (its only dimension is the column one).
    let dims: [(rows: Int, cols: Int)]
    let expAvg: [Buffer<T>], expAvgSq: [Buffer<T>], work: [Buffer<T>]
    /// Per tensor, per dimension (rows, cols): statistics and basis, nil when not preconditioned.
    var gg: [[DenseMatrix<T>?]], q: [[DenseMatrix<T>?]]
    private(set) var t = 0

    init(_ config: SOAPFamily, shapes: [[Int]], engine: Engine) {
        self.config = config
        self.engine = engine
        dims = shapes.map { $0.count == 2 ? ($0[0], $0[1]) : (1, $0[0]) }
        expAvg = .zeros(like: shapes)
        expAvgSq = .zeros(like: shapes)
        work = .zeros(like: shapes)
        gg = shapes.map { s in
            s.count == 1 ? [nil, nil] : s.map { $0 <= config.maxPreconditionDim ? DenseMatrix<T>(zeros: $0, $0) : nil }
        }
        q = gg.map { $0.map { _ in nil } }
    }

    private var shampooWeight: T { T(1 - (config.shampooBeta ?? config.beta2)) }

    /// GG_d ← lerp(GG_d, outer_d(G), 1 − β_s).
    private func accumulate(_ i: Int, _ g: DenseMatrix<T>) {
        if let l = gg[i][0] { engine.map(LerpKernel(weight: shampooWeight), l.data, MatrixOps.matmul(engine, g, g, transB: true).data, []) }
        if let r = gg[i][1] { engine.map(LerpKernel(weight: shampooWeight), r.data, MatrixOps.matmul(engine, g, g, transA: true).data, []) }
    }

    /// Qᵀ_L·X·Q_R (forward) or Q_L·X·Qᵀ_R (backward).
    private func project(_ i: Int, _ x: DenseMatrix<T>, forward: Bool) -> DenseMatrix<T> {
        var y = x
        if let l = q[i][0] { y = MatrixOps.matmul(engine, l, y, transA: forward) }
        if let r = q[i][1] { y = MatrixOps.matmul(engine, y, r, transB: !forward) }
        return y
    }

    /// One power iteration + QR per preconditioned dimension, permuting exp_avg_sq to match.
    private func refreshBasis(_ i: Int) {
        let (rows, cols) = dims[i]
        for d in 0..<2 {
            guard let m = gg[i][d], let o = q[i][d] else { continue }
            let product = MatrixOps.matmul(engine, m, o)
            let n = m.rows
            var estimate = [T](repeating: 0, count: n)
            for j in 0..<n { for k in 0..<n { estimate[j] += o[k, j] * product[k, j] } }
            let order = (0..<n).sorted { estimate[$0] > estimate[$1] }
            let v = expAvgSq[i], old = (0..<v.count).map { v[$0] }
            for r in 0..<rows {
                for c in 0..<cols {
                    v[r * cols + c] = d == 0 ? old[order[r] * cols + c] : old[r * cols + order[c]]
                }
            }
            let power = DenseMatrix<T>(zeros: n, n)
            for k in 0..<n { for (j, src) in order.enumerated() { power[k, j] = product[k, src] } }
            q[i][d] = MatrixOps.qr(power)
        }
    }

    func step(params: [Buffer<T>], grads: [Buffer<T>], lr: Double) {
        t += 1
        let c = config
        if t == 1 {
            for i in params.indices {
                accumulate(i, DenseMatrix(rows: dims[i].rows, cols: dims[i].cols, data: grads[i]))
                q[i] = gg[i].map { $0.map { MatrixOps.symmetricEigen($0).vectors } }
            }
            return
        }
        let s = t - 1
        var stepSize = lr
        if c.correctBias {
            stepSize *= (1 - Double.pow(c.beta2, Double(s))).squareRoot() / (1 - Double.pow(c.beta1, Double(s)))
        }
        for i in params.indices {
            let (rows, cols) = dims[i]
            engine.map(SOAPMomentKernel<T>(maximize: c.maximize, oneMinusBeta1: T(1 - c.beta1)), work[i], grads[i], [expAvg[i]])
            let g = DenseMatrix(rows: rows, cols: cols, data: work[i])
            let gp = project(i, g, forward: true)
            let mp = project(i, DenseMatrix(rows: rows, cols: cols, data: expAvg[i]).copy(), forward: true)
            engine.map(SOAPSecondMomentKernel<T>(oneMinusBeta2: T(1 - c.beta2), eps: T(c.eps)), mp.data, gp.data, [expAvgSq[i]])
            let direction = c.projectBack ? project(i, mp, forward: false) : mp
            var norm = T(1)
            if c.normalizeGradient {
                norm = (engine.dot(direction.data, direction.data) / T(direction.data.count)).squareRoot() + T(c.eps)
            }
            engine.map(SOAPApplyKernel<T>(negStepSize: T(-stepSize), norm: norm, decayFactor: T(1 - c.weightDecay * lr),
                                          normalize: c.normalizeGradient, decay: c.weightDecay != 0),
                       params[i], direction.data, [])
            accumulate(i, g)
            if s % c.preconditionFrequency == 0 { refreshBasis(i) }
        }
    }

    var state: [(name: String, buffers: [Buffer<T>])] { [("exp_avg", expAvg), ("exp_avg_sq", expAvgSq)] }
}

extension SOAPStepper {
    func save() -> StepperState {
        var s = StepperState(buffers: state, scalars: [("step", Double(t))])
        s.add(matrices: gg, as: "GG")
        s.add(matrices: q, as: "Q")
        return s
    }
    func load(_ saved: StepperState) throws {
        try saved.restore(into: state)
        t = try saved.count()
        gg = try saved.matrices("GG", like: gg)
        q = try saved.matrices("Q", like: q)
    }
}
