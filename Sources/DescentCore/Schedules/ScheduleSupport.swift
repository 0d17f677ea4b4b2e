// ScheduleSupport.swift — small pieces the schedule conventions share: Python's arithmetic
// corner cases (bisect_right, floor division, ZeroDivisionError), Python's repr of numbers for
// error messages (via pyRepr), and reading keyword arguments the way Python receives them (int vs float,
// a required argument, a nested `{ "name", "parameters" }` schedule).
import DescentJSON

// MARK: Python arithmetic

/// `bisect.bisect_right(a, x)`, the exact algorithm (also on an unsorted list, as torch calls it).
func pyBisectRight(_ a: [Int], _ x: Int) -> Int {
    var lo = 0, hi = a.count
    while lo < hi {
        let mid = (lo + hi) / 2
        if x < a[mid] { hi = mid } else { lo = mid + 1 }
    }
    return lo
}

/// A ZeroDivisionError as Python words it, for a schedule that divides by zero while stepping.
func zeroDivision(_ what: String, callee: String) -> DescentError {
    .invalidHyperparameter(field: "parameters", message: "\(callee): ZeroDivisionError: \(what)")
}

/// `a / b` for Python floats: raises instead of returning ±inf/NaN.
@inline(__always)
func pyDiv<T: DescentFloat>(_ a: T, _ b: T, _ callee: String) throws -> T {
    if b == 0 { throw zeroDivision("float division by zero", callee: callee) }
    return a / b
}

/// Python's `int(x)` for a float (truncation), raising where Python raises.
func pyTrunc(_ x: Double, _ callee: String) throws -> Int {
    if x.isNaN { throw DescentError.invalidHyperparameter(field: "parameters", message: "\(callee): ValueError: cannot convert float NaN to integer") }
    guard Swift.abs(x) < 9.0e15 else {
        throw DescentError.unsupported("\(callee): an integer beyond what Descent handles (|n| < 9e15)")
    }
    return Int(x)
}

/// Python's `a // b` for ints (floor division).
func pyFloorDiv(_ a: Int, _ b: Int, _ callee: String) throws -> Int {
    if b == 0 { throw zeroDivision("integer division or modulo by zero", callee: callee) }
    let q = a / b
    return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q
}

/// Python's `a % b == 0` for ints.
func pyDivisible(_ a: Int, by b: Int, _ callee: String) throws -> Bool {
    if b == 0 { throw zeroDivision("integer modulo by zero", callee: callee) }
    return a % b == 0
}

/// `x ** n` for a Python int exponent the way `lax.integer_pow` evaluates it (binary powering).
func integerPow<T: DescentFloat>(_ x: T, _ n: Int) -> T {
    if n == 0 { return 1 }
    var base = x, y = n.magnitude, acc: T? = nil
    while y > 0 {
        if y & 1 == 1 { acc = acc.map { $0 * base } ?? base }
        y >>= 1
        if y > 0 { base = base * base }
    }
    return n < 0 ? 1 / acc! : acc!
}

// MARK: Python numbers in messages

/// A keyword argument as Python received it from JSON: an int (`5`) or a float (`5.0`).
struct PyNumber {
    let value: Double
    let isInt: Bool
    var repr: String { isInt ? String(Int(value)) : pyRepr(value) }
}

extension Hyperparameters {
    /// A number keeping whether the JSON text was an integer (Python's `isinstance(x, int)`).
    mutating func pyNumber(_ key: String) throws -> PyNumber? {
        note(key, .number, nil)
        guard let v = raw(key), !v.isNull else { return nil }
        guard case let .number(text) = v, let d = Double(text) else {
            throw DescentError.invalidInput(field: "\(field).\(key)", message: "\(callee): expected a number, found \(v.kindName)")
        }
        let isInt = !text.contains(".") && !text.contains("e") && !text.contains("E")
        if isInt && !(Swift.abs(d) < 9.0e15) {
            throw DescentError.unsupported("\(callee): integer \(key)=\(text) is beyond what Descent handles (|n| < 9e15)")
        }
        return PyNumber(value: d, isInt: isInt)
    }

    /// The error Python raises for a missing required argument.
    func missing(_ key: String, function: String) -> DescentError {
        .invalidInput(field: "\(field).\(key)", message: "\(function)() missing 1 required positional argument: '\(key)'")
    }

    mutating func requiredDouble(_ key: String, function: String) throws -> Double {
        guard let d = try optionalDouble(key) else { throw missing(key, function: function) }
        return d
    }

    mutating func requiredInt(_ key: String, function: String) throws -> Int {
        guard let i = try optionalInt(key) else { throw missing(key, function: function) }
        return i
    }

    /// A list of integers (milestones, boundaries).
    mutating func ints(_ key: String) throws -> [Int]? {
        note(key, .numbers, nil)
        guard let v = raw(key), !v.isNull else { return nil }
        guard let a = v.arrayValue else {
            throw DescentError.invalidInput(field: "\(field).\(key)", message: "\(callee): expected an array of integers, found \(v.kindName)")
        }
        return try a.map { e in
            guard let i = e.intValue else {
                throw DescentError.invalidInput(field: "\(field).\(key)", message: "\(callee): expected an array of integers")
            }
            return i
        }
    }

    /// A number, or a list with one number per parameter group (torch's `_format_param`);
    /// Descent's schedule cases have one parameter group.
    /// `perGroup` with torch's default `d` when the key is absent.
    mutating func perGroup(_ key: String, default d: Double) throws -> Double {
        note(key, .number, JSON(d))
        return try perGroup(key) ?? d
    }

    /// `pyNumber` with the default `d` when the key is absent.
    mutating func pyNumber(_ key: String, default d: PyNumber) throws -> PyNumber {
        note(key, .number, d.isInt ? JSON(Int(d.value)) : JSON(d.value))
        return try pyNumber(key) ?? d
    }

    mutating func perGroup(_ key: String) throws -> Double? {
        note(key, .number, nil)
        guard let v = raw(key), !v.isNull else { return nil }
        if let d = v.doubleValue { return d }
        if let a = v.arrayValue {
            guard a.count == 1 else {
                throw invalid(key, "\(key) must have the same length as optimizer.param_groups. \(key) has \(a.count) values, param_groups has 1.")
            }
            if let d = a[0].doubleValue { return d }
        }
        throw DescentError.invalidInput(field: "\(field).\(key)", message: "\(callee): expected a number or a list of one number, found \(v.kindName)")
    }
}

/// A child schedule written as `{ "name": ..., "parameters": { ... } }`.
struct NamedSchedule {
    let name: String
    let parameters: JSON?
    let field: String

    static func list(_ json: JSON?, key: String, in h: Hyperparameters) throws -> [NamedSchedule]? {
        guard let json, !json.isNull else { return nil }
        guard let a = json.arrayValue else {
            throw DescentError.invalidInput(field: "\(h.field).\(key)", message: "\(h.callee): expected an array of {\"name\", \"parameters\"} objects")
        }
        return try a.enumerated().map { i, e in
            let f = "\(h.field).\(key)[\(i)]"
            guard let name = e["name"]?.stringValue else {
                throw DescentError.invalidInput(field: f, message: "\(h.callee): a child schedule needs a \"name\" string")
            }
            return NamedSchedule(name: name, parameters: e["parameters"], field: "\(f).parameters")
        }
    }
}
