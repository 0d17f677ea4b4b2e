// PytorchOptimizer+YogiAdaBelief.swift — pytorch_optimizer.Yogi and pytorch_optimizer.AdaBelief
// (pytorch-optimizer 4.1.0, pytorch_optimizer/optimizer/yogi.py and adabelief.py over
// base/optimizer.py): keyword names, defaults and the validation messages, in the library's order
// (lr, betas, weight_decay, eps). Both map onto the optax families (Yogi.swift, AdaBelief.swift)
// with `form = .pytorchOptimizer`: the same rules, plus the library's weight decay, maximize,
// adam_debias (read from **kwargs), and AdaBelief's ams_bound and RAdam rectification.
//
// The **kwargs go into the group defaults: AdaBelief reads `adanorm` / `adanorm_r` there (not
// implemented: unsupported when truthy) and both read `adam_debias`; every other key is never
// read and is accepted. `foreach` changes the kernels, not the maths (the foreach path is taken
// only without rectify / ams_bound / adanorm, and computes the same expressions).
import DescentJSON

let pytorchOptimizerYogiAdaBeliefGroup: [OptimizerEntry] = [
    OptimizerEntry("Yogi", "maximize, then decay (decoupled by default: w·(1 − lr·wd); fixed_decay: w·(1 − wd); weight_decouple False: g + wd·w); m ← lerp(m, g, 1 − b1); v ← v − (1 − b2)·sign(v − g²)·g²; both moments start at initial_accumulator; w ← w − (lr/(1 − b1ᵗ))·m/(√v/√(1 − b2ᵗ) + eps) (adam_debias: lr alone)") { h in
        let lr = try h.double("lr", default: 1e-2)
        let (b1, b2) = try h.pair("betas", default: (0.9, 0.999))
        let initial = try h.double("initial_accumulator", default: 1e-6)
        let wd = try h.double("weight_decay", default: 0)
        let decouple = try h.bool("weight_decouple", default: true)
        let fixed = try h.bool("fixed_decay", default: false)
        let eps = try h.double("eps", default: 1e-3)
        let maximize = try h.bool("maximize", default: false)
        try h.ignore("foreach")
        let debias = try h.bool("adam_debias", default: false)
        try kwargs(&h, unimplemented: [])
        try validateAdamLike(h, lr: lr, betas: b1, b2, weightDecay: wd, eps: eps)
        var f = YogiFamily()
        f.form = .pytorchOptimizer
        f.beta1 = b1
        f.beta2 = b2
        f.eps = eps
        f.initialAccumulator = initial
        f.decay = .pytorchOptimizer(wd, decouple: decouple, fixed: fixed)
        f.maximize = maximize
        f.adamDebias = debias
        return OptimizerSpec(family: f, lr: lr)
    },
    OptimizerEntry("AdaBelief", "maximize, then decay (decoupled by default: w·(1 − lr·wd); fixed_decay: w·(1 − wd); weight_decouple False: g + wd·w); m ← lerp(m, g, 1 − b1); s ← b2·s + (1 − b2)·(g − m)² + eps (eps INTO the state every step); ams_bound: the running max of s; w ← w − (lr/(1 − b1ᵗ))·m/(√s/√(1 − b2ᵗ) + eps) (adam_debias: lr alone); rectify: RAdam's r·lr/(1 − b1ᵗ) over √s + eps (no 1 − b2ᵗ), below n_sma_threshold an SGD step w − (lr/(1 − b1ᵗ))·m (degenerated_to_sgd) or none") { h in
        let lr = try h.double("lr", default: 1e-3)
        let (b1, b2) = try h.pair("betas", default: (0.9, 0.999))
        let wd = try h.double("weight_decay", default: 0)
        let decouple = try h.bool("weight_decouple", default: true)
        let fixed = try h.bool("fixed_decay", default: false)
        let rectify = try h.bool("rectify", default: false)
        let threshold = try h.double("n_sma_threshold", default: 5)
        let sgd = try h.bool("degenerated_to_sgd", default: true)
        let ams = try h.bool("ams_bound", default: false)
        try h.ignore("foreach")
        let eps = try h.double("eps", default: 1e-16)
        let maximize = try h.bool("maximize", default: false)
        let debias = try h.bool("adam_debias", default: false)
        try kwargs(&h, unimplemented: ["adanorm"])
        try validateAdamLike(h, lr: lr, betas: b1, b2, weightDecay: wd, eps: eps)
        var f = AdaBeliefFamily()
        f.form = .pytorchOptimizer
        f.beta1 = b1
        f.beta2 = b2
        f.eps = eps
        f.epsRoot = eps
        f.decay = .pytorchOptimizer(wd, decouple: decouple, fixed: fixed)
        f.maximize = maximize
        f.adamDebias = debias
        f.amsBound = ams
        f.rectify = rectify
        f.nSmaThreshold = threshold
        f.degeneratedToSGD = sgd
        return OptimizerSpec(family: f, lr: lr)
    },
]

// pytorch_optimizer.Adan (optimizer/adan.py): validation order lr, betas (three, beta3 in [0, 1]),
// weight_decay, max_grad_norm, eps. `use_gc` and `adanorm` (**kwargs group keys; adanorm_r is
// AdaNorm's r) are not implemented: unsupported when truthy.
let pytorchOptimizerAdanGroup: [OptimizerEntry] = [
    OptimizerEntry("Adan", "the official Adan form: global clip c = min(max_grad_norm/(‖g‖ + eps), 1) (norm in float32; 0 = off); maximize; d = g − g_prev (0 at the first step, 2g there with maximize); m, v by lerp with b1, b2; n ← b3·n + (1 − b3)·(g + b2·d)²; w ← w − (lr/(1 − b1ᵗ))·m/(√n/√(1 − b3ᵗ) + eps) − (lr·b2/(1 − b2ᵗ))·v/(…); weight_decay proximal w/(1 + lr·wd) after the step by default, weight_decouple: w·(1 − lr·wd) before") { h in
        let lr = try h.double("lr", default: 1e-3)
        let (b1, b2, b3) = try h.triple("betas", default: (0.98, 0.92, 0.99))
        let betas = [b1, b2, b3]
        let wd = try h.double("weight_decay", default: 0)
        let decouple = try h.bool("weight_decouple", default: false)
        let maxNorm = try h.double("max_grad_norm", default: 0)
        try h.ignore("foreach")
        let eps = try h.double("eps", default: 1e-8)
        let maximize = try h.bool("maximize", default: false)
        try kwargs(&h, unimplemented: ["use_gc", "adanorm"])
        try validateLR(h, lr)
        try validateBetas(h, betas[0], betas[1])
        if !(0.0 <= betas[2] && betas[2] <= 1.0) { throw h.invalid("betas", "beta3 must be in the range [0.0, 1.0]") }
        try validateNonNegative(h, "weight_decay", wd)
        try validateNonNegative(h, "max_grad_norm", maxNorm)
        try validateNonNegative(h, "eps", eps)
        var f = AdanFamily()
        f.form = .pytorchOptimizer
        f.beta1 = betas[0]
        f.beta2 = betas[1]
        f.beta3 = betas[2]
        f.eps = eps
        f.epsRoot = 0
        f.weightDecay = wd
        f.decouple = decouple
        f.maxGradNorm = maxNorm
        f.maximize = maximize
        return OptimizerSpec(family: f, lr: lr)
    },
]
