// Reports.swift — the verifier's results as text, JSON (`descent-report/1`) and JUnit XML, and the
// conformance tables written to results/.
import DescentCore
import DescentJSON
import Foundation

public enum ReportFormat: String, CaseIterable, Sendable {
    case text, json, junit
}

package func optionalNumber(_ x: Double?) -> JSON {
    guard let x else { return .null }
    if !x.isFinite { return .string(x.isNaN ? "NaN" : (x > 0 ? "Infinity" : "-Infinity")) }
    return JSON(x)
}

public enum Reports {
    // MARK: Text

    /// One line per result that is not a pass (all lines with `verbose`; only failures and errors
    /// with `quiet`), then the counts (`Summary.countsLine`, the JSON summary's words), any `notes`
    /// (the CI gate's lines), and the closing line `N passed, N failed, N skipped`.
    public static func text(_ results: [CaseResult], verbose: Bool = false, quiet: Bool = false, notes: [String] = []) -> String {
        var out = ""
        // Trajectory results first; the argument-validation results apart, under their own heading.
        let shown = results.filter { r in (verbose && !quiet) || r.status == .fail || r.status == .error || (r.status == .unsupported && !quiet) }
        let trajectory = shown.filter { !$0.validation }, validation = shown.filter(\.validation)
        for (i, r) in (trajectory + validation).enumerated() {
            if i == trajectory.count {
                out += "ARGUMENT VALIDATION (expected_error cases: rejected these arguments / with the library's wording)\n"
            }
            out += "\(r.status.rawValue.uppercased().padding(toLength: 11, withPad: " ", startingAt: 0)) "
            out += "\(r.id)  [\(r.implementation), \(r.precisionName)]"
            if (r.status == .pass || r.status == .fail) && !r.validation {
                out += "  max_abs \(sci(r.maxAbsError)) max_rel \(sci(r.maxRelError)) ulps \(sci(r.maxULPs))"
            }
            out += "\n"
            if !r.message.isEmpty { out += "            \(r.message)\n" }
            if r.validation, let rejected = r.rejected {
                out += "            rejected these arguments: \(rejected ? "yes" : "no"); with the library's wording: \(r.withLibraryWording ? "yes" : "no")\n"
            }
            for d in r.diagnosis { out += "            diagnosis: \(d)\n" }
            if r.status == .fail, r.kind == "optimizer" {
                let per = r.firstDivergingStep.enumerated().map { "tensor \($0.offset): \($0.element.map { "step \($0)" } ?? "ok")" }
                out += "            first diverging step per tensor: \(per.joined(separator: ", "))\n"
            }
            if r.status == .fail || verbose, !r.ran.isEmpty { out += "            ran: \(r.ran)\n" }
        }
        let summary = Summary(results)
        out += summary.countsLine + "\n"
        if let f = featureLine(results) { out += f + "\n" }
        for n in notes { out += n + "\n" }
        out += summary.line + "\n"
        return out
    }

    // MARK: JSON

    public static func jsonValue(_ r: CaseResult) -> JSON {
        var o: [(String, JSON)] = [
            ("file", .string(r.file)), ("id", .string(r.id)), ("kind", .string(r.kind)),
            ("convention", .string(r.convention)), ("name", .string(r.name)),
            ("implementation", .string(r.implementation)), ("dtype", .string(r.precisionName)),
            ("status", .string(r.status.rawValue)),
            ("max_abs_error", optionalNumber(r.maxAbsError)), ("max_rel_error", optionalNumber(r.maxRelError)),
            ("max_ulp_error", optionalNumber(r.maxULPs)),
            ("message", .string(r.message)),
        ]
        if let f = r.firstFailure {
            o.append(("first_failure", .object([
                ("step", JSON(f.step)), ("tensor", JSON(f.tensor)), ("index", JSON(f.index)),
                ("expected", optionalNumber(f.expected)), ("actual", optionalNumber(f.actual)),
            ])))
        } else {
            o.append(("first_failure", .null))
        }
        o.append(("first_diverging_step", .array(r.firstDivergingStep.map { $0.map { JSON($0) } ?? .null })))
        if let t = r.tolerance { o.append(("tolerance", .object([("rtol", JSON(t.rtol)), ("atol", JSON(t.atol))]))) }
        o.append(("ran", .string(r.ran)))
        if !r.features.isEmpty { o.append(("features", .array(r.features.map { .string($0) }))) }
        // Which kind of result this is: a trajectory graded against goldens, or an argument
        // validation (rejected at all / with the library's wording, reported apart).
        o.append(("check", .string(r.validation ? "validation" : "trajectory")))
        if r.validation {
            o.append(("rejected", r.rejected.map { .bool($0) } ?? .null))
            o.append(("library_wording", .bool(r.withLibraryWording)))
        }
        o.append(("diagnosis", .array(r.diagnosis.map { .string($0) })))
        return .object(o)
    }

    /// Per field feature (the cases' `features` tags), how its results went:
    /// "field features: param_groups 184 pass, resume 1 fail 327 pass, …"; nil when no result has a tag.
    package static func featureLine(_ results: [CaseResult]) -> String? {
        let tagged = results.filter { !$0.features.isEmpty }
        guard !tagged.isEmpty else { return nil }
        let parts = FieldFeature.allCases.compactMap { f -> String? in
            let rs = tagged.filter { $0.features.contains(f.rawValue) }
            guard !rs.isEmpty else { return nil }
            let counts = Status.allCases.compactMap { st -> String? in
                let n = rs.filter { $0.status == st }.count
                return n == 0 ? nil : "\(n) \(st.rawValue)"
            }
            return "\(f.rawValue) \(counts.joined(separator: " "))"
        }
        return "field features: " + parts.joined(separator: ", ")
    }

    /// The counts in the words of the text summary: pass, fail, error, unsupported (trajectory
    /// cases), `validation` (the same four for `expected_error` cases), and the closing line's
    /// `passed`, `failed` (fail + error), `skipped` (unsupported) over both.
    public static func summaryJSON(_ s: Summary) -> JSON {
        .object([("pass", JSON(s.pass)), ("fail", JSON(s.fail)), ("unsupported", JSON(s.unsupported)), ("error", JSON(s.error)),
                 ("validation", .object([("pass", JSON(s.validationPass)), ("fail", JSON(s.validationFail)),
                                         ("unsupported", JSON(s.validationUnsupported)), ("error", JSON(s.validationError))])),
                 ("passed", JSON(s.passed)), ("failed", JSON(s.failed)), ("skipped", JSON(s.skipped))])
    }

    /// `extra`: further top-level fields (the CI gate's verdict, `gate`).
    public static func json(_ results: [CaseResult], extra: [(String, JSON)] = []) -> String {
        JSON.object([
            ("format", .string("descent-report/1")),
            ("results", .array(results.map(jsonValue))),
            ("summary", summaryJSON(Summary(results))),
        ] + extra).serialized(pretty: true) + "\n"
    }

    // MARK: JUnit

    /// XML text. `attribute`: for an attribute's value, where a raw newline or tab would be
    /// normalised to a space by every XML reader: they are written as character references.
    package static func xml(_ s: String, attribute: Bool = false) -> String {
        var o = ""
        for ch in s.unicodeScalars {
            if attribute, ch == "\n" || ch == "\t" || ch == "\r" { o += "&#\(ch.value);"; continue }
            switch ch {
            case "&": o += "&amp;"
            case "<": o += "&lt;"
            case ">": o += "&gt;"
            case "\"": o += "&quot;"
            case "'": o += "&apos;"
            default:
                if ch.value < 0x20 && ch != "\n" && ch != "\t" { o += " " } else { o.unicodeScalars.append(ch) }
            }
        }
        return o
    }

    /// What one result is in JUnit terms: the gate's reading of it (`gate`: `--strict`,
    /// `--expect-failures`), so a CI system's count agrees with the run's exit status.
    package enum JUnitOutcome { case pass, failure(String, String), error(String, String), skipped(String) }

    package static func junitOutcome(_ r: CaseResult, gate: VerifyGate?) -> JUnitOutcome {
        let listed = gate?.expectedFailures.contains(r.id) == true
        if gate?.validation == .any, r.validation, r.status == .fail, r.rejected == true { return .pass }
        switch r.status {
        case .pass: return .pass
        case .fail where listed, .error where listed:
            return .skipped("expected failure (--expect-failures): " + (r.status == .fail ? failureHeadline(r) : r.message))
        case .fail: return .failure(failureHeadline(r), failureBody(r))
        case .error: return .error(r.message, failureBody(r))
        case .unsupported where gate?.strict == true && !listed:
            return .failure("unsupported, which --strict counts as a failure: \(r.message)", failureBody(r))
        case .unsupported: return .skipped(r.message)
        }
    }

    /// JUnit XML: one testsuite per fixture file, one testcase per case × implementation × dtype.
    /// With a gate, listed expected failures are `skipped` (as pytest writes an xfail) and a
    /// listed case that passed says so in its system-out; under `--strict`, `unsupported` is a failure.
    public static func junit(_ results: [CaseResult], gate: VerifyGate? = nil) -> String {
        var byFile: [String: [CaseResult]] = [:]
        var order: [String] = []
        for r in results {
            if byFile[r.file] == nil { order.append(r.file) }
            byFile[r.file, default: []].append(r)
        }
        func counts(_ rs: [CaseResult]) -> String {
            var f = 0, e = 0, sk = 0
            for r in rs {
                switch junitOutcome(r, gate: gate) {
                case .pass: break
                case .failure: f += 1
                case .error: e += 1
                case .skipped: sk += 1
                }
            }
            return "tests=\"\(rs.count)\" failures=\"\(f)\" errors=\"\(e)\" skipped=\"\(sk)\""
        }
        var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        out += "<testsuites name=\"descent\" \(counts(results))>\n"
        for f in order {
            let rs = byFile[f]!
            out += "  <testsuite name=\"\(xml(f))\" \(counts(rs))>\n"
            for r in rs {
                out += "    <testcase classname=\"\(xml(f))\" name=\"\(xml("\(r.id) [\(r.implementation), \(r.precisionName)]"))\">"
                switch junitOutcome(r, gate: gate) {
                case .pass:
                    if gate?.expectedFailures.contains(r.id) == true {
                        out += "<system-out>unexpectedly passed: listed in --expect-failures; remove it from the list</system-out>"
                    }
                case let .failure(headline, body): out += "<failure message=\"\(xml(headline, attribute: true))\">\(xml(body))</failure>"
                case let .error(message, body): out += "<error message=\"\(xml(message, attribute: true))\">\(xml(body))</error>"
                case let .skipped(message): out += "<skipped message=\"\(xml(message, attribute: true))\"/>"
                }
                out += "</testcase>\n"
            }
            out += "  </testsuite>\n"
        }
        out += "</testsuites>\n"
        return out
    }

    /// A failure's one-line message: the error sizes, then what the text report says first.
    package static func failureHeadline(_ r: CaseResult) -> String {
        var h = ""
        if r.maxAbsError != nil { h = "max_abs \(sci(r.maxAbsError)) max_rel \(sci(r.maxRelError)) ulps \(sci(r.maxULPs))" }
        if !r.message.isEmpty { h += (h.isEmpty ? "" : ": ") + r.message }
        return h.isEmpty ? "failed" : h
    }

    /// A failure's body: the message, the error sizes, the first diverging step per tensor, the
    /// diagnosis and what ran: what the text report shows.
    package static func failureBody(_ r: CaseResult) -> String {
        var lines: [String] = []
        if !r.message.isEmpty { lines.append(r.message) }
        if r.maxAbsError != nil {
            lines.append("max_abs \(sci(r.maxAbsError)) max_rel \(sci(r.maxRelError)) ulps \(sci(r.maxULPs))")
        }
        if let f = r.firstFailure {
            lines.append("first failure: step \(f.step), tensor \(f.tensor), index \(f.index): expected \(f.expected), got \(f.actual)")
        }
        if r.status == .fail, r.kind == "optimizer", !r.firstDivergingStep.isEmpty {
            lines.append("first diverging step per tensor: " + r.firstDivergingStep.enumerated()
                .map { "tensor \($0.offset): \($0.element.map { "step \($0)" } ?? "ok")" }.joined(separator: ", "))
        }
        for d in r.diagnosis { lines.append("diagnosis: \(d)") }
        if !r.ran.isEmpty { lines.append("ran: \(r.ran)") }
        return lines.joined(separator: "\n")
    }

    public static func render(_ results: [CaseResult], format: ReportFormat, verbose: Bool = false) -> String {
        switch format {
        case .text: return text(results, verbose: verbose)
        case .json: return json(results)
        case .junit: return junit(results)
        }
    }
}
