// Optax+SGD.swift — the optax convention's SGD-group optimizers: names, keyword arguments, defaults.
// optax 0.2.8 (optax/_src/alias.py): optax does not validate these values; it computes with them.
import DescentJSON

/// optax's `learning_rate`. Absent where the signature requires it: Python's TypeError. Explicit
/// None (JSON null, or absent where the default is None): `scale_by_learning_rate(None)` is the
/// identity — no scaling and no sign flip, w ← w + update — which is exactly the step with
/// lr = −1 (multiplying by −1 is exact), wherever the family applies lr (inside or outside a trace).
func optaxLearningRate(_ h: inout Hyperparameters, _ function: String, required: Bool) throws -> Double {
    if required && h.values["learning_rate"] == nil {
        throw h.invalid("learning_rate", "\(function)() missing 1 required positional argument: 'learning_rate'")
    }
    return try h.optionalDouble("learning_rate") ?? -1
}

/// optax's `momentum: Optional[float] = None`: None (or absent) means no trace at all.
private func optionalMomentum(_ h: inout Hyperparameters) throws -> Double {
    try h.optionalDouble("momentum") ?? 0
}

let optaxSGDGroup: [OptimizerEntry] = [
    OptimizerEntry("sgd", "trace(momentum, nesterov) from zero, then −learning_rate (lr outside the trace)") { h in
        let lr = try optaxLearningRate(&h, "sgd", required: true)
        let momentum = try optionalMomentum(&h)
        let nesterov = try h.bool("nesterov", default: false)
        if let dtype = try h.string("accumulator_dtype", default: nil), dtype != "float64" {
            throw DescentError.unsupported("optax.sgd: accumulator_dtype '\(dtype)' is not implemented in Descent")
        }
        let family = SGDFamily(momentum: momentum, dampening: 0, nesterov: nesterov, lrInsideBuffer: false,
                               bufferStartsAtGradient: false, bufferName: "trace")
        return OptimizerSpec(family: family, lr: lr)
    },
    // ema is a gradient transformation, replayed alone: the parameters move by +its output (no
    // learning rate, no negation), so it is SGD's EMA buffer from zero with lr = −1 (w − (−1)·u is
    // w + u exactly), debiased by 1 − decay^count as optax.tree.bias_correction does.
    OptimizerEntry("ema", "a gradient transformation replayed alone: ema ← (1 − decay)·g + decay·ema from 0, the update ema/(1 − decay^count) (debias; count from 1) or ema itself, ADDED to the parameters (no learning rate); accumulator_dtype None or float64") { h in
        if h.values["decay"] == nil { throw h.invalid("decay", "ema() missing 1 required positional argument: 'decay'") }
        guard let decay = try h.optionalDouble("decay") else {
            throw DescentError.unsupported("optax.ema: decay=None (a TypeError inside the update) is not expressible")
        }
        let debias = try h.bool("debias", default: true)
        if let dtype = try h.string("accumulator_dtype", default: nil), dtype != "float64" {
            throw DescentError.unsupported("optax.ema: accumulator_dtype '\(dtype)' is not implemented in Descent")
        }
        var family = SGDFamily(momentum: decay, dampening: decay, bufferName: "ema")
        family.debias = debias
        return OptimizerSpec(family: family, lr: -1)
    },
    OptimizerEntry("adagrad", "scale_by_rss: where(sum > 0, rsqrt(sum + eps), 0)") { h in
        let lr = try optaxLearningRate(&h, "adagrad", required: true)
        let initial = try h.double("initial_accumulator_value", default: 0.1)
        let eps = try h.double("eps", default: 1e-7)
        let family = AdagradFamily(initialAccumulator: initial, eps: eps, epsInsideSqrt: true,
                                   zeroWhereSumNotPositive: true, sumName: "sum_of_squares")
        return OptimizerSpec(family: family, lr: lr)
    },
    OptimizerEntry("rmsprop", "eps inside sqrt, initial_scale, centered, bias_correction; momentum trace after the lr (lr inside)") { h in
        let lr = try optaxLearningRate(&h, "rmsprop", required: true)
        let decay = try h.double("decay", default: 0.9)
        let eps = try h.double("eps", default: 1e-8)
        let initialScale = try h.double("initial_scale", default: 0)
        let epsInSqrt = try h.bool("eps_in_sqrt", default: true)
        let centered = try h.bool("centered", default: false)
        let momentum = try optionalMomentum(&h)
        let nesterov = try h.bool("nesterov", default: false)
        let biasCorrection = try h.bool("bias_correction", default: false)
        let family = RMSpropFamily(decay: decay, eps: eps, epsInsideSqrt: epsInSqrt, centered: centered,
                                   meanByLerp: false, initialScale: initialScale, biasCorrection: biasCorrection, momentum: momentum,
                                   nesterov: nesterov, lrInsideMomentum: true, stateNames: ("nu", "mu", "-trace"))
        return OptimizerSpec(family: family, lr: lr)
    },
    OptimizerEntry("adadelta", "add_decayed_weights, scale_by_adadelta; learning_rate=None adds the update unscaled: lr −1") { h in
        let lr = try optaxLearningRate(&h, "adadelta", required: false)
        let rho = try h.double("rho", default: 0.9)
        let eps = try h.double("eps", default: 1e-6)
        var weightDecay = try h.double("weight_decay", default: 0)
        var mask: [Bool]?
        // optax.masked takes the mask as a prefix of the params tree: one boolean masks every
        // tensor (False: no decay at all), a list gives one per tensor, None masks nothing.
        if let m = h.raw("weight_decay_mask"), !m.isNull {
            if let all = m.boolValue {
                if !all { weightDecay = 0 }
            } else {
                guard let items = m.arrayValue?.compactMap(\.boolValue), items.count == m.arrayValue?.count else {
                    throw DescentError.unsupported("optax.adadelta: weight_decay_mask must be null, a boolean or a list of booleans, one per tensor")
                }
                mask = items
            }
        }
        let family = AdadeltaFamily(rho: rho, eps: eps, weightDecay: weightDecay, weightDecayMask: mask,
                                    stateNames: ("e_g", "e_x"))
        return OptimizerSpec(family: family, lr: lr)
    },
]
