// Arguments.swift — a small, strict command-line parser (no package dependencies).
import DescentLab

public struct UsageError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

/// Options of the form `--name value`, `--name=value`, flags `--name`, and positional words.
public struct Arguments {
    public var positional: [String] = []
    /// The words as given.
    public private(set) var raw: [String] = []
    private var options: [String: [String]] = [:]
    private var flags: Set<String> = []

    /// `valued`: option names that take a value; `flagNames`: options without one.
    public init(_ args: [String], valued: Set<String>, flagNames: Set<String>) throws {
        raw = args
        var i = 0
        while i < args.count {
            let a = args[i]
            if a == "--" { positional += args[(i + 1)...]; break }
            if a.hasPrefix("--") {
                var name = String(a.dropFirst(2))
                var value: String?
                if let eq = name.firstIndex(of: "=") {
                    value = String(name[name.index(after: eq)...])
                    name = String(name[..<eq])
                }
                if flagNames.contains(name) {
                    if value != nil { throw UsageError(message: "option --\(name) takes no value") }
                    flags.insert(name)
                } else if valued.contains(name) {
                    if value == nil {
                        i += 1
                        guard i < args.count else { throw UsageError(message: "option --\(name) needs a value") }
                        value = args[i]
                    }
                    options[name, default: []].append(value!)
                } else {
                    throw UsageError(message: "unknown option --\(name)")
                }
            } else if a == "-h" {
                flags.insert("help")
            } else {
                positional.append(a)
            }
            i += 1
        }
    }

    public func flag(_ name: String) -> Bool { flags.contains(name) }
    public func values(_ name: String) -> [String] { options[name] ?? [] }
    public func value(_ name: String) -> String? { options[name]?.last }

    /// A value restricted to `choices`.
    public func choice(_ name: String, _ choices: [String], default d: String) throws -> String {
        guard let v = value(name) else { return d }
        guard choices.contains(v) else {
            throw UsageError(message: "--\(name) must be one of \(choices.joined(separator: ", ")); got '\(v)'")
        }
        return v
    }
}

/// `descent train`'s options read from the command line (TrainConfig.swift maps them).
extension Arguments: TrainOptionValues {}
