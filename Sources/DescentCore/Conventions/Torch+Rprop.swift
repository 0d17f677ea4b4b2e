// Torch+Rprop.swift — torch.optim.Rprop (torch 2.15.0, torch/optim/rprop.py): its keyword names,
// defaults and ValueError messages, checked in torch's order (lr, then the etas together).
// step_sizes is not validated by torch (a minimum above the maximum clamps every step size to the
// maximum, as torch.clamp does).
import DescentJSON

let torchRpropGroup: [OptimizerEntry] = [
    OptimizerEntry("Rprop", "per-element step sizes start at the lr of the parameter's first step (later lrs change nothing), × etas[1] while sign(g·prev) > 0, × etas[0] on a flip, clamped to step_sizes every step; a flip zeroes the gradient (no move, prev ← 0); w ← w − sign(g)·step; maximize") { h in
        let lr = try h.double("lr", default: 1e-2)
        let (etaMinus, etaPlus) = try h.pair("etas", default: (0.5, 1.2))
        h.note("step_sizes", .pair, .array([JSON(1e-6), JSON(50)]))   // torch writes (1e-6, 50)
        let (minStep, maxStep) = try h.pair("step_sizes", default: (1e-6, 50))
        try h.ignore("capturable", "foreach")
        let maximize = try h.bool("maximize", default: false)
        try h.ignore("differentiable")
        if !(0.0 <= lr) { throw h.invalid("lr", "Invalid learning rate: \(h.pythonRepr("lr", fallback: 1e-2))") }
        if !(0.0 < etaMinus && etaMinus < 1.0 && 1.0 < etaPlus) {
            let shown = h.values["etas"]?.arrayValue.map { $0.map(pyRepr) } ?? [pyRepr(etaMinus), pyRepr(etaPlus)]
            throw h.invalid("etas", "Invalid eta values: \(shown[0]), \(shown[1])")
        }
        var f = RpropFamily(form: .torch)
        f.etaMinus = etaMinus
        f.etaPlus = etaPlus
        f.minStepSize = minStep
        f.maxStepSize = maxStep
        f.maximize = maximize
        return OptimizerSpec(family: f, lr: lr)
    },
]
