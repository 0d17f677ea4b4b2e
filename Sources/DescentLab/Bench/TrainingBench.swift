// TrainingBench.swift — `descent bench --model mlp:…`: the time of one training step (batch
// forward, loss, backpropagation — every matrix product through the engine's gemm — and the
// optimizer step), the GEMM rate it reaches, and that as a fraction of the BLAS library's own
// GEMM rate measured in the same run.
//
// Method, per (implementation, dtype, threads):
//   • the model of `--model` with the seeded initialisation (MLPSpec.initialParameters(seed: 0)),
//     one batch of `batch` rows (inputs uniform in [0, 1), class targets 0, 1, 2, … cycling),
//     the optimizer built by name through the conventions and the registered implementation
//     (the code `descent verify` checks), all allocated before timing;
//   • a step = model.lossAndGradients(batch) then stepper.step(params, grads, lr): the loop of
//     `descent train`;
//   • 3 untimed warm-up steps; `inner` steps per sample so a sample lasts ≥ 20 ms (from the
//     warm-up's timing); `repeat` samples; ms_per_step = the median sample / inner,
//     min_ms_per_step = the best;
//   • flops_per_step = the engine's gemm calls counted as they run (2·m·n·k each, WorkCounter);
//     gflops = flops_per_step / min time; fraction_of_gemm = gflops / the BLAS library's
//     C ← A·B rate on n×n matrices (n = the widest layer), same dtype and threads, best of 7.
//
// JSON: "descent-bench/1" with the rows in "training" ("results" stays empty, so the file is a
// valid include for plain `descent bench` too). reference/bench/bench_torch_training.py writes
// the same rows for torch; `--include FILE` shows them beside these.
import DescentCore
import DescentJSON
import Dispatch
import Foundation

public struct TrainingBenchRow: Sendable {
    public var model: String
    public var activation: String
    public var loss: String
    public var batchSize: Int
    public var optimizer: String
    public var implementation: String
    public var dtype: DType
    public var threads: Int
    public var medianMs: Double
    public var minMs: Double
    public var flopsPerStep: Double?
    public var fractionOfGemm: Double?
    public var gemmN: Int?
    public var stepper: String = ""
    public var source: String?

    public var gflops: Double? { flopsPerStep.map { $0 / (minMs * 1e6) } }
}

public struct TrainingBenchReport: Sendable {
    package init(machine: [(String, JSON)], rows: [TrainingBenchRow], skipped: [String], gemm: [GemmRate], included: [(file: String, machine: [(String, JSON)], rows: [TrainingBenchRow])] = []) {

        self.machine = machine

        self.rows = rows

        self.skipped = skipped

        self.gemm = gemm

        self.included = included

    }

    public var machine: [(String, JSON)]
    public var rows: [TrainingBenchRow]
    public var skipped: [String]
    public var gemm: [GemmRate]
    public var included: [(file: String, machine: [(String, JSON)], rows: [TrainingBenchRow])] = []
    public var allRows: [TrainingBenchRow] { rows + included.flatMap(\.rows) }
}

public enum TrainingBench {
    public static func run(spec: MLPSpec, batch: Int, optimizer: Call, implementations: [String], dtypes: [DType],
                           threads: [Int], repeats: Int, progress: ((String) -> Void)? = nil) -> TrainingBenchReport {
        var rows: [TrainingBenchRow] = [], skipped: [String] = [], gemm: [GemmRate] = []
        let machine = Bench.machine()
        for dtype in dtypes {
            for name in implementations {
                for t in threads {
                    if name == "naive" && t > 1 { continue }
                    do {
                        var row: TrainingBenchRow
                        switch dtype {
                        case .float64: row = try measure(spec, batch, optimizer, name, Double.self, threads: t, repeats: repeats)
                        case .float32: row = try measure(spec, batch, optimizer, name, Float.self, threads: t, repeats: repeats)
                        }
                        rows.append(row)
                        progress?(String(format: "%@ %@ %@ t=%d: %.3f ms/step (min %.3f), %.2f GFLOP/s", spec.description, name,
                                         dtype.rawValue, t, row.medianMs, row.minMs, row.gflops ?? 0))
                    } catch {
                        let s = "\(name) \(dtype.rawValue) t=\(t): \(error)"
                        if !skipped.contains(s) { skipped.append(s) }
                    }
                }
            }
        }
        if BLASEngine.isAvailable {
            let n = spec.sizes.max()!
            for i in rows.indices where rows[i].gflops != nil {
                let rate: GemmRate
                if let known = gemm.first(where: { $0.dtype == rows[i].dtype && $0.threads == rows[i].threads }) { rate = known } else {
                    progress?("BLAS GEMM rate \(rows[i].dtype.rawValue) \(n)×\(n) t=\(rows[i].threads)")
                    switch rows[i].dtype {
                    case .float64: rate = Bench.gemmRate(Double.self, n: n, threads: rows[i].threads)
                    case .float32: rate = Bench.gemmRate(Float.self, n: n, threads: rows[i].threads)
                    }
                    gemm.append(rate)
                }
                rows[i].fractionOfGemm = rows[i].gflops! / rate.gflops
                rows[i].gemmN = n
            }
        }
        return TrainingBenchReport(machine: machine, rows: rows, skipped: skipped, gemm: gemm)
    }

    package static func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

    package static func measure<T: DescentFloat>(_ spec: MLPSpec, _ batch: Int, _ optimizer: Call, _ name: String, _: T.Type,
                                         threads: Int, repeats: Int) throws -> TrainingBenchRow {
        let counter = WorkCounter()
        let impl = try Trainer.engineImplementation(name, threads: threads, counter: counter)
        let opt = try Conventions.optimizer(convention: optimizer.convention, name: optimizer.name, hyperparameters: optimizer.json)
        let box = try impl.stepper(opt, T.self, shapes: spec.parameterShapes)
        if box.needsObjective { throw DescentError.unsupported("\(optimizer.label) needs the objective several times per step (closed loop)") }
        var rng = SplitMix64(seed: 1)
        let inputs = (0..<batch * spec.inputWidth).map { _ in rng.unit() }
        let targets: [Double]
        switch spec.loss {
        case .crossEntropy: targets = (0..<batch).map { Double($0 % spec.outputWidth) }
        case .binaryCrossEntropy: targets = (0..<batch).map { Double($0 % 2) }
        case .mse: targets = (0..<batch * spec.outputWidth).map { _ in rng.unit() }
        }
        let data = try TrainingData<T>(spec: spec, inputs: inputs, targets: targets, count: batch)
        let model = MLP<T>(spec, engine: impl.engine)
        let params: [Buffer<T>] = spec.initialParameters(T.self, seed: 0)
        let grads = model.makeGradients()
        let rows = Array(0..<batch), lr = opt.lr
        func step() {
            model.lossAndGradients(params: params, data: data, rows: rows, into: grads)
            box.step(params, grads, lr)
        }
        let w0 = now()
        for _ in 0..<3 { step() }
        let warm = Double(now() - w0) / 3
        let inner = max(1, Int((20e6 / max(warm, 1)).rounded(.up)))
        var samples: [Double] = []
        let f0 = counter.gemmFlops.load(ordering: .relaxed)
        for _ in 0..<max(1, repeats) {
            let t0 = now()
            for _ in 0..<inner { step() }
            samples.append(Double(now() - t0) / Double(inner))
        }
        let flops = Double(counter.gemmFlops.load(ordering: .relaxed) - f0) / Double(max(1, repeats) * inner)
        samples.sort()
        return TrainingBenchRow(model: "mlp:" + spec.sizes.map(String.init).joined(separator: ","),
                                activation: spec.activation?.rawValue ?? "none", loss: spec.loss.rawValue, batchSize: batch,
                                optimizer: optimizer.label, implementation: name, dtype: T.dtype, threads: threads,
                                medianMs: samples[samples.count / 2] / 1e6, minMs: samples[0] / 1e6,
                                flopsPerStep: flops > 0 ? flops : nil, stepper: box.typeName)
    }

    // MARK: Reports

    package static func r(_ x: Double, _ d: Int) -> Double { BenchRender.r(x, d) }

    package static func rowJSON(_ x: TrainingBenchRow) -> JSON {
        .object([
            ("model", .string(x.model)), ("activation", .string(x.activation)), ("loss", .string(x.loss)),
            ("batch_size", JSON(x.batchSize)), ("optimizer", .string(x.optimizer)), ("implementation", .string(x.implementation)),
            ("dtype", .string(x.dtype.rawValue)), ("threads", JSON(x.threads)),
            ("ms_per_step", JSON(r(x.medianMs, 5))), ("min_ms_per_step", JSON(r(x.minMs, 5))),
            ("flops_per_step", x.flopsPerStep.map { JSON(r($0, 0)) } ?? .null),
            ("gflops", x.gflops.map { JSON(r($0, 3)) } ?? .null),
            ("fraction_of_gemm", x.fractionOfGemm.map { JSON(r($0, 4)) } ?? .null),
        ] + (x.gemmN.map { [("gemm_n", JSON($0))] } ?? []) + (x.stepper.isEmpty ? [] : [("stepper", JSON.string(x.stepper))])
          + (x.source.map { [("source", JSON.string($0))] } ?? []))
    }

    public static func json(_ rep: TrainingBenchReport) -> String {
        var doc: [(String, JSON)] = [
            ("format", .string("descent-bench/1")), ("machine", .object(rep.machine)), ("bandwidth", .object([])),
            ("results", .array([])), ("training", .array(rep.allRows.map(rowJSON))),
        ]
        if !rep.gemm.isEmpty {
            doc.append(("gemm", .array(rep.gemm.map { g in
                .object([("dtype", .string(g.dtype.rawValue)), ("n", JSON(g.n)), ("threads", JSON(g.threads)), ("gflops", JSON(r(g.gflops, 3)))])
            })))
        }
        if !rep.skipped.isEmpty { doc.append(("skipped", .array(rep.skipped.map { .string($0) }))) }
        if !rep.included.isEmpty {
            doc.append(("included", .array(rep.included.map { .object([("file", .string($0.file)), ("machine", .object($0.machine))]) })))
        }
        return JSON.object(doc).serialized(pretty: true) + "\n"
    }

    /// Reads the "training" rows of a descent-bench/1 file (reference/bench/bench_torch_training.py).
    public static func include(path: String) throws -> (file: String, machine: [(String, JSON)], rows: [TrainingBenchRow]) {
        func fail(_ field: String, _ reason: String) -> BenchIncludeError { BenchIncludeError(file: path, field: field, reason: reason) }
        guard let data = FileManager.default.contents(atPath: path) else { throw fail("(file)", "cannot read (no such file, or not readable)") }
        let doc: JSON
        do { doc = try JSON.parse(String(decoding: data, as: UTF8.self)) } catch { throw fail("(json)", "not JSON: \(error)") }
        guard doc["format"]?.stringValue == "descent-bench/1" else { throw fail("format", "expected \"descent-bench/1\"") }
        let machine = doc["machine"]?.objectValue ?? []
        let source = machine.first(where: { $0.0 == "source" })?.1.stringValue ?? URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
        guard let rows = doc["training"]?.arrayValue else { throw fail("training", "missing: no training-step rows in this file") }
        return (path, machine, try rows.enumerated().map { i, row in
            let at = "training[\(i)]"
            func str(_ k: String) throws -> String {
                guard let s = row[k]?.stringValue, !s.isEmpty else { throw fail("\(at).\(k)", "expected a non-empty string") }
                return s
            }
            func int(_ k: String) throws -> Int {
                guard let n = row[k]?.intValue, n >= 1 else { throw fail("\(at).\(k)", "expected a positive integer") }
                return n
            }
            func ms(_ k: String) throws -> Double {
                guard let d = row[k]?.doubleValue, d.isFinite, d > 0 else { throw fail("\(at).\(k)", "expected a positive number of milliseconds") }
                return d
            }
            guard let dtype = DType(rawValue: try str("dtype")) else { throw fail("\(at).dtype", "expected float32 or float64") }
            let median = try ms("ms_per_step"), best = try ms("min_ms_per_step")
            guard median >= best else { throw fail("\(at).ms_per_step", "is below min_ms_per_step") }
            var x = TrainingBenchRow(model: try str("model"), activation: try str("activation"), loss: try str("loss"),
                                     batchSize: try int("batch_size"), optimizer: try str("optimizer"),
                                     implementation: try str("implementation"), dtype: dtype, threads: try int("threads"),
                                     medianMs: median, minMs: best, flopsPerStep: row["flops_per_step"]?.doubleValue,
                                     fractionOfGemm: row["fraction_of_gemm"]?.doubleValue)
            x.source = row["source"]?.stringValue ?? source
            return x
        })
    }

    public static func table(_ rep: TrainingBenchReport, markdown: Bool) -> String {
        let all = rep.allRows
        // Ratio against the torch row of the same dtype and threads, when one is included.
        func torch(_ x: TrainingBenchRow) -> TrainingBenchRow? {
            all.first { $0.source != nil && $0.source!.hasPrefix("torch") && $0.dtype == x.dtype && $0.threads == x.threads && $0.model == x.model }
        }
        let rows: [[String]] = all.map { x in
            let t = torch(x)
            return [x.model + " " + x.activation, String(x.batchSize), x.optimizer, x.source.map { "\($0): \(x.implementation)" } ?? x.implementation,
                    x.dtype.rawValue, String(x.threads), String(format: "%.3f", x.medianMs), String(format: "%.3f", x.minMs),
                    x.gflops.map { String(format: "%.2f", $0) } ?? "—", x.fractionOfGemm.map { String(format: "%.0f %%", 100 * $0) } ?? "—",
                    t.map { x.source == nil ? String(format: "%.2f× / %.2f×", $0.minMs / x.minMs, $0.medianMs / x.medianMs) : "" } ?? ""]
        }
        return BenchRender.table(["model", "batch", "optimizer", "implementation", "dtype", "threads", "ms/step (median)", "min ms/step",
                                  "GFLOP/s (best)", "of BLAS GEMM", "torch time ÷ ours (min / median)"],
                                 rows, markdown: markdown, rightAlign: [1, 5, 6, 7, 8, 9, 10])
    }

    public static func text(_ rep: TrainingBenchReport, markdown: Bool, command: String) -> String {
        var o = markdown ? "# Training-step benchmark\n\n```\n\(command)\n```\n\n" : ""
        o += BenchRender.machineLines(rep.machine).map { markdown ? "- \($0)" : $0 }.joined(separator: "\n") + "\n\n"
        o += table(rep, markdown: markdown)
        if !rep.gemm.isEmpty {
            o += "\nBLAS GEMM (C ← A·B, n×n, best of 7): " + rep.gemm.map {
                String(format: "%@ n=%d t=%d: %.2f GFLOP/s", $0.dtype.rawValue, $0.n, $0.threads, $0.gflops)
            }.joined(separator: "; ") + "\n"
        }
        for s in rep.skipped { o += "skipped: \(s)\n" }
        return o
    }
}

