// ADOPTTests.swift — optax.contrib.adopt and pytorch_optimizer.ADOPT against the golden fixtures of
// reference/gen_adopt.py on naive and vectorized in float64 and float32, two steps worked by hand
// (the first step moves nothing and sets v = g²; the second normalises by the first step's v and
// clips at each library's own c), a resume through the saved state, and every known-wrong variant
// of ADOPT caught by these fixtures.
import Foundation
import Testing
import DescentTestSupport
@testable import DescentCore
@testable import DescentConformance
import DescentJSON

private let adoptFixtureFiles = ["optax/adopt.json", "pytorch_optimizer/ADOPT.json"]

@Test(arguments: adoptFixtureFiles)
func adoptFixturesPass(_ file: String) throws {
    try expectFixtureFilePasses(file, atLeast: 10 * 4)
}

/// w = (1, 2), g₁ = (2, 0), g₂ = (1, 3), lr 0.1, defaults (b1 0.9, b2 0.9999, eps 1e-6). Step 1:
/// w unchanged, v = g₁² = (4, 0). Step 2: n = g₂/max(√v, eps) = (0.5, 3e6), clipped to ±c with
/// c = 1 (optax: count 1) or 2^¼ (pytorch_optimizer: step 2); m = 0.1·n; w ← w − 0.1·m;
/// v = 0.9999·(4, 0) + (1 − 0.9999)·(1, 9).
@Test func adoptTwoStepsByHandOptax() throws {
    try adoptTwoStepsByHand("optax", "adopt", "learning_rate", clip: 1)
}

@Test func adoptTwoStepsByHandPytorchOptimizer() throws {
    try adoptTwoStepsByHand("pytorch_optimizer", "ADOPT", "lr", clip: pow(2.0, 0.25))
}

private func adoptTwoStepsByHand(_ convention: String, _ name: String, _ lrKey: String, clip: Double) throws {
    let spec = try Conventions.optimizer(convention: convention, name: name, hyperparameters: .object([(lrKey, JSON(0.1))]))
    let box = try spec.family.makeStepper(Double.self, shapes: [[2]], engine: .naive)
    let w = Buffer<Double>([1, 2])
    box.step([w], [Buffer<Double>([2, 0])], 0.1)
    #expect(w.doubles == [1, 2], "the first step moved the parameters: \(w.doubles)")
    let vName = convention == "optax" ? "nu" : "exp_avg_sq"
    #expect(try #require(box.state().first { $0.name == vName }).buffers[0].doubles == [4, 0])
    box.step([w], [Buffer<Double>([1, 3])], 0.1)
    // 1 − b1 and 1 − b2 as float64 computes them (both libraries do).
    let expectedW = [1 - 0.1 * ((1 - 0.9) * 0.5), 2 - 0.1 * ((1 - 0.9) * clip)]
    let expectedV = [0.9999 * 4 + (1 - 0.9999) * 1, (1 - 0.9999) * 9]
    let v = try #require(box.state().first { $0.name == vName }).buffers[0].doubles
    for i in 0..<2 {
        #expect(abs(w.doubles[i] - expectedW[i]) <= 1e-15 * abs(expectedW[i]), "w[\(i)]: \(w.doubles[i]) vs \(expectedW[i])")
        #expect(abs(v[i] - expectedV[i]) <= 1e-15 * abs(expectedV[i]), "v[\(i)]: \(v[i]) vs \(expectedV[i])")
    }
}

@Test func adoptResumeExactly() throws {
    try expectResumeIsExact(files: adoptFixtureFiles, after: 5, includingState: true)
}

@Test func adoptVariantsAreCaught() throws {
    try expectEveryVariantCaught(files: adoptFixtureFiles, variants: adoptVariants, count: 4)
}
