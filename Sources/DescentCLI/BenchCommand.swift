// BenchCommand.swift — `descent bench`: options, then Bench.run and a report.
import DescentConformance
import DescentLab
import DescentCore
import Foundation

extension CLI {
    package static let benchUsage = """
    descent bench [options]

    Times optimizer steps on the registered implementations (the code `descent verify` checks:
    Conventions.optimizer → Implementation.stepper), with a STREAM-style bandwidth probe
    (copy, scale, add, triad at 1 and N threads) in the same run. Reports per step the min and
    median time, ns/param, bytes moved per param, GB/s and the fraction of triad bandwidth, and
    the optimizers' state bytes per parameter. Build with -c release for meaningful numbers.

    OPTIONS
      --optimizer NAME|all       e.g. torch/Adam, torch/AdamW, torch/SGD, torch/SGD+momentum,
                                 optax/adam, or any convention/Name; repeatable
                                 (default: torch/SGD, torch/SGD+momentum, torch/Adam, torch/AdamW)
      --implementation NAME|all  naive, vectorized, blas (default: all available); repeatable
      --size N                   parameters per tensor, K/M suffixes, comma lists; repeatable
                                 (default: 4K,64K,1M,16M)
      --shapes MODEL|FILE        time a real model's parameter list instead of one tensor:
                                 gpt2 (148 tensors, 124.4M), resnet50 (161, 25.6M), bert-base
                                 (199, 109.5M), or a file with one shape per line (768x2304);
                                 repeatable; rows are over the model's total parameter count
      --gemm N[,N...]            instead of optimizer steps: the vectorized engine's n×n
                                 C ← A·B against BLAS's, alternating samples (--repeat rounds)
      --dtype float32|float64|all  (default: all)
      --threads N                threads per step; repeatable (default: 1)
      --repeat K                 timed samples per result (default: 10)
      --probe-count N            bandwidth probe length in float64 elements (default: 4× the
                                 last-level cache, at least 4M)
      --threshold N              the vectorized engine's parallel threshold, in work =
                                 elements × (1 + state slots) (default: measured,
                                 \(VectorizedEngine.parallelThresholdDescription))
      --format text|json|markdown  (default: text); json is "descent-bench/1"
      --output FILE              write the report to FILE atomically
      --results DIR              also write DIR/bench.md and DIR/bench.json (atomically)
      --include FILE...          put the rows of other descent-bench/1 files (another run, or
                                 reference/bench/bench_torch.py, bench_optax.py) into the same
                                 tables, marked with their source; each keeps its own
                                 fraction of triad (against its own run's probe). Repeatable;
                                 further file names may follow it. A bad file: exit status 2
      --no-run                   with --include: measure nothing, only show the included files
      --baseline BENCH.json      a bench gate: compare with a stored `--format json` run by the
                                 machine-normalised figures (fraction of GEMM peak, else of the
                                 triad bandwidth), not by absolute times; a regression prints a
                                 table and exits 1
      --max-regression PCT       the largest drop allowed against --baseline (default 10%)
      --quick                    the main job's short bench: writes results/bench-short.md and
                                 results/bench-short.json, prints the markdown

    TRAINING STEP (Bench/TrainingBench.swift)
      --model mlp:D0,…,DL        time one training step instead (batch forward, loss, backprop
                                 through the engine's gemm, optimizer step): ms_per_step (median),
                                 min_ms_per_step, GFLOP/s of the counted gemm calls, fraction of
                                 BLAS's own n×n GEMM rate. With --activation (relu), --loss
                                 (cross_entropy), --batch-size (128), --optimizer (torch/Adam) and
                                 --hp NAME=VALUE, --implementation, --dtype, --threads N[,M],
                                 --repeat, --format, --output, --include FILE (training rows of
                                 reference/bench/bench_torch_training.py), --no-run
    """

    package static func parseSize(_ s: String) throws -> Int {
        let t = s.trimmingCharacters(in: .whitespaces).uppercased()
        let mult = t.hasSuffix("K") ? 1 << 10 : t.hasSuffix("M") ? 1 << 20 : 1
        guard let v = Int(mult == 1 ? t : String(t.dropLast())), v > 0 else {
            throw UsageError(message: "--size: '\(s)' is not a positive count (e.g. 4096, 64K, 16M)")
        }
        return v * mult
    }

    package static func bench(_ argv: [String]) throws -> Int32 {
        if argv.contains(where: { $0 == "--model" || $0.hasPrefix("--model=") }) { return try trainingBench(argv) }
        let a = try Arguments(argv, valued: ["optimizer", "implementation", "size", "shapes", "gemm", "probe-count", "dtype", "threads", "repeat",
                                             "threshold", "format", "output", "results", "include", "baseline", "max-regression"],
                                flagNames: ["help", "quick", "no-run"])
        if a.flag("help") { print(benchUsage); return 0 }
        // `--include A.json B.json`: file names after --include are included files too.
        let includePaths = a.values("include").isEmpty ? [] : a.values("include") + a.positional
        if includePaths.isEmpty, !a.positional.isEmpty { throw UsageError(message: "unexpected argument '\(a.positional[0])'") }
        if a.flag("no-run"), includePaths.isEmpty { throw UsageError(message: "--no-run needs --include FILE") }
        let included = try includePaths.map { path in
            do { return try BenchInclude.load(path: path) } catch let e as BenchIncludeError {
                throw InputError(message: "--include \(e.description)")
            }
        }
        // The bench gate: read the baseline before measuring anything (a bad file: exit 2).
        let baseline = try a.value("baseline").map { path in
            do { return try BenchBaseline.load(path: path) } catch let e as BenchIncludeError {
                throw InputError(message: "--baseline \(e.description)")
            }
        }
        let maxRegression = try BenchBaseline.parsePercent(a.value("max-regression") ?? "10%")
        if a.value("max-regression") != nil && baseline == nil { throw UsageError(message: "--max-regression needs --baseline BENCH.json") }
        if let t = a.value("threshold") {
            guard let v = Int(t), v > 0 else { throw UsageError(message: "--threshold must be a positive count") }
            VectorizedEngine.parallelThreshold = v
        }
        if a.flag("quick") {
            print(try Bench.quick(), terminator: "")
            print("wrote results/bench.md, results/bench.json")
            return 0
        }
        let optNames = a.values("optimizer").isEmpty ? BenchOptimizer.defaults : a.values("optimizer")
        let optimizers: [BenchOptimizer] = try optNames.contains("all") ? BenchOptimizer.catalog : optNames.map { n in
            guard let o = BenchOptimizer.named(n) else {
                throw UsageError(message: "unknown optimizer '\(n)' (use convention/Name, e.g. \(BenchOptimizer.catalog.map(\.label).joined(separator: ", ")))")
            }
            return o
        }
        let implementations = try selectedImplementations(a).map(\.name)
        let sizes = try a.values("size").flatMap { $0.split(separator: ",").map(String.init) }.map(parseSize)
        let threads = try a.values("threads").map { t -> Int in
            guard let v = Int(t), v >= 1 else { throw UsageError(message: "--threads must be a positive count") }
            return v
        }
        let repeats = try a.value("repeat").map { r -> Int in
            guard let v = Int(r), v >= 1 else { throw UsageError(message: "--repeat must be a positive count") }
            return v
        } ?? 10
        let format = try a.choice("format", ["text", "json", "markdown"], default: "text")
        if !a.values("gemm").isEmpty {
            let gemmSizes = try a.values("gemm").flatMap { $0.split(separator: ",").map(String.init) }.map(parseSize)
            let rows = BenchGemm.run(sizes: gemmSizes, dtypes: try selectedDTypes(a), threads: threads.isEmpty ? [1] : threads,
                                     rounds: repeats) { stderr($0) }
            try emit(BenchGemm.table(rows, markdown: format == "markdown"), output: a.value("output"))
            return 0
        }
        let models = try a.values("shapes").map { s -> ModelShapes in
            do { return try ModelShapes.load(s) } catch let e as ShapesError { throw InputError(message: e.message) }
        }
        if !models.isEmpty, !sizes.isEmpty { throw UsageError(message: "--shapes and --size: give one or the other") }
        var cfg = BenchConfiguration(optimizers: optimizers, implementations: implementations, dtypes: try selectedDTypes(a),
                                     sizes: sizes.isEmpty ? BenchConfiguration.defaultSizes : sizes,
                                     threads: threads.isEmpty ? [1] : threads, repeats: repeats)
        cfg.models = models
        if let s = a.value("probe-count") {
            guard let v = Int(s), v >= 1024 else { throw UsageError(message: "--probe-count must be a count ≥ 1024") }
            cfg.probeCount = v
        }
        var report: BenchReport
        if a.flag("no-run") {
            report = BenchReport(machine: [], bandwidth: [], results: [], skipped: [], memory: [])
        } else {
            if Bench.buildConfiguration == "debug" { stderr("descent bench: debug build — times are not meaningful; use swift build -c release") }
            report = Bench.run(cfg) { stderr($0) }
        }
        report.included = included
        let command = "descent bench " + argv.joined(separator: " ")
        let text: String
        switch format {
        case "json": text = BenchRender.json(report)
        case "markdown": text = BenchRender.markdown(report, command: command)
        default: text = BenchRender.text(report)
        }
        try emit(text, output: a.value("output"))
        if let dir = a.value("results") {
            try AtomicWrite.write(BenchRender.markdown(report, command: command), to: "\(dir)/bench.md")
            try AtomicWrite.write(BenchRender.json(report), to: "\(dir)/bench.json")
            stderr("wrote \(dir)/bench.md, \(dir)/bench.json")
        }
        if let baseline {
            let rows = BenchBaseline.compare(report, baseline: baseline)
            let table = BenchBaseline.table(rows, maxRegression: maxRegression)
            if a.value("output") == nil && format == "text" { print(table, terminator: "") } else { stderr(table) }
            if rows.isEmpty { throw InputError(message: "--baseline: no row of this run is in the baseline (same optimizer, implementation, dtype, size and threads)") }
            if rows.contains(where: { $0.drop > maxRegression }) { return 1 }
        }
        return report.results.isEmpty && included.allSatisfy(\.results.isEmpty) ? 1 : 0
    }
}

extension CLI {
    /// `descent bench --model mlp:…` (BenchCommand.swift hands over when --model is given).
    package static func trainingBench(_ argv: [String]) throws -> Int32 {
        let a = try Arguments(argv, valued: ["model", "activation", "loss", "batch-size", "optimizer", "hp", "implementation", "dtype",
                                             "threads", "repeat", "format", "output", "include"], flagNames: ["help", "no-run"])
        if a.flag("help") { print(benchUsage); return 0 }
        let includes = a.values("include").isEmpty ? [] : a.values("include") + a.positional
        if includes.isEmpty, let p = a.positional.first { throw ConfigurationError(message: "unexpected argument '\(p)'") }
        let sizes = try TrainConfig.parseModel(a.value("model") ?? "mlp:64,256,256,10")
        let activation = Activation(rawValue: try a.choice("activation", Activation.allCases.map(\.rawValue), default: "relu"))!
        let loss = Loss(rawValue: try a.choice("loss", Loss.allCases.map(\.rawValue), default: "cross_entropy"))!
        let spec: MLPSpec
        do { spec = try MLPSpec(sizes: sizes, activation: sizes.count > 2 ? activation : nil, loss: loss) } catch let e as DescentError {
            throw ConfigurationError(message: "--model: \(e.description)")
        }
        let batch = try positiveInt(a, "batch-size") ?? 128
        var optimizer = try Call.parse(a.value("optimizer") ?? "torch/Adam", what: "--optimizer")
        optimizer.arguments = try a.values("hp").map { try Call.argument($0, what: "--hp") }
        let names = a.values("implementation")
        let implementations = names.isEmpty || names.contains("all")
            ? Implementations.all.filter { $0.availability == .available }.map(\.name) : names
        for n in implementations where Implementations.named(n) == nil {
            throw ConfigurationError(message: "unknown implementation '\(n)' (known: \(Implementations.all.map(\.name).joined(separator: ", ")))")
        }
        let threads = try a.values("threads").flatMap { $0.split(separator: ",") }.map { t -> Int in
            guard let v = Int(t), v >= 1 else { throw ConfigurationError(message: "--threads must be a positive count") }
            return v
        }
        let repeats = try positiveInt(a, "repeat") ?? 15
        let format = try a.choice("format", ["text", "json", "markdown"], default: "text")
        var report: TrainingBenchReport
        if a.flag("no-run") {
            guard !includes.isEmpty else { throw ConfigurationError(message: "--no-run needs --include FILE") }
            report = TrainingBenchReport(machine: [], rows: [], skipped: [], gemm: [])
        } else {
            if Bench.buildConfiguration == "debug" { stderr("descent bench: debug build — times are not meaningful; use swift build -c release") }
            report = TrainingBench.run(spec: spec, batch: batch, optimizer: optimizer, implementations: implementations,
                                       dtypes: a.value("dtype") == nil ? [.float32] : try selectedDTypes(a), threads: threads.isEmpty ? [1] : threads, repeats: repeats) { stderr($0) }
        }
        do { report.included = try includes.map(TrainingBench.include) } catch let e as BenchIncludeError {
            throw LabInputError(message: "--include \(e.description)")
        }
        let command = "descent bench " + argv.joined(separator: " ")
        let text: String
        switch format {
        case "json": text = TrainingBench.json(report)
        case "markdown": text = TrainingBench.text(report, markdown: true, command: command)
        default: text = TrainingBench.text(report, markdown: false, command: command)
        }
        try emit(text, output: a.value("output"))
        for s in report.skipped { stderr("skipped: \(s)") }
        return report.allRows.isEmpty ? 1 : 0
    }
}
