// PytorchOptimizer+LionLamb.swift — pytorch_optimizer Lion, Lamb, LARS.
import DescentJSON

let pytorchOptimizerLionLambGroup: [OptimizerEntry] = [
]
