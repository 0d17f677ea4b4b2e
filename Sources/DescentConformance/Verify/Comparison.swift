// Comparison.swift — comparing a trajectory with the golden one, and the float32 policy.
//
// A value passes when |actual − expected| ≤ atol + rtol·|expected| (the fixture spec's rule).
// NaN or ±∞ where a finite value is expected always fails (a NaN is data, and reported).
//
// float32 policy (used unless the case gives `tolerance_float32`): goldens are float64, and a
// float32 evaluation rounds every operation at 2⁻²⁴ ≈ 6·10⁻⁸ relative. A 20–50-step optimizer
// trajectory performs a few hundred dependent roundings per element (and division by √v
// amplifies the error of small v), so we allow
//     rtol₃₂ = max(rtol, 1e-4)                 (≈ 1700 float32 ulps of accumulated rounding)
//     atol₃₂ = max(atol, 1e-5 · ‖expected‖∞)   (per tensor and step: values that pass through zero
//                                              carry the absolute error of the tensor's scale)
// That still catches every algorithmic mistake in the known-wrong registry, whose errors are
// of the order of the update itself (≥ 1e-3 relative after a few steps).
import DescentCore

public enum TolerancePolicy {
    public static let float32RelativeFloor = 1e-4
    public static let float32AbsoluteScale = 1e-5

    /// The tolerance for one tensor at one step.
    public static func effective(_ base: Tolerance, float32Override: Tolerance?, dtype: DType,
                                 scale: Double) -> Tolerance {
        switch dtype {
        case .float64: return base
        case .float32:
            if let o = float32Override { return o }
            return Tolerance(rtol: max(base.rtol, float32RelativeFloor), atol: max(base.atol, float32AbsoluteScale * scale))
        }
    }
}

/// Accumulates errors over a trajectory and remembers where it first failed.
package struct TrajectoryComparer {
    package let dtype: DType
    package let tolerance: Tolerance
    package let float32Override: Tolerance?
    package var maxAbs = 0.0
    package var maxRel = 0.0
    package var maxULPs = 0.0
    package var first: FirstFailure?
    package var firstPerSeries: [Int?]
    package var appliedTolerance: Tolerance?

    package init(dtype: DType, tolerance: Tolerance, float32Override: Tolerance?, series: Int) {
        self.dtype = dtype
        self.tolerance = tolerance
        self.float32Override = float32Override
        self.firstPerSeries = Array(repeating: nil, count: series)
    }

    /// Compares one tensor (or one schedule value) at one step. `scale` is what float32's
    /// absolute tolerance is relative to: by default the tensor's ‖expected‖∞.
    package mutating func compare(step: Int, series: Int, expected: [Double], actual: [Double], scale given: Double? = nil) {
        var scale = 0.0
        if let given { scale = given } else { for e in expected { scale = max(scale, abs(e)) } }
        let tol = TolerancePolicy.effective(tolerance, float32Override: float32Override, dtype: dtype, scale: scale)
        if appliedTolerance == nil || (dtype == .float32 && tol.atol > (appliedTolerance?.atol ?? 0)) { appliedTolerance = tol }
        for i in 0..<expected.count {
            let e = expected[i], a = actual[i]
            let err = abs(a - e)
            let ok: Bool
            if !e.isFinite {
                // An expected NaN or ±∞ is data (a non_finite case): matched by the same non-finite value.
                ok = e.isNaN ? a.isNaN : a == e
            } else if a.isNaN || a.isInfinite {
                ok = false
                maxAbs = .infinity
                maxRel = .infinity
                maxULPs = .infinity
            } else {
                ok = err <= tol.atol + tol.rtol * abs(e)
                maxAbs = max(maxAbs, err)
                if e != 0 { maxRel = max(maxRel, err / abs(e)) }
                let ulp = dtype == .float64 ? e.ulp : Double(Float(e).ulp)
                if ulp > 0, ulp.isFinite { maxULPs = max(maxULPs, err / ulp) }
            }
            if !ok {
                if first == nil { first = FirstFailure(step: step, tensor: series, index: i, expected: e, actual: a) }
                if firstPerSeries[series] == nil { firstPerSeries[series] = step }
            }
        }
    }

    package func finish(into r: inout CaseResult, what: String) {
        r.maxAbsError = maxAbs
        r.maxRelError = maxRel
        r.maxULPs = maxULPs
        r.firstDivergingStep = firstPerSeries
        r.tolerance = appliedTolerance
        if let f = first {
            r.status = .fail
            r.firstFailure = f
            r.message = "the \(what) left the golden one at step \(f.step), \(what == "schedule" ? (f.tensor == 0 ? "lr" : "momentum") : "tensor \(f.tensor)"), index \(f.index): expected \(f.expected), got \(f.actual)"
        } else {
            r.status = .pass
            r.message = ""
        }
    }
}

/// A low-precision trajectory against its golden one, in ulps of the storage format
/// (fixtures/FORMAT.md, "Low precision"): a value passes when it is within `toleranceULPs`
/// format values of the expected one; an expected NaN is matched by any NaN, an expected ±∞ by
/// the same infinity.
package struct LowPrecisionComparer {
    package let format: StorageFormat
    package let toleranceULPs: Double
    package var maxAbs = 0.0
    package var maxRel = 0.0
    package var maxULPs = 0.0
    package var first: FirstFailure?
    package var firstULPs = 0.0
    package var firstPerSeries: [Int?]

    package init(format: StorageFormat, toleranceULPs: Double, series: Int) {
        self.format = format
        self.toleranceULPs = toleranceULPs
        firstPerSeries = Array(repeating: nil, count: series)
    }

    package mutating func compare(step: Int, series: Int, expected: [Double], actual: [Double]) {
        for i in 0..<expected.count {
            let e = expected[i], a = actual[i]
            let ulps = format.ulpDistance(expected: e, actual: a)
            if e.isFinite && a.isFinite {
                maxAbs = max(maxAbs, abs(a - e))
                if e != 0 { maxRel = max(maxRel, abs(a - e) / abs(e)) }
            } else if e.isFinite || a.isFinite {
                maxAbs = .infinity
                maxRel = .infinity
            }
            maxULPs = max(maxULPs, ulps)
            if ulps > toleranceULPs {
                if first == nil {
                    first = FirstFailure(step: step, tensor: series, index: i, expected: e, actual: a)
                    firstULPs = ulps
                }
                if firstPerSeries[series] == nil { firstPerSeries[series] = step }
            }
        }
    }

    package func finish(into r: inout CaseResult) {
        r.maxAbsError = maxAbs
        r.maxRelError = maxRel
        r.maxULPs = maxULPs
        r.firstDivergingStep = firstPerSeries
        r.tolerance = Tolerance(rtol: 0, atol: 0)
        if let f = first {
            r.status = .fail
            r.firstFailure = f
            let off = firstULPs.isFinite ? "\(firstULPs) \(format.rawValue) ulps" : "not comparable"
            r.message = "the trajectory left the golden one at step \(f.step), tensor \(f.tensor), index \(f.index): expected \(f.expected), got \(f.actual) (\(off); tolerance \(Int(toleranceULPs)) ulps)"
        } else {
            r.status = .pass
            r.message = ""
        }
    }
}
