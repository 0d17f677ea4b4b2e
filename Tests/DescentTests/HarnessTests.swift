// HarnessTests.swift — the fixture loader, the verifier and the CLI, on small hand-made fixtures
// whose expected values are worked out by hand (plain SGD: w − lr·g).
import Foundation
import Testing
@testable import DescentCore
@testable import DescentConformance
@testable import DescentLab
@testable import DescentCLI
import DescentJSON

/// A valid textbook-SGD case: w₀ = [1, 2], lr 0.1, g = [1, −1] then lr 0.5, g = [1, 0].
func sgdCase(id: String = "t/sgd") -> String {
    """
    {"id": "\(id)", "kind": "optimizer", "source": "by hand",
     "optimizer": {"convention": "textbook", "name": "sgd", "hyperparameters": {"lr": 0.1}},
     "params": [{"shape": [2], "values": [1.0, 2.0]}],
     "steps": [{"grads": [[1.0, -1.0]], "expected": [[0.9, 2.1]]},
               {"lr": 0.5, "grads": [[1.0, 0.0]], "expected": [[0.4, 2.1]]}],
     "tolerance": {"rtol": 1e-12, "atol": 1e-15}}
    """
}

func fixture(_ cases: [String]) -> String {
    "{\"format\": \"descent-fixture/1\", \"description\": \"test\", \"cases\": [\(cases.joined(separator: ","))]}"
}

func load(_ text: String, path: String = "mem.json") throws -> FixtureFile {
    try FixtureLoader.load(json: try JSON.parse(text), path: path)
}

/// The single error message of a file whose one case is broken.
func brokenMessage(_ caseText: String) throws -> String {
    let f = try load(fixture([caseText]))
    #expect(f.cases.isEmpty)
    return f.broken.first?.message ?? "(no error)"
}

@Suite struct LoaderTests {
    @Test func validCaseLoads() throws {
        let f = try load(fixture([sgdCase()]))
        #expect(f.cases.count == 1 && f.broken.isEmpty)
        guard case let .optimizer(c) = f.cases[0] else { Issue.record("not an optimizer case"); return }
        #expect(c.steps.count == 2 && c.steps[1].lr == 0.5 && c.params[0].shape == [2])
    }

    @Test func malformedJSONNamesLineAndColumn() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("descent-bad-\(getpid()).json").path
        try "{\"format\": \"descent-fixture/1\",\n \"cases\": [1, ]}".write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(throws: FixtureFileError.self) { try FixtureLoader.load(path: path) }
        do { _ = try FixtureLoader.load(path: path) } catch {
            #expect("\(error)".contains(path) && "\(error)".contains("line 2"))
        }
    }

    @Test func wrongFormatIsRejected() throws {
        do {
            _ = try load("{\"format\": \"descent-fixture/2\", \"cases\": []}")
            Issue.record("accepted a wrong format")
        } catch let e as FixtureFileError {
            #expect(e.message.contains("format") && e.message.contains("descent-fixture/1"))
        }
    }

    @Test func shapeValueMismatchNamesTheField() throws {
        let m = try brokenMessage(sgdCase().replacingOccurrences(of: "\"values\": [1.0, 2.0]", with: "\"values\": [1.0, 2.0, 3.0]"))
        #expect(m.contains("case t/sgd") && m.contains("params[0].values") && m.contains("needs 2 values, found 3"))
    }

    @Test func gradCountMismatchNamesStepAndTensor() throws {
        let m = try brokenMessage(sgdCase().replacingOccurrences(of: "\"grads\": [[1.0, 0.0]]", with: "\"grads\": [[1.0]]"))
        #expect(m.contains("steps[1].grads[0]"))
    }

    @Test func missingFieldsAreNamed() throws {
        #expect(try brokenMessage(sgdCase().replacingOccurrences(of: "\"kind\": \"optimizer\",", with: "")).contains("'kind'"))
        #expect(try brokenMessage(sgdCase().replacingOccurrences(of: "\"tolerance\": {\"rtol\": 1e-12, \"atol\": 1e-15}", with: "\"tolerance_x\": 1")).contains("'tolerance'"))
        #expect(try brokenMessage(sgdCase().replacingOccurrences(of: "\"expected\": [[0.9, 2.1]]", with: "\"expectedX\": 1")).contains("steps[0].expected"))
    }

    @Test func duplicateIdsAreReported() throws {
        let f = try load(fixture([sgdCase(), sgdCase()]))
        #expect(f.cases.count == 1 && f.broken.count == 1)
        #expect(f.broken[0].message.contains("duplicate id"))
    }

    @Test func nanAndInfinityAreRejected() throws {
        // As JSON literals the file is not JSON at all…
        #expect(throws: JSONParseError.self) { try JSON.parse("{\"a\": NaN}") }
        #expect(throws: JSONParseError.self) { try JSON.parse("[Infinity]") }
        #expect(throws: JSONParseError.self) { try JSON.parse("[-Infinity]") }
        #expect(throws: JSONParseError.self) { try JSON.parse("[1e400]") }
        // …and as strings in a numeric field they are named.
        let m = try brokenMessage(sgdCase().replacingOccurrences(of: "[[0.9, 2.1]]", with: "[[\"NaN\", 2.1]]"))
        #expect(m.contains("steps[0].expected[0][0]") && m.contains("NaN"))
    }

    @Test func unknownKindIsNamed() throws {
        let m = try brokenMessage(sgdCase().replacingOccurrences(of: "\"kind\": \"optimizer\"", with: "\"kind\": \"optimiser\""))
        #expect(m.contains("'kind'") && m.contains("optimiser"))
    }

    @Test func unknownFieldsAreIgnored() throws {
        let f = try load(fixture([sgdCase().replacingOccurrences(of: "\"source\"", with: "\"future_field\": {\"x\": 1}, \"source\"")]))
        #expect(f.cases.count == 1)
    }

    @Test func problemDimensionIsChecked() throws {
        let c = """
        {"id": "p", "kind": "optimizer", "optimizer": {"convention": "textbook", "name": "sgd", "hyperparameters": {"lr": 0.1}},
         "problem": {"name": "quadratic", "A": [1, 0, 0, 1], "b": [1, 1]},
         "params": [{"shape": [3], "values": [0, 0, 0]}], "steps": [{"expected": [[0, 0, 0]]}],
         "tolerance": {"rtol": 1e-12, "atol": 0}}
        """
        #expect(try brokenMessage(c).contains("dimension 2"))
    }
}

@Suite struct VerifierTests {
    let naive = Verifier(implementations: [EngineImplementation(.naive, summary: "")], dtypes: [.float64, .float32])

    @Test func passingCaseRecordsWhatRan() throws {
        let results = naive.run(try load(fixture([sgdCase()])))
        #expect(results.count == 2)
        for r in results {
            #expect(r.status == .pass, "\(r.message)")
            #expect(r.implementation == "naive")
            // The harness must prove which optimizer ran (not a shadowing default).
            #expect(r.ran.contains("SGDStepper<\(r.dtype == .float64 ? "Double" : "Float")>"))
            #expect(r.ran.contains("textbook.sgd"))
        }
    }

    @Test func failureSaysWhereTheTrajectoryLeft() throws {
        let wrong = sgdCase().replacingOccurrences(of: "[[0.4, 2.1]]", with: "[[0.4, 2.2]]")
        let r = naive.run(try load(fixture([wrong])))[0]
        #expect(r.status == .fail)
        #expect(r.firstFailure == FirstFailure(step: 1, tensor: 0, index: 1, expected: 2.2, actual: 2.1 - 0.5 * 0))
        #expect(r.firstDivergingStep == [1])
    }

    @Test func closedLoopProblemComputesGradientsFromParameters() throws {
        // f = ½xᵀAx − bᵀx, A = diag(2, 1), b = (1, 1), x₀ = 0, lr 0.1:
        // g₀ = (−1, −1) → x₁ = (0.1, 0.1); g₁ = (−0.8, −0.9) → x₂ = (0.18, 0.19).
        let c = """
        {"id": "p", "kind": "optimizer", "optimizer": {"convention": "textbook", "name": "sgd", "hyperparameters": {"lr": 0.1}},
         "problem": {"name": "quadratic", "A": [2, 0, 0, 1], "b": [1, 1]},
         "params": [{"shape": [2], "values": [0, 0]}], "steps": [{"expected": [[0.1, 0.1]]}, {"expected": [[0.18, 0.19]]}],
         "tolerance": {"rtol": 1e-12, "atol": 1e-15}}
        """
        for r in naive.run(try load(fixture([c]))) { #expect(r.status == .pass, "\(r.message)") }
    }

    @Test func unknownNamesAreUnsupportedNotErrors() throws {
        let c = sgdCase().replacingOccurrences(of: "\"convention\": \"textbook\", \"name\": \"sgd\"", with: "\"convention\": \"torch\", \"name\": \"NoSuchOptimizer\"")
        let u = sgdCase(id: "u").replacingOccurrences(of: "\"convention\": \"textbook\"", with: "\"convention\": \"jax-magic\"")
        for r in naive.run(try load(fixture([c, u]))) {
            #expect(r.status == .unsupported)
            #expect(!r.message.isEmpty)
        }
    }

    @Test func unknownHyperparameterIsUnsupportedWithItsName() throws {
        let c = sgdCase().replacingOccurrences(of: "{\"lr\": 0.1}", with: "{\"lr\": 0.1, \"warp\": 3}")
        let r = naive.run(try load(fixture([c])))[0]
        #expect(r.status == .unsupported && r.message.contains("'warp'"))
    }

    @Test func wrongTypedHyperparameterIsAnErrorNamingTheField() throws {
        let c = sgdCase().replacingOccurrences(of: "{\"lr\": 0.1}", with: "{\"lr\": \"fast\"}")
        let r = naive.run(try load(fixture([c])))[0]
        #expect(r.status == .error && r.message.contains("hyperparameters.lr") && r.message.contains("case t/sgd"))
    }

    @Test func nanInTheTrajectoryIsAFailureNotACrash() throws {
        // A gradient of 1e308 with lr 10 overflows to −inf; the run reports it.
        let c = sgdCase().replacingOccurrences(of: "[[1.0, -1.0]]", with: "[[1e308, -1.0]]")
            .replacingOccurrences(of: "{\"lr\": 0.1}", with: "{\"lr\": 10}")
        let r = naive.run(try load(fixture([c])))[0]
        #expect(r.status == .fail && r.maxAbsError == .infinity)
    }

    @Test func float32PolicyLoosensOnlyFloat32() {
        let base = Tolerance(rtol: 1e-9, atol: 1e-12)
        #expect(TolerancePolicy.effective(base, float32Override: nil, dtype: .float64, scale: 5) == base)
        let t32 = TolerancePolicy.effective(base, float32Override: nil, dtype: .float32, scale: 5)
        #expect(t32.rtol == 1e-4 && t32.atol == 5e-5)
        let o = Tolerance(rtol: 1e-3, atol: 1e-3)
        #expect(TolerancePolicy.effective(base, float32Override: o, dtype: .float32, scale: 5) == o)
    }
}

@Suite struct CLITests {
    func tempFixture(_ text: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("descent-cli-\(UUID().uuidString).json").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func exitStatuses() throws {
        let good = try tempFixture(fixture([sgdCase()]))
        let bad = try tempFixture(fixture([sgdCase().replacingOccurrences(of: "[[0.4, 2.1]]", with: "[[0.4, 2.2]]")]))
        let garbage = try tempFixture("{not json")
        defer { for p in [good, bad, garbage] { try? FileManager.default.removeItem(atPath: p) } }
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("descent-report-\(UUID().uuidString).json").path
        defer { try? FileManager.default.removeItem(atPath: out) }
        #expect(CLI.main(["verify", good, "--implementation", "naive", "--format", "json", "--output", out]) == 0)
        #expect(CLI.main(["verify", bad, "--implementation", "naive", "--output", out]) == 1)
        #expect(CLI.main(["verify", garbage, "--output", out]) == 2)             // nothing usable
        #expect(CLI.main(["verify", good, garbage, "--implementation", "naive", "--output", out]) == 1)  // usable + broken
        #expect(CLI.main(["verify", "/no/such/file.json", "--output", out]) == 2)
        #expect(CLI.main(["verify", "--dtype", "float8"]) == 2)          // (bfloat16 and float16 are formats of low-precision cases)
        #expect(CLI.main(["frobnicate"]) == 2)
        #expect(CLI.main(["verify", "--help"]) == 0)
    }

    @Test func jsonReportHasTheContractFields() throws {
        let good = try tempFixture(fixture([sgdCase()]))
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("descent-report-\(UUID().uuidString).json").path
        defer { try? FileManager.default.removeItem(atPath: good); try? FileManager.default.removeItem(atPath: out) }
        #expect(CLI.main(["verify", good, "--implementation", "naive", "--format", "json", "--output", out]) == 0)
        let j = try JSON.parse(String(contentsOfFile: out, encoding: .utf8))
        #expect(j["format"]?.stringValue == "descent-report/1")
        let r = j["results"]?.arrayValue?.first
        for key in ["file", "id", "implementation", "dtype", "status", "max_abs_error", "max_rel_error", "message", "first_failure"] {
            #expect(r?[key] != nil, "missing \(key)")
        }
        #expect(j["summary"]?["pass"]?.intValue == 2)
    }

    @Test func junitReportIsWellFormedEnough() throws {
        let results = Verifier(implementations: [EngineImplementation(.naive, summary: "")], dtypes: [.float64])
            .run(try load(fixture([sgdCase(), sgdCase(id: "w").replacingOccurrences(of: "[[0.4, 2.1]]", with: "[[0.4, <2.2]]".replacingOccurrences(of: "<", with: ""))])))
        let x = Reports.junit(results)
        #expect(x.hasPrefix("<?xml") && x.contains("<testsuites") && x.contains("tests=\"2\""))
    }

    @Test func textEndsWithTheSummaryLine() throws {
        let results = Verifier(implementations: [EngineImplementation(.naive, summary: "")], dtypes: [.float64])
            .run(try load(fixture([sgdCase()])))
        #expect(Reports.text(results).hasSuffix("1 passed, 0 failed, 0 skipped\n"))
    }

    @Test func atomicWriteLeavesNoTemporaryFiles() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("descent-atomic-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try AtomicWrite.write("one", to: "\(dir)/r.md")
        try AtomicWrite.write("two", to: "\(dir)/r.md")
        #expect(try String(contentsOfFile: "\(dir)/r.md", encoding: .utf8) == "two")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["r.md"])
        // A target that cannot be written leaves nothing behind and throws.
        #expect(throws: (any Error).self) { try AtomicWrite.write("x", to: "/proc/descent-cannot/r.md") }
    }
}
