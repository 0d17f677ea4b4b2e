// Torch.swift — torch.optim and torch.optim.lr_scheduler: class names, keyword arguments and
// defaults of torch 2.15, verbatim, with torch's own error wording for invalid values.
import DescentJSON

public struct TorchConvention: Convention {
    public init() {}
    public var name: String { "torch" }
}
