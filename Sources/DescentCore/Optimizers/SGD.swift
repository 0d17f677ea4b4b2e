// SGD.swift — stochastic gradient descent with momentum: one family for torch.optim.SGD,
// optax.sgd and the textbook sgd / momentum / momentum_ema / momentum_sum.
//
//   d ← −g if maximize;  d ← d + weight_decay·w                      (L2, coupled)
//   x ← lr·d if lr is inside the buffer, else d
//   b ← x                              on the first step, if the buffer starts at the gradient (torch)
//   b ← momentum·b + (1 − dampening)·x  otherwise (b₀ = 0)
//   δ ← x + momentum·b if nesterov, else b
//   δ ← δ / (1 − momentum^t)            if debias (t = the step count from 1)
//   w ← w − δ if lr is inside the buffer, else w − lr·δ
//
// torch SGD:            buffer starts at the gradient clone (not dampened), lr outside.
// optax sgd:            trace b ← g + μ·b from zero (dampening 0), lr outside (scale_by_learning_rate after).
// textbook momentum:    m ← μ·m − lr·g; w ← w + m  — lr inside; our b is −m (negation is exact).
// textbook momentum_ema: v ← β·v + (1−β)·g — dampening β, zero start; momentum_sum: dampening 0.
// optax ema:            ema ← (1−decay)·g + decay·ema from zero (dampening = momentum = decay),
//                       debiased by 1 − decay^count (debias), ADDED to the parameters: lr = −1.
// momentum = 0 is plain SGD (no buffer).

public struct SGDFamily: LowPrecisionFamily {
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
    /// Low-precision storage (LowPrecision.swift), run by `SGDLowPrecisionKernel`; nil: as before.
    public var storage: LowPrecisionSetup? = nil
    /// optax.ema's bias correction: δ divided by 1 − momentum^t (t the step count from 1, the
    /// count after its increment).
    public var debias = false
    /// Known-wrong form: the bias correction's count shifted by this many steps (0: optax's).
    public var debiasCountShift = 0

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
        if debias { s += debiasCountShift == 0 ? ", debiased" : ", debiased at count t\(debiasCountShift > 0 ? "+" : "")\(debiasCountShift)" }
        if weightDecay != 0 { s += decoupledDecay ? ", decoupled decay \(weightDecay) × lr" : ", L2 decay \(weightDecay)" }
        if maximize { s += ", maximize" }
        if let storage { s += ", " + storage.summary }
        return s
    }

    @_specialize(where T == Double) @_specialize(where T == Float)
    public func makeStepper<T: DescentFloat>(_: T.Type, shapes: [[Int]], engine: Engine) throws -> StepperBox<T> {
        try requireFloat32Arithmetic(T.self, storage)
        if storage != nil && (lrInsideBuffer || !bufferStartsAtGradient && momentum != 0 || decoupledDecay || debias) {
            throw DescentError.unsupported("low precision: only torch's SGD (buffer from the gradient, lr outside, L2 decay) has a low-precision kernel")
        }
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
    @usableFromInline var debiased = false        // δ ← δ / correction (optax ema)
    @usableFromInline var correction: Scalar = 1  // 1 − momentum^t
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
        var delta = nesterov ? x + mu * s.s0 : s.s0
        if debiased { delta = delta / L(repeating: correction) }
        p = lrInside ? p - delta : p - L(repeating: lr) * delta
    }
}

/// torch's SGD on bf16/fp16 storage (fixtures/FORMAT.md, "Low precision", its SGD table line by
/// line): float32 arithmetic, rounded after every tensor op (`for_loop`, `foreach`; alphas rounded
/// to the format first, then their product) or once at the store (`fused`, whose step uses the
/// unrounded buffer), with ATen's fused multiply-adds. Slot 0: momentum_buffer (when momentum ≠ 0).
public struct SGDLowPrecisionKernel<Scalar: DescentFloat>: ElementwiseKernel {
    @usableFromInline let rounding: StorageRounding
    @usableFromInline let fused, maximize, nesterov, initialise, hasMomentum, l2: Bool
    /// fused: λ, μ, 1 − τ, lr in float32; per-op: the alphas λ, 1 − τ, μ, −lr rounded to the
    /// format, and the buffer's multiplier μ (float32 on for_loop, rounded on foreach).
    @usableFromInline let lambda, mu, keep, lr, bufferMultiplier: Scalar
    public var slotCount: Int { hasMomentum ? 1 : 0 }

    init(_ c: SGDFamily, _ s: LowPrecisionSetup, lr rate: Double, initialise first: Bool, hasMomentum: Bool) {
        rounding = StorageRounding(s)
        fused = s.path == .fused
        maximize = c.maximize
        nesterov = c.nesterov
        initialise = first
        self.hasMomentum = hasMomentum
        l2 = c.weightDecay != 0
        let f = { (x: Double) in Scalar(Float(x)) }, d = { (x: Double) in Scalar(s.params.round(Float(x))) }
        let v = fused ? f : d
        lambda = v(c.weightDecay)
        mu = v(c.momentum)
        keep = v(1 - c.dampening)
        lr = fused ? f(rate) : d(-rate)
        bufferMultiplier = s.path == .foreach ? d(c.momentum) : f(c.momentum)
    }

    @inlinable @inline(__always)
    public func apply<L: Lane>(_ p: inout L, _ g0: L, _ s: inout Slots<L>) where L.Scalar == Scalar {
        var g = lowPrecisionGradient(g0, p, maximize: maximize, fusedDecay: fused && l2 ? lambda : nil)
        let R = rounding
        if fused {
            if hasMomentum {
                let buf = initialise ? g : L.fusedMultiplyAdd(s.s0, L(repeating: mu), g * L(repeating: keep))
                s.s0 = R.rs(buf)
                g = nesterov ? L.fusedMultiplyAdd(buf, L(repeating: mu), g) : buf
            }
            p = R.r(L.fusedMultiplyAdd(-g, L(repeating: lr), p))
            return
        }
        if l2 { g = R.r(g + R.r(L(repeating: lambda) * p)) }                        // grad.add(param, alpha=λ)
        if hasMomentum {
            if initialise {
                s.s0 = R.rs(g)                                                        // buf = grad.clone()
            } else {
                s.s0 = R.rs(s.s0 * L(repeating: bufferMultiplier))                   // buf.mul_(μ)
                s.s0 = R.rs(s.s0 + R.rs(L(repeating: keep) * g))                     // .add_(grad, alpha=1 − τ)
            }
            g = nesterov ? R.r(g + R.r(L(repeating: mu) * s.s0)) : s.s0              // grad.add(buf, alpha=μ)
        }
        p = R.r(p + R.r(L(repeating: lr) * g))                                        // param.add_(grad, alpha=−lr)
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
        if let storage = config.storage {
            engine.map(SGDLowPrecisionKernel<T>(config, storage, lr: lr, initialise: steps == 0, hasMomentum: !buffers.isEmpty),
                       params, grads, buffers.isEmpty ? [] : [buffers])
            steps += 1
            return
        }
        let k = SGDKernel<T>(lr: T(lr), weightDecay: T(config.weightDecay), maximize: config.maximize,
                             momentum: T(config.momentum), keep: T(1 - config.dampening),
                             nesterov: config.nesterov, lrInside: config.lrInsideBuffer,
                             initialise: steps == 0 && config.bufferStartsAtGradient, decoupled: config.decoupledDecay,
                             debiased: config.debias && !buffers.isEmpty,
                             correction: T(1 - Double.pow(config.momentum, Double(steps + 1 + config.debiasCountShift))))
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
