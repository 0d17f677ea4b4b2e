// Transformers+Adafactor.swift — transformers.optimization.Adafactor (transformers 5.23.0,
// transformers/optimization.py): its keyword names, defaults and ValueError messages, checked in
// its order. It is a torch.optim.Optimizer, so a case runs the torch loop; its step counter is
// per tensor (state["step"]).
//
// What it does (read from its step()): ρ = min(1e-2, 1/√t) under relative_step (min(1e-6·t,
// 1/√t) with warmup_init), the group's lr unused; else ρ = lr. α = max(eps[1], RMS(w))·ρ with
// scale_parameter (RMS of w before this step), else ρ. β = 1 − t^decay_rate (math.pow, float64).
// Every tensor of ≥ 2 dims is factored over its last two (no size threshold): row and column
// EMAs of the means of g² + eps[0], v̂ = (r/mean(r))⊗c; 1-D and 0-d tensors keep a full
// exp_avg_sq. u = g·rsqrt(v̂), divided by max(1, RMS(u)/clip_threshold), times α; beta1 (None:
// off) keeps m ← β₁·m + (1 − β₁)·u and steps by m; weight_decay acts as w ← w − λ·α·w (α, the
// scaled step, not the lr), before w ← w − u.
import DescentJSON

let transformersAdafactorGroup: [OptimizerEntry] = [
    OptimizerEntry("Adafactor", "relative step min(1e-2, 1/√t) (warmup_init: min(1e-6·t, 1/√t)) unless an lr is given with relative_step False; scale_parameter multiplies by max(eps[1], RMS(w)); factored over the last two dims of every ≥2-D tensor; eps[0] added to g²; update clipping; beta1 EMA of the scaled update; weight_decay × the scaled step") { h in
        let lr = try h.nullableDouble("lr", default: nil)
        let eps = try h.pair("eps", default: (1e-30, 1e-3))
        let clip = try h.double("clip_threshold", default: 1.0)
        let decayRate = try h.double("decay_rate", default: -0.8)
        let beta1 = try h.nullableDouble("beta1", default: nil)
        let weightDecay = try h.double("weight_decay", default: 0.0)
        let scaleParameter = try h.bool("scale_parameter", default: true)
        let relativeStep = try h.bool("relative_step", default: true)
        let warmupInit = try h.bool("warmup_init", default: false)
        if lr != nil && relativeStep {
            throw h.invalid("lr", "Cannot combine manual `lr` and `relative_step=True` options")
        }
        if warmupInit && !relativeStep {
            throw h.invalid("warmup_init", "`warmup_init=True` requires `relative_step=True`")
        }
        if lr == nil && !relativeStep {
            // The constructor accepts it; the first step multiplies by None (TypeError).
            throw DescentError.unsupported("\(h.callee): lr None with relative_step False fails at transformers' first step (TypeError: a number times None); no trajectory to compare")
        }
        var f = AdafactorFamily(form: .transformers)
        f.relativeStep = relativeStep
        f.relativeStepCap = warmupInit ? .warmup(perStep: 1e-6) : .constant(1e-2)
        f.epsSquare = eps.0
        f.paramScaleFloor = scaleParameter ? eps.1 : nil
        f.clipThreshold = clip
        f.decayExponent = decayRate
        f.momentum = beta1 ?? 0
        f.weightDecay = weightDecay
        // Under relative_step the group's lr is None and unused: the spec's lr is a placeholder.
        return OptimizerSpec(family: f, lr: lr ?? 0)
    },
]
