// CLI.swift — the `descent` command. Exit status: 0 all pass, 1 any failure or error,
// 2 unusable input or usage.
import DescentConformance
import DescentLab
import DescentCore
import DescentJSON
import Foundation

public enum CLI {
    public static let usage = """
    descent — conformance and benchmark suite for optimizers and learning-rate schedules

    USAGE
      descent                      the main job: verify every implementation on every fixture in
                                   fixtures/ (float64 and float32), run the closed-form checks and
                                   the known-wrong variants, write results/conformance.md,
                                   conformance.json, power.md and power.json
      descent verify [PATH...]     verify fixture files or folders (default: fixtures/)
      descent check                run the closed-form checks
      descent power [PATH...]      run the known-wrong variants on the fixtures: which mistakes
                                   the fixtures catch (writes results/power.md, power.json)
      descent list                 conventions, optimizers, schedules, implementations
      descent bench                time optimizer steps against memory bandwidth (see bench --help)
      descent train                train an MLP on digits / toy data with any optimizer and schedule
      descent compare              several optimizers on the same problem: table and SVG plots
      descent tune                 grid / random / Bayesian hyperparameter search (see tune --help)
      descent claims [--quick]     the course's tuning claims as experiments (results/claims.md)
      descent sweep lr             final loss vs lr per optimizer, flatness, lr range test
      descent help [COMMAND]       this text, or a command's

    Run `descent COMMAND --help` for a command's options.
    """

    package static let verifyUsage = """
    descent verify [PATH...] [options]

    Replays every case of the given fixture files (folders are searched for *.json) on the chosen
    implementations and precisions and compares each step with the golden values.

    OPTIONS
      --implementation NAME|all   implementation to run (default: all); repeatable. A known-wrong
                                  variant runs as `wrong:ID` (see `descent list`), e.g. to see
                                  how Descent reports and diagnoses that mistake
      --dtype float64|float32|all precision (default: all; with --adapter: float64). With
                                  --adapter each line sent carries "run_dtype", the precision to
                                  run in, and is graded with that precision's tolerance
      --format text|json|junit    report format on stdout or --output (default: text)
      --output FILE               write the report to FILE (whole, or not at all)
      --verbose                   text: list passing cases too
      --quiet                     text: failures, errors and the summary only (no unsupported lines)
      --no-validation             leave out the argument-validation (expected_error) cases
      --adapter CMD               verify an external program instead (run by /bin/sh -c; it speaks
                                  the adapter protocol of the fixture spec, one JSON line per case)
      --timeout SECONDS           per-case answer deadline for the adapter (default 60)
      --startup-timeout SECONDS   extra allowance for the adapter's first answer after it starts
                                  (a JVM, a CUDA context; default 60)
      --name NAME                 the adapter's name in reports (default: adapter)

    CI GATES
      --strict                    an unsupported case counts as a failure
      --allow-empty               accept a run in which nothing passed (by default: exit 1)
      --expect-failures FILE      known failures: one case id per line, # starts a comment. A
                                  listed case that fails does not fail the run; one that passes
                                  is reported "unexpectedly passed"
      --baseline REPORT.json      an earlier --format json report: fail only on new failures;
                                  newly fixed cases are listed

    Text output ends with the counts (pass, fail, error, unsupported, and the validation cases'
    own) and the line `N passed, N failed, N skipped` (failed = fail + error, skipped =
    unsupported; the JSON summary has the same numbers). Exit status: 0 all pass, 1 any fail or
    error (or nothing passed), 2 unusable input (a missing path, a bad --baseline, an adapter
    that cannot start).
    """

    package static let checkUsage = """
    descent check [--dtype float64|float32|all] [--format text|json] [--output FILE] [--verbose]

    Runs the closed-form checks: facts that need no reference library (momentum unrolled into a
    weighted sum, Adam's bias correction, ridge regression, L2 decay as a shrink, schedules'
    closed forms). Each states what it proves and its tolerance.
    """

    package static let powerUsage = """
    descent power [PATH...] [--variant ID...] [--format text|json|markdown] [--output FILE] [--results DIR]

    Runs every known-wrong variant (a deliberate mistake: Adam without bias correction, eps inside
    the root, AdamW's decay coupled, momentum with lr inside, a cosine schedule one step late, …)
    on the fixtures (default: fixtures/) in float64, and reports for each whether some case
    catches it, which cases, and where it first diverged. Writes results/power.md and
    results/power.json (whole, or not at all). Exit status 0 when every variant is caught.
    """

    package static let listUsage = """
    descent list [--format text|json]

    Lists the conventions with their optimizers and schedules, and the implementations.
    """

    package static let mainUsage = """
    descent [--fixtures DIR] [--results DIR] [--verbose] [--no-bench] [--no-training] [--no-claims]

    The main job: verify every implementation on every fixture (both precisions), run the
    closed-form checks and the known-wrong variants, run a short benchmark (Adam and SGD, float32,
    64K and 4M parameters, against the measured memory bandwidth), print a summary and write
    results/conformance.{md,json}, power.{md,json} and bench-short.{md,json}, and train an MLP on
    digits with four optimizers (results/training.md, training-{loss,accuracy,lr}.svg). Exit status
    0 when everything passes.
    """

    /// Runs the command; returns the exit status.
    public static func main(_ argv: [String]) -> Int32 {
        var args = argv
        let command = args.first.flatMap { $0.hasPrefix("-") ? nil : $0 } ?? ""
        if !command.isEmpty { args.removeFirst() }
        do {
            switch command {
            case "": return try mainJob(args)
            case "verify": return try verify(args)
            case "check": return try check(args)
            case "list": return try list(args)
            case "power": return try power(args)
            case "bench": return try bench(args)
            case "train": return try train(args)
            case "compare": return try compare(args)
            case "tune": return try tune(args)
            case "claims": return try claims(args)
            case "sweep": return try sweep(args)
            case "help":
                let topic = args.first ?? ""
                if topic == "bench" { return try bench(["--help"]) }
                if topic == "train" { return try train(["--help"]) }
                if topic == "compare" { return try compare(["--help"]) }
                if topic == "tune" { return try tune(["--help"]) }
                if topic == "claims" { return try claims(["--help"]) }
                if topic == "sweep" { return try sweep(["--help"]) }
                print(["verify": verifyUsage, "check": checkUsage, "list": listUsage, "power": powerUsage][topic] ?? usage)
                return 0
            default:
                throw UsageError(message: "unknown command '\(command)'")
            }
        } catch let e as UsageError {
            stderr("descent: \(e.message)\nRun `descent --help` for usage.")
            return 2
        } catch let e as ConfigurationError {
            stderr("descent: \(e.message)\nRun `descent --help` for usage.")
            return 2
        } catch let e as InputError {
            stderr("descent: \(e.message)")
            return 2
        } catch let e as LabInputError {
            stderr("descent: \(e.message)")
            return 2
        } catch {
            stderr("descent: \(error)")
            return 2
        }
    }

    package struct InputError: Error { var message: String }

    package static func stderr(_ s: String) {
        FileHandle.standardError.write(Data((s.hasSuffix("\n") ? s : s + "\n").utf8))
    }

    /// Writes to `--output` atomically, or to stdout.
    package static func emit(_ text: String, output: String?) throws {
        if let output {
            do { try AtomicWrite.write(text, to: output) } catch {
                throw InputError(message: "cannot write \(output): \(error.localizedDescription)")
            }
        } else {
            FileHandle.standardOutput.write(Data(text.utf8))
        }
    }

    package static func selectedImplementations(_ a: Arguments) throws -> [any Implementation] {
        let names = a.values("implementation")
        if names.isEmpty || names.contains("all") { return Implementations.all }
        return try names.map { n in
            if n.hasPrefix("wrong:") {
                guard let v = KnownWrong.named(String(n.dropFirst(6))) else {
                    throw UsageError(message: "unknown known-wrong variant '\(n.dropFirst(6))' (known: \(KnownWrong.all.map(\.id).joined(separator: ", ")))")
                }
                return v
            }
            guard let i = Implementations.named(n) else {
                throw UsageError(message: "unknown implementation '\(n)' (known: \(Implementations.all.map(\.name).joined(separator: ", ")))")
            }
            return i
        }
    }

    package static func selectedDTypes(_ a: Arguments) throws -> [DType] {
        let d = try a.choice("dtype", ["float64", "float32", "all"], default: "all")
        return d == "all" ? DType.allCases : [DType(rawValue: d)!]
    }

    // MARK: verify

    /// Loads and verifies; returns the results, or throws InputError when nothing was usable.
    public static func runVerification(paths: [String], verifier: Verifier, progress: Bool = false) throws -> [CaseResult] {
        let (files, missing) = FixtureLoader.discover(paths)
        var results: [CaseResult] = []
        var usable = 0
        var problems: [String] = missing.map { "\($0): no such file or folder" }
        for f in files {
            do {
                let fx = try FixtureLoader.load(path: f)
                usable += fx.cases.count
                if progress { stderr("verifying \(f) (\(fx.cases.count) cases)") }
                results += verifier.run(fx)
            } catch let e as FixtureFileError {
                problems.append(e.description)
                for impl in verifier.implementations {
                    for dt in verifier.dtypes {
                        results.append(CaseResult(file: f, id: "(file)", kind: "file", convention: "?", name: "?",
                                                  implementation: impl.name, dtype: dt, status: .error, message: e.description))
                    }
                }
            }
        }
        for p in problems { stderr("descent: \(p)") }
        if files.isEmpty && missing.isEmpty { throw InputError(message: "no fixture files (*.json) under \(paths.joined(separator: ", "))") }
        if usable == 0 {
            throw InputError(message: "no usable fixture case in \(paths.joined(separator: ", "))" + (problems.isEmpty ? "" : " (see above)"))
        }
        for m in missing {
            for impl in verifier.implementations {
                for dt in verifier.dtypes {
                    results.append(CaseResult(file: m, id: "(file)", kind: "file", convention: "?", name: "?",
                                              implementation: impl.name, dtype: dt, status: .error, message: "\(m): no such file or folder"))
                }
            }
        }
        return results
    }

    package static func verify(_ argv: [String]) throws -> Int32 {
        let a = try Arguments(argv, valued: ["implementation", "dtype", "format", "output", "adapter", "timeout", "name",
                                             "startup-timeout", "expect-failures", "baseline"],
                              flagNames: ["help", "verbose", "quiet", "strict", "allow-empty", "no-validation"])
        if a.flag("help") { print(verifyUsage); return 0 }
        let format = ReportFormat(rawValue: try a.choice("format", ReportFormat.allCases.map(\.rawValue), default: "text"))!
        let paths = a.positional.isEmpty ? [defaultFixtures()] : a.positional
        // Every path must exist: a mistyped one among several is unusable input, not a warning.
        let missing = FixtureLoader.discover(paths).missing
        if !missing.isEmpty {
            throw InputError(message: missing.map { "\($0): no such file or folder" }.joined(separator: "\n"))
        }
        var gate = VerifyGate(strict: a.flag("strict"), allowEmpty: a.flag("allow-empty"))
        do {
            if let f = a.value("expect-failures") { gate.expectedFailures = try VerifyGate.readExpectedFailures(path: f) }
            if let f = a.value("baseline") { gate.baseline = try VerifyGate.readBaseline(path: f) }
        } catch let e as GateInputError { throw InputError(message: e.message) }
        let results: [CaseResult]
        if let command = a.value("adapter") {
            if !a.values("implementation").isEmpty { throw UsageError(message: "--adapter replaces --implementation: give one or the other") }
            func seconds(_ name: String, _ d: Double) throws -> Double {
                try a.value(name).map { t in
                    guard let s = Double(t), s > 0, s.isFinite else { throw UsageError(message: "--\(name) takes a positive number of seconds; got '\(t)'") }
                    return s
                } ?? d
            }
            let dtypes = a.value("dtype") == nil ? [DType.float64] : try selectedDTypes(a)
            results = try runAdapter(paths: paths, command: command, name: a.value("name") ?? "adapter",
                                     timeout: try seconds("timeout", 60), startupTimeout: try seconds("startup-timeout", 60),
                                     dtypes: dtypes, validation: !a.flag("no-validation"))
        } else {
            if a.value("startup-timeout") != nil { throw UsageError(message: "--startup-timeout is for --adapter") }
            var verifier = Verifier(implementations: try selectedImplementations(a), dtypes: try selectedDTypes(a))
            verifier.validation = !a.flag("no-validation")
            results = try runVerification(paths: paths, verifier: verifier)
        }
        let verdict = gate.judge(results)
        let text: String
        switch format {
        case .text: text = Reports.text(results, verbose: a.flag("verbose"), quiet: a.flag("quiet"), notes: verdict.lines)
        case .json: text = Reports.json(results, extra: [("gate", verdict.json)])
        case .junit: text = Reports.junit(results, gate: gate)
        }
        try emit(text, output: a.value("output"))
        if a.value("output") != nil || format != .text {
            for l in verdict.lines { stderr(l) }
            stderr(Summary(results).line)
        }
        return verdict.exitStatus
    }

    package static func defaultFixtures() -> String { "fixtures" }

    /// Verifies an adapter (one process, restarted after faults) on the given fixtures.
    package static func runAdapter(paths: [String], command: String, name: String, timeout: Double, startupTimeout: Double = 60,
                           dtypes: [DType], validation: Bool = true) throws -> [CaseResult] {
        let (files, missing) = FixtureLoader.discover(paths)
        for m in missing { stderr("descent: \(m): no such file or folder") }
        var loaded: [FixtureFile] = []
        var results: [CaseResult] = []
        for f in files {
            do { loaded.append(try FixtureLoader.load(path: f)) } catch {
                stderr("descent: \(error)")
                for dt in dtypes {
                    results.append(CaseResult(file: f, id: "(file)", kind: "file", convention: "?", name: "?",
                                              implementation: name, dtype: dt, status: .error, message: "\(error)"))
                }
            }
        }
        guard loaded.contains(where: { !$0.cases.isEmpty }) else {
            throw InputError(message: "no usable fixture case in \(paths.joined(separator: ", "))")
        }
        if !validation {
            for i in loaded.indices { loaded[i].cases.removeAll { $0.expectedError != nil } }
        }
        for dt in dtypes {
            let adapter = AdapterVerifier(command: command, name: name, timeout: timeout, dtype: dt)
            adapter.startupTimeout = startupTimeout
            for f in loaded {
                results += adapter.run(f)
                // An adapter that cannot start at all (not found, not executable, dies at once) stops the run.
                if let fatal = adapter.cannotStart {
                    adapter.finish()
                    throw InputError(message: fatal)
                }
            }
            adapter.finish()
        }
        return results
    }

    // MARK: list

    package static func list(_ argv: [String]) throws -> Int32 {
        let a = try Arguments(argv, valued: ["format"], flagNames: ["help"])
        if a.flag("help") { print(listUsage); return 0 }
        let format = try a.choice("format", ["text", "json"], default: "text")
        if format == "json" {
            let conv: [JSON] = Conventions.all.map { c in
                .object([("name", .string(c.name)),
                         ("optimizers", .array(c.optimizers.map { .object([("name", .string($0.name)), ("note", .string($0.note))]) })),
                         ("schedules", .array(c.schedules.map { .object([("name", .string($0.name)), ("note", .string($0.note))]) }))])
            }
            let impls: [JSON] = Implementations.all.map { i in
                var o: [(String, JSON)] = [("name", .string(i.name)), ("summary", .string(i.summary))]
                if case let .unavailable(why) = i.availability { o.append(("unavailable", .string(why))) }
                return .object(o)
            }
            print(JSON.object([("format", .string("descent-list/1")), ("conventions", .array(conv)),
                               ("implementations", .array(impls))]).serialized(pretty: true))
            return 0
        }
        var out = "IMPLEMENTATIONS\n"
        for i in Implementations.all {
            out += "  \(i.name.padding(toLength: max(12, Implementations.all.map(\.name.count).max() ?? 0), withPad: " ", startingAt: 0)) \(i.summary)"
            if case let .unavailable(why) = i.availability { out += " — UNAVAILABLE: \(why)" }
            out += "\n"
        }
        for c in Conventions.all {
            out += "\nCONVENTION \(c.name)\n  optimizers:\n"
            for o in c.optimizers { out += "    \(o.name.padding(toLength: 30, withPad: " ", startingAt: 0)) \(o.note)\n" }
            if c.optimizers.isEmpty { out += "    (none yet)\n" }
            out += "  schedules:\n"
            for s in c.schedules { out += "    \(s.name.padding(toLength: 30, withPad: " ", startingAt: 0)) \(s.note)\n" }
            if c.schedules.isEmpty { out += "    (none yet)\n" }
        }
        out += "\nKNOWN-WRONG VARIANTS (descent power; diagnosis of failures)\n"
        for v in KnownWrong.all { out += "  \(v.id.padding(toLength: 36, withPad: " ", startingAt: 0)) \(v.summary)\n" }
        print(out, terminator: "")
        return 0
    }

    // MARK: check

    package static func check(_ argv: [String]) throws -> Int32 {
        let a = try Arguments(argv, valued: ["dtype", "format", "output"], flagNames: ["help", "verbose"])
        if a.flag("help") { print(checkUsage); return 0 }
        let format = try a.choice("format", ["text", "json"], default: "text")
        let outcomes = ClosedFormChecks.run(dtypes: try selectedDTypes(a))
        let text: String
        if format == "json" {
            text = JSON.object([("format", .string("descent-checks/1")), ("checks", CheckReport.json(outcomes))]).serialized(pretty: true) + "\n"
        } else {
            text = CheckReport.text(outcomes, verbose: a.flag("verbose"))
        }
        try emit(text, output: a.value("output"))
        return outcomes.allSatisfy(\.passed) ? 0 : 1
    }

    // MARK: power

    package static func power(_ argv: [String]) throws -> Int32 {
        let a = try Arguments(argv, valued: ["variant", "format", "output", "results"], flagNames: ["help"])
        if a.flag("help") { print(powerUsage); return 0 }
        let format = try a.choice("format", ["text", "json", "markdown"], default: "text")
        var variants = KnownWrong.all
        if !a.values("variant").isEmpty {
            variants = try a.values("variant").map { id in
                guard let v = KnownWrong.named(id) else { throw UsageError(message: "unknown variant '\(id)' (see `descent list`)") }
                return v
            }
        }
        let paths = a.positional.isEmpty ? [defaultFixtures()] : a.positional
        let (files, missing) = FixtureLoader.discover(paths)
        for m in missing { stderr("descent: \(m): no such file or folder") }
        var loaded: [FixtureFile] = []
        for f in files {
            do { loaded.append(try FixtureLoader.load(path: f)) } catch { stderr("descent: \(error)") }
        }
        guard loaded.contains(where: { !$0.cases.isEmpty }) else {
            throw InputError(message: "no usable fixture case in \(paths.joined(separator: ", "))")
        }
        let power = Power.run(files: loaded, variants: variants)
        let command = "descent power" + (argv.isEmpty ? "" : " " + argv.joined(separator: " "))
        if a.positional.isEmpty && a.values("variant").isEmpty {
            let dir = a.value("results") ?? "results"
            try AtomicWrite.write(Power.markdown(power, command: command), to: "\(dir)/power.md")
            try AtomicWrite.write(Power.json(power), to: "\(dir)/power.json")
        }
        let text: String
        switch format {
        case "json": text = Power.json(power)
        case "markdown": text = Power.markdown(power, command: command)
        default: text = Power.text(power)
        }
        try emit(text, output: a.value("output"))
        return power.allSatisfy(\.caught) ? 0 : 1
    }

    // MARK: main job

    package static func mainJob(_ argv: [String]) throws -> Int32 {
        let a = try Arguments(argv, valued: ["fixtures", "results"], flagNames: ["help", "verbose", "no-bench", "no-training", "no-claims"])
        if a.flag("help") { print(usage + "\n\n" + mainUsage); return 0 }
        if !a.positional.isEmpty { throw UsageError(message: "unknown command '\(a.positional[0])'") }
        let fixtures = a.value("fixtures") ?? defaultFixtures()
        let resultsDir = a.value("results") ?? "results"
        guard FileManager.default.fileExists(atPath: fixtures) else {
            throw InputError(message: "no '\(fixtures)' folder here: run from the repository root (or pass --fixtures DIR)")
        }
        let verifier = Verifier()
        let results = try runVerification(paths: [fixtures], verifier: verifier, progress: false)
        let table = ConformanceTable(results: results, root: fixtures)
        let checks = ClosedFormChecks.run()
        let command = "swift run -c release descent"
        try AtomicWrite.write(table.markdown(command: command, extra: CheckReport.markdown(checks)), to: "\(resultsDir)/conformance.md")
        try AtomicWrite.write(table.json(extra: [("checks", CheckReport.json(checks))]), to: "\(resultsDir)/conformance.json")
        var out = "Conformance (\(results.count) runs: \(Set(results.map { "\($0.file)|\($0.id)" }).count) cases × implementations × dtypes)\n\n"
        out += summaryTable(table)
        out += "\n" + Reports.text(results, verbose: a.flag("verbose"))
        let failedChecks = checks.filter { !$0.passed }
        out += "\nClosed-form checks: \(checks.count - failedChecks.count) of \(checks.count) passed (\(ClosedFormChecks.all.count) checks × 2 dtypes)\n"
        for o in failedChecks { out += CheckReport.row(o) + "\n         \(o.message)\n" }

        // The fixtures' power: every known-wrong variant must be caught by some case.
        let files = FixtureLoader.discover([fixtures]).files.compactMap { try? FixtureLoader.load(path: $0) }
        let power = Power.run(files: files)
        let missed = power.filter { !$0.caught }
        try AtomicWrite.write(Power.markdown(power, command: command), to: "\(resultsDir)/power.md")
        try AtomicWrite.write(Power.json(power), to: "\(resultsDir)/power.json")
        out += "Known-wrong variants caught by the fixtures: \(power.count - missed.count) of \(power.count)\n"
        for p in missed { out += "MISSED   \(p.variant.id): \(p.variant.summary) (applies to \(p.applicable) cases)\n" }

        var wrote = "conformance.md, conformance.json, power.md, power.json"
        if !a.flag("no-bench") {
            stderr("running the short benchmark…")
            out += "\nShort benchmark (float32, 1 thread; `descent bench` for the full one):\n\n" + (try Bench.quick(resultsDir: resultsDir)) + "\n"
            wrote += ", bench-short.md, bench-short.json"
        }
        if !a.flag("no-training") {
            // A short comparison of optimizers training an MLP on digits (TrainCommand.swift).
            stderr("training on digits (four optimizers, short)…")
            out += "\nTraining on digits (`descent compare`; curves in results/training-*.svg):\n\n"
                + (try trainingComparison(resultsDir: resultsDir, fixtures: fixtures))
            wrote += ", training.md, training-loss.svg, training-accuracy.svg, training-lr.svg"
        }
        if !a.flag("no-claims") {
            // The course's claims, quick versions (ClaimsCommand.swift; `descent claims` for the full ones).
            stderr("the course's claims (descent claims --quick)…")
            let o = ClaimsOptions(quick: true, fixtures: fixtures, dir: resultsDir)
            let claims = try Claims.run(o)
            try writeClaims(claims, o, command: "descent claims --quick")
            out += "\nThe course's claims (`descent claims --quick`; results/claims.md):\n" + claimsText(claims)
            wrote += ", claims.md, claims.json, claims-*.svg"
        }
        out += "wrote \(resultsDir)/: \(wrote)\n"
        let s = Summary(results)
        // Both buckets of the conformance runs (trajectory and validation cases), the checks, the variants.
        let failed = s.failed + failedChecks.count + missed.count
        let passed = s.passed + checks.count - failedChecks.count + power.count - missed.count
        out += "\(passed) passed, \(failed) failed, \(s.skipped) skipped\n"
        print(out, terminator: "")
        return failed > 0 ? 1 : 0
    }

    /// A plain-text version of the conformance table.
    package static func summaryTable(_ t: ConformanceTable) -> String {
        let headers = ["group"] + t.columns.map { "\($0.implementation) \($0.dtype.rawValue)" }
        var rows: [[String]] = []
        for g in t.groups {
            rows.append([g] + t.columns.map { c in
                let s = t.cells["\(g)|\(c.implementation)|\(c.dtype.rawValue)"]
                guard let s, s.total > 0 else { return "" }
                return s.fail + s.error > 0 ? "\(s.pass)/\(s.total) FAIL" : "\(s.pass)/\(s.total)" + (s.unsupported > 0 ? " (\(s.unsupported) unsup.)" : "")
            })
        }
        var widths = headers.map(\.count)
        for r in rows { for (i, c) in r.enumerated() { widths[i] = max(widths[i], c.count) } }
        func line(_ r: [String]) -> String {
            r.enumerated().map { $0.element.padding(toLength: widths[$0.offset], withPad: " ", startingAt: 0) }.joined(separator: "  ") + "\n"
        }
        return line(headers) + line(widths.map { String(repeating: "-", count: $0) }) + rows.map(line).joined()
    }
}
