// MADGRADTests.swift — optax.contrib.madgrad and pytorch_optimizer.MADGRAD against the golden
// fixtures of reference/gen_madgrad.py on naive and vectorized in float64 and float32, the first
// step from the paper's update (Defazio & Jelassi 2021, Algorithm 1) worked by hand, the eps = 0
// corner where the libraries part (pytorch_optimizer's inf mask, optax's 0/0), a resume through the
// saved state, every known-wrong variant caught, and argument handling.
import Foundation
import Testing
import DescentTestSupport
@testable import DescentCore
@testable import DescentConformance
import DescentJSON

private let madgradFixtureFiles = ["optax/madgrad.json", "pytorch_optimizer/MADGRAD.json"]

private func madgradSpec(_ convention: String, _ json: String) throws -> OptimizerSpec {
    try Conventions.optimizer(convention: convention, name: convention == "optax" ? "madgrad" : "MADGRAD",
                              hyperparameters: try JSON.parse(json))
}

@Test(arguments: madgradFixtureFiles)
func madgradFixturesPass(_ file: String) throws {
    try expectFixtureFilePasses(file, atLeast: 7 * 4)
}

/// w₀ = (1, −2), g = (4, −2), lr 0.5, eps 0, momentum 0.5: λ = lr·√1 = 0.5, G = λg² = (8, 2),
/// s = λg = (2, −1), z = w₀ − s/∛G = (1 − 2/2, −2 + 1/∛2) = (0, −2 + 2^(−1/3)),
/// w = 0.5·z + 0.5·w₀ = (0.5, −2 + 0.5·2^(−1/3)). The same in both libraries.
@Test(arguments: [("optax", #"{"learning_rate": 0.5, "eps": 0.0, "momentum": 0.5}"#),
                  ("pytorch_optimizer", #"{"lr": 0.5, "eps": 0.0, "momentum": 0.5}"#)])
func madgradFirstStepByHand(_ convention: String, _ hp: String) throws {
    let spec = try madgradSpec(convention, hp)
    let box = try spec.family.makeStepper(Double.self, shapes: [[2]], engine: .naive)
    let w = Buffer<Double>([1, -2])
    box.step([w], [Buffer<Double>([4, -2])], spec.lr)
    let expected = [0.5, -2 + 0.5 / Foundation.cbrt(2.0)]
    for i in 0..<2 {
        #expect(abs(w.doubles[i] - expected[i]) <= 1e-15 * abs(expected[i]), "\(convention) w[\(i)]: \(w.doubles[i]) vs \(expected[i])")
    }
    let state = box.state()
    #expect(try #require(state.first { $0.name == "grad_sum_sq" }).buffers[0].doubles == [8, 2])
    #expect(try #require(state.first { $0.name == "s" }).buffers[0].doubles == [2, -1])
    #expect(try #require(state.first { $0.name == "x0" }).buffers[0].doubles == [1, -2])
}

/// eps 0 and a coordinate whose gradient is 0: pytorch_optimizer's rms of 0 is inf (the coordinate
/// stays at x0), optax divides 0 by 0 (NaN).
@Test func madgradZeroEpsCorner() throws {
    for (convention, hp) in [("optax", #"{"learning_rate": 0.1, "eps": 0.0}"#), ("pytorch_optimizer", #"{"lr": 0.1, "eps": 0.0}"#)] {
        let spec = try madgradSpec(convention, hp)
        let box = try spec.family.makeStepper(Double.self, shapes: [[2]], engine: .naive)
        let w = Buffer<Double>([1, 3])
        box.step([w], [Buffer<Double>([0.5, 0])], spec.lr)
        if convention == "optax" { #expect(w.doubles[1].isNaN) } else { #expect(w.doubles[1] == 3) }
        #expect(w.doubles[0].isFinite && w.doubles[0] < 1)
    }
}

@Test func madgradResumeExactly() throws {
    try expectResumeIsExact(files: madgradFixtureFiles, after: 4, includingState: true)
}

@Test func madgradVariantsAreCaught() throws {
    try expectEveryVariantCaught(files: madgradFixtureFiles, variants: madgradVariants, count: 6)
}

@Test func madgradArguments() throws {
    let f = try #require(try madgradSpec("pytorch_optimizer", #"{"weight_decay": 0.1, "weight_decouple": true, "maximize": true, "foreach": false, "unknown": 3}"#).family as? MADGRADFamily)
    #expect(f.form == .pytorchOptimizer && f.decoupledDecay && f.maximize && f.weightDecay == 0.1 && f.momentum == 0.9 && f.eps == 1e-6)
    // The order of the ValueErrors: lr, weight_decay, momentum, eps.
    for (hp, message) in [(#"{"lr": -1, "momentum": 1.0}"#, "learning rate must be positive. (-1 > 0)"),
                          (#"{"weight_decay": -1, "momentum": 1.0}"#, "weight_decay must be non-negative"),
                          (#"{"momentum": 1.0, "eps": -1}"#, "momentum must be in the range [0.0, 1.0)"),
                          (#"{"eps": -1}"#, "eps must be non-negative")] {
        do {
            _ = try madgradSpec("pytorch_optimizer", hp)
            Issue.record("\(hp) was accepted")
        } catch let DescentError.invalidHyperparameter(_, m) {
            #expect(m == message)
        }
    }
    do {
        _ = try madgradSpec("optax", #"{"momentum": 0.9}"#)
        Issue.record("a missing learning_rate was accepted")
    } catch let DescentError.invalidHyperparameter(_, m) {
        #expect(m == "madgrad() missing 1 required positional argument: 'learning_rate'")
    }
    let o = try #require(try madgradSpec("optax", #"{"learning_rate": 0.1}"#).family as? MADGRADFamily)
    #expect(o.form == .optax && o.momentum == 0.9 && o.eps == 1e-6 && o.weightDecay == 0)
}
