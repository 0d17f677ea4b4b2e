// OptaxContribTests.swift — optax.contrib dog, dowg, cocob, acprop, momo and momo_adam against the
// goldens of reference/gen_optax_contrib.py on naive and vectorized in float64 and float32; first
// steps worked by hand from the papers' update rules (not from Descent's code); a resume through
// the saved state; every known-wrong variant caught; the argument handling (dog's init_step, acprop's
// required learning_rate) and a momo replay case without `steps[k].value` an error naming the field.
import Foundation
import Testing
import DescentTestSupport
@testable import DescentCore
@testable import DescentConformance
import DescentJSON

private let contribFiles = ["optax/dog.json", "optax/dowg.json", "optax/cocob.json", "optax/acprop.json",
                            "optax/momo.json", "optax/momo_adam.json"]

@Test(arguments: contribFiles)
func optaxContribFixturesPass(_ file: String) throws {
    try expectFixtureFilePasses(file, atLeast: 5 * 4)
}

private func contribSpec(_ name: String, _ json: String) throws -> OptimizerSpec {
    try Conventions.optimizer(convention: "optax", name: name, hyperparameters: try JSON.parse(json))
}

private func firstStep(_ name: String, _ json: String, _ w0: [[Double]], _ g: [[Double]], value: Double? = nil) throws -> [[Double]] {
    let spec = try contribSpec(name, json)
    let box = try spec.family.makeStepper(Double.self, shapes: w0.map { [$0.count] }, engine: .naive)
    let w = w0.map { Buffer<Double>($0) }
    let gs = g.map { Buffer<Double>($0) }
    if let value { box.stepObjective(w, { _ in (value, gs) }, spec.lr) } else { box.step(w, gs, spec.lr) }
    return w.map(\.doubles)
}

/// DoG's first step: x = x₀, so r̄ = r_eps = α(1 + ‖x₀‖) over BOTH tensors, η = r̄/√(‖g‖² + eps).
/// x₀ = ((3), (4)): ‖x₀‖ = 5; g = ((1), (2)): ‖g‖² = 5.
@Test func dogFirstStepByHand() throws {
    let w = try firstStep("dog", #"{"init_step": ["heuristic", 0.1]}"#, [[3], [4]], [[1], [2]])
    let eta = 0.1 * (1 + 5) / (5 + 1e-8).squareRoot()
    #expect(abs(w[0][0] - (3 - eta * 1)) <= 1e-15 * 3 && abs(w[1][0] - (4 - eta * 2)) <= 1e-15 * 4, "\(w)")
    // DoWG: r̄² = eps = 1e-4, v = r̄²·‖g‖², η = r̄²/(√v + eps).
    let d = try firstStep("dowg", "{}", [[3], [4]], [[1], [2]])
    let etaW = 1e-4 / ((1e-4 * 5).squareRoot() + 1e-4)
    #expect(abs(d[0][0] - (3 - etaW)) <= 1e-15 * 3 && abs(d[1][0] - (4 - 2 * etaW)) <= 1e-15 * 4, "\(d)")
}

/// COCOB's first step (Orabona & Tommasi, Algorithm 2): L = max(eps, |g|) = |g|, G = |g|, R = 0,
/// θ = −g: w = w₀ + (−g)/(|g|·max(2|g|, α|g|))·|g| = w₀ − g/(α|g|) for α ≥ 2.
@Test func cocobFirstStepByHand() throws {
    let w = try firstStep("cocob", "{}", [[1.0, -2.0]], [[0.5, -4.0]])
    #expect(abs(w[0][0] - (1.0 - 0.01)) <= 1e-15 && abs(w[0][1] - (-2.0 + 0.01)) <= 1e-15, "\(w)")
}

/// ACProp's first step: ŝ = 1, so u = g/(1 + eps) and w ← w − lr·g (eps 1e-16 is below an ulp of 1).
@Test func acpropFirstStepByHand() throws {
    let w = try firstStep("acprop", #"{"learning_rate": 0.1}"#, [[1.0, -2.0]], [[0.5, -4.0]])
    #expect(w == [[1.0 - 0.1 * 0.5, -2.0 + 0.1 * 4.0]], "\(w)")
}

/// Momo's first step: bt = 0, so f̄ = f, d = g, γ = ⟨g, w⟩; τ = min(lr, max(f − γ + ⟨g, w⟩, 0)/‖g‖²)
/// = min(lr, f/‖g‖²), the Polyak step. w = (1, −2), g = (0.5, −4): ‖g‖² = 16.25; f = 1.3.
@Test func momoFirstStepByHand() throws {
    let w = try firstStep("momo", "{}", [[1.0, -2.0]], [[0.5, -4.0]], value: 1.3)
    let tau = 1.3 / 16.25
    #expect(abs(w[0][0] - (1.0 - tau * 0.5)) <= 1e-15 && abs(w[0][1] - (-2.0 + tau * 4.0)) <= 1e-15, "\(w)")
}

@Test func optaxContribResumeExactly() throws {
    try expectResumeIsExact(files: contribFiles, after: 4, includingState: true)
}

@Test func optaxContribVariantsAreCaught() throws {
    try expectEveryVariantCaught(files: contribFiles, variants: optaxContribVariants, count: 12)
}

@Test func optaxContribArguments() throws {
    do {
        _ = try contribSpec("dog", #"{"init_step": ["bogus", 1.0]}"#)
        Issue.record("an unknown init_step tag was accepted")
    } catch let DescentError.invalidHyperparameter(_, message) {
        #expect(message == "Invalid init_step specification for scale_by_dog: init_step_type='bogus'")
    }
    #expect(throws: DescentError.self) { try contribSpec("dog", #"{"init_step": "heuristic"}"#) }
    let lr = try #require(try contribSpec("dog", #"{"init_step": ["learning_rate", 0.01]}"#).family as? DoGFamily)
    #expect(lr.initStep == .learningRate(0.01))
    do {
        _ = try contribSpec("acprop", "{}")
        Issue.record("acprop without learning_rate was accepted")
    } catch let DescentError.invalidHyperparameter(_, message) {
        #expect(message == "acprop() missing 1 required positional argument: 'learning_rate'")
    }
}

/// A momo replay case needs the loss on every step: without `steps[k].value` it is an error naming
/// the field; a value on a closed-loop case is refused when the file is read.
@Test func momoWithoutValueIsAnErrorNamingTheField() throws {
    func file(_ step1: String) throws -> FixtureFile {
        let text = """
        {"format": "descent-fixture/1", "description": "t", "cases": [{"id": "t/momo", "kind": "optimizer", "source": "t",
         "dtype": "float64", "optimizer": {"convention": "optax", "name": "momo", "hyperparameters": {}},
         "params": [{"shape": [1], "values": [1.0]}],
         "steps": [{"grads": [[0.5]], "value": 1.0, "expected": [[0.0]]}, {"grads": [[0.5]]\(step1), "expected": [[0.0]]}],
         "tolerance": {"rtol": 1e-9, "atol": 1e-12}}]}
        """
        return try FixtureLoader.load(json: try JSON.parse(text), path: "test.json")
    }
    let results = Verifier(implementations: [EngineImplementation(.naive, summary: "")], dtypes: [.float64]).run(try file(""))
    #expect(results.count == 1)
    for r in results {
        #expect(r.status == .error, "\(r.id): \(r.status) \(r.message)")
        #expect(r.message.contains("steps[1].value"), "\(r.message)")
    }
    // With the value given, the case runs (and fails: its expected values are made up).
    for r in Verifier(implementations: [EngineImplementation(.naive, summary: "")], dtypes: [.float64]).run(try file(#", "value": 0.5"#)) {
        #expect(r.status == .fail, "\(r.id): \(r.status) \(r.message)")
    }
}
