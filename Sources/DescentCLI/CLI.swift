// CLI.swift — the `descent` command. Exit status: 0 all pass, 1 any failure or error,
// 2 unusable input or usage.
import DescentConformance
import DescentLab
import DescentCore
import DescentJSON
import Foundation

public enum CLI {
    package static let verifyUsage = """
    descent verify [PATH...] [options]

    Replays every case of the given fixture files (folders are searched for *.json) on the chosen
    implementations and precisions and compares each step with the golden values.

    OPTIONS
      --implementation NAME|all   implementation to run (default: all); repeatable. A known-wrong
                                  variant runs as `wrong:ID` (see `descent list`), e.g. to see
                                  how Descent reports and diagnoses that mistake
      --dtype float64|float32|bfloat16|float16|all
                                  precision (default: all; with --adapter: float64 and the
                                  low-precision cases). bfloat16 / float16 run only the
                                  low-precision cases (a `low_precision` field) of that storage
                                  format, each once, in float32 arithmetic rounded where the
                                  case's library path rounds, graded in ulps of the format; with
                                  float64 / float32 they are left out. With --adapter each line
                                  sent carries "run_dtype", the precision to run in (a
                                  low-precision case's own format), graded at its tolerance
      --format text|json|junit    report format on stdout or --output (default: the one --output's
                                  extension names, .json → json, .xml → junit; else text)
      --output FILE               write the report to FILE (whole, or not at all)
      --verbose                   text: list passing cases too
      --quiet                     text: failures, errors and the summary only (no unsupported lines)
      --no-validation             leave out the argument-validation (expected_error) cases
      --feature NAME              only the cases tagged with this field feature (repeatable):
                                  param_groups, missing_grads, state, resume, accumulation,
                                  non_finite, schedule_in_optimizer, empty_tensors
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
      --validation any|wording    what an argument-validation case needs to pass the gate:
                                  reject the arguments with the library's wording (wording, the
                                  default) or reject them at all, in any words (any). Reports
                                  state both apart: "rejected these arguments" and "with the
                                  library's wording"; validation results are listed apart

    Text output ends with the counts (pass, fail, error, unsupported, and the validation cases'
    own) and the line `N passed, N failed, N skipped` (failed = fail + error, skipped =
    unsupported; the JSON summary has the same numbers). Exit status: 0 all pass, 1 any fail or
    error (or nothing passed), 2 unusable input (a missing path, a bad --baseline, an adapter
    that cannot start).
    """

    package static let checkUsage = """
    descent check [--dtype float64|float32|all] [--format text|json|markdown] [--output FILE] [--verbose]

    Runs the closed-form checks: facts that need no reference library (momentum unrolled into a
    weighted sum, Adam's bias correction, ridge regression, L2 decay as a shrink, schedules'
    closed forms). Each states what it proves and its tolerance. --format defaults to the one
    --output's extension names (.json, .md), else text; --verbose lists the passing checks' details.
    Exit status 0 when every check passes, 1 otherwise.
    """

    package static let powerUsage = """
    descent power [PATH...] [--variant ID...] [--format text|json|markdown] [--output FILE] [--results DIR]

    Runs every known-wrong variant (a deliberate mistake: Adam without bias correction, eps inside
    the root, AdamW's decay coupled, momentum with lr inside, a cosine schedule one step late, …)
    on the fixtures (default: fixtures/) in float64, and reports for each whether some case
    catches it, which cases, and where it first diverged. Run on the default fixtures with every
    variant, it also writes results/power.md and results/power.json (whole, or not at all; --results
    DIR for another folder). --format defaults to the one --output's extension names (.json, .md),
    else text. Exit status 0 when every variant is caught, 1 otherwise.
    """

    package static let listUsage = """
    descent list [--format text|json] [--output FILE]
    descent list --coverage [--format markdown|json] [--output FILE]

    Lists the implementations (and why one is unavailable), the conventions with their optimizers
    and schedules and their keyword arguments, and the known-wrong variants. --format defaults to
    json when --output ends in .json, else text.

    --coverage compares what each library exports at its pinned version (every optimizer and
    schedule name, listed from the library itself by reference/gen_library_names.py into
    fixtures/data/library-names.txt) with the registry: per library, how many Descent covers,
    and each name it does not, with why. The README's coverage table is this output (markdown).
    """

    package static let mainUsage = """
    THE MAIN JOB: descent [--fixtures DIR] [--results DIR] [--verbose] [--no-bench] [--no-training] [--no-claims]
      1. verifies every implementation (naive, vectorized, vectorized-portable, and blas when OpenBLAS
         loads) on every fixture under fixtures/ (--fixtures DIR) in float64 and float32, and runs
         the closed-form checks (`descent check`): writes results/conformance.md, and
         results/local/conformance.json (its measured errors depend on the CPU's instruction set)
      2. runs every known-wrong variant on the fixtures in float64 (`descent power`): which mistakes
         the fixtures catch; writes results/power.md and results/power.json
      3. a short benchmark: torch/Adam and torch/SGD steps, float32, 64K and 4M parameters, 1 thread,
         every implementation, against the measured memory bandwidth (`descent bench --quick`);
         writes results/local/bench-short.md and bench-short.json
      4. trains an MLP on digits for 20 epochs with four optimizers (torch/SGD, SGD with momentum,
         Adam, AdamW with warmup and cosine; `descent compare`): writes results/local/training.md and
         training-loss.svg, training-accuracy.svg, training-lr.svg
      5. the course's claims, quick versions (`descent claims --quick`): writes
         results/local/claims.md, claims.json and claims-*.svg
      and prints a summary: the conformance table, the failing cases, the checks, the variants no
      case catches, the bench and training tables, the claims' verdicts, the files written, and
      `N passed, N failed, N skipped` (cases, checks and variants). Every file is written whole, or
      not at all. results/conformance.* and power.* are deterministic (committed in the repository);
      steps 3–5 depend on timing and on the machine, so they go to results/local/ (git-ignored).
      Exit status 0 when every case and check passes and every variant is caught (a claim that does
      not hold is a result, not a failure), 1 otherwise, 2 unusable input (no fixtures/ folder, or
      no usable case in it).

    OPTIONS OF THE MAIN JOB
      --fixtures DIR   the fixtures to verify (default: fixtures, so run it from the repository root)
      --results DIR    where to write the reports (default: results; steps 3–5 under DIR/local)
      --verbose        list the passing cases too
      --no-bench       leave out step 3, the short benchmark
      --no-training    leave out step 4, the training comparison on digits
      --no-claims      leave out step 5, the quick claims
    """

    /// Runs the command; returns the exit status.
    public static func main(_ argv: [String]) -> Int32 {
        do {
            // DESCENT_BLAS_CORE is read when BLAS loads; a value that cannot be used stops here.
            if let core = ProcessInfo.processInfo.environment["DESCENT_BLAS_CORE"] {
                do { _ = try BLASCore.decide(cpuFlags: CPUFeatures.current.flags, reported: nil, descentBlasCore: core, openblasCoretype: nil) }
                catch { throw InputError(message: "\(error)") }
            }
            // A first word that is not an option names the command (CLI.commands); none: the main job.
            if let first = argv.first, !first.hasPrefix("-") {
                guard let c = command(first) else { throw unknownCommand(first) }
                return try c.invoke(Array(argv.dropFirst()), path: c.name)
            }
            return try mainCommand.invoke(argv, path: "")
        } catch let e as CommandUsageError {
            let command = e.command.isEmpty || e.command == "help" ? "" : e.command + " "
            stderr("descent: \(e.message)\nRun `descent \(command)--help` for usage.")
            return 2
        } catch let e where e is UsageError || e is ConfigurationError {
            // The command line's usage errors and the lab's unrunnable settings (both describe
            // themselves by their message).
            stderr("descent: \(e)\nRun `descent --help` for usage.")
            return 2
        } catch let e where e is InputError || e is LabInputError {
            // Inputs that cannot be used (files, adapters), the command's and the lab's.
            stderr("descent: \(e)")
            return 2
        } catch let e as DescentError {
            stderr("descent: \(e.description)")
            return 2
        } catch {
            stderr("descent: \(error)")
            return 2
        }
    }

    package static func unknownCommand(_ word: String) -> UsageError {
        UsageError(message: "unknown command '\(word)'" + Suggest.didYouMean(word, among: commands.map(\.name)))
    }

    package struct InputError: Error, CustomStringConvertible {
        var message: String
        package var description: String { message }
    }

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
                let id = String(n.dropFirst(6))
                guard let v = KnownWrong.named(id) else {
                    throw UsageError(message: "unknown known-wrong variant '\(id)'" + Suggest.didYouMean(id, among: KnownWrong.all.map(\.id), prefix: "wrong:")
                                     + " (known: \(KnownWrong.all.map(\.id).joined(separator: ", ")))")
                }
                return v
            }
            guard let i = Implementations.named(n) else { throw unknownImplementation(n) }
            return i
        }
    }

    package static func unknownImplementation(_ n: String) -> UsageError {
        let names = Implementations.all.map(\.name)
        return UsageError(message: "unknown implementation '\(n)'" + Suggest.didYouMean(n, among: names + ["all"])
                          + " (known: \(names.joined(separator: ", ")), all; a known-wrong variant as wrong:ID)")
    }

    /// `verify --dtype`: the float dtypes and the low-precision storage formats to run
    /// (`bfloat16`/`float16`: only the low-precision cases of that format; `all`: everything).
    package static func verifyPrecisions(_ a: Arguments, default d: String = "all") throws -> (dtypes: [DType], formats: [StorageFormat]) {
        let v = try a.choice("dtype", ["float64", "float32", "bfloat16", "float16", "all"], default: d)
        if v == "all" { return (DType.allCases, StorageFormat.allCases) }
        if let f = StorageFormat(rawValue: v) { return ([], [f]) }
        return ([DType(rawValue: v)!], [])
    }

    package static func selectedDTypes(_ a: Arguments) throws -> [DType] {
        let d = try a.choice("dtype", ["float64", "float32", "all"], default: "all")
        return d == "all" ? DType.allCases : [DType(rawValue: d)!]
    }

    // MARK: verify

    /// Loads and verifies; returns the results, or throws InputError when nothing was usable.
    public static func runVerification(paths: [String], verifier: Verifier, progress: Bool = false) throws -> [CaseResult] {
        runVerification(try loadFixtures(paths), verifier: verifier, progress: progress)
    }

    /// Verifies loaded fixtures: a file that did not load, or a missing path, is an error result
    /// per implementation and dtype.
    package static func runVerification(_ fixtures: LoadedFixtures, verifier: Verifier, progress: Bool = false) -> [CaseResult] {
        let names = verifier.implementations.map(\.name)
        var results: [CaseResult] = []
        for entry in fixtures.entries {
            switch entry {
            case let .loaded(fx):
                if progress { stderr("verifying \(fx.path) (\(fx.cases.count) cases)") }
                results += verifier.run(fx)
            case let .broken(path, message):
                results += LoadedFixtures.fileErrors(path: path, message: message, implementations: names, dtypes: verifier.dtypes)
            }
        }
        return results + fixtures.missingErrors(implementations: names, dtypes: verifier.dtypes)
    }

    package static let verifyValued: Set<String> = ["implementation", "dtype", "format", "output", "adapter", "timeout", "name", "feature",
                                                    "startup-timeout", "expect-failures", "baseline", "validation"]
    package static let verifyFlags: Set<String> = ["verbose", "quiet", "strict", "allow-empty", "no-validation"]

    package static func verify(_ a: Arguments) throws -> Int32 {
        let format = ReportFormat(rawValue: try a.outputFormat(ReportFormat.allCases.map(\.rawValue)))!
        let paths = a.positional.isEmpty ? [defaultFixtures()] : a.positional
        // Every path must exist: a mistyped one among several is unusable input, not a warning.
        let missing = FixtureLoader.discover(paths).missing
        if !missing.isEmpty {
            throw InputError(message: missing.map { "\($0): no such file or folder" }.joined(separator: "\n"))
        }
        var gate = VerifyGate(strict: a.flag("strict"), allowEmpty: a.flag("allow-empty"))
        gate.validation = VerifyGate.ValidationRequirement(rawValue: try a.choice("validation", VerifyGate.ValidationRequirement.allCases.map(\.rawValue), default: "wording"))!
        do {
            if let f = a.value("expect-failures") { gate.expectedFailures = try VerifyGate.readExpectedFailures(path: f) }
            if let f = a.value("baseline") { gate.baseline = try VerifyGate.readBaseline(path: f) }
        } catch let e as GateInputError { throw InputError(message: e.message) }
        let features = try Set(a.values("feature").map { f -> FieldFeature in
            guard let x = FieldFeature(rawValue: f) else {
                throw UsageError(message: "--feature: unknown feature '\(f)' (known: \(FieldFeature.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            return x
        })
        let results: [CaseResult]
        if let command = a.value("adapter") {
            if !a.values("implementation").isEmpty { throw UsageError(message: "--adapter replaces --implementation: give one or the other") }
            func seconds(_ name: String, _ d: Double) throws -> Double {
                try a.value(name).map { t in
                    guard let s = Double(t), s > 0, s.isFinite else { throw UsageError(message: "--\(name) takes a positive number of seconds; got '\(t)'") }
                    return s
                } ?? d
            }
            let (dtypes, formats) = a.value("dtype") == nil ? ([DType.float64], StorageFormat.allCases) : try verifyPrecisions(a)
            results = try runAdapter(paths: paths, command: command, name: a.value("name") ?? "adapter",
                                     timeout: try seconds("timeout", 60), startupTimeout: try seconds("startup-timeout", 60),
                                     dtypes: dtypes, formats: formats, validation: !a.flag("no-validation"), features: features)
        } else {
            if a.value("startup-timeout") != nil { throw UsageError(message: "--startup-timeout is for --adapter") }
            let (dtypes, formats) = try verifyPrecisions(a)
            var verifier = Verifier(implementations: try selectedImplementations(a), dtypes: dtypes)
            verifier.storageFormats = formats
            verifier.validation = !a.flag("no-validation")
            verifier.features = features
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
                           dtypes: [DType], formats: [StorageFormat] = StorageFormat.allCases, validation: Bool = true,
                           features: Set<FieldFeature> = []) throws -> [CaseResult] {
        let fixtures = try loadFixtures(paths)
        var results: [CaseResult] = []
        for case let .broken(path, message) in fixtures.entries {
            results += LoadedFixtures.fileErrors(path: path, message: message, implementations: [name], dtypes: dtypes)
        }
        var loaded = fixtures.files
        if !validation {
            for i in loaded.indices { loaded[i].cases.removeAll { $0.expectedError != nil } }
        }
        for i in loaded.indices { loaded[i].cases.removeAll { !Verifier.selects($0, features: features) } }
        // Low-precision cases run once, in their own format (one pass of their own), the others per dtype.
        func lowPrecision(_ c: FixtureCase) -> StorageFormat? { if case let .optimizer(oc) = c { return oc.lowPrecision?.params }; return nil }
        var passes: [(DType, [FixtureFile])] = dtypes.map { dt in
            (dt, loaded.map { f in var f = f; f.cases.removeAll { lowPrecision($0) != nil }; return f })
        }
        if !formats.isEmpty {
            passes.append((.float32, loaded.map { f in
                var f = f; f.cases.removeAll { lowPrecision($0).map { !formats.contains($0) } ?? true }; f.broken = []; return f
            }))
        }
        for (dt, files) in passes {
            let adapter = AdapterVerifier(command: command, name: name, timeout: timeout, dtype: dt)
            adapter.startupTimeout = startupTimeout
            for f in files where !f.cases.isEmpty || !f.broken.isEmpty {
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

    /// An entry's schema as `descent list --format json` writes it.
    package static func keywordsJSON(_ keywords: [Keyword]) -> JSON {
        .array(keywords.map { k in
            .object([("name", .string(k.name)), ("default", k.required ? .null : k.defaultValue ?? .null),
                     ("required", .bool(k.required)), ("no_effect", .bool(k.kind == .noEffect))])
        })
    }

    package static func list(_ a: Arguments) throws -> Int32 {
        if let p = a.positional.first { throw UsageError(message: "list: unexpected '\(p)'") }
        if a.flag("coverage") {
            let format = try a.outputFormat(["markdown", "json"], default: "markdown")
            let coverage = try Coverage.compute()
            try emit(format == "json" ? Coverage.json(coverage).serialized(pretty: true) + "\n" : Coverage.markdown(coverage),
                     output: a.value("output"))
            return 0
        }
        let format = try a.outputFormat(["text", "json"])
        if format == "json" {
            let conv: [JSON] = Conventions.all.map { c in
                .object([("name", .string(c.name)),
                         ("optimizers", .array(c.optimizers.map { .object([("name", .string($0.name)), ("note", .string($0.note)),
                                                                           ("keywords", keywordsJSON($0.keywords))]) })),
                         ("schedules", .array(c.schedules.map { .object([("name", .string($0.name)), ("note", .string($0.note)),
                                                                         ("keywords", keywordsJSON($0.keywords))]) }))])
            }
            let impls: [JSON] = Implementations.all.map { i in
                var o: [(String, JSON)] = [("name", .string(i.name)), ("summary", .string(i.summary))]
                if case let .unavailable(why) = i.availability { o.append(("unavailable", .string(why))) }
                return .object(o)
            }
            try emit(JSON.object([("format", .string("descent-list/1")), ("conventions", .array(conv)),
                                  ("implementations", .array(impls))]).serialized(pretty: true) + "\n", output: a.value("output"))
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
            for o in c.optimizers {
                out += "    \(o.name.padding(toLength: 30, withPad: " ", startingAt: 0)) \(o.note)\n"
                out += "    \("".padding(toLength: 30, withPad: " ", startingAt: 0)) (\(o.keywords.signature))\n"
            }
            if c.optimizers.isEmpty { out += "    (none yet)\n" }
            out += "  schedules:\n"
            for s in c.schedules {
                out += "    \(s.name.padding(toLength: 30, withPad: " ", startingAt: 0)) \(s.note)\n"
                out += "    \("".padding(toLength: 30, withPad: " ", startingAt: 0)) (\(s.keywords.signature))\n"
            }
            if c.schedules.isEmpty { out += "    (none yet)\n" }
        }
        out += "\nKNOWN-WRONG VARIANTS (descent power; diagnosis of failures)\n"
        for v in KnownWrong.all { out += "  \(v.id.padding(toLength: 36, withPad: " ", startingAt: 0)) \(v.summary)\n" }
        try emit(out, output: a.value("output"))
        return 0
    }

    // MARK: check

    package static func check(_ a: Arguments) throws -> Int32 {
        if let p = a.positional.first { throw UsageError(message: "check: unexpected '\(p)'") }
        let format = try a.outputFormat(["text", "json", "markdown"])
        let outcomes = ClosedFormChecks.run(dtypes: try selectedDTypes(a))
        let text: String
        switch format {
        case "json":
            text = JSON.object([("format", .string("descent-checks/1")), ("checks", CheckReport.json(outcomes))]).serialized(pretty: true) + "\n"
        case "markdown": text = String(CheckReport.markdown(outcomes).drop { $0 == "\n" })   // (written as an appendix)
        default: text = CheckReport.text(outcomes, verbose: a.flag("verbose"))
        }
        try emit(text, output: a.value("output"))
        return outcomes.allSatisfy(\.passed) ? 0 : 1
    }

    // MARK: power

    package static func power(_ a: Arguments) throws -> Int32 {
        let format = try a.outputFormat(["text", "json", "markdown"])
        var variants = KnownWrong.all
        if !a.values("variant").isEmpty {
            variants = try a.values("variant").map { id in
                guard let v = KnownWrong.named(id) else {
                    throw UsageError(message: "unknown variant '\(id)'" + Suggest.didYouMean(id, among: KnownWrong.all.map(\.id)) + " (see `descent list`)")
                }
                return v
            }
        }
        let paths = a.positional.isEmpty ? [defaultFixtures()] : a.positional
        let loaded = try loadFixtures(paths).files
        let power = Power.run(files: loaded, variants: variants)
        let command = "descent power" + (a.raw.isEmpty ? "" : " " + a.raw.joined(separator: " "))
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

    /// The main job (`descent` with no command; its help is `mainUsage`). The deterministic reports
    /// (conformance, power) go to DIR (results/, committed); what depends on timing or on the
    /// machine's arithmetic (the short bench, the training comparison, the quick claims) to
    /// DIR/local (results/local/, git-ignored), so the job leaves a clone's committed files as they were.
    package static func mainJob(_ a: Arguments) throws -> Int32 {
        if let p = a.positional.first { throw unknownCommand(p) }
        let fixtures = a.value("fixtures") ?? defaultFixtures()
        let resultsDir = a.value("results") ?? "results"
        let localDir = mainJobLocalDir(resultsDir)
        guard FileManager.default.fileExists(atPath: fixtures) else {
            throw InputError(message: "no '\(fixtures)' folder here: run from the repository root (or pass --fixtures DIR)")
        }
        let loaded = try loadFixtures([fixtures])
        let results = runVerification(loaded, verifier: Verifier())
        let table = ConformanceTable(results: results, root: fixtures)
        let checks = ClosedFormChecks.run()
        let command = "swift run -c release descent"
        try AtomicWrite.write(table.markdown(command: command, extra: CheckReport.markdown(checks)), to: "\(resultsDir)/conformance.md")
        // The JSON carries each run's measured errors, whose last digits depend on the CPU's
        // vector instructions: machine-dependent, so it goes with the timing files.
        try AtomicWrite.write(table.json(extra: [("checks", CheckReport.json(checks))]), to: "\(localDir)/conformance.json")
        var out = "Conformance (\(results.count) runs: \(Set(results.map { "\($0.file)|\($0.id)" }).count) cases × implementations × dtypes)\n\n"
        out += summaryTable(table)
        out += "\n" + Reports.text(results, verbose: a.flag("verbose"))
        let failedChecks = checks.filter { !$0.passed }
        out += "\nClosed-form checks: \(checks.count - failedChecks.count) of \(checks.count) passed (\(ClosedFormChecks.all.count) checks × 2 dtypes)\n"
        for o in failedChecks { out += CheckReport.row(o) + "\n         \(o.message)\n" }

        // The fixtures' power: every known-wrong variant must be caught by some case.
        let power = Power.run(files: loaded.files)
        let missed = power.filter { !$0.caught }
        try AtomicWrite.write(Power.markdown(power, command: command), to: "\(resultsDir)/power.md")
        try AtomicWrite.write(Power.json(power), to: "\(resultsDir)/power.json")
        out += "Known-wrong variants caught by the fixtures: \(power.count - missed.count) of \(power.count)\n"
        for p in missed { out += "MISSED   \(p.variant.id): \(p.variant.summary) (applies to \(p.applicable) cases)\n" }

        var local: [String] = ["conformance.json"]
        if !a.flag("no-bench") {
            stderr("running the short benchmark…")
            out += "\nShort benchmark (float32, 1 thread; `descent bench` for the full one):\n\n" + (try Bench.quick(resultsDir: localDir)) + "\n"
            local += ["bench-short.md", "bench-short.json"]
        }
        if !a.flag("no-training") {
            // A short comparison of optimizers training an MLP on digits (TrainCommand.swift).
            stderr("training on digits (four optimizers, short)…")
            out += "\nTraining on digits (`descent compare`; curves in \(localDir)/training-*.svg):\n\n"
                + (try trainingComparison(resultsDir: localDir, fixtures: fixtures))
            local += ["training.md", "training-loss.svg", "training-accuracy.svg", "training-lr.svg"]
        }
        if !a.flag("no-claims") {
            // The course's claims, quick versions (ClaimsCommand.swift; `descent claims` for the full ones).
            stderr("the course's claims (descent claims --quick)…")
            let o = ClaimsOptions(quick: true, fixtures: fixtures, dir: localDir)
            let claims = try Claims.run(o)
            let claimsCommand = "descent claims --quick --results \(localDir)"
            try writeClaims(claims, o, command: claimsCommand)
            out += "\nThe course's claims (`\(claimsCommand)`; \(localDir)/claims.md):\n" + claimsText(claims)
            local += ["claims.md", "claims.json", "claims-*.svg"]
        }
        out += "wrote \(resultsDir)/: conformance.md, power.md, power.json\n"
        out += "wrote \(localDir)/ (timing- and machine-dependent, not committed): \(local.joined(separator: ", "))\n"
        let s = Summary(results)
        // Both buckets of the conformance runs (trajectory and validation cases), the checks, the variants.
        let failed = s.failed + failedChecks.count + missed.count
        let passed = s.passed + checks.count - failedChecks.count + power.count - missed.count
        out += "\(passed) passed, \(failed) failed, \(s.skipped) skipped\n"
        print(out, terminator: "")
        return failed > 0 ? 1 : 0
    }

    /// Where the main job writes what depends on timing or on the machine (git-ignored as /results/local/).
    package static func mainJobLocalDir(_ resultsDir: String) -> String { "\(resultsDir)/local" }

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
