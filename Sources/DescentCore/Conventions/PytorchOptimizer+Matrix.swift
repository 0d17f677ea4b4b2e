// PytorchOptimizer+Matrix.swift — pytorch_optimizer Shampoo, SOAP.
import DescentJSON

let pytorchOptimizerMatrixGroup: [OptimizerEntry] = [
]
