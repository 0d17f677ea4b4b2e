// Textbook+Adam.swift — the textbook convention's Adam-group optimizers (the fixture spec's table):
//   adam   m ← b1·m + (1−b1)·g; v ← b2·v + (1−b2)·g²; m̂ = m/(1−b1^(t+1)); v̂ = v/(1−b2^(t+1));
//          w ← w − lr·m̂/√(v̂ + eps)                      (eps INSIDE the root)
//   adamw  as adam, then w ← w − weight_decay·w_before   (decay not scaled by lr)
// Defaults (the table names none): lr 1e-3, beta1 0.9, beta2 0.999, eps 1e-8, weight_decay 1e-2.
import DescentJSON

private func textbookAdam(_ h: inout Hyperparameters, decayed: Bool) throws -> OptimizerSpec {
    var f = AdamFamily(form: .textbook)
    let lr = try h.double("lr", default: 1e-3)
    f.beta1 = try h.double("beta1", default: 0.9)
    f.beta2 = try h.double("beta2", default: 0.999)
    f.epsRoot = try h.double("eps", default: 1e-8)
    f.eps = 0
    if decayed {
        let wd = try h.double("weight_decay", default: 1e-2)
        f.decay = wd == 0 ? .none : .decoupledUnscaled(wd)
    }
    return OptimizerSpec(family: f, lr: lr)
}

let textbookAdamGroup: [OptimizerEntry] = [
    OptimizerEntry("adam", "w ← w − lr·m̂/√(v̂ + eps), eps inside the root") { h in
        try textbookAdam(&h, decayed: false)
    },
    OptimizerEntry("adamw", "adam, then w ← w − weight_decay·w_before (not × lr)") { h in
        try textbookAdam(&h, decayed: true)
    },
]
