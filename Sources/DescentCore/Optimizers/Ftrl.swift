// Ftrl.swift — Follow The Regularized Leader, as keras.optimizers.Ftrl computes it (Keras 3.15.1,
// keras/src/optimizers/ftrl.py). Element-wise, accumulator n (from initial_accumulator_value), linear z
// (from 0), p = −learning_rate_power (0.5 by default):
//
//   λ₂' = λ₂ + β/(2·lr)                         (l2_regularization_strength, beta)
//   g̃ = g + 2·λ_shrink·w                        (l2_shrinkage_regularization_strength)
//   n' = n + g²
//   z ← z + g̃ − ((n'^p − n^p)/lr)·w
//   q = n'^p/lr + 2·λ₂'
//   w ← (clip(z, −λ₁, λ₁) − z)/q                 (l1_regularization_strength)
//   n ← n'
// Descent computes the power for learning_rate_power −0.5 (√, the default) and 0 (constant 1).

public struct FtrlFamily: OptimizerFamily {
    public var learningRatePower = -0.5
    public var initialAccumulator = 0.1
    public var l1 = 0.0
    public var l2 = 0.0
    public var l2Shrinkage = 0.0
    public var beta = 0.0

    public init() {}

    public var familyName: String { "Ftrl" }
    public var summary: String {
        "learning_rate_power \(learningRatePower), initial accumulator \(initialAccumulator), l1 \(l1), l2 \(l2), l2 shrinkage \(l2Shrinkage), beta \(beta)"
    }

    @_specialize(where T == Double) @_specialize(where T == Float)
    public func makeStepper<T: DescentFloat>(_: T.Type, shapes: [[Int]], engine: Engine) throws -> StepperBox<T> {
        guard learningRatePower == -0.5 || learningRatePower == 0 else {
            throw DescentError.unsupported("keras.optimizers.Ftrl with learning_rate_power \(learningRatePower): Descent computes −0.5 (a square root) and 0 only")
        }
        return StepperBox(FtrlStepper<T>(self, shapes: shapes, engine: engine))
    }
}

/// One Ftrl step for one tensor. Slots: s0 = accumulator n, s1 = linear z.
public struct FtrlKernel<Scalar: DescentFloat>: ElementwiseKernel {
    @usableFromInline var lr, l1, twoL2, twoShrinkage: Scalar
    @usableFromInline var root: Bool
    @inlinable public var slotCount: Int { 2 }

    @inlinable @inline(__always)
    public func apply<L: Lane>(_ p: inout L, _ g: L, _ s: inout Slots<L>) where L.Scalar == Scalar {
        let gradToUse = g + L(repeating: twoShrinkage) * p
        let newAccum = s.s0 + g * g
        let one = L(repeating: 1)
        let powNew = root ? newAccum.squareRoot() : one
        let powOld = root ? s.s0.squareRoot() : one
        let lrL = L(repeating: lr)
        s.s1 = s.s1 + (gradToUse - ((powNew - powOld) / lrL) * p)
        let quadratic = powNew / lrL + L(repeating: twoL2)
        let clipped = L.minNaN(L.maxNaN(s.s1, L(repeating: -l1)), L(repeating: l1))
        p = (clipped - s.s1) / quadratic
        s.s0 = newAccum
    }
}

final class FtrlStepper<T: DescentFloat>: Stepper {
    let config: FtrlFamily
    let engine: Engine
    let accumulators: [Buffer<T>], linears: [Buffer<T>]
    var steps = 0

    init(_ config: FtrlFamily, shapes: [[Int]], engine: Engine) {
        self.config = config
        self.engine = engine
        accumulators = shapes.map { Buffer<T>(repeating: T(config.initialAccumulator), count: $0.reduce(1, *)) }
        linears = .zeros(like: shapes)
    }

    func step(params: [Buffer<T>], grads: [Buffer<T>], lr: Double) {
        let c = config
        let l2Reg = c.l2 + c.beta / (2.0 * lr)
        let k = FtrlKernel<T>(lr: T(lr), l1: T(c.l1), twoL2: T(2 * l2Reg), twoShrinkage: T(2 * c.l2Shrinkage),
                              root: c.learningRatePower != 0)
        for i in params.indices { engine.map(k, params[i], grads[i], [accumulators[i], linears[i]]) }
        steps += 1
    }

    var state: [(name: String, buffers: [Buffer<T>])] { [("accumulator", accumulators), ("linear", linears)] }
}

extension FtrlStepper {
    func save() -> StepperState { StepperState(buffers: state, scalars: [("step", Double(steps))]) }
    func load(_ saved: StepperState) throws { try saved.restore(into: state); steps = try saved.count() }
}
