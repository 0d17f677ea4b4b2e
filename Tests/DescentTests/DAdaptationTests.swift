// DAdaptationTests.swift — dadaptation.DAdaptAdam, DAdaptSGD, DAdaptLion and optax.contrib.dadapt_adamw against the golden
// fixtures of reference/gen_dadaptation.py on naive and vectorized in float64 and float32; the first
// step worked by hand (s = 0, so d stays d0 and the step is d0·lr-scaled), d never decreasing over
// a golden case's gradients, one d shared by all the tensors (a tensor's trajectory depends on the
// others'), the library's validation wording, a resume through the saved state, and every
// known-wrong variant of D-Adaptation caught by these fixtures.
import Foundation
import Testing
import DescentTestSupport
@testable import DescentCore
@testable import DescentConformance
import DescentJSON

private let dadaptationFixtureFiles = ["dadaptation/DAdaptAdam.json", "optax/dadapt_adamw.json", "dadaptation/DAdaptSGD.json",
                                             "dadaptation/DAdaptLion.json", "dadaptation/DAdaptAdaGrad.json",
                                             "dadaptation/DAdaptAdan.json"]

@Test(arguments: dadaptationFixtureFiles)
func dadaptationFixturesPass(_ file: String) throws {
    try expectFixtureFilePasses(file, atLeast: 5 * 4)
}

private func stepper(_ convention: String, _ name: String, _ hp: String, shapes: [[Int]]) throws -> StepperBox<Double> {
    let spec = try Conventions.optimizer(convention: convention, name: name, hyperparameters: try JSON.parse(hp))
    return try spec.family.makeStepper(Double.self, shapes: shapes, engine: .naive)
}

/// Step 1 from s = 0: num = 0, so d̂ = 0 and d stays d0; m = d0·lr·(1 − b1)·g, v = (1 − b2)·g², and
/// w moves by m/(√v + eps) ≈ d0·lr·(1 − b1)/√(1 − b2) per element, whatever |g| (d0 = 0.01, lr 0.5).
@Test(arguments: [("dadaptation", "DAdaptAdam", #"{"lr": 0.5, "d0": 0.01}"#, "d"),
                  ("optax", "dadapt_adamw", #"{"learning_rate": 0.5, "estim_lr0": 0.01}"#, "estim_lr")])
func dadaptationFirstStepByHand(_ convention: String, _ name: String, _ hp: String, _ dName: String) throws {
    let box = try stepper(convention, name, hp, shapes: [[3]])
    let w0 = [1.0, -2.0, 0.5], g = [2.0, -1e-3, 30.0]
    let w = Buffer<Double>(w0)
    box.step([w], [Buffer<Double>(g)], 0.5)
    // optax's bias correction at t = 1: √(1 − 0.999)/(1 − 0.9).
    let bc = convention == "optax" ? pow(1 - 0.999, 0.5) / (1 - 0.9) : 1
    let dlr = 0.01 * 0.5 * bc
    for i in 0..<3 {
        let m = convention == "optax" ? ((1 - 0.9) * dlr) * g[i] : (dlr * (1 - 0.9)) * g[i]
        let expected = w0[i] - m / (((1 - 0.999) * g[i] * g[i]).squareRoot() + 1e-8)
        #expect(abs(w.doubles[i] - expected) <= 1e-15 * abs(expected), "w[\(i)]: \(w.doubles[i]) vs \(expected)")
        let size = abs(w.doubles[i] - w0[i]) / (dlr * (1 - 0.9) / (1 - 0.999).squareRoot())
        #expect(abs(size - 1) < 1e-3, "step \(i) is not d0·lr-scaled: \(size)")
    }
    #expect(try box.save().scalar(dName) == 0.01, "d moved at the first step (s = 0)")
}

/// DAdaptSGD's first step (momentum 0): w = x0 − s = w0 − (d0·lr/g0)·g with g0 = ‖g‖ over both
/// tensors, so the parameters move by exactly d0·lr in the 2-norm; d stays d0 (nw = ⟨g, 0⟩ = 0).
@Test func dadaptationSGDFirstStepIsD0TimesLR() throws {
    let box = try stepper("dadaptation", "DAdaptSGD", #"{"lr": 0.5, "d0": 0.01}"#, shapes: [[2], [1]])
    let a = Buffer<Double>([1, 2]), b = Buffer<Double>([-3])
    box.step([a, b], [Buffer<Double>([3, -4]), Buffer<Double>([12])], 0.5)
    let dlr = 0.01 * 0.5 / 13
    let expectedA: [Double] = [1 - dlr * 3, 2 - dlr * -4], expectedB: [Double] = [-3 - dlr * 12]
    #expect(a.doubles == expectedA, "\(a.doubles)")
    #expect(b.doubles == expectedB, "\(b.doubles)")
    let deltas: [Double] = [a.doubles[0] - 1, a.doubles[1] - 2, b.doubles[0] + 3]
    let moved = deltas.map { $0 * $0 }.reduce(0, +).squareRoot()
    #expect(abs(moved - 0.005) < 1e-15, "moved \(moved), not d0·lr")
    #expect(try box.save().scalar("d") == 0.01)
}

/// Over the gradients of the golden defaults case, d never decreases, and it grows.
@Test func dadaptationDNeverDecreases() throws {
    let file = try loadFixtureFile("dadaptation/DAdaptAdam.json")
    guard case let .optimizer(oc)? = file.cases.first(where: { $0.id == "dadaptation/DAdaptAdam/defaults" }) else {
        Issue.record("no defaults case"); return
    }
    let box = try stepper("dadaptation", "DAdaptAdam", "{}", shapes: oc.params.map(\.shape))
    let w = oc.params.map { Buffer<Double>($0.values) }
    var d = [try box.save().scalar("d")]
    for s in oc.steps {
        box.step(w, try #require(s.grads).map { Buffer<Double>($0) }, 1.0)
        d.append(try box.save().scalar("d"))
    }
    #expect(zip(d, d.dropFirst()).allSatisfy { $0 <= $1 }, "d decreased: \(d)")
    #expect(d.last! > 10 * d[0], "d did not grow: \(d)")
}

/// One d for all the tensors: tensor 0's trajectory beside a second tensor differs from its
/// trajectory alone (from step 2, when d first moves).
@Test func dadaptationDIsSharedByTheTensors() throws {
    let alone = try stepper("dadaptation", "DAdaptAdam", "{}", shapes: [[2]])
    let together = try stepper("dadaptation", "DAdaptAdam", "{}", shapes: [[2], [2]])
    let a = Buffer<Double>([1, -1]), b = Buffer<Double>([1, -1]), c = Buffer<Double>([0.5, 0.5])
    for t in 0..<4 {
        let g = [0.3 + Double(t), -0.2]
        alone.step([a], [Buffer<Double>(g)], 1)
        together.step([b, c], [Buffer<Double>(g), Buffer<Double>([50, -40])], 1)
    }
    #expect(a.doubles != b.doubles, "tensor 0 moved the same alone and beside another tensor: the d sums are per tensor")
}

@Test func dadaptationValidationWording() throws {
    func message(_ hp: String) -> String? {
        do { _ = try Conventions.optimizer(convention: "dadaptation", name: "DAdaptAdam", hyperparameters: try JSON.parse(hp)); return nil }
        catch let DescentError.invalidHyperparameter(_, m) { return m }
        catch { return "\(error)" }
    }
    #expect(message(#"{"d0": 0}"#) == "Invalid d0 value: 0")
    #expect(message(#"{"lr": 0.0, "d0": -1.0}"#) == "Invalid d0 value: -1.0")
    #expect(message(#"{"lr": -1, "eps": 0}"#) == "Invalid learning rate: -1")
    #expect(message(#"{"betas": [0.9, 1.0]}"#) == "Invalid beta parameter at index 1: 1.0")
    #expect(message(#"{"growth_rate": "inf", "log_every": 5, "decouple": true}"#) == nil)
    #expect(message(#"{"fsdp_in_use": true}"#)?.contains("torch.distributed") == true)
}

@Test func dadaptationResumeExactly() throws {
    try expectResumeIsExact(files: dadaptationFixtureFiles, after: 5, includingState: true)
}

@Test func dadaptationVariantsAreCaught() throws {
    try expectEveryVariantCaught(files: dadaptationFixtureFiles, variants: dadaptationVariants, count: 12)
}

/// The variants shared by both families are caught by DAdaptSGD's goldens on their own too.
@Test func dadaptationSGDVariantsAreCaughtBySGDGoldens() throws {
    let shared: Set = ["dadapt-d-per-tensor", "dadapt-d-shrinks", "dadapt-growth-rate-ignored", "dadapt-sgd-decay-in-g0"]
    try expectEveryVariantCaught(files: ["dadaptation/DAdaptSGD.json"], variants: dadaptationVariants.filter { shared.contains($0.id) }, count: 4)
}

/// The variants that apply to DAdaptLion are caught by its goldens on their own.
@Test func dadaptationLionVariantsAreCaughtByLionGoldens() throws {
    let shared: Set = ["dadapt-d-per-tensor", "dadapt-d-shrinks", "dadapt-lion-m-unweighted"]
    try expectEveryVariantCaught(files: ["dadaptation/DAdaptLion.json"], variants: dadaptationVariants.filter { shared.contains($0.id) }, count: 3)
}

/// DAdaptLion's first step from m = s = 0: u = sign((1 − b1)·g), w ← w − d0·lr·u (every element with
/// g ≠ 0 moves by exactly d0·lr), and d stays d0.
@Test func dadaptationLionFirstStepIsSigned() throws {
    let box = try stepper("dadaptation", "DAdaptLion", #"{"lr": 0.5, "d0": 0.01}"#, shapes: [[3]])
    let w = Buffer<Double>([1, -2, 0.5])
    box.step([w], [Buffer<Double>([3, -1e-9, 0])], 0.5)
    let expected: [Double] = [1 - 0.005, -2 + 0.005, 0.5]
    #expect(w.doubles == expected, "\(w.doubles)")
    #expect(try box.save().scalar("d") == 0.01)
}

/// The variants that apply to DAdaptAdaGrad and DAdaptAdan are caught by each one's goldens on their own.
@Test(arguments: [("dadaptation/DAdaptAdaGrad.json", ["dadapt-d-per-tensor", "dadapt-d-shrinks", "dadapt-growth-rate-ignored",
                                                      "dadapt-adagrad-alpha-from-zero"]),
                  ("dadaptation/DAdaptAdan.json", ["dadapt-d-per-tensor", "dadapt-d-shrinks", "dadapt-growth-rate-ignored",
                                                   "dadapt-adan-prox-swapped", "dadapt-adan-first-diff-from-zero"])])
func dadaptationAdaGradAdanVariantsAreCaughtByTheirGoldens(_ file: String, _ ids: [String]) throws {
    let chosen = dadaptationVariants.filter { ids.contains($0.id) }
    #expect(chosen.count == ids.count)
    try expectEveryVariantCaught(files: [file], variants: chosen, count: ids.count)
}

/// DAdaptAdaGrad's first step from sk = 0, alphak = 1e-6 (the paper's AdaGrad from 0 would divide
/// by |g| + eps instead): alphak = 1e-6 + g², sk = d0·lr·g, w = x0 − sk/(√alphak + eps); and d stays d0
/// (sksq_weighted = Σ sk²/(√α + eps) equals gsq_weighted = dlr²·Σ g²/(√α + eps) up to rounding).
@Test func dadaptationAdaGradFirstStepByHand() throws {
    let box = try stepper("dadaptation", "DAdaptAdaGrad", #"{"lr": 0.5, "d0": 0.01, "eps": 1e-3}"#, shapes: [[3]])
    let w0 = [1.0, -2.0, 0.5], g = [2.0, -1e-3, 0]
    let w = Buffer<Double>(w0)
    box.step([w], [Buffer<Double>(g)], 0.5)
    let dlr = 0.01 * 0.5
    for i in 0..<3 {
        let expected = w0[i] - (dlr * g[i]) / ((1e-6 + g[i] * g[i]).squareRoot() + 1e-3)
        #expect(abs(w.doubles[i] - expected) <= 1e-15 * abs(expected), "w[\(i)]: \(w.doubles[i]) vs \(expected)")
    }
    let saved = box.save()
    #expect(try saved.scalar("d") == 0.01, "d moved at the first step")
    #expect(try saved.count("k") == 1)
    #expect(saved.buffers.first { $0.name == "alphak" }?.values[0][2] == 1e-6, "alphak of a 0 gradient is not its 1e-6 start")
}

/// DAdaptAdan's first step: pre_grad = g so δ = 0 and n stays 0, u = g; m = dlr·(1 − b1)·g,
/// v = (1 − b3)·g²; the default proximal decay divides: w = (w0 − m/(√v + eps))/(1 + dlr·wd);
/// no_prox multiplies first: w = w0·(1 − dlr·wd) − m/(√v + eps).
@Test(arguments: [false, true])
func dadaptationAdanFirstStepByHand(_ noProx: Bool) throws {
    let box = try stepper("dadaptation", "DAdaptAdan", #"{"d0": 0.1, "weight_decay": 0.5, "no_prox": \#(noProx)}"#, shapes: [[2], [1]])
    let a = Buffer<Double>([1, -2]), b = Buffer<Double>([0.25])
    let ga = [3.0, -1e-4], gb = [0.5]
    box.step([a, b], [Buffer<Double>(ga), Buffer<Double>(gb)], 1.0)
    let dlr = 0.1
    func expected(_ w0: Double, _ g: Double) -> Double {
        let m = (dlr * (1 - 0.98)) * g, v = (1 - 0.99) * (g * g)
        let step = m / (v.squareRoot() + 1e-8)
        return noProx ? w0 * (1 - dlr * 0.5) - step : (w0 - step) / (1 + dlr * 0.5)
    }
    let got = a.doubles + b.doubles, want = [expected(1, ga[0]), expected(-2, ga[1]), expected(0.25, gb[0])]
    for i in 0..<3 { #expect(abs(got[i] - want[i]) <= 1e-15 * abs(want[i]), "w[\(i)]: \(got[i]) vs \(want[i])") }
    let saved = box.save()
    #expect(saved.buffers.first { $0.name == "exp_avg_diff" }?.values.allSatisfy { $0.allSatisfy { $0 == 0 } } == true,
            "n moved at the first step (δ must be 0 there)")
}

@Test func dadaptationAdaGradAdanValidationWording() throws {
    func message(_ name: String, _ hp: String) -> String? {
        do { _ = try Conventions.optimizer(convention: "dadaptation", name: name, hyperparameters: try JSON.parse(hp)); return nil }
        catch let DescentError.invalidHyperparameter(_, m) { return m }
        catch { return "\(error)" }
    }
    #expect(message("DAdaptAdaGrad", #"{"d0": 0, "lr": -1}"#) == "Invalid d0 value: 0")
    #expect(message("DAdaptAdaGrad", #"{"lr": 0.0, "momentum": -1}"#) == "Learning rate 0.0 must be positive")
    #expect(message("DAdaptAdaGrad", #"{"momentum": -0.5, "eps": 0}"#) == "Momentum -0.5 must be non-negative")
    #expect(message("DAdaptAdaGrad", #"{"eps": 0.0}"#) == "Invalid epsilon value: 0.0")
    #expect(message("DAdaptAdaGrad", #"{"growth_rate": "inf", "log_every": 3, "weight_decay": -1}"#) == nil)
    #expect(message("DAdaptAdan", #"{"betas": [0.98, 0.92, 1.0]}"#) == "Invalid beta parameter at index 2: 1.0")
    #expect(message("DAdaptAdan", #"{"lr": 0, "eps": 0}"#) == "Invalid learning rate: 0")
    #expect(message("DAdaptAdan", #"{"no_prox": true, "growth_rate": 1.02}"#) == nil)
    #expect(message("DAdaptAdan", #"{"fsdp_in_use": false}"#) != nil, "DAdaptAdan has no fsdp_in_use keyword")
}
