// FamilyFixtureChecks.swift — the three checks every optimizer family's own test file runs on its
// fixtures (AdafactorTests, ASGDTests, RpropTests, YogiAdaBeliefTests): every case passes on naive
// and 2-thread vectorized in both dtypes, a resume through the saved state is exact, and every
// known-wrong variant of the family is caught.
import Foundation
import Testing
import DescentTestSupport
@testable import DescentCore
@testable import DescentConformance

func loadFixtureFile(_ file: String) throws -> FixtureFile {
    try FixtureLoader.load(path: fixturesURL.appendingPathComponent(file).path)
}

/// Every case of `file` passes on naive and 2-thread vectorized in float64 and float32, over at
/// least `atLeast` results.
func expectFixtureFilePasses(_ file: String, atLeast: Int) throws {
    let implementations: [any Implementation] = [EngineImplementation(.naive, summary: ""),
                                                 EngineImplementation(Engine(.vectorized, threads: 2), name: "vectorized", summary: "")]
    let results = Verifier(implementations: implementations, dtypes: [.float64, .float32]).run(try loadFixtureFile(file))
    #expect(results.count >= atLeast)
    for r in results {
        #expect(r.status == .pass, "\(r.id) [\(r.implementation), \(r.dtype)]: \(r.status) \(r.message)")
    }
}

/// The plain trajectory cases of `files` (no expected error, no field loop), each run on naive in
/// float64 with and without a save → encoded bytes → load into a fresh stepper after step
/// `resumeAfter`: the parameters (and with `includingState`, every state buffer) must be equal.
func expectResumeIsExact(files: [String], after resumeAfter: Int, includingState: Bool = false) throws {
    for file in files {
        for case let .optimizer(c) in try loadFixtureFile(file).cases where c.expectedError == nil && !c.needsFieldRun {
            let spec = try Verifier.spec(for: c)
            let shapes = c.params.map(\.shape)
            func run(resumeAt: Int?) throws -> [[Double]] {
                var box = try spec.family.makeStepper(Double.self, shapes: shapes, engine: .naive)
                let params = c.params.map { Buffer<Double>(converting: $0.values) }
                for (k, s) in c.steps.enumerated() {
                    let grads = s.grads!.map { Buffer<Double>(converting: $0) }
                    if box.needsObjective, let value = s.value {
                        box.stepObjective(params, { _ in (value, grads) }, s.lr ?? spec.lr)
                    } else if let present = s.gradIndices, let sparse = box.stepSparse {
                        sparse(params, grads, present.map { $0 ?? [] }, s.lr ?? spec.lr)
                    } else if box.takesHessian, let h = s.hessian {
                        box.stepHessian(params, grads, h.map { Buffer<Double>(converting: $0) }, s.lr ?? spec.lr)
                    } else {
                        box.step(params, grads, s.lr ?? spec.lr)
                    }
                    if k + 1 == resumeAt {
                        let bytes = box.save().encoded()
                        box = try spec.family.makeStepper(Double.self, shapes: shapes, engine: .naive)
                        try box.load(StepperState(encoded: bytes))
                    }
                }
                let state = includingState ? box.state().flatMap { $0.buffers.map(\.doubles) } : []
                return params.map(\.doubles) + state
            }
            #expect(try run(resumeAt: resumeAfter) == run(resumeAt: nil),
                    "\(c.id): a resume after step \(resumeAfter) changed the trajectory\(includingState ? " or the state" : "")")
        }
    }
}

/// Every variant applies to some case of `files` and is caught by one; the ids are distinct and
/// there are exactly `count` of them.
func expectEveryVariantCaught(files: [String], variants: [KnownWrongVariant], count: Int) throws {
    for p in Power.run(files: try files.map(loadFixtureFile), variants: variants) {
        #expect(p.applicable > 0, "\(p.variant.id) applies to no case")
        #expect(p.caught, "no fixture catches \(p.variant.id) (\(p.variant.summary)); it applies to \(p.applicable) cases")
    }
    #expect(Set(variants.map(\.id)).count == variants.count)
    #expect(variants.count == count)
}
