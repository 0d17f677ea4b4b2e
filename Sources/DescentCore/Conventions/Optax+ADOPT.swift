// Optax+ADOPT.swift — optax.contrib.adopt (optax 0.2.8, optax/contrib/_adopt.py: scale_by_adopt,
// then scale_by_learning_rate), named `adopt` in the optax convention as the other optax.contrib
// optimizers are. optax validates none of the values. `clip_value_fn` is a Python callable, which a
// fixture cannot hold: only its default x**0.25 runs (ADOPT.swift).
import DescentJSON

let optaxADOPTGroup: [OptimizerEntry] = [
    OptimizerEntry("adopt", "optax.contrib.adopt: the first step only sets v = g² (b1 → 1, b2 → 0: the parameters stay); then n = g/max(√v_prev, eps), clipped to ±count^0.25 (count = t − 1) with use_clipping, m ← b1·m + (1 − b1)·n, nesterov b1·m + (1 − b1)·n, w ← w − lr·m, v ← b2·v + (1 − b2)·g²; learning_rate None adds m") { h in
        let lr = try requiredLearningRate(&h, "adopt")
        var f = ADOPTFamily(form: .optax)
        f.beta1 = try h.double("b1", default: 0.9)
        f.beta2 = try h.double("b2", default: 0.9999)
        f.eps = try h.double("eps", default: 1e-6)
        try optaxMuDtype(&h)
        f.nesterov = try h.bool("nesterov", default: false)
        f.clipping = try h.bool("use_clipping", default: true)
        if let fn = h.raw("clip_value_fn") {
            throw DescentError.unsupported("\(h.callee): clip_value_fn=\(fn.serialized()) (a Python callable; only its default x**0.25 is implemented)")
        }
        return OptimizerSpec(family: f, lr: lr)
    },
]
