// SM3.swift — SM3 (Anil et al., 2019, "Memory-Efficient Adaptive Optimization") as optax.sm3
// computes it (optax 0.2.8: transform.py's scale_by_sm3(b1 = momentum, b2 = 1, eps = 1e-8), then
// scale(−lr)). Per tensor of rank k, one accumulator vector per dimension, μ_d of length shape[d];
// a 1-D tensor's single accumulator has one entry per element (Adagrad's). Element i at
// index (i₁, …, i_k):
//
//   a_i = g_i² + min_d μ_d[i_d]                  (1-D: g_i² + μ₀[i])
//   u_i = g_i·rsqrt(a_i + ε)  where a_i > 0, else 0
//   nu ← (1 − β₁)·u + β₁·nu                      (the momentum, an EMA from 0)
//   w ← w + nu·(−lr)
//   μ_d[j] ← max over the elements with i_d = j of a   (1-D: μ₀ = a)
//
// A 0-d tensor makes optax fail (it indexes the empty list of accumulators), and so does a
// zero-size tensor of rank ≥ 2 (a max over an empty axis): both refused here (`unsupported`).
// State names optax's: nu (per element); mu (the per-dimension vectors) is saved as mu.0, mu.1, …
// (one entry per tensor, empty where the tensor has fewer dimensions).

public struct SM3Family: OptimizerFamily {
    /// optax.sm3's `momentum` (scale_by_sm3's b1).
    public var momentum = 0.9
    public var eps = 1e-8
    /// A known-wrong variant's knob: one accumulator per element for every tensor (Adagrad's
    /// full-size accumulator), as optax keeps only for 1-D tensors.
    public var perElementAccumulators = false

    public init() {}

    public var familyName: String { "SM3" }
    public var summary: String {
        "optax form, momentum \(momentum), eps \(eps) inside the root"
            + (perElementAccumulators ? ", one accumulator per element" : ", accumulators per dimension")
    }

    @_specialize(where T == Double) @_specialize(where T == Float)
    public func makeStepper<T: DescentFloat>(_: T.Type, shapes: [[Int]], engine: Engine) throws -> StepperBox<T> {
        if let i = shapes.firstIndex(where: { $0.isEmpty }) {
            throw DescentError.unsupported("optax.sm3 fails on a 0-d tensor (tensor \(i): scale_by_sm3 indexes its empty list of accumulators)")
        }
        if let i = shapes.firstIndex(where: { $0.count >= 2 && $0.contains(0) }) {
            throw DescentError.unsupported("optax.sm3 fails on a zero-size tensor of rank ≥ 2 (tensor \(i), shape \(shapes[i]): a max over an empty axis has no identity)")
        }
        return StepperBox(SM3Stepper<T>(self, shapes: shapes, engine: engine))
    }
}

/// One SM3 step. Slots: s0 = nu (the momentum), s1 = on entry min_d μ_d, on exit the accumulator a.
public struct SM3Kernel<Scalar: DescentFloat>: ElementwiseKernel {
    @usableFromInline var beta1, oneMinusBeta1, eps, negLr: Scalar
    @inlinable public var slotCount: Int { 2 }

    @inlinable @inline(__always)
    public func apply<L: Lane>(_ p: inout L, _ g: L, _ s: inout Slots<L>) where L.Scalar == Scalar {
        let a = g * g + s.s1
        let zero = L(repeating: 0)
        let inv = L.ifPositive(a, L(repeating: 1) / (a + L(repeating: eps)).squareRoot(), zero)
        s.s0 = L(repeating: oneMinusBeta1) * (g * inv) + L(repeating: beta1) * s.s0
        p = p + s.s0 * L(repeating: negLr)
        s.s1 = a
    }
}

final class SM3Stepper<T: DescentFloat>: Stepper {
    let config: SM3Family
    let engine: Engine
    /// The shape each tensor's accumulators index (the flattened shape with the variant).
    let dims: [[Int]]
    let nu: [Buffer<T>]
    /// accumulators[d][i]: tensor i's μ_d (empty when the tensor has no dimension d).
    let accumulators: [[Buffer<T>]]
    /// Per tensor: min_d μ_d before the step, then the accumulator a.
    let work: [Buffer<T>]
    var steps = 0

    init(_ config: SM3Family, shapes: [[Int]], engine: Engine) {
        self.config = config
        self.engine = engine
        let dims = config.perElementAccumulators ? shapes.map { [$0.reduce(1, *)] } : shapes
        self.dims = dims
        nu = .zeros(like: shapes)
        work = .zeros(like: shapes)
        let rank = dims.map(\.count).max() ?? 0
        accumulators = (0..<rank).map { d in dims.map { Buffer<T>(zeros: d < $0.count ? $0[d] : 0) } }
    }

    /// Calls body(flat index, multi-index) for every element of a row-major tensor of this shape.
    private func forEachIndex(_ shape: [Int], _ body: (Int, [Int]) -> Void) {
        let count = shape.reduce(1, *)
        guard count > 0 else { return }
        var index = [Int](repeating: 0, count: shape.count)
        for flat in 0..<count {
            body(flat, index)
            var d = shape.count - 1
            while d >= 0 {
                index[d] += 1
                if index[d] < shape[d] { break }
                index[d] = 0
                d -= 1
            }
        }
    }

    func step(params: [Buffer<T>], grads: [Buffer<T>], lr: Double) {
        let c = config
        for i in params.indices {
            let mus = (0..<dims[i].count).map { accumulators[$0][i] }
            forEachIndex(dims[i]) { flat, index in
                var m = mus[0][index[0]]
                for d in 1..<max(1, mus.count) { m = T.minNaN(m, mus[d][index[d]]) }
                work[i][flat] = m
            }
        }
        let k = SM3Kernel<T>(beta1: T(c.momentum), oneMinusBeta1: T(1 - c.momentum), eps: T(c.eps), negLr: T(-lr))
        engine.map(k, params, grads, [nu, work])
        for i in params.indices {
            let mus = (0..<dims[i].count).map { accumulators[$0][i] }
            if mus.count == 1 {
                mus[0].copy(from: work[i])
                continue
            }
            for mu in mus { mu.pointer.update(repeating: -T.infinity, count: mu.count) }
            forEachIndex(dims[i]) { flat, index in
                let a = work[i][flat]
                for d in mus.indices { mus[d][index[d]] = T.maxNaN(mus[d][index[d]], a) }
            }
        }
        steps += 1
    }

    var state: [(name: String, buffers: [Buffer<T>])] {
        [("nu", nu)] + accumulators.indices.map { ("mu.\($0)", accumulators[$0]) }
    }
}

extension SM3Stepper {
    func save() -> StepperState { StepperState(buffers: state, scalars: [("step", Double(steps))]) }
    func load(_ saved: StepperState) throws { try saved.restore(into: state); steps = try saved.count() }
}
