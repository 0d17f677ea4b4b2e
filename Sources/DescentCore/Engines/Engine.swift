// Engine.swift — the operations optimizers are written against. An optimizer family states its
// math once (an element-wise kernel plus a few reductions / matrix products); an engine decides
// how those run: `naive` (plain loops, the readable truth), `vectorized` (SIMD + threads),
// `blas` (OpenBLAS for level-1/level-3 work). Adding an engine touches no optimizer.

import Synchronization

/// Work an engine counts as it runs (for `descent bench`'s GFLOP/s of GEMM-bound optimizers).
public final class WorkCounter: Sendable {
    /// Floating-point operations of the engine's `gemm` calls so far: 2·m·n·k each.
    public let gemmFlops = Atomic<Int>(0)
    public init() {}
}

/// Which engine runs the primitives.
public enum EngineKind: String, CaseIterable, Sendable {
    case naive, vectorized, blas
}

/// Up to four state slots an element-wise kernel reads and writes per element
/// (e.g. Adam: exp_avg, exp_avg_sq, max_exp_avg_sq). Unused slots cost nothing.
@frozen public struct Slots<L: Lane> {
    public var s0: L, s1: L, s2: L, s3: L
    @inlinable @inline(__always) public init(_ s0: L, _ s1: L, _ s2: L, _ s3: L) {
        self.s0 = s0; self.s1 = s1; self.s2 = s2; self.s3 = s3
    }
}

/// One fused pass over a tensor: for every element, read the parameter, the gradient and the
/// state slots, write back the parameter and the slots. Per-step scalars (bias corrections,
/// the learning rate) are stored in the kernel value itself.
public protocol ElementwiseKernel: SendableMetatype {
    associatedtype Scalar: DescentFloat
    /// How many state slots (0...4) the kernel uses; the engine passes exactly that many buffers.
    var slotCount: Int { get }
    func apply<L: Lane>(_ p: inout L, _ g: L, _ s: inout Slots<L>) where L.Scalar == Scalar
}

/// The engine an optimizer runs on. A value type; cheap to copy.
public struct Engine: Sendable {
    public let kind: EngineKind
    /// Threads the vectorized engine may use (1 = no threading).
    public var threads: Int
    /// Which loops the vectorized passes run: those installed for a wider instruction set (the
    /// default), the baseline ones, or a given table (Accelerator.swift). Results are the same.
    public var loops: LoopChoice
    /// Counts this engine's work when set (the bench sets it; nil costs nothing).
    public var counter: WorkCounter?

    public init(_ kind: EngineKind, threads: Int = 1, loops: LoopChoice = .installed, counter: WorkCounter? = nil) {
        self.kind = kind
        self.threads = max(1, threads)
        self.loops = loops
        self.counter = counter
    }

    public static let naive = Engine(.naive)

    // MARK: Element-wise

    /// Runs `kernel` over every element of `p`, `g` and `slots` (all the same count).
    @inlinable
    public func map<K: ElementwiseKernel>(_ kernel: K, _ p: Buffer<K.Scalar>, _ g: Buffer<K.Scalar>,
                                          _ slots: [Buffer<K.Scalar>]) {
        precondition(g.count == p.count && slots.count == kernel.slotCount && slots.allSatisfy { $0.count == p.count },
                     "engine.map: mismatched buffers")
        switch kind {
        case .naive: NaiveEngine.map(kernel, p, g, slots)
        case .vectorized, .blas: VectorizedEngine.map(kernel, p, g, slots, threads: threads, loops: loops)
        }
    }

    // MARK: Reductions and level-1 operations

    /// Σ x·y, accumulated in the buffer's precision in index order (naive) or in blocks.
    @inlinable
    public func dot<T: DescentFloat>(_ x: Buffer<T>, _ y: Buffer<T>) -> T {
        precondition(x.count == y.count)
        switch kind {
        case .naive: return NaiveEngine.dot(x, y)
        case .vectorized: return VectorizedEngine.dot(x, y, loops: loops)
        case .blas: return BLASEngine.dot(x, y, threads: threads)
        }
    }

    /// ‖x‖₂ (blas: nrm2, which scales against overflow; the others: √(x·x)).
    @inlinable
    public func norm<T: DescentFloat>(_ x: Buffer<T>) -> T {
        kind == .blas ? BLASEngine.nrm2(x, threads: threads) : dot(x, x).squareRoot()
    }

    /// y ← a·x + y.
    @inlinable
    public func axpy<T: DescentFloat>(_ a: T, _ x: Buffer<T>, _ y: Buffer<T>) {
        precondition(x.count == y.count)
        switch kind {
        case .naive: NaiveEngine.axpy(a, x, y)
        case .vectorized: VectorizedEngine.axpy(a, x, y, loops: loops)
        case .blas: BLASEngine.axpy(a, x, y, threads: threads)
        }
    }

    /// x ← a·x.
    @inlinable
    public func scal<T: DescentFloat>(_ a: T, _ x: Buffer<T>) {
        switch kind {
        case .naive: NaiveEngine.scal(a, x)
        case .vectorized: VectorizedEngine.scal(a, x, loops: loops)
        case .blas: BLASEngine.scal(a, x, threads: threads)
        }
    }

    // MARK: Level-3

    /// C ← alpha·op(A)·op(B) + beta·C, row-major; op(A) is m×k, op(B) is k×n, C is m×n.
    @inlinable
    public func gemm<T: DescentFloat>(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: T,
                                      _ a: UnsafePointer<T>, lda: Int, _ b: UnsafePointer<T>, ldb: Int,
                                      beta: T, _ c: UnsafeMutablePointer<T>, ldc: Int) {
        counter?.gemmFlops.add(2 &* m &* n &* k, ordering: .relaxed)
        if kind == .blas {
            return BLASEngine.gemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a, lda: lda, b, ldb: ldb,
                                   beta: beta, c, ldc: ldc, threads: threads)
        }
        if kind == .vectorized {
            return VectorizedEngine.gemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a, lda: lda, b, ldb: ldb,
                                         beta: beta, c, ldc: ldc, threads: threads, loops: loops)
        }
        NaiveEngine.gemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a, lda: lda, b, ldb: ldb,
                         beta: beta, c, ldc: ldc)
    }
}

// MARK: - The naive engine: plain loops

public enum NaiveEngine {
    @inlinable
    public static func map<K: ElementwiseKernel>(_ kernel: K, _ p: Buffer<K.Scalar>, _ g: Buffer<K.Scalar>,
                                                 _ slots: [Buffer<K.Scalar>]) {
        let n = p.count
        let zero = K.Scalar(0)
        let s0 = slots.count > 0 ? slots[0].pointer : nil
        let s1 = slots.count > 1 ? slots[1].pointer : nil
        let s2 = slots.count > 2 ? slots[2].pointer : nil
        let s3 = slots.count > 3 ? slots[3].pointer : nil
        for i in 0..<n {
            var x = p.pointer[i]
            var s = Slots(s0?[i] ?? zero, s1?[i] ?? zero, s2?[i] ?? zero, s3?[i] ?? zero)
            kernel.apply(&x, g.pointer[i], &s)
            p.pointer[i] = x
            s0?[i] = s.s0; s1?[i] = s.s1; s2?[i] = s.s2; s3?[i] = s.s3
        }
    }

    @inlinable
    public static func dot<T: DescentFloat>(_ x: Buffer<T>, _ y: Buffer<T>) -> T {
        var acc = T(0)
        for i in 0..<x.count { acc += x.pointer[i] * y.pointer[i] }
        return acc
    }

    @inlinable
    public static func axpy<T: DescentFloat>(_ a: T, _ x: Buffer<T>, _ y: Buffer<T>) {
        for i in 0..<x.count { y.pointer[i] += a * x.pointer[i] }
    }

    @inlinable
    public static func scal<T: DescentFloat>(_ a: T, _ x: Buffer<T>) {
        for i in 0..<x.count { x.pointer[i] *= a }
    }

    @inlinable
    public static func gemm<T: DescentFloat>(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: T,
                                             _ a: UnsafePointer<T>, lda: Int, _ b: UnsafePointer<T>, ldb: Int,
                                             beta: T, _ c: UnsafeMutablePointer<T>, ldc: Int) {
        for i in 0..<m {
            for j in 0..<n {
                var acc = T(0)
                for l in 0..<k {
                    let av = transA ? a[l * lda + i] : a[i * lda + l]
                    let bv = transB ? b[j * ldb + l] : b[l * ldb + j]
                    acc += av * bv
                }
                c[i * ldc + j] = alpha * acc + (beta == 0 ? 0 : beta * c[i * ldc + j])
            }
        }
    }
}

// The vectorized engine is in Vectorized.swift, the BLAS engine in BLAS.swift.
