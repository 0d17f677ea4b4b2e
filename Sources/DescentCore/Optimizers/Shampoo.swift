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
//   k-D:  per mode d: S_d ← S_d + G_(d)·G_(d)ᵀ, Ŝ_d = S_d^(−1/(2k)), U = G ×₀ Ŝ₀ ×₁ Ŝ₁ … (mode products)
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
    /// Multiplies every root's order (1: the library's L^(−1/4), R^(−1/4), L^(−1/2) for 1-D;
    /// ½ gives the order-2 roots L^(−1/2) — a known-wrong variant).
    public var rootOrderScale = 1.0

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
        if rootOrderScale != 1 { parts.append("root orders × \(rootOrderScale)") }
        return parts.joined(separator: ", ")
    }

    @_specialize(where T == Double) @_specialize(where T == Float)
    public func makeStepper<T: DescentFloat>(_: T.Type, shapes: [[Int]], engine: Engine) throws -> StepperBox<T> {
        if let bad = shapes.first(where: { $0.isEmpty }) {
            throw DescentError.unsupported("pytorch_optimizer.Shampoo on a tensor of shape \(bad): a 0-D tensor has no dimension to precondition")
        }
        return StepperBox(ShampooStepper<T>(self, shapes: shapes, engine: engine))
    }
}

/// Gradient preparation. p = W, g = raw gradient, s0 = momentum buffer, s1 = prepared gradient (out).
public struct ShampooGradientKernel<Scalar: DescentFloat>: ElementwiseKernel {
    @usableFromInline var initBuffer, maximize, useMomentum, decouple: Bool
    @usableFromInline var momentum, l2, decayFactor: Scalar
    @inlinable public var slotCount: Int { 2 }

    @inlinable @inline(__always)
    public func apply<L: Lane>(_ p: inout L, _ g: L, _ s: inout Slots<L>) where L.Scalar == Scalar {
        if initBuffer { s.s0 = g }
        var d = maximize ? -g : g
        if useMomentum { d = torchLerp(d, s.s0, momentum) }
        if decouple { p = p * L(repeating: decayFactor) } else if l2 != 0 { d = d + L(repeating: l2) * p }
        s.s1 = d
    }
}

/// W ← W − lr·U; the momentum buffer becomes U. g = U, s0 = momentum buffer.
public struct ShampooApplyKernel<Scalar: DescentFloat>: ElementwiseKernel {
    @usableFromInline var negLR: Scalar
    @inlinable public var slotCount: Int { 1 }

    @inlinable @inline(__always)
    public func apply<L: Lane>(_ p: inout L, _ u: L, _ s: inout Slots<L>) where L.Scalar == Scalar {
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
                if recompute { inverses[i][0] = MatrixOps.inverseRoot(engine, statistics[i][0], power: 4 * c.rootOrderScale) }
                MatrixOps.addmm(engine, statistics[i][1], g.transposed, g, alpha: 1, beta: 1)
                if recompute { inverses[i][1] = MatrixOps.inverseRoot(engine, statistics[i][1], power: 4 * c.rootOrderScale) }
                update = MatrixOps.matmul(engine, MatrixOps.matmul(engine, inverses[i][0], g), inverses[i][1])
            } else if shapes[i].count >= 3 {
                // Mode by mode: S_d += G_(d)·G_(d)ᵀ, P_d = S_d^(−1/(2·order)), X ← X ×_d P_d (the last
                // mode as X_(d)ᵀ·P_d, as the library multiplies it).
                let shape = shapes[i], order = shape.count
                var x = work[i]
                for d in 0..<order {
                    let u = MatrixOps.unfold(work[i], shape: shape, dim: d)
                    MatrixOps.addmm(engine, statistics[i][d], u, u.transposed, alpha: 1, beta: 1)
                    if recompute { inverses[i][d] = MatrixOps.inverseRoot(engine, statistics[i][d], power: Double(2 * order) * c.rootOrderScale) }
                    let xd = MatrixOps.unfold(x, shape: shape, dim: d)
                    x = MatrixOps.fold(MatrixOps.matmul(engine, inverses[i][d], xd, transA: d == order - 1), shape: shape, dim: d)
                }
                update = DenseMatrix(rows: 1, cols: x.count, data: x)
            } else {
                let g = DenseMatrix(rows: 1, cols: shapes[i][0], data: work[i])
                MatrixOps.addmm(engine, statistics[i][0], g.transposed, g, alpha: 1, beta: 1)
                if recompute { inverses[i][0] = MatrixOps.inverseRoot(engine, statistics[i][0], power: 2 * c.rootOrderScale) }
                update = MatrixOps.matmul(engine, g, inverses[i][0])
            }
            engine.map(ShampooApplyKernel<T>(negLR: T(-lr)), params[i], update.data, [buffer[i]])
        }
    }

    var state: [(name: String, buffers: [Buffer<T>])] {
        var s: [(name: String, buffers: [Buffer<T>])] = []
        if config.momentum > 0 { s.append(("momentum_buffer", buffer)) }
        for d in 0..<(shapes.map(\.count).max() ?? 0) {
            let idx = shapes.indices.filter { shapes[$0].count > d }
            if idx.count == shapes.count {
                s.append(("pre_cond_\(d)", idx.map { statistics[$0][d].data }))
                s.append(("inv_pre_cond_\(d)", idx.map { inverses[$0][d].data }))
            }
        }
        return s
    }
}

// MARK: - ScalableShampoo
//
// pytorch_optimizer.ScalableShampoo (optimizer/shampoo.py + utils/preconditioner.py, graft.py),
// for tensors whose preconditioned (transformed) shape is 2-D and fits in one block. Step t; m = lr-multiplier rules below; per tensor:
//
//   shape: with shape_interpretation the dims are merged while their product ≤ block_size
//          (merge_small_dims; a single merged dim becomes [1], i.e. nothing is preconditioned);
//          1-D shapes, rank < skip_preconditioning_rank_lt or a dim > no_preconditioning_for_layers_with_dim_gt
//          are not preconditioned either.
//   graft statistics (every step): AdaGrad  s ← s + g²;  RMSProp  s ← β₂·s + (1−β₂)·g²
//   every statistics_compute_steps:   S_d ← β₂·S_d + w₂·G_(d)·G_(d)ᵀ   (w₂ = 1−β₂, or 1 when β₂ = 1; S₀ = eps·I)
//   every preconditioning_compute_steps:  P_d = S_d^(−1/e) by Schur–Newton (or SVD when use_svd),
//          e = inverse_exponent_override or 2·(number of preconditioned dims); P₀ = I
//   graft  = (SGD: g | AdaGrad, RMSProp: g/(√s + diagonal_eps) | SQRTN: sign g | NONE: g)·k
//   shampoo = (P_0ᵀ·G·P_1 over the preconditioned dims)·k, or graft when nothing is preconditioned
//   shampoo ← shampoo·‖graft‖/(‖shampoo‖ + 1e-16)    (unless graft_type NONE)
//   decay: decoupled W ← W·(1 − lr·λ), else graft += λ·W and shampoo += λ·W
//   momentum: M ← lerp(M, shampoo, 1−β₁) if moving_average_for_momentum else β₁·M + shampoo
//             graft momentum: N ← β₁·N + w·graft (w = 1−β₁ or 1)
//   u = M if t ≥ start_preconditioning_step else N;  nesterov: u ← lerp(u, d, w) or β₁·u + d
//        (d = shampoo or graft likewise)
//   W ← W − k'·u        k = 1, k' = lr (decoupled_learning_rate) | k = lr, k' = 1

public struct ScalableShampooFamily: OptimizerFamily {
    public enum Graft: Int, Sendable { case none = 0, sgd, adagrad, rmsprop, sqrtn }
    public enum Sides: Int, Sendable { case all = 0, input, output }

    public var beta1 = 0.9, beta2 = 0.999
    public var movingAverageForMomentum = false
    public var weightDecay = 0.0
    public var decoupledWeightDecay = false
    public var decoupledLearningRate = true
    public var inverseExponentOverride = 0
    public var startPreconditioningStep = 25
    public var preconditioningComputeSteps = 1000
    public var statisticsComputeSteps = 1
    public var blockSize = 512
    public var skipPreconditioningRankLt = 1
    public var noPreconditioningForLayersWithDimGt = 8192
    public var shapeInterpretation = true
    public var graft: Graft = .sgd
    public var sides: Sides = .all
    public var nesterov = true
    public var diagonalEps = 1e-10
    public var matrixEps = 1e-6
    public var useSVD = false
    public var maximize = false

    public init() {}

    public var familyName: String { "ScalableShampoo" }
    public var summary: String {
        "betas (\(beta1), \(beta2)), graft \(graft), sides \(sides), start \(startPreconditioningStep), roots every \(preconditioningComputeSteps) (\(useSVD ? "SVD" : "Schur–Newton")), statistics every \(statisticsComputeSteps), block \(blockSize)\(shapeInterpretation ? " with merged dims" : ""), \(nesterov ? "nesterov" : "no nesterov")\(movingAverageForMomentum ? ", EMA momentum" : ""), decay \(weightDecay)\(decoupledWeightDecay ? " decoupled" : " coupled")\(decoupledLearningRate ? "" : ", lr inside")\(maximize ? ", maximize" : "")"
    }

    /// The shape the preconditioners see (merge_small_dims when shape_interpretation).
    func transformedShape(_ shape: [Int]) -> [Int] {
        guard shapeInterpretation else { return shape }
        var merged: [Int] = []
        var product = 1
        for d in shape {
            product *= d
            if product > blockSize { merged.append(product / d); product = d }
        }
        merged.append(product)
        return merged.count > 1 ? merged : [1]
    }

    /// Which dims of the transformed shape carry a preconditioner (empty: none).
    func preconditionedDims(_ shape: [Int]) -> [Bool] {
        let ts = transformedShape(shape)
        if ts.count <= 1 || shape.count < skipPreconditioningRankLt || shape.contains(where: { $0 > noPreconditioningForLayersWithDimGt }) {
            return []
        }
        switch sides {
        case .all: return ts.map { _ in true }
        case .input: return ts.indices.map { $0 < ts.count - 1 }
        case .output: return ts.indices.map { $0 == ts.count - 1 }
        }
    }

    @_specialize(where T == Double) @_specialize(where T == Float)
    public func makeStepper<T: DescentFloat>(_: T.Type, shapes: [[Int]], engine: Engine) throws -> StepperBox<T> {
        for s in shapes where !preconditionedDims(s).isEmpty {
            let ts = transformedShape(s)
            if ts.count != 2 {
                throw DescentError.unsupported("pytorch_optimizer.ScalableShampoo preconditioning a \(ts.count)-D (transformed) tensor: Descent implements 2-D")
            }
            if blockSize > 0 && ts.contains(where: { $0 > blockSize }) {
                throw DescentError.unsupported("pytorch_optimizer.ScalableShampoo with a dimension larger than block_size \(blockSize) (several blocks): Descent implements one block")
            }
        }
        return StepperBox(ScalableShampooStepper<T>(self, shapes: shapes, engine: engine))
    }
}

/// The graft's statistics and its preconditioned gradient. p = graft out, g = gradient, s0 = statistics.
public struct GraftKernel<Scalar: DescentFloat>: ElementwiseKernel {
    @usableFromInline var kind: ScalableShampooFamily.Graft
    @usableFromInline var maximize: Bool
    @usableFromInline var beta2, oneMinusBeta2, diagonalEps, multiplier: Scalar
    @inlinable public var slotCount: Int { 1 }

    @inlinable @inline(__always)
    public func apply<L: Lane>(_ p: inout L, _ g0: L, _ s: inout Slots<L>) where L.Scalar == Scalar {
        let g = maximize ? -g0 : g0
        switch kind {
        case .adagrad:
            s.s0 = s.s0 + g * g
            p = g / (s.s0.squareRoot() + L(repeating: diagonalEps))
        case .rmsprop:
            s.s0 = s.s0 * L(repeating: beta2) + L(repeating: oneMinusBeta2) * (g * g)
            p = g / (s.s0.squareRoot() + L(repeating: diagonalEps))
        case .sqrtn:
            p = g.signum
        case .none, .sgd:
            p = g
        }
        p = p * L(repeating: multiplier)
    }
}

/// Rescaling, decay, both momenta and the step. p = W, g = shampoo direction (scaled in place
/// beforehand), s0 = graft direction, s1 = momentum, s2 = graft momentum.
public struct ScalableShampooApplyKernel<Scalar: DescentFloat>: ElementwiseKernel {
    @usableFromInline var coupled: Bool
    @usableFromInline var decay, decayFactor, beta1, w, negStep: Scalar
    @usableFromInline var movingAverage, preconditioning, nesterov: Bool
    @inlinable public var slotCount: Int { 3 }

    @inlinable @inline(__always)
    public func apply<L: Lane>(_ p: inout L, _ shampoo0: L, _ s: inout Slots<L>) where L.Scalar == Scalar {
        var shampoo = shampoo0, graft = s.s0
        if coupled {
            if decay > 0 {
                graft = graft + L(repeating: decay) * p
                shampoo = shampoo + L(repeating: decay) * p
            }
        } else if decay != 0 {
            p = p * L(repeating: decayFactor)
        }
        s.s1 = movingAverage ? torchLerp(s.s1, shampoo, w) : s.s1 * L(repeating: beta1) + shampoo
        s.s2 = s.s2 * L(repeating: beta1) + L(repeating: w) * graft
        var u = preconditioning ? s.s1 : s.s2
        if nesterov {
            let d = preconditioning ? shampoo : graft
            u = movingAverage ? torchLerp(u, d, w) : u * L(repeating: beta1) + d
        }
        p = p + L(repeating: negStep) * u
    }
}

final class ScalableShampooStepper<T: DescentFloat>: Stepper {
    let config: ScalableShampooFamily
    let engine: Engine
    let shapes: [[Int]]
    let dims: [[Bool]]
    let graftStatistics: [Buffer<T>], graftDirection: [Buffer<T>], momentum: [Buffer<T>], graftMomentum: [Buffer<T>]
    let statistics: [[DenseMatrix<T>?]]
    var roots: [[DenseMatrix<T>?]]
    private(set) var t = 0

    init(_ config: ScalableShampooFamily, shapes: [[Int]], engine: Engine) {
        self.config = config
        self.engine = engine
        self.shapes = shapes
        dims = shapes.map { config.preconditionedDims($0) }
        graftStatistics = .zeros(like: shapes)
        graftDirection = .zeros(like: shapes)
        momentum = .zeros(like: shapes)
        graftMomentum = .zeros(like: shapes)
        statistics = zip(shapes, dims).map { s, d in
            let ts = config.transformedShape(s)
            return d.enumerated().map { $1 ? DenseMatrix<T>.identity(ts[$0], scale: T(config.matrixEps)) : nil }
        }
        roots = zip(shapes, dims).map { s, d in
            let ts = config.transformedShape(s)
            return d.enumerated().map { $1 ? DenseMatrix<T>.identity(ts[$0]) : nil }
        }
    }

    func step(params: [Buffer<T>], grads: [Buffer<T>], lr: Double) {
        t += 1
        let c = config
        let k = c.decoupledLearningRate ? 1 : lr
        let w = c.movingAverageForMomentum ? 1 - c.beta1 : 1
        let w2 = c.beta2 == 1 ? 1 : 1 - c.beta2
        for i in params.indices {
            engine.map(GraftKernel<T>(kind: c.graft, maximize: c.maximize, beta2: T(c.beta2), oneMinusBeta2: T(1 - c.beta2),
                                      diagonalEps: T(c.diagonalEps), multiplier: T(k)),
                       graftDirection[i], grads[i], [graftStatistics[i]])
            let shampoo: Buffer<T>
            if dims[i].isEmpty {
                shampoo = Buffer<T>(zeros: grads[i].count)
                shampoo.pointer.update(from: graftDirection[i].pointer, count: grads[i].count)
            } else {
                let ts = c.transformedShape(shapes[i])
                let g = DenseMatrix<T>(zeros: ts[0], ts[1])
                for j in 0..<grads[i].count { g.data[j] = c.maximize ? -grads[i][j] : grads[i][j] }
                let e = dims[i].filter { $0 }.count
                let power = c.inverseExponentOverride > 0 ? c.inverseExponentOverride : 2 * e
                if t % c.statisticsComputeSteps == 0 {
                    for d in 0..<2 {
                        guard let s = statistics[i][d] else { continue }
                        let outer = d == 0 ? MatrixOps.matmul(engine, g, g, transB: true) : MatrixOps.matmul(engine, g, g, transA: true)
                        engine.scal(T(c.beta2), s.data)
                        engine.axpy(T(w2), outer.data, s.data)
                    }
                }
                if t % c.preconditioningComputeSteps == 0 {
                    for d in 0..<2 {
                        guard let s = statistics[i][d] else { continue }
                        roots[i][d] = c.useSVD
                            ? MatrixOps.inverseRoot(engine, s, power: Double(power))
                            : MatrixOps.inverseRootSchurNewton(engine, s, p: power, ridge: c.matrixEps)
                    }
                }
                var x = g
                if let l = roots[i][0] { x = MatrixOps.matmul(engine, l, x, transA: true) }
                if let r = roots[i][1] { x = MatrixOps.matmul(engine, x, r) }
                engine.scal(T(k), x.data)
                shampoo = x.data
            }
            if c.graft != .none {
                let ratio = engine.norm(graftDirection[i]) / (engine.norm(shampoo) + T(1e-16))
                engine.scal(ratio, shampoo)
            }
            engine.map(ScalableShampooApplyKernel<T>(
                coupled: !c.decoupledWeightDecay, decay: T(c.weightDecay), decayFactor: T(1 - c.weightDecay * lr),
                beta1: T(c.beta1), w: T(w), negStep: T(-(c.decoupledLearningRate ? lr : 1)),
                movingAverage: c.movingAverageForMomentum, preconditioning: t >= c.startPreconditioningStep,
                nesterov: c.nesterov),
                params[i], shampoo, [graftDirection[i], momentum[i], graftMomentum[i]])
        }
    }

    var state: [(name: String, buffers: [Buffer<T>])] { [("momentum", momentum), ("graft.momentum", graftMomentum)] }
}

extension ShampooStepper {
    func save() -> StepperState {
        var s = StepperState(buffers: [("momentum_buffer", buffer)], scalars: [("step", Double(t))])
        s.add(matrices: statistics, as: "pre_cond")
        s.add(matrices: inverses, as: "inv_pre_cond")
        return s
    }
    func load(_ saved: StepperState) throws {
        try saved.restore(into: [("momentum_buffer", buffer)])
        t = try saved.count()
        let stats = try saved.matrices("pre_cond", like: statistics)
        for (i, row) in stats.enumerated() {
            for (d, m) in row.enumerated() {
                guard let m, m.rows == statistics[i][d].rows, m.cols == statistics[i][d].cols else {
                    throw DescentError.invalidInput(field: "state.pre_cond[\(i)][\(d)]", message: "missing or of the wrong shape")
                }
                for j in 0..<m.data.count { statistics[i][d].data[j] = m.data[j] }
            }
        }
        inverses = try saved.matrices("inv_pre_cond", like: inverses).enumerated().map { i, row in
            try row.enumerated().map { d, m in
                guard let m else { throw DescentError.invalidInput(field: "state.inv_pre_cond[\(i)][\(d)]", message: "missing") }
                return m
            }
        }
    }
}

extension ScalableShampooStepper {
    func save() -> StepperState {
        var s = StepperState(buffers: [("graft.statistics", graftStatistics), ("graft.direction", graftDirection),
                                       ("momentum", momentum), ("graft.momentum", graftMomentum)],
                             scalars: [("step", Double(t))])
        s.add(matrices: statistics, as: "statistics")
        s.add(matrices: roots, as: "preconditioners")
        return s
    }
    func load(_ saved: StepperState) throws {
        try saved.restore(into: [("graft.statistics", graftStatistics), ("graft.direction", graftDirection),
                                 ("momentum", momentum), ("graft.momentum", graftMomentum)])
        t = try saved.count()
        let stats = try saved.matrices("statistics", like: statistics)
        for (i, row) in stats.enumerated() {
            for (d, m) in row.enumerated() {
                guard let have = statistics[i][d] else { continue }
                guard let m, m.rows == have.rows, m.cols == have.cols else {
                    throw DescentError.invalidInput(field: "state.statistics[\(i)][\(d)]", message: "missing or of the wrong shape")
                }
                for j in 0..<m.data.count { have.data[j] = m.data[j] }
            }
        }
        roots = try saved.matrices("preconditioners", like: roots)
    }
}
