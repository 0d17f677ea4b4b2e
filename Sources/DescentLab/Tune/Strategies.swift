// Strategies.swift — what to try next. A tuning run is a sequence of rounds; each round's points
// depend only on the settings, the round number and the trials of earlier rounds, so any machine
// can compute a round's points and evaluate its own slice of them (--shard I/N).
//
//   random  one round: `trials` uniform points of the warped unit cube.
//   grid    coarse to fine: round 0 is a k×…×k grid of cell centres over the whole cube
//           (k = ⌊(trials/2)^(1/d)⌋, at least 2; a seeded subset when k^d exceeds the budget);
//           each later round is a grid over a box (2/k)^r as wide, centred on the best so far.
//           Log dimensions are gridded in log space (the cube is warped).
//   bayes   round 0 is a Latin hypercube of max(2d+1, 5) points; every later round fits the GP
//           to all trials so far and proposes q = --batch points by maximising expected
//           improvement, the i-th after conditioning on the first i−1 at the constant liar
//           min(y) (Ginsbourger et al. 2010).
import DescentCore
import Foundation

package enum Strategy: String, CaseIterable, Sendable {
    case grid, random, bayes

    /// The points (warped unit coordinates, snapped to the space's values) of `round`, given the
    /// trials of the earlier rounds; empty when the run is finished.
    package func proposals(round: Int, history: [Trial], settings: TuneSettings, engine: Engine = .naive) -> [[Double]] {
        let remaining = settings.trials - history.count
        guard remaining > 0 else { return [] }
        let space = settings.space
        var rng = SplitMix64(seed: settings.seed &* 0x9E37_79B9_7F4A_7C15 &+ UInt64(round) &* 0xD1B5_4A32_D192_ED03 &+ 0x7475_6e65)
        switch self {
        case .random:
            guard round == 0 else { return [] }
            return (0..<remaining).map { _ in space.snap(rng.unitPoint(space.d)) }
        case .grid:
            return Strategy.gridRound(round: round, history: history, settings: settings, rng: &rng)
        case .bayes:
            if round == 0 {
                let n0 = min(settings.trials, settings.initial ?? max(2 * space.d + 1, 5))
                return Strategy.latinHypercube(n0, space.d, rng: &rng).map(space.snap)
            }
            let q = min(settings.batch, remaining)
            return Strategy.bayesRound(q: q, history: history, settings: settings, rng: &rng, engine: engine)
        }
    }

    package static func latinHypercube(_ n: Int, _ d: Int, rng: inout SplitMix64) -> [[Double]] {
        var cols: [[Double]] = []
        for _ in 0..<d {
            var perm = Array(0..<n)
            for i in stride(from: n - 1, to: 0, by: -1) { perm.swapAt(i, Int(rng.next() % UInt64(i + 1))) }
            cols.append(perm.map { (Double($0) + rng.uniform(0, 1)) / Double(n) })
        }
        return (0..<n).map { i in (0..<d).map { cols[$0][i] } }
    }

    /// Levels per dimension of the first grid round.
    package static func gridLevels(trials: Int, d: Int) -> Int {
        max(2, Int((pow(Double(trials) / 2, 1 / Double(d)) + 1e-9).rounded(.down)))
    }

    /// A round's grid; when every point of the refined grid was already tried (its cell centres
    /// can coincide with the previous round's), the box shrinks further, up to 30 times.
    package static func gridRound(round: Int, history: [Trial], settings: TuneSettings, rng: inout SplitMix64) -> [[Double]] {
        var level = round
        while level < round + 30 {
            let p = gridRound(round: round, level: level, history: history, settings: settings, rng: &rng)
            if !p.isEmpty || round == 0 { return p }
            level += 1
        }
        return []
    }

    package static func gridRound(round: Int, level: Int, history: [Trial], settings: TuneSettings, rng: inout SplitMix64) -> [[Double]] {
        let space = settings.space, d = space.d
        let remaining = settings.trials - history.count
        let k0 = gridLevels(trials: settings.trials, d: d)
        var lo = [Double](repeating: 0, count: d), width = [Double](repeating: 1, count: d)
        var k = k0
        if round > 0 {
            guard let best = history.filter({ $0.loss.isFinite }).min(by: { ($0.loss, $0.index) < ($1.loss, $1.index) }) else { return [] }
            k = max(2, Int((pow(Double(min(remaining, Int(pow(Double(k0), Double(d))))), 1 / Double(d)) + 1e-9).rounded(.down)))
            // The box shrinks by 2/k per round (the cells around the best), by 1/2 when k = 2,
            // where 2/k would keep the whole space and repeat round 0's points.
            let w = pow(k0 > 2 ? 2 / Double(k0) : 0.5, Double(level))
            for j in 0..<d {
                width[j] = min(1, w)
                lo[j] = min(max(best.unit[j] - width[j] / 2, 0), 1 - width[j])
            }
        }
        // Per-dimension levels (discrete dimensions: at most their number of values).
        var axes: [[Double]] = []
        for j in 0..<d {
            var kj = k
            if let levels = space.dimensions[j].levels { kj = min(k, max(1, Int((Double(levels) * width[j]).rounded(.up)))) }
            let pts = (0..<kj).map { space.dimensions[j].snap(lo[j] + (Double($0) + 0.5) / Double(kj) * width[j]) }
            var uniq: [Double] = []
            for p in pts where !uniq.contains(p) { uniq.append(p) }
            axes.append(uniq)
        }
        var points: [[Double]] = [[]]
        for axis in axes { points = points.flatMap { p in axis.map { p + [$0] } } }
        let seen = Set(history.map(\.unit))
        points = points.filter { !seen.contains($0) }
        if points.count > remaining {
            for i in stride(from: points.count - 1, to: 0, by: -1) { points.swapAt(i, Int(rng.next() % UInt64(i + 1))) }
            points = Array(points.prefix(remaining))
        }
        return points
    }

    package static func bayesRound(q: Int, history: [Trial], settings: TuneSettings, rng: inout SplitMix64, engine: Engine) -> [[Double]] {
        let space = settings.space
        let finite = history.map(\.loss).filter(\.isFinite)
        let worst = finite.max() ?? 0
        // A failed (NaN/inf) trial counts as the worst one seen: "bad here", not "unknown".
        let raw = history.map { $0.loss.isFinite ? $0.loss : worst }
        let X = history.map(\.unit)
        // Each warp's GP, scored by its evidence in the original units.
        var chosen: (score: Double, gp: GaussianProcess, y: [Double])?
        for kind in [OutputWarp.Kind.yeoJohnson, .logShift] {
            let warp = OutputWarp(raw, kind: kind)
            let y = raw.map(warp.apply)
            guard y.allSatisfy(\.isFinite) else { continue }
            var r = rng
            let gp = GaussianProcess.fit(X: X, y: y, rng: &r, engine: engine)
            let score = -GaussianProcess.negativeLogPosterior(X: X, y: y, gp.theta.vector, engine: engine).0
                + raw.reduce(0) { $0 + warp.logDerivative($1) }
            if chosen == nil || score > chosen!.score { chosen = (score, gp, y) }
        }
        guard var gp = chosen?.gp else { return [] }
        let y = chosen!.y
        let incumbent = y.min() ?? 0
        var out: [[Double]] = []
        for i in 0..<q {
            var (x, _) = ExpectedImprovement.maximise(gp, best: incumbent, rng: &rng)
            x = space.snap(x)
            out.append(x)
            if i + 1 < q, let next = gp.conditioned(on: [x], values: [incumbent]) { gp = next }
        }
        return out
    }
}
