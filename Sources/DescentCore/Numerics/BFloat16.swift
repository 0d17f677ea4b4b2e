// BFloat16.swift — bfloat16 storage: 1 sign bit, 8 exponent bits, 7 fraction bits, i.e. the top
// half of a float32. Arithmetic happens in Float (as every library's CPU path does); this type only
// stores and converts. float32 → bfloat16 rounds to nearest, ties to even, keeping subnormals; a
// NaN becomes a quiet NaN of the same sign (0x7FC0 / 0xFFC0), as ml_dtypes and Eigen do, so that
// truncating a signalling NaN's payload can never produce an infinity. bfloat16 → float32 is exact.
// (Swift's own `Float16` is IEEE binary16 and is used for float16 as is.)

public struct BFloat16: Hashable, Sendable, CustomStringConvertible {
    /// The 16 stored bits.
    public var bitPattern: UInt16

    @inlinable public init(bitPattern: UInt16) { self.bitPattern = bitPattern }

    /// Rounds `x` to the nearest bfloat16, ties to even.
    @inlinable public init(_ x: Float) { bitPattern = BFloat16.roundedBits(x.bitPattern) }

    /// Rounds `x` to float32 first, then to bfloat16 (two roundings, as torch's `.to(bfloat16)` of a
    /// float64 tensor does).
    @inlinable public init(_ x: Double) { self.init(Float(x)) }

    /// The exact float32 value.
    @inlinable public var float: Float { Float(bitPattern: UInt32(bitPattern) << 16) }

    @inlinable public var double: Double { Double(float) }

    public var description: String { "\(float)" }

    /// The bfloat16 bit pattern nearest to the float32 with bits `bits` (ties to even).
    @inlinable @inline(__always)
    public static func roundedBits(_ bits: UInt32) -> UInt16 {
        if bits & 0x7FFF_FFFF > 0x7F80_0000 {           // NaN: quiet, sign kept
            return UInt16(truncatingIfNeeded: bits >> 16) & 0x8000 | 0x7FC0
        }
        let lsb = (bits >> 16) & 1
        return UInt16(truncatingIfNeeded: (bits &+ 0x7FFF &+ lsb) >> 16)
    }

    /// `x` rounded to bfloat16 and back: the value a bfloat16 tensor would hold.
    @inlinable @inline(__always)
    public static func round(_ x: Float) -> Float { BFloat16(x).float }
}
