// TorchSchedulers.swift — torch.optim.lr_scheduler (torch 2.15.0), step by step.
//
// torch's schedulers are stateful and *chainable*: `step()` increments `last_epoch` and sets
// param_group["lr"] from `get_lr()`, which mostly multiplies the lr currently in the group
// (StepLR: lr ← lr·γ when k % step_size == 0; CosineAnnealingLR:
// lr ← η_min + (lr − η_min)·(1 + cos(πk/T))/(1 + cos(π(k−1)/T)); …). The closed forms
// (`_get_closed_form_lr`) are used only when a step is given an explicit epoch, which
// SequentialLR does at each milestone (`_update_lr(0)`). Several schedulers share one param
// group, and some constructors write into it (OneCycleLR sets group["initial_lr"], "max_lr",
// "min_lr", "max_momentum", "base_momentum"; CyclicLR sets group["lr"]). To reproduce the
// composites (SequentialLR, ChainedScheduler) exactly, this file simulates that group and the
// schedulers' own state, one class per scheduler, with torch's operations in torch's order.
// Arithmetic is in T (torch does it in Python floats, i.e. Double).

/// The one optimizer param group the schedulers read and write.
final class TorchGroup<T: DescentFloat> {
    var lr: T
    var initialLR: T?
    /// group["momentum"] (SGD) or group["betas"][0] (Adam); nil until a scheduler sets it.
    var momentum: T?
    var maxLR: T?
    var minLR: T?
    var maxMomentum: T?
    var baseMomentum: T?
    init(lr: T) { self.lr = lr }
}

/// `LRScheduler`: bookkeeping shared by all schedulers (last_epoch, _step_count, base_lrs).
class TorchScheduler<T: DescentFloat> {
    let group: TorchGroup<T>
    let callee: String
    var lastEpoch: Int = -1
    var stepCount = 0
    var baseLR: T
    var isInitial = false

    /// `LRScheduler.__init__` up to (not including) `_initial_step()`.
    init(group: TorchGroup<T>, callee: String) {
        self.group = group
        self.callee = callee
        if group.initialLR == nil { group.initialLR = group.lr }   // group.setdefault("initial_lr", lr)
        baseLR = group.initialLR!
    }

    func getLR() throws -> T { fatalError("abstract") }
    /// `_get_closed_form_lr`, where torch defines one.
    func closedFormLR() throws -> T? { nil }

    func initialStep() throws {
        stepCount = 0
        isInitial = true
        defer { isInitial = false }
        try step()
    }

    func step() throws {
        stepCount += 1
        try updateLR(epoch: nil)
    }

    func updateLR(epoch: Int?) throws {
        let v: T
        if let epoch {
            lastEpoch = epoch
            v = try closedFormLR() ?? getLR()
        } else {
            lastEpoch += 1
            v = try getLR()
        }
        group.lr = v
    }

    /// SequentialLR's `recursive_undo`.
    func undo() { lastEpoch -= 1 }

    var pi: T { T(Double.pi) }
    func cos(_ x: T) -> T { T.cos(x) }
    func pow(_ x: T, _ y: T) -> T { T.pow(x, y) }
}

// MARK: - Decays of the current lr

final class TorchStepLR<T: DescentFloat>: TorchScheduler<T> {
    let stepSize: Int, gamma: T
    init(stepSize: Int, gamma: Double, group: TorchGroup<T>, callee: String) throws {
        self.stepSize = stepSize; self.gamma = T(gamma)
        super.init(group: group, callee: callee)
        try initialStep()
    }
    override func getLR() throws -> T {
        if lastEpoch == 0 { return group.lr }
        if try !pyDivisible(lastEpoch, by: stepSize, callee) { return group.lr }
        return group.lr * gamma
    }
    override func closedFormLR() throws -> T? {
        baseLR * pow(gamma, T(try pyFloorDiv(lastEpoch, stepSize, callee)))
    }
}

final class TorchMultiStepLR<T: DescentFloat>: TorchScheduler<T> {
    let milestones: [Int], gamma: T
    init(milestones: [Int], gamma: Double, group: TorchGroup<T>, callee: String) throws {
        self.milestones = milestones.sorted(); self.gamma = T(gamma)
        super.init(group: group, callee: callee)
        try initialStep()
    }
    override func getLR() throws -> T {
        let n = milestones.filter { $0 == lastEpoch }.count   // Counter(milestones)[last_epoch]
        if n == 0 { return group.lr }
        return group.lr * pow(gamma, T(n))
    }
    override func closedFormLR() throws -> T? {
        baseLR * pow(gamma, T(pyBisectRight(milestones, lastEpoch)))
    }
}

final class TorchConstantLR<T: DescentFloat>: TorchScheduler<T> {
    let factor: T, totalIters: Int
    init(factor: Double, totalIters: Int, group: TorchGroup<T>, callee: String) throws {
        self.factor = T(factor); self.totalIters = totalIters
        super.init(group: group, callee: callee)
        try initialStep()
    }
    override func getLR() throws -> T {
        if lastEpoch == 0 { return group.lr * factor }
        if lastEpoch != totalIters { return group.lr }
        return group.lr * (try pyDiv(1, factor, callee))
    }
    override func closedFormLR() throws -> T? {
        baseLR * (factor + (lastEpoch >= totalIters ? 1 - factor : 0))
    }
}

final class TorchLinearLR<T: DescentFloat>: TorchScheduler<T> {
    let start: T, end: T, totalIters: Int
    init(startFactor: Double, endFactor: Double, totalIters: Int, group: TorchGroup<T>, callee: String) throws {
        start = T(startFactor); end = T(endFactor); self.totalIters = totalIters
        super.init(group: group, callee: callee)
        try initialStep()
    }
    override func getLR() throws -> T {
        if lastEpoch == 0 { return group.lr * start }
        if isInitial || lastEpoch > totalIters { return group.lr }
        let den = T(totalIters) * start + T(lastEpoch - 1) * (end - start)
        return group.lr * (1 + (try pyDiv(end - start, den, callee)))
    }
    override func closedFormLR() throws -> T? {
        baseLR * (start + (try pyDiv((end - start) * T(Swift.min(totalIters, lastEpoch)), T(totalIters), callee)))
    }
}

final class TorchExponentialLR<T: DescentFloat>: TorchScheduler<T> {
    let gamma: T
    init(gamma: Double, group: TorchGroup<T>, callee: String) throws {
        self.gamma = T(gamma)
        super.init(group: group, callee: callee)
        try initialStep()
    }
    override func getLR() throws -> T { isInitial ? group.lr : group.lr * gamma }
    override func closedFormLR() throws -> T? { baseLR * pow(gamma, T(lastEpoch)) }
}

final class TorchPolynomialLR<T: DescentFloat>: TorchScheduler<T> {
    let totalIters: Int, power: T
    init(totalIters: Int, power: Double, group: TorchGroup<T>, callee: String) throws {
        self.totalIters = totalIters; self.power = T(power)
        super.init(group: group, callee: callee)
        try initialStep()
    }
    private func intDiv(_ a: Int, _ b: Int) throws -> T {
        if b == 0 { throw zeroDivision("division by zero", callee: callee) }
        return T(a) / T(b)
    }
    override func getLR() throws -> T {
        if isInitial || lastEpoch > totalIters { return group.lr }
        let ratio = try pyDiv(1 - intDiv(lastEpoch, totalIters), 1 - intDiv(lastEpoch - 1, totalIters), callee)
        if ratio == 0 && power < 0 { throw zeroDivision("0.0 cannot be raised to a negative power", callee: callee) }
        return group.lr * pow(ratio, power)
    }
    override func closedFormLR() throws -> T? {
        let r = 1 - (try intDiv(Swift.min(totalIters, lastEpoch), totalIters))
        if r == 0 && power < 0 { throw zeroDivision("0.0 cannot be raised to a negative power", callee: callee) }
        return baseLR * pow(r, power)
    }
}

final class TorchCosineAnnealingLR<T: DescentFloat>: TorchScheduler<T> {
    let tMax: Int, etaMin: T
    init(tMax: Int, etaMin: Double, group: TorchGroup<T>, callee: String) throws {
        self.tMax = tMax; self.etaMin = T(etaMin)
        super.init(group: group, callee: callee)
        try initialStep()
    }
    override func getLR() throws -> T {
        let e = lastEpoch, T_ = T(tMax)
        if isInitial { return group.lr }
        if stepCount == 1 && e > 0 {
            return etaMin + (baseLR - etaMin) * (1 + cos(try pyDiv(T(e) * pi, T_, callee))) / 2
        }
        if try pyDivisible(e - 1 - tMax, by: 2 * tMax, callee) {
            return group.lr + (baseLR - etaMin) * (1 - cos(try pyDiv(pi, T_, callee))) / 2
        }
        let num = 1 + cos(try pyDiv(pi * T(e), T_, callee))
        let den = 1 + cos(try pyDiv(pi * T(e - 1), T_, callee))
        return (try pyDiv(num, den, callee)) * (group.lr - etaMin) + etaMin
    }
    override func closedFormLR() throws -> T? {
        etaMin + (baseLR - etaMin) * (1 + cos(try pyDiv(pi * T(lastEpoch), T(tMax), callee))) / 2
    }
}

// MARK: - Schedules computed from base_lr

final class TorchCosineAnnealingWarmRestarts<T: DescentFloat>: TorchScheduler<T> {
    let t0: Int, tMult: Int, etaMin: T
    var tI: Int, tCur: Int
    init(t0: Int, tMult: Int, etaMin: Double, group: TorchGroup<T>, callee: String) throws {
        self.t0 = t0; self.tMult = tMult; self.etaMin = T(etaMin)
        tI = t0; tCur = -1
        super.init(group: group, callee: callee)
        try initialStep()
    }
    override func getLR() throws -> T {
        etaMin + (baseLR - etaMin) * (1 + cos(pi * T(tCur) / T(tI))) / 2
    }
    /// The override of `step(epoch=None)`; only the epochs torch itself passes (0 at construction).
    override func step() throws {
        if lastEpoch < 0 {
            tI = t0; tCur = 0; lastEpoch = 0
        } else {
            lastEpoch += 1
            tCur += 1
            if tCur >= tI {
                tCur = tCur % tI
                let (next, overflow) = tI.multipliedReportingOverflow(by: tMult)
                if overflow { throw DescentError.unsupported("\(callee): T_i grew beyond what Descent handles") }
                tI = next
            }
        }
        group.lr = try getLR()
    }
}

final class TorchCyclicLR<T: DescentFloat>: TorchScheduler<T> {
    enum Mode: String { case triangular, triangular2, exp_range }
    let maxLR: T, totalSize: T, stepRatio: T, mode: Mode, gamma: T
    let cycleMomentum: Bool, baseMomentum: T, maxMomentum: T
    init(baseLR: Double, maxLR: Double, stepSizeUp: Double, stepSizeDown: Double?, mode: Mode, gamma: Double,
         cycleMomentum: Bool, baseMomentum: Double, maxMomentum: Double, group: TorchGroup<T>, callee: String) throws {
        group.lr = T(baseLR)
        self.maxLR = T(maxLR)
        let up = T(stepSizeUp), down = stepSizeDown.map { T($0) } ?? up
        totalSize = up + down
        stepRatio = try pyDiv(up, totalSize, callee)
        self.mode = mode
        self.gamma = T(gamma)
        self.cycleMomentum = cycleMomentum
        self.baseMomentum = T(baseMomentum); self.maxMomentum = T(maxMomentum)
        if cycleMomentum {
            group.momentum = T(maxMomentum)
            group.maxMomentum = T(maxMomentum)
            group.baseMomentum = T(baseMomentum)
        }
        super.init(group: group, callee: callee)
        try initialStep()
        self.baseLR = T(baseLR)
    }
    /// The mode's scale function (torch overwrites scale_mode from the mode when scale_fn is None).
    private func scale(cycle: Int) -> T {
        switch mode {
        case .triangular: return 1
        case .triangular2: return 1 / pow(2, T(cycle - 1))
        case .exp_range: return pow(gamma, T(lastEpoch))
        }
    }
    override func getLR() throws -> T {
        let r = try pyDiv(T(lastEpoch), totalSize, callee)
        if !r.isFinite {
            throw DescentError.invalidHyperparameter(field: "parameters", message: "\(callee): OverflowError: cannot convert float infinity to integer")
        }
        let cycle = Int((1 + r).rounded(.down))
        let x = 1 + r - T(cycle)
        let s = try x <= stepRatio ? pyDiv(x, stepRatio, callee) : pyDiv(x - 1, stepRatio - 1, callee)
        let f = scale(cycle: cycle)
        let lr = baseLR + (maxLR - baseLR) * s * f
        if cycleMomentum {
            group.momentum = maxMomentum - (maxMomentum - baseMomentum) * s * f
        }
        return lr
    }
}

final class TorchOneCycleLR<T: DescentFloat>: TorchScheduler<T> {
    enum Anneal: String { case cos, linear }
    enum Key { case initialLR, maxLR, minLR, maxMomentum, baseMomentum }
    struct Phase { let endStep: T; let startLR: Key; let endLR: Key; let startMomentum: Key; let endMomentum: Key }
    let totalSteps: Int, phases: [Phase], anneal: Anneal, cycleMomentum: Bool
    init(maxLR: Double, totalSteps: Int, pctStart: Double, anneal: Anneal, cycleMomentum: Bool,
         baseMomentum: Double, maxMomentum: Double, divFactor: Double, finalDivFactor: Double, threePhase: Bool,
         group: TorchGroup<T>, callee: String) throws {
        self.totalSteps = totalSteps
        let p = T(pctStart), n = T(totalSteps)
        if threePhase {
            phases = [Phase(endStep: p * n - 1, startLR: .initialLR, endLR: .maxLR, startMomentum: .maxMomentum, endMomentum: .baseMomentum),
                      Phase(endStep: 2 * p * n - 2, startLR: .maxLR, endLR: .initialLR, startMomentum: .baseMomentum, endMomentum: .maxMomentum),
                      Phase(endStep: n - 1, startLR: .initialLR, endLR: .minLR, startMomentum: .maxMomentum, endMomentum: .maxMomentum)]
        } else {
            phases = [Phase(endStep: p * n - 1, startLR: .initialLR, endLR: .maxLR, startMomentum: .maxMomentum, endMomentum: .baseMomentum),
                      Phase(endStep: n - 1, startLR: .maxLR, endLR: .minLR, startMomentum: .baseMomentum, endMomentum: .maxMomentum)]
        }
        self.anneal = anneal
        group.initialLR = try pyDiv(T(maxLR), T(divFactor), callee)
        group.maxLR = T(maxLR)
        group.minLR = try pyDiv(group.initialLR!, T(finalDivFactor), callee)
        self.cycleMomentum = cycleMomentum
        if cycleMomentum {
            group.momentum = T(maxMomentum)
            group.maxMomentum = T(maxMomentum)
            group.baseMomentum = T(baseMomentum)
        }
        super.init(group: group, callee: callee)
        try initialStep()
    }
    private func value(_ k: Key) -> T {
        switch k {
        case .initialLR: return group.initialLR!
        case .maxLR: return group.maxLR!
        case .minLR: return group.minLR!
        case .maxMomentum: return group.maxMomentum!
        case .baseMomentum: return group.baseMomentum!
        }
    }
    private func interpolate(_ start: T, _ end: T, _ pct: T) -> T {
        switch anneal {
        case .cos: return end + (start - end) / 2 * (cos(pi * pct) + 1)
        case .linear: return (end - start) * pct + start
        }
    }
    override func getLR() throws -> T {
        let k = lastEpoch
        if k > totalSteps {
            throw DescentError.invalidInput(field: "expected_lr",
                message: "\(callee): Tried to step \(k) times. The specified number of total steps is \(totalSteps)")
        }
        var start: T = 0
        for (i, ph) in phases.enumerated() where T(k) <= ph.endStep || i == phases.count - 1 {
            if i > 0 { start = phases[i - 1].endStep }
            let pct = try pyDiv(T(k) - start, ph.endStep - start, callee)
            if cycleMomentum {
                group.momentum = interpolate(value(ph.startMomentum), value(ph.endMomentum), pct)
            }
            return interpolate(value(ph.startLR), value(ph.endLR), pct)
        }
        fatalError("unreachable: the last phase always matches")
    }
}

// MARK: - ReduceLROnPlateau

final class TorchReduceLROnPlateau<T: DescentFloat>: TorchScheduler<T> {
    let maximize: Bool, relative: Bool, factor: T, patience: Int, threshold: T, cooldown: Int, minLR: T, eps: T
    /// A known-wrong knob: compare with ≤ / ≥ instead of torch's strict < / >.
    let nonStrict: Bool
    var best: T, badEpochs = 0, cooldownCounter = 0
    init(maximize: Bool, relative: Bool, factor: Double, patience: Int, threshold: Double, cooldown: Int,
         minLR: Double, eps: Double, nonStrict: Bool = false, group: TorchGroup<T>, callee: String) {
        self.nonStrict = nonStrict
        self.maximize = maximize; self.relative = relative; self.factor = T(factor); self.patience = patience
        self.threshold = T(threshold); self.cooldown = cooldown; self.minLR = T(minLR); self.eps = T(eps)
        best = maximize ? -.infinity : .infinity
        let saved = group.initialLR
        super.init(group: group, callee: callee)
        group.initialLR = saved   // ReduceLROnPlateau does not call LRScheduler.__init__
        lastEpoch = 0
    }
    private func isBetter(_ a: T) -> Bool {
        let bound: T
        switch (maximize, relative) {
        case (false, true): bound = best * (1 - threshold)
        case (false, false): bound = best - threshold
        case (true, true): bound = best * (threshold + 1)
        case (true, false): bound = best + threshold
        }
        if nonStrict { return maximize ? a >= bound : a <= bound }
        return maximize ? a > bound : a < bound
    }
    func step(metric: T) {
        lastEpoch += 1
        if isBetter(metric) { best = metric; badEpochs = 0 } else { badEpochs += 1 }
        if cooldownCounter > 0 { cooldownCounter -= 1; badEpochs = 0 }
        if badEpochs > patience {
            let old = group.lr
            let candidate = old * factor
            let new = minLR > candidate ? minLR : candidate   // Python max(a, b)
            if old - new > eps { group.lr = new }
            cooldownCounter = cooldown
            badEpochs = 0
        }
    }
    override func step() throws {
        throw DescentError.invalidInput(field: "metrics", message: "\(callee): step() needs a metric")
    }
}

// MARK: - Composites

final class TorchSequentialLR<T: DescentFloat>: TorchScheduler<T> {
    let children: [TorchScheduler<T>], milestones: [Int]
    init(children: [TorchScheduler<T>], milestones: [Int], group: TorchGroup<T>, callee: String) throws {
        self.children = children; self.milestones = milestones
        super.init(group: group, callee: callee)   // (SequentialLR skips LRScheduler.__init__; initial_lr is set by now)
        lastEpoch = 0
        group.lr = group.initialLR!
        for c in children { c.undo() }
        try children[pyBisectRight(milestones, 0)].initialStep()
    }
    override func step() throws {
        lastEpoch += 1
        let i = pyBisectRight(milestones, lastEpoch)
        if i > 0 && milestones[i - 1] == lastEpoch {
            try children[i].updateLR(epoch: 0)
        } else {
            try children[i].step()
        }
    }
    override func undo() { for c in children { c.undo() } }
}

final class TorchChainedScheduler<T: DescentFloat>: TorchScheduler<T> {
    let children: [TorchScheduler<T>]
    init(children: [TorchScheduler<T>], group: TorchGroup<T>, callee: String) {
        self.children = children
        super.init(group: group, callee: callee)
    }
    override func step() throws { for c in children { try c.step() } }
    override func undo() { for c in children { c.undo() } }
}

// MARK: - torch.optim.swa_utils.SWALR

/// SWALR: anneals the group's lr to swa_lr over anneal_epochs steps, then holds it. Its get_lr
/// counts `_step_count` (not last_epoch): step = _step_count − 1, at least 1 when anneal_epochs
/// is 0; it recovers the lr the anneal started from out of the group's current lr,
/// (lr − α(t₋)·swa_lr)/(1 − α(t₋)) (swa_lr when α(t₋) = 1), t₋ = clamp((step − 1)/max(1, E)), then
/// returns swa_lr·α(t) + that·(1 − α(t)), t = clamp(step/max(1, E)); α(t) = (1 − cos(πt))/2 for
/// "cos", t for "linear". No closed form: SequentialLR's `_update_lr(0)` runs get_lr.
final class TorchSWALR<T: DescentFloat>: TorchScheduler<T> {
    let swaLR: T, annealEpochs: Int, cosine: Bool
    /// Known-wrong form (ScheduleMutation.swaAnnealFromOne): the anneal counted from _step_count,
    /// one step ahead.
    let countFromOne: Bool
    init(swaLR: Double, annealEpochs: Int, cosine: Bool, countFromOne: Bool = false, group: TorchGroup<T>, callee: String) throws {
        self.swaLR = T(swaLR); self.annealEpochs = annealEpochs; self.cosine = cosine; self.countFromOne = countFromOne
        super.init(group: group, callee: callee)
        try initialStep()
    }
    private func anneal(_ t: T) -> T { cosine ? (1 - cos(pi * t)) / 2 : t }
    private func clamped(_ x: T) -> T { Swift.max(0, Swift.min(1, x)) }
    override func getLR() throws -> T {
        var step = countFromOne ? stepCount : stepCount - 1
        if annealEpochs == 0 { step = Swift.max(1, step) }
        let span = T(Swift.max(1, annealEpochs))
        let prevAlpha = anneal(clamped(T(step - 1) / span))
        let start = prevAlpha == 1 ? swaLR : (group.lr - prevAlpha * swaLR) / (1 - prevAlpha)
        let alpha = anneal(clamped(T(step) / span))
        return swaLR * alpha + start * (1 - alpha)
    }
}

// MARK: - What a torch schedule case asks for (parsed once, evaluated in any precision)

/// A torch scheduler and its constructor arguments, as read by Torch+Schedules.swift.
indirect enum TorchSchedulerSpec: Sendable {
    struct Cyclic: Sendable {
        var baseLR, maxLR, stepSizeUp: Double
        var stepSizeDown: Double?
        var mode: String
        var gamma: Double
        var cycleMomentum: Bool
        var baseMomentum, maxMomentum: Double
    }
    struct OneCycle: Sendable {
        var maxLR: Double
        var totalSteps: Int
        var pctStart: Double
        var anneal: String
        var cycleMomentum: Bool
        var baseMomentum, maxMomentum, divFactor, finalDivFactor: Double
        var threePhase: Bool
    }
    struct Plateau: Sendable {
        var maximize, relative: Bool
        var factor: Double
        var patience: Int
        var threshold: Double
        var cooldown: Int
        var minLR, eps: Double
        var nonStrict = false
    }
    case step(stepSize: Int, gamma: Double)
    case multiStep(milestones: [Int], gamma: Double)
    case constant(factor: Double, totalIters: Int)
    case linear(start: Double, end: Double, totalIters: Int)
    case exponential(gamma: Double)
    case polynomial(totalIters: Int, power: Double)
    case cosineAnnealing(tMax: Int, etaMin: Double)
    case warmRestarts(t0: Int, tMult: Int, etaMin: Double)
    case cyclic(Cyclic)
    case oneCycle(OneCycle)
    case plateau(Plateau)
    case swa(swaLR: Double, annealEpochs: Int, cosine: Bool, countFromOne: Bool = false)
    case sequential([(name: String, spec: TorchSchedulerSpec)], milestones: [Int])
    case chained([(name: String, spec: TorchSchedulerSpec)])

    /// Whether the case needs the optimizer's lr (`base_lr`): not when the first scheduler to be
    /// constructed sets the group's lr itself (CyclicLR, OneCycleLR).
    var needsBaseLR: Bool {
        switch self {
        case .cyclic, .oneCycle: return false
        case let .sequential(c, _), let .chained(c): return c.first?.spec.needsBaseLR ?? true
        default: return true
        }
    }

    /// Whether some scheduler of the case cycles momentum (so the case has `expected_momentum`).
    var cyclesMomentum: Bool {
        switch self {
        case let .cyclic(c): return c.cycleMomentum
        case let .oneCycle(c): return c.cycleMomentum
        case let .sequential(c, _), let .chained(c): return c.contains { $0.spec.cyclesMomentum }
        default: return false
        }
    }

    /// Constructs the scheduler on `group`, as `Name(optimizer, **parameters)` does (including
    /// the constructor's initial step).
    func make<T: DescentFloat>(_ group: TorchGroup<T>, _ name: String) throws -> TorchScheduler<T> {
        let callee = name == "SWALR" ? "torch.optim.swa_utils.SWALR" : "torch.optim.lr_scheduler.\(name)"
        switch self {
        case let .step(s, g): return try TorchStepLR(stepSize: s, gamma: g, group: group, callee: callee)
        case let .multiStep(m, g): return try TorchMultiStepLR(milestones: m, gamma: g, group: group, callee: callee)
        case let .constant(f, n): return try TorchConstantLR(factor: f, totalIters: n, group: group, callee: callee)
        case let .linear(s, e, n):
            return try TorchLinearLR(startFactor: s, endFactor: e, totalIters: n, group: group, callee: callee)
        case let .exponential(g): return try TorchExponentialLR(gamma: g, group: group, callee: callee)
        case let .polynomial(n, p): return try TorchPolynomialLR(totalIters: n, power: p, group: group, callee: callee)
        case let .cosineAnnealing(t, e): return try TorchCosineAnnealingLR(tMax: t, etaMin: e, group: group, callee: callee)
        case let .warmRestarts(t0, m, e):
            return try TorchCosineAnnealingWarmRestarts(t0: t0, tMult: m, etaMin: e, group: group, callee: callee)
        case let .cyclic(c):
            return try TorchCyclicLR(baseLR: c.baseLR, maxLR: c.maxLR, stepSizeUp: c.stepSizeUp, stepSizeDown: c.stepSizeDown,
                                     mode: TorchCyclicLR<T>.Mode(rawValue: c.mode)!, gamma: c.gamma,
                                     cycleMomentum: c.cycleMomentum, baseMomentum: c.baseMomentum,
                                     maxMomentum: c.maxMomentum, group: group, callee: callee)
        case let .oneCycle(c):
            return try TorchOneCycleLR(maxLR: c.maxLR, totalSteps: c.totalSteps, pctStart: c.pctStart,
                                       anneal: TorchOneCycleLR<T>.Anneal(rawValue: c.anneal)!, cycleMomentum: c.cycleMomentum,
                                       baseMomentum: c.baseMomentum, maxMomentum: c.maxMomentum, divFactor: c.divFactor,
                                       finalDivFactor: c.finalDivFactor, threePhase: c.threePhase, group: group, callee: callee)
        case let .plateau(c):
            return TorchReduceLROnPlateau(maximize: c.maximize, relative: c.relative, factor: c.factor, patience: c.patience,
                                          threshold: c.threshold, cooldown: c.cooldown, minLR: c.minLR, eps: c.eps,
                                          nonStrict: c.nonStrict, group: group, callee: callee)
        case let .swa(swaLR, epochs, cosine, fromOne):
            return try TorchSWALR(swaLR: swaLR, annealEpochs: epochs, cosine: cosine, countFromOne: fromOne, group: group, callee: callee)
        case let .sequential(children, milestones):
            let made = try children.map { try $0.spec.make(group, $0.name) }
            return try TorchSequentialLR(children: made, milestones: milestones, group: group, callee: callee)
        case let .chained(children):
            let made = try children.map { try $0.spec.make(group, $0.name) }
            return TorchChainedScheduler(children: made, group: group, callee: callee)
        }
    }
}

/// A torch schedule case: build the scheduler on a fresh group with lr = base_lr, read the lr
/// (and momentum) after construction and after each `step()`.
struct TorchSchedule: Schedule {
    let name: String
    let spec: TorchSchedulerSpec
    let baseLR: Double?
    let metrics: [Double]?
    let summary: String

    func values<T: DescentFloat>(_ type: T.Type, count: Int) throws -> ScheduleValues<T> {
        let count = Swift.max(count, 0)
        if spec.needsBaseLR && baseLR == nil {
            throw DescentError.invalidInput(field: "base_lr",
                message: "torch schedule cases need base_lr (the optimizer's lr when the scheduler is built)")
        }
        let group = TorchGroup<T>(lr: T(baseLR ?? 0))
        let s = try spec.make(group, name)
        let plateau = s as? TorchReduceLROnPlateau<T>
        if plateau != nil, (metrics?.count ?? 0) < count - 1 {
            throw DescentError.invalidInput(field: "metrics",
                message: "ReduceLROnPlateau needs one metric per step: \(count - 1) steps, \(metrics?.count ?? 0) metrics")
        }
        var lr: [T] = [], momentum: [T] = []
        lr.reserveCapacity(count)
        for k in 0..<count {
            if k > 0 {
                if let plateau { plateau.step(metric: T(metrics![k - 1])) } else { try s.step() }
            }
            lr.append(group.lr)
            momentum.append(group.momentum ?? .nan)
        }
        return ScheduleValues(lr: lr, momentum: spec.cyclesMomentum ? momentum : nil)
    }
}
