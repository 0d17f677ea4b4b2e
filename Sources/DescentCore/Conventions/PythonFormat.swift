// PythonFormat.swift — numbers written the way Python prints them, so that error messages quote
// a value exactly as the library's f-string would ("Invalid learning rate: -0.1", "… -1", "1e-05").
import DescentJSON

public enum PythonFormat {
    /// `repr(float(d))`: the shortest round-trip digits; fixed notation when the decimal exponent
    /// is in [-4, 16), otherwise scientific with a signed, at-least-two-digit exponent.
    public static func repr(_ d: Double) -> String {
        if d.isNaN { return "nan" }
        if d.isInfinite { return d > 0 ? "inf" : "-inf" }
        let sign = d.sign == .minus ? "-" : ""
        if d == 0 { return sign + "0.0" }
        // Swift's description is also shortest round-trip; take its digits and exponent.
        let text = "\(Swift.abs(d))"
        var mantissa = Substring(text)
        var exponent = 0
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            mantissa = text[..<e]
            exponent = Int(text[text.index(after: e)...])!
        }
        let parts = mantissa.split(separator: ".", omittingEmptySubsequences: false)
        let intPart = String(parts[0])
        let fracPart = parts.count > 1 ? String(parts[1]) : ""
        var digits = intPart + fracPart
        var point = intPart.count + exponent      // value = 0.digits × 10^point
        while digits.hasPrefix("0") && digits.count > 1 { digits.removeFirst(); point -= 1 }
        while digits.hasSuffix("0") && digits.count > 1 { digits.removeLast() }
        if -4 < point && point <= 16 {
            if point <= 0 { return sign + "0." + String(repeating: "0", count: -point) + digits }
            if digits.count <= point {
                return sign + digits + String(repeating: "0", count: point - digits.count) + ".0"
            }
            let i = digits.index(digits.startIndex, offsetBy: point)
            return sign + digits[..<i] + "." + digits[i...]
        }
        let e = point - 1
        let m = digits.count == 1 ? digits : String(digits.first!) + "." + digits.dropFirst()
        let es = e < 0 ? "-" : "+"
        let ea = Swift.abs(e)
        return sign + m + "e" + es + (ea < 10 ? "0" : "") + String(ea)
    }

    /// How Python prints the value `json.loads` makes of this JSON: an integer literal stays an
    /// int ("-1"), any other number is a float ("-1.0", "0.001"), booleans are True/False.
    public static func repr(_ json: JSON) -> String {
        switch json {
        case let .number(t):
            if !t.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }) {
                return t.hasPrefix("-0") && t.count == 2 ? "0" : t
            }
            return repr(Double(t) ?? .nan)
        case let .bool(b): return b ? "True" : "False"
        case .null: return "None"
        case let .string(s): return s
        default: return json.serialized()
        }
    }
}

extension Hyperparameters {
    /// The value of `key` as Python would print it in an f-string (for the library's messages);
    /// `fallback` (the default) when the key is absent.
    public func pythonRepr(_ key: String, fallback: Double) -> String {
        if let v = values[key], !v.isNull { return PythonFormat.repr(v) }
        return PythonFormat.repr(fallback)
    }
}
