// SparseOptimisticTests.swift — torch.optim.SparseAdam and optax's optimistic optimizers against the
// golden fixtures of reference/gen_sparse_adam.py and reference/gen_optimistic.py on naive and
// vectorized in float64 and float32, hand-worked steps (SparseAdam leaves absent entries alone and
// counts an empty gradient; the optimistic first step is plain GD), the loader's named errors for
// `grad_indices`, a resume through the saved state, and every known-wrong variant caught; optax
// polyak_sgd's closed-loop goldens (reference/gen_polyak.py) and its first step by hand.
import Foundation
import Testing
import DescentTestSupport
@testable import DescentCore
@testable import DescentConformance
import DescentJSON

private let sparseOptimisticFixtureFiles = ["torch/SparseAdam.json", "optax/optimistic_gradient_descent.json",
                                            "optax/optimistic_adam_v2.json", "optax/optimistic_adam.json",
                                            "optax/problems/optimistic.json", "optax/problems/polyak_sgd.json"]

@Test(arguments: sparseOptimisticFixtureFiles)
func sparseOptimisticFixturesPass(_ file: String) throws {
    try expectFixtureFilePasses(file, atLeast: 6 * 4)
}

/// One SparseAdam step from zero state, lr 0.1, betas (0.9, 0.999), eps 1e-8: at a present entry
/// m = 0.1·g, v = 0.001·g², α = 0.1·√0.001/0.1, so w moves by −0.1·g/(|g| + 1e-8/√0.001) ≈ −0.1·sign(g)
/// (an explicit zero present: m = v = 0, no move); absent entries keep w, m and v. A second step with
/// no entries moves nothing but counts: the third step's bias correction is that of step 3.
@Test func sparseAdamByHand() throws {
    let spec = try Conventions.optimizer(convention: "torch", name: "SparseAdam", hyperparameters: .object([("lr", JSON(0.1))]))
    let box = try spec.family.makeStepper(Double.self, shapes: [[4]], engine: .naive)
    let step = try #require(box.stepSparse)
    let w = Buffer<Double>([1, 1, 1, 1])
    step([w], [Buffer<Double>([2, 0, 0, -3])], [[0, 1, 3]], 0.1)
    let e = 1e-8 / 0.001.squareRoot()
    let expected = [1 - 0.1 * 2 / (2 + e), 1, 1, 1 + 0.1 * 3 / (3 + e)]
    for i in 0..<4 { #expect(abs(w[i] - expected[i]) <= 1e-15, "w[\(i)]: \(w[i]) vs \(expected[i])") }
    let m = try #require(box.state().first { $0.name == "exp_avg" }).buffers[0].doubles
    #expect(m[1] == 0 && m[2] == 0 && abs(m[0] - 0.2) < 1e-15)
    step([w], [Buffer<Double>([0, 0, 0, 0])], [[]], 0.1)
    for i in 0..<4 { #expect(abs(w[i] - expected[i]) <= 1e-15, "an empty gradient moved w[\(i)]") }
    let saved = box.save()
    #expect(saved.values("step") == [[2]], "the empty step was not counted: \(String(describing: saved.values("step")))")
}

/// optax's optimistic GD starts its previous gradient at the first gradient (issue 1082), so the
/// first step is w − lr·alpha·g; the second is w − lr·((alpha + beta)·g₂ − beta·g₁).
@Test func optimisticFirstStepIsGradientDescent() throws {
    let spec = try Conventions.optimizer(convention: "optax", name: "optimistic_gradient_descent",
                                         hyperparameters: .object([("learning_rate", JSON(0.5)), ("alpha", JSON(0.75)), ("beta", JSON(0.25))]))
    let box = try spec.family.makeStepper(Double.self, shapes: [[2]], engine: .naive)
    let w = Buffer<Double>([1, -1])
    box.step([w], [Buffer<Double>([2, 4])], 0.5)
    #expect(w.doubles == [1 - 0.5 * 0.75 * 2, -1 - 0.5 * 0.75 * 4])
    box.step([w], [Buffer<Double>([1, 0])], 0.5)
    #expect(w.doubles == [0.25 - 0.5 * (1.0 * 1 - 0.25 * 2), -2.5 - 0.5 * (0 - 0.25 * 4)])
}

/// `grad_indices` that do not describe the gradient are refused with the field named.
@Test(arguments: [
    (#"[[0, 5]]"#, "steps[0].grad_indices[0][1]"),
    (#"[[1, 0]]"#, "steps[0].grad_indices[0][1]"),
    (#"[[1]]"#, "steps[0].grad_indices[0]"),
    (#"[[0], [1]]"#, "steps[0].grad_indices"),
])
func gradIndicesAreChecked(_ indices: String, _ field: String) throws {
    let text = #"{"format": "descent-fixture/1", "cases": [{"id": "t/sparse", "kind": "optimizer", "optimizer": {"convention": "torch", "name": "SparseAdam"}, "params": [{"shape": [2], "values": [1, 2]}], "steps": [{"grads": [[0.5, 0]], "grad_indices": "# + indices + #", "expected": [[1, 2]]}], "tolerance": {"rtol": 0, "atol": 0}}]}"#
    let f = try FixtureLoader.load(json: try JSON.parse(text), path: "t.json")
    let message = try #require(f.broken.first, "the case loaded").message
    #expect(message.contains(field), "\(message)")
}

/// SparseAdam refuses dense gradients (torch raises), and another optimizer refuses sparse ones.
@Test func sparseAndDenseGradientsGoWhereTheyBelong() throws {
    func run(_ name: String, _ extra: String) throws -> CaseResult {
        let text = #"{"format": "descent-fixture/1", "cases": [{"id": "t/x", "kind": "optimizer", "optimizer": {"convention": "torch", "name": ""# + name + #"", "hyperparameters": {"lr": 0.1}}, "params": [{"shape": [2], "values": [1, 2]}], "steps": [{"grads": [[0.5, 0]]"# + extra + #", "expected": [[1, 2]]}], "tolerance": {"rtol": 0, "atol": 0}}]}"#
        let f = try FixtureLoader.load(json: try JSON.parse(text), path: "t.json")
        return try #require(Verifier(implementations: [EngineImplementation(.naive, summary: "")], dtypes: [.float64]).run(f).first)
    }
    let dense = try run("SparseAdam", "")
    #expect(dense.status == .error && dense.message.contains("grad_indices") && dense.message.contains("does not support dense gradients"), "\(dense.message)")
    let sparse = try run("Adam", #", "grad_indices": [[0]]"#)
    #expect(sparse.status == .unsupported && sparse.message.contains("grad_indices"), "\(sparse.message)")
}

@Test func sparseOptimisticResumeExactly() throws {
    try expectResumeIsExact(files: Array(sparseOptimisticFixtureFiles.prefix(4)), after: 3, includingState: true)
}

@Test func sparseOptimisticVariantsAreCaught() throws {
    try expectEveryVariantCaught(files: sparseOptimisticFixtureFiles, variants: sparseOptimisticVariants, count: 6)
    try expectEveryVariantCaught(files: ["optax/problems/polyak_sgd.json"], variants: polyakVariants, count: 3)
}

/// polyak_sgd's first step on f(x) = ½·4x² − 0·x (quadratic A = [4], b = [0]) from x = 1, scaling
/// 0.5, f_min 0: u = −0.5·4 = −2, ‖u‖² = 4, γ = min(2/4, 1) = 0.5, x ← 1 + 0.5·(−2) = 0; with
/// max_learning_rate 0.25, γ = 0.25 and x = 0.5. Worked by hand.
@Test func polyakFirstStepByHand() throws {
    for (cap, expected) in [(1.0, 0.0), (0.25, 0.5)] {
        let spec = try Conventions.optimizer(convention: "optax", name: "polyak_sgd",
                                             hyperparameters: .object([("scaling", JSON(0.5)), ("max_learning_rate", JSON(cap))]))
        let box = try spec.family.makeStepper(Double.self, shapes: [[1]], engine: .naive)
        #expect(box.needsObjective)
        let x = Buffer<Double>([1])
        box.stepObjective([x], { p in (0.5 * 4 * p[0][0] * p[0][0], [Buffer<Double>([4 * p[0][0]])]) }, spec.lr)
        #expect(x[0] == expected, "max_learning_rate \(cap): \(x[0])")
    }
}

/// optax.noisy_sgd is listed but unsupported, with the reason; its missing learning_rate is still
/// the library's TypeError.
@Test func noisySGDIsUnsupportedWithItsReason() throws {
    #expect(Conventions.optax.optimizers.contains { $0.name == "noisy_sgd" })
    do {
        _ = try Conventions.optimizer(convention: "optax", name: "noisy_sgd", hyperparameters: .object([("learning_rate", JSON(0.1))]))
        Issue.record("noisy_sgd was accepted")
    } catch let DescentError.unsupported(reason) {
        #expect(reason.contains("jax.random"), "\(reason)")
    }
    #expect(throws: DescentError.self) {
        _ = try Conventions.optimizer(convention: "optax", name: "noisy_sgd", hyperparameters: .object([]))
    }
}
