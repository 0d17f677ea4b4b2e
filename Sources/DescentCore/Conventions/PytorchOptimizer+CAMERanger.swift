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
//
// Ranger21 (Ranger21.swift, inside LookaheadFamily's Ranger21 form) validates lr, warm_down_min_lr
// (as a learning rate), betas, beta0 in [0, 1), weight_decay, agc_clipping_value, eps, agc_eps;
// num_iterations is required (Python's TypeError when missing). Its **kwargs go into the group,
// where only `adam_debias` is read.
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
    OptimizerEntry("Ranger21", "num_iterations required; every tensor first: maximize, agc (unit-norm clip to agc_clipping_value·max(‖w‖, agc_eps)), centralize_gradients (> 1 dims), normalize_gradients (÷ std + 1e-8, > 2 elements), v ← b2·v + (1 − b2)·g², S = 1 + Σ v/(1 − b2ᵗ), σ = √(S/N); lr warmed up over num_warm_up_iterations (default min(⌈2/(1 − b2)⌉, 0.22·num_iterations when that is over 45%)) and down to warm_down_min_lr over the last num_warm_down_iterations (default 28%), unless disable_lr_scheduler; stable decay w·(1 − wd·lr/σ) (weight_decouple False: none), norm loss, v̂ = max v, δ = softplus(√v̂/√(1 − b2ᵗ) + eps) (use_softplus, beta_softplus), the gradient centralized and normalized again, positive-negative momentum (grad_ma / neg_grad_ma alternating, lerp 1 − b1², beta0), w ← w − (lr/(1 − b1ᵗ))·u/δ; Lookahead every lookahead_merge_time steps, w ← lerp(w, φ, 1 − lookahead_blending_alpha)") { h in
        guard let iterations = try h.optionalInt("num_iterations") else {
            throw h.invalid("num_iterations", "Ranger21.__init__() missing 1 required positional argument: 'num_iterations'")
        }
        let lr = try h.double("lr", default: 1e-3)
        let beta0 = try h.double("beta0", default: 0.9)
        let (b1, b2) = try h.pair("betas", default: (0.9, 0.999))
        let softplus = try h.bool("use_softplus", default: true)
        let betaSoftplus = try h.double("beta_softplus", default: 50)
        let noSchedule = try h.bool("disable_lr_scheduler", default: false)
        let warmUp = try h.optionalInt("num_warm_up_iterations")
        let warmDown = try h.optionalInt("num_warm_down_iterations")
        let minLR = try h.double("warm_down_min_lr", default: 3e-5)
        let agcClip = try h.double("agc_clipping_value", default: 1e-2)
        let agcEps = try h.double("agc_eps", default: 1e-3)
        let centralize = try h.bool("centralize_gradients", default: true)
        let normalize = try h.bool("normalize_gradients", default: true)
        let mergeTime = try h.int("lookahead_merge_time", default: 5)
        let blending = try h.double("lookahead_blending_alpha", default: 0.5)
        let wd = try h.double("weight_decay", default: 1e-4)
        let decouple = try h.bool("weight_decouple", default: true)
        let fixed = try h.bool("fixed_decay", default: false)
        let normLoss = try h.double("norm_loss_factor", default: 1e-4)
        let eps = try h.double("eps", default: 1e-8)
        let maximize = try h.bool("maximize", default: false)
        try h.ignore("foreach")
        let debias = try h.bool("adam_debias", default: false)
        try kwargs(&h, unimplemented: [])
        try validateLR(h, lr)
        if minLR < 0 {
            throw h.invalid("warm_down_min_lr", "learning rate must be positive. (\(h.values["warm_down_min_lr"].map { pyRepr($0) } ?? pyRepr(minLR)) > 0)")
        }
        try validateBetas(h, b1, b2)
        try validateUnitRange(h, "beta0", "beta0", beta0)
        try validateNonNegative(h, "weight_decay", wd)
        try validateNonNegative(h, "agc_clipping_value", agcClip)
        try validateNonNegative(h, "eps", eps)
        try validateNonNegative(h, "agc_eps", agcEps)
        // build_warm_up_iterations / build_warm_down_iterations (int() truncates toward zero).
        let up: Int
        if let warmUp { up = warmUp } else {
            guard iterations != 0 else { throw h.invalid("num_iterations", "division by zero") }
            let defaultUp = Int((2.0 / (1.0 - b2)).rounded(.up))
            up = Double(defaultUp) / Double(iterations) > 0.45 ? Int(0.22 * Double(iterations)) : defaultUp
        }
        let down = warmDown ?? iterations - Int(0.72 * Double(iterations))
        var f = Ranger21Family()
        f.beta0 = beta0
        f.beta1 = b1
        f.beta2 = b2
        f.eps = eps
        f.softplusBeta = softplus ? betaSoftplus : nil
        f.agcClip = agcClip
        f.agcEps = agcEps
        f.centralize = centralize
        f.normalize = normalize
        f.weightDecay = wd
        f.decouple = decouple
        f.fixedDecay = fixed
        f.normLossFactor = normLoss
        f.maximize = maximize
        f.adamDebias = debias
        f.schedule = noSchedule ? nil : .init(warmUp: up, warmDown: down, startWarmDown: iterations - down, startingLR: lr, minLR: minLR)
        var lookahead = LookaheadFamily(inner: f, k: max(mergeTime, 1), alpha: blending)
        lookahead.lerpsFastWeights = true
        lookahead.stateName = "lookahead_params"
        return OptimizerSpec(family: lookahead, lr: lr)
    },
]
