// ASGDTests.swift — torch.optim.ASGD against the golden fixtures of reference/gen_asgd.py (the
// trajectory cases and the `state` cases, whose expected_state holds step, eta, mu and ax) on
// naive and vectorized in float64 and float32, eta and mu against their closed forms, a resume
// through the saved state, and every ASGD known-wrong variant caught by these fixtures.
import Foundation
import Testing
import DescentTestSupport
@testable import DescentCore
@testable import DescentConformance
import DescentJSON

private let asgdFixtureFiles = ["torch/ASGD.json", "torch/problems/asgd.json"]

private func load(_ file: String) throws -> FixtureFile {
    try FixtureLoader.load(path: fixturesURL.appendingPathComponent(file).path)
}

@Test(arguments: asgdFixtureFiles)
func asgdFixturesPass(_ file: String) throws {
    let implementations: [any Implementation] = [EngineImplementation(.naive, summary: ""),
                                                 EngineImplementation(Engine(.vectorized, threads: 2), name: "vectorized", summary: "")]
    let results = Verifier(implementations: implementations, dtypes: [.float64, .float32]).run(try load(file))
    #expect(results.count >= 3 * 4)
    for r in results {
        #expect(r.status == .pass, "\(r.id) [\(r.implementation), \(r.dtype)]: \(r.status) \(r.message)")
    }
}

/// eta and mu after step t are lr/(1 + lambd·lr·t)^alpha and 1/max(1, t − t0) (closed forms, with
/// a constant lr; t0 2.5 makes t − t0 < 1 at the first steps, where max(1, ·) matters).
@Test func asgdScalarsFollowTheirClosedForms() throws {
    let spec = try Conventions.optimizer(convention: "torch", name: "ASGD",
                                         hyperparameters: .object([("lr", JSON(0.1)), ("lambd", JSON(0.5)), ("alpha", JSON(0.75)), ("t0", JSON(2.5))]))
    let box = try spec.family.makeStepper(Double.self, shapes: [[3]], engine: .naive)
    let w = Buffer<Double>([1, 2, 3])
    for t in 1...8 {
        box.step([w], [Buffer<Double>([0.5, -1, 0])], 0.1)
        let s = box.save()
        let eta = 0.1 / Foundation.pow(1 + 0.5 * 0.1 * Double(t), 0.75)
        #expect(try s.scalar("eta") == eta, "eta after step \(t)")
        #expect(try s.scalar("mu") == 1 / max(1, Double(t) - 2.5), "mu after step \(t)")
    }
}

@Test func asgdResumesExactly() throws {
    for case let .optimizer(c) in try load("torch/ASGD.json").cases where c.expectedError == nil && !c.needsFieldRun {
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
            return params.map(\.doubles) + box.state().flatMap { $0.buffers.map(\.doubles) }
        }
        #expect(try run(resumeAt: 7) == run(resumeAt: nil), "\(c.id): a resume after step 7 changed the trajectory or ax")
    }
}

@Test func asgdVariantsAreCaught() throws {
    let files = try asgdFixtureFiles.map(load)
    for p in Power.run(files: files, variants: asgdVariants) {
        #expect(p.applicable > 0, "\(p.variant.id) applies to no case")
        #expect(p.caught, "no fixture catches \(p.variant.id) (\(p.variant.summary)); it applies to \(p.applicable) cases")
    }
    #expect(Set(asgdVariants.map(\.id)).count == asgdVariants.count)
    #expect(asgdVariants.count == 3)
}
