// MADGRAD.swift — momentumized, adaptive, dual-averaged gradient (Defazio & Jelassi 2021):
// optax.contrib.madgrad (optax 0.2.8) and pytorch_optimizer.MADGRAD (pytorch-optimizer 4.1.0).
//
//   d ← −g if maximize;  d ← d + weight_decay·w                  (coupled L2, before everything)
//   λ = (lr + eps)·√(k + 1)                                       (k = steps taken, 0 at the first)
//                                                                 (optax: √(k + 1) in float32, see below)
//   G ← G + λ·d²;  s ← s + λ·d                                    (G₀ = s₀ = 0: weighted SUMS, dual averaging)
//   σ = ∛G + eps
//   z = x₀ − s/σ                                                  (x₀ the initial parameters)
//   w ← (1 − momentum)·z + momentum·w                            (momentum 0: w ← z)
//   w ← w − (lr + eps)·weight_decay·w_old                         (pytorch_optimizer weight_decouple)
//
// Where the two libraries differ (each a knob, `form` picks the library's set):
// - eps on a zero lr: optax adds eps to every lr (λ = eps·√(k+1) at lr 0, so G and s still grow);
//   pytorch_optimizer uses 0 when lr == 0 (nothing accumulates; w still moves toward z).
// - the cube root: optax jnp.cbrt(G); pytorch_optimizer G.pow(1/3), and with eps == 0 a σ of 0 is
//   +inf (the coordinate stays at x₀); optax divides 0 by 0 there.
// - x₀ at momentum 0: optax keeps the initial parameters; pytorch_optimizer keeps no x₀ and rebuilds
//   it each step as w + s/σ_old (the same point unless something moved w off z: decoupled decay).
// - the decay: optax add_decayed_weights only (coupled); pytorch_optimizer coupled, or decoupled
//   after the step from the pre-step weights, scaled by lr + eps (weight_decouple); maximize.
// - √(k + 1): optax takes jnp.sqrt of its int32 count, which is float32 even under jax x64 (a
//   relative error up to 3e-8 in λ); pytorch_optimizer math.pow(k + 1, 0.5) in float64.
// - the interpolation: optax (1 − m)·z + m·w returned as an update (w + (x_new − w));
//   pytorch_optimizer w.lerp_(z, 1 − m) (torch's two-branch lerp).
//
// Per step: one map accumulates G and s (and pytorch_optimizer's momentum-0 x₀), a Swift loop takes
// σ = ∛G + eps (the Lane has no cube root), a second map moves w.
import Foundation

public struct MADGRADFamily: OptimizerFamily {
    public enum Form: String, Sendable { case optax, pytorchOptimizer }
    public var form: Form
    public var momentum = 0.9
    public var eps = 1e-6
    public var weightDecay = 0.0
    /// pytorch_optimizer weight_decouple: w ← w − (lr + eps)·wd·w_old after the step.
    public var decoupledDecay = false
    public var maximize = false
    /// Known-wrong form: σ = √G + eps (Adagrad's root) instead of the cube root.
    public var squareRoot = false
    /// Known-wrong form: G and s as EMAs (β = momentum: s ← β·s + (1 − β)·λ·d) instead of sums.
    public var accumulateAsEMA = false
    /// Known-wrong form: the coupled decay added to s's gradient only (G sees the raw gradient).
    public var decayInSumOnly = false
    /// Known-wrong form: λ = lr·√(k + 1) and decoupled decay by lr (eps not added to the lr).
    public var epsNotInLR = false
    /// Known-wrong form: pytorch_optimizer's decoupled decay taken from the post-step weights.
    public var decayFromNewWeights = false
    /// Known-wrong form: pytorch_optimizer's momentum-0 x₀ kept at the initial params (optax's form).
    public var keepInitialX0 = false

    public init(form: Form) { self.form = form }

    public var familyName: String { "MADGRAD" }
    public var summary: String {
        var s = "\(form == .optax ? "optax" : "pytorch_optimizer") form, momentum \(momentum), eps \(eps)"
        if weightDecay != 0 { s += decoupledDecay ? ", decoupled decay \(weightDecay) × (lr + eps)" : ", L2 decay \(weightDecay)" }
        if maximize { s += ", maximize" }
        if squareRoot { s += ", square root" }
        if accumulateAsEMA { s += ", EMA sums" }
        if decayInSumOnly { s += ", decay in s only" }
        if epsNotInLR { s += ", eps not added to lr" }
        if decayFromNewWeights { s += ", decay from the new weights" }
        if keepInitialX0 { s += ", x0 kept" }
        return s
    }

    @_specialize(where T == Double) @_specialize(where T == Float)
    public func makeStepper<T: DescentFloat>(_: T.Type, shapes: [[Int]], engine: Engine) throws -> StepperBox<T> {
        StepperBox(MADGRADStepper<T>(self, shapes: shapes, engine: engine))
    }

    /// The lr the step uses (λ's factor, the decoupled decay's scale).
    func effectiveLR(_ lr: Double) -> Double {
        if epsNotInLR { return lr }
        if form == .pytorchOptimizer && lr == 0 { return 0 }
        return lr + eps
    }

    /// x₀ rebuilt from w each step (pytorch_optimizer's momentum-0 branch).
    var x0FromCurrent: Bool { form == .pytorchOptimizer && momentum == 0 && !keepInitialX0 }
}

/// The accumulation. Slots: x₀, G (grad_sum_sq), s, σ (of the previous step, read only).
public struct MADGRADAccumulateKernel<Scalar: DescentFloat>: ElementwiseKernel {
    @usableFromInline var lambda: Scalar
    @usableFromInline var weightDecay: Scalar
    @usableFromInline var maximize: Bool
    @usableFromInline var x0FromCurrent: Bool
    @usableFromInline var torchOrder: Bool        // (λ·d)·d (addcmul) instead of λ·(d·d)
    @usableFromInline var ema: Bool
    @usableFromInline var beta: Scalar
    @usableFromInline var decayInSumOnly: Bool
    @inlinable public var slotCount: Int { 4 }

    @inlinable @inline(__always)
    public func apply<L: Lane>(_ p: inout L, _ g: L, _ s: inout Slots<L>) where L.Scalar == Scalar {
        let raw = maximize ? -g : g
        var d = raw
        if weightDecay != 0 { d = d + L(repeating: weightDecay) * p }
        if x0FromCurrent { s.s0 = p + s.s2 / s.s3 }
        let l = L(repeating: lambda)
        let dq = decayInSumOnly ? raw : d
        let sq = torchOrder ? l * dq * dq : l * (dq * dq)
        if ema {
            let b = L(repeating: beta), c = L(repeating: 1 - beta)
            s.s1 = b * s.s1 + c * sq
            s.s2 = b * s.s2 + c * (l * d)
        } else {
            s.s1 = s.s1 + sq
            s.s2 = s.s2 + l * d
        }
    }
}

/// The move. Slots: x₀, s, σ.
public struct MADGRADStepKernel<Scalar: DescentFloat>: ElementwiseKernel {
    @usableFromInline var torchLerp: Bool
    @usableFromInline var copy: Bool              // pytorch_optimizer momentum 0: w ← z
    @usableFromInline var weight: Scalar          // 1 − momentum
    @usableFromInline var oneMinusWeight: Scalar  // 1 − (1 − momentum), as torch's lerp forms it
    @usableFromInline var momentum: Scalar
    @usableFromInline var decay: Scalar           // −(lr + eps)·wd, or 0
    @usableFromInline var decayFromNew = false    // the variant: from the post-step w
    @inlinable public var slotCount: Int { 3 }

    @inlinable @inline(__always)
    public func apply<L: Lane>(_ p: inout L, _ g: L, _ s: inout Slots<L>) where L.Scalar == Scalar {
        let old = p
        let z = s.s0 - s.s1 / s.s2
        if copy {
            p = z
        } else if torchLerp {
            p = weight < 0.5 ? p + L(repeating: weight) * (z - p) : z - (z - p) * L(repeating: oneMinusWeight)
        } else {
            let xNew = L(repeating: weight) * z + L(repeating: momentum) * p
            p = p + (xNew - p)
        }
        if decay != 0 { p = p + L(repeating: decay) * (decayFromNew ? p : old) }
    }
}

final class MADGRADStepper<T: DescentFloat>: Stepper {
    let config: MADGRADFamily
    let engine: Engine
    let x0: [Buffer<T>], grad_sum_sq: [Buffer<T>], s: [Buffer<T>], sigma: [Buffer<T>]
    var k = 0
    var started = false

    init(_ config: MADGRADFamily, shapes: [[Int]], engine: Engine) {
        self.config = config
        self.engine = engine
        x0 = .zeros(like: shapes)
        grad_sum_sq = .zeros(like: shapes)
        s = .zeros(like: shapes)
        sigma = .zeros(like: shapes)
        for b in sigma { refreshSigma(b, b) }   // σ of G = 0, for the momentum-0 x₀ of step 1
    }

    /// σ[i] = ∛G[i] + eps (torch: G^(1/3); eps 0: a σ of 0 is +inf; the variant: √G).
    private func refreshSigma(_ out: Buffer<T>, _ G: Buffer<T>) {
        let c = config, e = T(c.eps), third = T(1.0 / 3.0)
        let torch = c.form == .pytorchOptimizer
        for j in 0..<G.count {
            let x = G[j]
            var r: T
            if c.squareRoot { r = x.squareRoot() } else if torch { r = T.pow(x, third) } else { r = T(Foundation.cbrt(Double(x))) }
            r += e
            if torch && c.eps == 0 && r == 0 { r = .infinity }
            out[j] = r
        }
    }

    func step(params: [Buffer<T>], grads: [Buffer<T>], lr: Double) {
        let c = config
        if !started {
            if !c.x0FromCurrent { for (i, p) in params.enumerated() { x0[i].copy(from: p) } }
            started = true
        }
        let elr = c.effectiveLR(lr)
        // optax: jnp.sqrt of the int32 count is float32 even under jax x64, and a Python-float
        // lr + eps (weakly typed) keeps the product float32: λ is a float32 number.
        let root = Double(k + 1).squareRoot()
        let lambda = c.form == .optax ? Double(Float(elr) * Float(root)) : elr * root
        let coupled = c.form == .optax || !c.decoupledDecay ? c.weightDecay : 0
        let acc = MADGRADAccumulateKernel<T>(lambda: T(lambda), weightDecay: T(coupled), maximize: c.maximize,
                                             x0FromCurrent: c.x0FromCurrent, torchOrder: c.form == .pytorchOptimizer,
                                             ema: c.accumulateAsEMA, beta: T(c.momentum), decayInSumOnly: c.decayInSumOnly)
        let decoupled = c.form == .pytorchOptimizer && c.decoupledDecay && c.weightDecay > 0
        let move = MADGRADStepKernel<T>(torchLerp: c.form == .pytorchOptimizer,
                                        copy: c.form == .pytorchOptimizer && c.momentum == 0,
                                        weight: T(1 - c.momentum), oneMinusWeight: T(1 - (1 - c.momentum)),
                                        momentum: T(c.momentum), decay: T(decoupled ? -elr * c.weightDecay : 0),
                                        decayFromNew: c.decayFromNewWeights)
        for i in params.indices {
            engine.map(acc, params[i], grads[i], [x0[i], grad_sum_sq[i], s[i], sigma[i]])
            refreshSigma(sigma[i], grad_sum_sq[i])
            engine.map(move, params[i], grads[i], [x0[i], s[i], sigma[i]])
        }
        k += 1
    }

    var state: [(name: String, buffers: [Buffer<T>])] {
        var out: [(name: String, buffers: [Buffer<T>])] = [("grad_sum_sq", grad_sum_sq), ("s", s)]
        if !config.x0FromCurrent { out.append(("x0", x0)) }
        return out
    }
}

extension MADGRADStepper {
    func save() -> StepperState {
        StepperState(buffers: state, scalars: [("step", Double(k)), ("started", started ? 1 : 0)])
    }

    func load(_ saved: StepperState) throws {
        try saved.restore(into: state)
        k = try saved.count()
        started = try saved.scalar("started") != 0
        for i in sigma.indices { refreshSigma(sigma[i], grad_sum_sq[i]) }
    }
}
