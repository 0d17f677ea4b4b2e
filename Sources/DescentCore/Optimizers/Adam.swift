// Adam.swift — Adam, AdamW, AMSGrad and optax's Nesterov Adam (NAdam/NAdamW), as the libraries
// compute them. Step t = 1, 2, …; bc₁ = 1 − β₁ᵗ, bc₂ = 1 − β₂ᵗ; element-wise:
//
//   g ← −g                                   if maximize (torch)
//   g ← g + λ·w                              L2 decay, coupled (torch `weight_decay`)
//   m ← β₁·m + (1−β₁)·g ;   v ← β₂·v + (1−β₂)·g²
//   m̂ = m / bc₁           nesterov (optax): m̂ = β₁·m/(1−β₁ᵗ⁺¹) + (1−β₁)·g/bc₁
//   v̂ = v / bc₂           amsgrad, torch:  vmax ← max(vmax, v),      v̂ = vmax / bc₂
//                         amsgrad, optax:  vmax ← max(vmax, v / bc₂), v̂ = vmax
//   u = m̂ / (√(v̂ + ε_root) + ε)
//   w ← w − lr·u − lr·λ·w_before             decoupled decay (torch AdamW, optax adamw)
//   w ← w − lr·u − λ·w_before                decoupled, not scaled by lr (textbook adamw)
//
// The three forms are the same equations in each library's operation order and state names:
//   torch     w ← w·(1 − lr·λ);  w ← w + (−lr/bc₁)·m / (√v/√bc₂ + ε)    exp_avg, exp_avg_sq, max_exp_avg_sq
//   optax     w ← w + (−lr)·(u + λ·w)                                     mu, nu, nu_max
//   textbook  w ← w − lr·m̂/√(v̂ + ε) − λ·w   (ε inside the root: ε_root = ε, ε = 0)   m, v

/// How weight decay enters an Adam-group update.
public enum AdamDecay: Sendable, Equatable {
    case none
    /// g ← g + λ·w before the moments (torch's `weight_decay` without decoupling).
    case l2(Double)
    /// w ← w − lr·λ·w_before, outside the moments (torch AdamW / `decoupled_weight_decay`, optax `add_decayed_weights`).
    case decoupled(Double)
    /// w ← w − λ·w_before, not scaled by the learning rate (the textbook's adamw).
    case decoupledUnscaled(Double)

    var summary: String {
        switch self {
        case .none: return "no decay"
        case let .l2(l): return "L2 decay \(l) (coupled)"
        case let .decoupled(l): return "decoupled decay \(l) × lr"
        case let .decoupledUnscaled(l): return "decoupled decay \(l) (not × lr)"
        }
    }
    var l2: Double { if case let .l2(l) = self { return l }; return 0 }
    var decoupled: Double {
        switch self {
        case let .decoupled(l), let .decoupledUnscaled(l): return l
        default: return 0
        }
    }
}

/// Whose operation order and state names an Adam-group family uses (the math is the same).
public enum AdamForm: String, Sendable {
    case torch, optax, textbook
}

/// torch's `lerp_(end, weight)` on CPU: a + w·(b − a) for |w| < ½, else b − (b − a)·(1 − w).
@inlinable @inline(__always)
func torchLerp<L: Lane>(_ a: L, _ b: L, _ w: L.Scalar) -> L {
    w.magnitude < 0.5 ? a + L(repeating: w) * (b - a) : b - (b - a) * L(repeating: 1 - w)
}

public struct AdamFamily: LowPrecisionFamily {
    public enum AMSGrad: String, Sendable {
        /// Plain Adam.
        case off
        /// torch: the running maximum of the raw v, divided by bc₂ afterwards.
        case maxOfRaw
        /// optax: the running maximum of the bias-corrected v̂.
        case maxOfCorrected
    }

    public var form: AdamForm
    public var beta1 = 0.9
    public var beta2 = 0.999
    /// Added to the root (outside).
    public var eps = 1e-8
    /// Added to v̂ under the root (optax `eps_root`; the textbook's ε).
    public var epsRoot = 0.0
    public var decay: AdamDecay = .none
    /// Per tensor: whether decoupled decay applies (optax `mask`); nil = every tensor.
    public var decayMask: [Bool]? = nil
    public var amsgrad: AMSGrad = .off
    /// optax `nesterov` (optax.nadam / nadamw).
    public var nesterov = false
    /// Keras's "epsilon hat" (torch form only): ε added to √v (not √v̂) and both bias corrections
    /// folded into the step size, w ← w − lr·(√bc₂/bc₁)·m/(√v + ε) — torch's form with ε
    /// replaced by ε/√bc₂ (keras.optimizers.Adam / AdamW, TF's Adam).
    public var epsilonHat = false
    /// optax amsgrad's `bias_correction_mu` / `bias_correction_nu`.
    public var biasCorrectionMu = true
    public var biasCorrectionNu = true
    public var maximize = false
    /// 1 − β₁ᵗ and 1 − β₂ᵗ (and √(1 − β₂ᵗ)) computed in float32, as a library with float32 scalar
    /// state does inside a float64 run (the diagnosis's precision localisation).
    public var biasCorrectionInFloat32 = false
    /// Low-precision storage (LowPrecision.swift): bf16/fp16 parameters, rounded at the path's op
    /// boundaries by `AdamLowPrecisionKernel`. nil: float32/float64 as before.
    public var storage: LowPrecisionSetup? = nil

    public init(form: AdamForm) { self.form = form }

    public var familyName: String { "Adam" }
    public var summary: String {
        var parts = ["\(form.rawValue) form", "betas (\(beta1), \(beta2))"]
        if epsilonHat {
            parts.append("epsilon hat: eps \(eps) added to √v, lr·√bc₂/bc₁ step")
        } else {
            parts.append(epsRoot != 0 ? "eps \(eps) outside + \(epsRoot) inside the root" : "eps \(eps) outside the root")
        }
        parts.append(decay.summary)
        if decayMask != nil { parts.append("decay mask \(decayMask!)") }
        if amsgrad != .off { parts.append("amsgrad (\(amsgrad.rawValue))") }
        if nesterov { parts.append("nesterov") }
        if !biasCorrectionMu || !biasCorrectionNu { parts.append("bias correction mu \(biasCorrectionMu) nu \(biasCorrectionNu)") }
        if maximize { parts.append("maximize") }
        if biasCorrectionInFloat32 { parts.append("bias corrections in float32") }
        if let storage { parts.append(storage.summary) }
        return parts.joined(separator: ", ")
    }

    @_specialize(where T == Double) @_specialize(where T == Float)
    public func makeStepper<T: DescentFloat>(_: T.Type, shapes: [[Int]], engine: Engine) throws -> StepperBox<T> {
        try requireDecayMask(decayMask, matches: shapes)
        try requireFloat32Arithmetic(T.self, storage)
        if let storage, let why = AdamLowPrecisionKernel<T>.declines(self, storage) { throw DescentError.unsupported(why) }
        return StepperBox(AdamStepper<T>(self, shapes: shapes, engine: engine))
    }

    /// The kernel for step `t` (from 1) at learning rate `lr`; per-step scalars in Double.
    func kernel<T: DescentFloat>(step t: Int, lr: Double) -> AdamKernel<T> {
        func f32(_ x: Double) -> Double { biasCorrectionInFloat32 ? Double(Float(x)) : x }
        func correction(_ b: Double, _ t: Int) -> Double {
            biasCorrectionInFloat32 ? Double(1 - Float.pow(Float(b), Float(t))) : 1 - Double.pow(b, Double(t))
        }
        let bc1 = correction(beta1, t)
        let bc2 = correction(beta2, t)
        let decoupled = decay.decoupled
        let scaledDecay = decay != .decoupledUnscaled(decoupled)
        return AdamKernel<T>(
            form: form, epsilonHat: epsilonHat, maximize: maximize, amsgrad: amsgrad != .off, amsgradOfCorrected: amsgrad == .maxOfCorrected,
            nesterov: nesterov,
            biasCorrectionMu: biasCorrectionMu, biasCorrectionNu: biasCorrectionNu,
            l2: T(decay.l2), decoupled: T(decoupled),
            decayFactor: T(form == .torch && decoupled != 0 ? 1 - (scaledDecay ? lr : 1) * decoupled : 1),
            scaledDecay: scaledDecay,
            beta1: T(beta1), beta2: T(beta2), oneMinusBeta1: T(1 - beta1), oneMinusBeta2: T(1 - beta2),
            eps: T(eps), epsRoot: T(epsRoot),
            bc1: T(bc1), bc2: T(bc2), bc2Sqrt: T(f32(Double.pow(bc2, 0.5))),
            bc1Next: T(correction(beta1, t + 1)),
            lr: T(lr), negLr: T(-lr), negStepSize: T(-(lr / bc1)),
            negHatStepSize: T(-(lr * Double.pow(bc2, 0.5) / bc1)),
            slotCount: amsgrad != .off ? 3 : 2)
    }
}

/// One Adam step for one tensor. Slots: s0 = m, s1 = v, s2 = running maximum (amsgrad).
public struct AdamKernel<Scalar: DescentFloat>: ElementwiseKernel {
    @usableFromInline var form: AdamForm
    @usableFromInline var epsilonHat: Bool
    @usableFromInline var maximize, amsgrad, amsgradOfCorrected, nesterov, biasCorrectionMu, biasCorrectionNu: Bool
    @usableFromInline var l2, decoupled, decayFactor: Scalar
    @usableFromInline var scaledDecay: Bool
    @usableFromInline var beta1, beta2, oneMinusBeta1, oneMinusBeta2, eps, epsRoot: Scalar
    @usableFromInline var bc1, bc2, bc2Sqrt, bc1Next: Scalar
    @usableFromInline var lr, negLr, negStepSize, negHatStepSize: Scalar
    public var slotCount: Int

    @inlinable @inline(__always)
    public func apply<L: Lane>(_ p: inout L, _ g: L, _ s: inout Slots<L>) where L.Scalar == Scalar {
        var d = maximize ? -g : g
        if l2 != 0 { d = d + L(repeating: l2) * p }
        switch form {
        case .torch:
            if decayFactor != 1 { p = p * L(repeating: decayFactor) }
            s.s0 = torchLerp(s.s0, d, oneMinusBeta1)
            s.s1 = s.s1 * L(repeating: beta2) + L(repeating: oneMinusBeta2) * d * d
            if epsilonHat {
                // Keras: α = lr·√bc₂/bc₁;  w ← w − α·m/(√v + ε)  (v the running max with amsgrad).
                if amsgrad { s.s2 = L.maxNaN(s.s2, s.s1) }
                p = p + L(repeating: negHatStepSize) * s.s0 / ((amsgrad ? s.s2 : s.s1).squareRoot() + L(repeating: eps))
                return
            }
            let denom: L
            if amsgrad && amsgradOfCorrected {
                s.s2 = L.maxNaN(s.s2, s.s1 / L(repeating: bc2))
                denom = s.s2.squareRoot() + L(repeating: eps)
            } else {
                if amsgrad { s.s2 = L.maxNaN(s.s2, s.s1) }
                denom = (amsgrad ? s.s2 : s.s1).squareRoot() / L(repeating: bc2Sqrt) + L(repeating: eps)
            }
            p = p + L(repeating: negStepSize) * s.s0 / denom
        case .optax, .textbook:
            s.s0 = L(repeating: oneMinusBeta1) * d + L(repeating: beta1) * s.s0
            s.s1 = L(repeating: oneMinusBeta2) * (d * d) + L(repeating: beta2) * s.s1
            var mHat = biasCorrectionMu ? s.s0 / L(repeating: bc1) : s.s0
            if nesterov {
                mHat = L(repeating: beta1) * (s.s0 / L(repeating: bc1Next)) + L(repeating: oneMinusBeta1) * (d / L(repeating: bc1))
            }
            var vHat = biasCorrectionNu ? s.s1 / L(repeating: bc2) : s.s1
            if amsgrad && amsgradOfCorrected { s.s2 = L.maxNaN(s.s2, vHat); vHat = s.s2 }
            if amsgrad && !amsgradOfCorrected { s.s2 = L.maxNaN(s.s2, s.s1); vHat = biasCorrectionNu ? s.s2 / L(repeating: bc2) : s.s2 }
            var u = mHat / ((vHat + L(repeating: epsRoot)).squareRoot() + L(repeating: eps))
            if form == .optax {
                if decoupled != 0 { u = u + L(repeating: decoupled) * p }
                p = p + L(repeating: negLr) * u
            } else {
                let w0 = p
                p = p - L(repeating: lr) * u
                if decoupled != 0 { p = p - (scaledDecay ? L(repeating: lr * decoupled) : L(repeating: decoupled)) * w0 }
            }
        }
    }
}

/// torch.optim.Adam/AdamW's usual case on one straight path: AdamKernel's torch branch with no
/// amsgrad, no maximize, no L2 and no epsilon hat, the same operations in the same order (so the
/// results are bit-identical; a decay factor of 1 multiplies exactly). With AdamKernel's flags
/// tested inside the loop, LLVM split part of the 16-lane division into scalar and 128-bit
/// divisions on the AVX-512 build, which the division unit pays for (the fused pass is bound by
/// it); this kernel's loop is all 512-bit.
public struct AdamTorchKernel<Scalar: DescentFloat>: ElementwiseKernel {
    @usableFromInline var decayFactor, oneMinusBeta1, beta2, oneMinusBeta2, bc2Sqrt, eps, negStepSize: Scalar
    public var slotCount: Int { 2 }

    /// The straight-path kernel for `k`, when `k` is that case.
    @inlinable init?(_ k: AdamKernel<Scalar>) {
        guard k.form == .torch, !k.epsilonHat, !k.amsgrad, !k.maximize, k.l2 == 0 else { return nil }
        decayFactor = k.decayFactor; oneMinusBeta1 = k.oneMinusBeta1; beta2 = k.beta2; oneMinusBeta2 = k.oneMinusBeta2
        bc2Sqrt = k.bc2Sqrt; eps = k.eps; negStepSize = k.negStepSize
    }

    @inlinable @inline(__always)
    public func apply<L: Lane>(_ p: inout L, _ g: L, _ s: inout Slots<L>) where L.Scalar == Scalar {
        p = p * L(repeating: decayFactor)
        s.s0 = torchLerp(s.s0, g, oneMinusBeta1)
        s.s1 = s.s1 * L(repeating: beta2) + L(repeating: oneMinusBeta2) * g * g
        let denom = s.s1.squareRoot() / L(repeating: bc2Sqrt) + L(repeating: eps)
        p = p + L(repeating: negStepSize) * s.s0 / denom
    }
}

/// optax.adam/adamw's usual case on one straight path: AdamKernel's optax branch with no amsgrad,
/// no nesterov, both bias corrections, no maximize and no L2, the same operations in the same
/// order (bit-identical), for the same reason as AdamTorchKernel.
public struct AdamOptaxKernel<Scalar: DescentFloat>: ElementwiseKernel {
    @usableFromInline var beta1, beta2, oneMinusBeta1, oneMinusBeta2, bc1, bc2, eps, epsRoot, decoupled, negLr: Scalar
    public var slotCount: Int { 2 }

    /// The straight-path kernel for `k`, when `k` is that case.
    @inlinable init?(_ k: AdamKernel<Scalar>) {
        guard k.form == .optax, !k.amsgrad, !k.nesterov, k.biasCorrectionMu, k.biasCorrectionNu, !k.maximize, k.l2 == 0 else { return nil }
        beta1 = k.beta1; beta2 = k.beta2; oneMinusBeta1 = k.oneMinusBeta1; oneMinusBeta2 = k.oneMinusBeta2
        bc1 = k.bc1; bc2 = k.bc2; eps = k.eps; epsRoot = k.epsRoot; decoupled = k.decoupled; negLr = k.negLr
    }

    @inlinable @inline(__always)
    public func apply<L: Lane>(_ p: inout L, _ g: L, _ s: inout Slots<L>) where L.Scalar == Scalar {
        s.s0 = L(repeating: oneMinusBeta1) * g + L(repeating: beta1) * s.s0
        s.s1 = L(repeating: oneMinusBeta2) * (g * g) + L(repeating: beta2) * s.s1
        let mHat = s.s0 / L(repeating: bc1), vHat = s.s1 / L(repeating: bc2)
        var u = mHat / ((vHat + L(repeating: epsRoot)).squareRoot() + L(repeating: eps))
        if decoupled != 0 { u = u + L(repeating: decoupled) * p }
        p = p + L(repeating: negLr) * u
    }
}

/// torch's Adam/AdamW on bf16/fp16 storage (fixtures/FORMAT.md, "Low precision", whose table this
/// follows line by line): float32 arithmetic, rounded to the storage format after every tensor op
/// (`for_loop`, `foreach`) or once at the store (`fused`, whose update uses the unrounded m and v);
/// ATen's fused multiply-adds where its scalar loops fuse them. Slots: s0 = exp_avg, s1 = exp_avg_sq.
public struct AdamLowPrecisionKernel<Scalar: DescentFloat>: ElementwiseKernel {
    @usableFromInline let rounding: StorageRounding
    @usableFromInline let fused, maximize, l2, decoupled: Bool
    /// The path's scalars, already in the form the path feeds them (float32, or rounded to the
    /// format first): λ, 1 − lr·λ, 1 − β₁, β₂, 1 − β₂, √bc₂, ε, −lr/bc₁.
    @usableFromInline let lambda, decayFactor, lerpWeight, beta2, oneMinusBeta2, bc2Sqrt, eps, negStepSize: Scalar
    public var slotCount: Int { 2 }

    /// Why the family's knobs have no low-precision kernel (nil: they have one).
    static func declines(_ c: AdamFamily, _ s: LowPrecisionSetup) -> String? {
        if c.form != .torch { return "low precision: the \(c.form.rawValue) form has no low-precision path (torch's Adam/AdamW only)" }
        if c.amsgrad != .off || c.epsilonHat || c.decay == .decoupledUnscaled(c.decay.decoupled) && c.decay.decoupled != 0 || c.decayMask != nil {
            return "low precision: Adam with amsgrad, epsilon hat, unscaled decay or a decay mask has no low-precision kernel yet"
        }
        return nil
    }

    init(_ c: AdamFamily, _ s: LowPrecisionSetup, step t: Int, lr: Double) {
        rounding = StorageRounding(s)
        fused = s.path == .fused
        maximize = c.maximize
        let f = { (x: Double) in Scalar(Float(x)) }, d = { (x: Double) in Scalar(s.params.round(Float(x))) }
        let foreach = s.path == .foreach
        l2 = c.decay.l2 != 0
        decoupled = c.decay.decoupled != 0
        let lam = l2 ? c.decay.l2 : c.decay.decoupled
        lambda = fused ? f(lam) : d(lam)
        decayFactor = foreach ? d(1 - lr * lam) : f(1 - lr * lam)
        lerpWeight = f(1 - c.beta1)
        beta2 = foreach ? d(c.beta2) : f(c.beta2)
        oneMinusBeta2 = f(1 - c.beta2)
        let step = Double(t)
        let bc1 = 1 - Double.pow(c.beta1, step), bc2 = 1 - Double.pow(c.beta2, step)
        bc2Sqrt = f(fused ? bc2.squareRoot() : Double.pow(bc2, 0.5))
        eps = fused ? f(c.eps) : d(c.eps)
        negStepSize = f(-(lr / bc1))
    }

    /// torch's lerp(a, b, w) with ATen's multiply-add fused.
    @inlinable @inline(__always) func lerp<L: Lane>(_ a: L, _ b: L) -> L where L.Scalar == Scalar {
        lerpWeight.magnitude < 0.5
            ? L.fusedMultiplyAdd(L(repeating: lerpWeight), b - a, a)
            : L.fusedMultiplyAdd(-(b - a), L(repeating: 1 - lerpWeight), b)
    }

    @inlinable @inline(__always)
    public func apply<L: Lane>(_ p: inout L, _ g0: L, _ s: inout Slots<L>) where L.Scalar == Scalar {
        var g = lowPrecisionGradient(g0, p, maximize: maximize, fusedDecay: fused && l2 ? lambda : nil)
        let R = rounding
        if fused {
            if decoupled { p = p * L(repeating: decayFactor) }
            let m = lerp(s.s0, g)
            let v = L.fusedMultiplyAdd(s.s1, L(repeating: beta2), L(repeating: oneMinusBeta2) * g * g)
            let denom = v.squareRoot() / L(repeating: bc2Sqrt) + L(repeating: eps)
            p = R.r(p + L(repeating: negStepSize) * m / denom)
            s.s0 = R.rs(m)
            s.s1 = R.rs(v)
            return
        }
        if decoupled { p = R.r(p * L(repeating: decayFactor)) }                     // param.mul_(1 − lr·λ)
        if l2 { g = R.r(g + R.r(L(repeating: lambda) * p)) }                        // grad.add(param, alpha=λ)
        s.s0 = R.rs(lerp(s.s0, g))                                                  // exp_avg.lerp_(grad, 1 − β₁)
        s.s1 = R.rs(s.s1 * L(repeating: beta2))                                     // exp_avg_sq.mul_(β₂)
        s.s1 = R.rs(L.fusedMultiplyAdd(L(repeating: oneMinusBeta2) * g, g, s.s1))  // .addcmul_(grad, grad, 1 − β₂)
        var denom = R.rs(s.s1.squareRoot())                                         // exp_avg_sq.sqrt()
        denom = R.rs(denom / L(repeating: bc2Sqrt))                                 // / √bc₂
        denom = R.rs(denom + L(repeating: eps))                                     // .add_(eps)
        p = R.r(p + L(repeating: negStepSize) * s.s0 / denom)                       // param.addcdiv_(exp_avg, denom, −s)
    }
}

final class AdamStepper<T: DescentFloat>: Stepper {
    let config: AdamFamily
    let engine: Engine
    private(set) var t = 0
    let m: [Buffer<T>], v: [Buffer<T>], vMax: [Buffer<T>]

    init(_ config: AdamFamily, shapes: [[Int]], engine: Engine) {
        self.config = config
        self.engine = engine
        m = .zeros(like: shapes)
        v = .zeros(like: shapes)
        vMax = config.amsgrad != .off ? .zeros(like: shapes) : []
    }

    func step(params: [Buffer<T>], grads: [Buffer<T>], lr: Double) {
        t += 1
        if let storage = config.storage {
            engine.map(AdamLowPrecisionKernel<T>(config, storage, step: t, lr: lr), params, grads, [m, v])
            return
        }
        let k: AdamKernel<T> = config.kernel(step: t, lr: lr)
        var masked = k
        masked.decoupled = 0; masked.decayFactor = 1
        let mask = config.decayMask
        // One pass over the whole list (MultiTensor.swift).
        if let fast = AdamTorchKernel(k), let fastMasked = AdamTorchKernel(masked) {
            engine.map(perTensor: { i in mask?[i] == false ? fastMasked : fast }, params, grads, [m, v])
            return
        }
        if let fast = AdamOptaxKernel(k), let fastMasked = AdamOptaxKernel(masked) {
            engine.map(perTensor: { i in mask?[i] == false ? fastMasked : fast }, params, grads, [m, v])
            return
        }
        engine.map(perTensor: { i in mask?[i] == false ? masked : k }, params, grads, vMax.isEmpty ? [m, v] : [m, v, vMax])
    }

    var state: [(name: String, buffers: [Buffer<T>])] {
        let names: (String, String, String) = switch config.form {
        case .torch: ("exp_avg", "exp_avg_sq", "max_exp_avg_sq")
        case .optax: ("mu", "nu", "nu_max")
        case .textbook: ("m", "v", "v_max")
        }
        return [(names.0, m), (names.1, v)] + (vMax.isEmpty ? [] : [(names.2, vMax)])
    }
}

extension AdamStepper {
    func save() -> StepperState { StepperState(buffers: state, scalars: [("step", Double(t))]) }
    func load(_ saved: StepperState) throws { try saved.restore(into: state); t = try saved.count() }
}
