// Optax+AdEMAMix.swift — optax.contrib.ademamix and simplified_ademamix (optax 0.2.8,
// optax/contrib/_ademamix.py: scale_by_ademamix / scale_by_simplified_ademamix,
// add_decayed_weights(weight_decay, mask), scale_by_learning_rate). optax
// validates none of the values. `alpha` and `b3` are `base.ScalarOrSchedule`: a number, or a
// `{ "name", "parameters" }` object for optax.<name>(**parameters), which the transformation
// evaluates at its count before the update (count_m2; simplified_ademamix's t) (fixtures/FORMAT.md).
import DescentJSON

/// A `base.ScalarOrSchedule` keyword other than learning_rate: (its number, nil), or (the default,
/// the schedule) when it is a `{ "name", "parameters" }` object.
private func scalarOrSchedule(_ h: inout Hyperparameters, _ key: String, default d: Double) throws -> (Double, OptaxSchedule?) {
    guard let v = h.values[key], let name = v["name"]?.stringValue else { return (try h.double(key, default: d), nil) }
    _ = h.raw(key)
    var ch = try Hyperparameters(v["parameters"], callee: "optax.\(name)", field: "\(h.field).\(key).parameters")
    let s = try optaxSchedule(name, &ch)
    try ch.finish()
    return (d, s)
}

let optaxAdEMAMixGroup: [OptimizerEntry] = [
    OptimizerEntry("ademamix", "optax.contrib.ademamix: Adam + alpha·m2, m2 the slow EMA (b3) of g, NOT bias-corrected; u = (m̂1 + alpha·m2)/(√(ν̂ + eps_root) + eps) + weight_decay·w (mask), × lr; alpha and b3 numbers or schedules of the count before the update (no t_alpha_beta3: a warmup is a schedule); learning_rate None adds u") { h in
        let lr = try requiredLearningRate(&h, "ademamix")
        var f = AdEMAMixFamily(form: .optax)
        f.beta1 = try h.double("b1", default: 0.9)
        f.beta2 = try h.double("b2", default: 0.999)
        (f.beta3, f.beta3Schedule) = try scalarOrSchedule(&h, "b3", default: 0.9999)
        (f.alpha, f.alphaSchedule) = try scalarOrSchedule(&h, "alpha", default: 5.0)
        f.eps = try h.double("eps", default: 1e-8)
        f.epsRoot = try h.double("eps_root", default: 0)
        try optaxMuDtype(&h)
        let wd = try h.double("weight_decay", default: 0)
        let (on, perTensor) = try optaxMask(&h, "mask", ifNull: true)
        f.decay = wd == 0 || !on ? .none : .decoupled(wd)
        f.decayMask = f.decay == .none ? nil : perTensor
        return OptimizerSpec(family: f, lr: lr)
    },
    OptimizerEntry("simplified_ademamix", "optax.contrib.simplified_ademamix: m ← b1·m + g (an accumulator, not bias-corrected), n the EMA of g² (bias-corrected); u = (m + alpha·g)/(√(n̂ + eps_root) + eps) + weight_decay·w (mask), × lr; alpha a number or a schedule of the count before the update; learning_rate None adds u") { h in
        let lr = try requiredLearningRate(&h, "simplified_ademamix")
        var f = SimplifiedAdEMAMixFamily(form: .optax)
        f.beta1 = try h.double("b1", default: 0.99)
        f.beta2 = try h.double("b2", default: 0.95)
        (f.alpha, f.alphaSchedule) = try scalarOrSchedule(&h, "alpha", default: 0.0)
        f.eps = try h.double("eps", default: 1e-8)
        f.epsRoot = try h.double("eps_root", default: 0)
        let wd = try h.double("weight_decay", default: 0)
        let (on, perTensor) = try optaxMask(&h, "mask", ifNull: true)
        f.decay = wd == 0 || !on ? .none : .decoupled(wd)
        f.decayMask = f.decay == .none ? nil : perTensor
        return OptimizerSpec(family: f, lr: lr)
    },
]
