// GaLore.swift — GaLore (Zhao et al. 2024, "GaLore: Memory-Efficient LLM Training by Gradient
// Low-Rank Projection") as pytorch_optimizer.GaLore computes it (pytorch-optimizer 4.1.0,
// optimizer/galore.py and optimizer/utils/galore.py's GaLoreProjector). Per param group, step
// t = group['step'] (1, 2, …), step size α_t = (lr·√(1 − β₂ᵗ)) / (1 − β₁ᵗ):
//
//   g ← −g                                          maximize (before any projection)
//   a tensor of a group WITHOUT `rank`, or not 2-D: AdamW on g itself (below, R = g, no back-projection)
//   a 2-D G (m × n) of a group with `rank` (and update_proj_gap, scale, projection_type):
//     at t = its first step and whenever t % update_proj_gap == 0:
//       U, σ, Vᵀ = svd(float32(G), full_matrices=False), the vectors cast back to the run's dtype;
//       k = min(rank, m, n) (rank None: min(m, n)); P from U[:, :k] and/or Vᵀ[:k, :]
//     R = project(G):   right  G·Vₖ         (P = Vᵀ[:k], k × n; R m × k)
//                       left   Uₖᵀ·G        (P = U[:, :k], m × k; R k × n)
//                       full   (Uₖᵀ·G)·Vₖ   (R k × k)
//                       std    right when m ≥ n, else left;  reverse_std the other way round;
//                       random the same as std: GaLore.step never asks the projector for its
//                              random matrices (from_random_matrix stays False), so it is an SVD too
//   m ← lerp(m, R, 1 − β₁);  v ← v·β₂ + ((1 − β₂)·R)·R            (moments in R's coordinates)
//   N = m / (√v + eps)
//   B = back(N)·scale:  right N·P,  left P·N,  full (Uₖ·N)·Vᵀₖ       (no back-projection for AdamW)
//   w ← w + (−α_t)·B;   then w ← w·(1 − lr·weight_decay)            (decay AFTER the step, always
//                                                                    decoupled, skipped at 0)
//
// The SVD is SVD.swift's one-sided Jacobi in float64 on the float32-rounded gradient, its vectors
// rounded to float32: where the library rounds (it casts to float32 for torch.linalg.svd). What is
// left between the two is LAPACK's float32 error (a few float32 ulps over the singular gaps), which
// the goldens' tolerance carries (reference/gen_galore.py measures it). The SVD's joint signs of
// (uᵢ, vᵢ) are arbitrary: a sign flip of P's i-th vector flips R's, m's and N's i-th column (or
// row), v is squared, and back(N) flips it back — the trajectory does not depend on them while one
// projector is in force. A refresh combines the old m (old coordinates) with the new R, which does
// depend on the signs LAPACK chose; with β₁ = 0 (m = R exactly, torch's lerp at weight 1) it does
// not: the goldens refresh the projector only in cases with β₁ = 0, and a case that reaches a
// refresh with β₁ ≠ 0 is unsupported (ReplayLimitedFamily, below).

public struct GaLoreFamily: OptimizerFamily {
    public enum Projection: String, Sendable, CaseIterable {
        case std, reverseStd = "reverse_std", right, left, full, random
    }

    /// The group's projector keys (pytorch_optimizer: `rank` in the group enables it).
    public struct Projector: Sendable, Equatable {
        /// nil: every singular vector (`rank=None`).
        public var rank: Int?
        public var updateProjGap: Int
        public var scale: Double
        public var type: Projection
        public init(rank: Int?, updateProjGap: Int, scale: Double, type: Projection) {
            self.rank = rank; self.updateProjGap = updateProjGap; self.scale = scale; self.type = type
        }
    }

    public var beta1 = 0.9
    public var beta2 = 0.999
    public var eps = 1e-6
    public var weightDecay = 0.0
    public var maximize = false
    /// nil: the group has no `rank` (AdamW on every tensor).
    public var projector: Projector? = nil
    /// A known-wrong variant's knob: the projector computed once and never refreshed at the gap.
    public var refreshAtGap = true
    /// A known-wrong variant's knob: the back-projected update not multiplied by `scale`.
    public var applyScale = true
    /// A known-wrong variant's knob: std's sides swapped (left for a tall matrix, right for a wide one).
    public var swapSides = false
    /// A known-wrong variant's knob: the decay applied before the step (AdamW's order) instead of after.
    public var decayFirst = false

    public init() {}

    public var familyName: String { "GaLore" }
    public var summary: String {
        var parts = ["betas (\(beta1), \(beta2))", "eps \(eps)", weightDecay == 0 ? "no decay" : "decay \(weightDecay) × lr after the step"]
        if let p = projector {
            parts.append("\(p.type.rawValue) projection of rank \(p.rank.map(String.init) ?? "all"), gap \(p.updateProjGap), scale \(p.scale)")
        } else {
            parts.append("no projection (AdamW)")
        }
        if maximize { parts.append("maximize") }
        if !refreshAtGap { parts.append("projector never refreshed") }
        if !applyScale { parts.append("scale not applied") }
        if swapSides { parts.append("std sides swapped") }
        if decayFirst { parts.append("decay before the step") }
        return parts.joined(separator: ", ")
    }

    /// Which factor(s) of the SVD a rows × cols tensor is projected with.
    enum Side { case right, left, full }

    func side(rows: Int, cols: Int) -> Side? {
        guard let p = projector else { return nil }
        let tall = rows >= cols
        switch p.type {
        case .std, .random: return tall != swapSides ? .right : .left
        case .reverseStd: return tall ? .left : .right
        case .right: return .right
        case .left: return .left
        case .full: return .full
        }
    }

    @_specialize(where T == Double) @_specialize(where T == Float)
    public func makeStepper<T: DescentFloat>(_: T.Type, shapes: [[Int]], engine: Engine) throws -> StepperBox<T> {
        if let p = projector, p.type == .reverseStd {
            for s in shapes where s.count == 2 && s[0] < s[1] && min(p.rank ?? s[0], s[0]) == s[0] {
                throw DescentError.unsupported("pytorch_optimizer.GaLore: projection_type 'reverse_std' on a wide \(s[0])×\(s[1]) matrix with rank ≥ its rows: the library's project_back multiplies P (\(s[0])×\(s[1])) by N (\(s[0])×\(s[0])) and fails (matmul shapes)")
            }
        }
        return StepperBox(GaLoreStepper<T>(self, shapes: shapes, engine: engine))
    }
}

extension GaLoreFamily: ReplayLimitedFamily {
    /// With β₁ ≠ 0, a projector refreshed after the first step (at t = update_proj_gap, 2·gap, …)
    /// meets a first moment kept in the old projector's coordinates: the result depends on the signs
    /// LAPACK gave the new singular vectors, which follow its arithmetic, not a rule (another choice
    /// moves the golden's trajectory by ~3e-3 within two steps; reference/gen_galore.py).
    public func replayUnsupported(steps: Int, shapes: [[Int]]) -> String? {
        guard let p = projector, beta1 != 0, refreshAtGap, shapes.contains(where: { $0.count == 2 }) else { return nil }
        let first = p.updateProjGap >= 2 ? p.updateProjGap : 2
        guard steps >= first else { return nil }
        return "pytorch_optimizer.GaLore with betas[0] = \(beta1) refreshes its projector at step \(first) (update_proj_gap \(p.updateProjGap)): its first moment, kept in the old projector's coordinates, then meets the new singular vectors, whose signs LAPACK's float32 SVD fixes by its own arithmetic, not by a rule; other signs move the trajectory by ~3e-3 (measured). Replayable: fewer steps than update_proj_gap, or betas[0] = 0"
    }
}

/// The element-wise parts of a GaLore step. Slots: s0 = m (exp_avg), s1 = v (exp_avg_sq).
/// `dense`: AdamW on the gradient (p the parameter); `momentsOnly`: the moments of R, p ← N (p a
/// scratch matrix); `applyOnly`: p ← p + (−α)·(g·scale) for the back-projected g, no slots read.
public struct GaLoreKernel<Scalar: DescentFloat>: ElementwiseKernel {
    @usableFromInline var oneMinusBeta1, beta2, oneMinusBeta2, eps, negStep, scale, decayFactor: Scalar
    @usableFromInline var momentsOnly, applyOnly, maximize, decayFirst: Bool
    @inlinable public var slotCount: Int { applyOnly ? 0 : 2 }

    @inlinable @inline(__always)
    public func apply<L: Lane>(_ p: inout L, _ g: L, _ s: inout Slots<L>) where L.Scalar == Scalar {
        if decayFirst && !momentsOnly && decayFactor != 1 { p = p * L(repeating: decayFactor) }
        if applyOnly {
            p = p + L(repeating: negStep) * (g * L(repeating: scale))
        } else {
            let d = maximize ? -g : g
            s.s0 = torchLerp(s.s0, d, oneMinusBeta1)
            s.s1 = s.s1 * L(repeating: beta2) + (L(repeating: oneMinusBeta2) * d) * d
            let n = s.s0 / (s.s1.squareRoot() + L(repeating: eps))
            if momentsOnly { p = n; return }
            p = p + L(repeating: negStep) * n
        }
        if !decayFirst && decayFactor != 1 { p = p * L(repeating: decayFactor) }
    }
}

final class GaLoreStepper<T: DescentFloat>: Stepper {
    let config: GaLoreFamily
    let engine: Engine
    /// Per tensor: (rows, cols, side) when projected, nil for AdamW.
    let projected: [(rows: Int, cols: Int, k: Int, side: GaLoreFamily.Side)?]
    /// exp_avg and exp_avg_sq: R's shape for a projected tensor, the tensor's own otherwise
    /// (allocated at the first projection, as the library does).
    var expAvg: [Buffer<T>], expAvgSq: [Buffer<T>]
    /// Per tensor: [U[:, :k], Vᵀ[:k, :]] (nil where the side does not use it, or before the first step).
    var ortho: [[DenseMatrix<T>?]]
    var t = 0

    init(_ config: GaLoreFamily, shapes: [[Int]], engine: Engine) {
        self.config = config
        self.engine = engine
        projected = shapes.map { s in
            guard s.count == 2, let side = config.side(rows: s[0], cols: s[1]) else { return nil }
            return (s[0], s[1], min(config.projector!.rank ?? min(s[0], s[1]), s[0], s[1]), side)
        }
        expAvg = []; expAvgSq = []
        for (s, p) in zip(shapes, projected) {
            let n: Int
            if let p {
                switch p.side {
                case .right: n = p.rows * p.k
                case .left: n = p.k * p.cols
                case .full: n = p.k * p.k
                }
            } else {
                n = s.reduce(1, *)
            }
            expAvg.append(Buffer<T>(zeros: n)); expAvgSq.append(Buffer<T>(zeros: n))
        }
        ortho = shapes.map { _ in [nil, nil] }
    }

    func kernel(step: Double, lr: Double, mode: (momentsOnly: Bool, applyOnly: Bool), maximize: Bool) -> GaLoreKernel<T> {
        let c = config
        let factor = c.weightDecay == 0 ? 1.0 : 1.0 - c.weightDecay * lr
        return GaLoreKernel<T>(oneMinusBeta1: T(1 - c.beta1), beta2: T(c.beta2), oneMinusBeta2: T(1 - c.beta2), eps: T(c.eps),
                               negStep: T(-step), scale: T(c.applyScale ? c.projector?.scale ?? 1 : 1), decayFactor: T(factor),
                               momentsOnly: mode.momentsOnly, applyOnly: mode.applyOnly, maximize: maximize,
                               decayFirst: c.decayFirst)
    }

    /// U[:, :k] and Vᵀ[:k, :] of svd(float32(G)), rounded to float32 (the side's factors only).
    func refresh(_ i: Int, _ g: DenseMatrix<T>, _ p: (rows: Int, cols: Int, k: Int, side: GaLoreFamily.Side)) {
        let a = (0..<g.data.count).map { Double(Float(Double(g.data[$0]))) }
        let svd = SVD.thin(a, rows: p.rows, cols: p.cols)
        let kk = min(p.rows, p.cols)
        func round(_ x: Double) -> T { T(Double(Float(x))) }
        if p.side != .right {
            let u = DenseMatrix<T>(zeros: p.rows, p.k)
            for r in 0..<p.rows { for c in 0..<p.k { u[r, c] = round(svd.u[r * kk + c]) } }
            ortho[i][0] = u
        }
        if p.side != .left {
            let vt = DenseMatrix<T>(zeros: p.k, p.cols)
            for r in 0..<p.k { for c in 0..<p.cols { vt[r, c] = round(svd.vt[r * p.cols + c]) } }
            ortho[i][1] = vt
        }
    }

    func step(params: [Buffer<T>], grads: [Buffer<T>], lr: Double) {
        t += 1
        let b1 = config.beta1, b2 = config.beta2
        let stepSize = lr * (1.0 - Double.pow(b2, Double(t))).squareRoot() / (1.0 - Double.pow(b1, Double(t)))
        for i in params.indices {
            guard let p = projected[i] else {
                engine.map(kernel(step: stepSize, lr: lr, mode: (false, false), maximize: config.maximize),
                           params[i], grads[i], [expAvg[i], expAvgSq[i]])
                continue
            }
            let g = DenseMatrix<T>(rows: p.rows, cols: p.cols, data: grads[i].clone())
            if config.maximize { for j in 0..<g.data.count { g.data[j] = -g.data[j] } }
            let first = ortho[i][0] == nil && ortho[i][1] == nil
            if first || (config.refreshAtGap && t % config.projector!.updateProjGap == 0) { refresh(i, g, p) }
            let r: DenseMatrix<T>
            switch p.side {
            case .right: r = MatrixOps.matmul(engine, g, ortho[i][1]!, transB: true)
            case .left: r = MatrixOps.matmul(engine, ortho[i][0]!, g, transA: true)
            case .full: r = MatrixOps.matmul(engine, MatrixOps.matmul(engine, ortho[i][0]!, g, transA: true), ortho[i][1]!, transB: true)
            }
            let n = DenseMatrix<T>(zeros: r.rows, r.cols)
            engine.map(kernel(step: stepSize, lr: lr, mode: (true, false), maximize: false), n.data, r.data, [expAvg[i], expAvgSq[i]])
            let back: DenseMatrix<T>
            switch p.side {
            case .right: back = MatrixOps.matmul(engine, n, ortho[i][1]!)
            case .left: back = MatrixOps.matmul(engine, ortho[i][0]!, n)
            case .full: back = MatrixOps.matmul(engine, MatrixOps.matmul(engine, ortho[i][0]!, n), ortho[i][1]!)
            }
            engine.map(kernel(step: stepSize, lr: lr, mode: (false, true), maximize: false), params[i], back.data, [])
        }
    }

    var state: [(name: String, buffers: [Buffer<T>])] { [("exp_avg", expAvg), ("exp_avg_sq", expAvgSq)] }
}

extension GaLoreStepper {
    func save() -> StepperState {
        var s = StepperState(buffers: state, scalars: [("step", Double(t))])
        s.add(matrices: ortho, as: "ortho_matrix")
        return s
    }
    func load(_ saved: StepperState) throws {
        try saved.restore(into: state)
        t = try saved.count()
        ortho = try saved.matrices("ortho_matrix", like: ortho)
    }
}
