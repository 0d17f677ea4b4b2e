// TransformersTests.swift — the `transformers` convention (Hugging Face transformers 5.23.0):
// every golden of reference/gen_transformers.py passes on naive and vectorized in both dtypes
// (Adafactor's are also run, resumed and mutated by AdafactorTests), one Adafactor step and the
// schedules' multipliers worked out by hand from optimization.py's formulas, and the library's
// argument errors in its wording.
import Foundation
import Testing
import DescentTestSupport
@testable import DescentCore
@testable import DescentConformance
import DescentJSON

private let transformersScheduleFiles: [String] = {
    let dir = repositoryRoot.appendingPathComponent("fixtures/transformers/schedules")
    let files = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
    return files.filter { $0.hasSuffix(".json") }.sorted().map { "transformers/schedules/\($0)" }
}()

@Test func transformersScheduleFilesWereFound() {
    #expect(transformersScheduleFiles.count >= 11)
}

@Test(arguments: transformersScheduleFiles)
func transformersScheduleFixturesPass(_ file: String) throws {
    try expectFixtureFilePasses(file, atLeast: 2)
}

// MARK: - One Adafactor step by hand

private func adafactor(_ json: String) throws -> OptimizerSpec {
    try Conventions.optimizer(convention: "transformers", name: "Adafactor", hyperparameters: try JSON.parse(json))
}

/// Step 1 on a vector: β = 1 − 1^−0.8 = 0, so exp_avg_sq = g² + 1e-30 and u = g/√(g² + 1e-30) = sign(g)
/// (to 1e-30 relative; no zero here), RMS(u) = 1 (no clipping at 1); α = max(1e-3, RMS(w))·ρ;
/// w ← w − λ·α·w − α·u. ρ = 1e-2 (relative_step), 1e-6·1 (warmup_init), or the lr.
@Test func oneAdafactorStepByHand() throws {
    let w0: [Double] = [1, -2, 0.5, 3]
    let g: [Double] = [0.5, -1, 2, -0.25]
    let rms = ((1 + 4 + 0.25 + 9) / 4.0).squareRoot()
    let cases: [(String, Double, Double)] = [
        (#"{"weight_decay": 0.1}"#, rms * 1e-2, 0.1),
        (#"{"warmup_init": true}"#, rms * 1e-6, 0),
        (#"{"scale_parameter": false}"#, 1e-2, 0),
        // a manual lr is the step's lr (0.77 here, as a scheduler sets it), not the constructor's 0.3
        (#"{"lr": 0.3, "relative_step": false, "scale_parameter": false, "weight_decay": 0.5}"#, 0.77, 0.5),
    ]
    for (json, alpha, wd) in cases {
        let spec = try adafactor(json)
        for engine in [Engine.naive, Engine(.vectorized, threads: 2)] {
            let box = try spec.family.makeStepper(Double.self, shapes: [[4]], engine: engine)
            let w = Buffer<Double>(w0)
            box.step([w], [Buffer<Double>(g)], 0.77)   // the lr handed to the step is unused under relative_step
            for i in 0..<4 {
                let sign: Double = g[i] > 0 ? 1 : -1
                let expected = w0[i] - wd * alpha * w0[i] - alpha * sign
                #expect(abs(w[i] - expected) <= 1e-15 * max(1, abs(expected)), "\(json) w[\(i)] on \(engine.kind): \(w[i]) vs \(expected)")
            }
            let names = box.state().map(\.name)
            #expect(names.contains("exp_avg_sq"), "\(names)")
        }
    }
}

/// A factored 2×3 step with every scaling off (lr 1, relative_step and scale_parameter False, a
/// clip_threshold nothing reaches): w = −g·rsqrt(r/mean(r))·rsqrt(c), r and c the row and column
/// means of g² (+1e-30), as transformers' _approx_sq_grad computes them.
@Test func factoredAdafactorStepByHand() throws {
    let spec = try adafactor(#"{"lr": 1.0, "relative_step": false, "scale_parameter": false, "clip_threshold": 1e9}"#)
    let g: [Double] = [1, 2, 2,
                       0, 3, 4]
    let rows: [Double] = [3, 25.0 / 3], cols: [Double] = [0.5, 6.5, 10]
    let meanRows = (rows[0] + rows[1]) / 2
    let box = try spec.family.makeStepper(Double.self, shapes: [[2, 3]], engine: .naive)
    let w = Buffer<Double>(zeros: 6)
    box.step([w], [Buffer<Double>(g)], 1.0)
    for i in 0..<2 {
        for j in 0..<3 {
            let expected = -g[i * 3 + j] / (rows[i] / meanRows).squareRoot() / cols[j].squareRoot()
            #expect(abs(w[i * 3 + j] - expected) <= 1e-14 * max(1, abs(expected)), "w[\(i),\(j)]: \(w[i * 3 + j]) vs \(expected)")
        }
    }
    let state = Dictionary(uniqueKeysWithValues: box.state().map { ($0.name, $0.buffers[0].doubles) })
    #expect(state["exp_avg_sq_row"].map { zip($0, rows).allSatisfy { abs($0 - $1) <= 1e-15 * $1 } } == true)
    #expect(state["exp_avg_sq_col"].map { zip($0, cols).allSatisfy { abs($0 - $1) <= 1e-15 * $1 } } == true)
}

// MARK: - Schedules by hand

private func lrs(_ name: String, _ json: String, baseLR: Double, count: Int) throws -> [Double] {
    try Conventions.schedule(convention: "transformers", name: name, parameters: try JSON.parse(json),
                             context: ScheduleContext(baseLR: baseLR)).values(Double.self, count: count).lr
}

@Test func scheduleMultipliersByHand() throws {
    // linear, W = 2, N = 10: k/2, then (10 − k)/8, 0 at 10 and after.
    let linear = try lrs("get_linear_schedule_with_warmup", #"{"num_warmup_steps": 2, "num_training_steps": 10}"#, baseLR: 1, count: 12)
    let linearWant: [Double] = [0, 0.5, 1, 0.875, 0.75, 0.625, 0.5, 0.375, 0.25, 0.125, 0, 0]
    #expect(linear == linearWant)
    // constant with warmup 4: k/4 then 1.
    let constant = try lrs("get_constant_schedule_with_warmup", #"{"num_warmup_steps": 4}"#, baseLR: 2, count: 6)
    let constantWant: [Double] = [0, 0.5, 1, 1.5, 2, 2]
    #expect(constant == constantWant)
    // cosine, no warmup, N = 4, half a cycle: ½(1 + cos(πk/4)); past the end it rises again.
    let cosine = try lrs("get_cosine_schedule_with_warmup", #"{"num_warmup_steps": 0, "num_training_steps": 4}"#, baseLR: 1, count: 6)
    for (k, v) in cosine.enumerated() {
        let want = 0.5 * (1 + cos(Double.pi * Double(k) / 4))
        #expect(abs(v - want) <= 1e-15, "cosine λ(\(k)) = \(v), expected \(want)")
    }
    #expect(cosine[5] > cosine[4])
    // inverse sqrt without timescale: W = 4 is the timescale, so λ(k) = √(4/k) from k = 4.
    let inv = try lrs("get_inverse_sqrt_schedule", #"{"num_warmup_steps": 4}"#, baseLR: 1, count: 10)
    #expect(inv[4] == 1 && abs(inv[9] - (4.0 / 9).squareRoot()) <= 1e-15)
    // wsd: W 1, stable 2, decay 2 (linear) to min_lr_ratio 0.2, then 0.2.
    let wsd = try lrs("get_wsd_schedule", #"{"num_warmup_steps": 1, "num_decay_steps": 2, "num_stable_steps": 2, "decay_type": "linear", "min_lr_ratio": 0.2}"#, baseLR: 1, count: 7)
    let wsdWant: [Double] = [0.2, 1, 1, 1, 0.5 * 0.8 + 0.2, 0.2, 0.2]
    #expect(wsd == wsdWant)
}

// MARK: - Argument errors in transformers' wording

private func error(_ body: () throws -> Void) -> String? {
    do { try body(); return nil } catch let e as DescentError {
        switch e {
        case let .invalidHyperparameter(_, m), let .invalidInput(_, m): return m
        case let .unsupported(m): return "unsupported: " + m
        }
    } catch { return "\(error)" }
}

@Test func transformersArgumentErrors() {
    #expect(error { _ = try adafactor(#"{"lr": 0.01}"#) } == "Cannot combine manual `lr` and `relative_step=True` options")
    #expect(error { _ = try adafactor(#"{"warmup_init": true, "relative_step": false}"#) } == "`warmup_init=True` requires `relative_step=True`")
    #expect(error { _ = try adafactor(#"{"relative_step": false}"#) }?.hasPrefix("unsupported:") == true)
    #expect(error { _ = try lrs("get_polynomial_decay_schedule_with_warmup", #"{"num_warmup_steps": 1, "num_training_steps": 5, "lr_end": 0.5}"#, baseLR: 0.1, count: 2) }
            == "lr_end (0.5) must be smaller than initial lr (0.1)")
    #expect(error { _ = try lrs("get_linear_schedule_with_warmup", #"{"num_warmup_steps": 1}"#, baseLR: 0.1, count: 2) }
            == "get_linear_schedule_with_warmup() missing 1 required positional argument: 'num_training_steps'")
    #expect(error { _ = try lrs("get_wsd_schedule", #"{"num_warmup_steps": 1, "num_decay_steps": 2}"#, baseLR: 0.1, count: 2) }
            == "Either num_training_steps or num_stable_steps must be specified.")
    #expect(error { _ = try lrs("get_cosine_with_min_lr_schedule_with_warmup", #"{"num_warmup_steps": 1, "num_training_steps": 3}"#, baseLR: 0.1, count: 2) }
            == "One of min_lr or min_lr_rate should be set through the `lr_scheduler_kwargs`")
}
