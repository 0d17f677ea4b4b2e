// EarlyStopping.swift — `descent tune --early-stopping median|halving`: stopping poor training
// trials at an evaluation, judged against the trials run before them (Optuna's rules, with its
// defaults):
//
//   median   MedianPruner(n_startup_trials=5, n_warmup_steps=0): once 5 trials have finished
//            without being stopped, a trial stops at an evaluation when its best value so far is
//            worse than the median of those trials' values at the same step (Golovin et al. 2017).
//   halving  SuccessiveHalvingPruner(reduction_factor=3, min_early_stopping_rate=0), asynchronous:
//            rungs at r·3ᵏ steps, r the first evaluation step; at a rung a trial goes on only when
//            its value is among the best ⌊n/3⌋ of the n values recorded there by every trial so
//            far, itself included (the best one while n < 3) (Jamieson & Talwalkar 2016; Li et al.
//            2020).
//
// The value is the one the trial's curve records: test accuracy for `--objective test_accuracy`
// (larger is better), the test loss otherwise. A stopped trial keeps the value it had then, and its
// status says why; the Bayesian and grid strategies see that value like any other.
import DescentCore
import Foundation

extension EarlyStopping {
    package static let startupTrials = 5
    package static let reductionFactor = 3
    package static let stoppedPrefix = "stopped early"

    /// A rule's decision at one evaluation of the running trial: the reason to stop, or nil.
    /// `history` holds this trial's (step, value) points so far, the current one last; `peers`
    /// the trials run before it.
    package func decide(history: [(step: Int, value: Double)], peers: [Trial], maximize: Bool, what: String) -> String? {
        guard let (step, value) = history.last, step > 0 else { return nil }
        // Compare in the minimising sense.
        func loss(_ v: Double) -> Double { maximize ? -v : v }
        func show(_ l: Double) -> String { String(format: "%.6g", maximize ? -l : l) }
        func peerValue(_ t: Trial, at s: Int) -> Double? {
            guard let c = t.curve, let i = c.steps.firstIndex(of: s), i < c.values.count, c.values[i].isFinite else { return nil }
            return loss(c.values[i])
        }
        switch self {
        case .none:
            return nil
        case .median:
            let finished = peers.filter { !$0.status.hasPrefix(Self.stoppedPrefix) }
            guard finished.count >= Self.startupTrials else { return nil }
            let best = history.map { loss($0.value) }.reduce(Double.infinity) { $0.isNaN || $1.isNaN ? .nan : Swift.min($0, $1) }
            let there = finished.compactMap { peerValue($0, at: step) }.sorted()
            guard !there.isEmpty else { return nil }
            let median = DescentCore.median(sorted: there)
            if best.isNaN {
                return "\(Self.stoppedPrefix) (median rule) at step \(step): the \(what) is NaN"
            }
            guard best > median else { return nil }
            return "\(Self.stoppedPrefix) (median rule) at step \(step): best \(what) so far \(show(best)) is worse than the median "
                + "\(show(median)) of \(there.count) earlier finished trial\(there.count == 1 ? "" : "s") there"
        case .halving:
            let first = history.first { $0.step > 0 }!.step
            var rung = first, k = 0
            while rung < step { rung *= Self.reductionFactor; k += 1 }
            guard rung == step else { return nil }
            let mine = loss(value)
            if mine.isNaN { return "\(Self.stoppedPrefix) (successive halving) at rung \(k), step \(step): the \(what) is NaN" }
            let competing = (peers.compactMap { peerValue($0, at: step) } + [mine]).sorted()
            let keep = Swift.max(competing.count / Self.reductionFactor, 1)
            guard mine > competing[keep - 1] else { return nil }
            return "\(Self.stoppedPrefix) (successive halving) at rung \(k), step \(step): \(what) \(show(mine)) is not among the best "
                + "\(keep) of the \(competing.count) value\(competing.count == 1 ? "" : "s") recorded there"
        }
    }
}
