// AVX512.swift — the vectorized engine's loops compiled for AVX-512 and installed at run time.
//
// This module alone is compiled with -mavx512f (Package.swift), so every loop specialised here
// runs one zmm instruction per 512-bit lane operation (vaddps/vmulps/vdivps/vsqrtps on 16 floats
// or 8 doubles) where DescentCore's baseline loops run four 128-bit ones. Nothing here runs unless
// the harness finds AVX-512F on this CPU (Harness/Verify/VectorLoops.swift; the kernel lists the
// flag in /proc/cpuinfo only when it has enabled the zmm registers) and installs `AVX512.table()`.
// Building the table runs no vector instruction (only the loops and the closures that call them
// have any; AcceleratorTests checks the object code), so it is safe on any x86-64 CPU.
//
// One line per kernel type below (both dtypes): the line makes `VectorizedEngine.run` specialise
// for that kernel in this module. A kernel without a line still works — `map` runs its baseline
// loop — and EngineTests fails until the line is added. Results are bit-identical either way
// (Accelerator.swift).
//
// Keep this module to these loops. Swift emits specialisations of generic code as weak symbols
// and the linker keeps ONE copy per name for the whole program, so an AVX-512 copy of, say, a
// Dictionary or String routine compiled here could replace DescentCore's baseline copy and run
// on a CPU without AVX-512 (the way C++ inline functions compiled with different -m flags go
// wrong). Hence: every loop is specialised for `Wide<K>`, a type of this module, so its symbols
// are this module's own; the table is filled through Accelerator.add (not inlinable, compiled in
// DescentCore); the CPU test and the choice live in the harness; and EngineTests checks that
// every weak or global symbol this module's object file defines carries this module's name.
import DescentCore

public enum AVX512 {
    /// Whether this module was compiled for AVX-512 (x86_64 builds; elsewhere the table is empty).
    public static var isCompiled: Bool {
        #if arch(x86_64)
        return true
        #else
        return false
        #endif
    }

    /// A new table of the AVX-512 loops: every kernel type below, both dtypes, the dot product
    /// and the matrix product. Install it only on a CPU with AVX-512F.
    public static func table() -> Accelerator {
        let a = Accelerator(isa: .avx512)
        #if arch(x86_64)
        addKernels(a)
        a.add(dot: Float.self) { x, y in VectorizedEngine.blockDot(x, y, tag: Wide<AxpyKernel<Float>>.self) }
        a.add(dot: Double.self) { x, y in VectorizedEngine.blockDot(x, y, tag: Wide<AxpyKernel<Double>>.self) }
        a.add(gemm: Float.self) { p in VectorizedEngine.rowGemm(p, tag: Wide<AxpyKernel<Float>>.self) }
        a.add(gemm: Double.self) { p in VectorizedEngine.rowGemm(p, tag: Wide<AxpyKernel<Double>>.self) }
        #endif
        return a
    }
}

#if arch(x86_64)
/// The kernel types of the optimizer families.
private func addKernels(_ a: Accelerator) {
    both(a, AdadeltaKernel<Float>.self, AdadeltaKernel<Double>.self)
    both(a, AdagradKernel<Float>.self, AdagradKernel<Double>.self)
    both(a, AdamKernel<Float>.self, AdamKernel<Double>.self)
    both(a, AdamaxKernel<Float>.self, AdamaxKernel<Double>.self)
    both(a, AxpyKernel<Float>.self, AxpyKernel<Double>.self)
    both(a, ClampKernel<Float>.self, ClampKernel<Double>.self)
    both(a, GraftKernel<Float>.self, GraftKernel<Double>.self)
    both(a, LARSDecayedKernel<Float>.self, LARSDecayedKernel<Double>.self)
    both(a, LARSKernel<Float>.self, LARSKernel<Double>.self)
    both(a, LambApplyKernel<Float>.self, LambApplyKernel<Double>.self)
    both(a, LambGradientKernel<Float>.self, LambGradientKernel<Double>.self)
    both(a, LambMomentKernel<Float>.self, LambMomentKernel<Double>.self)
    both(a, LerpKernel<Float>.self, LerpKernel<Double>.self)
    both(a, LionKernel<Float>.self, LionKernel<Double>.self)
    both(a, LionScratchKernel<Float>.self, LionScratchKernel<Double>.self)
    both(a, MuonApplyKernel<Float>.self, MuonApplyKernel<Double>.self)
    both(a, MuonMomentumKernel<Float>.self, MuonMomentumKernel<Double>.self)
    both(a, NAdamKernel<Float>.self, NAdamKernel<Double>.self)
    both(a, RAdamKernel<Float>.self, RAdamKernel<Double>.self)
    both(a, RMSpropKernel<Float>.self, RMSpropKernel<Double>.self)
    both(a, SGDKernel<Float>.self, SGDKernel<Double>.self)
    both(a, SOAPApplyKernel<Float>.self, SOAPApplyKernel<Double>.self)
    both(a, SOAPMomentKernel<Float>.self, SOAPMomentKernel<Double>.self)
    both(a, SOAPSecondMomentKernel<Float>.self, SOAPSecondMomentKernel<Double>.self)
    both(a, ScalKernel<Float>.self, ScalKernel<Double>.self)
    both(a, ScalableShampooApplyKernel<Float>.self, ScalableShampooApplyKernel<Double>.self)
    both(a, ScheduleFreeKernel<Float>.self, ScheduleFreeKernel<Double>.self)
    both(a, ShampooApplyKernel<Float>.self, ShampooApplyKernel<Double>.self)
    both(a, ShampooGradientKernel<Float>.self, ShampooGradientKernel<Double>.self)
}

private func both<F: ElementwiseKernel, D: ElementwiseKernel>(_ a: Accelerator, _ f: F.Type, _ d: D.Type) {
    add(a, f)
    add(a, d)
}

/// Specialises the chunk loop for K, through the module-private wrapper.
private func add<K: ElementwiseKernel>(_ a: Accelerator, _: K.Type) {
    a.add(K.self) { k, b, lo, hi in VectorizedEngine.run(Wide(k), b, lo, hi) }
}

/// K, renamed for this module (see the file header).
struct Wide<K: ElementwiseKernel>: ElementwiseKernel {
    typealias Scalar = K.Scalar
    let k: K
    @inline(__always) init(_ k: K) { self.k = k }
    @inline(__always) var slotCount: Int { k.slotCount }
    @inline(__always)
    func apply<L: Lane>(_ p: inout L, _ g: L, _ s: inout Slots<L>) where L.Scalar == Scalar {
        k.apply(&p, g, &s)
    }
}
#endif
