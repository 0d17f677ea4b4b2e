// Torch+Adam.swift — the torch convention's Adam-group optimizers: names, keyword arguments, defaults.
import DescentJSON

let torchAdamGroup: [OptimizerEntry] = [
]
