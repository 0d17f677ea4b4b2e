// SGD.swift — stochastic gradient descent, with the knobs the libraries differ on.
//
//   g ← −g if maximize;  g ← g + weight_decay·w (L2, coupled)
//   w ← w − lr·g
//
// (Momentum, dampening and Nesterov are added by the SGD/momentum work.)

public struct SGDFamily: OptimizerFamily {
    public var weightDecay: Double = 0
    public var maximize = false

    public init(weightDecay: Double = 0, maximize: Bool = false) {
        self.weightDecay = weightDecay
        self.maximize = maximize
    }

    public var familyName: String { "SGD" }
    public var summary: String { "plain SGD, L2 decay \(weightDecay)\(maximize ? ", maximize" : "")" }

    public func makeStepper(dtype: DType, shapes: [[Int]], engine: Engine) throws -> AnyStepper {
        switch dtype {
        case .float64: return AnyStepper(SGDStepper<Double>(self, engine: engine))
        case .float32: return AnyStepper(SGDStepper<Float>(self, engine: engine))
        }
    }
}

/// The element-wise update for one step.
struct SGDKernel<Scalar: DescentFloat>: ElementwiseKernel {
    var lr: Scalar
    var weightDecay: Scalar
    var maximize: Bool
    var slotCount: Int { 0 }

    @inline(__always)
    func apply<L: Lane>(_ p: inout L, _ g: L, _ s: inout Slots<L>) where L.Scalar == Scalar {
        var d = maximize ? -g : g
        if weightDecay != 0 { d = d + L(repeating: weightDecay) * p }
        p = p - L(repeating: lr) * d
    }
}

final class SGDStepper<T: DescentFloat>: Stepper {
    let config: SGDFamily
    let engine: Engine

    init(_ config: SGDFamily, engine: Engine) {
        self.config = config
        self.engine = engine
    }

    func step(params: [Buffer<T>], grads: [Buffer<T>], lr: Double) {
        let k = SGDKernel<T>(lr: T(lr), weightDecay: T(config.weightDecay), maximize: config.maximize)
        for (p, g) in zip(params, grads) { engine.map(k, p, g, []) }
    }

    var state: [(name: String, buffers: [Buffer<T>])] { [] }
}
