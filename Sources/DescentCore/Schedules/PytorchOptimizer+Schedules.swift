// PytorchOptimizer+Schedules.swift — the pytorch_optimizer convention's schedules: the names of
// `pytorch_optimizer.load_lr_scheduler(name)` (pytorch-optimizer 4.1.0, lr_scheduler/__init__.py).
// Those that return torch.optim.lr_scheduler's own classes are the torch entries themselves, with
// torch's keywords, defaults and errors. Its own schedulers (linear, cosine, poly, rex,
// cosine_annealing_with_warmup, chebyshev, warmup_stable_decay, proportion) read their keywords
// with the library's defaults and raise its errors in its order and wording; their math is in
// PytorchOptimizerSchedules.swift.
import DescentJSON

/// (load_lr_scheduler name, the torch.optim.lr_scheduler class it returns), in the library's order.
private let torchClassesOfPytorchOptimizer: [(name: String, torch: String)] = [
    ("constant", "ConstantLR"), ("step", "StepLR"), ("multi_step", "MultiStepLR"), ("cyclic", "CyclicLR"),
    ("multiplicative", "MultiplicativeLR"), ("one_cycle", "OneCycleLR"), ("cosine_annealing", "CosineAnnealingLR"),
    ("cosine_annealing_with_warm_restart", "CosineAnnealingWarmRestarts"),
]

private let torchEntriesOfPytorchOptimizer: [ScheduleEntry] = torchClassesOfPytorchOptimizer.compactMap { pair in
    guard let torch = torchSchedules.first(where: { $0.name == pair.torch }) else { return nil }
    return ScheduleEntry(pair.name, "torch.optim.lr_scheduler.\(pair.torch) itself (what load_lr_scheduler('\(pair.name)') returns)") { h, context in
        try torch.build(&h, context)
    }
}

extension Hyperparameters {
    /// Python's TypeError when required positional arguments of `function` are absent, all of
    /// them named as Python names them ("missing 2 required positional arguments: 'a' and 'b'");
    /// nil when every one is given. Each key is noted first as required (for the recorded schema).
    func missingPositional(_ keys: [(String, Keyword.Kind)], function: String) -> DescentError? {
        for (k, kind) in keys { recorder?.note(Keyword(name: k, kind: kind, defaultValue: nil, required: true)) }
        let absent = keys.map(\.0).filter { values[$0] == nil }
        guard let first = absent.first else { return nil }
        let q = absent.map { "'\($0)'" }
        let list = q.count == 1 ? q[0] : q.count == 2 ? "\(q[0]) and \(q[1])" : q.dropLast().joined(separator: ", ") + ", and " + q.last!
        return invalid(first, "\(function)() missing \(q.count) required positional argument\(q.count == 1 ? "" : "s"): \(list)")
    }

    /// `last_epoch` of a LambdaLR or LRScheduler subclass: only -1 (a fresh scheduler) runs.
    mutating func freshLastEpoch() throws {
        if try int("last_epoch", default: -1) != -1 {
            throw DescentError.unsupported("\(callee): last_epoch other than -1 (resuming from a checkpoint) is not supported by Descent")
        }
    }

    /// "name(k=v, …)" for reports: the call with the case's arguments.
    func callSummary(_ qualified: String) -> String {
        "\(qualified)(\(JSON.object(values.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }).serialized()))"
    }
}

/// BaseLinearWarmupScheduler(optimizer, t_max, max_lr, min_lr=0.0, init_lr=0.0, warmup_steps=0)
/// and its validate_parameters (NegativeLRError, NegativeStepError) in its order; PolyScheduler
/// checks poly_order (default 0.5) before it.
private func warmupSchedule(_ decay: PytorchOptimizerLR.Decay?, _ h: inout Hyperparameters) throws -> PytorchOptimizerLR {
    var kind = decay ?? .linear
    if decay == nil {
        let order = try h.double("poly_order", default: 0.5)
        if order <= 0 { throw h.invalid("poly_order", "poly_order must be positive. \(h.pythonRepr("poly_order", fallback: 0.5))") }
        kind = .poly(order: order)
    }
    if let e = h.missingPositional([("t_max", .integer), ("max_lr", .number)], function: "BaseLinearWarmupScheduler.__init__") { throw e }
    let total = try h.pyNumber("t_max")!
    let maxLR = try h.requiredDouble("max_lr", function: "BaseLinearWarmupScheduler.__init__")
    let minLR = try h.double("min_lr", default: 0.0)
    let initLR = try h.double("init_lr", default: 0.0)
    let warmup = try h.pyNumber("warmup_steps", default: PyNumber(value: 0, isInt: true))
    func lrError(_ v: Double, _ key: String) throws {
        if v < 0 { throw h.invalid(key, "\(key) must be positive. (\(h.pythonRepr(key, fallback: v)) > 0)") }
    }
    try lrError(minLR, "min_lr")
    try lrError(maxLR, "max_lr")
    try lrError(initLR, "init_lr")
    if total.value < 0 { throw h.invalid("t_max", "t_max must be positive. (\(total.repr) > 0)") }
    if warmup.value < 0 { throw h.invalid("warmup_steps", "warmup_steps must be positive. (\(warmup.repr) > 0)") }
    return .warmup(kind, total: total.value, maxLR: maxLR, minLR: minLR, initLR: initLR, warmup: warmup.value,
                   countsAreInts: total.isInt && warmup.isInt)
}

/// One of pytorch_optimizer's own schedulers, read by `read` (which raises as the class does).
private func ownEntry(_ name: String, _ note: String,
                      _ read: @escaping @Sendable (inout Hyperparameters) throws -> PytorchOptimizerLR) -> ScheduleEntry {
    ScheduleEntry(name, note) { h, context in
        let lr = try read(&h)
        return PytorchOptimizerSchedule(name: name, lr: lr, baseLR: context.baseLR, summary: h.callSummary("pytorch_optimizer.\(name)"))
    }
}

private let ownEntriesOfPytorchOptimizer: [ScheduleEntry] = [
    ownEntry("linear", "LinearScheduler: the group's lr min_lr, then init_lr→max_lr over warmup_steps steps, max_lr, and max_lr→min_lr linearly at t_max (unclamped past it)") { h in
        try warmupSchedule(.linear, &h)
    },
    ownEntry("cosine", "CosineScheduler: LinearScheduler's warmup, then min_lr + (max_lr − min_lr)(cos(π(t − W)/(T − W)) + 1)/2 (rising again past t_max)") { h in
        try warmupSchedule(.cosine, &h)
    },
    ownEntry("poly", "PolyScheduler: LinearScheduler's warmup, then min_lr + (max_lr − min_lr)·(t − W)^poly_order (the raw step count, not divided by t_max)") { h in
        try warmupSchedule(nil, &h)
    },
    ownEntry("rex", "REXScheduler: min_lr after its constructor's step, then min_lr + (max_lr − min_lr)(1 − t/T)/(1 − t/(2T)) from t = 1, min_lr from T on") { h in
        if let e = h.missingPositional([("total_steps", .integer)], function: "REXScheduler.__init__") { throw e }
        let total = try h.requiredDouble("total_steps", function: "REXScheduler.__init__")
        return .rex(total: total, maxLR: try h.double("max_lr", default: 1.0), minLR: try h.double("min_lr", default: 0.0))
    },
    ownEntry("cosine_annealing_with_warmup", "CosineAnnealingWarmupRestarts: cycles of a linear warmup from min_lr and a half cosine, each max_lr·gamma^cycle and (length − W)·cycle_mult + W long; min_lr after construction") { h in
        if let e = h.missingPositional([("first_cycle_steps", .integer)], function: "CosineAnnealingWarmupRestarts.__init__") { throw e }
        let first = try h.requiredInt("first_cycle_steps", function: "CosineAnnealingWarmupRestarts.__init__")
        let mult = try h.double("cycle_mult", default: 1.0)
        let maxLR = try h.double("max_lr", default: 1e-4)
        let minLR = try h.double("min_lr", default: 1e-6)
        let warmup = try h.int("warmup_steps", default: 0)
        let gamma = try h.double("gamma", default: 0.9)
        if warmup >= first {
            throw h.invalid("warmup_steps", "warmup_steps must be smaller than first_cycle_steps. \(warmup) < \(first)")
        }
        try h.freshLastEpoch()
        return .warmupRestarts(first: first, cycleMult: mult, maxLR: maxLR, minLR: minLR, warmup: warmup, gamma: gamma)
    },
    ownEntry("chebyshev", "get_chebyshev_schedule (a LambdaLR): reciprocal Chebyshev nodes on [0.05, 1] in fractal order, 2^(int(log2(num_epochs − 1)) + 1) of them, epoch k reading node clamp(k − 2); 1 when is_warmup") { h in
        if let e = h.missingPositional([("num_epochs", .integer)], function: "get_chebyshev_schedule") { throw e }
        let epochs = try h.requiredDouble("num_epochs", function: "get_chebyshev_schedule")
        let warmup = try h.bool("is_warmup", default: false)
        try h.freshLastEpoch()
        return .chebyshev(numEpochs: epochs, isWarmup: warmup)
    },
    ownEntry("warmup_stable_decay", "get_wsd_schedule (a LambdaLR): k/W, 1 for num_stable_steps, a cooldown ('1-sqrt', 'cosine' to min_lr_ratio, 'linear', '1-square'; others straight to min_lr_ratio), then min_lr_ratio") { h in
        let keys = ["num_warmup_steps", "num_stable_steps", "num_decay_steps"]
        if let e = h.missingPositional(keys.map { ($0, .integer) }, function: "get_wsd_schedule") { throw e }
        let counts = try keys.map { try h.requiredDouble($0, function: "get_wsd_schedule") }
        let ratio = try h.double("min_lr_ratio", default: 0.0)
        let cycles = try h.double("num_cycles", default: 0.5)
        let cooldown = try h.string("cooldown_type", default: "1-sqrt")!
        try h.freshLastEpoch()
        return .wsd(warmup: counts[0], stable: counts[1], decay: counts[2], minRatio: ratio, cycles: cycles, cooldown: cooldown)
    },
    proportionEntry,
]

/// `ProportionScheduler(lr_scheduler, max_lr, min_lr=0.0, max_value=2.0, min_value=2.0)`; the case
/// gives `lr_scheduler` as `{ "name", "parameters" }`, a load_lr_scheduler name built on the
/// optimizer (base_lr). The values are the ProportionScheduler's, not an lr.
private let proportionEntry = ScheduleEntry("proportion", "ProportionScheduler: min_value + (max_value − min_value)(lr − min_lr)/(max_lr − min_lr) of the lr_scheduler's last lr (SAM's rho); lr_scheduler is {\"name\", \"parameters\"}") { h, context in
    let function = "ProportionScheduler.__init__"
    let missing = h.missingPositional([("lr_scheduler", .value), ("max_lr", .number)], function: function)
    let minLR = try h.double("min_lr", default: 0.0)
    let maxValue = try h.double("max_value", default: 2.0)
    let minValue = try h.double("min_value", default: 2.0)
    if let e = missing { throw e }
    guard let child = h.raw("lr_scheduler"), let name = child["name"]?.stringValue else {
        throw DescentError.invalidInput(field: "\(h.field).lr_scheduler",
            message: "\(h.callee): lr_scheduler must be a {\"name\", \"parameters\"} object naming a load_lr_scheduler schedule")
    }
    if name == "proportion" {
        throw DescentError.unsupported("\(h.callee): a ProportionScheduler around a ProportionScheduler (the inner one is never stepped by the loop) is not supported by Descent")
    }
    let inner = try Conventions.pytorchOptimizer.schedule(name, child["parameters"], context: context)
    let maxLR = try h.requiredDouble("max_lr", function: function)
    return PytorchOptimizerProportion(inner: inner, maxLR: maxLR, minLR: minLR, maxValue: maxValue, minValue: minValue,
                                      summary: h.callSummary("pytorch_optimizer.proportion"))
}

let pytorchOptimizerSchedules: [ScheduleEntry] = torchEntriesOfPytorchOptimizer + ownEntriesOfPytorchOptimizer
