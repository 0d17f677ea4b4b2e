// TrainTests.swift — `descent train` / `descent compare`: the digits file and the toy sets, the
// default run reaching 95 %, bit-identical curves for the same seed, the lr of every step
// (warmup, torch and optax schedules against their closed forms), early stopping, the
// descent-train/1 JSON, the comparison's shared start and its SVGs, and bad input.
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
import DescentTestSupport
@testable import DescentCore
@testable import DescentConformance
@testable import DescentLab
@testable import DescentCLI
import DescentJSON

private let repoRoot = repositoryRoot
private let fixtures = repoRoot.appendingPathComponent("fixtures").path

private func digits() throws -> DataSet { try DataSets.named("digits", fixtures: fixtures) }

private func config(_ body: (inout TrainConfig) -> Void) -> TrainConfig {
    var c = TrainConfig()
    c.implementation = "vectorized"
    body(&c)
    return c
}

@Suite struct TrainDataTests {
    /// The vector loops the `descent` command runs, installed before the test: a run compared
    /// with another (or with the command's) must not see the choice change halfway.
    init() { _ = installedLoops }

    @Test func digitsFileHasTheSplitAndScale() throws {
        let d = try digits()
        #expect(d.name == "digits" && d.inputWidth == 64 && d.classes == 10)
        #expect(d.trainCount == 1437 && d.testCount == 360)
        #expect(d.trainInputs.count == 1437 * 64 && d.testInputs.count == 360 * 64)
        let all = d.trainInputs + d.testInputs
        #expect(all.min() == 0 && all.max() == 1)                   // 0..16 divided by 16
        #expect(all.allSatisfy { ($0 * 16).rounded() == $0 * 16 })
        // Stratified: every class has 34..38 test rows (360 / 10 = 36).
        for k in 0..<10 {
            let n = d.testTargets.filter { $0 == Double(k) }.count
            #expect(n >= 34 && n <= 38)
        }
        // The first row of sklearn's digits (a 0), as load_digits() gives it.
        #expect(Array(d.trainInputs.prefix(8)).map { $0 * 16 } == [0, 0, 5, 13, 9, 1, 0, 0])
        #expect(d.trainTargets.first == 0)
        #expect(d.source.contains("CC BY 4.0") && d.source.contains("scikit-learn 1.9.1"))
    }

    @Test func badDataFilesNameFileLineAndField() {
        let head = "# format: descent-data/1\n# shape: 2 3\n# classes: 2\n# scale: 1\n"
        func error(_ text: String) -> String {
            do { _ = try DataSets.parse(text, file: "d.txt"); return "no error" } catch { return "\(error)" }
        }
        #expect(error(head + "train 0 1 2 3\ntest 1 1 2 3\n") == "no error")
        #expect(error(head + "train 0 1 2\ntest 1 1 2 3\n").hasPrefix("d.txt:5: expected 5 fields"))
        #expect(error(head + "train 2 1 2 3\ntest 1 1 2 3\n").hasPrefix("d.txt:5: target: '2'"))
        #expect(error(head + "train 0 1 x 3\ntest 1 1 2 3\n").hasPrefix("d.txt:5: v1: 'x'"))
        #expect(error(head + "valid 0 1 2 3\ntest 1 1 2 3\n").hasPrefix("d.txt:5: split"))
        #expect(error(head + "train 0 1 2 3\ntrain 1 1 2 3\n") == "d.txt: needs both train and test rows")
        #expect(error(head + "train 0 1 2 3\ntest 1 1 2 3\ntest 1 1 2 3\n").contains("the header says 2 rows"))
        #expect(error("train 0 1 2 3\n").contains("format: missing"))
        #expect(throws: DataFileError.self) { try DataSets.load(path: "/nonexistent/digits.txt") }
        #expect(throws: ConfigurationError.self) { try DataSets.named("mnist") }
    }

    @Test func toySetsAreDeterministicAndShaped() {
        for (a, b) in [(DataSets.xor(), DataSets.xor()), (DataSets.moons(), DataSets.moons()), (DataSets.spirals(), DataSets.spirals())] {
            #expect(a.trainInputs == b.trainInputs && a.testInputs == b.testInputs && a.trainTargets == b.trainTargets)
            #expect(a.trainCount == 400 && a.testCount == 200 && a.inputWidth == 2 && a.classes == 2)
            #expect(a.trainTargets.filter { $0 == 1 }.count == 200)
        }
        #expect(DataSets.xor(seed: 5).trainInputs != DataSets.xor().trainInputs)
        // XOR: the class is the sign rule for (nearly) every point (σ 0.2 around (±1, ±1)).
        let x = DataSets.xor()
        let agree = (0..<x.trainCount).filter { i in
            ((x.trainInputs[2 * i] > 0) != (x.trainInputs[2 * i + 1] > 0)) == (x.trainTargets[i] == 1)
        }.count
        #expect(agree >= 396)
        // Moons: class 0 on the upper arc (mean y ≈ 2/π), class 1 below (mean y ≈ 0.5 − 2/π).
        let m = DataSets.moons()
        let y0 = (0..<m.trainCount).filter { m.trainTargets[$0] == 0 }.map { m.trainInputs[2 * $0 + 1] }
        let y1 = (0..<m.trainCount).filter { m.trainTargets[$0] == 1 }.map { m.trainInputs[2 * $0 + 1] }
        #expect(abs(y0.reduce(0, +) / 200 - 2 / Double.pi) < 0.05)
        #expect(abs(y1.reduce(0, +) / 200 - (0.5 - 2 / Double.pi)) < 0.05)
    }

    @Test func toySetsAreLearnable() throws {
        for (name, steps) in [("xor", 300), ("moons", 600), ("spirals", 3000)] {
            let c = config {
                $0.data = name; $0.steps = steps; $0.batchSize = 32; $0.activation = .tanh
                $0.optimizer = Call(convention: "torch", name: "Adam", arguments: [("lr", JSON(0.01))])
            }
            let r = try Trainer.run(c, data: try DataSets.named(name))
            #expect((r.finalTestAccuracy ?? 0) >= 0.95, "\(name): \(r.finalTestAccuracy ?? -1)")
        }
    }
}

@Suite struct TrainerTests {
    /// The vector loops the `descent` command runs, installed before the test: a run compared
    /// with another (or with the command's) must not see the choice change halfway.
    init() { _ = installedLoops }

    @Test func defaultRunOnDigitsReaches95Percent() throws {
        let r = try Trainer.run(TrainConfig(), data: try digits())
        #expect((r.finalTestAccuracy ?? 0) >= 0.95)
        #expect(r.stepsToTarget != nil)
        #expect(r.stopped == "completed" && r.stepsRun == 40 * 23)
        #expect(r.trainLoss.count == r.stepsRun && r.lr.count == r.stepsRun && r.lr.allSatisfy { $0 == 0.001 })
        // Evaluations before the first step, every epoch and at the end.
        #expect(r.evals.map(\.step) == Array(stride(from: 0, through: 920, by: 23)))
        #expect(r.finalTrainLoss < r.trainLoss[0])
    }

    @Test func sameSeedSameCurvesBitForBit() throws {
        let d = try digits()
        for impl in ["naive", "vectorized"] + (BLASEngine.isAvailable ? ["blas"] : []) {
            for threads in impl == "naive" ? [1] : [1, 2] {
                let c = config { $0.implementation = impl; $0.threads = threads; $0.steps = 60; $0.evalEvery = 20; $0.seed = 7 }
                let a = try Trainer.run(c, data: d), b = try Trainer.run(c, data: d)
                #expect(a.trainLoss == b.trainLoss, "\(impl) t=\(threads)")
                #expect(a.lr == b.lr && a.evals.map(\.testLoss) == b.evals.map(\.testLoss)
                        && a.evals.map(\.testAccuracy) == b.evals.map(\.testAccuracy))
                #expect(a.finalTrainLoss == b.finalTrainLoss)
            }
        }
        // Another seed: another start and batch order.
        let a = try Trainer.run(config { $0.steps = 5 }, data: d), b = try Trainer.run(config { $0.steps = 5; $0.seed = 1 }, data: d)
        #expect(a.trainLoss != b.trainLoss)
    }

    @Test func jsonCurvesAreIdenticalForTheSameSeed() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("train-json-\(getpid())")
        defer { try? FileManager.default.removeItem(at: dir) }
        var curves: [JSON] = []
        for i in 0..<2 {
            let out = dir.appendingPathComponent("run\(i).json").path
            let status = CLI.main(["train", "--fixtures", fixtures, "--data", "digits", "--optimizer", "torch/Adam", "--hp", "lr=3e-3",
                                   "--hp", "betas=0.9,0.99", "--steps", "50", "--eval-every", "10", "--implementation", "vectorized",
                                   "--seed", "3", "--format", "json", "--output", out, "--quiet"])
            #expect(status == 0)
            let doc = try JSON.parse(try String(contentsOfFile: out, encoding: .utf8))
            #expect(doc["format"]?.stringValue == "descent-train/1")
            let cfg = try #require(doc["configuration"])
            #expect(cfg["optimizer"]?["hyperparameters"]?["lr"]?.doubleValue == 3e-3)
            #expect(cfg["optimizer"]?["hyperparameters"]?["betas"] == JSON.array([JSON(0.9), JSON(0.99)]))
            #expect(cfg["model"]?["sizes"] == JSON.array([JSON(64), JSON(64), JSON(10)]))
            #expect(cfg["batch_size"]?.intValue == 64 && cfg["steps"]?.intValue == 50 && cfg["seed"]?.intValue == 3)
            #expect(cfg["command"]?.stringValue?.contains("--hp 'betas=[0.9,0.99]'") == true)
            #expect(doc["implementation"]?.stringValue == "vectorized")
            #expect(doc["curves"]?["train_loss"]?.arrayValue?.count == 50 && doc["curves"]?["lr"]?.arrayValue?.count == 50)
            #expect(doc["curves"]?["eval"]?["step"] == JSON.array([0, 10, 20, 30, 40, 50].map { JSON($0) }))
            for k in ["train_loss", "test_loss", "test_accuracy"] { #expect(doc["final"]?[k]?.doubleValue != nil) }
            #expect(doc["steps_to_target"] != nil && doc["wall_seconds"]?.doubleValue != nil && doc["median_step_seconds"]?.doubleValue != nil)
            curves.append(try #require(doc["curves"]))
        }
        #expect(curves[0] == curves[1])
    }

    @Test func warmupThenTorchCosineMatchTheClosedForm() throws {
        let c = config {
            $0.dtype = .float64; $0.steps = 60; $0.warmup = 10
            $0.optimizer = Call(convention: "torch", name: "SGD", arguments: [("lr", JSON(0.1))])
            $0.schedule = Call(convention: "torch", name: "CosineAnnealingLR", arguments: [("T_max", JSON(50))])
        }
        let r = try Trainer.run(c, data: try digits())
        for k in 0..<10 { #expect(abs(r.lr[k] - 0.1 * Double(k + 1) / 10) < 1e-15) }
        for j in 0..<50 {
            let closed = 0.05 * (1 + cos(Double.pi * Double(j) / 50))   // eta_min 0
            #expect(abs(r.lr[10 + j] - closed) <= 1e-12, "step \(10 + j)")
        }
    }

    @Test func optaxScheduleGivesScheduleOfK() throws {
        let c = config {
            $0.dtype = .float64; $0.steps = 30
            $0.optimizer = Call(convention: "optax", name: "adam", arguments: [("learning_rate", JSON(0.5))])
            $0.schedule = Call(convention: "optax", name: "exponential_decay",
                               arguments: [("init_value", JSON(0.01)), ("transition_steps", JSON(1)), ("decay_rate", JSON(0.9))])
        }
        let r = try Trainer.run(c, data: try digits())
        for k in 0..<30 { #expect(abs(r.lr[k] / (0.01 * pow(0.9, Double(k))) - 1) < 1e-12) }
    }

    @Test func earlyStoppingFollowsPatienceAndMinDelta() throws {
        let d = try digits()
        // No evaluation can improve the loss by more than 10: stop after `patience` evaluations.
        let stopped = try Trainer.run(config { $0.steps = 100; $0.evalEvery = 5; $0.patience = 2; $0.minDelta = 10 }, data: d)
        #expect(stopped.stepsRun == 10)
        #expect(stopped.stopped.hasPrefix("early stopping"))
        #expect(stopped.evals.map(\.step) == [0, 5, 10])
        // Improving runs are not stopped.
        let kept = try Trainer.run(config { $0.steps = 40; $0.evalEvery = 10; $0.patience = 1 }, data: d)
        #expect(kept.stepsRun == 40 && kept.stopped == "completed")
        #expect(kept.bestStep == 40)
    }

    @Test func stepsToTargetIsTheFirstEvaluationReachingIt() throws {
        let d = try digits()
        let r = try Trainer.run(config { $0.steps = 200; $0.evalEvery = 10; $0.targetAccuracy = 0.8 }, data: d)
        let first = r.evals.first { ($0.testAccuracy ?? 0) >= 0.8 }
        #expect(r.stepsToTarget == first?.step && first != nil)
        #expect(r.secondsToTarget == first?.seconds)
        let never = try Trainer.run(config { $0.steps = 5; $0.targetAccuracy = 1.0 }, data: d)
        #expect(never.stepsToTarget == nil && never.secondsToTarget == nil)
        #expect(try JSON.parse(TrainReport.json(never))["steps_to_target"] == .null)
    }

    @Test func divergenceStopsWithTheNaNInTheCurve() throws {
        let r = try Trainer.run(config {
            $0.steps = 200; $0.optimizer = Call(convention: "torch", name: "SGD", arguments: [("lr", JSON(1e30))])
        }, data: try digits())
        #expect(r.stopped.hasPrefix("diverged"))
        #expect(r.stepsRun < 200 && !(r.trainLoss.last!.isFinite))
        #expect(TrainReport.json(r).contains("\"NaN\"") || TrainReport.json(r).contains("Infinity"))
    }

    @Test func badConfigurationsExitWithStatus2() {
        let base = ["train", "--fixtures", fixtures, "--steps", "2", "--quiet", "--implementation", "naive"]
        #expect(CLI.main(base + ["--optimizer", "torch/Adam", "--hp", "nonsense=1"]) == 2)
        #expect(CLI.main(base + ["--optimizer", "torch/NoSuch"]) == 2)
        #expect(CLI.main(base + ["--optimizer", "Adam"]) == 2)
        #expect(CLI.main(base + ["--model", "mlp:63,10"]) == 2)
        #expect(CLI.main(base + ["--model", "mlp:64,32,9"]) == 2)
        #expect(CLI.main(base + ["--data", "nosuch"]) == 2)
        #expect(CLI.main(base + ["--sp", "T_max=3"]) == 2)
        #expect(CLI.main(base + ["--hp", "lr"]) == 2)
        #expect(CLI.main(base + ["--schedule", "torch/ReduceLROnPlateau"]) == 2)
        #expect(CLI.main(["compare", "--fixtures", fixtures, "--steps", "2", "--quiet"]) == 2)
        #expect(CLI.main(base + ["--hp", "lr=0.01"]) == 0)
    }

    @Test func hyperparameterValuesParse() throws {
        #expect(Call.value("3e-3") == JSON(3e-3))
        #expect(Call.value("0.9,0.99") == .array([JSON(0.9), JSON(0.99)]))
        #expect(Call.value("true") == .bool(true))
        #expect(Call.value("cos") == .string("cos"))
        #expect(Call.value("[1,2]") == .array([JSON(1), JSON(2)]))
        let c = try CLI.parseRun("torch/AdamW lr=3e-3 warmup=30 schedule=torch/CosineAnnealingLR T_max=430", base: TrainConfig())
        #expect(c.optimizer == Call(convention: "torch", name: "AdamW", arguments: [("lr", JSON(3e-3))]))
        #expect(c.warmup == 30)
        #expect(c.schedule == Call(convention: "torch", name: "CosineAnnealingLR", arguments: [("T_max", JSON(430))]))
    }
}

@Suite struct CompareTests {
    /// The vector loops the `descent` command runs, installed before the test: a run compared
    /// with another (or with the command's) must not see the choice change halfway.
    init() { _ = installedLoops }

    @Test func runsShareTheStartAndTheBatchOrderAndPlot() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("compare-\(getpid())")
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("c.json").path
        let status = CLI.main(["compare", "--fixtures", fixtures, "--steps", "40", "--eval-every", "10", "--implementation", "vectorized",
                               "--run", "torch/SGD lr=0.1", "--run", "torch/SGD lr=0.1 momentum=0.9",
                               "--run", "torch/Adam lr=0.003 warmup=5 schedule=torch/CosineAnnealingLR T_max=35",
                               "--plots", dir.appendingPathComponent("c").path, "--format", "json", "--output", out, "--quiet"])
        #expect(status == 0)
        let doc = try JSON.parse(try String(contentsOfFile: out, encoding: .utf8))
        #expect(doc["format"]?.stringValue == "descent-compare/1")
        let runs = try #require(doc["runs"]?.arrayValue)
        #expect(runs.count == 3)
        let first = runs.map { $0["curves"]?["train_loss"]?.arrayValue?.first?.doubleValue }
        // Same θ₀ and the same first batch: the loss before the first step is the same for all.
        #expect(first[0] != nil && first[0] == first[1] && first[1] == first[2])
        // The runs then differ.
        #expect(runs[0]["curves"]?["train_loss"] != runs[1]["curves"]?["train_loss"])
        // The three SVGs: valid XML, one series per run, the loss curve has one point per step.
        for suffix in ["loss", "accuracy", "lr"] {
            let svg = try String(contentsOfFile: dir.appendingPathComponent("c-\(suffix).svg").path, encoding: .utf8)
            let r = try #require(SVGReader.read(svg))
            let series = r.series()
            #expect(series.map(\.name) == ["torch/SGD lr=0.1", "torch/SGD lr=0.1 momentum=0.9",
                                           "torch/Adam lr=0.003 warmup=5 schedule=torch/CosineAnnealingLR T_max=35"])
            if suffix == "loss" {
                // The moving average over one point per step, over the raw values drawn faint.
                #expect(series.allSatisfy { $0.lines.map(\.count).reduce(0, +) == 40 })
                let raw = r.all("polyline", class: "raw").map { ($0.attributes["points"] ?? "").split(separator: " ").count }
                #expect(raw == [40, 40, 40])
            }
            if suffix == "accuracy" { #expect(series.allSatisfy { $0.points.count == 5 }) }
        }
    }

    @Test func mainJobComparisonWritesTheReportAndPictures() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("training-\(getpid())")
        defer { try? FileManager.default.removeItem(at: dir) }
        let table = try CLI.trainingComparison(resultsDir: dir.path, fixtures: fixtures)
        #expect(table.contains("torch/Adam") && table.contains("torch/AdamW"))
        let md = try String(contentsOfFile: dir.appendingPathComponent("training.md").path, encoding: .utf8)
        #expect(md.contains("![training-loss.svg](training-loss.svg)"))
        for s in ["loss", "accuracy", "lr"] {
            let svg = try String(contentsOfFile: dir.appendingPathComponent("training-\(s).svg").path, encoding: .utf8)
            #expect(SVGReader.read(svg)?.series().count == 4)
        }
    }
}
