// Optax+Rprop.swift — optax.rprop (optax 0.2.8, optax/_src/alias.py: scale_by_rprop, then
// scale(−1); transform.py's scale_by_rprop). optax validates none of the values; learning_rate is
// required, and None fails in init (jnp.full_like).
import DescentJSON

let optaxRpropGroup: [OptimizerEntry] = [
    OptimizerEntry("rprop", "step sizes start at learning_rate (set at init: a later lr changes nothing); where g·prev_updates > 0 × eta_plus, < 0 × eta_minus, both clipped to [min_step_size, max_step_size], = 0 unchanged and unclipped; prev_updates ← step·sign(g), 0 on a flip; the update emitted is the PREVIOUS step's prev_updates (0 on a flip), so the first step moves nothing") { h in
        if h.values["learning_rate"] == nil {
            throw h.invalid("learning_rate", "rprop() missing 1 required positional argument: 'learning_rate'")
        }
        guard let lr = try h.optionalDouble("learning_rate") else {
            throw h.invalid("learning_rate", "full_like requires ndarray or scalar arguments, got <class 'NoneType'> at position 1.")
        }
        var f = RpropFamily(form: .optax)
        f.etaMinus = try h.double("eta_minus", default: 0.5)
        f.etaPlus = try h.double("eta_plus", default: 1.2)
        f.minStepSize = try h.double("min_step_size", default: 1e-6)
        f.maxStepSize = try h.double("max_step_size", default: 50.0)
        f.initialStepSize = lr
        return OptimizerSpec(family: f, lr: lr)
    },
]
