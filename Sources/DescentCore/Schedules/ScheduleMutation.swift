// ScheduleMutation.swift — deliberate mistakes a schedule implementation can make that no change
// of its arguments can express, for the known-wrong registry (`descent power`).

public enum ScheduleMutation: String, Sendable, CaseIterable {
    /// ReduceLROnPlateau / reduce_on_plateau compares with ≤ (≥ in max mode) instead of < (>).
    case plateauNonStrict
    /// torch's CosineAnnealingLR held at eta_min from T_max on (as Keras's CosineDecay and optax's
    /// cosine_decay_schedule hold their floor) instead of following the cosine back up.
    case cosineHeldAfterTMax
    /// torch's SWALR counting its anneal from `_step_count` instead of `_step_count − 1`.
    case swaAnnealFromOne
    /// pytorch_optimizer: the constructor's reset of the group's lr to min_lr forgotten (linear,
    /// cosine, poly, rex: lr[0] is the optimizer's lr; cosine_annealing_with_warmup: init_lr()
    /// forgotten, the optimizer's lr the cosine's floor too).
    case pytorchOptimizerResetForgotten
    /// pytorch_optimizer's REXScheduler without the step its constructor takes.
    case rexConstructorStepForgotten
    /// pytorch_optimizer's linear warmup counted from 1 (init + (max − init)(t + 1)/W).
    case pytorchOptimizerWarmupFromOne
    /// pytorch_optimizer's LinearScheduler / CosineScheduler held at min_lr from t_max on.
    case pytorchOptimizerHeldAtMin
    /// pytorch_optimizer's PolyScheduler as the textbook decay (1 − (t − W)/(T − W))^p.
    case polyNormalized
    /// pytorch_optimizer's Chebyshev nodes in sorted order (the fractal permutation skipped).
    case chebyshevSorted
    /// pytorch_optimizer's Chebyshev schedule read at `epoch`, not `epoch − 2`.
    case chebyshevIndexFromZero
    /// pytorch_optimizer's get_wsd_schedule with min_lr_ratio as the floor of every cooldown.
    case wsdFloorInEveryCooldown
    /// pytorch_optimizer's ProportionScheduler reading the group's lr, not the scheduler's last_lr.
    case proportionReadsGroupLR

    /// The pytorch_optimizer mistake this is, if it is one.
    var pytorchOptimizerMistake: PytorchOptimizerScheduleMistake? {
        switch self {
        case .pytorchOptimizerResetForgotten: return .constructorResetForgotten
        case .rexConstructorStepForgotten: return .rexConstructorStepForgotten
        case .pytorchOptimizerWarmupFromOne: return .warmupCountedFromOne
        case .pytorchOptimizerHeldAtMin: return .heldAtMinAfterTMax
        case .polyNormalized: return .polyNormalized
        case .chebyshevSorted: return .chebyshevSorted
        case .chebyshevIndexFromZero: return .chebyshevIndexFromZero
        case .wsdFloorInEveryCooldown: return .wsdFloorInEveryCooldown
        default: return nil
        }
    }
}

extension PytorchOptimizerSchedule {
    /// The same schedule with `m` made, or nil when `m` cannot change this kind of schedule.
    func making(_ m: PytorchOptimizerScheduleMistake) -> PytorchOptimizerSchedule? {
        let applies: Bool
        switch (m, lr) {
        case (.constructorResetForgotten, .warmup), (.constructorResetForgotten, .rex), (.constructorResetForgotten, .warmupRestarts),
             (.rexConstructorStepForgotten, .rex):
            applies = true
        case let (.warmupCountedFromOne, .warmup(_, _, _, _, _, w, _)): applies = w > 0
        case let (.heldAtMinAfterTMax, .warmup(decay, _, _, _, _, _, _)): applies = decay == .linear || decay == .cosine
        case let (.polyNormalized, .warmup(decay, _, _, _, _, _, _)): applies = decay != .linear && decay != .cosine
        case let (.chebyshevSorted, .chebyshev(_, warmup)), let (.chebyshevIndexFromZero, .chebyshev(_, warmup)): applies = !warmup
        case let (.wsdFloorInEveryCooldown, .wsd(_, _, _, r, _, cooldown)): applies = r != 0 && cooldown != "cosine"
        default: applies = false
        }
        guard applies else { return nil }
        var s = self
        s.mistakes.insert(m)
        return s
    }
}

/// A schedule whose values from step `from` on are `value`.
struct HeldSchedule: Schedule {
    let inner: any Schedule
    let from: Int
    let value: Double
    var summary: String { inner.summary + " [held at \(value) from step \(from)]" }
    func values<T: DescentFloat>(_ type: T.Type, count: Int) throws -> ScheduleValues<T> {
        var v = try inner.values(type, count: count)
        for k in v.lr.indices where k >= from { v.lr[k] = T(value) }
        return v
    }
}

extension Schedule {
    /// The same schedule with the mistake made, or nil when the mistake does not apply to it.
    public func mutated(_ m: ScheduleMutation) -> (any Schedule)? {
        switch (m, self) {
        case let (.plateauNonStrict, s as TorchSchedule):
            guard let spec = s.spec.plateauNonStrict() else { return nil }
            return TorchSchedule(name: s.name, spec: spec, baseLR: s.baseLR, metrics: s.metrics,
                                 summary: s.summary + " [≤ instead of <]")
        case let (.plateauNonStrict, s as TextbookScheduleCase):
            guard case let .reduceOnPlateau(lr, f, p, minLR, false) = s.schedule else { return nil }
            return TextbookScheduleCase(schedule: .reduceOnPlateau(lr: lr, factor: f, patience: p, minLR: minLR, nonStrict: true),
                                        metrics: s.metrics, summary: s.summary + " [≤ instead of <]")
        case let (.cosineHeldAfterTMax, s as TorchSchedule):
            guard case let .cosineAnnealing(tMax, etaMin) = s.spec else { return nil }
            return HeldSchedule(inner: s, from: tMax, value: etaMin)
        case let (.swaAnnealFromOne, s as TorchSchedule):
            guard let spec = s.spec.swaAnnealFromOne() else { return nil }
            return TorchSchedule(name: s.name, spec: spec, baseLR: s.baseLR, metrics: s.metrics,
                                 summary: s.summary + " [anneal counted from 1]")
        case let (m, s as PytorchOptimizerSchedule):
            guard let mistake = m.pytorchOptimizerMistake, let t = s.making(mistake) else { return nil }
            return MutatedSchedule(inner: t, note: m.rawValue)
        case let (.proportionReadsGroupLR, s as PytorchOptimizerProportion):
            guard !s.readsGroupLR, (s.inner as? PytorchOptimizerSchedule)?.lastLRAfterConstruction != nil else { return nil }
            var t = s
            t.readsGroupLR = true
            return MutatedSchedule(inner: t, note: m.rawValue)
        default:
            return nil
        }
    }
}

/// A mutated schedule, named in reports.
struct MutatedSchedule: Schedule {
    let inner: any Schedule
    let note: String
    var summary: String { inner.summary + " [\(note)]" }
    func values<T: DescentFloat>(_ type: T.Type, count: Int) throws -> ScheduleValues<T> { try inner.values(type, count: count) }
}

extension TorchSchedulerSpec {
    /// SWALR with its anneal counted from 1, at the top or as a child of a composite; nil when the
    /// case has no SWALR.
    func swaAnnealFromOne() -> TorchSchedulerSpec? {
        switch self {
        case let .swa(l, e, c, false): return .swa(swaLR: l, annealEpochs: e, cosine: c, countFromOne: true)
        case let .sequential(children, milestones):
            guard children.contains(where: { $0.spec.swaAnnealFromOne() != nil }) else { return nil }
            return .sequential(children.map { (name: $0.name, spec: $0.spec.swaAnnealFromOne() ?? $0.spec) }, milestones: milestones)
        case let .chained(children):
            guard children.contains(where: { $0.spec.swaAnnealFromOne() != nil }) else { return nil }
            return .chained(children.map { (name: $0.name, spec: $0.spec.swaAnnealFromOne() ?? $0.spec) })
        default:
            return nil
        }
    }
    func plateauNonStrict() -> TorchSchedulerSpec? {
        switch self {
        case var .plateau(p) where !p.nonStrict:
            p.nonStrict = true
            return .plateau(p)
        default:
            return nil
        }
    }
}
