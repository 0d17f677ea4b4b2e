// AveragedModelTests.swift — torch.optim.swa_utils.AveragedModel (AveragedModelFamily) against
// fixtures/torch/AveragedModel.json (reference/gen_averaged_model.py), and the facts of its
// averages that need no library: the SWA average is the running mean of the inner optimizer's
// own trajectory from the start step, the EMA's first update is the model itself.
import Foundation
import Testing
import DescentTestSupport
@testable import DescentCore
@testable import DescentConformance
import DescentJSON

private func averagedFixture() throws -> FixtureFile {
    try FixtureLoader.load(path: fixturesURL.appendingPathComponent("torch/AveragedModel.json").path)
}

@Test func averagedModelFixturePasses() throws {
    let results = Verifier(implementations: [EngineImplementation(.naive, summary: "")], dtypes: [.float64, .float32])
        .run(try averagedFixture())
    #expect(results.count == 30)
    for r in results {
        #expect(r.status == .pass, "\(r.id) [\(r.dtype)]: \(r.status) \(r.message)")
    }
}

/// The trajectory of `family` on fixed gradients: the parameters after each step.
private func trajectory(_ family: any OptimizerFamily, lr: Double, start: [[Double]], grads: [[[Double]]]) throws -> [[[Double]]] {
    let box = try family.makeStepper(Double.self, shapes: start.map { [$0.count] }, engine: .naive)
    let params = start.map { Buffer<Double>(converting: $0) }
    return grads.map { g in
        box.step(params, g.map { Buffer<Double>(converting: $0) }, lr)
        return params.map(\.doubles)
    }
}

private func averagedModel(_ hp: [(String, JSON)]) throws -> OptimizerSpec {
    try Conventions.torch.optimizer("AveragedModel", .object(hp))
}

private let inner: JSON = .object([("name", JSON("SGD")), ("hyperparameters", .object([("lr", JSON(0.1)), ("momentum", JSON(0.9))]))])
private let start: [[Double]] = [[0.5, -1.0, 2.0], [0.25]]
private let grads: [[[Double]]] = (0..<8).map { (k: Int) -> [[Double]] in
    let x = Double(k)
    let first: [Double] = [sin(x), cos(3 * x), 0.5 - Double(k % 3)]
    return [first, [x - 3.5]]
}

@Test func swaIsTheRunningMeanOfTheModelFromTheStartStep() throws {
    let spec = try averagedModel([("optimizer", inner), ("update_start", JSON(3))])
    let model = try trajectory(try Conventions.torch.optimizer("SGD", inner["hyperparameters"]).family, lr: spec.lr, start: start, grads: grads)
    let averaged = try trajectory(spec.family, lr: spec.lr, start: start, grads: grads)
    for k in 0..<grads.count {
        for t in 0..<start.count {
            for i in 0..<start[t].count {
                var want = start[t][i]
                if k >= 2 {
                    var sum = 0.0
                    for j in 2...k { sum += model[j][t][i] }
                    want = sum / Double(k - 1)
                }
                #expect(abs(averaged[k][t][i] - want) <= 1e-12 * max(1, abs(want)), "step \(k + 1) tensor \(t)[\(i)]")
            }
        }
    }
}

@Test func emaFirstUpdateCopiesTheModelThenBlends() throws {
    let ema: JSON = .object([("name", JSON("get_ema_multi_avg_fn")), ("parameters", .object([("decay", JSON(0.75))]))])
    let spec = try averagedModel([("optimizer", inner), ("multi_avg_fn", ema)])
    let model = try trajectory(try Conventions.torch.optimizer("SGD", inner["hyperparameters"]).family, lr: spec.lr, start: start, grads: grads)
    let averaged = try trajectory(spec.family, lr: spec.lr, start: start, grads: grads)
    #expect(averaged[0] == model[0])
    var w = model[0]
    for k in 1..<grads.count {
        for t in 0..<w.count { for i in 0..<w[t].count { w[t][i] = 0.75 * w[t][i] + 0.25 * model[k][t][i] } }
        for t in 0..<w.count { for i in 0..<w[t].count { #expect(abs(averaged[k][t][i] - w[t][i]) <= 1e-12 * max(1, abs(w[t][i]))) } }
    }
}

@Test func averagedModelArgumentsAreCheckedInTheScriptOrder() throws {
    #expect(throws: DescentError.self) { _ = try averagedModel([]) }
    let badDecay: JSON = .object([("name", JSON("get_ema_avg_fn")), ("parameters", .object([("decay", JSON(1.5))]))])
    let swa: JSON = .object([("name", JSON("get_swa_multi_avg_fn"))])
    do {
        _ = try averagedModel([("optimizer", inner), ("avg_fn", badDecay), ("multi_avg_fn", swa)])
        Issue.record("accepted an invalid decay")
    } catch let DescentError.invalidHyperparameter(_, message) {
        #expect(message == "Invalid decay value 1.5 provided. Please provide a value in [0,1] range.")
    }
    do {
        _ = try averagedModel([("optimizer", inner), ("avg_fn", .object([("name", JSON("get_swa_avg_fn"))])), ("multi_avg_fn", swa)])
        Issue.record("accepted both averaging functions")
    } catch let DescentError.invalidHyperparameter(_, message) {
        #expect(message == "Only one of avg_fn and multi_avg_fn should be provided")
    }
    let keywords = Conventions.torch.optimizers.first { $0.name == "AveragedModel" }!.keywords.map(\.name)
    #expect(Set(keywords).isSuperset(of: ["optimizer", "avg_fn", "multi_avg_fn", "use_buffers", "device", "update_start", "update_every"]))
}
