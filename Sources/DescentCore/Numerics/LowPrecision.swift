// LowPrecision.swift — bfloat16 / float16 storage for low-precision runs (issue 21).
//
// A low-precision run computes in Float ("opmath", as torch's CPU kernels do) and rounds to the
// storage format where the library rounds: after each tensor op on a per-op path, once at the
// store on a fused kernel. Values stay in Float buffers, each holding exactly a value of the
// format. The kernels state their op boundaries with `Lane.roundedToStorage` and their fused
// multiply-adds with `Lane.fusedMultiplyAdd`; the float32/float64 kernels use neither, so their
// results and speed do not change. fixtures/FORMAT.md, "Low precision", is the specification.

/// A 16-bit storage format.
public enum StorageFormat: String, CaseIterable, Sendable {
    case bfloat16, float16

    /// `x` rounded to the format (nearest, ties to even) and widened back, exactly.
    @inlinable @inline(__always) public func round(_ x: Float) -> Float {
        switch self {
        case .bfloat16: return BFloat16.round(x)
        case .float16: return Float(Float16(x))
        }
    }

    /// Whether `x` (a float64 from a fixture) is exactly a value of the format (NaN and ±∞ are).
    public func represents(_ x: Double) -> Bool {
        guard x.isFinite else { return true }
        let f = Float(x)
        return Double(f) == x && round(f) == f
    }

    /// The position of `x` (a value of the format, NaN excluded) on the format's ordered line of
    /// values: consecutive values differ by 1, +0 and −0 are both 0.
    func ordinal(_ x: Float) -> Int {
        let bits: Int
        switch self {
        case .bfloat16: bits = Int(BFloat16(x).bitPattern)
        case .float16: bits = Int(Float16(x).bitPattern)
        }
        let magnitude = bits & 0x7FFF
        return bits & 0x8000 != 0 ? -magnitude : magnitude
    }

    /// The error of `actual` against `expected` in units of the format's last place: the number
    /// of format values between them (0 for the same value; values off the format's grid are
    /// placed by their rounding, plus ½ when not on it). NaN against a non-NaN is +∞; NaN against
    /// NaN is 0.
    public func ulpDistance(expected: Double, actual: Double) -> Double {
        if expected.isNaN || actual.isNaN { return expected.isNaN && actual.isNaN ? 0 : .infinity }
        let e = Float(expected), a = Float(actual)
        var d = Double(abs(ordinal(round(e)) - ordinal(round(a))))
        if !represents(actual) { d += 0.5 }
        return d
    }
}

/// Where a low-precision run rounds, in the library's terms (the case's `low_precision.path`).
public enum LowPrecisionPath: String, CaseIterable, Sendable {
    /// torch `foreach=False`: the single-tensor loop, rounding after every tensor op.
    case forLoop = "for_loop"
    /// torch `foreach=True`: the `_foreach_*` ops, rounding after every op (some scalars rounded
    /// to the tensor's dtype first).
    case foreach
    /// torch `fused=True`: one kernel in float32, rounding once at the store.
    case fused
}

/// A low-precision run's storage: the parameters' format, the state's (nil: float32), the path.
public struct LowPrecisionSetup: Sendable, Equatable {
    public var params: StorageFormat
    public var state: StorageFormat?
    public var path: LowPrecisionPath
    public init(params: StorageFormat, state: StorageFormat?, path: LowPrecisionPath) {
        self.params = params
        self.state = state
        self.path = path
    }

    public var summary: String {
        "\(params.rawValue) params, \(state?.rawValue ?? "float32") state, \(path.rawValue) arithmetic"
    }
}

/// A family that can run on low-precision storage: the generic path a case's `low_precision`
/// reaches the engines by (the verifier sets `storage`; nil is the family's float32/float64
/// behaviour). The family declines a setup it has no kernel for (`DescentError.unsupported`)
/// when the stepper is built.
public protocol LowPrecisionFamily: OptimizerFamily {
    var storage: LowPrecisionSetup? { get set }
}

/// Rounding helpers for the low-precision kernels: `r` rounds to the parameter format, `rs` to
/// the state format (identity for float32 state).
@usableFromInline struct StorageRounding: Sendable {
    @usableFromInline let params: StorageFormat
    @usableFromInline let state: StorageFormat?
    @usableFromInline init(_ s: LowPrecisionSetup) { params = s.params; state = s.state }
    @inlinable @inline(__always) func r<L: Lane>(_ x: L) -> L { x.roundedToStorage(params) }
    @inlinable @inline(__always) func rs<L: Lane>(_ x: L) -> L { state.map { x.roundedToStorage($0) } ?? x }
    /// A scalar rounded to the parameter format (torch's d(s): an alpha, a scalar `other`, a
    /// scalar of `_foreach_mul_`).
    @inlinable func d(_ s: Double) -> Float { params.round(Float(s)) }
}

/// The gradient a low-precision kernel steps with: negated for maximize (exact), and on the fused
/// path with L2 decay g + λ·w as ATen's one multiply-add fma(w, λ, g) (`fusedDecay`; nil: none).
@inlinable @inline(__always)
func lowPrecisionGradient<L: Lane>(_ g: L, _ p: L, maximize: Bool, fusedDecay: L.Scalar?) -> L {
    let d = maximize ? -g : g
    guard let fusedDecay else { return d }
    return L.fusedMultiplyAdd(p, L(repeating: fusedDecay), d)
}

/// Low-precision runs compute in Float: the steppers refuse another precision.
func requireFloat32Arithmetic<T: DescentFloat>(_: T.Type, _ setup: LowPrecisionSetup?) throws {
    if setup != nil && T.self != Float.self {
        throw DescentError.unsupported("low-precision storage runs in float32 arithmetic, not \(T.dtype.rawValue)")
    }
}
