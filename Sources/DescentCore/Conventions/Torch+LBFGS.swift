// Torch+LBFGS.swift — torch.optim.LBFGS.
import DescentJSON

let torchLBFGSGroup: [OptimizerEntry] = [
]
