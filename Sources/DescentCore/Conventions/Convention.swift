// Convention.swift — a convention maps a library's own names, keyword arguments and defaults
// onto Descent's families and schedules. `torch`, `optax` and `textbook` are registered here;
// an unknown convention or name is `unsupported`, never a crash.
import DescentJSON

public protocol Convention: Sendable {
    /// "torch", "optax", "textbook", …
    var name: String { get }
    /// Optimizer names this convention accepts, with a one-line note each (for `descent list`).
    var optimizers: [(name: String, note: String)] { get }
    /// Schedule names this convention accepts, with a one-line note each.
    var schedules: [(name: String, note: String)] { get }
    /// The family and learning rate that `name(**hyperparameters)` means.
    func optimizer(_ name: String, _ hyperparameters: JSON?) throws -> OptimizerSpec
    /// The schedule that `name(**parameters)` means.
    func schedule(_ name: String, _ parameters: JSON?, context: ScheduleContext) throws -> any Schedule
}

extension Convention {
    public var optimizers: [(name: String, note: String)] { [] }
    public var schedules: [(name: String, note: String)] { [] }
    public func optimizer(_ name: String, _ hyperparameters: JSON?) throws -> OptimizerSpec {
        throw DescentError.unsupported("\(self.name) has no optimizer '\(name)' in Descent")
    }
    public func schedule(_ name: String, _ parameters: JSON?, context: ScheduleContext) throws -> any Schedule {
        throw DescentError.unsupported("\(self.name) has no schedule '\(name)' in Descent")
    }
}

/// The registered conventions.
public enum Conventions {
    public static let all: [any Convention] = [TorchConvention(), OptaxConvention(), TextbookConvention()]

    public static func named(_ name: String) -> (any Convention)? { all.first { $0.name == name } }

    public static func optimizer(convention: String, name: String, hyperparameters: JSON?) throws -> OptimizerSpec {
        guard let c = named(convention) else {
            throw DescentError.unsupported("convention '\(convention)' is not implemented in Descent")
        }
        return try c.optimizer(name, hyperparameters)
    }

    public static func schedule(convention: String, name: String, parameters: JSON?,
                                context: ScheduleContext) throws -> any Schedule {
        guard let c = named(convention) else {
            throw DescentError.unsupported("convention '\(convention)' is not implemented in Descent")
        }
        return try c.schedule(name, parameters, context: context)
    }
}
