// LowPrecisionVariants.swift — known-wrong variants of low-precision runs (issue 21): the storage
// setup or the arithmetic of the path got wrong. Appended to `KnownWrong.all`; the goldens of
// reference/gen_lowp_torch.py (fixtures/torch/lowp/) catch every one (LowPrecisionTests asserts it).
import DescentCore

/// A mistake in a low-precision family's storage setup (or a knob it implies); declines the
/// float32/float64 cases (no storage) and the cases it does not apply to.
private func lowPrecision(_ change: @escaping @Sendable (inout LowPrecisionSetup, inout any LowPrecisionFamily) -> Bool)
    -> KnownWrongVariant.Mistake {
    .family { f in
        guard var x = f as? any LowPrecisionFamily, var s = x.storage, change(&s, &x) else { return nil }
        x.storage = s
        return x
    }
}

package let lowPrecisionVariants: [KnownWrongVariant] = [
    KnownWrongVariant("lowp-state-float32", "state kept in float32 where the library keeps it in the parameter dtype (torch's zeros_like(param)): the moments are never rounded", lowPrecision { s, _ in
        guard s.state != nil else { return false }
        s.state = nil; return true
    }),
    KnownWrongVariant("lowp-for-loop-arithmetic-on-fused", "per-op rounding (the for-loop path) where the case ran torch's fused kernel, which rounds once at the store", lowPrecision { s, _ in
        guard s.path == .fused else { return false }
        s.path = .forLoop; return true
    }),
    KnownWrongVariant("lowp-fused-arithmetic-on-per-op", "float32 arithmetic rounded once at the end (the fused kernel) where the case ran torch's for-loop or foreach path, which rounds after every op", lowPrecision { s, _ in
        guard s.path != .fused else { return false }
        s.path = .fused; return true
    }),
    KnownWrongVariant("lowp-foreach-scalars-as-for-loop", "foreach=True replayed with the for-loop's scalars: torch's in-place _foreach_mul_ rounds its scalar (β₂, momentum, 1 − lr·λ) to the parameter dtype first", lowPrecision { s, _ in
        guard s.path == .foreach else { return false }
        s.path = .forLoop; return true
    }),
    KnownWrongVariant("lowp-fp16-eps-underflow", "eps rounded to float16 (1e-8 → 0) in the fused kernel, which adds it in float32: 0/0 = NaN where torch stays finite", lowPrecision { s, f in
        guard s.params == .float16, s.path == .fused, var a = f as? AdamFamily, a.eps != 0, s.params.round(Float(a.eps)) == 0 else { return false }
        a.eps = 0; f = a; return true
    }),
    KnownWrongVariant("lowp-decay-lost", "weight decay lost to rounding in the implementation's own arithmetic where the library's path keeps it (the decay term dropped)", lowPrecision { _, f in
        if var a = f as? AdamFamily, a.decay != .none { a.decay = .none; f = a; return true }
        if var g = f as? SGDFamily, g.weightDecay != 0 { g.weightDecay = 0; f = g; return true }
        return false
    }),
]
