// Optax+LBFGS.swift — optax lbfgs and optax.contrib schedule_free_* optimizers.
import DescentJSON

let optaxLBFGSGroup: [OptimizerEntry] = [
]
