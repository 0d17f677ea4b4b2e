// Schedulefree+ScheduleFree.swift — the `schedulefree` package (1.4.1): SGDScheduleFree,
// AdamWScheduleFree and RAdamScheduleFree, keyword arguments, defaults and validation in the package's words. Expected
// values are the parameters in train mode (y).
import DescentJSON

/// The knobs both classes share: weight_decay, warmup_steps, r, weight_lr_power, foreach.
private func schedulefreeCommon(_ h: inout Hyperparameters, _ f: inout ScheduleFreeFamily) throws {
    f.weightDecay = try h.double("weight_decay", default: 0)
    f.warmupSteps = try h.int("warmup_steps", default: 0)
    f.r = try h.double("r", default: 0)
    f.weightLRPower = try h.double("weight_lr_power", default: 2)
    try h.ignore("foreach")
}

let schedulefreeGroup: [OptimizerEntry] = [
    OptimizerEntry("SGDScheduleFree", "momentum in (0, 1), weight_decay at y; y ← lerp(y, z, c) + lr·(β(1−c) − 1)·g") { h in
        let lr = try h.double("lr", default: 1.0)
        var f = ScheduleFreeFamily(form: .schedulefree, base: .sgd)
        f.beta1 = try h.double("momentum", default: 0.9)
        try schedulefreeCommon(&h, &f)
        let v = h.values
        if lr < 0 { throw h.invalid("lr", "Invalid learning rate: \(pyRepr(v["lr"]!))") }
        if f.weightDecay < 0 { throw h.invalid("weight_decay", "Invalid weight_decay value: \(pyRepr(v["weight_decay"]!))") }
        if f.beta1 <= 0 || f.beta1 >= 1 {
            throw h.invalid("momentum", "Momentum must be between 0 and 1 exclusive: \(pyRepr(v["momentum"]!))")
        }
        return OptimizerSpec(family: f, lr: lr)
    },
    OptimizerEntry("AdamWScheduleFree", "eps outside the root, bias-corrected v, decay at y after normalising; no validation") { h in
        let lr = try h.double("lr", default: 0.0025)
        var f = ScheduleFreeFamily(form: .schedulefree, base: .adamw)
        (f.beta1, f.beta2) = try h.pair("betas", default: (0.9, 0.999))
        f.eps = try h.double("eps", default: 1e-8)
        try schedulefreeCommon(&h, &f)
        return OptimizerSpec(family: f, lr: lr)
    },
    OptimizerEntry("RAdamScheduleFree", "AdamWScheduleFree with RAdam's rectification instead of warmup: the rectified, normalised step once ρ_t > 4; before that no step (silent_sgd_phase) or SGD on the raw gradient; no warmup_steps; no validation") { h in
        let lr = try h.double("lr", default: 0.0025)
        var f = ScheduleFreeFamily(form: .schedulefree, base: .adamw)
        (f.beta1, f.beta2) = try h.pair("betas", default: (0.9, 0.999))
        f.eps = try h.double("eps", default: 1e-8)
        f.weightDecay = try h.double("weight_decay", default: 0)
        f.r = try h.double("r", default: 0)
        f.weightLRPower = try h.double("weight_lr_power", default: 2)
        try h.ignore("foreach")
        f.silentSGDPhase = try h.bool("silent_sgd_phase", default: true)
        f.rectify = true
        return OptimizerSpec(family: f, lr: lr)
    },
]

/// SGDScheduleFreeClosure, AdamWScheduleFreeClosure, RAdamScheduleFreeClosure: the same keywords,
/// defaults and checks as the train-mode classes (schedulefree 1.4.1), stepped with a closure:
/// the parameters hold x between steps, and the gradient is taken at y (ScheduleFree.swift,
/// closure form).
let schedulefreeClosureGroup: [OptimizerEntry] = schedulefreeGroup.map { e in
    OptimizerEntry(e.name + "Closure", "\(e.name) stepped with step(closure): the parameters hold x (the average) between steps, moved to y for the closure's gradient") { h in
        var spec = try e.build(&h)
        guard var f = spec.family as? ScheduleFreeFamily else { return spec }
        f.holdsX = true
        spec.family = f
        return spec
    }
}

/// The other classes of the package, on the train-mode builders (same keywords and checks):
/// AdamWScheduleFreePaper (lr·√(1 − β₂ᵗ), v not bias-corrected) and the *Reference classes
/// (x kept as state; AdamW's decay applied to z before the step, at y or, with decay_at_z, at z).
let schedulefreeVariantGroup: [OptimizerEntry] = {
    func derived(_ base: String, _ name: String, _ note: String,
                 _ edit: @escaping @Sendable (inout Hyperparameters, inout ScheduleFreeFamily) throws -> Void) -> OptimizerEntry {
        let e = schedulefreeGroup.first { $0.name == base }!
        return OptimizerEntry(name, note) { h in
            var spec = try e.build(&h)
            guard var f = spec.family as? ScheduleFreeFamily else { return spec }
            try edit(&h, &f)
            spec.family = f
            return spec
        }
    }
    return [
        derived("AdamWScheduleFree", "AdamWScheduleFreePaper", "the paper's form: the step's lr scaled by √(1 − β₂ᵗ) (into lr_max and the weights too), √v + eps without v's bias correction") { _, f in
            f.lrBiasCorrection = true
        },
        derived("SGDScheduleFree", "SGDScheduleFreeReference", "x, y and z kept as tensors: z ← z − lr·(g + λ·y), x ← x·(1 − c) + c·z, y = β·x + (1 − β)·z") { _, f in
            f.keepsX = true
        },
        derived("AdamWScheduleFree", "AdamWScheduleFreeReference", "x, y and z kept as tensors; decay z ← z − lr·λ·y (or ·z with decay_at_z) before the normalised step z ← z − lr·g/(√v̂ + eps)") { h, f in
            f.keepsX = true
            f.decayAtZ = try h.bool("decay_at_z", default: false)
        },
    ]
}()
