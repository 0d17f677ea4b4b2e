// Adadelta.swift — unit-corrected step sizes from two running averages: torch.optim.Adadelta,
// optax.adadelta (add_decayed_weights → scale_by_adadelta → scale_by_learning_rate).
//
//   d ← −g if maximize;  d ← d + weight_decay·w          (L2, coupled)
//   v ← ρ·v + (1 − ρ)·d²
//   δ = √(u + eps) / √(v + eps) · d                      (u from the previous step)
//   u ← ρ·u + (1 − ρ)·δ²
//   w ← w − lr·δ
//   optax with learning_rate=None (its default): scale_by_learning_rate(None) is the identity — no
//   lr and no sign flip — so w ← w + δ; the optax convention expresses that as lr = −1.

public struct AdadeltaFamily: OptimizerFamily {
    public var rho: Double
    public var eps: Double
    public var weightDecay: Double
    /// Per-tensor: whether weight decay applies (optax weight_decay_mask); nil = all tensors.
    public var weightDecayMask: [Bool]?
    public var maximize: Bool
    /// The library's names for (v, u): torch ("square_avg", "acc_delta"), optax ("e_g", "e_x").
    public var stateNames: (String, String)

    public init(rho: Double = 0.9, eps: Double = 1e-6, weightDecay: Double = 0, weightDecayMask: [Bool]? = nil,
                maximize: Bool = false,
                stateNames: (String, String) = ("square_avg", "acc_delta")) {
        self.rho = rho
        self.eps = eps
        self.weightDecay = weightDecay
        self.weightDecayMask = weightDecayMask
        self.maximize = maximize
        self.stateNames = stateNames
    }

    public var familyName: String { "Adadelta" }
    public var summary: String {
        var s = "rho \(rho), eps \(eps)"
        if weightDecay != 0 { s += ", L2 decay \(weightDecay)\(weightDecayMask != nil ? " (masked)" : "")" }
        if maximize { s += ", maximize" }
        return s
    }

    @_specialize(where T == Double) @_specialize(where T == Float)
    public func makeStepper<T: DescentFloat>(_: T.Type, shapes: [[Int]], engine: Engine) throws -> StepperBox<T> {
        if let mask = weightDecayMask, mask.count != shapes.count {
            throw DescentError.invalidInput(field: "hyperparameters.weight_decay_mask",
                                            message: "has \(mask.count) entries for \(shapes.count) tensors")
        }
        return StepperBox(AdadeltaStepper<T>(self, shapes: shapes, engine: engine))
    }
}

/// Slots: 0 = v (running E[d²]), 1 = u (running E[δ²]).
public struct AdadeltaKernel<Scalar: DescentFloat>: ElementwiseKernel {
    @usableFromInline var lr: Scalar
    @usableFromInline var rho: Scalar
    @usableFromInline var keep: Scalar           // 1 − ρ
    @usableFromInline var eps: Scalar
    @usableFromInline var weightDecay: Scalar
    @usableFromInline var maximize: Bool
    @inlinable public var slotCount: Int { 2 }

    @inlinable @inline(__always)
    public func apply<L: Lane>(_ p: inout L, _ g: L, _ s: inout Slots<L>) where L.Scalar == Scalar {
        var d = maximize ? -g : g
        if weightDecay != 0 { d = d + L(repeating: weightDecay) * p }
        let r = L(repeating: rho), k = L(repeating: keep), e = L(repeating: eps)
        s.s0 = r * s.s0 + k * (d * d)
        let delta = (s.s1 + e).squareRoot() / (s.s0 + e).squareRoot() * d
        s.s1 = r * s.s1 + k * (delta * delta)
        p = p - L(repeating: lr) * delta
    }
}

final class AdadeltaStepper<T: DescentFloat>: Stepper {
    let config: AdadeltaFamily
    let engine: Engine
    let v: [Buffer<T>]
    let u: [Buffer<T>]
    var steps = 0

    init(_ config: AdadeltaFamily, shapes: [[Int]], engine: Engine) {
        self.config = config
        self.engine = engine
        v = .zeros(like: shapes)
        u = .zeros(like: shapes)
    }

    func step(params: [Buffer<T>], grads: [Buffer<T>], lr: Double) {
        let c = config
        engine.map(perTensor: { i in
            let decays = c.weightDecayMask.map { $0[i] } ?? true
            return AdadeltaKernel<T>(lr: T(lr), rho: T(c.rho), keep: T(1 - c.rho), eps: T(c.eps),
                                     weightDecay: decays ? T(c.weightDecay) : 0, maximize: c.maximize)
        }, params, grads, [v, u])
        steps += 1
    }

    var state: [(name: String, buffers: [Buffer<T>])] { [(config.stateNames.0, v), (config.stateNames.1, u)] }
}

extension AdadeltaStepper {
    func save() -> StepperState { StepperState(buffers: state, scalars: [("step", Double(steps))]) }
    func load(_ saved: StepperState) throws { try saved.restore(into: state); steps = try saved.count() }
}
