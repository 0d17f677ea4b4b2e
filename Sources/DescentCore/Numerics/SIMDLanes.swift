// SIMDLanes.swift — the SIMD `Lane` the vectorized engine runs element-wise kernels on.
//
// `SIMDLane<S>` is 512 bits of S: a SIMD16<Float> or a SIMD8<Double> (both 64 bytes, one cache
// line). It is one generic wrapper rather than conformances of SIMD16<Float> and SIMD8<Double>
// because Swift allows a generic type (SIMD8) only one conditional conformance to a protocol, and
// because a kernel generic over `T: DescentFloat` must name its lane type from T alone
// (`SIMDLane<T>`). Every operation checks `S.self == Float.self`, which the optimiser folds away
// once the kernel is specialised, and then runs the concrete SIMD16<Float> / SIMD8<Double> code.
//
// Every operation is the same IEEE operation per lane as the scalar `Lane` in DescentFloat.swift,
// so a kernel gives bit-identical results on scalars and on lanes (Swift never contracts a·b + c
// into an FMA):
//   + − × ÷          the concrete SIMD operators (addps/mulps/divps…)
//   prefix −         flips the sign bit (−(+0) = −0, like the scalar), never 0 − x
//   squareRoot       x86: _mm512_sqrt_ps / _mm512_sqrt_pd, which LLVM lowers to the widest packed
//                    sqrt the build target has (4 × sqrtps on baseline x86-64, one vsqrtps zmm with
//                    AVX-512) — the standard library's SIMD squareRoot() lowers to one scalar sqrtss
//                    per element, each with a sqrtf fallback call (about 2× slower). Elsewhere:
//                    per-lane scalar sqrt.
//   maxNaN / minNaN  a > b ? a : b (a < b ? a : b), then the canonical .nan where either is NaN —
//                    exactly the scalar definition, including maxNaN(+0, −0) = −0 (returns b).
//   absolute         clears the sign bit (like Swift.abs / fabs, NaN payload kept)
//   signum           +1 where x > 0, −1 where x < 0, else x itself (±0 and NaN unchanged)
//   ifPositive       a where x > 0, else b; ifZero: a where x == 0 (±0), else b (NaN: b in both)
#if arch(x86_64)
import _Builtin_intrinsics.intel
#endif

/// The lane's storage: 64 bytes — measured at least as fast as 32 bytes on the baseline build
/// (see Vectorized.swift) and one zmm register on AVX-512 builds. Changing the width is changing
/// these three types (packedSqrt has overloads for 16, 32 and 64 bytes).
public typealias LaneFloats = SIMD16<Float>
public typealias LaneDoubles = SIMD8<Double>
public typealias LaneWords = SIMD8<UInt64>

#if arch(x86_64)
// Packed square roots by width (the intrinsics lower to llvm.sqrt on the vector type).
@inlinable @inline(__always) func packedSqrt(_ x: SIMD16<Float>) -> SIMD16<Float> { _mm512_sqrt_ps(x) }
@inlinable @inline(__always) func packedSqrt(_ x: SIMD8<Double>) -> SIMD8<Double> { _mm512_sqrt_pd(x) }
@inlinable @inline(__always) func packedSqrt(_ x: SIMD8<Float>) -> SIMD8<Float> { _mm256_sqrt_ps(x) }
@inlinable @inline(__always) func packedSqrt(_ x: SIMD4<Double>) -> SIMD4<Double> { _mm256_sqrt_pd(x) }
@inlinable @inline(__always) func packedSqrt(_ x: SIMD4<Float>) -> SIMD4<Float> { _mm_sqrt_ps(x) }
@inlinable @inline(__always) func packedSqrt(_ x: SIMD2<Double>) -> SIMD2<Double> { _mm_sqrt_pd(x) }
#endif

@frozen
public struct SIMDLane<S: DescentFloat>: Lane {
    public typealias Scalar = S

    /// The 64 bytes, viewed as 16 floats (reinterpreted as 8 doubles when S is Double).
    @usableFromInline var raw: LaneFloats

    @inlinable @inline(__always) init(raw: LaneFloats) { self.raw = raw }

    /// Lanes per vector: 16 for Float, 8 for Double.
    @inlinable @inline(__always) public static var scalarCount: Int { MemoryLayout<LaneFloats>.size / MemoryLayout<S>.stride }

    @inlinable @inline(__always) static var isFloat: Bool { S.self == Float.self }

    @inlinable @inline(__always) var f: LaneFloats { raw }
    @inlinable @inline(__always) var d: LaneDoubles { unsafeBitCast(raw, to: LaneDoubles.self) }
    @inlinable @inline(__always) init(_ f: LaneFloats) { raw = f }
    @inlinable @inline(__always) init(_ d: LaneDoubles) { raw = unsafeBitCast(d, to: LaneFloats.self) }

    @inlinable @inline(__always)
    public init(repeating s: S) {
        if Self.isFloat { raw = LaneFloats(repeating: unsafeBitCast(s, to: Float.self)) }
        else { raw = unsafeBitCast(LaneDoubles(repeating: unsafeBitCast(s, to: Double.self)), to: LaneFloats.self) }
    }

    /// Loads `scalarCount` values from `p` (any alignment).
    @inlinable @inline(__always)
    public static func load(_ p: UnsafePointer<S>) -> Self {
        Self(raw: UnsafeRawPointer(p).loadUnaligned(as: LaneFloats.self))
    }

    /// Stores `scalarCount` values at `p` (any alignment).
    @inlinable @inline(__always)
    public func store(_ p: UnsafeMutablePointer<S>) {
        UnsafeMutableRawPointer(p).storeBytes(of: raw, as: LaneFloats.self)
    }

    /// Lane i (tests and diagnostics; not for hot loops).
    public subscript(i: Int) -> S {
        Self.isFloat ? unsafeBitCast(f[i], to: S.self) : unsafeBitCast(d[i], to: S.self)
    }

    /// A lane from exactly `scalarCount` values (tests).
    public init(_ values: [S]) {
        precondition(values.count == Self.scalarCount)
        var r = Self(repeating: 0)
        values.withUnsafeBufferPointer { r = Self.load($0.baseAddress!) }
        self = r
    }

    // MARK: Arithmetic

    @inlinable @inline(__always) public static func + (a: Self, b: Self) -> Self {
        isFloat ? Self(a.f + b.f) : Self(a.d + b.d)
    }
    @inlinable @inline(__always) public static func - (a: Self, b: Self) -> Self {
        isFloat ? Self(a.f - b.f) : Self(a.d - b.d)
    }
    @inlinable @inline(__always) public static func * (a: Self, b: Self) -> Self {
        isFloat ? Self(a.f * b.f) : Self(a.d * b.d)
    }
    @inlinable @inline(__always) public static func / (a: Self, b: Self) -> Self {
        isFloat ? Self(a.f / b.f) : Self(a.d / b.d)
    }

    @inlinable @inline(__always) var bits: LaneWords { unsafeBitCast(raw, to: LaneWords.self) }
    @inlinable @inline(__always) init(bits: LaneWords) { raw = unsafeBitCast(bits, to: LaneFloats.self) }
    /// The sign bit of every lane, as 64-bit words.
    @inlinable @inline(__always) static var signMask: LaneWords {
        LaneWords(repeating: isFloat ? 0x8000_0000_8000_0000 : 0x8000_0000_0000_0000)
    }

    @inlinable @inline(__always) public static prefix func - (a: Self) -> Self {
        Self(bits: a.bits ^ signMask)
    }

    @inlinable @inline(__always) public var absolute: Self {
        Self(bits: bits & ~Self.signMask)
    }

    @inlinable @inline(__always) public func squareRoot() -> Self {
        #if arch(x86_64)
        return Self.isFloat ? Self(packedSqrt(f)) : Self(packedSqrt(d))
        #else
        if Self.isFloat {
            var r = f
            for i in 0..<r.scalarCount { r[i] = r[i].squareRoot() }
            return Self(r)
        } else {
            var r = d
            for i in 0..<r.scalarCount { r[i] = r[i].squareRoot() }
            return Self(r)
        }
        #endif
    }

    // MARK: NaN-propagating max / min, signum

    @inlinable @inline(__always) public static func maxNaN(_ a: Self, _ b: Self) -> Self {
        if isFloat {
            var r = b.f.replacing(with: a.f, where: a.f .> b.f)
            r.replace(with: .nan, where: (a.f .!= a.f) .| (b.f .!= b.f))
            return Self(r)
        } else {
            var r = b.d.replacing(with: a.d, where: a.d .> b.d)
            r.replace(with: .nan, where: (a.d .!= a.d) .| (b.d .!= b.d))
            return Self(r)
        }
    }

    @inlinable @inline(__always) public static func minNaN(_ a: Self, _ b: Self) -> Self {
        if isFloat {
            var r = b.f.replacing(with: a.f, where: a.f .< b.f)
            r.replace(with: .nan, where: (a.f .!= a.f) .| (b.f .!= b.f))
            return Self(r)
        } else {
            var r = b.d.replacing(with: a.d, where: a.d .< b.d)
            r.replace(with: .nan, where: (a.d .!= a.d) .| (b.d .!= b.d))
            return Self(r)
        }
    }

    @inlinable @inline(__always) public static func ifPositive(_ x: Self, _ a: Self, _ b: Self) -> Self {
        isFloat ? Self(b.f.replacing(with: a.f, where: x.f .> 0)) : Self(b.d.replacing(with: a.d, where: x.d .> 0))
    }

    @inlinable @inline(__always) public static func ifZero(_ x: Self, _ a: Self, _ b: Self) -> Self {
        isFloat ? Self(b.f.replacing(with: a.f, where: x.f .== 0)) : Self(b.d.replacing(with: a.d, where: x.d .== 0))
    }

    @inlinable @inline(__always) public var signum: Self {
        if Self.isFloat {
            var r = f
            r.replace(with: 1, where: f .> 0)
            r.replace(with: -1, where: f .< 0)
            return Self(r)
        } else {
            var r = d
            r.replace(with: 1, where: d .> 0)
            r.replace(with: -1, where: d .< 0)
            return Self(r)
        }
    }

    // MARK: Low precision (LowPrecision.swift): per element, off the float32/float64 kernels' path

    @inlinable @inline(__always) public func roundedToStorage(_ format: StorageFormat) -> Self {
        if Self.isFloat {
            var r = f
            for i in 0..<r.scalarCount { r[i] = format.round(r[i]) }
            return Self(r)
        } else {
            var r = d
            for i in 0..<r.scalarCount { r[i] = Double(format.round(Float(r[i]))) }
            return Self(r)
        }
    }

    @inlinable @inline(__always) public static func fusedMultiplyAdd(_ a: Self, _ b: Self, _ c: Self) -> Self {
        isFloat ? Self(c.f.addingProduct(a.f, b.f)) : Self(c.d.addingProduct(a.d, b.d))
    }
}
