// MLPTests.swift — the MLP's backward pass against central finite differences (float64), its
// engines against each other, its initialisation and batching helpers.
import Foundation
import Testing
@testable import DescentCore

/// ‖g − fd‖ / max(‖g‖ + ‖fd‖, tiny) with fd from central differences at step h.
private func fdRelativeError(_ model: MLP<Double>, _ params: [Buffer<Double>], _ data: TrainingData<Double>, _ rows: [Int],
                             h: Double = 1e-5) -> Double {
    let grads = model.makeGradients()
    model.lossAndGradients(params: params, data: data, rows: rows, into: grads)
    var num = 0.0, den = 0.0
    for (p, g) in zip(params, grads) {
        for i in 0..<p.count {
            let keep = p[i]
            p[i] = keep + h
            let up = model.loss(params: params, data: data, rows: rows)
            p[i] = keep - h
            let down = model.loss(params: params, data: data, rows: rows)
            p[i] = keep
            let fd = (up - down) / (2 * h)
            num += (g[i] - fd) * (g[i] - fd)
            den += g[i] * g[i] + fd * fd
        }
    }
    return num.squareRoot() / max(den.squareRoot(), 1e-300)
}

private func randomData(_ spec: MLPSpec, rows n: Int, seed: UInt64) throws -> TrainingData<Double> {
    var r = SplitMix64(seed: seed)
    let x = (0..<n * spec.inputWidth).map { _ in r.uniform(-2, 2) }
    let y: [Double] = switch spec.loss {
    case .crossEntropy: (0..<n).map { _ in Double(r.below(spec.outputWidth)) }
    case .binaryCrossEntropy: (0..<n).map { _ in Double(r.below(2)) }
    case .mse: (0..<n * spec.outputWidth).map { _ in r.uniform(-1, 1) }
    }
    return try TrainingData(spec: spec, inputs: x, targets: y, count: n)
}

@Test(arguments: Activation.allCases, Loss.allCases)
func backpropMatchesFiniteDifferences(_ f: Activation, _ loss: Loss) throws {
    let out = loss == .binaryCrossEntropy ? 1 : 3
    let spec = try MLPSpec(sizes: [4, 5, 3, out], activation: f, loss: loss)
    let data = try randomData(spec, rows: 7, seed: 11)
    let model = MLP<Double>(spec)
    let params = spec.initialParameters(Double.self, seed: 3)
    let e = fdRelativeError(model, params, data, [0, 3, 5, 6, 2])
    #expect(e <= 1e-6, "\(f) \(loss): relative error \(e)")
}
