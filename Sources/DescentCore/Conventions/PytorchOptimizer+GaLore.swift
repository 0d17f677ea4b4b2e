// PytorchOptimizer+GaLore.swift — pytorch_optimizer.GaLore (pytorch-optimizer 4.1.0,
// pytorch_optimizer/optimizer/galore.py, optimizer/utils/galore.py): keyword names, defaults and
// the validation messages, in the library's order (lr, betas, weight_decay, eps).
//
// The constructor puts **kwargs into the group defaults. The step reads four of them, and only in
// a group that has `rank` (a 2-D tensor there is projected): `rank` (an int, or None for every
// singular vector), `update_proj_gap`, `scale` and `projection_type`, all four required then (the
// library's GaLoreProjector(rank=group['rank'], update_proj_gap=group['update_proj_gap'], …) raises
// KeyError at the first step otherwise). They may be given for the whole optimizer (every group)
// or per group (`optimizer.param_groups`). Values the library fails on at its first steps (an
// unknown projection_type, a gap of 0, a negative or non-integer rank) are `unsupported` with the
// library's failure; every other key is never read and is accepted.
import DescentJSON

let pytorchOptimizerGaLoreGroup: [OptimizerEntry] = [
    OptimizerEntry("GaLore", "per group, step t; α = lr·√(1 − b2ᵗ)/(1 − b1ᵗ); maximize first; a 2-D tensor of a group with rank (and update_proj_gap, scale, projection_type) is projected: at its first step and when t % update_proj_gap == 0, U, Vᵀ of svd(float32(G)) (k = min(rank, m, n)); R = G·Vₖ (right), Uₖᵀ·G (left), Uₖᵀ·G·Vₖ (full), std right for m ≥ n else left, reverse_std the reverse, random as std (GaLore.step uses the SVD); Adam moments of R (lerp, v·b2 + (1 − b2)·R²), N = m/(√v + eps), w ← w − α·back(N)·scale; every other tensor AdamW on g; then w·(1 − lr·weight_decay), after the step") { h in
        let lr = try h.double("lr", default: 1e-3)
        let (b1, b2) = try h.pair("betas", default: (0.9, 0.999))
        let wd = try h.double("weight_decay", default: 0)
        let eps = try h.double("eps", default: 1e-6)
        let maximize = try h.bool("maximize", default: false)
        try h.ignore("foreach")
        let hasRank = h.values["rank"] != nil
        let rankValue = h.raw("rank")
        let gapValue = h.raw("update_proj_gap")
        let scaleValue = h.raw("scale")
        let typeValue = h.raw("projection_type")
        PytorchOptimizerValidation.swallowRest(&h)
        try validateLR(h, lr)
        try validateBetas(h, b1, b2)
        try validateNonNegative(h, "weight_decay", wd)
        try validateNonNegative(h, "eps", eps)
        var f = GaLoreFamily()
        f.beta1 = b1
        f.beta2 = b2
        f.eps = eps
        f.weightDecay = wd
        f.maximize = maximize
        if hasRank {
            for (k, v) in [("update_proj_gap", gapValue), ("scale", scaleValue), ("projection_type", typeValue)] where v == nil && h.values[k] == nil {
                throw DescentError.unsupported("\(h.callee): a group with rank needs \(k) as well (the library raises KeyError: '\(k)' at its first step)")
            }
            var rank: Int?
            if let r = rankValue {
                guard let i = r.intValue, i >= 0 else {
                    throw DescentError.unsupported("\(h.callee): rank=\(r.serialized()) (the library slices the singular vectors with it: only a non-negative int or None keeps its meaning)")
                }
                rank = i
            }
            guard let gap = gapValue?.intValue, gap >= 1 else {
                throw DescentError.unsupported("\(h.callee): update_proj_gap=\(gapValue?.serialized() ?? "None") (the library tests step % update_proj_gap == 0: only a positive int is implemented; 0 raises ZeroDivisionError at the second step)")
            }
            guard let scale = scaleValue?.doubleValue else {
                throw DescentError.unsupported("\(h.callee): scale=\(scaleValue?.serialized() ?? "None") (a number multiplies the back-projected update)")
            }
            guard let name = typeValue?.stringValue, let type = GaLoreFamily.Projection(rawValue: name) else {
                throw DescentError.unsupported("\(h.callee): projection_type=\(typeValue?.serialized() ?? "None") (the library's GaLoreProjector raises NotImplementedError('unsupported projection_type') at the first step; it knows std, reverse_std, right, left, full, random)")
            }
            f.projector = .init(rank: rank, updateProjGap: gap, scale: scale, type: type)
        }
        return OptimizerSpec(family: f, lr: lr)
    },
]
