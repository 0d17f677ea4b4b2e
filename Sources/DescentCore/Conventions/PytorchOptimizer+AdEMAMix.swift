// PytorchOptimizer+AdEMAMix.swift — pytorch_optimizer AdEMAMix and SimplifiedAdEMAMix (pytorch-optimizer 4.1.0,
// pytorch_optimizer/optimizer/ademamix.py over base/optimizer.py): keyword names, defaults and the
// validation messages in the library's order. `t_alpha_beta3` warms alpha and beta3 up (the
// paper's schedules, at the step t = 1, 2, …); weight decay is coupled by default.
//
// SimplifiedAdEMAMix warms beta1 up with `beta1_warmup` steps from `min_beta1`, decays decoupled by
// default, and on its default foreach path keeps √den_sum as a float32 tensor.
//
// The constructors take **kwargs into the group defaults; AdEMAMix's step reads `cautious` and
// `stable_adamw` from them (not implemented: unsupported when truthy); any other key is never read.
import DescentJSON

let pytorchOptimizerAdEMAMixGroup: [OptimizerEntry] = [
    OptimizerEntry("AdEMAMix", "Adam + alpha·m2, m2 = lerp(m2, g, 1 − beta3) NOT bias-corrected; u = (m1/(1 − beta1ᵗ) + alpha·m2)/(√v/√(1 − beta2ᵗ) + eps); t_alpha_beta3 warms alpha up linearly and beta3 by the paper's half-life interpolation from beta1 (None: no warmup); weight_decay coupled (into g; weight_decouple: w·(1 − lr·wd), fixed_decay: w·(1 − wd)); maximize") { h in
        typealias V = PytorchOptimizerValidation
        let lr = try h.double("lr", default: 1e-3)
        let betas = try h.triple("betas", default: (0.9, 0.999, 0.9999))
        let wd = try h.double("weight_decay", default: 0)
        let decouple = try h.bool("weight_decouple", default: false)
        let fixed = try h.bool("fixed_decay", default: false)
        let alpha = try h.double("alpha", default: 5.0)
        let t = try h.nullableDouble("t_alpha_beta3", default: nil)
        let eps = try h.double("eps", default: 1e-8)
        let maximize = try h.bool("maximize", default: false)
        try h.ignore("foreach")
        for k in ["cautious", "stable_adamw"] {
            guard let v = h.raw(k), !v.isNull, !(v.boolValue == false || v.doubleValue == 0) else { continue }
            throw DescentError.unsupported("\(h.callee): \(k)=\(v.serialized()) is not implemented in Descent")
        }
        V.swallowRest(&h)
        try V.learningRate(h, lr)
        try V.range(h, "betas", betas.0, name: "beta1")
        try V.range(h, "betas", betas.1, name: "beta2")
        try V.range(h, "betas", betas.2, name: "beta3", closedHigh: true)
        try V.nonNegative(h, "alpha", alpha)
        try V.nonNegative(h, "t_alpha_beta3", t)
        try V.nonNegative(h, "weight_decay", wd)
        try V.nonNegative(h, "eps", eps)
        if t == 0 {
            throw DescentError.unsupported("\(h.callee): t_alpha_beta3=0 (the library divides by it at the first step: ZeroDivisionError)")
        }
        var f = AdEMAMixFamily(form: .pytorchOptimizer)
        (f.beta1, f.beta2, f.beta3) = betas
        f.alpha = alpha
        f.tAlphaBeta3 = t
        f.eps = eps
        f.maximize = maximize
        f.decay = .pytorchOptimizer(wd, decouple: decouple, fixed: fixed)
        return OptimizerSpec(family: f, lr: lr)
    },
    OptimizerEntry("SimplifiedAdEMAMix", "m = lerp(m, g, 1 − beta1) (an EMA), v the EMA of g², den_sum ← beta2·den_sum + (1 − beta2); u = (m + alpha·g)/(√v + √den_sum·eps)/√den_sum (√den_sum in float32 unless foreach=False); beta1_warmup steps from min_beta1 by the half-life schedule; weight_decay decoupled w·(1 − lr·wd) (fixed_decay: w·(1 − wd); weight_decouple=False: into g); maximize") { h in
        typealias V = PytorchOptimizerValidation
        let lr = try h.double("lr", default: 1e-4)
        let betas = try h.pair("betas", default: (0.99, 0.95))
        let wd = try h.double("weight_decay", default: 0)
        let decouple = try h.bool("weight_decouple", default: true)
        let fixed = try h.bool("fixed_decay", default: false)
        let alpha = try h.double("alpha", default: 0.0)
        let warmup = try h.optionalInt("beta1_warmup")
        let minBeta1 = try h.double("min_beta1", default: 0.9)
        let eps = try h.double("eps", default: 1e-8)
        let maximize = try h.bool("maximize", default: false)
        let foreach = h.raw("foreach")
        V.swallowRest(&h)
        try V.learningRate(h, lr)
        try V.range(h, "betas", betas.0, name: "beta1")
        try V.range(h, "betas", betas.1, name: "beta2")
        try V.nonNegative(h, "alpha", alpha)
        try V.nonNegative(h, "min_beta1", minBeta1)
        try V.nonNegative(h, "weight_decay", wd)
        try V.nonNegative(h, "eps", eps)
        var f = SimplifiedAdEMAMixFamily(form: .pytorchOptimizer)
        (f.beta1, f.beta2) = betas
        f.alpha = alpha
        f.beta1Warmup = warmup
        f.minBeta1 = minBeta1
        f.eps = eps
        f.maximize = maximize
        f.denSumFloat32 = foreach?.boolValue != false
        f.decay = .pytorchOptimizer(wd, decouple: decouple, fixed: fixed)
        return OptimizerSpec(family: f, lr: lr)
    },
]
