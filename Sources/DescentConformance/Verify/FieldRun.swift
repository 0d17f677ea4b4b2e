// FieldRun.swift — runs an optimizer case with field features (fixtures/FORMAT.md, "Field
// features") on an implementation: the training loop around the optimizer, as each library's
// users write it.
//
// The loop, per case step k:
//   1. the step's gradients (given, `null` for some tensors, or from the closed-loop problem);
//   2. accumulation: add to the accumulator (torch: sum; optax MultiSteps, Keras: mean); off a
//      boundary the parameters stay, and the loop goes on;
//   3. the non-finite guard (torch GradScaler, optax apply_if_finite) decides whether the
//      optimizer steps;
//   4. `grad_transforms` over the present gradients (across groups: a global norm is global);
//   5. each unit steps with its group's lr (a step's lr, a per-group lr, or the schedule at the
//      count the library evaluates it at);
//   6. the parameters and `expected_state` are compared; at the resume point every unit's state
//      is encoded to bytes, the unit dropped, a fresh one built and decoded into.
//
// A *unit* is one stepper of the implementation: one per param group, or one per tensor when the
// case has `null` gradients (torch keeps a step count per parameter, so a tensor without a
// gradient must not advance; Keras sets each tensor's count to the global `iterations`). Each
// unit's stepper is the implementation's own; the loop is Descent's implementation of the
// libraries' loop semantics (GradScaler, MultiSteps, apply_if_finite, the schedulers' counts).
import DescentCore
import DescentJSON

/// Mistakes in the loop around an optimizer (the field known-wrong variants, FieldVariants.swift).
public enum FieldMistake: String, Sendable, CaseIterable {
    /// The no-decay group's `weight_decay` (or Keras's `exclude_from_weight_decay`) is ignored.
    case decayOnNoDecayGroup
    /// Every group steps with the first group's lr.
    case oneLRForAllGroups
    /// A `null` gradient is stepped as zeros.
    case missingGradAsZero
    /// torch-style: a tensor that starts late takes the global step count for its bias corrections.
    case globalStepForLateParameter
    /// The step counters are reset to 0 on load.
    case counterResetOnLoad
    /// Every saved scalar (counters, running products, sums) is cast to float32 on load.
    case scalarsCastToFloat32OnLoad
    /// The saved state is not restored: fresh moments after the resume.
    case stateNotRestored
    /// Accumulation takes the mean where the library sums, or the sum where it takes the mean.
    case accumulationMeanSumSwapped
    /// A step the non-finite guard skips still advances the optimizer's count.
    case skippedStepAdvancesCount
    /// The schedule inside the optimizer is evaluated one count early.
    case scheduleCountEarly
    /// The schedule inside the optimizer is evaluated one count late.
    case scheduleCountLate
    /// An optimizer that keeps one state over all its param groups (prodigyopt's and
    /// pytorch_optimizer's Prodigy: one d) run as one optimizer per group (and, with `null`
    /// gradients, per tensor), each with its own estimate.
    case sharedStatePerGroup
}

/// How a convention's loop treats the field features.
package enum FieldStyle {
    case torch, optax, keras, textbook

    package init(_ convention: String) {
        switch convention {
        case "optax": self = .optax
        case "keras": self = .keras
        case "textbook": self = .textbook
        default: self = .torch   // torch, pytorch_optimizer, lion_pytorch, schedulefree, transformers, prodigyopt (and unknown: refused by the convention)
        }
    }

    /// Whether a convention keeps its counters per group (pytorch_optimizer's `group['step']`,
    /// schedulefree's `k`, Keras's `iterations`) rather than per parameter (torch.optim).
    static func countsPerGroup(_ convention: String) -> Bool {
        ["pytorch_optimizer", "schedulefree", "keras"].contains(convention)
    }

    /// The library's name of Descent's step counter (`step` in every stepper's saved state).
    var counterName: String {
        switch self {
        case .optax: return "count"
        case .keras: return "iterations"
        case .torch, .textbook: return "step"
        }
    }
}

/// Keras's names for the slots of Descent's steppers (Descent's steppers use torch's names for
/// the torch-form families Keras maps onto).
/// Group keys a library reads from its constructor only: torch's Adagrad fills every state's
/// `sum` from the constructor's `initial_accumulator_value` (adagrad.py, __init__), whatever a
/// param group says.
package let constructorOnly: [String: Set<String>] = ["torch.Adagrad": ["initial_accumulator_value"]]

/// Group keys a library reads from its param groups only (its defaults dict, not its constructor's
/// arguments): the convention never sees them; the group's family takes them (`GroupKeyFamily`).
package let groupOnly: [String: Set<String>] = ["dadaptation.DAdaptAdam": ["layer_scale"]]

/// optax's names that Descent's steppers spell differently (schedule_free; signum's ema is Lion's mu;
/// adan's counter t is the stepper's step).
package let optaxStateNames: [String: String] = ["max_lr": "lr_max", "ema": "mu", "t": "step"]

package let kerasStateNames: [String: String] = [
    "exp_avg": "momentum", "exp_avg_sq": "velocity", "max_exp_avg_sq": "velocity_hat",
    "momentum_buffer": "momentum", "square_avg": "velocity", "grad_avg": "average_gradient",
    "sum": "accumulator", "exp_inf": "norm", "mu": "momentum", "nu": "velocity", "mu_product": "u_product",
]

/// One param group as the loop builds it: its tensors, merged hyperparameters, optimizer name.
struct FieldGroup {
    var tensors: [Int]
    var hyperparameters: [(String, JSON)]
    var name: String
}

extension Verifier {
    /// One stepper over some of the case's tensors.
    final class FieldUnit<T: DescentFloat> {
        let tensors: [Int]
        let group: Int
        private(set) var spec: OptimizerSpec?      // nil: frozen (optax set_to_zero)
        func respec(_ s: OptimizerSpec) { spec = s }
        var box: StepperBox<T>?
        /// Updates applied (the optax inner count, torch's per-parameter step).
        var updates = 0
        init(tensors: [Int], group: Int, spec: OptimizerSpec?, box: StepperBox<T>?) {
            self.tensors = tensors; self.group = group; self.spec = spec; self.box = box
        }
    }

    package func runField<T: DescentFloat>(_ c: OptimizerCase, _ impl: any Implementation, _: T.Type,
                                           _ r: inout CaseResult) throws {
        let field = c.field ?? FieldSetup()
        let style = FieldStyle(c.convention)
        let mistake: FieldMistake? = {
            if let v = impl as? KnownWrongVariant, case let .field(m) = v.mistake { return m }
            return nil
        }()
        let n = c.params.count
        let shapes = c.params.map(\.shape)
        let anyMissing = c.steps.contains { $0.field?.missing.contains(true) ?? false }

        // Arguments the loop takes from the hyperparameters (Keras builds them into its optimizer).
        var hp = c.hyperparameters?.objectValue ?? []
        var accumulation = field.accumulation
        var exclude: [String]? = nil
        if style == .keras {
            if let i = hp.firstIndex(where: { $0.0 == "gradient_accumulation_steps" }) {
                let v = hp.remove(at: i).1
                if !v.isNull {
                    guard let k = v.intValue, k >= 1 else {
                        throw DescentError.invalidHyperparameter(field: "hyperparameters.gradient_accumulation_steps",
                                                                 message: "`gradient_accumulation_steps` must be an integer >= 1. Received: gradient_accumulation_steps=\(v.serialized())")
                    }
                    if k > 1 { accumulation = k }
                }
            }
            if let i = hp.firstIndex(where: { $0.0 == "exclude_from_weight_decay" }) {
                let v = hp.remove(at: i).1
                let names = v["var_names"]?.arrayValue ?? []
                exclude = try names.enumerated().map { j, x in
                    guard let s = x.stringValue else {
                        throw DescentError.invalidInput(field: "hyperparameters.exclude_from_weight_decay.var_names[\(j)]", message: "expected a string")
                    }
                    return s
                }
            }
            if field.accumulation != nil {
                throw DescentError.invalidInput(field: "accumulation", message: "a keras case gives gradient_accumulation_steps in its hyperparameters")
            }
        }
        if field.schedule != nil && style == .optax && !hp.contains(where: { $0.0 == "learning_rate" }) {
            hp.append(("learning_rate", JSON(1.0)))   // the schedule gives every step's lr
        }
        if field.paramGroups != nil && (style == .keras || style == .textbook) {
            throw DescentError.unsupported("\(c.convention) has no param groups (Keras: exclude_from_weight_decay)")
        }
        if anyMissing && (style == .optax || style == .textbook) {
            throw DescentError.unsupported("\(c.convention) has no missing gradients (its updates must match the parameters' structure)")
        }
        if let g = field.nonFinite {
            let allowed: Set<String> = g.name == "GradScaler"
                ? ["init_scale", "growth_factor", "backoff_factor", "growth_interval", "enabled", "device"]
                : ["max_consecutive_errors"]
            for (k, _) in g.parameters?.objectValue ?? [] where !allowed.contains(k) {
                throw DescentError.invalidHyperparameter(field: "non_finite.parameters.\(k)",
                                                         message: "\(g.name)() got an unexpected keyword argument '\(k)'")
            }
            let known = (style == .torch && g.convention == "torch" && g.name == "GradScaler")
                || (style == .optax && g.convention == "optax" && g.name == "apply_if_finite")
            if !known { throw DescentError.unsupported("non_finite guard \(g.convention).\(g.name) is not implemented in Descent for \(c.convention) cases") }
        }
        if style == .optax && field.nonFinite != nil && accumulation != nil {
            throw DescentError.unsupported("optax apply_if_finite around MultiSteps checks every micro-step: not implemented in Descent (FORMAT.md: an optax case does not combine them)")
        }
        if style == .torch && field.resumeAfter != nil && field.schedule != nil {
            throw DescentError.unsupported("a torch-style resume with a scheduler: the scheduler is not part of the optimizer's state (FORMAT.md: not combined)")
        }
        let sparse = c.steps.contains { $0.gradIndices != nil }
        if sparse && (accumulation != nil || field.nonFinite != nil || !c.gradTransforms.isEmpty) {
            throw DescentError.unsupported("sparse gradients (grad_indices) with accumulation, a non-finite guard or grad_transforms are not implemented in Descent")
        }
        if let s = field.schedule {
            if style == .textbook { throw DescentError.unsupported("textbook optimizers take no schedule object") }
            if s.convention != (style == .torch ? "torch" : c.convention) {
                throw DescentError.unsupported("a \(s.convention) schedule handed to a \(c.convention) optimizer is not implemented in Descent")
            }
        }

        // The groups: tensors, hyperparameters, optimizer name.
        var groups: [FieldGroup]
        if let pg = field.paramGroups {
            groups = pg.map { g in
                // optax: a group naming its own optimizer takes only its own arguments.
                var merged = style == .optax && g.name != nil ? [] : hp
                for (k, v) in g.hyperparameters?.objectValue ?? [] {
                    if mistake == .decayOnNoDecayGroup && k == "weight_decay" { continue }
                    if groupOnly["\(c.convention).\(g.name ?? c.name)"]?.contains(k) == true { continue }
                    if constructorOnly["\(c.convention).\(c.name)"]?.contains(k) == true { continue }
                    if let i = merged.firstIndex(where: { $0.0 == k }) { merged[i].1 = v } else { merged.append((k, v)) }
                }
                return FieldGroup(tensors: g.params, hyperparameters: merged, name: g.name ?? c.name)
            }
        } else if let exclude, mistake != .decayOnNoDecayGroup {
            let excluded = try (0..<n).map { t -> Bool in
                // Keras searches the variable's own name (a keras.Variable's name has no "/": the
                // part of a fixture's name before the last "/" is its scope, the path).
                guard let full = field.tensorNames.indices.contains(t) ? field.tensorNames[t] : nil else { return false }
                let name = full.split(separator: "/", omittingEmptySubsequences: false).last.map(String.init) ?? full
                for p in exclude {
                    guard let re = try? Regex(p) else {
                        throw DescentError.invalidInput(field: "hyperparameters.exclude_from_weight_decay.var_names", message: "not a regular expression: \(p)")
                    }
                    if name.contains(re) { return true }
                }
                return false
            }
            var off = hp
            if let i = off.firstIndex(where: { $0.0 == "weight_decay" }) { off[i].1 = JSON(0.0) } else { off.append(("weight_decay", JSON(0.0))) }
            groups = [FieldGroup(tensors: (0..<n).filter { !excluded[$0] }, hyperparameters: hp, name: c.name),
                      FieldGroup(tensors: (0..<n).filter { excluded[$0] }, hyperparameters: off, name: c.name)]
            groups.removeAll { $0.tensors.isEmpty }
        } else {
            groups = [FieldGroup(tensors: Array(0..<n), hyperparameters: hp, name: c.name)]
        }

        // Specs per group; gradient transforms stay inside a single stepper, else the loop applies them.
        let transforms = try c.gradTransforms.enumerated().map { try GradientTransforms.make($0.element, field: "grad_transforms[\($0.offset)]") }
        let single = groups.count == 1 && !anyMissing
        var specs: [OptimizerSpec?] = []
        // torch-style libraries validate the constructor's arguments only: a group's own lr is used as
        // given (prodigyopt's lr-0 group, which its constructor would refuse).
        var groupLR: [Double?] = Array(repeating: nil, count: groups.count)
        for (gi, g) in groups.enumerated() {
            if style == .optax && g.name == "set_to_zero" {
                if !g.hyperparameters.isEmpty && field.paramGroups?.first(where: { $0.name == "set_to_zero" })?.hyperparameters?.objectValue?.isEmpty == false {
                    throw DescentError.invalidHyperparameter(field: "optimizer.param_groups", message: "set_to_zero() takes 0 positional arguments")
                }
                specs.append(nil)
                continue
            }
            var spec: OptimizerSpec
            do {
                spec = try Conventions.optimizer(convention: c.convention, name: g.name, hyperparameters: .object(g.hyperparameters))
            } catch DescentError.invalidHyperparameter(let f, let message) {
                guard style == .torch, let own = field.paramGroups?[gi].hyperparameters?["lr"]?.doubleValue else {
                    throw DescentError.invalidHyperparameter(field: f, message: message)
                }
                var h = g.hyperparameters.filter { $0.0 != "lr" }
                if let top = hp.first(where: { $0.0 == "lr" }) { h.append(top) }
                spec = try Conventions.optimizer(convention: c.convention, name: g.name, hyperparameters: .object(h))
                groupLR[gi] = own
            }
            // The group's group-only keys (dadaptation's layer_scale), which the convention never reads.
            if let keys = groupOnly["\(c.convention).\(g.name)"], let own = field.paramGroups?[gi].hyperparameters?.objectValue {
                for (k, v) in own where keys.contains(k) {
                    guard let f = spec.family as? any GroupKeyFamily else { throw DescentError.unsupported("\(c.convention).\(g.name) takes no group key '\(k)' here") }
                    spec.family = try f.setting(groupKey: k, to: v.doubleValue)
                }
            }
            if single && !transforms.isEmpty { spec.family = TransformedFamily(inner: spec.family, transforms: transforms) }
            specs.append(try impl.resolve(spec))
        }
        if style == .keras && !single && hp.contains(where: { $0.0 == "global_clipnorm" && !$0.1.isNull }) {
            throw DescentError.unsupported("keras global_clipnorm across several variable sets is not implemented in Descent's field runner")
        }

        func makeBox(_ spec: OptimizerSpec?, _ tensors: [Int]) throws -> StepperBox<T>? {
            guard let spec else { return nil }
            try Verifier.checkReplayLimit(spec, steps: c.steps.count, shapes: tensors.map { shapes[$0] })
            return try impl.stepper(spec, T.self, shapes: tensors.map { shapes[$0] })
        }
        // An optimizer that keeps one state over all its groups (prodigyopt, pytorch_optimizer's
        // Prodigy, dadaptation: one d summed over every group's tensors that have a gradient) is one
        // unit over every tensor, in the library's iteration order (group by group), stepped with
        // the present gradients and each group's lr.
        let shared = (groups.count > 1 || anyMissing) && mistake != .sharedStatePerGroup
            && specs.allSatisfy { ($0?.family as? any GroupSharingFamily)?.sharesStateAcrossGroups == true }
        var members: [[Int]] = [], offset = 0
        for g in groups {
            members.append(Array(offset..<(offset + g.tensors.count)))
            offset += g.tensors.count
        }
        func makeUnitBox(_ u: FieldUnit<T>) throws -> StepperBox<T>? {
            guard shared else { return try makeBox(u.spec, u.tensors) }
            return try impl.groupedStepper(specs.map { $0! }, T.self, members: members, shapes: u.tensors.map { shapes[$0] })
        }
        var units: [FieldUnit<T>] = []
        if shared {
            let u = FieldUnit<T>(tensors: groups.flatMap(\.tensors), group: 0, spec: specs[0], box: nil)
            u.box = try makeUnitBox(u)
            units.append(u)
        } else {
            for (gi, g) in groups.enumerated() {
                let parts = anyMissing ? g.tensors.map { [$0] } : [g.tensors]
                for p in parts { units.append(FieldUnit(tensors: p, group: gi, spec: specs[gi], box: try makeBox(specs[gi], p))) }
            }
        }
        // Counters kept per group (or, the mistake, torch's per-parameter ones made global): with
        // one unit per tensor, a *clock* per group, a stepper over one empty tensor, steps with
        // the group every time and lends its scalars to each unit before the unit steps.
        let perGroup = !shared && anyMissing && (FieldStyle.countsPerGroup(c.convention) || (style == .torch && mistake == .globalStepForLateParameter))
        var clocks: [StepperBox<T>?] = []
        if perGroup {
            for gi in groups.indices {
                clocks.append(try specs[gi].map { try impl.stepper($0, T.self, shapes: [[0]]) })
            }
        }
        // optax schedule_free evaluates a schedule itself at two counts per step (its step_count
        // from 1 for max_lr and the averaging weight, the base optimizer's count from 0): the
        // family takes the schedule's values.
        if style == .optax, let s = field.schedule {
            for u in units {
                guard var spec = u.spec, var f = spec.family as? ScheduleFreeFamily, f.form == .optax else { continue }
                if f.warmupSteps != nil {
                    throw DescentError.unsupported("optax schedule_free with both warmup_steps and a schedule is not implemented in Descent")
                }
                let sch = try Conventions.schedule(convention: s.convention, name: s.name, parameters: s.parameters, context: ScheduleContext())
                f.scheduleValues = try impl.scheduleValues(sch, T.self, count: c.steps.count + 2).lr.map(Double.init)
                spec.family = f
                u.box = try makeBox(spec, u.tensors)
                u.respec(spec)
            }
        }
        // A family whose state spans the groups but that could not be stepped as one unit (groups of
        // another optimizer beside it): separate units would give each its own estimate.
        if !shared && units.count > 1 && mistake != .sharedStatePerGroup
            && specs.contains(where: { ($0?.family as? any GroupSharingFamily)?.sharesStateAcrossGroups == true }) {
            throw DescentError.unsupported("\(c.convention).\(c.name) keeps one state over every group's tensors that have a gradient (`if p.grad is None: continue` in its sums): these groups cannot be stepped as one optimizer in Descent")
        }
        // pytorch_optimizer's Ranger21 likewise: σ sums the variances of every tensor with a
        // gradient in every group, and its lookahead counter is one for the optimizer.
        if units.count > 1, specs.contains(where: { $0.map { $0.family.innermost is Ranger21Family } ?? false }) {
            throw DescentError.unsupported("pytorch_optimizer.Ranger21 normalises its decay by one variance sum over every tensor with a gradient in every param group, and counts lookahead steps for the whole optimizer: several groups or null gradients are not implemented in Descent's field runner")
        }
        let first = units.compactMap(\.box).first
        r.ran = "\(impl.name): \(c.convention).\(c.name) → " + (units.compactMap(\.spec).first.map { "\($0.family.familyName) [\($0.family.summary)]" } ?? "frozen")
            + " in \(units.count) unit\(units.count == 1 ? "" : "s") (\(groups.count) group\(groups.count == 1 ? "" : "s")\(shared ? ", one state over all" : "")) as \(first?.typeName ?? "none")"
        if let b = first, b.needsObjective, field.nonFinite?.name == "GradScaler" {
            throw DescentError.unsupported("\(c.convention).\(c.name) steps with a closure, which torch's GradScaler refuses")
        }
        if let b = first, b.takesHessian {
            throw DescentError.unsupported("\(c.convention).\(c.name) takes a Hessian estimate per step (steps[k].hessian): not run together with field features in Descent")
        }
        if let b = first, b.needsObjective {
            if c.problem == nil { throw DescentError.unsupported("\(c.convention).\(c.name) evaluates the objective during a step; it runs only on closed-loop problem cases") }
            if units.count > 1 || shared { throw DescentError.unsupported("\(c.convention).\(c.name) takes one param group") }
        }

        // The schedule handed to the optimizer: per group, from the group's lr.
        var scheduleValues: [[Double]] = []
        var scheduleMomentum: [[Double]?] = []
        if let s = field.schedule {
            for gi in groups.indices {
                let lr = specs[gi]?.lr ?? 0
                let sch = try Conventions.schedule(convention: s.convention, name: s.name, parameters: s.parameters,
                                                   context: ScheduleContext(baseLR: lr))
                let v = try impl.scheduleValues(sch, T.self, count: c.steps.count + 2)
                scheduleValues.append(v.lr.map(Double.init))
                // torch's OneCycleLR / CyclicLR also set each group's momentum (or betas[0]) per step.
                scheduleMomentum.append(style == .torch ? v.momentum.map { $0.map(Double.init) } : nil)
            }
        }
        /// Rebuilds unit u's stepper with the group's momentum (or betas[0]) set to m, keeping its state.
        func setMomentum(_ u: FieldUnit<T>, _ m: Double) throws {
            guard let old = u.box else { return }
            if shared { throw DescentError.unsupported("a schedule that sets the momentum of an optimizer whose state is shared across groups is not implemented in Descent") }
            var args = groups[u.group].hyperparameters
            let usesBetas = Conventions.named(c.convention)?.optimizers.first { $0.name == groups[u.group].name }?
                .keywords.contains { $0.name == "betas" } ?? false
            if usesBetas {
                var b2 = 0.999
                if let i = args.firstIndex(where: { $0.0 == "betas" }), let a = args[i].1.arrayValue, a.count > 1, let x = a[1].doubleValue { b2 = x }
                args.removeAll { $0.0 == "betas" }
                args.append(("betas", .array([JSON(m), JSON(b2)])))
            } else {
                args.removeAll { $0.0 == "momentum" }
                args.append(("momentum", JSON(m)))
            }
            let spec = try impl.resolve(Conventions.optimizer(convention: c.convention, name: groups[u.group].name, hyperparameters: .object(args)))
            let fresh = try impl.stepper(spec, T.self, shapes: u.tensors.map { shapes[$0] })
            try fresh.load(old.save())
            u.box = fresh
        }

        let params = c.params.map { Buffer<T>(converting: $0.values) }
        let objective = c.problem?.objective(T.self)
        var cmp = TrajectoryComparer(dtype: T.dtype, tolerance: c.tolerance, float32Override: c.toleranceFloat32, series: n)
        var stateGrader = StateGrader(dtype: T.dtype, tolerance: c.tolerance, float32Override: c.toleranceFloat32)

        // Loop state: Keras's iterations, torch's scheduler steps, accumulators, guards.
        var iterations = 0
        var schedulerSteps = 0
        var micro = 0
        var accumulated: [Buffer<T>]? = nil
        var gradientStep = 0
        var scale = Float(field.nonFinite?.parameters?["init_scale"]?.doubleValue ?? 65536.0)
        var growthTracker = 0
        var notFiniteCount = 0, totalNotFinite = 0
        var lastFinite = true
        let guardParams = field.nonFinite?.parameters
        let growthFactor = Float(guardParams?["growth_factor"]?.doubleValue ?? 2.0)
        let backoffFactor = Float(guardParams?["backoff_factor"]?.doubleValue ?? 0.5)
        let growthInterval = guardParams?["growth_interval"]?.intValue ?? 2000
        let maxConsecutive = guardParams?["max_consecutive_errors"]?.intValue ?? 0
        let engine = Engine.naive

        func lr(for u: FieldUnit<T>, step k: Int) -> Double { lr(group: u.group, updates: u.updates, fallback: u.spec?.lr, step: k) }
        /// Group gi's lr at case step k (`updates`: the optax count of the unit that asks).
        func lr(group gi: Int, updates: Int, fallback: Double?, step k: Int) -> Double {
            let g = mistake == .oneLRForAllGroups ? 0 : gi
            if field.schedule != nil {
                var index: Int
                switch style {
                case .torch: index = schedulerSteps + (field.scheduleBeforeOptimizer ? 1 : 0)
                case .optax: index = updates
                case .keras, .textbook: index = iterations
                }
                if mistake == .scheduleCountEarly { index = max(0, index - 1) }
                if mistake == .scheduleCountLate { index += 1 }
                return scheduleValues[g][min(index, scheduleValues[g].count - 1)]
            }
            let s = c.steps[k]
            if let per = s.field?.groupLRs, let v = per[g] { return v }
            if let v = s.lr { return v }
            return groupLR[g] ?? specs[g]?.lr ?? fallback ?? 0
        }

        func setCount(_ u: FieldUnit<T>, _ count: Int) throws {
            guard let box = u.box else { return }
            var st = box.save()
            guard let i = st.scalars.firstIndex(where: { $0.name == "step" }) else {
                throw DescentError.unsupported("\(box.typeName) keeps no step count the loop can set (Keras counts iterations for the whole optimizer)")
            }
            st.scalars[i].value = Double(count)
            try box.load(st)
        }

        for (k, s) in c.steps.enumerated() {
            let missing = s.field?.missing ?? Array(repeating: false, count: n)
            var grads: [Buffer<T>?]
            if let objective {
                grads = objective(params).grads.map { $0 }
            } else {
                grads = (0..<n).map { t in missing[t] ? nil : Buffer<T>(converting: s.grads![t]) }
            }
            if mistake == .missingGradAsZero {
                grads = grads.enumerated().map { t, g in g ?? Buffer<T>(zeros: c.params[t].count) }
            }

            // 2. accumulation
            var update = true
            if let K = accumulation {
                let meanLike = (style != .torch) != (mistake == .accumulationMeanSumSwapped)
                if accumulated == nil { accumulated = c.params.map { Buffer<T>(zeros: $0.count) } }
                let acc = accumulated!
                let boundary = (micro + 1) % K == 0
                for t in 0..<n {
                    guard let g = grads[t] else { continue }
                    for i in 0..<g.count {
                        if style == .optax && meanLike {
                            acc[t][i] = acc[t][i] + (g[i] - acc[t][i]) / T(micro % K + 1)
                        } else {
                            acc[t][i] = acc[t][i] + g[i]
                        }
                    }
                }
                micro += 1
                if boundary {
                    grads = acc.map { a in
                        let out = a.clone()
                        if meanLike && style != .optax { for i in 0..<out.count { out[i] = out[i] / T(K) } }
                        if !meanLike && style == .optax { for i in 0..<out.count { out[i] = out[i] * T(K) } }
                        return out
                    }
                    accumulated = nil
                    gradientStep += 1
                } else {
                    update = false
                }
            }

            // 3. the non-finite guard
            var applied = update
            if update, let g = field.nonFinite, guardParams?["enabled"]?.boolValue != false {
                if g.name == "GradScaler" {
                    // grads × scale (a scaled loss's backward), unscaled by the float32 reciprocal.
                    let sc = Double(scale)
                    let inv = Double(Float(1.0 / sc))
                    var foundInf = false
                    for t in 0..<n {
                        guard let b = grads[t] else { continue }
                        for i in 0..<b.count {
                            let v = T(Double(b[i]) * sc) * T(inv)
                            if !v.isFinite { foundInf = true }
                            b[i] = v
                        }
                    }
                    if foundInf {
                        applied = false
                        scale *= backoffFactor
                        growthTracker = 0
                    } else {
                        growthTracker += 1
                        if growthTracker == growthInterval { scale *= growthFactor; growthTracker = 0 }
                    }
                } else {
                    let finite = grads.allSatisfy { b in b.map { x in (0..<x.count).allSatisfy { x[$0].isFinite } } ?? true }
                    notFiniteCount = finite ? 0 : notFiniteCount + 1
                    if !finite { totalNotFinite += 1 }
                    lastFinite = finite
                    applied = finite || notFiniteCount > maxConsecutive
                }
            }

            // 4. transforms across groups
            if applied && !single && !transforms.isEmpty {
                let present = grads.compactMap { $0 }
                for t in transforms { t.apply(present, engine: engine) }
            }

            // 5. every unit steps
            if applied {
                let clockScalars = clocks.map { $0?.save().scalars }
                for u in units {
                    guard u.box != nil else { continue }
                    let ts = u.tensors
                    if !shared && ts.contains(where: { grads[$0] == nil }) { continue }   // split units: one tensor each
                    if perGroup, let scalars = clockScalars[u.group] {
                        var st = u.box!.save()
                        st.scalars = scalars
                        try u.box!.load(st)
                    }
                    if !scheduleMomentum.isEmpty, let ms = scheduleMomentum[u.group] {
                        let index = min(schedulerSteps + (field.scheduleBeforeOptimizer ? 1 : 0), ms.count - 1)
                        try setMomentum(u, ms[index])
                    }
                    let box = u.box!
                    let rate = lr(for: u, step: k)
                    let p = ts.map { params[$0] }
                    if shared, let stepGroups = box.stepGroups {
                        let rates = groups.indices.map { lr(group: $0, updates: u.updates, fallback: nil, step: k) }
                        do {
                            try stepGroups(p, ts.map { grads[$0] }, rates)
                        } catch DescentError.invalidHyperparameter(_, let message) {
                            throw DescentError.invalidHyperparameter(field: "steps[\(k)].lr", message: message)
                        }
                    } else if let objective, box.needsObjective {
                        box.stepObjective(p, objective, rate)
                    } else if let present = s.gradIndices {
                        guard let stepSparse = box.stepSparse else {
                            throw DescentError.unsupported("steps[\(k)].grad_indices: sparse gradients are taken only by torch.optim.SparseAdam in Descent, not by \(box.typeName)")
                        }
                        stepSparse(p, ts.map { grads[$0]! }, ts.map { present[$0] ?? [] }, rate)
                    } else if box.stepSparse != nil {
                        throw DescentError.invalidInput(field: "steps[\(k)].grad_indices", message: "missing: \(c.convention).\(c.name) takes only sparse gradients")
                    } else {
                        box.step(p, ts.map { grads[$0]! }, rate)
                    }
                    u.updates += 1
                }
                for (gi, clock) in clocks.enumerated() {
                    guard let clock, let unit = units.first(where: { $0.group == gi }) else { continue }
                    clock.step([Buffer<T>(zeros: 0)], [Buffer<T>(zeros: 0)], lr(for: unit, step: k))
                }
            } else if update && mistake == .skippedStepAdvancesCount {
                for u in units {
                    if u.box != nil { try setCount(u, u.updates + 1) }
                    u.updates += 1
                }
            }
            if update { schedulerSteps += 1 }
            iterations += 1

            // 6. resume
            if let after = field.resumeAfter, k + 1 == after {
                for (gi, clock) in clocks.enumerated() {
                    guard let clock else { continue }
                    let fresh = try impl.stepper(specs[gi]!, T.self, shapes: [[0]])
                    if mistake != .stateNotRestored { try fresh.load(StepperState(encoded: clock.save().encoded())) }
                    clocks[gi] = fresh
                }
                for u in units {
                    guard let old = u.box else { continue }
                    let bytes = old.save().encoded()
                    u.box = nil
                    let fresh = try makeUnitBox(u)!
                    var saved = try StepperState(encoded: bytes)
                    switch mistake {
                    case .counterResetOnLoad?:
                        for i in saved.scalars.indices where ["step", "k", "count", "n_iter", "func_evals"].contains(saved.scalars[i].name) {
                            saved.scalars[i].value = 0
                        }
                    case .scalarsCastToFloat32OnLoad?:
                        for i in saved.scalars.indices { saved.scalars[i].value = Double(Float(saved.scalars[i].value)) }
                    default: break
                    }
                    if mistake != .stateNotRestored { try fresh.load(saved) }
                    u.box = fresh
                }
            }

            // compare parameters
            var now: [[Double]] = []
            for t in 0..<n {
                now.append(params[t].doubles)
                cmp.compare(step: k, series: t, expected: s.expected[t], actual: now[t])
            }
            r.trajectory.append(now)

            // compare state
            guard let expectedState = s.field?.expectedState else { continue }
            let saved = units.map { $0.box?.save() }
            let clockStates = clocks.map { $0?.save() }
            func loopScalar(_ name: String) -> Double? {
                switch name {
                case "scale" where field.nonFinite?.name == "GradScaler": return Double(scale)
                case "notfinite_count" where field.nonFinite != nil: return Double(notFiniteCount)
                case "total_notfinite" where field.nonFinite != nil: return Double(totalNotFinite)
                case "last_finite" where field.nonFinite != nil: return lastFinite ? 1 : 0
                case "mini_step" where accumulation != nil && style == .optax: return Double(micro % accumulation!)
                case "gradient_step" where accumulation != nil && style == .optax: return Double(gradientStep)
                case "iterations" where style == .keras: return Double(iterations)
                default: return nil
                }
            }
            /// Descent's names for the library's `name` (a "-" prefix: the library's value is the negative).
            func descentNames(_ name: String) -> [String] {
                var out = [name]
                if name == style.counterName { out.append("step") }
                if style == .keras { out += kerasStateNames.filter { $0.value == name }.map(\.key) }
                if style == .optax, let alias = optaxStateNames[name] { out.append(alias) }
                return out + out.map { "-" + $0 }
            }
            /// Tensor t's value of `name`: a slot, a scalar of its unit, or nil when not reported.
            func actual(_ name: String, tensor t: Int) -> ExpectedStateValue.PerTensor? {
                if name == "acc_grads" || name == "gradient_accumulator", let acc = accumulated ?? (accumulation != nil ? c.params.map { Buffer<T>(zeros: $0.count) } : nil) {
                    return .values(acc[t].doubles)
                }
                guard let ui = units.firstIndex(where: { $0.tensors.contains(t) }), let st = saved[ui] else { return nil }
                let pos = units[ui].tensors.firstIndex(of: t)!
                // Group-level scalars live in the group's clock (a tensor that never stepped shows them too).
                let clock = perGroup ? clockStates[units[ui].group] : nil
                for dn in descentNames(name) {
                    let sign = dn.hasPrefix("-") ? -1.0 : 1.0
                    if let v = clock?.scalars.first(where: { $0.name == dn }) { return .scalar(sign * v.value) }
                    let bare = dn.hasPrefix("-") ? String(dn.dropFirst()) : dn
                    for key in [dn, "adam." + bare].map({ sign < 0 ? "-" + $0.replacingOccurrences(of: "-", with: "") : $0 }) {
                        if let b = st.values(key) {
                            if b.count == units[ui].tensors.count, st.layout(key) == nil { return .values(b[pos].map { sign * $0 }) }
                            if let lay = st.layout(key), let j = lay.firstIndex(of: pos), j < b.count { return .values(b[j].map { sign * $0 }) }
                        }
                    }
                    if let v = (clock ?? st).scalars.first(where: { $0.name == dn }) ?? st.scalars.first(where: { $0.name == dn }) {
                        return .scalar(sign * v.value)
                    }
                }
                return nil
            }
            stateGrader.grade(step: k, tensors: n, expected: expectedState, scalar: loopScalar, perTensor: actual)
        }
        cmp.finish(into: &r, what: "trajectory")
        stateGrader.finish(into: &r, who: impl.name)
    }
}
