// Bandwidth.swift — a STREAM-style memory bandwidth probe: a description of the machine in the
// bench's report (and fraction_of_triad, kept for older readers and included files). The
// yardstick of each row is its same-traffic probe instead (TrafficProbe.swift, Bench.swift).
//
//   copy   c[i] = a[i]            16 bytes per element (float64: read 8, write 8)
//   scale  b[i] = q·c[i]          16
//   add    c[i] = a[i] + b[i]     24
//   triad  a[i] = b[i] + q·c[i]   24
// As in STREAM: three float64 arrays, each larger than the last-level cache (4× it, between 32 and
// 128 MiB per array: a VM may report a host's cache of hundreds of MB), the best of K timed
// repetitions after one warm-up, bytes counted as the program's reads and writes (no
// write-allocate traffic). With T threads each thread owns one contiguous slice of every array
// (first touched by that thread). Arrays are allocated as optimizer tensors are (`Buffer`).
import DescentCore
import Dispatch
import Foundation

public struct BandwidthResult: Sendable {
    public var threads: Int
    /// GB/s (10⁹ bytes per second) for copy, scale, add, triad.
    public var copy, scale, add, triad: Double
}

public enum BandwidthProbe {
    /// Elements per array: 4× the last-level cache in float64 elements, from 2²² (32 MiB) to
    /// 2²⁴ (128 MiB), so the probe takes about a second whatever cache size a VM reports.
    public static func defaultCount(_ cpu: CPUFeatures = .current) -> Int {
        let llc = lastLevelCacheBytes(cpu) ?? 32 << 20
        return min(1 << 24, max(1 << 22, 4 * llc / 8))
    }

    /// The largest cache the system reports (sysfs), in bytes; nil when none is reported.
    public static func lastLevelCacheBytes(_ cpu: CPUFeatures = .current) -> Int? {
        cpu.caches.compactMap { parseSize($0.size) }.max()
    }

    package static func parseSize(_ s: String) -> Int? {
        let t = s.uppercased().trimmingCharacters(in: .whitespaces)
        let mult = t.hasSuffix("K") ? 1 << 10 : t.hasSuffix("M") ? 1 << 20 : t.hasSuffix("G") ? 1 << 30 : 1
        return Int(t.trimmingCharacters(in: CharacterSet(charactersIn: "KMGB")).trimmingCharacters(in: .whitespaces)).map { $0 * mult }
    }

    package struct Arrays: @unchecked Sendable {
        package let a: UnsafeMutablePointer<Double>, b: UnsafeMutablePointer<Double>, c: UnsafeMutablePointer<Double>
    }

    @inline(never)
    package static func kernel(_ which: Int, _ x: Arrays, _ lo: Int, _ hi: Int) {
        let a = x.a, b = x.b, c = x.c, q = 3.0
        switch which {
        case 0: for i in lo..<hi { c[i] = a[i] }
        case 1: for i in lo..<hi { b[i] = q * c[i] }
        case 2: for i in lo..<hi { c[i] = a[i] + b[i] }
        default: for i in lo..<hi { a[i] = b[i] + q * c[i] }
        }
    }

    /// Slices as the vectorized engine cuts a tensor (64-element edges), so each thread touches
    /// what it would in an optimizer step.
    package static func parallel(_ threads: Int, _ n: Int, _ body: @escaping @Sendable (Int, Int) -> Void) {
        VectorizedEngine.split(n, into: threads, align: 64, body)
    }

    /// Measures copy/scale/add/triad at each thread count (best of `repeats`).
    public static func measure(threads: [Int], count: Int = defaultCount(), repeats: Int = 5) -> [BandwidthResult] {
        let n = count
        // Allocated like optimizer tensors (Buffer: 2 MiB aligned, transparent huge pages).
        let ba = Buffer<Double>(zeros: n), bb = Buffer<Double>(zeros: n), bc = Buffer<Double>(zeros: n)
        let arrays = Arrays(a: ba.pointer, b: bb.pointer, c: bc.pointer)
        defer { withExtendedLifetime((ba, bb, bc)) {} }
        var out: [BandwidthResult] = []
        for t in threads {
            // First touch by the threads that will use each slice.
            parallel(t, n) { lo, hi in
                for i in lo..<hi { arrays.a[i] = 1; arrays.b[i] = 2; arrays.c[i] = 0 }
            }
            var best = [Double](repeating: .infinity, count: 4)
            for rep in 0...repeats {
                for k in 0..<4 {
                    let t0 = DispatchTime.now().uptimeNanoseconds
                    parallel(t, n) { lo, hi in kernel(k, arrays, lo, hi) }
                    let dt = Double(DispatchTime.now().uptimeNanoseconds - t0)
                    if rep > 0 { best[k] = min(best[k], dt) }   // rep 0 is the warm-up
                }
            }
            let bytes: [Double] = [16, 16, 24, 24].map { $0 * Double(n) }
            let gbps = (0..<4).map { bytes[$0] / best[$0] }
            out.append(BandwidthResult(threads: t, copy: gbps[0], scale: gbps[1], add: gbps[2], triad: gbps[3]))
        }
        return out
    }
}
