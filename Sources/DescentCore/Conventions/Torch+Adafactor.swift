// Torch+Adafactor.swift — torch.optim.Adafactor (torch 2.15.0, torch/optim/_adafactor.py): its
// keyword names, defaults and ValueError messages, checked in torch's order. eps=(eps1, eps2):
// eps1 None is finfo(dtype).eps of the parameter's dtype (the run's precision here).
import DescentJSON

let torchAdafactorGroup: [OptimizerEntry] = [
    OptimizerEntry("Adafactor", "rho = min(lr, 1/√t); factored row_var/col_var over the last two dims; v̂ clamped at eps1²; update clipping d; weight_decay as w·(1 − lr·λ); maximize") { h in
        let lr = try h.double("lr", default: 1e-2)
        let beta2Decay = try h.double("beta2_decay", default: -0.8)
        h.note("eps", .pair, .array([.null, JSON(1e-3)]))
        var eps1: Double? = nil
        var eps2 = 1e-3
        var eps1Shown = "None", eps2Shown = "0.001"
        if let v = h.raw("eps") {
            guard let a = v.arrayValue, a.count == 2, a[0].isNull || a[0].doubleValue != nil, let e2 = a[1].doubleValue else {
                throw DescentError.invalidInput(field: "hyperparameters.eps", message: "\(h.callee): expected a pair (eps1 or null, eps2), found \(v.kindName)")
            }
            eps1 = a[0].doubleValue
            eps2 = e2
            eps1Shown = pyRepr(a[0])
            eps2Shown = pyRepr(a[1])
        }
        let d = try h.double("d", default: 1.0)
        let weightDecay = try h.double("weight_decay", default: 0)
        let maximize = try h.bool("maximize", default: false)
        try h.ignore("foreach")
        if !(0.0 <= lr) { throw h.invalid("lr", "Learning rate should be >= 0 but is: \(h.pythonRepr("lr", fallback: 1e-2))") }
        if !(0.0 >= beta2Decay) {
            throw h.invalid("beta2_decay", "beta2_decay should be <= 0 but is: \(h.pythonRepr("beta2_decay", fallback: -0.8))")
        }
        if let e = eps1, !(0.0 <= e) { throw h.invalid("eps", "epsilon1 should be >= 0 but is: \(eps1Shown)") }
        if !(0.0 <= eps2) { throw h.invalid("eps", "epsilon2 should be >= 0 but is: \(eps2Shown)") }
        if !(1.0 <= d) { throw h.invalid("d", "Clipping threshold d should be >= 1 but is: \(h.pythonRepr("d", fallback: 1.0))") }
        if !(0.0 <= weightDecay) {
            throw h.invalid("weight_decay", "weight_decay should be >= 0 but is: \(h.pythonRepr("weight_decay", fallback: 0))")
        }
        var f = AdafactorFamily(form: .torch)
        f.decayExponent = beta2Decay
        f.floor = eps1.map { .value($0) } ?? .machineEpsilon
        f.paramScaleFloor = eps2
        f.clipThreshold = d
        f.weightDecay = weightDecay
        f.maximize = maximize
        return OptimizerSpec(family: f, lr: lr)
    },
]
