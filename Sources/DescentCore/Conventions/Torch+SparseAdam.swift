// Torch+SparseAdam.swift — torch.optim.SparseAdam (torch 2.15.0, torch/optim/sparse_adam.py): its
// keyword names, defaults and ValueError messages in torch's order (lr and eps strictly positive,
// then betas[0], betas[1]). It has no weight_decay, amsgrad, foreach or capturable; its gradients
// must be sparse (a case's `grad_indices`, FORMAT.md), which the verifier checks.
import DescentJSON

let torchSparseAdamGroup: [OptimizerEntry] = [
    OptimizerEntry("SparseAdam", "Adam masked to the entries the coalesced sparse gradient holds (grad_indices): only they update exp_avg, exp_avg_sq and the parameter; step counts every step the tensor has a gradient, even an empty one; Δm = (g − m)·(1 − β₁), α = lr·√bc₂/bc₁, w ← w − α·m/(√v + eps); maximize") { h in
        let lr = try h.double("lr", default: 1e-3)
        let (beta1, beta2) = try h.pair("betas", default: (0.9, 0.999))
        let eps = try h.double("eps", default: 1e-8)
        let maximize = try h.bool("maximize", default: false)
        let values = h.values
        func shown(_ key: String, _ index: Int? = nil, fallback: Double) -> String {
            guard let v = values[key], !v.isNull else { return pyRepr(fallback) }
            if let index { return v.arrayValue.map { pyRepr($0[index]) } ?? pyRepr(fallback) }
            return pyRepr(v)
        }
        if !(0.0 < lr) { throw h.invalid("lr", "Invalid learning rate: \(shown("lr", fallback: lr))") }
        if !(0.0 < eps) { throw h.invalid("eps", "Invalid epsilon value: \(shown("eps", fallback: eps))") }
        if !(0.0 <= beta1 && beta1 < 1.0) { throw h.invalid("betas", "Invalid beta parameter at index 0: \(shown("betas", 0, fallback: beta1))") }
        if !(0.0 <= beta2 && beta2 < 1.0) { throw h.invalid("betas", "Invalid beta parameter at index 1: \(shown("betas", 1, fallback: beta2))") }
        var f = SparseAdamFamily()
        f.beta1 = beta1
        f.beta2 = beta2
        f.eps = eps
        f.maximize = maximize
        return OptimizerSpec(family: f, lr: lr)
    },
]
