// Hyperparameters.swift — typed, checked access to a case's `hyperparameters` (or a schedule's
// `parameters`) object. Every read names its key, so errors name the field; `finish()` rejects
// keys the library call would not accept.
import DescentJSON

public struct Hyperparameters: Sendable {
    public let values: [String: JSON]
    /// For messages: "torch.optim.Adam", "optax.adam", "textbook adam".
    public let callee: String
    private(set) var used: Set<String> = []

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
        try optionalDouble(key) ?? d
    }

    public mutating func optionalDouble(_ key: String) throws -> Double? {
        guard let v = take(key) else { return nil }
        guard let d = v.doubleValue else { throw typeError(key, "a number", v) }
        return d
    }

    public mutating func int(_ key: String, default d: Int) throws -> Int {
        try optionalInt(key) ?? d
    }

    public mutating func optionalInt(_ key: String) throws -> Int? {
        guard let v = take(key) else { return nil }
        guard let i = v.intValue else { throw typeError(key, "an integer", v) }
        return i
    }

    public mutating func bool(_ key: String, default d: Bool) throws -> Bool {
        guard let v = take(key) else { return d }
        guard let b = v.boolValue else { throw typeError(key, "true or false", v) }
        return b
    }

    public mutating func string(_ key: String, default d: String?) throws -> String? {
        guard let v = take(key) else { return d }
        guard let s = v.stringValue else { throw typeError(key, "a string", v) }
        return s
    }

    /// A pair of numbers such as torch's `betas`.
    public mutating func pair(_ key: String, default d: (Double, Double)) throws -> (Double, Double) {
        guard let v = take(key) else { return d }
        guard let a = v.arrayValue, a.count == 2, let x = a[0].doubleValue, let y = a[1].doubleValue else {
            throw typeError(key, "a pair of numbers", v)
        }
        return (x, y)
    }

    /// A list of numbers (torch's `milestones`, …).
    public mutating func doubles(_ key: String) throws -> [Double]? {
        guard let v = take(key) else { return nil }
        guard let a = v.arrayValue else { throw typeError(key, "an array of numbers", v) }
        return try a.map { e in guard let d = e.doubleValue else { throw typeError(key, "an array of numbers", v) }; return d }
    }

    /// The raw value (nested schedules, lists of objects…), marking the key used.
    public mutating func raw(_ key: String) -> JSON? { take(key) }

    /// Accepts keys that change nothing mathematically (torch's foreach, fused, capturable,
    /// differentiable) provided they hold a boolean or null.
    public mutating func ignore(_ keys: String...) throws {
        for k in keys {
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
