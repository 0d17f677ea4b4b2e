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

    public init(form: Form) { self.form = form }

    public var familyName: String { "Lion" }
    public var summary: String {
        var parts = ["\(form.rawValue) form", "betas (\(beta1), \(beta2))", decay.summary]
        if let m = decayMask { parts.append("decay mask \(m)") }
        if maximize { parts.append("maximize") }
        return parts.joined(separator: ", ")
    }

    public func makeStepper(dtype: DType, shapes: [[Int]], engine: Engine) throws -> AnyStepper {
        if let mask = decayMask, mask.count != shapes.count {
            throw DescentError.invalidInput(field: "hyperparameters.mask",
                                            message: "mask has \(mask.count) entries for \(shapes.count) tensors")
        }
        switch dtype {
        case .float64: return AnyStepper(LionStepper<Double>(self, shapes: shapes, engine: engine))
        case .float32: return AnyStepper(LionStepper<Float>(self, shapes: shapes, engine: engine))
        }
    }

    /// The kernel at learning rate `lr` for a tensor that is (or is not) decayed.
    func kernel<T: DescentFloat>(lr: Double, decayed: Bool) -> LionKernel<T> {
        var coupled = 0.0, factor = 1.0, added = 0.0
        if decayed {
            switch decay {
            case .none: break
            case let .coupled(l): coupled = l
            case let .decoupled(l):
                if form == .optax { added = l } else { factor = 1 - l * lr }
            case let .fixed(l): factor = 1 - l
            case let .relative(l, lr0): factor = 1 - lr * (l / lr0)
            }
        }
        return LionKernel<T>(lerp: form == .pytorchOptimizer, maximize: maximize, coupled: T(coupled),
                             decayFactor: T(factor), addedDecay: T(added),
                             beta1: T(beta1), oneMinusBeta1: T(1 - beta1), beta2: T(beta2), oneMinusBeta2: T(1 - beta2),
                             negLr: T(-lr))
    }
}

/// One Lion step for one tensor. Slot s0 = m.
struct LionKernel<Scalar: DescentFloat>: ElementwiseKernel {
    var lerp, maximize: Bool
    var coupled, decayFactor, addedDecay: Scalar
    var beta1, oneMinusBeta1, beta2, oneMinusBeta2, negLr: Scalar
    var slotCount: Int { 1 }

    @inline(__always)
    func apply<L: Lane>(_ p: inout L, _ g: L, _ s: inout Slots<L>) where L.Scalar == Scalar {
        var d = maximize ? -g : g
        if coupled != 0 { d = d + L(repeating: coupled) * p }
        if decayFactor != 1 { p = p * L(repeating: decayFactor) }
        let c = lerp ? torchLerp(s.s0, d, oneMinusBeta1)
                     : L(repeating: oneMinusBeta1) * d + L(repeating: beta1) * s.s0
        var u = c.signum
        if addedDecay != 0 { u = u + L(repeating: addedDecay) * p }
        p = p + L(repeating: negLr) * u
        s.s0 = lerp ? torchLerp(s.s0, d, oneMinusBeta2)
                    : L(repeating: oneMinusBeta2) * d + L(repeating: beta2) * s.s0
    }
}

final class LionStepper<T: DescentFloat>: Stepper {
    let config: LionFamily
    let engine: Engine
    let m: [Buffer<T>]

    init(_ config: LionFamily, shapes: [[Int]], engine: Engine) {
        self.config = config
        self.engine = engine
        m = .zeros(like: shapes)
    }

    func step(params: [Buffer<T>], grads: [Buffer<T>], lr: Double) {
        let decayed: LionKernel<T> = config.kernel(lr: lr, decayed: true)
        let plain: LionKernel<T> = config.kernel(lr: lr, decayed: false)
        for i in params.indices {
            let k = (config.decayMask?[i] ?? true) ? decayed : plain
            engine.map(k, params[i], grads[i], [m[i]])
        }
    }

    var state: [(name: String, buffers: [Buffer<T>])] {
        [(config.form == .optax ? "mu" : "exp_avg", m)]
    }
}
