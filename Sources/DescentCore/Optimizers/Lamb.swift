// Lamb.swift — LAMB (You et al. 2020) as optax.lamb and pytorch_optimizer.Lamb compute it: an
// Adam-style update rescaled per tensor by a trust ratio. Step t = 1, 2, …; bc₁ = 1 − β₁ᵗ,
// bc₂ = 1 − β₂ᵗ; element-wise within a tensor, norms per tensor:
//
//   g ← −g                                  if maximize (pytorch_optimizer)
//   g ← g·min(1, G / (‖g‖_all + ε))         pre_norm: ‖g‖_all over ALL tensors, in float32 as the library does
//   w ← w·(1 − lr·λ)  |  w·(1 − λ)          decoupled / fixed decay (pytorch_optimizer), before the ratio
//   m ← β₁·m + β₃·g      β₃ = 1 − β₁, or 1 without grad_averaging
//   v ← β₂·v + (1 − β₂)·g²
//   u = m̂ / (√(v̂ + ε_root) + ε)             optax: m̂ = m/bc₁, v̂ = v/bc₂;  pytorch_optimizer: m̂ = m, v̂ = v
//   u ← u + λ·w                             decay added to the update, inside the ratio (optax
//                                           add_decayed_weights with its mask; pytorch_optimizer weight_decouple=False)
//   r = ‖w‖′ / (‖u‖ + ε_r),  r = 1 if ‖w‖′ = 0 or ‖u‖ = 0;  ‖w‖′ = min(‖w‖, 10), ε_r = ε (pytorch_optimizer),
//                                           ‖w‖′ = ‖w‖, ε_r = 0 (optax);  r = 1 with pytorch_optimizer's adam=True
//   w ← w − η·(r·u)                         η = lr (optax; pytorch_optimizer adam_debias) or lr/bc₁ (pytorch_optimizer)
//
// pytorch_optimizer's rectify replaces the last three lines by RAdam's rectification, exactly as the
// library codes it: ρ∞ = 2/(1−β₂) − 1, ρ_t = ρ∞ − 2t·β₂ᵗ/(1−β₂ᵗ); η = lr·ρ̃_t/bc₁ with
// ρ̃_t = √((1−β₂ᵗ)(ρ_t−4)/(ρ∞−4)·(ρ_t−2)/ρ_t·ρ∞/(ρ∞−2)) when ρ_t ≥ threshold, 1 when
// degenerated_to_sgd, else −1 — and a step with η ≤ 0 moves nothing but the decoupled decay. Then
//   δ = m/(√v + ε) when ρ_t ≥ threshold, else δ = m;   r = ‖w‖′ / (‖w − η·δ‖ + ε);   w ← w − η·r·δ
// (the library measures the ratio on w − η·δ, and drops the coupled decay in this branch).
//
// pytorch_optimizer's adanorm (r = adanorm_r, 0.95): e ← r·e + (1−r)·‖g‖ per tensor (e₀ = 0); m takes
// g·e/‖g‖ instead of g when ‖g‖ > 0 and e > ‖g‖ (v still takes g).

public struct LambFamily: OptimizerFamily {
    /// Whose operation order and state names.
    public enum Form: String, Sendable {
        case optax, pytorchOptimizer = "pytorch_optimizer"
    }

    public enum Decay: Sendable, Equatable {
        case none
        /// u ← u + λ·w inside the trust ratio (optax; pytorch_optimizer `weight_decouple=False`).
        /// Not applied under `rectify` (the library has no such branch there).
        case addedToUpdate(Double)
        /// w ← w·(1 − lr·λ) before the step (pytorch_optimizer's default `weight_decouple`).
        case decoupled(Double)
        /// w ← w·(1 − λ), not scaled by the lr (pytorch_optimizer `fixed_decay`).
        case fixed(Double)

        var summary: String {
            switch self {
            case .none: return "no decay"
            case let .addedToUpdate(l): return "decay \(l) added to the update"
            case let .decoupled(l): return "decoupled decay \(l) × lr"
            case let .fixed(l): return "decoupled decay \(l) (not × lr)"
            }
        }
    }

    public enum BiasCorrection: String, Sendable {
        /// m̂ = m/bc₁ and v̂ = v/bc₂ inside the update (optax).
        case moments
        /// Uncorrected moments; the step size is lr/bc₁ (pytorch_optimizer, adam_debias=False).
        case stepSize
        /// Neither (pytorch_optimizer adam_debias=True).
        case none
    }

    /// RAdam-style rectification (pytorch_optimizer `rectify`).
    public struct Rectify: Sendable, Equatable {
        public var threshold: Double
        public var degeneratedToSGD: Bool
        public init(threshold: Double, degeneratedToSGD: Bool) {
            self.threshold = threshold
            self.degeneratedToSGD = degeneratedToSGD
        }
    }

    public var form: Form
    public var beta1 = 0.9
    public var beta2 = 0.999
    public var eps = 1e-6
    /// Added to v̂ under the root (optax `eps_root`).
    public var epsRoot = 0.0
    /// β₃ = 1 − β₁ (true) or 1 (false) on the gradient in m.
    public var gradAveraging = true
    public var biasCorrection: BiasCorrection
    public var decay: Decay = .none
    /// Per tensor: whether `addedToUpdate` decay applies (optax `mask`); nil = every tensor.
    public var decayMask: [Bool]? = nil
    /// ‖w‖ is clamped to this in the ratio (pytorch_optimizer: 10); nil = no clamp (optax).
    public var weightNormClip: Double? = nil
    /// ε_r in the ratio's denominator (pytorch_optimizer: eps; optax: 0).
    public var trustEps = 0.0
    /// A port's precision (the diagnosis's knob): the bias corrections 1 − βᵗ (and the folded step
    /// size) computed in float32.
    public var scalarsInFloat32 = false
    /// false: r = 1 (pytorch_optimizer `adam=True`).
    public var trustRatio = true
    /// pre_norm's max_grad_norm G (nil: no pre-normalisation).
    public var preNorm: Double? = nil
    public var rectify: Rectify? = nil
    public var maximize = false
    /// pytorch_optimizer `adanorm` with its `adanorm_r`; nil = off.
    public var adaNorm: Double? = nil

    public init(form: Form, biasCorrection: BiasCorrection) {
        self.form = form
        self.biasCorrection = biasCorrection
    }

    public var familyName: String { "LAMB" }
    public var summary: String {
        var parts = ["\(form.rawValue) form", "betas (\(beta1), \(beta2))", "eps \(eps)"]
        if epsRoot != 0 { parts.append("eps_root \(epsRoot)") }
        if !gradAveraging { parts.append("no grad averaging") }
        parts.append("bias correction: \(biasCorrection.rawValue)")
        parts.append(decay.summary)
        if let m = decayMask { parts.append("decay mask \(m)") }
        if !trustRatio { parts.append("trust ratio off") } else {
            parts.append("ratio ‖w‖\(weightNormClip.map { " clamped at \($0)" } ?? "")/(‖u‖ + \(trustEps))")
        }
        if let g = preNorm { parts.append("pre-norm to \(g)") }
        if let r = rectify { parts.append("rectify (threshold \(r.threshold)\(r.degeneratedToSGD ? ", SGD below" : ""))") }
        if maximize { parts.append("maximize") }
        if let r = adaNorm { parts.append("adanorm r \(r)") }
        if scalarsInFloat32 { parts.append("bias corrections in float32") }
        return parts.joined(separator: ", ")
    }

    @_specialize(where T == Double) @_specialize(where T == Float)
    public func makeStepper<T: DescentFloat>(_: T.Type, shapes: [[Int]], engine: Engine) throws -> StepperBox<T> {
        try requireDecayMask(decayMask, matches: shapes)
        return StepperBox(LambStepper<T>(self, shapes: shapes, engine: engine))
    }

    /// 1 − βᵗ (in float32 with `scalarsInFloat32`).
    func correction(_ b: Double, _ t: Int) -> Double {
        scalarsInFloat32 ? Double(1 - Float.pow(Float(b), Float(t))) : 1 - Double.pow(b, Double(t))
    }

    /// The step size η of step t and which update the step makes.
    func stepSize(step t: Int, lr: Double) -> (eta: Double, mode: LambMode) {
        var eta = lr
        var mode = LambMode.adam
        if let r = rectify {
            let nSma: Double
            (eta, nSma) = pytorchOptimizerRectifiedStep(step: t, lr: lr, beta2: beta2, threshold: r.threshold,
                                                        degeneratedToSGD: r.degeneratedToSGD)
            mode = nSma >= r.threshold ? .rectifiedAdaptive : .rectifiedMomentum
        }
        if biasCorrection == .stepSize {
            eta = scalarsInFloat32 ? Double(Float(eta) / (1 - Float.pow(Float(beta1), Float(t)))) : eta / (1.0 - Double.pow(beta1, Double(t)))
        }
        return (eta, mode)
    }
}

/// Which update a LAMB step makes (pytorch_optimizer's rectify branches).
@usableFromInline enum LambMode: Sendable {
    case adam, rectifiedAdaptive, rectifiedMomentum
}

/// Pass 1 for one tensor: decoupled decay, moments, and the update u (the ratio's numerator side).
/// Slots: s0 = m, s1 = v, s2 = u (workspace).
public struct LambMomentKernel<Scalar: DescentFloat>: ElementwiseKernel {
    @usableFromInline var mode: LambMode
    @usableFromInline var maximize, correctMoments: Bool
    @usableFromInline var clip, decayFactor, added: Scalar
    @usableFromInline var beta1, beta3, beta2, oneMinusBeta2, bc1, bc2, eps, epsRoot, negEta: Scalar
    /// adanorm: m takes d·e/‖d‖ (nil = d).
    @usableFromInline var adaNorm: (e: Scalar, norm: Scalar)? = nil
    @inlinable public var slotCount: Int { 3 }

    /// The gradient as the library prepares it: pre-norm scaling, then maximize.
    @inlinable @inline(__always)
    func prepared<L: Lane>(_ g: L) -> L where L.Scalar == Scalar {
        let d = clip != 1 ? g * L(repeating: clip) : g
        return maximize ? -d : d
    }

    @inlinable @inline(__always)
    public func apply<L: Lane>(_ p: inout L, _ g: L, _ s: inout Slots<L>) where L.Scalar == Scalar {
        let d = prepared(g)
        if decayFactor != 1 { p = p * L(repeating: decayFactor) }
        let dm = adaNorm.map { d * L(repeating: $0.e) / L(repeating: $0.norm) } ?? d
        s.s0 = L(repeating: beta1) * s.s0 + L(repeating: beta3) * dm
        s.s1 = L(repeating: beta2) * s.s1 + L(repeating: oneMinusBeta2) * (d * d)
        switch mode {
        case .adam:
            let mHat = correctMoments ? s.s0 / L(repeating: bc1) : s.s0
            let vHat = correctMoments ? s.s1 / L(repeating: bc2) : s.s1
            var u = mHat / ((vHat + L(repeating: epsRoot)).squareRoot() + L(repeating: eps))
            if added != 0 { u = u + L(repeating: added) * p }
            s.s2 = u
        case .rectifiedAdaptive:
            s.s2 = p + L(repeating: negEta) * (s.s0 / (s.s1.squareRoot() + L(repeating: eps)))
        case .rectifiedMomentum:
            s.s2 = p + L(repeating: negEta) * s.s0
        }
    }
}

/// adanorm's scratch pass: s2 ← the prepared gradient (p, m, v unchanged).
public struct LambGradientKernel<Scalar: DescentFloat>: ElementwiseKernel {
    @usableFromInline var base: LambMomentKernel<Scalar>
    @inlinable public var slotCount: Int { 3 }

    @inlinable @inline(__always)
    public func apply<L: Lane>(_ p: inout L, _ g: L, _ s: inout Slots<L>) where L.Scalar == Scalar {
        s.s2 = base.prepared(g)
    }
}

/// Pass 2 for one tensor: w ← w − η·r·δ. `g` is the update u; slots: s0 = m, s1 = v.
public struct LambApplyKernel<Scalar: DescentFloat>: ElementwiseKernel {
    @usableFromInline var mode: LambMode
    @usableFromInline var ratio, negEta, negEtaRatio, eps: Scalar
    @inlinable public var slotCount: Int { 2 }

    @inlinable @inline(__always)
    public func apply<L: Lane>(_ p: inout L, _ g: L, _ s: inout Slots<L>) where L.Scalar == Scalar {
        switch mode {
        case .adam: p = p + L(repeating: negEta) * (g * L(repeating: ratio))
        case .rectifiedAdaptive: p = p + L(repeating: negEtaRatio) * (s.s0 / (s.s1.squareRoot() + L(repeating: eps)))
        case .rectifiedMomentum: p = p + L(repeating: negEtaRatio) * s.s0
        }
    }
}

final class LambStepper<T: DescentFloat>: Stepper {
    let config: LambFamily
    let engine: Engine
    private(set) var t = 0
    let m: [Buffer<T>], v: [Buffer<T>], u: [Buffer<T>]
    /// adanorm's running gradient norm e per tensor.
    var adaNormE: [T]
    /// The last step's ‖w‖ (clamped), ‖update‖ and trust ratio per tensor (pytorch_optimizer keeps
    /// them in its state as weight_norm, adam_norm, trust_ratio); nil before a step.
    var norms: [(weight: Double, update: Double, ratio: Double)?]

    init(_ config: LambFamily, shapes: [[Int]], engine: Engine) {
        self.config = config
        self.engine = engine
        m = .zeros(like: shapes)
        v = .zeros(like: shapes)
        u = .zeros(like: shapes)
        adaNormE = Array(repeating: 0, count: shapes.count)
        norms = Array(repeating: nil, count: shapes.count)
    }

    /// pytorch_optimizer's pre_norm factor: per-tensor norms cast to float32, squared and summed in
    /// float32, then min(G / (√sum + ε), 1) in float32 (get_global_gradient_norm's `.float()`).
    func preNormFactor(_ grads: [Buffer<T>], _ maxNorm: Double) -> Double {
        var sum: Float = 0
        for g in grads {
            let n = Float(Double(engine.norm(g)))
            sum += n * n
        }
        let norm = sum.squareRoot() + Float(config.eps)
        return Double(Swift.min(Float(maxNorm) / norm, 1))
    }

    func step(params: [Buffer<T>], grads: [Buffer<T>], lr: Double) {
        t += 1
        let c = config
        let (eta, mode) = c.stepSize(step: t, lr: lr)
        let clip = c.preNorm.map { preNormFactor(grads, $0) } ?? 1
        var decayFactor = 1.0, added = 0.0
        switch c.decay {
        case .none: break
        case let .addedToUpdate(l): added = mode == .adam ? l : 0
        case let .decoupled(l): decayFactor = 1 - l * lr
        case let .fixed(l): decayFactor = 1 - l
        }
        let k1 = LambMomentKernel<T>(
            mode: mode, maximize: c.maximize, correctMoments: c.biasCorrection == .moments,
            clip: T(clip), decayFactor: T(decayFactor), added: T(added),
            beta1: T(c.beta1), beta3: T(c.gradAveraging ? 1 - c.beta1 : 1), beta2: T(c.beta2),
            oneMinusBeta2: T(1 - c.beta2), bc1: T(c.correction(c.beta1, t)),
            bc2: T(c.correction(c.beta2, t)), eps: T(c.eps), epsRoot: T(c.epsRoot), negEta: T(-eta))
        for i in params.indices {
            var ki = k1
            if let mask = c.decayMask, !mask[i] { ki.added = 0 }
            if let r = c.adaNorm {
                engine.map(LambGradientKernel(base: ki), params[i], grads[i], [m[i], v[i], u[i]])
                let norm = engine.norm(u[i])
                adaNormE[i] = adaNormE[i] * T(r) + T(1 - r) * norm
                if norm > 0 && adaNormE[i] > norm { ki.adaNorm = (adaNormE[i], norm) }
            }
            engine.map(ki, params[i], grads[i], [m[i], v[i], u[i]])
            if c.rectify != nil && eta <= 0 { continue }   // the library returns before the step
            var ratio = 1.0
            if c.trustRatio {
                var wn = Double(engine.norm(params[i]))
                if let cap = c.weightNormClip { wn = Swift.min(wn, cap) }
                let un = Double(engine.norm(u[i]))
                ratio = wn == 0 || un == 0 ? 1 : wn / (un + c.trustEps)
                norms[i] = (wn, un, ratio)
            }
            let k2 = LambApplyKernel<T>(mode: mode, ratio: T(ratio), negEta: T(-eta), negEtaRatio: T(-eta * ratio),
                                        eps: T(c.eps))
            engine.map(k2, params[i], u[i], [m[i], v[i]])
        }
    }

    var state: [(name: String, buffers: [Buffer<T>])] {
        config.form == .optax ? [("mu", m), ("nu", v)] : [("exp_avg", m), ("exp_avg_sq", v)]
    }
}

extension LambStepper {
    func save() -> StepperState {
        var s = StepperState(buffers: state, scalars: [("step", Double(t))])
        if config.adaNorm != nil { s.add(perTensor: adaNormE, as: "exp_grad_norm") }
        if norms.allSatisfy({ $0 != nil }) && !norms.isEmpty {
            s.buffers += [("weight_norm", norms.map { [$0!.weight] }), ("adam_norm", norms.map { [$0!.update] }),
                          ("trust_ratio", norms.map { [$0!.ratio] })]
        }
        return s
    }
    func load(_ saved: StepperState) throws {
        try saved.restore(into: state)
        t = try saved.count()
        if config.adaNorm != nil { adaNormE = try saved.perTensor("exp_grad_norm", count: adaNormE.count) }
        if let w = saved.values("weight_norm"), let u = saved.values("adam_norm"), let r = saved.values("trust_ratio"),
           w.count == norms.count, u.count == norms.count, r.count == norms.count {
            var restored: [(weight: Double, update: Double, ratio: Double)?] = []
            for i in 0..<norms.count { restored.append((weight: w[i].first ?? 0, update: u[i].first ?? 0, ratio: r[i].first ?? 1)) }
            norms = restored
        }
    }
}
