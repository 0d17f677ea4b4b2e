// PytorchOptimizer+Prodigy.swift — pytorch_optimizer.Prodigy (pytorch-optimizer 4.1.0,
// pytorch_optimizer/optimizer/prodigy.py over base/optimizer.py): keyword names, defaults and the
// validation messages, in the library's order (lr, betas with beta3 in [0, 1], weight_decay, eps).
//
// `eps=None` switches the update to atan2(m, √v), not implemented in Descent: unsupported.
// `growth_rate` is a number or "inf" (FORMAT.md). The **kwargs go into the group defaults, where
// nothing reads them: accepted.
import DescentJSON

let pytorchOptimizerProdigyGroup: [OptimizerEntry] = [
    OptimizerEntry("Prodigy", "Prodigy's distance estimate d over every tensor of every group, with prodigyopt's d update (d ← max(d, d̂) while d = d0, then capped by d·growth_rate); g ← −g with maximize; d_lr = d·lr/((1 − β₁ᵗ)/√(1 − β₂ᵗ)) with bias_correction, t the group's step (advanced even by a step whose Σ|s| is 0, which moves nothing); after the estimate w ← w·(1 − wd·d_lr) (fixed_decay: w·(1 − wd)); weight_decouple=False changes nothing (the library adds wd·w to the gradient after the moments were taken); w ← w − d_lr·m/(√v + d·eps)") { h in
        let lr = try h.double("lr", default: 1.0)
        let (b1, b2) = try h.pair("betas", default: (0.9, 0.999))
        let beta3 = try h.nullableDouble("beta3", default: nil)
        let d0 = try h.double("d0", default: 1e-6)
        let dCoef = try h.double("d_coef", default: 1.0)
        let growth = try pythonFloat(&h, "growth_rate", default: .infinity)
        let wd = try h.double("weight_decay", default: 0)
        let decouple = try h.bool("weight_decouple", default: true)
        let fixed = try h.bool("fixed_decay", default: false)
        let bias = try h.bool("bias_correction", default: false)
        let safeguard = try h.bool("safeguard_warmup", default: false)
        let eps = try h.nullableDouble("eps", default: 1e-8)
        let maximize = try h.bool("maximize", default: false)
        try h.ignore("foreach")
        try kwargs(&h, unimplemented: [])
        try validateLR(h, lr)
        try validateBetas(h, b1, b2)
        if let b3 = beta3, !(0.0 <= b3 && b3 <= 1.0) { throw h.invalid("beta3", "beta3 must be in the range [0.0, 1.0]") }
        try validateNonNegative(h, "weight_decay", wd)
        if let e = eps { try validateNonNegative(h, "eps", e) }
        guard let eps else {
            throw DescentError.unsupported("\(h.callee): eps=None (the atan2(m, √v) update) is not implemented in Descent")
        }
        var f = ProdigyFamily(form: .pytorchOptimizer, betas: (b1, b2), beta3: beta3, eps: eps, weightDecay: wd, decouple: decouple,
                              biasCorrection: bias, safeguardWarmup: safeguard, d0: d0, dCoef: dCoef, growthRate: growth)
        f.fixedDecay = fixed
        f.maximize = maximize
        return OptimizerSpec(family: f, lr: lr)
    },
]
