// TrainingTests.swift — the finite-difference checks of `descent check` fail on deliberately
// wrong backward passes; training cases load (with precise errors), run on every engine, go
// through the adapter protocol (loss + params), and the training fixtures catch the model variants.
import Foundation
import Testing
import DescentTestSupport
@testable import DescentCore
@testable import DescentConformance
@testable import DescentLab
@testable import DescentCLI
import DescentJSON

private let repoFixtures = fixturesURL

/// Every convention with training goldens (reference/gen_training.py and gen_training_more.py).
private let trainingConventions: Set<String> = ["torch", "optax", "pytorch_optimizer", "lion_pytorch", "schedulefree", "keras",
                                                "transformers", "prodigyopt", "dadaptation"]

private func trainingFiles() throws -> [FixtureFile] {
    let dirs = trainingConventions.map { repoFixtures.appendingPathComponent("\($0)/training").path }
    return try FixtureLoader.discover(dirs).files.map { try FixtureLoader.load(path: $0) }
}

private func backpropCheckIDs() -> [String] { ClosedFormChecks.all.compactMap { ($0 as? BackpropGradientCheck)?.id } }

@Suite struct BackpropCheckTests {
    @Test func thereIsOneCheckPerActivationAndLoss() {
        #expect(backpropCheckIDs().count == Activation.allCases.count * Loss.allCases.count)
    }

    @Test(arguments: [MLPFaults.sigmaPrimeDropped, .biasGradientFirstExample, .backwardLossSummed])
    func everyCheckFailsOnAWrongBackward(_ fault: MLPFaults) {
        for c in ClosedFormChecks.all {
            guard var x = c as? BackpropGradientCheck else { continue }
            x.faults = fault
            for dtype in DType.allCases {
                let o = x.run(dtype: dtype)
                #expect(o.status == .failed, "\(x.id) [\(dtype)] with faults \(fault.rawValue): \(o.status.rawValue) \(o.message)")
                if let e = o.maxError { #expect(e > 100 * o.tolerance, "\(x.id) [\(dtype)]: only \(e)") }
            }
        }
    }
}

private func trainingCase(batch: String = "[0, 1]", activation: String = "\"tanh\"", extra: String = "") -> String {
    """
    {"id": "t/train", "kind": "training", "source": "by hand",
     "model": {"type": "mlp", "sizes": [2, 2, 2], "activation": \(activation), "loss": "cross_entropy"},
     "data": {"inputs": {"shape": [3, 2], "values": [0.5, -1, 1, 0.25, 0, 2]}, "targets": {"shape": [3], "values": [0, 1, 1]}},
     "params": [{"shape": [2, 2], "values": [0.1, 0.2, 0.3, 0.4]}, {"shape": [2], "values": [0, 0.1]},
                {"shape": [2, 2], "values": [0.5, -0.5, 0.2, 0.1]}, {"shape": [2], "values": [0.1, -0.1]}],
     "optimizer": {"convention": "torch", "name": "SGD", "hyperparameters": {"lr": 0.1}}, \(extra)
     "steps": [{"batch": \(batch), "expected_loss": 0.7,
                "expected": [[0.1, 0.2, 0.3, 0.4], [0, 0.1], [0.5, -0.5, 0.2, 0.1], [0.1, -0.1]]}],
     "tolerance": {"rtol": 1e-8, "atol": 1e-12}}
    """
}

@Suite struct TrainingCaseTests {
    @Test func aTrainingCaseLoads() throws {
        let f = try load(fixture([trainingCase()]))
        guard case let .optimizer(oc) = try #require(f.cases.first) else { Issue.record("not an optimizer case"); return }
        #expect(oc.kind == "training" && oc.training?.sizes == [2, 2, 2] && oc.steps[0].batch == [0, 1])
        #expect(oc.steps[0].expectedLoss == 0.7 && oc.training?.rows == 3)
    }

    @Test func brokenTrainingCasesNameTheField() throws {
        #expect(try brokenMessage(trainingCase(batch: "[0, 3]")).contains("steps[0].batch[1]"))
        #expect(try brokenMessage(trainingCase(batch: "[]")).contains("steps[0].batch"))
        #expect(try brokenMessage(trainingCase().replacingOccurrences(of: "\"expected_loss\": 0.7,", with: "")).contains("steps[0].expected_loss"))
        #expect(try brokenMessage(trainingCase().replacingOccurrences(of: "\"shape\": [3, 2]", with: "\"shape\": [2, 3]")).contains("data.inputs"))
    }

    @Test func unknownNamesAreUnsupported() throws {
        let f = try load(fixture([trainingCase(activation: "\"gelu\"")]))
        let r = Verifier(implementations: [EngineImplementation(.naive, summary: "")], dtypes: [.float64]).run(f)
        #expect(r.count == 1 && r[0].status == .unsupported && r[0].message.contains("gelu"), "\(r.map(\.message))")
    }

    @Test func aWrongLossIsReportedAsTheLoss() throws {
        // The by-hand case's expected_loss (0.7) is not the model's loss: the run fails at the loss.
        let f = try load(fixture([trainingCase()]))
        let r = Verifier(implementations: [EngineImplementation(.naive, summary: "")], dtypes: [.float64]).run(f)
        #expect(r[0].status == .fail && r[0].kind == "training")
        #expect(r[0].message.contains("the loss left the golden one at step 0"), "\(r[0].message)")
    }

    @Test func trainingFixturesCoverTheIssue() throws {
        let cases = try trainingFiles().flatMap(\.cases).compactMap { c -> OptimizerCase? in
            if case let .optimizer(oc) = c { return oc.training == nil ? nil : oc }
            return nil
        }
        #expect(cases.count >= 35)
        let setups = cases.map { $0.training! }
        #expect(Set(setups.compactMap(\.activation)) == Set(Activation.allCases.map(\.rawValue)))
        #expect(Set(setups.map(\.loss)) == Set(Loss.allCases.map(\.rawValue)))
        #expect(Set(cases.map(\.convention)) == trainingConventions)
        #expect(cases.contains { !$0.gradTransforms.isEmpty && $0.convention == "torch" })
        #expect(cases.contains { !$0.gradTransforms.isEmpty && $0.convention == "optax" })
        #expect(cases.contains { $0.steps.contains { $0.lr != nil } })
        // batches of different sizes within a case (a short last batch)
        #expect(cases.contains { Set($0.steps.map { $0.batch!.count }).count > 1 })
        // 20–50 steps at rtol ≤ 1e-8, but for two reasoned exceptions (each case's description gives
        // the measurement): torch LBFGS trains 12 full-batch steps (later its float32 curvature pairs
        // amplify rounding beyond the float32 policy), and Keras takes Adafactor's means and Muon's
        // Frobenius norm in float32 (rtol 1e-5, as gen_adafactor.py's and gen_keras.py's cases).
        for c in cases {
            let steps = c.name == "LBFGS" ? 12...50 : 20...50
            let rtol = c.convention == "keras" && ["Adafactor", "Muon"].contains(c.name) ? 1e-5 : 1e-8
            #expect(steps.contains(c.steps.count) && c.tolerance.rtol <= rtol, "\(c.id)")
        }
    }

    @Test func modelVariantsAreCaughtByTheTrainingFixtures() throws {
        let variants = KnownWrong.all.filter { if case .model = $0.mistake { return true }; return false }
        #expect(variants.count >= 6)
        for p in Power.run(files: try trainingFiles(), variants: variants) {
            #expect(p.caught, "no training fixture catches \(p.variant.id); it applies to \(p.applicable) cases")
        }
    }

    @Test func modelVariantsDeclineOtherCases() throws {
        let f = try load(fixture([sgdCase()]))
        let v = try #require(KnownWrong.named("train-loss-summed"))
        let r = Verifier(implementations: [v], dtypes: [.float64]).run(f)
        #expect(r.allSatisfy { $0.status == .unsupported })
    }
}

@Suite struct TrainingAdapterTests {
    /// The first case of the torch SGD training fixture, and a correct answer built from its goldens.
    func caseAndAnswer(lossFactor: Double = 1, dropLoss: Bool = false) throws -> (FixtureFile, String) {
        let path = repoFixtures.appendingPathComponent("torch/training/sgd.json").path
        var f = try FixtureLoader.load(path: path)
        f.cases = Array(f.cases.prefix(1))
        guard case let .optimizer(oc) = f.cases[0] else { throw DescentError.unsupported("not a training case") }
        var answer: [(String, JSON)] = [("id", .string(oc.id)),
                                        ("params", .array(oc.steps.map { .array($0.expected.map { .array($0.map { JSON($0) }) }) }))]
        if !dropLoss { answer.append(("loss", .array(oc.steps.map { JSON($0.expectedLoss! * lossFactor) }))) }
        return (f, JSON.object(answer).serialized())
    }

    func run(_ f: FixtureFile, _ line: String) throws -> CaseResult {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("descent-train-answer-\(UUID().uuidString).json")
        try line.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let a = AdapterVerifier(command: "while read l; do cat '\(file.path)'; echo; done", timeout: 10)
        defer { a.finish() }
        return a.run(f)[0]
    }

    @Test func requestCarriesNoExpectedLoss() throws {
        let (f, _) = try caseAndAnswer()
        let req = AdapterVerifier.request(for: f.cases[0]).serialized()
        #expect(!req.contains("expected") && req.contains("\"batch\"") && req.contains("\"kind\":\"training\""))
    }

    @Test func correctAnswerPassesWrongLossFailsMissingLossIsAnError() throws {
        let (f, good) = try caseAndAnswer()
        let ok = try run(f, good)
        #expect(ok.status == .pass && ok.kind == "training", "\(ok.message)")
        let (_, wrong) = try caseAndAnswer(lossFactor: 1.001)
        let bad = try run(f, wrong)
        #expect(bad.status == .fail && bad.message.contains("the loss left the golden one at step 0"), "\(bad.message)")
        let (_, none) = try caseAndAnswer(dropLoss: true)
        let err = try run(f, none)
        #expect(err.status == .error && err.message.contains("'loss'"), "\(err.message)")
    }
}
