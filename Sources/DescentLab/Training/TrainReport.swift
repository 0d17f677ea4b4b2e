// TrainReport.swift — what `descent train` and `descent compare` print and write: the
// "descent-train/1" JSON, text and markdown summaries, the comparison table and its SVG plots.
import DescentCore
import DescentJSON
import Foundation

public enum TrainReport {
    package static func num(_ x: Double?) -> JSON { x.map { JSON($0) } ?? .null }

    /// The command line that repeats a run.
    public static func command(_ c: TrainConfig, implementation: String) -> String {
        var parts = ["descent train", "--data \(c.data)"]
        if let s = c.sizes { parts.append("--model mlp:" + s.map(String.init).joined(separator: ",")) }
        parts.append("--activation \(c.activation.rawValue) --loss \(c.loss.rawValue)")
        parts.append("--optimizer \(c.optimizer.convention)/\(c.optimizer.name)")
        for (k, v) in c.optimizer.arguments { parts.append("--hp '\(k)=\(v.serialized())'") }
        if let s = c.schedule {
            parts.append("--schedule \(s.convention)/\(s.name)")
            for (k, v) in s.arguments { parts.append("--sp '\(k)=\(v.serialized())'") }
        }
        if c.warmup > 0 { parts.append("--warmup \(c.warmup)") }
        parts.append("--batch-size \(c.batchSize)")
        parts.append(c.steps.map { "--steps \($0)" } ?? "--epochs \(c.epochs)")
        if let t = c.targetAccuracy { parts.append("--target-accuracy \(t)") }
        if let p = c.patience { parts.append("--early-stopping \(p) --min-delta \(c.minDelta)") }
        if let e = c.evalEvery { parts.append("--eval-every \(e)") }
        parts.append("--implementation \(implementation) --dtype \(c.dtype.rawValue) --threads \(c.threads) --seed \(c.seed)")
        return parts.joined(separator: " ")
    }

    /// The full configuration, as run (defaults resolved).
    package static func configuration(_ r: TrainRun) -> JSON {
        let c = r.config
        return .object([
            ("model", .object([("type", .string("mlp")), ("sizes", .array(r.sizes.map { JSON($0) })),
                               ("activation", r.sizes.count > 2 ? .string(c.activation.rawValue) : .null),
                               ("loss", .string(c.loss.rawValue))])),
            ("data", .object([("name", .string(r.dataSet)), ("source", .string(r.dataSource)),
                              ("train", JSON(r.trainCount)), ("test", JSON(r.testCount))])),
            ("optimizer", .object([("convention", .string(c.optimizer.convention)), ("name", .string(c.optimizer.name)),
                                   ("hyperparameters", c.optimizer.json)])),
            ("schedule", c.schedule.map { s in .object([("convention", .string(s.convention)), ("name", .string(s.name)),
                                                        ("parameters", s.json)]) } ?? .null),
            ("warmup", JSON(c.warmup)),
            ("batch_size", JSON(c.batchSize)),
            ("epochs", c.steps == nil ? JSON(c.epochs) : .null),
            ("steps", JSON(r.plannedSteps)),
            ("steps_per_epoch", JSON(r.stepsPerEpoch)),
            ("target_accuracy", num(c.targetAccuracy)),
            ("early_stopping", c.patience.map { .object([("patience", JSON($0)), ("min_delta", JSON(c.minDelta))]) } ?? .null),
            ("eval_every", JSON(r.evalEvery)),
            ("implementation", .string(r.implementation)),
            ("dtype", .string(c.dtype.rawValue)),
            ("threads", JSON(c.threads)),
            ("seed", .number(String(c.seed))),
            ("command", .string(command(c, implementation: r.implementation))),
        ])
    }

    /// One run as JSON (the body of descent-train/1, and one entry of descent-compare/1).
    package static func runJSON(_ r: TrainRun) -> [(String, JSON)] {
        [
            ("label", .string(r.label)),
            ("configuration", configuration(r)),
            ("implementation", .string(r.implementation)),
            ("ran", .string(r.ran)),
            ("stopped", .string(r.stopped)),
            ("steps_run", JSON(r.stepsRun)),
            ("wall_seconds", JSON(r.wallSeconds)),
            ("training_seconds", JSON(r.trainingSeconds)),
            ("median_step_seconds", JSON(r.medianStepSeconds)),
            ("final", .object([("train_loss", JSON(r.finalTrainLoss)), ("test_loss", JSON(r.finalTestLoss)),
                               ("test_accuracy", num(r.finalTestAccuracy))])),
            ("steps_to_target", r.stepsToTarget.map { JSON($0) } ?? .null),
            ("seconds_to_target", num(r.secondsToTarget)),
            ("best", .object([("step", JSON(r.bestStep)), ("test_loss", JSON(r.bestTestLoss))])),
            ("curves", .object([
                ("train_loss", JSON(r.trainLoss)),
                ("lr", JSON(r.lr)),
                ("eval", .object([("step", .array(r.evals.map { JSON($0.step) })),
                                  ("test_loss", JSON(r.evals.map(\.testLoss))),
                                  ("test_accuracy", .array(r.evals.map { num($0.testAccuracy) }))])),
            ])),
        ]
    }

    /// "descent-train/1".
    public static func json(_ r: TrainRun) -> String {
        JSON.object([("format", .string("descent-train/1"))] + runJSON(r) + [("machine", .object(machine()))])
            .serialized(pretty: true) + "\n"
    }

    package static func machine() -> [(String, JSON)] {
        let m = Bench.machine()
        return m.filter { ["cpu", "cores", "isa", "vector_loops", "build", "load_average", "blas"].contains($0.0) }
    }

    package static func pct(_ a: Double?) -> String { a.map { String(format: "%.1f %%", 100 * $0) } ?? "—" }
    package static func g(_ x: Double) -> String { x.isFinite ? String(format: "%.4g", x) : "\(x)" }
    package static func ms(_ s: Double) -> String { String(format: "%.3f", 1000 * s) }

    public static func text(_ r: TrainRun) -> String {
        var o = "descent train: \(r.dataSet) (\(r.trainCount) train, \(r.testCount) test), mlp:\(r.sizes.map(String.init).joined(separator: ","))"
        o += " \(r.config.activation.rawValue) \(r.config.loss.rawValue), batch \(r.config.batchSize)\n"
        o += "ran:              \(r.ran)\n"
        o += "steps:            \(r.stepsRun) of \(r.plannedSteps) (\(r.stopped))\n"
        o += "final:            train loss \(g(r.finalTrainLoss)), test loss \(g(r.finalTestLoss)), test accuracy \(pct(r.finalTestAccuracy))\n"
        if let t = r.config.targetAccuracy, r.finalTestAccuracy != nil {
            o += "target \(pct(t)):    " + (r.stepsToTarget.map { "reached at step \($0) after \(String(format: "%.3f", r.secondsToTarget ?? 0)) s of training" } ?? "not reached") + "\n"
        }
        o += "best test loss:   \(g(r.bestTestLoss)) at step \(r.bestStep)\n"
        o += "time:             \(String(format: "%.3f", r.wallSeconds)) s wall, median step \(ms(r.medianStepSeconds)) ms\n"
        o += "evaluations:\n"
        o += BenchRender.table(["step", "lr", "train loss", "test loss", "test accuracy"], r.evals.map { e in
            [String(e.step), e.step < r.lr.count ? g(r.lr[e.step]) : (r.lr.last.map(g) ?? "—"),
             e.step < r.trainLoss.count ? g(r.trainLoss[e.step]) : "—", g(e.testLoss), pct(e.testAccuracy)]
        }, markdown: false, rightAlign: [0, 1, 2, 3, 4])
        return o
    }

    public static func markdown(_ r: TrainRun) -> String {
        var o = "# descent train: \(r.dataSet)\n\n```\n\(command(r.config, implementation: r.implementation))\n```\n\n"
        o += "- ran: \(r.ran)\n- steps: \(r.stepsRun) of \(r.plannedSteps) (\(r.stopped))\n"
        o += "- final: train loss \(g(r.finalTrainLoss)), test loss \(g(r.finalTestLoss)), test accuracy \(pct(r.finalTestAccuracy))\n"
        o += "- steps to target: \(r.stepsToTarget.map(String.init) ?? "not reached")\n"
        o += "- time: \(String(format: "%.3f", r.wallSeconds)) s wall, median step \(ms(r.medianStepSeconds)) ms\n\n"
        o += BenchRender.table(["step", "test loss", "test accuracy"], r.evals.map { [String($0.step), g($0.testLoss), pct($0.testAccuracy)] },
                               markdown: true, rightAlign: [0, 1, 2])
        return o
    }

    // MARK: Comparison

    package static func compareRows(_ runs: [TrainRun]) -> [[String]] {
        runs.map { r in
            [r.label, g(r.finalTrainLoss), g(r.finalTestLoss), pct(r.finalTestAccuracy),
             r.stepsToTarget.map(String.init) ?? "—", r.secondsToTarget.map { String(format: "%.3f", $0) } ?? "—",
             ms(r.medianStepSeconds), "\(r.stepsRun)" + (r.stopped == "completed" ? "" : r.stopped.hasPrefix("early") ? " (early stop)" : " (diverged)")]
        }
    }

    package static func compareHeaders(_ runs: [TrainRun]) -> [String] {
        let t = runs.first?.config.targetAccuracy.map(pct) ?? "target"
        return ["run", "final train loss", "test loss", "test accuracy", "steps to \(t)", "seconds to \(t)", "step ms (median)", "steps"]
    }

    /// What the runs share (problem, model, batch, steps, seed, implementation).
    package static func problemLine(_ runs: [TrainRun]) -> String {
        guard let r = runs.first else { return "" }
        let c = r.config
        return "\(r.dataSet) (\(r.trainCount) train, \(r.testCount) test), mlp:\(r.sizes.map(String.init).joined(separator: ","))"
            + " \(c.activation.rawValue) \(c.loss.rawValue), batch \(c.batchSize), \(r.plannedSteps) steps (\(r.stepsPerEpoch) per epoch),"
            + " seed \(c.seed), \(r.implementation) \(c.dtype.rawValue), \(c.threads) thread\(c.threads == 1 ? "" : "s");"
            + " the same initialisation and batch order for every run"
    }

    public static func compareText(_ runs: [TrainRun]) -> String {
        "descent compare: " + problemLine(runs) + "\n\n"
            + BenchRender.table(compareHeaders(runs), compareRows(runs), markdown: false, rightAlign: [1, 2, 3, 4, 5, 6, 7])
    }

    public static func compareMarkdown(_ runs: [TrainRun], title: String = "Optimizers compared", command: String,
                                       plots: [String] = []) -> String {
        var o = "# \(title)\n\n" + problemLine(runs) + ".\n\n```\n\(command)\n```\n\n"
        o += BenchRender.table(compareHeaders(runs), compareRows(runs), markdown: true, rightAlign: [1, 2, 3, 4, 5, 6, 7])
        o += "\nSeconds to the target count training steps only (evaluations excluded); the step time is the median over all steps "
            + "(batch loss, backpropagation through the engine's gemm, optimizer step). Timings vary with the machine's load; "
            + "the curves do not (same seed, implementation and threads: bit-identical).\n"
        for r in runs { o += "\n- `\(r.label)`: \(r.ran)" + (r.stopped == "completed" ? "" : " — \(r.stopped)") }
        o += "\n"
        if !plots.isEmpty { o += "\n" + plots.map { "![\($0)](\($0))" }.joined(separator: "\n\n") + "\n" }
        return o
    }

    public static func compareJSON(_ runs: [TrainRun], command: String) -> String {
        JSON.object([("format", .string("descent-compare/1")), ("command", .string(command)),
                     ("runs", .array(runs.map { .object(runJSON($0)) })), ("machine", .object(machine()))])
            .serialized(pretty: true) + "\n"
    }

    /// The three plots: loss vs step (log y), test accuracy vs step, lr vs step.
    public static func plots(_ runs: [TrainRun], title: String) -> [(suffix: String, plot: Plot)] {
        var loss = Plot(title: "\(title): training loss (minibatch; faint: raw, line: EMA 0.9)", xLabel: "step", yLabel: "loss", yScale: .log)
        var acc = Plot(title: "\(title): test accuracy", xLabel: "step", yLabel: "test accuracy")
        var lr = Plot(title: "\(title): learning rate", xLabel: "step", yLabel: "lr", yScale: .log)
        for r in runs {
            var l = Plot.Series(r.label, y: r.trainLoss)
            l.smoothing = 0.9
            loss.add(l)
            acc.add(Plot.Series(r.label, x: r.evals.map { Double($0.step) }, y: r.evals.map { $0.testAccuracy ?? .nan }, style: .linePoints))
            lr.add(Plot.Series(r.label, y: r.lr))
        }
        if let t = runs.first?.config.targetAccuracy { acc.reference(y: t, label: "target \(pct(t))") }
        var out: [(String, Plot)] = [("loss", loss)]
        if runs.contains(where: { $0.finalTestAccuracy != nil }) { out.append(("accuracy", acc)) }
        out.append(("lr", lr))
        return out
    }
}
