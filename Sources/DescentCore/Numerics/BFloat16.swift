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

extension Float16 {
    /// The float32 of the same value, a NaN's payload and signalling bit kept, as numpy widens
    /// float16. (`Float(_:)` compiles to the F16C conversion here, which quiets a signalling NaN:
    /// 0x7C01 becomes 0x7FC02000 rather than numpy's 0x7F802000.) Finite values are exact either way.
    @inlinable public var widenedKeepingNaNPayload: Float {
        let b = UInt32(bitPattern)
        guard b & 0x7C00 == 0x7C00, b & 0x3FF != 0 else { return Float(self) }
        return Float(bitPattern: (b & 0x8000) << 16 | 0x7F80_0000 | (b & 0x3FF) << 13)
    }

    /// `x` rounded to nearest, ties to even, a NaN's payload truncated to its top 10 bits with the
    /// signalling bit kept (and a payload that truncates to 0 made 1, so it stays a NaN), as numpy
    /// rounds float32 to float16. `Float16(_:)` (F16C) quiets a signalling NaN instead.
    @inlinable public init(roundingKeepingNaNPayload x: Float) {
        let b = x.bitPattern
        guard b & 0x7F80_0000 == 0x7F80_0000, b & 0x7F_FFFF != 0 else { self.init(x); return }
        let payload = max(UInt16(truncatingIfNeeded: (b & 0x7F_FFFF) >> 13), 1)
        self.init(bitPattern: UInt16(truncatingIfNeeded: b >> 16) & 0x8000 | 0x7C00 | payload)
    }
}
