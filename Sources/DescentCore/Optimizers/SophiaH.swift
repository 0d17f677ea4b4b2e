// SophiaH.swift — Sophia with Hutchinson Hessian estimates (Liu et al. 2023, "Sophia: A Scalable
// Stochastic Second-order Optimizer for Language Model Pre-training"), as pytorch_optimizer.SophiaH
// computes it (pytorch-optimizer 4.1.0, optimizer/sophia.py over base/optimizer.py's set_hessian /
// zero_hessian / compute_hutchinson_hessian). Element-wise, the step t = 1, 2, … (the FIRST
// param group's counter + 1, for every group), m₀ = h₀ = 0:
//
//   refresh = a Hessian estimate D is handed to step(hessian=…)  or  (t − 1) % update_period == 0
//   D       = the handed estimate (set_hessian), else the Hutchinson estimate z ⊙ (∇²f z), z random
//             (Gaussian or Rademacher, num_samples averaged): the library's own probe, which no
//             replay can draw; a replay case hands D at those steps (steps[k].hessian, FORMAT.md)
//   g ← −g                                   maximize
//   w ← w·(1 − lr·λ) | w·(1 − λ) (fixed_decay) | g ← g + λ·w (weight_decouple False); λ = weight_decay
//   m ← lerp(m, g, 1 − β₁)                   every step
//   h ← lerp(h, D, 1 − β₂)                   on refresh steps only (hessian_moment)
//   u = clamp(m / max(h, ε), −p, p)          h clamped from below (not |h|): a negative or zero h
//                                            gives m/ε, clipped to ±p
//   w ← w + (−lr)·u
//
// No bias correction and no γ (the paper's ρ): p is the clip of the ratio itself. The per-parameter
// and foreach paths compute the same operations. The stepper keeps D (the library's state
// 'hessian') as its third buffer; a step that refreshes without a handed estimate (a caller with
// gradients alone, e.g. a benchmark) keeps the previous D, so the EMA absorbs it again — the
// verifier never runs that: a replay case must hand D where the library would draw its probe.

public struct SophiaHFamily: OptimizerFamily {
    public var beta1 = 0.96
    public var beta2 = 0.99
    public var decay: LionDecay = .none
    public var p = 1e-2
    public var updatePeriod = 10
    public var eps = 1e-12
    public var maximize = false
    /// A known-wrong variant's knob: the Hessian EMA absorbs the last estimate on every step, not
    /// only on refresh steps.
    public var refreshEveryStep = false
    /// A known-wrong variant's knob: the ratio is not clipped to ±p.
    public var clip = true
    /// A known-wrong variant's knob: max(|h|, ε) in the denominator (the paper's positive part).
    public var absHessian = false
    /// A known-wrong variant's knob: the period's refresh steps are t % update_period == 0 (not
    /// (t − 1) % …): the first step does not refresh.
    public var periodOffByOne = false
    /// A known-wrong variant's knob: an estimate handed off the period's steps is stored but not
    /// absorbed (only the period refreshes).
    public var handedOnlyOnPeriod = false

    public init() {}

    public var familyName: String { "SophiaH" }
    public var summary: String {
        var parts = ["betas (\(beta1), \(beta2))", clip ? "clip ±\(p)" : "no clip", "update_period \(updatePeriod)",
                     "eps \(eps)", decay.summary]
        if maximize { parts.append("maximize") }
        if refreshEveryStep { parts.append("hessian EMA every step") }
        if absHessian { parts.append("|h| in the denominator") }
        if periodOffByOne { parts.append("refresh at t % update_period == 0") }
        if handedOnlyOnPeriod { parts.append("handed estimates absorbed on the period only") }
        return parts.joined(separator: ", ")
    }

    @_specialize(where T == Double) @_specialize(where T == Float)
    public func makeStepper<T: DescentFloat>(_: T.Type, shapes: [[Int]], engine: Engine) throws -> StepperBox<T> {
        StepperBox(SophiaHStepper<T>(self, shapes: shapes, engine: engine))
    }

    /// Whether step t (from 1) refreshes by the period (the library: (t − 1) % update_period == 0).
    func onPeriod(_ t: Int) -> Bool { (periodOffByOne ? t : t - 1) % updatePeriod == 0 }

    func kernel<T: DescentFloat>(lr: Double, refresh: Bool) -> SophiaHKernel<T> {
        let (coupled, factor, _) = decay.parts(lr: lr, addedToUpdate: false)
        return SophiaHKernel<T>(oneMinusBeta1: T(1 - beta1), oneMinusBeta2: T(1 - beta2), eps: T(eps), p: T(p),
                                negLr: T(-lr), coupled: T(coupled), decayFactor: T(factor),
                                refresh: refresh || refreshEveryStep, clip: clip, absHessian: absHessian,
                                maximize: maximize)
    }
}

/// One SophiaH step. Slots: s0 = m (momentum), s1 = h (hessian_moment), s2 = D (hessian, the
/// estimate of the last refresh).
public struct SophiaHKernel<Scalar: DescentFloat>: ElementwiseKernel {
    @usableFromInline var oneMinusBeta1, oneMinusBeta2, eps, p, negLr, coupled, decayFactor: Scalar
    @usableFromInline var refresh, clip, absHessian, maximize: Bool
    @inlinable public var slotCount: Int { 3 }

    @inlinable @inline(__always)
    public func apply<L: Lane>(_ w: inout L, _ g: L, _ s: inout Slots<L>) where L.Scalar == Scalar {
        var d = maximize ? -g : g
        if coupled != 0 { d = d + L(repeating: coupled) * w }
        if decayFactor != 1 { w = w * L(repeating: decayFactor) }
        s.s0 = torchLerp(s.s0, d, oneMinusBeta1)
        if refresh { s.s1 = torchLerp(s.s1, s.s2, oneMinusBeta2) }
        var u = s.s0 / L.maxNaN(absHessian ? L.maxNaN(s.s1, -s.s1) : s.s1, L(repeating: eps))
        if clip { u = L.minNaN(L.maxNaN(u, L(repeating: -p)), L(repeating: p)) }
        w = w + L(repeating: negLr) * u
    }
}

final class SophiaHStepper<T: DescentFloat>: Stepper {
    let config: SophiaHFamily
    let engine: Engine
    let momentum: [Buffer<T>], hessianMoment: [Buffer<T>], hessian: [Buffer<T>]
    var steps = 0

    init(_ config: SophiaHFamily, shapes: [[Int]], engine: Engine) {
        self.config = config
        self.engine = engine
        momentum = .zeros(like: shapes)
        hessianMoment = .zeros(like: shapes)
        hessian = .zeros(like: shapes)
    }

    var takesHessian: Bool { true }
    /// (t − 1) % update_period == 0 for the next step t = steps + 1.
    var hessianDue: Bool { steps % config.updatePeriod == 0 }

    func step(params: [Buffer<T>], grads: [Buffer<T>], lr: Double) {
        steps += 1
        let refresh = config.onPeriod(steps)
        engine.map(config.kernel(lr: lr, refresh: refresh) as SophiaHKernel<T>, params, grads, [momentum, hessianMoment, hessian])
    }

    /// set_hessian, then a refreshing step.
    func step(params: [Buffer<T>], grads: [Buffer<T>], hessian given: [Buffer<T>], lr: Double) {
        for (dst, src) in zip(hessian, given) { for i in 0..<dst.count { dst[i] = src[i] } }
        steps += 1
        engine.map(config.kernel(lr: lr, refresh: !config.handedOnlyOnPeriod || config.onPeriod(steps)) as SophiaHKernel<T>, params, grads, [momentum, hessianMoment, hessian])
    }

    var state: [(name: String, buffers: [Buffer<T>])] {
        [("momentum", momentum), ("hessian_moment", hessianMoment), ("hessian", hessian)]
    }
}

extension SophiaHStepper {
    func save() -> StepperState { StepperState(buffers: state, scalars: [("step", Double(steps))]) }
    func load(_ saved: StepperState) throws { try saved.restore(into: state); steps = try saved.count() }
}
