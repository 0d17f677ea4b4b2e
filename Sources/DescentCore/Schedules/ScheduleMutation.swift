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
        default:
            return nil
        }
    }
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
