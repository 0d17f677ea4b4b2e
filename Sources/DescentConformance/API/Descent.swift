// Descent.swift — Descent as a library: verify your own Swift optimizer from your own tests.
//
//     import DescentHarness   // the DescentKit product
//
//     struct MySGD: VerifiableOptimizer {
//         func makeStep(_ r: OptimizerRequest) throws -> OptimizerStep {
//             guard r.convention == "torch", r.name == "SGD" else { throw DescentUnsupported("only torch SGD") }
//             let lr = r.hyperparameters["lr"]?.doubleValue ?? 0.001
//             if lr < 0 { throw MyError("Invalid learning rate: \(lr)") }   // compared with expected_error
//             return { params, grads, stepLR in
//                 for t in params.indices { for i in params[t].indices { params[t][i] -= (stepLR ?? lr) * grads[t][i] } }
//             }
//         }
//     }
//     let report = try Descent.verify(MySGD(), fixtures: [Descent.bundledFixtures + "/torch/SGD.json"])
//     #expect(report.summary.failed == 0, "\(report.text)")
//
// The results are those of `descent verify --adapter` on the same cases (the same comparison,
// tolerances, first failure and known-wrong diagnosis), in float64. Argument validation is your
// implementation's answer: for an `expected_error` case Descent calls `makeStep` and compares what
// it throws with the library's message (numbers compared as numbers); Descent's own convention
// layer is not consulted.
import DescentCore
import DescentJSON
import Foundation

/// What your optimizer is asked to run: one fixture case's optimizer call.
public struct OptimizerRequest: Sendable {
    /// The case id (e.g. "torch/Adam/amsgrad-l2").
    public var id: String
    /// "torch", "optax", "textbook", "pytorch_optimizer", …: whose keyword arguments these are.
    public var convention: String
    /// The convention's own name ("Adam", "adamw", "sgd", …).
    public var name: String
    /// The keyword arguments as written in the fixture (an object; empty when none are given:
    /// the library's defaults apply).
    public var hyperparameters: JSON
    /// The parameter tensors' shapes (row-major, flattened in the buffers).
    public var shapes: [[Int]]
    /// Gradient transforms applied before each step (`grad_transforms`); decline the case
    /// (`DescentUnsupported`) if you do not apply them.
    public var gradTransforms: [JSON]
    /// An argument-validation case: the library rejects these arguments (throw to reject them).
    public var validation: Bool
}

/// One step: update `params` (one array per tensor) in place from `grads`. `lr` is the step's
/// learning-rate override (a scheduler set it), nil to use the optimizer's own.
public typealias OptimizerStep = (_ params: inout [[Double]], _ grads: [[Double]], _ lr: Double?) throws -> Void

/// What a schedule case asks for: `count` values, `lr[k]` as the case's convention defines it
/// (fixtures/FORMAT.md, "Schedule case").
public struct ScheduleRequest: Sendable {
    public var id: String
    public var convention: String
    public var name: String
    public var parameters: JSON
    /// torch: the optimizer's lr when the scheduler is built.
    public var baseLR: Double?
    /// ReduceLROnPlateau: the metric passed to each step() call.
    public var metrics: [Double]?
    public var count: Int
    public var validation: Bool
}

/// A case with field features (fixtures/FORMAT.md, "Field features": param groups, `null`
/// gradients, a resume point, accumulation, a non-finite guard, a schedule handed to the
/// optimizer): the surroundings are part of what is verified, so your code runs the whole case,
/// as an adapter does, with your library's own groups, save/load and schedule.
public struct FieldCaseRequest: Sendable {
    public var id: String
    /// The `features` tags.
    public var features: [String]
    /// The case exactly as the adapter protocol sends it: the case's fields without `expected`,
    /// `expected_state` and the other expected values, with `"run_dtype": "float64"`.
    public var request: JSON
}

/// Your answer to a `FieldCaseRequest`: the parameters after every step (a list over steps of a
/// list over tensors) and, for cases that expect state, the state after every step (one object
/// per step, the forms of `expected_state`: `{"step": [3, 3], "exp_avg": [[…], […]]}`).
public struct FieldCaseAnswer: Sendable {
    public var params: [[[Double]]]
    public var state: [JSON]?
    public init(params: [[[Double]]], state: [JSON]? = nil) {
        self.params = params
        self.state = state
    }
}

/// Throw this to decline a case (reported `unsupported` with the reason, never passed).
public struct DescentUnsupported: Error, CustomStringConvertible, Sendable {
    public var reason: String
    public init(_ reason: String) { self.reason = reason }
    public var description: String { reason }
}

/// Your implementation, as Descent verifies it.
public protocol VerifiableOptimizer {
    /// Called once per optimizer case: return a step function that keeps its own state.
    /// Throw `DescentUnsupported` to decline the case; throw any other error to reject the
    /// arguments (its description is compared with the case's `expected_error`).
    func makeStep(_ request: OptimizerRequest) throws -> OptimizerStep
    /// The values of a schedule (`lr`, and `momentum` when it cycles momentum). Default: declined.
    func scheduleValues(_ request: ScheduleRequest) throws -> (lr: [Double], momentum: [Double]?)
    /// A whole case with field features (param groups, null gradients, resume, …). Default:
    /// declined, so those cases are `unsupported` until you run them.
    func runFieldCase(_ request: FieldCaseRequest) throws -> FieldCaseAnswer
}

extension VerifiableOptimizer {
    public func scheduleValues(_ request: ScheduleRequest) throws -> (lr: [Double], momentum: [Double]?) {
        throw DescentUnsupported("\(type(of: self)) implements no schedules")
    }
    public func runFieldCase(_ request: FieldCaseRequest) throws -> FieldCaseAnswer {
        throw DescentUnsupported("\(type(of: self)) runs no field-feature cases (features \(request.features); implement runFieldCase)")
    }
}

/// The outcome of `Descent.verify`: every result, the counts and the reports the CLI writes.
public struct VerificationReport: Sendable {
    public var results: [CaseResult]
    public var summary: Summary { Summary(results) }
    /// The text report (as `descent verify` prints it), ending with `N passed, N failed, N skipped`.
    public var text: String { Reports.text(results) }
    public var json: String { Reports.json(results) }
    public var junit: String { Reports.junit(results) }
    /// No failure and no error, and something passed.
    public var passed: Bool { summary.failed == 0 && summary.passed > 0 }
}

public enum Descent {
    /// The fixtures bundled with this package (its `fixtures/` folder, found from this source
    /// file's place in the checkout: works for a path or git dependency, since SwiftPM builds
    /// from the checkout's sources).
    public static var bundledFixtures: String { BundledFiles.fixtures }

    /// Verifies `optimizer` on the fixture files or folders `fixtures` (float64). Throws when a
    /// path does not exist or nothing in it is usable; a broken case is an `error` result.
    public static func verify(_ optimizer: some VerifiableOptimizer, fixtures: [String], name: String = "mine",
                              validation: Bool = true, diagnose: Bool = true) throws -> VerificationReport {
        let (files, missing) = FixtureLoader.discover(fixtures)
        if !missing.isEmpty { throw DescentError.invalidInput(field: "fixtures", message: missing.map { "\($0): no such file or folder" }.joined(separator: "; ")) }
        if files.isEmpty { throw DescentError.invalidInput(field: "fixtures", message: "no fixture files (*.json) under \(fixtures.joined(separator: ", "))") }
        var results: [CaseResult] = []
        for f in files {
            let file: FixtureFile
            do { file = try FixtureLoader.load(path: f) } catch {
                results.append(CaseResult(file: f, id: "(file)", kind: "file", convention: "?", name: "?",
                                          implementation: name, dtype: .float64, status: .error, message: "\(error)"))
                continue
            }
            for c in file.cases where validation || c.expectedError == nil {
                var r = run(optimizer, c, file: f, name: name)
                if diagnose && r.status == .fail && !r.validation { r.diagnosis = Diagnosis.diagnose(c, file: f, result: r) }
                r.trajectory = []
                results.append(r)
            }
            for b in file.broken {
                results.append(CaseResult(file: f, id: b.id, kind: "?", convention: "?", name: "?",
                                          implementation: name, dtype: .float64, status: .error, message: b.message))
            }
        }
        return VerificationReport(results: results)
    }

    package static func run(_ impl: some VerifiableOptimizer, _ c: FixtureCase, file: String, name: String) -> CaseResult {
        var r = CaseResult(file: file, id: c.id, kind: { if case .optimizer = c { return "optimizer" }; return "schedule" }(),
                           convention: c.convention, name: c.name, implementation: name, dtype: .float64, status: .error, message: "")
        r.validation = c.expectedError != nil
        r.ran = "\(name): \(type(of: impl)) (Descent.verify)"
        do {
            switch c {
            case let .optimizer(oc) where (oc.needsFieldRun || oc.hasSparseGradients) && oc.expectedError == nil:
                let request = FieldCaseRequest(id: oc.id, features: oc.field?.features.map(\.rawValue) ?? [],
                                               request: AdapterVerifier.request(for: c, runDType: .float64))
                let answer = try impl.runFieldCase(request)
                var reply: [(String, JSON)] = [("params", .array(answer.params.map { .array($0.map { .array($0.map(StepperState.number)) }) }))]
                if let st = answer.state { reply.append(("state", .array(st))) }
                try AdapterVerifier.compareOptimizer(oc, .object(reply), dtype: .float64, who: name, &r)
            case let .optimizer(oc):
                let request = OptimizerRequest(id: oc.id, convention: oc.convention, name: oc.name,
                                               hyperparameters: oc.hyperparameters ?? .object([]), shapes: oc.params.map(\.shape),
                                               gradTransforms: oc.gradTransforms, validation: oc.expectedError != nil)
                guard let step = try accepted(oc.expectedError, &r, { try impl.makeStep(request) }) else { return r }
                try runOptimizer(oc, step, &r)
            case let .schedule(sc):
                let request = ScheduleRequest(id: sc.id, convention: sc.convention, name: sc.name, parameters: sc.parameters ?? .object([]),
                                              baseLR: sc.baseLR, metrics: sc.metrics, count: max(1, sc.expectedLR.count),
                                              validation: sc.expectedError != nil)
                guard let v = try accepted(sc.expectedError, &r, { try impl.scheduleValues(request) }) else { return r }
                try compareSchedule(sc, v, &r)
            }
        } catch let e as DescentUnsupported {
            r.status = .unsupported
            r.message = e.reason
        } catch let DescentError.invalidInput(field, message) {
            r.status = .error
            r.message = "\(file): case \(c.id): \(field): \(message)"
        } catch {
            r.status = .error
            r.message = "\(file): case \(c.id): the implementation threw: \(error)"
        }
        return r
    }

    /// What the user's code makes of a case's arguments (`make`): its step or values, or nil when
    /// the case is settled here — a validation case (`expected` error) is judged on the user's
    /// rejection, or fails when the arguments were accepted. `DescentUnsupported` passes through.
    package static func accepted<V>(_ expected: String?, _ r: inout CaseResult, _ make: () throws -> V) throws -> V? {
        let v: V
        do { v = try make() } catch let e as DescentUnsupported { throw e } catch {
            guard let expected else { throw error }
            _ = judgeValidation(&r, expected, said: "\(error)")
            return nil
        }
        if let expected {
            r.status = .fail
            r.message = "expected the error \"\(expected)\", but the arguments were accepted"
            return nil
        }
        return v
    }

    package static func judgeValidation(_ r: inout CaseResult, _ expected: String, said: String) -> CaseResult {
        r.status = ErrorMessage.matches(said, expected: expected) ? .pass : .fail
        r.message = r.status == .pass ? "" : "expected the error \"\(expected)\", got \"\(said)\""
        return r
    }

    package static func runOptimizer(_ c: OptimizerCase, _ step: OptimizerStep, _ r: inout CaseResult) throws {
        var params = c.params.map(\.values)
        let objective = c.problem?.objective(Double.self)
        // A training case: Descent's MLP (naive engine, float64) computes each step's loss and
        // gradients by backpropagation; the loss is compared as one more series, as in the CLI.
        let training = try c.training.map { setup -> (model: MLP<Double>, data: TrainingData<Double>) in
            let spec = try setup.modelSpec()
            guard c.params.map(\.shape) == spec.parameterShapes else {
                throw DescentError.invalidInput(field: "params", message: "shapes \(c.params.map(\.shape)) do not match the model \(spec) (\(spec.parameterShapes))")
            }
            return (MLP<Double>(spec, engine: .naive), try setup.data(spec, Double.self))
        }
        let tensors = c.params.count
        var cmp = TrajectoryComparer(dtype: .float64, tolerance: c.tolerance, float32Override: c.toleranceFloat32,
                                     series: tensors + (training == nil ? 0 : 1))
        for (k, s) in c.steps.enumerated() {
            let grads: [[Double]]
            var loss: [[Double]] = []
            if let g = s.grads {
                grads = g
            } else if let (model, data) = training, let rows = s.batch, let expectedLoss = s.expectedLoss {
                let g = model.makeGradients()
                let l = model.lossAndGradients(params: params.map { Buffer<Double>(converting: $0) }, data: data, rows: rows, into: g)
                cmp.compare(step: k, series: tensors, expected: [expectedLoss], actual: [l], scale: c.lossScale)
                loss = [[l]]
                grads = g.map(\.doubles)
            } else if let objective {
                grads = objective(params.map { Buffer<Double>(converting: $0) }).grads.map(\.doubles)
            } else {
                throw DescentError.invalidInput(field: "steps[\(k)].grads", message: "missing (and the case names no problem or model)")
            }
            try step(&params, grads, s.lr)
            guard params.count == tensors else {
                throw DescentError.invalidInput(field: "params", message: "the step left \(params.count) tensors, \(tensors) expected")
            }
            for t in params.indices where params[t].count != c.params[t].count {
                throw DescentError.invalidInput(field: "params[\(t)]", message: "the step left \(params[t].count) values, \(c.params[t].count) expected")
            }
            for t in params.indices { cmp.compare(step: k, series: t, expected: s.expected[t], actual: params[t]) }
            r.trajectory.append(params + loss)
        }
        cmp.finish(into: &r, what: "trajectory")
        if training != nil { Verifier.nameLossSeries(&r, tensors: tensors) }
    }

    package static func compareSchedule(_ c: ScheduleCase, _ v: (lr: [Double], momentum: [Double]?), _ r: inout CaseResult) throws {
        try Verifier.compareSchedule(c, lr: v.lr, momentum: v.momentum, dtype: .float64,
                                     wrongCount: ("lr", "\(v.lr.count) values returned, \(c.expectedLR.count) expected"),
                                     noMomentum: "none (or a wrong number) were returned", &r)
    }
}
