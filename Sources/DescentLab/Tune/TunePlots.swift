// TunePlots.swift — SVG plots of a tuning run (the metric against each hyperparameter, log axes for
// log dimensions; best so far against the trial number) and of a strategy comparison (median
// regret of the best so far against the trial number, log y). Written whole (AtomicWrite).
import DescentCore
import Foundation

package enum TunePlots {
    package static func slug(_ s: String) -> String { String(s.map { $0.isLetter || $0.isNumber || $0 == "-" ? $0 : "_" }) }

    /// Writes DIR/tune-<dim>.svg for every numeric dimension and DIR/tune-best.svg; returns the paths.
    package static func write(_ report: TuneReport, dir: String, prefix: String = "tune") throws -> [String] {
        var written: [String] = []
        let metric = report.optimum != nil ? "value" : report.settings.objective.metricName
        let finite = report.trials.filter { $0.value.isFinite }
        // Positive values on a log axis when they span more than a decade (a linear axis would
        // bury the best ones at the bottom).
        let values = finite.map(\.value)
        let logY = (values.min() ?? 0) > 0 && (values.max() ?? 1) / max(values.min() ?? 1, 1e-300) > 10
        for (k, dim) in report.settings.space.dimensions.enumerated() {
            var plot = Plot(title: "\(metric) against \(dim.name) (\(report.settings.strategy.rawValue), \(report.trials.count) trials)",
                            xLabel: dim.name + (dim.isLog ? " (log)" : ""), yLabel: metric,
                            xScale: dim.isLog ? .log : .linear, yScale: logY ? .log : .linear)
            if case let .choice(vals) = dim.kind, vals.contains(where: { $0.double == nil }) {
                // Text choices: plot against the choice's index.
                plot.xLabel = dim.name + " (" + vals.map(\.description).joined(separator: ", ") + " = 0…\(vals.count - 1))"
                let xs = finite.map { t in Double(vals.firstIndex(of: t.config[k].1) ?? 0) }
                plot.add(Plot.Series("trials", x: xs, y: finite.map(\.value), style: .points))
            } else {
                plot.add(Plot.Series("trials", x: finite.map { $0.config[k].1.double ?? .nan }, y: finite.map(\.value), style: .points))
            }
            if let b = report.best {
                // The best trial, ringed and labelled over every other point.
                let bx: Double
                if case let .choice(vals) = dim.kind, vals.contains(where: { $0.double == nil }) {
                    bx = Double(vals.firstIndex(of: b.config[k].1) ?? 0)
                } else {
                    bx = b.config[k].1.double ?? .nan
                }
                plot.highlights.append((bx, b.value, "best: trial \(b.index)"))
            }
            let path = "\(dir)/\(prefix)-\(slug(dim.name)).svg"
            try AtomicWrite.write(plot.svg(), to: path)
            written.append(path)
        }
        let regret = report.regretSoFar
        var best = Plot(title: (regret != nil ? "regret of the best so far" : "best \(metric) so far") + " (\(report.settings.strategy.rawValue))",
                        xLabel: "trial", yLabel: regret != nil ? "regret (best − optimum)" : metric,
                        yScale: regret != nil && (regret!.filter { $0 > 0 }.count == regret!.count) ? .log : .linear)
        let ys = regret ?? report.bestSoFar
        best.add(Plot.Series(report.settings.strategy.rawValue, x: (1...max(ys.count, 1)).map(Double.init).prefix(ys.count).map { $0 },
                             y: ys, style: .step))
        let path = "\(dir)/\(prefix)-best.svg"
        try AtomicWrite.write(best.svg(), to: path)
        written.append(path)
        return written
    }

    /// DIR/compare-<function>.svg: median regret of the best so far per strategy.
    package static func writeComparison(_ c: [FunctionComparison], dir: String) throws -> [String] {
        var written: [String] = []
        for f in c {
            let allPositive = f.strategies.allSatisfy { $0.medianCurve.allSatisfy { $0 > 0 } }
            var plot = Plot(title: "\(f.function) (\(f.dim)-D): median regret of the best so far, \(f.strategies.first?.seeds.count ?? 0) seeds",
                            xLabel: "trial", yLabel: "median regret", yScale: allPositive ? .log : .linear)
            for s in f.strategies {
                let m = s.medianCurve
                plot.add(Plot.Series(s.strategy, x: (0..<m.count).map { Double($0 + 1) }, y: m, style: .step))
            }
            let path = "\(dir)/compare-\(slug(f.function)).svg"
            try AtomicWrite.write(plot.svg(), to: path)
            written.append(path)
        }
        return written
    }
}

extension ObjectiveSpec {
    package var metricName: String {
        switch self {
        case .function: return "value"
        case let .training(_, _, m): return m
        }
    }
}
