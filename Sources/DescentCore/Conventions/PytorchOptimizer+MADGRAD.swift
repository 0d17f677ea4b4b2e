// PytorchOptimizer+MADGRAD.swift — pytorch_optimizer.MADGRAD (pytorch-optimizer 4.1.0,
// pytorch_optimizer/optimizer/madgrad.py over base/optimizer.py): keyword names, defaults and the
// validation messages in the library's order (lr, weight_decay, momentum, eps). Its **kwargs are
// swallowed (never put in the group): any other key is accepted and changes nothing. `foreach`
// picks a code path with the same arithmetic.
import DescentJSON

let pytorchOptimizerMADGRADGroup: [OptimizerEntry] = [
    OptimizerEntry("MADGRAD", "d = ±g (maximize) + weight_decay·w unless weight_decouple; lr' = lr + eps (0 when lr is 0); λ = lr'·√(k + 1) (k the optimizer's global step); grad_sum_sq ← grad_sum_sq + λ·d·d, s ← s + λ·d; rms = grad_sum_sq^(1/3) + eps (at eps = zero a zero rms is inf); z = x0 − s/rms; w ← lerp(w, z, 1 − momentum); without momentum: x0 = w + s/rms_old each step and w ← z; weight_decouple: w ← w − lr'·weight_decay·w_old") { h in
        let lr = try h.double("lr", default: 1e-3)
        let m = try h.double("momentum", default: 0.9)
        let wd = try h.double("weight_decay", default: 0)
        let decouple = try h.bool("weight_decouple", default: false)
        let eps = try h.double("eps", default: 1e-6)
        let maximize = try h.bool("maximize", default: false)
        try h.ignore("foreach")
        try kwargs(&h, unimplemented: [])
        try validateLR(h, lr)
        try validateNonNegative(h, "weight_decay", wd)
        try validateUnitRange(h, "momentum", "momentum", m)
        try validateNonNegative(h, "eps", eps)
        var f = MADGRADFamily(form: .pytorchOptimizer)
        f.momentum = m
        f.eps = eps
        f.weightDecay = wd
        f.decoupledDecay = decouple
        f.maximize = maximize
        return OptimizerSpec(family: f, lr: lr)
    },
]
