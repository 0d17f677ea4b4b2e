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
//   4. use_ema: the moving average of the weights, written back every ema_overwrite_frequency
//      steps (KerasEMAFamily, below).
//
// Steps count from `iterations` = 0; a schedule is evaluated at `iterations` (the step before
// this one), so the k-th update (k = 0, 1, …) uses lr(k).

/// A family that runs another one with something around its steps (clipping, Keras's decay).
/// Known-wrong variants change the innermost family and keep the wrapping.
public protocol WrappingFamily: OptimizerFamily {
    var wrapped: any OptimizerFamily { get }
    func rewrapping(_ inner: any OptimizerFamily) -> any OptimizerFamily
}

extension OptimizerFamily {
    /// The family inside every wrapper (gradient transforms, Keras's decay, Lookahead, …).
    public var innermost: any OptimizerFamily { (self as? any WrappingFamily)?.wrapped.innermost ?? self }
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

/// Keras's `use_ema=True` (base_optimizer.py and the JAX backend's _backend_apply_gradients, Keras
/// 3.15.1): after each update, with `iterations` counted before it (0 at the first step),
///   μ = (iterations ≠ 0)·ema_momentum          (0 at the first step: the average starts at w)
///   average ← μ·average + (1 − μ)·w
/// and, when ema_overwrite_frequency = f is set, on every step with (iterations + 1) mod f = 0
/// the weights become the average, as the JAX backend writes it: w ← average·1 + w·0.
/// The average is the optimizer variable `average`; the weights follow it only on those steps
/// (finalize_variable_values, at the end of `fit`, is not a step and is not replayed).
public struct KerasEMAFamily: WrappingFamily {
    public var wrapped: any OptimizerFamily { inner }
    public func rewrapping(_ inner: any OptimizerFamily) -> any OptimizerFamily {
        var f = self
        f.inner = inner
        return f
    }

    public var inner: any OptimizerFamily
    public var momentum: Double
    public var overwriteFrequency: Int?
    /// Known-wrong forms: μ = ema_momentum already at the first step (the average then starts
    /// from 0, not from the weights); the write-back on iterations mod f = 0 (counted before the
    /// step) instead of (iterations + 1) mod f = 0.
    public var fullMomentumAtFirstStep = false
    public var overwriteCountedBefore = false

    public init(inner: any OptimizerFamily, momentum: Double, overwriteFrequency: Int?) {
        self.inner = inner
        self.momentum = momentum
        self.overwriteFrequency = overwriteFrequency
    }

    public var familyName: String { inner.familyName }
    public var summary: String {
        "keras EMA of the weights (ema_momentum \(momentum)" + (overwriteFrequency.map { ", weights ← average every \($0) steps" } ?? ", never written back") + ") → " + inner.summary
    }

    @_specialize(where T == Double) @_specialize(where T == Float)
    public func makeStepper<T: DescentFloat>(_: T.Type, shapes: [[Int]], engine: Engine) throws -> StepperBox<T> {
        StepperBox(KerasEMAStepper(try inner.makeStepper(T.self, shapes: shapes, engine: engine), self, shapes: shapes))
    }
}

final class KerasEMAStepper<T: DescentFloat>: Stepper {
    let inner: StepperBox<T>
    let momentum: T
    let overwriteFrequency: Int?
    let fullMomentumAtFirstStep: Bool, overwriteCountedBefore: Bool
    let average: [Buffer<T>]
    var iterations = 0

    init(_ inner: StepperBox<T>, _ config: KerasEMAFamily, shapes: [[Int]]) {
        self.inner = inner
        momentum = T(config.momentum)
        overwriteFrequency = config.overwriteFrequency
        fullMomentumAtFirstStep = config.fullMomentumAtFirstStep
        overwriteCountedBefore = config.overwriteCountedBefore
        average = .zeros(like: shapes)
    }

    private func afterUpdate(_ params: [Buffer<T>]) {
        let mu = iterations != 0 || fullMomentumAtFirstStep ? momentum : 0
        let oneMinus = 1 - mu
        for (p, a) in zip(params, average) {
            for i in 0..<p.count { a[i] = mu * a[i] + oneMinus * p[i] }
        }
        if let f = overwriteFrequency, (iterations + (overwriteCountedBefore ? 0 : 1)) % f == 0 {
            for (p, a) in zip(params, average) {
                for i in 0..<p.count { p[i] = a[i] * 1 + p[i] * 0 }
            }
        }
        iterations += 1
    }

    func step(params: [Buffer<T>], grads: [Buffer<T>], lr: Double) {
        inner.step(params, grads, lr)
        afterUpdate(params)
    }

    func step(params: [Buffer<T>], objective: Objective<T>, lr: Double) {
        inner.stepObjective(params, objective, lr)
        afterUpdate(params)
    }

    var needsObjective: Bool { inner.needsObjective }
    var state: [(name: String, buffers: [Buffer<T>])] { inner.state() + [("average", average)] }
}

extension KerasEMAStepper {
    func save() -> StepperState {
        var s = inner.save()
        s.buffers.append(("average", average.map(\.doubles)))
        s.scalars.append(("ema_iterations", Double(iterations)))
        return s
    }
    func load(_ saved: StepperState) throws {
        var rest = saved
        rest.buffers.removeAll { $0.name == "average" }
        rest.scalars.removeAll { $0.name == "ema_iterations" }
        try inner.load(rest)
        try saved.restore(into: [("average", average)])
        iterations = try saved.count("ema_iterations")
    }
}
