// OptaxSchedules.swift — optax's schedules (optax/schedules/_schedule.py, _join.py of 0.2.8):
// pure functions of the step count k, with optax's operations in optax's order.
//
//   polynomial:   c = clip(k − begin, 0, T);  (init − end)·(1 − c/T)^power + end
//   exponential:  p = (k − begin)/T (floored if staircase);  k − begin ≤ 0 ? init : init·rate^p,
//                 then clipped at end_value (max if rate < 1, else min)
//   cosine decay: c = min(k, T);  init·((1 − α)·(½(1 + cos(πc/T)))^exponent + α)
//   piecewise constant: v ← v·1[k < b] + (1 − 1[k < b])·scale·v  for each sorted boundary b
//   piecewise interpolate: between cumulative products of the scales, linearly
//                 ((end − start)·pct + start) or by cosine (end + (start − end)/2·(cos(π·pct) + 1))
//   join:         s₀(k), replaced by sᵢ(k − bᵢ) wherever k ≥ bᵢ, in list order
// The composite names (warmup_*, *_onecycle_schedule, sgdr_schedule) are built from these
// exactly as optax builds them.

/// An exponent as Python passed it: a Python int makes jnp use `lax.integer_pow`.
struct OptaxPower: Sendable {
    let value: Double
    let isInt: Bool
    func apply<T: DescentFloat>(_ x: T) -> T {
        isInt ? integerPow(x, Int(value)) : T.pow(x, T(value))
    }
}

indirect enum OptaxSchedule: Sendable {
    case constant(Double)
    case polynomial(initValue: Double, endValue: Double, power: OptaxPower, steps: Int, begin: Int)
    case exponential(initValue: Double, steps: Int, rate: Double, begin: Int, staircase: Bool, endValue: Double?)
    case cosineDecay(initValue: Double, steps: Int, alpha: Double, exponent: OptaxPower)
    /// (boundary, scale) sorted by boundary.
    case piecewiseConstant(initValue: Double, boundaries: [(Int, Double)])
    case piecewiseInterpolate(cosine: Bool, initValue: Double, boundaries: [(Int, Double)])
    case join([OptaxSchedule], boundaries: [Int])

    // MARK: The constructors' own logic (fallbacks, composites)

    static func polynomialSchedule(_ i: Double, _ e: Double, _ p: OptaxPower, _ steps: Int, _ begin: Int) -> OptaxSchedule {
        if steps <= 0 { return .constant(i) }
        return .polynomial(initValue: i, endValue: e, power: p, steps: steps, begin: Swift.max(begin, 0))
    }

    static func linearSchedule(_ i: Double, _ e: Double, _ steps: Int, _ begin: Int = 0) -> OptaxSchedule {
        polynomialSchedule(i, e, OptaxPower(value: 1, isInt: true), steps, begin)
    }

    static func exponentialDecay(_ i: Double, _ steps: Int, _ rate: Double, _ begin: Int, _ staircase: Bool,
                                 _ end: Double?) -> OptaxSchedule {
        if steps <= 0 || rate == 0 { return .constant(i) }
        return .exponential(initValue: i, steps: steps, rate: rate, begin: Swift.max(begin, 0), staircase: staircase, endValue: end)
    }

    static func cosineDecaySchedule(_ i: Double, _ steps: Int, _ alpha: Double, _ exponent: OptaxPower) throws -> OptaxSchedule {
        guard steps > 0 else {
            throw DescentError.invalidHyperparameter(field: "parameters.decay_steps",
                message: "The cosine_decay_schedule requires positive decay_steps, got decay_steps=\(steps).")
        }
        return .cosineDecay(initValue: i, steps: steps, alpha: alpha, exponent: exponent)
    }

    static func warmupCosineDecay(_ i: Double, _ peak: Double, _ warmup: Int, _ decay: Int, _ end: Double,
                                  _ exponent: OptaxPower) throws -> OptaxSchedule {
        let alpha = peak == 0 ? 0 : end / peak
        return .join([linearSchedule(i, peak, warmup), try cosineDecaySchedule(peak, decay - warmup, alpha, exponent)],
                     boundaries: [warmup])
    }

    /// `piecewise_interpolate_schedule` is given a dict: later duplicate keys overwrite earlier ones.
    static func sortedBoundaries(_ pairs: [(Int, Double)]) -> [(Int, Double)] {
        var d: [Int: Double] = [:]
        for (b, s) in pairs { d[b] = s }
        return d.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }

    static func onecycle(cosine: Bool, steps: Int, peak: Double, pctStart: Double, pctFinal: Double, div: Double,
                         finalDiv: Double, callee: String) throws -> OptaxSchedule {
        let start = try pyTrunc(pctStart * Double(steps), callee)
        let pairs: [(Int, Double)] = cosine
            ? [(start, div), (steps, 1.0 / (div * finalDiv))]
            : [(start, div), (try pyTrunc(pctFinal * Double(steps), callee), 1.0 / div), (steps, 1.0 / finalDiv)]
        return .piecewiseInterpolate(cosine: cosine, initValue: peak / div, boundaries: sortedBoundaries(pairs))
    }

    // MARK: Evaluation

    func callAsFunction<T: DescentFloat>(_ k: Int, as: T.Type) -> T {
        switch self {
        case let .constant(v):
            return T(v)

        case let .polynomial(i, e, p, steps, begin):
            let c = Swift.min(Swift.max(k - begin, 0), steps)
            let frac = 1 - T(c) / T(steps)
            return (T(i) - T(e)) * p.apply(frac) + T(e)

        case let .exponential(i, steps, rate, begin, staircase, end):
            let dc = k - begin
            var p = T(dc) / T(steps)
            if staircase { p = p.rounded(.down) }
            var v = dc <= 0 ? T(i) : T(i) * T.pow(T(rate), p)
            if let end { v = rate < 1 ? T.maxNaN(v, T(end)) : T.minNaN(v, T(end)) }
            return v

        case let .cosineDecay(i, steps, alpha, exponent):
            let c = T(Swift.min(k, steps))
            let cd = 0.5 * (1 + T.cos(T(Double.pi) * c / T(steps)))
            return T(i) * ((1 - T(alpha)) * exponent.apply(cd) + T(alpha))

        case let .piecewiseConstant(i, bs):
            var v = T(i)
            for (b, s) in bs {
                let ind: T = b - k > 0 ? 1 : 0   // max(0, sign(b − k))
                v = v * ind + (1 - ind) * T(s) * v
            }
            return v

        case let .piecewiseInterpolate(cosine, i, bs):
            let bounds = [0] + bs.map { $0.0 }
            var values = [T(i)]
            for (_, s) in bs { values.append(values.last! * T(s)) }
            var dot: T = 0
            for j in 0..<(bounds.count - 1) {
                let size = Swift.max(bounds[j + 1] - bounds[j], 1)
                let inside: T = bounds[j] <= k && k < bounds[j + 1] ? 1 : 0
                let pct = T(k - bounds[j]) / T(size)
                let (a, b) = (values[j], values[j + 1])
                let v: T
                if cosine {
                    let half: T = (a - b) / 2, wave: T = T.cos(T(Double.pi) * pct) + 1
                    v = b + half * wave
                } else {
                    let span: T = b - a
                    v = span * pct + a
                }
                dot += inside * v
            }
            return dot + (bounds.last! <= k ? 1 : 0) * values.last!

        case let .join(schedules, boundaries):
            var out: T = schedules[0](k, as: T.self)
            for (b, s) in zip(boundaries, schedules.dropFirst()) where !(k < b) {
                out = s(k - b, as: T.self)
            }
            return out
        }
    }
}

/// An optax schedule case: `expected_lr[k] = schedule(k)`.
struct OptaxScheduleCase: Schedule {
    let schedule: OptaxSchedule
    let summary: String
    func values<T: DescentFloat>(_ type: T.Type, count: Int) throws -> ScheduleValues<T> {
        ScheduleValues(lr: (0..<Swift.max(count, 0)).map { schedule($0, as: T.self) })
    }
}
