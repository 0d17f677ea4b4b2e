// SGDGroupTests.swift — the SGD-group fixtures (torch SGD/Adagrad/RMSprop/Adadelta, optax
// sgd/adagrad/rmsprop/adadelta, textbook sgd/gd/momentum*/adagrad/rmsprop) replayed through
// the conventions, plus torch's argument-validation messages.
import Foundation
import Testing
import DescentTestSupport
import DescentJSON
import DescentKit
@testable import DescentCore

private let fixturesRoot = fixturesURL

private let sgdGroupFiles = [
    "torch/SGD.json", "torch/Adagrad.json", "torch/RMSprop.json", "torch/Adadelta.json",
    "optax/sgd.json", "optax/adagrad.json", "optax/rmsprop.json", "optax/adadelta.json",
    "textbook/sgd.json", "textbook/gd.json", "textbook/momentum.json", "textbook/momentum_ema.json",
    "textbook/momentum_sum.json", "textbook/adagrad.json", "textbook/rmsprop.json",
    "torch/problems/sgd_group.json", "optax/problems/sgd_group.json", "optax/ema.json",
]

private func numbers(_ j: JSON?) -> [Double] { j?.arrayValue?.compactMap(\.doubleValue) ?? [] }

/// The closed-loop problems of the fixture spec, in float64, as reference/common.py computes them.
private func problemGradient(_ p: JSON, _ x: [Double]) -> [Double] {
    switch p["name"]?.stringValue {
    case "quadratic":
        let a = numbers(p["A"]), b = numbers(p["b"]), d = b.count
        return (0..<d).map { (i: Int) -> Double in
            var s = 0.0
            for j in 0..<d { s += a[i * d + j] * x[j] }
            return s - b[i]
        }
    case "rosenbrock":
        let a = p["a"]!.doubleValue!, b = p["b"]!.doubleValue!
        return [-2 * (a - x[0]) - 4 * b * x[0] * (x[1] - x[0] * x[0]), 2 * b * (x[1] - x[0] * x[0])]
    case "ridge":
        let X = numbers(p["X"]), y = numbers(p["y"]), n = p["n"]!.intValue!, d = p["d"]!.intValue!
        let lambda = p["lambda"]!.doubleValue!
        let r = (0..<n).map { i in y[i] - (0..<d).reduce(0.0) { $0 + X[i * d + $1] * x[$1] } }
        return (0..<d).map { j in -2 * (0..<n).reduce(0.0) { $0 + X[$1 * d + j] * r[$1] } + 2 * lambda * x[j] }
    default:
        fatalError("unknown problem")
    }
}

/// Replays one case in the given precision; returns the first mismatch, or nil. The tolerance is
/// the case's, through the harness's float32 policy (TolerancePolicy) for a float32 run.
private func replay<T: DescentFloat>(_ c: JSON, as _: T.Type,
                                     mutate: (inout OptimizerSpec) -> Void = { _ in }) throws -> String? {
    let o = c["optimizer"]!
    if let want = c["expected_error"]?.stringValue {
        let got = message(o["convention"]!.stringValue!, o["name"]!.stringValue!, o["hyperparameters"]!.serialized())
        return got == want ? nil : "expected the error \(want), got \(got ?? "none")"
    }
    let tol = c["tolerance"]!
    let base = Tolerance(rtol: tol["rtol"]!.doubleValue!, atol: tol["atol"]!.doubleValue!)
    let override = c["tolerance_float32"].map { Tolerance(rtol: $0["rtol"]!.doubleValue!, atol: $0["atol"]!.doubleValue!) }
    var spec = try Conventions.optimizer(convention: o["convention"]!.stringValue!, name: o["name"]!.stringValue!,
                                         hyperparameters: o["hyperparameters"])
    mutate(&spec)
    let tensors = c["params"]!.arrayValue!
    let shapes = tensors.map { $0["shape"]!.arrayValue!.map { $0.intValue! } }
    let params = tensors.map { Buffer<T>(converting: numbers($0["values"])) }
    let box = try spec.family.makeStepper(T.self, shapes: shapes, engine: .naive)
    for (step, s) in c["steps"]!.arrayValue!.enumerated() {
        let lr = s["lr"]?.doubleValue ?? spec.lr
        let grads: [Buffer<T>]
        if let problem = c["problem"] {
            grads = [Buffer<T>(converting: problemGradient(problem, params[0].doubles))]
        } else {
            grads = s["grads"]!.arrayValue!.map { Buffer<T>(converting: numbers($0)) }
        }
        box.step(params, grads, lr)
        for (i, e) in s["expected"]!.arrayValue!.enumerated() {
            let want = numbers(e), got = params[i].doubles
            let t = TolerancePolicy.effective(base, float32Override: override, dtype: T.dtype,
                                              scale: want.map(abs).max() ?? 0)
            for k in want.indices where !(abs(got[k] - want[k]) <= t.atol + t.rtol * abs(want[k])) {
                return "step \(step) tensor \(i)[\(k)]: got \(got[k]), expected \(want[k])"
            }
        }
    }
    return nil
}

private func loadCases(_ file: String) throws -> [JSON] {
    let text = try String(contentsOf: fixturesRoot.appendingPathComponent(file), encoding: .utf8)
    return try JSON.parse(text)["cases"]!.arrayValue!
}

@Test(arguments: sgdGroupFiles)
func sgdGroupFixturesFloat64(_ file: String) throws {
    let cases = try loadCases(file)
    #expect(!cases.isEmpty)
    for c in cases {
        let failure = try replay(c, as: Double.self)
        #expect(failure == nil, "\(c["id"]!.stringValue!): \(failure ?? "")")
    }
}

@Test(arguments: sgdGroupFiles)
func sgdGroupFixturesFloat32(_ file: String) throws {
    for c in try loadCases(file) {
        let failure = try replay(c, as: Float.self)
        #expect(failure == nil, "\(c["id"]!.stringValue!): \(failure ?? "")")
    }
}

// MARK: - Each fixture catches the mistake it names

/// A mistake: the convention's family with one knob turned the wrong way.
private func wrong<F: OptimizerFamily>(_ change: @escaping (inout F) -> Void) -> (inout OptimizerSpec) -> Void {
    { spec in
        var f = spec.family as! F
        change(&f)
        spec.family = f
    }
}

private var mistakes: [(file: String, id: String, mistake: (inout OptimizerSpec) -> Void)] { [
    ("torch/SGD.json", "torch/SGD/momentum-dampening", wrong { (f: inout SGDFamily) in f.bufferStartsAtGradient = false }),
    ("torch/SGD.json", "torch/SGD/momentum", wrong { (f: inout SGDFamily) in f.lrInsideBuffer = true }),
    ("torch/SGD.json", "torch/SGD/nesterov", wrong { (f: inout SGDFamily) in f.nesterov = false }),
    ("torch/SGD.json", "torch/SGD/weight-decay-maximize", wrong { (f: inout SGDFamily) in f.maximize = false }),
    ("torch/Adagrad.json", "torch/Adagrad/eps-initial", wrong { (f: inout AdagradFamily) in f.epsInsideSqrt = true }),
    ("torch/Adagrad.json", "torch/Adagrad/lr-decay", wrong { (f: inout AdagradFamily) in f.lrDecay = 0 }),
    ("torch/RMSprop.json", "torch/RMSprop/momentum", wrong { (f: inout RMSpropFamily) in f.lrInsideMomentum = true }),
    ("torch/RMSprop.json", "torch/RMSprop/alpha-eps", wrong { (f: inout RMSpropFamily) in f.epsInsideSqrt = true }),
    ("torch/RMSprop.json", "torch/RMSprop/centered", wrong { (f: inout RMSpropFamily) in f.centered = false }),
    ("torch/Adadelta.json", "torch/Adadelta/rho-small", wrong { (f: inout AdadeltaFamily) in f.rho = 1 - f.rho }),
    ("optax/sgd.json", "optax/sgd/momentum", wrong { (f: inout SGDFamily) in f.lrInsideBuffer = true }),
    ("optax/sgd.json", "optax/sgd/learning-rate-none", { spec in spec.lr = 1 }),
    ("optax/adagrad.json", "optax/adagrad/eps-large", wrong { (f: inout AdagradFamily) in
        f.epsInsideSqrt = false; f.zeroWhereSumNotPositive = false }),
    ("optax/adagrad.json", "optax/adagrad/negative-initial",
     wrong { (f: inout AdagradFamily) in f.zeroWhereSumNotPositive = false }),
    ("optax/rmsprop.json", "optax/rmsprop/momentum", wrong { (f: inout RMSpropFamily) in f.lrInsideMomentum = false }),
    ("optax/rmsprop.json", "optax/rmsprop/bias-correction", wrong { (f: inout RMSpropFamily) in f.biasCorrection = false }),
    ("optax/rmsprop.json", "optax/rmsprop/initial-scale", wrong { (f: inout RMSpropFamily) in f.initialScale = 0 }),
    ("optax/rmsprop.json", "optax/rmsprop/eps-outside", wrong { (f: inout RMSpropFamily) in f.epsInsideSqrt = true }),
    ("optax/adadelta.json", "optax/adadelta/no-learning-rate", { spec in spec.lr = 1 }),
    ("optax/adadelta.json", "optax/adadelta/weight-decay-mask",
     wrong { (f: inout AdadeltaFamily) in f.weightDecayMask = nil }),
    ("textbook/momentum.json", "textbook/momentum/lr-schedule", wrong { (f: inout SGDFamily) in f.lrInsideBuffer = false }),
    ("textbook/momentum_ema.json", "textbook/momentum_ema/lr-schedule",
     wrong { (f: inout SGDFamily) in f.bufferStartsAtGradient = true }),
    ("textbook/momentum_sum.json", "textbook/momentum_sum/lr-schedule", wrong { (f: inout SGDFamily) in f.dampening = f.momentum }),
    ("textbook/adagrad.json", "textbook/adagrad/lr-schedule", wrong { (f: inout AdagradFamily) in f.epsInsideSqrt = false }),
    ("textbook/rmsprop.json", "textbook/rmsprop/eps-large", wrong { (f: inout RMSpropFamily) in f.epsInsideSqrt = false }),
    ("optax/ema.json", "optax/ema/defaults", wrong { (f: inout SGDFamily) in f.debias = false }),
    ("optax/ema.json", "optax/ema/defaults", wrong { (f: inout SGDFamily) in f.debiasCountShift = 1 }),
    ("optax/ema.json", "optax/ema/defaults", { spec in spec.lr = 1 }),
    ("optax/ema.json", "optax/ema/debias-off", wrong { (f: inout SGDFamily) in f.debias = true }),
    ("optax/ema.json", "optax/ema/decay-0.999", wrong { (f: inout SGDFamily) in f.dampening = 1 - f.dampening }),
    ("optax/ema.json", "optax/ema/decay-0", wrong { (f: inout SGDFamily) in f.dampening = 0; f.momentum = 0.5 }),
] }

@Test func sgdGroupFixturesCatchTheirMistakes() throws {
    for m in mistakes {
        let c = try #require(try loadCases(m.file).first { $0["id"]?.stringValue == m.id }, "\(m.id) missing")
        #expect(try replay(c, as: Double.self, mutate: m.mistake) != nil, "\(m.id) does not catch its mistake")
        #expect(try replay(c, as: Float.self, mutate: m.mistake) != nil, "\(m.id) does not catch its mistake in float32")
    }
}

// MARK: - Argument validation (torch's ValueError wording)

private func message(_ convention: String, _ name: String, _ json: String) -> String? {
    do {
        _ = try Conventions.optimizer(convention: convention, name: name, hyperparameters: try JSON.parse(json))
        return nil
    } catch let DescentError.invalidHyperparameter(_, m) {
        return m
    } catch {
        return "\(error)"
    }
}

@Test func torchSGDValidation() {
    #expect(message("torch", "SGD", #"{"lr": -0.1}"#) == "Invalid learning rate: -0.1")
    #expect(message("torch", "SGD", #"{"lr": -1}"#) == "Invalid learning rate: -1")
    #expect(message("torch", "SGD", #"{"momentum": -1}"#) == "Invalid momentum value: -1")
    #expect(message("torch", "SGD", #"{"momentum": -0.5}"#) == "Invalid momentum value: -0.5")
    #expect(message("torch", "SGD", #"{"weight_decay": -1e-5}"#) == "Invalid weight_decay value: -1e-05")
    #expect(message("torch", "SGD", #"{"nesterov": true}"#) == "Nesterov momentum requires a momentum and zero dampening")
    #expect(message("torch", "SGD", #"{"nesterov": true, "momentum": 0.9, "dampening": 0.1}"#)
            == "Nesterov momentum requires a momentum and zero dampening")
    #expect(message("torch", "SGD", #"{"nesterov": true, "momentum": 0.9, "foreach": true}"#) == nil)
}

@Test func torchAdagradValidation() {
    #expect(message("torch", "Adagrad", #"{"lr": -1.0}"#) == "Invalid learning rate: -1.0")
    #expect(message("torch", "Adagrad", #"{"lr_decay": -0.1}"#) == "Invalid lr_decay value: -0.1")
    #expect(message("torch", "Adagrad", #"{"weight_decay": -2}"#) == "Invalid weight_decay value: -2")
    #expect(message("torch", "Adagrad", #"{"initial_accumulator_value": -0.1}"#)
            == "Invalid initial_accumulator_value value: -0.1")
    #expect(message("torch", "Adagrad", #"{"eps": -1e-10}"#) == "Invalid epsilon value: -1e-10")
}

@Test func torchRMSpropValidation() {
    #expect(message("torch", "RMSprop", #"{"lr": -0.01}"#) == "Invalid learning rate: -0.01")
    #expect(message("torch", "RMSprop", #"{"eps": -1e-8}"#) == "Invalid epsilon value: -1e-08")
    #expect(message("torch", "RMSprop", #"{"momentum": -0.9}"#) == "Invalid momentum value: -0.9")
    #expect(message("torch", "RMSprop", #"{"weight_decay": -1.0}"#) == "Invalid weight_decay value: -1.0")
    #expect(message("torch", "RMSprop", #"{"alpha": -0.99}"#) == "Invalid alpha value: -0.99")
}

@Test func torchAdadeltaValidation() {
    #expect(message("torch", "Adadelta", #"{"lr": -1}"#) == "Invalid learning rate: -1")
    #expect(message("torch", "Adadelta", #"{"rho": 1.5}"#) == "Invalid rho value: 1.5")
    #expect(message("torch", "Adadelta", #"{"rho": -0.1}"#) == "Invalid rho value: -0.1")
    #expect(message("torch", "Adadelta", #"{"rho": 1.0}"#) == nil)
    #expect(message("torch", "Adadelta", #"{"eps": -1e-6}"#) == "Invalid epsilon value: -1e-06")
    #expect(message("torch", "Adadelta", #"{"weight_decay": -0.1}"#) == "Invalid weight_decay value: -0.1")
}

@Test func optaxRequiresLearningRate() {
    #expect(message("optax", "sgd", "{}") == "sgd() missing 1 required positional argument: 'learning_rate'")
    #expect(message("optax", "adagrad", "{}") == "adagrad() missing 1 required positional argument: 'learning_rate'")
    #expect(message("optax", "rmsprop", "{}") == "rmsprop() missing 1 required positional argument: 'learning_rate'")
    #expect(message("optax", "adadelta", "{}") == nil)
}

@Test func unknownArgumentsAreUnsupported() throws {
    // RMSprop has no `fused` and no `nesterov`; SGD has no `betas`.
    for (name, json) in [("RMSprop", #"{"fused": true}"#), ("RMSprop", #"{"nesterov": true}"#), ("SGD", #"{"betas": [0.9, 0.99]}"#)] {
        #expect(throws: DescentError.self) {
            _ = try Conventions.optimizer(convention: "torch", name: name, hyperparameters: try JSON.parse(json))
        }
    }
}

@Test func pythonRepr() {
    let cases: [(Double, String)] = [
        (-0.1, "-0.1"), (1.0, "1.0"), (0.0, "0.0"), (-0.0, "-0.0"), (1e-3, "0.001"), (1e-4, "0.0001"),
        (1e-5, "1e-05"), (1e-10, "1e-10"), (1e16, "1e+16"), (1e15, "1000000000000000.0"), (123.456, "123.456"),
        (1.5e300, "1.5e+300"), (2.5e-7, "2.5e-07"), (0.30000000000000004, "0.30000000000000004"),
        (1234567890123456789.0, "1.2345678901234568e+18"), (.infinity, "inf"), (-.infinity, "-inf"),
        // Python 3.11's repr of these values, verbatim:
        (Double.leastNonzeroMagnitude, "5e-324"), (1.7976931348623157e+308, "1.7976931348623157e+308"), (1e+22, "1e+22"),
        (9007199254740992.0, "9007199254740992.0"), (123456789.123, "123456789.123"), (0.0003, "0.0003"),
        (0.000123, "0.000123"), (1.2345678901234568e+16, "1.2345678901234568e+16"),
        (9999999999999998.0, "9999999999999998.0"), (2.2250738585072014e-308, "2.2250738585072014e-308"),
        (0.3333333333333333, "0.3333333333333333"), (-2.5e-05, "-2.5e-05"), (100.0, "100.0"), (0.5, "0.5"),
        (65536.0, "65536.0"), (1.0000000000000002, "1.0000000000000002"),
    ]
    for (d, want) in cases { #expect(pyRepr(d) == want, "\(d)") }
    #expect(pyRepr(try! JSON.parse("-1")) == "-1")
    #expect(pyRepr(try! JSON.parse("-1.0")) == "-1.0")
    #expect(pyRepr(try! JSON.parse("-1E2")) == "-100.0")
}

/// optax.ema with decay 0 is the identity transform (1 − 0^t = 1 with debias): the goldens must be
/// the initial parameters plus the running sum of the gradients (the sign: ADDED, no learning rate).
@Test func emaDecayZeroIsTheRunningSumOfTheGradients() throws {
    for id in ["optax/ema/decay-0", "optax/ema/decay-0-debias-off"] {
        let c = try #require(try loadCases("optax/ema.json").first { $0["id"]?.stringValue == id })
        var w = c["params"]!.arrayValue!.map { numbers($0["values"]) }
        for s in c["steps"]!.arrayValue! {
            let g = s["grads"]!.arrayValue!.map(numbers), e = s["expected"]!.arrayValue!.map(numbers)
            for i in w.indices {
                for k in w[i].indices {
                    w[i][k] += g[i][k]
                    #expect(abs(w[i][k] - e[i][k]) <= 1e-12 * max(1, abs(e[i][k])), "\(id) tensor \(i)[\(k)]")
                }
            }
        }
    }
}
