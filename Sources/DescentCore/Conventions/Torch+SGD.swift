// Torch+SGD.swift — the torch convention's SGD-group optimizers: names, keyword arguments, defaults.
// Keyword names, defaults and the ValueError messages are torch 2.15.0's (torch/optim/sgd.py,
// adagrad.py, rmsprop.py, adadelta.py, asgd.py), checked in the same order torch checks them.
import DescentJSON

/// torch's `if not 0.0 <= value: raise ValueError(f"{label}: {value}")`.
private func requireNonNegative(_ h: Hyperparameters, _ key: String, _ value: Double, default d: Double,
                                _ label: String) throws {
    if !(0.0 <= value) { throw h.invalid(key, "\(label): \(h.pythonRepr(key, fallback: d))") }
}

let torchSGDGroup: [OptimizerEntry] = [
    OptimizerEntry("SGD", "momentum (buffer starts at the gradient), dampening, nesterov, L2 weight_decay, maximize") { h in
        let lr = try h.double("lr", default: 1e-3)
        let momentum = try h.double("momentum", default: 0)
        let dampening = try h.double("dampening", default: 0)
        let weightDecay = try h.double("weight_decay", default: 0)
        let nesterov = try h.bool("nesterov", default: false)
        let maximize = try h.bool("maximize", default: false)
        try h.ignore("foreach", "differentiable", "fused")
        // sgd.py uses `x < 0.0` here (not `not 0.0 <= x`).
        if lr < 0 { throw h.invalid("lr", "Invalid learning rate: \(h.pythonRepr("lr", fallback: 1e-3))") }
        if momentum < 0 {
            throw h.invalid("momentum", "Invalid momentum value: \(h.pythonRepr("momentum", fallback: 0))")
        }
        if weightDecay < 0 {
            throw h.invalid("weight_decay", "Invalid weight_decay value: \(h.pythonRepr("weight_decay", fallback: 0))")
        }
        if nesterov && (momentum <= 0 || dampening != 0) {
            throw h.invalid("nesterov", "Nesterov momentum requires a momentum and zero dampening")
        }
        let family = SGDFamily(weightDecay: weightDecay, maximize: maximize, momentum: momentum, dampening: dampening,
                               nesterov: nesterov, lrInsideBuffer: false, bufferStartsAtGradient: true,
                               bufferName: "momentum_buffer")
        return OptimizerSpec(family: family, lr: lr)
    },
    OptimizerEntry("Adagrad", "lr_decay, eps outside sqrt, L2 weight_decay, maximize") { h in
        let lr = try h.double("lr", default: 1e-2)
        let lrDecay = try h.double("lr_decay", default: 0)
        let weightDecay = try h.double("weight_decay", default: 0)
        let initial = try h.double("initial_accumulator_value", default: 0)
        let eps = try h.double("eps", default: 1e-10)
        let maximize = try h.bool("maximize", default: false)
        try h.ignore("foreach", "differentiable", "fused")
        try requireNonNegative(h, "lr", lr, default: 1e-2, "Invalid learning rate")
        try requireNonNegative(h, "lr_decay", lrDecay, default: 0, "Invalid lr_decay value")
        try requireNonNegative(h, "weight_decay", weightDecay, default: 0, "Invalid weight_decay value")
        try requireNonNegative(h, "initial_accumulator_value", initial, default: 0,
                               "Invalid initial_accumulator_value value")
        try requireNonNegative(h, "eps", eps, default: 1e-10, "Invalid epsilon value")
        let family = AdagradFamily(weightDecay: weightDecay, maximize: maximize, lrDecay: lrDecay,
                                   initialAccumulator: initial, eps: eps, epsInsideSqrt: false,
                                   zeroWhereSumNotPositive: false, sumName: "sum")
        return OptimizerSpec(family: family, lr: lr)
    },
    OptimizerEntry("RMSprop", "eps outside sqrt, centered, momentum (lr outside the buffer), L2 weight_decay, maximize") { h in
        let lr = try h.double("lr", default: 1e-2)
        let alpha = try h.double("alpha", default: 0.99)
        let eps = try h.double("eps", default: 1e-8)
        let weightDecay = try h.double("weight_decay", default: 0)
        let momentum = try h.double("momentum", default: 0)
        let centered = try h.bool("centered", default: false)
        let maximize = try h.bool("maximize", default: false)
        try h.ignore("capturable", "foreach", "differentiable")
        try requireNonNegative(h, "lr", lr, default: 1e-2, "Invalid learning rate")
        try requireNonNegative(h, "eps", eps, default: 1e-8, "Invalid epsilon value")
        try requireNonNegative(h, "momentum", momentum, default: 0, "Invalid momentum value")
        try requireNonNegative(h, "weight_decay", weightDecay, default: 0, "Invalid weight_decay value")
        try requireNonNegative(h, "alpha", alpha, default: 0.99, "Invalid alpha value")
        let family = RMSpropFamily(decay: alpha, eps: eps, epsInsideSqrt: false, centered: centered, initialScale: 0,
                                   biasCorrection: false, weightDecay: weightDecay, maximize: maximize,
                                   momentum: momentum, nesterov: false, lrInsideMomentum: false,
                                   stateNames: ("square_avg", "grad_avg", "momentum_buffer"))
        return OptimizerSpec(family: family, lr: lr)
    },
    OptimizerEntry("Adadelta", "L2 weight_decay, maximize") { h in
        let lr = try h.double("lr", default: 1.0)
        let rho = try h.double("rho", default: 0.9)
        let eps = try h.double("eps", default: 1e-6)
        let weightDecay = try h.double("weight_decay", default: 0)
        let maximize = try h.bool("maximize", default: false)
        try h.ignore("foreach", "capturable", "differentiable")
        try requireNonNegative(h, "lr", lr, default: 1.0, "Invalid learning rate")
        if !(0.0 <= rho && rho <= 1.0) {
            throw h.invalid("rho", "Invalid rho value: \(h.pythonRepr("rho", fallback: 0.9))")
        }
        try requireNonNegative(h, "eps", eps, default: 1e-6, "Invalid epsilon value")
        try requireNonNegative(h, "weight_decay", weightDecay, default: 0, "Invalid weight_decay value")
        let family = AdadeltaFamily(rho: rho, eps: eps, weightDecay: weightDecay, maximize: maximize,
                                    stateNames: ("square_avg", "acc_delta"))
        return OptimizerSpec(family: family, lr: lr)
    },
    OptimizerEntry("ASGD", "SGD with the decay w·(1 − lambd·eta) and the step −eta·g; eta starts at the first step's lr, then eta = lr/(1 + lambd·lr·t)^alpha and mu = 1/max(1, t − t0) are computed at step t (its lr) and used at t + 1; the Polyak average ax ← ax + (w − ax)·mu (a copy of w while mu is 1) is state only; L2 weight_decay, maximize") { h in
        let lr = try h.double("lr", default: 1e-2)
        let lambd = try h.double("lambd", default: 1e-4)
        let alpha = try h.double("alpha", default: 0.75)
        let t0 = try h.double("t0", default: 1e6)
        let weightDecay = try h.double("weight_decay", default: 0)
        try h.ignore("foreach")
        let maximize = try h.bool("maximize", default: false)
        try h.ignore("differentiable", "capturable")
        try requireNonNegative(h, "lr", lr, default: 1e-2, "Invalid learning rate")
        try requireNonNegative(h, "lambd", lambd, default: 1e-4, "Invalid lambd value")
        try requireNonNegative(h, "alpha", alpha, default: 0.75, "Invalid alpha value")
        try requireNonNegative(h, "weight_decay", weightDecay, default: 0, "Invalid weight_decay value")
        var family = ASGDFamily()
        family.lambd = lambd
        family.alpha = alpha
        family.t0 = t0
        family.weightDecay = weightDecay
        family.maximize = maximize
        return OptimizerSpec(family: family, lr: lr)
    },
]
