// Claims.swift — the course's claims about tuning as experiments (`descent claims`), each with its
// measured numbers, a plot and a verdict decided by a stated rule from those numbers.
//   a random vs grid with an unimportant dimension     e L2 = weight decay for SGD, not for Adam
//   b Adam less lr-sensitive than SGD (flatness)       f momentum: √κ instead of κ steps
//   c warmup + decay vs constant at the tuned peak     g ridge: XᵀX + λI invertible, GD at the predicted rate
//   d optimal lr vs batch size, critical batch size
import DescentCore
import DescentJSON
import Foundation

package struct ClaimsOptions {
    package init(quick: Bool, fixtures: String, dir: String) {

        self.quick = quick

        self.fixtures = fixtures

        self.dir = dir

    }

    package var quick: Bool
    package var fixtures: String
    package var dir: String
}

package enum Claims {
    package static func run(_ o: ClaimsOptions, only: Set<String>? = nil, progress: ((String) -> Void)? = nil) throws -> [ClaimResult] {
        let all: [(String, (ClaimsOptions) throws -> ClaimResult)] = [
            ("a", claimA), ("b", claimB), ("c", claimC), ("d", claimD), ("e", claimE), ("f", claimF), ("g", claimG),
        ]
        var out: [ClaimResult] = []
        for (id, f) in all where only?.contains(id) ?? true {
            let t0 = Date()
            out.append(try f(o))
            progress?(String(format: "claim %@: %.1f s — %@", id, Date().timeIntervalSince(t0), out.last!.verdict))
        }
        return out
    }

    package static func save(_ plot: Plot, _ name: String, _ o: ClaimsOptions) throws -> String {
        try AtomicWrite.write(plot.svg(), to: "\(o.dir)/\(name)")
        return name
    }

    // MARK: a. Random search beats grid when one of two hyperparameters is unimportant.

    package static func claimA(_ o: ClaimsOptions) throws -> ClaimResult {
        // h(x1) = the 1-D Levy function on [−10, 10] (minimum 0 at x1 = 1); x2 ∈ [0, 1] is ignored.
        let levy = TestFunction.make("levy", 1)
        let f = { (u: [Double]) in levy([-10 + 20 * u[0]]) }
        let seeds = o.quick ? 20 : 100
        let budgets = [4, 9, 16, 25, 36, 49, 64]
        var gridRegret: [Double] = [], randomMedian: [Double] = [], wins: [Int] = []
        for n in budgets {
            let k = Int(Double(n).squareRoot().rounded())
            var g = Double.infinity
            for i in 0..<k { for j in 0..<k { g = min(g, f([(Double(i) + 0.5) / Double(k), (Double(j) + 0.5) / Double(k)])) } }
            gridRegret.append(g)
            var rs: [Double] = []
            for s in 0..<seeds {
                var r = SplitMix64(seed: 0xA11 &+ UInt64(s) &* 7919 &+ UInt64(n))
                rs.append((0..<n).map { _ in f(r.unitPoint(2)) }.min()!)
            }
            randomMedian.append(median(rs))
            wins.append(rs.filter { $0 < g }.count)
        }
        let i16 = budgets.firstIndex(of: 16)!
        var plot = Plot(title: "a. one important + one unimportant dimension: best regret vs budget", xLabel: "trials (grid k×k)",
                        yLabel: "regret of the best trial", xScale: .log, yScale: .log)
        plot.add(Plot.Series("grid (k×k cell centres)", x: budgets.map(Double.init), y: gridRegret.map { max($0, 1e-12) }, style: .linePoints))
        plot.add(Plot.Series("random (median of \(seeds) seeds)", x: budgets.map(Double.init), y: randomMedian.map { max($0, 1e-12) }, style: .linePoints))
        let holdsAt = budgets.indices.filter { randomMedian[$0] < gridRegret[$0] }
        let verdict = holdsAt.count == budgets.count ? "holds: random's median regret is below grid's at every budget (\(budgets.map(String.init).joined(separator: ", ")))"
            : holdsAt.isEmpty ? "does not hold at these budgets"
            : "holds only at budgets \(holdsAt.map { String(budgets[$0]) }.joined(separator: ", ")) of \(budgets.map(String.init).joined(separator: ", ")) (grid can land near the optimum by luck of its cell centres)"
        return ClaimResult(id: "a", claim: "Random search beats grid search when one of two hyperparameters does not matter.",
                           experiment: "f(x1, x2) = Levy(x1) on [−10, 10] (minimum 0 at x1 = 1), x2 ignored. Same budget n = k²: a k×k grid of cell centres (k distinct x1 values) against n uniform random points (n distinct x1 values), \(seeds) seeds.",
                           numbers: [("budgets", .array(budgets.map(JSON.init))), ("grid_regret", JSON(gridRegret)),
                                     ("random_median_regret", JSON(randomMedian)), ("random_wins_of_seeds", .array(wins.map(JSON.init))),
                                     ("seeds", JSON(seeds)), ("distinct_x1_at_16", .object([("grid", JSON(4)), ("random", JSON(16))]))],
                           verdict: verdict, plots: [try save(plot, "claims-a-random-vs-grid.svg", o)],
                           table: "at 16 trials: grid regret \(ClaimKit.f(gridRegret[i16])), random median \(ClaimKit.f(randomMedian[i16])) (random better on \(wins[i16])/\(seeds) seeds)")
    }

    // MARK: b. Adam is less sensitive to the learning rate than SGD.

    package static func claimB(_ o: ClaimsOptions) throws -> ClaimResult {
        let lrs = ClaimKit.logGrid(1e-4, 10, perDecade: o.quick ? 3 : 6)
        let opts: [(String, String, String, [(String, JSON)])] = [("SGD", "torch", "SGD", []), ("Adam", "torch", "Adam", [])]
        // Problems: an ill-conditioned quadratic, Rosenbrock, and an MLP on digits.
        let kappa = 100.0, d = 10
        let lambdas = (0..<d).map { pow(kappa, Double($0) / Double(d - 1)) }
        let quad = { (x: [Double]) -> (Double, [Double]) in
            (0.5 * zip(lambdas, x).reduce(0) { $0 + $1.0 * $1.1 * $1.1 }, zip(lambdas, x).map { $0 * $1 })
        }
        let rosen = { (x: [Double]) -> (Double, [Double]) in
            let (a, b) = (x[0], x[1])
            return (100 * (b - a * a) * (b - a * a) + (1 - a) * (1 - a), [-400 * a * (b - a * a) - 2 * (1 - a), 200 * (b - a * a)])
        }
        var problems: [(String, (Double, String, String, [(String, JSON)]) throws -> Double)] = [
            ("quadratic κ=100 (200 steps)", { lr, c, n, hp in try ClaimKit.minimise(quad, x0: Array(repeating: 1, count: d), convention: c, name: n, hp: hp, lr: lr, steps: 200).last! }),
            ("Rosenbrock from (−1.2, 1) (500 steps)", { lr, c, n, hp in try ClaimKit.minimise(rosen, x0: [-1.2, 1], convention: c, name: n, hp: hp, lr: lr, steps: 500).last! }),
        ]
        let data = try ClaimKit.digits(o.fixtures)
        let mlpSteps = o.quick ? 100 : 600
        problems.append(("MLP 64-32-10 on digits (\(mlpSteps) steps, train loss)", { lr, c, n, hp in
            let box = try ClaimKit.stepper(c, n, hp + [("lr", JSON(lr))], shapes: try MLPSpec(sizes: [64, 32, 10], activation: .relu, loss: .crossEntropy).parameterShapes)
            let r = try ClaimKit.trainMLP(data: data, sizes: [64, 32, 10], box: box, lr: lr, steps: mlpSteps, batch: 64, seed: 0)
            return r.trainLoss.isFinite ? r.trainLoss : .nan
        }))
        var numbers: [(String, JSON)] = [("lrs", JSON(lrs))]
        var plots: [String] = []
        var adamFlatter = 0
        var lines: [String] = []
        for (k, (pname, run)) in problems.enumerated() {
            var plot = Plot(title: "b. final loss vs lr: \(pname)", xLabel: "lr", yLabel: "final loss", xScale: .log, yScale: .log)
            var flat: [String: Double] = [:]
            var pn: [(String, JSON)] = []
            for (label, c, n, hp) in opts {
                let losses = try lrs.map { lr -> Double in let v = try run(lr, c, n, hp); return v.isFinite && v < 1e30 ? v : .nan }
                let fl = ClaimKit.flatness(lrs: lrs, losses: losses)
                let f2 = ClaimKit.flatness(lrs: lrs, losses: losses, within: 1)
                flat[label] = fl.decades
                pn.append((label, .object([("final_loss", JSON(losses)), ("flat_decades", JSON(fl.decades)),
                                           ("flat_decades_within_2x", JSON(f2.decades)), ("best_lr", JSON(lrs[fl.best]))])))
                plot.add(Plot.Series("\(label) (flat \(String(format: "%.1f", fl.decades)) decades)", x: lrs, y: losses.map { $0 > 0 ? $0 : .nan }, style: .linePoints))
            }
            // A diverged run (non-finite, or above 100× the worst loss at the smallest lr, about
            // the starting loss) is a mark at the top edge, not the axis's range.
            let start = plot.series.compactMap { $0.y.first(where: \.isFinite) }.max() ?? 1
            let cap = 100 * start
            let kept = plot.series.flatMap(\.y).filter { $0.isFinite && $0 > 0 && $0 <= cap }
            if let lo = kept.min(), plot.series.contains(where: { $0.y.contains { !$0.isFinite || $0 > cap } }) {
                plot.yRange = (lo / 3)...(cap * 3)
                plot.beyondNote = "▲ diverged: final loss above \(ClaimKit.f(cap)) (100× the loss at the smallest lr) or not finite"
                for j in plot.series.indices { plot.series[j].y = plot.series[j].y.map { $0.isFinite ? $0 : .greatestFiniteMagnitude } }
            }
            if flat["Adam"]! > flat["SGD"]! { adamFlatter += 1 }
            lines.append("\(pname): flatness Adam \(String(format: "%.2f", flat["Adam"]!)) vs SGD \(String(format: "%.2f", flat["SGD"]!)) decades")
            numbers.append((pname, .object(pn)))
            plots.append(try save(plot, "claims-b-lr-sensitivity-\(k).svg", o))
        }
        let verdict = adamFlatter == problems.count ? "holds on all \(problems.count) problems: Adam's within-10 % lr interval is wider"
            : adamFlatter == 0 ? "does not hold on these problems" : "holds on \(adamFlatter) of \(problems.count) problems only: " + lines.joined(separator: "; ")
        return ClaimResult(id: "b", claim: "Adam is less sensitive to the learning rate than SGD.",
                           experiment: "Final loss against lr on a log grid (\(lrs.count) values, 10⁻⁴…10) for torch SGD and torch Adam (defaults otherwise) on three problems; flatness = width in decades of the contiguous lr interval around the best whose loss is within 10 % of the best (ends interpolated, log loss linear in log lr; the numbers also give the width within 2× of the best).",
                           numbers: numbers, verdict: verdict, plots: plots, table: lines.joined(separator: "\n"))
    }

    // MARK: c. Warmup + a decreasing schedule beats a constant lr at the same tuned peak.

    package static func claimC(_ o: ClaimsOptions) throws -> ClaimResult {
        let data = try ClaimKit.digits(o.fixtures)
        var base = TrainConfig()
        base.sizes = [64, 64, 10]
        base.steps = o.quick ? 200 : 1200
        base.implementation = "vectorized"
        base.dtype = .float64
        base.targetAccuracy = nil
        base.optimizer = Call(convention: "torch", name: "SGD", arguments: [("momentum", JSON(0.9))])
        let peaks = ClaimKit.logGrid(1e-2, 1, perDecade: o.quick ? 2 : 3)
        let seeds: [UInt64] = o.quick ? [0, 1, 2] : [0, 1, 2, 3, 4]
        func run(_ lr: Double, schedule: Bool, seed: UInt64) throws -> Double {
            var c = base
            c.seed = seed
            c.optimizer.arguments.append(("lr", JSON(lr)))
            if schedule {
                c.warmup = c.steps! / 10
                c.schedule = Call(convention: "torch", name: "CosineAnnealingLR", arguments: [("T_max", JSON(c.steps! - c.warmup))])
            }
            let r = try Trainer.run(c, data: data)
            return r.finalTestLoss.isFinite ? r.finalTestLoss : .nan
        }
        // Tune the constant lr's peak (seed 0), then use that peak for both.
        let constLosses = try peaks.map { try run($0, schedule: false, seed: 0) }
        let best = constLosses.indices.filter { constLosses[$0].isFinite }.min { constLosses[$0] < constLosses[$1] }!
        let peak = peaks[best]
        let schedLossesAtPeaks = try peaks.map { try run($0, schedule: true, seed: 0) }
        let constant = try seeds.map { try run(peak, schedule: false, seed: $0) }
        let scheduled = try seeds.map { try run(peak, schedule: true, seed: $0) }
        let wins = zip(scheduled, constant).filter { $0 < $1 }.count
        var plot = Plot(title: "c. final test loss vs peak lr (SGD momentum 0.9, digits, \(base.steps!) steps)", xLabel: "peak lr",
                        yLabel: "final test loss", xScale: .log, yScale: .log)
        plot.add(Plot.Series("constant", x: peaks, y: constLosses, style: .linePoints))
        plot.add(Plot.Series("warmup 10 % + cosine", x: peaks, y: schedLossesAtPeaks, style: .linePoints))
        let mc = median(constant), ms = median(scheduled)
        let bestSched = schedLossesAtPeaks.filter(\.isFinite).min() ?? .nan
        let verdict = ms < mc
            ? "holds: at the constant lr's tuned peak \(ClaimKit.f(peak)), warmup + cosine reaches median test loss \(ClaimKit.f(ms)) vs \(ClaimKit.f(mc)) (better on \(wins)/\(seeds.count) seeds)"
            : "does not hold at the constant lr's tuned peak \(ClaimKit.f(peak)): median test loss \(ClaimKit.f(ms)) (schedule) vs \(ClaimKit.f(mc)) (constant)"
                + (bestSched < constLosses[best] ? "; the schedule wins only when its own peak is tuned (best \(ClaimKit.f(bestSched)))" : "")
        return ClaimResult(id: "c", claim: "A monotonically decreasing schedule with warmup beats a constant lr at the same tuned peak.",
                           experiment: "MLP 64-64-10 on digits, torch SGD momentum 0.9, batch 64, \(base.steps!) steps, float64. The constant lr is tuned over \(peaks.count) peaks (seed 0); at that peak, linear warmup over 10 % of the steps then CosineAnnealingLR to 0 is compared with the constant lr over \(seeds.count) seeds (initialisation and batch order).",
                           numbers: [("peaks", JSON(peaks)), ("constant_test_loss_by_peak", JSON(constLosses)), ("scheduled_test_loss_by_peak", JSON(schedLossesAtPeaks)),
                                     ("tuned_peak", JSON(peak)), ("constant_test_loss_by_seed", JSON(constant)), ("scheduled_test_loss_by_seed", JSON(scheduled)),
                                     ("median_constant", JSON(mc)), ("median_scheduled", JSON(ms))],
                           verdict: verdict, plots: [try save(plot, "claims-c-warmup-cosine.svg", o)])
    }

    // MARK: d. The optimal lr grows about linearly with the batch size, up to a critical batch size.

    package static func claimD(_ o: ClaimsOptions) throws -> ClaimResult {
        let data = try ClaimKit.digits(o.fixtures)
        let batches = o.quick ? [8, 32, 128] : [4, 8, 16, 32, 64, 128, 256, 512, 1024]
        let lrs = o.quick ? ClaimKit.logGrid(1e-2, 3, perDecade: 2) : ClaimKit.logGrid(3e-3, 3, perDecade: 4)
        let maxSteps = o.quick ? 400 : 3000
        let target = 0.9
        var base = TrainConfig()
        base.sizes = [64, 32, 10]
        base.implementation = "vectorized"
        base.dtype = .float64
        base.targetAccuracy = target
        base.evalEvery = o.quick ? 10 : 5
        base.steps = maxSteps
        base.optimizer = Call(convention: "torch", name: "SGD")
        var bestLR: [Double] = [], bestSteps: [Double] = []
        var table: [(String, JSON)] = []
        for b in batches {
            var stepsByLR: [Double] = []
            for lr in lrs {
                var c = base
                c.batchSize = b
                c.optimizer.arguments = [("lr", JSON(lr))]
                let r = try Trainer.run(c, data: data)
                stepsByLR.append(r.stepsToTarget.map(Double.init) ?? .nan)
            }
            let i = stepsByLR.indices.filter { stepsByLR[$0].isFinite }.min { stepsByLR[$0] < stepsByLR[$1] }
            bestLR.append(i.map { lrs[$0] } ?? .nan)
            bestSteps.append(i.map { stepsByLR[$0] } ?? .nan)
            table.append(("batch \(b)", JSON(stepsByLR)))
        }
        // Critical batch size: the largest batch whose steps to target are within 2× of perfect
        // scaling from the smallest batch (steps ∝ 1/B).
        let s0 = bestSteps[0], b0 = Double(batches[0])
        var critical = batches[0]
        for (k, b) in batches.enumerated() where bestSteps[k].isFinite && bestSteps[k] <= 2 * s0 * b0 / Double(b) { critical = b }
        var below = batches.indices.filter { batches[$0] <= critical && bestLR[$0].isFinite }
        // The critical batch at the smallest batch tried: the slope from the two smallest, said so.
        let atSmallest = below.count < 2
        if atSmallest { below = Array(batches.indices.filter { bestLR[$0].isFinite }.prefix(2)) }
        let slope = below.count >= 2 ? ClaimKit.logLogSlope(below.map { Double(batches[$0]) }, below.map { bestLR[$0] }) : .nan
        // Gradient noise scale at initialisation from per-example gradients (McCandlish et al. 2018).
        let bSimple = try gradientNoiseScale(data: data, sizes: [64, 32, 10], examples: o.quick ? 512 : data.trainCount)
        var p1 = Plot(title: "d. steps to \(Int(target * 100)) % test accuracy vs batch size (SGD, lr tuned per batch)", xLabel: "batch size",
                      yLabel: "steps to target", xScale: .log, yScale: .log)
        p1.add(Plot.Series("measured (best lr)", x: batches.map(Double.init), y: bestSteps, style: .linePoints))
        p1.add(Plot.Series("perfect scaling", x: batches.map(Double.init), y: batches.map { s0 * b0 / Double($0) }, style: .line, dashed: true))
        var p2 = Plot(title: "d. tuned lr vs batch size", xLabel: "batch size", yLabel: "best lr", xScale: .log, yScale: .log)
        p2.add(Plot.Series("best lr", x: batches.map(Double.init), y: bestLR, style: .linePoints))
        p2.add(Plot.Series("linear (∝ B)", x: batches.map(Double.init), y: batches.map { bestLR[0] * Double($0) / b0 }, style: .line, dashed: true))
        let linear = slope.isFinite && slope > 0.6 && slope < 1.4
        let verdict = (atSmallest ? (linear ? "holds only below the smallest batch tried" : "does not hold here: the gain saturates at once")
                                  : (linear ? "holds" : "does not hold as stated"))
            + (atSmallest ? String(format: ": steps to target are already more than 2× perfect scaling at the second batch size, so the critical batch is ≤ %d; the tuned lr's log-log slope over the two smallest batches is %.2f (1 = linear)", critical, slope)
                          : String(format: ": log-log slope of the tuned lr against B up to the critical batch %d is %.2f (1 = linear)", critical, slope))
            + "; steps stop scaling past B ≈ \(critical) (more than 2× perfect scaling); B_simple at initialisation = \(ClaimKit.f(bSimple))"
            + (o.quick ? " (quick: \(lrs.count) lrs per batch, so the slope is coarse)" : "")
        return ClaimResult(id: "d", claim: "A larger batch acts like a smaller lr: the optimal lr grows about linearly with the batch size, and the gain saturates at a critical batch size.",
                           experiment: "MLP 64-32-10 on digits, torch SGD (no momentum), float64. For each batch size, an lr sweep (\(lrs.count) values, 3·10⁻³…3) and steps to \(Int(target * 100)) % test accuracy (evaluated every \(base.evalEvery!) steps, at most \(maxSteps)); the best lr and its steps. Critical batch: largest B within 2× of perfect scaling from the smallest. B_simple = tr(Σ)/|G|² from per-example gradients at initialisation.",
                           numbers: [("batch_sizes", .array(batches.map(JSON.init))), ("lrs", JSON(lrs)), ("steps_to_target_by_lr", .object(table)),
                                     ("best_lr", JSON(bestLR)), ("best_steps", JSON(bestSteps)), ("lr_slope_below_critical", JSON(slope)),
                                     ("critical_batch", JSON(critical)), ("b_simple_at_init", JSON(bSimple))],
                           verdict: verdict, plots: [try save(p1, "claims-d-steps-vs-batch.svg", o), try save(p2, "claims-d-lr-vs-batch.svg", o)])
    }

    /// B_simple = tr(Σ)/|G|²: G the mean gradient over `examples` training examples, Σ the
    /// covariance of the per-example gradients (each from a batch of one).
    package static func gradientNoiseScale(data: DataSet, sizes: [Int], examples: Int) throws -> Double {
        let spec = try MLPSpec(sizes: sizes, activation: .relu, loss: .crossEntropy)
        let train = try TrainingData<Double>(spec: spec, inputs: data.trainInputs, targets: data.trainTargets, count: data.trainCount)
        let model = MLP<Double>(spec, engine: .naive)
        let params = spec.initialParameters(Double.self, seed: 0)
        let grads = model.makeGradients()
        let n = min(examples, data.trainCount)
        let total = grads.reduce(0) { $0 + $1.count }
        var sum = [Double](repeating: 0, count: total), sumSq = 0.0
        for i in 0..<n {
            model.lossAndGradients(params: params, data: train, rows: [i], into: grads)
            var k = 0
            for g in grads { for j in 0..<g.count { let v = g[j]; sum[k] += v; sumSq += v * v; k += 1 } }
        }
        let G = sum.map { $0 / Double(n) }
        let g2 = G.reduce(0) { $0 + $1 * $1 }
        let trSigma = (sumSq / Double(n) - g2) * Double(n) / Double(n - 1)
        return trSigma / g2
    }

    // MARK: e. L2 regularisation equals weight decay for SGD, not for Adam.

    package static func claimE(_ o: ClaimsOptions) throws -> ClaimResult {
        let data = try ClaimKit.digits(o.fixtures)
        let sizes = [64, 32, 10]
        let shapes = try MLPSpec(sizes: sizes, activation: .relu, loss: .crossEntropy).parameterShapes
        let steps = o.quick ? 200 : 1000
        let lambda = 5e-3   // L2 penalty λ‖θ‖² → gradient 2λθ
        func relDiff(_ a: [Buffer<Double>], _ b: [Buffer<Double>]) -> Double {
            var d = 0.0, n = 0.0
            for (x, y) in zip(a, b) { for j in 0..<x.count { d += (x[j] - y[j]) * (x[j] - y[j]); n += x[j] * x[j] } }
            return (d / n).squareRoot()
        }
        // SGD: L2 in the gradient (torch SGD weight_decay = 2λ) vs decoupled θ ← θ(1 − 2ηλ) then the plain step.
        let etaS = 0.1
        let sgdL2 = try ClaimKit.trainMLP(data: data, sizes: sizes, box: ClaimKit.stepper("torch", "SGD", [("lr", JSON(etaS)), ("weight_decay", JSON(2 * lambda))], shapes: shapes),
                                          lr: etaS, steps: steps, batch: 64, seed: 0)
        let sgdWD = try ClaimKit.trainMLP(data: data, sizes: sizes, box: ClaimKit.stepper("torch", "SGD", [("lr", JSON(etaS))], shapes: shapes),
                                          lr: etaS, steps: steps, batch: 64, seed: 0) { params in
            for p in params { for j in 0..<p.count { p[j] *= 1 - 2 * etaS * lambda } }
        }
        let sgdNone = try ClaimKit.trainMLP(data: data, sizes: sizes, box: ClaimKit.stepper("torch", "SGD", [("lr", JSON(etaS))], shapes: shapes),
                                            lr: etaS, steps: steps, batch: 64, seed: 0)
        // Adam: L2 (torch Adam weight_decay = 2λ) vs AdamW (decoupled θ ← θ(1 − η·2λ)).
        let etaA = 1e-3
        let adamL2 = try ClaimKit.trainMLP(data: data, sizes: sizes, box: ClaimKit.stepper("torch", "Adam", [("lr", JSON(etaA)), ("weight_decay", JSON(2 * lambda))], shapes: shapes),
                                           lr: etaA, steps: steps, batch: 64, seed: 0)
        let adamW = try ClaimKit.trainMLP(data: data, sizes: sizes, box: ClaimKit.stepper("torch", "AdamW", [("lr", JSON(etaA)), ("weight_decay", JSON(2 * lambda))], shapes: shapes),
                                          lr: etaA, steps: steps, batch: 64, seed: 0)
        let adamNone = try ClaimKit.trainMLP(data: data, sizes: sizes, box: ClaimKit.stepper("torch", "Adam", [("lr", JSON(etaA))], shapes: shapes),
                                             lr: etaA, steps: steps, batch: 64, seed: 0)
        let dS = relDiff(sgdL2.params, sgdWD.params), dA = relDiff(adamL2.params, adamW.params)
        let dSnone = relDiff(sgdL2.params, sgdNone.params), dAnone = relDiff(adamL2.params, adamNone.params)
        var plot = Plot(title: "e. relative parameter difference after \(steps) steps: L2 vs decoupled decay", xLabel: "optimizer",
                        yLabel: "‖θ_L2 − θ_decay‖ / ‖θ_L2‖", yScale: .log)
        plot.xCategories = ["SGD", "Adam"]
        plot.add(Plot.Series("L2 vs decoupled decay", x: [0, 1], y: [max(dS, 1e-18), dA], style: .points))
        plot.add(Plot.Series("L2 vs no regularisation (scale of the effect)", x: [0, 1], y: [dSnone, dAnone], style: .points))
        let holds = dS < 1e-10 && dA > 100 * dS && dA > 0.1 * dAnone
        let verdict = (holds ? "holds" : "does not hold as stated")
            + ": after \(steps) training steps SGD + L2 and SGD with decay (1 − 2ηλ) differ by \(ClaimKit.f(dS)) (rounding), Adam + L2 and AdamW by \(ClaimKit.f(dA)) (the effect of regularising at all: \(ClaimKit.f(dAnone)))"
        return ClaimResult(id: "e", claim: "L2 regularisation equals weight decay (1 − 2ηλ) for SGD, but not for Adam (Adam + L2 ≠ AdamW).",
                           experiment: "MLP 64-32-10 on digits, float64, batch 64, \(steps) steps, same initialisation and batches, penalty λ‖θ‖² with λ = \(lambda). SGD (η = \(etaS)): torch SGD weight_decay = 2λ (the penalty's gradient) vs torch SGD with θ ← θ(1 − 2ηλ) applied before each step. Adam (η = \(etaA)): torch Adam weight_decay = 2λ vs torch AdamW weight_decay = 2λ.",
                           numbers: [("steps", JSON(steps)), ("lambda", JSON(lambda)), ("sgd_l2_vs_decay_rel_diff", JSON(dS)), ("adam_l2_vs_adamw_rel_diff", JSON(dA)),
                                     ("sgd_l2_vs_none_rel_diff", JSON(dSnone)), ("adam_l2_vs_none_rel_diff", JSON(dAnone)),
                                     ("test_loss", .object([("sgd_l2", JSON(sgdL2.testLoss)), ("sgd_decay", JSON(sgdWD.testLoss)),
                                                            ("adam_l2", JSON(adamL2.testLoss)), ("adamw", JSON(adamW.testLoss))]))],
                           verdict: verdict, plots: [try save(plot, "claims-e-l2-vs-decay.svg", o)])
    }

    // MARK: f. Momentum reaches a target on an ill-conditioned quadratic in about √κ steps instead of κ.

    package static func claimF(_ o: ClaimsOptions) throws -> ClaimResult {
        let kappas = o.quick ? [10.0, 100, 1000, 10000] : [10.0, 30, 100, 300, 1000, 3000, 10000, 30000]
        let d = 20, eps = 1e-6
        var gdSteps: [Double] = [], hbSteps: [Double] = []
        for kappa in kappas {
            let lambdas = (0..<d).map { pow(kappa, Double($0) / Double(d - 1)) }
            let f = { (x: [Double]) -> (Double, [Double]) in
                (0.5 * zip(lambdas, x).reduce(0) { $0 + $1.0 * $1.1 * $1.1 }, zip(lambdas, x).map { $0 * $1 })
            }
            let x0 = [Double](repeating: 1, count: d)
            let target = eps * f(x0).0
            let (L, mu) = (kappa, 1.0)
            let gd = try ClaimKit.minimise(f, x0: x0, convention: "torch", name: "SGD", hp: [], lr: 2 / (L + mu), steps: 2_000_000, stopBelow: target)
            let beta = pow((L.squareRoot() - mu.squareRoot()) / (L.squareRoot() + mu.squareRoot()), 2)
            let hb = try ClaimKit.minimise(f, x0: x0, convention: "torch", name: "SGD", hp: [("momentum", JSON(beta))],
                                           lr: 4 / pow(L.squareRoot() + mu.squareRoot(), 2), steps: 2_000_000, stopBelow: target)
            gdSteps.append(Double(gd.count - 1)); hbSteps.append(Double(hb.count - 1))
        }
        let sGD = ClaimKit.logLogSlope(kappas, gdSteps), sHB = ClaimKit.logLogSlope(kappas, hbSteps)
        var plot = Plot(title: "f. steps to f − f* ≤ 10⁻⁶(f₀ − f*) on a quadratic vs condition number", xLabel: "κ", yLabel: "steps", xScale: .log, yScale: .log)
        plot.add(Plot.Series(String(format: "GD, lr 2/(L+μ) (slope %.2f)", sGD), x: kappas, y: gdSteps, style: .linePoints))
        plot.add(Plot.Series(String(format: "heavy ball, optimal lr and β (slope %.2f)", sHB), x: kappas, y: hbSteps, style: .linePoints))
        let holds = abs(sGD - 1) < 0.15 && abs(sHB - 0.5) < 0.15
        let verdict = (holds ? "holds" : "does not hold as stated") + String(format: ": steps grow as κ^%.2f for gradient descent and κ^%.2f with momentum", sGD, sHB)
            + " (at κ = \(Int(kappas.last!)): \(Int(gdSteps.last!)) vs \(Int(hbSteps.last!)) steps)"
        return ClaimResult(id: "f", claim: "Momentum reaches a target on an ill-conditioned quadratic in about √κ steps instead of κ.",
                           experiment: "f(x) = ½ Σ λᵢ xᵢ², d = 20, λ log-spaced in [1, κ], x₀ = 1. Steps until f ≤ 10⁻⁶ f(x₀) for torch SGD with lr 2/(L+μ) (no momentum) and with the heavy-ball optimum lr 4/(√L+√μ)², momentum ((√κ−1)/(√κ+1))² (Polyak). Log-log slope of steps against κ.",
                           numbers: [("kappas", JSON(kappas)), ("gd_steps", JSON(gdSteps)), ("momentum_steps", JSON(hbSteps)),
                                     ("gd_slope", JSON(sGD)), ("momentum_slope", JSON(sHB))],
                           verdict: verdict, plots: [try save(plot, "claims-f-momentum-sqrt-kappa.svg", o)])
    }

    // MARK: g. Ridge: XᵀX + λI is invertible, and gradient descent converges at the predicted rate.

    package static func claimG(_ o: ClaimsOptions) throws -> ClaimResult {
        let n = 10, d = 30, lambda = 0.1
        var r = SplitMix64(seed: 0x7269)
        let X = Matrix<Double>(rows: n, cols: d, (0..<(n * d)).map { _ in r.uniform(-1, 1) })
        let y = (0..<n).map { _ in r.uniform(-1, 1) }
        let gram = X.gram
        let eig = LinearAlgebra.symmetricEigen(gram).values
        let plainCholesky = LinearAlgebra.cholesky(gram) != nil
        let A = gram.plusIdentity(lambda)
        let eigA = LinearAlgebra.symmetricEigen(A).values
        guard let L = LinearAlgebra.cholesky(A) else { throw LabInputError(message: "claims g: Cholesky of XᵀX + λI failed") }
        let theta = LinearAlgebra.choleskySolve(L, X.transposeTimes(y))
        // GD on ½‖Xθ − y‖² + ½λ‖θ‖² via torch SGD with weight_decay = λ; lr η = 1/λ_max(H).
        let eta = 1 / eigA.last!
        let steps = o.quick ? 300 : 1000
        let box = try ClaimKit.stepper("torch", "SGD", [("lr", JSON(eta)), ("weight_decay", JSON(lambda))], shapes: [[d]])
        // A random start, so the error has a component in X's null space (a start at 0 keeps the
        // error in the row space, where the slowest rate is set by the smallest non-zero σ² + λ).
        let p = Buffer<Double>((0..<d).map { _ in r.uniform(-1, 1) })
        var errors: [Double] = []
        for _ in 0...steps {
            errors.append(zip(p.array, theta).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }.squareRoot())
            let res = zip(X.times(p.array), y).map { $0 - $1 }
            box.step([p], [Buffer<Double>(X.transposeTimes(res))], eta)
        }
        let predicted = 1 - eta * eigA.first!   // = 1 − ηλ: the slowest mode is the null space of X
        let k0 = steps / 3
        let measured = pow(errors[steps] / errors[k0], 1 / Double(steps - k0))
        var plot = Plot(title: "g. ridge: ‖θ_k − θ*‖ under gradient descent", xLabel: "step", yLabel: "‖θ_k − θ*‖", yScale: .log)
        plot.add(Plot.Series("measured", x: (0...steps).map(Double.init), y: errors))
        plot.add(Plot.Series("predicted ρᵏ·‖θ₀ − θ*‖", x: (0...steps).map(Double.init), y: (0...steps).map { errors[0] * pow(predicted, Double($0)) }, dashed: true))
        let holds = eig.first! < 1e-10 * eig.last! && abs(eigA.first! - lambda) < 1e-10 && abs(measured - predicted) < 1e-3
        let verdict = (holds ? "holds" : "does not hold as stated")
            + ": XᵀX (n = \(n) < d = \(d)) has smallest eigenvalue \(ClaimKit.f(eig.first!)) (singular); XᵀX + λI has \(ClaimKit.f(eigA.first!)) = λ and factors by Cholesky; GD contracts by \(String(format: "%.6f", measured)) per step, predicted 1 − ηλ_min = \(String(format: "%.6f", predicted))"
        return ClaimResult(id: "g", claim: "Ridge's λ makes XᵀX + λI invertible, and gradient descent converges at the predicted rate.",
                           experiment: "Random X (\(n)×\(d), so XᵀX is singular), λ = \(lambda), random θ₀. Eigenvalues by Jacobi, θ* by Cholesky of XᵀX + λI. Gradient descent = torch SGD with weight_decay = λ on ½‖Xθ − y‖², η = 1/λ_max(XᵀX + λI); measured contraction of ‖θ_k − θ*‖ over steps \(k0)…\(steps) against ρ = 1 − η·λ_min.",
                           numbers: [("min_eig_XtX", JSON(eig.first!)), ("max_eig_XtX", JSON(eig.last!)), ("cholesky_XtX_succeeded", .bool(plainCholesky)),
                                     ("min_eig_XtX_plus_lambda", JSON(eigA.first!)), ("lr", JSON(eta)), ("predicted_rate", JSON(predicted)),
                                     ("measured_rate", JSON(measured))],
                           verdict: verdict, plots: [try save(plot, "claims-g-ridge.svg", o)])
    }
}
