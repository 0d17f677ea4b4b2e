// LBFGSScheduleFreeTests.swift — L-BFGS (torch, optax) and Schedule-Free (optax.contrib,
// schedulefree) against the golden fixtures of reference/gen_lbfgs_schedulefree.py: every case in
// float64 and float32, each registered known-wrong variant caught by the case designed for it,
// validation messages.
import Foundation
import Testing
import DescentTestSupport
@testable import DescentCore
@testable import DescentConformance
@testable import DescentLab
@testable import DescentCLI
import DescentJSON

private let root = fixturesURL

private let files = [
    "torch/problems/LBFGS.json", "optax/problems/lbfgs.json", "optax/schedule_free.json",
    "optax/problems/schedule_free.json", "schedulefree/SGDScheduleFree.json",
    "schedulefree/AdamWScheduleFree.json", "schedulefree/RAdamScheduleFree.json", "schedulefree/problems/schedule_free.json",
    "keras/ScheduleFreeAdamW.json", "schedulefree/SGDScheduleFreeClosure.json", "schedulefree/AdamWScheduleFreeClosure.json",
    "schedulefree/RAdamScheduleFreeClosure.json", "schedulefree/AdamWScheduleFreePaper.json",
    "schedulefree/SGDScheduleFreeReference.json", "schedulefree/AdamWScheduleFreeReference.json",
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
    let box = try family.makeStepper(T.self, shapes: c.params.map(\.shape), engine: .naive)
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

// MARK: - Known-wrong variants

/// Every registered variant of these families (LBFGSScheduleFreeVariants.swift, and the generic
/// ones that apply to them), with the cases designed to catch it: each of them must.
private let designedToCatch: [(variant: String, cases: [String])] = [
    ("lbfgs-history-off-by-one", ["torch/LBFGS/history-1-rosenbrock", "optax/lbfgs/memory-1-quadratic"]),
    ("lbfgs-history-one-short", ["torch/LBFGS/history-2-ridge", "optax/lbfgs/memory-2-ridge"]),
    ("lbfgs-lr-ignored", ["torch/LBFGS/fixed-step-rosenbrock", "optax/lbfgs/learning-rate-quadratic", "optax/lbfgs/tiny-learning-rate-ridge"]),
    ("lbfgs-no-line-search", ["torch/LBFGS/strong-wolfe-rosenbrock"]),
    ("lbfgs-line-search-always", ["torch/LBFGS/fixed-step-rosenbrock"]),
    ("lbfgs-max-eval-ignored", ["torch/LBFGS/max-eval-ridge"]),
    ("lbfgs-one-iteration-per-step", ["torch/LBFGS/defaults-quadratic"]),
    ("lbfgs-tolerance-grad-ignored", ["torch/LBFGS/tolerance-grad-quadratic"]),
    ("lbfgs-tolerance-change-ignored", ["torch/LBFGS/tolerance-change-quadratic"]),
    ("maximize-ignored", ["torch/LBFGS/maximize-quadratic"]),
    ("lbfgs-no-initial-scaling", ["optax/lbfgs/defaults-quadratic"]),
    ("lbfgs-scale-init-precond-ignored", ["optax/lbfgs/no-scale-init-rosenbrock"]),
    ("lbfgs-zoom-no-curvature-test", ["optax/lbfgs/defaults-rosenbrock", "optax/lbfgs/defaults-ridge"]),
    ("lbfgs-zoom-no-approx-armijo", ["optax/lbfgs/defaults-quadratic"]),
    ("lbfgs-zoom-steps-one-short", ["optax/lbfgs/tiny-learning-rate-ridge"]),
    ("lbfgs-zoom-steps-one-long", ["optax/lbfgs/tiny-learning-rate-ridge"]),
    ("schedulefree-warmup-ignored", ["optax/schedule_free_sgd/warmup", "schedulefree/SGDScheduleFree/warmup"]),
    ("schedulefree-warmup-zero-as-none", ["optax/schedule_free_sgd/warmup-zero"]),
    ("schedulefree-warmup-off-by-one", ["schedulefree/SGDScheduleFree/warmup"]),
    ("schedulefree-unweighted-average", ["optax/schedule_free_sgd/lr-schedule"]),
    ("schedulefree-weight-lr-power-ignored", ["optax/schedule_free_adamw/b1-power"]),
    ("schedulefree-weight-lr-power-one", ["schedulefree/SGDScheduleFree/lr-schedule"]),
    ("schedulefree-r-ignored", ["schedulefree/SGDScheduleFree/r-power", "schedulefree/AdamWScheduleFree/r-power"]),
    ("schedulefree-beta-ignored", ["optax/schedule_free_sgd/b1-power", "schedulefree/AdamWScheduleFree/warmup"]),
    ("schedulefree-beta2-ignored", ["schedulefree/AdamWScheduleFree/warmup"]),
    ("schedulefree-eps-dropped", ["optax/schedule_free_adamw/weight-decay"]),
    ("radam-schedulefree-no-rectification", ["schedulefree/RAdamScheduleFree/defaults", "schedulefree/RAdamScheduleFree/lr-schedule"]),
    ("radam-schedulefree-silent-phase-ignored", ["schedulefree/RAdamScheduleFree/defaults"]),
    ("radam-schedulefree-threshold-5", ["schedulefree/RAdamScheduleFree/defaults", "schedulefree/RAdamScheduleFree/sgd-phase"]),
    ("schedulefree-closure-holds-y", ["schedulefree/SGDScheduleFreeClosure/defaults", "schedulefree/AdamWScheduleFreeClosure/defaults",
                                      "schedulefree/RAdamScheduleFreeClosure/sgd-phase"]),
    ("schedulefree-paper-bias-corrected", ["schedulefree/AdamWScheduleFreePaper/defaults"]),
    ("schedulefree-reference-decay-at-z-ignored", ["schedulefree/AdamWScheduleFreeReference/decay-at-z"]),
    ("keras-schedulefree-lr-weighted", ["keras/ScheduleFreeAdamW/warmup", "keras/ScheduleFreeAdamW/betas-lr-schedule"]),
    ("schedulefree-params-hold-x", []),   // every non-degenerate case: see holdingXIsCaughtEverywhere
    ("weight-decay-ignored", ["optax/schedule_free_sgd/weight-decay", "schedulefree/SGDScheduleFree/weight-decay",
                              "schedulefree/AdamWScheduleFree/weight-decay"]),
]

private func loadFiles() throws -> [FixtureFile] {
    try files.map { try FixtureLoader.load(path: root.appendingPathComponent($0).path) }
}

@Test func registeredVariantsAreCaughtByTheirCases() throws {
    let variants = try designedToCatch.map { try #require(KnownWrong.named($0.variant), "\($0.variant) is not registered") }
    for (p, designed) in zip(Power.run(files: try loadFiles(), variants: variants), designedToCatch) {
        #expect(p.caught, "no fixture catches \(p.variant.id) (\(p.variant.summary)); it applies to \(p.applicable) cases")
        let caughtBy = Set(p.catching.map(\.id))
        for id in designed.cases {
            #expect(caughtBy.contains(id), "\(id) does not catch \(p.variant.id) (\(p.variant.summary))")
        }
    }
    let listed = Set(designedToCatch.map(\.variant))
    for v in lbfgsScheduleFreeVariants { #expect(listed.contains(v.id), "\(v.id) has no designed case here") }
    #expect(Set(lbfgsScheduleFreeVariants.map(\.id)).count == lbfgsScheduleFreeVariants.count)
}

/// Comparing x (the evaluation point) instead of y must fail every Schedule-Free case whose
/// parameters move (with warmup_steps=0 optax holds the lr at 0, so x = y = z throughout).
@Test func holdingXIsCaughtEverywhere() throws {
    let v = try #require(KnownWrong.named("schedulefree-params-hold-x"))
    let verifier = Verifier(implementations: [v], dtypes: [.float64])
    var applied = 0
    for f in try loadFiles() {
        for c in f.cases where c.expectedError == nil {
            let r = verifier.run(c, file: f.path, implementation: v, dtype: .float64)
            guard r.status != .unsupported else { continue }
            applied += 1
            #expect(r.status == .fail || c.id.hasSuffix("warmup-zero"), "\(c.id): x matches the expected values (\(r.status))")
        }
    }
    #expect(applied == 68)
}

/// Mistakes that stay test-only: a case-specific change (a per-step lr) or an arbitrary wrong
/// value, not a general mistake for the registry. Each must make the named case fail.
private struct Mistake: Sendable, CustomStringConvertible {
    var file: String
    var id: String
    var what: String
    var change: @Sendable (any OptimizerFamily) -> any OptimizerFamily
    var lr: Double? = nil
    var description: String { "\(id): \(what)" }
}

private let mistakes: [Mistake] = [
    // Every step's lr replaced by the constructor's 0.5: the case's lr sequence ignored.
    Mistake(file: "torch/problems/LBFGS.json", id: "torch/LBFGS/lr-schedule-rosenbrock", what: "per-step lr ignored", change: { $0 }, lr: 0.5),
    // A wrong default (10 for torch's 20); the general max_iter mistake is lbfgs-one-iteration-per-step.
    Mistake(file: "torch/problems/LBFGS.json", id: "torch/LBFGS/defaults-quadratic", what: "max_iter 10 instead of 20",
            change: { var x = $0 as! LBFGSFamily; x.maxIter = 10; x.maxEval = 12; return x }),
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
