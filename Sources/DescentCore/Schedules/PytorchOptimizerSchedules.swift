// PytorchOptimizerSchedules.swift — the math of pytorch_optimizer's own schedulers
// (pytorch-optimizer 4.1.0, lr_scheduler/), in Python floats (float64) in the library's order
// of operations; a float32 run gets the float64 value rounded once, as the group's lr is a
// Python float whatever the model's dtype. expected_lr[k] is the group's lr after k step() calls:
//
// - linear, cosine, poly (BaseLinearWarmupScheduler, base/scheduler.py; not a torch LRScheduler):
//   the constructor sets the group's lr to min_lr (last_lr to [init_lr]); the t-th step() (t from
//   0) gives init_lr + (max_lr − init_lr)·t/warmup_steps for t < warmup_steps, max_lr at t =
//   warmup_steps, then _step(): linear max_lr + (min_lr − max_lr)·(t − W)/(T − W), cosine
//   min_lr + (max_lr − min_lr)(cos((t − W)/(T − W)·π) + 1)/2, poly min_lr + (max_lr − min_lr)·(t − W)^p.
//   Nothing clamps past t_max (linear goes below 0, cosine rises again) and poly's (t − W) is the
//   raw step count, not divided by anything.
// - rex (REXScheduler): its LRScheduler constructor steps once (step_t 0 → 1) and then sets the
//   group's lr to min_lr, so the lrs are min_lr, f(1), f(2), … with f(t) = min_lr + (max_lr −
//   min_lr)·((1 − t/T)/(1 − t/(2T))), min_lr from t = T on; its last_lr after construction is [max_lr].
// - cosine_annealing_with_warmup (CosineAnnealingWarmupRestarts): the constructor's step puts the
//   cycle at step 0 and init_lr() then sets the group's lr (and the floor base_lrs) to min_lr; each
//   step advances step_in_cycle, restarting at cur_cycle_steps (cycle + 1, the next length
//   max(1, int((cur − W)·cycle_mult)) + W), max_lr = max_lr₀·gamma^cycle, the lr a linear warmup
//   from min_lr over W steps then a half cosine over cur − W steps.
// - chebyshev (get_chebyshev_schedule), warmup_stable_decay (get_wsd_schedule): torch LambdaLRs,
//   base_lr·λ(k).
// - proportion (ProportionScheduler): a value proportional to another scheduler's lr (SAM's rho),
//   read from its `last_lr` when it has one (BaseLinearWarmupScheduler, REX), else the group's lr.
import Foundation

/// A deliberate mistake, for the known-wrong registry (ScheduleMutation's pytorch_optimizer cases).
enum PytorchOptimizerScheduleMistake: Sendable {
    /// The constructor's reset of the group's lr to min_lr forgotten: lr[0] is the optimizer's lr
    /// (CosineAnnealingWarmupRestarts: init_lr() forgotten, so the optimizer's lr is the floor too).
    case constructorResetForgotten
    /// REXScheduler's constructor step forgotten: the first step() gives max_lr.
    case rexConstructorStepForgotten
    /// BaseLinearWarmupScheduler's warmup counted from 1: step t gives init + (max − init)(t + 1)/W.
    case warmupCountedFromOne
    /// linear / cosine held at min_lr from t_max on.
    case heldAtMinAfterTMax
    /// PolyScheduler as a normalized polynomial decay min + (max − min)(1 − (t − W)/(T − W))^p.
    case polyNormalized
    /// The Chebyshev nodes in sorted order (the fractal permutation skipped).
    case chebyshevSorted
    /// The Chebyshev index `epoch` instead of `epoch − 2`.
    case chebyshevIndexFromZero
    /// get_wsd_schedule's floor (1 − r)·f + r applied to every cooldown, as transformers does.
    case wsdFloorInEveryCooldown
    /// ProportionScheduler reading the group's lr where the inner scheduler has a last_lr.
    case proportionReadsGroupLR
}

enum PytorchOptimizerLR: Sendable {
    enum Decay: Sendable, Equatable { case linear, cosine, poly(order: Double) }
    /// BaseLinearWarmupScheduler. `countsAreInts`: t_max and warmup_steps are Python ints (the
    /// cosine's (t − W)/(T − W) then raises "division by zero", not "float division by zero").
    case warmup(Decay, total: Double, maxLR: Double, minLR: Double, initLR: Double, warmup: Double, countsAreInts: Bool)
    case rex(total: Double, maxLR: Double, minLR: Double)
    case warmupRestarts(first: Int, cycleMult: Double, maxLR: Double, minLR: Double, warmup: Int, gamma: Double)
    case chebyshev(numEpochs: Double, isWarmup: Bool)
    case wsd(warmup: Double, stable: Double, decay: Double, minRatio: Double, cycles: Double, cooldown: String)
}

/// A pytorch_optimizer schedule case (every own scheduler but proportion).
struct PytorchOptimizerSchedule: Schedule {
    let name: String
    let lr: PytorchOptimizerLR
    let baseLR: Double?
    let summary: String
    var mistakes: Set<PytorchOptimizerScheduleMistake> = []

    private var callee: String { "pytorch_optimizer.\(name)" }

    func values<T: DescentFloat>(_ type: T.Type, count: Int) throws -> ScheduleValues<T> {
        ScheduleValues(lr: try groupLRs(count: count).map { T($0) })
    }

    /// The optimizer's lr, which the LambdaLRs scale (and the others overwrite).
    private func base() throws -> Double {
        guard let b = baseLR else {
            throw DescentError.invalidInput(field: "base_lr",
                message: "pytorch_optimizer schedule cases need base_lr (the optimizer's lr when the scheduler is built)")
        }
        return b
    }

    /// `scheduler.last_lr[0]` right after construction when the class keeps one (what
    /// ProportionScheduler reads), else nil (a torch LRScheduler: the group's lr is read).
    var lastLRAfterConstruction: Double? {
        switch lr {
        case let .warmup(_, _, _, _, initLR, _, _): return initLR
        case let .rex(_, maxLR, _): return maxLR
        default: return nil
        }
    }

    /// The group's lr after 0, 1, …, count − 1 steps, in float64.
    func groupLRs(count: Int) throws -> [Double] {
        let n = Swift.max(count, 0)
        switch lr {
        case let .warmup(decay, total, maxLR, minLR, initLR, w, ints):
            var out = [mistakes.contains(.constructorResetForgotten) ? try base() : minLR]
            for t in 0..<Swift.max(n - 1, 0) {
                out.append(try warmupStep(Double(t), decay, total, maxLR, minLR, initLR, w, ints))
            }
            return Array(out.prefix(n))
        case let .rex(total, maxLR, minLR):
            func f(_ t: Double) -> Double {
                if t >= total { return minLR }
                let progress = t / total
                return minLR + (maxLR - minLR) * ((1.0 - progress) / (1.0 - progress / 2.0))
            }
            let first = mistakes.contains(.rexConstructorStepForgotten) ? 0 : 1   // step_t after the constructor
            let lr0 = mistakes.contains(.constructorResetForgotten) ? try base() : minLR
            return (0..<n).map { k in k == 0 ? lr0 : f(Double(first + k - 1)) }
        case let .warmupRestarts(first, mult, maxLR0, minLR, w, gamma):
            let forgot = mistakes.contains(.constructorResetForgotten)
            let floor = forgot ? try base() : minLR   // base_lrs: [min_lr] after init_lr()
            var s = 0, cycle = 0, cur = first   // after the constructor's step
            func lr() -> Double {
                let maxLR = maxLR0 * Foundation.pow(gamma, Double(cycle))
                if s < w { return (maxLR - floor) * Double(s) / Double(w) + floor }
                return floor + (maxLR - floor) * (1 + cos(Double.pi * Double(s - w) / Double(cur - w))) / 2.0
            }
            var out = [forgot ? lr() : minLR]
            for _ in 0..<Swift.max(n - 1, 0) {
                s += 1
                if s >= cur {
                    cycle += 1
                    s -= cur
                    cur = Swift.max(1, try pyTrunc(Double(cur - w) * mult, callee)) + w
                }
                out.append(lr())
            }
            return Array(out.prefix(n))
        case let .chebyshev(numEpochs, isWarmup):
            let b = try base()
            if isWarmup { return Array(repeating: b * 1.0, count: n) }
            let table = try chebyshevTable(numEpochs)
            return (0..<n).map { k in
                var idx = mistakes.contains(.chebyshevIndexFromZero) ? k : k - 2
                if idx < 0 { idx = 0 } else if idx > table.count - 1 { idx = table.count - 1 }
                return b * table[idx]
            }
        case let .wsd(w, stable, d, r, cycles, cooldown):
            let b = try base()
            return (0..<n).map { b * wsdFactor(Double($0), w, stable, d, r, cycles, cooldown) }
        }
    }

    /// BaseLinearWarmupScheduler.step() at step_t = t.
    private func warmupStep(_ t: Double, _ decay: PytorchOptimizerLR.Decay, _ total: Double, _ maxLR: Double,
                            _ minLR: Double, _ initLR: Double, _ w: Double, _ ints: Bool) throws -> Double {
        if t < w {
            let tt = mistakes.contains(.warmupCountedFromOne) ? t + 1 : t
            return initLR + (maxLR - initLR) * tt / w
        }
        if t == w { return maxLR }
        if mistakes.contains(.heldAtMinAfterTMax) && t >= total && (decay == .linear || decay == .cosine) { return minLR }
        switch decay {
        case .linear:
            if total - w == 0 { throw zeroDivision("float division by zero", callee: callee) }
            return maxLR + (minLR - maxLR) * (t - w) / (total - w)
        case .cosine:
            if total - w == 0 { throw zeroDivision(ints ? "division by zero" : "float division by zero", callee: callee) }
            let phase = (t - w) / (total - w) * Double.pi
            return minLR + (maxLR - minLR) * (cos(phase) + 1.0) / 2.0
        case let .poly(p):
            if mistakes.contains(.polyNormalized) {
                return minLR + (maxLR - minLR) * Foundation.pow(Swift.max(0, 1 - (t - w) / (total - w)), p)
            }
            return minLR + (maxLR - minLR) * Foundation.pow(t - w, p)
        }
    }

    /// get_chebyshev_lr_lambda's table: get_chebyshev_perm_steps(2^(int(log2(num_epochs − 1)) + 1))
    /// (1 when num_epochs ≤ 1): the reciprocal nodes 1/(c − r·cos((i + ½)π/n)) on [0.05, 1], in the
    /// order of get_chebyshev_permutation(n − 2) (indices below n).
    func chebyshevTable(_ numEpochs: Double) throws -> [Double] {
        var n = 1
        if numEpochs > 1 {
            let e = try pyTrunc(Foundation.log2(numEpochs - 1), callee) + 1
            guard e <= 22 else {
                throw DescentError.unsupported("\(callee): num_epochs \(pyRepr(numEpochs)) needs 2^\(e) Chebyshev nodes; Descent handles up to 2^22")
            }
            n = 1 << e
        }
        let smallM = 0.05, bigM = 1.0
        let c = (bigM + smallM) / 2.0, r = (bigM - smallM) / 2.0
        let steps: [Double] = (0..<n).map { (i: Int) -> Double in
            let theta: Double = (Double(i) + 0.5) * Double.pi / Double(n)   // (arange(n) + 0.5)·π/n
            return 1.0 / (c - r * cos(theta))
        }
        if mistakes.contains(.chebyshevSorted) { return steps }
        var perm = [0]
        while perm.count < n - 2 {
            let l = perm.count
            perm = perm.flatMap { [$0, 2 * l - 1 - $0] }
        }
        return perm.filter { $0 < n }.map { steps[$0] }
    }

    /// get_wsd_scheduler_lambda(k).
    private func wsdFactor(_ k: Double, _ w: Double, _ s: Double, _ d: Double, _ r: Double, _ cycles: Double,
                           _ cooldown: String) -> Double {
        if k < w { return k / Swift.max(1, w) }
        if k < w + s { return 1.0 }
        if k < w + s + d {
            let floor = mistakes.contains(.wsdFloorInEveryCooldown)
            func floored(_ f: Double) -> Double { floor ? (1.0 - r) * f + r : f }
            switch cooldown {
            case "cosine":
                let progress = (k - w - s) / Swift.max(1, d)
                let value = Swift.max(0.0, 0.5 * (1.0 + cos(Double.pi * cycles * 2.0 * progress)))
                return (1.0 - r) * value + r
            case "1-sqrt": return floored(1.0 - ((k - w - s) / d).squareRoot())
            case "1-square": return floored(1.0 - Foundation.pow((k - w - s) / d, 2))
            case "linear": return floored(1.0 - (k - w - s) / d)
            default: break   // an unknown cooldown_type falls through to min_lr_ratio
            }
        }
        return r
    }
}

/// `ProportionScheduler(lr_scheduler, max_lr, min_lr=0.0, max_value=2.0, min_value=2.0)`:
/// value[k] after k rounds of `inner.step(); proportion.step()` (value[0] from its constructor's
/// step), min_value + (max_value − min_value)(lr − min_lr)/(max_lr − min_lr) of the inner
/// scheduler's last_lr[0] (or the group's lr when it keeps none), max_value when max_lr ≤ min_lr.
struct PytorchOptimizerProportion: Schedule {
    let inner: any Schedule
    let maxLR: Double, minLR: Double, maxValue: Double, minValue: Double
    let summary: String
    var readsGroupLR = false

    func innerLRs(count: Int) throws -> [Double] {
        if let own = inner as? PytorchOptimizerSchedule {
            var lrs = try own.groupLRs(count: count)
            if !readsGroupLR, let last = own.lastLRAfterConstruction, !lrs.isEmpty { lrs[0] = last }
            return lrs
        }
        return try inner.values(Double.self, count: count).lr
    }

    func values<T: DescentFloat>(_ type: T.Type, count: Int) throws -> ScheduleValues<T> {
        let v = try innerLRs(count: count).map { lr in
            maxLR > minLR ? minValue + (maxValue - minValue) * (lr - minLR) / (maxLR - minLR) : maxValue
        }
        return ScheduleValues(lr: v.map { T($0) })
    }
}
