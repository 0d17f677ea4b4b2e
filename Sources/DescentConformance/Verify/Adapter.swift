// Adapter.swift — `descent verify --adapter CMD`: the implementation under test is an external
// program speaking the adapter protocol of the fixture spec. One JSON line per case goes in (the
// case without its expected values; schedule cases get "length"), one JSON line comes back.
// A crash, hang, garbage or wrong answer costs only the case it was on: that case is an `error`
// with a precise message (and the adapter's stderr), and the adapter is restarted for the rest.
import DescentCore
import DescentJSON
import Foundation

public final class AdapterVerifier {
    public let command: String
    public let name: String
    public let timeout: Double
    public let dtype: DType
    /// Extra seconds for the first answer after the adapter (re)starts: start-up (a JVM, a CUDA
    /// context) must not count against a case's timeout.
    public var startupTimeout: Double = 60
    /// Set when the adapter could not start at all (it died before answering its first case:
    /// command not found, not executable, a crash at start-up). The run stops with exit 2.
    public private(set) var cannotStart: String?
    private var everAnswered = false
    /// Starts that died before any answer, while the adapter has never answered.
    private var deadStarts = 0
    private let process: AdapterProcess

    /// Diagnoses failing cases; nil leaves them undiagnosed.
    public var diagnoser: Diagnoser? = Verifier.knownMistakes

    public init(command: String, name: String = "adapter", timeout: Double = 60, dtype: DType = .float64) {
        self.command = command
        self.name = name
        self.timeout = timeout
        self.dtype = dtype
        self.process = AdapterProcess(command: command)
    }

    deinit { process.stop() }

    /// The line sent for a case: the case with `expected`, `expected_lr`, `expected_momentum` and
    /// `expected_loss` removed; schedule cases gain `"length": N`; `"run_dtype"` says which
    /// precision to run in; argument-validation cases carry `"validation": true`.
    public static func request(for c: FixtureCase, runDType: DType) -> JSON {
        guard case let .object(pairs) = request(for: c) else { return request(for: c) }
        // A low-precision case runs in its own format, whatever the run's dtype (FORMAT.md, "Low precision").
        var lowPrecision: StorageFormat?
        if case let .optimizer(oc) = c { lowPrecision = oc.lowPrecision?.params }
        var extra: [(String, JSON)] = [("run_dtype", .string(lowPrecision?.rawValue ?? runDType.rawValue))]
        if c.expectedError != nil { extra.append(("validation", .bool(true))) }
        return .object(pairs + extra)
    }

    public static func request(for c: FixtureCase) -> JSON {
        switch c {
        case let .optimizer(oc):
            guard case let .object(pairs) = oc.json else { return oc.json }
            return .object(pairs.map { (k, v) in
                guard k == "steps", let steps = v.arrayValue else { return (k, v) }
                return (k, .array(steps.map { s in
                    guard case let .object(sp) = s else { return s }
                    return .object(sp.filter { !["expected", "expected_loss", "expected_state"].contains($0.0) })
                }))
            }.filter { $0.0 != "expected_error" })
        case let .schedule(sc):
            guard case let .object(pairs) = sc.json else { return sc.json }
            return .object(pairs.filter { !["expected_lr", "expected_momentum", "expected_error"].contains($0.0) }
                           + [("length", JSON(sc.expectedLR.count))])
        }
    }

    public func run(_ file: FixtureFile) -> [CaseResult] {
        var out: [CaseResult] = []
        for c in file.cases {
            if cannotStart != nil { break }
            var r = run(c, file: file.path)
            if let diagnoser, r.status == .fail { r.diagnosis = diagnoser(c, file.path, r) }
            if r.status == .error, !r.validation { r.diagnosis = Diagnosis.diagnoseError(c, result: r) }
            if case let .optimizer(oc) = c { r.features = oc.field?.features.map(\.rawValue) ?? [] }
            r.trajectory = []
            out.append(r)
        }
        for b in file.broken {
            out.append(CaseResult(file: file.path, id: b.id, kind: "?", convention: "?", name: "?",
                                  implementation: name, dtype: dtype, status: .error, message: b.message))
        }
        return out
    }

    public func finish() { process.stop() }

    package func run(_ c: FixtureCase, file: String) -> CaseResult {
        var r = CaseResult(file: file, id: c.id, kind: { if case let .optimizer(oc) = c { return oc.kind }; return "schedule" }(),
                           convention: c.convention, name: c.name, implementation: name, dtype: dtype,
                           status: .error, message: "")
        r.ran = "adapter: \(command)"
        r.validation = c.expectedError != nil
        if case let .optimizer(oc) = c, let lp = oc.lowPrecision { r.storage = lp.params; r.dtype = .float32 }
        let line: String
        do {
            var firstAfterStart = false
            if !process.running { try process.start(); firstAfterStart = true }
            if !firstAfterStart { _ = process.takeStderr() }
            do {
                try process.send(AdapterVerifier.request(for: c, runDType: dtype).serialized())
            } catch AdapterProcess.Failure.writeFailed {
                // It closed its input: it has most likely exited. Say how (status 127: not found).
                _ = try process.readLine(timeout: 2)
                throw AdapterProcess.Failure.writeFailed
            }
            line = try process.readLine(timeout: firstAfterStart ? timeout + startupTimeout : timeout,
                                        startupAllowance: firstAfterStart ? startupTimeout : 0)
        } catch let f as AdapterProcess.Failure {
            let err = process.takeStderr()
            process.kill9()
            if !everAnswered {
                // Cannot start: the shell found no command (127) or could not run it (126), or it
                // died before answering on two starts in a row (a crash on one case is that case's
                // error; a second start dying the same way is an adapter that does not start).
                var dead = false
                switch f {
                case .spawn: dead = true; deadStarts += 2
                case let .exited(how): dead = true; deadStarts += how.contains("status 127") || how.contains("status 126") ? 2 : 1
                case .writeFailed: dead = true; deadStarts += 1
                default: break
                }
                if dead && deadStarts >= 2 {
                    cannotStart = "the adapter could not start: `\(command)`: \(f.description)"
                        + (err.isEmpty ? " (it wrote nothing on stderr)" : "\n--- adapter stderr ---\n" + err)
                }
            }
            return fault(&r, f.description, stderr: err)
        } catch {
            process.kill9()
            return fault(&r, "\(error)")
        }
        switch judge(line: line, c, r) {
        case let .judged(result):
            everAnswered = true
            return result
        case let .fault(message, parsed, restart):
            if parsed { everAnswered = true }
            if restart { process.kill9() }
            return fault(&r, message)
        }
    }

    /// What one answer line says about case `c`.
    package enum Judgement {
        /// A pass, a fail or `unsupported`.
        case judged(CaseResult)
        /// An error: `parsed` when the line was JSON, `restart` when the adapter is out of step
        /// (garbage, or another case's answer) and must be restarted.
        case fault(String, parsed: Bool, restart: Bool)
    }

    /// The adapter-reply parser: an answer line → the case's result. No process is touched here
    /// (the libFuzzer target .ci/fuzz/AdapterReplyFuzz.swift runs it on arbitrary lines).
    package func judge(line: String, _ c: FixtureCase, _ start: CaseResult) -> Judgement {
        var r = start
        let answer: JSON
        do {
            answer = try JSON.parse(line)
        } catch {
            return .fault("the adapter answered garbage (not a JSON line: \(error)): \(line.prefix(200)) — an adapter must write only its answer lines on stdout: log to stderr",
                          parsed: false, restart: true)
        }
        guard answer.objectValue != nil else {
            return .fault("the adapter answered \(answer.kindName), not an object", parsed: true, restart: true)
        }
        guard answer["id"]?.stringValue == c.id else {
            // Out of step with us: restart so later cases are not misattributed.
            return .fault("the adapter answered for id \(answer["id"]?.serialized() ?? "(none)"), expected \"\(c.id)\"", parsed: true, restart: true)
        }
        if let why = answer["unsupported"] {
            r.status = .unsupported
            r.message = why.stringValue ?? why.serialized()
            return .judged(r)
        }
        if let expected = c.expectedError {
            // The library rejects these arguments: the adapter must reject them with its wording.
            let said = answer["error"]?.stringValue
            r.rejected = answer["error"] != nil
            r.status = said.map { ErrorMessage.matches($0, expected: expected) } == true ? .pass : .fail
            r.message = r.status == .pass ? "" : "expected the error \"\(expected)\", the adapter answered \(said.map { "the error \"\($0)\"" } ?? "without an error")"
            return .judged(r)
        }
        if let e = answer["error"] {
            return .fault("the adapter reported an error: \(e.stringValue ?? e.serialized())", parsed: true, restart: false)
        }
        do {
            switch c {
            case let .optimizer(oc): try compareOptimizer(oc, answer, &r)
            case let .schedule(sc): try compareSchedule(sc, answer, &r)
            }
        } catch let DescentError.invalidInput(field, message) {
            return .fault("the adapter's answer is malformed at '\(field)': \(message)", parsed: true, restart: false)
        } catch {
            return .fault("\(error)", parsed: true, restart: false)
        }
        return .judged(r)
    }

    private func fault(_ r: inout CaseResult, _ message: String, stderr: String? = nil) -> CaseResult {
        r.status = .error
        let err = stderr ?? process.takeStderr()
        r.message = message + (err.isEmpty ? "" : "\n--- adapter stderr ---\n" + err)
        return r
    }

    /// A number, or the strings "NaN"/"Infinity"/"-Infinity" (and null) an adapter may use for
    /// non-finite results: a NaN is data, compared and reported like any other value.
    package static func value(_ v: JSON, _ field: String) throws -> Double {
        if let d = v.doubleValue { return d }
        if v.isNull { return .nan }
        switch v.stringValue {
        case "NaN", "nan": return .nan
        case "Infinity", "inf": return .infinity
        case "-Infinity", "-inf": return -.infinity
        default: throw DescentError.invalidInput(field: field, message: "expected a number, found \(v.kindName)")
        }
    }

    package func compareOptimizer(_ c: OptimizerCase, _ a: JSON, _ r: inout CaseResult) throws {
        try AdapterVerifier.compareOptimizer(c, a, dtype: dtype, who: "the adapter", &r)
    }

    /// An optimizer or training case's answer (`params`, `loss`, `state`: the adapter protocol's
    /// reply, also what `Descent.verify` makes of a field case's answer) against the goldens.
    package static func compareOptimizer(_ c: OptimizerCase, _ a: JSON, dtype: DType, who: String, _ r: inout CaseResult) throws {
        guard let steps = a["params"]?.arrayValue else {
            throw DescentError.invalidInput(field: "params", message: "missing (a list over steps of a list over tensors)")
        }
        guard steps.count == c.steps.count else {
            throw DescentError.invalidInput(field: "params", message: "\(steps.count) steps answered, \(c.steps.count) expected")
        }
        if let lp = c.lowPrecision { return try compareLowPrecision(c, lp, steps, &r) }
        var cmp = TrajectoryComparer(dtype: dtype, tolerance: c.tolerance, float32Override: c.toleranceFloat32,
                                     series: c.params.count + (c.training == nil ? 0 : 1))
        for (k, s) in steps.enumerated() {
            guard let tensors = s.arrayValue, tensors.count == c.params.count else {
                throw DescentError.invalidInput(field: "params[\(k)]", message: "expected \(c.params.count) tensors")
            }
            for (t, tj) in tensors.enumerated() {
                guard let vals = tj.arrayValue, vals.count == c.params[t].count else {
                    throw DescentError.invalidInput(field: "params[\(k)][\(t)]", message: "expected \(c.params[t].count) values")
                }
                let actual = try vals.enumerated().map { try AdapterVerifier.value($0.element, "params[\(k)][\(t)][\($0.offset)]") }
                cmp.compare(step: k, series: t, expected: c.steps[k].expected[t], actual: actual)
                if t == 0 { r.trajectory.append([]) }
                r.trajectory[k].append(actual)
            }
        }
        if c.training != nil {
            // A training case's answer also carries the loss before each step (the last series).
            guard let losses = a["loss"]?.arrayValue else {
                throw DescentError.invalidInput(field: "loss", message: "missing (training cases: the batch loss before each step)")
            }
            guard losses.count == c.steps.count else {
                throw DescentError.invalidInput(field: "loss", message: "\(losses.count) values answered, \(c.steps.count) expected")
            }
            for (k, v) in losses.enumerated() {
                let x = try AdapterVerifier.value(v, "loss[\(k)]")
                cmp.compare(step: k, series: c.params.count, expected: [c.steps[k].expectedLoss!], actual: [x], scale: c.lossScale)
                r.trajectory[k].append([x])
            }
        }
        cmp.finish(into: &r, what: "trajectory")
        if c.training != nil { Verifier.nameLossSeries(&r, tensors: c.params.count) }
        try compareState(c, a, dtype: dtype, who: who, &r)
    }

    /// A low-precision case's answer, in ulps of its format (the values as answered).
    package static func compareLowPrecision(_ c: OptimizerCase, _ lp: LowPrecisionCase, _ steps: [JSON], _ r: inout CaseResult) throws {
        var cmp = LowPrecisionComparer(format: lp.params, toleranceULPs: lp.toleranceULPs, series: c.params.count)
        for (k, s) in steps.enumerated() {
            guard let tensors = s.arrayValue, tensors.count == c.params.count else {
                throw DescentError.invalidInput(field: "params[\(k)]", message: "expected \(c.params.count) tensors")
            }
            r.trajectory.append([])
            for (t, tj) in tensors.enumerated() {
                guard let vals = tj.arrayValue, vals.count == c.params[t].count else {
                    throw DescentError.invalidInput(field: "params[\(k)][\(t)]", message: "expected \(c.params[t].count) values")
                }
                let actual = try vals.enumerated().map { try AdapterVerifier.value($0.element, "params[\(k)][\(t)][\($0.offset)]") }
                cmp.compare(step: k, series: t, expected: c.steps[k].expected[t], actual: actual)
                r.trajectory[k].append(actual)
            }
        }
        cmp.finish(into: &r)
    }

    /// The reply's `state` (one object per step, the forms of `expected_state`) against the
    /// case's, for the steps that expect state. No `state` in the reply: unsupported when the
    /// parameters pass.
    package static func compareState(_ c: OptimizerCase, _ a: JSON, dtype: DType, who: String, _ r: inout CaseResult) throws {
        guard c.steps.contains(where: { $0.field?.expectedState != nil }) else { return }
        guard let states = a["state"]?.arrayValue else {
            if r.status == .pass {
                r.status = .unsupported
                r.message = "the parameters pass, but \(who) gave no state (the case expects state; see \"state\" in the adapter protocol)"
            }
            return
        }
        guard states.count == c.steps.count else {
            throw DescentError.invalidInput(field: "state", message: "\(states.count) steps answered, \(c.steps.count) expected")
        }
        var grader = StateGrader(dtype: dtype, tolerance: c.tolerance, float32Override: c.toleranceFloat32)
        for (k, s) in c.steps.enumerated() {
            guard let expected = s.field?.expectedState else { continue }
            let got = states[k].isNull ? [] : try FixtureLoader.parseExpectedState(states[k], "state[\(k)]", params: c.params, allowNonFinite: true)
            grader.grade(step: k, tensors: c.params.count, expected: expected,
                         scalar: { name in
                             if case let .scalar(v)? = got.first(where: { $0.name == name })?.value { return v }
                             return nil
                         },
                         perTensor: { name, t in
                             guard case let .perTensor(list)? = got.first(where: { $0.name == name })?.value, t < list.count else { return nil }
                             if case .absent = list[t] { return nil }
                             return list[t]
                         })
        }
        grader.finish(into: &r, who: who)
    }

    package func compareSchedule(_ c: ScheduleCase, _ a: JSON, _ r: inout CaseResult) throws {
        guard let lr = a["lr"]?.arrayValue else { throw DescentError.invalidInput(field: "lr", message: "missing") }
        guard lr.count == c.expectedLR.count else {
            throw DescentError.invalidInput(field: "lr", message: "\(lr.count) values answered, \(c.expectedLR.count) expected")
        }
        var cmp = TrajectoryComparer(dtype: dtype, tolerance: c.tolerance, float32Override: c.toleranceFloat32, series: 2)
        let scale = c.expectedLR.map(abs).max() ?? 0
        for (k, v) in lr.enumerated() {
            let x = try AdapterVerifier.value(v, "lr[\(k)]")
            cmp.compare(step: k, series: 0, expected: [c.expectedLR[k]], actual: [x], scale: scale)
            r.trajectory.append([[x]])
        }
        if let em = c.expectedMomentum {
            guard let m = a["momentum"]?.arrayValue, m.count == em.count else {
                throw DescentError.invalidInput(field: "momentum", message: "\(em.count) momentum values expected")
            }
            let ms = em.map(abs).max() ?? 0
            for (k, v) in m.enumerated() {
                cmp.compare(step: k, series: 1, expected: [em[k]], actual: [try AdapterVerifier.value(v, "momentum[\(k)]")], scale: ms)
            }
        }
        cmp.finish(into: &r, what: "schedule")
    }
}
