// StableAdamW.swift — StableAdamW (Wortsman et al. 2023) as pytorch_optimizer 4.1.0 computes it
// (pytorch_optimizer/optimizer/adamw.py, the per-parameter path that CPU tensors take when
// `foreach` is None). Step t = 1, 2, … (the group's step), per tensor:
//
//   debias(β, t) = (βᵗ − β)/(βᵗ − 1)              (= β(1 − βᵗ⁻¹)/(1 − βᵗ): a bias-corrected EMA rate)
//   g ← −g (maximize);  g ← g + λ·w when weight_decouple is False and λ > 0
//   m ← lerp(m, g, 1 − debias(β₁, t))             (torch's lerp)
//   v ← v·debias(β₂, t) + (1 − debias(β₂, t))·g²
//   rms = max(1, √mean(g²/max(v, ε²)))            (one number per tensor: update clipping)
//   lr_t = lr / rms
//   w ← w·(1 − λ·lr_t)                             (weight_decouple, the default; λ = weight_decay 1e-2)
//   w ← w + m / ((√v + ε)/(−lr_t))
//
// No bias correction beyond the debiased rates: m and v are already unbiased. kahan_sum acts only
// on float16 / bfloat16 parameters (the library makes no compensation buffer otherwise), so on
// float32 and float64 runs it changes nothing.

public struct StableAdamWFamily: OptimizerFamily {
    public var beta1 = 0.9
    public var beta2 = 0.99
    public var eps = 1e-8
    public var weightDecay = 1e-2
    public var weightDecouple = true
    public var maximize = false
    /// Known-wrong forms: the RMS clip left out (lr used as is); plain β₁, β₂ instead of the
    /// debiased rates (Adam's EMAs with no bias correction).
    public var rmsClip = true
    public var debiasedBetas = true

    public init() {}

    public var familyName: String { "StableAdamW" }
    public var summary: String {
        var parts = ["betas (\(beta1), \(beta2))" + (debiasedBetas ? " debiased per step" : " as plain EMA rates"), "eps \(eps)"]
        parts.append(rmsClip ? "lr / max(1, RMS(g/√v)) per tensor" : "no RMS clip")
        if weightDecay != 0 { parts.append(weightDecouple ? "decay w·(1 − λ·lr_t)" : "decay g + λ·w") }
        if maximize { parts.append("maximize") }
        return parts.joined(separator: ", ")
    }

    /// `debias_beta(β, t)` in the library's operations.
    func debias(_ beta: Double, _ t: Int) -> Double {
        guard debiasedBetas else { return beta }
        let bn = Double.pow(beta, Double(t))
        return (bn - beta) / (bn - 1.0)
    }

    @_specialize(where T == Double) @_specialize(where T == Float)
    public func makeStepper<T: DescentFloat>(_: T.Type, shapes: [[Int]], engine: Engine) throws -> StepperBox<T> {
        StepperBox(StableAdamWStepper<T>(self, shapes: shapes, engine: engine))
    }
}

/// mode 0 (moments): slots s0 = exp_avg, s1 = exp_avg_sq, s2 = the scratch g²/max(v, ε²).
/// mode 1 (step): slots s0, s1; `keep` = 1 − λ·lr_t (1 without decoupled decay), `negLr` = −lr_t.
public struct StableAdamWKernel<Scalar: DescentFloat>: ElementwiseKernel {
    @usableFromInline var mode: Int
    @usableFromInline var maximize: Bool
    @usableFromInline var coupled: Scalar
    @usableFromInline var beta1Comp, beta2Hat, oneMinusBeta2Hat, epsSquared, eps: Scalar
    @usableFromInline var keep, negLr: Scalar
    @inlinable public var slotCount: Int { mode == 0 ? 3 : 2 }

    @inlinable @inline(__always)
    public func apply<L: Lane>(_ p: inout L, _ g: L, _ s: inout Slots<L>) where L.Scalar == Scalar {
        if mode == 0 {
            var g = maximize ? -g : g
            if coupled != 0 { g = g + L(repeating: coupled) * p }
            s.s0 = torchLerp(s.s0, g, beta1Comp)
            s.s1 = s.s1 * L(repeating: beta2Hat) + L(repeating: oneMinusBeta2Hat) * g * g
            s.s2 = (g * g) / L.maxNaN(s.s1, L(repeating: epsSquared))
        } else {
            if keep != 1 { p = p * L(repeating: keep) }
            let denom = (s.s1.squareRoot() + L(repeating: eps)) / L(repeating: negLr)
            p = p + s.s0 / denom
        }
    }
}

final class StableAdamWStepper<T: DescentFloat>: Stepper {
    let config: StableAdamWFamily
    let engine: Engine
    var step = 0
    let m, v, scratch: [Buffer<T>]

    init(_ config: StableAdamWFamily, shapes: [[Int]], engine: Engine) {
        self.config = config
        self.engine = engine
        m = .zeros(like: shapes)
        v = .zeros(like: shapes)
        scratch = .zeros(like: shapes)
    }

    func step(params: [Buffer<T>], grads: [Buffer<T>], lr: Double) {
        let c = config
        step += 1
        let b1c = 1.0 - c.debias(c.beta1, step), b2h = c.debias(c.beta2, step)
        var k = StableAdamWKernel<T>(mode: 0, maximize: c.maximize,
                                     coupled: !c.weightDecouple && c.weightDecay > 0 ? T(c.weightDecay) : 0,
                                     beta1Comp: T(b1c), beta2Hat: T(b2h), oneMinusBeta2Hat: T(1.0 - b2h),
                                     epsSquared: T(Double.pow(c.eps, 2)), eps: T(c.eps), keep: 1, negLr: 0)
        for i in params.indices {
            k.mode = 0
            engine.map(k, params[i], grads[i], [m[i], v[i], scratch[i]])
            var lrT = T(lr)
            if c.rmsClip {
                var sum = T(0)
                for j in 0..<scratch[i].count { sum += scratch[i][j] }
                let rms = (sum / T(Double(Swift.max(scratch[i].count, 1)))).squareRoot()
                lrT = lrT / (rms.isNaN || rms > 1 ? rms : 1)   // clip_(min=1.0) keeps a NaN
            }
            k.mode = 1
            k.keep = c.weightDecouple && c.weightDecay != 0 ? 1 - T(c.weightDecay) * lrT : 1
            k.negLr = -lrT
            engine.map(k, params[i], grads[i], [m[i], v[i]])
        }
    }

    var state: [(name: String, buffers: [Buffer<T>])] { [("exp_avg", m), ("exp_avg_sq", v)] }
}

extension StableAdamWStepper {
    func save() -> StepperState { StepperState(buffers: state, scalars: [("step", Double(step))]) }
    func load(_ saved: StepperState) throws {
        try saved.restore(into: state)
        step = try saved.count()
    }
}
