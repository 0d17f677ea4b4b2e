// ScheduleTests.swift — every schedule fixture (torch, optax, textbook) against Descent's
// schedules, plus the libraries' own argument-validation messages.
import Foundation
import Testing
import DescentTestSupport
import DescentJSON
@testable import DescentCore

struct ScheduleCase: Sendable, CustomTestStringConvertible {
    let id: String
    let convention: String
    let name: String
    let parameters: JSON?
    let baseLR: Double?
    let metrics: [Double]?
    let expectedLR: [Double]
    let expectedMomentum: [Double]?
    let rtol: Double
    let atol: Double
    /// An argument-validation case's message (`expected_error`): the schedule must be rejected with it.
    var expectedError: String? = nil
    var testDescription: String { id }
}

private let packageRoot = repositoryRoot

private func numbers(_ j: JSON?) -> [Double]? { j?.arrayValue?.compactMap { $0.doubleValue } }

func scheduleCases(_ convention: String) -> [ScheduleCase] {
    let dir = packageRoot.appendingPathComponent("fixtures/\(convention)/schedules")
    let files = ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []).filter { $0.hasSuffix(".json") }.sorted()
    var out: [ScheduleCase] = []
    for f in files {
        guard let text = try? String(contentsOf: dir.appendingPathComponent(f), encoding: .utf8),
              let root = try? JSON.parse(text), let cases = root["cases"]?.arrayValue else { continue }
        for c in cases {
            let s = c["schedule"]
            out.append(ScheduleCase(
                id: c["id"]?.stringValue ?? f, convention: s?["convention"]?.stringValue ?? convention,
                name: s?["name"]?.stringValue ?? "", parameters: s?["parameters"],
                baseLR: c["base_lr"]?.doubleValue, metrics: numbers(c["metrics"]),
                expectedLR: numbers(c["expected_lr"]) ?? [], expectedMomentum: numbers(c["expected_momentum"]),
                rtol: c["tolerance"]?["rtol"]?.doubleValue ?? 1e-12, atol: c["tolerance"]?["atol"]?.doubleValue ?? 1e-15,
                expectedError: c["expected_error"]?.stringValue))
        }
    }
    return out
}

private func check(_ c: ScheduleCase) throws {
    if let want = c.expectedError {
        let got = message(c.convention, c.name, c.parameters?.serialized() ?? "{}", baseLR: c.baseLR)
        #expect(got == want, "\(c.id): rejected with \(got ?? "nothing")")
        return
    }
    let s = try Conventions.schedule(convention: c.convention, name: c.name, parameters: c.parameters,
                                     context: ScheduleContext(baseLR: c.baseLR, metrics: c.metrics))
    let v = try s.values(Double.self, count: c.expectedLR.count)
    #expect(v.lr.count == c.expectedLR.count)
    func compare(_ got: [Double], _ want: [Double], _ what: String) {
        for (k, (a, e)) in zip(got, want).enumerated() where !(Swift.abs(a - e) <= c.atol + c.rtol * Swift.abs(e)) {
            Issue.record("\(c.id): \(what)[\(k)] = \(a), expected \(e)")
            return
        }
    }
    compare(v.lr, c.expectedLR, "lr")
    if let want = c.expectedMomentum {
        guard let got = v.momentum else { Issue.record("\(c.id): no momentum returned"); return }
        compare(got, want, "momentum")
    }
    // Float runs the same code; it must at least run.
    let f = try s.values(Float.self, count: c.expectedLR.count)
    #expect(f.lr.count == c.expectedLR.count)
}

@Test(arguments: scheduleCases("torch")) func torchScheduleFixture(_ c: ScheduleCase) throws { try check(c) }
@Test(arguments: scheduleCases("optax")) func optaxScheduleFixture(_ c: ScheduleCase) throws { try check(c) }
@Test(arguments: scheduleCases("textbook")) func textbookScheduleFixture(_ c: ScheduleCase) throws { try check(c) }
@Test(arguments: scheduleCases("pytorch_optimizer")) func pytorchOptimizerScheduleFixture(_ c: ScheduleCase) throws { try check(c) }

@Test func fixturesWereFound() {
    #expect(scheduleCases("torch").count >= 40)
    #expect(scheduleCases("optax").count >= 25)
    #expect(scheduleCases("textbook").count >= 10)
    #expect(scheduleCases("pytorch_optimizer").count >= 51)
}

// MARK: - Validation, worded as the libraries word it

private func message(_ convention: String, _ name: String, _ json: String, baseLR: Double? = 0.1,
                     count: Int = 3) -> String? {
    do {
        let s = try Conventions.schedule(convention: convention, name: name, parameters: try JSON.parse(json),
                                         context: ScheduleContext(baseLR: baseLR, metrics: [1, 1, 1, 1]))
        _ = try s.values(Double.self, count: count)
        return nil
    } catch let e as DescentError {
        switch e {
        case let .invalidHyperparameter(_, m), let .invalidInput(_, m): return m
        case let .unsupported(m): return "unsupported: " + m
        }
    } catch { return "\(error)" }
}

@Test func torchValidationMessages() {
    #expect(message("torch", "ConstantLR", #"{"factor": 1.5}"#) == "Constant multiplicative factor expected to be between 0 and 1.")
    #expect(message("torch", "LinearLR", #"{"start_factor": 0}"#)
            == "Starting multiplicative factor expected to be greater than 0 and less or equal to 1.")
    #expect(message("torch", "LinearLR", #"{"end_factor": 1.2}"#) == "Ending multiplicative factor expected to be between 0 and 1.")
    #expect(message("torch", "CosineAnnealingWarmRestarts", #"{"T_0": 0}"#) == "Expected positive integer T_0, but got 0")
    #expect(message("torch", "CosineAnnealingWarmRestarts", #"{"T_0": 5.0}"#) == "Expected positive integer T_0, but got 5.0")
    #expect(message("torch", "CosineAnnealingWarmRestarts", #"{"T_0": 5, "T_mult": 0}"#)
            == "Expected integer T_mult >= 1, but got 0")
    #expect(message("torch", "OneCycleLR", #"{"max_lr": 0.1}"#)
            == "You must define either total_steps OR (epochs AND steps_per_epoch)")
    #expect(message("torch", "OneCycleLR", #"{"max_lr": 0.1, "total_steps": -3}"#)
            == "Expected positive integer total_steps, but got -3")
    #expect(message("torch", "OneCycleLR", #"{"max_lr": 0.1, "epochs": 0, "steps_per_epoch": 3}"#)
            == "Expected positive integer epochs, but got 0")
    #expect(message("torch", "OneCycleLR", #"{"max_lr": 0.1, "total_steps": 10, "pct_start": 1}"#)
            == "Expected float between 0 and 1 pct_start, but got 1")
    #expect(message("torch", "OneCycleLR", #"{"max_lr": 0.1, "total_steps": 10, "anneal_strategy": "exp"}"#)
            == "anneal_strategy must be one of 'cos' or 'linear', instead got exp")
    #expect(message("torch", "OneCycleLR", #"{"max_lr": 0.1, "total_steps": 3}"#, count: 5)?
            .hasSuffix("Tried to step 4 times. The specified number of total steps is 3") == true)
    #expect(message("torch", "ReduceLROnPlateau", #"{"factor": 1.0}"#) == "Factor should be < 1.0.")
    #expect(message("torch", "ReduceLROnPlateau", #"{"mode": "up"}"#) == "mode up is unknown!")
    #expect(message("torch", "ReduceLROnPlateau", #"{"threshold_mode": "x"}"#) == "threshold mode x is unknown!")
    #expect(message("torch", "ReduceLROnPlateau", #"{"min_lr": [0.1, 0.2]}"#) == "expected 1 min_lrs, got 2")
    #expect(message("torch", "CyclicLR", #"{"base_lr": 0.1, "max_lr": 1, "mode": "sine"}"#) == "mode is invalid and scale_fn is None")
    #expect(message("torch", "StepLR", "{}") == "StepLR.__init__() missing 1 required positional argument: 'step_size'")
    #expect(message("torch", "SequentialLR", #"{"schedulers": [], "milestones": []}"#)
            == "SequentialLR expects at least one scheduler, but got no scheduler.")
    #expect(message("torch", "SequentialLR",
                    #"{"schedulers": [{"name": "StepLR", "parameters": {"step_size": 2}}, {"name": "ExponentialLR", "parameters": {"gamma": 0.9}}], "milestones": []}"#)
            == "Sequential Schedulers expects number of schedulers provided to be one more than the number of milestone points, "
            + "but got number of schedulers 2 and the number of milestones to be equal to 0")
    #expect(message("torch", "ChainedScheduler", #"{"schedulers": [{"name": "ReduceLROnPlateau", "parameters": {}}]}"#)
            == "ChainedScheduler does not support `ReduceLROnPlateau` scheduler as it requires additional kwargs to be "
            + "specified when calling `step`, but got one at index 0 in the given schedulers sequence.")
    #expect(message("torch", "LambdaLR", "{}") == "unsupported: LambdaLR takes a Python callable; fixtures cannot express it")
    #expect(message("torch", "MultiplicativeLR", "{}")
            == "unsupported: MultiplicativeLR takes a Python callable; fixtures cannot express it")
    #expect(message("torch", "StepLR", #"{"step_size": 2, "last_epoch": 4}"#)?.hasPrefix("unsupported:") == true)
    #expect(message("torch", "StepLR", #"{"step_size": 2, "verbose": true}"#)?.hasPrefix("unsupported:") == true)
    #expect(message("torch", "StepLR", #"{"step_size": 2}"#, baseLR: nil)?.contains("base_lr") == true)
    #expect(message("torch", "ConstantLR", #"{"factor": 0, "total_iters": 1}"#)?.hasSuffix("float division by zero") == true)
}

@Test func optaxValidationMessages() {
    #expect(message("optax", "cosine_decay_schedule", #"{"init_value": 0.1, "decay_steps": 0}"#)
            == "The cosine_decay_schedule requires positive decay_steps, got decay_steps=0.")
    #expect(message("optax", "warmup_cosine_decay_schedule", #"{"init_value": 0, "peak_value": 1, "warmup_steps": 5, "decay_steps": 5}"#)
            == "The cosine_decay_schedule requires positive decay_steps, got decay_steps=0.")
    #expect(message("optax", "piecewise_constant_schedule", #"{"init_value": 0.1, "boundaries_and_scales": {"3": -1.0}}"#)
            == "`piecewise_constant_schedule` expects non-negative scale factors")
    #expect(message("optax", "piecewise_interpolate_schedule", #"{"interpolate_type": "cubic", "init_value": 0.1}"#)
            == "`interpolate_type` must be either 'cosine' or 'linear'")
    #expect(message("optax", "linear_onecycle_schedule", #"{"transition_steps": 0, "peak_value": 0.1}"#)
            == "A linear onecycle schedule was set with a non-positive `transition_steps`")
    #expect(message("optax", "linear_schedule", #"{"init_value": 0.1, "end_value": 0.0}"#)
            == "linear_schedule() missing 1 required positional argument: 'transition_steps'")
}

@Test func textbookValidation() {
    #expect(message("textbook", "segments", #"{"segments": [{"shape": "wiggle", "steps": 3, "from": 1}]}"#) != nil)
    #expect(message("textbook", "step_decay", #"{"lr": 0.1, "gamma": 0.5, "step_size": 0}"#) != nil)
    #expect(message("textbook", "reduce_on_plateau", #"{"lr": 0.1, "factor": 0.5, "patience": 2}"#, count: 10) != nil)
}

@Test func hostileInputsDoNotCrash() {
    // Each must come back as an error (or values), never a trap.
    _ = message("torch", "CosineAnnealingWarmRestarts", #"{"T_0": 100000000000000000000000}"#)
    _ = message("torch", "CosineAnnealingWarmRestarts", #"{"T_0": 4000000000000000, "T_mult": 3}"#, count: 3)
    _ = message("torch", "OneCycleLR", #"{"max_lr": 0.1, "epochs": 4000000000000000, "steps_per_epoch": 4000000000000000}"#)
    _ = message("torch", "CyclicLR", #"{"base_lr": 0.1, "max_lr": 1, "step_size_up": 1e-320, "step_size_down": 0}"#)
    _ = message("torch", "StepLR", #"{"step_size": 0}"#)
    _ = message("torch", "StepLR", #"{"step_size": 2}"#, count: -4)
    _ = message("optax", "linear_onecycle_schedule", #"{"transition_steps": 10, "peak_value": 1, "pct_start": 1e300}"#)
    _ = message("optax", "piecewise_interpolate_schedule",
                #"{"interpolate_type": "linear", "init_value": 1, "boundaries_and_scales": {"-9223372036854775808": 1, "9223372036854775807": 2}}"#)
    _ = message("optax", "polynomial_schedule", #"{"init_value": 1, "end_value": 0, "power": 100000000000000000000, "transition_steps": 3}"#)
    #expect(message("torch", "StepLR", #"{"step_size": 0}"#)?.hasSuffix("integer modulo by zero") == true)
}

// MARK: - The fixtures catch the mistakes they name

private func fixture(_ id: String) -> ScheduleCase {
    let conv = String(id.split(separator: "/")[0])
    return scheduleCases(conv).first { $0.id == id }!
}

/// True when `wrong` leaves the case's tolerance somewhere.
private func caught(_ c: ScheduleCase, _ wrong: [Double]) -> Bool {
    zip(wrong, c.expectedLR).contains { a, e in !(Swift.abs(a - e) <= c.atol + c.rtol * Swift.abs(e)) }
}

@Test func fixturesCatchTheirMistakes() {
    // torch's recursive cosine is periodic past T_max; the clipped closed form is not.
    let cos = fixture("torch/CosineAnnealingLR/past-tmax")
    #expect(caught(cos, (0..<cos.expectedLR.count).map { (k: Int) -> Double in
        let wave: Double = 1 + Foundation.cos(Double.pi * Double(min(k, 10)) / 10)
        return 0.001 + (0.1 - 0.001) * wave / 2
    }))
    // ConstantLR with total_iters 0: the closed form would give base_lr from step 1.
    let c0 = fixture("torch/ConstantLR/total-iters-0")
    #expect(caught(c0, [0.025] + Array(repeating: 0.1, count: c0.expectedLR.count - 1)))
    // MultiStepLR: a repeated milestone multiplies twice.
    let ms = fixture("torch/MultiStepLR/repeated")
    #expect(caught(ms, (0..<ms.expectedLR.count).map { (k: Int) -> Double in 0.1 * pow(0.5, Double([3, 7, 12].filter { $0 <= k }.count)) }))
    // StepLR: torch's chained products differ from base·gamma^k in the last bits only, so the
    // closed form passes at 1e-12 — the default-gamma case still catches an off-by-one decay.
    let st = fixture("torch/StepLR/basic")
    #expect(caught(st, (0..<st.expectedLR.count).map { (k: Int) -> Double in 0.1 * pow(0.5, Double((k + 1) / 3)) }))
    // SequentialLR: OneCycleLR's constructor rewrote initial_lr, so the run does not start at base_lr.
    let so = fixture("torch/SequentialLR/poly-onecycle")
    #expect(Swift.abs(so.expectedLR[0] - so.baseLR!) > 1e-3)
    // optax piecewise_constant: the scale applies from count == boundary, not after it.
    let pc = fixture("optax/piecewise_constant_schedule/basic")
    #expect(caught(pc, (0..<pc.expectedLR.count).map { k in
        0.1 * (k > 5 ? 0.5 : 1) * (k > 10 ? 0.2 : 1) * (k > 15 ? 3.0 : 1) }))
    // textbook one_cycle warms up from 0.
    #expect(fixture("textbook/one_cycle/basic").expectedLR[0] == 0)
}

// MARK: - torch.optim.swa_utils.SWALR

/// SWALR's chainable get_lr equals the closed form swa_lr·α(t) + base_lr·(1 − α(t)),
/// t = min(k, E)/E, to rounding; the goldens must catch the anneals swapped and the anneal counted
/// from 1.
@Test func swalrClosedFormAndMistakes() throws {
    let cos = fixture("torch/SWALR/cos-defaults")
    for (k, e) in cos.expectedLR.enumerated() {
        let t = Double(min(k, 10)) / 10
        let alpha = (1 - Foundation.cos(Double.pi * t)) / 2
        #expect(Swift.abs(e - (0.05 * alpha + 0.1 * (1 - alpha))) <= 1e-15, "cos-defaults[\(k)]")
    }
    let lin = fixture("torch/SWALR/linear")
    for (k, e) in lin.expectedLR.enumerated() {
        let t = Double(min(k, 5)) / 5
        #expect(Swift.abs(e - (0.02 * t + 0.1 * (1 - t))) <= 1e-15, "linear[\(k)]")
    }
    func values(_ json: String, _ n: Int, mutation: ScheduleMutation? = nil) throws -> [Double] {
        var s = try Conventions.schedule(convention: "torch", name: "SWALR", parameters: try JSON.parse(json),
                                         context: ScheduleContext(baseLR: 0.1, metrics: nil))
        if let mutation { s = try #require(s.mutated(mutation)) }
        return try s.values(Double.self, count: n).lr
    }
    let n = cos.expectedLR.count
    #expect(caught(cos, try values(#"{"swa_lr": 0.05, "anneal_strategy": "linear"}"#, n)))
    #expect(caught(lin, try values(#"{"swa_lr": 0.02, "anneal_epochs": 5, "anneal_strategy": "cos"}"#, lin.expectedLR.count)))
    #expect(caught(cos, try values(#"{"swa_lr": 0.05}"#, n, mutation: .swaAnnealFromOne)))
    #expect(!caught(cos, try values(#"{"swa_lr": 0.05}"#, n)))
    // anneal_epochs 0: swa_lr already right after construction.
    #expect(fixture("torch/SWALR/anneal-epochs-0").expectedLR[0] == 0.02)
}
