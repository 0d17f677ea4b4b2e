// Optax+Adam.swift — the optax convention's Adam-group optimizers: names, keyword arguments, defaults.
import DescentJSON

let optaxAdamGroup: [OptimizerEntry] = [
]
