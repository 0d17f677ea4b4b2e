// Lookahead.swift — Lookahead (Zhang et al., 2019) and gradient centralization (Yong et al., 2020)
// around any optimizer family, as pytorch_optimizer 4.1.0's Ranger composes them with RAdam
// (pytorch_optimizer/optimizer/ranger.py, gradient_centralization.py):
//
//   centralization  for a tensor of more than `above` dims (use_gc: 1; gc_conv_only: 3), before
//                   the inner step sees it:  g ← g − mean of g over every dim but the first
//                   (centralize_gradient; taken of the raw gradient: (−g) − mean(−g) = −(g − mean g)
//                   exactly, so the inner optimizer's maximize may come after it)
//   inner step      w ← the inner optimizer's step from g (Ranger: RAdam, RAdam.swift)
//   lookahead       slow weights φ = the weights before the first step (slow_buffer = p.clone());
//                   after the inner step, on steps t with t mod k = 0:
//                   Ranger:    φ ← lerp(φ, w, α) (torch's lerp);  w ← φ
//                   Ranger21:  w ← lerp(w, φ, 1 − α);  φ ← w   (lookahead_params, every
//                              lookahead_merge_time steps; the same point, rounded another way)
//
// The means are (1/L)·G·J with J an L × L matrix of ones (L = the product of the dims after the
// first): the engine's gemm. Lion's use_gc takes the same means (CentralizationMeans).

/// pytorch_optimizer centralize_gradient's means for one tensor: the mean over every dim but the
/// first, broadcast back to the tensor's shape (a vector: its whole mean, a shape the library never
/// centralizes — only a known-wrong variant asks for it).
final class CentralizationMeans<T: DescentFloat> {
    let count: Int, length: Int
    let means: Buffer<T>
    let ones: Buffer<T>

    /// nil for a tensor of `above` dims or fewer, or an empty one.
    init?(shape: [Int], above: Int) {
        let n = shape.reduce(1, *)
        guard shape.count > above, n > 0 else { return nil }
        (count, length) = shape.count > 1 ? (shape[0], n / shape[0]) : (1, n)
        means = Buffer<T>(zeros: n)
        ones = Buffer<T>(repeating: 1, count: length * length)
    }

    /// means ← (1/L)·G·J.
    func compute(_ g: Buffer<T>, engine: Engine) {
        engine.gemm(transA: false, transB: false, m: count, n: length, k: length, alpha: T(1) / T(length),
                    UnsafePointer(g.pointer), lda: length, UnsafePointer(ones.pointer), ldb: length, beta: 0,
                    means.pointer, ldc: length)
    }
}

/// An optimizer family whose gradients are centralized (pytorch_optimizer use_gc) first.
public struct CentralizedFamily: WrappingFamily {
    public var inner: any OptimizerFamily
    /// Tensors of more than this many dims are centralized (Ranger: 1, gc_conv_only: 3).
    public var above: Int

    public init(inner: any OptimizerFamily, above: Int) {
        self.inner = inner
        self.above = above
    }

    public var wrapped: any OptimizerFamily { inner }
    public func rewrapping(_ inner: any OptimizerFamily) -> any OptimizerFamily { CentralizedFamily(inner: inner, above: above) }
    public var familyName: String { inner.familyName }
    public var summary: String { "gradient centralization (tensors of > \(above) dims) → " + inner.summary }

    @_specialize(where T == Double) @_specialize(where T == Float)
    public func makeStepper<T: DescentFloat>(_: T.Type, shapes: [[Int]], engine: Engine) throws -> StepperBox<T> {
        StepperBox(CentralizedStepper(try inner.makeStepper(T.self, shapes: shapes, engine: engine),
                                      shapes.map { CentralizationMeans<T>(shape: $0, above: above) }, engine))
    }
}

final class CentralizedStepper<T: DescentFloat>: Stepper {
    let inner: StepperBox<T>
    let centralizers: [CentralizationMeans<T>?]
    let engine: Engine

    init(_ inner: StepperBox<T>, _ centralizers: [CentralizationMeans<T>?], _ engine: Engine) {
        self.inner = inner
        self.centralizers = centralizers
        self.engine = engine
    }

    func centralized(_ grads: [Buffer<T>]) -> [Buffer<T>] {
        zip(grads, centralizers).map { g, c in
            guard let c else { return g }
            c.compute(g, engine: engine)
            let out = g.clone()
            engine.axpy(-1, c.means, out)   // g + (−1)·mean = g − mean
            return out
        }
    }

    func step(params: [Buffer<T>], grads: [Buffer<T>], lr: Double) {
        inner.step(params, centralized(grads), lr)
    }

    var needsObjective: Bool { inner.needsObjective }
    var state: [(name: String, buffers: [Buffer<T>])] { inner.state() }
}

extension CentralizedStepper {
    func save() -> StepperState { inner.save() }
    func load(_ saved: StepperState) throws { try inner.load(saved) }
}

/// Lookahead's slow weights around an inner family (Ranger's k and alpha).
public struct LookaheadFamily: WrappingFamily {
    public var inner: any OptimizerFamily
    public var k: Int
    public var alpha: Double
    /// Ranger21's sync, w ← lerp(w, φ, 1 − α), φ ← w (false: Ranger's φ ← lerp(φ, w, α), w ← φ).
    public var lerpsFastWeights = false
    /// The slow weights' state name (Ranger slow_buffer, Ranger21 lookahead_params).
    public var stateName = "slow_buffer"
    /// Known-wrong forms: the weights never synced to the slow weights; the slow weights never
    /// moved (w ← lerp(φ₀, w, α), φ kept at the initial weights); α weighting the slow weights
    /// (w ← lerp(w, φ, α)) instead of the fast ones; the sync counted one step early
    /// ((t − 1) mod k = 0: steps 1, k + 1, …).
    public var syncs = true
    public var keepsSlow = true
    public var alphaTowardSlow = false
    public var countedBefore = false

    public init(inner: any OptimizerFamily, k: Int, alpha: Double) {
        self.inner = inner
        self.k = k
        self.alpha = alpha
    }

    public var wrapped: any OptimizerFamily { inner }
    public func rewrapping(_ inner: any OptimizerFamily) -> any OptimizerFamily {
        var f = self
        f.inner = inner
        return f
    }
    public var familyName: String { inner.familyName }
    public var summary: String {
        var s = syncs ? "lookahead k \(k), alpha \(alpha)" : "no lookahead sync"
        if !keepsSlow { s += " (slow weights never updated)" }
        if alphaTowardSlow { s += " (alpha toward the slow weights)" }
        if countedBefore { s += " (synced at (t − 1) mod k = 0)" }
        return s + " → " + inner.summary
    }

    @_specialize(where T == Double) @_specialize(where T == Float)
    public func makeStepper<T: DescentFloat>(_: T.Type, shapes: [[Int]], engine: Engine) throws -> StepperBox<T> {
        StepperBox(LookaheadStepper(try inner.makeStepper(T.self, shapes: shapes, engine: engine), self, shapes: shapes, engine: engine))
    }
}

/// The sync: s0 = the slow weights φ ← lerp(φ, w, weight) (fromFast: lerp(w, φ, weight)), w ← φ
/// (`keep` false: φ left as it was).
public struct LookaheadKernel<Scalar: DescentFloat>: ElementwiseKernel {
    @usableFromInline var weight: Scalar
    @usableFromInline var keep, fromFast: Bool
    @inlinable public var slotCount: Int { 1 }

    @inlinable @inline(__always)
    public func apply<L: Lane>(_ p: inout L, _ g: L, _ s: inout Slots<L>) where L.Scalar == Scalar {
        let mixed = fromFast ? torchLerp(p, s.s0, weight) : torchLerp(s.s0, p, weight)
        if keep { s.s0 = mixed }
        p = mixed
    }
}

final class LookaheadStepper<T: DescentFloat>: Stepper {
    let inner: StepperBox<T>
    let config: LookaheadFamily
    let engine: Engine
    let slow: [Buffer<T>]
    var t = 0
    /// Per tensor: whether its slow weights were taken (at its first step, as the library clones
    /// p when the tensor's state is first made; a tensor whose gradient starts late starts late).
    var initialized: [Bool]

    init(_ inner: StepperBox<T>, _ config: LookaheadFamily, shapes: [[Int]], engine: Engine) {
        self.inner = inner
        self.config = config
        self.engine = engine
        slow = .zeros(like: shapes)
        initialized = shapes.map { _ in false }
    }

    func step(params: [Buffer<T>], grads: [Buffer<T>], lr: Double) {
        for i in slow.indices where !initialized[i] {
            slow[i].copy(from: params[i])
            initialized[i] = true
        }
        inner.step(params, grads, lr)
        t += 1
        let c = config
        guard c.syncs, (t - (c.countedBefore ? 1 : 0)) % c.k == 0 else { return }
        // α toward the slow weights (a variant) is the other end's weight: 1 − w.
        let w = c.lerpsFastWeights ? 1 - c.alpha : c.alpha
        engine.map(LookaheadKernel<T>(weight: T(c.alphaTowardSlow ? 1 - w : w), keep: c.keepsSlow, fromFast: c.lerpsFastWeights),
                   params, grads, [slow])
    }

    var needsObjective: Bool { inner.needsObjective }
    var state: [(name: String, buffers: [Buffer<T>])] { inner.state() + [(config.stateName, slow)] }
}

extension LookaheadStepper {
    func save() -> StepperState {
        var s = inner.save()
        s.buffers.append((config.stateName, slow.map(\.doubles)))
        s.add(perTensor: initialized.map { T($0 ? 1 : 0) }, as: "lookahead_initialized")
        s.scalars.append(("lookahead_step", Double(t)))
        return s
    }
    func load(_ saved: StepperState) throws {
        var rest = saved
        rest.buffers.removeAll { $0.name == self.config.stateName || $0.name == "lookahead_initialized" }
        rest.scalars.removeAll { $0.name == "lookahead_step" }
        try inner.load(rest)
        try saved.restore(into: [(config.stateName, slow)])
        t = try saved.count("lookahead_step")
        // A state saved without the flags (made elsewhere) holds slow weights already taken.
        let flags: [T] = saved.values("lookahead_initialized") == nil
            ? initialized.map { _ in 1 } : try saved.perTensor("lookahead_initialized", count: initialized.count)
        initialized = flags.map { $0 != 0 }
    }
}
