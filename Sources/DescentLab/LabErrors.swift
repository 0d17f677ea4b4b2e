// LabErrors.swift — what the lab throws when it cannot run. The lab speaks of its settings, not
// of flags' exit codes: the CLI maps both errors to exit status 2 (DescentCLI/CLI.swift).

/// A training, tuning or benchmark setting that cannot run (a batch size of 0, an unknown data
/// set, a malformed search space); the CLI reports it as a usage error.
public struct ConfigurationError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public init(message: String) { self.message = message }
    public var description: String { message }
}

/// An input the lab cannot use: a report, data or settings file, a trial that failed.
public struct LabInputError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public init(message: String) { self.message = message }
    public var description: String { message }
}
