// Optax+Adam.swift — the optax convention's Adam-group optimizers: names, keyword arguments,
// defaults, as in optax 0.2.8 (optax/_src/alias.py over transform.py's scale_by_adam,
// scale_by_amsgrad, scale_by_adamax, scale_by_radam). optax validates nothing here: any value
// optax accepts is accepted.
import DescentJSON

/// `mu_dtype`: None (the accumulator takes the parameters' dtype) or "float64" (the precision the
/// goldens are computed in) are supported; a lower-precision accumulator is not.
func optaxMuDtype(_ h: inout Hyperparameters) throws {
    if let v = h.raw("mu_dtype"), !v.isNull, v.stringValue != "float64" {
        throw DescentError.unsupported("\(h.callee): mu_dtype=\(v.serialized()) (only null or float64 is supported)")
    }
}

/// The decoupled decay of adamw / adamaxw: `weight_decay` (1e-4) and `mask` — null, one boolean
/// for every tensor, or a list with one boolean per tensor (the parameters are a list of tensors,
/// so the mask is a list of the same structure).
private func decoupledDecay(_ h: inout Hyperparameters) throws -> (AdamDecay, [Bool]?) {
    let wd = try h.double("weight_decay", default: 1e-4)
    let decay: AdamDecay = wd == 0 ? .none : .decoupled(wd)
    guard let v = h.raw("mask"), !v.isNull else { return (decay, nil) }
    if let b = v.boolValue { return (b ? decay : .none, nil) }
    guard let a = v.arrayValue, case let bools = a.compactMap(\.boolValue), bools.count == a.count else {
        throw DescentError.unsupported("\(h.callee): mask=\(v.serialized()) (only null, a boolean or a list of booleans per tensor)")
    }
    return (decay, bools)
}

/// optax.adam / adamw / nadam / nadamw: scale_by_adam (+ add_decayed_weights) + scale by −lr.
/// nadam / nadamw are `functools.partial(adam[w], nesterov=True)`: the keyword may still be overridden.
private func optaxAdam(_ h: inout Hyperparameters, decayed: Bool, nesterov defaultNesterov: Bool) throws -> OptimizerSpec {
    let lr = try learningRate(&h, decayed ? "adamw" : "adam")
    var f = AdamFamily(form: .optax)
    f.beta1 = try h.double("b1", default: 0.9)
    f.beta2 = try h.double("b2", default: 0.999)
    f.eps = try h.double("eps", default: 1e-8)
    f.epsRoot = try h.double("eps_root", default: 0)
    try optaxMuDtype(&h)
    if decayed {
        (f.decay, f.decayMask) = try decoupledDecay(&h)
    }
    f.nesterov = try h.bool("nesterov", default: defaultNesterov)
    return OptimizerSpec(family: f, lr: lr)
}

/// `learning_rate` is required (Python's TypeError names the underlying function: nadam is a
/// partial of adam). An explicit None (JSON null) makes `scale_by_learning_rate(None)` the
/// identity, w ← w + update, which is exactly lr = −1 wherever lr is applied.
private func learningRate(_ h: inout Hyperparameters, _ function: String) throws -> Double {
    if h.values["learning_rate"] == nil {
        throw h.invalid("learning_rate", "\(function)() missing 1 required positional argument: 'learning_rate'")
    }
    return try h.optionalDouble("learning_rate") ?? -1
}

private func optaxAdamax(_ h: inout Hyperparameters, decayed: Bool) throws -> OptimizerSpec {
    let lr = try learningRate(&h, decayed ? "adamaxw" : "adamax")
    var f = AdamaxFamily(form: .optax)
    f.beta1 = try h.double("b1", default: 0.9)
    f.beta2 = try h.double("b2", default: 0.999)
    f.eps = try h.double("eps", default: 1e-8)
    if decayed {
        (f.decay, f.decayMask) = try decoupledDecay(&h)
    }
    return OptimizerSpec(family: f, lr: lr)
}

let optaxAdamGroup: [OptimizerEntry] = [
    OptimizerEntry("adam", "eps outside + eps_root inside the root; nesterov") { h in
        try optaxAdam(&h, decayed: false, nesterov: false)
    },
    OptimizerEntry("adamw", "adam + decoupled decay (u + λ·w)·lr, mask") { h in
        try optaxAdam(&h, decayed: true, nesterov: false)
    },
    OptimizerEntry("nadam", "adam with nesterov=True: m̂ = β₁·m/(1−β₁ᵗ⁺¹) + (1−β₁)·g/(1−β₁ᵗ)") { h in
        try optaxAdam(&h, decayed: false, nesterov: true)
    },
    OptimizerEntry("nadamw", "adamw with nesterov=True") { h in
        try optaxAdam(&h, decayed: true, nesterov: true)
    },
    OptimizerEntry("amsgrad", "running max of the bias-corrected v̂; bias_correction_mu/nu") { h in
        let lr = try learningRate(&h, "amsgrad")
        var f = AdamFamily(form: .optax)
        f.beta1 = try h.double("b1", default: 0.9)
        f.beta2 = try h.double("b2", default: 0.999)
        f.eps = try h.double("eps", default: 1e-8)
        f.epsRoot = try h.double("eps_root", default: 0)
        try optaxMuDtype(&h)
        f.biasCorrectionMu = try h.bool("bias_correction_mu", default: true)
        f.biasCorrectionNu = try h.bool("bias_correction_nu", default: true)
        f.amsgrad = .maxOfCorrected
        return OptimizerSpec(family: f, lr: lr)
    },
    OptimizerEntry("adamax", "u ← max(|g| + ε, β₂·u); (m/bc₁)/u") { h in
        try optaxAdamax(&h, decayed: false)
    },
    OptimizerEntry("adamaxw", "adamax + decoupled decay, mask") { h in
        try optaxAdamax(&h, decayed: true)
    },
    OptimizerEntry("radam", "rectified when rho_t >= threshold; r·m̂/(√(v̂ + eps_root) + eps); nesterov") { h in
        let lr = try learningRate(&h, "radam")
        var f = RAdamFamily(form: .optax)
        f.beta1 = try h.double("b1", default: 0.9)
        f.beta2 = try h.double("b2", default: 0.999)
        f.eps = try h.double("eps", default: 1e-8)
        f.epsRoot = try h.double("eps_root", default: 0)
        f.threshold = try h.double("threshold", default: 5.0)
        f.nesterov = try h.bool("nesterov", default: false)
        return OptimizerSpec(family: f, lr: lr)
    },
]
