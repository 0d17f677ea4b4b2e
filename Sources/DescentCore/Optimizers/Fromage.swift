// Fromage.swift — Fromage, Frobenius matched gradient descent (Bernstein et al., 2020), as
// optax.fromage computes it (optax 0.2.8, alias.py: chain(scale_by_trust_ratio(min_norm),
// scale_by_learning_rate(lr·mult), add_decayed_weights(mult − 1))). Per tensor, no state:
//
//   mult = 1/(1 + lr²)^0.5                       (from the step's lr)
//   ‖·‖ₘ = max(‖·‖, min_norm)                     (optax's safe_norm: min_norm where ‖·‖ ≤ min_norm)
//   r = ‖w‖ₘ/‖g‖ₘ,  r = 1 where ‖w‖ₘ = 0 or ‖g‖ₘ = 0 (only with min_norm 0)
//   w ← w + ((g·r)·(−(lr·mult)) + (mult − 1)·w)      i.e. w ← mult·(w − lr·r·g)
//
// Not LARS with knobs: LARS has no norm clamp and no shrink of the weights, and keeps a momentum;
// what they share is a per-tensor ratio ‖w‖/‖g‖.

public struct FromageFamily: OptimizerFamily {
    public var minNorm = 1e-6
    /// A known-wrong variant's knob: false drops the factor 1/√(1 + lr²) (mult = 1: no shrink and
    /// the plain lr).
    public var shrink = true

    public init() {}

    public var familyName: String { "Fromage" }
    public var summary: String {
        "optax form, min_norm \(minNorm)" + (shrink ? ", 1/√(1 + lr²) on the step and the weights" : ", no 1/√(1 + lr²) factor")
    }

    @_specialize(where T == Double) @_specialize(where T == Float)
    public func makeStepper<T: DescentFloat>(_: T.Type, shapes: [[Int]], engine: Engine) throws -> StepperBox<T> {
        return StepperBox(FromageStepper<T>(self, engine: engine))
    }
}

/// One Fromage step on one tensor: w ← w + ((g·r)·(−lr·mult) + (mult − 1)·w).
public struct FromageKernel<Scalar: DescentFloat>: ElementwiseKernel {
    @usableFromInline var ratio, negLrMult, decay: Scalar
    @inlinable public var slotCount: Int { 0 }

    @inlinable @inline(__always)
    public func apply<L: Lane>(_ p: inout L, _ g: L, _ s: inout Slots<L>) where L.Scalar == Scalar {
        p = p + ((g * L(repeating: ratio)) * L(repeating: negLrMult) + L(repeating: decay) * p)
    }
}

final class FromageStepper<T: DescentFloat>: Stepper {
    let config: FromageFamily
    let engine: Engine
    var steps = 0

    init(_ config: FromageFamily, engine: Engine) {
        self.config = config
        self.engine = engine
    }

    func step(params: [Buffer<T>], grads: [Buffer<T>], lr: Double) {
        let c = config
        let mult = c.shrink ? 1 / Double.pow(1 + Double.pow(lr, 2), 0.5) : 1
        let minNorm = T(c.minNorm)
        func clamped(_ x: Buffer<T>) -> T {
            let n = engine.norm(x)
            return n <= minNorm ? minNorm : n
        }
        let ratios = params.indices.map { i -> T in
            let pn = clamped(params[i]), gn = clamped(grads[i])
            return pn == 0 || gn == 0 ? 1 : pn / gn
        }
        let negLrMult = T(-(lr * mult)), decay = T(mult - 1)
        engine.map(perTensor: { FromageKernel<T>(ratio: ratios[$0], negLrMult: negLrMult, decay: decay) }, params, grads, [])
        steps += 1
    }

    var state: [(name: String, buffers: [Buffer<T>])] { [] }
}

extension FromageStepper {
    func save() -> StepperState { StepperState(buffers: state, scalars: [("step", Double(steps))]) }
    func load(_ saved: StepperState) throws { try saved.restore(into: state); steps = try saved.count() }
}
