// Prodigyopt+Prodigy.swift — `Prodigy` from the prodigyopt package (1.1.2, prodigyopt/prodigy.py):
// its keyword names, defaults and the constructor's ValueErrors in its order (d0, lr, eps, betas[0],
// betas[1]); beta3, weight_decay, d_coef, growth_rate and slice_p are not validated.
//
// `growth_rate` defaults to float('inf'), which JSON cannot hold: a fixture gives a number or the
// string "inf" (FORMAT.md). `fsdp_in_use=True` all-reduces d's numerator and denominator over
// torch.distributed on CUDA tensors (and drops the early return of a step whose Σ|s| is 0): not
// replayable on one process, so unsupported. The lr of a step is the largest of the groups'.
import DescentJSON

/// A float keyword a fixture may give as a number or as "inf" / "Infinity" (Python's float('inf')).
func pythonFloat(_ h: inout Hyperparameters, _ key: String, default d: Double) throws -> Double {
    if let s = h.values[key]?.stringValue {
        guard ["inf", "Infinity"].contains(s) else {
            throw DescentError.invalidInput(field: "\(h.field).\(key)", message: "\(h.callee): expected a number or \"inf\", found \"\(s)\"")
        }
        _ = h.raw(key)
        return .infinity
    }
    return try h.double(key, default: d)
}

let prodigyoptGroup: [OptimizerEntry] = [
    OptimizerEntry("Prodigy", "Adam with Prodigy's distance estimate d, one for all tensors of all groups: dlr = d·lr (·√(1 − β₂ᵏ⁺¹)/(1 − β₁ᵏ⁺¹) with use_bias_correction); s ← β₃·s + (d/d0)·dlr·g (safeguard_warmup: (d/d0)·d·g), r ← β₃·r + (d/d0)·dlr·⟨g, p0 − w⟩ summed over every tensor; m ← β₁·m + d(1 − β₁)·g, v ← β₂·v + d²(1 − β₂)·g²; d̂ = d_coef·r/Σ|s|, d ← max(d, d̂) while d = d0, d ← min(max d̂, d·growth_rate); w ← w − wd·dlr·w (decouple; else wd·w added to g), w ← w − dlr·m/(√v + d·eps); beta3 None is √β₂; s, p0 over every slice_p-th element; a step with Σ|s| = 0 moves nothing") { h in
        let lr = try h.double("lr", default: 1.0)
        let (b1, b2) = try h.pair("betas", default: (0.9, 0.999))
        let beta3 = try h.nullableDouble("beta3", default: nil)
        let eps = try h.double("eps", default: 1e-8)
        let wd = try h.double("weight_decay", default: 0)
        let decouple = try h.bool("decouple", default: true)
        let bias = try h.bool("use_bias_correction", default: false)
        let safeguard = try h.bool("safeguard_warmup", default: false)
        let d0 = try h.double("d0", default: 1e-6)
        let dCoef = try h.double("d_coef", default: 1.0)
        let growth = try pythonFloat(&h, "growth_rate", default: .infinity)
        let fsdp = try h.bool("fsdp_in_use", default: false)
        let sliceP = try h.int("slice_p", default: 1)
        func show(_ key: String, _ x: Double) -> String { h.values[key].map { pyRepr($0) } ?? pyRepr(x) }
        if !(0 < d0) { throw h.invalid("d0", "Invalid d0 value: \(show("d0", d0))") }
        if !(0 < lr) { throw h.invalid("lr", "Invalid learning rate: \(show("lr", lr))") }
        if !(0 < eps) { throw h.invalid("eps", "Invalid epsilon value: \(show("eps", eps))") }
        let betas = h.values["betas"]?.arrayValue
        if !(0 <= b1 && b1 < 1) { throw h.invalid("betas", "Invalid beta parameter at index 0: \(betas.map { pyRepr($0[0]) } ?? pyRepr(b1))") }
        if !(0 <= b2 && b2 < 1) { throw h.invalid("betas", "Invalid beta parameter at index 1: \(betas.map { pyRepr($0[1]) } ?? pyRepr(b2))") }
        if fsdp {
            throw DescentError.unsupported("\(h.callee): fsdp_in_use=True all-reduces the estimate over torch.distributed on CUDA tensors (and drops the early return of a step whose Σ|s| is 0): not replayable on one process")
        }
        if sliceP < 1 {
            throw DescentError.unsupported("\(h.callee): slice_p=\(sliceP) (torch's slice step must be positive: the library fails at its first step)")
        }
        var f = ProdigyFamily(form: .prodigyopt, betas: (b1, b2), beta3: beta3, eps: eps, weightDecay: wd, decouple: decouple,
                              biasCorrection: bias, safeguardWarmup: safeguard, d0: d0, dCoef: dCoef, growthRate: growth)
        f.sliceP = sliceP
        return OptimizerSpec(family: f, lr: lr)
    },
]
