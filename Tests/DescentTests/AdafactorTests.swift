// AdafactorTests.swift — Adafactor (torch.optim.Adafactor, optax.adafactor, keras.optimizers.Adafactor,
// transformers' Adafactor) against the golden fixtures of reference/gen_adafactor.py and gen_transformers.py: every case passes through Conventions →
// makeStepper on naive and vectorized in float64 and float32 (the verifier's own comparison and
// float32 policy), the factored second moment is the rank-1 reconstruction r ⊗ c / mean(r) on a
// hand-made example, and every Adafactor known-wrong variant is caught by these fixtures.
import Foundation
import Testing
import DescentTestSupport
@testable import DescentCore
@testable import DescentConformance
import DescentJSON

private let adafactorFixtureFiles = ["torch/Adafactor.json", "optax/adafactor.json", "keras/Adafactor.json", "transformers/Adafactor.json"]

@Test(arguments: adafactorFixtureFiles)
func adafactorFixturesPass(_ file: String) throws {
    try expectFixtureFilePasses(file, atLeast: 9 * 4)
}

// MARK: - The factored second moment is the rank-1 reconstruction

/// One step of torch's form on a hand-made 2×3 gradient with every scaling off (no clipping, no
/// parameter scale, ρ = lr = 1): row_var = mean over columns of g², col_var = mean over rows, and
/// the step is g/√v̂ with v̂ = row_var ⊗ col_var / mean(row_var), worked out here by hand.
@Test func factoredSecondMomentIsTheRankOneReconstruction() throws {
    var f = AdafactorFamily(form: .torch)
    f.clipThreshold = nil
    f.paramScaleFloor = nil
    f.relativeStep = false
    let g: [Double] = [1, 2, 2,
                       0, 3, 4]
    // g² = [1 4 4; 0 9 16]: row means (9/3, 25/3) = (3, 25/3); column means (1/2, 13/2, 10).
    let rows: [Double] = [3, 25.0 / 3]
    let cols: [Double] = [0.5, 6.5, 10]
    let meanRows = (rows[0] + rows[1]) / 2          // 17/3 (= the mean of g², as it must be)
    for engine in [Engine.naive, Engine(.vectorized, threads: 2), Engine(.blas)] where engine.kind != .blas || BLASEngine.isAvailable {
        let box = try f.makeStepper(Double.self, shapes: [[2, 3]], engine: engine)
        let w = Buffer<Double>([0, 0, 0, 0, 0, 0])
        box.step([w], [Buffer<Double>(g)], 1.0)
        let state = Dictionary(uniqueKeysWithValues: box.state().map { ($0.name, $0.buffers[0].doubles) })
        let rowVar = try #require(state["row_var"]), colVar = try #require(state["col_var"])
        for i in 0..<2 { #expect(abs(rowVar[i] - rows[i]) <= 1e-15 * rows[i], "row_var[\(i)] on \(engine.kind)") }
        for j in 0..<3 { #expect(abs(colVar[j] - cols[j]) <= 1e-15 * cols[j], "col_var[\(j)] on \(engine.kind)") }
        for i in 0..<2 {
            for j in 0..<3 {
                let vHat = rows[i] * cols[j] / meanRows
                let expected = -g[i * 3 + j] / vHat.squareRoot()
                #expect(abs(w[i * 3 + j] - expected) <= 1e-14 * max(1, abs(expected)), "w[\(i),\(j)] on \(engine.kind): \(w[i * 3 + j]) vs \(expected)")
            }
        }
    }
    // Keras keeps v̂ itself as its velocity: the same reconstruction (float64 means here).
    var k = AdafactorFamily(form: .keras)
    k.meansInFloat32 = false
    k.epsSquare = 0
    let box = try k.makeStepper(Double.self, shapes: [[2, 3]], engine: .naive)
    box.step([Buffer<Double>(zeros: 6)], [Buffer<Double>(g)], 0.1)
    let velocity = try #require(box.state().first { $0.name == "velocity" }).buffers[0].doubles
    for i in 0..<2 {
        for j in 0..<3 {
            let vHat = rows[i] * cols[j] / meanRows
            #expect(abs(velocity[i * 3 + j] - vHat) <= 1e-15 * max(1, vHat), "velocity[\(i),\(j)]")
        }
    }
}

// MARK: - Resume through the saved state is exact

@Test func adafactorResumesExactly() throws {
    try expectResumeIsExact(files: adafactorFixtureFiles, after: 5)
}

// MARK: - Known-wrong variants: every one is caught by these fixtures

@Test func adafactorVariantsAreCaught() throws {
    try expectEveryVariantCaught(files: adafactorFixtureFiles, variants: adafactorVariants, count: 6)
}
