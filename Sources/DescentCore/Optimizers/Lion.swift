// Lion.swift — Lion (Chen et al. 2023, "Symbolic Discovery of Optimization Algorithms"), the
// paper's two-beta update, as optax.lion, lion_pytorch.Lion and pytorch_optimizer.Lion compute it.
// Element-wise, with m₀ = 0:
//
//   g ← −g                               if maximize (pytorch_optimizer)
//   g ← g + λ·w                          coupled decay (pytorch_optimizer weight_decouple=False)
//   w ← w·(1 − κ)                        decoupled decay, κ = lr·λ | λ (fixed_decay) | lr·λ/lr₀ (lion-pytorch
//                                        decoupled_weight_decay, lr₀ = the constructor's lr)
//   c = β₁·m + (1−β₁)·g
//   w ← w − lr·sign(c)                   (sign(0) = 0: such elements only decay)
//   m ← β₂·m + (1−β₂)·g
//
// The forms are the same equations in each library's operation order and state name:
//   optax              u = sign(c) + λ·w (masked per tensor);  w ← w + (−lr)·u               mu
//   lion_pytorch       w ← w·(1 − lr·λ);  w ← w + (−lr)·sign(m·β₁ + (1−β₁)·g)                exp_avg
//   pytorch_optimizer  as lion_pytorch, with c = lerp(m, g, 1−β₁) and m ← lerp(m, g, 1−β₂)      exp_avg
//
// pytorch_optimizer's group options (per-parameter path):
//   use_gc:                         g ← g − mean of g over all axes but the first (tensors with ndim > 1),
//                                   after maximize and before the decay
//   adanorm (r = adanorm_r, 0.95):  e ← r·e + (1−r)·‖g‖ per tensor (e₀ = 0); the MOMENTUM takes
//                                   g·e/‖g‖ when ‖g‖ > 0 and e > ‖g‖ (c still takes g)
//   cautious:                       sign(c) ← sign(c)·[sign(c)·g > 0]·N/(S + 1), S = how many of the
//                                   tensor's N elements agree
//
// Not to be confused with the one-beta sign form of some lecture slides (m ← β·m + (1−β)·g;
// w ← w − lr·sign(m)): that is signSGD with momentum, a different algorithm (it equals Lion only
// when β₁ = β₂).

/// How weight decay enters Lion.
public enum LionDecay: Sendable, Equatable {
    case none
    /// g ← g + λ·w before c and the momentum (pytorch_optimizer `weight_decouple=False`).
    case coupled(Double)
    /// w ← w − lr·λ·w_before, with the lr in force (optax, lion_pytorch, pytorch_optimizer).
    case decoupled(Double)
    /// w ← w − λ·w_before, not scaled by the lr (pytorch_optimizer `fixed_decay`).
    case fixed(Double)
    /// w ← w − (lr/lr₀)·λ·w_before: λ divided by the initial lr (lion_pytorch `decoupled_weight_decay`).
    case relative(Double, initialLR: Double)

    var summary: String {
        switch self {
        case .none: return "no decay"
        case let .coupled(l): return "coupled decay \(l) (added to the gradient)"
        case let .decoupled(l): return "decoupled decay \(l) × lr"
        case let .fixed(l): return "decoupled decay \(l) (not × lr)"
        case let .relative(l, lr0): return "decoupled decay \(l) × lr / \(lr0)"
        }
    }
}

extension LionDecay {
    /// pytorch_optimizer's apply_weight_decay (weight_decay, weight_decouple, fixed_decay): none at
    /// 0, else added to the gradient, or w·(1 − λ) with fixed_decay, or w·(1 − lr·λ).
    static func pytorchOptimizer(_ wd: Double, decouple: Bool, fixed: Bool) -> LionDecay {
        wd == 0 ? .none : !decouple ? .coupled(wd) : fixed ? .fixed(wd) : .decoupled(wd)
    }

    /// (λ added to the gradient, the factor w is multiplied by before the step, λ of λ·w added to
    /// the update) at learning rate lr; `.decoupled` is added to the update when `addedToUpdate`
    /// (optax), else w·(1 − lr·λ).
    func parts(lr: Double, addedToUpdate: Bool) -> (coupled: Double, factor: Double, added: Double) {
        switch self {
        case .none: return (0, 1, 0)
        case let .coupled(l): return (l, 1, 0)
        case let .decoupled(l): return addedToUpdate ? (0, 1, l) : (0, 1 - l * lr, 0)
        case let .fixed(l): return (0, 1 - l, 0)
        case let .relative(l, lr0): return (0, 1 - lr * (l / lr0), 0)
        }
    }
}

public struct LionFamily: OptimizerFamily {
    /// Whose operation order and state name (the math is the same).
    public enum Form: String, Sendable {
        case optax, lionPytorch = "lion_pytorch", pytorchOptimizer = "pytorch_optimizer"
    }

    public var form: Form
    public var beta1 = 0.9
    public var beta2 = 0.99
    public var decay: LionDecay = .none
    /// Per tensor: whether decoupled decay applies (optax `mask`); nil = every tensor.
    public var decayMask: [Bool]? = nil
    public var maximize = false
    /// pytorch_optimizer `adanorm` with its `adanorm_r`; nil = off.
    public var adaNorm: Double? = nil
    /// pytorch_optimizer `cautious`.
    public var cautious = false
    /// pytorch_optimizer `use_gc` (gradient centralization).
    public var centralize = false

    public init(form: Form) { self.form = form }

    public var familyName: String { "Lion" }
    public var summary: String {
        var parts = ["\(form.rawValue) form", "betas (\(beta1), \(beta2))", decay.summary]
        if let m = decayMask { parts.append("decay mask \(m)") }
        if maximize { parts.append("maximize") }
        if let r = adaNorm { parts.append("adanorm r \(r)") }
        if cautious { parts.append("cautious") }
        if centralize { parts.append("gradient centralization") }
        return parts.joined(separator: ", ")
    }

    @_specialize(where T == Double) @_specialize(where T == Float)
    public func makeStepper<T: DescentFloat>(_: T.Type, shapes: [[Int]], engine: Engine) throws -> StepperBox<T> {
        try requireDecayMask(decayMask, matches: shapes)
        return StepperBox(LionStepper<T>(self, shapes: shapes, engine: engine))
    }

    /// The kernel at learning rate `lr` for a tensor that is (or is not) decayed.
    func kernel<T: DescentFloat>(lr: Double, decayed: Bool) -> LionKernel<T> {
        let (coupled, factor, added) = (decayed ? decay : LionDecay.none).parts(lr: lr, addedToUpdate: form == .optax)
        return LionKernel<T>(lerp: form == .pytorchOptimizer, maximize: maximize, coupled: T(coupled),
                             decayFactor: T(factor), addedDecay: T(added),
                             beta1: T(beta1), oneMinusBeta1: T(1 - beta1), beta2: T(beta2), oneMinusBeta2: T(1 - beta2),
                             negLr: T(-lr), cautiousScale: 0, adaNorm: nil)
    }
}

/// One Lion step for one tensor. Slots: s0 = m; s1 = the gradient's row means (centralized only).
public struct LionKernel<Scalar: DescentFloat>: ElementwiseKernel {
    @usableFromInline var lerp, maximize: Bool
    @usableFromInline var coupled, decayFactor, addedDecay: Scalar
    @usableFromInline var beta1, oneMinusBeta1, beta2, oneMinusBeta2, negLr: Scalar
    /// cautious: N/(S + 1) (0 = off).
    @usableFromInline var cautiousScale: Scalar
    /// adanorm: the momentum takes d·e/‖d‖ (nil = d).
    @usableFromInline var adaNorm: (e: Scalar, norm: Scalar)?
    /// use_gc on this tensor: g ← g − (its row mean, in slot s1).
    @usableFromInline var centered = false
    @inlinable public var slotCount: Int { centered ? 2 : 1 }

    /// The gradient as the library prepares it: maximize, centralization, then coupled decay.
    /// (−g) − mean(−g) = −(g − mean(g)) exactly, so the mean is taken of the raw gradient.
    @inlinable @inline(__always)
    func prepared<L: Lane>(_ p: L, _ g: L, _ mean: L) -> L where L.Scalar == Scalar {
        let c = centered ? g - mean : g
        let d = maximize ? -c : c
        return coupled != 0 ? d + L(repeating: coupled) * p : d
    }

    @inlinable @inline(__always)
    func interpolation<L: Lane>(_ m: L, _ d: L) -> L where L.Scalar == Scalar {
        lerp ? torchLerp(m, d, oneMinusBeta1) : L(repeating: oneMinusBeta1) * d + L(repeating: beta1) * m
    }

    @inlinable @inline(__always)
    public func apply<L: Lane>(_ p: inout L, _ g: L, _ s: inout Slots<L>) where L.Scalar == Scalar {
        let d = prepared(p, g, s.s1)
        if decayFactor != 1 { p = p * L(repeating: decayFactor) }
        var u = interpolation(s.s0, d).signum
        if cautiousScale != 0 { u = u * (L.maxNaN((u * d).signum, L(repeating: 0)) * L(repeating: cautiousScale)) }
        if addedDecay != 0 { u = u + L(repeating: addedDecay) * p }
        p = p + L(repeating: negLr) * u
        let dm = adaNorm.map { d * L(repeating: $0.e) / L(repeating: $0.norm) } ?? d
        s.s0 = lerp ? torchLerp(s.s0, dm, oneMinusBeta2)
                    : L(repeating: oneMinusBeta2) * dm + L(repeating: beta2) * s.s0
    }
}

/// A scratch pass for pytorch_optimizer's options (p and m unchanged): the scratch slot ← the
/// prepared gradient (adanorm's norm), or ← [sign(c)·d > 0] (cautious's count).
/// Slots: s0 = m, s1 = row means (centralized only), last = scratch.
public struct LionScratchKernel<Scalar: DescentFloat>: ElementwiseKernel {
    @usableFromInline var base: LionKernel<Scalar>
    @usableFromInline var agreement: Bool
    @inlinable public var slotCount: Int { base.centered ? 3 : 2 }

    @inlinable @inline(__always)
    public func apply<L: Lane>(_ p: inout L, _ g: L, _ s: inout Slots<L>) where L.Scalar == Scalar {
        let d = base.prepared(p, g, s.s1)
        let x = agreement ? L.maxNaN((base.interpolation(s.s0, d).signum * d).signum, L(repeating: 0)) : d
        if base.centered { s.s2 = x } else { s.s1 = x }
    }
}

final class LionStepper<T: DescentFloat>: Stepper {
    let config: LionFamily
    let engine: Engine
    let m: [Buffer<T>]
    /// Workspace for adanorm's and cautious's per-tensor reductions.
    let scratch: [Buffer<T>]
    /// adanorm's running gradient norm e per tensor (torch: a float tensor of the parameters' dtype).
    var adaNormE: [T]
    /// use_gc: per tensor with ndim > 1, the row means broadcast to the tensor's shape (Lookahead.swift).
    let centralizers: [CentralizationMeans<T>?]
    var steps = 0

    init(_ config: LionFamily, shapes: [[Int]], engine: Engine) {
        self.config = config
        self.engine = engine
        m = .zeros(like: shapes)
        scratch = config.adaNorm != nil || config.cautious ? .zeros(like: shapes) : []
        adaNormE = Array(repeating: 0, count: shapes.count)
        centralizers = shapes.map { config.centralize ? CentralizationMeans<T>(shape: $0, above: 1) : nil }
    }

    func step(params: [Buffer<T>], grads: [Buffer<T>], lr: Double) {
        let decayed: LionKernel<T> = config.kernel(lr: lr, decayed: true)
        let plain: LionKernel<T> = config.kernel(lr: lr, decayed: false)
        for i in params.indices {
            var k = (config.decayMask?[i] ?? true) ? decayed : plain
            var slots = [m[i]]
            if let c = centralizers[i] {
                // Row means of the raw gradient, broadcast along each row: (1/length)·G·J.
                c.compute(grads[i], engine: engine)
                k.centered = true
                slots.append(c.means)
            }
            if let r = config.adaNorm {
                engine.map(LionScratchKernel(base: k, agreement: false), params[i], grads[i], slots + [scratch[i]])
                let norm = engine.norm(scratch[i])
                adaNormE[i] = adaNormE[i] * T(r) + T(1 - r) * norm
                if norm > 0 && adaNormE[i] > norm { k.adaNorm = (adaNormE[i], norm) }
            }
            if config.cautious {
                engine.map(LionScratchKernel(base: k, agreement: true), params[i], grads[i], slots + [scratch[i]])
                let agreeing = Double(engine.dot(scratch[i], scratch[i]))
                k.cautiousScale = T(Double(params[i].count) / (agreeing + 1))
            }
            engine.map(k, params[i], grads[i], slots)
        }
        steps += 1
    }

    var state: [(name: String, buffers: [Buffer<T>])] {
        [(config.form == .optax ? "mu" : "exp_avg", m)]
    }
}

extension LionStepper {
    func save() -> StepperState {
        var s = StepperState(buffers: state, scalars: [("step", Double(steps))])
        if config.adaNorm != nil { s.add(perTensor: adaNormE, as: "exp_grad_norm") }
        return s
    }
    func load(_ saved: StepperState) throws {
        try saved.restore(into: state)
        steps = try saved.count()
        if config.adaNorm != nil { adaNormE = try saved.perTensor("exp_grad_norm", count: adaNormE.count) }
    }
}
