// PolyakSGD.swift — SGD with Polyak's step size (Loizou et al., 2021, "Stochastic Polyak
// Step-size for SGD"): optax.polyak_sgd (optax 0.2.8, alias.py: sgd(learning_rate=scaling), then
// transform.py's scale_by_polyak). It needs the objective's value at the parameters the gradient
// is taken at (`update(..., value=loss)`), so it runs on closed-loop problem cases only. Per step:
//
//   u = (−scaling)·g                                  (sgd: scale_by_learning_rate(scaling))
//   n = ‖u‖²  over every tensor                       (of the SCALED update: scaling² ‖g‖²)
//   gap = f(w) − f_min;  sps+: gap = max(gap, 0)
//   γ = 0                          when n + eps ≤ 2.22e-16 (float64's machine epsilon)
//   γ = min(gap / (n + eps), max_learning_rate)   otherwise
//   w ← w + γ·u
//
// `scaling` is the stepper's lr (a step's `lr` is not expressible: polyak_sgd has no
// learning_rate). No state (optax's EmptyState); the step count is kept for a resume's record.

public struct PolyakSGDFamily: OptimizerFamily {
    public var maxLearningRate = 1.0
    public var fMin = 0.0
    public var eps = 0.0
    /// `variant='sps+'`: the gap clipped at 0.
    public var plus = false
    /// A known-wrong variant's knob: ‖g‖² of the raw gradient in place of the scaled update's.
    public var normOfGradient = false
    /// A known-wrong variant's knob: max_learning_rate not applied.
    public var uncapped = false

    public init() {}

    public var familyName: String { "PolyakSGD" }
    public var summary: String {
        var s = "optax form, step min((f − \(fMin))\(plus ? "₊" : "") / (‖scaling·g‖² + \(eps)), \(maxLearningRate))"
        if normOfGradient { s += ", norm of the raw gradient" }
        if uncapped { s += ", uncapped" }
        return s
    }

    @_specialize(where T == Double) @_specialize(where T == Float)
    public func makeStepper<T: DescentFloat>(_: T.Type, shapes: [[Int]], engine: Engine) throws -> StepperBox<T> {
        return StepperBox(PolyakSGDStepper<T>(self, engine: engine))
    }
}

final class PolyakSGDStepper<T: DescentFloat>: ValueTakingStepper {
    let config: PolyakSGDFamily
    let engine: Engine
    var steps = 0

    init(_ config: PolyakSGDFamily, engine: Engine) {
        self.config = config
        self.engine = engine
    }

    /// The step at the objective's value `loss` (ValueTakingStepper gives the protocol's steps).
    func step(params: [Buffer<T>], grads: [Buffer<T>], loss: Double, lr: Double) {
        let c = config
        let updates = grads.map { g -> Buffer<T> in
            let u = Buffer<T>(zeros: g.count)
            u.copy(from: g)
            engine.scal(T(-lr), u)
            return u
        }
        var n: T = 0
        for (u, g) in zip(updates, grads) { n += c.normOfGradient ? engine.dot(g, g) : engine.dot(u, u) }
        var gap = T(loss - c.fMin)
        if c.plus && gap < 0 { gap = 0 }
        let denom = n + T(c.eps)
        var gamma: T = 0
        if !(denom <= T(Double.ulpOfOne)) {
            let r = gap / denom
            gamma = c.uncapped || r.isNaN || r < T(c.maxLearningRate) ? r : T(c.maxLearningRate)
        }
        for (p, u) in zip(params, updates) { engine.axpy(gamma, u, p) }
        steps += 1
    }

    var state: [(name: String, buffers: [Buffer<T>])] { [] }
}

extension PolyakSGDStepper {
    func save() -> StepperState { StepperState(buffers: state, scalars: [("step", Double(steps))]) }
    func load(_ saved: StepperState) throws { steps = try saved.count() }
}
