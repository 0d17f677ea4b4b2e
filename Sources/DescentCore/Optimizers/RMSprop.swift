// RMSprop.swift — gradients scaled by a running root-mean-square: torch.optim.RMSprop,
// optax.rmsprop (scale_by_rms / scale_by_stddev, then lr, then an optional trace), textbook rmsprop.
//
//   d ← −g if maximize;  d ← d + weight_decay·w                 (L2, coupled)
//   v ← α·v + (1 − α)·d²                                        (v₀ = initial_scale)
//   m ← lerp(m, d, 1 − α)  [centered only; m₀ = 0]   (torch: grad_avg.lerp_; optax: (1 − α)·d + α·m)
//   v̂ = v / (1 − α^t), m̂ = m / (1 − α^t)  if bias_correction, else v̂ = v, m̂ = m
//   r = v̂ − m̂² if centered, else v̂
//   u = d / √(r + eps)   (eps inside the root: optax default, textbook)
//   u = d / (√r + eps)   (eps outside: torch, optax eps_in_sqrt=False)
//   no momentum:        w ← w − lr·u
//   lr outside (torch): b ← μ·b + u;         w ← w − lr·b
//   lr inside (optax):  b ← μ·b + lr·u;      w ← w − (nesterov ? lr·u + μ·b : b)
//     (optax chains trace *after* scale_by_learning_rate, so a changing lr is baked into b)
import Foundation

public struct RMSpropFamily: OptimizerFamily {
    public var decay: Double
    public var eps: Double
    public var epsInsideSqrt: Bool
    public var centered: Bool
    /// torch updates the centered mean with `lerp_` (its two-sided formula); optax with the EMA
    /// (1 − α)·d + α·m. Equal in exact arithmetic; they round differently.
    public var meanByLerp: Bool
    public var initialScale: Double
    public var biasCorrection: Bool
    public var weightDecay: Double
    public var maximize: Bool
    /// 0 = no momentum buffer.
    public var momentum: Double
    public var nesterov: Bool
    public var lrInsideMomentum: Bool
    /// The library's names for (second moment, first moment, momentum buffer).
    public var stateNames: (String, String, String)

    public init(decay: Double = 0.99, eps: Double = 1e-8, epsInsideSqrt: Bool = false, centered: Bool = false,
                meanByLerp: Bool = true, initialScale: Double = 0, biasCorrection: Bool = false, weightDecay: Double = 0,
                maximize: Bool = false, momentum: Double = 0, nesterov: Bool = false,
                lrInsideMomentum: Bool = false,
                stateNames: (String, String, String) = ("square_avg", "grad_avg", "momentum_buffer")) {
        self.decay = decay
        self.eps = eps
        self.epsInsideSqrt = epsInsideSqrt
        self.centered = centered
        self.meanByLerp = meanByLerp
        self.initialScale = initialScale
        self.biasCorrection = biasCorrection
        self.weightDecay = weightDecay
        self.maximize = maximize
        self.momentum = momentum
        self.nesterov = nesterov
        self.lrInsideMomentum = lrInsideMomentum
        self.stateNames = stateNames
    }

    public var familyName: String { "RMSprop" }
    public var summary: String {
        var s = "decay \(decay), eps \(eps) \(epsInsideSqrt ? "inside" : "outside") sqrt"
        if centered { s += ", centered" }
        if initialScale != 0 { s += ", initial scale \(initialScale)" }
        if biasCorrection { s += ", bias correction" }
        if momentum != 0 {
            s += ", momentum \(momentum)\(nesterov ? " nesterov" : "")"
            s += lrInsideMomentum ? " (lr inside)" : " (lr outside)"
        }
        if weightDecay != 0 { s += ", L2 decay \(weightDecay)" }
        if maximize { s += ", maximize" }
        return s
    }

    @_specialize(where T == Double) @_specialize(where T == Float)
    public func makeStepper<T: DescentFloat>(_: T.Type, shapes: [[Int]], engine: Engine) throws -> StepperBox<T> {
        return StepperBox(RMSpropStepper<T>(self, shapes: shapes, engine: engine))
    }
}

/// Slots: 0 = v; then m (centered); then b (momentum), packed in that order.
public struct RMSpropKernel<Scalar: DescentFloat>: ElementwiseKernel {
    @usableFromInline var lr: Scalar
    @usableFromInline var decay: Scalar
    @usableFromInline var keep: Scalar          // 1 − decay
    @usableFromInline var lerpRest: Scalar      // 1 − (1 − decay), as torch's lerp computes it
    @usableFromInline var correction: Scalar    // 1 − decay^t, or 1
    @usableFromInline var eps: Scalar
    @usableFromInline var epsInside: Bool
    @usableFromInline var centered: Bool
    @usableFromInline var meanByLerp: Bool
    @usableFromInline var weightDecay: Scalar
    @usableFromInline var maximize: Bool
    @usableFromInline var momentum: Scalar
    @usableFromInline var nesterov: Bool
    @usableFromInline var lrInside: Bool
    @inlinable public var slotCount: Int { 1 + (centered ? 1 : 0) + (momentum != 0 ? 1 : 0) }

    @inlinable @inline(__always)
    public func apply<L: Lane>(_ p: inout L, _ g: L, _ s: inout Slots<L>) where L.Scalar == Scalar {
        var d = maximize ? -g : g
        if weightDecay != 0 { d = d + L(repeating: weightDecay) * p }
        s.s0 = L(repeating: decay) * s.s0 + L(repeating: keep) * (d * d)
        var r = correction == 1 ? s.s0 : s.s0 / L(repeating: correction)
        if centered {
            // torch: grad_avg.lerp_(grad, 1 − α), with torch's two-sided lerp formula.
            if meanByLerp {
                s.s1 = keep < 0.5 ? s.s1 + L(repeating: keep) * (d - s.s1)
                                  : d - (d - s.s1) * L(repeating: lerpRest)
            } else {
                s.s1 = L(repeating: keep) * d + L(repeating: decay) * s.s1
            }
            let m = correction == 1 ? s.s1 : s.s1 / L(repeating: correction)
            r = r - m * m
        }
        let e = L(repeating: eps)
        let u = epsInside ? d / (r + e).squareRoot() : d / (r.squareRoot() + e)
        if momentum == 0 {
            p = p - L(repeating: lr) * u
            return
        }
        let mu = L(repeating: momentum)
        var b = centered ? s.s2 : s.s1
        if lrInside {
            let x = L(repeating: lr) * u
            b = mu * b + x
            p = p - (nesterov ? x + mu * b : b)
        } else {
            b = mu * b + u
            p = p - L(repeating: lr) * (nesterov ? u + mu * b : b)
        }
        if centered { s.s2 = b } else { s.s1 = b }
    }
}

final class RMSpropStepper<T: DescentFloat>: Stepper {
    let config: RMSpropFamily
    let engine: Engine
    let v: [Buffer<T>]
    let m: [Buffer<T>]
    let b: [Buffer<T>]
    var t = 0

    init(_ config: RMSpropFamily, shapes: [[Int]], engine: Engine) {
        self.config = config
        self.engine = engine
        v = shapes.map { Buffer<T>(repeating: T(config.initialScale), count: $0.reduce(1, *)) }
        m = config.centered ? .zeros(like: shapes) : []
        b = T(config.momentum) != 0 ? .zeros(like: shapes) : []   // as the kernel's slotCount sees it (float32 underflow)
    }

    func step(params: [Buffer<T>], grads: [Buffer<T>], lr: Double) {
        t += 1
        let c = config
        let correction = c.biasCorrection ? 1 - Foundation.pow(c.decay, Double(t)) : 1
        let k = RMSpropKernel<T>(lr: T(lr), decay: T(c.decay), keep: T(1 - c.decay),
                                 lerpRest: T(1 - (1 - c.decay)), correction: T(correction),
                                 eps: T(c.eps), epsInside: c.epsInsideSqrt, centered: c.centered,
                                 meanByLerp: c.meanByLerp, weightDecay: T(c.weightDecay), maximize: c.maximize, momentum: T(c.momentum),
                                 nesterov: c.nesterov, lrInside: c.lrInsideMomentum)
        var slots = [v]
        if c.centered { slots.append(m) }
        if !b.isEmpty { slots.append(b) }
        engine.map(k, params, grads, slots)
    }

    var state: [(name: String, buffers: [Buffer<T>])] {
        var s = [(config.stateNames.0, v)]
        if config.centered { s.append((config.stateNames.1, m)) }
        if !b.isEmpty { s.append((config.stateNames.2, b)) }
        return s
    }
}

extension RMSpropStepper {
    func save() -> StepperState { StepperState(buffers: state, scalars: [("step", Double(t))]) }
    func load(_ saved: StepperState) throws { try saved.restore(into: state); t = try saved.count() }
}
