// BenchIncludeTests.swift — `descent bench --include`: reading descent-bench/1 files (a good one,
// bad ones naming file and field) and showing their rows beside this run's.
import Foundation
import Testing
@testable import DescentCore
@testable import DescentConformance
@testable import DescentLab
@testable import DescentCLI
import DescentJSON

/// A small torch-like file: two rows, its own probe (copy left out, as bench_optax.py does).
let torchBenchFile = """
{
  "format": "descent-bench/1",
  "machine": {"cpu": "test", "source": "torch", "library": "torch 2.15.0"},
  "bandwidth": {"1": {"copy": null, "scale": 30.0, "add": 31.0, "triad": 32.0},
                "2": {"copy": 50.0, "scale": 51.0, "add": 52.0, "triad": 56.0}},
  "results": [
    {"optimizer": "torch/Adam", "implementation": "torch-fused", "dtype": "float32", "size": 16777216,
     "threads": 1, "min_ns": 16777216.0, "median_ns": 17000000.0, "ns_per_param": 1.0,
     "bytes_per_param": 28, "gbps": 28.0, "fraction_of_triad": 0.875},
    {"optimizer": "torch/SGD", "implementation": "torch-forloop", "dtype": "float32", "size": 4096,
     "threads": 2, "min_ns": 2048.0, "median_ns": 2048.0, "ns_per_param": 0.5,
     "bytes_per_param": 12, "gbps": 24.0, "fraction_of_triad": null}
  ]
}
"""

/// The error for `text` with one substitution applied to the good file.
func includeError(_ text: String, file: String = "bad.json") -> BenchIncludeError? {
    do { _ = try BenchInclude.parse(text, file: file); return nil } catch let e as BenchIncludeError { return e } catch {
        Issue.record("unexpected error \(error)"); return nil
    }
}

func replacing(_ a: String, _ b: String) -> String {
    #expect(torchBenchFile.contains(a), "test setup: '\(a)' not in the good file")
    return torchBenchFile.replacingOccurrences(of: a, with: b)
}

@Suite struct BenchIncludeTests {
    @Test func goodFileLoads() throws {
        let inc = try BenchInclude.parse(torchBenchFile, file: "reference/torch.json")
        #expect(inc.source == "torch")   // machine.source, not the file name
        #expect(inc.bandwidth.map(\.threads) == [1, 2])
        #expect(inc.bandwidth[0].triad == 32 && inc.bandwidth[0].copy.isNaN && inc.bandwidth[1].copy == 50)
        #expect(inc.results.count == 2)
        let adam = inc.results[0]
        #expect(adam.optimizer == "torch/Adam" && adam.implementation == "torch-fused" && adam.dtype == .float32)
        #expect(adam.size == 1 << 24 && adam.threads == 1 && adam.bytesPerParam == 28)
        #expect(adam.minNs == 16777216 && adam.medianNs == 17_000_000 && adam.nsPerParam == 1)
        #expect(adam.fractionOfTriad == 0.875)          // kept, not recomputed against another probe
        #expect(adam.stateBytesPerParam == 8 && adam.source == "torch")
        #expect(inc.results[1].fractionOfTriad == nil)
    }

    @Test func sourceFallsBackToTheFileName() throws {
        let inc = try BenchInclude.parse(replacing(#""source": "torch", "#, ""), file: "/tmp/runs/optax-16M.json")
        #expect(inc.source == "optax-16M" && inc.results.allSatisfy { $0.source == "optax-16M" })
    }

    @Test func badFilesNameFileAndField() {
        let cases: [(String, String, String)] = [
            // (text, field, a word of the reason)
            ("{\"format\": ", "(json)", "not JSON"),
            ("[1, 2]", "(top level)", "object"),
            (replacing("descent-bench/1", "descent-fixture/1"), "format", "descent-bench/1"),
            (replacing(#""format": "descent-bench/1","#, ""), "format", "missing"),
            (replacing(#""bandwidth": {"1""#, #""bandwidth": {"one""#), "bandwidth.one", "thread count"),
            (replacing(#""triad": 32.0"#, #""triad": "fast""#), "bandwidth.1.triad", "positive number"),
            (replacing(#", "triad": 56.0"#, ""), "bandwidth.2.triad", "missing"),
            (replacing(#""results": ["#, #""rows": ["#), "results", "missing"),
            (replacing(#""dtype": "float32", "size": 4096"#, #""dtype": "bfloat16", "size": 4096"#), "results[1].dtype", "float32"),
            (replacing(#""min_ns": 2048.0"#, #""min_ns": -1"#), "results[1].min_ns", "positive"),
            (replacing(#""min_ns": 16777216.0, "#, ""), "results[0].min_ns", "missing"),
            (replacing(#""size": 4096"#, #""size": 40.5"#), "results[1].size", "positive integer"),
            (replacing(#""median_ns": 17000000.0"#, #""median_ns": 1.0"#), "results[0].median_ns", "below min_ns"),
            (replacing(#""implementation": "torch-fused""#, #""implementation": 3"#), "results[0].implementation", "string"),
            (replacing(#""fraction_of_triad": 0.875"#, #""fraction_of_triad": "high""#), "results[0].fraction_of_triad", "number"),
        ]
        for (text, field, word) in cases {
            guard let e = includeError(text, file: "runs/bad.json") else {
                Issue.record("accepted a bad file (expected an error at \(field))"); continue
            }
            #expect(e.file == "runs/bad.json")
            #expect(e.field == field, "\(e)")
            #expect(e.reason.contains(word), "\(e)")
            #expect(e.description.hasPrefix("runs/bad.json: \(field): "))
        }
    }

    @Test func missingFileIsAnError() {
        #expect(throws: BenchIncludeError.self) { try BenchInclude.load(path: "/nonexistent/descent-bench.json") }
    }

    @Test func includedRowsJoinTheTables() throws {
        let inc = try BenchInclude.parse(torchBenchFile, file: "torch.json")
        let ours = BenchResult(optimizer: "torch/Adam", implementation: "vectorized", dtype: .float32, size: 1 << 24, threads: 1,
                               minNs: 8_388_608, medianNs: 8_400_000, bytesPerParam: 28, stateBytesPerParam: 8,
                               stateBytesPerTensor: 0, stepperType: "AdamStepper<Float>", fractionOfTriad: 0.9)
        var report = BenchReport(machine: [("cpu", .string("test"))], bandwidth: [BandwidthResult(threads: 1, copy: 1, scale: 1, add: 1, triad: 37)],
                                 results: [ours], skipped: [], memory: [])
        report.included = [inc]
        // Grouped by optimizer, dtype, size, threads: the torch Adam row right after ours.
        #expect(report.allResults.map(\.implementation) == ["vectorized", "torch-fused", "torch-forloop"])
        let md = BenchRender.markdown(report, command: "test")
        #expect(md.contains("| torch/Adam | vectorized | descent | float32 | 16M | 1 |"))
        #expect(md.contains("| torch/Adam | torch-fused | torch | float32 | 16M | 1 |"))
        // Included rows have no same-traffic probe ("-"); their own fraction_of_triad stays in the JSON (below).
        #expect(md.contains("| - | - |"))
        #expect(md.contains("2.00×"))                         // torch-fused time ÷ vectorized time
        #expect(md.contains("### torch: `torch.json`"))
        // JSON: included rows keep their source and can be included again.
        let json = BenchRender.json(report)
        let again = try BenchInclude.parse(json, file: "combined.json")
        #expect(again.results.map { $0.source } == ["combined", "torch", "torch"])
        #expect(again.results[1].fractionOfTriad == 0.875)
    }
}
