// Hyperparameters.swift — typed, checked access to a case's `hyperparameters` (or a schedule's
// `parameters`) object. Every read names its key, so errors name the field; `finish()` rejects
// keys the library call would not accept.
import DescentJSON

/// One keyword argument of a library call, as its builder reads it: the entry's schema is
/// recorded from the builder itself (`OptimizerEntry.keywords`), so each default is written once,
/// in the builder, and `descent list` and the cross-convention spellings derive theirs from it.
public struct Keyword: Sendable, Equatable {
    public enum Kind: String, Sendable { case number, integer, bool, string, pair, numbers, value, noEffect }
    public let name: String
    public let kind: Kind
    /// The library's default; nil when it is None (or the argument has none).
    public let defaultValue: JSON?
    /// The call fails without it (a required argument).
    public var required = false

    public init(name: String, kind: Kind, defaultValue: JSON?, required: Bool = false) {
        self.name = name
        self.kind = kind
        self.defaultValue = defaultValue
        self.required = required
    }
}

extension Keyword {
    /// `name=default` as Python writes the call (`lr=0.001`, `maximize=False`, `momentum=None`);
    /// a required argument is its bare name.
    public var pythonText: String {
        if required { return name }
        guard let d = defaultValue else { return "\(name)=None" }
        return "\(name)=\(Self.python(d))"
    }

    static func python(_ v: JSON) -> String {
        switch v {
        case let .bool(b): return b ? "True" : "False"
        case .null: return "None"
        case let .string(s): return "'\(s)'"
        case let .array(a): return "(" + a.map(python).joined(separator: ", ") + ")"
        default: return pyRepr(v)
        }
    }
}

extension Array where Element == Keyword {
    /// The call's signature with its defaults, as `descent list` prints it:
    /// `lr=0.001, betas=(0.9, 0.999), …; accepted with no effect: foreach, fused`.
    public var signature: String {
        let real = filter { $0.kind != .noEffect }.map(\.pythonText).joined(separator: ", ")
        let inert = filter { $0.kind == .noEffect }.map(\.name)
        return inert.isEmpty ? real : real + "; accepted with no effect: " + inert.joined(separator: ", ")
    }
}

/// Collects the keywords a builder reads, in order (the first read of a key wins).
final class KeywordRecorder: @unchecked Sendable {
    private(set) var keywords: [Keyword] = []
    func note(_ k: Keyword) {
        if !keywords.contains(where: { $0.name == k.name }) { keywords.append(k) }
    }
}

public struct Hyperparameters: Sendable {
    public let values: [String: JSON]
    /// For messages: "torch.optim.Adam", "optax.adam", "textbook adam".
    public let callee: String
    private(set) var used: Set<String> = []
    /// Set while an entry's schema is recorded (`OptimizerEntry.keywords`).
    var recorder: KeywordRecorder?

    /// Records `key`'s kind and default for the entry's schema (every reader calls it first;
    /// readers built on `raw` elsewhere too).
    func note(_ key: String, _ kind: Keyword.Kind, _ d: JSON?) {
        recorder?.note(Keyword(name: key, kind: kind, defaultValue: d))
    }

    /// The JSON key the values came from ("hyperparameters" or "parameters"), for messages.
    public let field: String

    public init(_ json: JSON?, callee: String, field: String = "hyperparameters") throws {
        self.callee = callee
        self.field = field
        guard let json else { values = [:]; return }
        guard let pairs = json.objectValue else {
            throw DescentError.invalidInput(field: field, message: "must be an object, found \(json.kindName)")
        }
        values = Dictionary(pairs, uniquingKeysWith: { a, _ in a })
    }

    public func has(_ key: String) -> Bool { values[key].map { !$0.isNull } ?? false }

    private mutating func take(_ key: String) -> JSON? {
        used.insert(key)
        guard let v = values[key], !v.isNull else { return nil }
        return v
    }

    private func typeError(_ key: String, _ want: String, _ v: JSON) -> DescentError {
        .invalidInput(field: "\(field).\(key)", message: "\(callee): expected \(want), found \(v.kindName)")
    }

    /// An invalid value, worded as the library words it (e.g. torch's "Invalid learning rate: -1.0").
    public func invalid(_ key: String, _ message: String) -> DescentError {
        .invalidHyperparameter(field: "\(field).\(key)", message: message)
    }

    /// A number (JSON booleans are not numbers here).
    public mutating func double(_ key: String, default d: Double) throws -> Double {
        note(key, .number, JSON(d))
        return try optionalDouble(key) ?? d
    }

    /// A number whose default `d` applies when the key is absent, while an explicit null means
    /// None (Keras's `weight_decay`: AdamW's 0.004 when not given, no decay when None).
    public mutating func nullableDouble(_ key: String, default d: Double?) throws -> Double? {
        note(key, .number, d.map { JSON($0) })
        let explicit = values[key] != nil
        let v = try optionalDouble(key)
        return explicit ? v : d
    }

    public mutating func optionalDouble(_ key: String) throws -> Double? {
        note(key, .number, nil)
        guard let v = take(key) else { return nil }
        guard let d = v.doubleValue else { throw typeError(key, "a number", v) }
        return d
    }

    public mutating func int(_ key: String, default d: Int) throws -> Int {
        note(key, .integer, JSON(d))
        return try optionalInt(key) ?? d
    }

    public mutating func optionalInt(_ key: String) throws -> Int? {
        note(key, .integer, nil)
        guard let v = take(key) else { return nil }
        guard let i = v.intValue else { throw typeError(key, "an integer", v) }
        return i
    }

    public mutating func bool(_ key: String, default d: Bool) throws -> Bool {
        note(key, .bool, .bool(d))
        guard let v = take(key) else { return d }
        guard let b = v.boolValue else { throw typeError(key, "true or false", v) }
        return b
    }

    public mutating func string(_ key: String, default d: String?) throws -> String? {
        note(key, .string, d.map { .string($0) })
        guard let v = take(key) else { return d }
        guard let s = v.stringValue else { throw typeError(key, "a string", v) }
        return s
    }

    /// A pair of numbers such as torch's `betas`.
    public mutating func pair(_ key: String, default d: (Double, Double)) throws -> (Double, Double) {
        note(key, .pair, .array([JSON(d.0), JSON(d.1)]))
        guard let v = take(key) else { return d }
        guard let a = v.arrayValue, a.count == 2, let x = a[0].doubleValue, let y = a[1].doubleValue else {
            throw typeError(key, "a pair of numbers", v)
        }
        return (x, y)
    }

    /// Three numbers such as pytorch_optimizer AdEMAMix's `betas`.
    public mutating func triple(_ key: String, default d: (Double, Double, Double)) throws -> (Double, Double, Double) {
        note(key, .numbers, .array([JSON(d.0), JSON(d.1), JSON(d.2)]))
        guard let v = take(key) else { return d }
        guard let a = v.arrayValue, a.count == 3, let x = a[0].doubleValue, let y = a[1].doubleValue,
              let z = a[2].doubleValue else {
            throw typeError(key, "three numbers", v)
        }
        return (x, y, z)
    }

    /// A list of numbers (torch's `milestones`, …).
    public mutating func doubles(_ key: String) throws -> [Double]? {
        note(key, .numbers, nil)
        guard let v = take(key) else { return nil }
        guard let a = v.arrayValue else { throw typeError(key, "an array of numbers", v) }
        return try a.map { e in guard let d = e.doubleValue else { throw typeError(key, "an array of numbers", v) }; return d }
    }

    /// The raw value (nested schedules, lists of objects…), marking the key used.
    public mutating func raw(_ key: String) -> JSON? {
        note(key, .value, nil)
        return take(key)
    }

    /// Accepts keys that change nothing mathematically (torch's foreach, fused, capturable,
    /// differentiable) provided they hold a boolean or null.
    public mutating func ignore(_ keys: String...) throws {
        for k in keys {
            note(k, .noEffect, nil)
            guard let v = take(k) else { continue }
            if v.boolValue == nil { throw typeError(k, "true, false or null", v) }
        }
    }

    /// Every key must have been read: a keyword Descent does not know is reported `unsupported`
    /// (either the library has no such argument, or Descent does not implement it).
    public func finish() throws {
        let unknown = values.keys.filter { !used.contains($0) }.sorted()
        if let k = unknown.first {
            throw DescentError.unsupported("\(callee): argument '\(k)' is not one Descent knows")
        }
    }
}
