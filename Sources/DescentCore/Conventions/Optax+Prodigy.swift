// Optax+Prodigy.swift — optax.contrib.prodigy (optax 0.2.8, optax/contrib/_prodigy.py), named
// `prodigy` in the optax convention as the other optax.contrib optimizers are. optax validates
// none of the values. Unlike prodigyopt: the bias correction is always on, the decay always
// decoupled (−weight_decay·dlr·w in the update), no growth_rate, no early return (a first step
// whose gradients are all 0 divides 0 by 0: the estimate becomes NaN, as jnp.maximum propagates it).
import DescentJSON

let optaxProdigyGroup: [OptimizerEntry] = [
    OptimizerEntry("prodigy", "optax.contrib.prodigy: dlr = estim_lr·learning_rate·√(1 − β₂ᵗ)/(1 − β₁ᵗ) (always); dg = estim_lr·g; m ← β₁·m + (1 − β₁)·dg, v ← β₂·v + (1 − β₂)·dg²; grad_sum ← β₃·grad_sum + dlr·dg/estim_lr0 (safeguard_warmup: estim_lr·dg/estim_lr0); numerator ← β₃·numerator + (estim_lr/estim_lr0)·dlr·⟨g, params0 − w⟩ over the whole tree; estim_lr ← max(estim_lr, estim_lr_coef·numerator/Σ|grad_sum|); u = −weight_decay·dlr·w − dlr·m/(√v + estim_lr·eps); beta3 None is β₂**0.5") { h in
        let lr = try h.double("learning_rate", default: 1.0)
        let (b1, b2) = try h.pair("betas", default: (0.9, 0.999))
        var f = ProdigyFamily(form: .optax)
        f.beta1 = b1
        f.beta2 = b2
        f.beta3 = try h.nullableDouble("beta3", default: nil)
        f.eps = try h.double("eps", default: 1e-8)
        f.d0 = try h.double("estim_lr0", default: 1e-6)
        f.dCoef = try h.double("estim_lr_coef", default: 1.0)
        f.weightDecay = try h.double("weight_decay", default: 0)
        f.safeguardWarmup = try h.bool("safeguard_warmup", default: false)
        return OptimizerSpec(family: f, lr: lr)
    },
]
