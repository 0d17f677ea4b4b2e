// SGD.swift — stochastic gradient descent with momentum: one family for torch.optim.SGD,
// optax.sgd and the textbook sgd / momentum / momentum_ema / momentum_sum.
//
//   d ← −g if maximize;  d ← d + weight_decay·w                      (L2, coupled)
//   x ← lr·d if lr is inside the buffer, else d
//   b ← x                              on the first step, if the buffer starts at the gradient (torch)
//   b ← momentum·b + (1 − dampening)·x  otherwise (b₀ = 0)
//   δ ← x + momentum·b if nesterov, else b
//   w ← w − δ if lr is inside the buffer, else w − lr·δ
//
// torch SGD:            buffer starts at the gradient clone (not dampened), lr outside.
// optax sgd:            trace b ← g + μ·b from zero (dampening 0), lr outside (scale_by_learning_rate after).
// textbook momentum:    m ← μ·m − lr·g; w ← w + m  — lr inside; our b is −m (negation is exact).
// textbook momentum_ema: v ← β·v + (1−β)·g — dampening β, zero start; momentum_sum: dampening 0.
// momentum = 0 is plain SGD (no buffer).

public struct SGDFamily: OptimizerFamily {
    public var weightDecay: Double
    public var maximize: Bool
    public var momentum: Double
    public var dampening: Double
    public var nesterov: Bool
    /// The learning rate multiplies the gradient before it enters the buffer (textbook momentum).
    public var lrInsideBuffer: Bool
    /// The first step sets b ← x (torch's clone) instead of b ← momentum·0 + (1 − dampening)·x.
    public var bufferStartsAtGradient: Bool
    /// The library's name for the buffer ("momentum_buffer", "trace", "m", "v").
    public var bufferName: String
    /// The weight decay applied decoupled (w ← w·(1 − lr·λ) before the step, as SGDW does) instead
    /// of as L2 on the gradient (torch's `weight_decay`).
    public var decoupledDecay = false

    public init(weightDecay: Double = 0, maximize: Bool = false, momentum: Double = 0, dampening: Double = 0,
                nesterov: Bool = false, lrInsideBuffer: Bool = false, bufferStartsAtGradient: Bool = false,
                bufferName: String = "momentum_buffer") {
        self.weightDecay = weightDecay
        self.maximize = maximize
        self.momentum = momentum
        self.dampening = dampening
        self.nesterov = nesterov
        self.lrInsideBuffer = lrInsideBuffer
        self.bufferStartsAtGradient = bufferStartsAtGradient
        self.bufferName = bufferName
    }

    public var familyName: String { "SGD" }
    public var summary: String {
        var s = momentum == 0 ? "plain SGD" : "momentum \(momentum)"
        if momentum != 0 {
            if dampening != 0 { s += ", dampening \(dampening)" }
            if nesterov { s += ", nesterov" }
            s += lrInsideBuffer ? ", lr inside buffer" : ", lr outside buffer"
            s += bufferStartsAtGradient ? ", buffer starts at gradient" : ", buffer starts at 0"
        }
        if weightDecay != 0 { s += decoupledDecay ? ", decoupled decay \(weightDecay) × lr" : ", L2 decay \(weightDecay)" }
        if maximize { s += ", maximize" }
        return s
    }

    @_specialize(where T == Double) @_specialize(where T == Float)
    public func makeStepper<T: DescentFloat>(_: T.Type, shapes: [[Int]], engine: Engine) throws -> StepperBox<T> {
        return StepperBox(SGDStepper<T>(self, shapes: shapes, engine: engine))
    }
}

/// The element-wise update for one step. Slot 0 is the momentum buffer (when momentum ≠ 0).
public struct SGDKernel<Scalar: DescentFloat>: ElementwiseKernel {
    @usableFromInline var lr: Scalar
    @usableFromInline var weightDecay: Scalar
    @usableFromInline var maximize: Bool
    @usableFromInline var momentum: Scalar
    @usableFromInline var keep: Scalar            // 1 − dampening
    @usableFromInline var nesterov: Bool
    @usableFromInline var lrInside: Bool
    @usableFromInline var initialise: Bool        // this step sets b ← x
    @usableFromInline var decoupled = false       // w ← w·(1 − lr·λ) instead of g + λ·w
    @inlinable public var slotCount: Int { momentum != 0 ? 1 : 0 }

    @inlinable @inline(__always)
    public func apply<L: Lane>(_ p: inout L, _ g: L, _ s: inout Slots<L>) where L.Scalar == Scalar {
        var d = maximize ? -g : g
        if weightDecay != 0 {
            if decoupled { p = p * L(repeating: 1 - lr * weightDecay) } else { d = d + L(repeating: weightDecay) * p }
        }
        if momentum == 0 {
            p = p - L(repeating: lr) * d
            return
        }
        let mu = L(repeating: momentum)
        let x = lrInside ? L(repeating: lr) * d : d
        if initialise {
            s.s0 = x
        } else {
            s.s0 = keep == 1 ? mu * s.s0 + x : mu * s.s0 + L(repeating: keep) * x
        }
        let delta = nesterov ? x + mu * s.s0 : s.s0
        p = lrInside ? p - delta : p - L(repeating: lr) * delta
    }
}

final class SGDStepper<T: DescentFloat>: Stepper {
    let config: SGDFamily
    let engine: Engine
    let buffers: [Buffer<T>]
    var steps = 0

    init(_ config: SGDFamily, shapes: [[Int]], engine: Engine) {
        self.config = config
        self.engine = engine
        // T(momentum), not momentum: a momentum that underflows to 0 in float32 (1e-300) is no momentum
        // there, and the kernel (slotCount) must agree with the buffers.
        buffers = T(config.momentum) != 0 ? .zeros(like: shapes) : []
    }

    func step(params: [Buffer<T>], grads: [Buffer<T>], lr: Double) {
        let k = SGDKernel<T>(lr: T(lr), weightDecay: T(config.weightDecay), maximize: config.maximize,
                             momentum: T(config.momentum), keep: T(1 - config.dampening),
                             nesterov: config.nesterov, lrInside: config.lrInsideBuffer,
                             initialise: steps == 0 && config.bufferStartsAtGradient, decoupled: config.decoupledDecay)
        engine.map(k, params, grads, buffers.isEmpty ? [] : [buffers])
        steps += 1
    }

    var state: [(name: String, buffers: [Buffer<T>])] {
        buffers.isEmpty ? [] : [(config.bufferName, buffers)]
    }
}

extension SGDStepper {
    func save() -> StepperState { StepperState(buffers: state, scalars: [("step", Double(steps))]) }
    func load(_ saved: StepperState) throws { try saved.restore(into: state); steps = try saved.count() }
}
