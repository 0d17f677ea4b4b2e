// Torch+LBFGS.swift — torch.optim.LBFGS (torch/optim/lbfgs.py, torch 2.15): keyword arguments,
// defaults and the constructor's validation, in torch's words.
import DescentJSON

let torchLBFGSGroup: [OptimizerEntry] = [
    OptimizerEntry("LBFGS", "max_eval None = max_iter·5//4, line_search_fn None | strong_wolfe; closed-loop problems only") { h in
        let lr = try h.double("lr", default: 1)
        var f = LBFGSFamily(form: .torch)
        f.maxIter = try h.int("max_iter", default: 20)
        f.maxEval = try h.optionalInt("max_eval") ?? f.maxIter * 5 / 4
        f.toleranceGrad = try h.double("tolerance_grad", default: 1e-7)
        f.toleranceChange = try h.double("tolerance_change", default: 1e-9)
        f.history = try h.int("history_size", default: 100)
        // Bounds on the work per step, so no input can hold a run for hours (torch would too).
        for (key, v) in [("max_iter", f.maxIter), ("max_eval", f.maxEval), ("history_size", f.history)] where v > 1_000_000 {
            throw h.invalid(key, "\(key) \(v) is beyond what Descent runs (at most 1000000)")
        }
        f.maximize = try h.bool("maximize", default: false)
        let ls = try h.string("line_search_fn", default: nil)
        if !(0.0 <= lr) { throw h.invalid("lr", "Invalid learning rate: \(pyRepr(h.values["lr"]!))") }
        switch ls {
        case nil: f.lineSearch = .none
        case "strong_wolfe": f.lineSearch = .strongWolfe
        // torch accepts any value here and raises on the first step().
        default: throw h.invalid("line_search_fn", "only 'strong_wolfe' is supported")
        }
        if f.history < 1 {
            throw DescentError.unsupported("\(h.callee): history_size=\(f.history) (torch fails with an IndexError on the second iteration)")
        }
        if f.maxIter < 1 || f.maxEval < 1 {
            throw DescentError.unsupported("\(h.callee): max_iter and max_eval below 1 are not supported")
        }
        return OptimizerSpec(family: f, lr: lr)
    },
]
