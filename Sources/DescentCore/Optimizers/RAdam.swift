// RAdam.swift — Rectified Adam (Liu et al. 2020): torch RAdam and optax radam.
// Step t = 1, 2, …; bc₁ = 1 − β₁ᵗ, bc₂ = 1 − β₂ᵗ:
//
//   g ← −g if maximize;  g ← g + λ·w (L2)  |  w ← w·(1 − lr·λ) (decoupled)     (torch)
//   m ← β₁·m + (1−β₁)·g ;  v ← β₂·v + (1−β₂)·g²;  m̂ = m/bc₁   (optax nesterov: as in Adam)
//   ρ∞ = 2/(1−β₂) − 1,  ρₜ = ρ∞ − 2t·β₂ᵗ/bc₂
//   r = √((ρₜ−4)(ρₜ−2)ρ∞ / ((ρ∞−4)(ρ∞−2)ρₜ))
//   rectified (torch ρₜ > 5, optax ρₜ ≥ threshold):
//       torch  w ← w − lr·m̂·√bc₂/(√v + ε)·r          (ε is NOT bias-corrected: ε·√bc₂ relative to √v̂)
//       optax  w ← w − lr·r·m̂/(√(v̂ + ε_root) + ε)
//   otherwise (SGD with momentum):  w ← w − lr·m̂
//
// State: torch exp_avg, exp_avg_sq; optax mu, nu.
//
// pytorch_optimizer's RAdam-based optimizers (Ranger, pytorch-optimizer 4.1.0: `pytorchOptimizer`
// set, torch's form otherwise): g ← −g (maximize); apply_weight_decay (w·(1 − lr·λ), fixed_decay
// w·(1 − λ), or g + λ·w); m ← lerp(m, g, 1 − β₁); v ← β₂·v + (1 − β₂)·g²; get_rectify_step_size and
// apply_adam_debias in Python floats: η = lr·r_t/bc₁ (adam_debias: lr·r_t) with
//   r_t = √(bc₂·(ρ − 4)/(ρ∞ − 4)·(ρ − 2)/ρ·ρ∞/(ρ∞ − 2)) when ρ ≥ n_sma_threshold, else 1
//   (degenerated_to_sgd) or −1;
// then w ← w + (−η)·(m/(√v + ε)) when ρ ≥ n_sma_threshold, else w ← w + (−η)·m — which Ranger
// takes whatever η's sign (r_t = −1 without degenerated_to_sgd: a step UP the gradient for the
// first steps), where pytorch_optimizer's RAdam takes it only when η > 0 (`guardsNegativeStep`).

/// get_rectify_step_size(is_rectify=True, …) of pytorch_optimizer's BaseOptimizer, in its Python
/// float operations: (lr·r_t, ρ_t), r_t the rectification above the threshold, else 1 with
/// degenerated_to_sgd, else −1.
func pytorchOptimizerRectifiedStep(step t: Int, lr: Double, beta2: Double, threshold: Double,
                                   degeneratedToSGD: Bool) -> (stepSize: Double, nSma: Double) {
    let nSmaMax = 2.0 / (1.0 - beta2) - 1.0
    let b2t = Double.pow(beta2, Double(t))
    let nSma = nSmaMax - 2 * Double(t) * b2t / (1.0 - b2t)
    let rt: Double
    if nSma >= threshold {
        rt = ((1.0 - b2t) * (nSma - 4) / (nSmaMax - 4) * (nSma - 2) / nSma * nSmaMax / (nSmaMax - 2)).squareRoot()
    } else {
        rt = degeneratedToSGD ? 1 : -1
    }
    return (lr * rt, nSma)
}

public struct RAdamFamily: OptimizerFamily {
    /// `.torch` or `.optax`.
    public var form: AdamForm
    public var beta1 = 0.9
    public var beta2 = 0.999
    public var eps = 1e-8
    public var epsRoot = 0.0
    /// Rectify when ρₜ > threshold (torch, fixed 5) or ρₜ ≥ threshold (optax).
    public var threshold = 5.0
    public var nesterov = false
    public var decay: AdamDecay = .none
    public var maximize = false
    /// pytorch_optimizer's step (above); nil = `form`'s. Its `threshold` is n_sma_threshold (ρₜ ≥).
    public var pytorchOptimizer: PytorchOptimizerRectification? = nil
    /// A port's precision (the diagnosis's knob, torch and optax forms): the step's scalars
    /// (1 − β₁ᵗ, 1 − β₂ᵗ, ρₜ, rₜ, √(1 − β₂ᵗ)) computed in float32.
    public var scalarsInFloat32 = false

    /// What pytorch_optimizer's RAdam-based optimizers add to torch's form.
    public struct PytorchOptimizerRectification: Sendable, Equatable {
        /// apply_weight_decay (weight_decay, weight_decouple, fixed_decay); `decay` is unused.
        public var decay: LionDecay = .none
        public var degeneratedToSGD = false
        /// adam_debias (a **kwargs group key): η = lr·r_t, not lr·r_t/bc₁.
        public var adamDebias = false
        /// The SGD step below the threshold only when η > 0 (RAdam); false: whatever its sign (Ranger).
        public var guardsNegativeStep = false
        public init() {}
    }

    public init(form: AdamForm) { self.form = form }

    public var familyName: String { "RAdam" }
    public var summary: String {
        if let po = pytorchOptimizer {
            return "pytorch_optimizer form, betas (\(beta1), \(beta2)), eps \(eps), rectified when rho >= \(threshold), "
                + (po.degeneratedToSGD ? "SGD below" : "a −lr·(−1) step below") + (po.guardsNegativeStep ? " (only when positive)" : "")
                + ", \(po.decay.summary)" + (po.adamDebias ? ", adam_debias" : "") + (maximize ? ", maximize" : "")
        }
        return "\(form.rawValue) form, betas (\(beta1), \(beta2)), eps \(eps)" + (epsRoot != 0 ? ", eps_root \(epsRoot)" : "")
            + ", rectified when rho \(form == .torch ? ">" : ">=") \(threshold), \(decay.summary)"
            + (nesterov ? ", nesterov" : "") + (maximize ? ", maximize" : "")
            + (scalarsInFloat32 ? ", step scalars in float32" : "")
    }

    @_specialize(where T == Double) @_specialize(where T == Float)
    public func makeStepper<T: DescentFloat>(_: T.Type, shapes: [[Int]], engine: Engine) throws -> StepperBox<T> {
        return StepperBox(RAdamStepper<T>(self, shapes: shapes, engine: engine))
    }
}

/// One RAdam step for one tensor. Slots: s0 = m, s1 = v.
public struct RAdamKernel<Scalar: DescentFloat>: ElementwiseKernel {
    @usableFromInline var form: AdamForm
    @usableFromInline var maximize, rectified, nesterov: Bool
    @usableFromInline var l2, decayFactor: Scalar
    @usableFromInline var beta1, beta2, oneMinusBeta1, oneMinusBeta2, eps, epsRoot: Scalar
    @usableFromInline var bc1, bc2, bc2Sqrt, bc1Next, rect, lr, negLr: Scalar
    /// pytorch_optimizer: 0 adaptive, 1 momentum (SGD), 2 no step; the step w + (−η)·… (negLr = −η).
    @usableFromInline var pytorchOptimizerMode: Int? = nil
    @inlinable public var slotCount: Int { 2 }

    @inlinable @inline(__always)
    public func apply<L: Lane>(_ p: inout L, _ g: L, _ s: inout Slots<L>) where L.Scalar == Scalar {
        var d = maximize ? -g : g
        if decayFactor != 1 { p = p * L(repeating: decayFactor) }
        if l2 != 0 { d = d + L(repeating: l2) * p }
        if let mode = pytorchOptimizerMode {
            s.s0 = torchLerp(s.s0, d, oneMinusBeta1)
            s.s1 = s.s1 * L(repeating: beta2) + L(repeating: oneMinusBeta2) * d * d
            if mode == 0 {
                p = p + L(repeating: negLr) * (s.s0 / (s.s1.squareRoot() + L(repeating: eps)))
            } else if mode == 1 {
                p = p + L(repeating: negLr) * s.s0
            }
        } else if form == .torch {
            s.s0 = torchLerp(s.s0, d, oneMinusBeta1)
            s.s1 = s.s1 * L(repeating: beta2) + L(repeating: oneMinusBeta2) * d * d
            let mHat = s.s0 / L(repeating: bc1)
            if rectified {
                let adaptive = L(repeating: bc2Sqrt) / (s.s1.squareRoot() + L(repeating: eps))
                p = p - mHat * L(repeating: lr) * adaptive * L(repeating: rect)
            } else {
                p = p - mHat * L(repeating: lr)
            }
        } else {
            s.s0 = L(repeating: oneMinusBeta1) * d + L(repeating: beta1) * s.s0
            s.s1 = L(repeating: oneMinusBeta2) * (d * d) + L(repeating: beta2) * s.s1
            var mHat = s.s0 / L(repeating: bc1)
            if nesterov {
                mHat = L(repeating: beta1) * (s.s0 / L(repeating: bc1Next)) + L(repeating: oneMinusBeta1) * (d / L(repeating: bc1))
            }
            var u = mHat
            if rectified {
                let vHat = s.s1 / L(repeating: bc2)
                u = L(repeating: rect) * mHat / ((vHat + L(repeating: epsRoot)).squareRoot() + L(repeating: eps))
            }
            p = p + L(repeating: negLr) * u
        }
    }
}

final class RAdamStepper<T: DescentFloat>: Stepper {
    let config: RAdamFamily
    let engine: Engine
    private(set) var t = 0
    let m: [Buffer<T>], v: [Buffer<T>]

    init(_ config: RAdamFamily, shapes: [[Int]], engine: Engine) {
        self.config = config
        self.engine = engine
        m = .zeros(like: shapes)
        v = .zeros(like: shapes)
    }

    func step(params: [Buffer<T>], grads: [Buffer<T>], lr: Double) {
        t += 1
        let c = config, step = Double(t)
        // optax's count is int32: its powers are XLA's square-and-multiply (ρₜ amplifies an ulp).
        func power(_ b: Double, _ n: Int) -> Double { c.form == .torch ? Double.pow(b, Double(n)) : xlaIntegerPow(b, n) }
        let b2t = power(c.beta2, t)
        var bc1 = 1 - power(c.beta1, t), bc2 = 1 - b2t
        let rhoInf = 2 / (1 - c.beta2) - 1
        var rho = rhoInf - 2 * step * b2t / bc2
        var rect = Double.pow((rho - 4) * (rho - 2) * rhoInf / ((rhoInf - 4) * (rhoInf - 2) * rho), 0.5)
        var bc1Next = 1 - power(c.beta1, t + 1)
        if c.scalarsInFloat32 {
            // A port that computes the step's scalars in float32 (the diagnosis's precision knob).
            let b1 = Float(c.beta1), b2 = Float(c.beta2), s = Float(t)
            let b2tF = Float.pow(b2, s), bc2F = 1 - b2tF
            let rhoInfF = 2 / (1 - b2) - 1
            let rhoF = rhoInfF - 2 * s * b2tF / bc2F
            bc1 = Double(1 - Float.pow(b1, s))
            bc2 = Double(bc2F)
            rho = Double(rhoF)
            rect = Double(((rhoF - 4) * (rhoF - 2) * rhoInfF / ((rhoInfF - 4) * (rhoInfF - 2) * rhoF)).squareRoot())
            bc1Next = Double(1 - Float.pow(b1, s + 1))
        }
        let rectified = c.form == .torch ? rho > c.threshold : rho >= c.threshold
        if let po = c.pytorchOptimizer {
            var (eta, nSma) = pytorchOptimizerRectifiedStep(step: t, lr: lr, beta2: c.beta2, threshold: c.threshold,
                                                            degeneratedToSGD: po.degeneratedToSGD)
            if !po.adamDebias { eta /= bc1 }
            let mode = nSma >= c.threshold ? 0 : (!po.guardsNegativeStep || eta > 0) ? 1 : 2
            let d = po.decay.parts(lr: lr, addedToUpdate: false)
            var k = RAdamKernel<T>(
                form: .torch, maximize: c.maximize, rectified: mode == 0, nesterov: false,
                l2: T(d.coupled), decayFactor: T(d.factor),
                beta1: T(c.beta1), beta2: T(c.beta2), oneMinusBeta1: T(1 - c.beta1), oneMinusBeta2: T(1 - c.beta2),
                eps: T(c.eps), epsRoot: 0, bc1: T(bc1), bc2: T(bc2), bc2Sqrt: 1, bc1Next: 1, rect: 1, lr: T(eta), negLr: T(-eta))
            k.pytorchOptimizerMode = mode
            engine.map(k, params, grads, [m, v])
            return
        }
        let decoupled = c.decay.decoupled
        let k = RAdamKernel<T>(
            form: c.form, maximize: c.maximize, rectified: rectified, nesterov: c.nesterov,
            l2: T(c.decay.l2), decayFactor: T(decoupled != 0 ? 1 - lr * decoupled : 1),
            beta1: T(c.beta1), beta2: T(c.beta2), oneMinusBeta1: T(1 - c.beta1), oneMinusBeta2: T(1 - c.beta2),
            eps: T(c.eps), epsRoot: T(c.epsRoot), bc1: T(bc1), bc2: T(bc2),
            bc2Sqrt: T(c.scalarsInFloat32 ? Double(Float(bc2).squareRoot()) : Double.pow(bc2, 0.5)),
            bc1Next: T(bc1Next), rect: T(rectified ? rect : 0), lr: T(lr), negLr: T(-lr))
        engine.map(k, params, grads, [m, v])
    }

    var state: [(name: String, buffers: [Buffer<T>])] {
        config.form == .torch ? [("exp_avg", m), ("exp_avg_sq", v)] : [("mu", m), ("nu", v)]
    }
}

extension RAdamStepper {
    func save() -> StepperState { StepperState(buffers: state, scalars: [("step", Double(t))]) }
    func load(_ saved: StepperState) throws { try saved.restore(into: state); t = try saved.count() }
}
