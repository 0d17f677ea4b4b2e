// Optax+Schedules.swift — the optax convention's learning-rate schedules: `optax.<name>(**parameters)`
// with optax 0.2.8's keyword names and defaults; errors where optax raises. The math is in
// OptaxSchedules.swift.
import DescentJSON

let optaxSchedules: [ScheduleEntry] = [
    optaxEntry("constant_schedule", "value"),
    optaxEntry("linear_schedule", "init_value → end_value over transition_steps, from transition_begin"),
    optaxEntry("polynomial_schedule", "(init − end)·(1 − k/T)^power + end"),
    optaxEntry("exponential_decay", "init·decay_rate^(k/T), transition_begin, staircase, end_value bound"),
    optaxEntry("cosine_decay_schedule", "init·((1 − alpha)·cos_decay^exponent + alpha)"),
    optaxEntry("warmup_cosine_decay_schedule", "linear warmup, then cosine to end_value (decay_steps includes warmup)"),
    optaxEntry("warmup_constant_schedule", "linear warmup, then peak_value"),
    optaxEntry("warmup_exponential_decay_schedule", "linear warmup, then exponential_decay"),
    optaxEntry("piecewise_constant_schedule", "init_value scaled at each boundary (string keys)"),
    optaxEntry("piecewise_interpolate_schedule", "linear or cosine interpolation between scaled boundaries"),
    optaxEntry("linear_onecycle_schedule", "linear one-cycle (pct_start 0.3, pct_final 0.85, div 25, final_div 1e4)"),
    optaxEntry("cosine_onecycle_schedule", "cosine one-cycle (pct_start 0.3, div 25, final_div 1e4)"),
    optaxEntry("sgdr_schedule", "warm restarts: warmup_cosine_decay_schedule kwargs, one per cycle"),
    optaxEntry("join_schedules", "nested {name, parameters} schedules switched at boundaries"),
]

private func optaxEntry(_ name: String, _ note: String) -> ScheduleEntry {
    ScheduleEntry(name, note) { h, _ in
        OptaxScheduleCase(schedule: try optaxSchedule(name, &h), summary: "optax.\(name)")
    }
}

/// Reads `optax.<name>(**parameters)`.
func optaxSchedule(_ name: String, _ h: inout Hyperparameters) throws -> OptaxSchedule {
    let fn = name
    func power(_ key: String, default d: Double) throws -> OptaxPower {
        guard let p = try h.pyNumber(key) else { return OptaxPower(value: d, isInt: false) }
        return OptaxPower(value: p.value, isInt: p.isInt)
    }
    func boundaries(_ what: String) throws -> [(Int, Double)]? {
        guard let v = h.raw("boundaries_and_scales"), !v.isNull else { return nil }
        guard let pairs = v.objectValue else {
            throw DescentError.invalidInput(field: "\(h.field).boundaries_and_scales",
                message: "\(h.callee): expected an object of \"step\": scale")
        }
        let out = try pairs.map { k, s -> (Int, Double) in
            guard let b = Int(k) ?? Double(k).flatMap({ $0 == $0.rounded() ? Int(exactly: $0) : nil }), b.magnitude < 1 << 53,
                  let d = s.doubleValue else {
                throw DescentError.invalidInput(field: "\(h.field).boundaries_and_scales",
                    message: "\(h.callee): keys must be integer step strings and values numbers")
            }
            return (b, d)
        }
        if out.contains(where: { !($0.1 >= 0) }) {
            throw h.invalid("boundaries_and_scales", "`\(what)` expects non-negative scale factors")
        }
        return out
    }
    func onecycleSteps() throws -> Int {
        let t = try h.requiredInt("transition_steps", function: fn)
        if t <= 0 {
            throw h.invalid("transition_steps", "A linear onecycle schedule was set with a non-positive `transition_steps`")
        }
        return t
    }

    switch name {
    case "constant_schedule":
        return .constant(try h.requiredDouble("value", function: fn))

    case "linear_schedule":
        let i = try h.requiredDouble("init_value", function: fn)
        let e = try h.requiredDouble("end_value", function: fn)
        let t = try h.requiredInt("transition_steps", function: fn)
        return .linearSchedule(i, e, t, try h.int("transition_begin", default: 0))

    case "polynomial_schedule":
        let i = try h.requiredDouble("init_value", function: fn)
        let e = try h.requiredDouble("end_value", function: fn)
        guard h.has("power") else { throw h.missing("power", function: fn) }
        let p = try power("power", default: 1)
        let t = try h.requiredInt("transition_steps", function: fn)
        return .polynomialSchedule(i, e, p, t, try h.int("transition_begin", default: 0))

    case "exponential_decay":
        let i = try h.requiredDouble("init_value", function: fn)
        let t = try h.requiredInt("transition_steps", function: fn)
        let r = try h.requiredDouble("decay_rate", function: fn)
        let b = try h.int("transition_begin", default: 0)
        let s = try h.bool("staircase", default: false)
        return .exponentialDecay(i, t, r, b, s, try h.optionalDouble("end_value"))

    case "cosine_decay_schedule":
        let i = try h.requiredDouble("init_value", function: fn)
        let t = try h.requiredInt("decay_steps", function: fn)
        let a = try h.double("alpha", default: 0)
        return try .cosineDecaySchedule(i, t, a, try power("exponent", default: 1))

    case "warmup_cosine_decay_schedule":
        let i = try h.requiredDouble("init_value", function: fn)
        let p = try h.requiredDouble("peak_value", function: fn)
        let w = try h.requiredInt("warmup_steps", function: fn)
        let d = try h.requiredInt("decay_steps", function: fn)
        let e = try h.double("end_value", default: 0)
        return try .warmupCosineDecay(i, p, w, d, e, try power("exponent", default: 1))

    case "warmup_constant_schedule":
        let i = try h.requiredDouble("init_value", function: fn)
        let p = try h.requiredDouble("peak_value", function: fn)
        return .linearSchedule(i, p, try h.requiredInt("warmup_steps", function: fn))

    case "warmup_exponential_decay_schedule":
        let i = try h.requiredDouble("init_value", function: fn)
        let p = try h.requiredDouble("peak_value", function: fn)
        let w = try h.requiredInt("warmup_steps", function: fn)
        let t = try h.requiredInt("transition_steps", function: fn)
        let r = try h.requiredDouble("decay_rate", function: fn)
        let b = try h.int("transition_begin", default: 0)
        let s = try h.bool("staircase", default: false)
        let e = try h.optionalDouble("end_value")
        return .join([.linearSchedule(i, p, w), .exponentialDecay(p, t, r, b, s, e)], boundaries: [w])

    case "piecewise_constant_schedule":
        let i = try h.requiredDouble("init_value", function: fn)
        let bs = try boundaries(name) ?? []
        return .piecewiseConstant(initValue: i, boundaries: OptaxSchedule.sortedBoundaries(bs))

    case "piecewise_interpolate_schedule":
        guard let kind = try h.string("interpolate_type", default: nil) else { throw h.missing("interpolate_type", function: fn) }
        let i = try h.requiredDouble("init_value", function: fn)
        if kind != "linear" && kind != "cosine" {
            throw h.invalid("interpolate_type", "`interpolate_type` must be either 'cosine' or 'linear'")
        }
        let bs = try boundaries(name) ?? []
        return .piecewiseInterpolate(cosine: kind == "cosine", initValue: i, boundaries: OptaxSchedule.sortedBoundaries(bs))

    case "linear_onecycle_schedule":
        let t = try onecycleSteps()
        let p = try h.requiredDouble("peak_value", function: fn)
        return try .onecycle(cosine: false, steps: t, peak: p, pctStart: try h.double("pct_start", default: 0.3),
                         pctFinal: try h.double("pct_final", default: 0.85), div: try h.double("div_factor", default: 25),
                         finalDiv: try h.double("final_div_factor", default: 1e4), callee: h.callee)

    case "cosine_onecycle_schedule":
        let t = try onecycleSteps()
        let p = try h.requiredDouble("peak_value", function: fn)
        return try .onecycle(cosine: true, steps: t, peak: p, pctStart: try h.double("pct_start", default: 0.3), pctFinal: 0,
                         div: try h.double("div_factor", default: 25), finalDiv: try h.double("final_div_factor", default: 1e4), callee: h.callee)

    case "sgdr_schedule":
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

    case "join_schedules":
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

    default:
        throw DescentError.unsupported("optax schedule '\(name)' is not implemented in Descent")
    }
}
