// AVX512.swift — the vectorized engine's loops compiled for AVX-512 and installed at run time.
//
// This module alone is compiled with -mavx512f (Package.swift), so every loop specialised here
// runs one zmm instruction per 512-bit lane operation (vaddps/vmulps/vdivps/vsqrtps on 16 floats
// or 8 doubles) where DescentCore's baseline loops run four 128-bit ones. Nothing here runs unless
// the harness finds AVX-512F on this CPU (Harness/Verify/VectorLoops.swift; the kernel lists the
// flag in /proc/cpuinfo only when it has enabled the zmm registers) and installs `AVX512.table()`.
// Building the table runs no vector instruction (only the loops and the closures that call them
// have any; AcceleratorTests checks the object code), so it is safe on any x86-64 CPU.
// The loops themselves, and why they cannot leak into the baseline paths: Loops.swift.
import DescentCore

public enum AVX512 {
    /// Whether this module was compiled for AVX-512 (x86_64 builds; elsewhere the table is empty).
    public static var isCompiled: Bool { compiledForISA }

    /// A new table of the AVX-512 loops: every kernel type of Loops.swift, both dtypes, the dot
    /// product and the matrix product. Install it only on a CPU with AVX-512F.
    public static func table() -> Accelerator { makeTable(.avx512) }
}


#if arch(x86_64)
import _Builtin_intrinsics.intel

extension VectorizedEngine {
    /// The packed GEMM's arithmetic here: one fused multiply-add per product (vfmadd on zmm),
    /// an 8 × 2-lane register tile (PackedGemm.swift). Declared inside VectorizedEngine so its
    /// name says what it is; it is this module's own.
    struct GemmMAdd: GemmArithmetic {
        @inline(__always) static func madd(_ c: SIMD16<Float>, _ a: SIMD16<Float>, _ b: SIMD16<Float>) -> SIMD16<Float> {
            _mm512_fmadd_ps(a, b, c)
        }
        @inline(__always) static func madd(_ c: SIMD8<Double>, _ a: SIMD8<Double>, _ b: SIMD8<Double>) -> SIMD8<Double> {
            _mm512_fmadd_pd(a, b, c)
        }
        /// Whether the product equals naive's bit for bit (Accelerator.exactGemm).
        static var exact: Bool { false }
        static var wideTile: Bool { true }
    }
}
#endif
