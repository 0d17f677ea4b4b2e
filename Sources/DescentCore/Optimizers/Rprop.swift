// Rprop.swift — resilient backpropagation (Riedmiller & Braun, 1993): a per-element step size
// that grows while the gradient keeps its sign and shrinks when it flips; the step moves by the
// step size times the gradient's sign only. torch.optim.Rprop and optax.rprop.
//
// State per element: a step size η (starts at lr) and the previous quantity the sign is compared
// with (torch: the previous gradient `prev`; optax: the previous update `prev_updates`, η·sign(g),
// which has the same sign while η > 0). Step t = 1, 2, … with gradient g (d ← −g if maximize):
//
// torch (torch/optim/rprop.py, _single_tensor_rprop):
//   s = sign(d·prev);  f = η₊ where s > 0, η₋ where s < 0, else 1
//   (torch.sign is (x > 0) − (x < 0) on CPU: sign(NaN) = 0, so a NaN product keeps η, and a NaN
//   gradient does not move w — below, sign(d) is that too)
//   η ← clamp(η·f, step_size_min, step_size_max)   (clamped every step, also where s = 0)
//   d ← 0 where s < 0                               (a sign change: no move now, and prev = 0 so
//                                                   the next step compares with 0: f = 1)
//   w ← w − sign(d)·η;  prev ← d
//
// optax (optax/_src/transform.py, scale_by_rprop, then scale(−1)); no maximize:
//   s = g·prev_updates
//   η ← η where s = 0 (NOT clamped there), else clip(η·(η₊ if s > 0 else η₋), min_step_size, max_step_size)
//   prev_updates ← 0 where s < 0, else η·sign(g)
//   w ← w − (0 where s < 0, else the OLD prev_updates)
// optax emits the update computed one step earlier (the first step moves nothing: prev_updates
// starts at 0), the open upstream report the issue cites; Descent reproduces optax as it is
// (`emitsPreviousUpdate`). optax's step sizes start at the learning_rate given to the constructor
// (init); torch's at the group's lr at the parameter's first step. Later lrs change nothing in
// either (an lr schedule has no effect on Rprop).
//
// Every choice is a select (no arithmetic blend), so a NaN or infinite gradient is treated as
// each library treats it (optax: jnp.sign(NaN) = NaN, jnp.where's comparisons false for NaN).

public struct RpropFamily: OptimizerFamily {
    /// Whose update: torch (compare with the previous gradient) or optax (with the previous update,
    /// which it emits).
    public enum Form: String, Sendable { case torch, optax }

    public var form: Form
    /// etas[0] / eta_minus: the factor on a sign change.
    public var etaMinus = 0.5
    /// etas[1] / eta_plus: the factor while the sign holds.
    public var etaPlus = 1.2
    /// step_sizes[0] / min_step_size.
    public var minStepSize = 1e-6
    /// step_sizes[1] / max_step_size.
    public var maxStepSize = 50.0
    /// torch only.
    public var maximize = false
    /// optax: the constructor's learning_rate; nil: the lr of the first step (torch).
    public var initialStepSize: Double? = nil
    /// Step sizes clamped to [min, max] (a known-wrong variant's knob: false).
    public var clampStepSizes = true
    /// On a sign change the gradient (torch) or the update (optax) is zeroed (a known-wrong
    /// variant's knob: false, the sign change steps and is remembered).
    public var zeroOnSignChange = true
    /// optax: the previous step's update is applied (true for optax; false is the update of this
    /// step, what a port "fixing" optax would do).
    public var emitsPreviousUpdate: Bool

    public init(form: Form) {
        self.form = form
        emitsPreviousUpdate = form == .optax
    }

    public var familyName: String { "Rprop" }
    public var summary: String {
        var s = "\(form.rawValue) form, etas (\(etaMinus), \(etaPlus))"
        s += clampStepSizes ? ", step sizes in [\(minStepSize), \(maxStepSize)]" : ", step sizes unclamped"
        if form == .torch { s += ", clamped every step" } else { s += ", unchanged (unclamped) where g·prev = 0" }
        s += initialStepSize.map { ", step sizes start at \($0)" } ?? ", step sizes start at the first step's lr"
        s += form == .torch ? ", compared with the previous gradient" : ", compared with the previous update"
        if !zeroOnSignChange { s += ", no zeroing on a sign change" }
        if form == .optax { s += emitsPreviousUpdate ? ", emits the previous update" : ", emits this step's update" }
        if maximize { s += ", maximize" }
        return s
    }

    @_specialize(where T == Double) @_specialize(where T == Float)
    public func makeStepper<T: DescentFloat>(_: T.Type, shapes: [[Int]], engine: Engine) throws -> StepperBox<T> {
        return StepperBox(RpropStepper<T>(self, shapes: shapes, engine: engine))
    }
}

/// One Rprop step. Slots: s0 = prev (torch) / prev_updates (optax), s1 = the step sizes.
public struct RpropKernel<Scalar: DescentFloat>: ElementwiseKernel {
    @usableFromInline var torch: Bool
    @usableFromInline var maximize: Bool
    /// This step sets the step sizes to `initialStep` first.
    @usableFromInline var initialise: Bool
    @usableFromInline var initialStep: Scalar
    @usableFromInline var etaMinus, etaPlus, minStep, maxStep: Scalar
    @usableFromInline var clamp, zeroOnSignChange, emitPrevious: Bool
    @inlinable public var slotCount: Int { 2 }

    @inlinable @inline(__always)
    public func apply<L: Lane>(_ p: inout L, _ g: L, _ s: inout Slots<L>) where L.Scalar == Scalar {
        if initialise { s.s1 = L(repeating: initialStep) }
        let zero = L(repeating: 0)
        if torch {
            let d = maximize ? -g : g
            let prod = d * s.s0
            let one = L(repeating: 1)
            let factor = L.ifPositive(prod, L(repeating: etaPlus), L.ifPositive(-prod, L(repeating: etaMinus), one))
            let raw = s.s1 * factor
            let step = clamp ? L.minNaN(L.maxNaN(raw, L(repeating: minStep)), L(repeating: maxStep)) : raw
            let kept = zeroOnSignChange ? L.ifPositive(-prod, zero, d) : d
            p = p - L.ifPositive(kept, one, L.ifPositive(-kept, -one, zero)) * step
            s.s0 = kept
            s.s1 = step
        } else {
            let prod = g * s.s0
            let raw = s.s1 * L.ifPositive(prod, L(repeating: etaPlus), L(repeating: etaMinus))
            let clipped = clamp ? L.minNaN(L.maxNaN(raw, L(repeating: minStep)), L(repeating: maxStep)) : raw
            let step = L.ifZero(prod, s.s1, clipped)
            let current = step * g.signum
            let newPrev = zeroOnSignChange ? L.ifPositive(-prod, zero, current) : current
            let update = emitPrevious ? (zeroOnSignChange ? L.ifPositive(-prod, zero, s.s0) : s.s0) : newPrev
            p = p - update
            s.s0 = newPrev
            s.s1 = step
        }
    }
}

final class RpropStepper<T: DescentFloat>: Stepper {
    let config: RpropFamily
    let engine: Engine
    let prev: [Buffer<T>], stepSizes: [Buffer<T>]
    var steps = 0

    init(_ config: RpropFamily, shapes: [[Int]], engine: Engine) {
        self.config = config
        self.engine = engine
        prev = .zeros(like: shapes)
        stepSizes = .zeros(like: shapes)
    }

    func step(params: [Buffer<T>], grads: [Buffer<T>], lr: Double) {
        let c = config
        let k = RpropKernel<T>(torch: c.form == .torch, maximize: c.maximize, initialise: steps == 0,
                               initialStep: T(c.initialStepSize ?? lr),
                               etaMinus: T(c.etaMinus), etaPlus: T(c.etaPlus), minStep: T(c.minStepSize), maxStep: T(c.maxStepSize),
                               clamp: c.clampStepSizes, zeroOnSignChange: c.zeroOnSignChange,
                               emitPrevious: c.form == .optax && c.emitsPreviousUpdate)
        engine.map(k, params, grads, [prev, stepSizes])
        steps += 1
    }

    var state: [(name: String, buffers: [Buffer<T>])] {
        config.form == .torch ? [("prev", prev), ("step_size", stepSizes)] : [("prev_updates", prev), ("step_sizes", stepSizes)]
    }
}

extension RpropStepper {
    func save() -> StepperState { StepperState(buffers: state, scalars: [("step", Double(steps))]) }
    func load(_ saved: StepperState) throws { try saved.restore(into: state); steps = try saved.count() }
}
