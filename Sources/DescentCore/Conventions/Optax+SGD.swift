// Optax+SGD.swift — the optax convention's SGD-group optimizers: names, keyword arguments, defaults.
import DescentJSON

let optaxSGDGroup: [OptimizerEntry] = [
]
