// TrainingData.swift — a data set an MLP trains on: N input rows of width d₀ and their targets,
// held in the model's precision, row-major.

/// Inputs [N, d₀] and targets ([N] class indices or 0/1 labels, or [N, d_L] for mse).
public struct TrainingData<T: DescentFloat>: @unchecked Sendable {
    /// N × d₀ values, row-major.
    public let inputs: Buffer<T>
    /// N × targetWidth values (class indices are stored as exact small integers).
    public let targets: Buffer<T>
    /// N.
    public let count: Int
    public let inputWidth: Int
    public let targetWidth: Int

    /// Checks the shapes and targets against `spec` (class indices integral in 0..<d_L for
    /// cross_entropy, finite values otherwise) and converts to T. Errors name `field`'s parts
    /// (`data.inputs`, `data.targets[7]`).
    public init(spec: MLPSpec, inputs: [Double], targets: [Double], count: Int, field: String = "data") throws {
        guard count >= 1 else { throw DescentError.invalidInput(field: "\(field).inputs", message: "no rows") }
        guard inputs.count == count * spec.inputWidth else {
            throw DescentError.invalidInput(field: "\(field).inputs",
                                            message: "\(inputs.count) values, expected \(count) rows × \(spec.inputWidth) (model.sizes[0])")
        }
        guard targets.count == count * spec.targetWidth else {
            throw DescentError.invalidInput(field: "\(field).targets",
                                            message: "\(targets.count) values, expected \(count) × \(spec.targetWidth) for \(spec.loss.rawValue)")
        }
        for (i, y) in targets.enumerated() {
            switch spec.loss {
            case .crossEntropy:
                guard y.rounded() == y, y >= 0, y < Double(spec.outputWidth) else {
                    throw DescentError.invalidInput(field: "\(field).targets[\(i)]",
                                                    message: "\(y) is not a class index in 0..<\(spec.outputWidth)")
                }
            case .binaryCrossEntropy:
                guard y >= 0, y <= 1 else {
                    throw DescentError.invalidInput(field: "\(field).targets[\(i)]", message: "\(y) is not a label in [0, 1]")
                }
            case .mse:
                guard y.isFinite else { throw DescentError.invalidInput(field: "\(field).targets[\(i)]", message: "\(y) is not finite") }
            }
        }
        self.inputs = Buffer<T>(converting: inputs)
        self.targets = Buffer<T>(converting: targets)
        self.count = count
        self.inputWidth = spec.inputWidth
        self.targetWidth = spec.targetWidth
    }
}
