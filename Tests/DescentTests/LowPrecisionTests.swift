// LowPrecisionTests.swift — Descent's `BFloat16` and Swift's `Float16` conversions against the
// reference libraries on every one of the 65,536 bit patterns of each format: the widening to
// float32, and float32 → 16 bits at each pattern, at the midpoint to its neighbour (ties to
// even), one float32 ulp either side of it, overflow to infinity, subnormals, ±0 and NaN payloads.
// The expected values are FNV-1a digests of ml_dtypes' and numpy's conversions of the same
// inputs (fixtures/data/lowp-conversions.txt, written by reference/gen_lowp_conversions.py, whose
// header states the inputs); a mismatching block of 256 patterns is named by its first
// pattern.
import Foundation
import Testing
import DescentTestSupport
import DescentCore
import DescentJSON

private struct FNV64 {
    var h: UInt64 = 0xCBF2_9CE4_8422_2325
    mutating func add(_ byte: UInt8) { h = (h ^ UInt64(byte)) &* 0x100_0000_01B3 }
    mutating func add16(_ v: UInt16) { add(UInt8(v & 0xFF)); add(UInt8(v >> 8)) }
    mutating func add32(_ v: UInt32) { for s in stride(from: 0, to: 32, by: 8) { add(UInt8((v >> UInt32(s)) & 0xFF)) } }
    var hex: String { let s = String(h, radix: 16); return String(repeating: "0", count: 16 - s.count) + s }
}

private func referenceDigests(_ format: String, _ kind: String) throws -> [String] {
    let url = fixturesURL.appendingPathComponent("data/lowp-conversions.txt")
    let doc = try JSON.parse(String(contentsOf: url, encoding: .utf8))
    let digests = doc[format]?[kind]?.arrayValue?.compactMap { $0.stringValue }
    return try #require(digests, "\(url.path): no \(format).\(kind)")
}

/// The four float32 inputs of bfloat16 pattern p (the generator's rule).
private func bfloat16Inputs(_ p: Int) -> [Float] {
    let u = UInt32(p) << 16
    return [u, u + 0x7FFF, u + 0x8000, u + 0x8001].map { Float(bitPattern: $0) }
}

/// The four float32 inputs of float16 pattern p (the generator's rule).
private func float16Inputs(_ p: Int) -> [Float] {
    let w = Float16(bitPattern: UInt16(p)).widenedKeepingNaNPayload
    let wb = w.bitPattern
    if p & 0x7C00 == 0x7C00 { return [wb, wb + 0xFFF, wb + 0x1000, wb + 0x1001].map { Float(bitPattern: $0) } }
    let mag = p & 0x7FFF
    var next = mag == 0x7BFF ? 65536.0 : Double(Float16(bitPattern: UInt16(mag + 1)))
    if p & 0x8000 != 0 { next = -next }
    let mb = Float((Double(w) + next) / 2).bitPattern
    return [wb, mb - 1, mb, mb + 1].map { Float(bitPattern: $0) }
}

/// Compares the reference's per-block digests with those of the bytes `bytes(p, &hash)` adds for
/// every pattern p.
private func expectDigests(_ format: String, _ kind: String, bytes: (Int, inout FNV64) -> Void) throws {
    let expected = try referenceDigests(format, kind)
    #expect(expected.count == 256, "\(format).\(kind): 256 blocks")
    var bad: [Int] = []
    for block in 0..<min(256, expected.count) {
        var h = FNV64()
        for p in block * 256 ..< block * 256 + 256 { bytes(p, &h) }
        if h.hex != expected[block] { bad.append(block) }
    }
    #expect(bad.isEmpty, "\(format).\(kind): \(bad.count) of 256 blocks differ from the reference, first patterns \(bad.prefix(8).map { String(format: "0x%04X", $0 * 256) })")
}

@Test func bfloat16WidensExactlyOnAllPatterns() throws {
    try expectDigests("bfloat16", "widen_to_float32") { p, h in h.add32(BFloat16(bitPattern: UInt16(p)).float.bitPattern) }
}

@Test func bfloat16RoundsLikeMLDtypesOnAllPatterns() throws {
    try expectDigests("bfloat16", "round_from_float32") { p, h in
        for x in bfloat16Inputs(p) { h.add16(BFloat16(x).bitPattern) }
    }
}

@Test func float16WidensLikeNumpyOnAllPatterns() throws {
    try expectDigests("float16", "widen_to_float32") { p, h in h.add32(Float16(bitPattern: UInt16(p)).widenedKeepingNaNPayload.bitPattern) }
}

@Test func float16RoundsLikeNumpyOnAllPatterns() throws {
    try expectDigests("float16", "round_from_float32") { p, h in
        for x in float16Inputs(p) { h.add16(Float16(roundingKeepingNaNPayload: x).bitPattern) }
    }
}

/// Hand-checked corners (IEEE and ml_dtypes' documented behaviour), so a wrong table cannot hide a
/// wrong rule: ties go to even, the largest finite value's upper midpoint overflows, NaN is quiet
/// with its sign and no payload, subnormals round, not flush.
@Test func bfloat16Corners() {
    #expect(BFloat16(Float(bitPattern: 0x3F80_8000)).bitPattern == 0x3F80)   // 1 + 2^-8: tie → even (1.0)
    #expect(BFloat16(Float(bitPattern: 0x3F81_8000)).bitPattern == 0x3F82)   // tie → even, upward
    #expect(BFloat16(Float(bitPattern: 0x3F80_8001)).bitPattern == 0x3F81)   // above the tie
    #expect(BFloat16(Float(bitPattern: 0x7F7F_8000)).bitPattern == 0x7F80)   // overflow to +inf
    #expect(BFloat16(Float(bitPattern: 0x0001_8000)).bitPattern == 0x0002)   // subnormal tie → even
    #expect(BFloat16(Float(bitPattern: 0x7F80_0001)).bitPattern == 0x7FC0)   // signalling NaN → quiet
    #expect(BFloat16(Float(bitPattern: 0xFFFF_FFFF)).bitPattern == 0xFFC0)   // sign kept, payload dropped
    #expect(BFloat16(-Float(0)).bitPattern == 0x8000)
    #expect(BFloat16.round(1 + 0x1p-9) == 1)
}
