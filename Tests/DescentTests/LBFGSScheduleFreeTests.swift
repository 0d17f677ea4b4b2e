// LBFGSScheduleFreeTests.swift — L-BFGS (torch, optax) and Schedule-Free (optax.contrib,
// schedulefree) against the golden fixtures of reference/gen_lbfgs_schedulefree.py: every case in
// float64 and float32, each knob's mistake caught by some fixture, validation messages.
import Foundation
import Testing
@testable import DescentCore
@testable import DescentHarness
import DescentJSON

private let root = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("fixtures")

private let files = [
    "torch/problems/LBFGS.json", "optax/problems/lbfgs.json", "optax/schedule_free.json",
    "optax/problems/schedule_free.json", "schedulefree/SGDScheduleFree.json",
    "schedulefree/AdamWScheduleFree.json", "schedulefree/problems/schedule_free.json",
]

private func loadCases(_ file: String) throws -> [OptimizerCase] {
    let f = try FixtureLoader.load(path: root.appendingPathComponent(file).path)
    return f.cases.compactMap { if case let .optimizer(c) = $0 { return c }; return nil }
}

/// Runs a case with `family` in precision T; returns the largest |actual − expected| / (atol + rtol·|expected|)
/// per step (≤ 1 passes).
private func errors<T: DescentFloat>(_ c: OptimizerCase, _ family: any OptimizerFamily, _ lr: Double, _: T.Type,
                                     tol: Tolerance) throws -> [Double] {
    let params = c.params.map { Buffer<T>(converting: $0.values) }
    guard case let box as StepperBox<T> = try {
        switch try family.makeStepper(dtype: T.dtype, shapes: c.params.map(\.shape), engine: .naive) {
        case let .float64(b): return b as Any
        case let .float32(b): return b as Any
        }
    }() else { fatalError("dtype") }
    let objective = c.problem?.objective(T.self)
    var out: [Double] = []
    for s in c.steps {
        let l = s.lr ?? lr
        if let objective {
            if box.needsObjective { box.stepObjective(params, objective, l) } else { box.step(params, objective(params).grads, l) }
        } else {
            box.step(params, s.grads!.map { Buffer<T>(converting: $0) }, l)
        }
        var worst = 0.0
        for (t, e) in s.expected.enumerated() {
            for (j, ev) in e.enumerated() {
                let a = Double(params[t][j])
                let r = abs(a - ev) / (tol.atol + tol.rtol * abs(ev))
                worst = r.isNaN ? .infinity : max(worst, r)
            }
        }
        out.append(worst)
    }
    return out
}

/// Whether a case passes with `family` (its own tolerance in float64, tolerance_float32 or the
/// harness policy in float32).
private func passes<T: DescentFloat>(_ c: OptimizerCase, _ family: any OptimizerFamily, _ lr: Double, _: T.Type) throws -> Bool {
    let tol = T.dtype == .float64 ? c.tolerance
        : (c.toleranceFloat32 ?? Tolerance(rtol: max(c.tolerance.rtol, 1e-4), atol: max(c.tolerance.atol, 1e-5)))
    return try errors(c, family, lr, T.self, tol: tol).allSatisfy { $0 <= 1 }
}

private func caseNamed(_ file: String, _ id: String) throws -> OptimizerCase {
    guard let c = try loadCases(file).first(where: { $0.id == id }) else { fatalError("no case \(id) in \(file)") }
    return c
}

@Suite struct LBFGSScheduleFreeFixtures {
    /// Every fixture, through the verifier, in both precisions (the harness's own float32 policy).
    @Test(arguments: files)
    func fixturePasses(_ file: String) throws {
        let f = try FixtureLoader.load(path: root.appendingPathComponent(file).path)
        let v = Verifier(implementations: [EngineImplementation(.naive, summary: "")], dtypes: [.float64, .float32])
        let results = v.run(f)
        #expect(!results.isEmpty)
        for r in results {
            #expect(r.status == .pass, "\(r.id) [\(r.dtype)]: \(r.status) \(r.message)")
        }
    }

    @Test func replayOfLBFGSIsUnsupported() throws {
        let json = """
        {"format": "descent-fixture/1", "cases": [{"id": "x", "kind": "optimizer", "optimizer": {"convention": "torch", "name": "LBFGS"},
         "source": "t", "dtype": "float64", "tolerance": {"rtol": 1e-9, "atol": 1e-12},
         "params": [{"shape": [2], "values": [1, 2]}], "steps": [{"grads": [[0.1, 0.2]], "expected": [[1, 2]]}]}]}
        """
        let f = try FixtureLoader.load(json: try JSON.parse(json), path: "mem.json")
        let r = Verifier(implementations: [EngineImplementation(.naive, summary: "")], dtypes: [.float64]).run(f)
        #expect(r.first?.status == .unsupported, "\(r.first?.message ?? "")")
    }
}

/// A mistake (a family changed the way a wrong implementation would be) must make the named case fail.
private struct Mistake: Sendable, CustomStringConvertible {
    var file: String
    var id: String
    var what: String
    var change: @Sendable (any OptimizerFamily) -> any OptimizerFamily
    var lr: Double? = nil
    var description: String { "\(id): \(what)" }
}

private func lbfgs(_ f: @escaping @Sendable (inout LBFGSFamily) -> Void) -> @Sendable (any OptimizerFamily) -> any OptimizerFamily {
    { var x = $0 as! LBFGSFamily; f(&x); return x }
}
private func sf(_ f: @escaping @Sendable (inout ScheduleFreeFamily) -> Void) -> @Sendable (any OptimizerFamily) -> any OptimizerFamily {
    { var x = $0 as! ScheduleFreeFamily; f(&x); return x }
}

private let T = "torch/problems/LBFGS.json", O = "optax/problems/lbfgs.json", OSF = "optax/schedule_free.json"
private let SGD = "schedulefree/SGDScheduleFree.json", ADW = "schedulefree/AdamWScheduleFree.json"

private let mistakes: [Mistake] = [
    Mistake(file: T, id: "torch/LBFGS/history-1-rosenbrock", what: "history one too long", change: lbfgs { $0.history = 2 }),
    Mistake(file: T, id: "torch/LBFGS/history-2-ridge", what: "history one too short", change: lbfgs { $0.history = 1 }),
    Mistake(file: T, id: "torch/LBFGS/strong-wolfe-rosenbrock", what: "no line search", change: lbfgs { $0.lineSearch = .none }),
    Mistake(file: T, id: "torch/LBFGS/fixed-step-rosenbrock", what: "line search where none was asked", change: lbfgs { $0.lineSearch = .strongWolfe }),
    Mistake(file: T, id: "torch/LBFGS/max-eval-ridge", what: "max_eval ignored", change: lbfgs { $0.maxEval = 1000 }),
    Mistake(file: T, id: "torch/LBFGS/defaults-quadratic", what: "max_iter 10 instead of 20", change: lbfgs { $0.maxIter = 10; $0.maxEval = 12 }),
    Mistake(file: T, id: "torch/LBFGS/tolerance-change-quadratic", what: "tolerance_change ignored", change: lbfgs { $0.toleranceChange = 1e-9 }),
    Mistake(file: T, id: "torch/LBFGS/tolerance-grad-quadratic", what: "tolerance_grad ignored", change: lbfgs { $0.toleranceGrad = 1e-7 }),
    Mistake(file: T, id: "torch/LBFGS/maximize-quadratic", what: "maximize ignored", change: lbfgs { $0.maximize = false }),
    Mistake(file: T, id: "torch/LBFGS/lr-schedule-rosenbrock", what: "per-step lr ignored", change: { $0 }, lr: 0.5),
    Mistake(file: O, id: "optax/lbfgs/memory-1-quadratic", what: "memory one too long", change: lbfgs { $0.history = 2 }),
    Mistake(file: O, id: "optax/lbfgs/memory-2-ridge", what: "memory one too short", change: lbfgs { $0.history = 1 }),
    Mistake(file: O, id: "optax/lbfgs/no-scale-init-rosenbrock", what: "scale_init_precond ignored", change: lbfgs { $0.scaleInitPrecond = true }),
    Mistake(file: O, id: "optax/lbfgs/defaults-quadratic", what: "no initial scaling", change: lbfgs { $0.scaleInitPrecond = false }),
    Mistake(file: O, id: "optax/lbfgs/defaults-rosenbrock", what: "curvature test skipped", change: lbfgs { $0.zoom.curvRtol = .infinity }),
    Mistake(file: O, id: "optax/lbfgs/defaults-quadratic", what: "approximate Armijo test left out", change: lbfgs { $0.zoom.approxDecRtol = nil }),
    Mistake(file: O, id: "optax/lbfgs/defaults-ridge", what: "curvature test skipped", change: lbfgs { $0.zoom.curvRtol = .infinity }),
    Mistake(file: O, id: "optax/lbfgs/tiny-learning-rate-ridge", what: "19 line-search steps", change: lbfgs { $0.zoom.maxSteps = 19 }),
    Mistake(file: O, id: "optax/lbfgs/tiny-learning-rate-ridge", what: "no safe-step fallback", change: lbfgs { $0.zoom.maxSteps = 21 }),
    Mistake(file: O, id: "optax/lbfgs/learning-rate-quadratic", what: "learning_rate ignored", change: { $0 }, lr: 1.0),
    Mistake(file: OSF, id: "optax/schedule_free_sgd/warmup", what: "warmup ignored", change: sf { $0.warmupSteps = nil }),
    Mistake(file: OSF, id: "optax/schedule_free_sgd/warmup-zero", what: "warmup 0 taken as no warmup", change: sf { $0.warmupSteps = nil }),
    Mistake(file: OSF, id: "optax/schedule_free_sgd/lr-schedule", what: "unweighted average", change: sf { $0.weightLRPower = 0 }),
    Mistake(file: OSF, id: "optax/schedule_free_sgd/weight-decay", what: "weight decay ignored", change: sf { $0.weightDecay = 0 }),
    Mistake(file: OSF, id: "optax/schedule_free_sgd/b1-power", what: "b1 0.9 hard-coded", change: sf { $0.beta1 = 0.9 }),
    Mistake(file: OSF, id: "optax/schedule_free_adamw/b1-power", what: "weight_lr_power ignored", change: sf { $0.weightLRPower = 2 }),
    Mistake(file: OSF, id: "optax/schedule_free_adamw/weight-decay", what: "eps inside the root (as 0)", change: sf { $0.eps = 0 }),
    Mistake(file: SGD, id: "schedulefree/SGDScheduleFree/warmup", what: "warmup ignored", change: sf { $0.warmupSteps = 0 }),
    Mistake(file: SGD, id: "schedulefree/SGDScheduleFree/warmup", what: "warmup off by one", change: sf { $0.warmupSteps = 8 }),
    Mistake(file: SGD, id: "schedulefree/SGDScheduleFree/r-power", what: "r ignored", change: sf { $0.r = 0 }),
    Mistake(file: SGD, id: "schedulefree/SGDScheduleFree/lr-schedule", what: "wrong averaging weight", change: sf { $0.weightLRPower = 1 }),
    Mistake(file: SGD, id: "schedulefree/SGDScheduleFree/weight-decay", what: "weight decay ignored", change: sf { $0.weightDecay = 0 }),
    Mistake(file: ADW, id: "schedulefree/AdamWScheduleFree/warmup", what: "betas ignored", change: sf { $0.beta1 = 0.9; $0.beta2 = 0.999 }),
    Mistake(file: ADW, id: "schedulefree/AdamWScheduleFree/weight-decay", what: "weight decay ignored", change: sf { $0.weightDecay = 0 }),
    Mistake(file: ADW, id: "schedulefree/AdamWScheduleFree/r-power", what: "r ignored", change: sf { $0.r = 0 }),
]

@Test(arguments: mistakes)
private func mistakeIsCaught(_ m: Mistake) throws {
    let c = try caseNamed(m.file, m.id)
    let spec = try Verifier.spec(for: c)
    #expect(try passes(c, spec.family, spec.lr, Double.self), "the case itself must pass")
    var wrong = c
    if let lr = m.lr { wrong.steps = c.steps.map { var s = $0; s.lr = lr; return s } }
    #expect(try !passes(wrong, m.change(spec.family), spec.lr, Double.self), "\(m) was not caught")
}

/// Comparing x (the evaluation point) instead of y must fail every Schedule-Free fixture.
@Test(arguments: ["optax/schedule_free.json", "schedulefree/SGDScheduleFree.json", "schedulefree/AdamWScheduleFree.json"])
func comparingXInsteadOfYIsCaught(_ file: String) throws {
    for c in try loadCases(file) where c.expectedError == nil {
        let spec = try Verifier.spec(for: c)
        let f = spec.family as! ScheduleFreeFamily
        guard case let .float64(box) = try f.makeStepper(dtype: .float64, shapes: c.params.map(\.shape), engine: .naive) else { return }
        let params = c.params.map { Buffer<Double>(converting: $0.values) }
        var caught = false
        for s in c.steps {
            box.step(params, s.grads!.map { Buffer<Double>(converting: $0) }, s.lr ?? spec.lr)
            let z = box.state().first { $0.name == "z" }!.buffers
            for (t, e) in s.expected.enumerated() {
                for (j, ev) in e.enumerated() {
                    let x = (params[t][j] - (1 - f.beta1) * z[t][j]) / f.beta1
                    if abs(x - ev) > c.tolerance.atol + c.tolerance.rtol * abs(ev) { caught = true }
                }
            }
        }
        #expect(caught || c.id.hasSuffix("warmup-zero"), "\(c.id): x matches the expected values")
    }
}

@Suite struct LBFGSScheduleFreeValidation {
    func message(_ convention: String, _ name: String, _ hp: String) -> String? {
        do {
            _ = try Conventions.optimizer(convention: convention, name: name, hyperparameters: try JSON.parse(hp))
            return nil
        } catch let DescentError.invalidHyperparameter(_, message) {
            return message
        } catch {
            return "other: \(error)"
        }
    }

    @Test func torchLBFGS() {
        #expect(message("torch", "LBFGS", #"{"lr": -1.0}"#) == "Invalid learning rate: -1.0")
        #expect(message("torch", "LBFGS", #"{"lr": -1}"#) == "Invalid learning rate: -1")
        #expect(message("torch", "LBFGS", #"{"line_search_fn": "armijo"}"#) == "only 'strong_wolfe' is supported")
        #expect(message("torch", "LBFGS", #"{"line_search_fn": "strong_wolfe", "max_iter": 4}"#) == nil)
        let f = try? Conventions.optimizer(convention: "torch", name: "LBFGS", hyperparameters: try! JSON.parse(#"{"max_iter": 7}"#))
        #expect((f?.family as? LBFGSFamily)?.maxEval == 8)   // max_iter * 5 // 4
    }

    @Test func optaxLBFGS() {
        #expect(message("optax", "lbfgs", #"{"memory_size": 0}"#) == "memory_size must be >= 1")
        #expect(message("optax", "lbfgs", "{}") == nil)
        #expect(throws: DescentError.self) {
            _ = try Conventions.optimizer(convention: "optax", name: "lbfgs", hyperparameters: try JSON.parse(#"{"linesearch": "x"}"#))
        }
    }

    @Test func schedulefree() {
        #expect(message("schedulefree", "SGDScheduleFree", #"{"lr": -0.5}"#) == "Invalid learning rate: -0.5")
        #expect(message("schedulefree", "SGDScheduleFree", #"{"weight_decay": -0.1}"#) == "Invalid weight_decay value: -0.1")
        #expect(message("schedulefree", "SGDScheduleFree", #"{"momentum": 1.0}"#) == "Momentum must be between 0 and 1 exclusive: 1.0")
        #expect(message("schedulefree", "SGDScheduleFree", #"{"momentum": 0}"#) == "Momentum must be between 0 and 1 exclusive: 0")
        #expect(message("schedulefree", "AdamWScheduleFree", #"{"lr": -1.0, "betas": [2.0, 3.0]}"#) == nil)   // validates nothing
    }
}

@Suite struct LBFGSScheduleFreeChecks {
    @Test func checksPass() {
        for c in lbfgsChecks + scheduleFreeChecks {
            for d in DType.allCases {
                let o = c.run(dtype: d)
                #expect(o.status == .passed, "\(o.id) [\(d)]: \(o.message)")
            }
        }
    }

    @Test func checksCanFail() {
        #expect(LBFGSQuadraticTerminationCheck(perturbation: 1e-6).run(dtype: .float64).status == .failed)
        #expect(ScheduleFreeConstantGradientCheck(perturbation: 1e-6).run(dtype: .float64).status == .failed)
    }
}
