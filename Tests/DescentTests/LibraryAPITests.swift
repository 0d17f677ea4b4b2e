// LibraryAPITests.swift — Descent as a library (issue 14 §6): a user's optimizer implemented
// through `VerifiableOptimizer` gets the same results and diagnosis as the CLI; argument
// validation is the implementation's own answer; and a separate package depending on Descent
// through a local git URL with a version tag builds and verifies through the API.
import Foundation
import Testing
import DescentTestSupport
@testable import DescentConformance
@testable import DescentLab
@testable import DescentCLI
import DescentCore
import DescentJSON

@Suite struct LibraryAPITests {
    let sgd = Descent.bundledFixtures + "/torch/SGD.json"

    @Test func bundledFixturesAreReachableByPath() {
        #expect(FileManager.default.fileExists(atPath: sgd))
    }

    @Test func aCorrectUserOptimizerPassesEveryCase() throws {
        let report = try Descent.verify(UserSGD(), fixtures: [sgd])
        #expect(report.passed && report.summary.pass == 8, "\(report.text)")
        #expect(report.text.hasSuffix("8 passed, 0 failed, 0 skipped\n"))
    }

    @Test func aWrongOneFailsWithTheSameDiagnosisAsTheCLI() throws {
        let report = try Descent.verify(UserSGD(ignoresDampening: true), fixtures: [sgd])
        // The CLI on the same mistake: the adapter path replays the same comparison and diagnosis.
        let cli = Verifier(implementations: [try #require(KnownWrong.all.first { $0.id == "dampening-ignored" })], dtypes: [.float64])
            .run(try FixtureLoader.load(path: sgd))
        let failing = report.results.filter { $0.status == .fail }
        #expect(!failing.isEmpty)
        for r in failing {
            #expect(r.diagnosis.contains { $0.contains("dampening-ignored") }, "\(r.id): \(r.diagnosis)")
            let c = try #require(cli.first { $0.id == r.id })
            #expect(c.status == .fail && c.firstFailure?.step == r.firstFailure?.step && c.firstFailure?.index == r.firstFailure?.index, "\(r.id)")
        }
        // Cases the mistake cannot change (no dampening) pass here; the CLI's variant declines them.
        for r in report.results where r.status == .pass {
            #expect([.pass, .unsupported].contains(cli.first { $0.id == r.id }?.status), "\(r.id)")
        }
    }

    @Test func validationIsTheImplementationsAnswer() throws {
        // Descent's own torch layer would reject lr = -1 with this wording: the case must pass or
        // fail on what the user's code does, not on Descent's convention layer.
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let f = "\(dir)/v.json"
        let c = """
        {"id": "v/neg-lr", "kind": "optimizer", "expected_error": "Invalid learning rate: -1.0",
         "optimizer": {"convention": "torch", "name": "SGD", "hyperparameters": {"lr": -1.0}},
         "params": [{"shape": [2], "values": [0, 0]}], "steps": []}
        """
        try fixture([c]).write(toFile: f, atomically: true, encoding: .utf8)
        let ok = try Descent.verify(UserSGD(), fixtures: [f]).results
        #expect(ok.map(\.status) == [.pass] && ok[0].validation)   // "-1.0" in Swift, compared as a number
        struct Accepts: VerifiableOptimizer {
            func makeStep(_ r: OptimizerRequest) throws -> OptimizerStep { { _, _, _ in } }
        }
        let no = try Descent.verify(Accepts(), fixtures: [f]).results
        #expect(no.map(\.status) == [.fail] && no[0].message.contains("accepted"))
        #expect(try Descent.verify(Accepts(), fixtures: [f], validation: false).results.isEmpty)
    }

    @Test func trainingCasesRunTheUsersStepOnDescentsBackprop() throws {
        // Training cases through the API: Descent's MLP gives each step's loss and gradients, the
        // user's step moves the parameters; the loss and the parameters are both judged.
        let f = Descent.bundledFixtures + "/torch/training/sgd.json"
        let ok = try Descent.verify(UserSGD(), fixtures: [f]).results
        #expect(ok.count == 4 && ok.allSatisfy { $0.status == .pass }, "\(ok.map { "\($0.id): \($0.message)" })")
        // A golden loss changed by 1%: the loss is judged, and the message says so.
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var text = try String(contentsOfFile: f, encoding: .utf8)
        let range = try #require(text.range(of: #""expected_loss": "#))
        let numEnd = try #require(text[range.upperBound...].firstIndex(where: { $0 == "," || $0 == "}" }))
        let loss = try #require(Double(text[range.upperBound..<numEnd]))
        text.replaceSubrange(range.upperBound..<numEnd, with: "\(loss * 1.01)")
        try text.write(toFile: "\(dir)/sgd.json", atomically: true, encoding: .utf8)
        let changed = try Descent.verify(UserSGD(), fixtures: ["\(dir)/sgd.json"]).results
        #expect(changed.first?.status == .fail && changed.first?.message.contains("the loss left the golden one at step 0") == true,
                "\(changed.first?.message ?? "")")
        let wrong = try Descent.verify(UserSGD(ignoresDampening: true), fixtures: [f]).results
        let failing = wrong.filter { $0.status == .fail }
        #expect(failing.map(\.id) == ["torch/train/sgd-dampening-wd-tanh-bce"], "\(wrong.map { "\($0.id): \($0.status)" })")
    }

    @Test func declinedCasesAreUnsupportedAndMissingPathsThrow() throws {
        let r = try Descent.verify(UserSGD(), fixtures: [Descent.bundledFixtures + "/torch/Adam.json"], validation: false)
        #expect(!r.results.isEmpty && r.results.allSatisfy { $0.status == .unsupported } && !r.passed)
        #expect(throws: DescentError.self) { _ = try Descent.verify(UserSGD(), fixtures: ["/no/such/fixtures"]) }
    }

    /// The package builds as a versioned dependency: a separate package depends on it through a
    /// local git URL with a version tag (`from: "1.0.0"`) and runs a verification through the
    /// API (.ci/dependency-test.sh; one extra debug build of DescentKit, 1.5–3 min). Opt-in, so a
    /// local `swift test` does not pay that build: DESCENT_DEPENDENCY_TEST=1 runs it (.ci/run runs the script itself, beside the release build).
    @Test(.enabled(if: ProcessInfo.processInfo.environment["DESCENT_DEPENDENCY_TEST"] == "1",
                   "a separate package's build: set DESCENT_DEPENDENCY_TEST=1 to run it (.ci/run runs .ci/dependency-test.sh)"),
          .timeLimit(.minutes(15)))
    func aSeparatePackageDependsOnDescentByVersion() throws {
        let root = repositoryRoot
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/bash")
        p.arguments = [root.appendingPathComponent(".ci/dependency-test.sh").path]
        let out = Pipe()
        p.standardOutput = out
        p.standardError = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        #expect(p.terminationStatus == 0, "\(text)")
        #expect(text.contains("8 passed, 0 failed, 0 skipped"), "\(text)")
    }
}
