// AdEMAMixTests.swift — optax.contrib.ademamix and pytorch_optimizer.AdEMAMix against the golden
// fixtures of reference/gen_ademamix.py on naive and vectorized in float64 and float32, the first
// step and the warmups worked by hand, a resume through the saved state, and every known-wrong
// variant of the family caught by these fixtures.
import Foundation
import Testing
import DescentTestSupport
@testable import DescentCore
@testable import DescentConformance
import DescentJSON

private let ademamixFixtureFiles = ["optax/ademamix.json", "pytorch_optimizer/AdEMAMix.json",
                                    "optax/simplified_ademamix.json", "pytorch_optimizer/SimplifiedAdEMAMix.json"]

@Test(arguments: ademamixFixtureFiles)
func ademamixFixturesPass(_ file: String) throws {
    try expectFixtureFilePasses(file, atLeast: 5 * 4)
}

/// The first step with the defaults (no warmup), g = 2, lr 1, worked by hand: m₁ = 0.1·2 and
/// m₁/(1 − 0.9) = 2; m₂ = (1 − 0.9999)·2 = 2e-4, NOT corrected, so α·m₂ = 1e-3; √ν̂ = 2; the update
/// is (2 + 1e-3)/(2 + 1e-8). A bias-corrected m₂ would give (2 + 10)/(2 + 1e-8).
@Test(arguments: [("optax", "ademamix", "learning_rate"), ("pytorch_optimizer", "AdEMAMix", "lr")])
func ademamixFirstStepByHand(_ convention: String, _ name: String, _ lrKey: String) throws {
    let spec = try Conventions.optimizer(convention: convention, name: name, hyperparameters: .object([(lrKey, JSON(1.0))]))
    let box = try spec.family.makeStepper(Double.self, shapes: [[1]], engine: .naive)
    let p = Buffer<Double>([0])
    box.step([p], [Buffer<Double>([2])], 1.0)
    let expected = -(2 + 1e-3) / (2 + 1e-8)
    #expect(abs(p.doubles[0] - expected) <= 1e-14, "\(convention).\(name): \(p.doubles[0]) vs \(expected)")
}

/// pytorch_optimizer's warmups at the step t: α(t) = min(t·α/T, α); β₃(t) interpolates the half-life
/// from β₁ to β₃, reaching β₃ exactly at t = T: exp(ln β₁·ln β₃/ln β₁) = β₃, and at t = T/2 it is
/// exp(2·ln β₁·ln β₃/(ln β₁ + ln β₃)) (worked with β₁ = 0.9, β₃ = 0.99, T = 8).
@Test func ademamixWarmupsByHand() throws {
    var f = AdEMAMixFamily(form: .pytorchOptimizer)
    f.beta1 = 0.9; f.beta3 = 0.99; f.alpha = 8; f.tAlphaBeta3 = 8
    #expect(f.mixing(step: 1).alpha == 1)
    #expect(f.mixing(step: 4).alpha == 4)
    #expect(f.mixing(step: 20).alpha == 8)
    let l1 = log(0.9), l3 = log(0.99)
    #expect(abs(f.mixing(step: 4).beta3 - exp(2 * l1 * l3 / (l1 + l3))) <= 1e-15)
    #expect(abs(f.mixing(step: 8).beta3 - 0.99) <= 1e-15)
    #expect(f.mixing(step: 30).beta3 == 0.99)
    // optax: schedules read at the count before the update (t − 1).
    let spec = try Conventions.optimizer(convention: "optax", name: "ademamix", hyperparameters: try JSON.parse(
        #"{"learning_rate": 0.1, "alpha": {"name": "linear_schedule", "parameters": {"init_value": 0.0, "end_value": 4.0, "transition_steps": 4}}}"#))
    let o = try #require(spec.family as? AdEMAMixFamily)
    #expect(o.mixing(step: 1).alpha == 0)
    #expect(o.mixing(step: 2).alpha == 1)
    #expect(o.mixing(step: 9).alpha == 4)
}

@Test func ademamixResumeExactly() throws {
    try expectResumeIsExact(files: ademamixFixtureFiles, after: 5, includingState: true)
}

@Test func ademamixVariantsAreCaught() throws {
    try expectEveryVariantCaught(files: ademamixFixtureFiles, variants: ademamixVariants, count: 6)
}

/// pytorch_optimizer's SimplifiedAdEMAMix, first step, g = 2, lr 1, betas (0.99, 0.95), alpha 0,
/// foreach False, worked by hand: m = 0.01·2, v = 0.05·4, den_sum = 0.05, so
/// u = 0.02/(√0.2 + √0.05·1e-8)/√0.05 = 0.02/(0.1 + 0.05·1e-8) ≈ 0.2 (Adam's denominator would
/// give 0.02/(2 + 1e-8)). optax's: m = 2 (an accumulator), n̂ = 4, u = 2/(2 + 1e-8).
@Test func simplifiedAdemamixFirstStepByHand() throws {
    let torch = try Conventions.optimizer(convention: "pytorch_optimizer", name: "SimplifiedAdEMAMix",
                                          hyperparameters: try JSON.parse(#"{"lr": 1.0, "foreach": false}"#))
    let optax = try Conventions.optimizer(convention: "optax", name: "simplified_ademamix",
                                          hyperparameters: .object([("learning_rate", JSON(1.0))]))
    for (spec, expected) in [(torch, -0.02 / (0.2.squareRoot() + 0.05.squareRoot() * 1e-8) / 0.05.squareRoot()),
                             (optax, -2 / (2 + 1e-8))] {
        let box = try spec.family.makeStepper(Double.self, shapes: [[1]], engine: .naive)
        let p = Buffer<Double>([0])
        box.step([p], [Buffer<Double>([2])], 1.0)
        #expect(abs(p.doubles[0] - expected) <= 1e-14 * abs(expected), "\(spec.family.summary): \(p.doubles[0]) vs \(expected)")
    }
}
