// TextbookSchedules.swift — the course material's schedules (the spec's textbook table), t = the
// optimizer step from 0:
//
//   step_decay         lr·gamma^⌊t/step_size⌋
//   cosine_annealing   η_min + ½(η_max − η_min)(1 + cos(π·min(t, T)/T))
//   one_cycle          t < w: max_lr·t/w;  else min_lr + ½(max_lr − min_lr)(1 + cos(π·min(t − w, T − w)/(T − w)))
//   reduce_on_plateau  best = +∞; metric < best resets the bad count, else it grows; at bad ≥ patience
//                      lr ← max(lr·factor, min_lr) and the count resets; metrics[t] sets the lr of step t+1
//   segments           piecewise linear / cosine / constant pieces; the last value holds afterwards

struct TextbookSegment: Sendable {
    enum Shape: String, Sendable { case linear, cosine, constant }
    let shape: Shape
    let steps: Int
    let from: Double
    let to: Double

    func value<T: DescentFloat>(_ tau: Int, as: T.Type) -> T {
        let (a, b) = (T(from), T(to))
        switch shape {
        case .linear: return a + (b - a) * T(tau) / T(steps)
        case .cosine: return b + 0.5 * (a - b) * (1 + T.cos(T(Double.pi) * T(tau) / T(steps)))
        case .constant: return a
        }
    }
    /// The value that holds after the segment ends.
    func final<T: DescentFloat>(as: T.Type) -> T { shape == .constant ? T(from) : T(to) }
}

enum TextbookSchedule: Sendable {
    case stepDecay(lr: Double, gamma: Double, stepSize: Int)
    case cosineAnnealing(etaMax: Double, etaMin: Double, tMax: Int)
    case oneCycle(maxLR: Double, minLR: Double, warmup: Int, total: Int)
    case reduceOnPlateau(lr: Double, factor: Double, patience: Int, minLR: Double, nonStrict: Bool = false)
    case segments([TextbookSegment])

    func values<T: DescentFloat>(count: Int, metrics: [Double]?) throws -> [T] {
        let pi = T(Double.pi)
        switch self {
        case let .stepDecay(lr, gamma, s):
            return (0..<count).map { t in T(lr) * T.pow(T(gamma), T(t / s)) }
        case let .cosineAnnealing(emax, emin, tmax):
            return (0..<count).map { (t: Int) -> T in
                let half: T = 0.5 * (T(emax) - T(emin)), angle: T = pi * T(Swift.min(t, tmax)) / T(tmax)
                return T(emin) + half * (1 + T.cos(angle))
            }
        case let .oneCycle(mx, mn, w, total):
            return (0..<count).map { (t: Int) -> T in
                if t < w { return T(mx) * T(t) / T(w) }
                let half: T = 0.5 * (T(mx) - T(mn)), angle: T = pi * T(Swift.min(t - w, total - w)) / T(total - w)
                return T(mn) + half * (1 + T.cos(angle))
            }
        case let .reduceOnPlateau(lr0, factor, patience, minLR, nonStrict):
            guard count <= 1 || (metrics?.count ?? 0) >= count - 1 else {
                throw DescentError.invalidInput(field: "metrics",
                    message: "reduce_on_plateau needs one metric per step: \(count - 1) steps, \(metrics?.count ?? 0) metrics")
            }
            var lr = T(lr0), best = T.infinity, bad = 0
            var out = [lr]
            for t in 0..<Swift.max(count - 1, 0) {
                let m = T(metrics![t])
                if nonStrict ? m <= best : m < best { best = m; bad = 0 } else { bad += 1 }
                if bad >= patience {
                    lr = Swift.max(lr * T(factor), T(minLR))
                    bad = 0
                }
                out.append(lr)
            }
            return Array(out.prefix(count))
        case let .segments(segs):
            return (0..<count).map { t in
                var start = 0
                for s in segs {
                    if t < start + s.steps { return s.value(t - start, as: T.self) }
                    start += s.steps
                }
                return segs.last!.final(as: T.self)
            }
        }
    }
}

struct TextbookScheduleCase: Schedule {
    let schedule: TextbookSchedule
    let metrics: [Double]?
    let summary: String
    func values<T: DescentFloat>(_ type: T.Type, count: Int) throws -> ScheduleValues<T> {
        ScheduleValues(lr: try schedule.values(count: Swift.max(count, 0), metrics: metrics))
    }
}
