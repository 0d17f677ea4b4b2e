// Objectives.swift — what a tuning run evaluates: a test function (known optimum, so the JSON
// gives the regret), or a training run (TrainObjective, when `descent train` is built in).
import DescentJSON
import Foundation

enum ObjectiveSpec: Sendable, Equatable {
    /// A test function; `noise` adds N(0, noise²) per trial (seeded), the regret uses the noiseless value.
    case function(name: String, dim: Int, noise: Double)
    /// A training run: its `descent train` options as given (`--name value` pairs), and the metric.
    case training(arguments: [String], metric: String)

    var json: JSON {
        switch self {
        case let .function(name, dim, noise):
            return .object([("function", .string(name)), ("dim", JSON(dim)), ("noise", JSON(noise))])
        case let .training(arguments, metric):
            return .object([("train", .array(arguments.map { .string($0) })), ("metric", .string(metric))])
        }
    }

    static func from(_ j: JSON, file: String) throws -> ObjectiveSpec {
        if let f = j["function"]?.stringValue, let d = j["dim"]?.intValue {
            return .function(name: f, dim: d, noise: j["noise"]?.doubleValue ?? 0)
        }
        if let t = j["train"]?.arrayValue, let m = j["metric"]?.stringValue {
            return .training(arguments: t.compactMap(\.stringValue), metric: m)
        }
        throw CLI.InputError(message: "\(file): settings.objective is neither a function nor a training run")
    }

    var label: String {
        switch self {
        case let .function(name, dim, noise): return "\(name) (\(dim)-D\(noise > 0 ? ", noise σ=\(noise)" : ""))"
        case let .training(args, m): return "\(m) of `descent train \(args.joined(separator: " "))`"
        }
    }

    /// The objective this spec describes.
    func make() throws -> any TuneObjective {
        switch self {
        case let .function(name, dim, noise):
            return FunctionObjective(function: try TestFunction.named(name, dim: dim), noise: noise)
        case let .training(arguments, metric):
            return try TrainingObjective(arguments: arguments, metric: metric)
        }
    }
}

struct FunctionObjective: TuneObjective {
    var function: TestFunction
    var noise: Double
    var maximize: Bool { false }
    var optimum: Double? { function.optimum }

    func evaluate(_ config: [(String, ParamValue)], seed: UInt64, peers: [Trial], early: EarlyStopping) throws -> Evaluation {
        let x = config.map { $0.1.double ?? .nan }
        let v = function(x)
        guard noise > 0 else { return Evaluation(value: v) }
        var r = SplitMix(seed: seed)
        return Evaluation(value: v + noise * r.gaussian(), trueValue: v)
    }
}
