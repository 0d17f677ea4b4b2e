// Schedule.swift — what a learning-rate schedule is, to the rest of Descent.

/// Everything a schedule case gives besides the schedule's own parameters.
public struct ScheduleContext: Sendable {
    /// torch: the optimizer's lr when the scheduler is built (the case's `base_lr`).
    public var baseLR: Double?
    /// ReduceLROnPlateau / reduce_on_plateau: `metrics[k]` is passed to the (k+1)-th step.
    public var metrics: [Double]?
    public init(baseLR: Double? = nil, metrics: [Double]? = nil) {
        self.baseLR = baseLR
        self.metrics = metrics
    }
}

/// A schedule's values over `count` entries, in the case's sense of `expected_lr`
/// (torch: after k scheduler steps; optax: schedule(k); textbook: the lr of step k).
public struct ScheduleValues<T: DescentFloat> {
    public var lr: [T]
    /// Momentum (or Adam's beta1) when the schedule cycles it (OneCycleLR, CyclicLR), else nil.
    public var momentum: [T]?
    public init(lr: [T], momentum: [T]? = nil) {
        self.lr = lr
        self.momentum = momentum
    }
}

/// A learning-rate schedule, evaluated in either precision with the library's own arithmetic
/// (torch's schedulers step by step, as its chainable form does; optax's as pure functions).
public protocol Schedule: Sendable {
    /// "torch.OneCycleLR(anneal_strategy=cos, three_phase=false)" or similar, for reports.
    var summary: String { get }
    /// The first `count` values. Throws `DescentError` for a case it cannot run (missing metrics…).
    func values<T: DescentFloat>(_ type: T.Type, count: Int) throws -> ScheduleValues<T>
}
