// TransformersSchedules.swift — the math of transformers.optimization's schedules (transformers
// 5.23.0). Each is a torch LambdaLR: after k scheduler steps the lr is base_lr·λ(k), λ one of the
// module's `_get_*_lr_lambda` functions, evaluated here with Python's float64 operations in its
// order (int/int true division, max(1, …) guards, the branches as written). The lambdas are plain
// Python floats whatever the model's dtype, so a float32 run gets the float64 value rounded once.
//
// Note: optimization.py defines `_get_cosine_schedule_with_warmup_lr_lambda` twice; the second
// definition (with min_lr_rate = 0.0) is the one get_cosine_schedule_with_warmup calls. It is
// factor·(1 − 0) + 0 of the first one's cosine, the same number, clamped by max(0, …).
import Foundation

enum TransformersLambda: Sendable {
    case constant
    case constantWithWarmup(warmup: Int)
    case linear(warmup: Int, total: Int)
    /// get_cosine_schedule_with_warmup (minRate 0) and get_cosine_with_min_lr_schedule_with_warmup.
    case cosine(warmup: Int, total: Int, cycles: Double, minRate: Double)
    case hardRestarts(warmup: Int, total: Int, cycles: Double)
    case polynomial(warmup: Int, total: Int, lrEnd: Double, power: Double, lrInit: Double)
    case inverseSqrt(warmup: Int, timescale: Int)
    /// get_cosine_with_min_lr_schedule_with_warmup_lr_rate: every count as a float, the warmup
    /// from (k + 1)/W (or warmup_lr_rate), the cosine progress from (k − W + 1).
    case cosineLRRate(warmup: Int, total: Int, cycles: Double, minRate: Double, warmupRate: Double?)
    case wsd(warmup: Int, stable: Int, decay: Int, warmupType: String, decayType: String, minRatio: Double, cycles: Double)

    /// Python's `max(0.0, x)` / `max(0, x)`: x only when x > 0.
    private func positive(_ x: Double) -> Double { x > 0 ? x : 0 }

    /// Python's `x % y` for floats (the sign of y).
    private func pyMod(_ x: Double, _ y: Double) -> Double {
        var m = fmod(x, y)
        if m != 0 { if (y < 0) != (m < 0) { m += y } } else { m = y < 0 ? -0.0 : 0.0 }
        return m
    }

    private func warmupFraction(_ k: Int, _ w: Int) -> Double { Double(k) / Double(Swift.max(1, w)) }

    /// λ(k), raising where the Python lambda raises.
    func value(_ k: Int, callee: String) throws -> Double {
        switch self {
        case .constant:
            return 1
        case .constantWithWarmup(let w):
            return k < w ? warmupFraction(k, w) : 1.0
        case .linear(let w, let n):
            if k < w { return warmupFraction(k, w) }
            return positive(Double(n - k) / Double(Swift.max(1, n - w)))
        case .cosine(let w, let n, let cycles, let r):
            if k < w { return warmupFraction(k, w) }
            let progress = Double(k - w) / Double(Swift.max(1, n - w))
            var factor = 0.5 * (1.0 + cos(Double.pi * cycles * 2.0 * progress))
            factor = factor * (1 - r) + r
            return positive(factor)
        case .hardRestarts(let w, let n, let cycles):
            if k < w { return warmupFraction(k, w) }
            let progress = Double(k - w) / Double(Swift.max(1, n - w))
            if progress >= 1.0 { return 0.0 }
            return positive(0.5 * (1.0 + cos(Double.pi * pyMod(cycles * progress, 1.0))))
        case .polynomial(let w, let n, let lrEnd, let power, let lrInit):
            if k < w { return warmupFraction(k, w) }
            if k > n { return lrEnd / lrInit }
            let range = lrInit - lrEnd
            let decaySteps = n - w
            if decaySteps == 0 { throw zeroDivision("division by zero", callee: callee) }
            let remaining = 1 - Double(k - w) / Double(decaySteps)
            if remaining == 0 && power < 0 { throw zeroDivision("0.0 cannot be raised to a negative power", callee: callee) }
            let decay = range * Foundation.pow(remaining, power) + lrEnd
            return decay / lrInit
        case .inverseSqrt(let w, let timescale):
            if k < w { return warmupFraction(k, w) }
            if timescale == 0 { throw zeroDivision("division by zero", callee: callee) }
            let x = Double(k + (timescale - w)) / Double(timescale)
            if x < 0 { throw DescentError.invalidHyperparameter(field: "parameters", message: "\(callee): ValueError: math domain error") }
            let root = x.squareRoot()
            if root == 0 { throw zeroDivision("float division by zero", callee: callee) }
            return 1.0 / root
        case .cosineLRRate(let wi, let ni, let cycles, let r, let warmupRate):
            let s = Double(k), w = Double(wi), n = Double(ni)
            if s < w {
                guard let wr = warmupRate else { return (s + 1.0) / Swift.max(1.0, w) }
                return wr + (1.0 - wr) * s / Swift.max(1, w - 1)
            }
            let progress = (s - w + 1.0) / Swift.max(1.0, n - w)
            var factor = 0.5 * (1.0 + cos(Double.pi * cycles * 2.0 * progress))
            factor = factor * (1 - r) + r
            return positive(factor)
        case .wsd(let w, let stable, let d, let warmupType, let decayType, let m, let cycles):
            if k < w {
                let progress = Double(k) / Double(Swift.max(1, w))
                var factor: Double
                switch warmupType {
                case "cosine": factor = 0.5 * (1.0 - cos(Double.pi * progress))
                case "1-sqrt": factor = 1.0 - (1.0 - progress).squareRoot()
                default: factor = progress
                }
                factor = factor * (1.0 - m) + m
                return positive(factor)
            }
            if k < w + stable { return 1.0 }
            if k < w + stable + d {
                let progress = Double(k - w - stable) / Double(Swift.max(1, d))
                var factor: Double
                switch decayType {
                case "linear": factor = 1.0 - progress
                case "1-sqrt": factor = 1.0 - progress.squareRoot()
                default: factor = 0.5 * (1.0 + cos(Double.pi * cycles * 2.0 * progress))
                }
                factor = factor * (1.0 - m) + m
                return positive(factor)
            }
            return m
        }
    }
}

/// A transformers schedule case: base_lr·λ(k) for k = 0, 1, … (the LambdaLR after k steps).
struct TransformersSchedule: Schedule {
    let name: String
    let lambda: TransformersLambda
    let baseLR: Double?
    let summary: String

    func values<T: DescentFloat>(_ type: T.Type, count: Int) throws -> ScheduleValues<T> {
        guard let base = baseLR else {
            throw DescentError.invalidInput(field: "base_lr",
                message: "transformers schedule cases need base_lr (the optimizer's lr when the scheduler is built)")
        }
        let callee = "transformers.optimization.\(name)"
        return ScheduleValues(lr: try (0..<Swift.max(count, 0)).map { T(base * (try lambda.value($0, callee: callee))) })
    }
}

/// `get_greedy_schedule(optimizer, **kwargs)` = `GreedyLR(optimizer, **kwargs)` (transformers
/// 5.23.0), stepped with `metrics[k]` at its (k+1)-th step. It is not a LambdaLR: it keeps the
/// group's lr and moves it, in Python floats:
///   current = metric (smooth: the mean of the last window_size metrics, a running sum with
///             += and −=, divided by the count)
///   cooldown_counter > 0: count it down, clear both counts; else warmup_counter > 0: the same;
///   else better(current, best) ("min": current < best − threshold, or < best·(1 − threshold)
///             for "rel"; "max" mirrored; best starts at ±∞) ? best = current, bad = 0, good += 1
///                                                        : bad += 1, good = 0
///        good > patience: lr' = min(lr/factor, max_lr), set when lr' − lr > eps;
///                         reset_start back to its start; warmup_counter = warmup; good = 0
///        elif bad > patience: lr' = max(lr·factor, min_lr), set when lr − lr' > eps; when the lr
///                         is then not above min_lr, reset_start −= 1 and at ≤ 0 everything resets
///                         (lr = the initial lr, best = ±∞, counters 0, the window emptied);
///                         cooldown_counter = cooldown; bad = 0
/// expected_lr[0] is base_lr; expected_lr[k] the lr after the k-th step.
struct TransformersGreedyLR: Schedule {
    let maximize: Bool, relative: Bool
    let factor: Double, patience: Int, threshold: Double, cooldown: Int, warmup: Int
    let minLR: Double, maxLR: Double, eps: Double
    let smooth: Bool, windowSize: Int, resetStart: Int
    let baseLR: Double?
    let metrics: [Double]?
    let summary: String

    private func isBetter(_ a: Double, _ best: Double) -> Bool {
        switch (maximize, relative) {
        case (false, true): return a < best * (1.0 - threshold)
        case (false, false): return a < best - threshold
        case (true, true): return a > best * (1.0 + threshold)
        case (true, false): return a > best + threshold
        }
    }

    /// The lrs after 0, 1, …, count − 1 steps, in float64 as Python computes them.
    func lrs(count: Int) throws -> [Double] {
        let callee = "transformers.optimization.get_greedy_schedule"
        guard let initial = baseLR else {
            throw DescentError.invalidInput(field: "base_lr",
                message: "transformers schedule cases need base_lr (the optimizer's lr when the scheduler is built)")
        }
        guard count <= 1 || (metrics?.count ?? 0) >= count - 1 else {
            throw DescentError.invalidInput(field: "metrics",
                message: "GreedyLR needs one metric per step: \(count - 1) steps, \(metrics?.count ?? 0) metrics")
        }
        let start = maximize ? -Double.infinity : Double.infinity
        var lr = initial, best = start, bad = 0, good = 0, cooldownCounter = 0, warmupCounter = 0
        var resetLeft = resetStart
        var window: [Double] = [], sum = 0.0
        var out = [lr]
        for k in 0..<Swift.max(count - 1, 0) {
            var current = metrics![k]
            if smooth {
                window.append(current)
                sum += current
                if window.count > windowSize { sum -= window.removeFirst() }
                if window.isEmpty { throw zeroDivision("float division by zero", callee: callee) }
                current = sum / Double(window.count)
            }
            if cooldownCounter > 0 {
                cooldownCounter -= 1; bad = 0; good = 0
            } else if warmupCounter > 0 {
                warmupCounter -= 1; bad = 0; good = 0
            } else {
                if isBetter(current, best) { best = current; bad = 0; good += 1 } else { bad += 1; good = 0 }
                if good > patience {
                    if factor == 0 { throw zeroDivision("float division by zero", callee: callee) }
                    let candidate = lr / factor
                    let new = maxLR < candidate ? maxLR : candidate   // Python min(a, b)
                    if new - lr > eps { lr = new }
                    resetLeft = resetStart
                    warmupCounter = warmup
                    good = 0
                } else if bad > patience {
                    let candidate = lr * factor
                    let new = minLR > candidate ? minLR : candidate   // Python max(a, b)
                    if lr - new > eps { lr = new }
                    if !(lr > minLR) {
                        resetLeft -= 1
                        if resetLeft <= 0 {
                            lr = initial; best = start; bad = 0; good = 0; cooldownCounter = 0; warmupCounter = 0
                            resetLeft = resetStart
                            if smooth { window = []; sum = 0 }
                        }
                    }
                    cooldownCounter = cooldown
                    bad = 0
                }
            }
            out.append(lr)
        }
        return out
    }

    func values<T: DescentFloat>(_ type: T.Type, count: Int) throws -> ScheduleValues<T> {
        ScheduleValues(lr: try lrs(count: count).map { T($0) })
    }
}
