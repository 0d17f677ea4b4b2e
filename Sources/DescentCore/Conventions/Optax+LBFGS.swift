// Optax+LBFGS.swift — optax.lbfgs (optax/_src/alias.py, with transform.scale_by_lbfgs and
// linesearch.scale_by_zoom_linesearch) and optax.contrib's schedule_free_sgd /
// schedule_free_adamw (optax/contrib/_schedule_free.py), optax 0.2.8. The schedule-free
// optimizers return y = b1·x + (1 − b1)·z as the params: that is what the fixtures compare.
import DescentJSON

/// `state_dtype`: None, or float64 (the goldens' precision) — a lower precision z is not supported.
private func stateDtype(_ h: inout Hyperparameters) throws {
    if let v = h.raw("state_dtype"), !v.isNull, v.stringValue != "float64" {
        throw DescentError.unsupported("\(h.callee): state_dtype=\(v.serialized()) (only null or float64 is supported)")
    }
}

/// `warmup_steps`: None (no warmup) or an integer (warmup_constant_schedule; 0 holds the lr at 0).
private func warmup(_ h: inout Hyperparameters) throws -> Int? {
    try h.optionalInt("warmup_steps")
}

let optaxLBFGSGroup: [OptimizerEntry] = [
    OptimizerEntry("lbfgs", "scale_init_precond, zoom line search (20 steps, guess 1); learning_rate None = scale(−1); closed-loop problems only") { h in
        var f = LBFGSFamily(form: .optax)
        let lr = try h.optionalDouble("learning_rate") ?? 1.0
        f.history = try h.int("memory_size", default: 10)
        f.scaleInitPrecond = try h.bool("scale_init_precond", default: true)
        if f.history < 1 { throw h.invalid("memory_size", "memory_size must be >= 1") }
        // optax preallocates memory_size × n floats per history buffer: refuse what no machine holds.
        if f.history > 1_000_000 { throw h.invalid("memory_size", "memory_size \(f.history) is beyond what Descent allocates (at most 1000000)") }
        if h.has("linesearch") {
            throw DescentError.unsupported("\(h.callee): only the default linesearch (scale_by_zoom_linesearch(max_linesearch_steps=20, initial_guess_strategy='one')) is supported")
        }
        _ = h.raw("linesearch")
        return OptimizerSpec(family: f, lr: lr)
    },
    OptimizerEntry("schedule_free_sgd", "weight_decay × lr, at y; params are y") { h in
        var f = ScheduleFreeFamily(form: .optax, base: .sgd)
        let lr = try h.double("learning_rate", default: 1.0)
        f.warmupSteps = try warmup(&h)
        f.beta1 = try h.double("b1", default: 0.9)
        f.weightDecay = try h.optionalDouble("weight_decay") ?? 0
        f.weightLRPower = try h.double("weight_lr_power", default: 2.0)
        try stateDtype(&h)
        return OptimizerSpec(family: f, lr: lr)
    },
    OptimizerEntry("schedule_free_adamw", "eps outside the root, weight_decay × lr, at y; params are y") { h in
        var f = ScheduleFreeFamily(form: .optax, base: .adamw)
        let lr = try h.double("learning_rate", default: 0.0025)
        f.warmupSteps = try warmup(&h)
        f.beta1 = try h.double("b1", default: 0.9)
        f.beta2 = try h.double("b2", default: 0.999)
        f.eps = try h.double("eps", default: 1e-8)
        f.weightDecay = try h.double("weight_decay", default: 0.0)
        f.weightLRPower = try h.double("weight_lr_power", default: 2.0)
        try stateDtype(&h)
        return OptimizerSpec(family: f, lr: lr)
    },
]
