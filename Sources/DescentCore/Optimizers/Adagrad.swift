// Adagrad.swift — per-coordinate step sizes from the running sum of squared gradients:
// torch.optim.Adagrad, optax.adagrad, textbook adagrad.
//
//   d ← −g if maximize;  d ← d + weight_decay·w          (L2, coupled)
//   s ← s + d²                                            (s₀ = initial_accumulator_value)
//   clr = lr / (1 + (t − 1)·lr_decay)                     (t = 1, 2, …)
//   w ← w − clr·d / (√s + eps)                            eps outside the root (torch)
//   w ← w − clr·d / √(s + eps)                            eps inside the root (textbook)
//   w ← w − clr·d·[s > 0] / √(s + eps)                    optax scale_by_rss: where(s > 0, rsqrt(s + eps), 0)

public struct AdagradFamily: OptimizerFamily {
    public var weightDecay: Double
    public var maximize: Bool
    public var lrDecay: Double
    public var initialAccumulator: Double
    public var eps: Double
    public var epsInsideSqrt: Bool
    /// optax: the scaling is 0 wherever the accumulated sum is not positive.
    public var zeroWhereSumNotPositive: Bool
    /// The library's name for the accumulator ("sum", "sum_of_squares", "v").
    public var sumName: String

    public init(weightDecay: Double = 0, maximize: Bool = false, lrDecay: Double = 0, initialAccumulator: Double = 0,
                eps: Double = 1e-10, epsInsideSqrt: Bool = false, zeroWhereSumNotPositive: Bool = false,
                sumName: String = "sum") {
        self.weightDecay = weightDecay
        self.maximize = maximize
        self.lrDecay = lrDecay
        self.initialAccumulator = initialAccumulator
        self.eps = eps
        self.epsInsideSqrt = epsInsideSqrt
        self.zeroWhereSumNotPositive = zeroWhereSumNotPositive
        self.sumName = sumName
    }

    public var familyName: String { "Adagrad" }
    public var summary: String {
        var s = "eps \(eps) \(epsInsideSqrt ? "inside" : "outside") sqrt, initial sum \(initialAccumulator)"
        if zeroWhereSumNotPositive { s += ", zero where sum ≤ 0" }
        if lrDecay != 0 { s += ", lr_decay \(lrDecay)" }
        if weightDecay != 0 { s += ", L2 decay \(weightDecay)" }
        if maximize { s += ", maximize" }
        return s
    }

    @_specialize(where T == Double) @_specialize(where T == Float)
    public func makeStepper<T: DescentFloat>(_: T.Type, shapes: [[Int]], engine: Engine) throws -> StepperBox<T> {
        return StepperBox(AdagradStepper<T>(self, shapes: shapes, engine: engine))
    }
}

/// Slot 0: the sum of squared gradients.
public struct AdagradKernel<Scalar: DescentFloat>: ElementwiseKernel {
    @usableFromInline var clr: Scalar
    @usableFromInline var weightDecay: Scalar
    @usableFromInline var maximize: Bool
    @usableFromInline var eps: Scalar
    @usableFromInline var epsInside: Bool
    @usableFromInline var guarded: Bool
    @inlinable public var slotCount: Int { 1 }

    @inlinable @inline(__always)
    public func apply<L: Lane>(_ p: inout L, _ g: L, _ s: inout Slots<L>) where L.Scalar == Scalar {
        var d = maximize ? -g : g
        if weightDecay != 0 { d = d + L(repeating: weightDecay) * p }
        s.s0 = s.s0 + d * d
        let e = L(repeating: eps)
        let step: L
        if guarded {
            // where(s > 0, 1/√(s + eps), 0) with arithmetic only: mask = max(sign(s), 0) ∈ {0, 1};
            // where the mask is 0 the root is taken of 1 + eps (finite) and the result is 0·(…) = 0.
            let one = L(repeating: 1)
            let mask = L.maxNaN(s.s0.signum, L(repeating: 0))
            step = mask / (s.s0 * mask + (one - mask) + e).squareRoot() * d
        } else if epsInside {
            step = d / (s.s0 + e).squareRoot()
        } else {
            step = d / (s.s0.squareRoot() + e)
        }
        p = p - L(repeating: clr) * step
    }
}

final class AdagradStepper<T: DescentFloat>: Stepper {
    let config: AdagradFamily
    let engine: Engine
    let sums: [Buffer<T>]
    var t = 0

    init(_ config: AdagradFamily, shapes: [[Int]], engine: Engine) {
        self.config = config
        self.engine = engine
        sums = shapes.map { Buffer<T>(repeating: T(config.initialAccumulator), count: $0.reduce(1, *)) }
    }

    func step(params: [Buffer<T>], grads: [Buffer<T>], lr: Double) {
        t += 1
        let clr = lr / (1 + Double(t - 1) * config.lrDecay)
        let k = AdagradKernel<T>(clr: T(clr), weightDecay: T(config.weightDecay), maximize: config.maximize,
                                 eps: T(config.eps), epsInside: config.epsInsideSqrt,
                                 guarded: config.zeroWhereSumNotPositive)
        engine.map(k, params, grads, [sums])
    }

    var state: [(name: String, buffers: [Buffer<T>])] { [(config.sumName, sums)] }
}

extension AdagradStepper {
    func save() -> StepperState { StepperState(buffers: state, scalars: [("step", Double(t))]) }
    func load(_ saved: StepperState) throws { try saved.restore(into: state); t = try saved.count() }
}
