// PytorchOptimizer+StableAdamW.swift — pytorch_optimizer.StableAdamW (pytorch-optimizer 4.1.0,
// pytorch_optimizer/optimizer/adamw.py): keywords, defaults and validation in the library's order
// (lr, betas, weight_decay, eps). The maths is StableAdamW.swift. `kahan_sum` (default True) acts
// only on float16 / bfloat16 parameters, so it changes nothing on these runs; `foreach` takes the
// batched kernels, which compute the same expressions; every other **kwargs key is stored in the
// group and never read.
import DescentJSON

let pytorchOptimizerStableAdamWGroup: [OptimizerEntry] = [
    OptimizerEntry("StableAdamW", "debiased EMA rates 1 − (βᵗ − β)/(βᵗ − 1) for m and v, lr_t = lr/max(1, √mean(g²/max(v, eps²))) per tensor, decay w·(1 − wd·lr_t) before the step (weight_decouple False: g + wd·w), w ← w − lr_t·m/(√v + eps); maximize; kahan_sum only for 16-bit parameters") { h in
        let lr = try h.double("lr", default: 1e-3)
        let (b1, b2) = try h.pair("betas", default: (0.9, 0.99))
        _ = try h.bool("kahan_sum", default: true)
        let wd = try h.double("weight_decay", default: 1e-2)
        let decouple = try h.bool("weight_decouple", default: true)
        let eps = try h.double("eps", default: 1e-8)
        try h.ignore("foreach")
        let maximize = try h.bool("maximize", default: false)
        try kwargs(&h, unimplemented: [])
        try validateAdamLike(h, lr: lr, betas: b1, b2, weightDecay: wd, eps: eps)
        var f = StableAdamWFamily()
        f.beta1 = b1
        f.beta2 = b2
        f.eps = eps
        f.weightDecay = wd
        f.weightDecouple = decouple
        f.maximize = maximize
        return OptimizerSpec(family: f, lr: lr)
    },
]
