// Implementation.swift — the registry of implementations under test. An implementation turns an
// optimizer spec into a stepper; the standard ones are engines (naive, vectorized, blas) running
// the shared optimizer families. Adding one is one registration in `Implementations.all`.
import DescentCore
import Foundation

public protocol Implementation: Sendable {
    /// "naive", "vectorized", "blas", …
    var name: String { get }
    /// One line for `descent list`.
    var summary: String { get }
    var availability: Availability { get }
    /// A stepper for this optimizer in precision T, or `DescentError.unsupported`.
    func stepper<T: DescentFloat>(_ spec: OptimizerSpec, _: T.Type, shapes: [[Int]]) throws -> StepperBox<T>
    /// One stepper over every param group, for a family that shares its state across groups
    /// (`GroupSharingFamily`): `specs[j]` is group j's, `members[j]` the positions of its tensors in
    /// `shapes`. The default declines (`unsupported`).
    func groupedStepper<T: DescentFloat>(_ specs: [OptimizerSpec], _: T.Type, members: [[Int]], shapes: [[Int]]) throws -> StepperBox<T>
    /// Schedule values (schedules are scalar code; an implementation may decline them).
    func scheduleValues<T: DescentFloat>(_ schedule: any Schedule, _ type: T.Type, count: Int) throws -> ScheduleValues<T>
    /// A chance to rewrite a case before it runs (the known-wrong variants that ignore an
    /// argument edit it here). Throws `DescentError.unsupported` to decline the case.
    func prepare(_ c: FixtureCase) throws -> FixtureCase
    /// The optimizer this implementation will actually run for `spec` (a known-wrong variant
    /// changes the family here), so reports say what really ran.
    func resolve(_ spec: OptimizerSpec) throws -> OptimizerSpec
    /// The MLP that computes a training case's losses and gradients (on this implementation's
    /// engine). The default declines training cases (`unsupported`).
    func model<T: DescentFloat>(_ spec: MLPSpec, _: T.Type) throws -> MLP<T>
}

extension Implementation {
    public func prepare(_ c: FixtureCase) throws -> FixtureCase { c }
    public func resolve(_ spec: OptimizerSpec) throws -> OptimizerSpec { spec }
    public func groupedStepper<T: DescentFloat>(_ specs: [OptimizerSpec], _: T.Type, members: [[Int]], shapes: [[Int]]) throws -> StepperBox<T> {
        throw DescentError.unsupported("implementation '\(name)' does not step param groups that share one state")
    }
    public func model<T: DescentFloat>(_ spec: MLPSpec, _: T.Type) throws -> MLP<T> {
        throw DescentError.unsupported("implementation '\(name)' does not train models")
    }

    public func scheduleValues<T: DescentFloat>(_ schedule: any Schedule, _ type: T.Type, count: Int) throws -> ScheduleValues<T> {
        try schedule.values(type, count: count)
    }
}

/// The engines (DescentCore's EngineImplementations) are implementations as they are.
extension EngineImplementation: Implementation {}

public enum Implementations {
    /// The instruction set of the vectorized loops in use: the one the `descent` command (and the
    /// tests) installed at start-up (DescentVectorLoops: the widest this CPU runs, or the one
    /// DESCENT_VECTOR_ISA names), else the build's baseline (Descent used as a library).
    public static var isa: VectorISA { EngineImplementations.isa }

    /// Every registered implementation, in report order: the engines.
    public static let all: [any Implementation] = EngineImplementations.all

    public static func named(_ name: String) -> (any Implementation)? { all.first { $0.name == name } }
}
