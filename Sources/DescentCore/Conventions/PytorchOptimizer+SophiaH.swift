// PytorchOptimizer+SophiaH.swift — pytorch_optimizer.SophiaH (pytorch-optimizer 4.1.0,
// pytorch_optimizer/optimizer/sophia.py over base/optimizer.py): keyword names, defaults and the
// validation messages, in the library's order (lr, betas, weight_decay, p, update_period,
// num_samples, hessian_distribution, eps).
//
// num_samples and hessian_distribution shape only the library's own Hutchinson probe, which a
// replay case replaces by the estimate it hands to the step (steps[k].hessian): they are validated
// and read, and change nothing on such a case. The constructor takes **kwargs and never reads
// them: every other key is accepted.
import DescentJSON

let pytorchOptimizerSophiaHGroup: [OptimizerEntry] = [
    OptimizerEntry("SophiaH", "maximize, then decay (decoupled by default: w·(1 − lr·wd); fixed_decay w·(1 − wd); weight_decouple False adds wd·w to g); m ← lerp(m, g, 1 − b1) every step; on a refresh step (an estimate D handed to step(hessian=D), or (t − 1) % update_period == 0, where the library draws a Hutchinson probe: a replay case hands D there, steps[k].hessian) h ← lerp(h, D, 1 − b2); w ← w − lr·clamp(m / max(h, eps), −p, p); t is the first group's counter; no bias correction") { h in
        typealias V = PytorchOptimizerValidation
        let lr = try h.double("lr", default: 6e-2)
        let (b1, b2) = try h.pair("betas", default: (0.96, 0.99))
        let wd = try h.double("weight_decay", default: 0)
        let decouple = try h.bool("weight_decouple", default: true)
        let fixed = try h.bool("fixed_decay", default: false)
        let p = try h.double("p", default: 1e-2)
        let period = try h.int("update_period", default: 10)
        let samples = try h.int("num_samples", default: 1)
        let distribution = try h.string("hessian_distribution", default: "gaussian") ?? "gaussian"
        let eps = try h.double("eps", default: 1e-12)
        let maximize = try h.bool("maximize", default: false)
        try h.ignore("foreach")
        V.swallowRest(&h)
        try validateLR(h, lr)
        try validateBetas(h, b1, b2)
        try validateNonNegative(h, "weight_decay", wd)
        if p < 0 { throw h.invalid("p", "p (gradient clip) must be non-negative") }
        try V.step(h, "update_period", period)
        try V.positive(h, "num_samples", Double(samples))
        if !["gaussian", "rademacher"].contains(distribution) {
            throw h.invalid("hessian_distribution", "hessian_distribution \(distribution) must be one of ('gaussian' or 'rademacher')")
        }
        try validateNonNegative(h, "eps", eps)
        var f = SophiaHFamily()
        f.beta1 = b1
        f.beta2 = b2
        f.decay = .pytorchOptimizer(wd, decouple: decouple, fixed: fixed)
        f.p = p
        f.updatePeriod = period
        f.eps = eps
        f.maximize = maximize
        return OptimizerSpec(family: f, lr: lr)
    },
]
