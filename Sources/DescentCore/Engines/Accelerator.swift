// Accelerator.swift — the vectorized engine's loops compiled for a wider instruction set than
// the build's baseline, chosen at run time.
//
// Swift compiles a whole module for one instruction set and has no per-function target
// attributes, so DescentCore's loops are baseline x86-64 (SSE2): each 512-bit lane operation is
// four 128-bit instructions, and the division and square-root units bound a fused Adam pass.
// DescentAVX512 (-mavx512f) and DescentAVX2 (-mavx2) compile one shared file, Loops.swift, that
// specialises `VectorizedEngine.run` (and `blockDot`, `rowGemm`) for each kernel type of the
// optimizer families — the kernels are @inlinable, so their math is compiled there again from the
// same source. At start-up the harness picks the widest set the CPU reports and installs its
// table here (VectorLoops.install(); the harness and the `descent` command call it).
// `VectorizedEngine.map` then looks up the loop for its kernel type in the engine's `loops`:
//
//   .installed (default)  → the installed table's loop for K, if any;
//   .table(t)             → t's loop for K (tests and benchmarks compare sets side by side);
//   .baseline, or no loop for K (a kernel with no line in Loops.swift)
//                         → the baseline loop: slower, never different.
//
// All element-wise loops and the dot product run the same IEEE operations per element in the
// same order (Swift never contracts a·b + c into an FMA; the dot product keeps its four 512-bit
// accumulators), so results are bit-identical whichever runs; EngineTests asserts it and the
// `vectorized-portable` implementation verifies every fixture on the baseline loops. The one
// exception is gemm: the AVX-512 table's packed GEMM multiplies and adds in one fused
// instruction (PackedGemm.swift) and is held to 2·γₖ₊₂·(|α|·Σ|a||b| + |β·C|) of naive per entry
// instead (the baseline row product and the AVX2 packed GEMM keep naive's exact operations).

/// The instruction set the vectorized engine's element-wise loops run on.
public enum VectorISA: String, Sendable, CaseIterable {
    /// The build's own target (x86-64: SSE2; elsewhere the platform default).
    case baseline
    /// AVX2 loops from DescentAVX2 (256-bit ymm: two instructions per 512-bit lane operation).
    case avx2
    /// AVX-512F loops from DescentAVX512 (one zmm instruction per lane operation).
    case avx512
}

/// Which loops an engine runs.
public enum LoopChoice: Sendable {
    /// The table installed at start-up, if any (`Accelerator.installed`).
    case installed
    /// The baseline loops only.
    case baseline
    /// This table (tests and benchmarks comparing instruction sets side by side).
    case table(Accelerator)

    /// The table to look loops up in; nil = baseline.
    @inlinable public var table: Accelerator? {
        switch self {
        case .installed: return Accelerator.installed
        case .baseline: return nil
        case let .table(t): return t
        }
    }
}

/// A table of loops compiled for one instruction set, keyed by kernel type.
public final class Accelerator: @unchecked Sendable {
    /// One chunk (elements lo..<hi) of a `map` pass.
    public typealias Loop<K: ElementwiseKernel> = (K, VectorizedEngine.Bases<K.Scalar>, Int, Int) -> Void
    /// Σ x·y in the vectorized engine's block order.
    public typealias Dot<T: DescentFloat> = (Buffer<T>, Buffer<T>) -> T
    /// C ← α·op(A)·op(B) + β·C, row by row.
    public typealias Gemm<T: DescentFloat> = (VectorizedEngine.GemmProblem<T>) -> Void

    public let isa: VectorISA
    private var loops: [ObjectIdentifier: AnyObject] = [:]
    private var dots: [ObjectIdentifier: AnyObject] = [:]
    private var gemms: [ObjectIdentifier: AnyObject] = [:]

    private final class Box<F> {
        let f: F
        init(_ f: F) { self.f = f }
    }

    public init(isa: VectorISA) { self.isa = isa }

    /// Registers the loop for kernel type K (call only while building the table).
    public func add<K: ElementwiseKernel>(_ type: K.Type, _ loop: @escaping Loop<K>) {
        loops[ObjectIdentifier(type)] = Box(loop)
    }

    /// Registers the dot product for T.
    public func add<T: DescentFloat>(dot type: T.Type, _ dot: @escaping Dot<T>) {
        dots[ObjectIdentifier(type)] = Box(dot)
    }

    /// Registers the matrix product for T.
    public func add<T: DescentFloat>(gemm type: T.Type, _ gemm: @escaping Gemm<T>) {
        gemms[ObjectIdentifier(type)] = Box(gemm)
    }

    /// Whether this table's GEMM gives naive's exact results (false: the AVX-512 table's fused
    /// multiply-adds, PackedGemm.swift). Set while building the table.
    public var exactGemm = true

    /// This table without its matrix products: engines then run the baseline row product
    /// (naive's exact arithmetic). Tests compare the element-wise loops bit for bit with it.
    public func withoutGemm() -> Accelerator {
        let t = Accelerator(isa: isa)
        t.loops = loops
        t.dots = dots
        return t
    }

    /// Kernel types with a loop here.
    public var kernelCount: Int { loops.count }

    /// Whether K has a loop here.
    public func covers<K: ElementwiseKernel>(_ type: K.Type) -> Bool { loops[ObjectIdentifier(type)] != nil }

    @usableFromInline
    func loop<K: ElementwiseKernel>(for type: K.Type) -> Loop<K>? {
        guard let box = loops[ObjectIdentifier(type)] else { return nil }
        return unsafeDowncast(box, to: Box<Loop<K>>.self).f
    }

    @usableFromInline
    func dot<T: DescentFloat>(for type: T.Type) -> Dot<T>? {
        guard let box = dots[ObjectIdentifier(type)] else { return nil }
        return unsafeDowncast(box, to: Box<Dot<T>>.self).f
    }

    @usableFromInline
    func gemm<T: DescentFloat>(for type: T.Type) -> Gemm<T>? {
        guard let box = gemms[ObjectIdentifier(type)] else { return nil }
        return unsafeDowncast(box, to: Box<Gemm<T>>.self).f
    }

    /// The table in use; nil = baseline loops only. Published under a lock: an install that
    /// runs while engines run (the test process installs lazily, from whichever suite comes
    /// first) is then no data race, and a reader sees a table only once it is complete
    /// (ThreadSanitizer flagged the unlocked read). A table never changes after it is built.
    public static var installed: Accelerator? { slot.get }
    private static let slot = LockedValue<Accelerator?>(nil)

    /// Installs `table` (nil uninstalls). Call before running any optimizer.
    public static func install(_ table: Accelerator?) { slot.set(table) }
}

extension VectorizedEngine {
    /// The instruction set `map` uses for kernels that have an accelerated loop.
    public static var isa: VectorISA { Accelerator.installed?.isa ?? .baseline }
}
