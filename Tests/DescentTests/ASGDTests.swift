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

@Test(arguments: asgdFixtureFiles)
func asgdFixturesPass(_ file: String) throws {
    try expectFixtureFilePasses(file, atLeast: 3 * 4)
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
    try expectResumeIsExact(files: ["torch/ASGD.json"], after: 7, includingState: true)
}

@Test func asgdVariantsAreCaught() throws {
    try expectEveryVariantCaught(files: asgdFixtureFiles, variants: asgdVariants, count: 3)
}
