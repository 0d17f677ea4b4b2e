// Verifier.swift — runs fixture cases on implementations, in each precision, and compares with
// the goldens. Every (case, implementation, dtype) gives exactly one `CaseResult`.
import DescentCore
import DescentJSON

/// Names the cause of a failing result: lines for the report's diagnosis. The verifiers take it
/// from their caller; `Diagnoser.knownMistakes` (Power/Diagnosis.swift) replays the known-wrong
/// variants and the other conventions.
public typealias Diagnoser = @Sendable (_ c: FixtureCase, _ file: String, _ result: CaseResult) -> [String]

public struct Verifier: Sendable {
    public var implementations: [any Implementation]
    public var dtypes: [DType]
    /// Diagnoses failing cases; nil leaves them undiagnosed.
    public var diagnoser: Diagnoser?
    /// Run the argument-validation (`expected_error`) cases (`--no-validation` leaves them out).
    public var validation = true
    /// Only the cases tagged with one of these field features (`--feature`); empty: every case.
    public var features: Set<FieldFeature> = []
    /// The storage formats whose low-precision cases run (`--dtype bfloat16|float16|all`); a
    /// low-precision case runs once, in float32 arithmetic on its own format, or not at all.
    public var storageFormats: [StorageFormat] = StorageFormat.allCases

    /// The dtypes a case runs in: `dtypes`, or for a low-precision case float32 when its format
    /// is selected (none when it is not).
    public func dtypes(for c: FixtureCase) -> [DType] {
        guard case let .optimizer(oc) = c, let lp = oc.lowPrecision else { return dtypes }
        return storageFormats.contains(lp.params) ? [.float32] : []
    }

    /// Whether `features` selects the case.
    public static func selects(_ c: FixtureCase, features: Set<FieldFeature>) -> Bool {
        guard !features.isEmpty else { return true }
        guard case let .optimizer(oc) = c else { return false }
        return !(oc.field?.features ?? []).filter(features.contains).isEmpty
    }

    public init(implementations: [any Implementation] = Implementations.all, dtypes: [DType] = DType.allCases,
                diagnoser: Diagnoser? = Verifier.knownMistakes) {
        self.implementations = implementations
        self.dtypes = dtypes
        self.diagnoser = diagnoser
    }

    /// All results for one loaded file (broken cases become `error` results, once per
    /// implementation and dtype, so the tables stay rectangular).
    public func run(_ file: FixtureFile) -> [CaseResult] {
        var out: [CaseResult] = []
        for c in file.cases where (validation || c.expectedError == nil) && Verifier.selects(c, features: features) {
            for impl in implementations {
                for dt in dtypes(for: c) {
                    var r = run(c, file: file.path, implementation: impl, dtype: dt)
                    if let diagnoser, r.status == .fail { r.diagnosis = diagnoser(c, file.path, r) }
                    if case let .optimizer(oc) = c { r.features = oc.field?.features.map(\.rawValue) ?? [] }
                    r.trajectory = []
                    out.append(r)
                }
            }
        }
        for b in file.broken {
            for impl in implementations {
                for dt in dtypes {
                    out.append(CaseResult(file: file.path, id: b.id, kind: "?", convention: "?", name: "?",
                                          implementation: impl.name, dtype: dt, status: .error, message: b.message))
                }
            }
        }
        return out
    }

    /// One run. Failing runs keep their trajectory (for diagnosis); `keepTrajectory` keeps it always.
    public func run(_ c: FixtureCase, file: String, implementation impl: any Implementation, dtype: DType,
                    keepTrajectory: Bool = false) -> CaseResult {
        var r: CaseResult
        switch c {
        case let .optimizer(oc):
            r = CaseResult(file: file, id: oc.id, kind: oc.kind, convention: oc.convention, name: oc.name,
                           implementation: impl.name, dtype: oc.lowPrecision == nil ? dtype : .float32, status: .error, message: "")
            r.storage = oc.lowPrecision?.params
        case let .schedule(sc):
            r = CaseResult(file: file, id: sc.id, kind: "schedule", convention: sc.convention, name: sc.name,
                           implementation: impl.name, dtype: dtype, status: .error, message: "")
        }
        if case let .unavailable(why) = impl.availability {
            r.status = .unsupported
            r.message = "implementation '\(impl.name)' is unavailable: \(why)"
            return r
        }
        r.validation = c.expectedError != nil
        if let expected = c.expectedError { return checkExpectedError(c, expected, impl, dtype, r) }
        do {
            let c = try impl.prepare(c)
            switch c {
            case let .optimizer(oc):
                switch dtype {
                case .float64: try runOptimizer(oc, impl, Double.self, &r)
                case .float32: try runOptimizer(oc, impl, Float.self, &r)
                }
            case let .schedule(sc):
                switch dtype {
                case .float64: try runSchedule(sc, impl, Double.self, &r)
                case .float32: try runSchedule(sc, impl, Float.self, &r)
                }
            }
        } catch let e as DescentError {
            switch e {
            case let .unsupported(why):
                r.status = .unsupported
                r.message = why
            case let .invalidHyperparameter(field, message), let .invalidInput(field, message):
                r.status = .error
                r.message = "\(file): case \(r.id): field '\(field)': \(message)"
            }
        } catch {
            r.status = .error
            r.message = "\(file): case \(r.id): \(error)"
        }
        if r.status != .fail && !keepTrajectory { r.trajectory = [] }
        return r
    }

    /// An `expected_error` case passes when building it fails with the library's wording.
    package func checkExpectedError(_ c: FixtureCase, _ expected: String, _ impl: any Implementation, _ dtype: DType,
                            _ result: CaseResult) -> CaseResult {
        var r = result
        do {
            switch c {
            case let .optimizer(oc):
                let spec = try impl.resolve(Verifier.spec(for: oc))
                func build<T: DescentFloat>(_: T.Type) throws { _ = try impl.stepper(spec, T.self, shapes: oc.params.map(\.shape)) }
                try build(dtype.scalarType)
            case let .schedule(sc):
                let s = try Conventions.schedule(convention: sc.convention, name: sc.name, parameters: sc.parameters,
                                                 context: ScheduleContext(baseLR: sc.baseLR, metrics: sc.metrics))
                _ = try impl.scheduleValues(s, Double.self, count: max(1, sc.expectedLR.count))
            }
            r.status = .fail
            r.rejected = false
            r.message = "expected the error \"\(expected)\", but the call was accepted"
        } catch let DescentError.invalidHyperparameter(field, message) {
            r.rejected = true
            r.status = ErrorMessage.matches(message, expected: expected) ? .pass : .fail
            r.message = r.status == .pass ? "" : "expected the error \"\(expected)\", got \"\(message)\" (field '\(field)')"
        } catch let DescentError.unsupported(why) {
            r.status = .unsupported
            r.message = why
        } catch {
            r.status = .fail
            r.rejected = true
            r.message = "expected the error \"\(expected)\", got \"\(error)\""
        }
        r.ran = "\(impl.name): \(c.convention).\(c.name) (argument validation)"
        return r
    }

    // MARK: Optimizer cases

    /// What the case's optimizer (and its gradient transforms, if any) means.
    public static func spec(for c: OptimizerCase) throws -> OptimizerSpec {
        var spec = try Conventions.optimizer(convention: c.convention, name: c.name, hyperparameters: c.hyperparameters)
        if !c.gradTransforms.isEmpty {
            let ts = try c.gradTransforms.enumerated().map { try GradientTransforms.make($0.element, field: "grad_transforms[\($0.offset)]") }
            spec.family = TransformedFamily(inner: spec.family, transforms: ts)
        }
        return spec
    }

    /// The implementation's stepper for `spec` in the run's precision `T`.
    package static func stepperBox<T: DescentFloat>(_ impl: any Implementation, _ spec: OptimizerSpec, _ shapes: [[Int]],
                                            _: T.Type) throws -> StepperBox<T> {
        try impl.stepper(spec, T.self, shapes: shapes)
    }

    package func runOptimizer<T: DescentFloat>(_ c: OptimizerCase, _ impl: any Implementation, _: T.Type,
                                       _ r: inout CaseResult) throws {
        if let lp = c.lowPrecision { return try runLowPrecision(c, lp, impl, &r) }
        if let setup = c.training { return try runTraining(c, setup, impl, T.self, &r) }
        if c.needsFieldRun { return try runField(c, impl, T.self, &r) }
        let spec = try impl.resolve(Verifier.spec(for: c))
        let shapes = c.params.map(\.shape)
        try Self.checkReplayLimit(spec, steps: c.steps.count, shapes: shapes)
        let box = try Verifier.stepperBox(impl, spec, shapes, T.self)
        r.ran = "\(impl.name): \(c.convention).\(c.name) → \(spec.family.familyName) [\(spec.family.summary)] as \(box.typeName)"
        if box.needsObjective && c.problem == nil {
            guard box.takesValue else {
                throw DescentError.unsupported("\(c.convention).\(c.name) evaluates the objective during a step; it runs only on closed-loop problem cases")
            }
            if let k = c.steps.firstIndex(where: { $0.value == nil }) {
                throw DescentError.invalidInput(field: "steps[\(k)].value", message: "missing: \(c.convention).\(c.name)'s update takes the loss (update(..., value=f)); a replay case gives it on every step")
            }
        }
        try Self.checkSparseGradients(c, box)
        if box.takesHessian && c.problem != nil {
            throw DescentError.unsupported("\(c.convention).\(c.name) refreshes its Hessian estimate with a random Hutchinson probe (autograd on the loss's graph): a closed-loop case cannot reproduce it; replay cases give the estimate as steps[k].hessian")
        }
        let params = c.params.map { Buffer<T>(converting: $0.values) }
        let objective = c.problem?.objective(T.self)
        var cmp = TrajectoryComparer(dtype: T.dtype, tolerance: c.tolerance, float32Override: c.toleranceFloat32,
                                     series: c.params.count)
        for (k, s) in c.steps.enumerated() {
            let lr = s.lr ?? spec.lr
            if let objective {
                if box.needsObjective {
                    box.stepObjective(params, objective, lr)
                } else {
                    box.step(params, objective(params).grads, lr)
                }
            } else if box.needsObjective, let value = s.value {
                let g = s.grads!.map { Buffer<T>(converting: $0) }
                box.stepObjective(params, { _ in (value, g) }, lr)
            } else if let present = s.gradIndices, let sparse = box.stepSparse {
                sparse(params, s.grads!.map { Buffer<T>(converting: $0) }, present.map { $0 ?? [] }, lr)
            } else if box.takesHessian, let h = s.hessian {
                box.stepHessian(params, s.grads!.map { Buffer<T>(converting: $0) }, h.map { Buffer<T>(converting: $0) }, lr)
            } else if box.takesHessian && box.hessianDue() {
                throw DescentError.invalidInput(field: "steps[\(k)].hessian", message: "missing: \(c.convention).\(c.name) refreshes its Hessian estimate at this step (update_period) and would draw a random Hutchinson probe; a replay case gives the estimate there")
            } else {
                box.step(params, s.grads!.map { Buffer<T>(converting: $0) }, lr)
            }
            var now: [[Double]] = []
            for t in 0..<params.count {
                now.append(params[t].doubles)
                cmp.compare(step: k, series: t, expected: s.expected[t], actual: now[t])
            }
            r.trajectory.append(now)
        }
        cmp.finish(into: &r, what: "trajectory")
    }

    /// A low-precision case (fixtures/FORMAT.md, "Low precision"): the family gets the case's
    /// storage setup (any `LowPrecisionFamily`; the others are `unsupported`), runs in float32
    /// arithmetic on the implementation's engine, and every value is compared in ulps of the
    /// parameters' format.
    package func runLowPrecision(_ c: OptimizerCase, _ lp: LowPrecisionCase, _ impl: any Implementation,
                                 _ r: inout CaseResult) throws {
        if c.training != nil || c.problem != nil || c.needsFieldRun || !c.gradTransforms.isEmpty {
            throw DescentError.unsupported("low precision: only replay cases without field features, grad_transforms or a problem run yet")
        }
        guard c.convention == "torch", let setup = lp.setup else {
            throw DescentError.unsupported("low precision: no path \"\(lp.path)\" for convention \(c.convention) (torch's are for_loop, foreach, fused)")
        }
        var spec = try Verifier.spec(for: c)
        guard var family = spec.family as? any LowPrecisionFamily else {
            throw DescentError.unsupported("low precision: \(c.convention).\(c.name) (\(spec.family.familyName)) has no low-precision kernel")
        }
        family.storage = setup
        spec.family = family
        spec = try impl.resolve(spec)   // after the storage is set: a known-wrong variant may change it
        let box = try Verifier.stepperBox(impl, spec, c.params.map(\.shape), Float.self)
        r.ran = "\(impl.name): \(c.convention).\(c.name) → \(spec.family.familyName) [\(spec.family.summary)] as \(box.typeName)"
        let params = c.params.map { Buffer<Float>(converting: $0.values) }
        var cmp = LowPrecisionComparer(format: lp.params, toleranceULPs: lp.toleranceULPs, series: c.params.count)
        for (k, s) in c.steps.enumerated() {
            box.step(params, s.grads!.map { Buffer<Float>(converting: $0) }, s.lr ?? spec.lr)
            var now: [[Double]] = []
            for t in 0..<params.count {
                now.append(params[t].doubles)
                cmp.compare(step: k, series: t, expected: s.expected[t], actual: now[t])
            }
            r.trajectory.append(now)
        }
        cmp.finish(into: &r)
    }

    /// A family that says a replay of this length cannot match its library (ReplayLimitedFamily).
    static func checkReplayLimit(_ spec: OptimizerSpec, steps: Int, shapes: [[Int]]) throws {
        if let f = spec.family.innermost as? any ReplayLimitedFamily, let why = f.replayUnsupported(steps: steps, shapes: shapes) {
            throw DescentError.unsupported(why)
        }
    }

    /// Sparse gradients (`grad_indices`) go only to a stepper that takes them, and such a stepper
    /// (torch SparseAdam) takes nothing else: torch raises on a dense gradient.
    static func checkSparseGradients<T>(_ c: OptimizerCase, _ box: StepperBox<T>) throws {
        if box.stepSparse == nil, let k = c.steps.firstIndex(where: { $0.gradIndices != nil }) {
            throw DescentError.unsupported("steps[\(k)].grad_indices: sparse gradients are taken only by torch.optim.SparseAdam in Descent, not by \(box.typeName)")
        }
        if box.stepSparse != nil, let k = c.steps.indices.first(where: { c.steps[$0].gradIndices == nil }) {
            throw DescentError.invalidInput(field: "steps[\(k)].grad_indices",
                                            message: "missing: \(c.convention).\(c.name) takes only sparse gradients (torch: \"SparseAdam does not support dense gradients, please consider Adam instead\")")
        }
    }

    // MARK: Schedule cases

    package func runSchedule<T: DescentFloat>(_ c: ScheduleCase, _ impl: any Implementation, _: T.Type,
                                      _ r: inout CaseResult) throws {
        let context = ScheduleContext(baseLR: c.baseLR, metrics: c.metrics)
        let schedule = try Conventions.schedule(convention: c.convention, name: c.name, parameters: c.parameters,
                                                context: context)
        r.ran = "\(impl.name): \(c.convention).\(c.name) → \(schedule.summary)"
        let v = try impl.scheduleValues(schedule, T.self, count: c.expectedLR.count)
        try Self.compareSchedule(c, lr: v.lr.map(Double.init), momentum: v.momentum?.map(Double.init), dtype: T.dtype,
                                 wrongCount: ("expected_lr", "the schedule produced \(v.lr.count) values, \(c.expectedLR.count) expected"),
                                 noMomentum: "the schedule cycles no momentum", &r)
    }

    /// A schedule's lr (and momentum) values against the case's, for the engines and for a
    /// user's schedule through the library API (Descent.swift). `wrongCount` is the error for an
    /// lr series of the wrong length; `noMomentum` ends the message when momentum is expected
    /// but missing (or of the wrong length).
    package static func compareSchedule(_ c: ScheduleCase, lr: [Double], momentum: [Double]?, dtype: DType,
                                wrongCount: (field: String, message: String), noMomentum: String,
                                _ r: inout CaseResult) throws {
        guard lr.count == c.expectedLR.count else {
            throw DescentError.invalidInput(field: wrongCount.field, message: wrongCount.message)
        }
        var cmp = TrajectoryComparer(dtype: dtype, tolerance: c.tolerance, float32Override: c.toleranceFloat32, series: 2)
        // One comparison per entry; the scale for float32's absolute tolerance is the series' peak.
        let lrScale = c.expectedLR.map(abs).max() ?? 0
        for k in lr.indices {
            cmp.compare(step: k, series: 0, expected: [c.expectedLR[k]], actual: [lr[k]], scale: lrScale)
            r.trajectory.append([[lr[k]]] + (momentum.map { $0.indices.contains(k) ? [[$0[k]]] : [] } ?? []))
        }
        if let em = c.expectedMomentum {
            guard let m = momentum, m.count == em.count else {
                r.status = .fail
                r.message = "the case expects momentum values (expected_momentum) but \(noMomentum)"
                return
            }
            let mScale = em.map(abs).max() ?? 0
            for k in em.indices {
                cmp.compare(step: k, series: 1, expected: [em[k]], actual: [m[k]], scale: mScale)
            }
        }
        cmp.finish(into: &r, what: "schedule")
    }
}
