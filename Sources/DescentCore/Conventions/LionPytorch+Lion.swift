// LionPytorch+Lion.swift — lion_pytorch.Lion.
import DescentJSON

let lionPytorchGroup: [OptimizerEntry] = [
]
