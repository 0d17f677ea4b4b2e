// Optax+MADGRAD.swift — optax.contrib.madgrad (optax 0.2.8, optax/contrib/_madgrad.py), named
// `madgrad` in the optax convention as the other optax.contrib optimizers are: chain(
// add_decayed_weights(weight_decay), scale_by_madgrad(learning_rate, momentum, eps)). optax
// validates none of the values; learning_rate is required. Unlike pytorch_optimizer: eps added to
// every lr (also 0), jnp.cbrt, x₀ kept at momentum 0, the decay coupled only, no maximize.
import DescentJSON

let optaxMADGRADGroup: [OptimizerEntry] = [
    OptimizerEntry("madgrad", "optax.contrib.madgrad: d = g + weight_decay·w; λ = (learning_rate + eps)·√(count + 1); grad_sum_sq ← grad_sum_sq + λ·d², s ← s + λ·d; z = x0 − s/(∛grad_sum_sq + eps) (x0 the initial params); update (1 − momentum)·z + momentum·w − w") { h in
        let lr = try requiredLearningRate(&h, "madgrad")
        var f = MADGRADFamily(form: .optax)
        f.momentum = try h.double("momentum", default: 0.9)
        f.weightDecay = try h.double("weight_decay", default: 0)
        f.eps = try h.double("eps", default: 1e-6)
        return OptimizerSpec(family: f, lr: lr)
    },
]
