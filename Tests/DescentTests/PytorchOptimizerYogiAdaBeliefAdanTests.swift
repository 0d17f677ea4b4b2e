// PytorchOptimizerYogiAdaBeliefAdanTests.swift — pytorch_optimizer.Yogi, AdaBelief and Adan against
// the golden fixtures of reference/gen_pytorch_optimizer_more.py on naive and vectorized in float64
// and float32, a first step worked by hand for each (from the libraries' update rules in their
// source, not from Descent), a resume through the saved state, argument handling (unimplemented
// flags unsupported, the library's wording), and every known-wrong variant caught by these fixtures.
import Foundation
import Testing
import DescentTestSupport
@testable import DescentCore
@testable import DescentConformance
import DescentJSON

private let poMoreFixtureFiles = ["pytorch_optimizer/Yogi.json", "pytorch_optimizer/AdaBelief.json", "pytorch_optimizer/Adan.json",
                                  "pytorch_optimizer/StableAdamW.json"]

@Test(arguments: poMoreFixtureFiles)
func pytorchOptimizerMoreFixturesPass(_ file: String) throws {
    try expectFixtureFilePasses(file, atLeast: 5 * 4)
}

private func firstStep(_ name: String, _ hp: String, w0: Double, g: Double, lr: Double) throws -> Double {
    let spec = try Conventions.optimizer(convention: "pytorch_optimizer", name: name, hyperparameters: try JSON.parse(hp))
    let box = try spec.family.makeStepper(Double.self, shapes: [[1]], engine: .naive)
    let w = Buffer<Double>([w0])
    box.step([w], [Buffer<Double>([g])], lr)
    return w.doubles[0]
}

private func expectClose(_ x: Double, _ y: Double, _ what: String) {
    #expect(abs(x - y) <= 1e-14 * max(abs(y), 1e-300), "\(what): \(x) vs \(y)")
}

/// Yogi: m = 0.9·1e-6 + 0.1·2, v = 1e-6 + 0.001·4 (g² > v: v grows), step lr/(1 − 0.9) = 1,
/// w = −m/(√v/√0.001 + 1e-3).
@Test func pytorchOptimizerYogiFirstStepByHand() throws {
    let m = 0.9 * 1e-6 + 0.1 * 2, v = 1e-6 + 0.001 * 4
    let expected = 0 - (0.1 / 0.1) * m / (v.squareRoot() / (0.001).squareRoot() + 1e-3)
    expectClose(try firstStep("Yogi", "{\"lr\": 0.1}", w0: 0, g: 2, lr: 0.1), expected, "Yogi")
}

/// AdaBelief, decoupled decay by default: w ← 1·(1 − 0.1·0.5), m = 0.1·0.5, s = 0.001·(0.5 − m)² + eps,
/// w ← w − 1·m/(√s/√0.001 + eps).
@Test func pytorchOptimizerAdaBeliefFirstStepByHand() throws {
    let eps = 1e-16, m = 0.1 * 0.5, s = 0.001 * (0.5 - m) * (0.5 - m) + eps
    let expected = 1 * (1 - 0.1 * 0.5) - m / (s.squareRoot() / (0.001).squareRoot() + eps)
    expectClose(try firstStep("AdaBelief", "{\"lr\": 0.1, \"weight_decay\": 0.5}", w0: 1, g: 0.5, lr: 0.1), expected, "AdaBelief")
    // rectify: ρ₁ = 1 < 5, so the first step is SGD with lr/(1 − b1) on m = (1 − b1)·g: w − lr·g.
    expectClose(try firstStep("AdaBelief", "{\"lr\": 0.1, \"rectify\": true}", w0: 1, g: 0.5, lr: 0.1), 1 - 0.1 * 0.5, "rectified SGD phase")
    // degenerated_to_sgd False: no step at all below the threshold.
    #expect(try firstStep("AdaBelief", "{\"lr\": 0.1, \"rectify\": true, \"degenerated_to_sgd\": false}", w0: 1, g: 0.5, lr: 0.1) == 1)
}

/// Adan, proximal decay by default: d = 0 at the first step, m = 0.02·g, n = 0.01·g², so
/// w = (w0 − (lr/0.02)·m/(|g| + eps)) / (1 + lr·wd).
@Test func pytorchOptimizerAdanFirstStepByHand() throws {
    let g = -3.0, m = (1 - 0.98) * g, n = (1 - 0.99) * g * g
    let expected = (2 - (0.1 / (1 - 0.98)) * m / (n.squareRoot() / (1 - 0.99).squareRoot() + 1e-8)) / (1 + 0.1 * 0.5)
    expectClose(try firstStep("Adan", "{\"lr\": 0.1, \"weight_decay\": 0.5}", w0: 2, g: g, lr: 0.1), expected, "Adan")
}

@Test func pytorchOptimizerMoreResumeExactly() throws {
    try expectResumeIsExact(files: poMoreFixtureFiles, after: 4)
}

@Test func pytorchOptimizerMoreVariantsAreCaught() throws {
    try expectEveryVariantCaught(files: poMoreFixtureFiles, variants: pytorchOptimizerYogiAdaBeliefVariants, count: 7)
    try expectEveryVariantCaught(files: poMoreFixtureFiles, variants: pytorchOptimizerAdanVariants, count: 4)
}

@Test func pytorchOptimizerMoreArgumentHandling() throws {
    func spec(_ name: String, _ hp: String) throws -> OptimizerSpec {
        try Conventions.optimizer(convention: "pytorch_optimizer", name: name, hyperparameters: try JSON.parse(hp))
    }
    for (name, hp, flag) in [("AdaBelief", "{\"adanorm\": true}", "adanorm"), ("Adan", "{\"use_gc\": true}", "use_gc"), ("Adan", "{\"adanorm\": true}", "adanorm")] {
        do {
            _ = try spec(name, hp)
            Issue.record("\(name) accepted \(hp) silently")
        } catch let DescentError.unsupported(why) {
            #expect(why.contains(flag))
        }
    }
    // Off or unread keys are accepted.
    _ = try spec("AdaBelief", "{\"adanorm\": false, \"some_key\": 3}")
    do {
        _ = try spec("Adan", "{\"betas\": [0.98, 0.92, 1.01]}")
        Issue.record("beta3 1.01 accepted")
    } catch let DescentError.invalidHyperparameter(field, message) {
        #expect(field == "hyperparameters.betas")
        #expect(message.contains("beta3 must be in the range [0.0, 1.0]"))
    }
    _ = try spec("Adan", "{\"betas\": [0.98, 0.92, 1.0]}")   // beta3's range is closed
}

/// StableAdamW's first step (t = 1): debias(β, 1) = (β − β)/(β − 1) = 0, so m = g and v = g²; the
/// RMS √(g²/g²) = 1 is not clipped, lr_t = lr, and w ← w·(1 − wd·lr) − lr·g/(|g| + eps).
/// The second step with the same gradient keeps m = g and v = g² (debiased EMAs of a constant).
@Test func stableAdamWFirstTwoStepsByHand() throws {
    let spec = try Conventions.optimizer(convention: "pytorch_optimizer", name: "StableAdamW",
                                         hyperparameters: try JSON.parse("{\"lr\": 0.1, \"weight_decay\": 0.2, \"eps\": 1e-3}"))
    let box = try spec.family.makeStepper(Double.self, shapes: [[2]], engine: .naive)
    let w = Buffer<Double>([1.5, -0.5]), g = [0.25, -2.0]
    var want = [1.5, -0.5]
    for _ in 0..<2 {
        box.step([w], [Buffer<Double>(g)], 0.1)
        for i in 0..<2 { want[i] = want[i] * (1 - 0.2 * 0.1) - 0.1 * g[i] / (abs(g[i]) + 1e-3) }
        for i in 0..<2 { expectClose(w.doubles[i], want[i], "StableAdamW element \(i)") }
    }
}
