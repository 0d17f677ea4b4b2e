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

// MARK: - Engines, initialisation, batching, validation

@Test func everyEngineComputesTheSameGradients() throws {
    let spec = try MLPSpec(sizes: [9, 17, 5, 3], activation: .tanh, loss: .crossEntropy)
    let data = try randomData(spec, rows: 40, seed: 5)
    let rows = Array(0..<37)
    func grads(_ e: Engine) -> (Double, [[Double]]) {
        let m = MLP<Double>(spec, engine: e)
        let g = m.makeGradients()
        let l = m.lossAndGradients(params: spec.initialParameters(Double.self, seed: 9), data: data, rows: rows, into: g)
        return (l, g.map(\.doubles))
    }
    _ = installedLoops   // the vectorized engine as the command runs it (AVX-512: the FMA GEMM)
    let (l0, g0) = grads(.naive)
    var engines = [Engine(.vectorized, threads: 2)]
    if BLASEngine.isAvailable || ProcessInfo.processInfo.environment["DESCENT_REQUIRE_BLAS"] == "1" { engines.append(Engine(.blas)) }
    for e in engines {
        let (l, g) = grads(e)
        #expect(abs(l - l0) <= 1e-14 * abs(l0), "\(e.kind)")
        for (a, b) in zip(g, g0) {
            let scale = b.map(abs).max()!
            #expect(zip(a, b).allSatisfy { abs($0 - $1) <= 1e-13 * scale }, "\(e.kind)")
        }
    }
}

@Test func gemmCallsAreCounted() throws {
    let spec = try MLPSpec(sizes: [4, 6, 3], activation: .relu, loss: .mse)
    let counter = WorkCounter()
    let m = MLP<Float>(spec, engine: Engine(.naive, counter: counter))
    let g = m.makeGradients()
    let data = try TrainingData<Float>(spec: spec, inputs: Array(repeating: 0.5, count: 8 * 4), targets: Array(repeating: 0, count: 8 * 3), count: 8)
    m.lossAndGradients(params: spec.initialParameters(Float.self, seed: 1), data: data, rows: Array(0..<8), into: g)
    // forward 2·B·(4·6 + 6·3), dW 2·B·(4·6 + 6·3), Δ⁽¹⁾ 2·B·6·3
    #expect(counter.gemmFlops.load(ordering: .relaxed) == 2 * 8 * (24 + 18) * 2 + 2 * 8 * 18)
}

@Test func initialisationIsTorchsBoundAndDeterministic() throws {
    let spec = try MLPSpec(sizes: [64, 16, 10], activation: .relu, loss: .crossEntropy)
    let a = spec.initialValues(seed: 42), b = spec.initialValues(seed: 42), c = spec.initialValues(seed: 43)
    #expect(a == b && a != c)
    #expect(a.map(\.count) == spec.parameterShapes.map { $0.reduce(1, *) })
    #expect(spec.parameterCount == 64 * 16 + 16 + 16 * 10 + 10)
    for (t, v) in a.enumerated() {
        let fanIn = Double(spec.sizes[t / 2])
        let k = 1 / fanIn.squareRoot()
        #expect(v.allSatisfy { abs($0) <= k })
        #expect(v.map(abs).max()! > 0.8 * k)   // the whole interval is used
    }
}

@Test func epochBatchesCoverEveryRowOnceWithAShortLastBatch() {
    var r = SplitMix64(seed: 3)
    let b = r.epochBatches(count: 100, batchSize: 32)
    #expect(b.map(\.count) == [32, 32, 32, 4])
    #expect(b.flatMap { $0 }.sorted() == Array(0..<100))
    #expect(b.flatMap { $0 } != Array(0..<100))
    var r2 = SplitMix64(seed: 3)
    #expect(r2.epochBatches(count: 100, batchSize: 32) == b)
}

@Test func specAndDataValidationNameTheField() throws {
    #expect(throws: DescentError.self) { try MLPSpec(sizes: [4, 3, 2], activation: nil, loss: .mse) }
    #expect(throws: DescentError.self) { try MLPSpec(sizes: [4, 2], activation: nil, loss: .binaryCrossEntropy) }
    #expect(throws: DescentError.self) { try MLPSpec(sizes: [4], activation: nil, loss: .mse) }
    let spec = try MLPSpec(sizes: [2, 3], activation: nil, loss: .crossEntropy)
    do {
        _ = try TrainingData<Double>(spec: spec, inputs: [0, 0, 1, 1], targets: [0, 3], count: 2)
        Issue.record("class index 3 of 3 classes was accepted")
    } catch let DescentError.invalidInput(field, _) {
        #expect(field == "data.targets[1]")
    }
}

@Test func reluPrimeAtZeroIsZero() throws {
    // A hidden unit with zero weights and bias has a⁽¹⁾ = 0 exactly: no gradient may reach it.
    let spec = try MLPSpec(sizes: [2, 3, 2], activation: .relu, loss: .crossEntropy)
    let params = spec.initialParameters(Double.self, seed: 4)
    params[0][0] = 0; params[0][1] = 0; params[1][0] = 0
    let data = try randomData(spec, rows: 6, seed: 2)
    for (faults, moves) in [(MLPFaults(), false), (.reluPrimeZeroIsOne, true)] {
        let m = MLP<Double>(spec, faults: faults)
        let g = m.makeGradients()
        m.lossAndGradients(params: params, data: data, rows: Array(0..<6), into: g)
        #expect((g[0][0] != 0 || g[0][1] != 0 || g[1][0] != 0) == moves)
    }
}

@Test func softmaxIsShiftedAgainstOverflow() throws {
    let spec = try MLPSpec(sizes: [1, 3], activation: nil, loss: .crossEntropy)
    let params: [Buffer<Double>] = [Buffer([800, -800, 799]), Buffer([0, 0, 0])]
    let data = try TrainingData<Double>(spec: spec, inputs: [1], targets: [2], count: 1)
    let good = MLP<Double>(spec).loss(params: params, data: data, rows: [0])
    // −log softmax = log(1 + e^(−1) + e^(−1599)) + 1
    #expect(abs(good - (Foundation.log(1 + Foundation.exp(-1.0)) + 1)) <= 4 * 800 * Double.ulpOfOne)   // log s + m − a_t rounds at ulp(800)
    #expect(!MLP<Double>(spec, faults: .softmaxNoMaxShift).loss(params: params, data: data, rows: [0]).isFinite)
}

@Test func evaluateAveragesOverChunksAndCountsArgmaxHits() throws {
    let spec = try MLPSpec(sizes: [3, 5, 4], activation: .sigmoid, loss: .crossEntropy)
    let data = try randomData(spec, rows: 50, seed: 8)
    let params = spec.initialParameters(Double.self, seed: 2)
    let m = MLP<Double>(spec)
    let whole = m.loss(params: params, data: data, rows: Array(0..<50))
    let ev = m.evaluate(params: params, data: data, chunk: 7)
    #expect(abs(ev.loss - whole) <= 1e-14 * whole)
    // accuracy from the logits, counted here
    let logits = m.logits(params: params, data: data, rows: Array(0..<50))
    var hits = 0
    for i in 0..<50 {
        let row = logits[i * 4..<(i + 1) * 4]
        if row.firstIndex(of: row.max()!)! - i * 4 == Int(data.targets[i]) { hits += 1 }
    }
    #expect(ev.accuracy == Double(hits) / 50)
    let mse = try MLPSpec(sizes: [3, 2], activation: nil, loss: .mse)
    #expect(MLP<Double>(mse).evaluate(params: mse.initialParameters(Double.self, seed: 1),
                                      data: try randomData(mse, rows: 4, seed: 1)).accuracy == nil)
}

@Test func vectorizedTrainingStepIsBitIdenticalToNaiveEvenThreaded() throws {
    // B·d₁·d₂ = 96·160·160 ≈ 2.5M multiply-adds: the vectorized gemm splits rows across threads.
    let spec = try MLPSpec(sizes: [64, 160, 160, 10], activation: .relu, loss: .crossEntropy)
    var r = SplitMix64(seed: 12)
    let n = 96
    let data = try TrainingData<Float>(spec: spec, inputs: (0..<n * 64).map { _ in r.uniform(0, 1) },
                                       targets: (0..<n).map { _ in Double(r.below(10)) }, count: n)
    func run(_ e: Engine) -> (Float, [[Float]]) {
        let m = MLP<Float>(spec, engine: e)
        let g = m.makeGradients()
        let l = m.lossAndGradients(params: spec.initialParameters(Float.self, seed: 5), data: data, rows: Array(0..<n), into: g)
        return (l, g.map(\.array))
    }
    _ = installedLoops
    let (l0, g0) = run(.naive)
    // The installed loops, but without a GEMM that fuses multiply-adds (AVX-512: within its own
    // stated bound, EngineTests' vectorizedGemm); the element-wise parts stay bit for bit.
    let (l1, g1) = run(Engine(.vectorized, threads: 2, loops: exactLoops()))
    #expect(l0 == l1 && g0 == g1)
}
