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
    /// The names of the options and flags given, in order, each once.
    public private(set) var givenOptions: [String] = []

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
                if (flagNames.contains(name) || valued.contains(name)) && !givenOptions.contains(name) { givenOptions.append(name) }
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
                    throw UsageError(message: "unknown option --\(name)"
                                     + Suggest.didYouMean(name, among: (valued.union(flagNames)).sorted(), prefix: "--"))
                }
            } else if a == "-h" {
                flags.insert("help")
                if !givenOptions.contains("help") { givenOptions.append("help") }
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
            throw UsageError(message: "--\(name) must be one of \(choices.joined(separator: ", ")); got '\(v)'"
                             + Suggest.didYouMean(v, among: choices))
        }
        return v
    }

    /// The report format: `--format` when given (one of `choices`), else the one `--output`'s
    /// extension names (.json → json, .md → markdown, .xml → junit) when it is among `choices`,
    /// else `default`.
    public func outputFormat(_ choices: [String], default d: String = "text") throws -> String {
        if value("format") != nil { return try choice("format", choices, default: d) }
        if let o = value("output"), let f = Self.formatOfExtension(o), choices.contains(f) { return f }
        return d
    }

    /// json, markdown or junit for a file name ending in .json, .md / .markdown or .xml.
    public static func formatOfExtension(_ path: String) -> String? {
        let p = path.lowercased()
        if p.hasSuffix(".json") { return "json" }
        if p.hasSuffix(".md") || p.hasSuffix(".markdown") { return "markdown" }
        if p.hasSuffix(".xml") { return "junit" }
        return nil
    }
}

/// `descent train`'s options read from the command line (TrainConfig.swift maps them).
extension Arguments: TrainOptionValues {}
