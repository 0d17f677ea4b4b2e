// CheckReport.swift — the closed-form checks' outcomes as text, Markdown and JSON.
import DescentCore
import DescentJSON

public enum CheckReport {
    package static func row(_ o: CheckOutcome) -> String {
        "\(o.status.rawValue.uppercased().padding(toLength: 8, withPad: " ", startingAt: 0)) \(o.id) [\(o.dtype.rawValue)]  error \(sci(o.maxError)) ≤ \(sci(o.tolerance))"
    }

    /// One line per outcome (`verbose`: with what each check proves), then the summary line.
    public static func text(_ outcomes: [CheckOutcome], verbose: Bool = false) -> String {
        var out = ""
        var described = Set<String>()
        for o in outcomes {
            out += row(o) + "\n"
            if !o.passed || verbose, !o.message.isEmpty { out += "         \(o.message)\n" }
            if verbose, described.insert(o.id).inserted, let c = ClosedFormChecks.all.first(where: { $0.id == o.id }) {
                out += "         proves: \(c.proves)\n"
            }
        }
        out += line(outcomes) + "\n"
        return out
    }

    public static func line(_ outcomes: [CheckOutcome]) -> String {
        let passed = outcomes.filter(\.passed).count
        return "\(passed) passed, \(outcomes.count - passed) failed, 0 skipped"
    }

    public static func markdown(_ outcomes: [CheckOutcome]) -> String {
        var out = "\n## Closed-form checks\n\n"
        out += "Facts that need no reference library, each run on the implementation under test "
        out += "(through the conventions, as a fixture would) against a closed form computed independently.\n\n"
        out += "| check | what it proves | float64 error (tol) | float32 error (tol) |\n|---|---|---|---|\n"
        var ids: [String] = []
        for o in outcomes where !ids.contains(o.id) { ids.append(o.id) }
        for id in ids {
            let title = ClosedFormChecks.all.first(where: { $0.id == id })?.title ?? ""
            func cell(_ d: DType) -> String {
                guard let o = outcomes.first(where: { $0.id == id && $0.dtype == d }) else { return "" }
                return "\(o.passed ? "✓" : "✗ \(o.status.rawValue)") \(sci(o.maxError)) (\(sci(o.tolerance)))"
            }
            out += "| `\(id)` | \(title) | \(cell(.float64)) | \(cell(.float32)) |\n"
        }
        let failed = outcomes.filter { !$0.passed }
        if !failed.isEmpty {
            out += "\nFailed checks:\n\n"
            for o in failed { out += "- `\(o.id)` [\(o.dtype.rawValue)]: \(o.message)\n" }
        }
        return out
    }

    public static func json(_ outcomes: [CheckOutcome]) -> JSON {
        .array(outcomes.map { o in
            .object([("id", .string(o.id)), ("dtype", .string(o.dtype.rawValue)), ("status", .string(o.status.rawValue)),
                     ("max_error", optionalNumber(o.maxError)), ("tolerance", JSON(o.tolerance)), ("message", .string(o.message))])
        })
    }
}
