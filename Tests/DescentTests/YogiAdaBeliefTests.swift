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

@Test(arguments: yogiAdaBeliefFixtureFiles)
func yogiAdaBeliefFixturesPass(_ file: String) throws {
    try expectFixtureFilePasses(file, atLeast: 5 * 4)
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
    try expectResumeIsExact(files: Array(yogiAdaBeliefFixtureFiles.prefix(2)), after: 5)
}

@Test func yogiAdaBeliefVariantsAreCaught() throws {
    try expectEveryVariantCaught(files: yogiAdaBeliefFixtureFiles, variants: yogiAdaBeliefVariants, count: 4)
}
