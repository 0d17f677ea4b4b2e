// Optax+LionLamb.swift — optax lion, lamb, lars.
import DescentJSON

let optaxLionLambGroup: [OptimizerEntry] = [
]
