// COCOB.swift — COntinuous COin Betting, the backprop variant (Orabona & Tommasi, 2017, "Training
// Deep Networks without Learning Rates Through Coin Betting", Algorithm 2), as optax.contrib.cocob
// computes it (optax 0.2.8, contrib/_cocob.py: add_decayed_weights(weight_decay, mask), then
// scale_by_learning_rate(learning_rate, flip_sign=False), then scale_by_cocob). Element-wise;
// w₀ = the initial parameters:
//
//   c  = lr·(g + λ·w)              (the learning rate scales the GRADIENT, with a + sign)
//   L ← max(L, |c|)                (L starts at eps)
//   G ← G + |c|
//   R ← max(R − c·(w − w₀), 0)     (the reward)
//   C ← C − c
//   u  = −w + (w₀ + C/(L·max(G + L, alpha·L))·(L + R));   w ← w + u
//
// State names optax's: init_particles, cumulative_gradients, scale, subgradients, reward. Five
// buffers per tensor: the step runs three passes (c into a scratch buffer and C; L, G, R; the
// parameters, the kernel's gradient input carrying w₀).

public struct COCOBFamily: OptimizerFamily {
    public var alpha = 100.0
    public var eps = 1e-8
    public var weightDecay = 0.0
    /// Per tensor: the decay applies (optax `mask`); nil = every tensor.
    public var decayMask: [Bool]? = nil
    /// A known-wrong variant's knob: the reward moved the wrong way, R ← max(R + c·(w − w₀), 0).
    public var rewardSignFlipped = false
    /// A known-wrong variant's knob: R not clamped at 0.
    public var rewardUnclamped = false
    /// A known-wrong variant's knob: the learning rate scales the update (w ← w + lr·u) instead of
    /// the gradient.
    public var lrOnUpdate = false

    public init() {}

    public var familyName: String { "COCOB" }
    public var summary: String {
        var s = "optax form, alpha \(alpha), eps \(eps)"
        if weightDecay != 0 { s += ", decay \(weightDecay) in front" }
        if let m = decayMask { s += ", decay mask \(m)" }
        if rewardSignFlipped { s += ", reward sign flipped" }
        if rewardUnclamped { s += ", reward not clamped at 0" }
        if lrOnUpdate { s += ", lr on the update" }
        return s
    }

    @_specialize(where T == Double) @_specialize(where T == Float)
    public func makeStepper<T: DescentFloat>(_: T.Type, shapes: [[Int]], engine: Engine) throws -> StepperBox<T> {
        try requireDecayMask(decayMask, matches: shapes)
        return StepperBox(COCOBStepper<T>(self, shapes: shapes, engine: engine))
    }
}

/// A COCOB pass. `.gradient`: slots s0 = c (written), s1 = C. `.statistics` (the gradient input
/// is c): slots s0 = init_particles, s1 = scale, s2 = subgradients, s3 = reward. `.step` (the
/// gradient input is init_particles): slots s0 = C, s1 = scale, s2 = subgradients, s3 = reward.
public struct COCOBKernel<Scalar: DescentFloat>: ElementwiseKernel {
    public enum Pass: Sendable { case gradient, statistics, step }
    @usableFromInline var pass: Pass
    @usableFromInline var decay, lr, alpha, stepScale: Scalar
    @usableFromInline var flipped, unclamped: Bool
    public var slotCount: Int

    @inlinable @inline(__always)
    public func apply<L: Lane>(_ p: inout L, _ g: L, _ s: inout Slots<L>) where L.Scalar == Scalar {
        switch pass {
        case .gradient:
            let d = decay != 0 ? g + L(repeating: decay) * p : g
            s.s0 = L(repeating: lr) * d
            s.s1 = s.s1 - s.s0
        case .statistics:
            s.s1 = L.maxNaN(s.s1, g.absolute)
            s.s2 = s.s2 + g.absolute
            let bet = g * (p - s.s0)
            let r = flipped ? s.s3 + bet : s.s3 - bet
            s.s3 = unclamped ? r : L.maxNaN(r, L(repeating: 0))
        case .step:
            let scale = s.s1
            let u = -p + (g + s.s0 / (scale * L.maxNaN(s.s2 + scale, L(repeating: alpha) * scale)) * (scale + s.s3))
            p = p + (stepScale != 1 ? L(repeating: stepScale) * u : u)
        }
    }
}

final class COCOBStepper<T: DescentFloat>: Stepper {
    let config: COCOBFamily
    let engine: Engine
    let p0: [Buffer<T>], cumulative: [Buffer<T>], scale: [Buffer<T>], subgradients: [Buffer<T>], reward: [Buffer<T>]
    let scratch: [Buffer<T>]
    var steps = 0

    init(_ config: COCOBFamily, shapes: [[Int]], engine: Engine) {
        self.config = config
        self.engine = engine
        p0 = .zeros(like: shapes)
        cumulative = .zeros(like: shapes)
        scale = .zeros(like: shapes)
        subgradients = .zeros(like: shapes)
        reward = .zeros(like: shapes)
        scratch = .zeros(like: shapes)
        for b in scale { for i in 0..<b.count { b[i] = T(config.eps) } }   // optax: eps·ones
    }

    func step(params: [Buffer<T>], grads: [Buffer<T>], lr: Double) {
        let c = config
        if steps == 0 { for i in params.indices { p0[i].copy(from: params[i]) } }
        let gradLR = T(c.lrOnUpdate ? 1 : lr)
        let base = COCOBKernel<T>(pass: .gradient, decay: T(c.weightDecay), lr: gradLR, alpha: T(c.alpha), stepScale: 1,
                                  flipped: c.rewardSignFlipped, unclamped: c.rewardUnclamped, slotCount: 2)
        var plain = base
        plain.decay = 0
        engine.map(perTensor: { (c.decayMask?[$0] ?? true) ? base : plain }, params, grads, [scratch, cumulative])
        var stats = base
        stats.pass = .statistics
        stats.slotCount = 4
        engine.map(stats, params, scratch, [p0, scale, subgradients, reward])
        var update = stats
        update.pass = .step
        update.stepScale = T(c.lrOnUpdate ? lr : 1)
        engine.map(update, params, p0, [cumulative, scale, subgradients, reward])
        steps += 1
    }

    var state: [(name: String, buffers: [Buffer<T>])] {
        [("init_particles", p0), ("cumulative_gradients", cumulative), ("scale", scale), ("subgradients", subgradients),
         ("reward", reward)]
    }
}

extension COCOBStepper {
    func save() -> StepperState { StepperState(buffers: state, scalars: [("step", Double(steps))]) }
    func load(_ saved: StepperState) throws { try saved.restore(into: state); steps = try saved.count() }
}
