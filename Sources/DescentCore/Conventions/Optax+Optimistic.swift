// Optax+Optimistic.swift — optax.optimistic_gradient_descent, optax.optimistic_adam_v2 and the
// deprecated optax.optimistic_adam (optax 0.2.8, optax/_src/alias.py: scale_by_optimistic_gradient,
// after scale_by_adam for the two Adams, then scale_by_learning_rate), on one family
// (OptimisticGradient.swift). optax validates none of the values. optimistic_adam's learning_rate
// is the optimistic α (its optimism β defaults to it) and the chain ends in scale(−1);
// a schedule is refused there (ValueError), and a per-step lr (inject_hyperparams) sets α, and β
// when optimism is None.
import DescentJSON

/// scale_by_adam's keywords as the two optimistic Adams take them (optax's defaults; nesterov True).
private func optimisticAdamArguments(_ h: inout Hyperparameters, _ f: inout OptimisticGradientFamily) throws {
    f.adam = true
    f.beta1 = try h.double("b1", default: 0.9)
    f.beta2 = try h.double("b2", default: 0.999)
    f.eps = try h.double("eps", default: 1e-8)
    f.epsRoot = try h.double("eps_root", default: 0.0)
    try optaxMuDtype(&h)
    f.nesterov = try h.bool("nesterov", default: true)
}

let optaxOptimisticGroup: [OptimizerEntry] = [
    OptimizerEntry("optimistic_gradient_descent", "o = (alpha + beta)·g − beta·g_prev, g_prev = g on the first step (is_initial_step); previous_gradient ← g; w ← w − lr·o; learning_rate None adds o") { h in
        let lr = try optaxLearningRate(&h, "optimistic_gradient_descent", required: true)
        var f = OptimisticGradientFamily()
        f.alpha = try h.double("alpha", default: 1.0)
        f.beta = try h.double("beta", default: 1.0)
        return OptimizerSpec(family: f, lr: lr)
    },
    OptimizerEntry("optimistic_adam_v2", "the optimistic combination on Adam's direction a (scale_by_adam, with its nesterov keyword): o = (alpha + beta)·a − beta·a_prev, a_prev = a on the first step; previous_gradient ← a; w ← w − lr·o; learning_rate None adds o") { h in
        let lr = try optaxLearningRate(&h, "optimistic_adam_v2", required: true)
        var f = OptimisticGradientFamily()
        f.alpha = try h.double("alpha", default: 1.0)
        f.beta = try h.double("beta", default: 1.0)
        try optimisticAdamArguments(&h, &f)
        return OptimizerSpec(family: f, lr: lr)
    },
    OptimizerEntry("optimistic_adam", "deprecated: as optimistic_adam_v2 with alpha = learning_rate and beta = optimism (None: learning_rate), then w ← w − o (no lr scaling); a per-step lr sets alpha (and beta when optimism is None)") { h in
        if h.values["learning_rate"] == nil {
            throw h.invalid("learning_rate", "optimistic_adam() missing 1 required positional argument: 'learning_rate'")
        }
        guard let lr = try h.optionalDouble("learning_rate") else {
            throw DescentError.unsupported("optax.optimistic_adam: learning_rate None is its optimistic alpha; optax fails at the first update")
        }
        var f = OptimisticGradientFamily()
        f.alpha = nil
        f.beta = try h.nullableDouble("optimism", default: nil)
        f.scaleByLearningRate = false
        try optimisticAdamArguments(&h, &f)
        return OptimizerSpec(family: f, lr: lr)
    },
]
