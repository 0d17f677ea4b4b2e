// Torch+Matrix.swift — torch.optim.Muon.
import DescentJSON

let torchMatrixGroup: [OptimizerEntry] = [
]
