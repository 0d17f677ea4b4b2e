// BoxLBFGS.swift — a small limited-memory BFGS minimiser kept inside a box by projection, with an
// Armijo backtracking line search along the projected path. Used to fit the Gaussian process's
// hyperparameters (the negative log marginal likelihood) and to maximise expected improvement.

package enum BoxLBFGS {
    package struct Result { var x: [Double]; var value: Double; var iterations: Int }

    /// Minimises f over lo ≤ x ≤ hi from x0. `f` returns the value and the gradient.
    package static func minimize(_ f: ([Double]) -> (Double, [Double]), x0: [Double], lo: [Double], hi: [Double],
                         maxIterations: Int = 60, memory: Int = 8, tolerance: Double = 1e-7) -> Result {
        let d = x0.count
        func project(_ x: [Double]) -> [Double] { (0..<d).map { min(max(x[$0], lo[$0]), hi[$0]) } }
        var x = project(x0)
        var (fx, g) = f(x)
        if !fx.isFinite { return Result(x: x, value: fx, iterations: 0) }
        var S: [[Double]] = [], Y: [[Double]] = []
        var it = 0
        while it < maxIterations {
            it += 1
            // Projected-gradient stationarity.
            var pg = 0.0
            for i in 0..<d {
                let xi = min(max(x[i] - g[i], lo[i]), hi[i])
                pg = max(pg, abs(xi - x[i]))
            }
            if pg < tolerance { break }
            // Two-loop recursion; coordinates pinned at a bound with the gradient pushing out are frozen.
            var free = [Bool](repeating: true, count: d)
            for i in 0..<d where (x[i] <= lo[i] && g[i] > 0) || (x[i] >= hi[i] && g[i] < 0) { free[i] = false }
            var q = (0..<d).map { free[$0] ? g[$0] : 0 }
            var alphas = [Double](repeating: 0, count: S.count)
            for k in stride(from: S.count - 1, through: 0, by: -1) {
                let rho = 1 / dot(Y[k], S[k])
                alphas[k] = rho * dot(S[k], q)
                for i in 0..<d { q[i] -= alphas[k] * Y[k][i] }
            }
            if let s = S.last, let y = Y.last {
                let gamma = dot(s, y) / dot(y, y)
                for i in 0..<d { q[i] *= gamma }
            } else {
                let n = max(q.map(abs).max() ?? 1, 1e-12)
                for i in 0..<d { q[i] /= n }   // first step: at most a unit move per coordinate
            }
            for k in 0..<S.count {
                let rho = 1 / dot(Y[k], S[k])
                let beta = rho * dot(Y[k], q)
                for i in 0..<d { q[i] += S[k][i] * (alphas[k] - beta) }
            }
            var dir = (0..<d).map { free[$0] ? -q[$0] : 0 }
            if dot(dir, g) >= 0 { dir = (0..<d).map { free[$0] ? -g[$0] : 0 }; S = []; Y = [] }
            var step = 1.0
            var accepted = false
            var xn = x, fn = fx, gn = g
            for _ in 0..<30 {
                xn = project((0..<d).map { x[$0] + step * dir[$0] })
                let (v, gv) = f(xn)
                var decrease = 0.0
                for i in 0..<d { decrease += g[i] * (xn[i] - x[i]) }
                if v.isFinite && v <= fx + 1e-4 * decrease {
                    fn = v; gn = gv; accepted = true; break
                }
                step *= 0.5
            }
            if !accepted { break }
            let s = (0..<d).map { xn[$0] - x[$0] }
            let y = (0..<d).map { gn[$0] - g[$0] }
            let improvement = fx - fn
            x = xn; fx = fn; g = gn
            if dot(s, y) > 1e-12 * max(dot(y, y), 1e-300) {
                S.append(s); Y.append(y)
                if S.count > memory { S.removeFirst(); Y.removeFirst() }
            }
            if improvement < tolerance * max(1, abs(fx)) * 1e-3 { break }
        }
        return Result(x: x, value: fx, iterations: it)
    }

    package static func dot(_ a: [Double], _ b: [Double]) -> Double {
        var s = 0.0
        for i in a.indices { s += a[i] * b[i] }
        return s
    }
}
