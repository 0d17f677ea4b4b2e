// Optax+LionLamb.swift — optax lion, sign_sgd, signum, lamb, lars: names, keyword arguments and defaults as in
// optax 0.2.8 (optax/_src/alias.py over transform.py's scale_by_lion, scale_by_adam,
// add_decayed_weights, scale_by_trust_ratio, trace). optax validates nothing here.
import DescentJSON

/// `learning_rate` is required (Python's TypeError). An explicit None (JSON null) makes
/// `scale_by_learning_rate(None)` the identity, w ← w + update: exactly lr = −1 wherever it applies.
private func learningRate(_ h: inout Hyperparameters, _ function: String) throws -> Double {
    if h.values["learning_rate"] == nil {
        throw h.invalid("learning_rate", "\(function)() missing 1 required positional argument: 'learning_rate'")
    }
    return try h.optionalDouble("learning_rate") ?? -1
}

/// A mask argument: null (→ `ifNull`), one boolean for every tensor, or a list with one boolean per
/// tensor (the parameters are a list of tensors, so the mask is a list of the same structure).
/// Returns (applies at all, per-tensor list or nil).
func optaxMask(_ h: inout Hyperparameters, _ key: String, ifNull: Bool) throws -> (Bool, [Bool]?) {
    guard let v = h.raw(key), !v.isNull else { return (ifNull, nil) }
    if let b = v.boolValue { return (b, nil) }
    guard let a = v.arrayValue, case let bools = a.compactMap(\.boolValue), bools.count == a.count else {
        throw DescentError.unsupported("\(h.callee): \(key)=\(v.serialized()) (only null, a boolean or a list of booleans per tensor)")
    }
    return (true, bools)
}


let optaxLionLambGroup: [OptimizerEntry] = [
    OptimizerEntry("lion", "the paper's two-beta Lion: c = b1·m + (1−b1)·g, u = sign(c) + weight_decay·w (mask), w ← w − lr·u, m ← b2·m + (1−b2)·g; NOT the one-beta sign form of some lecture slides (w ← w − lr·sign(m)), a different algorithm") { h in
        let lr = try learningRate(&h, "lion")
        var f = LionFamily(form: .optax)
        f.beta1 = try h.double("b1", default: 0.9)
        f.beta2 = try h.double("b2", default: 0.99)
        try optaxMuDtype(&h)
        let wd = try h.double("weight_decay", default: 1e-3)
        let (on, perTensor) = try optaxMask(&h, "mask", ifNull: true)
        f.decay = wd == 0 || !on ? .none : .decoupled(wd)
        f.decayMask = f.decay == .none ? nil : perTensor
        return OptimizerSpec(family: f, lr: lr)
    },
    // sign_sgd and signum are Lion (no new family): sign_sgd = chain(scale_by_sign,
    // scale_by_learning_rate) is Lion with b1 = 0 (c = 1·g + 0·m = g for a finite m; b2 = 1 keeps
    // m at exactly 0), signum = chain(ema(beta, debias=False), scale_by_sign, scale_by_learning_rate)
    // is Lion with b1 = b2 = beta (ema's (1 − β)·g + β·m is Lion's c and, with b2 = β, its next m,
    // the same expression). Neither has weight decay; lr scales the sign only. One difference
    // outside finite arithmetic: a non-finite gradient enters Lion's m (0·inf = NaN poisons later
    // steps), which sign_sgd has no state to keep.
    OptimizerEntry("sign_sgd", "w ← w − lr·sign(g) (no state, no weight decay): mapped onto Lion with b1 = 0, b2 = 1 (Lion's m stays 0); learning_rate None adds sign(g)") { h in
        let lr = try learningRate(&h, "sign_sgd")
        var f = LionFamily(form: .optax)
        f.beta1 = 0
        f.beta2 = 1
        return OptimizerSpec(family: f, lr: lr)
    },
    OptimizerEntry("signum", "m ← beta·m + (1 − beta)·g (an EMA from 0, not debiased), w ← w − lr·sign(m), no weight decay: mapped onto Lion with b1 = b2 = beta (Lion's c is then the new m); accumulator_dtype None or float64; learning_rate None adds sign(m)") { h in
        let lr = try learningRate(&h, "signum")
        let beta = try h.double("beta", default: 0.9)
        if let v = h.raw("accumulator_dtype"), !v.isNull, v.stringValue != "float64" {
            throw DescentError.unsupported("\(h.callee): accumulator_dtype=\(v.serialized()) (only null or float64 is supported)")
        }
        var f = LionFamily(form: .optax)
        f.beta1 = beta
        f.beta2 = beta
        return OptimizerSpec(family: f, lr: lr)
    },
    OptimizerEntry("lamb", "scale_by_adam (bias-corrected) + weight_decay·w (mask), then per-tensor ratio ‖w‖/‖u‖ (1 if either is 0), then −lr") { h in
        let lr = try learningRate(&h, "lamb")
        var f = LambFamily(form: .optax, biasCorrection: .moments)
        f.beta1 = try h.double("b1", default: 0.9)
        f.beta2 = try h.double("b2", default: 0.999)
        f.eps = try h.double("eps", default: 1e-6)
        f.epsRoot = try h.double("eps_root", default: 0)
        let wd = try h.double("weight_decay", default: 0)
        let (on, perTensor) = try optaxMask(&h, "mask", ifNull: true)
        f.decay = wd == 0 || !on ? .none : .addedToUpdate(wd)
        f.decayMask = f.decay == .none ? nil : perTensor
        return OptimizerSpec(family: f, lr: lr)
    },
    OptimizerEntry("lars", "u = g + weight_decay·w (weight_decay_mask), per-tensor ratio trust_coefficient·‖w‖/(‖u‖ + eps) (trust_ratio_mask; all tensors, 1-D too), then −lr, then trace(momentum, nesterov): lr inside the momentum") { h in
        let lr = try learningRate(&h, "lars")
        var f = LARSFamily(form: .optax, denominator: .updateNorm, lrInsideMomentum: true)
        f.weightDecay = try h.double("weight_decay", default: 0)
        let (decayOn, decayMask) = try optaxMask(&h, "weight_decay_mask", ifNull: true)
        if !decayOn { f.weightDecay = 0 }
        f.decayMask = f.weightDecay == 0 ? nil : decayMask
        f.trustCoefficient = try h.double("trust_coefficient", default: 0.001)
        f.eps = try h.double("eps", default: 0)
        let (trustOn, trustMask) = try optaxMask(&h, "trust_ratio_mask", ifNull: true)
        f.trustRatio = trustOn
        f.trustMask = trustOn ? trustMask : nil
        f.momentum = try h.double("momentum", default: 0.9)
        f.nesterov = try h.bool("nesterov", default: false)
        return OptimizerSpec(family: f, lr: lr)
    },
]
