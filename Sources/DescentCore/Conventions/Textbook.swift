// Textbook.swift — the course material's equations (the table in the fixture spec), by name.
import DescentJSON

public struct TextbookConvention: Convention {
    public init() {}
    public var name: String { "textbook" }

    public var optimizers: [(name: String, note: String)] {
        [("sgd", "w ← w − lr·g (also `gd`)")]
    }

    public func optimizer(_ name: String, _ hyperparameters: JSON?) throws -> OptimizerSpec {
        var h = try Hyperparameters(hyperparameters, callee: "textbook \(name)")
        switch name {
        case "sgd", "gd":
            let lr = try h.double("lr", default: 0.01)
            try h.finish()
            return OptimizerSpec(family: SGDFamily(), lr: lr)
        default:
            throw DescentError.unsupported("textbook has no optimizer '\(name)' in Descent")
        }
    }
}
