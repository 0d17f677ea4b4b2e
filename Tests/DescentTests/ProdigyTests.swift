// ProdigyTests.swift — prodigyopt.Prodigy and optax.contrib.prodigy against the golden fixtures of
// reference/gen_prodigy.py on naive and vectorized in float64 and float32; the first step worked by
// hand (d stays d0 since w = p0 makes the numerator 0, and the step is d0·lr·(1 − β₁)·g/(√(1 − β₂)·|g|
// + eps), a sign-like step of size d0·lr); d never decreasing, and capped by growth_rate once it has
// left d0, on every trajectory case; a resume through the saved state; the library's argument
// handling Descent adds (growth_rate "inf", fsdp_in_use); every known-wrong variant of Prodigy caught.
import Foundation
import Testing
import DescentTestSupport
@testable import DescentCore
@testable import DescentConformance
import DescentJSON

private let prodigyFixtureFiles = ["prodigyopt/Prodigy.json", "optax/prodigy.json", "pytorch_optimizer/Prodigy.json"]

@Test(arguments: prodigyFixtureFiles)
func prodigyFixturesPass(_ file: String) throws {
    try expectFixtureFilePasses(file, atLeast: 10 * 4)
}

private func prodigySpec(_ convention: String, _ name: String, _ json: String) throws -> OptimizerSpec {
    try Conventions.optimizer(convention: convention, name: name, hyperparameters: try JSON.parse(json))
}

/// w = (1, −2, 0.5), g = (3, −1e-3, 0), defaults: the numerator is 0 at the first step (w = p0), so
/// d̂ = 0 and d stays d0 = 1e-6; m = d0(1 − β₁)·g, v = d0²(1 − β₂)·g², and w moves by
/// −d0·lr·(1 − β₁)·g/(√(1 − β₂)·|g| + eps): ±d0·lr·0.1/√0.001 where g ≠ 0, 0 where g = 0.
@Test(arguments: [("prodigyopt", "Prodigy"), ("optax", "prodigy"), ("pytorch_optimizer", "Prodigy")])
func prodigyFirstStepByHand(_ convention: String, _ name: String) throws {
    let spec = try prodigySpec(convention, name, "{}")
    let box = try spec.family.makeStepper(Double.self, shapes: [[3]], engine: .naive)
    let w0 = [1.0, -2.0, 0.5], g = [3.0, -1e-3, 0.0]
    let w = Buffer<Double>(w0)
    box.step([w], [Buffer<Double>(g)], spec.lr)
    // optax's bias correction at t = 1 is √(1 − β₂)/(1 − β₁): dlr = d0·lr·√0.001/0.1.
    let bc = convention == "optax" ? (1 - 0.999).squareRoot() / (1 - 0.9) : 1
    for i in 0..<3 {
        let expected = w0[i] - 1e-6 * bc * (1 - 0.9) * g[i] / ((1 - 0.999).squareRoot() * abs(g[i]) + 1e-8)
        #expect(abs(w.doubles[i] - expected) <= 1e-15 * abs(expected), "w[\(i)]: \(w.doubles[i]) vs \(expected)")
    }
    let d = try box.save().scalar(convention == "optax" ? "estim_lr" : "d")
    #expect(d == 1e-6, "d after the first step: \(d)")
}

/// Every trajectory case of the goldens, replayed on naive: d (estim_lr) never decreases, and with a
/// finite growth_rate, once d has left d0, d ≤ d_prev·growth_rate. The defaults case must move d by
/// orders of magnitude (else it tests nothing of the estimate).
@Test func prodigyDNeverDecreasesAndGrowsAtMostByTheRate() throws {
    var grew = false
    for file in prodigyFixtureFiles {
        for case let .optimizer(c) in try loadFixtureFile(file).cases where c.expectedError == nil && !c.needsFieldRun {
            let spec = try Verifier.spec(for: c)
            let f = try #require(spec.family as? ProdigyFamily)
            let box = try f.makeStepper(Double.self, shapes: c.params.map(\.shape), engine: .naive)
            let params = c.params.map { Buffer<Double>(converting: $0.values) }
            let key = f.form == .optax ? "estim_lr" : "d"
            var prev = f.d0
            for s in c.steps {
                box.step(params, s.grads!.map { Buffer<Double>(converting: $0) }, s.lr ?? spec.lr)
                let d = try box.save().scalar(key)
                #expect(d >= prev, "\(c.id): d fell from \(prev) to \(d)")
                if f.growthRate.isFinite && prev != f.d0 {
                    #expect(d <= prev * f.growthRate, "\(c.id): d grew from \(prev) to \(d), beyond growth_rate \(f.growthRate)")
                }
                prev = d
            }
            if c.id == "prodigyopt/Prodigy/defaults" { grew = prev > 100 * f.d0 }
        }
    }
    #expect(grew, "the defaults case left d within 100·d0")
}

@Test func prodigyResumeExactly() throws {
    try expectResumeIsExact(files: prodigyFixtureFiles, after: 5, includingState: true)
}

@Test func prodigyVariantsAreCaught() throws {
    try expectEveryVariantCaught(files: prodigyFixtureFiles, variants: prodigyVariants, count: 10)
}

@Test func prodigyoptArguments() throws {
    let inf = try #require(try prodigySpec("prodigyopt", "Prodigy", #"{"growth_rate": "inf"}"#).family as? ProdigyFamily)
    #expect(inf.growthRate == .infinity)
    let given = try #require(try prodigySpec("prodigyopt", "Prodigy", #"{"growth_rate": 1.02, "beta3": null, "slice_p": 11}"#).family as? ProdigyFamily)
    #expect(given.growthRate == 1.02 && given.beta3 == nil && given.sliceP == 11)
    #expect(given.effectiveBeta3 == 0.999.squareRoot())
    #expect(throws: DescentError.self) { try prodigySpec("prodigyopt", "Prodigy", #"{"growth_rate": "fast"}"#) }
    do {
        _ = try prodigySpec("prodigyopt", "Prodigy", #"{"fsdp_in_use": true}"#)
        Issue.record("fsdp_in_use=True was accepted")
    } catch let DescentError.unsupported(why) {
        #expect(why.contains("torch.distributed"))
    }
    // The order of the ValueErrors: d0 before lr before eps.
    do {
        _ = try prodigySpec("prodigyopt", "Prodigy", #"{"lr": -1, "eps": 0.0}"#)
        Issue.record("lr=-1 was accepted")
    } catch let DescentError.invalidHyperparameter(_, message) {
        #expect(message == "Invalid learning rate: -1")
    }
}

/// prodigyopt's one estimate spans every param group and only the tensors that have gradients: the
/// field runner steps such a case as ONE stepper over all groups. The first step in closed form
/// (d = d0 = 1e-6, lr 1, p0 = w so d̂ = 0 and d stays d0): m = d(1 − β₁)g, v = d²(1 − β₂)g², so
/// w ← w − d0·lr·wd·w (decoupled, the group's weight_decay) − d0·lr·(d0·0.1·g)/(d0·√0.001·|g| + d0·1e-8);
/// a tensor with a `null` gradient does not move.
@Test(arguments: [#""param_groups": [{"params": [0]}, {"params": [1], "hyperparameters": {"weight_decay": 0.1}}]"#, ""])
func prodigyoptGroupsRunAsOneStepper(_ groups: String) throws {
    let grads = groups.isEmpty ? "[null, [0.5]]" : "[[0.25], [0.5]]"
    let adam = { (g: Double) in 1e-6 * (1e-6 * 0.1 * g) / (1e-6 * 0.001.squareRoot() * abs(g) + 1e-6 * 1e-8) }
    let w0 = groups.isEmpty ? 1.0 : 1.0 - adam(0.25)
    let w1 = 2.0 - (groups.isEmpty ? 0 : 1e-6 * 0.1 * 2.0) - adam(0.5)
    let text = """
    {"format": "descent-fixture/1", "description": "t", "cases": [{"id": "t/prodigy", "kind": "optimizer", "source": "t",
     "dtype": "float64", "features": [\(groups.isEmpty ? #""missing_grads""# : #""param_groups""#)],
     "optimizer": {"convention": "prodigyopt", "name": "Prodigy", "hyperparameters": {}\(groups.isEmpty ? "" : ", " + groups)},
     "params": [{"shape": [1], "values": [1.0]}, {"shape": [1], "values": [2.0]}],
     "steps": [{"grads": \(grads), "expected": [[\(w0)], [\(w1)]]}], "tolerance": {"rtol": 1e-12, "atol": 1e-15}}]}
    """
    let file = try FixtureLoader.load(json: try JSON.parse(text), path: "test.json")
    let results = Verifier(implementations: [EngineImplementation(.naive, summary: "")], dtypes: [.float64]).run(file)
    #expect(results.count == 1)
    for r in results {
        #expect(r.status == .pass, "\(r.id): \(r.status) \(r.message)")
        #expect(r.ran.contains("1 unit") && r.ran.contains("one state over all"), "\(r.ran)")
    }
}

/// prodigyopt and dadaptation raise at the step when a group's lr is neither the largest nor 0
/// ("Setting different lr values in different parameter groups is only supported for values of 0");
/// a group at lr 0 is accepted (prodigyopt's constructor would refuse lr=0; a group's is not checked).
@Test(arguments: [("prodigyopt", "Prodigy"), ("dadaptation", "DAdaptAdam"), ("dadaptation", "DAdaptSGD"), ("dadaptation", "DAdaptLion")])
func sharedEstimateGroupLRs(_ convention: String, _ name: String) throws {
    func run(_ secondLR: Double) throws -> CaseResult {
        let text = """
        {"format": "descent-fixture/1", "description": "t", "cases": [{"id": "t/\(name)", "kind": "optimizer", "source": "t",
         "dtype": "float64", "features": ["param_groups"],
         "optimizer": {"convention": "\(convention)", "name": "\(name)", "hyperparameters": {"lr": 1.0},
                       "param_groups": [{"params": [0]}, {"params": [1], "hyperparameters": {"lr": \(secondLR)}}]},
         "params": [{"shape": [1], "values": [1.0]}, {"shape": [1], "values": [2.0]}],
         "steps": [{"grads": [[0.25], [0.5]], "expected": [[1.0], [2.0]]}], "tolerance": {"rtol": 1e-9, "atol": 1e-12}}]}
        """
        let file = try FixtureLoader.load(json: try JSON.parse(text), path: "test.json")
        let results = Verifier(implementations: [EngineImplementation(.naive, summary: "")], dtypes: [.float64]).run(file)
        #expect(results.count == 1)
        return results[0]
    }
    let mixed = try run(0.5)
    #expect(mixed.status == .error, "\(mixed.status) \(mixed.message)")
    #expect(mixed.message.contains("Setting different lr values in different parameter groups is only supported for values of 0"), "\(mixed.message)")
    let frozen = try run(0.0)
    #expect(frozen.status != .error && frozen.status != .unsupported, "\(frozen.status) \(frozen.message)")
    #expect(frozen.ran.contains("one state over all"), "\(frozen.ran)")
}
