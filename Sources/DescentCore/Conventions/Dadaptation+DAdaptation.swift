// Dadaptation+DAdaptation.swift — the `dadaptation` package (3.2, facebookresearch/dadaptation):
// DAdaptAdam (dadaptation/dadapt_adam.py), DAdaptSGD (dadapt_sgd.py), DAdaptLion
// (dadapt_lion.py), DAdaptAdaGrad (dadapt_adagrad.py) and DAdaptAdan (dadapt_adan.py). Keyword names and defaults as their constructors have them; DAdaptAdam
// validates d0, lr, eps, betas[0], betas[1] in that order, DAdaptSGD d0 and lr, DAdaptLion lr
// (≥ 0: 0 is accepted), betas[0], betas[1] and NOT d0 (ValueError, worded as below, the number as
// Python's format prints it), and nothing else. DAdaptAdaGrad checks d0 ("Invalid d0 value"), lr
// ("Learning rate {lr} must be positive"), momentum ("Momentum {m} must be non-negative"), eps;
// DAdaptAdan d0, lr, eps, betas[0], betas[1], betas[2] (DAdaptAdam's wording). Neither has
// fsdp_in_use. DAdaptAdaGrad's sparse-gradient branch is not implemented (a sparse case is
// refused by the field runner as for every dense optimizer).
//
// `growth_rate` is a number or the string "inf" / "Infinity" (Python's float('inf'), the default:
// no cap; JSON has no infinity). `log_every` only prints. `fsdp_in_use` true all-reduces the two
// d sums over torch.distributed on CUDA tensors: a single process without CUDA cannot run it, so a
// case that sets it is unsupported.
import DescentJSON

/// A number, or "inf" / "Infinity" for Python's float('inf').
func numberOrInfinity(_ h: inout Hyperparameters, _ key: String, default d: Double) throws -> Double {
    if let s = h.values[key]?.stringValue, ["inf", "Infinity"].contains(s) { _ = h.raw(key); return .infinity }
    return try h.double(key, default: d)
}

/// `fsdp_in_use=True`, refused after the library's own validation.
private func fsdpUnsupported(_ h: Hyperparameters) -> DescentError {
    .unsupported("\(h.callee): fsdp_in_use=True all-reduces the d sums over torch.distributed on CUDA tensors; a single process without CUDA cannot run it")
}

/// dadaptation's `raise ValueError("Invalid … : {}".format(x))` when `bad`.
private func check(_ h: Hyperparameters, _ bad: Bool, _ key: String, _ what: String, _ shown: JSON?, _ x: Double) throws {
    if bad { throw h.invalid(key, "\(what): \(shown.map { pyRepr($0) } ?? pyRepr(x))") }
}

let dadaptationGroup: [OptimizerEntry] = [
    OptimizerEntry("DAdaptAdam", "Adam whose lr is d·lr, d a running lower bound on the distance to the solution from one sum over every tensor: num = Σ dlr·⟨g, s/(√v + eps)⟩ with the old s and v; m ← b1·m + dlr·(1 − b1)·g, v ← b2·v + (1 − b2)·g², s ← √b2·s + dlr·(1 − √b2)·g; d ← max(d, min(nw/((1 − √b2)·‖s‖₁), d·growth_rate)) with nw ← √b2·nw + (1 − √b2)·num; w ← w − m/(√v + eps) with the old d; use_bias_correction scales dlr by √(1 − b2ᵏ⁺¹)/(1 − b1ᵏ⁺¹); weight_decay coupled (g + wd·w), or decouple: w ← w − dlr·wd·w; a step with ‖s‖₁ = 0 (every gradient 0 so far) returns before moving the parameters; log_every only logs") { h in
        let lr = try h.double("lr", default: 1.0)
        let (b1, b2) = try h.pair("betas", default: (0.9, 0.999))
        let eps = try h.double("eps", default: 1e-8)
        let wd = try h.double("weight_decay", default: 0)
        _ = try h.int("log_every", default: 0)
        let decouple = try h.bool("decouple", default: false)
        let bias = try h.bool("use_bias_correction", default: false)
        let d0 = try h.double("d0", default: 1e-6)
        let growth = try numberOrInfinity(&h, "growth_rate", default: .infinity)
        let fsdpOn = try h.bool("fsdp_in_use", default: false)
        let betas = h.values["betas"]?.arrayValue
        try check(h, !(0.0 < d0), "d0", "Invalid d0 value", h.values["d0"], d0)
        try check(h, !(0.0 < lr), "lr", "Invalid learning rate", h.values["lr"], lr)
        try check(h, !(0.0 < eps), "eps", "Invalid epsilon value", h.values["eps"], eps)
        try check(h, !(0.0 <= b1 && b1 < 1.0), "betas", "Invalid beta parameter at index 0", betas?[0], b1)
        try check(h, !(0.0 <= b2 && b2 < 1.0), "betas", "Invalid beta parameter at index 1", betas?[1], b2)
        if fsdpOn { throw fsdpUnsupported(h) }
        var f = DAdaptAdamFamily(form: .dadaptation)
        f.decouple = decouple
        f.beta1 = b1
        f.beta2 = b2
        f.eps = eps
        f.d0 = d0
        f.growthRate = growth
        f.biasCorrection = bias
        f.decay = wd == 0 ? .none : decouple ? .decoupled(wd) : .coupled(wd)
        return OptimizerSpec(family: f, lr: lr)
    },
    OptimizerEntry("DAdaptSGD", "D-Adaptation dual averaging: g0 = ‖g‖ over every tensor at the first step (the raw gradient, without the decay), x0 = z = w; dlr = d·lr/g0; g ← g + wd·w; nw ← nw + dlr·⟨g, s⟩ (old s), s ← s + dlr·g; d ← max(d, min(2·nw/‖s‖₂, d·growth_rate)); z = x0 − s, w ← w·(1 − ck) + ck·z with ck = 1 − momentum; log_every only logs") { h in
        let lr = try h.double("lr", default: 1.0)
        var f = DAdaptSGDFamily()
        f.momentum = try h.double("momentum", default: 0.0)
        f.weightDecay = try h.double("weight_decay", default: 0)
        _ = try h.int("log_every", default: 0)
        f.d0 = try h.double("d0", default: 1e-6)
        f.growthRate = try numberOrInfinity(&h, "growth_rate", default: .infinity)
        let fsdpOn = try h.bool("fsdp_in_use", default: false)
        try check(h, !(0.0 < f.d0), "d0", "Invalid d0 value", h.values["d0"], f.d0)
        try check(h, !(0.0 < lr), "lr", "Invalid learning rate", h.values["lr"], lr)
        if fsdpOn { throw fsdpUnsupported(h) }
        return OptimizerSpec(family: f, lr: lr)
    },
    OptimizerEntry("DAdaptLion", "D-Adaptation Lion at dlr = d·lr (old d): w ← w·(1 − dlr·wd); u = sign(b1·m + (1 − b1)·g); w ← w − dlr·u; m ← b2·m + (1 − b2)·dlr·g (m carries dlr); num = Σ dlr·⟨u, s⟩ (old s, every tensor), s ← √b2·s + (1 − √b2)·dlr·u; nw ← √b2·nw + (1 − √b2)·num; d ← max(d, nw/((1 − √b2)·‖s‖₁)) when lr > 0; no growth_rate; log_every only logs") { h in
        let lr = try h.double("lr", default: 1.0)
        var f = DAdaptLionFamily()
        (f.beta1, f.beta2) = try h.pair("betas", default: (0.9, 0.99))
        f.weightDecay = try h.double("weight_decay", default: 0.0)
        _ = try h.int("log_every", default: 0)
        f.d0 = try h.double("d0", default: 1e-6)   // not validated by DAdaptLion
        let fsdpOn = try h.bool("fsdp_in_use", default: false)
        let betas = h.values["betas"]?.arrayValue
        try check(h, !(0.0 <= lr), "lr", "Invalid learning rate", h.values["lr"], lr)
        try check(h, !(0.0 <= f.beta1 && f.beta1 < 1.0), "betas", "Invalid beta parameter at index 0", betas?[0], f.beta1)
        try check(h, !(0.0 <= f.beta2 && f.beta2 < 1.0), "betas", "Invalid beta parameter at index 1", betas?[1], f.beta2)
        if fsdpOn { throw fsdpUnsupported(h) }
        return OptimizerSpec(family: f, lr: lr)
    },
    OptimizerEntry("DAdaptAdaGrad", "D-Adaptation AdaGrad (dense gradients) at dlr = d·lr (old d): g ← g + wd·w; alphak (from 1e-6) ← alphak + g²; sk ← sk + dlr·g; sksq_weighted and skl1 are running sums of each step's changes in Σ sk²/(√alphak + eps) and Σ|sk| over every tensor, gsq_weighted ← gsq_weighted + dlr²·Σ g²/(√alphak + eps); d ← max(d, min((sksq_weighted − gsq_weighted)/skl1, d·growth_rate)); w ← z = x0 − sk/(√alphak + eps), or w·momentum + (1 − momentum)·z; skl1 = 0 returns before the step; log_every only logs; a sparse gradient is not implemented") { h in
        let lr = try h.double("lr", default: 1.0)
        var f = DAdaptAdaGradFamily()
        f.momentum = try h.double("momentum", default: 0)
        _ = try h.int("log_every", default: 0)
        f.weightDecay = try h.double("weight_decay", default: 0.0)
        f.eps = try h.double("eps", default: 1e-6)
        f.d0 = try h.double("d0", default: 1e-6)
        f.growthRate = try numberOrInfinity(&h, "growth_rate", default: .infinity)
        try check(h, f.d0 <= 0, "d0", "Invalid d0 value", h.values["d0"], f.d0)
        if lr <= 0 { throw h.invalid("lr", "Learning rate \(h.values["lr"].map { pyRepr($0) } ?? pyRepr(lr)) must be positive") }
        if f.momentum < 0 { throw h.invalid("momentum", "Momentum \(h.values["momentum"].map { pyRepr($0) } ?? pyRepr(f.momentum)) must be non-negative") }
        try check(h, f.eps <= 0, "eps", "Invalid epsilon value", h.values["eps"], f.eps)
        return OptimizerSpec(family: f, lr: lr)
    },
    OptimizerEntry("DAdaptAdan", "D-Adaptation Adan at dlr = d·lr (old d): δ = g − pre_grad (0 at a tensor's first step), u = g + b2·δ; m ← b1·m + dlr·(1 − b1)·g, n ← b2·n + dlr·(1 − b2)·δ, v ← b3·v + (1 − b3)·u²; s ← b3·s + dlr·(1 − b3)·g; gsq_weighted ← b3·gsq_weighted + dlr²·(1 − b3)·Σ g²/(√v + eps); d ← max(d, min((Σ s²/(√v + eps)/(1 − b3) − gsq_weighted)/‖s‖₁, d·growth_rate)), the sums over every tensor; w ← (w − (m + b2·n)/(√v + eps))/(1 + dlr·wd), or with no_prox w·(1 − dlr·wd) − (m + b2·n)/(√v + eps); ‖s‖₁ = 0 returns before the step; log_every only logs") { h in
        let lr = try h.double("lr", default: 1.0)
        var f = DAdaptAdanFamily()
        (f.beta1, f.beta2, f.beta3) = try h.triple("betas", default: (0.98, 0.92, 0.99))
        f.eps = try h.double("eps", default: 1e-8)
        f.weightDecay = try h.double("weight_decay", default: 0.02)
        f.noProx = try h.bool("no_prox", default: false)
        _ = try h.int("log_every", default: 0)
        f.d0 = try h.double("d0", default: 1e-6)
        f.growthRate = try numberOrInfinity(&h, "growth_rate", default: .infinity)
        let betas = h.values["betas"]?.arrayValue
        try check(h, !(0.0 < f.d0), "d0", "Invalid d0 value", h.values["d0"], f.d0)
        try check(h, !(0.0 < lr), "lr", "Invalid learning rate", h.values["lr"], lr)
        try check(h, !(0.0 < f.eps), "eps", "Invalid epsilon value", h.values["eps"], f.eps)
        for (i, b) in [f.beta1, f.beta2, f.beta3].enumerated() {
            try check(h, !(0.0 <= b && b < 1.0), "betas", "Invalid beta parameter at index \(i)", betas?[i], b)
        }
        return OptimizerSpec(family: f, lr: lr)
    },
]
