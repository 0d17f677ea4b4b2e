// VerifyGate.swift — what a `descent verify` run means for CI: the exit status, from the results
// and the gate's options.
//
//   --strict                  an `unsupported` case counts as a failure
//   --allow-empty             a run in which nothing passed may exit 0 (by default it exits 1:
//                             a typo in a convention, or an adapter that declines everything, is
//                             not a green run)
//   --expect-failures FILE    known failures (one case id per line, `#` starts a comment): a
//                             listed case that fails does not fail the run; one that passes is
//                             reported "unexpectedly passed"
//   --baseline REPORT.json    an earlier `--format json` report: the run fails only on new
//                             failures; newly fixed cases are listed
//   --validation any|wording  what an argument-validation case must do to count as passing:
//                             `wording` (the default) reject the arguments with the library's
//                             wording; `any` reject them at all, in any words
import DescentCore
import DescentJSON
import Foundation

public struct VerifyGate: Sendable {
    public var strict = false
    public var allowEmpty = false
    /// Case ids expected to fail (any implementation and dtype).
    public var expectedFailures: Set<String> = []
    /// The baseline's results: "id|implementation|dtype" → status.
    public var baseline: [String: Status]?
    /// What a validation case needs to pass the gate (`--validation`).
    public enum ValidationRequirement: String, Sendable, CaseIterable {
        /// Rejecting the arguments at all, in any words.
        case any
        /// Rejecting them with the library's wording (the fixtures' `expected_error`).
        case wording
    }
    public var validation: ValidationRequirement = .wording

    public init(strict: Bool = false, allowEmpty: Bool = false, expectedFailures: Set<String> = [], baseline: [String: Status]? = nil) {
        self.strict = strict
        self.allowEmpty = allowEmpty
        self.expectedFailures = expectedFailures
        self.baseline = baseline
    }

    /// Reads an expect-failures file: one case id per line; `#` starts a comment; blank lines are skipped.
    public static func readExpectedFailures(path: String) throws -> Set<String> {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw GateInputError(message: "--expect-failures \(path): cannot read the file")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw GateInputError(message: "--expect-failures \(path): not UTF-8 text")
        }
        var ids = Set<String>()
        for line in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            let id = (line.firstIndex(of: "#").map { line[..<$0] } ?? line[...]).trimmingCharacters(in: .whitespaces)
            if !id.isEmpty { ids.insert(id) }
        }
        return ids
    }

    /// Reads a `descent-report/1` document: "id|implementation|dtype" → status.
    public static func readBaseline(path: String) throws -> [String: Status] {
        func bad(_ m: String) -> GateInputError { GateInputError(message: "--baseline \(path): \(m)") }
        guard let data = FileManager.default.contents(atPath: path) else { throw bad("cannot read the file") }
        let doc: JSON
        do { doc = try JSON.parse(bytes: [UInt8](data)) } catch { throw bad("not valid JSON: \(error)") }
        guard doc["format"]?.stringValue == "descent-report/1" else {
            throw bad("field 'format' must be \"descent-report/1\" (a `descent verify --format json` report)")
        }
        guard let rs = doc["results"]?.arrayValue else { throw bad("field 'results' must be an array") }
        var out: [String: Status] = [:]
        for (i, r) in rs.enumerated() {
            guard let id = r["id"]?.stringValue, let impl = r["implementation"]?.stringValue,
                  let dt = r["dtype"]?.stringValue, let st = r["status"]?.stringValue.flatMap(Status.init(rawValue:)) else {
                throw bad("results[\(i)]: needs string fields id, implementation, dtype and a status (pass, fail, error, unsupported)")
            }
            out["\(id)|\(impl)|\(dt)"] = st
        }
        return out
    }

    public static func key(_ r: CaseResult) -> String { "\(r.id)|\(r.implementation)|\(r.dtype.rawValue)" }

    /// The gate's verdict on a run.
    public struct Verdict: Sendable {
        public var exitStatus: Int32
        /// Lines for the text report (before its closing line) and stderr.
        public var lines: [String]
        public var expectedFailuresSeen: [String] = []
        public var unexpectedlyPassed: [String] = []
        public var newFailures: [String] = []
        public var newlyFixed: [String] = []
        public var empty = false

        public var json: JSON {
            .object([("exit_status", JSON(Int(exitStatus))), ("empty", .bool(empty)),
                     ("expected_failures", .array(expectedFailuresSeen.map { .string($0) })),
                     ("unexpectedly_passed", .array(unexpectedlyPassed.map { .string($0) })),
                     ("new_failures", .array(newFailures.map { .string($0) })),
                     ("newly_fixed", .array(newlyFixed.map { .string($0) })),
                     ("notes", .array(lines.map { .string($0) }))])
        }
    }

    package func failing(_ s: Status) -> Bool { s == .fail || s == .error || (strict && s == .unsupported) }

    public func judge(_ given: [CaseResult]) -> Verdict {
        var v = Verdict(exitStatus: 0, lines: [])
        // --validation any: a validation case that rejected the arguments in its own words passes the gate.
        var results = given
        if validation == .any {
            var n = 0
            for i in results.indices where results[i].validation && results[i].status == .fail && results[i].rejected == true {
                results[i].status = .pass
                n += 1
            }
            if n > 0 { v.lines.append("--validation any: \(n) validation case\(n == 1 ? "" : "s") rejected the arguments in other words than the library's and count as passing") }
        }
        var counted: [CaseResult] = []   // failing results that count against the run
        for r in results {
            let listed = expectedFailures.contains(r.id)
            if failing(r.status) {
                if listed { v.expectedFailuresSeen.append(Self.key(r)) } else { counted.append(r) }
            } else if listed, r.status == .pass {
                v.unexpectedlyPassed.append(Self.key(r))
            }
        }
        if strict {
            let n = results.filter { $0.status == .unsupported }.count
            if n > 0 { v.lines.append("--strict: \(n) unsupported result\(n == 1 ? "" : "s") count as failures") }
        }
        if !v.expectedFailuresSeen.isEmpty {
            v.lines.append("expected failures (--expect-failures): \(v.expectedFailuresSeen.count) failed as expected and do not fail the run")
        }
        for k in v.unexpectedlyPassed { v.lines.append("unexpectedly passed: \(k) (listed in --expect-failures; remove it from the list)") }
        var failingCount = counted.count
        if let baseline {
            for r in counted {
                let before = baseline[Self.key(r)]
                if before == nil || !failing(before!) { v.newFailures.append(Self.key(r)) }
            }
            for r in results where r.status == .pass {
                if let before = baseline[Self.key(r)], failing(before) { v.newlyFixed.append(Self.key(r)) }
            }
            let old = counted.count - v.newFailures.count
            v.lines.append("against the baseline: \(v.newFailures.count) new failure\(v.newFailures.count == 1 ? "" : "s"), \(v.newlyFixed.count) newly fixed, \(old) failing as before")
            for k in v.newFailures { v.lines.append("new failure: \(k)") }
            for k in v.newlyFixed { v.lines.append("newly fixed: \(k)") }
            failingCount = v.newFailures.count
        }
        let passed = results.filter { $0.status == .pass }.count
        if passed == 0 {
            v.empty = true
            if !allowEmpty {
                let s = Summary(results)
                v.lines.append("nothing passed: 0 of \(results.count) results passed (\(s.unsupported + s.validationUnsupported) unsupported, \(s.failed) failed); a run that verifies nothing is not a success (--allow-empty accepts it)")
            }
        }
        v.exitStatus = failingCount > 0 || (v.empty && !allowEmpty) ? 1 : 0
        return v
    }
}

public struct GateInputError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public var description: String { message }
}
