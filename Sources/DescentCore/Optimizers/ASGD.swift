// ASGD.swift — averaged stochastic gradient descent (Polyak & Juditsky, 1992, with the decaying
// step of Bottou's "Stochastic Gradient Descent Tricks"): torch.optim.ASGD.
//
// State: the step size eta (starts at the group's lr at the first step), the averaging weight mu
// (starts at 1), the average ax (zeros), the step count t. Step t = 1, 2, … with gradient g
// (torch/optim/asgd.py, _single_tensor_asgd):
//   d ← −g if maximize;  d ← d + weight_decay·w          (L2, coupled)
//   w ← w·(1 − lambd·eta)                                 (the decay term, Python floats)
//   w ← w + (−eta)·d
//   ax ← w                  while mu = 1 (a copy: torch tests mu.item() != 1)
//   ax ← ax + (w − ax)·mu   otherwise
//   eta ← lr / (1 + lambd·lr·t)^alpha                     (lr: the group's lr at this step)
//   mu ← 1 / max(1, t − t0)
// So the step t + 1 uses the eta and mu computed at step t, and ax averages once t − 1 − t0 > 1
// (t0 need not be an integer). eta, mu and the count are float64 scalars (the golden's default
// dtype), computed in Double here for every precision; ax and w are in the run's precision.
// The parameters never read ax: only the state shows it.
import Foundation

public struct ASGDFamily: OptimizerFamily {
    public var lambd = 1e-4
    public var alpha = 0.75
    public var t0 = 1e6
    public var weightDecay = 0.0
    public var maximize = false
    /// A known-wrong variant's knob: eta stays at the first lr (the decay schedule of eta ignored).
    public var constantEta = false
    /// The decay term w·(1 − lambd·eta) (a known-wrong variant's knob: false, lambd only in eta).
    public var decayTerm = true

    public init() {}

    public var familyName: String { "ASGD" }
    public var summary: String {
        var s = "lambd \(lambd), alpha \(alpha), t0 \(t0)"
        if weightDecay != 0 { s += ", L2 decay \(weightDecay)" }
        if maximize { s += ", maximize" }
        if constantEta { s += ", eta constant" }
        if !decayTerm { s += ", no decay term" }
        return s
    }

    @_specialize(where T == Double) @_specialize(where T == Float)
    public func makeStepper<T: DescentFloat>(_: T.Type, shapes: [[Int]], engine: Engine) throws -> StepperBox<T> {
        return StepperBox(ASGDStepper<T>(self, shapes: shapes, engine: engine))
    }
}

/// One ASGD step. Slot 0 is ax.
public struct ASGDKernel<Scalar: DescentFloat>: ElementwiseKernel {
    @usableFromInline var maximize: Bool
    @usableFromInline var weightDecay: Scalar
    @usableFromInline var decayFactor: Scalar   // 1 − lambd·eta
    @usableFromInline var negEta: Scalar
    @usableFromInline var averaging: Bool       // mu ≠ 1
    @usableFromInline var mu: Scalar
    @inlinable public var slotCount: Int { 1 }

    @inlinable @inline(__always)
    public func apply<L: Lane>(_ p: inout L, _ g: L, _ s: inout Slots<L>) where L.Scalar == Scalar {
        var d = maximize ? -g : g
        if weightDecay != 0 { d = d + L(repeating: weightDecay) * p }
        p = p * L(repeating: decayFactor)
        p = p + L(repeating: negEta) * d
        s.s0 = averaging ? s.s0 + (p - s.s0) * L(repeating: mu) : p
    }
}

final class ASGDStepper<T: DescentFloat>: Stepper {
    let config: ASGDFamily
    let engine: Engine
    let ax: [Buffer<T>]
    var steps = 0
    var eta = 0.0
    var mu = 1.0

    init(_ config: ASGDFamily, shapes: [[Int]], engine: Engine) {
        self.config = config
        self.engine = engine
        ax = .zeros(like: shapes)
    }

    func step(params: [Buffer<T>], grads: [Buffer<T>], lr: Double) {
        let c = config
        if steps == 0 { eta = lr }
        let k = ASGDKernel<T>(maximize: c.maximize, weightDecay: T(c.weightDecay), decayFactor: c.decayTerm ? T(1 - c.lambd * eta) : 1,
                              negEta: T(-eta), averaging: mu != 1, mu: T(mu))
        engine.map(k, params, grads, [ax])
        steps += 1
        let t = Double(steps)
        if !c.constantEta { eta = lr / Foundation.pow(1 + c.lambd * lr * t, c.alpha) }
        mu = 1 / Swift.max(1, t - c.t0)
    }

    var state: [(name: String, buffers: [Buffer<T>])] { [("ax", ax)] }
}

extension ASGDStepper {
    func save() -> StepperState {
        StepperState(buffers: state, scalars: [("step", Double(steps)), ("eta", eta), ("mu", mu)])
    }
    func load(_ saved: StepperState) throws {
        try saved.restore(into: state)
        steps = try saved.count()
        eta = try saved.scalar("eta")
        mu = try saved.scalar("mu")
    }
}
