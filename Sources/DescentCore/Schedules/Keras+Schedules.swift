// Keras+Schedules.swift — keras.optimizers.schedules.X(**parameters), Keras 3.15.1
// (keras/src/optimizers/schedules/learning_rate_schedule.py): pure functions of the step k, with
// Keras's operations in Keras's order. An optimizer evaluates its schedule at `iterations`, the
// number of updates already made, so expected_lr[k] = schedule(k) is the lr of the (k+1)-th update.
//
//   ExponentialDecay:       p = k/T (floored if staircase);  init·rate^p
//   PiecewiseConstantDecay: values[0] for k ≤ b₀, values[i] for bᵢ₋₁ < k ≤ bᵢ, values[-1] for k > b_last
//   PolynomialDecay:        cycle: T ← T·max(1, ⌈k/T⌉) (1 at k = 0); else k ← min(k, T);
//                           (init − end)·(1 − k/T)^power + end             (end 1e-4, power 1)
//   InverseTimeDecay:       p = k/T (floored if staircase);  init / (1 + rate·p)
//   CosineDecay:            no warmup_target: k ← min(k, T);  init·((1 − α)·½(1 + cos(πk/T)) + α)
//                           warmup_target W, warmup_steps S: k ← min(k, T + S);
//                           k < S: (W − init)·(k/S) + init;  else W·((1 − α)·½(1 + cos(π(k−S)/T)) + α)
//                           — held at α·W after the decay, unlike torch's CosineAnnealingLR
//   CosineDecayRestarts:    f = k/T₀;  t_mul = 1: i = ⌊f⌋, f ← f − i;
//                           else i = ⌊log(1 − f(1 − t_mul))/log t_mul⌋, f ← (f − (1 − t_mul^i)/(1 − t_mul))/t_mul^i;
//                           init·((1 − α)·(½·m_mul^i)(1 + cos(πf)) + α)
import DescentJSON

enum KerasSchedule: Sendable {
    case exponential(initial: Double, steps: Double, rate: Double, staircase: Bool)
    case piecewise(boundaries: [Double], values: [Double])
    case polynomial(initial: Double, steps: Double, end: Double, power: Double, cycle: Bool)
    case inverseTime(initial: Double, steps: Double, rate: Double, staircase: Bool)
    case cosine(initial: Double, steps: Double, alpha: Double, warmupTarget: Double?, warmupSteps: Double)
    case restarts(initial: Double, firstSteps: Double, tMul: Double, mMul: Double, alpha: Double)

    func callAsFunction<T: DescentFloat>(_ k: Int, as _: T.Type) -> T {
        let step = T(k)
        let pi = T(Double.pi)
        switch self {
        case let .exponential(i, s, r, staircase):
            var p = step / T(s)
            if staircase { p = p.rounded(.down) }
            return T(i) * T.pow(T(r), p)
        case let .piecewise(b, v):
            var result = T(0)
            if step <= T(b[0]) { result += T(v[0]) }
            if step > T(b[b.count - 1]) { result += T(v[v.count - 1]) }
            for j in 0..<(b.count - 1) where step > T(b[j]) && step <= T(b[j + 1]) { result += T(v[j + 1]) }
            return result
        case let .polynomial(i, s, e, power, cycle):
            var st = step, ds = T(s)
            if cycle {
                ds = ds * (st == 0 ? 1 : (st / T(s)).rounded(.up))
            } else {
                st = T.minNaN(st, ds)
            }
            let p = st / ds
            return (T(i) - T(e)) * T.pow(1 - p, T(power)) + T(e)
        case let .inverseTime(i, s, r, staircase):
            var p = step / T(s)
            if staircase { p = p.rounded(.down) }
            return T(i) / (1 + T(r) * p)
        case let .cosine(i, s, alpha, target, warmup):
            func decay(_ st: T, _ from: T) -> T {
                let cosineDecayed = T(0.5) * (1 + T.cos(pi * (st / T(s))))
                return from * ((1 - T(alpha)) * cosineDecayed + T(alpha))
            }
            guard let target else { return decay(T.minNaN(step, T(s)), T(i)) }
            let st = T.minNaN(step, T(s) + T(warmup))
            if st < T(warmup) {
                let span: T = T(target) - T(i), fraction: T = st / T(warmup)
                return span * fraction + T(i)
            }
            return decay(st - T(warmup), T(target))
        case let .restarts(i, first, tMul, mMul, alpha):
            var f = step / T(first)
            let restart: T
            if tMul == 1 {
                restart = f.rounded(.down)
                f = f - restart
            } else {
                let t = T(tMul)
                restart = (T.log(1 - f * (1 - t)) / T.log(t)).rounded(.down)
                let sum = (1 - T.pow(t, restart)) / (1 - t)
                f = (f - sum) / T.pow(t, restart)
            }
            let cosineDecayed = T(0.5) * T.pow(T(mMul), restart) * (1 + T.cos(pi * f))
            return T(i) * ((1 - T(alpha)) * cosineDecayed + T(alpha))
        }
    }
}

struct KerasScheduleCase: Schedule {
    let schedule: KerasSchedule
    let summary: String
    func values<T: DescentFloat>(_ type: T.Type, count: Int) throws -> ScheduleValues<T> {
        ScheduleValues(lr: (0..<Swift.max(count, 0)).map { schedule($0, as: T.self) })
    }
}

private func kerasEntry(_ name: String, _ note: String,
                        _ read: @escaping @Sendable (inout Hyperparameters) throws -> KerasSchedule) -> ScheduleEntry {
    ScheduleEntry(name, note) { h, _ in
        _ = try h.string("name", default: nil)
        return KerasScheduleCase(schedule: try read(&h), summary: "keras.optimizers.schedules.\(name)")
    }
}

extension Hyperparameters {
    /// Keras's `if self.decay_steps <= 0: raise ValueError(...)`.
    mutating func kerasSteps(_ key: String, function: String) throws -> Double {
        let v = try requiredDouble(key, function: function)
        if v <= 0 { throw invalid(key, "Argument `\(key)` must be > 0. Received: \(key)=\(pythonRepr(key, fallback: v))") }
        return v
    }
}

let kerasSchedules: [ScheduleEntry] = [
    kerasEntry("ExponentialDecay", "initial_learning_rate·decay_rate^(k/decay_steps), floored exponent if staircase") { h in
        let i = try h.requiredDouble("initial_learning_rate", function: "ExponentialDecay.__init__")
        let s = try h.kerasSteps("decay_steps", function: "ExponentialDecay.__init__")
        let r = try h.requiredDouble("decay_rate", function: "ExponentialDecay.__init__")
        return .exponential(initial: i, steps: s, rate: r, staircase: try h.bool("staircase", default: false))
    },
    kerasEntry("PiecewiseConstantDecay", "values[i] on (boundaries[i−1], boundaries[i]] (a boundary step keeps the earlier value)") { h in
        guard let b = try h.doubles("boundaries") else { throw h.missing("boundaries", function: "PiecewiseConstantDecay.__init__") }
        guard let v = try h.doubles("values") else { throw h.missing("values", function: "PiecewiseConstantDecay.__init__") }
        if b.count != v.count - 1 {
            let bs = h.values["boundaries"]!.arrayValue!.map(pyRepr).joined(separator: ", ")
            let vs = h.values["values"]!.arrayValue!.map(pyRepr).joined(separator: ", ")
            throw h.invalid("boundaries", "The length of boundaries should be 1 less than the length of values. Received: boundaries=[\(bs)] of length \(b.count), and values=[\(vs)] of length \(v.count).")
        }
        if b.isEmpty { throw DescentError.unsupported("\(h.callee): empty boundaries (Keras indexes boundaries[0])") }
        return .piecewise(boundaries: b, values: v)
    },
    kerasEntry("PolynomialDecay", "(init − end_learning_rate)·(1 − k/decay_steps)^power + end; cycle stretches decay_steps") { h in
        let i = try h.requiredDouble("initial_learning_rate", function: "PolynomialDecay.__init__")
        let s = try h.kerasSteps("decay_steps", function: "PolynomialDecay.__init__")
        return .polynomial(initial: i, steps: s, end: try h.double("end_learning_rate", default: 1e-4),
                           power: try h.double("power", default: 1), cycle: try h.bool("cycle", default: false))
    },
    kerasEntry("InverseTimeDecay", "initial_learning_rate / (1 + decay_rate·k/decay_steps), floored if staircase") { h in
        let i = try h.requiredDouble("initial_learning_rate", function: "InverseTimeDecay.__init__")
        let s = try h.kerasSteps("decay_steps", function: "InverseTimeDecay.__init__")
        let r = try h.requiredDouble("decay_rate", function: "InverseTimeDecay.__init__")
        return .inverseTime(initial: i, steps: s, rate: r, staircase: try h.bool("staircase", default: false))
    },
    kerasEntry("CosineDecay", "cosine from init (or warmup_target after a linear warmup of warmup_steps) to alpha·that over decay_steps, then held") { h in
        let i = try h.requiredDouble("initial_learning_rate", function: "CosineDecay.__init__")
        let s = try h.kerasSteps("decay_steps", function: "CosineDecay.__init__")
        return .cosine(initial: i, steps: s, alpha: try h.double("alpha", default: 0),
                       warmupTarget: try h.optionalDouble("warmup_target"), warmupSteps: try h.double("warmup_steps", default: 0))
    },
    kerasEntry("CosineDecayRestarts", "SGDR: periods first_decay_steps·t_mul^i, peaks init·m_mul^i, floor alpha") { h in
        let i = try h.requiredDouble("initial_learning_rate", function: "CosineDecayRestarts.__init__")
        let s = try h.kerasSteps("first_decay_steps", function: "CosineDecayRestarts.__init__")
        return .restarts(initial: i, firstSteps: s, tMul: try h.double("t_mul", default: 2), mMul: try h.double("m_mul", default: 1),
                         alpha: try h.double("alpha", default: 0))
    },
]
