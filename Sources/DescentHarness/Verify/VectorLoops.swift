// VectorLoops.swift — which instruction set the vectorized engine's loops run on, chosen once at
// start-up from what this CPU offers (Accelerator.swift, DescentAVX512).
import DescentAVX512
import DescentCore
import Foundation

public enum VectorLoops {
    /// The choice for this CPU and environment: AVX-512 when DescentAVX512 was compiled for it and
    /// the CPU reports AVX-512F (/proc/cpuinfo lists the flag only when the kernel has enabled the
    /// zmm registers), unless DESCENT_VECTOR_ISA=baseline asks for the baseline loops.
    public static func choose(cpu: CPUFeatures = .current,
                              environment: [String: String] = ProcessInfo.processInfo.environment) -> VectorISA {
        if environment["DESCENT_VECTOR_ISA"] == VectorISA.baseline.rawValue { return .baseline }
        return AVX512.isCompiled && cpu.avx512f ? .avx512 : .baseline
    }

    /// Chooses and installs; returns the instruction set in use. Call before any optimizer runs.
    @discardableResult
    public static func install() -> VectorISA {
        let isa = choose()
        Accelerator.install(isa == .avx512 ? AVX512.table() : nil)
        return isa
    }
}
