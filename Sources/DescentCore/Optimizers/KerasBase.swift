// KerasBase.swift — what keras.optimizers.Optimizer (keras/src/optimizers/base_optimizer.py, Keras
// 3.15.1) does around every optimizer's own update_step, in apply():
//
//   1. clip the gradients (at most one of the three may be set; 0 or None means off):
//        clipnorm c:         gᵢ ← gᵢ·c / max(‖gᵢ‖, c)        per tensor (‖gᵢ‖ = 0 where Σg² = 0)
//        global_clipnorm c:  n = √Σᵢ‖gᵢ‖²;  gᵢ ← gᵢ·(c·min(1/n, 1/c) + (n − n))     (no +1e-6: torch adds it)
//        clipvalue c:        gᵢ ← clip(gᵢ, −c, c)
//   2. weight decay (decoupled, before the update, every optimizer alike):
//        w ← w − w·λ·lr      (lr: the learning rate in force for this step; λ = weight_decay)
//   3. the optimizer's update_step with the clipped gradients and the decayed weights.
//
// Steps count from `iterations` = 0; a schedule is evaluated at `iterations` (the step before
// this one), so the k-th update (k = 0, 1, …) uses lr(k).

/// A family that runs another one with something around its steps (clipping, Keras's decay).
/// Known-wrong variants change the innermost family and keep the wrapping.
public protocol WrappingFamily: OptimizerFamily {
    var wrapped: any OptimizerFamily { get }
    func rewrapping(_ inner: any OptimizerFamily) -> any OptimizerFamily
}

extension TransformedFamily: WrappingFamily {
    public var wrapped: any OptimizerFamily { inner }
    public func rewrapping(_ inner: any OptimizerFamily) -> any OptimizerFamily { TransformedFamily(inner: inner, transforms: transforms) }
}

/// An optimizer family with Keras's decoupled weight decay applied to the weights before each step.
public struct KerasDecayedFamily: WrappingFamily {
    public var wrapped: any OptimizerFamily { inner }
    public func rewrapping(_ inner: any OptimizerFamily) -> any OptimizerFamily { KerasDecayedFamily(inner: inner, weightDecay: weightDecay) }

    public var inner: any OptimizerFamily
    public var weightDecay: Double

    public init(inner: any OptimizerFamily, weightDecay: Double) {
        self.inner = inner
        self.weightDecay = weightDecay
    }

    public var familyName: String { inner.familyName }
    public var summary: String { "keras weight decay w ← w − w·\(weightDecay)·lr before the update → " + inner.summary }

    @_specialize(where T == Double) @_specialize(where T == Float)
    public func makeStepper<T: DescentFloat>(_: T.Type, shapes: [[Int]], engine: Engine) throws -> StepperBox<T> {
        StepperBox(KerasDecayedStepper(try inner.makeStepper(T.self, shapes: shapes, engine: engine), weightDecay))
    }
}

final class KerasDecayedStepper<T: DescentFloat>: Stepper {
    let inner: StepperBox<T>
    let weightDecay: T

    init(_ inner: StepperBox<T>, _ weightDecay: Double) {
        self.inner = inner
        self.weightDecay = T(weightDecay)
    }

    func decay(_ params: [Buffer<T>], lr: Double) {
        let l = T(lr)
        for p in params {
            for i in 0..<p.count { p[i] = p[i] - p[i] * weightDecay * l }   // variable - variable * wd * lr
        }
    }

    func step(params: [Buffer<T>], grads: [Buffer<T>], lr: Double) {
        decay(params, lr: lr)
        inner.step(params, grads, lr)
    }

    func step(params: [Buffer<T>], objective: Objective<T>, lr: Double) {
        // The gradient is taken before the decay (Keras differentiates, then applies).
        let g = objective(params).grads
        decay(params, lr: lr)
        inner.step(params, g, lr)
    }

    var state: [(name: String, buffers: [Buffer<T>])] { inner.state() }
}

/// Keras `clipnorm`: each tensor clipped to L2 norm c on its own.
public struct KerasClipNorm: GradientTransform {
    public var clipNorm: Double
    public var summary: String { "keras clipnorm=\(clipNorm) (per tensor: g·c/max(‖g‖, c))" }

    public func apply<T: DescentFloat>(_ grads: [Buffer<T>], engine: Engine) {
        let c = T(clipNorm)
        for g in grads {
            let l2sum = engine.dot(g, g)
            let l2norm = l2sum > 0 ? l2sum.squareRoot() : l2sum
            let d = T.maxNaN(l2norm, c)
            for i in 0..<g.count { g[i] = (g[i] * c) / d }
        }
    }
}

/// Keras `global_clipnorm`: all tensors scaled by c·min(1/n, 1/c) (NaN where n is not finite).
public struct KerasGlobalClipNorm: GradientTransform {
    public var clipNorm: Double
    public var summary: String { "keras global_clipnorm=\(clipNorm) (g·c·min(1/n, 1/c), no +1e-6)" }

    public func apply<T: DescentFloat>(_ grads: [Buffer<T>], engine: Engine) {
        var sq = T(0)
        for g in grads { sq += engine.dot(g, g) }
        let n = sq.squareRoot()
        let c = T(clipNorm)
        let scale = c * T.minNaN(1 / n, 1 / c) + (n - n)
        for g in grads {
            for i in 0..<g.count { g[i] = g[i] * scale }
        }
    }
}

/// The transforms of `clipnorm`, `clipvalue`, `global_clipnorm` (Keras allows one of them).
public func kerasClipping(clipNorm: Double?, clipValue: Double?, globalClipNorm: Double?) -> [any GradientTransform] {
    if let c = clipNorm, c > 0 { return [KerasClipNorm(clipNorm: c)] }
    if let c = globalClipNorm, c > 0 { return [KerasGlobalClipNorm(clipNorm: c)] }
    if let c = clipValue, c > 0 { return [ClipValue(bound: c, library: "keras clipvalue")] }
    return []
}

extension KerasDecayedStepper {
    func save() -> StepperState { inner.save() }
    func load(_ saved: StepperState) throws { try inner.load(saved) }
}
