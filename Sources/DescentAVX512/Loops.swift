// Loops.swift — the vectorized engine's loops, specialised in the module that compiles this file
// for its instruction set. ONE file, shared: DescentAVX512 holds it and DescentAVX2 links to it
// (Sources/DescentAVX2/Loops.swift is a symbolic link), so both tables list the same kernels.
//
// One line per kernel type below (both dtypes): the line makes `VectorizedEngine.run` specialise
// for that kernel in this module. A kernel without a line still works — `map` runs its baseline
// loop — and AcceleratorTests fails until the line is added. Results are bit-identical either way
// (Accelerator.swift). The matrix product is the packed GEMM (PackedGemm.swift) with each
// module's own arithmetic type, `VectorizedEngine.GemmMAdd` (AVX512.swift: fused multiply-add,
// AVX2.swift: separate multiply and add).
//
// Swift emits specialisations of generic code as weak symbols and the linker keeps ONE copy per
// name for the whole program, so a wide copy of, say, a Dictionary or String routine compiled
// here could replace DescentCore's baseline copy and run on a CPU without the instruction set
// (the way C++ inline functions compiled with different -m flags go wrong). Hence: every loop
// is specialised for `Wide<K>` (or with a `tag:` of it), a type of this module, so its symbols
// are this module's own; the table is filled through Accelerator.add (compiled in DescentCore);
// the CPU test and the choice live in the harness; and AcceleratorTests checks the object code:
// every weak or global function defined here carries this module's name or has no vector
// instruction, and vector code appears only in the loops and the closures that call them.
import DescentCore

/// Whether this module was compiled for its instruction set (x86_64 builds; elsewhere the flags
/// are not set and the table is empty).
var compiledForISA: Bool {
    #if arch(x86_64)
    return true
    #else
    return false
    #endif
}

/// A table of this module's loops for `isa`.
func makeTable(_ isa: VectorISA) -> Accelerator {
    let a = Accelerator(isa: isa)
    #if arch(x86_64)
    addKernels(a)
    a.add(dot: Float.self) { x, y in VectorizedEngine.blockDot(x, y, tag: Wide<AxpyKernel<Float>>.self) }
    a.add(dot: Double.self) { x, y in VectorizedEngine.blockDot(x, y, tag: Wide<AxpyKernel<Double>>.self) }
    // The packed, blocked GEMM with this module's arithmetic (AVX512.swift: fused, AVX2.swift:
    // separate; PackedGemm.swift).
    a.add(gemm: Float.self) { p in
        VectorizedEngine.packedGemm(p, tag: Wide<AxpyKernel<Float>>.self, arithmetic: VectorizedEngine.GemmMAdd.self)
    }
    a.add(gemm: Double.self) { p in
        VectorizedEngine.packedGemm(p, tag: Wide<AxpyKernel<Double>>.self, arithmetic: VectorizedEngine.GemmMAdd.self)
    }
    a.exactGemm = VectorizedEngine.GemmMAdd.exact
    #endif
    return a
}

#if arch(x86_64)
/// The kernel types of the optimizer families.
private func addKernels(_ a: Accelerator) {
    both(a, ASGDKernel<Float>.self, ASGDKernel<Double>.self)
    both(a, AdadeltaKernel<Float>.self, AdadeltaKernel<Double>.self)
    both(a, AdagradKernel<Float>.self, AdagradKernel<Double>.self)
    both(a, ADOPTKernel<Float>.self, ADOPTKernel<Double>.self)
    both(a, SophiaHKernel<Float>.self, SophiaHKernel<Double>.self)
    both(a, GaLoreKernel<Float>.self, GaLoreKernel<Double>.self)
    both(a, ProdigyKernel<Float>.self, ProdigyKernel<Double>.self)
    both(a, DAdaptAdamKernel<Float>.self, DAdaptAdamKernel<Double>.self)
    both(a, DAdaptSGDKernel<Float>.self, DAdaptSGDKernel<Double>.self)
    both(a, DAdaptLionKernel<Float>.self, DAdaptLionKernel<Double>.self)
    both(a, DoGKernel<Float>.self, DoGKernel<Double>.self)
    both(a, COCOBKernel<Float>.self, COCOBKernel<Double>.self)
    both(a, ACPropKernel<Float>.self, ACPropKernel<Double>.self)
    both(a, MomoKernel<Float>.self, MomoKernel<Double>.self)
    both(a, AdaBeliefKernel<Float>.self, AdaBeliefKernel<Double>.self)
    both(a, AdafactorStatKernel<Float>.self, AdafactorStatKernel<Double>.self)
    both(a, AdafactorUpdateKernel<Float>.self, AdafactorUpdateKernel<Double>.self)
    both(a, AdafactorApplyKernel<Float>.self, AdafactorApplyKernel<Double>.self)
    both(a, AdamKernel<Float>.self, AdamKernel<Double>.self)
    both(a, AdamLowPrecisionKernel<Float>.self, AdamLowPrecisionKernel<Double>.self)
    both(a, AdamTorchKernel<Float>.self, AdamTorchKernel<Double>.self)
    both(a, AdamOptaxKernel<Float>.self, AdamOptaxKernel<Double>.self)
    both(a, AdamaxKernel<Float>.self, AdamaxKernel<Double>.self)
    both(a, AdanKernel<Float>.self, AdanKernel<Double>.self)
    both(a, AxpyKernel<Float>.self, AxpyKernel<Double>.self)
    both(a, ClampKernel<Float>.self, ClampKernel<Double>.self)
    both(a, FromageKernel<Float>.self, FromageKernel<Double>.self)
    both(a, FtrlKernel<Float>.self, FtrlKernel<Double>.self)
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
    both(a, NovoGradKernel<Float>.self, NovoGradKernel<Double>.self)
    both(a, RAdamKernel<Float>.self, RAdamKernel<Double>.self)
    both(a, RMSpropKernel<Float>.self, RMSpropKernel<Double>.self)
    both(a, OptimisticGradientKernel<Float>.self, OptimisticGradientKernel<Double>.self)
    both(a, RpropKernel<Float>.self, RpropKernel<Double>.self)
    both(a, SGDKernel<Float>.self, SGDKernel<Double>.self)
    both(a, SGDLowPrecisionKernel<Float>.self, SGDLowPrecisionKernel<Double>.self)
    both(a, SM3Kernel<Float>.self, SM3Kernel<Double>.self)
    both(a, SOAPApplyKernel<Float>.self, SOAPApplyKernel<Double>.self)
    both(a, SOAPMomentKernel<Float>.self, SOAPMomentKernel<Double>.self)
    both(a, SOAPSecondMomentKernel<Float>.self, SOAPSecondMomentKernel<Double>.self)
    both(a, ScalKernel<Float>.self, ScalKernel<Double>.self)
    both(a, ScalableShampooApplyKernel<Float>.self, ScalableShampooApplyKernel<Double>.self)
    both(a, ScheduleFreeKernel<Float>.self, ScheduleFreeKernel<Double>.self)
    both(a, ShampooApplyKernel<Float>.self, ShampooApplyKernel<Double>.self)
    both(a, ShampooGradientKernel<Float>.self, ShampooGradientKernel<Double>.self)
    both(a, TrafficProbeKernel<Float>.self, TrafficProbeKernel<Double>.self)
    both(a, SparseAdamKernel<Float>.self, SparseAdamKernel<Double>.self)
    both(a, YogiKernel<Float>.self, YogiKernel<Double>.self)
    both(a, AdEMAMixKernel<Float>.self, AdEMAMixKernel<Double>.self)
    both(a, SimplifiedAdEMAMixKernel<Float>.self, SimplifiedAdEMAMixKernel<Double>.self)
    both(a, DAdaptAdaGradKernel<Float>.self, DAdaptAdaGradKernel<Double>.self)
    both(a, DAdaptAdanKernel<Float>.self, DAdaptAdanKernel<Double>.self)
    both(a, MADGRADAccumulateKernel<Float>.self, MADGRADAccumulateKernel<Double>.self)
    both(a, MADGRADStepKernel<Float>.self, MADGRADStepKernel<Double>.self)
    both(a, StableAdamWKernel<Float>.self, StableAdamWKernel<Double>.self)
    both(a, CAMEKernel<Float>.self, CAMEKernel<Double>.self)
    both(a, LookaheadKernel<Float>.self, LookaheadKernel<Double>.self)
    both(a, Ranger21Kernel<Float>.self, Ranger21Kernel<Double>.self)
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
