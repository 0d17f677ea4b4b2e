// LionPytorch+Lion.swift — `Lion` from the lion-pytorch package (0.2.5, lion_pytorch/lion_pytorch.py):
// lr=1e-4, betas=(0.9, 0.99), weight_decay=0, use_triton=False, decoupled_weight_decay=False.
// The constructor asserts `lr > 0` and `0 <= beta <= 1` (bare AssertionErrors, no message).
import DescentJSON

let lionPytorchGroup: [OptimizerEntry] = [
    OptimizerEntry("Lion", "the paper's two-beta Lion: w ← w·(1 − lr·wd); c = b1·m + (1−b1)·g; w ← w − lr·sign(c); m ← b2·m + (1−b2)·g; decoupled_weight_decay divides wd by the constructor's lr; use_triton ignored (the same update on GPU); NOT the one-beta sign form of some lecture slides (w ← w − lr·sign(m)), a different algorithm") { h in
        let lr = try h.double("lr", default: 1e-4)
        let (b1, b2) = try h.pair("betas", default: (0.9, 0.99))
        let wd = try h.double("weight_decay", default: 0)
        try h.ignore("use_triton")
        let decoupled = try h.bool("decoupled_weight_decay", default: false)
        if !(lr > 0) { throw h.invalid("lr", "AssertionError: assert lr > 0. (lr = \(h.values["lr"].map { pyRepr($0) } ?? pyRepr(1e-4)))") }
        if ![b1, b2].allSatisfy({ 0 <= $0 && $0 <= 1 }) {
            throw h.invalid("betas", "AssertionError: assert all([0. <= beta <= 1. for beta in betas])")
        }
        var f = LionFamily(form: .lionPytorch)
        f.beta1 = b1
        f.beta2 = b2
        f.decay = wd == 0 ? .none : decoupled ? .relative(wd, initialLR: lr) : .decoupled(wd)
        return OptimizerSpec(family: f, lr: lr)
    },
]
