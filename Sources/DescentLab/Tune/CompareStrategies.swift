// CompareStrategies.swift — `descent tune --compare-strategies`: grid, random and bayes with the
// same budget over several seeds on test functions; the median (over seeds) regret of the best so
// far against the trial number, as a table (text / Markdown), JSON `descent-tune-compare/1` and a
// plot. Reference results (reference/tune/optuna_compare.py writes Optuna TPE's in the same
// format) join the table with --reference.
import DescentCore
import DescentJSON
import Foundation

package struct StrategyCurves: Sendable {
    package var strategy: String
    package var source: String
    /// regret of the best so far after each trial, per seed.
    package var regretSoFar: [[Double]]
    package var seeds: [Int]

    package var medianCurve: [Double] {
        guard let n = regretSoFar.map(\.count).min() else { return [] }
        return (0..<n).map { i in median(regretSoFar.map { $0[i] }) }
    }
    package var finalRegrets: [Double] { regretSoFar.map { $0.last ?? .nan } }

    package var json: JSON {
        .object([("strategy", .string(strategy)), ("source", .string(source)), ("seeds", .array(seeds.map(JSON.init))),
                 ("final_regret", JSON(finalRegrets)), ("median_final_regret", JSON(median(finalRegrets))),
                 ("median_regret_so_far", JSON(medianCurve)), ("regret_so_far", .array(regretSoFar.map(JSON.init)))])
    }
}

package struct FunctionComparison: Sendable {
    package var function: String
    package var dim: Int
    package var optimum: Double
    package var strategies: [StrategyCurves]

    package var json: JSON {
        .object([("function", .string(function)), ("dim", JSON(dim)), ("optimum", JSON(optimum)),
                 ("strategies", .array(strategies.map(\.json)))])
    }
}

package enum CompareStrategies {
    /// Runs every strategy on every function for every seed (seeds in parallel).
    package static func run(functions: [TestFunction], strategies: [Strategy], trials: Int, seeds: [Int],
                    progress: ((String) -> Void)? = nil) throws -> [FunctionComparison] {
        var out: [FunctionComparison] = []
        for f in functions {
            var curves: [StrategyCurves] = []
            for s in strategies {
                let start = Date()
                let settings = seeds.map { seed in
                    TuneSettings(objective: .function(name: f.name, dim: f.dim, noise: 0), space: f.space, strategy: s,
                                 trials: trials, seed: UInt64(seed))
                }
                let results = LockedValue([[Double]](repeating: [], count: seeds.count))
                let failure = LockedValue<String?>(nil)
                DispatchQueue.concurrentPerform(iterations: seeds.count) { k in
                    do {
                        let o = try TuneRunner.run(settings: settings[k], objective: FunctionObjective(function: f, noise: 0), timing: false)
                        let r = TuneReport(settings: settings[k], trials: o.trials, complete: o.complete, optimum: f.optimum,
                                           maximize: false, shard: nil)
                        results.update { $0[k] = r.regretSoFar ?? [] }
                    } catch { failure.update { $0 = "\(error)" } }
                }
                if let e = failure.get { throw LabInputError(message: "compare-strategies: \(e)") }
                curves.append(StrategyCurves(strategy: s.rawValue, source: "descent", regretSoFar: results.get, seeds: seeds))
                progress?(String(format: "%@ %@: %d seeds × %d trials in %.1f s", f.name, s.rawValue, seeds.count, trials,
                                 Date().timeIntervalSince(start)))
            }
            out.append(FunctionComparison(function: f.name, dim: f.dim, optimum: f.optimum, strategies: curves))
        }
        return out
    }

    /// Adds the strategies of a reference file (same format) to the matching functions.
    package static func addReference(_ text: String, file: String, to comparisons: inout [FunctionComparison]) throws {
        let j: JSON
        do { j = try JSON.parse(text) } catch { throw LabInputError(message: "\(file): not JSON: \(error)") }
        guard j["format"]?.stringValue == "descent-tune-compare/1", let fs = j["functions"]?.arrayValue else {
            throw LabInputError(message: "\(file): not a descent-tune-compare/1 document")
        }
        for fj in fs {
            guard let name = fj["function"]?.stringValue, let ss = fj["strategies"]?.arrayValue else {
                throw LabInputError(message: "\(file): functions[].function/strategies missing")
            }
            guard let k = comparisons.firstIndex(where: { $0.function == name }) else { continue }
            for sj in ss {
                guard let st = sj["strategy"]?.stringValue, let rs = sj["regret_so_far"]?.arrayValue else {
                    throw LabInputError(message: "\(file): \(name): strategies[].strategy/regret_so_far missing")
                }
                let curves = rs.map { ($0.arrayValue ?? []).map { $0.doubleValue ?? .nan } }
                comparisons[k].strategies.append(StrategyCurves(strategy: st, source: sj["source"]?.stringValue ?? file,
                                                                regretSoFar: curves,
                                                                seeds: sj["seeds"]?.arrayValue?.compactMap(\.intValue) ?? []))
            }
        }
    }

    package static func json(_ c: [FunctionComparison], trials: Int, seeds: [Int]) -> String {
        JSON.object([("format", .string("descent-tune-compare/1")), ("trials", JSON(trials)), ("seeds", .array(seeds.map(JSON.init))),
                     ("functions", .array(c.map(\.json)))]).serialized(pretty: true) + "\n"
    }

    package static func checkpoints(_ trials: Int) -> [Int] {
        var c = [1, 5, 10, 20, 30, 40, 60, 80, 100, 150, 200].filter { $0 < trials }
        c.append(trials)
        return c
    }

    /// One table per function: median regret of the best so far at checkpoints, per strategy.
    package static func table(_ c: [FunctionComparison], trials: Int, seeds: Int, markdown: Bool) -> String {
        var out = markdown ? "# Strategies compared\n\nMedian over \(seeds) seeds of the regret (best so far − optimum) after n trials; lower is better.\n\n"
            : "Strategies compared: median over \(seeds) seeds of the regret (best so far − optimum) after n trials\n\n"
        let cps = checkpoints(trials)
        for f in c {
            out += markdown ? "## \(f.function) (\(f.dim)-D, optimum \(TuneReport.fmt(f.optimum)))\n\n" : "\(f.function) (\(f.dim)-D, optimum \(TuneReport.fmt(f.optimum)))\n"
            let header = ["strategy"] + cps.map { "n=\($0)" } + ["source"]
            var rows: [[String]] = []
            for s in f.strategies {
                let m = s.medianCurve
                rows.append([s.strategy] + cps.map { $0 <= m.count ? TuneReport.fmt(m[$0 - 1]) : "" } + [s.source])
            }
            if markdown {
                out += "| " + header.joined(separator: " | ") + " |\n|" + header.map { _ in "---|" }.joined() + "\n"
                for r in rows { out += "| " + r.joined(separator: " | ") + " |\n" }
            } else {
                var w = header.map(\.count)
                for r in rows { for (i, x) in r.enumerated() { w[i] = max(w[i], x.count) } }
                func line(_ r: [String]) -> String { r.enumerated().map { $0.element.padding(toLength: w[$0.offset], withPad: " ", startingAt: 0) }.joined(separator: "  ") + "\n" }
                out += line(header) + rows.map(line).joined()
            }
            out += (markdown ? "\n" : "") + verdicts(f).map { (markdown ? "- " : "  ") + $0 + "\n" }.joined() + "\n"
        }
        return out
    }

    /// Plain statements comparing bayes with random and with any reference strategy.
    package static func verdicts(_ f: FunctionComparison) -> [String] {
        guard let b = f.strategies.first(where: { $0.strategy == "bayes" }) else { return [] }
        let mb = median(b.finalRegrets)
        var out: [String] = []
        for other in f.strategies where other.strategy != "bayes" {
            let mo = median(other.finalRegrets)
            let wins = zip(b.finalRegrets, other.finalRegrets).filter { $0 < $1 }.count
            out.append("bayes vs \(other.strategy): median final regret \(TuneReport.fmt(mb)) vs \(TuneReport.fmt(mo)) — "
                       + (mb < mo ? "bayes lower" : (mb == mo ? "equal" : "bayes HIGHER")) + "; bayes better on \(wins) of \(min(b.finalRegrets.count, other.finalRegrets.count)) seeds")
        }
        return out
    }
}
