// PythonRepr.swift — numbers printed the way Python prints them, so that argument-validation
// messages read exactly like the library's own (`f"Invalid learning rate: {lr}"`).
//
// A fixture's hyperparameter arrives as JSON text; Python's `json.loads` makes an integer literal
// an `int` (printed as is: `-1`) and anything else a `float` (printed with `repr`: `-1.0`,
// `1e-08`, `1e+16`). `pyRepr(json)` follows that; `pyRepr(double)` is `repr(float)`.
import DescentJSON

/// Python's `repr(float)`: the shortest round-trip digits, positional when the decimal exponent
/// is in −4 ..< 16 (always with a fractional part, "100.0"), else scientific with a signed,
/// at least two-digit exponent ("1e-08", "1.5e+16").
public func pyRepr(_ x: Double) -> String {
    if x.isNaN { return "nan" }
    if x.isInfinite { return x > 0 ? "inf" : "-inf" }
    if x == 0 { return x.sign == .minus ? "-0.0" : "0.0" }
    // Swift's description also gives the shortest round-trip digits; re-render them.
    let text = "\(Swift.abs(x))"
    var mantissa = text
    var exp10 = 0
    if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
        mantissa = String(text[..<e])
        exp10 = Int(text[text.index(after: e)...])!
    }
    let parts = mantissa.split(separator: ".", omittingEmptySubsequences: false)
    let intPart = String(parts[0])
    let fracPart = parts.count > 1 ? String(parts[1]) : ""
    // All significant digits and the exponent of the first one (d.ddd × 10^sci).
    var digits = intPart + fracPart
    var sci = exp10 + intPart.count - 1
    while digits.hasPrefix("0") && digits.count > 1 { digits.removeFirst(); sci -= 1 }
    while digits.hasSuffix("0") && digits.count > 1 { digits.removeLast() }
    let sign = x < 0 ? "-" : ""
    if sci >= -4 && sci < 16 {
        if sci < 0 { return sign + "0." + String(repeating: "0", count: -sci - 1) + digits }
        if digits.count <= sci + 1 { return sign + digits + String(repeating: "0", count: sci + 1 - digits.count) + ".0" }
        let cut = digits.index(digits.startIndex, offsetBy: sci + 1)
        return sign + digits[..<cut] + "." + digits[cut...]
    }
    let head = digits.prefix(1), tail = digits.dropFirst()
    let e = Swift.abs(sci) < 10 ? "0\(Swift.abs(sci))" : "\(Swift.abs(sci))"
    return sign + head + (tail.isEmpty ? "" : "." + tail) + "e" + (sci < 0 ? "-" : "+") + e
}

/// A JSON number as Python prints the value `json.loads` makes of it: integer literals stay
/// integers (`1`, `-3`), everything else is a float (`1.0`, `1e-08`). Non-numbers print as JSON.
public func pyRepr(_ v: JSON) -> String {
    guard case let .number(text) = v else {
        if case let .bool(b) = v { return b ? "True" : "False" }
        if v.isNull { return "None" }
        return v.serialized()
    }
    if !text.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }) {
        var t = Substring(text)
        let negative = t.hasPrefix("-")
        if negative { t = t.dropFirst() }
        while t.hasPrefix("0") && t.count > 1 { t = t.dropFirst() }
        return (negative && t != "0" ? "-" : "") + t
    }
    return pyRepr(Double(text)!)
}

/// Whether `json.loads` would make this JSON value a Python `int` (an integer literal).
public func pyIsInt(_ v: JSON) -> Bool {
    guard case let .number(text) = v else { return false }
    return !text.contains(where: { $0 == "." || $0 == "e" || $0 == "E" })
}

extension Hyperparameters {
    /// The value of `key` as Python would print it in an f-string (for the library's messages);
    /// `fallback` (the default) when the key is absent.
    public func pythonRepr(_ key: String, fallback: Double) -> String {
        if let v = values[key], !v.isNull { return pyRepr(v) }
        return pyRepr(fallback)
    }
}
