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
