// PytorchOptimizer+CAMERanger.swift — pytorch_optimizer.CAME and pytorch_optimizer.Ranger
// (pytorch-optimizer 4.1.0, pytorch_optimizer/optimizer/came.py and ranger.py over
// base/optimizer.py): keywords, defaults and validation in the library's order.
//
// CAME (CAME.swift) validates lr, betas (beta3 in [0, 1]), weight_decay, eps1, eps2; clip_threshold
// is not checked. Its **kwargs are dropped (not stored in the group), so every other key is accepted.
//
// Ranger is RAdam (RAdam.swift, `pytorchOptimizer` set) inside gradient centralization and Lookahead
// (Lookahead.swift). It validates lr, betas, alpha in [0, 1], k positive, weight_decay, eps. Its
// **kwargs go into the group defaults, where `adam_debias` is read (implemented) and `adanorm` (with
// `adanorm_r`) switches to AdaNorm's gradient (not implemented: unsupported when truthy); every other
// key is never read. `foreach` changes the kernels, not the maths.
import DescentJSON

let pytorchOptimizerCAMERangerGroup: [OptimizerEntry] = [
    OptimizerEntry("CAME", "maximize, then decay (decoupled by default: w·(1 − lr·wd); fixed_decay: w·(1 − wd); weight_decouple False: g + wd·w); x = g² + eps1; ≥ 2-D tensors factored over the last two dims: r, c ← b2-EMAs of the row and column means of x, u = rsqrt(r/mean(r)) ⊗ rsqrt(c) (vectors: v ← b2-EMA of x, u = rsqrt(v)); ams_bound: ĥ ← max(ĥ, 1/u), u = rsqrt(ĥ/b2); u ← u·g / max(1, RMS(u·g)/clip_threshold); m ← lerp(m, u, 1 − b1); factored: the instability (u − m)² + eps2 factored the same way with b3, w ← w − lr·(its rsqrt factors)·m; vectors: w ← w − lr·m") { h in
        let lr = try h.double("lr", default: 2e-4)
        let (b1, b2, b3) = try h.triple("betas", default: (0.9, 0.999, 0.9999))
        let wd = try h.double("weight_decay", default: 0)
        let decouple = try h.bool("weight_decouple", default: true)
        let fixed = try h.bool("fixed_decay", default: false)
        let clip = try h.double("clip_threshold", default: 1.0)
        let ams = try h.bool("ams_bound", default: false)
        let eps1 = try h.double("eps1", default: 1e-30)
        let eps2 = try h.double("eps2", default: 1e-16)
        let maximize = try h.bool("maximize", default: false)
        try h.ignore("foreach")
        // **kwargs: not stored in the group, so nothing reads them.
        for k in h.values.keys.sorted() { _ = h.raw(k) }
        try validateLR(h, lr)
        try validateBetas(h, b1, b2)
        if !(0.0 <= b3 && b3 <= 1.0) { throw h.invalid("betas", "beta3 must be in the range [0.0, 1.0]") }
        try validateNonNegative(h, "weight_decay", wd)
        try validateNonNegative(h, "eps1", eps1)
        try validateNonNegative(h, "eps2", eps2)
        var f = CAMEFamily()
        f.beta1 = b1
        f.beta2 = b2
        f.beta3 = b3
        f.eps1 = eps1
        f.eps2 = eps2
        f.clipThreshold = clip
        f.amsBound = ams
        f.decay = .pytorchOptimizer(wd, decouple: decouple, fixed: fixed)
        f.maximize = maximize
        return OptimizerSpec(family: f, lr: lr)
    },
    OptimizerEntry("Ranger", "RAdam + Lookahead + gradient centralization: use_gc (default) subtracts from each gradient of > 1 dims (gc_conv_only: > 3 dims) its mean over every dim but the first; maximize; decay (decoupled by default: w·(1 − lr·wd); fixed_decay: w·(1 − wd); weight_decouple False: g + wd·w); m ← lerp(m, g, 1 − b1), v ← b2·v + (1 − b2)·g²; η = lr·r_t/(1 − b1ᵗ) (adam_debias: lr·r_t); ρ ≥ n_sma_threshold: w ← w − η·m/(√v + eps), else w ← w − η·m with r_t = 1 (degenerated_to_sgd) or −1 (a step up the gradient: Ranger has no η > 0 guard); every k steps the slow weights φ ← lerp(φ, w, alpha), w ← φ (φ starts at the initial weights)") { h in
        let lr = try h.double("lr", default: 1e-3)
        let (b1, b2) = try h.pair("betas", default: (0.95, 0.999))
        let alpha = try h.double("alpha", default: 0.5)
        let k = try h.int("k", default: 6)
        let threshold = try h.double("n_sma_threshold", default: 5)
        let sgd = try h.bool("degenerated_to_sgd", default: false)
        let wd = try h.double("weight_decay", default: 0)
        let decouple = try h.bool("weight_decouple", default: true)
        let fixed = try h.bool("fixed_decay", default: false)
        let gc = try h.bool("use_gc", default: true)
        let convOnly = try h.bool("gc_conv_only", default: false)
        let eps = try h.double("eps", default: 1e-5)
        let maximize = try h.bool("maximize", default: false)
        try h.ignore("foreach")
        let debias = try h.bool("adam_debias", default: false)
        try kwargs(&h, unimplemented: ["adanorm"])
        try validateLR(h, lr)
        try validateBetas(h, b1, b2)
        if !(0.0 <= alpha && alpha <= 1.0) { throw h.invalid("alpha", "alpha must be in the range [0.0, 1.0]") }
        if k <= 0 { throw h.invalid("k", "k must be positive") }
        try validateNonNegative(h, "weight_decay", wd)
        try validateNonNegative(h, "eps", eps)
        var radam = RAdamFamily(form: .torch)
        radam.beta1 = b1
        radam.beta2 = b2
        radam.eps = eps
        radam.threshold = threshold
        radam.maximize = maximize
        var po = RAdamFamily.PytorchOptimizerRectification()
        po.decay = .pytorchOptimizer(wd, decouple: decouple, fixed: fixed)
        po.degeneratedToSGD = sgd
        po.adamDebias = debias
        radam.pytorchOptimizer = po
        let inner: any OptimizerFamily = gc ? CentralizedFamily(inner: radam, above: convOnly ? 3 : 1) : radam
        return OptimizerSpec(family: LookaheadFamily(inner: inner, k: k, alpha: alpha), lr: lr)
    },
]
