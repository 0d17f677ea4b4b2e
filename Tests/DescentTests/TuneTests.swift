// TuneTests.swift — the tuning strategies: the GP (fit to a known function, the marginal
// likelihood's gradient against finite differences, the engine's Cholesky), the EI maximiser,
// grid refinement, the search space, the test functions (against an independent Python
// implementation), and sharding (in process, and 4 shards through `xargs -P` merged by the CLI).
import Foundation
import Testing
import DescentTestSupport
@testable import DescentCore
@testable import DescentConformance
@testable import DescentLab
@testable import DescentCLI
import DescentJSON

private let packageRoot = repositoryRoot

@Suite struct TuneTests {
    /// The vector loops the `descent` command runs, installed before the test: a run compared
    /// with another (or with the command's) must not see the choice change halfway.
    init() { _ = installedLoops }

    // MARK: Linear algebra

    @Test func engineCholeskyMatchesTheChecksCholesky() throws {
        var r = SplitMix64(seed: 11)
        let n = 41   // three blocks of 16: panels and trailing updates through gemm
        let B = (0..<(n * n)).map { _ in r.uniform(-1, 1) }
        var A = [Double](repeating: 0, count: n * n)
        for i in 0..<n { for j in 0..<n { for k in 0..<n { A[i * n + j] += B[i * n + k] * B[j * n + k] } } }
        for i in 0..<n { A[i * n + i] += 0.5 }
        let reference = try #require(LinearAlgebra.cholesky(Matrix(rows: n, cols: n, A)))
        for engine in [Engine.naive, Engine(.vectorized)] {
            let L = try #require(EngineCholesky.factor(A, n: n, engine: engine))
            var err = 0.0
            for i in 0..<(n * n) { err = max(err, abs(L[i] - reference.a[i])) }
            #expect(err < 1e-10, "engine \(engine.kind): max |L − L_ref| = \(err)")
            let b = (0..<n).map { Double($0) - 20 }
            let x = EngineCholesky.solve(L, n: n, b)
            var res = 0.0
            for i in 0..<n { var s = 0.0; for j in 0..<n { s += A[i * n + j] * x[j] }; res = max(res, abs(s - b[i])) }
            #expect(res < 1e-8)
        }
        var indefinite = A
        indefinite[n * n - 1] = -1
        #expect(EngineCholesky.factor(indefinite, n: n) == nil)
    }

    // MARK: Gaussian process

    @Test func gpFitsAKnownFunction() throws {
        let f = { (x: [Double]) in sin(6 * x[0]) + 0.5 * cos(4 * x[1]) }
        var r = SplitMix64(seed: 3)
        let X = Strategy.latinHypercube(30, 2, rng: &r)
        let y = X.map(f)
        let gp = GaussianProcess.fit(X: X, y: y, rng: &r)
        var worst = 0.0, sq = 0.0
        for _ in 0..<200 {
            let x = r.unitPoint(2)
            let e = abs(gp.predict(x).mean - f(x))
            worst = max(worst, e); sq += e * e
        }
        let rms = (sq / 200).squareRoot()
        #expect(rms < 0.04 && worst < 0.25, "prediction error rms \(rms), max \(worst) on a smooth 2-D function (range ±1.5) from 30 points")
        // Interpolation: tiny posterior variance at the data, ≈ σ_f² far away in units of ℓ.
        #expect(gp.predict(X[0]).variance < 1e-3)
        #expect(exp(gp.theta.logNoise) < 1e-3, "noise \(exp(gp.theta.logNoise)) fitted to noiseless data")
        // ℓ reflects the frequencies: x1 (sin 6x) varies faster than x2 (cos 4x).
        #expect(gp.theta.logLengthscales[0] < gp.theta.logLengthscales[1])
    }

    @Test func marginalLikelihoodGradientMatchesFiniteDifferences() {
        var r = SplitMix64(seed: 5)
        let X = (0..<12).map { _ in r.unitPoint(3) }
        let y = X.map { $0[0] * $0[0] - $0[1] + 0.3 * sin(5 * $0[2]) }
        let theta = [log(0.4), log(0.7), log(0.2), log(1.3), log(0.01)]
        let (_, g) = GaussianProcess.negativeLogPosterior(X: X, y: y, theta, engine: .naive)
        for k in theta.indices {
            var p = theta, m = theta
            p[k] += 1e-6; m[k] -= 1e-6
            let fd = (GaussianProcess.negativeLogPosterior(X: X, y: y, p, engine: .naive).0
                      - GaussianProcess.negativeLogPosterior(X: X, y: y, m, engine: .naive).0) / 2e-6
            #expect(abs(fd - g[k]) < 1e-5 * max(1, abs(fd)), "θ[\(k)]: analytic \(g[k]), finite difference \(fd)")
        }
    }

    // MARK: Expected improvement

    @Test func logEIIsContinuousAcrossTheAsymptoticBranch() {
        // Direct formula at −5.99 vs the series at −6.01: log h is smooth, so they nearly agree.
        let a = ExpectedImprovement.logH(-5.999).0, b = ExpectedImprovement.logH(-6.001).0
        #expect(abs(a - b) < 0.02)
        // Far in the tail log h stays finite (EI itself underflows).
        #expect(ExpectedImprovement.logH(-40).0.isFinite)
        // log h(0) = log φ(0).
        #expect(abs(ExpectedImprovement.logH(0).0 - log(1 / (2 * Double.pi).squareRoot())) < 1e-12)
    }

    @Test func eiGradientAndMaximiser() throws {
        var r = SplitMix64(seed: 7)
        let X = Strategy.latinHypercube(8, 2, rng: &r)
        let y = X.map { ($0[0] - 0.3) * ($0[0] - 0.3) + ($0[1] - 0.6) * ($0[1] - 0.6) }
        let warp = OutputWarp(y)
        let yw = y.map(warp.apply)
        let gp = GaussianProcess.fit(X: X, y: yw, rng: &r)
        let best = yw.min()!
        let x0 = [0.41, 0.37]
        let (_, g) = ExpectedImprovement.logEI(gp, best: best, x0, gradient: true)
        for k in 0..<2 {
            var p = x0, m = x0
            p[k] += 1e-6; m[k] -= 1e-6
            let fd = (ExpectedImprovement.logEI(gp, best: best, p, gradient: false).0 - ExpectedImprovement.logEI(gp, best: best, m, gradient: false).0) / 2e-6
            #expect(abs(fd - g[k]) < 1e-4 * max(1, abs(fd)), "∂logEI/∂x\(k): analytic \(g[k]), finite difference \(fd)")
        }
        // The maximiser finds at least the best point of a dense 101×101 grid.
        var gridBest = -Double.infinity
        for i in 0...100 { for j in 0...100 {
            gridBest = max(gridBest, ExpectedImprovement.logEI(gp, best: best, [Double(i) / 100, Double(j) / 100], gradient: false).0)
        } }
        let (x, v) = ExpectedImprovement.maximise(gp, best: best, rng: &r)
        #expect(v >= gridBest - 1e-6, "maximiser \(v) at \(x) < dense grid \(gridBest)")
    }

    // MARK: Search space and grid refinement

    @Test func spaceParsingAndWarping() throws {
        let s = try SearchSpace.parse(["lr=log:1e-4:1", "bs=choice:16,32,64", "n=int:1:3", "act=choice:relu,tanh", "m=lin:0.8:0.99"])
        #expect(abs(s.config(at: [0.5, 0.5, 0.5, 0.9, 0])[0].1.double! - 0.01) < 1e-15)
        #expect(s.config(at: [0.5, 0.5, 0.5, 0.9, 0])[1].1 == .number(32))
        #expect(s.config(at: [0.5, 0.5, 0.5, 0.9, 0])[2].1 == .number(2))
        #expect(s.config(at: [0.5, 0.5, 0.5, 0.9, 0])[3].1 == .text("tanh"))
        #expect(s.config(at: [0.5, 0.5, 0.5, 0.9, 1])[4].1 == .number(0.99))
        for bad in ["lr=log:0:1", "lr=lin:1:0", "x", "x=cube:1:2", "n=int:1.5:3", "c=choice:"] {
            #expect(throws: ConfigurationError.self) { try SearchSpace.parse([bad]) }
        }
        #expect(throws: ConfigurationError.self) { try SearchSpace.parse(["a=lin:0:1", "a=lin:0:2"]) }
    }

    @Test func gridIsLogSpacedAndRefinesAroundTheBest() throws {
        // lr on a log grid: k = ⌊(32/2)^(1/2)⌋ = 4 levels at cell centres 10^-3.5, 10^-2.5, …
        let space = try SearchSpace.parse(["lr=log:1e-4:1", "m=lin:0:1"])
        let settings = TuneSettings(objective: .function(name: "sphere", dim: 2, noise: 0), space: space, strategy: .grid, trials: 32, seed: 0)
        let round0 = Strategy.grid.proposals(round: 0, history: [], settings: settings)
        #expect(round0.count == 16)
        let lrs = Set(round0.map { space.config(at: $0)[0].1.double! }).sorted()
        #expect(lrs.count == 4)
        for (k, lr) in lrs.enumerated() { #expect(abs(log10(lr) - (-3.5 + Double(k))) < 1e-9) }
        // Round 1: a 4×4 grid in a box half as wide (2/k), centred on the best trial of round 0.
        let f = { (u: [Double]) in (u[0] - 0.3) * (u[0] - 0.3) + (u[1] - 0.7) * (u[1] - 0.7) }
        let history = round0.enumerated().map { i, u in
            Trial(index: i, round: 0, unit: u, config: space.config(at: u), value: f(u), loss: f(u), trueValue: nil, curve: nil, wallTime: 0, seed: 0)
        }
        let best = history.min { $0.loss < $1.loss }!.unit
        let round1 = Strategy.grid.proposals(round: 1, history: history, settings: settings)
        #expect(round1.count == 16)
        for u in round1 { for j in 0..<2 { #expect(abs(u[j] - best[j]) <= 0.25 + 1e-12) } }
        #expect(round1.map(f).min()! < history.map(\.loss).min()!, "refinement improves on the coarse grid")
    }

    // MARK: Test functions

    @Test func testFunctionsMatchTheIndependentPythonValues() throws {
        let url = packageRoot.appendingPathComponent("fixtures/data/tune-functions.txt")
        let doc = try JSON.parse(try String(contentsOf: url, encoding: .utf8))
        let fs = try #require(doc["functions"]?.arrayValue)
        #expect(fs.count >= 19)
        for fj in fs {
            let name = fj["function"]!.stringValue!, dim = fj["dim"]!.intValue!
            let f = try TestFunction.named(name, dim: dim)
            #expect(abs(f.optimum - fj["optimum"]!.doubleValue!) < 1e-9 * max(1, abs(f.optimum)), "\(name) optimum")
            for p in fj["points"]!.arrayValue! {
                let x = p["x"]!.arrayValue!.map { $0.doubleValue! }, v = p["value"]!.doubleValue!
                #expect(abs(f(x) - v) <= 1e-10 * max(1, abs(v)), "\(name)(\(x)) = \(f(x)), Python \(v)")
            }
        }
        // Every known minimiser attains the optimum (to the digits the literature gives it).
        for name in TestFunction.names {
            let f = try TestFunction.named(name)
            if let x = f.argmin { #expect(abs(f(x) - f.optimum) < 1e-4 * max(1, abs(f.optimum)), "\(name) at its minimiser: \(f(x)) vs \(f.optimum)") }
        }
    }

    /// With k = 2 levels per dimension (d = 4, 81 trials: ⌊40.5^(1/4)⌋ = 2) the refined box once
    /// kept the whole space (2/k = 1), repeated round 0 and stopped at 16 of 81 trials.
    @Test func gridUsesItsWholeBudget() throws {
        for (d, trials) in [(4, 81), (3, 20), (2, 9)] {
            let f = try TestFunction.named("sphere", dim: d)
            let settings = TuneSettings(objective: .function(name: "sphere", dim: d, noise: 0), space: f.space, strategy: .grid, trials: trials, seed: 0)
            let o = try TuneRunner.run(settings: settings, objective: FunctionObjective(function: f, noise: 0), timing: false)
            #expect(o.trials.count == trials && o.complete, "d \(d): \(o.trials.count) of \(trials)")
            #expect(Set(o.trials.map(\.unit)).count == trials, "no point tried twice")
            let round0Best = o.trials.filter { $0.round == 0 }.map(\.value).min()!
            #expect(o.trials.map(\.value).min()! < round0Best, "refinement improves on the coarse grid (d \(d))")
        }
    }

    // MARK: Strategies against the truth

    @Test func bayesBeatsRandomOnBranin() throws {
        let f = try TestFunction.named("branin")
        var regrets: [Strategy: Double] = [:]
        for s in [Strategy.random, .bayes] {
            let settings = TuneSettings(objective: .function(name: "branin", dim: 2, noise: 0), space: f.space, strategy: s, trials: 25, seed: 1)
            let o = try TuneRunner.run(settings: settings, objective: FunctionObjective(function: f, noise: 0), timing: false)
            #expect(o.trials.count == 25 && o.complete)
            regrets[s] = o.trials.map(\.value).min()! - f.optimum
        }
        #expect(regrets[.bayes]! < regrets[.random]!, "\(regrets)")
        #expect(regrets[.bayes]! < 0.05, "\(regrets)")
    }

    // MARK: Sharding

    func shardedRun(_ settings: TuneSettings, shards n: Int) throws -> TuneReport {
        let objective = try settings.objective.make()
        var history: [Trial] = []
        for _ in 0..<100 {
            var docs: [(file: String, report: TuneReport)] = []
            for i in 0..<n {
                let o = try TuneRunner.run(settings: settings, objective: objective, history: history, shard: (i, n), timing: false)
                // Through the JSON, as between machines.
                let r = TuneReport(settings: settings, trials: o.trials, complete: o.complete, optimum: objective.optimum,
                                   maximize: false, shard: (i, n, o.round ?? 0))
                docs.append(("shard\(i)", try TuneReport.parse(r.json, file: "shard\(i)")))
            }
            let merged = try TuneRunner.merge(docs)
            if merged.complete { return merged }
            history = merged.trials
        }
        Issue.record("sharded run did not finish")
        throw LabInputError(message: "unfinished")
    }

    @Test(arguments: [Strategy.random, .grid, .bayes])
    func shardAndMergeEqualsTheUnshardedRun(_ strategy: Strategy) throws {
        let f = try TestFunction.named("six-hump-camel")
        let settings = TuneSettings(objective: .function(name: f.name, dim: 2, noise: 0), space: f.space, strategy: strategy,
                                    trials: strategy == .bayes ? 12 : 30, seed: 4, batch: 3)
        let whole = try TuneRunner.run(settings: settings, objective: FunctionObjective(function: f, noise: 0), timing: false)
        let report = TuneReport(settings: settings, trials: whole.trials, complete: true, optimum: f.optimum, maximize: false, shard: nil)
        let merged = try shardedRun(settings, shards: 3)
        #expect(merged.json == report.json)
        #expect(merged.text() == report.text())
    }

    @Test func mergeRejectsMissingShardsAndForeignFiles() throws {
        let f = try TestFunction.named("branin")
        let settings = TuneSettings(objective: .function(name: "branin", dim: 2, noise: 0), space: f.space, strategy: .random, trials: 10, seed: 0)
        let obj = FunctionObjective(function: f, noise: 0)
        let s0 = try TuneRunner.run(settings: settings, objective: obj, shard: (0, 2), timing: false)
        let r0 = TuneReport(settings: settings, trials: s0.trials, complete: false, optimum: f.optimum, maximize: false, shard: (0, 2, 0))
        #expect(throws: LabInputError.self) { try TuneRunner.merge([("a", r0)]) }
        var other = settings
        other.seed = 1
        let s1 = try TuneRunner.run(settings: other, objective: obj, shard: (1, 2), timing: false)
        let r1 = TuneReport(settings: other, trials: s1.trials, complete: false, optimum: f.optimum, maximize: false, shard: (1, 2, 0))
        #expect(throws: LabInputError.self) { try TuneRunner.merge([("a", r0), ("b", r1)]) }
    }

    /// Four shards of a random search run in parallel by `xargs -P 4` through the built CLI; the
    /// merge equals the unsharded run's JSON byte for byte (--no-timing).
    @Test func fourShardsThroughXargsEqualTheUnshardedRun() throws {
        let exe = packageRoot.appendingPathComponent(".build/debug/descent").path
        guard FileManager.default.isExecutableFile(atPath: exe) else {
            Issue.record("no built CLI at \(exe) (run `swift build` first)")
            return
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("descent-tune-\(getpid())").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let common = "tune --function hartmann3 --strategy random --trials 37 --seed 9 --no-timing"
        let script = """
        set -e
        cd '\(dir)'
        printf '0\\n1\\n2\\n3\\n' | xargs -P 4 -I{} '\(exe)' \(common) --shard {}/4 --output shard-{}.json
        '\(exe)' tune merge shard-0.json shard-1.json shard-2.json shard-3.json --format json --output merged.json
        '\(exe)' \(common) --format json --output whole.json
        cmp merged.json whole.json
        """
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = ["-c", script]
        try p.run()
        p.waitUntilExit()
        #expect(p.terminationStatus == 0, "shards merged by the CLI differ from the unsharded run (or a step failed)")
        let merged = try String(contentsOfFile: "\(dir)/merged.json", encoding: .utf8)
        #expect(merged.contains("\"complete\": true") && merged.contains("descent-tune/1"))
    }

    @Test func cliRejectsUnusableInputWithStatus2() {
        #expect(CLI.main(["tune", "--function", "nosuch"]) == 2)
        #expect(CLI.main(["tune", "--function", "branin", "--shard", "4/4"]) == 2)
        #expect(CLI.main(["tune", "--function", "branin", "--space", "x1=log:0:1", "--space", "x2=lin:0:15"]) == 2)
        #expect(CLI.main(["tune", "--function", "branin", "--space", "lr=log:1e-4:1"]) == 2)
        #expect(CLI.main(["tune", "--function", "hartmann6", "--dim", "3"]) == 2)
        #expect(CLI.main(["tune", "--function", "branin", "--early-stopping", "median"]) == 2)
        #expect(CLI.main(["tune", "merge", "/nonexistent/shard.json"]) == 2)
        #expect(CLI.main(["claims", "--only", "z"]) == 2)
    }
}

/// `--early-stopping median|halving` (EarlyStopping.swift): the rules on hand-made curves, with the
/// decisions Optuna 5.0's MedianPruner and SuccessiveHalvingPruner(reduction_factor=3,
/// min_resource=10) take on the same intermediate values (reference/tune/early_stopping_optuna.py
/// prints them), and a tuning run that stops trials.
@Suite struct EarlyStoppingTests {
    init() { _ = installedLoops }

    /// A finished (or stopped) earlier trial whose curve has `values` at steps 10, 20, 30, …
    func peer(_ values: [Double], status: String = "ok") -> Trial {
        Trial(index: 0, round: 0, unit: [], config: [], value: values.last!, loss: values.last!, trueValue: nil,
              curve: CurveSummary(steps: values.indices.map { 10 * ($0 + 1) }, values: values), wallTime: 0, seed: 0, status: status)
    }

    @Test func medianRule() {
        let five = [0.5, 0.6, 0.7, 0.8, 0.9].map { peer([$0 + 0.2, $0]) }   // at step 20: median 0.7
        let m = EarlyStopping.median
        // Worse than the median at step 20 by its best value so far: stopped; better: goes on.
        #expect(m.decide(history: [(10, 0.9), (20, 0.75)], peers: five, maximize: false, what: "test loss")?
                    .hasPrefix("stopped early (median rule) at step 20: best test loss so far 0.75 is worse than the median 0.7 of 5") == true)
        #expect(m.decide(history: [(10, 0.65), (20, 0.75)], peers: five, maximize: false, what: "test loss") == nil)   // best 0.65
        #expect(m.decide(history: [(10, 0.9), (20, 0.7)], peers: five, maximize: false, what: "test loss") == nil)    // equal: goes on
        // Fewer than 5 finished trials: never; stopped trials do not count as finished.
        #expect(m.decide(history: [(20, 9)], peers: Array(five.prefix(4)), maximize: false, what: "test loss") == nil)
        #expect(m.decide(history: [(20, 9)], peers: Array(five.prefix(4)) + [peer([0.1, 0.1], status: "stopped early (median rule)")],
                         maximize: false, what: "test loss") == nil)
        // An even count takes the mean of the middle two; accuracy is maximised.
        let six = [0.5, 0.6, 0.7, 0.8, 0.9, 0.95].map { peer([$0]) }   // at step 10: median 0.75
        #expect(m.decide(history: [(10, 0.74)], peers: six, maximize: true, what: "test accuracy")?.contains("median 0.75 of 6") == true)
        #expect(m.decide(history: [(10, 0.76)], peers: six, maximize: true, what: "test accuracy") == nil)
        // NaN is data: a diverged trial stops; no peer value at that step: goes on.
        #expect(m.decide(history: [(10, .nan)], peers: six, maximize: false, what: "test loss")?.contains("NaN") == true)
        #expect(m.decide(history: [(70, 5)], peers: six, maximize: false, what: "test loss") == nil)
    }

    @Test func successiveHalving() {
        let h = EarlyStopping.halving
        // Rungs at 10, 30, 90 (first evaluation 10, η = 3); other steps never stop.
        let peers = [1.0, 2, 3, 4, 5].map { peer([$0, $0, $0]) }
        #expect(h.decide(history: [(10, 9), (20, 9)], peers: peers, maximize: false, what: "test loss") == nil)
        // At rung 0 with 6 values the best ⌊6/3⌋ = 2 go on: 1 and the 1.5 or 2.
        #expect(h.decide(history: [(10, 1.5)], peers: peers, maximize: false, what: "test loss") == nil)
        #expect(h.decide(history: [(10, 2.5)], peers: peers, maximize: false, what: "test loss")?
                    .hasPrefix("stopped early (successive halving) at rung 0, step 10: test loss 2.5 is not among the best 2 of the 6") == true)
        // Rung 1 (step 30) with fewer than 3 values: only the best goes on.
        #expect(h.decide(history: [(10, 1), (20, 1), (30, 0.5)], peers: [peer([1, 1, 1])], maximize: false, what: "test loss") == nil)
        #expect(h.decide(history: [(10, 1), (20, 1), (30, 1.5)], peers: [peer([1, 1, 1])], maximize: false, what: "test loss") != nil)
        // Maximised accuracy; stopped trials' rung values compete too.
        let acc = [0.9, 0.8, 0.7].map { peer([$0], status: "stopped early (successive halving)") }
        #expect(h.decide(history: [(10, 0.95)], peers: acc, maximize: true, what: "test accuracy") == nil)
        #expect(h.decide(history: [(10, 0.85)], peers: acc, maximize: true, what: "test accuracy") != nil)
    }

    @Test func aTuningRunStopsPoorTrials() throws {
        for rule in ["median", "halving"] {
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tune-early-\(rule)-\(getpid())").path
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: dir) }
            let status = CLI.main(["tune", "--data", "digits", "--model", "mlp:64,16,10", "--optimizer", "torch/SGD",
                                   "--implementation", "naive", "--steps-per-trial", "90", "--eval-every", "10",
                                   "--space", "lr=log:1e-4:1", "--strategy", "random", "--trials", "6", "--seed", "3",
                                   "--early-stopping", rule, "--format", "json", "--output", "\(dir)/t.json", "--quiet"])
            #expect(status == 0)
            let doc = try JSON.parse(try String(contentsOfFile: "\(dir)/t.json", encoding: .utf8))
            let trials = try #require(doc["trials"]?.arrayValue)
            #expect(trials.count == 6)
            let stopped = trials.filter { $0["status"]?.stringValue?.hasPrefix("stopped early") == true }
            #expect(!stopped.isEmpty, "\(rule): no trial stopped")
            #expect(stopped.count < 6)
            for t in stopped {
                // A stopped trial's curve ends where it stopped, before the planned 90 steps.
                let last = t["curve"]?["steps"]?.arrayValue?.last?.intValue ?? 90
                #expect(last < 90, "\(rule): \(t["status"]?.stringValue ?? "")")
            }
            #expect(doc["settings"]?["early_stopping"]?.stringValue == rule)
        }
        // Not for test functions (no curve), not with --shard.
        #expect(CLI.main(["tune", "--function", "branin", "--early-stopping", "median"]) == 2)
        #expect(CLI.main(["tune", "--data", "digits", "--model", "mlp:64,16,10", "--space", "lr=log:1e-4:1",
                          "--early-stopping", "halving", "--shard", "0/2"]) == 2)
    }
}

/// A training objective is stored typed (descent-train-config/1), and reports written before
/// that, which stored the `descent train` options as `--name value` pairs, still read.
@Suite struct TrainingObjectiveStorageTests {
    /// An objective as the tune command wrote it before the typed configuration.
    static let legacy = """
        {"train": ["--data", "xor", "--model", "mlp:2,8,2", "--optimizer", "torch/SGD", "--hp", "lr=0.1",
                   "--hp", "momentum=0.9", "--schedule", "torch/StepLR", "--sp", "step_size=5", "--warmup", "3",
                   "--batch-size", "16", "--steps-per-trial", "40", "--train-seed", "7", "--dtype", "float64"],
         "metric": "test_accuracy"}
        """

    @Test func aLegacyArgvObjectiveReadsAsTheSameConfiguration() throws {
        guard case let .training(c, fixtures, metric) = try ObjectiveSpec.from(try JSON.parse(Self.legacy), file: "old.json") else {
            Issue.record("not a training objective"); return
        }
        #expect(metric == "test_accuracy" && fixtures == nil)
        #expect(c.data == "xor" && c.sizes == [2, 8, 2] && c.batchSize == 16 && c.steps == 40 && c.seed == 7 && c.warmup == 3)
        #expect(c.dtype == .float64)
        #expect(c.optimizer == Call(convention: "torch", name: "SGD", arguments: [("lr", JSON(0.1)), ("momentum", JSON(0.9))]))
        #expect(c.schedule == Call(convention: "torch", name: "StepLR", arguments: [("step_size", JSON(5))]))
    }

    @Test func theTypedObjectiveRoundTripsAndIsWhatIsWritten() throws {
        let old = try ObjectiveSpec.from(try JSON.parse(Self.legacy), file: "old.json")
        let text = old.json.serialized()
        #expect(text.contains("\"train_config\"") && text.contains("descent-train-config/1") && !text.contains("\"train\":"))
        #expect(try ObjectiveSpec.from(try JSON.parse(text), file: "new.json") == old)
    }

    @Test func aBrokenStoredConfigurationNamesItsField() throws {
        var j = try JSON.parse(try ObjectiveSpec.from(try JSON.parse(Self.legacy), file: "x").json.serialized())
        guard case var .object(o) = j, case var .object(tc) = o[0].1 else { Issue.record("shape"); return }
        tc = tc.map { $0.0 == "batch_size" ? ($0.0, .string("sixteen")) : $0 }
        o[0].1 = .object(tc)
        j = .object(o)
        do {
            _ = try ObjectiveSpec.from(j, file: "r.json")
            Issue.record("accepted a string batch size")
        } catch let e as LabInputError {
            #expect(e.message == "r.json: settings.objective.train_config.batch_size is missing or invalid")
        }
    }
}
