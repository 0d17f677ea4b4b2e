// Optax+YogiAdaBelief.swift — optax.yogi and optax.adabelief (optax 0.2.8, optax/_src/alias.py over
// transform.py's scale_by_yogi and scale_by_belief, then scale_by_learning_rate). Neither is an
// Adam knob: Yogi's second moment moves additively by (1 − b2)·sign(v − g²)·g² from 1e-6, and
// AdaBelief's is the EMA of (g − m)² with eps_root accumulated into it, so each is its own family
// (Yogi.swift, AdaBelief.swift). optax validates none of the values.
import DescentJSON

/// `learning_rate` is required (Python's TypeError); an explicit None makes scale_by_learning_rate
/// the identity, w ← w + update: lr = −1.
func requiredLearningRate(_ h: inout Hyperparameters, _ function: String) throws -> Double {
    if h.values["learning_rate"] == nil {
        throw h.invalid("learning_rate", "\(function)() missing 1 required positional argument: 'learning_rate'")
    }
    return try h.optionalDouble("learning_rate") ?? -1
}

let optaxYogiAdaBeliefGroup: [OptimizerEntry] = [
    OptimizerEntry("yogi", "Adam with Yogi's additive second moment v ← v − (1 − b2)·sign(v − g²)·g²; both moments start at 1e-6 (initial_accumulator_value, not an argument of the alias); bias-corrected; u = m̂/(√v̂ + eps); learning_rate None adds u") { h in
        let lr = try requiredLearningRate(&h, "yogi")
        var f = YogiFamily()
        f.beta1 = try h.double("b1", default: 0.9)
        f.beta2 = try h.double("b2", default: 0.999)
        f.eps = try h.double("eps", default: 1e-3)
        return OptimizerSpec(family: f, lr: lr)
    },
    OptimizerEntry("adabelief", "Adam whose second moment is the EMA of (g − m)², the new m; eps_root added into that state every step (not under the root); bias-corrected; nesterov as optax's nadam; u = m̂/(√ŝ + eps); learning_rate None adds u") { h in
        let lr = try requiredLearningRate(&h, "adabelief")
        var f = AdaBeliefFamily()
        f.beta1 = try h.double("b1", default: 0.9)
        f.beta2 = try h.double("b2", default: 0.999)
        f.eps = try h.double("eps", default: 1e-16)
        f.epsRoot = try h.double("eps_root", default: 1e-16)
        f.nesterov = try h.bool("nesterov", default: false)
        return OptimizerSpec(family: f, lr: lr)
    },
]
