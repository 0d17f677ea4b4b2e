// Objectives.swift — what a tuning run evaluates: a test function (known optimum, so the JSON
// gives the regret), or a training run (TrainObjective, when `descent train` is built in).
import DescentCore
import DescentJSON
import Foundation

package enum ObjectiveSpec: Sendable, Equatable {
    /// A test function; `noise` adds N(0, noise²) per trial (seeded), the regret uses the noiseless value.
    case function(name: String, dim: Int, noise: Double)
    /// A training run: the trials' base configuration (each trial applies its hyperparameters to
    /// it), the fixtures folder its data set is read from (nil: fixtures/), and the metric.
    case training(config: TrainConfig, fixtures: String?, metric: String)

    package var json: JSON {
        switch self {
        case let .function(name, dim, noise):
            return .object([("function", .string(name)), ("dim", JSON(dim)), ("noise", JSON(noise))])
        case let .training(config, fixtures, metric):
            return .object([("train_config", config.json)] + (fixtures.map { [("fixtures", JSON.string($0))] } ?? [])
                           + [("metric", .string(metric))])
        }
    }

    package static func from(_ j: JSON, file: String) throws -> ObjectiveSpec {
        if let f = j["function"]?.stringValue, let d = j["dim"]?.intValue {
            return .function(name: f, dim: d, noise: j["noise"]?.doubleValue ?? 0)
        }
        if let t = j["train_config"], let m = j["metric"]?.stringValue {
            return .training(config: try TrainConfig(json: t, where: "\(file): settings.objective.train_config"),
                             fixtures: j["fixtures"]?.stringValue, metric: m)
        }
        // Reports written before the typed configuration stored the `descent train` options as
        // `--name value` pairs; they are read with the option names of that time.
        if let t = j["train"]?.arrayValue, let m = j["metric"]?.stringValue {
            let stored = StoredTrainArguments(t.compactMap(\.stringValue))
            do {
                return .training(config: try TrainConfig.tuningBase(options: stored), fixtures: stored.last("fixtures"), metric: m)
            } catch let e as ConfigurationError {
                throw LabInputError(message: "\(file): settings.objective.train: \(e.message)")
            }
        }
        throw LabInputError(message: "\(file): settings.objective is neither a function nor a training run")
    }

    package var label: String {
        switch self {
        case let .function(name, dim, noise): return "\(name) (\(dim)-D\(noise > 0 ? ", noise σ=\(noise)" : ""))"
        case let .training(config, _, m):
            return "\(m) of `\(TrainReport.command(config, implementation: config.implementation ?? TrainConfig.defaultImplementation))`"
        }
    }

    /// The objective this spec describes.
    package func make() throws -> any TuneObjective {
        switch self {
        case let .function(name, dim, noise):
            return FunctionObjective(function: try TestFunction.named(name, dim: dim), noise: noise)
        case let .training(config, fixtures, metric):
            return TrainingObjective(base: config, data: try DataSets.load(config.data, fixtures: fixtures ?? "fixtures"), metric: metric)
        }
    }
}

package struct FunctionObjective: TuneObjective {
    package var function: TestFunction
    package var noise: Double
    package var maximize: Bool { false }
    package var optimum: Double? { function.optimum }

    package func evaluate(_ config: [(String, ParamValue)], seed: UInt64, peers: [Trial], early: EarlyStopping) throws -> Evaluation {
        let x = config.map { $0.1.double ?? .nan }
        let v = function(x)
        guard noise > 0 else { return Evaluation(value: v) }
        var r = SplitMix64(seed: seed)
        return Evaluation(value: v + noise * r.gaussian(), trueValue: v)
    }
}
