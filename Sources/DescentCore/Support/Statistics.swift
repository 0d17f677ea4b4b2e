// Statistics.swift — the one median of the package (tuning curves, early stopping, step times).

/// The median of values already sorted ascending: the middle one, or the mean of the two middle
/// ones. NaN for an empty array.
package func median(sorted s: [Double]) -> Double {
    guard !s.isEmpty else { return .nan }
    return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
}

/// The median of `v` with its NaNs left out; NaN when nothing is left.
package func median(_ v: [Double]) -> Double { median(sorted: v.filter { !$0.isNaN }.sorted()) }
