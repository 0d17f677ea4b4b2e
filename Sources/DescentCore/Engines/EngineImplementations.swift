// EngineImplementations.swift — the engines every report runs (naive, vectorized,
// vectorized-portable, blas), each with its name and one-line summary. The conformance side makes
// them `Implementation`s (DescentConformance/Verify/Implementation.swift); the lab trains and
// benchmarks on them directly, which is why they live here, below both.
import Foundation

public enum Availability: Sendable, Equatable {
    case available
    case unavailable(String)
}

/// An engine running the shared optimizer families.
public struct EngineImplementation: Sendable {
    public let engine: Engine
    public let summary: String
    public let name: String
    public var availability: Availability {
        engine.kind == .blas && !BLASEngine.isAvailable ? .unavailable(BLASLibrary.unavailableReason) : .available
    }

    public init(_ engine: Engine, name: String? = nil, summary: String) {
        self.engine = engine
        self.name = name ?? engine.kind.rawValue
        self.summary = summary
    }

    /// The same engine with `threads` threads (and `counter`, when given).
    public func with(threads: Int, counter: WorkCounter? = nil) -> EngineImplementation {
        EngineImplementation(Engine(engine.kind, threads: threads, loops: engine.loops, counter: counter), name: name, summary: summary)
    }

    public func stepper<T: DescentFloat>(_ spec: OptimizerSpec, _: T.Type, shapes: [[Int]]) throws -> StepperBox<T> {
        try spec.family.makeStepper(T.self, shapes: shapes, engine: engine)
    }

    /// One stepper over every param group of a family that shares its state across them.
    public func groupedStepper<T: DescentFloat>(_ specs: [OptimizerSpec], _: T.Type, members: [[Int]], shapes: [[Int]]) throws -> StepperBox<T> {
        guard let first = specs.first?.family as? any GroupSharingFamily else {
            throw DescentError.unsupported("\(specs.first?.family.familyName ?? "no group") keeps no state shared across param groups")
        }
        return try first.makeGroupedStepper(T.self, groups: specs.map(\.family), members: members, shapes: shapes, engine: engine)
    }

    public func scheduleValues<T: DescentFloat>(_ schedule: any Schedule, _ type: T.Type, count: Int) throws -> ScheduleValues<T> {
        try schedule.values(type, count: count)
    }

    public func model<T: DescentFloat>(_ spec: MLPSpec, _: T.Type) throws -> MLP<T> { MLP<T>(spec, engine: engine) }
}

public enum EngineImplementations {
    /// The instruction set of the vectorized loops in use: the one the `descent` command (and the
    /// tests) installed at start-up (DescentVectorLoops: the widest this CPU runs, or the one
    /// DESCENT_VECTOR_ISA names), else the build's baseline (Descent used as a library).
    public static var isa: VectorISA { VectorizedEngine.isa }

    /// Every engine, in report order.
    public static let all: [EngineImplementation] = {
        let cores = ProcessInfo.processInfo.activeProcessorCount
        let isaNote = isa == .baseline ? "baseline ISA" : "\(isa.rawValue) loops chosen at run time"
        return [
            EngineImplementation(.naive, summary: "plain loops over every element: the readable reference"),
            EngineImplementation(Engine(.vectorized, threads: cores),
                                 summary: "one fused SIMD pass (512-bit lanes, \(isaNote)), scalar tail, threads from \(VectorizedEngine.parallelThresholdDescription) (elements × (1 + state slots))"),
            EngineImplementation(Engine(.vectorized, threads: cores, loops: .baseline), name: "vectorized-portable",
                                 summary: "the vectorized engine on its baseline-ISA loops only (what CPUs without AVX-512 run)"),
            EngineImplementation(Engine(.blas, threads: cores),
                                 summary: "OpenBLAS via dlopen for dot/nrm2/axpy/scal/gemm, element-wise kernels on the vectorized pass"),
        ]
    }()

    public static func named(_ name: String) -> EngineImplementation? { all.first { $0.name == name } }
}

public enum BundledFiles {
    /// The fixtures bundled with this package (its `fixtures/` folder, found from this source
    /// file's place in the checkout: works for a path or git dependency, since SwiftPM builds
    /// from the checkout's sources).
    public static var fixtures: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("fixtures").path
    }
}
