// TrainConfig.swift — everything that defines a training run, how `descent train`'s options
// map onto it (one mapping, for the command and for reading earlier tune reports), and its
// typed JSON form ("descent-train-config/1"), which tune reports store as their objective.
import DescentCore
import DescentJSON
import Foundation

/// Everything that defines a training run (enough to repeat it).
public struct TrainConfig: Sendable, Equatable {
    public var data = "digits"
    /// [d₀, …, d_L]; nil = the data set's default (DataSet.defaultSizes).
    public var sizes: [Int]?
    public var activation: Activation = .relu
    public var loss: Loss = .crossEntropy
    public var optimizer = Call(convention: "torch", name: "Adam")
    public var schedule: Call?
    public var warmup = 0
    public var batchSize = 64
    /// Epochs, used when `steps` is nil.
    public var epochs = 40
    public var steps: Int?
    /// steps_to_target is the first evaluation reaching it (classification only).
    public var targetAccuracy: Double? = 0.95
    /// Early stopping: evaluations without improvement before stopping (nil = off).
    public var patience: Int?
    public var minDelta = 0.0
    /// Steps between evaluations; nil = once per epoch.
    public var evalEvery: Int?
    /// nil = blas when OpenBLAS loads, else vectorized.
    public var implementation: String?
    public var dtype: DType = .float32
    public var threads = 1
    public var seed: UInt64 = 0

    public init() {}

    public static var defaultImplementation: String { BLASEngine.isAvailable ? "blas" : "vectorized" }
}

/// Option values by name, as `descent train` takes them: the command's parsed arguments, or the
/// `--name value` pairs that tune reports stored before they stored a typed configuration.
public protocol TrainOptionValues {
    /// Every value given for `name` (repeatable options such as `hp`), in order.
    func values(_ name: String) -> [String]
}

extension TrainOptionValues {
    package func last(_ name: String) -> String? { values(name).last }

    package func oneOf(_ name: String, _ choices: [String], default d: String) throws -> String {
        guard let v = last(name) else { return d }
        guard choices.contains(v) else {
            throw ConfigurationError(message: "--\(name) must be one of \(choices.joined(separator: ", ")); got '\(v)'"
                                     + Suggest.didYouMean(v, among: choices))
        }
        return v
    }

    package func positiveInt(_ name: String) throws -> Int? {
        guard let v = last(name) else { return nil }
        guard let n = Int(v), n >= 1 else { throw ConfigurationError(message: "--\(name) must be a positive integer; got '\(v)'") }
        return n
    }
}

/// The `--name value` pairs of an earlier tune report's objective.
struct StoredTrainArguments: TrainOptionValues {
    var pairs: [(String, String)]

    init(_ argv: [String]) {
        var p: [(String, String)] = []
        var i = 0
        while i < argv.count {
            let w = argv[i]
            if w.hasPrefix("--") {
                var name = String(w.dropFirst(2))
                if let eq = name.firstIndex(of: "=") {
                    p.append((String(name[..<eq]), String(name[name.index(after: eq)...])))
                    name = ""
                } else {
                    p.append((name, i + 1 < argv.count ? argv[i + 1] : ""))
                    i += 1
                }
            }
            i += 1
        }
        pairs = p
    }

    func values(_ name: String) -> [String] { pairs.filter { $0.0 == name }.map(\.1) }
}

extension TrainConfig {
    /// The options `descent train` and `descent compare` share, and their defaults.
    public static let optionNames: Set<String> = ["data", "model", "activation", "loss", "batch-size", "epochs", "steps",
                                                  "target-accuracy", "early-stopping", "min-delta", "eval-every",
                                                  "implementation", "dtype", "threads", "seed", "format", "output", "fixtures"]

    /// `mlp:D0,D1,…,DL` → the layer sizes.
    public static func parseModel(_ s: String) throws -> [Int] {
        guard s.hasPrefix("mlp:") else { throw ConfigurationError(message: "--model '\(s)': expected mlp:D0,D1,…,DL, e.g. mlp:64,64,10") }
        let sizes = s.dropFirst(4).split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard sizes.count >= 2, sizes.allSatisfy({ ($0 ?? 0) >= 1 }) else {
            throw ConfigurationError(message: "--model '\(s)': expected at least two positive sizes, e.g. mlp:64,64,10")
        }
        return sizes.map { $0! }
    }

    /// The model, data and training options (not the optimizer's: `train` and `compare` give
    /// those their own way).
    public init(options a: some TrainOptionValues) throws {
        self.init()
        data = a.last("data") ?? "digits"
        if let m = a.last("model") { sizes = try Self.parseModel(m) }
        activation = Activation(rawValue: try a.oneOf("activation", Activation.allCases.map(\.rawValue), default: "relu"))!
        loss = Loss(rawValue: try a.oneOf("loss", Loss.allCases.map(\.rawValue), default: "cross_entropy"))!
        batchSize = try a.positiveInt("batch-size") ?? 64
        if a.last("epochs") != nil, a.last("steps") != nil { throw ConfigurationError(message: "give --epochs or --steps, not both") }
        epochs = try a.positiveInt("epochs") ?? 40
        steps = try a.positiveInt("steps")
        if let t = a.last("target-accuracy") {
            guard let v = Double(t), v > 0, v <= 1 else { throw ConfigurationError(message: "--target-accuracy must be in (0, 1]; got '\(t)'") }
            targetAccuracy = v
        }
        patience = try a.positiveInt("early-stopping")
        if let d = a.last("min-delta") {
            guard patience != nil else { throw ConfigurationError(message: "--min-delta needs --early-stopping PATIENCE") }
            guard let v = Double(d), v >= 0, v.isFinite else { throw ConfigurationError(message: "--min-delta must be a number ≥ 0; got '\(d)'") }
            minDelta = v
        }
        evalEvery = try a.positiveInt("eval-every")
        if let i = a.last("implementation") { implementation = i }
        dtype = DType(rawValue: try a.oneOf("dtype", ["float32", "float64"], default: "float32"))!
        threads = try a.positiveInt("threads") ?? 1
        if let s = a.last("seed") {
            guard let v = UInt64(s) else { throw ConfigurationError(message: "--seed must be a non-negative integer; got '\(s)'") }
            seed = v
        }
    }

    /// The options a tuning run's trials share: the training options but early stopping, the
    /// seed and the output (the tuner's own), plus the optimizer, the schedule, the warmup, the
    /// trials' steps and training seed.
    public static let tuningOptionNames: Set<String> = optionNames.subtracting(["early-stopping", "min-delta", "seed", "format", "output"])
        .union(["optimizer", "hp", "schedule", "sp", "warmup", "train-seed", "steps-per-trial"])

    /// The base configuration of a tuning run's trials, from its options (`tuningOptionNames`).
    public static func tuningBase(options a: some TrainOptionValues) throws -> TrainConfig {
        var c = try TrainConfig(options: a)
        c.optimizer = try Call.parse(a.last("optimizer") ?? "torch/Adam", what: "--optimizer")
        c.optimizer.arguments = try a.values("hp").map { try Call.argument($0, what: "--hp") }
        if let s = a.last("schedule") {
            c.schedule = try Call.parse(s, what: "--schedule")
            c.schedule!.arguments = try a.values("sp").map { try Call.argument($0, what: "--sp") }
        }
        if let w = a.last("warmup") {
            guard let v = Int(w), v >= 0 else { throw ConfigurationError(message: "--warmup must be ≥ 0") }
            c.warmup = v
        }
        if let s = a.last("steps-per-trial") {
            guard let v = Int(s), v >= 1 else { throw ConfigurationError(message: "--steps-per-trial must be ≥ 1") }
            c.steps = v
        }
        if let s = a.last("train-seed") {
            guard let v = UInt64(s) else { throw ConfigurationError(message: "--train-seed must be a non-negative integer") }
            c.seed = v
        }
        return c
    }

    // MARK: JSON ("descent-train-config/1")

    public static let jsonFormat = "descent-train-config/1"

    /// Every field, nil as null: what a tune report stores as its training objective.
    public var json: JSON {
        func call(_ c: Call, _ key: String) -> JSON {
            .object([("convention", .string(c.convention)), ("name", .string(c.name)), (key, c.json)])
        }
        let null = JSON.null
        var o: [(String, JSON)] = [("format", .string(Self.jsonFormat)), ("data", .string(data))]
        o.append(("sizes", sizes.map { JSON.array($0.map { JSON($0) }) } ?? null))
        o += [("activation", .string(activation.rawValue)), ("loss", .string(loss.rawValue))]
        o.append(("optimizer", call(optimizer, "hyperparameters")))
        o.append(("schedule", schedule.map { call($0, "parameters") } ?? null))
        o += [("warmup", JSON(warmup)), ("batch_size", JSON(batchSize)), ("epochs", JSON(epochs))]
        o.append(("steps", steps.map { JSON($0) } ?? null))
        o.append(("target_accuracy", targetAccuracy.map { JSON($0) } ?? null))
        o.append(("patience", patience.map { JSON($0) } ?? null))
        o.append(("min_delta", JSON(minDelta)))
        o.append(("eval_every", evalEvery.map { JSON($0) } ?? null))
        o.append(("implementation", implementation.map { JSON.string($0) } ?? null))
        o += [("dtype", .string(dtype.rawValue)), ("threads", JSON(threads)), ("seed", .number(String(seed)))]
        return .object(o)
    }

    /// Reads `json`; `where` names the place in errors (e.g. "report.json: settings.objective.train_config").
    public init(json j: JSON, where w: String) throws {
        func bad(_ field: String) -> LabInputError { LabInputError(message: "\(w).\(field) is missing or invalid") }
        guard j["format"]?.stringValue == Self.jsonFormat else { throw bad("format") }
        func int(_ k: String) throws -> Int { guard let v = j[k]?.intValue else { throw bad(k) }; return v }
        func optional<V>(_ k: String, _ read: (JSON) -> V?) throws -> V? {
            guard let v = j[k], v != .null else { return nil }
            guard let x = read(v) else { throw bad(k) }
            return x
        }
        func call(_ v: JSON, _ key: String, _ field: String) throws -> Call {
            guard let c = v["convention"]?.stringValue, let n = v["name"]?.stringValue, let a = v[key]?.objectValue else { throw bad(field) }
            return Call(convention: c, name: n, arguments: a)
        }
        self.init()
        guard let d = j["data"]?.stringValue else { throw bad("data") }
        data = d
        sizes = try optional("sizes") { v in v.arrayValue.flatMap { a in a.map(\.intValue).allSatisfy { $0 != nil } ? a.map { $0.intValue! } : nil } }
        guard let act = j["activation"]?.stringValue.flatMap(Activation.init(rawValue:)) else { throw bad("activation") }
        activation = act
        guard let l = j["loss"]?.stringValue.flatMap(Loss.init(rawValue:)) else { throw bad("loss") }
        loss = l
        guard let o = j["optimizer"] else { throw bad("optimizer") }
        optimizer = try call(o, "hyperparameters", "optimizer")
        if let s = j["schedule"], s != .null { schedule = try call(s, "parameters", "schedule") }
        warmup = try int("warmup")
        batchSize = try int("batch_size")
        epochs = try int("epochs")
        steps = try optional("steps") { $0.intValue }
        targetAccuracy = try optional("target_accuracy") { $0.doubleValue }
        patience = try optional("patience") { $0.intValue }
        guard let md = j["min_delta"]?.doubleValue else { throw bad("min_delta") }
        minDelta = md
        evalEvery = try optional("eval_every") { $0.intValue }
        implementation = try optional("implementation") { $0.stringValue }
        guard let dt = j["dtype"]?.stringValue.flatMap(DType.init(rawValue:)) else { throw bad("dtype") }
        dtype = dt
        threads = try int("threads")
        guard case let .number(text)? = j["seed"], let sd = UInt64(text) else { throw bad("seed") }
        seed = sd
    }
}
