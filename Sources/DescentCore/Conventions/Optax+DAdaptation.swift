// Optax+DAdaptation.swift — optax.contrib.dadapt_adamw (optax 0.2.8, optax/contrib/_dadapt_adamw.py),
// named `dadapt_adamw` in the optax convention as the other optax.contrib optimizers are. optax
// validates none of the values. Against dadaptation's DAdaptAdam (DAdaptation.swift): the bias
// correction always on, no growth_rate, the decay always decoupled, no early return when ‖s‖₁ = 0
// (d̂ = 0/0 is NaN and jnp.maximum keeps it), and its scalars in the parameters' dtype.
import DescentJSON

let optaxDAdaptationGroup: [OptimizerEntry] = [
    OptimizerEntry("dadapt_adamw", "optax.contrib.dadapt_adamw: D-Adaptation AdamW: dlr = estim_lr·learning_rate·√(1 − b2ᵗ)/(1 − b1ᵗ); num = ⟨g, s/(√v + eps)⟩ (old s and v, over every tensor); m ← b1·m + (1 − b1)·dlr·g, v ← b2·v + (1 − b2)·g², s ← √b2·s + (1 − √b2)·dlr·g; nw ← √b2·nw + (1 − √b2)·dlr·num; estim_lr ← max(estim_lr, nw/((1 − √b2)·‖s‖₁)); u = −weight_decay·dlr·w − m/(√v + eps) with the old estim_lr") { h in
        let lr = try h.double("learning_rate", default: 1.0)
        var f = DAdaptAdamFamily(form: .optax)
        (f.beta1, f.beta2) = try h.pair("betas", default: (0.9, 0.999))
        f.eps = try h.double("eps", default: 1e-8)
        f.d0 = try h.double("estim_lr0", default: 1e-6)
        let wd = try h.double("weight_decay", default: 0)
        f.decay = wd == 0 ? .none : .decoupled(wd)
        return OptimizerSpec(family: f, lr: lr)
    },
]
