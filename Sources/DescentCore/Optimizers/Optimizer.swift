// Optimizer.swift — what an optimizer is, to the rest of Descent.
//
// A *family* (AdamFamily, SGDFamily, …) is a value holding the knobs that distinguish the
// libraries' variants (eps inside/outside the root, decay coupled or decoupled, lr inside or
// outside the momentum buffer, …). A convention (torch, optax, textbook) turns a library call
// into a family value; an implementation turns a family value into a *stepper* that owns the
// optimizer state and performs steps on an engine.

/// The gradient oracle of a closed-loop problem: loss and gradients at the given parameters.
public typealias Objective<T: DescentFloat> = (_ params: [Buffer<T>]) -> (loss: Double, grads: [Buffer<T>])

/// A running optimizer of one precision: holds its state, performs steps in place.
public protocol Stepper<Scalar>: AnyObject {
    associatedtype Scalar: DescentFloat
    /// One step: `params` are updated in place from `grads`. `lr` is the learning rate in force
    /// for this step (the hyperparameter, or the step's override set by a schedule).
    func step(params: [Buffer<Scalar>], grads: [Buffer<Scalar>], lr: Double)
    /// Closed-loop step: optimizers that evaluate the objective several times per step (L-BFGS)
    /// or at other points than the parameters override this; the default evaluates once.
    func step(params: [Buffer<Scalar>], objective: Objective<Scalar>, lr: Double)
    /// Whether the optimizer needs the objective (cannot replay a fixed gradient sequence).
    var needsObjective: Bool { get }
    /// Whether the objective it needs is only its value at the parameters, once per step (optax
    /// polyak_sgd, momo): a replay case can then give that value per step (`steps[k].value`).
    var takesValue: Bool { get }
    /// Whether the update takes a Hessian-diagonal estimate handed to a step (pytorch_optimizer
    /// SophiaH's `step(hessian=...)`): a replay case gives it as `steps[k].hessian`.
    var takesHessian: Bool { get }
    /// Whether the next step refreshes the stepper's own Hessian estimate when none is handed to it
    /// (SophiaH: at (t − 1) % update_period == 0 the library draws a Hutchinson probe, which a replay
    /// cannot reproduce: a replay case must give `steps[k].hessian` there).
    var hessianDue: Bool { get }
    /// One step with a Hessian-diagonal estimate, one buffer per tensor (`set_hessian` before the
    /// step); a stepper that takes none ignores it.
    func step(params: [Buffer<Scalar>], grads: [Buffer<Scalar>], hessian: [Buffer<Scalar>], lr: Double)
    /// Named state, for parity tests and the memory table (e.g. ["exp_avg": [...], ...]).
    var state: [(name: String, buffers: [Buffer<Scalar>])] { get }
    /// The whole state, copied out (StepperState.swift): every buffer of `state` and every scalar
    /// (a step counter is `step`), enough for `load` to continue exactly where this stopped.
    func save() -> StepperState
    /// Replaces the state with a saved one (from a stepper of the same family and shapes).
    /// Throws `DescentError.unsupported` for a stepper that cannot be restored.
    func load(_ saved: StepperState) throws
}

extension Stepper {
    /// Steppers that have not said how to save themselves: the buffers only, and `load` refuses
    /// (a resume from them would silently drop their counters).
    public func save() -> StepperState { StepperState(buffers: state) }
    public func load(_ saved: StepperState) throws {
        throw DescentError.unsupported("\(String(describing: Self.self)) cannot be restored from a saved state")
    }

    public func step(params: [Buffer<Scalar>], objective: Objective<Scalar>, lr: Double) {
        step(params: params, grads: objective(params).grads, lr: lr)
    }
    public var needsObjective: Bool { false }
    public var takesValue: Bool { false }
    public var takesHessian: Bool { false }
    public var hessianDue: Bool { false }
    public func step(params: [Buffer<Scalar>], grads: [Buffer<Scalar>], hessian: [Buffer<Scalar>], lr: Double) {
        step(params: params, grads: grads, lr: lr)
    }
}

/// A stepper that takes sparse gradients (torch SparseAdam): `present[i]` lists the flat row-major
/// indices of tensor i's entries that the (coalesced) sparse gradient holds, ascending; only those
/// entries of `grads[i]` exist, the rest are 0 and absent (FORMAT.md, `grad_indices`).
public protocol SparseGradientStepper<Scalar>: Stepper {
    func step(params: [Buffer<Scalar>], grads: [Buffer<Scalar>], present: [[Int]], lr: Double)
}

/// A stepper whose state couples every param group (prodigyopt and pytorch_optimizer Prodigy,
/// dadaptation: ONE distance estimate summed over every group's tensors that have a gradient).
/// It is built over all the groups' tensors at once (`GroupSharingFamily`) and steps them together:
/// `grads[i]` is nil for a tensor without a gradient this step (torch `p.grad is None`: left out of
/// the sums and the move), `groupLRs[j]` is group j's lr. It throws
/// `DescentError.invalidHyperparameter` where the library raises during the step.
public protocol GroupedStepper<Scalar>: Stepper {
    func step(params: [Buffer<Scalar>], grads: [Buffer<Scalar>?], groupLRs: [Double]) throws
}

/// A family whose optimizer keeps one state over all its param groups, read partly from the first
/// group (the library's `group = self.param_groups[0]`) and partly per group.
public protocol GroupSharingFamily: OptimizerFamily {
    /// Whether this value's optimizer shares its state across groups (optax's prodigy does not:
    /// a multi_transform gives each group its own).
    var sharesStateAcrossGroups: Bool { get }
    /// One stepper over every group: `groups[j]` is group j's family (of this type, from the
    /// group's merged hyperparameters), `members[j]` the positions of its tensors in `shapes`,
    /// which lists the tensors in the library's iteration order (group by group).
    func makeGroupedStepper<T: DescentFloat>(_: T.Type, groups: [any OptimizerFamily], members: [[Int]],
                                             shapes: [[Int]], engine: Engine) throws -> StepperBox<T>
}

extension GroupSharingFamily {
    /// The groups' families as this type (one of another type is a caller's mistake).
    func sameFamilies(_ groups: [any OptimizerFamily]) throws -> [Self] {
        try groups.map {
            guard let f = $0 as? Self else {
                throw DescentError.unsupported("param groups of different optimizers (\(familyName) and \($0.familyName)) in one \(familyName)")
            }
            return f
        }
    }
}

/// A family that reads keys its library keeps in param groups only, not among its constructor's
/// arguments (dadaptation DAdaptAdam's `layer_scale`): the field runner hands a group's such keys
/// here, after the convention has read the rest.
public protocol GroupKeyFamily: OptimizerFamily {
    /// This family with group key `groupKey` set to `value` (nil: not a number).
    func setting(groupKey: String, to value: Double?) throws -> Self
}

/// Each tensor's param group (a `GroupedStepper`'s members: the positions of each group's tensors).
func groupIndex(_ members: [[Int]], count: Int) -> [Int] {
    var of = Array(repeating: 0, count: count)
    for (j, ts) in members.enumerated() { for i in ts { of[i] = j } }
    return of
}

/// prodigyopt's and dadaptation's step lr: the largest group lr; another group lr than that or 0
/// raises the library's RuntimeError, in its wording (`message`).
func largestGroupLR(_ lrs: [Double], message: String) throws -> Double {
    let top = lrs.max() ?? 0
    if lrs.contains(where: { $0 != top && $0 != 0 }) { throw DescentError.invalidHyperparameter(field: "lr", message: message) }
    return top
}

/// The RuntimeError's wording in prodigyopt, DAdaptSGD and DAdaptLion (DAdaptAdam adds a sentence).
let groupLRMessage = "Setting different lr values in different parameter groups is only supported for values of 0"

/// Closures over a concrete stepper (type erasure that keeps specialisation).
/// A stepper whose update takes the objective's value as well as its gradient (Polyak step sizes,
/// momo): it writes `step(params:grads:loss:lr:)` and gets the protocol's two steps from it. It
/// needs the objective (the verifier gives it a problem's value or a replay case's
/// `steps[k].value`); a caller with gradients alone gets a NaN step, not a crash.
protocol ValueTakingStepper: Stepper {
    func step(params: [Buffer<Scalar>], grads: [Buffer<Scalar>], loss: Double, lr: Double)
}

extension ValueTakingStepper {
    var needsObjective: Bool { true }
    var takesValue: Bool { true }

    func step(params: [Buffer<Scalar>], grads: [Buffer<Scalar>], lr: Double) {
        step(params: params, grads: grads, loss: .nan, lr: lr)
    }

    func step(params: [Buffer<Scalar>], objective: Objective<Scalar>, lr: Double) {
        let (loss, grads) = objective(params)
        step(params: params, grads: grads, loss: loss, lr: lr)
    }
}

public struct StepperBox<T: DescentFloat> {
    public let step: (_ params: [Buffer<T>], _ grads: [Buffer<T>], _ lr: Double) -> Void
    public let stepObjective: (_ params: [Buffer<T>], _ objective: Objective<T>, _ lr: Double) -> Void
    public let needsObjective: Bool
    /// The stepper's `takesValue`.
    public let takesValue: Bool
    /// The stepper's `takesHessian`, `hessianDue` (asked before each step) and hessian-taking step.
    public let takesHessian: Bool
    public let hessianDue: () -> Bool
    public let stepHessian: (_ params: [Buffer<T>], _ grads: [Buffer<T>], _ hessian: [Buffer<T>], _ lr: Double) -> Void
    /// The sparse-gradient step, for a stepper that takes sparse gradients (nil for the others).
    public let stepSparse: ((_ params: [Buffer<T>], _ grads: [Buffer<T>], _ present: [[Int]], _ lr: Double) -> Void)?
    /// The step over every param group at once, for a stepper that shares its state across groups
    /// (`GroupedStepper`; nil for the others).
    public let stepGroups: ((_ params: [Buffer<T>], _ grads: [Buffer<T>?], _ groupLRs: [Double]) throws -> Void)?
    public let state: () -> [(name: String, buffers: [Buffer<T>])]
    public let save: () -> StepperState
    public let load: (StepperState) throws -> Void
    /// The concrete type that runs (recorded in reports: the harness must prove what ran).
    public let typeName: String

    public init<S: Stepper>(_ s: S) where S.Scalar == T {
        self.init(s, sparse: nil)
    }

    /// A sparse-gradient stepper, called on its concrete type: through the existential its step
    /// would run unspecialised generic code, whose packed square root is an out-of-line call to
    /// the AVX-512 intrinsic (a crash on CPUs without AVX-512; seen on vectorized-portable).
    public init<S: SparseGradientStepper>(_ s: S) where S.Scalar == T {
        self.init(s, sparse: { s.step(params: $0, grads: $1, present: $2, lr: $3) })
    }

    /// A stepper over all param groups, likewise called on its concrete type.
    public init<S: GroupedStepper>(_ s: S) where S.Scalar == T {
        self.init(s, sparse: nil, groups: { try s.step(params: $0, grads: $1, groupLRs: $2) })
    }

    init<S: Stepper>(_ s: S, sparse: ((_ params: [Buffer<T>], _ grads: [Buffer<T>], _ present: [[Int]], _ lr: Double) -> Void)?,
                     groups: ((_ params: [Buffer<T>], _ grads: [Buffer<T>?], _ groupLRs: [Double]) throws -> Void)? = nil) where S.Scalar == T {
        stepGroups = groups
        step = { s.step(params: $0, grads: $1, lr: $2) }
        stepObjective = { s.step(params: $0, objective: $1, lr: $2) }
        needsObjective = s.needsObjective
        takesValue = s.takesValue
        takesHessian = s.takesHessian
        hessianDue = { s.hessianDue }
        stepHessian = { s.step(params: $0, grads: $1, hessian: $2, lr: $3) }
        if let sparse {
            stepSparse = sparse
        } else if let sparse = s as? any SparseGradientStepper<T> {
            stepSparse = { sparse.step(params: $0, grads: $1, present: $2, lr: $3) }
        } else {
            stepSparse = nil
        }
        state = { s.state }
        save = { s.save() }
        load = { try s.load($0) }
        typeName = String(describing: S.self)
    }
}

/// An optimizer family's configuration: everything but the learning rate, which arrives per step.
public protocol OptimizerFamily: Sendable {
    /// Short family name ("Adam", "SGD", …), for reports.
    var familyName: String { get }
    /// One line describing the knobs in force, e.g. "eps outside sqrt, decoupled decay × lr".
    var summary: String { get }
    /// A stepper for tensors of these shapes, in precision T, on this engine: the family's one
    /// construction, generic over the precision, so a new `DescentFloat` type runs every family
    /// (or the package does not compile). Families mark it `@_specialize` for Double and Float, so
    /// the steppers those runs build are specialised (the hot loops are generic code).
    /// Throws `DescentError.unsupported` when the family cannot run this combination.
    func makeStepper<T: DescentFloat>(_: T.Type, shapes: [[Int]], engine: Engine) throws -> StepperBox<T>
}

/// A family whose library computes something a replay of a given length cannot reproduce
/// (GaLore's refreshed projector meets the old moments in coordinates whose signs LAPACK chose):
/// the verifier answers `unsupported` with the reason instead of running such a case.
public protocol ReplayLimitedFamily: OptimizerFamily {
    /// Why a replay of `steps` steps on tensors of `shapes` cannot match the library, or nil.
    func replayUnsupported(steps: Int, shapes: [[Int]]) -> String?
}

/// What a convention makes of `(name, hyperparameters)`.
public struct OptimizerSpec: Sendable {
    public var family: any OptimizerFamily
    /// The learning rate the hyperparameters set (used by steps without an `lr` override).
    public var lr: Double
    public init(family: any OptimizerFamily, lr: Double) {
        self.family = family
        self.lr = lr
    }
}

extension Array {
    /// Allocates one zeroed state buffer per tensor.
    public static func zeros<T: DescentFloat>(like shapes: [[Int]]) -> [Buffer<T>] where Element == Buffer<T> {
        shapes.map { Buffer<T>(zeros: $0.reduce(1, *)) }
    }
}

/// A per-tensor decay mask (optax `mask` as a list) must have one entry per tensor.
func requireDecayMask(_ mask: [Bool]?, matches shapes: [[Int]]) throws {
    if let mask, mask.count != shapes.count {
        throw DescentError.invalidInput(field: "hyperparameters.mask",
                                        message: "mask has \(mask.count) entries for \(shapes.count) tensors")
    }
}
