// Textbook+SGD.swift — the textbook convention's SGD-group optimizers (the fixture spec's table).
import DescentJSON

let textbookSGDGroup: [OptimizerEntry] = [
    OptimizerEntry("sgd", "w ← w − lr·g") { h in
        OptimizerSpec(family: SGDFamily(), lr: try h.double("lr", default: 0.01))
    },
]
