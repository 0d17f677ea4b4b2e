// Optax+Contrib.swift — optax.contrib dog, dowg, cocob, acprop, momo and momo_adam (optax 0.2.8,
// optax/contrib/_dog.py, _cocob.py, _acprop.py, _momo.py), named without the `contrib.` prefix in
// the optax convention as the other optax.contrib optimizers are. optax validates none of the
// values; dog's unknown init_step tag is its ValueError in init (Descent refuses it when the case is
// read, in the same words), and acprop's learning_rate is required (Python's TypeError).
import DescentJSON

/// `weight_decay` and `mask` of an add_decayed_weights in front: (λ, per-tensor mask).
private func frontDecay(_ h: inout Hyperparameters, _ wd: Double) throws -> (Double, [Bool]?) {
    let (on, perTensor) = try optaxMask(&h, "mask", ifNull: true)
    let w = on ? wd : 0
    return (w, w == 0 ? nil : perTensor)
}

let optaxContribGroup: [OptimizerEntry] = [
    OptimizerEntry("dog", "optax.contrib.dog: η = r̄/√(G + eps) with r̄ = max(r_eps, ‖x − x₀‖) and G = Σ‖g‖², one norm over every tensor; init_step (tag, value): 'distance' r_eps = value, 'heuristic' r_eps = value·(1 + ‖x₀‖), 'learning_rate' r_eps = 0 and the first η = value; weight_decay (None: none) adds λ·w (mask) in front; u = −learning_rate·η·g") { h in
        let lr = try h.double("learning_rate", default: 1.0)
        var f = DoGFamily(form: .dog)
        h.note("init_step", .value, .array([.string("heuristic"), .number("1e-06")]))
        if let v = h.raw("init_step") {
            guard let a = v.arrayValue, a.count == 2, let tag = a[0].stringValue, let x = a[1].doubleValue else {
                throw DescentError.invalidInput(field: "\(h.field).init_step", message: "\(h.callee): expected [tag, number], found \(v.serialized())")
            }
            switch tag {
            case "distance": f.initStep = .distance(x)
            case "heuristic": f.initStep = .heuristic(x)
            case "learning_rate": f.initStep = .learningRate(x)
            default: throw h.invalid("init_step", "Invalid init_step specification for scale_by_dog: init_step_type='\(tag)'")
            }
        }
        f.eps = try h.double("eps", default: 1e-8)
        (f.weightDecay, f.decayMask) = try frontDecay(&h, try h.nullableDouble("weight_decay", default: nil) ?? 0)
        return OptimizerSpec(family: f, lr: lr)
    },
    OptimizerEntry("dowg", "optax.contrib.dowg: r̄² = max(r̄², ‖x − x₀‖²) from init_estim_sq_dist (None: eps), v ← v + r̄²·‖g‖², η = r̄²/(√v + eps), one norm over every tensor; weight_decay (None: none) adds λ·w (mask) in front; u = −learning_rate·η·g") { h in
        let lr = try h.double("learning_rate", default: 1.0)
        var f = DoGFamily(form: .dowg)
        f.initEstimSqDist = try h.nullableDouble("init_estim_sq_dist", default: nil)
        f.eps = try h.double("eps", default: 1e-4)
        (f.weightDecay, f.decayMask) = try frontDecay(&h, try h.nullableDouble("weight_decay", default: nil) ?? 0)
        return OptimizerSpec(family: f, lr: lr)
    },
    OptimizerEntry("cocob", "optax.contrib.cocob: c = learning_rate·(g + weight_decay·w) (mask; the lr scales the gradient, + sign), per element L ← max(L, |c|) from eps, G ← G + |c|, R ← max(R − c·(w − w₀), 0), C ← C − c, w = w₀ + C/(L·max(G + L, alpha·L))·(L + R)") { h in
        let lr = try h.double("learning_rate", default: 1.0)
        var f = COCOBFamily()
        f.alpha = try h.double("alpha", default: 100.0)
        f.eps = try h.double("eps", default: 1e-8)
        (f.weightDecay, f.decayMask) = try frontDecay(&h, try h.double("weight_decay", default: 0.0))
        return OptimizerSpec(family: f, lr: lr)
    },
    OptimizerEntry("acprop", "optax.contrib.acprop: AdaBelief with the asynchronous update: u = g/(√ŝ + eps) with ŝ the OLD s bias-corrected at the old count (1 at the first step) and the RAW g in the numerator; m ← (1 − b1)·g + b1·m, s ← (1 − b2)·(g − m_old)² + b2·s + eps_root; u + weight_decay·w (mask), then −learning_rate") { h in
        let lr = try requiredLearningRate(&h, "acprop")
        var f = ACPropFamily()
        f.beta1 = try h.double("b1", default: 0.9)
        f.beta2 = try h.double("b2", default: 0.999)
        f.eps = try h.double("eps", default: 1e-16)
        f.epsRoot = try h.double("eps_root", default: 1e-16)
        (f.weightDecay, f.decayMask) = try frontDecay(&h, try h.double("weight_decay", default: 0.0))
        return OptimizerSpec(family: f, lr: lr)
    },
    OptimizerEntry("momo", "optax.contrib.momo: SGD with momentum at τ = min(learning_rate, max(q·(f̄ − lb − γ) + ⟨d, w⟩, 0)/‖d‖²), q = 1 + lr·weight_decay, EMAs with beta (the first step takes the first values); u = −(lr·wd)/q·w − τ·d; adapt_lower_bound moves lb, clamped at lower_bound; the update takes the loss: problem cases or steps[k].value") { h in
        let lr = try h.double("learning_rate", default: 1.0)
        var f = MomoFamily(form: .momo)
        f.beta1 = try h.double("beta", default: 0.9)
        f.lowerBound = try h.double("lower_bound", default: 0.0)
        f.weightDecay = try h.double("weight_decay", default: 0.0)
        f.adaptLowerBound = try h.bool("adapt_lower_bound", default: false)
        return OptimizerSpec(family: f, lr: lr)
    },
    OptimizerEntry("momo_adam", "optax.contrib.momo_adam: Adam(W) at τ = min(lr/(1 − b1ᵗ), max(q·(f̄ − (1 − b1ᵗ)·lb − γ) + ⟨d, w⟩, 0)/⟨d, d/P⟩), P = eps + √(v/(1 − b2ᵗ)); u = −(lr·wd)/q·w − τ·d/P; adapt_lower_bound moves lb, clamped at lower_bound; the update takes the loss: problem cases or steps[k].value") { h in
        let lr = try h.double("learning_rate", default: 1e-2)
        var f = MomoFamily(form: .momoAdam)
        f.beta1 = try h.double("b1", default: 0.9)
        f.beta2 = try h.double("b2", default: 0.999)
        f.eps = try h.double("eps", default: 1e-8)
        f.lowerBound = try h.double("lower_bound", default: 0.0)
        f.weightDecay = try h.double("weight_decay", default: 0.0)
        f.adaptLowerBound = try h.bool("adapt_lower_bound", default: false)
        return OptimizerSpec(family: f, lr: lr)
    },
]
