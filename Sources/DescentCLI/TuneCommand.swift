// TuneCommand.swift — `descent tune`, `descent tune merge`, `descent tune --compare-strategies`.
import DescentConformance
import DescentLab
import DescentCore
import DescentJSON
import Foundation

extension CLI {
    package static let tuneUsage = """
    descent tune (--function NAME [--dim D] [--noise SIGMA] | --data digits --model mlp:64,64,10 --optimizer torch/Adam [training options])
                 [--space 'NAME=log:LO:HI' | 'NAME=lin:LO:HI' | 'NAME=int:LO:HI' | 'NAME=intlog:LO:HI' | 'NAME=choice:A,B,…']...
                 [--objective test_loss|test_accuracy|train_loss|steps_to_target]
                 [--strategy grid|random|bayes] [--trials N] [--seed S] [--batch Q] [--initial N]
                 [--early-stopping none|median|halving]
                 [--shard I/N [--history FILE]] [--format text|json|markdown] [--output FILE] [--plots DIR] [--no-timing] [--quiet]
    descent tune merge FILE... [--format text|json|markdown] [--output FILE] [--plots DIR]
    descent tune compare-strategies [--functions branin,hartmann6] [--dim D] [--trials 40] [--seeds 10]
                 [--strategies grid,random,bayes] [--reference FILE]... [--format text|json|markdown] [--output FILE] [--plots DIR] [--quiet]
                 (also spelled `descent tune --compare-strategies …`)

    Searches a hyperparameter space. Strategies: `grid` (coarse to fine over rounds, log
    dimensions gridded in log space), `random`, `bayes` (Gaussian process with a Matérn-5/2 ARD
    kernel, hyperparameters by maximum marginal likelihood, expected improvement; --batch Q
    suggestions per round by constant liar). Default: bayes, 30 trials, seed 0.

    --function NAME   a test function with a known minimum (the JSON gives regret = best − optimum):
                      \(TestFunction.names.joined(separator: ", "))
                      (--dim D for rosenbrock, ackley, levy, sphere, styblinski-tang, rastrigin,
                      dixon-price, zakharov, griewank, michalewicz). Its space is x1…xd over the
                      standard domain unless --space gives one.
    --space           a dimension: NAME=log:LO:HI, lin:LO:HI, int:LO:HI, intlog:LO:HI or
                      choice:A,B,…; repeatable. For a training run NAME is an optimizer keyword
                      (lr, weight_decay, momentum), KEY.I an element of an array given whole with
                      --hp (betas.1), schedule.KEY a schedule parameter, or batch_size, steps,
                      epochs, warmup
    --objective       training runs: the value minimised (losses) or maximised (test_accuracy) of
                      each trial (default: test_loss)
    --seed S          the search's seed (suggestions, random sampling)
    --shard I/N       run only the I-th (0-based) of N slices of the next round and write its JSON;
                      `descent tune merge` combines the slices. Random search is one round; grid
                      and bayes go round by round: merge, then run the shards again with
                      --history MERGED.json until the merge reports complete. The merged report
                      is the one the unsharded run writes (--no-timing makes wall times 0, so the
                      two compare byte for byte).
    --early-stopping  training objectives: stop poor trials at an evaluation, judged against the
                      trials before them (Optuna's rules and defaults): `median` (MedianPruner:
                      after 5 finished trials, stop when the best value so far is worse than their
                      median at that step) or `halving` (SuccessiveHalvingPruner, η = 3: at the
                      rungs r·3ᵏ, r the first evaluation step, go on only in the best third of the
                      values recorded there). Not with --shard (a trial needs all the trials before it).
    --format          default: json or markdown when --output ends in .json or .md, else text
    --plots DIR       also write SVG plots (metric against each hyperparameter, best so far)
    --quiet           no progress on stderr. Without it a search prints, on stderr, a line per trial
                      (at most two a second): trial i/N, its value, the best so far, the elapsed
                      time and an estimate of the time left; and a warning when a grid over
                      discrete dimensions runs out of points before its --trials

    TRAINING OPTIONS (a training run; every trial shares them, see `descent train --help`)
      --data, --model, --activation, --loss, --batch-size, --epochs | --steps, --target-accuracy,
      --eval-every, --implementation, --dtype, --threads, --fixtures DIR
      --optimizer CONV/NAME, --hp NAME=VALUE (repeatable), --schedule CONV/NAME, --sp NAME=VALUE, --warmup STEPS
      --steps-per-trial N        optimizer steps of every trial (instead of --epochs / --steps)
      --train-seed S             the trials' initialisation and batch order (default 0); --seed is
                                 the search's own

    COMPARE STRATEGIES: each strategy on each test function, over --seeds seeds of --trials
    trials, the median best-so-far regret per trial; --reference FILE adds another tuner's
    results in the same format (reference/tune/optuna_compare.py writes Optuna TPE's) to the table.

    Exit status: 0 done, 2 unusable input.
    """

    package static let tuneValued: Set<String> = ["function", "dim", "noise", "space", "strategy", "trials", "seed", "batch", "initial",
                                          "early-stopping", "shard", "history", "format", "output", "plots", "functions", "seeds",
                                          "strategies", "reference", "objective"]
    /// The options of `descent tune compare-strategies`.
    package static let compareStrategiesValued: Set<String> = ["functions", "dim", "trials", "seeds", "strategies", "reference",
                                                              "format", "output", "plots"]

    /// `descent tune [merge|compare-strategies]`.
    package static var tuneCommand: Command {
        let merge = Command("merge", synopsis: "tune merge FILE...", abstract: "combine the shards of a tuning run",
                            usage: tuneUsage, valued: ["format", "output", "plots"], run: tuneMerge)
        let compare = Command("compare-strategies", synopsis: "tune compare-strategies", abstract: "grid, random and bayes on test functions",
                              usage: tuneUsage, valued: compareStrategiesValued, flags: ["quiet"], run: compareStrategies)
        return Command("tune", synopsis: "tune [merge|compare-strategies]",
                       abstract: "grid / random / Bayesian hyperparameter search of a test function or a training run (see tune --help)",
                       usage: tuneUsage, valued: tuneValued.union(TrainConfig.tuningOptionNames),
                       flags: ["compare-strategies", "no-timing", "quiet"], modes: [merge, compare]) { a in
            // `--compare-strategies`: the older spelling of the mode.
            let isCompare = a.flag("compare-strategies")
            let own: Set<String> = isCompare ? compareStrategiesValued.union(["quiet", "compare-strategies", "help"])
                : tuneValued.subtracting(compareStrategiesValued.subtracting(["dim", "trials", "format", "output", "plots"]))
                    .union(TrainConfig.tuningOptionNames).union(["no-timing", "quiet", "help"])
            if let stray = a.givenOptions.first(where: { !own.contains($0) }) {
                throw UsageError(message: isCompare ? "--\(stray) is not an option of `descent tune compare-strategies`"
                                 : "--\(stray) is an option of `descent tune compare-strategies`")
            }
            return isCompare ? try compareStrategies(a) : try tune(a)
        }
    }

    package static func tune(_ a: Arguments) throws -> Int32 {
        if !a.positional.isEmpty { throw UsageError(message: "tune: unexpected '\(a.positional[0])'") }
        let settings = try tuneSettings(a)
        let objective = try settings.objective.make()
        var shard: (Int, Int)?
        if let s = a.value("shard") {
            let p = s.split(separator: "/").map { Int($0) }
            guard p.count == 2, let i = p[0], let n = p[1], n >= 1, i >= 0, i < n else {
                throw UsageError(message: "--shard takes I/N with 0 ≤ I < N; got '\(s)'")
            }
            shard = (i, n)
        }
        var history: [Trial] = []
        if let h = a.value("history") {
            let r = try readTuneReport(h)
            guard r.settings == settings else {
                throw InputError(message: "\(h): its settings differ from this command's (a history of another run?)")
            }
            if r.shard != nil { throw InputError(message: "\(h): a shard's file; merge the shards first (descent tune merge)") }
            history = r.trials
        }
        let progress = a.flag("quiet") ? nil : TuneProgress(settings: settings, history: history, maximize: objective.maximize)
        let outcome = try TuneRunner.run(settings: settings, objective: objective, history: history, shard: shard,
                                         timing: !a.flag("no-timing"), progress: progress.map { p in { p.trial($0) } })
        if outcome.complete, outcome.trials.count < settings.trials, !a.flag("quiet") {
            stderr("descent tune: warning: \(settings.strategy.rawValue) search ran \(outcome.trials.count) of its \(settings.trials) trials: "
                   + "it tried every point its discrete dimensions allow near the best")
        }
        var report = TuneReport(settings: settings, trials: outcome.trials, complete: outcome.complete, optimum: objective.optimum,
                                maximize: objective.maximize, shard: nil)
        if let (i, n) = shard, let r = outcome.round { report.shard = (i, n, r) }
        return try emitTune(report, a, forceJSON: shard != nil)
    }

    package static func readTuneReport(_ path: String) throws -> TuneReport {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw InputError(message: "\(path): cannot read")
        }
        return try TuneReport.parse(text, file: path)
    }

    package static func outputFormat(_ a: Arguments) throws -> String { try a.outputFormat(["text", "json", "markdown"]) }

    package static func emitTune(_ report: TuneReport, _ a: Arguments, forceJSON: Bool = false) throws -> Int32 {
        let format = forceJSON ? "json" : try outputFormat(a)
        if forceJSON, let f = a.value("format"), f != "json" {
            throw UsageError(message: "--shard writes JSON (the input of `descent tune merge`); got --format \(f)")
        }
        let text: String
        switch format {
        case "json": text = report.json
        case "markdown": text = report.markdown
        default: text = report.text()
        }
        if let dir = a.value("plots") {
            let files = try TunePlots.write(report, dir: dir)
            stderr("wrote \(files.count) plots to \(dir)/")
        }
        try emit(text, output: a.value("output"))
        return 0
    }

    package static func tuneSettings(_ a: Arguments) throws -> TuneSettings {
        func int(_ name: String, _ d: Int, min lo: Int = 1) throws -> Int {
            guard let v = a.value(name) else { return d }
            guard let i = Int(v), i >= lo else { throw UsageError(message: "--\(name) takes an integer ≥ \(lo); got '\(v)'") }
            return i
        }
        let objective: ObjectiveSpec
        var space: SearchSpace
        if let f = a.value("function") {
            if a.value("data") != nil { throw UsageError(message: "give --function or --data, not both") }
            let dim = try a.value("dim").map { _ in try int("dim", 2) }
            let fn = try TestFunction.named(f, dim: dim)
            let noise = try a.value("noise").map { v -> Double in
                guard let d = Double(v), d >= 0, d.isFinite else { throw UsageError(message: "--noise takes a number ≥ 0; got '\(v)'") }
                return d
            } ?? 0
            objective = .function(name: fn.name, dim: fn.dim, noise: noise)
            space = fn.space
            if !a.values("space").isEmpty {
                let given = try SearchSpace.parse(a.values("space"))
                let names = fn.space.dimensions.map(\.name)
                guard given.dimensions.map(\.name).sorted() == names.sorted() else {
                    throw UsageError(message: "--space for \(fn.name) must give exactly \(names.joined(separator: ", "))")
                }
                space = SearchSpace(dimensions: names.map { n in given.dimensions.first { $0.name == n }! })
            }
        } else if a.value("data") != nil || a.value("model") != nil || a.value("optimizer") != nil {
            // The training options: the tuner's own (--seed, --output, …) are not the trials'.
            struct TrialOptions: TrainOptionValues {
                let a: Arguments
                func values(_ name: String) -> [String] {
                    TrainConfig.tuningOptionNames.contains(name) && !CLI.tuneValued.contains(name) ? a.values(name) : []
                }
            }
            let base = try TrainConfig.tuningBase(options: TrialOptions(a: a))
            let metric = try a.choice("objective", ["test_loss", "test_accuracy", "train_loss", "steps_to_target"], default: "test_loss")
            objective = .training(config: base, fixtures: TrialOptions(a: a).values("fixtures").last, metric: metric)
            guard !a.values("space").isEmpty else { throw UsageError(message: "tuning a training run needs at least one --space") }
            space = try SearchSpace.parse(a.values("space"))
        } else {
            throw UsageError(message: "tune: give --function NAME (a test function) or --data/--model/--optimizer (a training run)")
        }
        let strategy = Strategy(rawValue: try a.choice("strategy", Strategy.allCases.map(\.rawValue), default: "bayes"))!
        let trials = try int("trials", 30)
        guard let seed = UInt64(a.value("seed") ?? "0") else { throw UsageError(message: "--seed takes a non-negative integer") }
        let batch = try int("batch", 1)
        let initial = try a.value("initial").map { _ in try int("initial", 1) }
        let early = EarlyStopping(rawValue: try a.choice("early-stopping", EarlyStopping.allCases.map(\.rawValue), default: "none"))!
        if early != .none {
            // Not silently ignored: a test function has no learning curve, and a shard does not see
            // the other shards' trials of its round, so it could not judge a trial as the whole run does.
            if case .function = objective {
                throw UsageError(message: "--early-stopping \(early.rawValue) stops training runs at an evaluation; a test function has no learning curve")
            }
            if a.value("shard") != nil {
                throw UsageError(message: "--early-stopping \(early.rawValue) judges a trial against every trial before it; a shard does not see the other shards' trials (run it unsharded)")
            }
        }
        return TuneSettings(objective: objective, space: space, strategy: strategy, trials: trials, seed: seed, batch: batch,
                            initial: initial, earlyStopping: early)
    }

    package static func tuneMerge(_ a: Arguments) throws -> Int32 {
        guard !a.positional.isEmpty else { throw UsageError(message: "tune merge: give the shard files") }
        let docs = try a.positional.map { (file: $0, report: try readTuneReport($0)) }
        let merged = try TuneRunner.merge(docs)
        return try emitTune(merged, a)
    }
}

extension CLI {
    package static func compareStrategies(_ a: Arguments) throws -> Int32 {
        if let p = a.positional.first { throw UsageError(message: "tune compare-strategies: unexpected '\(p)'") }
        let names = (a.value("functions") ?? "branin,hartmann6").split(separator: ",").map(String.init)
        let dim = try a.value("dim").map { v -> Int in
            guard let d = Int(v), d >= 1 else { throw ConfigurationError(message: "--dim takes an integer ≥ 1") }
            return d
        }
        let functions = try names.map { try TestFunction.named($0, dim: TestFunction.scalable.contains(TestFunction.canonical($0) ?? "") ? dim : nil) }
        let strategies = try (a.value("strategies") ?? "grid,random,bayes").split(separator: ",").map { s -> Strategy in
            guard let st = Strategy(rawValue: String(s)) else {
                throw ConfigurationError(message: "--strategies: unknown '\(s)'" + Suggest.didYouMean(String(s), among: Strategy.allCases.map(\.rawValue))
                                         + " (grid, random, bayes)")
            }
            return st
        }
        guard let trials = Int(a.value("trials") ?? "40"), trials >= 1 else { throw ConfigurationError(message: "--trials takes an integer ≥ 1") }
        guard let nSeeds = Int(a.value("seeds") ?? "10"), nSeeds >= 1 else { throw ConfigurationError(message: "--seeds takes an integer ≥ 1") }
        let seeds = Array(0..<nSeeds)
        let format = try outputFormat(a)
        // The reference files are read before the comparison runs (an unreadable one: exit 2 at once).
        let references = try a.values("reference").map { r -> (String, String) in
            guard let data = FileManager.default.contents(atPath: r), let text = String(data: data, encoding: .utf8) else {
                throw LabInputError(message: "\(r): cannot read")
            }
            return (r, text)
        }
        var comparisons = try CompareStrategies.run(functions: functions, strategies: strategies, trials: trials, seeds: seeds,
                                                    progress: a.flag("quiet") ? nil : { stderr($0) })
        for (r, text) in references { try CompareStrategies.addReference(text, file: r, to: &comparisons) }
        let text: String
        switch format {
        case "json": text = CompareStrategies.json(comparisons, trials: trials, seeds: seeds)
        case "markdown": text = CompareStrategies.table(comparisons, trials: trials, seeds: nSeeds, markdown: true)
        default: text = CompareStrategies.table(comparisons, trials: trials, seeds: nSeeds, markdown: false)
        }
        if let dir = a.value("plots") {
            let files = try TunePlots.writeComparison(comparisons, dir: dir)
            stderr("wrote \(files.count) plots to \(dir)/")
        }
        try emit(text, output: a.value("output"))
        return 0
    }
}

/// `descent tune`'s progress lines on stderr: trial i/N, value, best so far, elapsed, ETA (at most
/// two lines a second, and always the last trial).
package final class TuneProgress {
    let total: Int
    let maximize: Bool
    let start = DispatchTime.now().uptimeNanoseconds
    var lastPrint: UInt64 = 0
    var done = 0
    let before: Int
    var best: Double?

    package init(settings: TuneSettings, history: [Trial], maximize: Bool) {
        total = settings.trials
        self.maximize = maximize
        before = history.count
        best = history.filter { $0.loss.isFinite }.min { $0.loss < $1.loss }?.value
    }

    package func trial(_ t: Trial) {
        done += 1
        if t.loss.isFinite, best.map({ maximize ? t.value > $0 : t.value < $0 }) ?? true { best = t.value }
        let now = DispatchTime.now().uptimeNanoseconds
        let last = t.index + 1 >= total
        guard last || now - lastPrint >= 500_000_000 else { return }
        lastPrint = now
        let elapsed = Double(now - start) / 1e9
        let left = Double(max(0, total - before - done)) * elapsed / Double(done)
        func g(_ v: Double) -> String { String(format: "%.6g", v) }
        CLI.stderr("trial \(t.index + 1)/\(total)  value \(g(t.value))  best \(best.map(g) ?? "none")  "
               + String(format: "%.1f s elapsed, about %.0f s left", elapsed, left))
    }
}
