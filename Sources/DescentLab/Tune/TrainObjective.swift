// TrainObjective.swift — tuning training runs: `descent tune --data digits --model mlp:64,64,10
// --optimizer torch/Adam --space 'lr=log:1e-4:1' …`. Each trial is one `descent train` run
// (Trainer.run) with the trial's hyperparameters applied by name:
//
//   batch_size, steps, epochs, warmup      the training options
//   schedule.NAME (or sched.NAME)          a parameter of --schedule (e.g. schedule.T_max)
//   NAME.K                                 element K of an array hyperparameter (betas.0); the
//                                          array's other elements come from --hp (betas=0.9,0.999)
//   anything else                          an optimizer keyword argument in the convention's own
//                                          names (lr, weight_decay, momentum, eps, …)
//
// Objectives: test_loss, train_loss (final, minimised), test_accuracy (final, maximised),
// steps_to_target (first evaluation reaching --target-accuracy; NaN when never reached, which
// Bayesian search treats as the worst value seen). The training seed is --train-seed (default 0)
// for every trial, so trials differ only in their hyperparameters.
import DescentCore
import DescentJSON
import Foundation

package struct TrainingObjective: TuneObjective {
    package var base: TrainConfig
    package var data: DataSet
    package var metric: String
    package var maximize: Bool { metric == "test_accuracy" }
    package var optimum: Double? { nil }

    package init(base: TrainConfig, data: DataSet, metric: String) {
        self.base = base
        self.data = data
        self.metric = metric
    }

    /// The training configuration of one trial.
    package func config(_ trial: [(String, ParamValue)]) throws -> TrainConfig {
        var c = base
        func int(_ name: String, _ v: ParamValue) throws -> Int {
            guard let d = v.double, d == d.rounded(), d >= 0 else { throw ConfigurationError(message: "--space \(name): needs whole numbers (int:…)") }
            return Int(d)
        }
        for (name, v) in trial {
            switch name {
            case "batch_size", "batch-size": c.batchSize = max(1, try int(name, v))
            case "steps": c.steps = max(1, try int(name, v))
            case "epochs": c.epochs = max(1, try int(name, v)); c.steps = nil
            case "warmup": c.warmup = try int(name, v)
            default:
                let json: JSON = v.double.map { d in d == d.rounded() && abs(d) < 1e15 && !(v.description.contains(".")) ? JSON(Int(d)) : JSON(d) } ?? .string(v.description)
                if name.hasPrefix("schedule.") || name.hasPrefix("sched.") {
                    guard c.schedule != nil else { throw ConfigurationError(message: "--space \(name): needs --schedule") }
                    let key = String(name.split(separator: ".", maxSplits: 1)[1])
                    set(&c.schedule!.arguments, key, json)
                } else if let dot = name.lastIndex(of: "."), let k = Int(name[name.index(after: dot)...]) {
                    let key = String(name[..<dot])
                    guard let arr = c.optimizer.arguments.first(where: { $0.0 == key })?.1.arrayValue, k < arr.count else {
                        throw ConfigurationError(message: "--space \(name): give the whole array with --hp \(key)=… (element \(k) is replaced)")
                    }
                    var a = arr
                    a[k] = json
                    set(&c.optimizer.arguments, key, .array(a))
                } else {
                    set(&c.optimizer.arguments, name, json)
                }
            }
        }
        return c
    }

    package func set(_ args: inout [(String, JSON)], _ key: String, _ v: JSON) {
        if let i = args.firstIndex(where: { $0.0 == key }) { args[i].1 = v } else { args.append((key, v)) }
    }

    package func evaluate(_ trial: [(String, ParamValue)], seed: UInt64, peers: [Trial], early: EarlyStopping) throws -> Evaluation {
        let c = try config(trial)
        let run: TrainRun
        // Early stopping (EarlyStopping.swift): judged at each evaluation against the earlier trials.
        var history: [(step: Int, value: Double)] = []
        let what = maximize ? "test accuracy" : "test loss"
        let stop: ((EvalPoint) -> String?)? = early == .none ? nil : { [maximize] point in
            history.append((point.step, maximize ? (point.testAccuracy ?? .nan) : point.testLoss))
            return early.decide(history: history, peers: peers, maximize: maximize, what: what)
        }
        do { run = try Trainer.run(c, data: data, stop: stop) } catch let e as DescentError {
            throw LabInputError(message: "trial \(trial.map { "\($0.0)=\($0.1.description)" }.joined(separator: " ")): \(e.description)")
        }
        let curve = CurveSummary(steps: run.evals.map(\.step),
                                 values: run.evals.map { metric == "test_accuracy" ? ($0.testAccuracy ?? .nan) : $0.testLoss })
        var status = run.stopped == "completed" ? "ok" : run.stopped
        let value: Double
        switch metric {
        case "test_accuracy": value = run.finalTestAccuracy ?? .nan
        case "train_loss": value = run.finalTrainLoss
        case "steps_to_target":
            value = run.stepsToTarget.map(Double.init) ?? .nan
            if run.stepsToTarget == nil { status = "target not reached" }
        default: value = run.finalTestLoss
        }
        return Evaluation(value: value, curve: curve, status: status)
    }
}
