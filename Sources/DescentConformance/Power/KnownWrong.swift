// KnownWrong.swift — a registry of deliberately wrong implementations: the mistakes real
// optimizer and schedule code makes (and course slides contain). Each is an `Implementation`, so
// the verifier runs it like any other; `descent power` checks that the fixtures catch every one,
// and `descent verify` names the variant a failing trajectory reproduces.
//
// A variant makes its mistake in one of four ways:
//   - ignoring an argument: the case's hyperparameters are edited before the convention reads them;
//   - a wrong knob: the family the convention built is changed (eps inside the root, …);
//   - a wrong schedule: the schedule is wrapped or changed (off by one step, ≤ for <);
//   - float32 arithmetic inside a float64 run.
// A variant that does not apply to a case declines it (`unsupported`), so only the cases it
// could be caught by count.
import DescentCore
import DescentJSON

extension KnownWrongVariant.Mistake {
    /// A wrong knob of family type F: `change` edits it and returns whether the mistake applies
    /// (false, or another family: the variant declines the case).
    public static func changing<F: OptimizerFamily>(_: F.Type, _ change: @escaping @Sendable (inout F) -> Bool) -> Self {
        .family { f in
            guard var x = f as? F, change(&x) else { return nil }
            return x
        }
    }
}

public struct KnownWrongVariant: Implementation {
    public enum Mistake: Sendable {
        /// Edits the arguments of matching calls; returns whether anything changed.
        case arguments(@Sendable (_ convention: String, _ name: String, _ args: inout [(String, JSON)]) -> Bool)
        /// Rewrites an optimizer case's call — convention, name and arguments — as a port to another
        /// library writes it (bitsandbytes's Adam run as torch.optim.Adam); returns whether it applies.
        case call(@Sendable (_ convention: inout String, _ name: inout String, _ args: inout [(String, JSON)]) -> Bool)
        /// Changes the optimizer family; nil when the mistake does not apply.
        case family(@Sendable (any OptimizerFamily) -> (any OptimizerFamily)?)
        /// Changes the schedule; nil when the mistake does not apply.
        case schedule(@Sendable (any Schedule) -> (any Schedule)?)
        /// Runs the optimizer in float32 and reports it as a float64 run.
        case float32Accumulation
        /// A wrong forward / backward pass of the training cases' MLP (TrainingVariants.swift).
        case model(MLPFaults)
        /// A mistake in the loop around the optimizer: groups, missing gradients, resume,
        /// accumulation, guards, the schedule's count (FieldRun.swift, FieldVariants.swift).
        case field(FieldMistake)
    }

    public let id: String
    public let summary: String
    public let mistake: Mistake
    package let base = EngineImplementation(.naive, summary: "")

    public init(_ id: String, _ summary: String, _ mistake: Mistake) {
        self.id = id
        self.summary = summary
        self.mistake = mistake
    }

    public var name: String { "wrong:\(id)" }
    public var availability: Availability { .available }

    package static func notApplicable(_ what: String) -> DescentError { .unsupported("not applicable: \(what)") }

    public func prepare(_ c: FixtureCase) throws -> FixtureCase {
        if case let .model(faults) = mistake { return try Self.prepareModelMistake(c, faults) }
        if case let .field(m) = mistake {
            guard case let .optimizer(oc) = c, m.applies(to: oc) else { throw Self.notApplicable("the case does not use what \(id) gets wrong") }
            return c
        }
        if case let .call(edit) = mistake {
            guard case var .optimizer(oc) = c else { throw Self.notApplicable("a schedule case") }
            var args = oc.hyperparameters?.objectValue ?? []
            guard edit(&oc.convention, &oc.name, &args) else { throw Self.notApplicable("the case does not make the call \(id) gets wrong") }
            oc.hyperparameters = .object(args)
            return .optimizer(oc)
        }
        guard case let .arguments(edit) = mistake else { return c }
        switch c {
        case var .optimizer(oc):
            var args = oc.hyperparameters?.objectValue ?? []
            guard edit(oc.convention, oc.name, &args) else { throw Self.notApplicable("the case does not use what \(id) ignores") }
            oc.hyperparameters = .object(args)
            return .optimizer(oc)
        case var .schedule(sc):
            var changed = false
            sc.parameters = Self.editSchedule(sc.convention, sc.name, sc.parameters, edit, &changed)
            guard changed else { throw Self.notApplicable("the case does not use what \(id) ignores") }
            return .schedule(sc)
        }
    }

    /// Applies an argument edit to a schedule and to the children of composite schedules.
    package static func editSchedule(_ convention: String, _ name: String, _ params: JSON?,
                             _ edit: (String, String, inout [(String, JSON)]) -> Bool, _ changed: inout Bool) -> JSON? {
        var args = params?.objectValue ?? []
        if edit(convention, name, &args) { changed = true }
        for (i, (k, v)) in args.enumerated() where ["schedulers", "schedules"].contains(k) {
            guard let children = v.arrayValue else { continue }
            args[i].1 = .array(children.map { ch in
                guard case var .object(o) = ch, let n = ch["name"]?.stringValue,
                      let pi = o.firstIndex(where: { $0.0 == "parameters" }) else { return ch }
                o[pi].1 = editSchedule(convention, n, o[pi].1, edit, &changed) ?? .null
                return .object(o)
            })
        }
        return params == nil && args.isEmpty ? nil : .object(args)
    }

    public func resolve(_ spec: OptimizerSpec) throws -> OptimizerSpec {
        switch mistake {
        case .arguments, .call, .float32Accumulation, .model, .field:
            return spec
        case let .family(change):
            // The mistake is made in the innermost family; clipping and Keras's decay stay around it.
            func changed(_ f: any OptimizerFamily) -> (any OptimizerFamily)? {
                if let w = f as? any WrappingFamily { return change(w) ?? changed(w.wrapped).map { w.rewrapping($0) } }
                return change(f)
            }
            var s = spec
            guard let f = changed(spec.family) else { throw Self.notApplicable("\(spec.family.familyName) [\(spec.family.summary)]") }
            s.family = f
            return s
        case .schedule:
            throw Self.notApplicable("a schedule mistake")
        }
    }

    public func model<T: DescentFloat>(_ spec: MLPSpec, _: T.Type) throws -> MLP<T> {
        guard case let .model(faults) = mistake else { return try base.model(spec, T.self) }
        return MLP<T>(spec, engine: base.engine, faults: faults)
    }

    public func stepper<T: DescentFloat>(_ spec: OptimizerSpec, _: T.Type, shapes: [[Int]]) throws -> StepperBox<T> {
        guard case .float32Accumulation = mistake else { return try base.stepper(spec, T.self, shapes: shapes) }
        guard T.self != Float.self else { throw Self.notApplicable("a float32 run") }
        return StepperBox(Float32InsideStepper<T>(try base.stepper(spec, Float.self, shapes: shapes)))
    }

    public func groupedStepper<T: DescentFloat>(_ specs: [OptimizerSpec], _: T.Type, members: [[Int]], shapes: [[Int]]) throws -> StepperBox<T> {
        guard case .float32Accumulation = mistake else { return try base.groupedStepper(specs, T.self, members: members, shapes: shapes) }
        guard T.self != Float.self else { throw Self.notApplicable("a float32 run") }
        throw DescentError.unsupported("float32 accumulation inside a stepper over several param groups is not implemented")
    }

    public func scheduleValues<T: DescentFloat>(_ schedule: any Schedule, _ type: T.Type, count: Int) throws -> ScheduleValues<T> {
        switch mistake {
        case .arguments, .field: return try schedule.values(type, count: count)
        case .call: throw Self.notApplicable("a schedule case")
        case let .schedule(change):
            guard let s = change(schedule) else { throw Self.notApplicable(schedule.summary) }
            return try s.values(type, count: count)
        case .family, .float32Accumulation, .model:
            throw Self.notApplicable("an optimizer or model mistake")
        }
    }
}

/// Keeps the parameters in float32 between steps while the run claims a wider precision T.
package final class Float32InsideStepper<T: DescentFloat>: Stepper {
    package let inner: StepperBox<Float>
    package var params32: [Buffer<Float>] = []

    package init(_ inner: StepperBox<Float>) { self.inner = inner }

    package func sync(_ params: [Buffer<T>]) {
        if params32.isEmpty { params32 = params.map { Buffer<Float>(converting: $0.doubles) } }
    }

    package func writeBack(_ params: [Buffer<T>]) {
        for (p, q) in zip(params, params32) { for i in 0..<p.count { p[i] = T(q[i]) } }
    }

    package func step(params: [Buffer<T>], grads: [Buffer<T>], lr: Double) {
        sync(params)
        inner.step(params32, grads.map { Buffer<Float>(converting: $0.doubles) }, lr)
        writeBack(params)
    }

    package func step(params: [Buffer<T>], objective: Objective<T>, lr: Double) {
        sync(params)
        withoutActuallyEscaping(objective) { objective in
            let obj32: Objective<Float> = { p in
                let r = objective(p.map { Buffer<T>(converting: $0.doubles) })
                return (r.loss, r.grads.map { Buffer<Float>(converting: $0.doubles) })
            }
            if inner.needsObjective { inner.stepObjective(params32, obj32, lr) } else { inner.step(params32, obj32(params32).grads, lr) }
        }
        writeBack(params)
    }

    package var needsObjective: Bool { inner.needsObjective }
    package var takesValue: Bool { inner.takesValue }
    package var takesHessian: Bool { inner.takesHessian }
    package var hessianDue: Bool { inner.hessianDue() }

    package func step(params: [Buffer<T>], grads: [Buffer<T>], hessian: [Buffer<T>], lr: Double) {
        sync(params)
        inner.stepHessian(params32, grads.map { Buffer<Float>(converting: $0.doubles) },
                          hessian.map { Buffer<Float>(converting: $0.doubles) }, lr)
        writeBack(params)
    }
    package var state: [(name: String, buffers: [Buffer<T>])] { [] }
}

// MARK: - Helpers for writing variants

/// Sets `key` to `value` when present with a different value (the library's default is assumed
/// to be what `absent` says: an absent key is edited only when `absentMeans` differs).
package func setArgument(_ args: inout [(String, JSON)], _ key: String, to value: JSON, when: (JSON) -> Bool) -> Bool {
    guard let i = args.firstIndex(where: { $0.0 == key }), when(args[i].1) else { return false }
    args[i].1 = value
    return true
}

package func nonzero(_ v: JSON) -> Bool { (v.doubleValue ?? 0) != 0 }
package func isTrue(_ v: JSON) -> Bool { v.boolValue == true }

/// Variants that edit the same argument in several conventions.
package func ignoring(_ key: String, setTo value: JSON, when: @escaping @Sendable (JSON) -> Bool,
              in conventions: Set<String>? = nil, names: Set<String>? = nil) -> KnownWrongVariant.Mistake {
    .arguments { convention, name, args in
        if let conventions, !conventions.contains(convention) { return false }
        if let names, !names.contains(name) { return false }
        return setArgument(&args, key, to: value, when: when)
    }
}

/// A schedule that runs one step ahead (lr[k] is the value the real schedule gives at k + 1).
package struct ShiftedSchedule: Schedule {
    package let inner: any Schedule
    package var summary: String { inner.summary + " [one step late]" }
    package func values<T: DescentFloat>(_ type: T.Type, count: Int) throws -> ScheduleValues<T> {
        let v = try inner.values(type, count: count + 1)
        return ScheduleValues(lr: Array(v.lr.dropFirst()), momentum: v.momentum.map { Array($0.dropFirst()) })
    }
}
