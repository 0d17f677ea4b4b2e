// Optax+Matrix.swift — optax.contrib.muon (optax/contrib/_muon.py, optax 0.2.8): keyword
// arguments and defaults. optax validates little; what it rejects is rejected with its wording.
// Parameters that are not 2-D go to the built-in optax.adamw branch (the default
// `muon_weight_dimension_numbers=None` labels exactly the 2-D tensors 'muon').
import DescentJSON

private let dionCoefficients: [(Double, Double, Double)] = [
    (4.0848, -6.8946, 2.9270), (3.9505, -6.3029, 2.6377), (3.7418, -5.5913, 2.3037),
    (2.8769, -3.1427, 1.2046), (2.8366, -3.0525, 1.2012),
]

/// `ns_coeffs`: a preset name, one (a, b, c) triple (repeated ns_steps times) or a list of
/// triples (each used once; at most ns_steps of them).
private func nsCoefficients(_ h: inout Hyperparameters, steps: Int) throws -> [(Double, Double, Double)] {
    guard let v = h.raw("ns_coeffs"), !v.isNull else { return Array(repeating: (3.4445, -4.7750, 2.0315), count: max(0, steps)) }
    if let s = v.stringValue {
        switch s {
        case "standard": return Array(repeating: (3.4445, -4.7750, 2.0315), count: max(0, steps))
        case "dion":
            if !(dionCoefficients.count <= steps) { throw h.invalid("ns_coeffs", "Not enough coeffs to perform \(steps) steps") }
            return dionCoefficients
        default: throw h.invalid("ns_coeffs", "Unknown ns_coeff preset string: \(s)")
        }
    }
    let bad = h.invalid("ns_coeffs", "ns_coeffs must have shape (3,) or (n, 3)")
    guard let a = v.arrayValue else { throw bad }
    if let flat = Optional(a.compactMap(\.doubleValue)), flat.count == a.count {
        guard flat.count == 3 else { throw h.invalid("ns_coeffs", "ns_coeffs must have shape (3,) or (n, 3), got (\(flat.count),)") }
        return Array(repeating: (flat[0], flat[1], flat[2]), count: max(0, steps))
    }
    let rows: [[Double]] = try a.map { r in
        guard let r = r.arrayValue, case let d = r.compactMap(\.doubleValue), d.count == r.count, d.count == 3 else { throw bad }
        return d
    }
    if !(rows.count <= steps) { throw h.invalid("ns_coeffs", "Not enough coeffs to perform \(steps) steps") }
    return rows.map { ($0[0], $0[1], $0[2]) }
}

let optaxMatrixGroup: [OptimizerEntry] = [
    OptimizerEntry("muon", "optax.contrib.muon: nesterov (bias-corrected), NS on Û/(‖Û‖_F + eps), scale √max(1, fan_out/fan_in), decay × lr; non-2-D tensors → adamw") { h in
        if h.values["learning_rate"] == nil {
            throw h.invalid("learning_rate", "muon() missing 1 required positional argument: 'learning_rate'")
        }
        let lr = try h.optionalDouble("learning_rate") ?? -1
        let steps = try h.int("ns_steps", default: 5)
        if steps > 10_000 { throw h.invalid("ns_steps", "ns_steps \(steps) is beyond what Descent runs (at most 10000)") }
        let coefficients = try nsCoefficients(&h, steps: steps)
        let beta = try h.double("beta", default: 0.95)
        let eps = try h.double("eps", default: 1e-8)
        let wd = try h.double("weight_decay", default: 0)
        if let m = h.raw("weight_decay_mask"), !m.isNull {
            throw DescentError.unsupported("\(h.callee): weight_decay_mask=\(m.serialized()) (only null is supported)")
        }
        var muFloat32 = false
        if let d = h.raw("mu_dtype"), !d.isNull {
            switch d.stringValue {
            case "float64": break
            case "float32": muFloat32 = true
            default: throw DescentError.unsupported("\(h.callee): mu_dtype=\(d.serialized()) (only null, float64 or float32 is supported)")
            }
        }
        let nesterov = try h.bool("nesterov", default: true)
        let adaptive = try h.bool("adaptive", default: false)
        let preconditioning = try h.string("preconditioning", default: "frobenius")
        var adam = AdamFamily(form: .optax)
        adam.beta1 = try h.double("adam_b1", default: 0.9)
        adam.beta2 = try h.double("adam_b2", default: 0.999)
        adam.epsRoot = try h.double("adam_eps_root", default: 0)
        let adamWD = try h.double("adam_weight_decay", default: 0)
        let adamLR = try h.optionalDouble("adam_learning_rate")
        if let d = h.raw("muon_weight_dimension_numbers"), !d.isNull {
            throw DescentError.unsupported("\(h.callee): muon_weight_dimension_numbers=\(d.serialized()) (only null, the default 2-D rule, is supported)")
        }
        let rms = try h.optionalDouble("consistent_rms")
        adam.eps = eps
        adam.decay = adamWD == 0 ? .none : .decoupled(adamWD)
        adam.nesterov = nesterov
        var f = MuonFamily(form: .optax)
        f.momentum = beta
        f.nesterov = nesterov
        f.coefficients = coefficients
        switch preconditioning {
        case "frobenius": f.normalization = .frobeniusPlus(eps)
        case "spectral": f.normalization = .spectralPlus(eps)
        case "aol": f.normalization = .aol
        case "schatten": f.normalization = .schatten
        default: throw h.invalid("preconditioning", "Unknown preconditioning \(preconditioning ?? "None")")
        }
        f.weightDecay = wd
        f.shapeScale = rms.map { .optaxConsistentRMS($0) } ?? .optaxWidth
        f.adaptive = adaptive
        f.fallback = adam
        f.fallbackLR = adamLR
        f.muFloat32 = muFloat32
        return OptimizerSpec(family: f, lr: lr)
    },
]
