// HardeningTests.swift — issue 14: no trap reachable from input (a bad-input catalogue run through
// the real `descent verify`), the CI gates (--strict, --allow-empty, --expect-failures,
// --baseline), the adapter in CI (run_dtype, start-up allowance, an adapter that cannot start,
// the "log to stderr" hint, JUnit bodies, error messages compared with numbers as numbers,
// --quiet, `wrong:` typos, missing paths), and validation cases in their own bucket (issue 11 §5–6).
import Foundation
import Testing
@testable import DescentConformance
@testable import DescentLab
@testable import DescentCLI
import DescentJSON
import DescentCore

/// A scratch folder, removed by the caller.
func scratch() throws -> String {
    let d = FileManager.default.temporaryDirectory.appendingPathComponent("descent-hardening-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
    return d
}

/// Runs `descent ARGS` in-process with the report written to a file; returns (status, report).
func runCLI(_ args: [String], dir: String, name: String = "report.out") -> (Int32, String) {
    let out = "\(dir)/\(name)"
    try? FileManager.default.removeItem(atPath: out)
    let status = CLI.main(args + ["--output", out])
    return (status, (try? String(contentsOfFile: out, encoding: .utf8)) ?? "")
}

/// A case that fails with the textbook SGD (expected values off at step 1).
func failingCase(id: String) -> String {
    sgdCase(id: id).replacingOccurrences(of: "[[0.4, 2.1]]", with: "[[0.4, 2.0]]")
}

/// A case no implementation runs (unknown optimizer name: unsupported).
func unsupportedCase(id: String) -> String {
    sgdCase(id: id).replacingOccurrences(of: "\"name\": \"sgd\"", with: "\"name\": \"no_such_optimizer\"")
}

@Suite struct BadInputCatalogueTests {
    /// Each item: a broken case (by text edits of the good SGD case). Every one must be an error
    /// naming the file, the case and the field, exit 1, the good case beside it still judged
    /// (pass), and the report written whole.
    static let catalogue: [(String, String, String)] = [
        // (label, case text, the field the message must name)
        ("shape overflow", sgdCase(id: "bad").replacingOccurrences(of: "\"shape\": [2]", with: "\"shape\": [1099511627776, 1073741824]"), "params[0].shape"),
        ("shape 2^62", sgdCase(id: "bad").replacingOccurrences(of: "\"shape\": [2]", with: "\"shape\": [4611686018427387904, 4]"), "params[0].shape"),
        ("shape 1e300", sgdCase(id: "bad").replacingOccurrences(of: "\"shape\": [2]", with: "\"shape\": [1e300]"), "params[0].shape[0]"),
        ("shape -0.5", sgdCase(id: "bad").replacingOccurrences(of: "\"shape\": [2]", with: "\"shape\": [-0.5]"), "params[0].shape[0]"),
        ("shape 2.5", sgdCase(id: "bad").replacingOccurrences(of: "\"shape\": [2]", with: "\"shape\": [2.5]"), "params[0].shape[0]"),
        ("shape -1", sgdCase(id: "bad").replacingOccurrences(of: "\"shape\": [2]", with: "\"shape\": [-1, -2]"), "params[0].shape[0]"),
        ("shape/values mismatch", sgdCase(id: "bad").replacingOccurrences(of: "\"shape\": [2]", with: "\"shape\": [3]"), "params[0].values"),
        ("grads: wrong tensor count", sgdCase(id: "bad").replacingOccurrences(of: "\"grads\": [[1.0, -1.0]]", with: "\"grads\": [[1.0, -1.0], [2.0]]"), "steps[0].grads"),
        ("grads: wrong length", sgdCase(id: "bad").replacingOccurrences(of: "\"grads\": [[1.0, -1.0]]", with: "\"grads\": [[1.0]]"), "steps[0].grads[0]"),
        ("expected: a string", sgdCase(id: "bad").replacingOccurrences(of: "\"expected\": [[0.9, 2.1]]", with: "\"expected\": [[\"NaN\", 2.1]]"), "steps[0].expected[0][0]"),
        ("lr: a string", sgdCase(id: "bad").replacingOccurrences(of: "\"lr\": 0.5,", with: "\"lr\": \"fast\","), "steps[1].lr"),
        ("hyperparameter: wrong type", sgdCase(id: "bad").replacingOccurrences(of: "{\"lr\": 0.1}", with: "{\"lr\": [0.1]}"), "lr"),
        ("negative tolerance", sgdCase(id: "bad").replacingOccurrences(of: "\"rtol\": 1e-12", with: "\"rtol\": -1"), "tolerance"),
        ("unknown kind", sgdCase(id: "bad").replacingOccurrences(of: "\"kind\": \"optimizer\"", with: "\"kind\": \"no_such_kind\""), "kind"),
        ("expected_error: a number", sgdCase(id: "bad").replacingOccurrences(of: "\"source\"", with: "\"expected_error\": 3, \"source\""), "expected_error"),
        ("ridge n·d overflow", """
         {"id": "bad", "kind": "optimizer", "optimizer": {"convention": "textbook", "name": "sgd", "hyperparameters": {"lr": 0.1}},
          "params": [{"shape": [2], "values": [1, 2]}], "problem": {"name": "ridge", "n": 4294967296, "d": 4294967296, "X": [1], "y": [1], "lambda": 0},
          "steps": [{"expected": [[1, 2]]}], "tolerance": {"rtol": 0, "atol": 0}}
         """, "problem.d"),
        ("quadratic A size", """
         {"id": "bad", "kind": "optimizer", "optimizer": {"convention": "textbook", "name": "sgd", "hyperparameters": {"lr": 0.1}},
          "params": [{"shape": [2], "values": [1, 2]}], "problem": {"name": "quadratic", "A": [1, 0, 0], "b": [1, 1]},
          "steps": [{"expected": [[1, 2]]}], "tolerance": {"rtol": 0, "atol": 0}}
         """, "problem.A"),
        ("optax lbfgs memory_size 2^40", """
         {"id": "bad", "kind": "optimizer", "optimizer": {"convention": "optax", "name": "lbfgs", "hyperparameters": {"memory_size": 1099511627776}},
          "params": [{"shape": [2], "values": [1, 2]}], "problem": {"name": "quadratic", "A": [1, 0, 0, 1], "b": [1, 1]},
          "steps": [{"expected": [[1, 2]]}], "tolerance": {"rtol": 0, "atol": 0}}
         """, "memory_size"),
        ("optax muon ns_steps 2^40", """
         {"id": "bad", "kind": "optimizer", "optimizer": {"convention": "optax", "name": "muon", "hyperparameters": {"learning_rate": 0.1, "ns_steps": 1099511627776}},
          "params": [{"shape": [2, 2], "values": [1, 2, 3, 4]}], "steps": [{"grads": [[1, 1, 1, 1]], "expected": [[1, 2, 3, 4]]}],
          "tolerance": {"rtol": 0, "atol": 0}}
         """, "ns_steps"),
        ("torch LBFGS max_iter 2^40 (a run of hours)", """
         {"id": "bad", "kind": "optimizer", "optimizer": {"convention": "torch", "name": "LBFGS", "hyperparameters": {"max_iter": 1099511627776}},
          "params": [{"shape": [2], "values": [1, 2]}], "problem": {"name": "rosenbrock"},
          "steps": [{"expected": [[1, 2]]}], "tolerance": {"rtol": 0, "atol": 0}}
         """, "max_iter"),
        ("schedule: T_max 1e300", """
         {"id": "bad", "kind": "schedule", "schedule": {"convention": "torch", "name": "CosineAnnealingLR", "parameters": {"T_max": 1e300}},
          "base_lr": 0.1, "expected_lr": [0.1, 0.1], "tolerance": {"rtol": 0, "atol": 0}}
         """, "T_max"),
        ("schedule: step_size 0", """
         {"id": "bad", "kind": "schedule", "schedule": {"convention": "textbook", "name": "step_decay", "parameters": {"lr": 0.1, "gamma": 0.5, "step_size": 0}},
          "expected_lr": [0.1, 0.1], "tolerance": {"rtol": 0, "atol": 0}}
         """, "step_size"),
        ("training: data shape overflow", """
         {"id": "bad", "kind": "training", "optimizer": {"convention": "torch", "name": "SGD", "hyperparameters": {"lr": 0.1}},
          "model": {"type": "mlp", "sizes": [2, 2], "loss": "cross_entropy"},
          "data": {"inputs": {"shape": [1099511627776, 1073741824], "values": [1, 0, 0, 1]}, "targets": {"shape": [2], "values": [0, 1]}},
          "params": [{"shape": [2, 2], "values": [1, 0, 0, 1]}, {"shape": [2], "values": [0, 0]}],
          "steps": [{"batch": [0, 1], "expected_loss": 0.5, "expected": [[1, 0, 0, 1], [0, 0]]}], "tolerance": {"rtol": 0, "atol": 0}}
         """, "data.inputs.shape[0]"),
        ("training: batch row out of range", """
         {"id": "bad", "kind": "training", "optimizer": {"convention": "torch", "name": "SGD", "hyperparameters": {"lr": 0.1}},
          "model": {"type": "mlp", "sizes": [2, 2], "loss": "cross_entropy"},
          "data": {"inputs": {"shape": [2, 2], "values": [1, 0, 0, 1]}, "targets": {"shape": [2], "values": [0, 1]}},
          "params": [{"shape": [2, 2], "values": [1, 0, 0, 1]}, {"shape": [2], "values": [0, 0]}],
          "steps": [{"batch": [0, 2], "expected_loss": 0.5, "expected": [[1, 0, 0, 1], [0, 0]]}], "tolerance": {"rtol": 0, "atol": 0}}
         """, "steps[0].batch[1]"),
        ("training: batch row 2.5", """
         {"id": "bad", "kind": "training", "optimizer": {"convention": "torch", "name": "SGD", "hyperparameters": {"lr": 0.1}},
          "model": {"type": "mlp", "sizes": [2, 2], "loss": "cross_entropy"},
          "data": {"inputs": {"shape": [2, 2], "values": [1, 0, 0, 1]}, "targets": {"shape": [2], "values": [0, 1]}},
          "params": [{"shape": [2, 2], "values": [1, 0, 0, 1]}, {"shape": [2], "values": [0, 0]}],
          "steps": [{"batch": [0, 2.5], "expected_loss": 0.5, "expected": [[1, 0, 0, 1], [0, 0]]}], "tolerance": {"rtol": 0, "atol": 0}}
         """, "steps[0].batch[1]"),
        ("training: batch row 1e300", """
         {"id": "bad", "kind": "training", "optimizer": {"convention": "torch", "name": "SGD", "hyperparameters": {"lr": 0.1}},
          "model": {"type": "mlp", "sizes": [2, 2], "loss": "cross_entropy"},
          "data": {"inputs": {"shape": [2, 2], "values": [1, 0, 0, 1]}, "targets": {"shape": [2], "values": [0, 1]}},
          "params": [{"shape": [2, 2], "values": [1, 0, 0, 1]}, {"shape": [2], "values": [0, 0]}],
          "steps": [{"batch": [0, 1e300], "expected_loss": 0.5, "expected": [[1, 0, 0, 1], [0, 0]]}], "tolerance": {"rtol": 0, "atol": 0}}
         """, "steps[0].batch[1]"),
        ("training: class index out of range", """
         {"id": "bad", "kind": "training", "optimizer": {"convention": "torch", "name": "SGD", "hyperparameters": {"lr": 0.1}},
          "model": {"type": "mlp", "sizes": [2, 2], "loss": "cross_entropy"},
          "data": {"inputs": {"shape": [2, 2], "values": [1, 0, 0, 1]}, "targets": {"shape": [2], "values": [0, 7]}},
          "params": [{"shape": [2, 2], "values": [1, 0, 0, 1]}, {"shape": [2], "values": [0, 0]}],
          "steps": [{"batch": [0, 1], "expected_loss": 0.5, "expected": [[1, 0, 0, 1], [0, 0]]}], "tolerance": {"rtol": 0, "atol": 0}}
         """, "data.targets"),
        ("training: model size -0.5", """
         {"id": "bad", "kind": "training", "optimizer": {"convention": "torch", "name": "SGD", "hyperparameters": {"lr": 0.1}},
          "model": {"type": "mlp", "sizes": [2, -0.5], "loss": "cross_entropy"},
          "data": {"inputs": {"shape": [2, 2], "values": [1, 0, 0, 1]}, "targets": {"shape": [2], "values": [0, 1]}},
          "params": [{"shape": [2, 2], "values": [1, 0, 0, 1]}, {"shape": [2], "values": [0, 0]}],
          "steps": [{"batch": [0, 1], "expected_loss": 0.5, "expected": [[1, 0, 0, 1], [0, 0]]}], "tolerance": {"rtol": 0, "atol": 0}}
         """, "model.sizes[1]"),
    ]

    @Test(arguments: 0..<catalogue.count)
    func badCaseIsAnErrorAndTheGoodOneIsJudged(_ i: Int) throws {
        let (label, bad, field) = Self.catalogue[i]
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let file = "\(dir)/catalogue.json"
        try fixture([bad, sgdCase(id: "good")]).write(toFile: file, atomically: true, encoding: .utf8)
        let (status, report) = runCLI(["verify", file, "--implementation", "naive", "--format", "json"], dir: dir)
        #expect(status == 1, "\(label): exit \(status)")
        let doc = try JSON.parse(report)   // written whole: it parses
        let results = try #require(doc["results"]?.arrayValue, "\(label)")
        let byID = Dictionary(grouping: results, by: { $0["id"]?.stringValue ?? "" })
        #expect(byID["good"]?.allSatisfy { $0["status"]?.stringValue == "pass" } == true, "\(label): the good case was not judged")
        let badResults = try #require(byID["bad"], "\(label): no result for the bad case")
        for r in badResults {
            let m = r["message"]?.stringValue ?? ""
            #expect(r["status"]?.stringValue == "error" || r["status"]?.stringValue == "unsupported", "\(label): \(m)")
            #expect(m.contains(file) && m.contains("bad") && m.contains(field), "\(label): message does not name file, case and field '\(field)': \(m)")
        }
    }

    @Test func aFileThatIsNotJSONIsAnErrorBesideGoodFiles() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "{\"format\": \"descent-fixture/1\", \"cases\": [".write(toFile: "\(dir)/a.json", atomically: true, encoding: .utf8)
        try String(repeating: "[", count: 100_000).write(toFile: "\(dir)/b.json", atomically: true, encoding: .utf8)
        try "{\"format\": \"descent-fixture/1\", \"cases\": [{\"id\": 1e400}]}".write(toFile: "\(dir)/c.json", atomically: true, encoding: .utf8)
        try fixture([sgdCase(id: "good")]).write(toFile: "\(dir)/d.json", atomically: true, encoding: .utf8)
        let (status, report) = runCLI(["verify", dir, "--implementation", "naive", "--dtype", "float64", "--format", "json"], dir: dir, name: "r.out")
        #expect(status == 1)
        let results = try #require(try JSON.parse(report)["results"]?.arrayValue)
        #expect(results.filter { $0["status"]?.stringValue == "pass" }.count == 1)
        for f in ["a.json", "b.json", "c.json"] {
            #expect(results.contains { $0["file"]?.stringValue == "\(dir)/\(f)" && $0["status"]?.stringValue == "error" }, "\(f)")
        }
    }

    @Test func nonFiniteObjectiveInTheStrongWolfeSearchIsData() throws {
        // Found by the mutation run: a quadratic with b = 1e300 makes f infinite/NaN in torch's
        // strong-Wolfe search; a one-point bracket with NaN f indexed past its end (a trap).
        let f = try FixtureLoader.load(path: Descent.bundledFixtures + "/torch/problems/LBFGS.json")
        let c = try #require(f.cases.first { $0.id == "torch/LBFGS/defaults-quadratic" }.map { fc -> JSON in
            guard case let .optimizer(oc) = fc else { return .null }
            return oc.json
        })
        let text = c.serialized().replacingOccurrences(of: "\"b\":[", with: "\"b\":[1e300,", options: [], range: nil)
        var json = try JSON.parse(text)
        // keep b's length: drop its last value
        if case let .object(pairs) = json, let p = json["problem"], case let .object(pp) = p, let b = p["b"]?.arrayValue {
            json = .object(pairs.map { $0.0 == "problem" ? ("problem", .object(pp.map { $0.0 == "b" ? ("b", .array(Array(b.dropLast()))) : $0 })) : $0 })
        }
        let file = try FixtureLoader.load(json: .object([("format", .string("descent-fixture/1")), ("cases", .array([json]))]), path: "m.json")
        #expect(file.cases.count == 1)
        for r in Verifier(implementations: [EngineImplementation(.naive, summary: "")], dtypes: [.float64, .float32]).run(file) {
            #expect(r.status == .fail || r.status == .error, "\(r.status) \(r.message)")
        }
    }

    @Test func momentumThatUnderflowsInFloat32IsNoCrash() throws {
        // momentum 1e-300 is 0 in float32: the buffers and the kernel must agree (was a trap).
        let c = sgdCase(id: "m").replacingOccurrences(of: "\"convention\": \"textbook\", \"name\": \"sgd\", \"hyperparameters\": {\"lr\": 0.1}",
                                                      with: "\"convention\": \"torch\", \"name\": \"SGD\", \"hyperparameters\": {\"lr\": 0.1, \"momentum\": 1e-300}")
        let r = Verifier(implementations: Implementations.all, dtypes: [.float32]).run(try load(fixture([c])))
        #expect(r.allSatisfy { $0.status == .pass || $0.status == .unsupported }, "\(r.map { "\($0.status) \($0.message)" })")
        let rms = c.replacingOccurrences(of: "\"name\": \"SGD\"", with: "\"name\": \"RMSprop\"")
        for r in Verifier(implementations: Implementations.all, dtypes: [.float32]).run(try load(fixture([rms]))) {
            #expect(r.status != .error, "\(r.message)")
        }
    }
}

@Suite struct CIGateTests {
    func files(_ cases: [String]) throws -> (String, String) {
        let dir = try scratch()
        let f = "\(dir)/f.json"
        try fixture(cases).write(toFile: f, atomically: true, encoding: .utf8)
        return (dir, f)
    }

    @Test func nothingPassedExitsOneUnlessAllowEmpty() throws {
        let (dir, f) = try files([unsupportedCase(id: "u1"), unsupportedCase(id: "u2")])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (s, text) = runCLI(["verify", f, "--implementation", "naive"], dir: dir)
        #expect(s == 1 && text.contains("nothing passed"))
        #expect(text.hasSuffix("0 passed, 0 failed, 4 skipped\n"))
        #expect(runCLI(["verify", f, "--implementation", "naive", "--allow-empty"], dir: dir).0 == 0)
    }

    @Test func strictCountsUnsupportedAsFailure() throws {
        let (dir, f) = try files([sgdCase(id: "ok"), unsupportedCase(id: "u")])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(runCLI(["verify", f, "--implementation", "naive"], dir: dir).0 == 0)
        let (s, text) = runCLI(["verify", f, "--implementation", "naive", "--strict"], dir: dir)
        #expect(s == 1 && text.contains("--strict: 2 unsupported results count as failures"))
        // JUnit agrees with the exit status: the unsupported results are failures under --strict, skipped without.
        let (_, strictXML) = runCLI(["verify", f, "--implementation", "naive", "--strict", "--format", "junit"], dir: dir)
        #expect(strictXML.contains("<testsuites name=\"descent\" tests=\"4\" failures=\"2\" errors=\"0\" skipped=\"0\">"), "\(strictXML)")
        #expect(strictXML.contains("<failure message=\"unsupported, which --strict counts as a failure"))
        let (_, plainXML) = runCLI(["verify", f, "--implementation", "naive", "--format", "junit"], dir: dir)
        #expect(plainXML.contains("tests=\"4\" failures=\"0\" errors=\"0\" skipped=\"2\""), "\(plainXML)")
    }

    @Test func expectedFailuresDoNotFailTheRunAndUnexpectedPassesAreReported() throws {
        let (dir, f) = try files([sgdCase(id: "ok"), failingCase(id: "known")])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(runCLI(["verify", f, "--implementation", "naive"], dir: dir).0 == 1)
        try "# known failures\nknown   # tracked upstream\n\nok\n".write(toFile: "\(dir)/xfail.txt", atomically: true, encoding: .utf8)
        let (s, text) = runCLI(["verify", f, "--implementation", "naive", "--dtype", "float64", "--expect-failures", "\(dir)/xfail.txt"], dir: dir)
        #expect(s == 0, "\(text)")
        #expect(text.contains("1 failed as expected") && text.contains("unexpectedly passed: ok|naive|float64"))
        // In JUnit the expected failure is skipped (as pytest writes an xfail) and the unexpected pass says so.
        let (sx, xml) = runCLI(["verify", f, "--implementation", "naive", "--dtype", "float64", "--expect-failures", "\(dir)/xfail.txt",
                                "--format", "junit"], dir: dir)
        #expect(sx == 0 && xml.contains("tests=\"2\" failures=\"0\" errors=\"0\" skipped=\"1\""), "\(xml)")
        #expect(xml.contains("<skipped message=\"expected failure (--expect-failures): max_abs") && !xml.contains("<failure"))
        #expect(xml.contains("<system-out>unexpectedly passed"))
        // A failure that is not listed still fails the run.
        try "ok\n".write(toFile: "\(dir)/xfail.txt", atomically: true, encoding: .utf8)
        #expect(runCLI(["verify", f, "--implementation", "naive", "--expect-failures", "\(dir)/xfail.txt"], dir: dir).0 == 1)
        // A missing list is unusable input.
        #expect(runCLI(["verify", f, "--expect-failures", "\(dir)/nope.txt"], dir: dir).0 == 2)
    }

    @Test func baselineFailsOnlyOnNewFailures() throws {
        let (dir, f) = try files([sgdCase(id: "a"), failingCase(id: "b")])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (s0, base) = runCLI(["verify", f, "--implementation", "naive", "--dtype", "float64", "--format", "json"], dir: dir, name: "base.json")
        #expect(s0 == 1 && base.contains("descent-report/1"))
        // Same failures as the baseline: passes.
        let (s1, t1) = runCLI(["verify", f, "--implementation", "naive", "--dtype", "float64", "--baseline", "\(dir)/base.json"], dir: dir)
        #expect(s1 == 0 && t1.contains("0 new failures, 0 newly fixed, 1 failing as before"), "\(t1)")
        // a now fails (new failure), b now passes (newly fixed).
        try fixture([failingCase(id: "a"), sgdCase(id: "b")]).write(toFile: f, atomically: true, encoding: .utf8)
        let (s2, t2) = runCLI(["verify", f, "--implementation", "naive", "--dtype", "float64", "--baseline", "\(dir)/base.json"], dir: dir)
        #expect(s2 == 1 && t2.contains("new failure: a|naive|float64") && t2.contains("newly fixed: b|naive|float64"), "\(t2)")
        // A baseline that is not a report: exit 2.
        try "{}".write(toFile: "\(dir)/bad.json", atomically: true, encoding: .utf8)
        #expect(runCLI(["verify", f, "--baseline", "\(dir)/bad.json"], dir: dir).0 == 2)
    }

    @Test func aMissingPathAmongSeveralIsUnusableInput() throws {
        let (dir, f) = try files([sgdCase(id: "a")])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (s, text) = runCLI(["verify", f, "\(dir)/Adamm.json", "--format", "junit"], dir: dir)
        #expect(s == 2 && text.isEmpty)   // nothing written
    }

    @Test func wrongTypoListsTheVariantIDs() throws {
        let (dir, f) = try files([sgdCase(id: "a")])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(runCLI(["verify", f, "--implementation", "wrong:adam-no-bias-corection"], dir: dir).0 == 2)
        #expect(throws: UsageError.self) { _ = try CLI.selectedImplementations(try Arguments(["--implementation", "wrong:x"], valued: ["implementation"], flagNames: [])) }
        do {
            _ = try CLI.selectedImplementations(try Arguments(["--implementation", "wrong:x"], valued: ["implementation"], flagNames: []))
        } catch let e as UsageError {
            #expect(e.message.contains("adam-no-bias-correction") && e.message.contains(KnownWrong.all.last!.id))
        }
    }

    @Test func quietShowsFailuresAndTheSummaryOnly() throws {
        let (dir, f) = try files([sgdCase(id: "ok"), unsupportedCase(id: "u"), failingCase(id: "bad")])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (_, text) = runCLI(["verify", f, "--implementation", "naive", "--dtype", "float64", "--quiet"], dir: dir)
        #expect(text.contains("FAIL        bad") && !text.contains("UNSUPPORTED") && !text.contains(" ok "))
        #expect(text.hasSuffix("1 passed, 1 failed, 1 skipped\n"))
        let (_, loud) = runCLI(["verify", f, "--implementation", "naive", "--dtype", "float64"], dir: dir)
        #expect(loud.contains("UNSUPPORTED"))
    }

    @Test func junitCarriesMessageDiagnosisAndSizesEscaped() throws {
        let (dir, f) = try files([failingCase(id: "bad<&>")])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (_, xml) = runCLI(["verify", f, "--implementation", "naive", "--dtype", "float64", "--format", "junit"], dir: dir)
        let failure = try #require(xml.range(of: "<failure").map { String(xml[$0.lowerBound...]) })
        let attr = String(failure.prefix { $0 != ">" })
        #expect(!attr.contains("\n"), "raw newline in an attribute")
        #expect(attr.contains("max_abs") && attr.contains("left the golden one"))
        #expect(failure.contains("first diverging step per tensor") && failure.contains("ran: naive"))
        #expect(xml.contains("bad&lt;&amp;&gt;"))
    }
}

@Suite struct ValidationBucketTests {
    static let invalid = """
    {"id": "v/bad-lr", "kind": "optimizer", "expected_error": "Invalid learning rate: -1e-08",
     "optimizer": {"convention": "torch", "name": "SGD", "hyperparameters": {"lr": -1e-08}},
     "params": [{"shape": [2], "values": [0, 0]}], "steps": []}
    """

    @Test func countedApartAndTheTextAndJSONAgree() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let f = "\(dir)/v.json"
        try fixture([sgdCase(id: "ok"), failingCase(id: "bad"), Self.invalid]).write(toFile: f, atomically: true, encoding: .utf8)
        let args = ["verify", f, "--implementation", "naive", "--dtype", "float64"]
        let (_, text) = runCLI(args, dir: dir)
        let (_, json) = runCLI(args + ["--format", "json"], dir: dir)
        #expect(text.contains("pass 1, fail 1, error 0, unsupported 0; validation: pass 1, fail 0, error 0, unsupported 0"), "\(text)")
        #expect(text.hasSuffix("2 passed, 1 failed, 0 skipped\n"))
        let s = try #require(try JSON.parse(json)["summary"])
        #expect(s["pass"]?.intValue == 1 && s["fail"]?.intValue == 1 && s["validation"]?["pass"]?.intValue == 1)
        #expect(s["passed"]?.intValue == 2 && s["failed"]?.intValue == 1 && s["skipped"]?.intValue == 0)
        let (_, junit) = runCLI(args + ["--format", "junit"], dir: dir)
        #expect(junit.contains("tests=\"3\" failures=\"1\" errors=\"0\" skipped=\"0\""), "\(junit.prefix(300))")
        let (_, without) = runCLI(args + ["--no-validation"], dir: dir)
        #expect(!without.contains("validation:") && without.hasSuffix("1 passed, 1 failed, 0 skipped\n"))
    }

    @Test func messagesCompareNumbersAsNumbers() {
        #expect(ErrorMessage.matches("Error: Invalid learning rate: -1e-8", expected: "Invalid learning rate: -1e-08"))
        #expect(ErrorMessage.matches("Invalid beta parameter at index 0: 1", expected: "Invalid beta parameter at index 0: 1.0"))
        #expect(ErrorMessage.matches("Invalid epsilon value: -0.00001", expected: "Invalid epsilon value: -1e-05"))
        #expect(!ErrorMessage.matches("Invalid beta parameter at index 1: 1", expected: "Invalid beta parameter at index 0: 1.0"))
        #expect(!ErrorMessage.matches("Invalid learning rate: -1e-07", expected: "Invalid learning rate: -1e-08"))
        #expect(!ErrorMessage.matches("Invalid momentum", expected: "Invalid learning rate: -1e-08"))
        #expect(ErrorMessage.matches("beta2 must be in [0, 1)", expected: "beta2 must be in [0.0, 1.0)"))
    }

    @Test func adapterLineCarriesValidationAndRunDType() throws {
        let f = try load(fixture([Self.invalid, sgdCase()]))
        let v = AdapterVerifier.request(for: f.cases[0], runDType: .float32)
        #expect(v["validation"]?.boolValue == true && v["run_dtype"]?.stringValue == "float32")
        let o = AdapterVerifier.request(for: f.cases[1], runDType: .float64)
        #expect(o["validation"] == nil && o["run_dtype"]?.stringValue == "float64")
        // An adapter that words the error with JavaScript's numbers passes.
        let a = AdapterVerifier(command: #"while read l; do echo '{"id": "v/bad-lr", "error": "Invalid learning rate: -1e-8"}'; done"#, timeout: 5)
        defer { a.finish() }
        let r = a.run(try load(fixture([Self.invalid])))
        #expect(r.map(\.status) == [.pass] && r[0].validation)
    }
}

@Suite struct AdapterCITests {
    @Test func theAdapterIsToldThePrecisionAndGradedWithIt() throws {
        // The adapter answers float64 values only when told float64; in float32 it answers values
        // off by 1e-7 relative (inside float32's tolerance, outside float64's).
        let script = #"while read l; do case "$l" in *'"run_dtype":"float32"'*) echo '{"id": "t/sgd", "params": [[[0.90000009, 2.1]], [[0.40000004, 2.1]]]}';; *) echo '{"id": "t/sgd", "params": [[[0.9, 2.1]], [[0.4, 2.1]]]}';; esac; done"#
        for dt in [DType.float64, .float32] {
            let a = AdapterVerifier(command: script, timeout: 5, dtype: dt)
            defer { a.finish() }
            let r = a.run(try load(fixture([sgdCase()])))
            #expect(r.map(\.status) == [.pass] && r[0].dtype == dt, "\(dt): \(r[0].message)")
        }
    }

    @Test func startUpHasItsOwnAllowance() throws {
        // 1.5 s to start, then fast answers: with --timeout 1 every case passes.
        let good = #"{"id": "ID", "params": [[[0.9, 2.1]], [[0.4, 2.1]]]}"#
        let script = "sleep 1.5; while read l; do id=$(echo \"$l\" | sed 's/.*\"id\":\"\\([^\"]*\\)\".*/\\1/'); echo '\(good)' | sed \"s/ID/$id/\"; done"
        let a = AdapterVerifier(command: script, timeout: 1)
        a.startupTimeout = 5
        defer { a.finish() }
        let r = a.run(try load(fixture([sgdCase(id: "a"), sgdCase(id: "b"), sgdCase(id: "c")])))
        #expect(r.map(\.status) == [.pass, .pass, .pass], "\(r.map(\.message))")
        // Without the allowance the first case times out and says so.
        let b = AdapterVerifier(command: script, timeout: 1)
        b.startupTimeout = 0.01
        defer { b.finish() }
        let s = b.run(try load(fixture([sgdCase(id: "a")])))
        #expect(s[0].status == .error && s[0].message.contains("timeout"))
    }

    @Test func anAdapterThatCannotStartStopsTheRunWithItsStderr() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let f = "\(dir)/f.json"
        try fixture([sgdCase(id: "a"), sgdCase(id: "b")]).write(toFile: f, atomically: true, encoding: .utf8)
        let a = AdapterVerifier(command: "nodee adapter.js", timeout: 5)
        defer { a.finish() }
        _ = a.run(try load(fixture([sgdCase(id: "a"), sgdCase(id: "b")])))
        let why = try #require(a.cannotStart)
        #expect(why.contains("status 127") && why.contains("not found"))
        let (status, report) = runCLI(["verify", f, "--adapter", "nodee adapter.js"], dir: dir)
        #expect(status == 2 && report.isEmpty)
        // One that dies at start-up every time (status 1, a traceback on stderr): also exit 2.
        #expect(runCLI(["verify", f, "--adapter", "echo 'ImportError: no module' >&2; exit 1"], dir: dir).0 == 2)
    }

    @Test func garbageOnStdoutSuggestsLoggingToStderr() throws {
        let a = AdapterVerifier(command: "while read l; do echo 'debug: got a line'; done", timeout: 5)
        defer { a.finish() }
        let r = a.run(try load(fixture([sgdCase()])))
        #expect(r[0].status == .error && r[0].message.contains("log to stderr"))
    }
}

@Suite struct BenchGateTests {
    func report(_ fractions: [Double]) throws -> BenchReport {
        let rows = fractions.enumerated().map { i, f in
            "{\"optimizer\": \"torch/Adam\", \"implementation\": \"naive\", \"dtype\": \"float32\", \"size\": \(4096 << i), \"threads\": 1, \"min_ns\": 1000, \"median_ns\": 1100, \"bytes_per_param\": 28, \"fraction_of_triad\": \(f)}"
        }
        let text = "{\"format\": \"descent-bench/1\", \"bandwidth\": {\"1\": {\"triad\": 10}}, \"results\": [\(rows.joined(separator: ","))]}"
        var r = BenchReport(machine: [], bandwidth: [], results: [], skipped: [], memory: [])
        r.results = try BenchInclude.parse(text, file: "now.json").results
        return r
    }

    func baselineFile(_ fractions: [Double], dir: String) throws -> String {
        let rows = fractions.enumerated().map { i, f in
            "{\"optimizer\": \"torch/Adam\", \"implementation\": \"naive\", \"dtype\": \"float32\", \"size\": \(4096 << i), \"threads\": 1, \"fraction_of_triad\": \(f)}"
        }
        let path = "\(dir)/base.json"
        try "{\"format\": \"descent-bench/1\", \"results\": [\(rows.joined(separator: ","))]}".write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func comparesMachineNormalisedFiguresAndFlagsRegressions() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let base = try BenchBaseline.load(path: try baselineFile([0.50, 0.50], dir: dir))
        let rows = BenchBaseline.compare(try report([0.46, 0.44]), baseline: base)   // −8 %, −12 %
        #expect(rows.count == 2 && rows.allSatisfy { $0.metric == "fraction_of_triad" })
        let max = try BenchBaseline.parsePercent("10%")
        #expect(rows.map { $0.drop > max } == [false, true])
        let table = BenchBaseline.table(rows, maxRegression: max)
        #expect(table.contains("REGRESSION") && table.contains("1 of 2 rows regressed"))
        #expect(throws: ConfigurationError.self) { _ = try BenchBaseline.parsePercent("ten") }
        #expect(throws: ConfigurationError.self) { _ = try BenchBaseline.parsePercent("-5%") }
    }

    @Test func theBenchCommandExitsOneOnARegressionAndTwoOnABadBaseline() throws {
        // A run measured earlier (descent-bench/1), gated with --no-run --include: no timing here.
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let now = "{\"format\": \"descent-bench/1\", \"bandwidth\": {\"1\": {\"triad\": 10}}, \"results\": [{\"optimizer\": \"torch/SGD\", \"implementation\": \"naive\", \"dtype\": \"float32\", \"size\": 4096, \"threads\": 1, \"min_ns\": 1000, \"median_ns\": 1100, \"bytes_per_param\": 12, \"fraction_of_triad\": 0.4}]}"
        try now.write(toFile: "\(dir)/now.json", atomically: true, encoding: .utf8)
        let args = ["bench", "--no-run", "--include", "\(dir)/now.json", "--format", "json"]
        func base(_ f: Double) throws -> String {
            let path = "\(dir)/base-\(f).json"
            try "{\"format\": \"descent-bench/1\", \"results\": [{\"optimizer\": \"torch/SGD\", \"implementation\": \"naive\", \"dtype\": \"float32\", \"size\": 4096, \"threads\": 1, \"fraction_of_triad\": \(f)}]}"
                .write(toFile: path, atomically: true, encoding: .utf8)
            return path
        }
        #expect(runCLI(args + ["--baseline", try base(0.5)], dir: dir).0 == 1)                            // −20 %
        #expect(runCLI(args + ["--baseline", try base(0.42), "--max-regression", "10%"], dir: dir).0 == 0)  // −4.8 %
        #expect(runCLI(args + ["--baseline", try base(0.42), "--max-regression", "3%"], dir: dir).0 == 1)
        try "{\"format\": \"other\"}".write(toFile: "\(dir)/bad.json", atomically: true, encoding: .utf8)
        #expect(runCLI(args + ["--baseline", "\(dir)/bad.json"], dir: dir).0 == 2)
        #expect(runCLI(args + ["--max-regression", "10%"], dir: dir).0 == 2)   // needs --baseline
    }
}
