// PytorchOptimizer+ADOPT.swift — pytorch_optimizer.ADOPT (pytorch-optimizer 4.1.0,
// pytorch_optimizer/optimizer/adopt.py over base/optimizer.py): keyword names, defaults and the
// validation messages, in the library's order (lr, betas, weight_decay, eps).
//
// `clip_lambda` is a Python callable (default `lambda step: math.pow(step, 0.25)`): a fixture gives
// it as null (None: no clipping) or leaves it out; any other value is unsupported. The **kwargs go
// into the group defaults, where the library reads `cautious` and `stable_adamw` (not implemented
// in Descent: unsupported when truthy); every other key is never read and is accepted.
import DescentJSON

let pytorchOptimizerADOPTGroup: [OptimizerEntry] = [
    OptimizerEntry("ADOPT", "decay first (coupled by default: g + wd·w; weight_decouple: w·(1 − lr·wd), fixed_decay: w·(1 − wd)), also at the first step, which otherwise only sets v = g·g; then n = g/max(√v_prev, eps) clipped to ±t^0.25 (the group's step t; clip_lambda None: no clip), m ← lerp(m, n, 1 − b1), w ← w − lr·m, v ← b2·v + (1 − b2)·g²; maximize") { h in
        let lr = try h.double("lr", default: 1e-3)
        let (b1, b2) = try h.pair("betas", default: (0.9, 0.9999))
        let explicitClip = h.values["clip_lambda"] != nil
        if let fn = h.raw("clip_lambda") {
            throw DescentError.unsupported("\(h.callee): clip_lambda=\(fn.serialized()) (a Python callable; only its default step ** 0.25 and None are implemented)")
        }
        let wd = try h.double("weight_decay", default: 0)
        let decouple = try h.bool("weight_decouple", default: false)
        let fixed = try h.bool("fixed_decay", default: false)
        try h.ignore("foreach")
        let eps = try h.double("eps", default: 1e-6)
        let maximize = try h.bool("maximize", default: false)
        try kwargs(&h, unimplemented: ["cautious", "stable_adamw"])
        try validateAdamLike(h, lr: lr, betas: b1, b2, weightDecay: wd, eps: eps)
        var f = ADOPTFamily(form: .pytorchOptimizer)
        f.beta1 = b1
        f.beta2 = b2
        f.eps = eps
        f.clipping = !explicitClip
        f.maximize = maximize
        f.decay = .pytorchOptimizer(wd, decouple: decouple, fixed: fixed)
        return OptimizerSpec(family: f, lr: lr)
    },
]
