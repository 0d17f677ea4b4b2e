// Optax+Schedules.swift — the optax convention's learning-rate schedules: `optax.<name>(**parameters)`
// with optax 0.2.8's keyword names and defaults; errors where optax raises. The math is in
// OptaxSchedules.swift.
import DescentJSON

/// One optax schedule: its name, its note for `descent list`, and how its parameters are read.
struct OptaxScheduleReader: Sendable {
    let name: String
    let note: String
    let read: @Sendable (_ h: inout Hyperparameters, _ name: String, _ fn: String) throws -> OptaxSchedule
    init(_ name: String, _ note: String,
         _ read: @escaping @Sendable (_ h: inout Hyperparameters, _ name: String, _ fn: String) throws -> OptaxSchedule) {
        self.name = name
        self.note = note
        self.read = read
    }
}

/// The schedules Descent computes, in `descent list` order.
let optaxScheduleReaders: [OptaxScheduleReader] = [
    OptaxScheduleReader("constant_schedule", "value") { h, name, fn in
        return .constant(try h.requiredDouble("value", function: fn))
    },
    OptaxScheduleReader("linear_schedule", "init_value → end_value over transition_steps, from transition_begin") { h, name, fn in
        let i = try h.requiredDouble("init_value", function: fn)
        let e = try h.requiredDouble("end_value", function: fn)
        let t = try h.requiredInt("transition_steps", function: fn)
        return .linearSchedule(i, e, t, try h.int("transition_begin", default: 0))
    },
    OptaxScheduleReader("polynomial_schedule", "(init − end)·(1 − k/T)^power + end") { h, name, fn in
        let i = try h.requiredDouble("init_value", function: fn)
        let e = try h.requiredDouble("end_value", function: fn)
        guard h.has("power") else { throw h.missing("power", function: fn) }
        let p = try h.optaxPower("power", default: 1)
        let t = try h.requiredInt("transition_steps", function: fn)
        return .polynomialSchedule(i, e, p, t, try h.int("transition_begin", default: 0))
    },
    OptaxScheduleReader("exponential_decay", "init·decay_rate^(k/T), transition_begin, staircase, end_value bound") { h, name, fn in
        let i = try h.requiredDouble("init_value", function: fn)
        let t = try h.requiredInt("transition_steps", function: fn)
        let r = try h.requiredDouble("decay_rate", function: fn)
        let b = try h.int("transition_begin", default: 0)
        let s = try h.bool("staircase", default: false)
        return .exponentialDecay(i, t, r, b, s, try h.optionalDouble("end_value"))
    },
    OptaxScheduleReader("cosine_decay_schedule", "init·((1 − alpha)·cos_decay^exponent + alpha)") { h, name, fn in
        let i = try h.requiredDouble("init_value", function: fn)
        let t = try h.requiredInt("decay_steps", function: fn)
        let a = try h.double("alpha", default: 0)
        return try .cosineDecaySchedule(i, t, a, try h.optaxPower("exponent", default: 1))
    },
    OptaxScheduleReader("warmup_cosine_decay_schedule", "linear warmup, then cosine to end_value (decay_steps includes warmup)") { h, name, fn in
        let i = try h.requiredDouble("init_value", function: fn)
        let p = try h.requiredDouble("peak_value", function: fn)
        let w = try h.requiredInt("warmup_steps", function: fn)
        let d = try h.requiredInt("decay_steps", function: fn)
        let e = try h.double("end_value", default: 0)
        return try .warmupCosineDecay(i, p, w, d, e, try h.optaxPower("exponent", default: 1))
    },
    OptaxScheduleReader("warmup_constant_schedule", "linear warmup, then peak_value") { h, name, fn in
        let i = try h.requiredDouble("init_value", function: fn)
        let p = try h.requiredDouble("peak_value", function: fn)
        return .linearSchedule(i, p, try h.requiredInt("warmup_steps", function: fn))
    },
    OptaxScheduleReader("warmup_exponential_decay_schedule", "linear warmup, then exponential_decay") { h, name, fn in
        let i = try h.requiredDouble("init_value", function: fn)
        let p = try h.requiredDouble("peak_value", function: fn)
        let w = try h.requiredInt("warmup_steps", function: fn)
        let t = try h.requiredInt("transition_steps", function: fn)
        let r = try h.requiredDouble("decay_rate", function: fn)
        let b = try h.int("transition_begin", default: 0)
        let s = try h.bool("staircase", default: false)
        let e = try h.optionalDouble("end_value")
        return .join([.linearSchedule(i, p, w), .exponentialDecay(p, t, r, b, s, e)], boundaries: [w])
    },
    OptaxScheduleReader("piecewise_constant_schedule", "init_value scaled at each boundary (string keys)") { h, name, fn in
        let i = try h.requiredDouble("init_value", function: fn)
        let bs = try h.boundariesAndScales(name) ?? []
        return .piecewiseConstant(initValue: i, boundaries: OptaxSchedule.sortedBoundaries(bs))
    },
    OptaxScheduleReader("piecewise_interpolate_schedule", "linear or cosine interpolation between scaled boundaries") { h, name, fn in
        guard let kind = try h.string("interpolate_type", default: nil) else { throw h.missing("interpolate_type", function: fn) }
        let i = try h.requiredDouble("init_value", function: fn)
        if kind != "linear" && kind != "cosine" {
            throw h.invalid("interpolate_type", "`interpolate_type` must be either 'cosine' or 'linear'")
        }
        let bs = try h.boundariesAndScales(name) ?? []
        return .piecewiseInterpolate(cosine: kind == "cosine", initValue: i, boundaries: OptaxSchedule.sortedBoundaries(bs))
    },
    OptaxScheduleReader("linear_onecycle_schedule", "linear one-cycle") { h, name, fn in
        let t = try h.onecycleSteps(function: fn)
        let p = try h.requiredDouble("peak_value", function: fn)
        return try .onecycle(cosine: false, steps: t, peak: p, pctStart: try h.double("pct_start", default: 0.3),
                         pctFinal: try h.double("pct_final", default: 0.85), div: try h.double("div_factor", default: 25),
                         finalDiv: try h.double("final_div_factor", default: 1e4), callee: h.callee)
    },
    OptaxScheduleReader("cosine_onecycle_schedule", "cosine one-cycle") { h, name, fn in
        let t = try h.onecycleSteps(function: fn)
        let p = try h.requiredDouble("peak_value", function: fn)
        return try .onecycle(cosine: true, steps: t, peak: p, pctStart: try h.double("pct_start", default: 0.3), pctFinal: 0,
                         div: try h.double("div_factor", default: 25), finalDiv: try h.double("final_div_factor", default: 1e4), callee: h.callee)
    },
    OptaxScheduleReader("sgdr_schedule", "warm restarts: warmup_cosine_decay_schedule kwargs, one per cycle") { h, name, fn in
        guard let list = h.raw("cosine_kwargs"), !list.isNull else { throw h.missing("cosine_kwargs", function: fn) }
        guard let items = list.arrayValue else {
            throw DescentError.invalidInput(field: "\(h.field).cosine_kwargs", message: "\(h.callee): expected a list of objects")
        }
        var schedules: [OptaxSchedule] = [], bounds: [Int] = [], step = 0
        for (j, kw) in items.enumerated() {
            var ch = try Hyperparameters(kw, callee: "optax.warmup_cosine_decay_schedule", field: "\(h.field).cosine_kwargs[\(j)]")
            schedules.append(try optaxSchedule("warmup_cosine_decay_schedule", &ch))
            try ch.finish()
            let d = kw["decay_steps"]!.intValue!
            bounds.append(step + d)
            step += d
        }
        guard !schedules.isEmpty else {
            throw h.invalid("cosine_kwargs", "IndexError: list index out of range")
        }
        return .join(schedules, boundaries: Array(bounds.dropLast()))
    },
    OptaxScheduleReader("join_schedules", "nested {name, parameters} schedules switched at boundaries") { h, name, fn in
        guard let children = try NamedSchedule.list(h.raw("schedules"), key: "schedules", in: h) else {
            throw h.missing("schedules", function: fn)
        }
        guard let b = try h.ints("boundaries") else { throw h.missing("boundaries", function: fn) }
        let specs = try children.map { c -> OptaxSchedule in
            guard optaxSchedules.contains(where: { $0.name == c.name }) else {
                throw DescentError.unsupported("optax schedule '\(c.name)' is not implemented in Descent")
            }
            var ch = try Hyperparameters(c.parameters, callee: "optax.\(c.name)", field: c.field)
            let s = try optaxSchedule(c.name, &ch)
            try ch.finish()
            return s
        }
        guard !specs.isEmpty else { throw h.invalid("schedules", "IndexError: list index out of range") }
        return .join(specs, boundaries: b)
    },
]

let optaxSchedules: [ScheduleEntry] = optaxScheduleReaders.map { optaxEntry($0.name, $0.note) }

private func optaxEntry(_ name: String, _ note: String) -> ScheduleEntry {
    ScheduleEntry(name, note) { h, _ in
        OptaxScheduleCase(schedule: try optaxSchedule(name, &h), summary: "optax.\(name)")
    }
}

/// Reads `optax.<name>(**parameters)`.
func optaxSchedule(_ name: String, _ h: inout Hyperparameters) throws -> OptaxSchedule {
    guard let s = optaxScheduleReaders.first(where: { $0.name == name }) else {
        throw DescentError.unsupported("optax schedule '\(name)' is not implemented in Descent")
    }
    return try s.read(&h, name, name)
}

extension Hyperparameters {
    /// optax's `power` / `exponent`: an integer literal stays an integer power (jnp's integer_pow).
    fileprivate mutating func optaxPower(_ key: String, default d: Double) throws -> OptaxPower {
        note(key, .number, JSON(d))
        guard let p = try pyNumber(key) else { return OptaxPower(value: d, isInt: false) }
        return OptaxPower(value: p.value, isInt: p.isInt)
    }

    /// `boundaries_and_scales`: an object of "step": scale.
    fileprivate mutating func boundariesAndScales(_ what: String) throws -> [(Int, Double)]? {
        guard let v = raw("boundaries_and_scales"), !v.isNull else { return nil }
        guard let pairs = v.objectValue else {
            throw DescentError.invalidInput(field: "\(field).boundaries_and_scales",
                message: "\(callee): expected an object of \"step\": scale")
        }
        let out = try pairs.map { k, s -> (Int, Double) in
            guard let b = Int(k) ?? Double(k).flatMap({ $0 == $0.rounded() ? Int(exactly: $0) : nil }), b.magnitude < 1 << 53,
                  let d = s.doubleValue else {
                throw DescentError.invalidInput(field: "\(field).boundaries_and_scales",
                    message: "\(callee): keys must be integer step strings and values numbers")
            }
            return (b, d)
        }
        if out.contains(where: { !($0.1 >= 0) }) {
            throw invalid("boundaries_and_scales", "`\(what)` expects non-negative scale factors")
        }
        return out
    }

    /// The one-cycle schedules' `transition_steps`.
    fileprivate mutating func onecycleSteps(function fn: String) throws -> Int {
        let t = try requiredInt("transition_steps", function: fn)
        if t <= 0 {
            throw invalid("transition_steps", "A linear onecycle schedule was set with a non-positive `transition_steps`")
        }
        return t
    }
}
