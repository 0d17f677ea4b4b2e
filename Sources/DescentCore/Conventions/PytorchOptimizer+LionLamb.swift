// PytorchOptimizer+LionLamb.swift — pytorch_optimizer Lion, Tiger, Lamb, LARS (pytorch-optimizer
// 4.1.0, pytorch_optimizer/optimizer/{lion,tiger,lamb,lars}.py over base/optimizer.py): keyword names, defaults
// and the validation messages, checked in the library's order.
//
// The constructors take **kwargs. Lion and Lamb store them in the group defaults, where only a few
// keys are ever read (Lion: use_gc, adanorm, adanorm_r, cautious; Lamb: adanorm, adanorm_r,
// adam_debias — all implemented); Tiger and LARS drop them. A key the library never reads
// changes nothing and is accepted; a key it reads that Descent does not implement (truthy) is
// `unsupported`.
import DescentJSON

/// NegativeLRError: f'learning rate must be positive. ({lr} > 0)' for lr < 0.
func validateLR(_ h: Hyperparameters, _ lr: Double) throws {
    if lr < 0 {
        throw h.invalid("lr", "learning rate must be positive. (\(h.values["lr"].map { pyRepr($0) } ?? pyRepr(lr)) > 0)")
    }
}

/// validate_range(x, name, 0.0, 1.0, '[)').
func validateUnitRange(_ h: Hyperparameters, _ key: String, _ name: String, _ x: Double) throws {
    if !(0.0 <= x && x < 1.0) { throw h.invalid(key, "\(name) must be in the range [0.0, 1.0)") }
}

/// validate_betas((b1, b2)): each in [0, 1), named beta1 and beta2, reported on `betas`.
func validateBetas(_ h: Hyperparameters, _ b1: Double, _ b2: Double) throws {
    try validateUnitRange(h, "betas", "beta1", b1)
    try validateUnitRange(h, "betas", "beta2", b2)
}

/// The checks most of the library's Adam-like constructors make, in their order:
/// validate_learning_rate, validate_betas, then validate_non_negative of weight_decay and eps.
func validateAdamLike(_ h: Hyperparameters, lr: Double, betas b1: Double, _ b2: Double, weightDecay: Double, eps: Double) throws {
    try validateLR(h, lr)
    try validateBetas(h, b1, b2)
    try validateNonNegative(h, "weight_decay", weightDecay)
    try validateNonNegative(h, "eps", eps)
}

/// validate_non_negative(x, name).
func validateNonNegative(_ h: Hyperparameters, _ key: String, _ x: Double) throws {
    if x < 0.0 { throw h.invalid(key, "\(key) must be non-negative") }
}

/// `adanorm` (truthy) with `adanorm_r` (None → 0.95): AdaNorm's r, or nil when off.
private func adaNorm(_ h: inout Hyperparameters) throws -> Double? {
    guard try h.bool("adanorm", default: false) else { _ = h.raw("adanorm_r"); return nil }
    return try h.double("adanorm_r", default: 0.95)
}

/// The group keys the library reads but Descent does not implement (unsupported when truthy), then
/// every other leftover key: stored and never read by the library, so accepted.
func kwargs(_ h: inout Hyperparameters, unimplemented: [String]) throws {
    for k in unimplemented {
        guard let v = h.raw(k), !v.isNull else { continue }
        if v.boolValue == false || v.doubleValue == 0 { continue }
        throw DescentError.unsupported("\(h.callee): \(k)=\(v.serialized()) is not implemented in Descent")
    }
    for k in h.values.keys.sorted() { _ = h.raw(k) }
}

let pytorchOptimizerLionLambGroup: [OptimizerEntry] = [
    OptimizerEntry("Lion", "the paper's two-beta Lion with lerp: c = lerp(m, g, 1−b1); w ← w − lr·sign(c); m ← lerp(m, g, 1−b2); weight_decay decoupled (× lr, or fixed_decay) or coupled (weight_decouple=False: added to g), maximize, adanorm (adanorm_r), cautious, use_gc; NOT the one-beta sign form of some lecture slides (w ← w − lr·sign(m)), a different algorithm") { h in
        let lr = try h.double("lr", default: 1e-4)
        let (b1, b2) = try h.pair("betas", default: (0.9, 0.99))
        let wd = try h.double("weight_decay", default: 0)
        let decouple = try h.bool("weight_decouple", default: true)
        let fixed = try h.bool("fixed_decay", default: false)
        let maximize = try h.bool("maximize", default: false)
        try h.ignore("foreach")
        let ada = try adaNorm(&h)
        let cautious = try h.bool("cautious", default: false)
        let centralize = try h.bool("use_gc", default: false)
        try kwargs(&h, unimplemented: [])
        try validateLR(h, lr)
        try validateBetas(h, b1, b2)
        try validateNonNegative(h, "weight_decay", wd)
        var f = LionFamily(form: .pytorchOptimizer)
        f.beta1 = b1
        f.beta2 = b2
        f.maximize = maximize
        f.adaNorm = ada
        f.cautious = cautious
        f.centralize = centralize
        f.decay = .pytorchOptimizer(wd, decouple: decouple, fixed: fixed)
        return OptimizerSpec(family: f, lr: lr)
    },
    // pytorch_optimizer/optimizer/tiger.py: one EMA, lerp'd before its sign is taken. With
    // b1 = b2 = beta, Lion's c = lerp(m, g, 1−b1) IS the new m, so this is Lion, bit for bit
    // (reference/gen_lion_lamb.py checks that on the library before writing Tiger.json).
    OptimizerEntry("Tiger", "Lion with one beta (b1 = b2 = beta, default 0.965): m ← lerp(m, g, 1−beta); w ← w − lr·sign(m); weight_decay (default 0.01) decoupled (× lr, or fixed_decay) or coupled (weight_decouple=False), maximize; other keyword arguments are dropped (no adanorm, cautious or use_gc)") { h in
        let lr = try h.double("lr", default: 1e-3)
        let beta = try h.double("beta", default: 0.965)
        let wd = try h.double("weight_decay", default: 0.01)
        let decouple = try h.bool("weight_decouple", default: true)
        let fixed = try h.bool("fixed_decay", default: false)
        let maximize = try h.bool("maximize", default: false)
        try h.ignore("foreach")
        // **kwargs: never stored (not even in the group defaults), so nothing reads them.
        for k in h.values.keys.sorted() { _ = h.raw(k) }
        try validateLR(h, lr)
        try validateUnitRange(h, "beta", "beta", beta)
        try validateNonNegative(h, "weight_decay", wd)
        var f = LionFamily(form: .pytorchOptimizer)
        f.beta1 = beta
        f.beta2 = beta
        f.maximize = maximize
        f.decay = .pytorchOptimizer(wd, decouple: decouple, fixed: fixed)
        return OptimizerSpec(family: f, lr: lr)
    },
    OptimizerEntry("Lamb", "uncorrected moments, u = m/(√v + eps), ratio min(‖w‖, 10)/(‖u‖ + eps) per tensor, step lr/(1−b1ᵗ) (adam_debias: lr); decay decoupled before the ratio (× lr or fixed_decay) or added to u (weight_decouple=False); grad_averaging, adam (ratio 1), pre_norm (global norm in float32), rectify (degenerated_to_sgd, n_sma_threshold), adanorm (adanorm_r), maximize") { h in
        let lr = try h.double("lr", default: 1e-3)
        let (b1, b2) = try h.pair("betas", default: (0.9, 0.999))
        let wd = try h.double("weight_decay", default: 0)
        let decouple = try h.bool("weight_decouple", default: true)
        let fixed = try h.bool("fixed_decay", default: false)
        let rectify = try h.bool("rectify", default: false)
        let degenerated = try h.bool("degenerated_to_sgd", default: false)
        let threshold = try h.double("n_sma_threshold", default: 5)
        let gradAveraging = try h.bool("grad_averaging", default: true)
        let maxGradNorm = try h.double("max_grad_norm", default: 1.0)
        let adam = try h.bool("adam", default: false)
        let preNorm = try h.bool("pre_norm", default: false)
        let eps = try h.double("eps", default: 1e-6)
        let maximize = try h.bool("maximize", default: false)
        let adamDebias = try h.bool("adam_debias", default: false)
        try h.ignore("foreach")
        let ada = try adaNorm(&h)
        try kwargs(&h, unimplemented: [])
        try validateLR(h, lr)
        try validateBetas(h, b1, b2)
        try validateNonNegative(h, "weight_decay", wd)
        try validateNonNegative(h, "max_grad_norm", maxGradNorm)
        try validateNonNegative(h, "eps", eps)
        var f = LambFamily(form: .pytorchOptimizer, biasCorrection: adamDebias ? .none : .stepSize)
        f.beta1 = b1
        f.beta2 = b2
        f.eps = eps
        f.gradAveraging = gradAveraging
        // Coupled decay exists only in the un-rectified branch (update.add_(p, alpha=wd)).
        f.decay = wd == 0 ? .none : decouple ? (fixed ? .fixed(wd) : .decoupled(wd)) : rectify ? .none : .addedToUpdate(wd)
        f.weightNormClip = 10
        f.trustEps = eps
        f.trustRatio = !adam
        f.preNorm = preNorm && maxGradNorm != 0 ? maxGradNorm : nil
        f.rectify = rectify ? LambFamily.Rectify(threshold: threshold, degeneratedToSGD: degenerated) : nil
        f.maximize = maximize
        f.adaNorm = ada
        return OptimizerSpec(family: f, lr: lr)
    },
    OptimizerEntry("LARS", "tensors with ndim > 1: g ← (g + wd·w)·tc·‖w‖/(‖g‖ + wd·‖w‖) (1 if either norm is 0); 1-D tensors: plain g; then b ← momentum·b + (1−dampening)·g from zero, w ← w − lr·(nesterov ? g + momentum·b : b), maximize") { h in
        let lr = try h.double("lr", default: 1e-3)
        let wd = try h.double("weight_decay", default: 0)
        let momentum = try h.double("momentum", default: 0.9)
        let dampening = try h.double("dampening", default: 0)
        let tc = try h.double("trust_coefficient", default: 1e-3)
        let nesterov = try h.bool("nesterov", default: false)
        let maximize = try h.bool("maximize", default: false)
        try h.ignore("foreach")
        try kwargs(&h, unimplemented: [])
        try validateLR(h, lr)
        try validateNonNegative(h, "weight_decay", wd)
        try validateUnitRange(h, "momentum", "momentum", momentum)
        try validateUnitRange(h, "dampening", "dampening", dampening)
        try validateNonNegative(h, "trust_coefficient", tc)
        var f = LARSFamily(form: .pytorchOptimizer, denominator: .gradNormPlusDecay, lrInsideMomentum: false)
        f.weightDecay = wd
        f.trustCoefficient = tc
        f.excludeVectors = true
        f.momentum = momentum
        f.dampening = dampening
        f.nesterov = nesterov
        f.maximize = maximize
        return OptimizerSpec(family: f, lr: lr)
    },
]
