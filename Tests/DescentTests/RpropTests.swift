// RpropTests.swift — Rprop (torch.optim.Rprop, optax.rprop) against the golden fixtures of
// reference/gen_rprop.py: every case passes through Conventions → makeStepper on naive and
// vectorized in float64 and float32, a resume through the saved state is exact, the sign logic on
// a hand-worked scalar sequence, and every Rprop known-wrong variant is caught by these fixtures.
import Foundation
import Testing
import DescentTestSupport
@testable import DescentCore
@testable import DescentConformance
import DescentJSON

private let rpropFixtureFiles = ["torch/Rprop.json", "optax/rprop.json", "torch/problems/rprop.json", "optax/problems/rprop.json"]

@Test(arguments: rpropFixtureFiles)
func rpropFixturesPass(_ file: String) throws {
    try expectFixtureFilePasses(file, atLeast: 3 * 4)
}

// MARK: - The sign logic, worked by hand

/// One element, lr 0.1, etas (0.5, 1.2), gradients +1, +3, −2, −1, 0, +5 (magnitudes must not matter):
///   torch: step 1 compares with 0 (η 0.1, move −0.1); step 2 agrees (η 0.12, −0.12); step 3 flips
///          (η 0.06, gradient zeroed: no move, prev 0); step 4 compares with 0 (η 0.06, +0.06);
///          step 5 g = 0 (η 0.06, no move, prev 0); step 6 compares with 0 (η 0.06, −0.06).
///   optax: the same step sizes until the flip, each update one step late: 0, −0.1, 0 (the flip
///          zeroes it), 0 (prev_updates was zeroed), +0.06, 0 (g = 0 at step 5: prev_updates 0).
@Test func rpropSignLogicByHand() throws {
    let grads: [Double] = [1, 3, -2, -1, 0, 5]
    let torchMoves: [Double] = [-0.1, -0.12, 0, 0.06, 0, -0.06]
    let optaxMoves: [Double] = [0, -0.1, 0, 0, 0.06, 0]
    for (convention, name, hp, moves) in [("torch", "Rprop", [("lr", JSON(0.1))], torchMoves),
                                          ("optax", "rprop", [("learning_rate", JSON(0.1))], optaxMoves)] {
        let spec = try Conventions.optimizer(convention: convention, name: name, hyperparameters: .object(hp))
        for engine in [Engine.naive, Engine(.vectorized, threads: 2)] {
            let box = try spec.family.makeStepper(Double.self, shapes: [[1]], engine: engine)
            let w = Buffer<Double>([0])
            var expected = 0.0
            for (g, m) in zip(grads, moves) {
                box.step([w], [Buffer<Double>([g])], 0.1)
                expected += m
                #expect(abs(w[0] - expected) <= 1e-15, "\(convention) on \(engine.kind): \(w[0]) vs \(expected)")
            }
        }
    }
}

// MARK: - Resume through the saved state is exact

@Test func rpropResumesExactly() throws {
    try expectResumeIsExact(files: Array(rpropFixtureFiles.prefix(2)), after: 5)
}

// MARK: - Known-wrong variants: every one is caught by these fixtures

@Test func rpropVariantsAreCaught() throws {
    try expectEveryVariantCaught(files: rpropFixtureFiles, variants: rpropVariants, count: 3)
}
