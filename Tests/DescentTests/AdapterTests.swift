// AdapterTests.swift — the adapter protocol's fault isolation, with /bin/sh adapters that give
// fixed answers to the hand-made SGD case (w₀ = [1, 2] → [0.9, 2.1] → [0.4, 2.1]).
import Foundation
import Testing
@testable import DescentConformance
@testable import DescentLab
@testable import DescentCLI
import DescentJSON

@Suite struct AdapterTests {
    let good = #"{"id": "t/sgd", "params": [[[0.9, 2.1]], [[0.4, 2.1]]]}"#

    func results(_ script: String, cases: [String] = [sgdCase()], timeout: Double = 5, startup: Double = 0.01) throws -> [CaseResult] {
        let a = AdapterVerifier(command: script, timeout: timeout)
        a.startupTimeout = startup
        defer { a.finish() }
        return a.run(try load(fixture(cases)))
    }

    @Test func correctAnswersPass() throws {
        let r = try results("while read l; do echo '\(good)'; done")
        #expect(r.map(\.status) == [.pass])
        #expect(r[0].implementation == "adapter")
    }

    @Test func requestCarriesNoExpectedValues() throws {
        let f = try load(fixture([sgdCase()]))
        let req = AdapterVerifier.request(for: f.cases[0]).serialized()
        #expect(!req.contains("expected") && req.contains("grads") && req.contains("\"lr\":0.5"))
    }

    @Test func wrongValuesFailWithTheFirstDivergence() throws {
        let r = try results(#"while read l; do echo '{"id": "t/sgd", "params": [[[0.9, 2.1]], [[0.4, 2.0]]]}'; done"#)
        #expect(r[0].status == .fail && r[0].firstFailure?.step == 1 && r[0].firstFailure?.index == 1)
    }

    @Test func aCrashCostsOnlyItsCaseAndTheAdapterIsRestarted() throws {
        // The first process crashes on its first case; the restarted one answers (the marker
        // file tells the second start apart from the first).
        let marker = FileManager.default.temporaryDirectory.appendingPathComponent("descent-adapter-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: marker) }
        let script = "if [ -e \(marker) ]; then while read l; do echo '\(good.replacingOccurrences(of: "t/sgd", with: "b"))'; done; else touch \(marker); read l; echo oops >&2; exit 3; fi"
        let r = try results(script, cases: [sgdCase(id: "a"), sgdCase(id: "b")])
        #expect(r.map(\.status) == [.error, .pass])
        #expect(r[0].message.contains("exited with status 3") && r[0].message.contains("oops"))
    }

    @Test func aHangIsATimeout() throws {
        let r = try results("read l; sleep 20", timeout: 0.5)
        #expect(r[0].status == .error && r[0].message.contains("timeout"))
    }

    @Test func garbageAndWrongIdsAreErrors() throws {
        #expect(try results("while read l; do echo hello; done")[0].message.contains("garbage"))
        #expect(try results(#"while read l; do echo '{"id": "other", "params": []}'; done"#)[0].message.contains("expected \"t/sgd\""))
    }

    @Test func wrongCountsAreNamed() throws {
        let r = try results(#"while read l; do echo '{"id": "t/sgd", "params": [[[0.9, 2.1]]]}'; done"#)
        #expect(r[0].status == .error && r[0].message.contains("1 steps answered, 2 expected"))
        let v = try results(#"while read l; do echo '{"id": "t/sgd", "params": [[[0.9]], [[0.4]]]}'; done"#)
        #expect(v[0].status == .error && v[0].message.contains("params[0][0]"))
    }

    @Test func unsupportedAndErrorAnswers() throws {
        #expect(try results(#"while read l; do echo '{"id": "t/sgd", "unsupported": "no SGD here"}'; done"#)[0].status == .unsupported)
        let e = try results(#"while read l; do echo '{"id": "t/sgd", "error": "boom"}'; done"#)[0]
        #expect(e.status == .error && e.message.contains("boom"))
    }

    @Test func nanAnswersAreDataNotCrashes() throws {
        let r = try results(#"while read l; do echo '{"id": "t/sgd", "params": [[["NaN", 2.1]], [[0.4, 2.1]]]}'; done"#)
        #expect(r[0].status == .fail && r[0].firstFailure?.actual.isNaN == true)
    }
}
