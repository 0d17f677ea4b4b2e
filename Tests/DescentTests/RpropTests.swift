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

private func load(_ file: String) throws -> FixtureFile {
    try FixtureLoader.load(path: fixturesURL.appendingPathComponent(file).path)
}

@Test(arguments: rpropFixtureFiles)
func rpropFixturesPass(_ file: String) throws {
    let implementations: [any Implementation] = [EngineImplementation(.naive, summary: ""),
                                                 EngineImplementation(Engine(.vectorized, threads: 2), name: "vectorized", summary: "")]
    let results = Verifier(implementations: implementations, dtypes: [.float64, .float32]).run(try load(file))
    #expect(results.count >= 3 * 4)
    for r in results {
        #expect(r.status == .pass, "\(r.id) [\(r.implementation), \(r.dtype)]: \(r.status) \(r.message)")
    }
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
    for file in rpropFixtureFiles.prefix(2) {
        for case let .optimizer(c) in try load(file).cases where c.expectedError == nil && !c.needsFieldRun {
            let spec = try Verifier.spec(for: c)
            let shapes = c.params.map(\.shape)
            func run(resumeAt: Int?) throws -> [[Double]] {
                var box = try spec.family.makeStepper(Double.self, shapes: shapes, engine: .naive)
                let params = c.params.map { Buffer<Double>(converting: $0.values) }
                for (k, s) in c.steps.enumerated() {
                    box.step(params, s.grads!.map { Buffer<Double>(converting: $0) }, s.lr ?? spec.lr)
                    if k + 1 == resumeAt {
                        let bytes = box.save().encoded()
                        box = try spec.family.makeStepper(Double.self, shapes: shapes, engine: .naive)
                        try box.load(StepperState(encoded: bytes))
                    }
                }
                return params.map(\.doubles)
            }
            #expect(try run(resumeAt: 5) == run(resumeAt: nil), "\(c.id): a resume after step 5 changed the trajectory")
        }
    }
}

// MARK: - Known-wrong variants: every one is caught by these fixtures

@Test func rpropVariantsAreCaught() throws {
    let files = try rpropFixtureFiles.map(load)
    for p in Power.run(files: files, variants: rpropVariants) {
        #expect(p.applicable > 0, "\(p.variant.id) applies to no case")
        #expect(p.caught, "no fixture catches \(p.variant.id) (\(p.variant.summary)); it applies to \(p.applicable) cases")
    }
    #expect(Set(rpropVariants.map(\.id)).count == rpropVariants.count)
    #expect(rpropVariants.count == 3)
}
