// Convention.swift — a convention maps a library's own names, keyword arguments and defaults
// onto Descent's families and schedules. Each convention is a table of entries (one entry per
// library name); the tables are assembled from per-group files (Torch+SGD.swift, …) so that
// adding an optimizer is one entry. An unknown convention or name is `unsupported`, never a crash.
import DescentJSON

/// One optimizer name of a convention: how to build it from the call's keyword arguments.
public struct OptimizerEntry: Sendable {
    public let name: String
    /// One line for `descent list` (what the name means, notable defaults).
    public let note: String
    /// Reads the hyperparameters it knows (the convention then rejects leftovers) and returns
    /// the family and lr. Throws `DescentError.invalidHyperparameter` with the library's wording.
    public let build: @Sendable (inout Hyperparameters) throws -> OptimizerSpec

    public init(_ name: String, _ note: String, _ build: @escaping @Sendable (inout Hyperparameters) throws -> OptimizerSpec) {
        self.name = name
        self.note = note
        self.build = build
    }

    /// The keyword arguments and defaults of this name, recorded from `build` itself (the one
    /// place they are written): the builder runs on the library's defaults, and a required
    /// argument it reports missing is supplied and marked required (`recordKeywords`).
    public var keywords: [Keyword] {
        recordKeywords(callee: name) { h in _ = try build(&h) }
    }

    /// Why this name cannot run, when it is registered as unsupported (its builder throws
    /// `unsupported` once its required arguments are given); nil when it runs.
    public var unsupportedReason: String? {
        probeBuilder(callee: name) { h in _ = try build(&h) }.unsupported
    }
}

/// Runs `build` with recording on: first with no arguments, then with each argument it reports
/// missing ("missing 1 required positional argument", "needs k") supplied (a number 0.001, an integer 10),
/// until it succeeds or fails otherwise (a builder that rejects the supplied values then shows
/// the keywords it read up to there).
func recordKeywords(callee: String, _ build: (inout Hyperparameters) throws -> Void) -> [Keyword] {
    probeBuilder(callee: callee, build).keywords
}

/// `recordKeywords`'s loop; also the reason when the builder, given its required arguments, throws
/// `unsupported` (a name registered as not runnable, such as torch's LambdaLR).
func probeBuilder(callee: String, _ build: (inout Hyperparameters) throws -> Void) -> (keywords: [Keyword], unsupported: String?) {
    var supplied: [(String, JSON)] = []
    var keywords: [Keyword] = []
    var unsupported: String?
    attempts: for _ in 0..<8 {
        let recorder = KeywordRecorder()
        guard var h = try? Hyperparameters(.object(supplied), callee: callee) else { break }
        h.recorder = recorder
        do {
            try build(&h)
            keywords = recorder.keywords
            break
        } catch let e as DescentError {
            keywords = recorder.keywords
            let (field, message): (String, String)
            switch e {
            case let .invalidHyperparameter(f, m), let .invalidInput(f, m): (field, message) = (f, m)
            case let .unsupported(why): unsupported = why; break attempts
            }
            let key = String(field.split(separator: ".").last ?? "")
            guard message.contains("required positional argument") || message.contains(" needs "),
                  !key.isEmpty, !supplied.contains(where: { $0.0 == key }) else { break }
            // A builder may test for the argument before reading it: then it is a number.
            switch keywords.first(where: { $0.name == key })?.kind ?? .number {
            case .number: supplied.append((key, JSON(0.001)))
            case .integer: supplied.append((key, JSON(10)))
            default: break attempts
            }
        } catch {
            keywords = recorder.keywords
            break
        }
    }
    return (keywords.map { k in
        supplied.contains(where: { $0.0 == k.name }) ? Keyword(name: k.name, kind: k.kind, defaultValue: nil, required: true) : k
    }, unsupported)
}

/// One schedule name of a convention.
public struct ScheduleEntry: Sendable {
    public let name: String
    public let note: String
    public let build: @Sendable (inout Hyperparameters, ScheduleContext) throws -> any Schedule

    public init(_ name: String, _ note: String,
                _ build: @escaping @Sendable (inout Hyperparameters, ScheduleContext) throws -> any Schedule) {
        self.name = name
        self.note = note
        self.build = build
    }

    /// The schedule's parameters and defaults, recorded from `build` (as OptimizerEntry.keywords).
    public var keywords: [Keyword] {
        recordKeywords(callee: name) { h in _ = try build(&h, ScheduleContext(baseLR: 0.1, metrics: nil)) }
    }

    /// Why this name cannot run, when it is registered as unsupported; nil when it runs.
    public var unsupportedReason: String? {
        probeBuilder(callee: name) { h in _ = try build(&h, ScheduleContext(baseLR: 0.1, metrics: nil)) }.unsupported
    }
}

public struct Convention: Sendable {
    /// "torch", "optax", "textbook", …
    public let name: String
    /// How a name is shown in messages: "torch.optim.Adam", "optax.adam", "textbook adam".
    public let qualify: @Sendable (String) -> String
    public let optimizers: [OptimizerEntry]
    public let schedules: [ScheduleEntry]
    /// How schedule names are qualified (torch: torch.optim.lr_scheduler.X).
    public let qualifySchedule: @Sendable (String) -> String

    public init(name: String, qualify: @escaping @Sendable (String) -> String,
                qualifySchedule: @escaping @Sendable (String) -> String,
                optimizers: [OptimizerEntry], schedules: [ScheduleEntry]) {
        self.name = name
        self.qualify = qualify
        self.qualifySchedule = qualifySchedule
        self.optimizers = optimizers
        self.schedules = schedules
    }

    /// The family and learning rate that `name(**hyperparameters)` means.
    public func optimizer(_ name: String, _ hyperparameters: JSON?) throws -> OptimizerSpec {
        guard let e = optimizers.first(where: { $0.name == name }) else {
            throw DescentError.unsupported("\(self.name) optimizer '\(name)' is not implemented in Descent")
        }
        var h = try Hyperparameters(hyperparameters, callee: qualify(name))
        let spec = try e.build(&h)
        try h.finish()
        return spec
    }

    /// The schedule that `name(**parameters)` means.
    public func schedule(_ name: String, _ parameters: JSON?, context: ScheduleContext) throws -> any Schedule {
        guard let e = schedules.first(where: { $0.name == name }) else {
            throw DescentError.unsupported("\(self.name) schedule '\(name)' is not implemented in Descent")
        }
        var h = try Hyperparameters(parameters, callee: qualifySchedule(name), field: "parameters")
        let s = try e.build(&h, context)
        try h.finish()
        return s
    }
}

/// The registered conventions.
public enum Conventions {
    public static let all: [Convention] = [torch, optax, textbook, pytorchOptimizer, lionPytorch, schedulefree, keras, transformers, prodigyopt, dadaptation, bitsandbytes]

    public static let torch = Convention(
        name: "torch", qualify: { $0 == "AveragedModel" ? "torch.optim.swa_utils.AveragedModel" : "torch.optim.\($0)" }, qualifySchedule: { "torch.optim.lr_scheduler.\($0)" },
        optimizers: torchSGDGroup + torchAdamGroup + torchMatrixGroup + torchLBFGSGroup + torchAdafactorGroup + torchRpropGroup + torchSparseAdamGroup + torchAveragedModelGroup, schedules: torchSchedules)

    public static let optax = Convention(
        name: "optax", qualify: { "optax.\($0)" }, qualifySchedule: { "optax.\($0)" },
        optimizers: optaxSGDGroup + optaxAdamGroup + optaxLionLambGroup + optaxMatrixGroup + optaxLBFGSGroup + optaxAdafactorGroup + optaxRpropGroup + optaxYogiAdaBeliefGroup + optaxMoreGroup + optaxOptimisticGroup + optaxPolyakGroup + optaxNoisySGDGroup + optaxAdEMAMixGroup + optaxADOPTGroup + optaxProdigyGroup + optaxDAdaptationGroup
            + optaxContribGroup + optaxMADGRADGroup,
        schedules: optaxSchedules)

    public static let textbook = Convention(
        name: "textbook", qualify: { "textbook \($0)" }, qualifySchedule: { "textbook \($0)" },
        optimizers: textbookSGDGroup + textbookAdamGroup, schedules: textbookSchedules)

    /// The `pytorch_optimizer` package (SOAP, Shampoo, Lamb, LARS, Lion, …).
    public static let pytorchOptimizer = Convention(
        name: "pytorch_optimizer", qualify: { "pytorch_optimizer.\($0)" }, qualifySchedule: { "pytorch_optimizer.\($0)" },
        optimizers: pytorchOptimizerLionLambGroup + pytorchOptimizerMatrixGroup + pytorchOptimizerAdEMAMixGroup + pytorchOptimizerADOPTGroup + pytorchOptimizerProdigyGroup + pytorchOptimizerYogiAdaBeliefGroup + pytorchOptimizerAdanGroup
            + pytorchOptimizerMADGRADGroup + pytorchOptimizerStableAdamWGroup + pytorchOptimizerCAMERangerGroup + pytorchOptimizerSophiaHGroup + pytorchOptimizerGaLoreGroup, schedules: pytorchOptimizerSchedules)

    /// `Lion` from the `lion-pytorch` package.
    public static let lionPytorch = Convention(
        name: "lion_pytorch", qualify: { "lion_pytorch.\($0)" }, qualifySchedule: { "lion_pytorch.\($0)" },
        optimizers: lionPytorchGroup, schedules: [])

    /// The `schedulefree` package (`SGDScheduleFree`, `AdamWScheduleFree`); expected values are
    /// the parameters as held in train mode.
    public static let schedulefree = Convention(
        name: "schedulefree", qualify: { "schedulefree.\($0)" }, qualifySchedule: { "schedulefree.\($0)" },
        optimizers: schedulefreeGroup + schedulefreeClosureGroup + schedulefreeVariantGroup, schedules: [])

    /// `keras.optimizers.X` and `keras.optimizers.schedules.X` (Keras 3.15.1).
    public static let keras = Convention(
        name: "keras", qualify: { "keras.optimizers.\($0)" }, qualifySchedule: { "keras.optimizers.schedules.\($0)" },
        optimizers: kerasOptimizers, schedules: kerasSchedules)

    /// Hugging Face `transformers.optimization` (5.23.0): `Adafactor` and the `get_*_schedule*`
    /// functions (LambdaLR multipliers of the optimizer's lr).
    public static let transformers = Convention(
        name: "transformers", qualify: { "transformers.optimization.\($0)" },
        qualifySchedule: { "transformers.optimization.\($0)" },
        optimizers: transformersAdafactorGroup, schedules: transformersSchedules)

    /// `Prodigy` from the `prodigyopt` package (1.1.2).
    public static let prodigyopt = Convention(
        name: "prodigyopt", qualify: { "prodigyopt.\($0)" }, qualifySchedule: { "prodigyopt.\($0)" },
        optimizers: prodigyoptGroup, schedules: [])
    /// The `dadaptation` package (3.2): D-Adaptation (DAdaptAdam).
    public static let dadaptation = Convention(
        name: "dadaptation", qualify: { "dadaptation.\($0)" }, qualifySchedule: { "dadaptation.\($0)" },
        optimizers: dadaptationGroup, schedules: [])

    /// The 32-bit optimizers of the `bitsandbytes` package (0.50.2) on the CPU, float32 throughout.
    public static let bitsandbytes = Convention(
        name: "bitsandbytes", qualify: { "bitsandbytes.optim.\($0)" }, qualifySchedule: { "bitsandbytes.optim.\($0)" },
        optimizers: bitsandbytesGroup, schedules: [])

    public static func named(_ name: String) -> Convention? { all.first { $0.name == name } }

    public static func optimizer(convention: String, name: String, hyperparameters: JSON?) throws -> OptimizerSpec {
        guard let c = named(convention) else {
            throw DescentError.unsupported("convention '\(convention)' is not implemented in Descent")
        }
        return try c.optimizer(name, hyperparameters)
    }

    public static func schedule(convention: String, name: String, parameters: JSON?,
                                context: ScheduleContext) throws -> any Schedule {
        guard let c = named(convention) else {
            throw DescentError.unsupported("convention '\(convention)' is not implemented in Descent")
        }
        return try c.schedule(name, parameters, context: context)
    }
}
