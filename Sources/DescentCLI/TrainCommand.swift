// TrainCommand.swift — `descent train` (one run) and `descent compare` (several optimizers on the
// same problem, same initialisation and batch order, with SVG plots). The loop is Trainer.swift.
import DescentConformance
import DescentLab
import DescentCore
import DescentJSON
import Foundation

extension CLI {
    package static let trainUsage = """
    descent train [options]

    Trains an MLP by minibatch backpropagation (every matrix product through the implementation's
    gemm) with any optimizer of any convention, and reports the curves.

      descent train --data digits --optimizer torch/Adam          (≥ 95 % test accuracy in seconds)
      descent train --model mlp:64,64,10 --activation relu --loss cross_entropy --data digits \\
                    --optimizer torch/AdamW --hp lr=3e-3 --hp betas=0.9,0.99 \\
                    --schedule torch/CosineAnnealingLR --sp T_max=430 --warmup 30

    MODEL AND DATA
      --data NAME|FILE           digits (fixtures/data/digits.txt: 1437 train, 360 test, features ÷ 16),
                                 xor, moons, spirals (2-D toy sets, generated), or a descent-data/1 file
                                 (default: digits)
      --fixtures DIR             the folder digits is read from (default: fixtures)
      --model mlp:D0,D1,…,DL     layer sizes (default: digits 64,64,10; toy sets 2,32,32,2)
      --activation sigmoid|tanh|relu   hidden layers (default: relu)
      --loss cross_entropy|mse|binary_cross_entropy   (default: cross_entropy; mse uses one-hot targets)
    OPTIMIZER AND SCHEDULE
      --optimizer CONV/NAME      any optimizer of `descent list`, e.g. torch/SGD, optax/adamw,
                                 textbook/adam (default: torch/Adam)
      --hp NAME=VALUE            a keyword argument with the library's own name; repeatable. Values
                                 are JSON (3e-3, true, [0.9,0.99]); a comma list is an array
                                 (betas=0.9,0.99); anything else a string
      --schedule CONV/NAME       any torch / optax / textbook schedule (lr of step k: torch after k
                                 scheduler steps, optax schedule(k), textbook step k)
      --sp NAME=VALUE            a schedule parameter; repeatable
      --warmup STEPS             linear warmup lr⁰·(k+1)/W, then the schedule from its start
    TRAINING
      --batch-size N             (default: 64); batches reshuffled every epoch, last one short
      --epochs N | --steps N     (default: 40 epochs)
      --target-accuracy A        report the first evaluation reaching A (default: 0.95)
      --early-stopping PATIENCE  stop after PATIENCE evaluations without the held-out (test) loss
        [--min-delta D]          improving by more than D (default 0)
      --eval-every K             steps between evaluations (default: once per epoch)
      --implementation NAME      naive, vectorized, vectorized-portable, blas (default: blas when
                                 OpenBLAS loads, else vectorized)
      --dtype float32|float64    (default: float32)
      --threads N                (default: 1)
      --seed S                   initialisation and batch order (default: 0); the same seed,
                                 implementation and threads give bit-identical curves
    OUTPUT
      --format text|json|markdown   (default: json or markdown when --output ends in .json or .md,
                                 else text) json is "descent-train/1": the full configuration (with the
                                 command that repeats it), per-step train loss and lr, periodic
                                 test loss and accuracy, wall time, median step time, final
                                 metrics, steps_to_target, the implementation that ran
      --output FILE              write the report there (whole, or not at all)
      --quiet                    no progress on stderr (otherwise: one line updated in place on a
                                 terminal, plain lines at evaluations when not)
    """

    package static let compareUsage = """
    descent compare --run 'CONV/NAME key=value …' --run … [options]

    Trains the same MLP on the same data with several optimizer configurations — the same
    initialisation and the same batch order — and reports a table (final train loss, test loss and
    accuracy, steps and seconds to the target, median step time) and SVG plots: loss vs step
    (log y), test accuracy vs step, lr vs step.

      descent compare --data digits --run 'torch/SGD lr=0.1' --run 'torch/SGD lr=0.1 momentum=0.9' \\
                      --run 'torch/Adam lr=3e-3' --plots results/compare

    A run is an optimizer and its keyword arguments, optionally followed by `warmup=STEPS` and
    `schedule=CONV/NAME` with the schedule's parameters after it:
      'torch/AdamW lr=3e-3 warmup=30 schedule=torch/CosineAnnealingLR T_max=430'

    OPTIONS
      --run SPEC                 repeatable (at least one)
      --plots PREFIX             write PREFIX-loss.svg, PREFIX-accuracy.svg, PREFIX-lr.svg (whole)
      --title TEXT               plot and report title (default: the data set's name)
      --format text|json|markdown   json is "descent-compare/1" (one descent-train/1 body per run);
                                 default: json or markdown when --output ends in .json or .md, else text
      --output FILE, --quiet, and the MODEL AND DATA and TRAINING options of `descent train`
    """

    package static var trainValued: Set<String> { TrainConfig.optionNames }

    package static func positiveInt(_ a: Arguments, _ name: String) throws -> Int? { try a.positiveInt(name) }

    /// The options `train` and `compare` share.
    package static func trainConfig(_ a: Arguments) throws -> TrainConfig { try TrainConfig(options: a) }

    package static func loadData(_ a: Arguments, _ c: TrainConfig) throws -> DataSet {
        try DataSets.load(c.data, fixtures: a.value("fixtures") ?? defaultFixtures())
    }

    /// Runs with DescentError and UsageError turned into exit-status-2 messages.
    package static func runTraining(_ c: TrainConfig, _ data: DataSet, label: String? = nil, progress: ProgressLine?) throws -> TrainRun {
        do {
            let r = try Trainer.run(c, data: data, label: label) { progress?.update($0) }
            progress?.finish()
            return r
        } catch let e as DescentError {
            progress?.finish()
            throw InputError(message: (label.map { "run '\($0)': " } ?? "") + e.description)
        }
    }

    package static func train(_ a: Arguments) throws -> Int32 {
        if let p = a.positional.first { throw UsageError(message: "unexpected argument '\(p)'") }
        let format = try a.outputFormat(["text", "json", "markdown"])
        var c = try trainConfig(a)
        c.optimizer = try Call.parse(a.value("optimizer") ?? "torch/Adam", what: "--optimizer")
        c.optimizer.arguments = try a.values("hp").map { try Call.argument($0, what: "--hp") }
        if let s = a.value("schedule") {
            c.schedule = try Call.parse(s, what: "--schedule")
            c.schedule!.arguments = try a.values("sp").map { try Call.argument($0, what: "--sp") }
        } else if !a.values("sp").isEmpty {
            throw UsageError(message: "--sp needs --schedule CONV/NAME")
        }
        if let w = a.value("warmup") {
            guard let v = Int(w), v >= 0 else { throw UsageError(message: "--warmup must be a number of steps ≥ 0; got '\(w)'") }
            c.warmup = v
        }
        let data = try loadData(a, c)
        let progress = a.flag("quiet") ? nil : ProgressLine(label: c.optimizer.label)
        let run = try runTraining(c, data, progress: progress)
        let text: String
        switch format {
        case "json": text = TrainReport.json(run)
        case "markdown": text = TrainReport.markdown(run)
        default: text = TrainReport.text(run)
        }
        try emit(text, output: a.value("output"))
        return 0
    }

    /// 'torch/AdamW lr=3e-3 warmup=30 schedule=torch/CosineAnnealingLR T_max=430' → optimizer,
    /// its arguments, warmup, schedule and its parameters.
    package static func parseRun(_ spec: String, base: TrainConfig) throws -> TrainConfig {
        var c = base
        let words = spec.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard let first = words.first else { throw UsageError(message: "--run: empty") }
        c.optimizer = try Call.parse(first, what: "--run '\(spec)': optimizer")
        c.schedule = nil
        c.warmup = 0
        for w in words.dropFirst() {
            let (k, v) = try Call.argument(w, what: "--run '\(spec)'")
            if k == "schedule" {
                guard let name = v.stringValue else { throw UsageError(message: "--run '\(spec)': schedule=CONV/NAME") }
                c.schedule = try Call.parse(name, what: "--run '\(spec)': schedule")
            } else if k == "warmup" {
                guard let n = v.intValue, n >= 0 else { throw UsageError(message: "--run '\(spec)': warmup must be a number of steps ≥ 0") }
                c.warmup = n
            } else if c.schedule != nil {
                c.schedule!.arguments.append((k, v))
            } else {
                c.optimizer.arguments.append((k, v))
            }
        }
        return c
    }

    package static func compare(_ a: Arguments) throws -> Int32 {
        if let p = a.positional.first { throw UsageError(message: "unexpected argument '\(p)' (a run is given with --run 'CONV/NAME key=value …')") }
        guard !a.values("run").isEmpty else { throw UsageError(message: "compare needs at least one --run 'CONV/NAME key=value …'") }
        let format = try a.outputFormat(["text", "json", "markdown"])
        let base = try trainConfig(a)
        let configs = try a.values("run").map { try parseRun($0, base: base) }
        let data = try loadData(a, base)
        var runs: [TrainRun] = []
        for (spec, c) in zip(a.values("run"), configs) {
            let progress = a.flag("quiet") ? nil : ProgressLine(label: spec)
            runs.append(try runTraining(c, data, label: spec, progress: progress))
        }
        let command = "descent compare " + a.raw.map { $0.contains(" ") ? "'\($0)'" : $0 }.joined(separator: " ")
        let title = a.value("title") ?? data.name
        var written: [String] = []
        if let prefix = a.value("plots") {
            for (suffix, plot) in TrainReport.plots(runs, title: title) {
                let path = "\(prefix)-\(suffix).svg"
                try AtomicWrite.write(plot.svg(), to: path)
                written.append(path)
            }
        }
        let text: String
        switch format {
        case "json": text = TrainReport.compareJSON(runs, command: command)
        case "markdown":
            text = TrainReport.compareMarkdown(runs, title: title, command: command,
                                               plots: written.map { URL(fileURLWithPath: $0).lastPathComponent })
        default: text = TrainReport.compareText(runs)
        }
        try emit(text, output: a.value("output"))
        if !written.isEmpty, !a.flag("quiet") { stderr("wrote " + written.joined(separator: ", ")) }
        return 0
    }

    /// The short comparison the main job runs: four optimizers on digits, written to
    /// results/training.md and results/training-{loss,accuracy,lr}.svg. Returns the text table.
    package static func trainingComparison(resultsDir: String, fixtures: String) throws -> String {
        var base = TrainConfig()
        base.epochs = 20
        let data = try DataSets.named("digits", fixtures: fixtures)
        let steps = base.epochs * ((data.trainCount + base.batchSize - 1) / base.batchSize)
        let specs = ["torch/SGD lr=0.1", "torch/SGD lr=0.1 momentum=0.9", "torch/Adam lr=0.003",
                     "torch/AdamW lr=0.003 weight_decay=0.01 warmup=30 schedule=torch/CosineAnnealingLR T_max=\(steps - 30)"]
        let runs = try specs.map { try Trainer.run(try parseRun($0, base: base), data: data, label: $0) }
        var written: [String] = []
        for (suffix, plot) in TrainReport.plots(runs, title: "digits") {
            try AtomicWrite.write(plot.svg(), to: "\(resultsDir)/training-\(suffix).svg")
            written.append("training-\(suffix).svg")
        }
        let command = "swift run -c release descent (main job; the same as `descent compare --epochs 20 "
            + specs.map { "--run '\($0)'" }.joined(separator: " ") + " --plots \(resultsDir)/training --format markdown`)"
        try AtomicWrite.write(TrainReport.compareMarkdown(runs, title: "Training on digits: optimizers compared", command: command,
                                                         plots: written), to: "\(resultsDir)/training.md")
        return BenchRender.table(TrainReport.compareHeaders(runs), TrainReport.compareRows(runs), markdown: false,
                                 rightAlign: [1, 2, 3, 4, 5, 6, 7])
    }
}

/// The progress line on stderr: updated in place on a terminal (step, loss, test accuracy,
/// steps/s, ETA), one plain line per evaluation otherwise.
package final class ProgressLine {
    package let label: String
    package let terminal = isatty(2) != 0
    package var lastDraw = 0.0
    package var drew = false

    package init(label: String) { self.label = label }

    package func update(_ p: TrainProgress) {
        let rate = p.elapsed > 0 ? Double(p.step) / p.elapsed : 0
        let eta = rate > 0 ? Double(p.total - p.step) / rate : 0
        let line = String(format: "%@  step %d/%d  loss %.4g  test acc %@  %.0f steps/s  ETA %.1f s",
                          label, p.step, p.total, p.loss, p.testAccuracy.map { String(format: "%.1f%%", 100 * $0) } ?? "—", rate, eta)
        if terminal {
            guard p.elapsed - lastDraw >= 0.1 || p.step == p.total || p.step == 1 else { return }
            lastDraw = p.elapsed
            drew = true
            FileHandle.standardError.write(Data(("\r\u{1B}[K" + line).utf8))
        } else if p.evaluated {
            FileHandle.standardError.write(Data((line + "\n").utf8))
        }
    }

    package func finish() {
        if terminal && drew { FileHandle.standardError.write(Data("\n".utf8)); drew = false }
    }
}
