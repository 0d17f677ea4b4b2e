// BenchRender.swift — `descent bench` reports: text, markdown (results/bench.md) and JSON
// ("descent-bench/1", results/bench.json).
import DescentCore
import DescentJSON
import Foundation

public enum BenchRender {
    static func r(_ x: Double, _ digits: Int) -> Double {
        let s = pow(10, Double(digits))
        return (x * s).rounded() / s
    }

    static func sizeLabel(_ n: Int) -> String {
        if n >= 1 << 20, n % (1 << 20) == 0 { return "\(n >> 20)M" }
        if n >= 1 << 10, n % (1 << 10) == 0 { return "\(n >> 10)K" }
        return "\(n)"
    }

    /// {"format": "descent-bench/1", "machine", "bandwidth" (GB/s per thread count), "results"}.
    public static func json(_ report: BenchReport) -> String {
        let bw: [(String, JSON)] = report.bandwidth.map { b in
            ("\(b.threads)", .object([("copy", JSON(r(b.copy, 3))), ("scale", JSON(r(b.scale, 3))),
                                      ("add", JSON(r(b.add, 3))), ("triad", JSON(r(b.triad, 3)))]))
        }
        let results: [JSON] = report.results.map { x in
            .object([
                ("optimizer", .string(x.optimizer)), ("implementation", .string(x.implementation)),
                ("dtype", .string(x.dtype.rawValue)), ("size", JSON(x.size)), ("threads", JSON(x.threads)),
                ("min_ns", JSON(r(x.minNs, 1))), ("median_ns", JSON(r(x.medianNs, 1))),
                ("ns_per_param", JSON(r(x.nsPerParam, 5))), ("bytes_per_param", JSON(x.bytesPerParam)),
                ("gbps", JSON(r(x.gbps, 3))), ("fraction_of_triad", x.fractionOfTriad.map { JSON(r($0, 4)) } ?? .null),
            ])
        }
        return JSON.object([
            ("format", .string("descent-bench/1")),
            ("machine", .object(report.machine)),
            ("bandwidth", .object(bw)),
            ("results", .array(results)),
        ]).serialized(pretty: true) + "\n"
    }

    static func table(_ headers: [String], _ rows: [[String]], markdown: Bool, rightAlign: Set<Int> = []) -> String {
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

    static func machineLines(_ report: BenchReport) -> [String] {
        var lines: [String] = []
        for (k, v) in report.machine {
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

    static func bandwidthTable(_ report: BenchReport, markdown: Bool) -> String {
        table(["threads", "copy GB/s", "scale GB/s", "add GB/s", "triad GB/s"],
              report.bandwidth.map { b in
                  ["\(b.threads)"] + [b.copy, b.scale, b.add, b.triad].map { String(format: "%.1f", $0) }
              }, markdown: markdown, rightAlign: [0, 1, 2, 3, 4])
    }

    static func resultsTable(_ report: BenchReport, markdown: Bool) -> String {
        table(["optimizer", "implementation", "dtype", "size", "threads", "min µs", "median µs", "ns/param",
               "B/param", "GB/s", "of triad"],
              report.results.map { x in
                  [x.optimizer, x.implementation, x.dtype.rawValue, sizeLabel(x.size), "\(x.threads)",
                   String(format: "%.1f", x.minNs / 1000), String(format: "%.1f", x.medianNs / 1000),
                   String(format: "%.3f", x.nsPerParam), "\(x.bytesPerParam)", String(format: "%.1f", x.gbps),
                   x.fractionOfTriad.map { String(format: "%.0f%%", 100 * $0) } ?? "-"]
              }, markdown: markdown, rightAlign: [3, 4, 5, 6, 7, 8, 9, 10])
    }

    static func speedupTable(_ report: BenchReport, markdown: Bool) -> String? {
        // vectorized (and blas) vs naive at one thread; threaded vs one thread.
        var rows: [[String]] = []
        for x in report.results where x.implementation != "naive" {
            let key = { (y: BenchResult) in y.optimizer == x.optimizer && y.dtype == x.dtype && y.size == x.size }
            if x.threads == 1, let n = report.results.first(where: { key($0) && $0.implementation == "naive" }) {
                rows.append([x.optimizer, x.dtype.rawValue, sizeLabel(x.size), "\(x.implementation) vs naive (1 thread)",
                             String(format: "%.2f×", n.minNs / x.minNs)])
            }
            if x.threads > 1, let one = report.results.first(where: { key($0) && $0.implementation == x.implementation && $0.threads == 1 }) {
                rows.append([x.optimizer, x.dtype.rawValue, sizeLabel(x.size), "\(x.implementation) \(x.threads) threads vs 1",
                             String(format: "%.2f×", one.minNs / x.minNs)])
            }
        }
        return rows.isEmpty ? nil : table(["optimizer", "dtype", "size", "comparison", "speed-up"], rows,
                                          markdown: markdown, rightAlign: [2, 4])
    }

    static func memoryTable(_ report: BenchReport, markdown: Bool) -> String {
        table(["optimizer", "dtype", "state bytes/param", "+ bytes/tensor", "state buffers"],
              report.memory.map { m in
                  [m.optimizer, m.dtype.rawValue, String(format: "%.0f", m.stateBytes),
                   m.perTensorBytes == 0 ? "" : "\(m.perTensorBytes)",
                   m.names.isEmpty ? "(none)" : m.names.joined(separator: ", ")]
              }, markdown: markdown, rightAlign: [2, 3])
    }

    static let method = """
    Per step: min and median over timed samples after untimed warm-up steps; allocation outside \
    the timed region. bytes/param = (3 + 2·k)·sizeof(dtype) with k state buffers per parameter \
    (p and g read, p written, each state buffer read and written: SGD 3 accesses, SGD+momentum 5, \
    Adam 7, AMSGrad 9). GB/s = bytes/param·size / min time; "of triad" divides by the STREAM triad \
    bandwidth measured in the same run at the same thread count (10⁹ bytes/s, no write-allocate traffic). \
    It can exceed 100%: the tensors fit in cache (Adam float32 at 1M params is 28 MB), or STREAM's \
    written array costs an uncounted write-allocate read while an optimizer reads every buffer it writes.
    """

    public static func markdown(_ report: BenchReport, command: String) -> String {
        var s = "# Descent benchmark\n\nProduced by `\(command)`.\n\n## Machine\n\n"
        s += machineLines(report).map { "- \($0)" }.joined(separator: "\n") + "\n\n"
        s += "## Memory bandwidth (STREAM-style, float64 arrays)\n\n" + bandwidthTable(report, markdown: true)
        s += "\n## Optimizer steps\n\n" + method + "\n\n" + resultsTable(report, markdown: true)
        if let sp = speedupTable(report, markdown: true) { s += "\n### Speed-ups\n\n" + sp }
        s += "\n## Optimizer memory (state per parameter, from the steppers' state buffers)\n\n" + memoryTable(report, markdown: true)
        if !report.skipped.isEmpty { s += "\n## Not run\n\n" + report.skipped.map { "- \($0)" }.joined(separator: "\n") + "\n" }
        return s
    }

    public static func text(_ report: BenchReport) -> String {
        var s = machineLines(report).joined(separator: "\n") + "\n\nMEMORY BANDWIDTH (STREAM-style)\n" + bandwidthTable(report, markdown: false)
        s += "\nOPTIMIZER STEPS\n" + resultsTable(report, markdown: false)
        if let sp = speedupTable(report, markdown: false) { s += "\nSPEED-UPS\n" + sp }
        s += "\nOPTIMIZER MEMORY (state bytes per parameter)\n" + memoryTable(report, markdown: false)
        if !report.skipped.isEmpty { s += "\nNOT RUN\n" + report.skipped.map { "  \($0)" }.joined(separator: "\n") + "\n" }
        return s
    }
}
