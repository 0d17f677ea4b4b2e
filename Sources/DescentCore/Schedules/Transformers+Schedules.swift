// Transformers+Schedules.swift — the transformers convention's learning-rate schedules:
// `transformers.optimization.<name>(optimizer, **parameters)` (transformers 5.23.0) with its
// keyword names, defaults and ValueErrors, worded as it words them. The optimizer's lr is the
// case's `base_lr` (also `optimizer.defaults["lr"]`, which the polynomial and min-lr schedules
// read). The math is in TransformersSchedules.swift; get_reduce_on_plateau_schedule is torch's
// ReduceLROnPlateau(optimizer, **kwargs) itself.
import DescentJSON

/// One transformers schedule function: its name, its note for `descent list`, and how its
/// arguments are read (raising where the function raises before building its LambdaLR).
struct TransformersScheduleReader: Sendable {
    let name: String
    let note: String
    let read: @Sendable (_ h: inout Hyperparameters, _ fn: String, _ baseLR: Double?) throws -> TransformersLambda
    init(_ name: String, _ note: String,
         _ read: @escaping @Sendable (_ h: inout Hyperparameters, _ fn: String, _ baseLR: Double?) throws -> TransformersLambda) {
        self.name = name
        self.note = note
        self.read = read
    }
}

private func needBaseLR(_ baseLR: Double?) throws -> Double {
    guard let b = baseLR else {
        throw DescentError.invalidInput(field: "base_lr",
            message: "transformers schedule cases need base_lr (the optimizer's lr when the scheduler is built)")
    }
    return b
}

/// min_lr / min_lr_rate of the two cosine-with-min-lr functions, checked in their order.
private func minLRRate(_ h: inout Hyperparameters, _ baseLR: Double?) throws -> Double {
    let minLR = try h.nullableDouble("min_lr", default: nil)
    let minRate = try h.nullableDouble("min_lr_rate", default: nil)
    if minLR != nil && minRate != nil { throw h.invalid("min_lr", "Only one of min_lr or min_lr_rate should be set") }
    if let m = minLR {
        let b = try needBaseLR(baseLR)
        if b == 0 { throw h.invalid("min_lr", "ZeroDivisionError: float division by zero") }
        return m / b
    }
    guard let r = minRate else {
        throw h.invalid("min_lr_rate", "One of min_lr or min_lr_rate should be set through the `lr_scheduler_kwargs`")
    }
    return r
}

/// The schedules Descent computes, in `descent list` order.
let transformersScheduleReaders: [TransformersScheduleReader] = [
    TransformersScheduleReader("get_constant_schedule", "λ = 1: the optimizer's lr") { h, fn, _ in .constant },
    TransformersScheduleReader("get_constant_schedule_with_warmup", "k/max(1, W) during warmup, then 1") { h, fn, _ in
        .constantWithWarmup(warmup: try h.requiredInt("num_warmup_steps", function: fn))
    },
    TransformersScheduleReader("get_linear_schedule_with_warmup", "k/max(1, W), then max(0, (N − k)/max(1, N − W)) (the Trainer's default)") { h, fn, _ in
        let w = try h.requiredInt("num_warmup_steps", function: fn)
        return .linear(warmup: w, total: try h.requiredInt("num_training_steps", function: fn))
    },
    TransformersScheduleReader("get_cosine_schedule_with_warmup", "warmup, then max(0, ½(1 + cos(2π·num_cycles·progress)))") { h, fn, _ in
        let w = try h.requiredInt("num_warmup_steps", function: fn)
        let n = try h.requiredInt("num_training_steps", function: fn)
        return .cosine(warmup: w, total: n, cycles: try h.double("num_cycles", default: 0.5), minRate: 0.0)
    },
    TransformersScheduleReader("get_cosine_with_hard_restarts_schedule_with_warmup", "warmup, then ½(1 + cos(π·((num_cycles·progress) mod 1))), 0 from progress 1") { h, fn, _ in
        let w = try h.requiredInt("num_warmup_steps", function: fn)
        let n = try h.requiredInt("num_training_steps", function: fn)
        h.note("num_cycles", .integer, JSON(1))
        return .hardRestarts(warmup: w, total: n, cycles: try h.optionalDouble("num_cycles") ?? 1)
    },
    TransformersScheduleReader("get_polynomial_decay_schedule_with_warmup", "warmup, then ((lr − lr_end)·(1 − (k − W)/(N − W))^power + lr_end)/lr, lr_end/lr past N") { h, fn, baseLR in
        let w = try h.requiredInt("num_warmup_steps", function: fn)
        let n = try h.requiredInt("num_training_steps", function: fn)
        let lrEnd = try h.double("lr_end", default: 1e-7)
        let power = try h.double("power", default: 1.0)
        let lrInit = try needBaseLR(baseLR)
        if !(lrInit > lrEnd) {
            throw h.invalid("lr_end", "lr_end (\(h.pythonRepr("lr_end", fallback: 1e-7))) must be smaller than initial lr (\(pyRepr(lrInit)))")
        }
        return .polynomial(warmup: w, total: n, lrEnd: lrEnd, power: power, lrInit: lrInit)
    },
    TransformersScheduleReader("get_inverse_sqrt_schedule", "warmup, then 1/√((k + timescale − W)/timescale); timescale None: W or 10000") { h, fn, _ in
        let w = try h.requiredInt("num_warmup_steps", function: fn)
        h.note("timescale", .integer, .null)
        let t = try h.optionalInt("timescale") ?? (w != 0 ? w : 10_000)
        return .inverseSqrt(warmup: w, timescale: t)
    },
    TransformersScheduleReader("get_cosine_with_min_lr_schedule_with_warmup", "the cosine schedule decaying to min_lr (or min_lr_rate·lr) instead of 0") { h, fn, baseLR in
        let w = try h.requiredInt("num_warmup_steps", function: fn)
        let n = try h.requiredInt("num_training_steps", function: fn)
        let cycles = try h.double("num_cycles", default: 0.5)
        return .cosine(warmup: w, total: n, cycles: cycles, minRate: try minLRRate(&h, baseLR))
    },
    TransformersScheduleReader("get_cosine_with_min_lr_schedule_with_warmup_lr_rate", "as cosine with min lr, counted as floats: warmup (k + 1)/W or from warmup_lr_rate, progress (k − W + 1)/(N − W)") { h, fn, baseLR in
        let w = try h.requiredInt("num_warmup_steps", function: fn)
        let n = try h.requiredInt("num_training_steps", function: fn)
        let cycles = try h.double("num_cycles", default: 0.5)
        let rate = try minLRRate(&h, baseLR)
        let warmupRate = try h.nullableDouble("warmup_lr_rate", default: nil)
        return .cosineLRRate(warmup: w, total: n, cycles: cycles, minRate: rate, warmupRate: warmupRate)
    },
    TransformersScheduleReader("get_wsd_schedule", "warmup (linear, cosine, 1-sqrt) from min_lr_ratio, stable at 1, decay (linear, cosine, 1-sqrt) to min_lr_ratio, then min_lr_ratio") { h, fn, _ in
        let w = try h.requiredInt("num_warmup_steps", function: fn)
        let d = try h.requiredInt("num_decay_steps", function: fn)
        h.note("num_training_steps", .integer, .null)
        h.note("num_stable_steps", .integer, .null)
        let n = try h.optionalInt("num_training_steps")
        let stable = try h.optionalInt("num_stable_steps")
        let warmupType = try h.string("warmup_type", default: "linear")!
        let decayType = try h.string("decay_type", default: "cosine")!
        let ratio = try h.double("min_lr_ratio", default: 0)
        let cycles = try h.double("num_cycles", default: 0.5)
        if n == nil && stable == nil {
            throw h.invalid("num_training_steps", "Either num_training_steps or num_stable_steps must be specified.")
        }
        let types = ["linear", "cosine", "1-sqrt"]
        if !types.contains(warmupType) {
            throw h.invalid("warmup_type", "Unknown warmup type: \(warmupType), expected 'linear', 'cosine' or '1-sqrt'")
        }
        if !types.contains(decayType) {
            throw h.invalid("decay_type", "Unknown decay type: \(decayType), expected 'linear', 'cosine' or '1-sqrt'")
        }
        return .wsd(warmup: w, stable: stable ?? (n! - w - d), decay: d, warmupType: warmupType, decayType: decayType,
                    minRatio: ratio, cycles: cycles)
    },
]

let transformersSchedules: [ScheduleEntry] = transformersScheduleReaders.map { r in
    ScheduleEntry(r.name, r.note) { h, context in
        if try h.int("last_epoch", default: -1) != -1 {
            throw DescentError.unsupported("\(h.callee): last_epoch other than -1 (resuming from a checkpoint) is not supported by Descent")
        }
        let lambda = try r.read(&h, r.name, context.baseLR)
        let summary = "transformers.optimization.\(r.name)(\(JSON.object(h.values.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }).serialized()))"
        return TransformersSchedule(name: r.name, lambda: lambda, baseLR: context.baseLR, summary: summary)
    }
} + [
    ScheduleEntry("get_reduce_on_plateau_schedule", "torch's ReduceLROnPlateau(optimizer, **kwargs), its defaults and errors") { h, context in
        let spec = try torchSchedulerSpec("ReduceLROnPlateau", &h)
        let summary = "transformers.optimization.get_reduce_on_plateau_schedule(\(JSON.object(h.values.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }).serialized()))"
        return TorchSchedule(name: "ReduceLROnPlateau", spec: spec, baseLR: context.baseLR, metrics: context.metrics, summary: summary)
    },
    greedyEntry,
    getSchedulerEntry,
]

/// One number, or a list of one per param group (a schedule case has one group), as GreedyLR's
/// min_lr and max_lr take them.
private func perGroupNumber(_ h: inout Hyperparameters, _ key: String, default d: Double) throws -> Double {
    h.note(key, .number, JSON(d))
    guard let v = h.raw(key) else { return d }
    if let x = v.doubleValue, v.boolValue == nil { return x }
    if let a = v.arrayValue {
        guard a.count == 1 else { throw h.invalid(key, "expected 1 \(key)s, got \(a.count)") }
        guard let x = a[0].doubleValue else {
            throw DescentError.invalidInput(field: "\(h.field).\(key)", message: "\(h.callee): \(key) must hold numbers")
        }
        return x
    }
    throw DescentError.invalidInput(field: "\(h.field).\(key)", message: "\(h.callee): expected a number or a list of one number")
}

/// `get_greedy_schedule(optimizer, **kwargs)`: GreedyLR(optimizer, **kwargs), its defaults and
/// ValueErrors in the order its __init__ raises them (the math: TransformersGreedyLR).
let greedyEntry = ScheduleEntry("get_greedy_schedule", "GreedyLR: lr/factor after more than patience improving metrics, lr·factor after more than patience others, within [min_lr, max_lr]; reset to the initial lr after reset_start reductions at min_lr") { h, context in
    let mode = try h.string("mode", default: "min")!
    let factor = try h.double("factor", default: 0.95)
    if factor >= 1.0 { throw h.invalid("factor", "Factor should be < 1.0.") }   // its first check
    let patience = try h.int("patience", default: 10)
    let threshold = try h.double("threshold", default: 1e-6)
    let thresholdMode = try h.string("threshold_mode", default: "abs")!
    let cooldown = try h.int("cooldown", default: 0)
    let warmup = try h.int("warmup", default: 0)
    let minLR = try perGroupNumber(&h, "min_lr", default: 1e-3)
    let maxLR = try perGroupNumber(&h, "max_lr", default: 1.0)
    let eps = try h.double("eps", default: 1e-8)
    try h.ignore("verbose")
    let smooth = try h.bool("smooth", default: false)
    let window = try h.int("window_size", default: 50)
    let resetStart = try h.int("reset_start", default: 500)
    if mode != "min" && mode != "max" { throw h.invalid("mode", "mode \(mode) is unknown!") }
    if thresholdMode != "rel" && thresholdMode != "abs" {
        throw h.invalid("threshold_mode", "threshold mode \(thresholdMode) is unknown!")
    }
    let summary = "transformers.optimization.get_greedy_schedule(\(JSON.object(h.values.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }).serialized()))"
    return TransformersGreedyLR(maximize: mode == "max", relative: thresholdMode == "rel", factor: factor, patience: patience,
                                threshold: threshold, cooldown: cooldown, warmup: warmup, minLR: minLR, maxLR: maxLR, eps: eps,
                                smooth: smooth, windowSize: window, resetStart: resetStart,
                                baseLR: context.baseLR, metrics: context.metrics, summary: summary)
}

/// transformers' SchedulerType (trainer_utils.py) in its order: the value `get_scheduler` takes,
/// the member name its messages print, and the function TYPE_TO_SCHEDULER_FUNCTION maps it to.
private let schedulerTypes: [(value: String, member: String, function: String)] = [
    ("linear", "LINEAR", "get_linear_schedule_with_warmup"),
    ("cosine", "COSINE", "get_cosine_schedule_with_warmup"),
    ("cosine_with_restarts", "COSINE_WITH_RESTARTS", "get_cosine_with_hard_restarts_schedule_with_warmup"),
    ("polynomial", "POLYNOMIAL", "get_polynomial_decay_schedule_with_warmup"),
    ("constant", "CONSTANT", "get_constant_schedule"),
    ("constant_with_warmup", "CONSTANT_WITH_WARMUP", "get_constant_schedule_with_warmup"),
    ("inverse_sqrt", "INVERSE_SQRT", "get_inverse_sqrt_schedule"),
    ("reduce_lr_on_plateau", "REDUCE_ON_PLATEAU", "get_reduce_on_plateau_schedule"),
    ("cosine_with_min_lr", "COSINE_WITH_MIN_LR", "get_cosine_with_min_lr_schedule_with_warmup"),
    ("cosine_warmup_with_min_lr", "COSINE_WARMUP_WITH_MIN_LR", "get_cosine_with_min_lr_schedule_with_warmup_lr_rate"),
    ("warmup_stable_decay", "WARMUP_STABLE_DECAY", "get_wsd_schedule"),
    ("greedy", "GREEDY", "get_greedy_schedule"),
]

/// `get_scheduler(name, optimizer, num_warmup_steps=None, num_training_steps=None,
/// scheduler_specific_kwargs=None)`, the Trainer's way in. It passes on what each function takes,
/// in its own order of checks: constant gets nothing (the rest is ignored); reduce_lr_on_plateau
/// and greedy the kwargs only; every other type needs num_warmup_steps; constant_with_warmup gets
/// it alone, inverse_sqrt with the kwargs, warmup_stable_decay with num_training_steps (None
/// allowed) and the kwargs; the rest need num_training_steps too. The function it names then reads
/// those keywords exactly as when it is called directly.
let getSchedulerEntry = ScheduleEntry("get_scheduler", "the schedule SchedulerType `name` names (the Trainer's lr_scheduler_type), with num_warmup_steps, num_training_steps and scheduler_specific_kwargs passed on as transformers passes them") { h, context in
    guard let name = try h.string("name", default: nil) else { throw h.missing("name", function: "get_scheduler") }
    let warmup = try h.optionalInt("num_warmup_steps")
    let total = try h.optionalInt("num_training_steps")
    var kwargs: [(String, JSON)] = []
    if let extra = h.raw("scheduler_specific_kwargs"), !extra.isNull {
        guard let pairs = extra.objectValue else {
            throw DescentError.invalidInput(field: "\(h.field).scheduler_specific_kwargs", message: "must be an object, found \(extra.kindName)")
        }
        kwargs = pairs
    }
    guard let type = schedulerTypes.first(where: { $0.value == name }) else {
        let valid = schedulerTypes.map { "'\($0.value)'" }.joined(separator: ", ")
        throw h.invalid("name", "\(name) is not a valid SchedulerType, please select one of [\(valid)]")
    }
    func required(_ key: String, _ v: Int?) throws -> (String, JSON) {
        guard let v else { throw h.invalid(key, "SchedulerType.\(type.member) requires `\(key)`, please provide that argument.") }
        return (key, JSON(v))
    }
    var passed: [(String, JSON)]
    switch type.value {
    case "constant": passed = []
    case "reduce_lr_on_plateau", "greedy": passed = kwargs
    case "constant_with_warmup": passed = [try required("num_warmup_steps", warmup)]
    case "inverse_sqrt": passed = [try required("num_warmup_steps", warmup)] + kwargs
    case "warmup_stable_decay":
        let w = try required("num_warmup_steps", warmup)
        passed = [w, ("num_training_steps", total.map { JSON($0) } ?? .null)] + kwargs
    default:
        let w = try required("num_warmup_steps", warmup)
        passed = [w, try required("num_training_steps", total)] + kwargs
    }
    // A keyword given twice (num_warmup_steps in the kwargs too): Python's TypeError for the call.
    var seen: Set<String> = []
    for (k, _) in passed where !seen.insert(k).inserted {
        throw h.invalid("scheduler_specific_kwargs", "transformers.optimization.\(type.function)() got multiple values for keyword argument '\(k)'")
    }
    guard let entry = transformersSchedules.first(where: { $0.name == type.function }) else {
        throw DescentError.unsupported("\(h.callee): '\(name)' is \(type.function), which Descent does not implement")
    }
    var inner = try Hyperparameters(JSON.object(passed), callee: "transformers.optimization.\(type.function)", field: h.field)
    let schedule = try entry.build(&inner, context)
    try inner.finish()
    return schedule
}
