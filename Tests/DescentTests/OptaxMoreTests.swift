// OptaxMoreTests.swift — optax.adan, optax.novograd, optax.fromage and optax.sm3 against the golden
// fixtures of reference/gen_optax_more.py on naive and vectorized in float64 and float32, the first
// step of each worked by hand, SM3's per-dimension accumulators on a hand-worked 2×2 step, a resume
// through the saved state, and every known-wrong variant of the four caught by these fixtures.
import Foundation
import Testing
import DescentTestSupport
@testable import DescentCore
@testable import DescentConformance
import DescentJSON

private let optaxMoreFixtureFiles = ["optax/adan.json", "optax/novograd.json", "optax/fromage.json", "optax/sm3.json"]

@Test(arguments: optaxMoreFixtureFiles)
func optaxMoreFixturesPass(_ file: String) throws {
    try expectFixtureFilePasses(file, atLeast: 5 * 4)
}

/// One step of optax.`name` from w = [0.5, −2, 0] with g = [3, −4, 0] (‖g‖ = 5, ‖w‖ = √4.25), on naive in float64.
private func firstStep(_ name: String, _ hp: [(String, JSON)]) throws -> [Double] {
    let spec = try Conventions.optimizer(convention: "optax", name: name, hyperparameters: .object(hp))
    let box = try spec.family.makeStepper(Double.self, shapes: [[3]], engine: .naive)
    let w = Buffer<Double>([0.5, -2, 0])
    box.step([w], [Buffer<Double>([3, -4, 0])], spec.lr)
    return w.doubles
}

private func expectClose(_ a: [Double], _ b: [Double], _ what: String) {
    #expect(a.count == b.count)
    for (x, y) in zip(a, b) { #expect(abs(x - y) <= 1e-14 * max(1, abs(y)), "\(what): \(a) vs \(b)") }
}

/// First steps by hand: adan (d = 0, every bias-corrected moment is g or g²): u = g/(√(g² + ε_root) + ε)
/// + λ·w; novograd: nu = ‖g‖², u = g/(‖g‖ + ε) + λ·w; fromage: w ← mult·(w − lr·(‖w‖/‖g‖)·g).
@Test func optaxMoreFirstStepsByHand() throws {
    let w = [0.5, -2.0, 0], g = [3.0, -4, 0]
    let lr = 0.1, wd = 0.01
    let adan = try firstStep("adan", [("learning_rate", JSON(lr)), ("weight_decay", JSON(wd))])
    expectClose(adan, (0..<3).map { (i: Int) -> Double in
        let denominator: Double = (g[i] * g[i] + 1e-8).squareRoot() + 1e-8
        return w[i] - lr * (g[i] / denominator + wd * w[i])
    }, "adan")
    let novograd = try firstStep("novograd", [("learning_rate", JSON(lr)), ("weight_decay", JSON(wd))])
    expectClose(novograd, (0..<3).map { (i: Int) -> Double in w[i] - lr * (g[i] / (5 + 1e-6) + wd * w[i]) }, "novograd")
    let fromage = try firstStep("fromage", [("learning_rate", JSON(0.5))])
    let mult = 1 / (1 + 0.25).squareRoot(), ratio = 4.25.squareRoot() / 5
    expectClose(fromage, (0..<3).map { (i: Int) -> Double in mult * (w[i] - 0.5 * ratio * g[i]) }, "fromage")
}

/// SM3 on one 2×2 tensor: after g₁ = [[1, 2], [3, 0]] the row accumulators are the row maxima of
/// g₁² = [4, 9], the column ones [9, 4]; at g₂ = [[1, 1], [1, 1]] each element adds 1 to the smaller
/// of its row's and column's: a = [[1 + 4, 1 + 4], [1 + 9, 1 + 4]]. Momentum 0: w moves by −lr·g/√(a + 1e-8)
/// (0 where a = 0: element [1][1] of the first step).
@Test func sm3AccumulatorsByHand() throws {
    let spec = try Conventions.optimizer(convention: "optax", name: "sm3", hyperparameters: .object([("learning_rate", JSON(1.0)), ("momentum", JSON(0.0))]))
    let box = try spec.family.makeStepper(Double.self, shapes: [[2, 2]], engine: .naive)
    let w = Buffer<Double>([0, 0, 0, 0])
    box.step([w], [Buffer<Double>([1, 2, 3, 0])], 1)
    let g1 = [1.0, 2, 3, 0]
    expectClose(w.doubles, g1.map { (x: Double) -> Double in x == 0 ? 0 : -x / (x * x + 1e-8).squareRoot() }, "sm3 step 1")
    let state = box.state()
    expectClose(try #require(state.first { $0.name == "mu.0" }).buffers[0].doubles, [4, 9], "rows")
    expectClose(try #require(state.first { $0.name == "mu.1" }).buffers[0].doubles, [9, 4], "columns")
    let before = w.doubles
    box.step([w], [Buffer<Double>([1, 1, 1, 1])], 1)
    let a = [5.0, 5, 10, 5]
    expectClose(w.doubles, (0..<4).map { (i: Int) -> Double in before[i] - 1 / (a[i] + 1e-8).squareRoot() }, "sm3 step 2")
    #expect(throws: DescentError.self) { _ = try spec.family.makeStepper(Double.self, shapes: [[]], engine: .naive) }
}

@Test func optaxMoreResumeExactly() throws {
    try expectResumeIsExact(files: optaxMoreFixtureFiles, after: 5, includingState: true)
}

@Test func optaxMoreVariantsAreCaught() throws {
    try expectEveryVariantCaught(files: optaxMoreFixtureFiles, variants: optaxMoreVariants, count: 7)
}

/// novograd's nu is one number per tensor, written by the runner as a list of one number (a 0-d
/// array flattened): it loads as that tensor's per-tensor scalar and is graded. The state case
/// passes as generated, and fails (on the state, naming nu) with its first nu changed.
@Test func novogradPerTensorNuIsGraded() throws {
    let text = try String(contentsOf: fixturesURL.appendingPathComponent("optax/novograd.json"), encoding: .utf8)
    let marker = "[7.61795756605696]"
    #expect(text.components(separatedBy: marker).count == 2, "the state case's first nu is no longer \(marker)")
    func run(_ t: String) throws -> [CaseResult] {
        let f = try FixtureLoader.load(json: try JSON.parse(t), path: "novograd.json")
        return Verifier(implementations: [EngineImplementation(.naive, summary: "")], dtypes: [.float64], diagnoser: nil)
            .run(f).filter { $0.id == "optax/novograd/state" }
    }
    let good = try run(text)
    #expect(good.count == 1 && good.allSatisfy { $0.status == .pass }, "\(good.map { "\($0.status) \($0.message)" })")
    let bad = try run(text.replacingOccurrences(of: marker, with: "[7.7]"))
    #expect(bad.count == 1 && bad.allSatisfy { $0.status == .fail && $0.message.contains("nu") }, "\(bad.map { "\($0.status) \($0.message)" })")
}
