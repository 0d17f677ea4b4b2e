// ExpectedImprovement.swift — the acquisition function of Bayesian search, and its maximiser.
//
// For minimisation with incumbent f* (the best observed, in the GP's output space):
//   z = (f* − μ(x)) / σ(x),   EI(x) = σ(x)·h(z),   h(z) = z·Φ(z) + φ(z)
// We maximise log EI, which stays finite and informative far from the incumbent where EI
// underflows: for z < −6, h(z) = φ(z)/z²·(1 − 3/z² + 15/z⁴ − 105/z⁶ + …) (Mills-ratio series).
//   ∂ log EI = ∂σ/σ + (Φ(z)/h(z))·(−∂μ − z·∂σ)/σ
// Maximiser: score many random points in the unit cube plus perturbations of the best observed
// points, then polish the best few by box-constrained L-BFGS with the analytic gradient.
import DescentCore
import Foundation

package enum ExpectedImprovement {
    /// log h(z) and Φ(z)/h(z).
    package static func logH(_ z: Double) -> (Double, Double) {
        if z > -6 {
            let Phi = 0.5 * erfc(-z / 2.0.squareRoot())
            let phi = exp(-0.5 * z * z) / (2 * Double.pi).squareRoot()
            let h = z * Phi + phi
            if h > 0 { return (log(h), Phi / h) }
        }
        let t = 1 / (z * z)
        let sh = 1 - 3 * t + 15 * t * t - 105 * t * t * t
        let sPhi = 1 - t + 3 * t * t - 15 * t * t * t
        return (-0.5 * z * z - 0.5 * log(2 * Double.pi) - 2 * log(abs(z)) + log(sh), abs(z) * sPhi / sh)
    }

    /// log EI at x and its gradient (when asked).
    package static func logEI(_ gp: GaussianProcess, best: Double, _ x: [Double], gradient: Bool) -> (Double, [Double]) {
        let p = gp.predict(x, gradient: gradient)
        let sigma = p.variance.squareRoot()
        let z = (best - p.mean) / sigma
        let (lh, ratio) = logH(z)
        let value = log(sigma) + lh
        guard gradient else { return (value, []) }
        let g = (0..<x.count).map { k -> Double in
            let dSigma = p.dVariance[k] / (2 * sigma)
            return dSigma / sigma + ratio * (-p.dMean[k] - z * dSigma) / sigma
        }
        return (value, g)
    }

    /// The point of [0,1]^d maximising EI: `candidates` random points and perturbations of the
    /// best observed points are scored, the best `starts` are polished by L-BFGS.
    package static func maximise(_ gp: GaussianProcess, best: Double, rng: inout SplitMix64,
                         candidates: Int? = nil, starts: Int = 8) -> (x: [Double], logEI: Double) {
        let d = gp.d
        var pool: [[Double]] = []
        let count = candidates ?? min(500 + 300 * d, 4000)
        for _ in 0..<count { pool.append(rng.unitPoint(d)) }
        let ranked = gp.y.indices.sorted { gp.y[$0] < gp.y[$1] }.prefix(5)
        for i in ranked {
            for scale in [0.01, 0.05, 0.15] {
                for _ in 0..<20 {
                    pool.append(gp.X[i].map { min(max($0 + scale * rng.gaussian(), 0), 1) })
                }
            }
        }
        var scored = pool.map { ($0, logEI(gp, best: best, $0, gradient: false).0) }
        scored.sort { $0.1 > $1.1 || ($0.1 == $1.1 && $0.0.lexicographicallyPrecedes($1.0)) }
        var bestX = scored[0].0, bestV = scored[0].1
        let lo = [Double](repeating: 0, count: d), hi = [Double](repeating: 1, count: d)
        for (x0, _) in scored.prefix(starts) {
            let r = BoxLBFGS.minimize({ x in
                let (v, g) = logEI(gp, best: best, x, gradient: true)
                return (-v, g.map { -$0 })
            }, x0: x0, lo: lo, hi: hi, maxIterations: 50)
            if -r.value > bestV { bestV = -r.value; bestX = r.x }
        }
        return (bestX, bestV)
    }
}
