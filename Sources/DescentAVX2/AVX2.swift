// AVX2.swift — the vectorized engine's loops compiled for AVX2, installed at run time on CPUs
// that have AVX2 but not AVX-512 (most client CPUs before 2023, AMD before Zen 4).
//
// This module is compiled with -mavx2 (Package.swift): each 512-bit lane operation is two ymm
// instructions (vdivps/vsqrtps on 8 floats or 4 doubles) where the baseline loops run four xmm
// ones. The loops are Loops.swift, the same file as DescentAVX512's (a symbolic link); the harness
// chooses (Harness/Verify/VectorLoops.swift). Building the table runs no vector instruction
// (AcceleratorTests checks the object code), so it is safe on any x86-64 CPU.
import DescentCore

public enum AVX2 {
    /// Whether this module was compiled for AVX2 (x86_64 builds; elsewhere the table is empty).
    public static var isCompiled: Bool { compiledForISA }

    /// A new table of the AVX2 loops. Install it only on a CPU with AVX2.
    public static func table() -> Accelerator { makeTable(.avx2) }
}

#if arch(x86_64)
extension VectorizedEngine {
    /// The packed GEMM's arithmetic here: a product and a sum rounded separately (no FMA: -mavx2
    /// does not imply it), so this table's GEMM stays bit-identical to naive; a 4 × 1-lane
    /// register tile (8 ymm accumulators; PackedGemm.swift). This module's own type.
    struct GemmMAdd: GemmArithmetic {
        @inline(__always) static func madd(_ c: SIMD16<Float>, _ a: SIMD16<Float>, _ b: SIMD16<Float>) -> SIMD16<Float> { c + a * b }
        @inline(__always) static func madd(_ c: SIMD8<Double>, _ a: SIMD8<Double>, _ b: SIMD8<Double>) -> SIMD8<Double> { c + a * b }
        /// Whether the product equals naive's bit for bit (Accelerator.exactGemm).
        static var exact: Bool { true }
        static var wideTile: Bool { false }
    }
}
#endif
