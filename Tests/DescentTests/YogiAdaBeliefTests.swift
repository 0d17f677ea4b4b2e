// YogiAdaBeliefTests.swift — optax.yogi and optax.adabelief against the golden fixtures of
// reference/gen_yogi_adabelief.py on naive and vectorized in float64 and float32, Yogi's second
// moment on a hand-worked step, a resume through the saved state, and every known-wrong variant of
// the two caught by these fixtures.
import Foundation
import Testing
import DescentTestSupport
@testable import DescentCore
@testable import DescentConformance
import DescentJSON

private let yogiAdaBeliefFixtureFiles = ["optax/yogi.json", "optax/adabelief.json", "optax/problems/yogi_adabelief.json"]

private func load(_ file: String) throws -> FixtureFile {
    try FixtureLoader.load(path: fixturesURL.appendingPathComponent(file).path)
}

@Test(arguments: yogiAdaBeliefFixtureFiles)
func yogiAdaBeliefFixturesPass(_ file: String) throws {
    let implementations: [any Implementation] = [EngineImplementation(.naive, summary: ""),
                                                 EngineImplementation(Engine(.vectorized, threads: 2), name: "vectorized", summary: "")]
    let results = Verifier(implementations: implementations, dtypes: [.float64, .float32]).run(try load(file))
    #expect(results.count >= 5 * 4)
    for r in results {
        #expect(r.status == .pass, "\(r.id) [\(r.implementation), \(r.dtype)]: \(r.status) \(r.message)")
    }
}

/// Yogi's v moves by (1 − β₂)·g² towards g², never past it in one step: from v₀ = 1e-6, g = 2
/// (g² = 4 > v) gives v = 1e-6 + 0.001·4, g = 1e-4 (g² = 1e-8 < v) gives v = 1e-6 − 0.001·1e-8,
/// g = 0 keeps v. Worked by hand with b2 = 0.999.
@Test func yogiSecondMomentByHand() throws {
    let spec = try Conventions.optimizer(convention: "optax", name: "yogi", hyperparameters: .object([("learning_rate", JSON(0.1))]))
    let box = try spec.family.makeStepper(Double.self, shapes: [[3]], engine: .naive)
    box.step([Buffer<Double>([0, 0, 0])], [Buffer<Double>([2, 1e-4, 0])], 0.1)
    let nu = try #require(box.state().first { $0.name == "nu" }).buffers[0].doubles
    let expected = [1e-6 + 0.001 * 4, 1e-6 - 0.001 * 1e-8, 1e-6]
    for i in 0..<3 { #expect(abs(nu[i] - expected[i]) <= 1e-15 * max(expected[i], 1e-6), "nu[\(i)]: \(nu[i]) vs \(expected[i])") }
}

@Test func yogiAdaBeliefResumeExactly() throws {
    for file in yogiAdaBeliefFixtureFiles.prefix(2) {
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

@Test func yogiAdaBeliefVariantsAreCaught() throws {
    let files = try yogiAdaBeliefFixtureFiles.map(load)
    for p in Power.run(files: files, variants: yogiAdaBeliefVariants) {
        #expect(p.applicable > 0, "\(p.variant.id) applies to no case")
        #expect(p.caught, "no fixture catches \(p.variant.id) (\(p.variant.summary)); it applies to \(p.applicable) cases")
    }
    #expect(Set(yogiAdaBeliefVariants.map(\.id)).count == yogiAdaBeliefVariants.count)
    #expect(yogiAdaBeliefVariants.count == 4)
}
