// ScheduleMutation.swift — deliberate mistakes a schedule implementation can make that no change
// of its arguments can express, for the known-wrong registry (`descent power`).

public enum ScheduleMutation: String, Sendable, CaseIterable {
    /// ReduceLROnPlateau / reduce_on_plateau compares with ≤ (≥ in max mode) instead of < (>).
    case plateauNonStrict
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
        default:
            return nil
        }
    }
}

extension TorchSchedulerSpec {
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
