// Vectorized.swift — the `vectorized` engine: the same kernels as `naive`, on SIMD lanes, in one
// fused pass, split across cores for large tensors.
//
//   map   one pass over p, g and the kernel's slots through raw pointers: a SIMD main loop on
//         `SIMDLane<T>` (16 Float / 8 Double per step, see SIMDLanes.swift) and a scalar tail that
//         runs the SAME kernel on scalars. Results are bit-identical to `naive` (same IEEE
//         operations per element, no FMA contraction), whatever the thread count.
//         Tensors whose work (elements × (1 + slots)) reaches `parallelThreshold(accelerated:)` are cut into one
//         contiguous chunk per thread (chunk edges on 64-element boundaries) run by the
//         persistent WorkerPool (WorkerPool.swift). Optimizers pass their whole parameter list
//         at once (MultiTensor.swift): one parallel region per step, split by size across tensors.
//   dot   4 independent SIMD accumulators (4 × 16 Float / 4 × 8 Double partial sums) added at
//         the end: a different summation order from naive's left-to-right sum, so dot and norm
//         differ from naive by rounding only: |Δ| ≤ γₙ·Σ|xᵢyᵢ| with γₙ = n·ε/(1 − n·ε).
//   axpy, scal   element-wise, bit-identical to naive (y + a·x and a·x, rounded per element).
//   gemm  row by row: for each row i of C, acc ← Σₗ op(A)[i,l]·op(B)[l,:] with SIMD across the row
//         (op(B) packed contiguous first when transposed or strided), then α·acc + β·C. Each entry
//         gets the same operations in the same order (l = 0, 1, …) as naive's triple loop, so it is
//         bit-identical to naive; rows are split across threads from 2²¹ multiply-adds. This is
//         the baseline loops' product; the AVX-512 and AVX2 tables run the packed, blocked GEMM
//         of PackedGemm.swift instead (AVX-512: fused multiply-adds, within a stated tolerance
//         of naive; AVX2: still bit-identical).
//
// Instruction set. Swift compiles a module for one target and has no per-function target
// attributes, so this file's loops are compiled for the build's baseline (x86-64: SSE2 — each
// 512-bit lane operation is four 128-bit addps/mulps/divps/sqrtps, no scalar sqrtss, no calls).
// DescentAVX512 and DescentAVX2 compile the same loops again for AVX-512 / AVX2 and the widest
// one the CPU has is installed (Accelerator.swift); `map`, `dot` and `gemm` run the installed
// loop for their kernel type. Measured on the Zen 5 VM (1 thread, ns/param, baseline → AVX2 →
// AVX-512 in side-by-side runs):
//     Adam f32 64K 0.75 → 0.47 → 0.38, 16M 0.75 → 0.52 → 0.48–0.54 (95% → 136% → 150% of triad);
//     Adam f64 16M 2.31 → 1.53 → 1.04;  SGD f32 64K 0.11 → 0.05, 16M 0.19–0.20 on all three
//     (memory-bound).
// Still bit-identical: LLVM never contracts Swift's separate × and + into an FMA (no fast-math
// flags), so the same IEEE operations run in the same order (EngineTests asserts it).
// Lane width: 512-bit storage measured ≥ 256-bit on the baseline build (Adam equal, SGD+momentum
// 0.25 vs 0.29 ns/param at 64K): the division and square-root units bound the fused Adam pass, so
// the wider unroll only helps the cheap kernels.
import Foundation
import Dispatch

public enum VectorizedEngine {
    /// Work below which `map` runs on the calling thread only; work = elements × (1 + state
    /// slots), a proxy for the step's cost (SGD: n, Adam: 3n). 2 threads pay off once one thread
    /// needs ≳ 150 µs per tensor, so the threshold depends on the loops' speed. Measured with
    /// `descent bench --threshold 1 --threads 1 --threads 2` (release, 2-core AMD EPYC Zen 5 VM,
    /// min of 30–60 samples, 2 threads vs 1):
    ///   baseline loops (SSE2), from 512K work (SGD from 512K elements, Adam from 175K):
    ///     SGD  f32: 256K 0.95×, 512K 1.50×, 1M 1.62×     SGD  f64: 256K 1.04×, 512K 1.54×
    ///     Adam f32: 128K 1.40×, 256K 1.70×, 1M 1.83×     Adam f64: 64K 1.55×, 256K 1.85×
    ///   AVX-512 loops, from 1.5M work (SGD from 1.5M elements, SGD+momentum 768K, Adam 512K),
    ///   two runs each (the AVX2 loops use the same threshold):
    ///     SGD  f32: 1M 1.08/0.66×, 2M 1.92/0.95×, 4M 1.18/1.35×
    ///     SGD+momentum f32: 512K 0.94/1.17×, 1M 1.78/1.56×, 2M 1.96/1.73×
    ///     Adam f32: 256K 1.07/1.07×, 512K 1.31/1.34×, 1M 1.38/1.44×, 2M 1.58/1.47×
    ///     Adam f64: 128K 1.28/1.24×, 256K 1.59/1.61×, 512K 1.62/1.82×
    ///   (below: 0.5–1.1×, concurrentPerform's wake-up costs more than half the pass). From about
    ///   4M parameters one thread already moves as many bytes as the memory system gives two
    ///   (AVX-512 Adam f32 at 16M: 1 thread ≈ 1.3× the 2-thread STREAM triad), so 2 threads gain
    ///   only 1.0–1.15× there.
    public static let baselineParallelThreshold = 1 << 19
    public static let acceleratedParallelThreshold = 3 << 19

    /// A fixed threshold for every loop instead of the measured ones (nil): DESCENT_PARALLEL_THRESHOLD,
    /// tests, `descent bench --threshold`. Results never depend on it (element-wise, bit-identical).
    /// Behind a lock (LockedValue.swift): tests set it while other tests' engines read it.
    public static var parallelThreshold: Int? {
        get { parallelThresholdSetting.get }
        set { parallelThresholdSetting.set(newValue) }
    }
    private static let parallelThresholdSetting = LockedValue<Int?>({
        if let s = ProcessInfo.processInfo.environment["DESCENT_PARALLEL_THRESHOLD"], let v = Int(s), v > 0 { return v }
        return nil
    }())

    /// The threshold for the baseline or the accelerated loops.
    @inlinable
    public static func parallelThreshold(accelerated: Bool) -> Int {
        parallelThreshold ?? (accelerated ? acceleratedParallelThreshold : baselineParallelThreshold)
    }

    /// "512K / 1.5M work (baseline / AVX-512 loops)" or the fixed override, for summaries.
    public static var parallelThresholdDescription: String {
        if let t = parallelThreshold { return "\(t) work" }
        return "\(baselineParallelThreshold) (baseline loops) / \(acceleratedParallelThreshold) (accelerated loops) work"
    }

    /// Pointers of one pass (p, g and up to four slots; unused slots repeat p and are never touched).
    public struct Bases<T: DescentFloat>: @unchecked Sendable {
        public let p: UnsafeMutablePointer<T>, g: UnsafeMutablePointer<T>
        public let s0: UnsafeMutablePointer<T>, s1: UnsafeMutablePointer<T>
        public let s2: UnsafeMutablePointer<T>, s3: UnsafeMutablePointer<T>

        @inlinable init(_ p: Buffer<T>, _ g: Buffer<T>, _ slots: [Buffer<T>]) {
            self.p = p.pointer
            self.g = g.pointer
            s0 = slots.count > 0 ? slots[0].pointer : p.pointer
            s1 = slots.count > 1 ? slots[1].pointer : p.pointer
            s2 = slots.count > 2 ? slots[2].pointer : p.pointer
            s3 = slots.count > 3 ? slots[3].pointer : p.pointer
        }
    }

    /// Runs `kernel` over every element (see the file header), on the loop compiled for the
    /// instruction set of the `loops` table when it has one for K.
    @inlinable
    public static func map<K: ElementwiseKernel>(_ kernel: K, _ p: Buffer<K.Scalar>, _ g: Buffer<K.Scalar>,
                                                 _ slots: [Buffer<K.Scalar>], threads: Int, loops: LoopChoice = .installed) {
        let n = p.count
        precondition(slots.count == kernel.slotCount, "VectorizedEngine.map: \(slots.count) state buffers for a kernel with \(kernel.slotCount)")
        let bases = Bases(p, g, slots)
        let wide = loops.table?.loop(for: K.self)
        let chunks = threads > 1 && n * (1 + kernel.slotCount) >= parallelThreshold(accelerated: wide != nil) ? threads : 1
        let body: Accelerator.Loop<K> = wide ?? { k, b, lo, hi in run(k, b, lo, hi) }
        if chunks == 1 {
            body(kernel, bases, 0, n)
            return
        }
        let pass = Pass(kernel: kernel, body: body, bases: bases)
        split(n, into: chunks, align: 64) { lo, hi in pass.run(lo, hi) }
    }

    /// Calls `body(lo, hi)` for `chunks` contiguous pieces of 0..<n, one per thread
    /// (the persistent WorkerPool; the calling thread runs chunks too). Chunk edges are
    /// multiples of `align` (the element-wise passes and the bandwidth probe use 64 elements, so
    /// threads never share a cache line); trailing pieces may be shorter or empty.
    @inlinable
    public static func split(_ n: Int, into chunks: Int, align: Int = 1, _ body: @escaping @Sendable (Int, Int) -> Void) {
        if chunks <= 1 { body(0, n); return }
        let per = (n + chunks - 1) / chunks
        let step = (per + align - 1) / align * align
        WorkerPool.shared.run(chunks: chunks, threads: chunks) { c in
            let lo = min(n, c * step), hi = min(n, lo + step)
            if lo < hi { body(lo, hi) }
        }
    }

    /// One pass handed to the worker threads (kernels are immutable values of scalars and
    /// flags; loops are pure functions of their arguments; chunks never overlap).
    @usableFromInline
    struct Pass<K: ElementwiseKernel>: @unchecked Sendable {
        @usableFromInline let kernel: K
        @usableFromInline let body: Accelerator.Loop<K>
        @usableFromInline let bases: Bases<K.Scalar>
        @inlinable init(kernel: K, body: @escaping Accelerator.Loop<K>, bases: Bases<K.Scalar>) {
            self.kernel = kernel; self.body = body; self.bases = bases
        }
        @inlinable func run(_ lo: Int, _ hi: Int) { body(kernel, bases, lo, hi) }
    }

    /// Elements lo..<hi, with the slot count hoisted out of the loop. An accelerator module
    /// specialises this for each kernel type, compiled for its instruction set. The switch is on
    /// the kernel's own `slotCount` (`map` checks the buffers match it): for a kernel whose count
    /// is a constant, the specialisation keeps one loop instead of five, which is most of the
    /// release build's code (and time) for the loops.
    @inlinable
    public static func run<K: ElementwiseKernel>(_ k: K, _ b: Bases<K.Scalar>, _ lo: Int, _ hi: Int) {
        switch k.slotCount {
        case 0: loop(k, b, lo, hi, slots: 0)
        case 1: loop(k, b, lo, hi, slots: 1)
        case 2: loop(k, b, lo, hi, slots: 2)
        case 3: loop(k, b, lo, hi, slots: 3)
        default: loop(k, b, lo, hi, slots: 4)
        }
    }

    @inlinable @inline(__always)
    static func loop<K: ElementwiseKernel>(_ k: K, _ b: Bases<K.Scalar>, _ lo: Int, _ hi: Int, slots n: Int) {
        typealias V = SIMDLane<K.Scalar>
        let w = V.scalarCount
        let zero = V(repeating: 0)
        var i = lo
        while i &+ w <= hi {
            var x = V.load(b.p + i)
            var s = Slots(n > 0 ? V.load(b.s0 + i) : zero, n > 1 ? V.load(b.s1 + i) : zero,
                          n > 2 ? V.load(b.s2 + i) : zero, n > 3 ? V.load(b.s3 + i) : zero)
            k.apply(&x, V.load(b.g + i), &s)
            x.store(b.p + i)
            if n > 0 { s.s0.store(b.s0 + i) }
            if n > 1 { s.s1.store(b.s1 + i) }
            if n > 2 { s.s2.store(b.s2 + i) }
            if n > 3 { s.s3.store(b.s3 + i) }
            i &+= w
        }
        // The tail: the same kernel on scalars.
        let z = K.Scalar(0)
        while i < hi {
            var x = b.p[i]
            var s = Slots(n > 0 ? b.s0[i] : z, n > 1 ? b.s1[i] : z, n > 2 ? b.s2[i] : z, n > 3 ? b.s3[i] : z)
            k.apply(&x, b.g[i], &s)
            b.p[i] = x
            if n > 0 { b.s0[i] = s.s0 }
            if n > 1 { b.s1[i] = s.s1 }
            if n > 2 { b.s2[i] = s.s2 }
            if n > 3 { b.s3[i] = s.s3 }
            i += 1
        }
    }

    // MARK: Reductions and level 1

    /// Σ x·y with four SIMD accumulators (order differs from naive: see the file header).
    @inlinable
    public static func dot<T: DescentFloat>(_ x: Buffer<T>, _ y: Buffer<T>, loops: LoopChoice = .installed) -> T {
        if let wide = loops.table?.dot(for: T.self) { return wide(x, y) }
        return blockDot(x, y, tag: Void.self)
    }

    /// The four-accumulator dot product itself. An accelerator compiles it again with a `tag`
    /// type of its own, so its specialisation has a name of its own (Loops.swift).
    @inlinable
    public static func blockDot<T: DescentFloat, Tag>(_ x: Buffer<T>, _ y: Buffer<T>, tag: Tag.Type) -> T {
        typealias V = SIMDLane<T>
        let n = x.count, w = V.scalarCount
        let px = x.pointer, py = y.pointer
        var a0 = V(repeating: 0), a1 = a0, a2 = a0, a3 = a0
        var i = 0
        while i &+ 4 &* w <= n {
            a0 = a0 + V.load(px + i) * V.load(py + i)
            a1 = a1 + V.load(px + i + w) * V.load(py + i + w)
            a2 = a2 + V.load(px + i + 2 * w) * V.load(py + i + 2 * w)
            a3 = a3 + V.load(px + i + 3 * w) * V.load(py + i + 3 * w)
            i &+= 4 &* w
        }
        let acc = (a0 + a1) + (a2 + a3)
        var sum = T(0)
        for l in 0..<w { sum += acc[l] }
        while i < n { sum += px[i] * py[i]; i += 1 }
        return sum
    }

    /// Multiply-adds (m·n·k) from which `gemm` splits rows across threads.
    public static let gemmParallelThreshold = 1 << 21

    /// C ← α·op(A)·op(B) + β·C, row-major (see the file header).
    @inlinable
    public static func gemm<T: DescentFloat>(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: T,
                                             _ a: UnsafePointer<T>, lda: Int, _ b: UnsafePointer<T>, ldb: Int,
                                             beta: T, _ c: UnsafeMutablePointer<T>, ldc: Int, threads: Int, loops: LoopChoice = .installed) {
        let p = GemmProblem(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: b, ldb: ldb,
                            beta: beta, c: c, ldc: ldc, threads: threads)
        if let wide = loops.table?.gemm(for: T.self) { return wide(p) }
        rowGemm(p, tag: Void.self)
    }

    /// The arguments of one `gemm` call.
    public struct GemmProblem<T: DescentFloat>: @unchecked Sendable {
        public let transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: T
        public let a: UnsafePointer<T>, lda: Int, b: UnsafePointer<T>, ldb: Int
        public let beta: T, c: UnsafeMutablePointer<T>, ldc: Int, threads: Int
        @inlinable public init(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: T, a: UnsafePointer<T>, lda: Int,
                               b: UnsafePointer<T>, ldb: Int, beta: T, c: UnsafeMutablePointer<T>, ldc: Int, threads: Int) {
            self.transA = transA; self.transB = transB; self.m = m; self.n = n; self.k = k; self.alpha = alpha
            self.a = a; self.lda = lda; self.b = b; self.ldb = ldb; self.beta = beta; self.c = c; self.ldc = ldc
            self.threads = threads
        }
    }

    /// The row-by-row product itself. An accelerator compiles it again with a `tag` type of its
    /// own, so its specialisation has a name of its own (Loops.swift).
    @inlinable
    public static func rowGemm<T: DescentFloat, Tag>(_ p: GemmProblem<T>, tag: Tag.Type) {
        let m = p.m, n = p.n, k = p.k
        guard m > 0, n > 0 else { return }
        // op(B) as k contiguous rows of n.
        var packed: Buffer<T>? = nil
        if p.transB || p.ldb != n {
            let bp = Buffer<T>(zeros: k * n)
            for l in 0..<k {
                for j in 0..<n { bp.pointer[l * n + j] = p.transB ? p.b[j * p.ldb + l] : p.b[l * p.ldb + j] }
            }
            packed = bp
        }
        let rowsB = UnsafePointer(packed?.pointer ?? UnsafeMutablePointer(mutating: p.b))
        let chunks = p.threads > 1 && m > 1 && m * n * k >= gemmParallelThreshold ? min(p.threads, m) : 1
        let rows = GemmRows<T, Tag>(p: p, b: rowsB)
        split(m, into: chunks) { lo, hi in rows.run(lo, hi) }
        withExtendedLifetime(packed) {}
    }

    /// Rows lo..<hi of C, with op(B) given as contiguous rows (Tag: see `rowGemm`).
    @usableFromInline
    struct GemmRows<T: DescentFloat, Tag>: @unchecked Sendable {
        @usableFromInline let p: GemmProblem<T>
        @usableFromInline let b: UnsafePointer<T>
        @inlinable init(p: GemmProblem<T>, b: UnsafePointer<T>) { self.p = p; self.b = b }

        @inlinable
        func run(_ lo: Int, _ hi: Int) {
            typealias V = SIMDLane<T>
            let n = p.n, k = p.k, w = V.scalarCount
            let acc = Buffer<T>(zeros: n)
            let s = acc.pointer
            for i in lo..<hi {
                acc.fill(0)
                for l in 0..<k {
                    let av = p.transA ? p.a[l * p.lda + i] : p.a[i * p.lda + l]
                    let va = V(repeating: av)
                    let row = b + l * n
                    var j = 0
                    while j &+ w <= n {
                        (V.load(s + j) + va * V.load(row + j)).store(s + j)
                        j &+= w
                    }
                    while j < n { s[j] = s[j] + av * row[j]; j += 1 }
                }
                let ci = p.c + i * p.ldc
                for j in 0..<n { ci[j] = p.alpha * s[j] + (p.beta == 0 ? 0 : p.beta * ci[j]) }
            }
        }
    }

    /// y ← a·x + y, element-wise (bit-identical to naive).
    @inlinable
    public static func axpy<T: DescentFloat>(_ a: T, _ x: Buffer<T>, _ y: Buffer<T>, loops: LoopChoice = .installed) {
        map(AxpyKernel(a: a), y, x, [], threads: 1, loops: loops)
    }

    /// x ← a·x, element-wise (bit-identical to naive).
    @inlinable
    public static func scal<T: DescentFloat>(_ a: T, _ x: Buffer<T>, loops: LoopChoice = .installed) {
        map(ScalKernel(a: a), x, x, [], threads: 1, loops: loops)
    }
}

/// y ← y + a·x as a kernel (p = y, g = x).
public struct AxpyKernel<Scalar: DescentFloat>: ElementwiseKernel {
    @usableFromInline let a: Scalar
    @inlinable init(a: Scalar) { self.a = a }
    @inlinable public var slotCount: Int { 0 }
    @inlinable @inline(__always)
    public func apply<L: Lane>(_ p: inout L, _ g: L, _ s: inout Slots<L>) where L.Scalar == Scalar {
        p = p + L(repeating: a) * g
    }
}

/// x ← a·x as a kernel.
public struct ScalKernel<Scalar: DescentFloat>: ElementwiseKernel {
    @usableFromInline let a: Scalar
    @inlinable init(a: Scalar) { self.a = a }
    @inlinable public var slotCount: Int { 0 }
    @inlinable @inline(__always)
    public func apply<L: Lane>(_ p: inout L, _ g: L, _ s: inout Slots<L>) where L.Scalar == Scalar {
        p = p * L(repeating: a)
    }
}

// MARK: - What the CPU offers

/// CPU identity and vector features, read once (Linux: /proc/cpuinfo and sysfs; the kernel lists
/// a feature only when it also enables its registers).
public struct CPUFeatures: Sendable {
    public var model: String
    public var cores: Int
    public var flags: Set<String>
    /// "L1d 48 KiB, L2 1 MiB, L3 32 MiB" style sizes, per cache level and type.
    public var caches: [(name: String, size: String)]

    public var avx2: Bool { flags.contains("avx2") }
    public var avx512f: Bool { flags.contains("avx512f") }
    public var fma: Bool { flags.contains("fma") }

    /// The widest vector unit, e.g. "AVX-512", "AVX2", "SSE2".
    public var widestISA: String {
        #if arch(x86_64)
        return avx512f ? "AVX-512" : avx2 ? "AVX2" : flags.contains("avx") ? "AVX" : "SSE2"
        #else
        return flags.contains("asimd") || flags.contains("neon") ? "NEON" : "scalar"
        #endif
    }

    public static let current: CPUFeatures = {
        var model = "unknown", flags = Set<String>()
        if let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) {
            for line in text.split(separator: "\n") {
                let parts = line.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                guard parts.count == 2 else { continue }
                if parts[0] == "model name", model == "unknown" { model = parts[1] }
                if (parts[0] == "flags" || parts[0] == "Features"), flags.isEmpty { flags = Set(parts[1].split(separator: " ").map(String.init)) }
            }
        }
        var caches: [(String, String)] = []
        let base = "/sys/devices/system/cpu/cpu0/cache"
        for i in 0..<8 {
            let dir = "\(base)/index\(i)"
            func read(_ f: String) -> String? {
                (try? String(contentsOfFile: "\(dir)/\(f)", encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
            }
            guard let level = read("level"), let type = read("type"), let size = read("size") else { continue }
            let t = type == "Data" ? "d" : type == "Instruction" ? "i" : ""
            caches.append(("L\(level)\(t)", size))
        }
        return CPUFeatures(model: model, cores: ProcessInfo.processInfo.activeProcessorCount, flags: flags, caches: caches)
    }()
}
