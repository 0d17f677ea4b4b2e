// BenchInclude.swift — `descent bench --include FILE`: results of other runs (another Descent run,
// or the libraries users would pick instead: reference/bench/bench_torch.py, bench_optax.py) read
// from "descent-bench/1" files and shown in the same tables as this run's.
//
// An included row keeps its own fraction_of_triad: it was measured against the bandwidth probe of
// the run that produced it (its file's own "bandwidth"), in the same process as its timings, so
// it states how close that library comes to what memory delivered to it. Rows are marked with
// their source: the file's machine.source if it names one ("torch", "optax"), else the file name.
import DescentCore
import DescentJSON
import Foundation

/// A bad include file: which file, which field, what is wrong.
public struct BenchIncludeError: Error, CustomStringConvertible, Sendable {
    public var file: String
    public var field: String
    public var reason: String
    public var description: String { "\(file): \(field): \(reason)" }
}

/// One included "descent-bench/1" file.
public struct IncludedBench: Sendable {
    public var file: String
    /// The label its rows carry in the tables.
    public var source: String
    public var machine: [(String, JSON)]
    /// Its own bandwidth probe (GB/s; a figure the file does not give is NaN).
    public var bandwidth: [BandwidthResult]
    public var results: [BenchResult]
}

public enum BenchInclude {
    /// Reads and checks a file.
    public static func load(path: String) throws -> IncludedBench {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw BenchIncludeError(file: path, field: "(file)", reason: "cannot read (no such file, or not readable)")
        }
        return try parse(String(decoding: data, as: UTF8.self), file: path)
    }

    /// Parses the text of a "descent-bench/1" file named `file` (the name appears in errors and,
    /// without a machine.source, as the rows' source).
    public static func parse(_ text: String, file: String) throws -> IncludedBench {
        func fail(_ field: String, _ reason: String) -> BenchIncludeError {
            BenchIncludeError(file: file, field: field, reason: reason)
        }
        let doc: JSON
        do { doc = try JSON.parse(text) } catch {
            throw fail("(json)", "not JSON: \(error)")
        }
        guard doc.objectValue != nil else { throw fail("(top level)", "expected an object, got \(doc.kindName)") }
        guard let format = doc["format"] else { throw fail("format", "missing (expected \"descent-bench/1\")") }
        guard format.stringValue == "descent-bench/1" else {
            throw fail("format", "expected \"descent-bench/1\", got \(format.serialized())")
        }
        var machine: [(String, JSON)] = []
        if let m = doc["machine"] {
            guard let o = m.objectValue else { throw fail("machine", "expected an object, got \(m.kindName)") }
            machine = o
        }

        // bandwidth: {"<threads>": {"copy", "scale", "add", "triad"}}; triad is required.
        guard let bwJSON = doc["bandwidth"] else { throw fail("bandwidth", "missing") }
        guard let bwObject = bwJSON.objectValue else { throw fail("bandwidth", "expected an object, got \(bwJSON.kindName)") }
        var bandwidth: [BandwidthResult] = []
        for (key, value) in bwObject {
            let field = "bandwidth.\(key)"
            guard let t = Int(key), t >= 1 else { throw fail(field, "the key must be a thread count (a positive integer)") }
            guard value.objectValue != nil else { throw fail(field, "expected an object, got \(value.kindName)") }
            func gbps(_ name: String, required: Bool) throws -> Double {
                guard let v = value[name], !v.isNull else {
                    if required { throw fail("\(field).\(name)", "missing") }
                    return .nan
                }
                guard let d = v.doubleValue, d.isFinite, d > 0 else {
                    throw fail("\(field).\(name)", "expected a positive number (GB/s), got \(v.serialized())")
                }
                return d
            }
            bandwidth.append(BandwidthResult(threads: t, copy: try gbps("copy", required: false),
                                             scale: try gbps("scale", required: false),
                                             add: try gbps("add", required: false), triad: try gbps("triad", required: true)))
        }
        bandwidth.sort { $0.threads < $1.threads }

        let source = machine.first(where: { $0.0 == "source" })?.1.stringValue
            ?? URL(fileURLWithPath: file).deletingPathExtension().lastPathComponent
        guard let resJSON = doc["results"] else { throw fail("results", "missing") }
        guard let rows = resJSON.arrayValue else { throw fail("results", "expected an array, got \(resJSON.kindName)") }
        var results: [BenchResult] = []
        for (i, row) in rows.enumerated() {
            let at = "results[\(i)]"
            guard row.objectValue != nil else { throw fail(at, "expected an object, got \(row.kindName)") }
            func string(_ k: String) throws -> String {
                guard let v = row[k] else { throw fail("\(at).\(k)", "missing") }
                guard let s = v.stringValue, !s.isEmpty else { throw fail("\(at).\(k)", "expected a non-empty string, got \(v.serialized())") }
                return s
            }
            func count(_ k: String) throws -> Int {
                guard let v = row[k] else { throw fail("\(at).\(k)", "missing") }
                guard let n = v.intValue, n >= 1 else { throw fail("\(at).\(k)", "expected a positive integer, got \(v.serialized())") }
                return n
            }
            func time(_ k: String) throws -> Double {
                guard let v = row[k] else { throw fail("\(at).\(k)", "missing") }
                guard let d = v.doubleValue, d.isFinite, d > 0 else {
                    throw fail("\(at).\(k)", "expected a positive number of nanoseconds, got \(v.serialized())")
                }
                return d
            }
            let dtypeName = try string("dtype")
            guard let dtype = DType(rawValue: dtypeName) else {
                throw fail("\(at).dtype", "expected \"float32\" or \"float64\", got \"\(dtypeName)\"")
            }
            let minNs = try time("min_ns"), medianNs = try time("median_ns")
            guard medianNs >= minNs else { throw fail("\(at).median_ns", "is below min_ns (\(medianNs) < \(minNs))") }
            let bytes = try count("bytes_per_param")
            var fraction: Double?
            if let f = row["fraction_of_triad"], !f.isNull {
                guard let d = f.doubleValue, d.isFinite, d >= 0 else {
                    throw fail("\(at).fraction_of_triad", "expected a non-negative number or null, got \(f.serialized())")
                }
                fraction = d
            }
            var rowSource = source
            if let s = row["source"], !s.isNull {
                guard let str = s.stringValue else { throw fail("\(at).source", "expected a string, got \(s.kindName)") }
                rowSource = str
            }
            let item = dtype == .float64 ? 8 : 4
            var r = BenchResult(optimizer: try string("optimizer"), implementation: try string("implementation"), dtype: dtype,
                                size: try count("size"), threads: try count("threads"), minNs: minNs, medianNs: medianNs,
                                bytesPerParam: bytes, stateBytesPerParam: Double(max(0, bytes - 3 * item) / 2),
                                stateBytesPerTensor: 0, stepperType: "", fractionOfTriad: fraction)
            r.source = rowSource
            // Optional (`--shapes` runs): the model's name and its tensor count.
            if let s = row["shapes"], !s.isNull {
                guard let str = s.stringValue, !str.isEmpty else { throw fail("\(at).shapes", "expected a non-empty string, got \(s.serialized())") }
                r.shapes = str
            }
            if row["tensors"] != nil, !(row["tensors"]!.isNull) { r.tensors = try count("tensors") }
            // Optional (another `descent bench` run): its same-traffic probe.
            if let p = row["probe_min_ns"], !p.isNull {
                r.probeMinNs = try time("probe_min_ns")
                if let m = row["probe_median_ns"], !m.isNull { r.probeMedianNs = try time("probe_median_ns") }
                if let c = row["in_cache"], !c.isNull {
                    guard case let .bool(b) = c else { throw fail("\(at).in_cache", "expected true, false or null, got \(c.serialized())") }
                    r.inCache = b
                }
            }
            results.append(r)
        }
        return IncludedBench(file: file, source: source, machine: machine, bandwidth: bandwidth, results: results)
    }
}

extension BenchReport {
    /// This run's rows, then the included ones, grouped so that the same optimizer (by its name
    /// without the convention and case: torch/Adam next to optax/adam), dtype, size and thread
    /// count sit together; within a group this run's rows come first, in their order.
    package var allResults: [BenchResult] {
        let rows = results + included.flatMap(\.results)
        guard !included.isEmpty else { return rows }
        func family(_ r: BenchResult) -> String {
            (r.optimizer.split(separator: "/", maxSplits: 1).last.map(String.init) ?? r.optimizer).lowercased()
        }
        var order: [String: Int] = [:]
        for r in rows where order[family(r)] == nil { order[family(r)] = order.count }
        return rows.enumerated().sorted { x, y in
            let a = x.element, b = y.element
            let ka = (order[family(a)]!, a.dtype.rawValue, a.size, a.threads)
            let kb = (order[family(b)]!, b.dtype.rawValue, b.size, b.threads)
            if ka != kb { return ka < kb }
            return x.offset < y.offset
        }.map(\.element)
    }
}
