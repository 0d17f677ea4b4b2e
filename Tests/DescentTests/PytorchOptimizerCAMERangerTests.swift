// PytorchOptimizerCAMERangerTests.swift — pytorch_optimizer.CAME, Ranger and Ranger21 against the
// golden fixtures of reference/gen_came_ranger.py on naive and vectorized in float64 and float32, first
// steps worked by hand from the libraries' update rules (came.py, ranger.py, ranger21.py, not from Descent), a
// resume through the saved state, argument handling, and every known-wrong variant caught.
import Foundation
import Testing
import DescentTestSupport
@testable import DescentCore
@testable import DescentConformance
import DescentJSON

private let cameRangerFixtureFiles = ["pytorch_optimizer/CAME.json", "pytorch_optimizer/Ranger.json", "pytorch_optimizer/Ranger21.json"]

@Test(arguments: cameRangerFixtureFiles)
func cameRangerFixturesPass(_ file: String) throws {
    try expectFixtureFilePasses(file, atLeast: 10 * 4)
}

private func run(_ name: String, _ hp: String, shapes: [[Int]], w0: [[Double]], grads: [[[Double]]], lr: Double) throws -> [[Double]] {
    let spec = try Conventions.optimizer(convention: "pytorch_optimizer", name: name, hyperparameters: try JSON.parse(hp))
    let box = try spec.family.makeStepper(Double.self, shapes: shapes, engine: .naive)
    let w = w0.map { Buffer<Double>($0) }
    for g in grads { box.step(w, g.map { Buffer<Double>($0) }, lr) }
    return w.map(\.doubles)
}

private func expectClose(_ x: Double, _ y: Double, _ what: String, rel: Double = 1e-14) {
    #expect(abs(x - y) <= rel * max(abs(y), 1e-300), "\(what): \(x) vs \(y)")
}

/// CAME on a vector (not factored): v = (1 − β₂)(g² + eps1), u = g/√v has RMS |u| = 1/√(1 − β₂) > 1,
/// so the clip leaves sign(g); m = (1 − β₁)·sign(g); w ← w − lr·m.
/// On a 2 × 2 matrix with g = [[1, 2], [3, 4]] (eps1 → 0): r = (1 − β₂)·(2.5, 12.5), c = (1 − β₂)·(5, 10),
/// u_ij = g_ij/√(r_i c_j/mean(r)) before the clip.
@Test func cameFirstStepByHand() throws {
    let w = try run("CAME", "{\"lr\": 0.1}", shapes: [[1]], w0: [[1.0]], grads: [[[-3.0]]], lr: 0.1)
    expectClose(w[0][0], 1 + 0.1 * (1 - 0.9), "CAME vector")
    let g = [1.0, 2, 3, 4], r = [2.5, 12.5], c = [5.0, 10]
    let meanR = (r[0] + r[1]) / 2
    var u = [Double](repeating: 0, count: 4)
    for i in 0..<2 { for j in 0..<2 { u[i * 2 + j] = g[i * 2 + j] / ((1 - 0.999) * r[i] * c[j] / meanR).squareRoot() } }
    let rms = (u.map { $0 * $0 }.reduce(0, +) / 4).squareRoot()
    u = u.map { $0 / max(1, rms) }
    let m = u.map { 0.1 * $0 }
    // The instability s = (u − m)² = (0.9·u)², factored: R_i = mean over j, C_j = mean over i (× (1 − β₃)),
    // confidence rsqrt(R_i·C_j/mean(R)), the step lr·confidence·m.
    let s = u.map { (0.9 * $0) * (0.9 * $0) }
    let rr = [(s[0] + s[1]) / 2, (s[2] + s[3]) / 2], cc = [(s[0] + s[2]) / 2, (s[1] + s[3]) / 2]
    let meanRR = (rr[0] + rr[1]) / 2
    let got = try run("CAME", "{\"lr\": 0.1, \"eps1\": 0, \"eps2\": 0}", shapes: [[2, 2]], w0: [[0, 0, 0, 0]], grads: [[g]], lr: 0.1)
    for i in 0..<2 {
        for j in 0..<2 {
            let conf = 1 / ((1 - 0.9999) * rr[i] * (1 - 0.9999) * cc[j] / ((1 - 0.9999) * meanRR)).squareRoot()
            expectClose(got[0][i * 2 + j], -0.1 * conf * m[i * 2 + j], "CAME matrix (\(i), \(j))", rel: 1e-12)
        }
    }
}

/// Ranger's first step: ρ₁ = 1 < 5, r_t = −1 (degenerated_to_sgd False), η = −lr/(1 − β₁), m = (1 − β₁)·g:
/// w ← w + lr·g, UP the gradient. With k = 1 the slow weights then pull it back: w ← w0 + α·lr·g.
/// use_gc: a (1, 2) matrix's gradient loses its row mean.
@Test func rangerFirstStepByHand() throws {
    var w = try run("Ranger", "{\"lr\": 0.1}", shapes: [[1]], w0: [[1.0]], grads: [[[2.0]]], lr: 0.1)
    expectClose(w[0][0], 1 + 0.1 * 2, "Ranger up the gradient")
    w = try run("Ranger", "{\"lr\": 0.1, \"degenerated_to_sgd\": true}", shapes: [[1]], w0: [[1.0]], grads: [[[2.0]]], lr: 0.1)
    expectClose(w[0][0], 1 - 0.1 * 2, "Ranger degenerated_to_sgd")
    w = try run("Ranger", "{\"lr\": 0.1, \"k\": 1, \"alpha\": 0.25}", shapes: [[1]], w0: [[1.0]], grads: [[[2.0]]], lr: 0.1)
    expectClose(w[0][0], 1 + 0.25 * (0.1 * 2), "Ranger lookahead k 1")
    w = try run("Ranger", "{\"lr\": 0.1}", shapes: [[1, 2]], w0: [[0, 0]], grads: [[[1.0, 3.0]]], lr: 0.1)
    expectClose(w[0][0], 0.1 * -1, "Ranger centralized (0, 0)")
    expectClose(w[0][1], 0.1 * 1, "Ranger centralized (0, 1)")
}

/// Ranger21's first step on one element w = 1, g = 2, no schedule: agc clips g to 0.01 (max(|w|, 1e-3)·1e-2);
/// v = 0.001·1e-4, S = 1 + v/0.001, σ = √S; w·(1 − 1e-4·lr/σ); the norm loss w·(1 − lr·2e-4·(1 − 1/(|w| + eps)));
/// δ = softplus₅₀(√v/√0.001 + eps); m⁺ = (1 − 0.81)·0.01, u = 1.9·m⁺/√(1.9² + 0.9²); w ← w − (lr/0.1)·u/δ.
@Test func ranger21FirstStepByHand() throws {
    let lr = 0.1, eps = 1e-8, d = 0.01
    let v = 0.001 * d * d, sigma = (1 + v / 0.001).squareRoot()
    var w = 1 * (1 - 1e-4 * lr * (1 / sigma))
    w = w * (1 - lr * (2 * 1e-4 * (1 - 1 / (abs(w) + eps))))
    let x = (v.squareRoot() / (0.001).squareRoot() + eps), delta = Foundation.log1p(Foundation.exp(50 * x)) / 50
    let m = (1 - 0.81) * d, u = (m * 1.9) * (1 / (1.9 * 1.9 + 0.81).squareRoot())
    w = w - (lr / (1 - 0.9)) * u / delta
    let got = try run("Ranger21", "{\"num_iterations\": 10, \"disable_lr_scheduler\": true}", shapes: [[1]], w0: [[1.0]],
                      grads: [[[2.0]]], lr: lr)
    expectClose(got[0][0], w, "Ranger21", rel: 1e-12)
}

@Test func cameRangerResumeExactly() throws {
    try expectResumeIsExact(files: cameRangerFixtureFiles, after: 4)
}

@Test func cameRangerVariantsAreCaught() throws {
    try expectEveryVariantCaught(files: cameRangerFixtureFiles, variants: pytorchOptimizerCAMERangerVariants, count: 19)
}

@Test func cameRangerArgumentHandling() throws {
    func spec(_ name: String, _ hp: String) throws -> OptimizerSpec {
        try Conventions.optimizer(convention: "pytorch_optimizer", name: name, hyperparameters: try JSON.parse(hp))
    }
    do {
        _ = try spec("Ranger", "{\"adanorm\": true}")
        Issue.record("Ranger accepted adanorm silently")
    } catch let DescentError.unsupported(why) {
        #expect(why.contains("adanorm"))
    }
    _ = try spec("Ranger", "{\"adanorm\": false, \"some_key\": 3}")
    _ = try spec("CAME", "{\"adanorm\": true, \"some_key\": 3}")   // CAME drops its **kwargs
    _ = try spec("CAME", "{\"betas\": [0.9, 0.999, 1.0]}")          // beta3's range is closed
    _ = try spec("Ranger", "{\"alpha\": 1.0}")                      // so is alpha's
    do {
        _ = try spec("Ranger21", "{}")
        Issue.record("Ranger21 without num_iterations accepted")
    } catch let DescentError.invalidHyperparameter(_, message) {
        #expect(message.contains("missing 1 required positional argument: 'num_iterations'"))
    }
    for (name, hp, field, text) in [("CAME", "{\"betas\": [0.9, 0.999, 1.01]}", "betas", "beta3 must be in the range [0.0, 1.0]"),
                                    ("Ranger", "{\"alpha\": -0.1}", "alpha", "alpha must be in the range [0.0, 1.0]"),
                                    ("Ranger", "{\"k\": 0}", "k", "k must be positive")] {
        do {
            _ = try spec(name, hp)
            Issue.record("\(name) accepted \(hp)")
        } catch let DescentError.invalidHyperparameter(f, message) {
            #expect(f == "hyperparameters.\(field)")
            #expect(message.contains(text))
        }
    }
}
