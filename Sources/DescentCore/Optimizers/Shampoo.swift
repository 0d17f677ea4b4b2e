// Shampoo.swift — pytorch_optimizer.Shampoo (pytorch_optimizer 4.1.0, optimizer/shampoo.py).
// Step t = 1, 2, …; per tensor, gradient G (1-D: a row vector; 2-D: m×n):
//
//   B ← G (raw, first step only, when momentum > 0)
//   G ← −G if maximize;   G ← lerp(G, B, μ) if μ > 0
//   decay: W ← W·(1 − λ·(fixed ? 1 : lr)) if weight_decouple, else G ← G + λ·W
//   2-D:  L ← L + G·Gᵀ;  R ← R + Gᵀ·G          (L₀ = R₀ = matrix_eps·I)
//         every `preconditioning_compute_steps` steps:  L̂ = L^(−1/4), R̂ = R^(−1/4)  (else kept; 0 at first)
//         U = L̂·G·R̂
//   1-D:  L ← L + g·gᵀ;  L̂ = L^(−1/2);  u = gᵀ·L̂
//   B ← U (the preconditioned update is the next step's momentum);   W ← W − lr·U
//
// The library's inverse root is an SVD of a symmetric positive-definite matrix, which is its
// eigen-decomposition: MatrixOps.inverseRoot computes the same matrix function.

public struct ShampooFamily: OptimizerFamily {
    public var momentum = 0.0
    public var weightDecay = 0.0
    public var weightDecouple = false
    public var fixedDecay = false
    public var preconditioningComputeSteps = 1
    public var matrixEps = 1e-6
    public var maximize = false

    public init() {}

    public var familyName: String { "Shampoo" }
    public var summary: String {
        var parts = ["L^(−1/4)·G·R^(−1/4) (1-D: L^(−1/2))", "matrix_eps \(matrixEps)",
                     "roots every \(preconditioningComputeSteps) steps"]
        if momentum > 0 { parts.append("momentum \(momentum) (lerp toward the last update)") }
        if weightDecay != 0 {
            parts.append(weightDecouple ? "decoupled decay \(weightDecay)\(fixedDecay ? "" : " × lr")" : "L2 decay \(weightDecay)")
        }
        if maximize { parts.append("maximize") }
        return parts.joined(separator: ", ")
    }

    public func makeStepper(dtype: DType, shapes: [[Int]], engine: Engine) throws -> AnyStepper {
        if let bad = shapes.first(where: { $0.count < 1 || $0.count > 2 }) {
            throw DescentError.unsupported("pytorch_optimizer.Shampoo on a tensor of shape \(bad): Descent implements 1-D and 2-D tensors")
        }
        switch dtype {
        case .float64: return AnyStepper(ShampooStepper<Double>(self, shapes: shapes, engine: engine))
        case .float32: return AnyStepper(ShampooStepper<Float>(self, shapes: shapes, engine: engine))
        }
    }
}

/// Gradient preparation. p = W, g = raw gradient, s0 = momentum buffer, s1 = prepared gradient (out).
struct ShampooGradientKernel<Scalar: DescentFloat>: ElementwiseKernel {
    var initBuffer, maximize, useMomentum, decouple: Bool
    var momentum, l2, decayFactor: Scalar
    var slotCount: Int { 2 }

    @inline(__always)
    func apply<L: Lane>(_ p: inout L, _ g: L, _ s: inout Slots<L>) where L.Scalar == Scalar {
        if initBuffer { s.s0 = g }
        var d = maximize ? -g : g
        if useMomentum { d = torchLerp(d, s.s0, momentum) }
        if decouple { p = p * L(repeating: decayFactor) } else if l2 != 0 { d = d + L(repeating: l2) * p }
        s.s1 = d
    }
}

/// W ← W − lr·U; the momentum buffer becomes U. g = U, s0 = momentum buffer.
struct ShampooApplyKernel<Scalar: DescentFloat>: ElementwiseKernel {
    var negLR: Scalar
    var slotCount: Int { 1 }

    @inline(__always)
    func apply<L: Lane>(_ p: inout L, _ u: L, _ s: inout Slots<L>) where L.Scalar == Scalar {
        s.s0 = u
        p = p + L(repeating: negLR) * u
    }
}

final class ShampooStepper<T: DescentFloat>: Stepper {
    let config: ShampooFamily
    let engine: Engine
    let shapes: [[Int]]
    let buffer: [Buffer<T>], work: [Buffer<T>]
    /// Statistics and inverse roots per tensor: [L, R] (2-D) or [L] (1-D).
    let statistics: [[DenseMatrix<T>]]
    var inverses: [[DenseMatrix<T>]]
    private(set) var t = 0

    init(_ config: ShampooFamily, shapes: [[Int]], engine: Engine) {
        self.config = config
        self.engine = engine
        self.shapes = shapes
        buffer = .zeros(like: shapes)
        work = .zeros(like: shapes)
        statistics = shapes.map { s in s.map { DenseMatrix<T>.identity($0, scale: T(config.matrixEps)) } }
        inverses = shapes.map { s in s.map { DenseMatrix<T>(zeros: $0, $0) } }
    }

    func step(params: [Buffer<T>], grads: [Buffer<T>], lr: Double) {
        t += 1
        let c = config
        let decouple = c.weightDecay != 0 && c.weightDecouple
        let gk = ShampooGradientKernel<T>(
            initBuffer: t == 1 && c.momentum > 0, maximize: c.maximize, useMomentum: c.momentum > 0,
            decouple: decouple, momentum: T(c.momentum), l2: T(c.weightDecouple ? 0 : c.weightDecay),
            decayFactor: T(1 - c.weightDecay * (c.fixedDecay ? 1 : lr)))
        let recompute = t % c.preconditioningComputeSteps == 0
        for i in params.indices {
            engine.map(gk, params[i], grads[i], [buffer[i], work[i]])
            let update: DenseMatrix<T>
            if shapes[i].count == 2 {
                let g = DenseMatrix(rows: shapes[i][0], cols: shapes[i][1], data: work[i])
                MatrixOps.addmm(engine, statistics[i][0], g, g.transposed, alpha: 1, beta: 1)
                if recompute { inverses[i][0] = MatrixOps.inverseRoot(engine, statistics[i][0], power: 4) }
                MatrixOps.addmm(engine, statistics[i][1], g.transposed, g, alpha: 1, beta: 1)
                if recompute { inverses[i][1] = MatrixOps.inverseRoot(engine, statistics[i][1], power: 4) }
                update = MatrixOps.matmul(engine, MatrixOps.matmul(engine, inverses[i][0], g), inverses[i][1])
            } else {
                let g = DenseMatrix(rows: 1, cols: shapes[i][0], data: work[i])
                MatrixOps.addmm(engine, statistics[i][0], g.transposed, g, alpha: 1, beta: 1)
                if recompute { inverses[i][0] = MatrixOps.inverseRoot(engine, statistics[i][0], power: 2) }
                update = MatrixOps.matmul(engine, g, inverses[i][0])
            }
            engine.map(ShampooApplyKernel<T>(negLR: T(-lr)), params[i], update.data, [buffer[i]])
        }
    }

    var state: [(name: String, buffers: [Buffer<T>])] {
        var s: [(name: String, buffers: [Buffer<T>])] = []
        if config.momentum > 0 { s.append(("momentum_buffer", buffer)) }
        for d in 0..<2 {
            let idx = shapes.indices.filter { shapes[$0].count > d }
            if idx.count == shapes.count {
                s.append(("pre_cond_\(d)", idx.map { statistics[$0][d].data }))
                s.append(("inv_pre_cond_\(d)", idx.map { inverses[$0][d].data }))
            }
        }
        return s
    }
}
