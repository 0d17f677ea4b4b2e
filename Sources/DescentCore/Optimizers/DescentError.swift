// DescentError.swift — the errors a convention, family or fixture can raise.

public enum DescentError: Error, CustomStringConvertible, Sendable, Equatable {
    /// We know the name but cannot run this combination (reason says why). Reported `unsupported`.
    case unsupported(String)
    /// A hyperparameter or parameter has a value the library itself rejects. `field` names it;
    /// `message` uses the library's own wording where it has one.
    case invalidHyperparameter(field: String, message: String)
    /// The input is malformed (`field` is a JSON path such as `steps[3].grads[1]`).
    case invalidInput(field: String, message: String)

    public var description: String {
        switch self {
        case let .unsupported(r): return "unsupported: \(r)"
        case let .invalidHyperparameter(f, m): return "invalid hyperparameter '\(f)': \(m)"
        case let .invalidInput(f, m): return "\(f): \(m)"
        }
    }
}
