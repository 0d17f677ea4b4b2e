// BenchCommand.swift — `descent bench`: options, then Bench.run and a report.
import DescentConformance
import DescentLab
import DescentCore
import DescentJSON
import Foundation

extension CLI {
    /// Every `--name` value as a count ≥ 1 (repeatable; with `lists`, each may be a comma list).
    static func positiveCounts(_ a: Arguments, _ name: String, lists: Bool = false) throws -> [Int] {
        let words = lists ? a.values(name).flatMap { $0.split(separator: ",").map(String.init) } : a.values(name)
        return try words.map { t in
            guard let v = Int(t), v >= 1 else { throw UsageError(message: "--\(name) must be a positive count") }
            return v
        }
    }

    /// The last `--name` value as a count ≥ 1, or nil when not given.
    static func positiveCount(_ a: Arguments, _ name: String) throws -> Int? {
        try a.value(name).map { r in
            guard let v = Int(r), v >= 1 else { throw UsageError(message: "--\(name) must be a positive count") }
            return v
        }
    }

    package static let benchUsage = """
    descent bench [optimizers] [options]     optimizer steps against a same-traffic probe (the default)
    descent bench training [options]         time one training step of an MLP
    descent bench gemm [N[,N...]] [options]  the vectorized engine's GEMM against BLAS's

    The mode is the first word; without one, `--model` chooses training and `--gemm` chooses gemm
    (the older spelling), else optimizers. Build with -c release for meaningful numbers (a debug
    build says so on stderr). --format defaults to the one --output's extension names (.json → json,
    .md → markdown), else text.

    OPTIMIZERS: descent bench [optimizers] [options]
    Times optimizer steps on the registered implementations (the code `descent verify` checks:
    Conventions.optimizer → Implementation.stepper), each beside a same-traffic probe: buffers of
    the sizes the optimizer reads and writes (p, g, its state), streamed in place with trivial
    arithmetic by the widest vector loops at the same threads, samples alternating with the
    step's. Reports per step the min and median time, ns/param, bytes moved per param, GB/s, the
    probe's time and of_memory_limit = probe ÷ step ("in cache" when the working set fits in the
    last-level cache), the optimizers' state bytes per parameter, a STREAM-style bandwidth table
    (copy, scale, add, triad; a machine description) and the BLAS library and core that ran.
    Progress goes to stderr. Unknown optimizer or implementation names are rejected (exit
    status 2) before anything is measured.
      --optimizer NAME|all       e.g. torch/Adam, torch/AdamW, torch/SGD, torch/SGD+momentum,
                                 optax/adam, or any convention/Name; repeatable
                                 (default: torch/SGD, torch/SGD+momentum, torch/Adam, torch/AdamW;
                                 all: the \(BenchOptimizer.catalog.count) of the bench's catalog)
      --implementation NAME|all  \(Implementations.all.map(\.name).joined(separator: ", "))
                                 (default: all available); repeatable
      --size N                   parameters per tensor, K/M suffixes, comma lists; repeatable
                                 (default: 4K,64K,1M,16M)
      --shapes MODEL|FILE        time a real model's parameter list instead of one tensor:
                                 gpt2 (148 tensors, 124.4M), resnet50 (161, 25.6M), bert-base
                                 (199, 109.5M), vit-b-16 (152, 86.6M; torchvision vit_b_16),
                                 or a file with one shape per line (768x2304);
                                 repeatable; rows are over the model's total parameter count
      --dtype float32|float64|all  (default: all)
      --threads N                threads per step; repeatable (default: 1)
      --repeat K                 timed samples per result (default: 10)
      --probe-count N            STREAM table's array length in float64 elements (default: 4×
                                 the last-level cache, from 4M to 16M)
      --threshold N              the vectorized engine's parallel threshold, in work =
                                 elements × (1 + state slots) (default: measured,
                                 \(VectorizedEngine.parallelThresholdDescription))
      --format text|json|markdown  json is "descent-bench/1"
      --output FILE              write the report to FILE atomically
      --results DIR              also write DIR/bench.md and DIR/bench.json (atomically)
      --include FILE...          put the rows of other descent-bench/1 files (another run, or
                                 reference/bench/bench_torch.py, bench_optax.py) into the same
                                 tables, marked with their source; each keeps its own
                                 fraction of triad (against its own run's probe). Repeatable;
                                 further file names may follow it. A bad file: exit status 2
      --no-run                   with --include: measure nothing, only show the included files
      --baseline BENCH.json      a bench gate: compare with a stored `--format json` run by the
                                 machine-normalised figures (fraction of GEMM peak, else
                                 of_memory_limit, else of the triad bandwidth), not by absolute
                                 times; a regression prints a table and exits 1
      --max-regression PCT       the largest drop allowed against --baseline (default 10%)
      --quick                    the main job's short bench (torch/Adam and torch/SGD, float32,
                                 64K and 4M, 1 thread; a few seconds): prints the markdown and
                                 writes results/bench-short.md and bench-short.json
                                 (--results DIR: there)

    TRAINING: descent bench training [options]   (or descent bench --model …)
    Times one training step (batch forward, loss, backprop through the engine's gemm, optimizer
    step): ms_per_step (median), min_ms_per_step, GFLOP/s of the counted gemm calls, fraction of
    BLAS's own n×n GEMM rate.
      --model mlp:D0,…,DL        layer sizes (default: mlp:64,256,256,10)
      --activation sigmoid|tanh|relu  (default: relu)    --loss NAME  (default: cross_entropy)
      --batch-size N             (default: 128)
      --optimizer CONV/NAME      (default: torch/Adam), with --hp NAME=VALUE (repeatable)
      --implementation NAME|all  (default: all available); repeatable
      --dtype float32|float64|all  (default: float32)
      --threads N[,M]            (default: 1)         --repeat K  (default: 15)
      --format, --output         as above; json has the rows under "training"
      --include FILE...          training rows of reference/bench/bench_torch_training.py
      --no-run                   with --include: measure nothing

    GEMM: descent bench gemm [N[,N...]] [options]   (or descent bench --gemm N[,N...])
    The vectorized engine's n×n C ← A·B against BLAS's, alternating samples so both see the same
    machine load; the best sample of each is kept. Reports GFLOP/s (best / median) and the ratio.
      N[,N...]                   matrix sides, K suffix allowed; repeatable (default: 256,512,1024)
      --dtype float32|float64|all  (default: all)   --threads N (repeatable, default 1)
      --repeat K                 alternating rounds (default: 10)
      --threshold N              as above
      --format text|json|markdown  json is "descent-bench-gemm/1"     --output FILE

    Exit status: 0 measured (or shown), 1 nothing measured (every combination skipped) or a
    regression against --baseline, 2 unusable input (an unknown name, a bad file).
    """

    package static let benchOptimizersValued: Set<String> = ["optimizer", "implementation", "size", "shapes", "probe-count", "dtype", "threads",
                                                             "repeat", "threshold", "format", "output", "results", "include", "baseline",
                                                             "max-regression"]
    package static let benchOptimizersFlags: Set<String> = ["quick", "no-run"]
    package static let benchTrainingValued: Set<String> = ["model", "activation", "loss", "batch-size", "optimizer", "hp", "implementation",
                                                           "dtype", "threads", "repeat", "format", "output", "include"]
    package static let benchGemmValued: Set<String> = ["gemm", "dtype", "threads", "repeat", "threshold", "format", "output"]

    /// `descent bench [optimizers|training|gemm]`: without a mode word, the older spelling chooses
    /// (--model: training, --gemm: gemm, else optimizers) from the parsed options.
    package static var benchCommand: Command {
        let optimizers = Command("optimizers", synopsis: "bench optimizers", abstract: "time optimizer steps against a same-traffic memory probe",
                                 usage: benchUsage, valued: benchOptimizersValued, flags: benchOptimizersFlags, run: bench)
        let training = Command("training", synopsis: "bench training", abstract: "time one training step of an MLP",
                               usage: benchUsage, valued: benchTrainingValued, flags: ["no-run"], run: trainingBench)
        let gemm = Command("gemm", synopsis: "bench gemm [N,...]", abstract: "the vectorized engine's GEMM against BLAS's",
                           usage: benchUsage, valued: benchGemmValued, run: gemmBench)
        let modes = [optimizers, training, gemm]
        return Command("bench", synopsis: "bench [optimizers|training|gemm]",
                       abstract: "time optimizer steps against a same-traffic memory probe (optimizers, the default), a training step, or GEMM against BLAS",
                       usage: benchUsage, valued: modes.reduce(Set()) { $0.union($1.valued) },
                       flags: modes.reduce(Set()) { $0.union($1.flags) }, modes: modes) { a in
            let (mode, why): (Command, String) = a.value("model") != nil ? (training, "--model")
                : !a.values("gemm").isEmpty ? (gemm, "--gemm") : (optimizers, "")
            if let stray = a.givenOptions.first(where: { !mode.valued.contains($0) && !mode.flags.contains($0) }) {
                let owner = modes.first { $0.valued.contains(stray) || $0.flags.contains(stray) }?.name ?? "?"
                throw UsageError(message: "--\(stray) is an option of `descent bench \(owner)`, not of `descent bench \(mode.name)`"
                                 + (why.isEmpty ? "" : " (which \(why) chose)"))
            }
            return try mode.run(a)
        }
    }

    package static func parseSize(_ s: String) throws -> Int {
        let t = s.trimmingCharacters(in: .whitespaces).uppercased()
        let mult = t.hasSuffix("K") ? 1 << 10 : t.hasSuffix("M") ? 1 << 20 : 1
        guard let v = Int(mult == 1 ? t : String(t.dropLast())), v > 0 else {
            throw UsageError(message: "--size: '\(s)' is not a positive count (e.g. 4096, 64K, 16M)")
        }
        return v * mult
    }

    /// `descent bench optimizers` (the default mode).
    package static func bench(_ a: Arguments) throws -> Int32 {
        // `--include A.json B.json`: file names after --include are included files too.
        let includePaths = a.values("include").isEmpty ? [] : a.values("include") + a.positional
        if includePaths.isEmpty, let p = a.positional.first {
            throw UsageError(message: "unexpected argument '\(p)'" + Suggest.didYouMean(p, among: ["optimizers", "training", "gemm"])
                             + " (a mode comes first: `descent bench optimizers|training|gemm …`)")
        }
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
        try setThreshold(a)
        if a.flag("quick") {
            let dir = a.value("results") ?? "results"
            print(try Bench.quick(resultsDir: dir) { stderr($0) }, terminator: "")
            print("wrote \(dir)/bench-short.md, \(dir)/bench-short.json")
            return 0
        }
        let optNames = a.values("optimizer").isEmpty ? BenchOptimizer.defaults : a.values("optimizer")
        let optimizers: [BenchOptimizer] = try optNames.contains("all") ? BenchOptimizer.catalog : optNames.map(benchOptimizer)
        let implementations = try selectedImplementations(a).map(\.name)
        let sizes = try a.values("size").flatMap { $0.split(separator: ",").map(String.init) }.map(parseSize)
        let threads = try positiveCounts(a, "threads")
        let repeats = try positiveCount(a, "repeat") ?? 10
        let format = try a.outputFormat(["text", "json", "markdown"])
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
        let command = "descent bench " + a.raw.joined(separator: " ")
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
    /// `--threshold N`: the vectorized engine's parallel threshold for this run.
    package static func setThreshold(_ a: Arguments) throws {
        if let t = a.value("threshold") {
            guard let v = Int(t), v > 0 else { throw UsageError(message: "--threshold must be a positive count") }
            VectorizedEngine.parallelThreshold = v
        }
    }

    /// A bench optimizer by name, checked before anything is measured: the name must be one the
    /// convention implements, with hyperparameters it accepts (else exit status 2).
    package static func benchOptimizer(_ n: String) throws -> BenchOptimizer {
        let labels = BenchOptimizer.catalog.map(\.label)
        guard let o = BenchOptimizer.named(n) else {
            throw UsageError(message: "unknown optimizer '\(n)'" + Suggest.didYouMean(n, among: labels)
                             + " (use convention/Name, e.g. \(labels.joined(separator: ", ")))")
        }
        try checkOptimizer(convention: o.convention, name: o.name, hyperparameters: o.hyperparameters.map { try JSON.parse($0) },
                           what: "--optimizer '\(n)'", near: labels)
        return o
    }

    /// Builds the optimizer's specification once (no measuring): an unknown name or a bad
    /// hyperparameter is an InputError naming `what`, with the nearest of `near` when the
    /// convention's own message suggests nothing.
    package static func checkOptimizer(convention: String, name: String, hyperparameters: JSON?, what: String, near: [String] = []) throws {
        do { _ = try Conventions.optimizer(convention: convention, name: name, hyperparameters: hyperparameters) } catch let e as DescentError {
            let message = e.description
            let hint = message.contains("did you mean") ? "" : Suggest.didYouMean("\(convention)/\(name)", among: near)
            throw InputError(message: "\(what): \(message)\(hint)")
        }
    }

    /// `descent bench gemm [N[,N...]]` (or `descent bench --gemm N[,N...]`).
    package static func gemmBench(_ a: Arguments) throws -> Int32 {
        let words = a.values("gemm") + a.positional
        let sizes = words.isEmpty ? [256, 512, 1024] : try words.flatMap { $0.split(separator: ",").map(String.init) }.map { w in
            do { return try parseSize(w) } catch { throw UsageError(message: "bench gemm: '\(w)' is not a positive matrix side (e.g. 256, 1K)") }
        }
        let threads = try positiveCounts(a, "threads", lists: true)
        let repeats = try positiveCount(a, "repeat") ?? 10
        let format = try a.outputFormat(["text", "json", "markdown"])
        let dtypes = try selectedDTypes(a)
        try setThreshold(a)
        if Bench.buildConfiguration == "debug" { stderr("descent bench: debug build — times are not meaningful; use swift build -c release") }
        let rows = BenchGemm.run(sizes: sizes, dtypes: dtypes, threads: threads.isEmpty ? [1] : threads, rounds: repeats) { stderr($0) }
        let text = format == "json" ? gemmJSON(rows) : BenchGemm.table(rows, markdown: format == "markdown")
        try emit(text, output: a.value("output"))
        return 0
    }

    /// "descent-bench-gemm/1": one row per dtype, n and threads, GFLOP/s best and median.
    package static func gemmJSON(_ rows: [GemmComparison]) -> String {
        func pair(_ p: (best: Double, median: Double)?) -> JSON {
            p.map { .object([("best_gflops", JSON($0.best)), ("median_gflops", JSON($0.median))]) } ?? .null
        }
        return JSON.object([("format", .string("descent-bench-gemm/1")), ("gemm", .array(rows.map { r in
            .object([("dtype", .string(r.dtype.rawValue)), ("n", JSON(r.n)), ("threads", JSON(r.threads)), ("vector_loops", .string(r.isa)),
                     ("vectorized", pair(r.vectorized)), ("blas", pair(r.blas)), ("vectorized_over_blas", r.ratio.map { JSON($0) } ?? .null)])
        }))]).serialized(pretty: true) + "\n"
    }

    /// `descent bench training` (or `descent bench --model mlp:…`).
    package static func trainingBench(_ a: Arguments) throws -> Int32 {
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
        try checkOptimizer(convention: optimizer.convention, name: optimizer.name, hyperparameters: optimizer.json, what: "--optimizer '\(optimizer.label)'")
        let names = a.values("implementation")
        let implementations = names.isEmpty || names.contains("all")
            ? Implementations.all.filter { $0.availability == .available }.map(\.name) : names
        for n in implementations where Implementations.named(n) == nil { throw unknownImplementation(n) }
        let threads = try positiveCounts(a, "threads", lists: true)
        let repeats = try positiveInt(a, "repeat") ?? 15
        let format = try a.outputFormat(["text", "json", "markdown"])
        let dtypes = a.value("dtype") == nil ? [DType.float32] : try selectedDTypes(a)
        if a.flag("no-run"), includes.isEmpty { throw ConfigurationError(message: "--no-run needs --include FILE") }
        // Included files are read before anything is measured (a bad file: exit 2).
        let included: [(file: String, machine: [(String, JSON)], rows: [TrainingBenchRow])]
        do { included = try includes.map(TrainingBench.include) } catch let e as BenchIncludeError {
            throw LabInputError(message: "--include \(e.description)")
        }
        var report: TrainingBenchReport
        if a.flag("no-run") {
            report = TrainingBenchReport(machine: [], rows: [], skipped: [], gemm: [])
        } else {
            if Bench.buildConfiguration == "debug" { stderr("descent bench: debug build — times are not meaningful; use swift build -c release") }
            report = TrainingBench.run(spec: spec, batch: batch, optimizer: optimizer, implementations: implementations,
                                       dtypes: dtypes, threads: threads.isEmpty ? [1] : threads, repeats: repeats) { stderr($0) }
        }
        report.included = included
        let command = "descent bench " + a.raw.joined(separator: " ")
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
