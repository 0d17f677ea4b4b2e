// BLAS.swift — the `blas` engine: OpenBLAS (or any CBLAS) loaded at run time with dlopen, so
// Descent has no link-time dependency on it.
//
// Library: $DESCENT_BLAS if set (a path to a CBLAS shared library), else the first of
// libopenblas.so.0, libopenblas.so, libcblas.so.3 that dlopen finds. When none loads, the `blas`
// implementation is unavailable with the message in `BLASLibrary.unavailableReason`.
// Kernels: an OpenBLAS that picks an older core than the CPU's instruction set (Prescott on an
// AVX-512 CPU) is loaded again with OPENBLAS_CORETYPE set to the matching core
// (BLASCore.swift; DESCENT_BLAS_CORE=auto|native|NAME); `core` and `coreChoice` say what ran.
//
// What goes to BLAS (everything else runs as in `vectorized`):
//   dot    cblas_ddot / cblas_dsdot     Σ x·y (float32: cblas_dsdot, accumulated in float64 and
//                                       rounded once, so the result does not depend on the kernel
//                                       set: with cblas_sdot, SkylakeX's and Haswell's summation
//                                       orders sent float32 L-BFGS line searches down different
//                                       branches, 0.15 apart on optax's Rosenbrock case)
//   norm   cblas_dnrm2 / cblas_snrm2    ‖x‖₂ (scaled against overflow; not √(x·x))
//   axpy   cblas_daxpy / cblas_saxpy    y ← a·x + y (OpenBLAS's kernels may use FMA)
//   scal   cblas_dscal / cblas_sscal    x ← a·x
//          except a = 0 (and NaN a): OpenBLAS returns early / writes zeros there, where IEEE gives
//          0·NaN = 0·∞ = NaN and −0 + 0 = +0 — those go to the vectorized loops, which keep IEEE.
//   gemm   cblas_dgemm / cblas_sgemm    row-major C ← α·op(A)·op(B) + β·C (`descent bench`
//                                       reports GEMM-bound optimizers' GFLOP/s against it)
//   map    the element-wise optimizer kernels: NOT BLAS — BLAS level 1 cannot express a fused
//          Adam/RMSprop update without several passes over memory, so the kernel runs through the
//          vectorized engine's one fused SIMD pass (bit-identical to naive).
// Per optimizer (what the `blas` implementation sends to the library):
//   SGD (and optax ema), Adagrad, RMSprop, Adadelta, Adam/AdamW/AMSGrad, Adamax, NAdam, RAdam, Schedule-Free,
//   Lion (non-mean modes), Rprop, ASGD, Yogi, AdaBelief, Adan, AdEMAMix (and
//   simplified), ADOPT, SophiaH, optimistic gradient (and on Adam),
//   SparseAdam (its presence mask a read-only slot)   nothing: one fused element-wise pass (map)
//   DAdaptAdam, SGD, Lion,      nothing: map passes (Adam, SGD: the moment / dual update, then the
//   AdaGrad, Adan               step; Lion: one; AdaGrad: old sums, moments, step; Adan: moments,
//                               s, step), and Swift loops for the d sums (Σ of the scratch
//                               products, Σ|s|, Σs²)
//   SM3                         nothing: map, and Swift loops for its per-dimension min and max
//   Prodigy                     nothing: Swift loops for s, ⟨g, p0 − w⟩ and Σ|s| (float64 sums), then map
//   polyak_sgd                  scal (u = −scaling·g), dot (‖u‖²), axpy (w + γ·u)
//   dog, dowg                   dot (‖g‖², ‖x₀ − w‖² over every tensor; ‖x₀‖ for r_eps), then map
//   cocob, acprop               nothing: map passes (cocob three, its five buffers; acprop one)
//   momo, momo_adam             dot (⟨g, w⟩, ‖d‖² or ⟨d, d/P⟩, ⟨d, w⟩ over every tensor), map passes
//   LAMB, LARS, Fromage         nrm2 (‖w‖, ‖update‖ for the trust ratio)
//   NovoGrad                    nrm2 (‖g‖ per tensor for its second moment)
//   pytorch_optimizer Adan      nrm2 (‖g‖ per tensor for max_grad_norm's global clip), then map
//   StableAdamW                 nothing: map passes (moments and g²/max(v, ε²), then the step) and a
//                               Swift loop for the per-tensor mean
//   gradient clipping           nrm2 / dot (global norm), scal
//   L-BFGS (both line searches) dot, axpy, scal, nrm2 (two-loop recursion, directional derivatives)
//   Muon                        gemm (Newton–Schulz: X·Xᵀ, A·A, B·X per iteration), nrm2 (‖G‖_F),
//                               dot (optax's adaptive scale)
//   Shampoo, ScalableShampoo    gemm (statistics G·Gᵀ, Gᵀ·G; preconditioned gradient L·G·R; the
//                               matrix powers and Schur–Newton roots), nrm2, axpy, scal
//   SOAP                        gemm (statistics, projections Qᵀ·G·Q and back), dot
//   GaLore                      gemm (projections G·Vₖ, Uₖᵀ·G and back), map (Adam on R, the step);
//                               the SVD (one-sided Jacobi, SVD.swift) is Swift loops in float64
//   Lion, pytorch_optimizer's use_gc / adanorm   gemm (row means as G·J/length), nrm2, dot
//   Adafactor                   gemm (row and column sums G·1, Gᵀ·1, the mean of r, the outer
//                               product r ⊗ c / m), nrm2 (RMS of the update and of the weights)
//   MADGRAD                     nothing: map (G, s), a Swift loop for σ = ∛G + eps, map (the step)
//   CAME                        gemm (row and column sums of g² + eps1 and of the instability, the
//                               outer products of their rsqrt factors), nrm2 (RMS of the update),
//                               Swift loops for the factors, map passes
//   Ranger (RAdam in Lookahead) gemm (use_gc's row means), axpy (g − mean), map (the RAdam step,
//                               the lookahead sync)
//   Ranger21                    gemm (centralization's row means), axpy (g − mean), Swift loops
//                               for the unit norms, the std, Σ v and the softplus denominators,
//                               map (the variance, the step, the lookahead sync)
// (The ridge closed-form check computes XᵀX with its own loops: a check must not share the code
// under test.)
// (Eigen-decompositions — Jacobi, QR iterations in MatrixOps — are Swift loops on every engine.)
// Tolerance against naive: dot/norm differ by summation order, |Δ| ≤ γₙ·Σ|xᵢyᵢ| (γₙ = n·ε/(1−n·ε));
// axpy differs by at most one rounding per element when OpenBLAS fuses a·x + y:
// |Δ| ≤ ε·(|a·x| + |y|); gemm by |Δ| ≤ γₖ·Σₗ|aᵢₗ bₗⱼ| per entry (blocking, FMA).
// Threads: `Engine.threads` is passed to openblas_set_num_threads before each call that changes it,
// and every call holds the library's lock: the setting is process-wide, and OpenBLAS's one-thread
// and threaded drivers round differently, so engines with different counts must not interleave.
// gemm products below `gemmThreadThreshold` multiply-adds run on one OpenBLAS thread (measured
// faster on the 2-core machine; see there).
import Foundation

/// The resolved CBLAS entry points.
public final class BLASLibrary: @unchecked Sendable {
    typealias DDot = @convention(c) (Int32, UnsafePointer<Double>, Int32, UnsafePointer<Double>, Int32) -> Double
    typealias SDot = @convention(c) (Int32, UnsafePointer<Float>, Int32, UnsafePointer<Float>, Int32) -> Float
    typealias DSDot = @convention(c) (Int32, UnsafePointer<Float>, Int32, UnsafePointer<Float>, Int32) -> Double
    typealias DNrm2 = @convention(c) (Int32, UnsafePointer<Double>, Int32) -> Double
    typealias SNrm2 = @convention(c) (Int32, UnsafePointer<Float>, Int32) -> Float
    typealias DAxpy = @convention(c) (Int32, Double, UnsafePointer<Double>, Int32, UnsafeMutablePointer<Double>, Int32) -> Void
    typealias SAxpy = @convention(c) (Int32, Float, UnsafePointer<Float>, Int32, UnsafeMutablePointer<Float>, Int32) -> Void
    typealias DScal = @convention(c) (Int32, Double, UnsafeMutablePointer<Double>, Int32) -> Void
    typealias SScal = @convention(c) (Int32, Float, UnsafeMutablePointer<Float>, Int32) -> Void
    typealias DGemm = @convention(c) (Int32, Int32, Int32, Int32, Int32, Int32, Double, UnsafePointer<Double>, Int32,
                                      UnsafePointer<Double>, Int32, Double, UnsafeMutablePointer<Double>, Int32) -> Void
    typealias SGemm = @convention(c) (Int32, Int32, Int32, Int32, Int32, Int32, Float, UnsafePointer<Float>, Int32,
                                      UnsafePointer<Float>, Int32, Float, UnsafeMutablePointer<Float>, Int32) -> Void

    /// The path that loaded.
    public let path: String
    /// openblas_get_config() when present (e.g. "OpenBLAS 0.3.21 DYNAMIC_ARCH NO_AFFINITY Zen MAX_THREADS=64").
    public let config: String?
    /// openblas_get_corename() when present: the kernel set that runs (e.g. "SkylakeX", "Haswell").
    public let core: String?
    /// How that core was chosen (BLASCore.swift), e.g. "auto: the library chose Prescott (SSE
    /// kernels) on a CPU with AVX-512; asked for SkylakeX".
    public private(set) var coreChoice: String = ""

    let ddot: DDot, sdot: SDot, dsdot: DSDot
    let dnrm2: DNrm2, snrm2: SNrm2
    let daxpy: DAxpy, saxpy: SAxpy
    let dscal: DScal, sscal: SScal
    let dgemm: DGemm, sgemm: SGemm
    let setThreads: (@convention(c) (Int32) -> Void)?
    private let lock = NSLock()
    private var threadsInForce = -1

    /// The library, or nil when none could be loaded (see `unavailableReason`).
    public static var shared: BLASLibrary? { loaded.library }
    /// Why `shared` is nil.
    public static var unavailableReason: String { loaded.reason ?? "" }

    public static let installHint = "install libopenblas-dev (apt-get install libopenblas-dev) or set DESCENT_BLAS"

    /// $DESCENT_BLAS, or the usual OpenBLAS / CBLAS sonames.
    public static var defaultCandidates: [String] {
        if let p = ProcessInfo.processInfo.environment["DESCENT_BLAS"], !p.isEmpty { return [p] }
        return ["libopenblas.so.0", "libopenblas.so", "libcblas.so.3"]
    }

    private static let loaded = load(candidates: defaultCandidates)

    /// Tries each candidate in turn; the first that loads with every symbol wins. The reason
    /// ("install libopenblas-dev … or set DESCENT_BLAS (tried …)") is shown after "unavailable: ".
    /// An OpenBLAS is given the core BLASCore.decide picks (see BLASCore.swift); OPENBLAS_CORETYPE
    /// is set only while the library loads, then restored.
    public static func load(candidates: [String], environment: [String: String] = ProcessInfo.processInfo.environment,
                            cpuFlags: Set<String> = CPUFeatures.current.flags) -> (library: BLASLibrary?, reason: String?) {
        let user = environment["OPENBLAS_CORETYPE"], mode = environment["DESCENT_BLAS_CORE"]
        // User, native and NAME are decided before loading; auto needs the library's own choice.
        var upFront: BLASCore.Decision?
        if !BLASCore.needsReportedCore(descentBlasCore: mode, openblasCoretype: user) {
            do { upFront = try BLASCore.decide(cpuFlags: cpuFlags, reported: nil, descentBlasCore: mode, openblasCoretype: user) } catch {
                return (nil, "\(error)")
            }
        }
        func open(_ path: String, core: String?) -> (BLASLibrary?, String?) {
            if let core { setenv("OPENBLAS_CORETYPE", core, 1) }
            defer { if core != nil { unsetenv("OPENBLAS_CORETYPE") } }   // (set only when the user had not)
            guard let handle = dlopen(path, RTLD_NOW | RTLD_LOCAL) else { return (nil, dlerror().map { String(cString: $0) } ?? path) }
            do { return (try BLASLibrary(path: path, handle: handle), nil) } catch {
                dlclose(handle)
                return (nil, "\(path): \(error)")
            }
        }
        var tried: [String] = []
        for path in candidates {
            let (first, why) = open(path, core: upFront?.request)
            guard let first else { tried.append(why ?? path); continue }
            if let upFront {
                first.coreChoice = upFront.reason + (upFront.request.map { want in
                    first.core.map { $0.lowercased() == want.lowercased() ? "; running \($0)" : "; the library still reports \($0)" } ?? ""
                } ?? "")
                return (first, nil)
            }
            guard let reported = first.core else {
                first.coreChoice = "not OpenBLAS (no openblas_get_corename): nothing to choose"
                return (first, nil)
            }
            let decision = (try? BLASCore.decide(cpuFlags: cpuFlags, reported: reported, descentBlasCore: mode, openblasCoretype: user))
                ?? BLASCore.Decision(request: nil, reason: "auto")
            guard let want = decision.request else {
                first.coreChoice = decision.reason
                return (first, nil)
            }
            // Unload the library (its constructor chose the core once) and load it again asking for `want`.
            dlclose(first.handle)
            let (second, why2) = open(path, core: want)
            guard let second else { tried.append(why2 ?? path); continue }
            let running = second.core ?? "?"
            second.coreChoice = decision.reason + (running.lowercased() == want.lowercased()
                ? "; running \(running)" : "; the library still reports \(running) (loaded elsewhere in the process?)")
            return (second, nil)
        }
        return (nil, "\(installHint) (tried \(tried.joined(separator: "; ")))")
    }

    struct MissingSymbol: Error, CustomStringConvertible {
        var name: String
        var description: String { "no symbol \(name)" }
    }

    /// The dlopen handle (to unload it when another core is wanted).
    let handle: UnsafeMutableRawPointer

    private init(path: String, handle: UnsafeMutableRawPointer) throws {
        self.handle = handle
        func sym<F>(_ name: String, _: F.Type) throws -> F {
            guard let s = dlsym(handle, name) else { throw MissingSymbol(name: name) }
            return unsafeBitCast(s, to: F.self)
        }
        self.path = path
        ddot = try sym("cblas_ddot", DDot.self)
        sdot = try sym("cblas_sdot", SDot.self)
        dsdot = try sym("cblas_dsdot", DSDot.self)
        dnrm2 = try sym("cblas_dnrm2", DNrm2.self)
        snrm2 = try sym("cblas_snrm2", SNrm2.self)
        daxpy = try sym("cblas_daxpy", DAxpy.self)
        saxpy = try sym("cblas_saxpy", SAxpy.self)
        dscal = try sym("cblas_dscal", DScal.self)
        sscal = try sym("cblas_sscal", SScal.self)
        dgemm = try sym("cblas_dgemm", DGemm.self)
        sgemm = try sym("cblas_sgemm", SGemm.self)
        setThreads = try? sym("openblas_set_num_threads", (@convention(c) (Int32) -> Void).self)
        if let getConfig = try? sym("openblas_get_config", (@convention(c) () -> UnsafePointer<CChar>?).self),
           let c = getConfig() {
            config = String(cString: c)
        } else {
            config = nil
        }
        if let getCore = try? sym("openblas_get_corename", (@convention(c) () -> UnsafePointer<CChar>?).self), let c = getCore() {
            core = String(cString: c).trimmingCharacters(in: .whitespaces)
        } else {
            core = nil
        }
    }

    /// "path (config)" for reports.
    public var description: String { config.map { "\(path) (\($0))" } ?? path }

    /// Runs `body` with OpenBLAS set to `threads` threads, holding the library's lock for the
    /// whole call: the thread count is one process-wide setting, and OpenBLAS's single-thread and
    /// threaded drivers round differently, so two engines with different counts must not
    /// interleave (a 2-thread gemm that ran on 1 thread would differ in the last bits).
    func with<R>(threads: Int, _ body: (BLASLibrary) -> R) -> R {
        lock.lock(); defer { lock.unlock() }
        if let setThreads, threadsInForce != threads {
            setThreads(Int32(threads))
            threadsInForce = threads
        }
        return body(self)
    }
}

public enum BLASEngine {
    /// Whether the engine can run, with the reason when it cannot.
    public static var isAvailable: Bool { BLASLibrary.shared != nil }

    /// Runs `body` on the library with `threads` threads in force (see `BLASLibrary.with`).
    @usableFromInline static func library<R>(threads: Int, _ body: (BLASLibrary) -> R) -> R {
        guard let lib = BLASLibrary.shared else { fatalError("blas engine used without BLAS: \(BLASLibrary.unavailableReason)") }
        return lib.with(threads: threads, body)
    }

    /// BLAS takes 32-bit counts (LP64 OpenBLAS); longer vectors go in pieces.
    static let piece = Int(Int32.max) & ~63

    @inline(__always) static func d<T>(_ p: UnsafeMutablePointer<T>) -> UnsafeMutablePointer<Double> {
        UnsafeMutableRawPointer(p).assumingMemoryBound(to: Double.self)
    }
    @inline(__always) static func f<T>(_ p: UnsafeMutablePointer<T>) -> UnsafeMutablePointer<Float> {
        UnsafeMutableRawPointer(p).assumingMemoryBound(to: Float.self)
    }

    @usableFromInline
    static func dot<T: DescentFloat>(_ x: Buffer<T>, _ y: Buffer<T>, threads: Int) -> T {
        library(threads: threads) { lib in
            var sum = T(0), wide = 0.0, i = 0
            repeat {
                let n = Int32(min(piece, x.count - i))
                if T.self == Double.self { sum += T(lib.ddot(n, d(x.pointer + i), 1, d(y.pointer + i), 1)) }
                else { wide += lib.dsdot(n, f(x.pointer + i), 1, f(y.pointer + i), 1) }
                i += Int(n)
            } while i < x.count
            return T.self == Double.self ? sum : T(wide)
        }
    }

    @usableFromInline
    static func nrm2<T: DescentFloat>(_ x: Buffer<T>, threads: Int) -> T {
        if x.count > piece { return dot(x, x, threads: threads).squareRoot() }
        return library(threads: threads) { lib in
            let n = Int32(x.count)
            return T.self == Double.self ? T(lib.dnrm2(n, d(x.pointer), 1)) : T(lib.snrm2(n, f(x.pointer), 1))
        }
    }

    @usableFromInline
    static func axpy<T: DescentFloat>(_ a: T, _ x: Buffer<T>, _ y: Buffer<T>, threads: Int) {
        if a == 0 || a.isNaN { return VectorizedEngine.axpy(a, x, y) }
        library(threads: threads) { lib in
            var i = 0
            while i < x.count {
                let n = Int32(min(piece, x.count - i))
                if T.self == Double.self { lib.daxpy(n, Double(a), d(x.pointer + i), 1, d(y.pointer + i), 1) }
                else { lib.saxpy(n, Float(a), f(x.pointer + i), 1, f(y.pointer + i), 1) }
                i += Int(n)
            }
        }
    }

    @usableFromInline
    static func scal<T: DescentFloat>(_ a: T, _ x: Buffer<T>, threads: Int) {
        if a == 0 || a.isNaN { return VectorizedEngine.scal(a, x) }
        library(threads: threads) { lib in
            var i = 0
            while i < x.count {
                let n = Int32(min(piece, x.count - i))
                if T.self == Double.self { lib.dscal(n, Double(a), d(x.pointer + i), 1) }
                else { lib.sscal(n, Float(a), f(x.pointer + i), 1) }
                i += Int(n)
            }
        }
    }

    /// Multiply-adds (m·n·k) below which gemm runs on one OpenBLAS thread whatever the engine's
    /// count. OpenBLAS itself threads from 2¹⁸; on the 2-core EPYC VM (AVX2, Zen core, shared
    /// with other work) its 2-thread sgemm was slower than 1 thread up to n = 256 and equal at
    /// 512 (`descent bench gemm 128,256,512 --dtype float32 --threads 1 --threads 2`, best of 10,
    /// load 1.4: n=128 59.0 vs 43.3 GFLOP/s, 256 64.5 vs 58.2, 512 63.2 vs 63.6), and the MLP
    /// training step (products of 2M–8M multiply-adds) took 1.48–1.70 ms on 1 thread against
    /// 1.69–1.96 ms on 2 (side_by_side_training.py, 3 rounds). Deterministic: the same product
    /// always runs on the same driver, so results still depend only on shape and thread count.
    public static let gemmThreadThreshold = 1 << 25

    @usableFromInline
    static func gemm<T: DescentFloat>(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: T,
                                      _ a: UnsafePointer<T>, lda: Int, _ b: UnsafePointer<T>, ldb: Int,
                                      beta: T, _ c: UnsafeMutablePointer<T>, ldc: Int, threads: Int) {
        let threads = m * n * k < gemmThreadThreshold ? 1 : threads
        let rowMajor: Int32 = 101, noTrans: Int32 = 111, trans: Int32 = 112
        let ta = transA ? trans : noTrans, tb = transB ? trans : noTrans
        let pa = UnsafeMutablePointer(mutating: a), pb = UnsafeMutablePointer(mutating: b)
        library(threads: threads) { lib in
            if T.self == Double.self {
                lib.dgemm(rowMajor, ta, tb, Int32(m), Int32(n), Int32(k), Double(alpha), d(pa), Int32(lda), d(pb), Int32(ldb),
                          Double(beta), d(c), Int32(ldc))
            } else {
                lib.sgemm(rowMajor, ta, tb, Int32(m), Int32(n), Int32(k), Float(alpha), f(pa), Int32(lda), f(pb), Int32(ldb),
                          Float(beta), f(c), Int32(ldc))
            }
        }
    }
}
