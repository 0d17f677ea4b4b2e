// MatrixOptimizerTests.swift — Muon (torch, optax), Shampoo and SOAP (pytorch_optimizer) against
// the golden fixtures of reference/gen_matrix.py in float64 and float32; every knob's mistake is
// caught by some fixture case; the matrix helpers against closed forms; the Muon closed-form check.
import Foundation
import Testing
import DescentTestSupport
@testable import DescentCore
@testable import DescentConformance
@testable import DescentLab
@testable import DescentCLI
import DescentJSON

private let root = fixturesURL

private let matrixFixtureFiles = [
    "torch/Muon.json", "optax/muon.json", "pytorch_optimizer/Shampoo.json", "pytorch_optimizer/SOAP.json",
    "pytorch_optimizer/ScalableShampoo.json",
    "torch/problems/matrix.json", "optax/problems/matrix.json", "pytorch_optimizer/problems/matrix.json",
]

private func loadFixture(_ file: String) throws -> FixtureFile {
    try FixtureLoader.load(path: root.appendingPathComponent(file).path)
}

/// The naive engine with the family replaced by `mutate(family)`: a deliberately wrong optimizer.
private struct MutatedImplementation: Implementation {
    let mutate: @Sendable (any OptimizerFamily) -> any OptimizerFamily
    var name: String { "mutated" }
    var summary: String { "" }
    var availability: Availability { .available }
    func stepper<T: DescentFloat>(_ spec: OptimizerSpec, _: T.Type, shapes: [[Int]]) throws -> StepperBox<T> {
        try mutate(spec.family).makeStepper(T.self, shapes: shapes, engine: .naive)
    }
}

@Test(arguments: matrixFixtureFiles)
func matrixFixturesPassInBothPrecisions(_ file: String) throws {
    let fx = try loadFixture(file)
    #expect(!fx.cases.isEmpty)
    let results = Verifier(implementations: [EngineImplementation(.naive, summary: "")], dtypes: [.float64, .float32]).run(fx)
    #expect(results.count == 2 * fx.cases.count)
    for r in results { #expect(r.status == .pass, "\(r.id) [\(r.dtype)]: \(r.message)") }
}

/// Some trajectory case of `file` must fail (not merely be unsupported) when the family is
/// mutated. Case by case, stopping at the first failure, and without the diagnosis a file run
/// gives every failure (in a debug build that was a fifth of the whole suite's time).
private func caught(_ file: String, _ what: String,
                    _ mutate: @escaping @Sendable (any OptimizerFamily) -> any OptimizerFamily) throws {
    let fx = try loadFixture(file)
    let verifier = Verifier(implementations: [], dtypes: [], diagnoser: nil)
    let mutated = MutatedImplementation(mutate: mutate)
    let failing = fx.cases.first { c in
        c.expectedError == nil && verifier.run(c, file: file, implementation: mutated, dtype: .float64).status == .fail
    }
    #expect(failing != nil, "\(file): the mistake '\(what)' is not caught")
}

private func muon(_ f: any OptimizerFamily, _ edit: (inout MuonFamily) -> Void) -> any OptimizerFamily {
    guard var m = f as? MuonFamily else { return f }
    edit(&m)
    return m
}

@Suite struct MuonKnobsAreCaught {
    /// The mutation machinery itself: an identity "mutation" must pass every case.
    @Test func identityIsNotAMistake() throws {
        let fx = try loadFixture("torch/Muon.json")
        let results = Verifier(implementations: [MutatedImplementation(mutate: { $0 })], dtypes: [.float64]).run(fx)
        #expect(results.allSatisfy { $0.status == .pass })
    }

    @Test func torch() throws {
        let file = "torch/Muon.json"
        try caught(file, "nesterov flipped") { muon($0) { $0.nesterov.toggle() } }
        try caught(file, "optax momentum (bias-corrected) instead of torch's EMA") { muon($0) { $0.form = .optax } }
        try caught(file, "optax's width scale √max(1, B/A)") { muon($0) { $0.shapeScale = .optaxWidth } }
        try caught(file, "√(A/B) unclamped for every adjust_lr_fn") { muon($0) { $0.shapeScale = .torchSpectralUnclamped } }
        try caught(file, "‖U‖ + eps instead of max(‖U‖, eps)") { muon($0) { if case let .frobeniusClamped(e) = $0.normalization { $0.normalization = .frobeniusPlus(e) } } }
        try caught(file, "hard-coded default coefficients") { muon($0) { $0.coefficients = Array(repeating: (3.4445, -4.7750, 2.0315), count: 5) } }
        try caught(file, "one Newton–Schulz step too few") { muon($0) { $0.coefficients = Array($0.coefficients.dropLast()) } }
        try caught(file, "weight decay ignored") { muon($0) { $0.weightDecay = 0 } }
    }

    @Test func optax() throws {
        let file = "optax/muon.json"
        try caught(file, "nesterov flipped") { muon($0) { $0.nesterov.toggle() } }
        try caught(file, "torch's EMA without bias correction") { muon($0) { $0.form = .torch; $0.normalization = .frobeniusPlus(1e-8) } }
        try caught(file, "torch's scale √max(1, A/B)") { muon($0) { $0.shapeScale = .torchOriginal } }
        try caught(file, "max(‖Û‖, eps) instead of ‖Û‖ + eps") { muon($0) { if case let .frobeniusPlus(e) = $0.normalization { $0.normalization = .frobeniusClamped(e) } } }
        try caught(file, "adaptive ignored") { muon($0) { $0.adaptive = false } }
        try caught(file, "consistent_rms ignored") { muon($0) { if case .optaxConsistentRMS = $0.shapeScale { $0.shapeScale = .optaxWidth } } }
        try caught(file, "preconditioning ignored") { muon($0) { $0.normalization = .frobeniusPlus(1e-8) } }
        try caught(file, "dion coefficients reversed") { muon($0) { $0.coefficients.reverse() } }
        try caught(file, "weight decay ignored") { muon($0) { $0.weightDecay = 0 } }
        try caught(file, "Adam fallback without nesterov") { muon($0) { $0.fallback?.nesterov = false } }
        try caught(file, "Muon's decay applied to the fallback tensors") { muon($0) { $0.fallback?.decay = .decoupled($0.weightDecay) } }
        try caught(file, "adam_learning_rate ignored") { muon($0) { $0.fallbackLR = nil } }
        try caught(file, "mu_dtype float32 ignored") { muon($0) { $0.muFloat32 = false } }
    }
}

@Suite struct ShampooSOAPKnobsAreCaught {
    private func shampoo(_ f: any OptimizerFamily, _ edit: (inout ShampooFamily) -> Void) -> any OptimizerFamily {
        guard var s = f as? ShampooFamily else { return f }
        edit(&s)
        return s
    }
    private func soap(_ f: any OptimizerFamily, _ edit: (inout SOAPFamily) -> Void) -> any OptimizerFamily {
        guard var s = f as? SOAPFamily else { return f }
        edit(&s)
        return s
    }

    @Test func shampooKnobs() throws {
        let file = "pytorch_optimizer/Shampoo.json"
        try caught(file, "momentum ignored") { shampoo($0) { $0.momentum = 0 } }
        try caught(file, "roots recomputed every step") { shampoo($0) { $0.preconditioningComputeSteps = 1 } }
        try caught(file, "decay coupling flipped") { shampoo($0) { $0.weightDecouple.toggle() } }
        try caught(file, "fixed_decay ignored") { shampoo($0) { $0.fixedDecay = false } }
        try caught(file, "maximize ignored") { shampoo($0) { $0.maximize = false } }
        try caught(file, "matrix_eps 1e-6 hard-coded") { shampoo($0) { $0.matrixEps = 1e-6 } }
        try caught(file, "matrix_eps off by ×10") { shampoo($0) { $0.matrixEps *= 10 } }
    }

    private func scalable(_ f: any OptimizerFamily, _ edit: (inout ScalableShampooFamily) -> Void) -> any OptimizerFamily {
        guard var s = f as? ScalableShampooFamily else { return f }
        edit(&s)
        return s
    }

    @Test func scalableShampooKnobs() throws {
        let file = "pytorch_optimizer/ScalableShampoo.json"
        try caught(file, "small tensors preconditioned (no merged dims)") { scalable($0) { $0.shapeInterpretation = false; $0.startPreconditioningStep = 1; $0.preconditioningComputeSteps = 1 } }
        try caught(file, "exact roots instead of Schur–Newton") { scalable($0) { $0.useSVD = true } }
        try caught(file, "Schur–Newton instead of SVD") { scalable($0) { $0.useSVD = false } }
        try caught(file, "graft ignored") { scalable($0) { $0.graft = .sgd } }
        try caught(file, "no graft rescaling ever") { scalable($0) { $0.graft = .none } }
        try caught(file, "nesterov flipped") { scalable($0) { $0.nesterov.toggle() } }
        try caught(file, "EMA momentum flipped") { scalable($0) { $0.movingAverageForMomentum.toggle() } }
        try caught(file, "decay coupling flipped") { scalable($0) { $0.decoupledWeightDecay.toggle() } }
        try caught(file, "decoupled_learning_rate flipped") { scalable($0) { $0.decoupledLearningRate.toggle() } }
        try caught(file, "both sides always preconditioned") { scalable($0) { $0.sides = .all } }
        try caught(file, "inverse_exponent_override ignored") { scalable($0) { $0.inverseExponentOverride = 0 } }
        try caught(file, "statistics every step") { scalable($0) { $0.statisticsComputeSteps = 1 } }
        try caught(file, "preconditioning from the first step") { scalable($0) { $0.startPreconditioningStep = 1 } }
        try caught(file, "maximize ignored") { scalable($0) { $0.maximize = false } }
    }

    @Test func soapKnobs() throws {
        let file = "pytorch_optimizer/SOAP.json"
        try caught(file, "bias correction flipped") { soap($0) { $0.correctBias.toggle() } }
        try caught(file, "shampoo_beta ignored") { soap($0) { $0.shampooBeta = nil } }
        try caught(file, "eigenbases never refreshed") { soap($0) { $0.preconditionFrequency = 1_000_000 } }
        try caught(file, "refresh one step off") { soap($0) { $0.preconditionFrequency += 1 } }
        try caught(file, "normalize_gradient ignored") { soap($0) { $0.normalizeGradient = false } }
        try caught(file, "weight decay ignored") { soap($0) { $0.weightDecay = 0 } }
        try caught(file, "betas swapped") { soap($0) { ($0.beta1, $0.beta2) = ($0.beta2, $0.beta1) } }
        try caught(file, "maximize ignored") { soap($0) { $0.maximize = false } }
        try caught(file, "eps ignored") { soap($0) { $0.eps = 1e-8 } }
    }

    @Test func soapRejectsRankDeficientFirstStatistics() throws {
        let spec = try Conventions.optimizer(convention: "pytorch_optimizer", name: "SOAP", hyperparameters: nil)
        #expect(throws: DescentError.self) { try spec.family.makeStepper(Double.self, shapes: [[3, 5]], engine: .naive) }
        _ = try spec.family.makeStepper(Double.self, shapes: [[4, 4], [7]], engine: .naive)
        let one = try Conventions.optimizer(convention: "pytorch_optimizer", name: "SOAP",
                                            hyperparameters: .object([("max_precondition_dim", JSON(3))]))
        _ = try one.family.makeStepper(Double.self, shapes: [[3, 5], [5, 3]], engine: .naive)
    }
}

// MARK: - Matrix helpers against closed forms

@Suite struct MatrixOpsClosedForms {
    let engine = Engine.naive

    private func matrix(_ rows: Int, _ cols: Int, _ v: [Double]) -> DenseMatrix<Double> {
        DenseMatrix(rows: rows, cols: cols, data: Buffer<Double>(v))
    }

    @Test func eigenOfAKnownMatrix() {
        // [[2, 1], [1, 2]] = 3·e₊e₊ᵀ + 1·e₋e₋ᵀ, e± = (1, ±1)/√2.
        let (values, v) = MatrixOps.symmetricEigen(matrix(2, 2, [2, 1, 1, 2]))
        #expect(abs(values[0] - 3) < 1e-15 && abs(values[1] - 1) < 1e-15)
        #expect(abs(abs(v[0, 0]) - 0.5.squareRoot()) < 1e-15 && abs(v[0, 0] - v[1, 0]) < 1e-15)
        #expect(abs(v[0, 1] + v[1, 1]) < 1e-15)
        // diag(1, 5, 3) permuted: eigenvalues come back descending.
        let (d, _) = MatrixOps.symmetricEigen(matrix(3, 3, [1, 0, 0, 0, 5, 0, 0, 0, 3]))
        #expect(d == [5, 3, 1])
    }

    @Test func eigenReconstructs() {
        var r = SplitMix64(seed: 7)
        let n = 6
        let m = r.vector(n * n, 0.1, 1)
        var s = [Double](repeating: 0, count: n * n)
        for i in 0..<n { for j in 0..<n { for k in 0..<n { s[i * n + j] += m[i * n + k] * m[j * n + k] } } }
        let (values, v) = MatrixOps.symmetricEigen(matrix(n, n, s))
        for i in 0..<n {
            for j in 0..<n {
                let back = (0..<n).reduce(0.0) { $0 + v[i, $1] * values[$1] * v[j, $1] }
                #expect(abs(back - s[i * n + j]) < 1e-13 * values[0])
                let orth = (0..<n).reduce(0.0) { $0 + v[$1, i] * v[$1, j] }
                #expect(abs(orth - (i == j ? 1 : 0)) < 1e-14)
            }
        }
    }

    @Test func newtonSchulzOnAnOrthogonalMatrix() {
        // Q orthogonal 2×2 (a rotation): Q/‖Q‖_F has singular values 1/√2, so NS₅ gives φ⁵(1/√2)·Q.
        let c = 0.6, s = 0.8
        let q = matrix(2, 2, [c, -s, s, c])
        let abc = (3.4445, -4.7750, 2.0315)
        let o = MatrixOps.newtonSchulz(engine, q, coefficients: Array(repeating: abc, count: 5), normalization: .frobeniusClamped(1e-7))
        let f = newtonSchulzScalar(0.5.squareRoot(), abc, steps: 5)
        for (a, b) in zip((0..<4).map { o.data[$0] }, [c, -s, s, c].map { $0 * f }) { #expect(abs(a - b) < 1e-13) }
        // A tall input is handled through its transpose: NS(Xᵀ) = NS(X)ᵀ.
        let x = matrix(2, 3, [1, 2, 0, -1, 0.5, 3])
        let wide = MatrixOps.newtonSchulz(engine, x, coefficients: [abc, abc], normalization: .frobeniusPlus(1e-8))
        let tall = MatrixOps.newtonSchulz(engine, x.transposed, coefficients: [abc, abc], normalization: .frobeniusPlus(1e-8))
        for i in 0..<2 { for j in 0..<3 { #expect(abs(wide[i, j] - tall[j, i]) < 1e-15) } }
    }

    @Test func inverseRootOfAKnownMatrix() {
        // diag(16, 81) ^ (−1/4) = diag(1/2, 1/3); rotated by a rotation R it stays R·diag·Rᵀ.
        let c = 0.6, s = 0.8
        let a = [16 * c * c + 81 * s * s, (16 - 81) * c * s, (16 - 81) * c * s, 16 * s * s + 81 * c * c]
        let r = MatrixOps.inverseRoot(engine, matrix(2, 2, a), power: 4)
        let expected = [0.5 * c * c + s * s / 3, (0.5 - 1.0 / 3) * c * s, (0.5 - 1.0 / 3) * c * s, 0.5 * s * s + c * c / 3]
        for k in 0..<4 { #expect(abs(r.data[k] - expected[k]) < 1e-15) }
    }

    @Test func qrReconstructs() {
        let a = matrix(3, 3, [2, -1, 0, 4, 1, 3, -2, 5, 1])
        let q = MatrixOps.qr(a)
        let r = MatrixOps.matmul(engine, q, a, transA: true)     // R = Qᵀ·A is upper triangular
        let qtq = MatrixOps.matmul(engine, q, q, transA: true)
        for i in 0..<3 {
            for j in 0..<3 {
                #expect(abs(qtq[i, j] - (i == j ? 1 : 0)) < 1e-15)
                if i > j { #expect(abs(r[i, j]) < 1e-14) }
            }
        }
    }
}

@Suite struct MuonClosedFormCheckTests {
    @Test func passesInBothPrecisions() {
        for c in muonChecks {
            for d in DType.allCases {
                let o = c.run(dtype: d)
                #expect(o.status == .passed, "\(o.id) [\(d)]: \(o.message)")
            }
        }
    }

    @Test func catchesAWrongStepCount() {
        for var c in muonChecks.compactMap({ $0 as? MuonNewtonSchulzCheck }) {
            c.closedFormSteps = 4
            #expect(c.run(dtype: .float64).status == .failed)
            c.closedFormSteps = 5
            c.perturbation = 1e-3
            #expect(c.run(dtype: .float64).status == .failed)
        }
    }

    @Test func bandIsTheKnownOne() {
        let (lo, hi) = newtonSchulzBand((3.4445, -4.7750, 2.0315), steps: 5, lo: 0.01)
        #expect(abs(lo - 0.6818) < 1e-3 && abs(hi - 1.1344) < 1e-3)
    }
}

/// torch.optim.Muon's signature has no foreach / differentiable (torch raises TypeError): Descent
/// must not accept them silently, nor invent a message for them.
@Test func torchMuonHasNoForeachKeyword() throws {
    for key in ["foreach", "differentiable"] {
        do {
            _ = try Conventions.optimizer(convention: "torch", name: "Muon", hyperparameters: try JSON.parse(#"{"\#(key)": false}"#))
            Issue.record("torch Muon accepted \(key)")
        } catch let DescentError.unsupported(why) {
            #expect(why.contains(key), "\(why)")
        }
    }
}
