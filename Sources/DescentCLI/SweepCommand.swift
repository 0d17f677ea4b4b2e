// SweepCommand.swift — `descent sweep lr`: final loss against the learning rate on a log grid,
// per optimizer, with the flatness figure (width in decades of the lr interval whose loss is
// within 10 % of the best), and the lr range test (one run with an exponentially increasing lr,
// loss against lr; Smith 2017).
import DescentConformance
import DescentLab
import DescentCore
import DescentJSON
import Foundation

extension CLI {
    package static let sweepUsage = """
    descent sweep lr [--optimizer CONV/NAME]... [--hp NAME=VALUE]... [--lr-min 1e-4] [--lr-max 10] [--per-decade 3]
                     [--metric train_loss|test_loss] [--range-test] [--plots PREFIX]
                     [--format text|json|markdown] [--output FILE] [descent train's MODEL/DATA/TRAINING options]

    Trains once per lr of a log grid (same initialisation and batches) for each optimizer (default
    torch/SGD and torch/Adam; --hp applies to all) and reports the final loss (default: the train
    loss over the whole training split) per lr, the best lr, and the flatness: the width in decades
    of the contiguous lr interval around the best whose loss is within 10 % of the best (ends
    interpolated, log loss linear in log lr). --range-test adds one run per optimizer whose lr grows
    exponentially from --lr-min to --lr-max over the steps (torch ExponentialLR), loss against lr.
    --plots PREFIX writes PREFIX-sweep.svg (and PREFIX-range.svg). --quiet: no line per run on stderr.
    --format defaults to json or markdown when --output ends in .json or .md, else text.
    """

    /// `descent sweep lr` (the one sweep there is).
    package static var sweepCommand: Command {
        let lr = Command("lr", synopsis: "sweep lr", abstract: "final loss vs lr per optimizer, flatness, lr range test", usage: sweepUsage,
                         valued: trainValued.union(["optimizer", "hp", "lr-min", "lr-max", "per-decade", "metric", "plots"]),
                         flags: ["range-test", "quiet"], run: sweep)
        return Command("sweep", synopsis: "sweep lr", abstract: "final loss vs lr per optimizer, flatness, lr range test",
                       usage: sweepUsage, modes: [lr], modeRequired: true) { _ in 0 }
    }

    package static func sweep(_ a: Arguments) throws -> Int32 {
        if let p = a.positional.first { throw UsageError(message: "sweep lr: unexpected argument '\(p)'") }
        func num(_ n: String, _ d: Double) throws -> Double {
            guard let v = a.value(n) else { return d }
            guard let x = Double(v), x > 0, x.isFinite else { throw UsageError(message: "--\(n) takes a positive number; got '\(v)'") }
            return x
        }
        let lo = try num("lr-min", 1e-4), hi = try num("lr-max", 10)
        guard lo < hi else { throw UsageError(message: "--lr-min must be below --lr-max") }
        guard let per = Int(a.value("per-decade") ?? "3"), per >= 1 else { throw UsageError(message: "--per-decade takes an integer ≥ 1") }
        let metric = try a.choice("metric", ["train_loss", "test_loss"], default: "train_loss")
        let format = try outputFormat(a)
        var base = try trainConfig(a)
        base.targetAccuracy = nil
        let data = try loadData(a, base)
        let optimizers = a.values("optimizer").isEmpty ? ["torch/SGD", "torch/Adam"] : a.values("optimizer")
        let extra = try a.values("hp").map { try Call.argument($0, what: "--hp") }
        let lrs = ClaimKit.logGrid(lo, hi, perDecade: per)
        var rows: [(name: String, losses: [Double], flat: Double, best: Int)] = []
        var ranges: [(String, [Double], [Double])] = []
        for name in optimizers {
            var call = try Call.parse(name, what: "--optimizer")
            call.arguments = extra.filter { $0.0 != "lr" }
            var losses: [Double] = []
            for lr in lrs {
                var c = base
                c.optimizer = call
                c.optimizer.arguments.append(("lr", JSON(lr)))
                let r = try runTraining(c, data, label: "\(name) lr=\(lr)", progress: nil)
                let v = metric == "test_loss" ? r.finalTestLoss : r.finalTrainLoss
                losses.append(v.isFinite ? v : .nan)
                if !a.flag("quiet") { stderr("\(name) lr \(TuneReport.fmt(lr)): \(metric) \(TuneReport.fmt(v))") }
            }
            let fl = ClaimKit.flatness(lrs: lrs, losses: losses)
            rows.append((name, losses, fl.decades, fl.best))
            if a.flag("range-test") {
                var c = base
                c.optimizer = call
                c.optimizer.arguments.append(("lr", JSON(lo)))
                let steps = c.steps ?? c.epochs * ((data.trainCount + c.batchSize - 1) / c.batchSize)
                c.schedule = Call(convention: "torch", name: "ExponentialLR", arguments: [("gamma", JSON(pow(hi / lo, 1 / Double(max(steps - 1, 1)))))])
                let r = try runTraining(c, data, label: "\(name) range test", progress: nil)
                ranges.append((name, Array(r.lr.prefix(r.trainLoss.count)), r.trainLoss))
            }
        }
        if let prefix = a.value("plots") {
            var p = Plot(title: "final \(metric) vs lr (\(data.name))", xLabel: "lr", yLabel: metric, xScale: .log, yScale: .log)
            for r in rows { p.add(Plot.Series("\(r.name) (flat \(String(format: "%.2f", r.flat)) decades)", x: lrs, y: r.losses, style: .linePoints)) }
            try AtomicWrite.write(p.svg(), to: "\(prefix)-sweep.svg")
            if !ranges.isEmpty {
                var q = Plot(title: "lr range test: batch loss vs lr (\(data.name))", xLabel: "lr", yLabel: "batch loss", xScale: .log, yScale: .log)
                for (n, l, v) in ranges { q.add(Plot.Series(n, x: l, y: v)) }
                try AtomicWrite.write(q.svg(), to: "\(prefix)-range.svg")
            }
        }
        let text: String
        if format == "json" {
            text = JSON.object([("format", .string("descent-sweep/1")), ("data", .string(data.name)), ("metric", .string(metric)), ("lrs", JSON(lrs)),
                                ("optimizers", .array(rows.map { r in
                                    .object([("optimizer", .string(r.name)), ("final_loss", JSON(r.losses)), ("best_lr", JSON(lrs[r.best])),
                                             ("flat_decades", JSON(r.flat))])
                                })),
                                ("range_test", .array(ranges.map { .object([("optimizer", .string($0.0)), ("lr", JSON($0.1)), ("loss", JSON($0.2))]) }))])
                .serialized(pretty: true) + "\n"
        } else {
            let md = format == "markdown"
            var out = md ? "# lr sweep on \(data.name) (final \(metric))\n\n| lr |" + rows.map { " \($0.name) |" }.joined() + "\n|---:|" + rows.map { _ in "---:|" }.joined() + "\n"
                : "lr sweep on \(data.name): final \(metric)\n" + "lr".padding(toLength: 12, withPad: " ", startingAt: 0) + rows.map { $0.name.padding(toLength: 14, withPad: " ", startingAt: 0) }.joined() + "\n"
            for (i, lr) in lrs.enumerated() {
                out += md ? "| \(TuneReport.fmt(lr)) |" + rows.map { " \(TuneReport.fmt($0.losses[i])) |" }.joined() + "\n"
                    : TuneReport.fmt(lr).padding(toLength: 12, withPad: " ", startingAt: 0) + rows.map { TuneReport.fmt($0.losses[i]).padding(toLength: 14, withPad: " ", startingAt: 0) }.joined() + "\n"
            }
            out += "\n" + rows.map { (md ? "- " : "") + "\($0.name): best lr \(TuneReport.fmt(lrs[$0.best])) (loss \(TuneReport.fmt($0.losses[$0.best]))), flat \(String(format: "%.2f", $0.flat)) decades within 10 % of the best\n" }.joined()
            text = out
        }
        try emit(text, output: a.value("output"))
        return 0
    }
}
