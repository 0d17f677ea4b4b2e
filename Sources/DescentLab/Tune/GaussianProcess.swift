// GaussianProcess.swift — Gaussian-process regression for Bayesian search.
//
//   k(x, x') = σ_f² (1 + √5 r + 5r²/3) exp(−√5 r),   r² = Σ_j (x_j − x'_j)² / ℓ_j²   (Matérn-5/2, ARD)
//   K = k(X, X) + (σ_n² + jitter) I,   α = K⁻¹y  (Cholesky K = LLᵀ through the engine)
//   log p(y | X, θ) = −½ yᵀα − Σ log L_ii − (n/2) log 2π
//   ∂/∂θ_j = ½ tr((ααᵀ − K⁻¹) ∂K/∂θ_j)
//   ∂k/∂log ℓ_j = (5/3) σ_f² (1 + √5 r) exp(−√5 r) (x_j − x'_j)² / ℓ_j²
//
// θ = (log ℓ_1 … log ℓ_d, log σ_f², log σ_n²) maximises the log marginal likelihood plus weak
// log-normal priors (a MAP fit, which keeps a handful of points from driving ℓ or σ_n to a bound),
// by box-constrained L-BFGS from several starts. Inputs live in the unit cube (the search space's
// warped coordinates: log dimensions in log space); outputs are Yeo-Johnson transformed and
// standardised (OutputWarp) before fitting.
import DescentCore
import Foundation

package struct GPHyperparameters: Sendable, Equatable {
    package var logLengthscales: [Double]
    package var logSignal: Double
    package var logNoise: Double

    package var vector: [Double] { logLengthscales + [logSignal, logNoise] }
    package init(logLengthscales: [Double], logSignal: Double, logNoise: Double) {
        self.logLengthscales = logLengthscales; self.logSignal = logSignal; self.logNoise = logNoise
    }
    package init(_ v: [Double]) {
        logLengthscales = Array(v.dropLast(2)); logSignal = v[v.count - 2]; logNoise = v[v.count - 1]
    }
}

package struct GaussianProcess {
    package let X: [[Double]]
    package let y: [Double]
    package let theta: GPHyperparameters
    package let L: [Double]
    package let alpha: [Double]
    package let engine: Engine
    package static let jitter = 1e-8

    package var n: Int { X.count }
    package var d: Int { theta.logLengthscales.count }

    // MARK: Priors and bounds (log space; inputs in [0,1]^d, outputs standardised)

    package static func bounds(d: Int) -> (lo: [Double], hi: [Double]) {
        (Array(repeating: log(0.01), count: d) + [log(0.05), log(1e-6)],
         Array(repeating: log(20.0), count: d) + [log(20.0), log(1.0)])
    }
    package static func priorMeans(d: Int) -> [Double] { Array(repeating: log(0.3), count: d) + [0, log(1e-3)] }
    package static let priorSD: (lengthscale: Double, signal: Double, noise: Double) = (1.5, 1.5, 3.0)

    package static func matern(_ r: Double) -> Double {
        let s = 5.0.squareRoot() * r
        return (1 + s + s * s / 3) * exp(-s)
    }

    /// The factored GP at hyperparameters θ, or nil when K is not positive definite.
    package init?(X: [[Double]], y: [Double], theta: GPHyperparameters, engine: Engine = .naive) {
        self.X = X; self.y = y; self.theta = theta; self.engine = engine
        let n = X.count
        let K = GaussianProcess.covariance(X, theta)
        guard let L = EngineCholesky.factor(K, n: n, engine: engine) else { return nil }
        self.L = L
        alpha = EngineCholesky.solve(L, n: n, y)
    }

    package static func covariance(_ X: [[Double]], _ theta: GPHyperparameters) -> [Double] {
        let n = X.count, d = theta.logLengthscales.count
        let inv = theta.logLengthscales.map { exp(-$0) }
        let sf2 = exp(theta.logSignal), sn2 = exp(theta.logNoise)
        var K = [Double](repeating: 0, count: n * n)
        for i in 0..<n {
            K[i * n + i] = sf2 + sn2 + jitter
            for j in 0..<i {
                var r2 = 0.0
                for k in 0..<d { let t = (X[i][k] - X[j][k]) * inv[k]; r2 += t * t }
                let v = sf2 * matern(r2.squareRoot())
                K[i * n + j] = v; K[j * n + i] = v
            }
        }
        return K
    }

    // MARK: Fit

    /// Negative (log marginal likelihood + log prior) and its gradient at θ (nil when K is singular).
    package static func negativeLogPosterior(X: [[Double]], y: [Double], _ v: [Double], engine: Engine) -> (Double, [Double]) {
        let theta = GPHyperparameters(v)
        let n = X.count, d = theta.logLengthscales.count
        guard let gp = GaussianProcess(X: X, y: y, theta: theta, engine: engine) else {
            return (.infinity, [Double](repeating: 0, count: v.count))
        }
        var lml = -0.5 * zip(y, gp.alpha).reduce(0) { $0 + $1.0 * $1.1 } - 0.5 * Double(n) * log(2 * Double.pi)
        for i in 0..<n { lml -= log(gp.L[i * n + i]) }
        let Kinv = EngineCholesky.inverse(gp.L, n: n)
        // W = ααᵀ − K⁻¹ (symmetric)
        var W = [Double](repeating: 0, count: n * n)
        for i in 0..<n { for j in 0..<n { W[i * n + j] = gp.alpha[i] * gp.alpha[j] - Kinv[i * n + j] } }
        var grad = [Double](repeating: 0, count: d + 2)
        let inv2 = theta.logLengthscales.map { exp(-2 * $0) }
        let sf2 = exp(theta.logSignal), sn2 = exp(theta.logNoise)
        let s5 = 5.0.squareRoot()
        var gSignal = 0.0
        for i in 0..<n {
            gSignal += 0.5 * W[i * n + i] * sf2
            for j in 0..<i {
                var r2 = 0.0
                var diff2 = [Double](repeating: 0, count: d)
                for k in 0..<d { let t = X[i][k] - X[j][k]; diff2[k] = t * t; r2 += t * t * inv2[k] }
                let r = r2.squareRoot()
                let e = exp(-s5 * r)
                let kij = sf2 * (1 + s5 * r + 5 * r2 / 3) * e
                let w = W[i * n + j]   // pairs (i,j) and (j,i): ½·2
                gSignal += w * kij
                let common = (5.0 / 3.0) * sf2 * (1 + s5 * r) * e * w
                for k in 0..<d { grad[k] += common * diff2[k] * inv2[k] }
            }
        }
        grad[d] = gSignal
        var gNoise = 0.0
        for i in 0..<n { gNoise += W[i * n + i] }
        grad[d + 1] = 0.5 * gNoise * sn2
        // Log-normal priors on ℓ, σ_f², σ_n² (Gaussian in the log parameters).
        let mu = priorMeans(d: d)
        var logPrior = 0.0
        for k in 0..<(d + 2) {
            let sd = k < d ? priorSD.lengthscale : (k == d ? priorSD.signal : priorSD.noise)
            let z = (v[k] - mu[k]) / sd
            logPrior -= 0.5 * z * z
            grad[k] -= z / sd
        }
        return (-(lml + logPrior), grad.map { -$0 })
    }

    /// Fits θ by maximising the log posterior from several starts (the previous fit, the prior
    /// mean, and random draws from the prior); returns the factored GP at the best θ.
    package static func fit(X: [[Double]], y: [Double], previous: GPHyperparameters? = nil, restarts: Int = 4,
                    rng: inout SplitMix64, engine: Engine = .naive) -> GaussianProcess {
        let d = X.first?.count ?? 0
        let (lo, hi) = bounds(d: d)
        let mu = priorMeans(d: d)
        var starts: [[Double]] = []
        if let previous { starts.append(previous.vector) }
        starts.append(mu)
        for _ in 0..<restarts {
            starts.append((0..<(d + 2)).map { k in
                let sd = k < d ? priorSD.lengthscale : (k == d ? priorSD.signal : priorSD.noise)
                return min(max(mu[k] + 0.7 * sd * rng.gaussian(), lo[k]), hi[k])
            })
        }
        var best: (Double, [Double])?
        for s in starts {
            let r = BoxLBFGS.minimize({ negativeLogPosterior(X: X, y: y, $0, engine: engine) }, x0: s, lo: lo, hi: hi,
                                      maxIterations: 80)
            if r.value.isFinite, best == nil || r.value < best!.0 { best = (r.value, r.x) }
        }
        var theta = GPHyperparameters(best?.1 ?? mu)
        // Should every start fail (a degenerate design), more noise makes K positive definite.
        while true {
            if let gp = GaussianProcess(X: X, y: y, theta: theta, engine: engine) { return gp }
            theta.logNoise += 1
        }
    }

    // MARK: Prediction

    /// Posterior mean and variance of the latent function at x, with their gradients in x when asked.
    package func predict(_ x: [Double], gradient: Bool = false) -> (mean: Double, variance: Double, dMean: [Double], dVariance: [Double]) {
        let inv2 = theta.logLengthscales.map { exp(-2 * $0) }
        let sf2 = exp(theta.logSignal)
        let s5 = 5.0.squareRoot()
        var ks = [Double](repeating: 0, count: n)
        var dk: [[Double]] = gradient ? Array(repeating: [Double](repeating: 0, count: d), count: n) : []
        for i in 0..<n {
            var r2 = 0.0
            for k in 0..<d { let t = x[k] - X[i][k]; r2 += t * t * inv2[k] }
            let r = r2.squareRoot()
            let e = exp(-s5 * r)
            ks[i] = sf2 * (1 + s5 * r + 5 * r2 / 3) * e
            if gradient {
                let c = -(5.0 / 3.0) * sf2 * (1 + s5 * r) * e
                for k in 0..<d { dk[i][k] = c * (x[k] - X[i][k]) * inv2[k] }
            }
        }
        var mean = 0.0
        for i in 0..<n { mean += ks[i] * alpha[i] }
        let v = EngineCholesky.forward(L, n: n, ks)
        var variance = sf2
        for i in 0..<n { variance -= v[i] * v[i] }
        variance = max(variance, 1e-12)
        guard gradient else { return (mean, variance, [], []) }
        let w = EngineCholesky.backward(L, n: n, v)
        var dMean = [Double](repeating: 0, count: d), dVar = [Double](repeating: 0, count: d)
        for i in 0..<n { for k in 0..<d { dMean[k] += dk[i][k] * alpha[i]; dVar[k] -= 2 * dk[i][k] * w[i] } }
        return (mean, variance, dMean, dVar)
    }

    /// The same GP with extra (x, y) observations, at the same θ (constant liar).
    package func conditioned(on x: [[Double]], values: [Double]) -> GaussianProcess? {
        GaussianProcess(X: X + x, y: y + values, theta: theta, engine: engine)
    }
}

/// Outputs for the GP: a monotone warp, then standardised to mean 0 and variance 1. Minimising the
/// warped value minimises the original. Two candidates, chosen per round by the evidence in the
/// original units (the GP's log marginal likelihood of the warped values plus Σ log|T'(y_i)|):
///   - Yeo-Johnson power transform (λ by maximum likelihood on a grid, after a first
///     standardisation), which compresses heavy tails (Rosenbrock) and leaves near-normal data alone;
///   - log(y − min y + δ), δ = (median − min)/10, which also stretches the values near the
///     incumbent (Goldstein-Price, whose minimum 3 sits under values up to 10⁶).
package struct OutputWarp {
    package enum Kind: String { case yeoJohnson, logShift }
    package var kind: Kind
    package var mean1 = 0.0, sd1 = 1.0, lambda = 1.0, mean2 = 0.0, sd2 = 1.0, shift = 0.0

    package init(_ y: [Double], kind: Kind = .yeoJohnson) {
        self.kind = kind
        switch kind {
        case .logShift:
            let lo = y.min() ?? 0
            shift = -lo + max(0.1 * (median(y) - lo), 1e-12 * max(abs(lo), 1))
            (mean2, sd2) = OutputWarp.meanSD(y.map { log($0 + shift) })
        case .yeoJohnson:
            (mean1, sd1) = OutputWarp.meanSD(y)
            let z = y.map { ($0 - mean1) / sd1 }
            var bestLL = -Double.infinity
            for step in 0...40 {
                let l = -2 + 0.1 * Double(step)
                let t = z.map { OutputWarp.yeoJohnson($0, l) }
                let (_, s) = OutputWarp.meanSD(t)
                guard s > 0, s.isFinite else { continue }
                var ll = -Double(z.count) / 2 * log(s * s)
                for v in z { ll += (l - 1) * (v >= 0 ? 1 : -1) * log(abs(v) + 1) }
                if ll > bestLL + 1e-12 { bestLL = ll; lambda = l }
            }
            (mean2, sd2) = OutputWarp.meanSD(z.map { OutputWarp.yeoJohnson($0, lambda) })
        }
    }

    package func apply(_ v: Double) -> Double {
        switch kind {
        case .logShift: return (log(v + shift) - mean2) / sd2
        case .yeoJohnson: return (OutputWarp.yeoJohnson((v - mean1) / sd1, lambda) - mean2) / sd2
        }
    }

    /// log |dT/dy| at v (the change of variables between warped and original units).
    package func logDerivative(_ v: Double) -> Double {
        switch kind {
        case .logShift: return -log(v + shift) - log(sd2)
        case .yeoJohnson:
            let z = (v - mean1) / sd1
            let d = z >= 0 ? (lambda - 1) * log1p(z) : (1 - lambda) * log1p(-z)
            return d - log(sd1) - log(sd2)
        }
    }

    package static func meanSD(_ y: [Double]) -> (Double, Double) {
        guard !y.isEmpty else { return (0, 1) }
        let m = y.reduce(0, +) / Double(y.count)
        let v = y.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(y.count)
        let s = v.squareRoot()
        return (m, s > 1e-12 && s.isFinite ? s : 1)
    }

    package static func yeoJohnson(_ y: Double, _ l: Double) -> Double {
        if y >= 0 { return abs(l) < 1e-9 ? log1p(y) : (pow(y + 1, l) - 1) / l }
        return abs(l - 2) < 1e-9 ? -log1p(-y) : -(pow(1 - y, 2 - l) - 1) / (2 - l)
    }
}

extension SplitMix64 {
    /// A standard normal draw (Box-Muller).
    package mutating func gaussian() -> Double {
        let u1 = max(uniform(0, 1), 1e-300), u2 = uniform(0, 1)
        return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
    }
    /// Uniform in [0, 1)^d.
    package mutating func unitPoint(_ d: Int) -> [Double] { (0..<d).map { _ in uniform(0, 1) } }
}
