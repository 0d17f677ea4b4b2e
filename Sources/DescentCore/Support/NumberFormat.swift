// NumberFormat.swift — how reports and checks print a number in scientific notation.
import Foundation

/// "%.2e": a check's measured error or bound.
package func sci(_ x: Double) -> String { String(format: "%.2e", x) }

/// A report cell: "-" for no value, NaN / inf / -inf by name, "0" for zero, else "%.2e".
package func sci(_ x: Double?) -> String {
    guard let x else { return "-" }
    if x.isNaN { return "NaN" }
    if x.isInfinite { return x > 0 ? "inf" : "-inf" }
    if x == 0 { return "0" }
    return String(format: "%.2e", x)
}
