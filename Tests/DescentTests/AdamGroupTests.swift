// AdamGroupTests.swift — the Adam group (torch Adam/AdamW/Adamax/NAdam/RAdam, optax adam/adamw/
// nadam(w)/amsgrad/adamax(w)/radam, textbook adam/adamw) against the golden fixtures produced by
// reference/gen_adam_family.py, plus torch's argument-validation messages.
import Foundation
import Testing
import DescentTestSupport
@testable import DescentCore
@testable import DescentConformance
@testable import DescentLab
@testable import DescentCLI
import DescentJSON

private let fixturesRoot = fixturesURL

private let adamFixtureFiles = [
    "torch/Adam.json", "torch/AdamW.json", "torch/Adamax.json", "torch/NAdam.json", "torch/RAdam.json",
    "optax/adam.json", "optax/adamw.json", "optax/nadam.json", "optax/amsgrad.json", "optax/adamax.json",
    "optax/radam.json", "textbook/adam.json", "textbook/adamw.json",
    "torch/problems/adam_group.json", "optax/problems/adam_group.json",
]

/// The gradient of a closed-loop problem at x (the formulas of the fixture spec), in float64.
private func problemGradient(_ problem: JSON, _ x: [Double]) -> [Double] {
    let nums = { (k: String) in problem[k]!.arrayValue!.map { $0.doubleValue! } }
    switch problem["name"]!.stringValue! {
    case "quadratic":
        let A = nums("A"), b = nums("b"), d = b.count
        return (0..<d).map { (i: Int) -> Double in
            var s = 0.0
            for j in 0..<d { s += A[i * d + j] * x[j] }
            return s - b[i]
        }
    case "rosenbrock":
        let a = problem["a"]!.doubleValue!, b = problem["b"]!.doubleValue!
        return [-2 * (a - x[0]) - 4 * b * x[0] * (x[1] - x[0] * x[0]), 2 * b * (x[1] - x[0] * x[0])]
    case "ridge":
        let X = nums("X"), y = nums("y"), n = problem["n"]!.intValue!, d = problem["d"]!.intValue!
        let lambda = problem["lambda"]!.doubleValue!
        let r = (0..<n).map { i in y[i] - (0..<d).reduce(0.0) { $0 + X[i * d + $1] * x[$1] } }
        return (0..<d).map { j in -2 * (0..<n).reduce(0.0) { $0 + X[$1 * d + j] * r[$1] } + 2 * lambda * x[j] }
    default:
        fatalError("unknown problem")
    }
}

/// Runs one case in precision T; returns the first mismatch (or nil).
/// `mutate` replaces the family the convention builds (to check that a fixture catches a mistake).
private func runCase<T: DescentFloat>(_ c: JSON, _: T.Type, rtol: Double, atol: Double,
                                      mutate: ((any OptimizerFamily) -> any OptimizerFamily)? = nil) throws -> String? {
    let o = c["optimizer"]!
    var spec = try Conventions.optimizer(convention: o["convention"]!.stringValue!, name: o["name"]!.stringValue!,
                                         hyperparameters: o["hyperparameters"])
    if let mutate { spec.family = mutate(spec.family) }
    let tensors = c["params"]!.arrayValue!
    let shapes = tensors.map { $0["shape"]!.arrayValue!.map { $0.intValue! } }
    let params = tensors.map { Buffer<T>(converting: $0["values"]!.arrayValue!.map { $0.doubleValue! }) }
    let step = try spec.family.makeStepper(T.self, shapes: shapes, engine: .naive).step
    for (t, s) in c["steps"]!.arrayValue!.enumerated() {
        let grads: [Buffer<T>]
        if let problem = c["problem"] {
            grads = [Buffer<T>(converting: problemGradient(problem, params[0].doubles))]
        } else {
            grads = s["grads"]!.arrayValue!.map { Buffer<T>(converting: $0.arrayValue!.map { $0.doubleValue! }) }
        }
        step(params, grads, s["lr"]?.doubleValue ?? spec.lr)
        for (i, e) in s["expected"]!.arrayValue!.enumerated() {
            for (j, ev) in e.arrayValue!.map({ $0.doubleValue! }).enumerated() {
                let a = Double(params[i][j])
                if !(abs(a - ev) <= atol + rtol * abs(ev)) {
                    return "\(c["id"]!.stringValue!): step \(t + 1) tensor \(i) [\(j)]: got \(a), expected \(ev)"
                }
            }
        }
    }
    return nil
}

@Test(arguments: adamFixtureFiles)
func adamGroupFixturesFloat64(_ file: String) throws {
    let json = try JSON.parse(String(contentsOf: fixturesRoot.appendingPathComponent(file), encoding: .utf8))
    let cases = json["cases"]!.arrayValue!
    #expect(!cases.isEmpty)
    for c in cases {
        if let expected = c["expected_error"]?.stringValue {
            let o = c["optimizer"]!
            #expect(libraryMessage(o["convention"]!.stringValue!, o["name"]!.stringValue!, o["hyperparameters"]!.serialized()) == expected,
                    "\(c["id"]!)")
            continue
        }
        let tol = c["tolerance"]!
        let failure = try runCase(c, Double.self, rtol: tol["rtol"]!.doubleValue!, atol: tol["atol"]!.doubleValue!)
        #expect(failure == nil, "\(failure ?? "")")
    }
}

@Test(arguments: adamFixtureFiles)
func adamGroupFixturesFloat32(_ file: String) throws {
    let json = try JSON.parse(String(contentsOf: fixturesRoot.appendingPathComponent(file), encoding: .utf8))
    for c in json["cases"]!.arrayValue! where c["expected_error"] == nil {
        let failure = try runCase(c, Float.self, rtol: 1e-4, atol: 1e-5)
        #expect(failure == nil, "\(failure ?? "")")
    }
}

// MARK: - The fixtures discriminate: a known mistake must fail its case

private func adam(_ f: any OptimizerFamily) -> AdamFamily { f as! AdamFamily }

private let mistakes: [(file: String, id: String, mistake: String, mutate: @Sendable (any OptimizerFamily) -> any OptimizerFamily)] = [
    ("torch/Adam.json", "torch/Adam/defaults", "eps inside the root", { f in
        var a = adam(f); a.form = .optax; a.epsRoot = a.eps; a.eps = 0; return a }),
    ("torch/Adam.json", "torch/Adam/amsgrad", "optax's amsgrad (max of corrected v)", { f in
        var a = adam(f); a.amsgrad = .maxOfCorrected; return a }),
    ("torch/Adam.json", "torch/Adam/amsgrad", "amsgrad ignored", { f in var a = adam(f); a.amsgrad = .off; return a }),
    ("optax/amsgrad.json", "optax/amsgrad/defaults", "torch's amsgrad (max of raw v)", { f in
        var a = adam(f); a.amsgrad = .maxOfRaw; return a }),
    ("optax/amsgrad.json", "optax/amsgrad/no-bias-correction", "bias_correction flags ignored", { f in
        var a = adam(f); a.biasCorrectionMu = true; a.biasCorrectionNu = true; return a }),
    ("torch/Adam.json", "torch/Adam/l2", "decoupled instead of L2", { f in var a = adam(f); a.decay = .decoupled(0.1); return a }),
    ("torch/Adam.json", "torch/Adam/decoupled", "decoupled flag ignored", { f in var a = adam(f); a.decay = .l2(0.1); return a }),
    ("torch/Adam.json", "torch/Adam/maximize-l2", "maximize ignored", { f in var a = adam(f); a.maximize = false; return a }),
    ("torch/AdamW.json", "torch/AdamW/defaults", "optax's default decay 1e-4", { f in var a = adam(f); a.decay = .decoupled(1e-4); return a }),
    ("torch/AdamW.json", "torch/AdamW/decay-lr-schedule", "decay not scaled by lr", { f in
        var a = adam(f); a.form = .textbook; a.epsRoot = 0; a.decay = .decoupledUnscaled(0.1); return a }),
    ("optax/adam.json", "optax/adam/eps-root-lr-schedule", "eps_root ignored", { f in var a = adam(f); a.epsRoot = 0; return a }),
    ("optax/adam.json", "optax/adam/nesterov", "nesterov ignored", { f in var a = adam(f); a.nesterov = false; return a }),
    ("optax/adamw.json", "optax/adamw/mask", "mask ignored", { f in var a = adam(f); a.decayMask = nil; return a }),
    ("optax/nadam.json", "optax/nadam/defaults", "torch's NAdam for optax.nadam", { _ in NAdamFamily() }),
    ("torch/NAdam.json", "torch/NAdam/defaults", "optax's nadam for torch NAdam", { _ in
        var a = AdamFamily(form: .optax); a.nesterov = true; return a }),
    ("torch/NAdam.json", "torch/NAdam/momentum-decay-lr-schedule", "default momentum_decay", { f in
        var n = f as! NAdamFamily; n.momentumDecay = 4e-3; return n }),
    ("torch/RAdam.json", "torch/RAdam/large-eps", "optax's eps form in torch RAdam", { f in
        var r = f as! RAdamFamily; r.form = .optax; return r }),
    ("optax/radam.json", "optax/radam/defaults", "torch's eps form in optax radam", { f in
        var r = f as! RAdamFamily; r.form = .torch; return r }),
    ("torch/RAdam.json", "torch/RAdam/defaults", "rectification one step late", { f in
        var r = f as! RAdamFamily; r.threshold = 6; return r }),
    ("optax/radam.json", "optax/radam/threshold-lr-schedule", "threshold ignored", { f in
        var r = f as! RAdamFamily; r.threshold = 5; return r }),
    ("textbook/adam.json", "textbook/adam/basic", "eps outside the root", { f in
        var a = adam(f); a.eps = a.epsRoot; a.epsRoot = 0; return a }),
    ("textbook/adamw.json", "textbook/adamw/basic", "decay scaled by lr", { f in
        var a = adam(f); a.decay = .decoupled(0.01); return a }),
    ("torch/Adamax.json", "torch/Adamax/maximize-large-eps", "maximize ignored", { f in
        var x = f as! AdamaxFamily; x.maximize = false; return x }),
    ("optax/adamax.json", "optax/adamax/defaults", "Adam for Adamax", { _ in AdamFamily(form: .optax) }),
]

@Test func adamGroupFixturesCatchTheirMistakes() throws {
    for m in mistakes {
        let json = try JSON.parse(String(contentsOf: fixturesRoot.appendingPathComponent(m.file), encoding: .utf8))
        let c = try #require(json["cases"]!.arrayValue!.first { $0["id"]?.stringValue == m.id }, "\(m.id)")
        let failure = try runCase(c, Double.self, rtol: 1e-9, atol: 1e-12, mutate: m.mutate)
        #expect(failure != nil, "\(m.id) does not catch: \(m.mistake)")
    }
}

// MARK: - Argument validation (torch's own ValueError texts)

private func torchMessage(_ name: String, _ hyperparameters: String) -> String? {
    libraryMessage("torch", name, hyperparameters)
}

private func libraryMessage(_ convention: String, _ name: String, _ hyperparameters: String) -> String? {
    do {
        _ = try Conventions.optimizer(convention: convention, name: name, hyperparameters: try JSON.parse(hyperparameters))
        return nil
    } catch let DescentError.invalidHyperparameter(_, message) {
        return message
    } catch {
        return "\(error)"
    }
}

@Test func torchAdamGroupValidationMessages() {
    // Expected texts were produced by torch 2.15.0 itself.
    #expect(torchMessage("Adam", #"{"lr": -0.001}"#) == "Invalid learning rate: -0.001")
    #expect(torchMessage("Adam", #"{"lr": -1}"#) == "Invalid learning rate: -1")
    #expect(torchMessage("Adam", #"{"eps": -1e-08}"#) == "Invalid epsilon value: -1e-08")
    #expect(torchMessage("Adam", #"{"betas": [1.0, 0.999]}"#) == "Invalid beta parameter at index 0: 1.0")
    #expect(torchMessage("Adam", #"{"betas": [0.9, 1]}"#) == "Invalid beta parameter at index 1: 1")
    #expect(torchMessage("Adam", #"{"betas": [0, 0.999]}"#) == "betas must be either both floats or both Tensors")
    #expect(torchMessage("Adam", #"{"weight_decay": -0.1}"#) == "Invalid weight_decay value: -0.1")
    #expect(torchMessage("AdamW", #"{"weight_decay": -1e-20}"#) == "Invalid weight_decay value: -1e-20")
    #expect(torchMessage("NAdam", #"{"momentum_decay": -0.004}"#) == "Invalid momentum_decay value: -0.004")
    #expect(torchMessage("RAdam", #"{"betas": [0.9, -0.5]}"#) == "Invalid beta parameter at index 1: -0.5")
    #expect(torchMessage("Adamax", #"{"lr": -1e16}"#) == "Invalid learning rate: -1e+16")
    #expect(torchMessage("Adamax", #"{"betas": [0, 0.9]}"#) == nil)   // Adamax has no both-floats check
    #expect(torchMessage("Adam", #"{"lr": -1e-5, "eps": -1}"#) == "Invalid learning rate: -1e-05")
    #expect(torchMessage("RAdam", #"{"lr": -123456789.125}"#) == "Invalid learning rate: -123456789.125")
    #expect(torchMessage("Adam", #"{"fused": true, "differentiable": true}"#) == "`fused` does not support `differentiable`")
    #expect(torchMessage("AdamW", #"{"fused": true, "foreach": true}"#) == "`fused` and `foreach` cannot be `True` together.")
}

@Test func adamGroupKeywordHandling() throws {
    // AdamW has no decoupled_weight_decay keyword; torch's flags that change nothing are accepted.
    #expect(throws: DescentError.self) {
        try Conventions.optimizer(convention: "torch", name: "AdamW", hyperparameters: try JSON.parse(#"{"decoupled_weight_decay": true}"#))
    }
    _ = try Conventions.optimizer(convention: "torch", name: "Adam",
                                  hyperparameters: try JSON.parse(#"{"foreach": null, "fused": false, "capturable": false, "differentiable": false}"#))
    // Defaults: torch AdamW decays by 1e-2, optax adamw by 1e-4.
    let w = try Conventions.optimizer(convention: "torch", name: "AdamW", hyperparameters: nil)
    #expect((w.family as? AdamFamily)?.decay == .decoupled(1e-2))
    let ow = try Conventions.optimizer(convention: "optax", name: "adamw", hyperparameters: try JSON.parse(#"{"learning_rate": 0.1}"#))
    #expect((ow.family as? AdamFamily)?.decay == .decoupled(1e-4))
    #expect(throws: DescentError.self) {
        try Conventions.optimizer(convention: "optax", name: "adam", hyperparameters: try JSON.parse(#"{"learning_rate": 0.1, "mu_dtype": "bfloat16"}"#))
    }
    // optax.nadam is functools.partial(adam, nesterov=True): the keyword can be overridden.
    let n = try Conventions.optimizer(convention: "optax", name: "nadam", hyperparameters: try JSON.parse(#"{"learning_rate": 0.1}"#))
    #expect((n.family as? AdamFamily)?.nesterov == true)
    let n2 = try Conventions.optimizer(convention: "optax", name: "nadam", hyperparameters: try JSON.parse(#"{"learning_rate": 0.1, "nesterov": false}"#))
    #expect((n2.family as? AdamFamily)?.nesterov == false)
}

@Test func pythonReprMatchesPython() {
    // Values checked against CPython's repr(float).
    let cases: [(Double, String)] = [
        (1.0, "1.0"), (-0.001, "-0.001"), (1e-08, "1e-08"), (1e16, "1e+16"), (1e-4, "0.0001"), (1e-5, "1e-05"),
        (123456789.125, "123456789.125"), (9007199254740992.0, "9007199254740992.0"), (0.1, "0.1"),
        (1.5e-7, "1.5e-07"), (2.5e100, "2.5e+100"), (-0.0, "-0.0"), (100.0, "100.0"), (1234567890123456.7, "1234567890123456.8"),
    ]
    for (x, s) in cases { #expect(pyRepr(x) == s, "\(x)") }
    #expect(pyRepr(JSON.number("-0")) == "0")
    #expect(pyRepr(JSON.number("1E3")) == "1000.0")
}

/// AdamTorchKernel and AdamOptaxKernel (torch Adam/AdamW's and optax adam/adamw's straight paths,
/// Adam.swift) against AdamKernel's torch and optax branches: bit for bit, on the naive engine and on the vectorized engine's installed loops, with
/// NaN, ±∞, ±0 and subnormal values, both lerp branches (β₁ above and below ½), decoupled decay on
/// and off, both dtypes; and the cases the straight path must decline.
@Suite struct AdamTorchKernelTests {
    init() { _ = installedLoops }

    func family(_ name: String, _ hp: String, convention: String = "torch") throws -> AdamFamily {
        try #require(try Conventions.optimizer(convention: convention, name: name, hyperparameters: try JSON.parse(hp)).family as? AdamFamily)
    }

    func same<T: DescentFloat, K: ElementwiseKernel>(_: T.Type, _ f: AdamFamily, _ straight: (AdamKernel<T>) -> K?) throws where K.Scalar == T {
        var rng = SplitMix64(seed: 41)
        let n = 16 * 37 + 5
        let specials: [T] = [.nan, .infinity, -.infinity, 0, -0.0, T.leastNonzeroMagnitude, -T.greatestFiniteMagnitude]
        func data(_ positive: Bool) -> [T] {
            (0..<n).map { i in i % 23 == 0 ? (positive ? specials[i % specials.count].magnitude : specials[i % specials.count])
                : T(positive ? rng.value().magnitude : rng.value()) }
        }
        let p0 = data(false), g = Buffer<T>(data(false)), m0 = data(false), v0 = data(true)
        for t in 1...3 {
            let k: AdamKernel<T> = f.kernel(step: t, lr: 0.01)
            let fast = try #require(straight(k))
            for vectorized in [false, true] {
                let pa = Buffer<T>(p0), ma = Buffer<T>(m0), va = Buffer<T>(v0)
                let pb = Buffer<T>(p0), mb = Buffer<T>(m0), vb = Buffer<T>(v0)
                if vectorized {
                    VectorizedEngine.map(k, pa, g, [ma, va], threads: 1)
                    VectorizedEngine.map(fast, pb, g, [mb, vb], threads: 1)
                } else {
                    NaiveEngine.map(k, pa, g, [ma, va])
                    NaiveEngine.map(fast, pb, g, [mb, vb])
                }
                for (a, b) in [(pa, pb), (ma, mb), (va, vb)] {
                    #expect(firstDifference(a, b) == nil, "\(T.self) t=\(t) vectorized=\(vectorized): \(firstDifference(a, b) ?? 0)")
                }
            }
        }
    }

    @Test func bitIdenticalToTheGeneralKernel() throws {
        for (name, hp) in [("Adam", #"{"lr": 0.01}"#), ("Adam", #"{"lr": 0.01, "betas": [0.3, 0.99]}"#),
                           ("AdamW", #"{"lr": 0.01, "weight_decay": 0.1}"#), ("AdamW", #"{"lr": 0.01, "betas": [0.2, 0.5], "eps": 1e-3}"#)] {
            try same(Double.self, try family(name, hp), AdamTorchKernel.init)
            try same(Float.self, try family(name, hp), AdamTorchKernel.init)
        }
        for (name, hp) in [("adam", #"{"learning_rate": 0.01}"#), ("adam", #"{"learning_rate": 0.01, "b1": 0.3, "eps_root": 1e-8}"#),
                           ("adamw", #"{"learning_rate": 0.01, "weight_decay": 0.1}"#), ("adamw", #"{"learning_rate": 0.01, "weight_decay": 0}"#)] {
            try same(Double.self, try family(name, hp, convention: "optax"), AdamOptaxKernel.init)
            try same(Float.self, try family(name, hp, convention: "optax"), AdamOptaxKernel.init)
        }
    }

    @Test func otherCasesKeepTheGeneralKernel() throws {
        for (name, hp) in [("Adam", #"{"amsgrad": true}"#), ("Adam", #"{"maximize": true}"#), ("Adam", #"{"weight_decay": 0.1}"#)] {
            let k: AdamKernel<Double> = try family(name, hp).kernel(step: 1, lr: 0.01)
            #expect(AdamTorchKernel(k) == nil, "\(name) \(hp)")
        }
        let optax = try family("adam", #"{"learning_rate": 0.1}"#, convention: "optax")
        #expect(AdamTorchKernel<Double>(optax.kernel(step: 1, lr: 0.1)) == nil)
        for (name, hp) in [("amsgrad", #"{"learning_rate": 0.1}"#), ("adam", #"{"learning_rate": 0.1, "nesterov": true}"#)] {
            let k: AdamKernel<Double> = try family(name, hp, convention: "optax").kernel(step: 1, lr: 0.1)
            #expect(AdamOptaxKernel(k) == nil, "\(name) \(hp)")
        }
        let torch: AdamKernel<Double> = try family("Adam", "{}").kernel(step: 1, lr: 0.1)
        #expect(AdamOptaxKernel(torch) == nil)
    }
}
