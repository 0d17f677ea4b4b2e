// Trainer.swift — minibatch training of an MLP (DescentCore/Training) on a data set with any
// optimizer of any convention and any schedule: the loop behind `descent train` and
// `descent compare`.
//
// One run, in order:
//   θ₀ = the model's seeded initialisation (MLPSpec.initialParameters(seed:)); the batch order is
//   a second SplitMix64 stream from the same seed, reshuffled every epoch (a permutation cut
//   into batches, the last one short). So two runs with the same seed, implementation and thread
//   count are bit-identical, and the runs of `descent compare` share θ₀ and the batch order.
//   Step k (k = 0, 1, …): L_k = batch loss at θ_k (recorded), ∇ by backpropagation, then the
//   optimizer's step with lr_k (recorded):
//     lr_k = the schedule's value for step k (torch: after k scheduler.step() calls; optax:
//            schedule(k); textbook: step k), or the optimizer's own lr without a schedule;
//     with --warmup W: lr_k = lr⁰·(k+1)/W for k < W (lr⁰ the schedule's first value), and the
//            schedule starts after the warmup: lr_k = schedule(k − W) for k ≥ W (as torch's
//            SequentialLR([LinearLR, S], milestones=[W]) or optax.join_schedules).
//   Evaluation (test loss and accuracy on the whole held-out split) before the first step, every
//   `evalEvery` steps (default: once per epoch) and after the last.
//   Early stopping (course form): stop when `patience` evaluations in a row did not lower the
//   best test loss by more than `minDelta`. The held-out set is the test split.
//   A non-finite batch loss stops the run ("diverged"); the NaN stays in the curve (it is data).
import DescentCore
import DescentJSON
import Dispatch
import Foundation

/// A named optimizer or schedule call: `torch/Adam` with keyword arguments.
public struct Call: Sendable, Equatable {
    public var convention: String
    public var name: String
    public var arguments: [(String, JSON)]

    public init(convention: String, name: String, arguments: [(String, JSON)] = []) {
        self.convention = convention
        self.name = name
        self.arguments = arguments
    }

    public static func == (a: Call, b: Call) -> Bool {
        a.convention == b.convention && a.name == b.name && JSON.object(a.arguments) == JSON.object(b.arguments)
    }

    /// "torch/Adam" → (torch, Adam).
    public static func parse(_ s: String, what: String) throws -> Call {
        let parts = s.split(separator: "/", maxSplits: 1).map(String.init)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
            throw ConfigurationError(message: "\(what) '\(s)': expected CONVENTION/NAME, e.g. torch/Adam, optax/adamw, textbook/sgd")
        }
        guard Conventions.named(parts[0]) != nil else {
            throw ConfigurationError(message: "\(what) '\(s)': unknown convention '\(parts[0])' (known: \(Conventions.all.map(\.name).joined(separator: ", ")))")
        }
        return Call(convention: parts[0], name: parts[1])
    }

    /// `key=value`: the value is JSON when it parses (3e-3, true, null, [0.9, 0.99], "cos"),
    /// a comma list of JSON values as an array (betas=0.9,0.99), else a string (anneal_strategy=cos).
    public static func argument(_ s: String, what: String) throws -> (String, JSON) {
        guard let eq = s.firstIndex(of: "="), eq != s.startIndex else {
            throw ConfigurationError(message: "\(what) '\(s)': expected NAME=VALUE, e.g. lr=3e-3 or betas=0.9,0.99")
        }
        let key = String(s[..<eq]), text = String(s[s.index(after: eq)...])
        return (key, value(text))
    }

    package static func value(_ text: String) -> JSON {
        if let j = try? JSON.parse(text) { return j }
        if text.contains(",") {
            let parts = text.split(separator: ",", omittingEmptySubsequences: false).map { String($0).trimmingCharacters(in: .whitespaces) }
            return .array(parts.map { (try? JSON.parse($0)) ?? .string($0) })
        }
        return .string(text)
    }

    /// "torch/Adam lr=0.003 betas=[0.9,0.99]".
    public var label: String {
        ([convention + "/" + name] + arguments.map { "\($0.0)=\($0.1.serialized())" }).joined(separator: " ")
    }

    package var json: JSON { .object(arguments) }
}

/// One evaluation on the held-out split after `step` optimizer steps.
public struct EvalPoint: Sendable, Equatable {
    public var step: Int
    public var testLoss: Double
    public var testAccuracy: Double?
    /// Seconds of training (steps only, evaluations excluded) before this evaluation.
    public var seconds: Double
}

/// What a run did.
public struct TrainRun: Sendable {
    public var config: TrainConfig
    public var label: String
    public var dataSet: String
    public var dataSource: String
    public var trainCount: Int
    public var testCount: Int
    public var sizes: [Int]
    public var implementation: String
    public var plannedSteps: Int
    public var stepsPerEpoch: Int
    public var evalEvery: Int
    /// What ran: implementation, optimizer family with its knobs, stepper type, schedule.
    public var ran: String
    /// Batch loss at θ_k before step k, and the lr of step k, for every step taken.
    public var trainLoss: [Double] = []
    public var lr: [Double] = []
    public var evals: [EvalPoint] = []
    /// Seconds per step (loss, backpropagation, optimizer step; evaluations excluded).
    public var stepSeconds: [Double] = []
    public var wallSeconds = 0.0
    /// Mean loss over the whole training split at the final parameters.
    public var finalTrainLoss = Double.nan
    public var finalTestLoss = Double.nan
    public var finalTestAccuracy: Double?
    public var stepsToTarget: Int?
    public var secondsToTarget: Double?
    public var bestTestLoss = Double.infinity
    public var bestStep = 0
    /// "completed", "early stopping: …", "diverged: …".
    public var stopped = "completed"

    public var stepsRun: Int { trainLoss.count }
    public var medianStepSeconds: Double {
        median(sorted: stepSeconds.sorted())
    }
    public var trainingSeconds: Double { stepSeconds.reduce(0, +) }
}

/// Progress of a running run (for the progress line).
public struct TrainProgress: Sendable {
    public var step: Int
    public var total: Int
    public var loss: Double
    public var testAccuracy: Double?
    public var elapsed: Double
    public var evaluated: Bool
}

public enum Trainer {
    /// Runs `config` on `data`. Throws ConfigurationError / DescentError for a configuration that
    /// cannot run (unknown optimizer, unsupported hyperparameter, model not fitting the data…).
    public static func run(_ config: TrainConfig, data: DataSet, label: String? = nil,
                           progress: ((TrainProgress) -> Void)? = nil, stop: ((EvalPoint) -> String?)? = nil) throws -> TrainRun {
        switch config.dtype {
        case .float64: return try run(config, data: data, label: label, Double.self, progress: progress, stop: stop)
        case .float32: return try run(config, data: data, label: label, Float.self, progress: progress, stop: stop)
        }
    }

    /// The implementation's engine with `threads` threads (and the work counter, when given).
    package static func engineImplementation(_ name: String, threads: Int, counter: WorkCounter? = nil) throws -> EngineImplementation {
        guard let e = EngineImplementations.named(name) else {
            throw ConfigurationError(message: "unknown implementation '\(name)'" + Suggest.didYouMean(name, among: EngineImplementations.all.map(\.name))
                                     + " (known: \(EngineImplementations.all.map(\.name).joined(separator: ", ")))")
        }
        if case let .unavailable(why) = e.availability { throw DescentError.unsupported("\(name): \(why)") }
        return e.with(threads: threads, counter: counter)
    }

    /// The model spec for `config` on `data`, checked against the data's shape.
    package static func modelSpec(_ config: TrainConfig, _ data: DataSet) throws -> MLPSpec {
        var sizes = config.sizes ?? data.defaultSizes
        if config.sizes == nil, config.loss == .binaryCrossEntropy { sizes[sizes.count - 1] = 1 }
        let spec = try MLPSpec(sizes: sizes, activation: sizes.count > 2 ? config.activation : nil, loss: config.loss)
        guard sizes[0] == data.inputWidth else {
            throw ConfigurationError(message: "--model: the input size is \(sizes[0]) but \(data.name) has \(data.inputWidth) features")
        }
        switch config.loss {
        case .crossEntropy, .mse:
            guard sizes.last! == data.classes else {
                throw ConfigurationError(message: "--model: the output size is \(sizes.last!) but \(data.name) has \(data.classes) classes")
            }
        case .binaryCrossEntropy:
            guard data.classes == 2 else { throw ConfigurationError(message: "--loss binary_cross_entropy needs a 2-class data set; \(data.name) has \(data.classes)") }
        }
        return spec
    }

    /// Targets for the loss: class indices (cross_entropy, binary_cross_entropy) or one-hot rows (mse).
    package static func targets(_ y: [Double], _ spec: MLPSpec) -> [Double] {
        guard spec.loss == .mse else { return y }
        let k = spec.outputWidth
        var out = [Double](repeating: 0, count: y.count * k)
        for (i, c) in y.enumerated() { out[i * k + Int(c)] = 1 }
        return out
    }

    /// The learning rate of every step (see the file header), computed in precision T.
    package static func learningRates<T: DescentFloat>(_ config: TrainConfig, optimizerLR: Double, steps: Int,
                                               impl: EngineImplementation, _: T.Type) throws -> (lr: [Double], summary: String?) {
        let w = min(config.warmup, steps)
        var scheduled: [Double]
        var summary: String?
        if let s = config.schedule {
            let schedule = try Conventions.schedule(convention: s.convention, name: s.name, parameters: s.json,
                                                    context: ScheduleContext(baseLR: optimizerLR))
            let v = try impl.scheduleValues(schedule, T.self, count: max(1, steps - w))
            if v.momentum != nil {
                throw DescentError.unsupported("\(s.label) cycles momentum as well as the lr; descent train applies only the lr (pass cycle_momentum=false)")
            }
            scheduled = v.lr.map { Double($0) }
            summary = schedule.summary
        } else {
            scheduled = [Double](repeating: optimizerLR, count: max(1, steps - w))
        }
        let peak = scheduled[0]
        var lr = (0..<w).map { peak * Double($0 + 1) / Double(w) }
        lr += scheduled.prefix(steps - w)
        if w > 0 { summary = "linear warmup over \(w) steps, then " + (summary ?? "constant") }
        return (lr, summary)
    }

    package static func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) * 1e-9 }

    package static func run<T: DescentFloat>(_ config: TrainConfig, data: DataSet, label: String?, _: T.Type,
                                     progress: ((TrainProgress) -> Void)?, stop: ((EvalPoint) -> String?)?) throws -> TrainRun {
        guard config.batchSize >= 1 else { throw ConfigurationError(message: "--batch-size must be ≥ 1") }
        guard config.threads >= 1 else { throw ConfigurationError(message: "--threads must be ≥ 1") }
        let spec = try modelSpec(config, data)
        let train = try TrainingData<T>(spec: spec, inputs: data.trainInputs, targets: targets(data.trainTargets, spec),
                                        count: data.trainCount, field: "data.train")
        let test = try TrainingData<T>(spec: spec, inputs: data.testInputs, targets: targets(data.testTargets, spec),
                                       count: data.testCount, field: "data.test")
        let implName = config.implementation ?? TrainConfig.defaultImplementation
        let impl = try engineImplementation(implName, threads: config.threads)
        let optimizer = try Conventions.optimizer(convention: config.optimizer.convention, name: config.optimizer.name,
                                                  hyperparameters: config.optimizer.json)
        let box = try impl.stepper(optimizer, T.self, shapes: spec.parameterShapes)
        let perEpoch = (data.trainCount + config.batchSize - 1) / config.batchSize
        let steps = config.steps ?? config.epochs * perEpoch
        guard steps >= 1 else { throw ConfigurationError(message: "--steps / --epochs must give at least one step") }
        let evalEvery = config.evalEvery ?? perEpoch
        guard evalEvery >= 1 else { throw ConfigurationError(message: "--eval-every must be ≥ 1") }
        if let p = config.patience, p < 1 { throw ConfigurationError(message: "--early-stopping PATIENCE must be ≥ 1") }
        let (lrs, scheduleSummary) = try learningRates(config, optimizerLR: optimizer.lr, steps: steps, impl: impl, T.self)

        let model = MLP<T>(spec, engine: impl.engine)
        let params: [Buffer<T>] = spec.initialParameters(T.self, seed: config.seed)
        let grads = model.makeGradients()
        var order = SplitMix64(seed: config.seed ^ 0xB47C_0DE5_5EED_0001)
        var run = TrainRun(config: config, label: label ?? config.optimizer.label, dataSet: data.name, dataSource: data.source,
                           trainCount: data.trainCount, testCount: data.testCount, sizes: spec.sizes, implementation: impl.name,
                           plannedSteps: steps, stepsPerEpoch: perEpoch, evalEvery: evalEvery,
                           ran: "\(impl.name) \(T.dtype.rawValue), \(config.threads) thread\(config.threads == 1 ? "" : "s"): "
                               + "\(config.optimizer.convention).\(config.optimizer.name) → \(optimizer.family.familyName) [\(optimizer.family.summary)]"
                               + " as \(box.typeName); lr: \(scheduleSummary ?? "constant \(optimizer.lr)")")
        run.trainLoss.reserveCapacity(steps); run.lr.reserveCapacity(steps); run.stepSeconds.reserveCapacity(steps)
        let start = now()
        var bad = 0
        var lastAccuracy: Double?

        func evaluate(at step: Int) -> Bool {
            let e = model.evaluate(params: params, data: test)
            let point = EvalPoint(step: step, testLoss: e.loss, testAccuracy: e.accuracy, seconds: run.trainingSeconds)
            run.evals.append(point)
            lastAccuracy = e.accuracy
            if let target = config.targetAccuracy, run.stepsToTarget == nil, let a = e.accuracy, a >= target {
                run.stepsToTarget = step
                run.secondsToTarget = point.seconds
            }
            // Keras EarlyStopping's rule: an evaluation improves when it beats the best by more than minDelta.
            if run.evals.count == 1 || e.loss < run.bestTestLoss - config.minDelta {
                run.bestTestLoss = e.loss; run.bestStep = step
                bad = 0
            } else {
                bad += 1
                if let p = config.patience, bad >= p {
                    run.stopped = "early stopping: the test loss did not improve by more than \(config.minDelta) in \(p) evaluation\(p == 1 ? "" : "s") (best \(run.bestTestLoss) at step \(run.bestStep))"
                    return true
                }
            }
            // A tuning run's early stopping of poor trials (TrainObjective.swift): the reason, or nil.
            if step > 0, step < steps, let why = stop?(point) {
                run.stopped = why
                return true
            }
            return false
        }

        _ = evaluate(at: 0)
        var batches: [[Int]] = []
        var k = 0
        training: while k < steps {
            if batches.isEmpty { batches = order.epochBatches(count: data.trainCount, batchSize: config.batchSize).reversed() }
            let batch = batches.removeLast()
            let lr = lrs[k]
            let t0 = now()
            let loss: Double
            if box.needsObjective {
                // Closed-loop optimizers (L-BFGS) evaluate the batch loss where they need it.
                loss = Double(model.loss(params: params, data: train, rows: batch))
                box.stepObjective(params, { p in
                    let g = model.makeGradients()
                    let l = model.lossAndGradients(params: p, data: train, rows: batch, into: g)
                    return (Double(l), g)
                }, lr)
            } else {
                loss = Double(model.lossAndGradients(params: params, data: train, rows: batch, into: grads))
                if loss.isFinite { box.step(params, grads, lr) }
            }
            run.stepSeconds.append(now() - t0)
            run.trainLoss.append(loss)
            run.lr.append(lr)
            k += 1
            if !loss.isFinite {
                run.stopped = "diverged: the batch loss of step \(k - 1) is \(loss)"
                break training
            }
            var evaluated = false
            if k % evalEvery == 0 || k == steps {
                evaluated = true
                if evaluate(at: k) { progress?(TrainProgress(step: k, total: steps, loss: loss, testAccuracy: lastAccuracy, elapsed: now() - start, evaluated: true)); break training }
            }
            progress?(TrainProgress(step: k, total: steps, loss: loss, testAccuracy: lastAccuracy, elapsed: now() - start, evaluated: evaluated))
        }
        if run.evals.last?.step != run.stepsRun { _ = evaluate(at: run.stepsRun) }
        let finalTrain = model.evaluate(params: params, data: train)
        run.finalTrainLoss = finalTrain.loss
        run.finalTestLoss = run.evals.last!.testLoss
        run.finalTestAccuracy = run.evals.last!.testAccuracy
        run.wallSeconds = now() - start
        return run
    }
}
