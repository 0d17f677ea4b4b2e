// TuneReport.swift — the `descent-tune/1` report: JSON (every trial, the best, best-so-far),
// text and Markdown (trials ranked), and reading it back (for `descent tune merge`).
import DescentCore
import DescentJSON
import Foundation

package struct TuneReport {
    package init(settings: TuneSettings, trials: [Trial], complete: Bool, optimum: Double? = nil, maximize: Bool, shard: (index: Int, count: Int, round: Int)? = nil) {

        self.settings = settings

        self.trials = trials

        self.complete = complete

        self.optimum = optimum

        self.maximize = maximize

        self.shard = shard

    }

    package var settings: TuneSettings
    package var trials: [Trial]
    package var complete: Bool
    package var optimum: Double?
    package var maximize: Bool
    /// Set in a shard's file: which slice of which round it holds.
    package var shard: (index: Int, count: Int, round: Int)?

    package var best: Trial? {
        trials.filter { $0.loss.isFinite }.min { ($0.loss, $0.index) < ($1.loss, $1.index) }
    }

    package func regret(_ t: Trial) -> Double? { optimum.map { (t.trueValue ?? t.value) - $0 } }

    /// Best value so far after each trial (in the objective's own direction; NaN before any finite one).
    package var bestSoFar: [Double] {
        var out: [Double] = []
        var b: Trial?
        for t in trials.sorted(by: { $0.index < $1.index }) {
            if t.loss.isFinite, b == nil || t.loss < b!.loss { b = t }
            out.append(b?.value ?? .nan)
        }
        return out
    }

    /// Regret of the best-so-far trial after each trial (functions).
    package var regretSoFar: [Double]? {
        guard optimum != nil else { return nil }
        var out: [Double] = []
        var b: Trial?
        for t in trials.sorted(by: { $0.index < $1.index }) {
            if t.loss.isFinite, b == nil || t.loss < b!.loss { b = t }
            out.append(b.flatMap(regret) ?? .nan)
        }
        return out
    }

    package static func configJSON(_ c: [(String, ParamValue)]) -> JSON { .object(c.map { ($0.0, $0.1.json) }) }

    package func trialJSON(_ t: Trial) -> JSON {
        var o: [(String, JSON)] = [("index", JSON(t.index)), ("round", JSON(t.round)), ("config", TuneReport.configJSON(t.config)),
                                   ("value", JSON(t.value))]
        if let tv = t.trueValue { o.append(("true_value", JSON(tv))) }
        if let r = regret(t) { o.append(("regret", JSON(r))) }
        o.append(("status", .string(t.status)))
        o.append(("curve", t.curve?.json ?? .null))
        o += [("wall_time_s", JSON(t.wallTime)), ("seed", JSON(Int(t.seed))), ("unit", JSON(t.unit))]
        return .object(o)
    }

    package var json: String {
        var o: [(String, JSON)] = [("format", .string("descent-tune/1")), ("settings", settings.json),
                                   ("direction", .string(maximize ? "maximize" : "minimize"))]
        if let optimum { o.append(("optimum", JSON(optimum))) }
        o.append(("complete", .bool(complete)))
        if let s = shard {
            o.append(("shard", .object([("index", JSON(s.index)), ("count", JSON(s.count)), ("round", JSON(s.round))])))
        }
        o.append(("trials", .array(trials.map(trialJSON))))
        if let b = best {
            var bo: [(String, JSON)] = [("index", JSON(b.index)), ("config", TuneReport.configJSON(b.config)), ("value", JSON(b.value))]
            if let r = regret(b) { bo.append(("regret", JSON(r))) }
            o.append(("best", .object(bo)))
        } else {
            o.append(("best", .null))
        }
        o.append(("best_so_far", JSON(bestSoFar)))
        if let r = regretSoFar { o.append(("regret_so_far", JSON(r))) }
        return JSON.object(o).serialized(pretty: true) + "\n"
    }

    package static func parse(_ text: String, file: String) throws -> TuneReport {
        let j: JSON
        do { j = try JSON.parse(text) } catch { throw LabInputError(message: "\(file): not JSON: \(error)") }
        guard j["format"]?.stringValue == "descent-tune/1" else {
            throw LabInputError(message: "\(file): format is not descent-tune/1")
        }
        guard let s = j["settings"] else { throw LabInputError(message: "\(file): settings missing") }
        let settings = try TuneSettings.from(s, file: file)
        guard let ts = j["trials"]?.arrayValue else { throw LabInputError(message: "\(file): trials missing") }
        func num(_ v: JSON?) -> Double? {
            guard let v else { return nil }
            if let d = v.doubleValue { return d }
            if let s = v.stringValue { return ["NaN": .nan, "Infinity": .infinity, "-Infinity": -.infinity][s] }
            return nil
        }
        let maximize = j["direction"]?.stringValue == "maximize"
        var trials: [Trial] = []
        for (k, t) in ts.enumerated() {
            func bad(_ f: String) -> LabInputError { LabInputError(message: "\(file): trials[\(k)].\(f) is missing or invalid") }
            guard let index = t["index"]?.intValue else { throw bad("index") }
            guard let round = t["round"]?.intValue else { throw bad("round") }
            guard let unit = t["unit"]?.arrayValue?.compactMap(\.doubleValue), unit.count == settings.space.d else { throw bad("unit") }
            guard let value = num(t["value"]) else { throw bad("value") }
            guard let seed = t["seed"]?.intValue else { throw bad("seed") }
            let config = settings.space.config(at: unit)
            trials.append(Trial(index: index, round: round, unit: unit, config: config, value: value, loss: maximize ? -value : value,
                                trueValue: num(t["true_value"]), curve: t["curve"].flatMap(CurveSummary.from),
                                wallTime: num(t["wall_time_s"]) ?? 0, seed: UInt64(seed), status: t["status"]?.stringValue ?? "ok"))
        }
        var shard: (Int, Int, Int)?
        if let sh = j["shard"], let i = sh["index"]?.intValue, let n = sh["count"]?.intValue, let r = sh["round"]?.intValue { shard = (i, n, r) }
        return TuneReport(settings: settings, trials: trials, complete: j["complete"]?.boolValue ?? false,
                          optimum: num(j["optimum"]), maximize: maximize, shard: shard)
    }

    package static func fmt(_ v: Double) -> String {
        if v.isNaN { return "NaN" }
        if v == 0 { return "0" }
        return abs(v) >= 1e-3 && abs(v) < 1e5 ? String(format: "%.6g", v) : String(format: "%.3e", v)
    }

    package func configText(_ c: [(String, ParamValue)]) -> String { c.map { "\($0.0)=\($0.1.description)" }.joined(separator: " ") }

    package var header: String {
        "descent tune: \(settings.objective.label), strategy \(settings.strategy.rawValue), \(trials.count)/\(settings.trials) trials, seed \(settings.seed)"
            + (settings.strategy == .bayes && settings.batch > 1 ? ", \(settings.batch) per round" : "")
            + (settings.earlyStopping == .none ? "" : ", early stopping: \(settings.earlyStopping.rawValue)")
    }

    package var ranked: [Trial] {
        trials.sorted { a, b in
            if a.loss.isNaN != b.loss.isNaN { return !a.loss.isNaN }
            return (a.loss, a.index) < (b.loss, b.index)
        }
    }

    package func text(limit: Int = 10) -> String {
        var out = header + "\n"
        if !complete { out += "INCOMPLETE: run the next round with --history (this file) and merge again\n" }
        if let b = best {
            out += "best: value \(TuneReport.fmt(b.value))"
            if let r = regret(b) { out += " (regret \(TuneReport.fmt(r)), optimum \(TuneReport.fmt(optimum!)))" }
            out += " at \(configText(b.config)) (trial \(b.index))\n"
        } else {
            out += "best: none (no finite value)\n"
        }
        out += "\nrank  trial  round  value         config\n"
        for (k, t) in ranked.prefix(limit).enumerated() {
            out += String(format: "%4d  %5d  %5d  ", k + 1, t.index, t.round) + TuneReport.fmt(t.value).padding(toLength: 12, withPad: " ", startingAt: 0)
                + "  " + configText(t.config) + (t.status == "ok" ? "" : " [\(t.status)]") + "\n"
        }
        if trials.count > limit { out += "… \(trials.count - limit) more (--format markdown ranks them all)\n" }
        return out
    }

    package var markdown: String {
        var out = "# Tuning: \(settings.objective.label)\n\n" + header + "\n\n"
        if !complete { out += "**Incomplete** (a shard or an unfinished round): merge all shards.\n\n" }
        out += "Space: " + settings.space.dimensions.map { "`\($0.name)=\($0.spec)`" }.joined(separator: ", ") + "\n\n"
        if let b = best {
            out += "Best: **\(TuneReport.fmt(b.value))**" + (regret(b).map { " (regret \(TuneReport.fmt($0)))" } ?? "")
                + " at `\(configText(b.config))` (trial \(b.index)).\n\n"
        }
        let names = settings.space.dimensions.map(\.name)
        out += "| rank | trial | round | value |" + (optimum != nil ? " regret |" : "") + names.map { " \($0) |" }.joined()
            + " status | wall time (s) |\n"
        out += "|---:|---:|---:|---:|" + (optimum != nil ? "---:|" : "") + names.map { _ in "---:|" }.joined() + "---|---:|\n"
        for (k, t) in ranked.enumerated() {
            out += "| \(k + 1) | \(t.index) | \(t.round) | \(TuneReport.fmt(t.value)) |" + (regret(t).map { " \(TuneReport.fmt($0)) |" } ?? "")
                + t.config.map { " \($0.1.description) |" }.joined() + " \(t.status) | \(String(format: "%.3f", t.wallTime)) |\n"
        }
        return out
    }
}
