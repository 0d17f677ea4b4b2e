// TrainingBenchTests.swift — `descent bench --model`: rows for each implementation, the gemm
// FLOPs counted as they run equal the products of forward and backward pass, the JSON reads back
// through --include, and a bad include file names its field. (No timing assertions: speed is
// measured by the benchmark, not by tests.)
import Foundation
import Testing
@testable import DescentCore
@testable import DescentConformance
@testable import DescentLab
@testable import DescentCLI
import DescentJSON

@Suite struct TrainingBenchTests {
    /// The vector loops the `descent` command runs, installed before the test: a run compared
    /// with another (or with the command's) must not see the choice change halfway.
    init() { _ = installedLoops }

    @Test func rowsCountTheGemmWorkOfAStep() throws {
        let spec = try MLPSpec(sizes: [8, 16, 12, 4], activation: .relu, loss: .crossEntropy)
        let rep = TrainingBench.run(spec: spec, batch: 6, optimizer: Call(convention: "torch", name: "Adam"),
                                    implementations: ["naive", "vectorized"], dtypes: [.float32, .float64], threads: [1, 2], repeats: 2)
        // naive runs at one thread only.
        #expect(rep.rows.map { "\($0.implementation) \($0.dtype.rawValue) \($0.threads)" }
                == ["naive float32 1", "vectorized float32 1", "vectorized float32 2", "naive float64 1", "vectorized float64 1", "vectorized float64 2"])
        // Forward 2·B·d_in·d_out per layer, ∂W the same, ∂X for every layer but the first.
        let b = 6.0
        let expected = 2 * b * (8 * 16 + 16 * 12 + 12 * 4) * 2 + 2 * b * (16 * 12 + 12 * 4)
        for r in rep.rows {
            #expect(r.flopsPerStep == expected)
            #expect(r.minMs > 0 && r.medianMs >= r.minMs)
            #expect(r.stepper.contains("Adam"))
        }
        if BLASEngine.isAvailable {
            #expect(rep.rows.allSatisfy { $0.fractionOfGemm != nil && $0.gemmN == 16 })
        }
    }

    @Test func jsonReadsBackThroughInclude() throws {
        let spec = try MLPSpec(sizes: [4, 8, 3], activation: .tanh, loss: .crossEntropy)
        let rep = TrainingBench.run(spec: spec, batch: 5, optimizer: Call(convention: "torch", name: "SGD", arguments: [("lr", JSON(0.1))]),
                                    implementations: ["vectorized"], dtypes: [.float32], threads: [1], repeats: 2)
        let text = TrainingBench.json(rep)
        let doc = try JSON.parse(text)
        #expect(doc["format"]?.stringValue == "descent-bench/1")
        #expect(doc["results"]?.arrayValue?.isEmpty == true)
        let row = try #require(doc["training"]?.arrayValue?.first)
        for k in ["ms_per_step", "min_ms_per_step", "flops_per_step", "gflops"] { #expect(row[k]?.doubleValue != nil, "\(k)") }
        #expect(row["model"]?.stringValue == "mlp:4,8,3" && row["optimizer"]?.stringValue == "torch/SGD lr=0.1")
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("tb-\(getpid()).json").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try AtomicWrite.write(text, to: path)
        let back = try TrainingBench.include(path: path)
        #expect(back.rows.count == 1 && back.rows[0].model == "mlp:4,8,3" && back.rows[0].implementation == "vectorized")
        #expect(back.rows[0].source == URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent)
        // The plain bench include reads it too (no optimizer-step rows).
        #expect(try BenchInclude.parse(text, file: "x.json").results.isEmpty)

        // Bad files name the field.
        try AtomicWrite.write(text.replacingOccurrences(of: "\"ms_per_step\"", with: "\"ms\""), to: path)
        #expect(throws: BenchIncludeError.self) { try TrainingBench.include(path: path) }
        do { _ = try TrainingBench.include(path: path) } catch let e as BenchIncludeError { #expect(e.field == "training[0].ms_per_step") }
        try AtomicWrite.write(#"{"format": "descent-bench/1", "bandwidth": {}, "results": []}"#, to: path)
        do { _ = try TrainingBench.include(path: path); Issue.record("no error") } catch let e as BenchIncludeError { #expect(e.field == "training") }
    }

    @Test func cliRoutesModelToTheTrainingBench() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("tbcli-\(getpid()).json").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(CLI.main(["bench", "--model", "mlp:4,6,3", "--batch-size", "4", "--implementation", "naive", "--repeat", "1",
                          "--format", "json", "--output", path]) == 0)
        let doc = try JSON.parse(try String(contentsOfFile: path, encoding: .utf8))
        #expect(doc["training"]?.arrayValue?.count == 1)
        #expect(CLI.main(["bench", "--model", "mlp:4", "--repeat", "1"]) == 2)
        #expect(CLI.main(["bench", "--model", "mlp:4,6,3", "--implementation", "nosuch", "--repeat", "1"]) == 2)
        #expect(CLI.main(["bench", "--model", "mlp:4,6,3", "--no-run"]) == 2)
    }
}
