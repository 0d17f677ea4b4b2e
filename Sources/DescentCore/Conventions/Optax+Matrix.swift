// Optax+Matrix.swift — optax.contrib.muon.
import DescentJSON

let optaxMatrixGroup: [OptimizerEntry] = [
]
