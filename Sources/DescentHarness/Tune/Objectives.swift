// Objectives.swift — what a tuning run evaluates: a test function (known optimum, so the JSON
// gives the regret), or a training run (TrainObjective, when `descent train` is built in).
import DescentJSON
import Foundation

enum ObjectiveSpec: Sendable, Equatable {
    /// A test function; `noise` adds N(0, noise²) per trial (seeded), the regret uses the noiseless value.
    case function(name: String, dim: Int, noise: Double)
    /// A training run: its options as given (name → value), and the metric.
    case training(options: [String: String], metric: String)

    var json: JSON {
        switch self {
        case let .function(name, dim, noise):
            return .object([("function", .string(name)), ("dim", JSON(dim)), ("noise", JSON(noise))])
        case let .training(options, metric):
            return .object([("train", .object(options.keys.sorted().map { ($0, .string(options[$0]!)) })), ("metric", .string(metric))])
        }
    }

    static func from(_ j: JSON, file: String) throws -> ObjectiveSpec {
        if let f = j["function"]?.stringValue, let d = j["dim"]?.intValue {
            return .function(name: f, dim: d, noise: j["noise"]?.doubleValue ?? 0)
        }
        if let t = j["train"]?.objectValue, let m = j["metric"]?.stringValue {
            var o: [String: String] = [:]
            for (k, v) in t { o[k] = v.stringValue ?? "" }
            return .training(options: o, metric: m)
        }
        throw CLI.InputError(message: "\(file): settings.objective is neither a function nor a training run")
    }

    var label: String {
        switch self {
        case let .function(name, dim, noise): return "\(name) (\(dim)-D\(noise > 0 ? ", noise σ=\(noise)" : ""))"
        case let .training(o, m): return "\(m) of training \(o["model"] ?? "?") on \(o["data"] ?? "?") with \(o["optimizer"] ?? "?")"
        }
    }

    /// The objective this spec describes.
    func make() throws -> any TuneObjective {
        switch self {
        case let .function(name, dim, noise):
            return FunctionObjective(function: try TestFunction.named(name, dim: dim), noise: noise)
        case let .training(options, metric):
            return try TrainingObjectiveFactory.make(options: options, metric: metric)
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
