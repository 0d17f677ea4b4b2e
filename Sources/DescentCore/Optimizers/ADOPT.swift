// ADOPT.swift — ADOPT (Taniguchi et al. 2024, "ADOPT: Modified Adam Can Converge with Any β₂ with
// the Optimal Rate"), as optax.contrib.adopt (optax 0.2.8, contrib/_adopt.py) and
// pytorch_optimizer.ADOPT (pytorch-optimizer 4.1.0, optimizer/adopt.py) compute it. Element-wise,
// step t = 1, 2, …, m₀ = v₀ = 0:
//
//   g ← −g                              maximize (pytorch_optimizer)
//   g ← g + λ·w                         coupled decay (pytorch_optimizer, the default when weight_decay > 0)
//   w ← w·(1 − κ)                       decoupled decay, κ = lr·λ | λ (fixed_decay) (pytorch_optimizer)
//   t = 1:  v ← g²                      and nothing else: the parameters do not move (but for the decay)
//   t > 1:  n = g / max(√v, ε)          the PREVIOUS v: the normalisation comes before the momentum
//           n ← clip(n, −c, c)          c = (t − 1)^¼ (optax: count^¼, count = t − 1; use_clipping)
//                                       | t^¼ (pytorch_optimizer's group step; clip_lambda, None = off)
//           m ← β₁·m + (1 − β₁)·n       (pytorch_optimizer: lerp(m, n, 1 − β₁))
//           u = m | β₁·m + (1 − β₁)·n   nesterov (optax), with the new m
//           w ← w − lr·u
//           v ← β₂·v + (1 − β₂)·g²
//
// The forms are the same equations in each library's operation order and state names:
//   optax              the first step is the regular one with β₁ → 1, β₂ → 0 and c = 0^¼ = 0 (so
//                      m stays 0 and w + (−lr)·0 = w); u added as w + (−lr)·u        mu, nu
//   pytorch_optimizer  the first step returns after v ← v + g·g; m by torch's lerp; v ← v·β₂ + (1 − β₂)·g·g
//                                                                                     exp_avg, exp_avg_sq
// pytorch_optimizer keeps t in the param group, so a tensor whose first gradient comes at group
// step 5 takes a regular step there with v = 0 (its g divided by ε, then clipped to 5^¼).

public struct ADOPTFamily: OptimizerFamily {
    /// Whose operation order and state names (the math is the same).
    public enum Form: String, Sendable {
        case optax, pytorchOptimizer = "pytorch_optimizer"
    }

    public var form: Form
    public var beta1 = 0.9
    public var beta2 = 0.9999
    public var eps = 1e-6
    /// Clip n to ±c (optax `use_clipping`, pytorch_optimizer `clip_lambda` not None).
    public var clipping = true
    /// c = (t − clipStepOffset)^¼: 1 for optax (its count before the step), 0 for pytorch_optimizer.
    public var clipStepOffset: Int
    /// optax `nesterov`.
    public var nesterov = false
    public var decay: LionDecay = .none
    /// pytorch_optimizer `maximize`.
    public var maximize = false
    /// A known-wrong variant's knob: the first step also moves the parameters (v ← g², then the
    /// regular step with that v), as Adam's first step does.
    public var updateAtFirstStep = false
    /// A known-wrong variant's knob: the momentum of the raw g, normalised (and clipped) afterwards.
    public var normaliseAfterMomentum = false
    /// A known-wrong variant's knob: v updated with this step's g² before the normalisation.
    public var currentSecondMoment = false

    public init(form: Form) {
        self.form = form
        clipStepOffset = form == .optax ? 1 : 0
    }

    public var familyName: String { "ADOPT" }
    public var summary: String {
        var parts = ["\(form.rawValue) form", "betas (\(beta1), \(beta2))", "eps \(eps)",
                     clipping ? "clip (t − \(clipStepOffset))^0.25" : "no clipping", decay.summary]
        if nesterov { parts.append("nesterov") }
        if maximize { parts.append("maximize") }
        if updateAtFirstStep { parts.append("the first step moves the parameters") }
        if normaliseAfterMomentum { parts.append("normalised after the momentum") }
        if currentSecondMoment { parts.append("v updated before the normalisation") }
        return parts.joined(separator: ", ")
    }

    @_specialize(where T == Double) @_specialize(where T == Float)
    public func makeStepper<T: DescentFloat>(_: T.Type, shapes: [[Int]], engine: Engine) throws -> StepperBox<T> {
        StepperBox(ADOPTStepper<T>(self, shapes: shapes, engine: engine))
    }

    /// The kernel of step t (from 1) at learning rate lr.
    func kernel<T: DescentFloat>(t: Int, lr: Double) -> ADOPTKernel<T> {
        let first = t == 1
        // optax's first step: b1_ = 1, b2_ = 0 (jnp.where(count > 0, …)); the variant's: b2_ = 0 too.
        let b1 = form == .optax && first && !updateAtFirstStep ? 1.0 : beta1
        let b2 = first ? 0.0 : beta2
        let (coupled, factor, _) = decay.parts(lr: lr, addedToUpdate: false)
        let c = Double.pow(Double(t - clipStepOffset), 0.25)
        return ADOPTKernel<T>(beta1: T(b1), oneMinusBeta1: T(1 - b1), beta2: T(b2), oneMinusBeta2: T(1 - b2),
                              eps: T(eps), clip: T(c), negLr: T(-lr), coupled: T(coupled), decayFactor: T(factor),
                              clipping: clipping, initialOnly: form == .pytorchOptimizer && first && !updateAtFirstStep,
                              secondMomentFirst: currentSecondMoment || (first && updateAtFirstStep),
                              afterMomentum: normaliseAfterMomentum, lerp: form == .pytorchOptimizer,
                              nesterov: nesterov, maximize: maximize)
    }
}

/// One ADOPT step. Slots: s0 = m (mu / exp_avg), s1 = v (nu / exp_avg_sq).
public struct ADOPTKernel<Scalar: DescentFloat>: ElementwiseKernel {
    @usableFromInline var beta1, oneMinusBeta1, beta2, oneMinusBeta2, eps, clip, negLr, coupled, decayFactor: Scalar
    @usableFromInline var clipping, initialOnly, secondMomentFirst, afterMomentum, lerp, nesterov, maximize: Bool
    @inlinable public var slotCount: Int { 2 }

    @inlinable @inline(__always)
    func secondMoment<L: Lane>(_ v: L, _ d: L) -> L where L.Scalar == Scalar {
        lerp ? v * L(repeating: beta2) + (L(repeating: oneMinusBeta2) * d) * d
             : L(repeating: oneMinusBeta2) * (d * d) + L(repeating: beta2) * v
    }

    @inlinable @inline(__always)
    func momentum<L: Lane>(_ m: L, _ n: L) -> L where L.Scalar == Scalar {
        lerp ? torchLerp(m, n, oneMinusBeta1) : L(repeating: oneMinusBeta1) * n + L(repeating: beta1) * m
    }

    @inlinable @inline(__always)
    public func apply<L: Lane>(_ p: inout L, _ g: L, _ s: inout Slots<L>) where L.Scalar == Scalar {
        var d = maximize ? -g : g
        if coupled != 0 { d = d + L(repeating: coupled) * p }
        if decayFactor != 1 { p = p * L(repeating: decayFactor) }
        if initialOnly {
            s.s1 = s.s1 + d * d
            return
        }
        if secondMomentFirst { s.s1 = secondMoment(s.s1, d) }
        // n = x / max(√v, ε), clipped to ±c; x = g (the variant: the momentum of g).
        if afterMomentum { s.s0 = momentum(s.s0, d) }
        var n = (afterMomentum ? s.s0 : d) / L.maxNaN(s.s1.squareRoot(), L(repeating: eps))
        if clipping { n = L.minNaN(L.maxNaN(n, L(repeating: -clip)), L(repeating: clip)) }
        let u: L
        if afterMomentum {
            u = n
        } else {
            s.s0 = momentum(s.s0, n)
            u = nesterov ? momentum(s.s0, n) : s.s0
        }
        p = p + L(repeating: negLr) * u
        if !secondMomentFirst { s.s1 = secondMoment(s.s1, d) }
    }
}

final class ADOPTStepper<T: DescentFloat>: Stepper {
    let config: ADOPTFamily
    let engine: Engine
    let m: [Buffer<T>], v: [Buffer<T>]
    var steps = 0

    init(_ config: ADOPTFamily, shapes: [[Int]], engine: Engine) {
        self.config = config
        self.engine = engine
        m = .zeros(like: shapes)
        v = .zeros(like: shapes)
    }

    func step(params: [Buffer<T>], grads: [Buffer<T>], lr: Double) {
        steps += 1
        let k: ADOPTKernel<T> = config.kernel(t: steps, lr: lr)
        engine.map(k, params, grads, [m, v])
    }

    var state: [(name: String, buffers: [Buffer<T>])] {
        config.form == .optax ? [("mu", m), ("nu", v)] : [("exp_avg", m), ("exp_avg_sq", v)]
    }
}

extension ADOPTStepper {
    func save() -> StepperState { StepperState(buffers: state, scalars: [("step", Double(steps))]) }
    func load(_ saved: StepperState) throws { try saved.restore(into: state); steps = try saved.count() }
}
