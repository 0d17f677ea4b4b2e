// LARS.swift — LARS (You et al. 2017) as optax.lars and pytorch_optimizer.LARS compute it: SGD with
// momentum whose update is rescaled per tensor by a trust ratio. Element-wise within a tensor,
// norms per tensor, buffer b₀ = 0:
//
//   g ← −g                                   if maximize (pytorch_optimizer)
//   x = g + λ·w                              where decay applies (optax weight_decay_mask; pytorch_optimizer:
//                                            tensors with ndim > 1 only)
//   r = tc·‖w‖ / (D + ε),  r = 1 if ‖w‖ = 0 or D = 0          where the ratio applies (optax trust_ratio_mask;
//        D = ‖g + λ·w‖ (optax)  |  ‖g‖ + λ·‖w‖ (pytorch_optimizer)     pytorch_optimizer: ndim > 1 only)
//   x ← r·x
//   lr inside the momentum (optax: scale_by_learning_rate, then trace):
//     x ← −lr·x;  b ← x + μ·b;  w ← w + (nesterov ? x + μ·b : b)
//   lr outside (pytorch_optimizer):
//     b ← μ·b + (1 − dampening)·x;  w ← w − lr·(nesterov ? x + μ·b : b)      (μ = 0: w ← w − lr·x, no buffer)

public struct LARSFamily: OptimizerFamily {
    /// Whose operation order and buffer name.
    public enum Form: String, Sendable {
        case optax, pytorchOptimizer = "pytorch_optimizer"
    }

    /// The trust ratio's denominator D.
    public enum Denominator: String, Sendable {
        /// ‖g + λ·w‖ (+ ε): the norm of the decayed update (optax).
        case updateNorm
        /// ‖g‖ + λ·‖w‖: the paper's form (pytorch_optimizer).
        case gradNormPlusDecay
    }

    public var form: Form
    public var weightDecay = 0.0
    public var trustCoefficient = 0.001
    /// ε in the ratio's denominator (optax `eps`).
    public var eps = 0.0
    public var denominator: Denominator
    /// Per tensor: decay applies (optax `weight_decay_mask`); nil = every tensor.
    public var decayMask: [Bool]? = nil
    /// false: no tensor is rescaled (optax `trust_ratio_mask=False`).
    public var trustRatio = true
    /// Per tensor: the ratio applies (optax `trust_ratio_mask`); nil = every tensor.
    public var trustMask: [Bool]? = nil
    /// Tensors with ndim ≤ 1 get neither decay nor ratio (pytorch_optimizer).
    public var excludeVectors = false
    /// The lr scales the update before the momentum buffer (optax) instead of after it.
    public var lrInsideMomentum: Bool
    public var momentum = 0.9
    public var dampening = 0.0
    public var nesterov = false
    public var maximize = false

    public init(form: Form, denominator: Denominator, lrInsideMomentum: Bool) {
        self.form = form
        self.denominator = denominator
        self.lrInsideMomentum = lrInsideMomentum
    }

    public var familyName: String { "LARS" }
    public var summary: String {
        var parts = ["\(form.rawValue) form"]
        parts.append(!trustRatio ? "no trust ratio" : "trust coefficient \(trustCoefficient), " +
                     (denominator == .updateNorm ? "ratio over ‖g + λw‖ + \(eps)" : "ratio over ‖g‖ + λ‖w‖ + \(eps)"))
        if weightDecay != 0 { parts.append("decay \(weightDecay)") }
        if let m = decayMask { parts.append("decay mask \(m)") }
        if let m = trustMask { parts.append("ratio mask \(m)") }
        if excludeVectors { parts.append("1-D tensors excluded") }
        parts.append(momentum == 0 ? "no momentum" : "momentum \(momentum)")
        if momentum != 0 {
            if dampening != 0 { parts.append("dampening \(dampening)") }
            if nesterov { parts.append("nesterov") }
        }
        parts.append(lrInsideMomentum ? "lr inside momentum" : "lr outside momentum")
        if maximize { parts.append("maximize") }
        return parts.joined(separator: ", ")
    }

    @_specialize(where T == Double) @_specialize(where T == Float)
    public func makeStepper<T: DescentFloat>(_: T.Type, shapes: [[Int]], engine: Engine) throws -> StepperBox<T> {
        for (key, mask) in [("weight_decay_mask", decayMask), ("trust_ratio_mask", trustMask)] {
            if let mask, mask.count != shapes.count {
                throw DescentError.invalidInput(field: "hyperparameters.\(key)",
                                                message: "\(key) has \(mask.count) entries for \(shapes.count) tensors")
            }
        }
        return StepperBox(LARSStepper<T>(self, shapes: shapes, engine: engine))
    }
}

/// x = (−g if maximize, else g) + λ·w: the decayed update (written to s0 to take its norm).
public struct LARSDecayedKernel<Scalar: DescentFloat>: ElementwiseKernel {
    @usableFromInline var maximize: Bool
    @usableFromInline var decay: Scalar
    @inlinable public var slotCount: Int { 1 }

    @inlinable @inline(__always)
    public func apply<L: Lane>(_ p: inout L, _ g: L, _ s: inout Slots<L>) where L.Scalar == Scalar {
        let d = maximize ? -g : g
        s.s0 = decay != 0 ? d + L(repeating: decay) * p : d
    }
}

/// The step for one tensor: x = r·(g + λ·w), then momentum and lr. Slot s0 = the buffer (if any).
public struct LARSKernel<Scalar: DescentFloat>: ElementwiseKernel {
    @usableFromInline var maximize, lrInside, nesterov, scaled: Bool
    @usableFromInline var decay, ratio, momentum, oneMinusDampening, negLr: Scalar
    public var slotCount: Int

    @inlinable @inline(__always)
    public func apply<L: Lane>(_ p: inout L, _ g: L, _ s: inout Slots<L>) where L.Scalar == Scalar {
        var x = maximize ? -g : g
        if decay != 0 { x = x + L(repeating: decay) * p }
        if scaled { x = x * L(repeating: ratio) }
        if lrInside {
            x = x * L(repeating: negLr)
            s.s0 = x + L(repeating: momentum) * s.s0
            p = p + (nesterov ? x + L(repeating: momentum) * s.s0 : s.s0)
        } else if slotCount == 0 {
            p = p + L(repeating: negLr) * x
        } else {
            s.s0 = s.s0 * L(repeating: momentum) + L(repeating: oneMinusDampening) * x
            p = p + L(repeating: negLr) * (nesterov ? x + L(repeating: momentum) * s.s0 : s.s0)
        }
    }
}

final class LARSStepper<T: DescentFloat>: Stepper {
    let config: LARSFamily
    let engine: Engine
    let shapes: [[Int]]
    let buffer: [Buffer<T>]
    /// Workspace for ‖g + λ·w‖ (optax's denominator).
    let scratch: [Buffer<T>]
    var steps = 0

    init(_ config: LARSFamily, shapes: [[Int]], engine: Engine) {
        self.config = config
        self.engine = engine
        self.shapes = shapes
        let hasBuffer = config.lrInsideMomentum || config.momentum != 0
        buffer = hasBuffer ? .zeros(like: shapes) : []
        scratch = config.denominator == .updateNorm ? .zeros(like: shapes) : []
    }

    func step(params: [Buffer<T>], grads: [Buffer<T>], lr: Double) {
        let c = config
        for i in params.indices {
            let included = !(c.excludeVectors && shapes[i].count <= 1)
            let decay = included && (c.decayMask?[i] ?? true) ? c.weightDecay : 0
            let scaled = included && c.trustRatio && (c.trustMask?[i] ?? true)
            var ratio = 1.0
            if scaled {
                let wn = Double(engine.norm(params[i]))
                let d: Double
                switch c.denominator {
                case .updateNorm:
                    engine.map(LARSDecayedKernel<T>(maximize: c.maximize, decay: T(decay)), params[i], grads[i], [scratch[i]])
                    d = Double(engine.norm(scratch[i]))
                case .gradNormPlusDecay:
                    d = Double(engine.norm(grads[i])) + decay * wn
                }
                ratio = wn == 0 || d == 0 ? 1 : c.trustCoefficient * wn / (d + c.eps)
            }
            let k = LARSKernel<T>(maximize: c.maximize, lrInside: c.lrInsideMomentum, nesterov: c.nesterov, scaled: scaled,
                                  decay: T(decay), ratio: T(ratio), momentum: T(c.momentum),
                                  oneMinusDampening: T(1 - c.dampening), negLr: T(-lr), slotCount: buffer.isEmpty ? 0 : 1)
            engine.map(k, params[i], grads[i], buffer.isEmpty ? [] : [buffer[i]])
        }
        steps += 1
    }

    var state: [(name: String, buffers: [Buffer<T>])] {
        buffer.isEmpty ? [] : [(config.form == .optax ? "trace" : "momentum_buffer", buffer)]
    }
}

extension LARSStepper {
    func save() -> StepperState { StepperState(buffers: state, scalars: [("step", Double(steps))]) }
    func load(_ saved: StepperState) throws { try saved.restore(into: state); steps = try saved.count() }
}
