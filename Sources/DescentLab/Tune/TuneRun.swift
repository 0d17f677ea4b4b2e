// TuneRun.swift — a tuning run: settings, trials, the round loop, shards and their merge.
//
// A report (JSON `descent-tune/1`) is a pure function of the settings and the trials, so a run
// split into shards (`--shard I/N`, round by round) and merged gives the same report as the
// unsharded run (wall times aside; `--no-timing` records them as 0 for byte comparisons).
import DescentCore
import DescentJSON
import Foundation

/// Everything that determines a run (shared by all its shards).
package struct TuneSettings: Sendable, Equatable {
    package init(objective: ObjectiveSpec, space: SearchSpace, strategy: Strategy, trials: Int, seed: UInt64, batch: Int = 1, initial: Int? = nil, earlyStopping: EarlyStopping = .none) {
        self.objective = objective
        self.space = space
        self.strategy = strategy
        self.trials = trials
        self.seed = seed
        self.batch = batch
        self.initial = initial
        self.earlyStopping = earlyStopping
    }

    package var objective: ObjectiveSpec
    package var space: SearchSpace
    package var strategy: Strategy
    package var trials: Int
    package var seed: UInt64
    /// Bayesian search: suggestions per round (constant liar).
    package var batch: Int = 1
    /// Bayesian search: size of the initial design (default max(2d+1, 5)).
    package var initial: Int?
    package var earlyStopping: EarlyStopping = .none

    package var json: JSON {
        var o: [(String, JSON)] = [("objective", objective.json), ("space", space.json), ("strategy", .string(strategy.rawValue)),
                                   ("trials", JSON(trials)), ("seed", JSON(Int(truncatingIfNeeded: seed))), ("batch", JSON(batch))]
        if let initial { o.append(("initial", JSON(initial))) }
        o.append(("early_stopping", .string(earlyStopping.rawValue)))
        return .object(o)
    }

    package static func from(_ j: JSON, file: String) throws -> TuneSettings {
        func bad(_ field: String) -> LabInputError { LabInputError(message: "\(file): settings.\(field) is missing or invalid") }
        guard let obj = j["objective"] else { throw bad("objective") }
        let objective = try ObjectiveSpec.from(obj, file: file)
        guard let dims = j["space"]?.arrayValue else { throw bad("space") }
        let specs = try dims.map { d -> String in
            guard let n = d["name"]?.stringValue, let s = d["spec"]?.stringValue else { throw bad("space") }
            return "\(n)=\(s)"
        }
        let space: SearchSpace
        do { space = try SearchSpace.parse(specs) } catch let e as ConfigurationError { throw LabInputError(message: "\(file): \(e.message)") }
        guard let st = j["strategy"]?.stringValue, let strategy = Strategy(rawValue: st) else { throw bad("strategy") }
        guard let trials = j["trials"]?.intValue, trials >= 1 else { throw bad("trials") }
        guard let seed = j["seed"]?.intValue else { throw bad("seed") }
        guard let batch = j["batch"]?.intValue, batch >= 1 else { throw bad("batch") }
        let initial = j["initial"]?.intValue
        guard let es = j["early_stopping"]?.stringValue, let early = EarlyStopping(rawValue: es) else { throw bad("early_stopping") }
        return TuneSettings(objective: objective, space: space, strategy: strategy, trials: trials, seed: UInt64(bitPattern: Int64(seed)),
                            batch: batch, initial: initial, earlyStopping: early)
    }
}

package enum EarlyStopping: String, Sendable, CaseIterable {
    /// Every trial runs to the end.
    case none
    /// Stop a trial when its best value so far is worse than the median of the earlier trials'
    /// values at the same step (Golovin et al. 2017, Google Vizier).
    case median
    /// Successive halving over rungs (Jamieson & Talwalkar 2016): a trial continues past a rung
    /// only when it is in the best 1/η of the trials that reached that rung (η = 3).
    case halving
}

/// A summary of a trial's learning curve (training objectives).
package struct CurveSummary: Sendable, Equatable {
    package var steps: [Int]
    package var values: [Double]
    package var json: JSON {
        .object([("points", JSON(steps.count)), ("first", JSON(values.first ?? .nan)), ("last", JSON(values.last ?? .nan)),
                 ("min", JSON(values.filter(\.isFinite).min() ?? .nan)), ("steps", .array(steps.map(JSON.init))),
                 ("values", JSON(values))])
    }
    package static func from(_ j: JSON) -> CurveSummary? {
        guard let s = j["steps"]?.arrayValue?.compactMap(\.intValue), let v = j["values"]?.arrayValue else { return nil }
        return CurveSummary(steps: s, values: v.map { $0.doubleValue ?? Double($0.stringValue ?? "nan") ?? .nan })
    }
}

package struct Trial: Sendable, Equatable {
    package var index: Int
    package var round: Int
    /// Warped unit coordinates (what the strategies see).
    package var unit: [Double]
    package var config: [(String, ParamValue)]
    /// The objective as reported (e.g. accuracy for test_accuracy).
    package var value: Double
    /// What the strategies minimise: value, or −value for maximised objectives.
    package var loss: Double
    /// Functions with noise: the noiseless value.
    package var trueValue: Double?
    package var curve: CurveSummary?
    package var wallTime: Double
    package var seed: UInt64
    /// "ok", or "stopped" (early stopping; value is the last one reached).
    package var status: String = "ok"

    package static func == (a: Trial, b: Trial) -> Bool {
        a.index == b.index && a.round == b.round && a.unit == b.unit && a.config.map(\.0) == b.config.map(\.0)
            && a.config.map(\.1) == b.config.map(\.1) && a.value.bitPattern == b.value.bitPattern && a.status == b.status
    }
}

/// The outcome of one evaluation.
package struct Evaluation: Sendable {
    package var value: Double
    package var trueValue: Double?
    package var curve: CurveSummary?
    package var status: String = "ok"
}

/// Anything `descent tune` can minimise (or maximise).
package protocol TuneObjective {
    /// Larger is better (test_accuracy).
    var maximize: Bool { get }
    /// The known optimum (test functions), for regret.
    var optimum: Double? { get }
    /// Runs one trial. `peers` are the earlier trials (for early stopping).
    func evaluate(_ config: [(String, ParamValue)], seed: UInt64, peers: [Trial], early: EarlyStopping) throws -> Evaluation
}

package enum TuneRunner {
    package struct Outcome {
        package var trials: [Trial]
        package var complete: Bool
        /// The round a shard ran (nil for a whole run).
        package var round: Int?
    }

    package static func trialSeed(_ seed: UInt64, _ index: Int) -> UInt64 {
        var r = SplitMix64(seed: seed ^ (UInt64(index) &* 0xA24B_AED4_963E_E407))
        return r.next() >> 11   // 53 bits: exact in JSON readers that use doubles
    }

    /// Runs rounds until the budget is spent; with a shard, runs only its slice of the next round.
    package static func run(settings: TuneSettings, objective: any TuneObjective, history: [Trial] = [], shard: (Int, Int)? = nil,
                    timing: Bool = true, progress: ((Trial) -> Void)? = nil) throws -> Outcome {
        var trials = history
        while true {
            let round = (trials.map(\.round).max() ?? -1) + 1
            let points = settings.strategy.proposals(round: round, history: trials, settings: settings)
            if points.isEmpty { return Outcome(trials: trials, complete: true, round: shard == nil ? nil : round) }
            let base = trials.count
            var new: [Trial] = []
            for (j, u) in points.enumerated() {
                if let (i, n) = shard, j % n != i { continue }
                let config = settings.space.config(at: u)
                let seed = trialSeed(settings.seed, base + j)
                let start = DispatchTime.now().uptimeNanoseconds
                let e = try objective.evaluate(config, seed: seed, peers: trials + new, early: settings.earlyStopping)
                let wall = timing ? Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 : 0
                let t = Trial(index: base + j, round: round, unit: u, config: config, value: e.value,
                              loss: objective.maximize ? -e.value : e.value, trueValue: e.trueValue, curve: e.curve,
                              wallTime: wall, seed: seed, status: e.status)
                progress?(t)
                new.append(t)
            }
            trials += new
            if shard != nil { return Outcome(trials: trials, complete: false, round: round) }
        }
    }

    /// Merges shard reports (and histories) into one run: checks that they belong to the same
    /// settings, that no trial disagrees, and that every round so far is whole.
    package static func merge(_ docs: [(file: String, report: TuneReport)]) throws -> TuneReport {
        guard let first = docs.first else { throw LabInputError(message: "tune merge: no files") }
        var byIndex: [Int: (Trial, String)] = [:]
        for (file, r) in docs {
            guard r.settings == first.report.settings else {
                throw LabInputError(message: "\(file): settings differ from \(first.file)'s (not shards of one run)")
            }
            for t in r.trials {
                if let (other, otherFile) = byIndex[t.index] {
                    guard other == t else {
                        throw LabInputError(message: "\(file): trial \(t.index) differs from the one in \(otherFile)")
                    }
                } else {
                    byIndex[t.index] = (t, file)
                }
            }
        }
        let trials = byIndex.keys.sorted().map { byIndex[$0]!.0 }
        for (k, t) in trials.enumerated() where t.index != k {
            throw LabInputError(message: "tune merge: trial \(k) is missing (a shard file of round \(t.round) not given?)")
        }
        let settings = first.report.settings
        // The last round must be whole: recompute its points from the earlier rounds.
        let lastRound = trials.map(\.round).max() ?? -1
        var complete = false
        if lastRound >= 0 {
            let earlier = trials.filter { $0.round < lastRound }
            let expected = settings.strategy.proposals(round: lastRound, history: earlier, settings: settings)
            let have = trials.filter { $0.round == lastRound }
            guard have.count == expected.count else {
                let missing = (0..<expected.count).map { earlier.count + $0 }.filter { i in !have.contains { $0.index == i } }
                throw LabInputError(message: "tune merge: round \(lastRound) has \(have.count) of its \(expected.count) trials "
                                     + "(missing \(missing.prefix(10).map(String.init).joined(separator: ", "))): give every shard's file")
            }
            for (t, u) in zip(have, expected) where t.unit != u {
                throw LabInputError(message: "tune merge: trial \(t.index) is not the point its round proposes (changed settings or version?)")
            }
            complete = settings.strategy.proposals(round: lastRound + 1, history: trials, settings: settings).isEmpty
        }
        return TuneReport(settings: settings, trials: trials, complete: complete, optimum: first.report.optimum,
                          maximize: first.report.maximize, shard: nil)
    }
}
