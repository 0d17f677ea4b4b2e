// Muon.swift — Muon (momentum orthogonalised by Newton–Schulz), as torch.optim.Muon and
// optax.contrib.muon compute it. Step t = 1, 2, …; per 2-D tensor W (shape A×B), gradient G:
//
//   torch:  M ← lerp(M, G, 1−μ)                     (= μ·M + (1−μ)·G, an EMA)
//           U = lerp(G, M, μ) if nesterov else M
//           O = NS_k(U / max(‖U‖_F, ε))             (quintic Newton–Schulz, see MatrixOps)
//           W ← W·(1 − lr·λ);   W ← W − lr·s·O      s = √max(1, A/B) ("original"/None),
//                                                   0.2·√max(A,B) ("match_rms_adamw"), √(A/B) ("spectral_unclamped")
//   optax:  M ← (1−β)·G + β·M
//           Û = β·M/(1−β^(t+1)) + (1−β)·G/(1−β^t) if nesterov else M/(1−β^t)
//           O = NS_k(Û / (‖Û‖ + ε))                 (frobenius / spectral norm, or AOL / Schatten first step)
//           O ← ⟨Û, O⟩·O if adaptive
//           W ← W − lr·(s·O + λ·W)                 s = √max(1, B/A), or √max(A,B)·consistent_rms
//           tensors that are not 2-D go to optax.adamw (NAdamW when nesterov) with Muon's eps.
//
// Both libraries orthogonalise in low precision (torch: bfloat16; optax: the update's dtype);
// Descent runs Newton–Schulz in the evaluation's precision, which is what a float64 golden
// computed with the library patched to float64 shows.

public struct MuonFamily: OptimizerFamily {
    public enum Form: String, Sendable { case torch, optax }
    /// The scale s of the orthogonalised update for an A×B tensor.
    public enum ShapeScale: Sendable, Equatable {
        case torchOriginal, torchMatchRMSAdamW, torchSpectralUnclamped
        case optaxWidth
        case optaxConsistentRMS(Double)
        /// s = 1 (no shape-based scaling: a known-wrong variant).
        case unscaled

        func factor(rows a: Int, cols b: Int) -> Double {
            let A = Double(a), B = Double(b)
            switch self {
            case .torchOriginal: return max(1, A / B).squareRoot()
            case .torchMatchRMSAdamW: return 0.2 * max(A, B).squareRoot()
            case .torchSpectralUnclamped: return (A / B).squareRoot()
            case .optaxWidth: return max(1, B / A).squareRoot()
            case let .optaxConsistentRMS(c): return max(A, B).squareRoot() * c
            case .unscaled: return 1
            }
        }
    }

    public var form: Form
    public var momentum = 0.95
    public var nesterov = true
    /// Keras (torch form only): the momentum is a trace, M ← M + (G + M·(μ − 1)) = μ·M + G (no
    /// (1 − μ) on G), and Nesterov's U = G + μ·M.
    public var momentumTrace = false
    /// One (a, b, c) per Newton–Schulz step.
    public var coefficients: [(Double, Double, Double)] = Array(repeating: (3.4445, -4.7750, 2.0315), count: 5)
    public var normalization: NSNormalization
    public var weightDecay = 0.0
    public var shapeScale: ShapeScale
    /// optax `adaptive`: scale O by ⟨Û, O⟩.
    public var adaptive = false
    /// optax: the Adam(W) that takes the tensors that are not 2-D (nil: every tensor must be 2-D).
    public var fallback: AdamFamily? = nil
    /// optax `adam_learning_rate` (nil: the Muon learning rate in force).
    public var fallbackLR: Double? = nil
    /// optax `mu_dtype='float32'`: the stored first moments (Muon's and the Adam fallback's) are
    /// rounded to float32 after each step; the step itself uses the unrounded moment.
    public var muFloat32 = false

    public init(form: Form) {
        self.form = form
        normalization = form == .torch ? .frobeniusClamped(1e-7) : .frobeniusPlus(1e-8)
        shapeScale = form == .torch ? .torchOriginal : .optaxWidth
    }

    public var familyName: String { "Muon" }
    public var summary: String {
        var parts = ["\(form.rawValue) form", "momentum \(momentum)\(momentumTrace ? " (trace μ·M + G)" : "")", nesterov ? "nesterov" : "no nesterov",
                     "\(coefficients.count) NS steps", "\(normalization)", "scale \(shapeScale)"]
        if weightDecay != 0 { parts.append("decoupled decay \(weightDecay) × lr") }
        if adaptive { parts.append("adaptive") }
        if let f = fallback { parts.append("non-2-D tensors: Adam [\(f.summary)]") }
        if muFloat32 { parts.append("mu stored in float32") }
        return parts.joined(separator: ", ")
    }

    @_specialize(where T == Double) @_specialize(where T == Float)
    public func makeStepper<T: DescentFloat>(_: T.Type, shapes: [[Int]], engine: Engine) throws -> StepperBox<T> {
        if fallback == nil, let bad = shapes.first(where: { $0.count != 2 }) {
            // torch.optim.Muon's constructor check (the shape printed as torch.Size).
            throw DescentError.invalidHyperparameter(
                field: "params",
                message: "Muon only supports 2D parameters whereas we found a parameter with size: torch.Size([\(bad.map(String.init).joined(separator: ", "))])")
        }
        return StepperBox(MuonStepper<T>(self, shapes: shapes, engine: engine))
    }
}

/// Momentum and the pre-orthogonalisation update. Slots: s0 = momentum buffer, s1 = U (output).
public struct MuonMomentumKernel<Scalar: DescentFloat>: ElementwiseKernel {
    @usableFromInline var torchForm, nesterov: Bool
    @usableFromInline var mu, oneMinusMu, bc, bcNext: Scalar
    @usableFromInline var trace = false
    @usableFromInline var muMinusOne: Scalar = 0
    @inlinable public var slotCount: Int { 2 }

    @inlinable @inline(__always)
    public func apply<L: Lane>(_ p: inout L, _ g: L, _ s: inout Slots<L>) where L.Scalar == Scalar {
        if trace {
            s.s0 = s.s0 + (g + s.s0 * L(repeating: muMinusOne))
            s.s1 = nesterov ? g + L(repeating: mu) * s.s0 : s.s0
        } else if torchForm {
            s.s0 = torchLerp(s.s0, g, oneMinusMu)
            s.s1 = nesterov ? torchLerp(g, s.s0, mu) : s.s0
        } else {
            s.s0 = L(repeating: oneMinusMu) * g + L(repeating: mu) * s.s0
            s.s1 = nesterov
                ? L(repeating: mu) * (s.s0 / L(repeating: bcNext)) + L(repeating: oneMinusMu) * (g / L(repeating: bc))
                : s.s0 / L(repeating: bc)
        }
    }
}

/// The parameter update from the orthogonalised O (passed as the gradient operand).
public struct MuonApplyKernel<Scalar: DescentFloat>: ElementwiseKernel {
    @usableFromInline var torchForm: Bool
    @usableFromInline var decayFactor, negAdjustedLR: Scalar          // torch
    @usableFromInline var scale, adaptiveScale, decay, negLR: Scalar  // optax
    @usableFromInline var adaptive: Bool
    @inlinable public var slotCount: Int { 0 }

    @inlinable @inline(__always)
    public func apply<L: Lane>(_ p: inout L, _ o: L, _ s: inout Slots<L>) where L.Scalar == Scalar {
        if torchForm {
            p = p * L(repeating: decayFactor)
            p = p + L(repeating: negAdjustedLR) * o
        } else {
            let a = adaptive ? L(repeating: adaptiveScale) * o : o
            var u = L(repeating: scale) * a
            if decay != 0 { u = u + L(repeating: decay) * p }
            p = p + L(repeating: negLR) * u
        }
    }
}

final class MuonStepper<T: DescentFloat>: Stepper {
    let config: MuonFamily
    let engine: Engine
    let shapes: [[Int]]
    /// Indices of the tensors Muon handles, and of those the Adam fallback handles.
    let muonIndices: [Int], adamIndices: [Int]
    let momentum: [Buffer<T>]
    let scratch: [Buffer<T>]
    let adam: AdamStepper<T>?
    private(set) var t = 0

    init(_ config: MuonFamily, shapes: [[Int]], engine: Engine) {
        self.config = config
        self.engine = engine
        self.shapes = shapes
        let muonIdx = shapes.indices.filter { config.fallback == nil || shapes[$0].count == 2 }
        muonIndices = muonIdx
        adamIndices = shapes.indices.filter { !muonIdx.contains($0) }
        momentum = .zeros(like: muonIdx.map { shapes[$0] })
        scratch = .zeros(like: muonIdx.map { shapes[$0] })
        adam = adamIndices.isEmpty ? nil : AdamStepper<T>(config.fallback!, shapes: adamIndices.map { shapes[$0] }, engine: engine)
    }

    func step(params: [Buffer<T>], grads: [Buffer<T>], lr: Double) {
        t += 1
        let torch = config.form == .torch
        let mk = MuonMomentumKernel<T>(
            torchForm: torch, nesterov: config.nesterov, mu: T(config.momentum), oneMinusMu: T(1 - config.momentum),
            bc: T(1 - Double.pow(config.momentum, Double(t))), bcNext: T(1 - Double.pow(config.momentum, Double(t + 1))),
            trace: config.momentumTrace, muMinusOne: T(config.momentum - 1))
        for (k, i) in muonIndices.enumerated() {
            engine.map(mk, params[i], grads[i], [momentum[k], scratch[k]])
            let rows = shapes[i][0], cols = shapes[i][1]
            let u = DenseMatrix(rows: rows, cols: cols, data: scratch[k])
            let o = MatrixOps.newtonSchulz(engine, u, coefficients: config.coefficients, normalization: config.normalization)
            let s = config.shapeScale.factor(rows: rows, cols: cols)
            let ak = MuonApplyKernel<T>(
                torchForm: torch, decayFactor: T(1 - lr * config.weightDecay), negAdjustedLR: T(-(lr * s)),
                scale: T(s), adaptiveScale: config.adaptive ? engine.dot(u.data, o.data) : 1,
                decay: T(config.weightDecay), negLR: T(-lr), adaptive: config.adaptive)
            engine.map(ak, params[i], o.data, [])
        }
        if let adam {
            adam.step(params: adamIndices.map { params[$0] }, grads: adamIndices.map { grads[$0] },
                      lr: config.fallbackLR ?? lr)
        }
        if config.muFloat32 && T.self != Float.self {
            // A storage cast (optax.tree.cast(mu, mu_dtype)), not optimizer math.
            for b in momentum + (adam?.m ?? []) {
                for j in 0..<b.count { b[j] = T(Float(b[j])) }
            }
        }
    }

    var state: [(name: String, buffers: [Buffer<T>])] {
        var s: [(name: String, buffers: [Buffer<T>])] = [(config.form == .torch ? "momentum_buffer" : "mu", momentum)]
        if let adam { s += adam.state.map { ("adam." + $0.name, $0.buffers) } }
        return s
    }
}

extension MuonStepper {
    func save() -> StepperState {
        var s = StepperState(buffers: [(config.form == .torch ? "momentum_buffer" : "mu", momentum)], scalars: [("step", Double(t))])
        if let adam {
            let a = adam.save()
            s.buffers += a.buffers.map { ("adam." + $0.name, $0.values) }
            s.scalars += a.scalars.map { ("adam." + $0.name, $0.value) }
            s.layouts = [(config.form == .torch ? "momentum_buffer" : "mu", muonIndices)] + a.buffers.map { ("adam." + $0.name, adamIndices) }
        }
        return s
    }
    func load(_ saved: StepperState) throws {
        try saved.restore(into: [(config.form == .torch ? "momentum_buffer" : "mu", momentum)])
        t = try saved.count()
        if let adam {
            let prefix = "adam."
            try adam.load(StepperState(
                buffers: saved.buffers.filter { $0.name.hasPrefix(prefix) }.map { (String($0.name.dropFirst(prefix.count)), $0.values) },
                scalars: saved.scalars.filter { $0.name.hasPrefix(prefix) }.map { (String($0.name.dropFirst(prefix.count)), $0.value) }))
        }
    }
}
