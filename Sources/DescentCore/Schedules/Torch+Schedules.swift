// Torch+Schedules.swift — the torch convention's learning-rate schedules:
// `torch.optim.lr_scheduler.<name>(optimizer, **parameters)` with torch 2.15.0's keyword names,
// defaults and constructor errors (worded as torch words them). The math is in TorchSchedulers.swift.
import DescentJSON

/// One torch scheduler: its name, its note for `descent list`, and how
/// `name(optimizer, **parameters)` is read (raising where torch's constructor raises).
struct TorchSchedulerReader: Sendable {
    let name: String
    let note: String
    let read: @Sendable (_ h: inout Hyperparameters, _ name: String, _ fn: String) throws -> TorchSchedulerSpec
    init(_ name: String, _ note: String,
         _ read: @escaping @Sendable (_ h: inout Hyperparameters, _ name: String, _ fn: String) throws -> TorchSchedulerSpec) {
        self.name = name
        self.note = note
        self.read = read
    }
}

/// The schedulers Descent computes, in `descent list` order.
let torchSchedulers: [TorchSchedulerReader] = [
    TorchSchedulerReader("StepLR", "lr·gamma every step_size steps") { h, name, fn in
        let s = try h.requiredInt("step_size", function: fn)
        return .step(stepSize: s, gamma: try h.double("gamma", default: 0.1))
    },
    TorchSchedulerReader("MultiStepLR", "lr·gamma at each milestone; repeated milestones multiply") { h, name, fn in
        guard let m = try h.ints("milestones") else { throw h.missing("milestones", function: fn) }
        return .multiStep(milestones: m, gamma: try h.double("gamma", default: 0.1))
    },
    TorchSchedulerReader("ConstantLR", "lr·factor until total_iters") { h, name, fn in
        let f = try h.double("factor", default: 1.0 / 3)
        let n = try h.int("total_iters", default: 5)
        if f > 1.0 || f < 0 {
            throw h.invalid("factor", "Constant multiplicative factor expected to be between 0 and 1.")
        }
        return .constant(factor: f, totalIters: n)
    },
    TorchSchedulerReader("LinearLR", "factor linear from start_factor to end_factor over total_iters") { h, name, fn in
        let s = try h.double("start_factor", default: 1.0 / 3)
        let e = try h.double("end_factor", default: 1.0)
        let n = try h.int("total_iters", default: 5)
        if s > 1.0 || s <= 0 {
            throw h.invalid("start_factor", "Starting multiplicative factor expected to be greater than 0 and less or equal to 1.")
        }
        if e > 1.0 || e < 0 {
            throw h.invalid("end_factor", "Ending multiplicative factor expected to be between 0 and 1.")
        }
        return .linear(start: s, end: e, totalIters: n)
    },
    TorchSchedulerReader("ExponentialLR", "lr·gamma every step") { h, name, fn in
        return .exponential(gamma: try h.requiredDouble("gamma", function: fn))
    },
    TorchSchedulerReader("PolynomialLR", "lr·(1 − k/total_iters)^power") { h, name, fn in
        return .polynomial(totalIters: try h.int("total_iters", default: 5), power: try h.double("power", default: 1.0))
    },
    TorchSchedulerReader("CosineAnnealingLR", "torch's recursive cosine (periodic past T_max)") { h, name, fn in
        let t = try h.requiredInt("T_max", function: fn)
        return .cosineAnnealing(tMax: t, etaMin: try h.double("eta_min", default: 0.0))
    },
    TorchSchedulerReader("CosineAnnealingWarmRestarts", "cosine restarting after T_0, T_0·T_mult, …") { h, name, fn in
        guard let t0 = try h.pyNumber("T_0") else { throw h.missing("T_0", function: fn) }
        let tMult = try h.pyNumber("T_mult", default: PyNumber(value: 1, isInt: true))
        let etaMin = try h.double("eta_min", default: 0.0)
        if t0.value <= 0 || !t0.isInt { throw h.invalid("T_0", "Expected positive integer T_0, but got \(t0.repr)") }
        if tMult.value < 1 || !tMult.isInt { throw h.invalid("T_mult", "Expected integer T_mult >= 1, but got \(tMult.repr)") }
        return .warmRestarts(t0: Int(t0.value), tMult: Int(tMult.value), etaMin: etaMin)
    },
    TorchSchedulerReader("CyclicLR", "triangular / triangular2 / exp_range cycles; cycles momentum between base_momentum and max_momentum") { h, name, fn in
        guard let base = try h.perGroup("base_lr") else { throw h.missing("base_lr", function: fn) }
        guard let max = try h.perGroup("max_lr") else { throw h.missing("max_lr", function: fn) }
        let up = try h.double("step_size_up", default: 2000)
        let down = try h.optionalDouble("step_size_down")
        let mode = try h.string("mode", default: "triangular")!
        let gamma = try h.double("gamma", default: 1.0)
        if h.has("scale_fn") {
            throw DescentError.unsupported("CyclicLR's scale_fn is a Python callable; fixtures cannot express it")
        }
        _ = h.raw("scale_fn")
        _ = try h.string("scale_mode", default: "cycle")   // overwritten from `mode` when scale_fn is None
        let cycle = try h.bool("cycle_momentum", default: true)
        let bm = try h.perGroup("base_momentum", default: 0.8)
        let mm = try h.perGroup("max_momentum", default: 0.9)
        if !["triangular", "triangular2", "exp_range"].contains(mode) {
            throw h.invalid("mode", "mode is invalid and scale_fn is None")
        }
        return .cyclic(.init(baseLR: base, maxLR: max, stepSizeUp: up, stepSizeDown: down, mode: mode, gamma: gamma,
                             cycleMomentum: cycle, baseMomentum: bm, maxMomentum: mm))
    },
    TorchSchedulerReader("OneCycleLR", "1cycle: cos or linear, two or three phases; cycles momentum between base_momentum and max_momentum") { h, name, fn in
        guard let maxLR = try h.perGroup("max_lr") else { throw h.missing("max_lr", function: fn) }
        let total = try h.pyNumber("total_steps")
        let epochs = try h.pyNumber("epochs")
        let spe = try h.pyNumber("steps_per_epoch")
        let pct = try h.pyNumber("pct_start", default: PyNumber(value: 0.3, isInt: false))
        let anneal = try h.string("anneal_strategy", default: "cos")!
        let cycle = try h.bool("cycle_momentum", default: true)
        let bm = try h.perGroup("base_momentum", default: 0.85)
        let mm = try h.perGroup("max_momentum", default: 0.95)
        let div = try h.double("div_factor", default: 25.0)
        let finalDiv = try h.double("final_div_factor", default: 1e4)
        let three = try h.bool("three_phase", default: false)
        let totalSteps: Int
        if let total {
            if total.value <= 0 || !total.isInt {
                throw h.invalid("total_steps", "Expected positive integer total_steps, but got \(total.repr)")
            }
            totalSteps = Int(total.value)
        } else if let epochs, let spe {
            if !epochs.isInt || epochs.value <= 0 {
                throw h.invalid("epochs", "Expected positive integer epochs, but got \(epochs.repr)")
            }
            if !spe.isInt || spe.value <= 0 {
                throw h.invalid("steps_per_epoch", "Expected positive integer steps_per_epoch, but got \(spe.repr)")
            }
            let (product, overflow) = Int(epochs.value).multipliedReportingOverflow(by: Int(spe.value))
            if overflow { throw DescentError.unsupported("\(h.callee): epochs*steps_per_epoch is beyond what Descent handles") }
            totalSteps = product
        } else {
            throw h.invalid("total_steps", "You must define either total_steps OR (epochs AND steps_per_epoch)")
        }
        if pct.value < 0 || pct.value > 1 || pct.isInt {
            throw h.invalid("pct_start", "Expected float between 0 and 1 pct_start, but got \(pct.repr)")
        }
        if anneal != "cos" && anneal != "linear" {
            throw h.invalid("anneal_strategy", "anneal_strategy must be one of 'cos' or 'linear', instead got \(anneal)")
        }
        if div == 0 || finalDiv == 0 {
            throw h.invalid(div == 0 ? "div_factor" : "final_div_factor", "ZeroDivisionError: float division by zero")
        }
        return .oneCycle(.init(maxLR: maxLR, totalSteps: totalSteps, pctStart: pct.value, anneal: anneal, cycleMomentum: cycle,
                               baseMomentum: bm, maxMomentum: mm, divFactor: div, finalDivFactor: finalDiv, threePhase: three))
    },
    TorchSchedulerReader("ReduceLROnPlateau", "lr·factor after patience bad epochs of `metrics`") { h, name, fn in
        let mode = try h.string("mode", default: "min")!
        let factor = try h.double("factor", default: 0.1)
        let patience = try h.int("patience", default: 10)
        let threshold = try h.double("threshold", default: 1e-4)
        let thresholdMode = try h.string("threshold_mode", default: "rel")!
        let cooldown = try h.int("cooldown", default: 0)
        var minLR = 0.0
        if let v = h.raw("min_lr") {
            if let d = v.doubleValue { minLR = d } else if let a = v.arrayValue {
                guard a.count == 1 else { throw h.invalid("min_lr", "expected 1 min_lrs, got \(a.count)") }
                guard let d = a[0].doubleValue else { throw h.invalid("min_lr", "min_lr must hold numbers") }
                minLR = d
            } else {
                throw DescentError.invalidInput(field: "\(h.field).min_lr", message: "\(h.callee): expected a number or a list of one number")
            }
        }
        let eps = try h.double("eps", default: 1e-8)
        if factor >= 1.0 { throw h.invalid("factor", "Factor should be < 1.0.") }
        if mode != "min" && mode != "max" { throw h.invalid("mode", "mode \(mode) is unknown!") }
        if thresholdMode != "rel" && thresholdMode != "abs" {
            throw h.invalid("threshold_mode", "threshold mode \(thresholdMode) is unknown!")
        }
        return .plateau(.init(maximize: mode == "max", relative: thresholdMode == "rel", factor: factor, patience: patience,
                              threshold: threshold, cooldown: cooldown, minLR: minLR, eps: eps))
    },
    TorchSchedulerReader("SWALR", "torch.optim.swa_utils.SWALR: anneals to swa_lr over anneal_epochs steps (cos or linear, from the group's current lr), then holds it") { h, name, fn in
        guard let swa = try h.perGroup("swa_lr") else {
            throw h.invalid("swa_lr", "\(fn)() missing 1 required positional argument: 'swa_lr'")
        }
        let strategy = try h.string("anneal_strategy", default: "cos")!
        let epochs = try h.pyNumber("anneal_epochs", default: PyNumber(value: 10, isInt: true))
        if strategy != "cos" && strategy != "linear" {
            throw h.invalid("anneal_strategy", "anneal_strategy must be one of 'cos' or 'linear', instead got \(strategy)")
        }
        if !epochs.isInt || epochs.value < 0 {
            throw h.invalid("anneal_epochs", "anneal_epochs must be equal or greater than 0, got \(epochs.repr)")
        }
        return .swa(swaLR: swa, annealEpochs: Int(epochs.value), cosine: strategy == "cos")
    },
    TorchSchedulerReader("SequentialLR", "children switched at milestones (torch's _update_lr(0) at each)") { h, name, fn in try torchComposite(&h, name: name, fn: fn) },
    TorchSchedulerReader("ChainedScheduler", "all children stepped every step") { h, name, fn in try torchComposite(&h, name: name, fn: fn) },
]

let torchSchedules: [ScheduleEntry] = torchSchedulers.map { torchEntry($0.name, $0.note) } + [
    ScheduleEntry("LambdaLR", "takes a Python callable (unsupported)") { _, _ in
        throw DescentError.unsupported("LambdaLR takes a Python callable; fixtures cannot express it")
    },
    ScheduleEntry("MultiplicativeLR", "takes a Python callable (unsupported)") { _, _ in
        throw DescentError.unsupported("MultiplicativeLR takes a Python callable; fixtures cannot express it")
    },
]

private func torchEntry(_ name: String, _ note: String) -> ScheduleEntry {
    ScheduleEntry(name, note) { h, context in
        let spec = try torchSchedulerSpec(name, &h)
        let summary = "torch.optim.lr_scheduler.\(name)(\(JSON.object(h.values.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }).serialized()))"
        return TorchSchedule(name: name, spec: spec, baseLR: context.baseLR, metrics: context.metrics, summary: summary)
    }
}

/// Reads `name(optimizer, **parameters)`'s arguments and raises where torch's constructor raises.
func torchSchedulerSpec(_ name: String, _ h: inout Hyperparameters) throws -> TorchSchedulerSpec {
    let fn = "\(name).__init__"
    if name != "ReduceLROnPlateau" && name != "ChainedScheduler" {
        if try h.int("last_epoch", default: -1) != -1 {
            throw DescentError.unsupported("\(h.callee): last_epoch other than -1 (resuming from a checkpoint) is not supported by Descent")
        }
    }
    guard let s = torchSchedulers.first(where: { $0.name == name }) else {
        throw DescentError.unsupported("torch schedule '\(name)' is not implemented in Descent")
    }
    return try s.read(&h, name, fn)
}

/// SequentialLR and ChainedScheduler: composite schedulers of the ones above.
private func torchComposite(_ h: inout Hyperparameters, name: String, fn: String) throws -> TorchSchedulerSpec {
    guard let children = try NamedSchedule.list(h.raw("schedulers"), key: "schedulers", in: h) else {
        throw h.missing("schedulers", function: fn)
    }
    let specs = try children.map { c -> (name: String, spec: TorchSchedulerSpec) in
        if c.name == "SequentialLR" || c.name == "ChainedScheduler" {
            throw DescentError.unsupported("\(h.callee): a composite scheduler inside a composite is not supported by Descent")
        }
        guard torchSchedules.contains(where: { $0.name == c.name }) else {
            throw DescentError.unsupported("torch schedule '\(c.name)' is not implemented in Descent")
        }
        if c.name == "LambdaLR" || c.name == "MultiplicativeLR" {
            throw DescentError.unsupported("\(c.name) takes a Python callable; fixtures cannot express it")
        }
        var ch = try Hyperparameters(c.parameters, callee: "torch.optim.lr_scheduler.\(c.name)", field: c.field)
        let s = try torchSchedulerSpec(c.name, &ch)
        try ch.finish()
        return (c.name, s)
    }
    let what = name == "SequentialLR" ? "scheduler, but got no scheduler." : "scheduler to be chained, but got no scheduler."
    if specs.isEmpty { throw h.invalid("schedulers", "\(name) expects at least one \(what)") }
    for (i, s) in specs.enumerated() where s.name == "ReduceLROnPlateau" {
        throw h.invalid("schedulers", "\(name) does not support `ReduceLROnPlateau` scheduler as it requires additional "
            + "kwargs to be specified when calling `step`, but got one at index \(i) in the given schedulers sequence.")
    }
    if name == "ChainedScheduler" {
        // optimizer=None (the default) means "the first child's optimizer"; an optimizer object
        // cannot be written in a fixture.
        if h.has("optimizer") {
            throw DescentError.unsupported("\(h.callee): an explicit optimizer cannot be expressed in a fixture")
        }
        _ = h.raw("optimizer")
        return .chained(specs)
    }
    guard let milestones = try h.ints("milestones") else { throw h.missing("milestones", function: fn) }
    if milestones.count != specs.count - 1 {
        throw h.invalid("milestones", "Sequential Schedulers expects number of schedulers provided to be one more than the "
            + "number of milestone points, but got number of schedulers \(specs.count) and the number of milestones to be "
            + "equal to \(milestones.count)")
    }
    return .sequential(specs, milestones: milestones)
}
