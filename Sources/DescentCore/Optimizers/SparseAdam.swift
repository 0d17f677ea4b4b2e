// SparseAdam.swift — torch.optim.SparseAdam (torch 2.15, torch/optim/sparse_adam.py over
// torch/optim/_functional.py's sparse_adam): Adam masked to the entries a sparse gradient holds.
// The gradient arrives coalesced (its values at the present entries; FORMAT.md `grad_indices`).
// Per tensor, every step the tensor has a gradient (even one with no entries):
//
//   t ← t + 1                                   (state["step"], per tensor)
//   nothing more when the gradient holds no entry
//   at every present entry, with g ← −g if maximize:
//     Δm = (g − m)·(1 − β₁);  m ← m + Δm          (exp_avg.add_(sparse Δm), torch's order)
//     Δv = (g² − v)·(1 − β₂);  v ← v + Δv          (exp_avg_sq)
//     w ← w + (−α)·(m / (√v + ε)),  α = lr·√(1 − β₂ᵗ)/(1 − β₁ᵗ)   (Python floats)
//   absent entries: m, v and w unchanged.
//
// A gradient given without `grad_indices` is dense, which torch refuses ("SparseAdam does not
// support dense gradients"); the verifier says so. State names torch's: step, exp_avg, exp_avg_sq.

public struct SparseAdamFamily: OptimizerFamily {
    public var beta1 = 0.9
    public var beta2 = 0.999
    public var eps = 1e-8
    public var maximize = false
    /// A known-wrong variant's knob: every entry updated as if present (Adam on the densified
    /// gradient, absent entries decaying and moving).
    public var denseUpdate = false
    /// A known-wrong variant's knob: a gradient with no entries does not advance the step count.
    public var countEmptyGradients = true

    public init() {}

    public var familyName: String { "SparseAdam" }
    public var summary: String {
        var s = "torch form, betas (\(beta1), \(beta2)), eps \(eps) outside the root, present entries only"
        if maximize { s += ", maximize" }
        if denseUpdate { s += ", every entry updated" }
        if !countEmptyGradients { s += ", empty gradients not counted" }
        return s
    }

    @_specialize(where T == Double) @_specialize(where T == Float)
    public func makeStepper<T: DescentFloat>(_: T.Type, shapes: [[Int]], engine: Engine) throws -> StepperBox<T> {
        return StepperBox(SparseAdamStepper<T>(self, shapes: shapes, engine: engine))
    }
}

/// One SparseAdam step for one tensor. Slots: s0 = exp_avg, s1 = exp_avg_sq, s2 = the presence
/// mask (1 present, 0 absent; read only).
public struct SparseAdamKernel<Scalar: DescentFloat>: ElementwiseKernel {
    @usableFromInline var oneMinusBeta1, oneMinusBeta2, eps, negStepSize: Scalar
    @usableFromInline var maximize: Bool
    @inlinable public var slotCount: Int { 3 }

    @inlinable @inline(__always)
    public func apply<L: Lane>(_ p: inout L, _ g: L, _ s: inout Slots<L>) where L.Scalar == Scalar {
        let d = maximize ? -g : g
        let m = s.s0 + (d - s.s0) * L(repeating: oneMinusBeta1)
        let v = s.s1 + (d * d - s.s1) * L(repeating: oneMinusBeta2)
        let w = p + L(repeating: negStepSize) * (m / (v.squareRoot() + L(repeating: eps)))
        s.s0 = L.ifZero(s.s2, s.s0, m)
        s.s1 = L.ifZero(s.s2, s.s1, v)
        p = L.ifZero(s.s2, p, w)
    }
}

final class SparseAdamStepper<T: DescentFloat>: SparseGradientStepper {
    let config: SparseAdamFamily
    let engine: Engine
    let expAvg: [Buffer<T>], expAvgSq: [Buffer<T>]
    /// The presence masks of the step being taken (rewritten every step).
    let masks: [Buffer<T>]
    var steps: [Int]

    init(_ config: SparseAdamFamily, shapes: [[Int]], engine: Engine) {
        self.config = config
        self.engine = engine
        expAvg = .zeros(like: shapes)
        expAvgSq = .zeros(like: shapes)
        masks = .zeros(like: shapes)
        steps = Array(repeating: 0, count: shapes.count)
    }

    /// A dense gradient: every entry present (how `denseUpdate` and a plain replay run).
    func step(params: [Buffer<T>], grads: [Buffer<T>], lr: Double) {
        step(params: params, grads: grads, present: grads.map { Array(0..<$0.count) }, lr: lr)
    }

    func step(params: [Buffer<T>], grads: [Buffer<T>], present: [[Int]], lr: Double) {
        let c = config
        var run: [Int] = []
        for i in params.indices {
            let entries = c.denseUpdate ? Array(0..<masks[i].count) : present[i]
            if !entries.isEmpty || c.countEmptyGradients { steps[i] += 1 }
            if entries.isEmpty { continue }
            for j in 0..<masks[i].count { masks[i][j] = 0 }
            for j in entries { masks[i][j] = 1 }
            run.append(i)
        }
        guard !run.isEmpty else { return }
        let kernels = run.map { i -> SparseAdamKernel<T> in
            let t = Double(steps[i])
            let bc1 = 1 - Double.pow(c.beta1, t), bc2 = 1 - Double.pow(c.beta2, t)
            return SparseAdamKernel<T>(oneMinusBeta1: T(1 - c.beta1), oneMinusBeta2: T(1 - c.beta2), eps: T(c.eps),
                                       negStepSize: T(-(lr * bc2.squareRoot() / bc1)), maximize: c.maximize)
        }
        engine.map(perTensor: { kernels[$0] }, run.map { params[$0] }, run.map { grads[$0] },
                   [run.map { expAvg[$0] }, run.map { expAvgSq[$0] }, run.map { masks[$0] }])
    }

    var state: [(name: String, buffers: [Buffer<T>])] { [("exp_avg", expAvg), ("exp_avg_sq", expAvgSq)] }
}

extension SparseAdamStepper {
    func save() -> StepperState {
        var s = StepperState(buffers: state)
        s.add(perTensor: steps.map(Double.init), as: "step")
        return s
    }
    func load(_ saved: StepperState) throws {
        try saved.restore(into: state)
        let counts: [Double] = try saved.perTensor("step", count: steps.count)
        steps = counts.map { Int($0) }
    }
}
