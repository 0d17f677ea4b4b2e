// BenchBaseline.swift — `descent bench --baseline BENCH.json --max-regression 10%`: a bench gate
// for CI. Absolute times do not carry between machines (a CI runner is not the laptop that stored
// the baseline), so rows are compared by their machine-normalised figure: the fraction of GEMM
// peak for matrix optimizers (fraction_of_gemm), else the fraction of the same-traffic probe
// (of_memory_limit), else — files written before the probe — the fraction of the triad
// bandwidth (fraction_of_triad), each measured in the same run as its timings. A row whose figure fell by
// more than the allowed fraction is a regression: a table is printed and the exit status is 1.
import DescentCore
import DescentJSON
import Foundation

public struct BenchBaselineRow: Sendable, Equatable {
    public var key: String
    public var metric: String
    public var baseline: Double
    public var current: Double
    /// (baseline − current) / baseline: positive when this run is slower.
    public var drop: Double { baseline > 0 ? (baseline - current) / baseline : 0 }
}

public enum BenchBaseline {
    public static func key(optimizer: String, implementation: String, dtype: String, size: Int, threads: Int) -> String {
        "\(optimizer) \(implementation) \(dtype) size \(size) threads \(threads)"
    }

    /// "10%" or "10": a percentage.
    public static func parsePercent(_ s: String) throws -> Double {
        let t = s.trimmingCharacters(in: .whitespaces)
        let n = t.hasSuffix("%") ? String(t.dropLast()) : t
        guard let v = Double(n), v.isFinite, v >= 0, v < 100 else {
            throw ConfigurationError(message: "--max-regression takes a percentage from 0 to 100 such as 10%; got '\(s)'")
        }
        return v / 100
    }

    /// The figures of a `descent-bench/1` file: key → (metric name, value).
    public static func load(path: String) throws -> [String: (String, Double)] {
        func bad(_ m: String) -> BenchIncludeError { BenchIncludeError(file: path, field: "(baseline)", reason: m) }
        guard let data = FileManager.default.contents(atPath: path) else { throw bad("cannot read the file") }
        let doc: JSON
        do { doc = try JSON.parse(bytes: [UInt8](data)) } catch { throw bad("not JSON: \(error)") }
        guard doc["format"]?.stringValue == "descent-bench/1" else { throw bad("field 'format' must be \"descent-bench/1\" (a `descent bench --format json` file)") }
        guard let rows = doc["results"]?.arrayValue else { throw bad("field 'results' must be an array") }
        var out: [String: (String, Double)] = [:]
        for (i, r) in rows.enumerated() {
            guard let o = r["optimizer"]?.stringValue, let im = r["implementation"]?.stringValue, let d = r["dtype"]?.stringValue,
                  let size = r["size"]?.intValue, let th = r["threads"]?.intValue else {
                throw BenchIncludeError(file: path, field: "results[\(i)]", reason: "needs optimizer, implementation, dtype, size and threads")
            }
            let k = key(optimizer: o, implementation: im, dtype: d, size: size, threads: th)
            if let g = r["fraction_of_gemm"]?.doubleValue, g.isFinite, g > 0 { out[k] = ("fraction_of_gemm", g) }
            else if let m = r["of_memory_limit"]?.doubleValue, m.isFinite, m > 0 { out[k] = ("of_memory_limit", m) }
            else if let t = r["fraction_of_triad"]?.doubleValue, t.isFinite, t > 0 { out[k] = ("fraction_of_triad", t) }
        }
        if out.isEmpty { throw bad("no row carries fraction_of_gemm, of_memory_limit or fraction_of_triad") }
        return out
    }

    /// Every row present in both (compared on the baseline's metric): this run's rows, and those
    /// of `--include`d files (so `bench --no-run --include BENCH.json --baseline BASE.json` gates
    /// a run measured earlier).
    public static func compare(_ report: BenchReport, baseline: [String: (String, Double)]) -> [BenchBaselineRow] {
        var rows: [BenchBaselineRow] = []
        for r in report.results + report.included.flatMap(\.results) {
            let k = key(optimizer: r.optimizer, implementation: r.implementation, dtype: r.dtype.rawValue, size: r.size, threads: r.threads)
            guard let (metric, base) = baseline[k] else { continue }
            let now = metric == "fraction_of_gemm" ? r.fractionOfGemm : metric == "of_memory_limit" ? r.ofMemoryLimit : r.fractionOfTriad
            guard let now, now.isFinite else { continue }
            rows.append(BenchBaselineRow(key: k, metric: metric, baseline: base, current: now))
        }
        return rows
    }

    /// The gate's text: a table of every compared row, regressions marked.
    public static func table(_ rows: [BenchBaselineRow], maxRegression: Double) -> String {
        var out = "Bench against the baseline (machine-normalised; a drop of more than \(String(format: "%.1f", 100 * maxRegression))% fails):\n"
        let w = max(3, rows.map(\.key.count).max() ?? 0)
        out += "row".padding(toLength: w, withPad: " ", startingAt: 0) + "  metric             baseline  current   change\n"
        for r in rows {
            out += r.key.padding(toLength: w, withPad: " ", startingAt: 0) + "  "
            out += r.metric.padding(toLength: 17, withPad: " ", startingAt: 0) + "  "
            out += String(format: "%8.4f  %8.4f  %+6.1f%%", r.baseline, r.current, -100 * r.drop)
            out += r.drop > maxRegression ? "  REGRESSION\n" : "\n"
        }
        let bad = rows.filter { $0.drop > maxRegression }.count
        out += rows.isEmpty ? "no row of this run is in the baseline\n" : "\(bad) of \(rows.count) rows regressed\n"
        return out
    }
}
