// ScheduleFree.swift — Schedule-Free SGD and AdamW (Defazio et al. 2024) as optax.contrib and the
// `schedulefree` package compute them. Three sequences: z (the base optimizer's iterate), x (the
// weighted average of z, the evaluation point) and y = β·x + (1 − β)·z (where gradients are taken;
// the parameters both libraries hold while training). Step k = 0, 1, …:
//
//   lr_k   = lr·min(1, (k+1)/warmup)                      (schedulefree; optax: its warmup schedule)
//   w_k    = (k+1)^r · (max_{j≤k} lr_j)^p ;  c = w_k / Σ_{j≤k} w_j   (0 when the sum is 0)
//   u      = g                                              SGD
//          = g / (√(v/(1 − β₂^(k+1))) + ε),  v ← β₂·v + (1−β₂)·g²      AdamW
//   RAdam (schedulefree's RAdamScheduleFree, `rectify`): t = k+1, ρ∞ = 2/(1 − β₂) − 1,
//          ρ_t = ρ∞ − 2t·β₂ᵗ/(1 − β₂ᵗ); while ρ_t > 4: lr_k = lr·√((ρ_t−4)(ρ_t−2)ρ∞/((ρ∞−4)(ρ∞−2)ρ_t))
//          and u as AdamW's; else u = g and lr_k = 0 (silent_sgd_phase) or lr; v advances always
//   u      ← u + λ·y                                        weight decay, at y
//   z₊     = z − lr_k·u
//   x₊     = (1 − c)·x + c·z₊ ;   y₊ = β·x₊ + (1 − β)·z₊
//
// The two libraries store different things and so round differently; both forms are kept:
//   schedulefree  (torch, y in p, state z, exp_avg_sq):
//                 y ← lerp(y, z, c) + lr·(β(1 − c) − 1)·u ;  z ← z − lr·u
//   optax         (params y, state z, nu):  x = (y − (1 − β)·z)/β rebuilt from y and the old z;
//                 z₊ = z + (−lr·u); x₊, y₊ as above; the update is y₊ − y, applied as y + (y₊ − y).
//                 AdamW's u is (1/(√v̂ + ε))·g (scale_by_rms, eps outside). With warmup, optax's
//                 warmup_constant_schedule(0, lr, W)(n) = (0 − lr)·(1 − min(n, W)/W) + lr is read
//                 at n = step_count (from 1) for the weight and at n = count (from 0) for the base
//                 step; W = 0 makes it the constant 0 (the parameters never move).
//   closure       (schedulefree's *ScheduleFreeClosure classes, `holdsX`: the parameters hold x between
//                 steps) step(closure): y ← lerp(x, z, 1 − β) in place, the closure's gradient at y,
//                 then u as above (+ λ·y), x ← lerp(y, z, 1 − 1/β), z ← z − lr·u, x ← lerp(x, z, c);
//                 lr_max starts at 0 (the train-mode classes start it at −1).
//   reference     (schedulefree's *ScheduleFreeReference classes, `keepsX`: x kept as a state tensor,
//                 y = the parameters): SGD u = g + λ·y, z ← z − lr·u; AdamW z ← z − (lr·λ)·(y, or z
//                 with decay_at_z), v as above, z ← z + (−lr)·g/(√(v/bc₂) + ε); then
//                 x ← x·(1 − c) + c·z and y = x·β + (1 − β)·z.
//   keras         (keras.optimizers.ScheduleFreeAdamW, Keras 3.15.1; variable y, state `momentum` = z
//                 copied from the initial y when built, `velocity` = v; t = iterations + 1, every
//                 operation in the variable's dtype): Keras's weight decay y ← y − y·λ·lr first
//                 (the base optimizer's, at the lr without warmup); lr_t = lr·min(t/W, 1) (W > 0);
//                 v ← v + (g² − v)(1 − β₂); z₊ = z − (lr_t·g)/(√(v/(1 − β₂ᵗ)) + ε);
//                 x = (y − (1 − β)·z)/β rebuilt from y and the old z; c = 1/t (uniform weights: no
//                 r, no lr_max power); x₊ = (1 − c)·x + c·z₊; y₊ = (1 − β)·z₊ + β·x₊.

public struct ScheduleFreeFamily: OptimizerFamily {
    public enum Form: String, Sendable { case schedulefree, optax, keras }
    public enum Base: String, Sendable { case sgd, adamw }

    public var form: Form
    public var base: Base
    /// β: schedulefree `momentum` / `betas[0]`, optax `b1`.
    public var beta1 = 0.9
    public var beta2 = 0.999
    public var eps = 1e-8
    public var weightDecay = 0.0
    /// schedulefree: 0 = none. optax: nil = none (0 = the constant-0 schedule).
    public var warmupSteps: Int? = nil
    public var r = 0.0
    public var weightLRPower = 2.0
    /// optax: a schedule handed to schedule_free as `learning_rate`, as its values at counts
    /// 0, 1, …: the base step takes schedule(count) and max_lr / the averaging weight take
    /// schedule(step_count), one count later (the field loop sets it; nil: the step's lr).
    public var scheduleValues: [Double]? = nil
    /// RAdamScheduleFree (schedulefree form, AdamW base): the lr scaled by RAdam's rectification and
    /// the gradient normalised only while ρ_t exceeds `rectifyThreshold`.
    public var rectify = false
    /// RAdamScheduleFree's `silent_sgd_phase`: lr 0 while ρ_t ≤ 4 (false: the raw gradient at the full lr).
    public var silentSGDPhase = true
    /// The ρ_t threshold of the rectification: 4 in schedulefree (a known-wrong form takes torch RAdam's 5).
    public var rectifyThreshold = 4.0
    /// keras form: the averaging weight c = 1/t (false, a known-wrong form: schedulefree's
    /// c = lr_max²/Σ lr_max², with lr_max the largest warmed-up lr so far).
    public var kerasUniformWeights = true
    /// schedulefree form: the *Closure classes, whose parameters hold x (see the header).
    public var holdsX = false
    /// AdamWScheduleFreePaper: no bias correction of v (√v + ε) and the step's lr scaled by
    /// √(1 − β₂^(k+1)) instead, which then also enters lr_max and the averaging weights.
    public var lrBiasCorrection = false
    /// schedulefree form: the *Reference classes, which keep x as state (see the header).
    public var keepsX = false
    /// AdamWScheduleFreeReference's decay_at_z: the decay taken at z instead of y.
    public var decayAtZ = false

    public init(form: Form, base: Base) {
        self.form = form
        self.base = base
    }

    public var familyName: String { "ScheduleFree" }
    public var summary: String {
        var parts = ["\(form.rawValue) form", "\(base.rawValue) base", "beta \(beta1)"]
        if base == .adamw { parts.append("beta2 \(beta2), eps \(eps) outside the root") }
        if holdsX { parts.append("closure: params hold x, the gradient at y") }
        if keepsX { parts.append("reference form: x kept" + (decayAtZ ? ", decay at z" : "")) }
        if lrBiasCorrection { parts.append("paper form: lr·√(1 − β₂ᵗ), v not bias-corrected") }
        if rectify { parts.append("RAdam rectification (ρ_t > \(rectifyThreshold)), \(silentSGDPhase ? "silent" : "SGD") phase before it") }
        if weightDecay != 0 { parts.append("decay \(weightDecay) at y") }
        if let w = warmupSteps { parts.append("warmup \(w)") }
        if r != 0 { parts.append("r \(r)") }
        parts.append(form == .keras ? "weights 1/t" : "weight_lr_power \(weightLRPower)")
        parts.append("compares y")
        return parts.joined(separator: ", ")
    }

    @_specialize(where T == Double) @_specialize(where T == Float)
    public func makeStepper<T: DescentFloat>(_: T.Type, shapes: [[Int]], engine: Engine) throws -> StepperBox<T> {
        return StepperBox(ScheduleFreeStepper<T>(self, shapes: shapes, engine: engine))
    }

    /// RAdamScheduleFree's multiplier of the lr at step t (from 1), and whether ρ_t passes the
    /// threshold (the Adam step) — in schedulefree's operations and order.
    func rectification(step t: Int) -> (Double, Bool) {
        let beta2t = Double.pow(beta2, Double(t))
        let bc2 = 1 - beta2t
        let rhoInf = 2 / (1 - beta2) - 1
        let rhoT = rhoInf - Double(2 * t) * beta2t / bc2
        guard rhoT > rectifyThreshold else { return (silentSGDPhase ? 0 : 1, false) }
        return (Double.pow((rhoT - 4) * (rhoT - 2) * rhoInf / ((rhoInf - 4) * (rhoInf - 2) * rhoT), 0.5), true)
    }

    /// optax's warmup_constant_schedule(init 0, peak lr, W) at count n. The counts are int32, so
    /// `1 − n/W` is float32 and, with a Python-float peak (the plain call), so is the whole value
    /// (0 − lr)·frac + lr: optax's warmup lr — and the peak after warmup — is float32-rounded.
    func optaxWarmup(_ lr: Double, _ n: Int) -> Double {
        if let v = scheduleValues, !v.isEmpty { return v[Swift.min(Swift.max(n, 0), v.count - 1)] }
        guard let w = warmupSteps else { return lr }
        if w <= 0 { return 0 }
        let frac = Float(1) - Float(Swift.min(Swift.max(n, 0), w)) / Float(w)
        return Double(Float(0 - lr) * frac + Float(lr))
    }
}

/// One Schedule-Free step for one tensor. p = y; slots: s0 = z, s1 = v (AdamW).
public struct ScheduleFreeKernel<Scalar: DescentFloat>: ElementwiseKernel {
    @usableFromInline var form: ScheduleFreeFamily.Form
    @usableFromInline var adamw: Bool
    @usableFromInline var beta2, oneMinusBeta2, bc2, eps, decay: Scalar
    /// schedulefree: c, lr·(β(1 − c) − 1), lr.   optax: −lr (base), c, 1 − c, β, 1 − β.
    /// keras: lr (with warmup), c = 1/t, 1 − c, β, 1 − β, and the decay's lr (without warmup) in yCoef.
    @usableFromInline var c, yCoef, lr: Scalar
    @usableFromInline var negLr, oneMinusC, beta, oneMinusBeta: Scalar
    /// AdamW's normalisation g/(√v̂ + ε) applied (false: RAdam's SGD phase, u = g).
    @usableFromInline var normalize = true
    /// schedulefree closure form (p holds y on entry, x on exit; yCoef is 1 − 1/β).
    @usableFromInline var closure = false
    /// schedulefree reference form: x in the last slot (s1 for SGD, s2 for AdamW); decay at z.
    @usableFromInline var reference = false, decayAtZ = false
    @inlinable public var slotCount: Int { (adamw ? 2 : 1) + (reference ? 1 : 0) }

    @inlinable @inline(__always)
    public func apply<L: Lane>(_ p: inout L, _ g: L, _ s: inout Slots<L>) where L.Scalar == Scalar {
        switch form {
        case .schedulefree where reference:
            var x = adamw ? s.s2 : s.s1
            if adamw {
                if decay != 0 { s.s0 = s.s0 - L(repeating: yCoef) * (decayAtZ ? s.s0 : p) }
                s.s1 = s.s1 * L(repeating: beta2) + L(repeating: oneMinusBeta2) * g * g
                let denom = (s.s1 / L(repeating: bc2)).squareRoot() + L(repeating: eps)
                s.s0 = s.s0 + L(repeating: negLr) * (g / denom)
            } else {
                var u = g
                if decay != 0 { u = u + L(repeating: decay) * p }
                s.s0 = s.s0 - L(repeating: lr) * u
            }
            x = x * L(repeating: oneMinusC) + L(repeating: c) * s.s0
            p = x * L(repeating: beta) + L(repeating: oneMinusBeta) * s.s0
            if adamw { s.s2 = x } else { s.s1 = x }
        case .schedulefree where closure:
            var u = g
            if adamw {
                s.s1 = s.s1 * L(repeating: beta2) + L(repeating: oneMinusBeta2) * g * g
                if normalize { u = g / ((s.s1 / L(repeating: bc2)).squareRoot() + L(repeating: eps)) }
            }
            if decay != 0 { u = u + L(repeating: decay) * p }
            let x = torchLerp(p, s.s0, yCoef)
            s.s0 = s.s0 - L(repeating: lr) * u
            p = torchLerp(x, s.s0, c)
        case .schedulefree:
            var u = g
            if adamw {
                s.s1 = s.s1 * L(repeating: beta2) + L(repeating: oneMinusBeta2) * g * g
                if normalize { u = g / ((s.s1 / L(repeating: bc2)).squareRoot() + L(repeating: eps)) }
            }
            if decay != 0 { u = u + L(repeating: decay) * p }
            p = torchLerp(p, s.s0, c)
            p = p + L(repeating: yCoef) * u
            s.s0 = s.s0 - L(repeating: lr) * u
        case .optax:
            var u = g
            if adamw {
                s.s1 = L(repeating: oneMinusBeta2) * (g * g) + L(repeating: beta2) * s.s1
                let vHat = s.s1 / L(repeating: bc2)
                u = (L(repeating: 1) / (vHat.squareRoot() + L(repeating: eps))) * g
            }
            if decay != 0 { u = u + L(repeating: decay) * p }
            let zNew = s.s0 + L(repeating: negLr) * u
            let prevX = (p - L(repeating: oneMinusBeta) * s.s0) / L(repeating: beta)
            let x = L(repeating: oneMinusC) * prevX + L(repeating: c) * zNew
            let yNew = L(repeating: beta) * x + L(repeating: oneMinusBeta) * zNew
            p = p + (yNew - p)
            s.s0 = zNew
        case .keras:
            if decay != 0 { p = p - p * L(repeating: decay) * L(repeating: yCoef) }
            s.s1 = s.s1 + (g * g - s.s1) * L(repeating: oneMinusBeta2)
            let denom = (s.s1 / L(repeating: bc2)).squareRoot() + L(repeating: eps)
            let zOld = s.s0
            s.s0 = s.s0 - (L(repeating: lr) * g) / denom
            let x = (p - L(repeating: oneMinusBeta) * zOld) / L(repeating: beta)
            let xNew = L(repeating: oneMinusC) * x + L(repeating: c) * s.s0
            p = L(repeating: oneMinusBeta) * s.s0 + L(repeating: beta) * xNew
        }
    }
}

final class ScheduleFreeStepper<T: DescentFloat>: Stepper {
    let config: ScheduleFreeFamily
    let engine: Engine
    var k = 0
    var lrMax: Double
    var weightSum = 0.0
    var z: [Buffer<T>] = []
    /// The reference form's x (empty otherwise).
    var x: [Buffer<T>] = []
    let v: [Buffer<T>]

    init(_ config: ScheduleFreeFamily, shapes: [[Int]], engine: Engine) {
        self.config = config
        self.engine = engine
        lrMax = config.form == .schedulefree && !config.holdsX ? -1.0 : 0.0
        v = config.base == .adamw ? .zeros(like: shapes) : []
    }

    /// The closure form's extrapolation before the gradient: y ← lerp(x, z, 1 − β) (torch's lerp).
    private func toY(_ params: [Buffer<T>]) {
        if z.isEmpty { z = params.map { $0.clone() } }
        let w = T(1 - config.beta1), rest = 1 - w
        for (p, zt) in zip(params, z) {
            for i in 0..<p.count { p[i] = w.magnitude < 0.5 ? p[i] + w * (zt[i] - p[i]) : zt[i] - (zt[i] - p[i]) * rest }
        }
    }

    func step(params: [Buffer<T>], objective: Objective<T>, lr: Double) {
        if config.holdsX { toY(params) }   // the gradient is taken at y
        update(params: params, grads: objective(params).grads, lr: lr)
    }

    func step(params: [Buffer<T>], grads: [Buffer<T>], lr: Double) {
        if config.holdsX { toY(params) }
        update(params: params, grads: grads, lr: lr)
    }

    private func update(params: [Buffer<T>], grads: [Buffer<T>], lr: Double) {
        let c = config
        if z.isEmpty { z = params.map { $0.clone() } }   // z starts at the initial parameters
        if config.keepsX && x.isEmpty { x = params.map { $0.clone() } }
        var k = ScheduleFreeKernel<T>(form: c.form, adamw: c.base == .adamw, beta2: T(c.beta2), oneMinusBeta2: T(1 - c.beta2),
                                      bc2: 1, eps: T(c.eps), decay: T(c.weightDecay), c: 0, yCoef: 0, lr: 0,
                                      negLr: 0, oneMinusC: 0, beta: T(c.beta1), oneMinusBeta: T(1 - c.beta1))
        let step = self.k
        switch c.form {
        case .schedulefree:
            let warm = c.warmupSteps ?? 0
            let sched = step < warm ? Double(step + 1) / Double(warm) : 1.0
            var lrS = lr * sched
            if c.lrBiasCorrection { lrS = lrS * (1 - Double.pow(c.beta2, Double(step + 1))).squareRoot() }
            if c.rectify {
                let (rect, on) = c.rectification(step: step + 1)
                lrS = lr * rect
                k.normalize = on
            }
            lrMax = pyMax(lrS, lrMax)
            let weight = Double.pow(Double(step + 1), c.r) * Double.pow(lrMax, c.weightLRPower)
            weightSum += weight
            let ck = weightSum == 0 ? 0 : weight / weightSum
            k.c = T(ck)
            k.yCoef = c.holdsX ? T(1 - 1 / c.beta1) : T(lrS * (c.beta1 * (1 - ck) - 1))
            k.closure = c.holdsX
            if c.keepsX {
                k.reference = true
                k.decayAtZ = c.decayAtZ
                k.oneMinusC = T(1 - ck)
                k.negLr = T(-lrS)
                k.yCoef = T(lrS * c.weightDecay)
            }
            k.lr = T(lrS)
            k.bc2 = c.lrBiasCorrection ? 1 : T(1 - Double.pow(c.beta2, Double(step + 1)))
        case .optax:
            let lrW = c.optaxWarmup(lr, step + 1)       // step_count starts at 1
            lrMax = lrMax.isNaN || lrW.isNaN ? .nan : Swift.max(lrMax, lrW)
            let weight = Double.pow(lrMax, c.weightLRPower)
            let total = weightSum + weight
            var ck = weight / total
            if weight.isNaN || total.isNaN { ck = .nan } else if ck.isNaN { ck = 0 }
            weightSum = total
            k.c = T(ck)
            k.oneMinusC = T(1.0 - ck)
            k.negLr = T(-c.optaxWarmup(lr, step))      // the base optimizer's count starts at 0
            k.bc2 = T(1 - Double.pow(c.beta2, Double(step + 1)))
        case .keras:
            // Every scalar cast to the variable's dtype first, then combined in it.
            let t = T(Double(step + 1)), one = T(1)
            var lrT = T(lr)
            if let w = c.warmupSteps, w > 0 { lrT = lrT * Swift.min(t / T(Double(w)), one) }
            k.lr = lrT
            k.yCoef = T(lr)
            if c.kerasUniformWeights {
                k.c = one / t
                k.oneMinusC = one - one / t
            } else {
                lrMax = pyMax(Double(lrT), lrMax)
                let weight = lrMax * lrMax
                weightSum += weight
                let ck = weightSum == 0 ? 0 : weight / weightSum
                k.c = T(ck)
                k.oneMinusC = T(1 - ck)
            }
            k.oneMinusBeta = one - T(c.beta1)
            k.oneMinusBeta2 = one - T(c.beta2)
            k.bc2 = one - T(Double.pow(c.beta2, Double(step + 1)))
        }
        for i in params.indices {
            engine.map(k, params[i], grads[i], (v.isEmpty ? [z[i]] : [z[i], v[i]]) + (c.keepsX ? [x[i]] : []))
        }
        self.k += 1
    }

    var state: [(name: String, buffers: [Buffer<T>])] {
        if config.form == .keras { return [("momentum", z), ("velocity", v)] }   // Keras's names
        let vName = config.form == .optax ? "nu" : "exp_avg_sq"
        return [("z", z)] + (v.isEmpty ? [] : [(vName, v)]) + (config.keepsX ? [("x", x)] : [])
    }
}

extension ScheduleFreeStepper {
    func save() -> StepperState {
        var s = StepperState(buffers: state, scalars: [("k", Double(k)), ("lr_max", lrMax), ("weight_sum", weightSum)])
        if config.form == .optax {
            // optax's ScheduleFreeState: b1, step_count (from 1), the base optimizer's count.
            s.scalars += [("b1", config.beta1), ("step_count", Double(k + 1)), ("count", Double(k))]
        }
        return s
    }
    func load(_ saved: StepperState) throws {
        // z is made at the first step: a state saved before it has none.
        let zName = config.form == .keras ? "momentum" : "z"
        if let zs = saved.values(zName) { z = zs.map { Buffer<T>(converting: $0) } } else { z = [] }
        if config.keepsX { x = saved.values("x").map { $0.map { Buffer<T>(converting: $0) } } ?? [] }
        let vName = config.form == .keras ? "velocity" : config.form == .optax ? "nu" : "exp_avg_sq"
        try saved.restore(into: v.isEmpty ? [] : [(vName, v)])
        k = try saved.count("k")
        lrMax = try saved.scalar("lr_max")
        weightSum = try saved.scalar("weight_sum")
    }
}
