// BenchGemm.swift — `descent bench --gemm SIZES`: the vectorized engine's C ← A·B against BLAS's,
// n×n, timed alternately in one sitting (vectorized sample, BLAS sample, … `rounds` times), so
// both see the same machine load; the best sample of each is kept. Reports GFLOP/s and the ratio.
import DescentCore
import DescentJSON
import Dispatch
import Foundation

public struct GemmComparison: Sendable {
    public var dtype: DType
    public var n: Int
    public var threads: Int
    /// Best and median GFLOP/s of each implementation (nil: BLAS unavailable).
    public var vectorized: (best: Double, median: Double)
    public var blas: (best: Double, median: Double)?
    public var isa: String
    public var ratio: Double? { blas.map { vectorized.best / $0.best } }
}

public enum BenchGemm {
    public static func run(sizes: [Int], dtypes: [DType], threads: [Int], rounds: Int, progress: ((String) -> Void)? = nil) -> [GemmComparison] {
        var out: [GemmComparison] = []
        for dtype in dtypes {
            for t in threads {
                for n in sizes {
                    let r: GemmComparison
                    switch dtype {
                    case .float64: r = compare(Double.self, n: n, threads: t, rounds: rounds)
                    case .float32: r = compare(Float.self, n: n, threads: t, rounds: rounds)
                    }
                    progress?(String(format: "gemm %@ %d×%d t=%d: vectorized %.1f GFLOP/s, BLAS %@", dtype.rawValue, n, n, t,
                                     r.vectorized.best, r.blas.map { String(format: "%.1f GFLOP/s (%.0f%%)", $0.best, 100 * r.ratio!) } ?? "unavailable"))
                    out.append(r)
                }
            }
        }
        return out
    }

    package static func compare<T: DescentFloat>(_: T.Type, n: Int, threads: Int, rounds: Int) -> GemmComparison {
        var rng = SplitMix64(seed: 5)
        let a = Buffer<T>(converting: (0..<(n * n)).map { _ in Double(rng.next() >> 11) / Double(1 << 53) - 0.5 })
        let b = Buffer<T>(converting: (0..<(n * n)).map { _ in Double(rng.next() >> 11) / Double(1 << 53) - 0.5 })
        let c = Buffer<T>(zeros: n * n)
        let calls = Bench.gemmCallsPerSample(n: n)
        func sample(_ engine: Engine) -> Double {
            let t0 = DispatchTime.now().uptimeNanoseconds
            for _ in 0..<calls {
                engine.gemm(transA: false, transB: false, m: n, n: n, k: n, alpha: 1, a.pointer, lda: n, b.pointer, ldb: n,
                            beta: 0, c.pointer, ldc: n)
            }
            let ns = Double(DispatchTime.now().uptimeNanoseconds - t0) / Double(calls)
            return 2 * Double(n * n * n) / ns
        }
        let vec = Engine(.vectorized, threads: threads), blas = BLASEngine.isAvailable ? Engine(.blas, threads: threads) : nil
        _ = sample(vec); if let blas { _ = sample(blas) }
        var vs: [Double] = [], bs: [Double] = []
        for _ in 0..<max(1, rounds) {
            vs.append(sample(vec))
            if let blas { bs.append(sample(blas)) }
        }
        func stats(_ x: [Double]) -> (Double, Double) { let s = x.sorted(); return (s.last!, s[s.count / 2]) }
        return GemmComparison(dtype: T.dtype, n: n, threads: threads, vectorized: stats(vs), blas: bs.isEmpty ? nil : stats(bs),
                              isa: VectorizedEngine.isa.rawValue)
    }

    public static func table(_ rows: [GemmComparison], markdown: Bool) -> String {
        BenchRender.table(["dtype", "n", "threads", "vectorized loops", "vectorized GFLOP/s (best / median)",
                           "BLAS GFLOP/s (best / median)", "vectorized ÷ BLAS (best)"], rows.map { r in
            [r.dtype.rawValue, "\(r.n)", "\(r.threads)", r.isa, String(format: "%.1f / %.1f", r.vectorized.best, r.vectorized.median),
             r.blas.map { String(format: "%.1f / %.1f", $0.best, $0.median) } ?? "unavailable",
             r.ratio.map { String(format: "%.0f%%", 100 * $0) } ?? "-"]
        }, markdown: markdown, rightAlign: [1, 2, 4, 5, 6])
    }
}
