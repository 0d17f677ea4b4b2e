// BenchRender.swift — `descent bench` reports: text, markdown (results/bench.md) and JSON
// ("descent-bench/1", results/bench.json).
import DescentCore
import DescentJSON
import Foundation

public enum BenchRender {
    package static func r(_ x: Double, _ digits: Int) -> Double {
        let s = pow(10, Double(digits))
        return (x * s).rounded() / s
    }

    /// A row's size: "16M", or "gpt2 (148 tensors, 124.4M)" for a model's parameter list.
    package static func sizeLabel(_ x: BenchResult) -> String {
        guard let s = x.shapes else { return sizeLabel(x.size) }
        return String(format: "%@ (%d tensors, %.1fM)", s, x.tensors ?? 0, Double(x.size) / 1e6)
    }

    package static func sizeLabel(_ n: Int) -> String {
        if n >= 1 << 20, n % (1 << 20) == 0 { return "\(n >> 20)M" }
        if n >= 1 << 10, n % (1 << 10) == 0 { return "\(n >> 10)K" }
        return "\(n)"
    }

    /// One row of "results".
    package static func resultJSON(_ x: BenchResult) -> JSON {
        func num(_ v: Double?, _ d: Int) -> JSON { v.map { JSON(r($0, d)) } ?? .null }
        var o: [(String, JSON)] = [
            ("optimizer", .string(x.optimizer)), ("implementation", .string(x.implementation)),
            ("dtype", .string(x.dtype.rawValue)), ("size", JSON(x.size)), ("threads", JSON(x.threads)),
            ("min_ns", JSON(r(x.minNs, 1))), ("median_ns", JSON(r(x.medianNs, 1))),
            ("ns_per_param", JSON(r(x.nsPerParam, 5))), ("bytes_per_param", JSON(x.bytesPerParam)),
            ("gbps", JSON(r(x.gbps, 3))), ("fraction_of_triad", num(x.fractionOfTriad, 4)),
        ]
        // The same-traffic probe: its best and median pass, probe ÷ step (best and median
        // samples), and whether the working set fits in the last-level cache.
        o.append(("probe_min_ns", num(x.probeMinNs, 1)))
        o.append(("probe_median_ns", num(x.probeMedianNs, 1)))
        o.append(("of_memory_limit", num(x.ofMemoryLimit, 4)))
        o.append(("of_memory_limit_median", num(x.ofMemoryLimitMedian, 4)))
        o.append(("working_set_bytes", JSON(x.workingSetBytes)))
        o.append(("in_cache", x.inCache.map { JSON.bool($0) } ?? .null))
        if let g = x.gflops {
            // GEMM-bound rows: GFLOP/s of the matrix products and the fraction of BLAS's GEMM.
            o += [("gflops", JSON(r(g, 3))), ("flops_per_step", JSON(r(x.flopsPerStep ?? 0, 0))),
                  ("fraction_of_gemm", num(x.fractionOfGemm, 4))]
        }
        if let src = x.source { o.append(("source", .string(src))) }
        if let sh = x.shapes { o += [("shapes", .string(sh)), ("tensors", JSON(x.tensors ?? 0))] }
        return .object(o)
    }

    /// {"format": "descent-bench/1", "machine", "bandwidth" (GB/s per thread count), "results"}.
    public static func json(_ report: BenchReport) -> String {
        let bw: [(String, JSON)] = report.bandwidth.map { b in
            ("\(b.threads)", .object([("copy", JSON(r(b.copy, 3))), ("scale", JSON(r(b.scale, 3))),
                                      ("add", JSON(r(b.add, 3))), ("triad", JSON(r(b.triad, 3)))]))
        }
        let results: [JSON] = report.allResults.map(resultJSON)
        let gemm: [(String, JSON)] = report.gemm.isEmpty ? [] : [("gemm", .array(report.gemm.map { g in
            .object([("dtype", .string(g.dtype.rawValue)), ("n", JSON(g.n)), ("threads", JSON(g.threads)), ("gflops", JSON(r(g.gflops, 3)))])
        }))]
        // Included rows carry "source"; their files' machine and bandwidth blocks follow.
        let included: [(String, JSON)] = report.included.isEmpty ? [] : [("included", .array(report.included.map { inc in
            .object([("file", .string(inc.file)), ("source", .string(inc.source)), ("machine", .object(inc.machine)),
                     ("bandwidth", .object(inc.bandwidth.map { b in
                         ("\(b.threads)", .object([("copy", b.copy), ("scale", b.scale), ("add", b.add), ("triad", b.triad)].map {
                             ($0.0, $0.1.isNaN ? JSON.null : JSON(r($0.1, 3)))
                         }))
                     }))])
        }))]
        return JSON.object([
            ("format", .string("descent-bench/1")),
            ("machine", .object(report.machine)),
            ("bandwidth", .object(bw)),
            ("results", .array(results)),
        ] + gemm + included).serialized(pretty: true) + "\n"
    }

    package static func table(_ headers: [String], _ rows: [[String]], markdown: Bool, rightAlign: Set<Int> = []) -> String {
        if markdown {
            var s = "| " + headers.joined(separator: " | ") + " |\n|"
            for i in headers.indices { s += rightAlign.contains(i) ? " ---: |" : " --- |" }
            s += "\n"
            for row in rows { s += "| " + row.joined(separator: " | ") + " |\n" }
            return s
        }
        var widths = headers.map(\.count)
        for row in rows { for (i, c) in row.enumerated() { widths[i] = max(widths[i], c.count) } }
        func line(_ row: [String]) -> String {
            row.enumerated().map { i, c in
                let pad = String(repeating: " ", count: widths[i] - c.count)
                return rightAlign.contains(i) ? pad + c : c + pad
            }.joined(separator: "  ") + "\n"
        }
        return line(headers) + line(widths.map { String(repeating: "-", count: $0) }) + rows.map(line).joined()
    }

    package static func machineLines(_ report: BenchReport) -> [String] { machineLines(report.machine) }

    package static func machineLines(_ machine: [(String, JSON)]) -> [String] {
        var lines: [String] = []
        for (k, v) in machine {
            switch v {
            case let .string(s): lines.append("\(k): \(s)")
            case let .number(n): lines.append("\(k): \(n)")
            case let .array(a): lines.append("\(k): " + a.compactMap(\.stringValue).joined(separator: " "))
            case let .object(o):
                lines.append("\(k): " + o.map { "\($0.0) \($0.1.stringValue ?? ($0.1 == .null ? "-" : $0.1.serialized(pretty: false)))" }
                    .joined(separator: ", "))
            default: break
            }
        }
        return lines
    }

    package static func bandwidthTable(_ report: BenchReport, markdown: Bool) -> String {
        bandwidthTable(report.bandwidth, markdown: markdown)
    }

    package static func bandwidthTable(_ bandwidth: [BandwidthResult], markdown: Bool) -> String {
        table(["threads", "copy GB/s", "scale GB/s", "add GB/s", "triad GB/s"],
              bandwidth.map { b in
                  ["\(b.threads)"] + [b.copy, b.scale, b.add, b.triad].map { $0.isNaN ? "-" : String(format: "%.1f", $0) }
              }, markdown: markdown, rightAlign: [0, 1, 2, 3, 4])
    }

    /// The "of memory limit" cell: probe ÷ step as "0.93" (best samples; `long`: "0.93 of the
    /// memory limit (median 0.91)"), "in cache" when the working set fits in the last-level
    /// cache (the probe then measures the cache), "-" without a probe.
    package static func memoryLimitLabel(_ x: BenchResult, long: Bool = false) -> String {
        guard let f = x.ofMemoryLimit else { return long ? "no same-traffic probe" : "-" }
        if x.inCache == true {
            return long ? String(format: "in cache (%.1f MB; probe ÷ step %.2f)", Double(x.workingSetBytes) / 1e6, f) : "in cache"
        }
        if long { return String(format: "%.2f of the memory limit (median %.2f)", f, x.ofMemoryLimitMedian ?? f) }
        return String(format: "%.2f", f)
    }

    package static func resultsTable(_ report: BenchReport, markdown: Bool) -> String {
        // With included runs, a "source" column says whose row it is (this run's: "descent").
        let withSource = !report.included.isEmpty
        let headers = ["optimizer", "implementation"] + (withSource ? ["source"] : [])
            + ["dtype", "size", "threads", "min µs", "median µs", "ns/param", "B/param", "GB/s", "probe min µs", "of memory limit"]
        return table(headers, report.allResults.map { x in
            [x.optimizer, x.implementation] + (withSource ? [x.source ?? "descent"] : []) +
            [x.dtype.rawValue, sizeLabel(x), "\(x.threads)",
             String(format: "%.1f", x.minNs / 1000), String(format: "%.1f", x.medianNs / 1000),
             String(format: "%.3f", x.nsPerParam), "\(x.bytesPerParam)", String(format: "%.1f", x.gbps),
             x.probeMinNs.map { String(format: "%.1f", $0 / 1000) } ?? "-", memoryLimitLabel(x)]
        }, markdown: markdown, rightAlign: Set((3...11).map { $0 + (withSource ? 1 : 0) }))
    }

    /// GEMM-bound rows: GFLOP/s of their matrix products against BLAS's own GEMM (same run,
    /// dtype, matrix side and threads).
    package static func gemmTable(_ report: BenchReport, markdown: Bool) -> String? {
        let rows = report.results.filter { $0.gflops != nil }
        guard !rows.isEmpty else { return nil }
        return table(["optimizer", "implementation", "dtype", "matrix", "threads", "min µs", "GFLOP/step", "GFLOP/s",
                      "BLAS GEMM GFLOP/s", "of GEMM"], rows.map { x in
            let n = Int(Double(x.size).squareRoot())
            let rate = report.gemm.first { $0.dtype == x.dtype && $0.n == n && $0.threads == x.threads }
            return [x.optimizer, x.implementation, x.dtype.rawValue, "\(n)×\(n)", "\(x.threads)",
                    String(format: "%.1f", x.minNs / 1000), String(format: "%.3f", (x.flopsPerStep ?? 0) / 1e9),
                    String(format: "%.2f", x.gflops ?? 0), rate.map { String(format: "%.1f", $0.gflops) } ?? "-",
                    x.fractionOfGemm.map { String(format: "%.0f%%", 100 * $0) } ?? "-"]
        }, markdown: markdown, rightAlign: [4, 5, 6, 7, 8, 9])
    }

    package static let gemmNote = """
    Muon's step is matrix products (5 Newton–Schulz iterations, 3 products each): GFLOP/step counts \
    2·m·n·k for every `Engine.gemm` call as it runs; "of GEMM" divides the step's GFLOP/s by the BLAS \
    library's own C ← A·B rate on matrices of the same side, measured in this run at the same threads \
    (no BLAS: "-"). `naive` runs level 3 as a triple loop, `vectorized` as a packed, blocked GEMM on \
    the AVX-512/AVX2 loops (row by row on the baseline ones); `blas` calls cblas_?gemm.
    """

    /// Each included row against this run's fastest row of the same optimizer family (the name
    /// without its convention, case-insensitive), dtype, size and threads: library time ÷ Descent
    /// time (> 1: Descent faster).
    package static func versusTable(_ report: BenchReport, markdown: Bool) -> String? {
        func family(_ s: String) -> String { (s.split(separator: "/", maxSplits: 1).last.map(String.init) ?? s).lowercased() }
        var rows: [[String]] = []
        for lib in report.allResults where lib.source != nil {
            let ours = report.results.filter {
                family($0.optimizer) == family(lib.optimizer) && $0.dtype == lib.dtype && $0.size == lib.size && $0.threads == lib.threads
                    && $0.shapes == lib.shapes
            }.min { $0.minNs < $1.minNs }
            guard let ours else { continue }
            rows.append([lib.optimizer, lib.dtype.rawValue, sizeLabel(lib), "\(lib.threads)",
                         "\(lib.implementation) (\(lib.source ?? "?"))", "\(ours.implementation) (\(ours.optimizer))",
                         String(format: "%.2f×", lib.minNs / ours.minNs)])
        }
        return rows.isEmpty ? nil : table(["optimizer", "dtype", "size", "threads", "library", "fastest Descent",
                                           "library ÷ Descent time"], rows, markdown: markdown, rightAlign: [2, 3, 6])
    }

    package static func includedSection(_ inc: IncludedBench, markdown: Bool) -> String {
        if markdown {
            return "### \(inc.source): `\(inc.file)`\n\n" + machineLines(inc.machine).map { "- \($0)" }.joined(separator: "\n")
                + "\n\n" + bandwidthTable(inc.bandwidth, markdown: true)
        }
        return "\(inc.source): \(inc.file)\n" + machineLines(inc.machine).map { "  \($0)" }.joined(separator: "\n") + "\n"
            + bandwidthTable(inc.bandwidth, markdown: false)
    }

    package static let includedNote = """
    Rows whose source is not "descent" come from included descent-bench/1 files (`--include`); \
    they carry no same-traffic probe ("-"); their JSON keeps fraction_of_triad against their own \
    run's STREAM probe (see Included runs).
    """

    package static func speedupTable(_ report: BenchReport, markdown: Bool) -> String? {
        // vectorized (and blas) vs naive at one thread; threaded vs one thread.
        var rows: [[String]] = []
        for x in report.results where x.implementation != "naive" {
            let key = { (y: BenchResult) in y.optimizer == x.optimizer && y.dtype == x.dtype && y.size == x.size && y.shapes == x.shapes }
            if x.threads == 1, let n = report.results.first(where: { key($0) && $0.implementation == "naive" }) {
                rows.append([x.optimizer, x.dtype.rawValue, sizeLabel(x), "\(x.implementation) vs naive (1 thread)",
                             String(format: "%.2f×", n.minNs / x.minNs)])
            }
            if x.threads > 1, let one = report.results.first(where: { key($0) && $0.implementation == x.implementation && $0.threads == 1 }) {
                rows.append([x.optimizer, x.dtype.rawValue, sizeLabel(x), "\(x.implementation) \(x.threads) threads vs 1",
                             String(format: "%.2f×", one.minNs / x.minNs)])
            }
        }
        return rows.isEmpty ? nil : table(["optimizer", "dtype", "size", "comparison", "speed-up"], rows,
                                          markdown: markdown, rightAlign: [2, 4])
    }

    package static func memoryTable(_ report: BenchReport, markdown: Bool) -> String {
        table(["optimizer", "dtype", "state bytes/param", "+ bytes/tensor", "state buffers"],
              report.memory.map { m in
                  [m.optimizer, m.dtype.rawValue, String(format: "%.0f", m.stateBytes),
                   m.perTensorBytes == 0 ? "" : "\(m.perTensorBytes)",
                   m.names.isEmpty ? "(none)" : m.names.joined(separator: ", ")]
              }, markdown: markdown, rightAlign: [2, 3])
    }

    package static let method = """
    Per step: min and median over timed samples after untimed warm-up steps; allocation outside \
    the timed region. bytes/param = (3 + 2·k)·sizeof(dtype) with k state buffers per parameter \
    (p and g read, p written, each state buffer read and written: SGD 3 accesses, SGD+momentum 5, \
    Adam 7, AMSGrad 9). GB/s = bytes/param·size / min time. "probe" is the same-traffic probe: \
    buffers of the same sizes as p, g and the k state buffers, streamed in place with trivial \
    arithmetic (p ← p + g, sᵢ ← sᵢ + g) by the vectorized engine's widest loops with the same \
    threads and split, its samples alternating with the step's. "of memory limit" = probe min ÷ \
    step min (1.00: the step moves its bytes as fast as memory moves them); "in cache": the working \
    set (bytes/param·size) fits in the last-level cache, where the probe measures the cache, not \
    memory (the ratio is in the JSON, of_memory_limit with in_cache true). The STREAM table above \
    describes the machine only.
    """

    public static func markdown(_ report: BenchReport, command: String) -> String {
        var s = "# Descent benchmark\n\nProduced by `\(command)`.\n\n"
        let ran = !report.machine.isEmpty   // false with --no-run (included files only)
        if ran {
            s += "## Machine\n\n" + machineLines(report).map { "- \($0)" }.joined(separator: "\n") + "\n\n"
            s += "## Memory bandwidth (STREAM-style, float64 arrays; a machine description)\n\n" + bandwidthTable(report, markdown: true) + "\n"
        }
        s += "## Optimizer steps\n\n" + method + "\n\n"
        if !report.included.isEmpty { s += includedNote + "\n\n" }
        s += resultsTable(report, markdown: true)
        if let sp = speedupTable(report, markdown: true) { s += "\n### Speed-ups\n\n" + sp }
        if let vs = versusTable(report, markdown: true) { s += "\n### Descent against the libraries\n\n" + vs }
        if let g = gemmTable(report, markdown: true) { s += "\n## GEMM-bound optimizers\n\n" + gemmNote + "\n\n" + g }
        if ran {
            s += "\n## Optimizer memory (state per parameter, from the steppers' state buffers)\n\n" + memoryTable(report, markdown: true)
        }
        if !report.included.isEmpty {
            s += "\n## Included runs\n\n" + report.included.map { includedSection($0, markdown: true) }.joined(separator: "\n")
        }
        if !report.skipped.isEmpty { s += "\n## Not run\n\n" + report.skipped.map { "- \($0)" }.joined(separator: "\n") + "\n" }
        return s
    }

    public static func text(_ report: BenchReport) -> String {
        let ran = !report.machine.isEmpty
        var s = ran ? machineLines(report).joined(separator: "\n") + "\n\nMEMORY BANDWIDTH (STREAM-style)\n"
            + bandwidthTable(report, markdown: false) + "\n" : ""
        s += "OPTIMIZER STEPS\n" + resultsTable(report, markdown: false)
        if !report.included.isEmpty { s += includedNote + "\n" }
        if let sp = speedupTable(report, markdown: false) { s += "\nSPEED-UPS\n" + sp }
        if let vs = versusTable(report, markdown: false) { s += "\nDESCENT AGAINST THE LIBRARIES\n" + vs }
        if let g = gemmTable(report, markdown: false) { s += "\nGEMM-BOUND OPTIMIZERS\n" + gemmNote + "\n" + g }
        if ran { s += "\nOPTIMIZER MEMORY (state bytes per parameter)\n" + memoryTable(report, markdown: false) }
        if !report.included.isEmpty {
            s += "\nINCLUDED RUNS\n" + report.included.map { includedSection($0, markdown: false) }.joined(separator: "\n")
        }
        if !report.skipped.isEmpty { s += "\nNOT RUN\n" + report.skipped.map { "  \($0)" }.joined(separator: "\n") + "\n" }
        return s
    }
}
