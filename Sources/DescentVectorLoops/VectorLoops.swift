// VectorLoops.swift — which instruction set the vectorized engine's loops run on, chosen once at
// start-up from what this CPU offers (Accelerator.swift, DescentAVX512, DescentAVX2). Its own
// target, outside the DescentKit library (the AVX targets need unsafeFlags, which a versioned
// dependency may not carry): the `descent` command calls `install()` first thing.
import DescentAVX2
import DescentAVX512
import DescentCore
import Foundation

public enum VectorLoops {
    /// Whether this CPU runs `isa` (/proc/cpuinfo lists avx2 and avx512f only when the kernel
    /// has enabled the registers) and its module was compiled for it.
    public static func runs(_ isa: VectorISA, cpu: CPUFeatures = .current) -> Bool {
        switch isa {
        case .baseline: return true
        case .avx2: return AVX2.isCompiled && cpu.avx2
        case .avx512: return AVX512.isCompiled && cpu.avx512f
        }
    }

    /// The choice for this CPU and environment: the widest instruction set it runs, or the one
    /// DESCENT_VECTOR_ISA names (baseline, avx2, avx512) when it runs that one.
    public static func choose(cpu: CPUFeatures = .current,
                              environment: [String: String] = ProcessInfo.processInfo.environment) -> VectorISA {
        if let asked = environment["DESCENT_VECTOR_ISA"].flatMap(VectorISA.init(rawValue:)), runs(asked, cpu: cpu) { return asked }
        return [VectorISA.avx512, .avx2].first { runs($0, cpu: cpu) } ?? .baseline
    }

    /// A new table of `isa`'s loops (nil for the baseline). Install or use it only where `runs`.
    public static func table(_ isa: VectorISA) -> Accelerator? {
        switch isa {
        case .baseline: return nil
        case .avx2: return AVX2.table()
        case .avx512: return AVX512.table()
        }
    }

    /// Chooses and installs; returns the instruction set in use. Call before any optimizer runs.
    @discardableResult
    public static func install() -> VectorISA {
        let isa = choose()
        Accelerator.install(table(isa))
        return isa
    }
}
