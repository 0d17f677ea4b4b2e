// Textbook+SGD.swift — the textbook convention's SGD-group optimizers (the fixture spec's table).
// Step t = 0, 1, …; all operations element-wise; every state starts at 0.
// Defaults (the table names none): lr 0.01, mu 0.9, beta 0.9, eps 1e-8.
import DescentJSON

let textbookSGDGroup: [OptimizerEntry] = [
    OptimizerEntry("sgd", "w ← w − lr·g") { h in
        OptimizerSpec(family: SGDFamily(), lr: try h.double("lr", default: 0.01))
    },
    OptimizerEntry("gd", "w ← w − lr·g (same as sgd)") { h in
        OptimizerSpec(family: SGDFamily(), lr: try h.double("lr", default: 0.01))
    },
    OptimizerEntry("momentum", "m ← mu·m − lr·g; w ← w + m (lr inside the buffer)") { h in
        let lr = try h.double("lr", default: 0.01)
        let mu = try h.double("mu", default: 0.9)
        let family = SGDFamily(momentum: mu, lrInsideBuffer: true, bufferName: "-m")
        return OptimizerSpec(family: family, lr: lr)
    },
    OptimizerEntry("momentum_ema", "v ← beta·v + (1−beta)·g; w ← w − lr·v") { h in
        let lr = try h.double("lr", default: 0.01)
        let beta = try h.double("beta", default: 0.9)
        return OptimizerSpec(family: SGDFamily(momentum: beta, dampening: beta, bufferName: "v"), lr: lr)
    },
    OptimizerEntry("momentum_sum", "v ← beta·v + g; w ← w − lr·v") { h in
        let lr = try h.double("lr", default: 0.01)
        let beta = try h.double("beta", default: 0.9)
        return OptimizerSpec(family: SGDFamily(momentum: beta, bufferName: "v"), lr: lr)
    },
    OptimizerEntry("adagrad", "v ← v + g²; w ← w − lr·g/√(v + eps)") { h in
        let lr = try h.double("lr", default: 0.01)
        let eps = try h.double("eps", default: 1e-8)
        return OptimizerSpec(family: AdagradFamily(eps: eps, epsInsideSqrt: true, sumName: "v"), lr: lr)
    },
    OptimizerEntry("rmsprop", "v ← beta·v + (1−beta)·g²; w ← w − lr·g/√(v + eps)") { h in
        let lr = try h.double("lr", default: 0.01)
        let beta = try h.double("beta", default: 0.9)
        let eps = try h.double("eps", default: 1e-8)
        let family = RMSpropFamily(decay: beta, eps: eps, epsInsideSqrt: true, stateNames: ("v", "", ""))
        return OptimizerSpec(family: family, lr: lr)
    },
]
