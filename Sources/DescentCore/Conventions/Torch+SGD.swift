// Torch+SGD.swift — the torch convention's SGD-group optimizers: names, keyword arguments, defaults.
import DescentJSON

let torchSGDGroup: [OptimizerEntry] = [
]
