// DoG.swift — distance-over-gradients step sizes: DoG (Ivgi et al., 2023, "DoG is SGD's Best
// Friend") and DoWG (Khaled et al., 2023, "DoWG Unleashed"), as optax.contrib.dog / dowg compute
// them (optax 0.2.8, contrib/_dog.py: add_decayed_weights(weight_decay, mask) when weight_decay is
// not None, then scale_by_dog / scale_by_dowg, then scale_by_learning_rate). x₀ = the initial
// parameters; every norm is ONE norm over all tensors (optax.tree.norm); scalars in the
// parameters' dtype; the max propagates NaN (jnp.maximum).
//
//   g  ← g + λ·w                                  (where the mask applies)
//   DoG:   r_eps = r                 init_step ("distance", r)
//                = α·(1 + ‖x₀‖)      init_step ("heuristic", α)   (‖x₀‖ over every tensor)
//                = 0                 init_step ("learning_rate", η₀)
//          r̄ ← max(r̄, ‖x₀ − w‖)      (r̄ = r_eps before the first step)
//          G ← G + ‖g‖²
//          η  = r̄/√(G + eps)         ("learning_rate": η₀ at the first step)
//   DoWG:  r̄² ← max(r̄², ‖x₀ − w‖²)   (init_estim_sq_dist, None = eps, before the first step)
//          v ← v + r̄²·‖g‖²
//          η  = r̄²/(√v + eps)
//   w ← w + (−lr)·(η·g)
//
// State names optax's: init_params; DoG's is_init_step, max_dist, sum_sq_norm_grads; DoWG's
// estim_sq_dist, weighted_sq_norm_grads.

public struct DoGFamily: OptimizerFamily {
    public enum Form: String, Sendable { case dog, dowg }
    public enum InitStep: Sendable, Equatable {
        case distance(Double), learningRate(Double), heuristic(Double)
    }

    public var form: Form
    /// DoG's init_step.
    public var initStep: InitStep = .heuristic(1e-6)
    /// DoWG's init_estim_sq_dist (nil: eps).
    public var initEstimSqDist: Double? = nil
    public var eps: Double
    /// add_decayed_weights in front (0: none).
    public var weightDecay = 0.0
    /// Per tensor: the decay applies (optax `mask`); nil = every tensor.
    public var decayMask: [Bool]? = nil
    /// A known-wrong variant's knob: every tensor its own distance, gradient sum and r_eps.
    public var perTensor = false
    /// A known-wrong variant's knob: the heuristic r_eps = α·(1 + ‖x₀‖²).
    public var rEpsSquaredNorm = false
    /// A known-wrong variant's knob: the current distance in place of the running max.
    public var currentDistance = false
    /// A known-wrong variant's knob: DoWG's η = r̄/(√v + eps) (the distance, not its square).
    public var dowgRootDistance = false

    public init(form: Form) {
        self.form = form
        eps = form == .dog ? 1e-8 : 1e-4
    }

    public var familyName: String { "DoG" }
    public var summary: String {
        var parts: [String] = [form == .dog ? "DoG η = r̄/√(G + eps)" : "DoWG η = r̄²/(√v + eps)", "eps \(eps)"]
        if form == .dog {
            switch initStep {
            case let .distance(r): parts.append("r_eps \(r)")
            case let .learningRate(l): parts.append("first η \(l)")
            case let .heuristic(a): parts.append("r_eps \(a)·(1 + ‖x₀‖)")
            }
        } else {
            parts.append("r̄² from \(initEstimSqDist.map { "\($0)" } ?? "eps")")
        }
        if weightDecay != 0 { parts.append("decay \(weightDecay) in front") }
        if let m = decayMask { parts.append("decay mask \(m)") }
        if perTensor { parts.append("per-tensor distances") }
        if rEpsSquaredNorm { parts.append("r_eps from ‖x₀‖²") }
        if currentDistance { parts.append("current distance, no running max") }
        if dowgRootDistance { parts.append("r̄ for r̄²") }
        return parts.joined(separator: ", ")
    }

    @_specialize(where T == Double) @_specialize(where T == Float)
    public func makeStepper<T: DescentFloat>(_: T.Type, shapes: [[Int]], engine: Engine) throws -> StepperBox<T> {
        try requireDecayMask(decayMask, matches: shapes)
        return StepperBox(DoGStepper<T>(self, shapes: shapes, engine: engine))
    }
}

/// A DoG pass. `statistics`: slots s0 = init_params, s1 = the decayed gradient (written),
/// s2 = x₀ − w (written); the parameters do not move. Otherwise slot s0 = the decayed gradient and
/// w ← w + negLr·(eta·g).
public struct DoGKernel<Scalar: DescentFloat>: ElementwiseKernel {
    @usableFromInline var statistics: Bool
    @usableFromInline var decay, eta, negLr: Scalar
    public var slotCount: Int

    @inlinable @inline(__always)
    public func apply<L: Lane>(_ p: inout L, _ g: L, _ s: inout Slots<L>) where L.Scalar == Scalar {
        if statistics {
            s.s1 = decay != 0 ? g + L(repeating: decay) * p : g
            s.s2 = s.s0 - p
            return
        }
        p = p + L(repeating: negLr) * (L(repeating: eta) * s.s0)
    }
}

final class DoGStepper<T: DescentFloat>: Stepper {
    let config: DoGFamily
    let engine: Engine
    let x0: [Buffer<T>], decayed: [Buffer<T>], diff: [Buffer<T>]
    let units: [[Int]]
    /// Per unit: DoG's max_dist and sum_sq_norm_grads; DoWG's estim_sq_dist and weighted_sq_norm_grads.
    var distance: [T], gradSum: [T]
    var isInitStep = true

    init(_ config: DoGFamily, shapes: [[Int]], engine: Engine) {
        self.config = config
        self.engine = engine
        x0 = .zeros(like: shapes)
        decayed = .zeros(like: shapes)
        diff = .zeros(like: shapes)
        units = config.perTensor ? shapes.indices.map { [$0] } : [Array(shapes.indices)]
        distance = Array(repeating: 0, count: units.count)
        gradSum = Array(repeating: 0, count: units.count)
    }

    /// optax's init: the parameters kept, and the initial distance in the parameters' dtype.
    private func initialize(_ params: [Buffer<T>]) {
        let c = config
        for i in params.indices { x0[i].copy(from: params[i]) }
        for (u, tensors) in units.enumerated() {
            switch c.form {
            case .dowg:
                distance[u] = T(c.initEstimSqDist ?? c.eps)
            case .dog:
                switch c.initStep {
                case let .distance(r): distance[u] = T(r)
                case .learningRate: distance[u] = 0
                case let .heuristic(a):
                    var sq: T = 0
                    for i in tensors { sq += engine.dot(params[i], params[i]) }
                    distance[u] = T(a) * (1 + (c.rEpsSquaredNorm ? sq : sq.squareRoot()))
                }
            }
        }
    }

    func step(params: [Buffer<T>], grads: [Buffer<T>], lr: Double) {
        let c = config
        if !initialized { initialize(params); initialized = true }
        let stats = DoGKernel<T>(statistics: true, decay: T(c.weightDecay), eta: 0, negLr: 0, slotCount: 3)
        var plain = stats
        plain.decay = 0
        engine.map(perTensor: { (c.decayMask?[$0] ?? true) ? stats : plain }, params, grads, [x0, decayed, diff])
        var etas = [T](repeating: 0, count: params.count)
        for (u, tensors) in units.enumerated() {
            var distSq: T = 0, gradSq: T = 0
            for i in tensors {
                distSq += engine.dot(diff[i], diff[i])
                gradSq += engine.dot(decayed[i], decayed[i])
            }
            let eta: T
            switch c.form {
            case .dog:
                let dist = distSq.squareRoot()
                distance[u] = c.currentDistance && !isInitStep ? dist : T.maxNaN(distance[u], dist)
                gradSum[u] = gradSum[u] + gradSq
                if case let .learningRate(l) = c.initStep, isInitStep {
                    eta = T(l)
                } else {
                    eta = distance[u] / (gradSum[u] + T(c.eps)).squareRoot()
                }
            case .dowg:
                distance[u] = c.currentDistance && !isInitStep ? distSq : T.maxNaN(distance[u], distSq)
                gradSum[u] = distance[u] * gradSq + gradSum[u]
                eta = (c.dowgRootDistance ? distance[u].squareRoot() : distance[u]) / (gradSum[u].squareRoot() + T(c.eps))
            }
            for i in tensors { etas[i] = eta }
        }
        let negLr = T(-lr)
        engine.map(perTensor: { DoGKernel<T>(statistics: false, decay: 0, eta: etas[$0], negLr: negLr, slotCount: 1) },
                   params, grads, [decayed])
        isInitStep = false
    }

    /// Whether init has run (at the first step, on the initial parameters; `load` sets it: the
    /// saved state carries init_params).
    var initialized = false

    var names: (distance: String, sum: String) {
        config.form == .dog ? ("max_dist", "sum_sq_norm_grads") : ("estim_sq_dist", "weighted_sq_norm_grads")
    }

    var state: [(name: String, buffers: [Buffer<T>])] { [("init_params", x0)] }
}

extension DoGStepper {
    func save() -> StepperState {
        var scalars: [(name: String, value: Double)] = units.count == 1
            ? [(names.distance, Double(distance[0])), (names.sum, Double(gradSum[0]))] : []
        if config.form == .dog { scalars.insert(("is_init_step", isInitStep ? 1 : 0), at: 0) }
        return StepperState(buffers: state, scalars: scalars)
    }

    func load(_ saved: StepperState) throws {
        guard units.count == 1 else { throw DescentError.unsupported("per-tensor DoG estimates are not saved") }
        try saved.restore(into: state)
        distance[0] = T(try saved.scalar(names.distance))
        gradSum[0] = T(try saved.scalar(names.sum))
        isInitStep = config.form == .dog ? try saved.scalar("is_init_step") != 0 : false
        initialized = true
    }
}
