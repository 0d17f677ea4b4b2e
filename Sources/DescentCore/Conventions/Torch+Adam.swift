// Torch+Adam.swift — the torch convention's Adam-group optimizers: names, keyword arguments,
// defaults and argument validation, as in torch 2.15 (torch/optim/adam.py, adamw.py, adamax.py,
// nadam.py, radam.py). Messages are torch's own ValueError texts, numbers printed as Python does.
import DescentJSON

/// The keyword arguments the Adam-group constructors share, read and validated in torch's order:
/// lr, eps, betas[0], betas[1], weight_decay.
private struct TorchAdamArguments {
    var lr: Double, beta1: Double, beta2: Double, eps: Double, weightDecay: Double, maximize: Bool

    init(_ h: inout Hyperparameters, lr defaultLR: Double, weightDecay defaultDecay: Double = 0) throws {
        lr = try h.double("lr", default: defaultLR)
        (beta1, beta2) = try h.pair("betas", default: (0.9, 0.999))
        eps = try h.double("eps", default: 1e-8)
        weightDecay = try h.double("weight_decay", default: defaultDecay)
        maximize = try h.bool("maximize", default: false)
        try h.ignore("foreach", "capturable", "differentiable")
        let values = h.values
        func shown(_ key: String, _ index: Int?) -> String {
            guard let v = values[key] else { return "" }
            if let index { return v.arrayValue.map { pyRepr($0[index]) } ?? "" }
            return pyRepr(v)
        }
        if !(0.0 <= lr) { throw h.invalid("lr", "Invalid learning rate: \(shown("lr", nil))") }
        if !(0.0 <= eps) { throw h.invalid("eps", "Invalid epsilon value: \(shown("eps", nil))") }
        if !(0.0 <= beta1 && beta1 < 1.0) { throw h.invalid("betas", "Invalid beta parameter at index 0: \(shown("betas", 0))") }
        if !(0.0 <= beta2 && beta2 < 1.0) { throw h.invalid("betas", "Invalid beta parameter at index 1: \(shown("betas", 1))") }
        if !(0.0 <= weightDecay) {
            throw h.invalid("weight_decay", "Invalid weight_decay value: \(shown("weight_decay", nil))")
        }
    }

    /// torch's decay: coupled L2 unless decoupled; nothing when the coefficient is 0.
    func decay(decoupled: Bool) -> AdamDecay {
        weightDecay == 0 ? .none : decoupled ? .decoupled(weightDecay) : .l2(weightDecay)
    }
}

/// Adam and AdamW: after the range checks, torch insists the betas are both floats (or both
/// tensors) — an integer literal such as `0` is rejected.
private func torchAdam(_ h: inout Hyperparameters, weightDecay defaultDecay: Double, decoupledFixed: Bool?) throws -> OptimizerSpec {
    let a = try TorchAdamArguments(&h, lr: 1e-3, weightDecay: defaultDecay)
    if let betas = h.values["betas"]?.arrayValue, betas.contains(where: pyIsInt) {
        throw h.invalid("betas", "betas must be either both floats or both Tensors")
    }
    let amsgrad = try h.bool("amsgrad", default: false)
    let decoupled = try decoupledFixed ?? h.bool("decoupled_weight_decay", default: false)
    try h.ignore("fused")
    // The constructor's RuntimeErrors for incompatible implementation flags.
    if h.values["fused"]?.boolValue == true {
        if h.values["differentiable"]?.boolValue == true {
            throw h.invalid("fused", "`fused` does not support `differentiable`")
        }
        if h.values["foreach"]?.boolValue == true {
            throw h.invalid("fused", "`fused` and `foreach` cannot be `True` together.")
        }
    }
    var f = AdamFamily(form: .torch)
    f.beta1 = a.beta1
    f.beta2 = a.beta2
    f.eps = a.eps
    f.decay = a.decay(decoupled: decoupled)
    f.amsgrad = amsgrad ? .maxOfRaw : .off
    f.maximize = a.maximize
    return OptimizerSpec(family: f, lr: a.lr)
}

let torchAdamGroup: [OptimizerEntry] = [
    OptimizerEntry("Adam", "eps outside the root; L2 decay unless decoupled_weight_decay; amsgrad = max of raw v") { h in
        try torchAdam(&h, weightDecay: 0, decoupledFixed: nil)
    },
    OptimizerEntry("AdamW", "Adam with decoupled decay w ← w·(1 − lr·λ)") { h in
        try torchAdam(&h, weightDecay: 1e-2, decoupledFixed: true)
    },
    OptimizerEntry("Adamax", "u ← max(β₂·u, |g| + ε); L2 decay") { h in
        let a = try TorchAdamArguments(&h, lr: 2e-3)
        var f = AdamaxFamily(form: .torch)
        f.beta1 = a.beta1
        f.beta2 = a.beta2
        f.eps = a.eps
        f.decay = a.decay(decoupled: false)
        f.maximize = a.maximize
        return OptimizerSpec(family: f, lr: a.lr)
    },
    OptimizerEntry("NAdam", "float64 mu_product; ε added after √(v/bc₂)") { h in
        let a = try TorchAdamArguments(&h, lr: 2e-3)
        let momentumDecay = try h.double("momentum_decay", default: 4e-3)
        if !(0.0 <= momentumDecay) {
            throw h.invalid("momentum_decay", "Invalid momentum_decay value: \(pyRepr(h.values["momentum_decay"]!))")
        }
        let decoupled = try h.bool("decoupled_weight_decay", default: false)
        var f = NAdamFamily()
        f.beta1 = a.beta1
        f.beta2 = a.beta2
        f.eps = a.eps
        f.momentumDecay = momentumDecay
        f.decay = a.decay(decoupled: decoupled)
        f.maximize = a.maximize
        return OptimizerSpec(family: f, lr: a.lr)
    },
    OptimizerEntry("RAdam", "rectified when rho_t > 5; adaptive term √bc₂/(√v + ε)") { h in
        let a = try TorchAdamArguments(&h, lr: 1e-3)
        let decoupled = try h.bool("decoupled_weight_decay", default: false)
        var f = RAdamFamily(form: .torch)
        f.beta1 = a.beta1
        f.beta2 = a.beta2
        f.eps = a.eps
        f.decay = a.decay(decoupled: decoupled)
        f.maximize = a.maximize
        return OptimizerSpec(family: f, lr: a.lr)
    },
]
