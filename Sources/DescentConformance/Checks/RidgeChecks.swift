// RidgeChecks.swift — ridge regression, f(θ) = ‖Xθ − y‖² + λ‖θ‖².
//
//   ∇f(θ) = 2Xᵀ(Xθ − y) + 2λθ = H·θ − 2Xᵀy,   H = 2(XᵀX + λI)
//   XᵀX is positive semi-definite for every X, so eig(XᵀX + λI) ≥ λ > 0: invertible even when
//   n < d or X is rank-deficient; the minimiser solves (XᵀX + λI)θ* = Xᵀy (Cholesky).
//   Gradient descent with step η: e_{k+1} = (I − ηH)·e_k (e = θ − θ*), so with H = QΛQᵀ
//   e_k = Σ_i (1 − η·h_i)^k (q_iᵀe_0) q_i   and   ‖e_k‖ ≤ ρ^k ‖e_0‖,  ρ = max_i |1 − η·h_i|.
import DescentCore
import DescentJSON

package let ridgeChecks: [any ClosedFormCheck] = [
    RidgeNormalEquationsCheck(),
    RidgeGradientDescentCheck(problem: .wide),
    RidgeGradientDescentCheck(problem: .rankDeficient),
]

/// A ridge problem: X (n × d), y, λ.
package struct RidgeProblem: Sendable {
    package var name: String
    package var n: Int
    package var d: Int
    package var x: [Double]
    package var y: [Double]
    package var lambda: Double

    /// n < d: more unknowns than observations (XᵀX is singular).
    package static let wide: RidgeProblem = {
        var r = SplitMix64(seed: 0x7269_6467)
        return RidgeProblem(name: "n<d (3×6)", n: 3, d: 6, x: r.vector(18, 0.1, 1), y: r.vector(3, 0.5, 2), lambda: 0.1)
    }()

    /// n > d but column 4 = column 0 + column 1 and a zero row: rank 3 < d = 4.
    package static let rankDeficient: RidgeProblem = {
        var r = SplitMix64(seed: 0x6465_6663)
        var x: [Double] = []
        for i in 0..<7 {
            if i == 3 { x += [0, 0, 0, 0, 0]; continue }
            let a = r.vector(4, 0.1, 1)
            x += a + [a[0] + a[1]]
        }
        return RidgeProblem(name: "rank-deficient (7×5, rank 4)", n: 7, d: 5, x: x, y: r.vector(7, 0.5, 2), lambda: 0.05)
    }()

    package func matrix<T: DescentFloatLike>(_: T.Type) -> Matrix<T> { Matrix(rows: n, cols: d, x.map { T($0) }) }

    /// ∇f(θ) in Double.
    package func gradient(_ theta: [Double]) -> [Double] {
        let X = matrix(Double.self)
        let r = zip(X.times(theta), y).map { $0 - $1 }
        return zip(X.transposeTimes(r), theta).map { 2 * $0 + 2 * lambda * $1 }
    }
}

/// XᵀX + λI is invertible for any X; its Cholesky solve is the minimiser.
package struct RidgeNormalEquationsCheck: ClosedFormCheck {
    package var problems: [RidgeProblem] = [.wide, .rankDeficient]
    /// Tests only: added to the solution before the gradient is evaluated (a wrong minimiser).
    package var solutionPerturbation = 0.0

    package var id: String { "ridge/normal-equations" }
    package var title: String { "XᵀX + λI ≻ 0 for any X; its Cholesky solve is the minimiser" }
    package var proves: String {
        """
        For an n<d X and a rank-deficient X (a zero row, a column = sum of two others), computed in \
        the check's precision: Jacobi eigenvalues show XᵀX is singular (its smallest eigenvalue ≈ 0) \
        while every eigenvalue of XᵀX + λI is ≥ λ; the Cholesky factorisation exists; and the \
        gradient 2Xᵀ(Xθ−y) + 2λθ at the Cholesky solution θ* vanishes. Errors are backward-style: \
        (λ − eig_min)₊ / ‖A‖ and ‖∇f(θ*)‖∞ / (‖H‖·‖θ*‖∞ + ‖2Xᵀy‖∞) with ‖·‖ ≤ n·max|a_ij| — \
        Cholesky and Jacobi are backward stable, so these are O(d·ε) whatever the conditioning. \
        Tolerance: float64 1e-13, float32 1e-5 (d ≤ 6: a few dozen ε).
        """
    }
    package func tolerance(_ dtype: DType) -> Double { dtype == .float64 ? 1e-13 : 1e-5 }

    package func run<T: DescentFloat>(_ type: T.Type) -> CheckOutcome {
        outcome(self, T.self) {
            var worst = 0.0
            var notes: [String] = []
            for p in problems {
                let X = p.matrix(T.self)
                let G = X.gram
                let A = G.plusIdentity(T(p.lambda))
                let norm = Double(A.normBound)
                let gramMin = Double(LinearAlgebra.symmetricEigen(G).values.first ?? 0)
                let eigMin = Double(LinearAlgebra.symmetricEigen(A).values.first ?? 0)
                try require(gramMin < 1e-4 * norm, "\(p.name): XᵀX is not singular (eig_min \(gramMin)); the case shows nothing")
                guard let L = LinearAlgebra.cholesky(A) else {
                    throw CheckAbort(status: .failed, message: "\(p.name): Cholesky of XᵀX + λI failed")
                }
                let xty = X.transposeTimes(p.y.map { T($0) })
                var theta = LinearAlgebra.choleskySolve(L, xty)
                if solutionPerturbation != 0 { theta = theta.map { $0 + T(solutionPerturbation) * max(abs($0), 1) } }
                // The gradient in precision T: H·θ − 2Xᵀy with H = 2A.
                let grad = zip(A.times(theta), xty).map { 2 * $0 - 2 * $1 }
                let denom = 2 * norm * Double(maxAbs(theta)) + 2 * Double(maxAbs(xty))
                let gradErr = Double(maxAbs(grad)) / denom
                let eigErr = max(0, p.lambda - eigMin) / norm
                worst = max(worst, gradErr.isNaN ? .infinity : gradErr, eigErr)
                notes.append("\(p.name): eig_min(XᵀX) \(sci(gramMin)), eig_min(XᵀX+λI) \(sci(eigMin)) ≥ λ \(p.lambda), "
                             + "relative gradient at θ* \(sci(gradErr))")
            }
            return (worst, notes.joined(separator: "; "))
        }
    }
}

/// Gradient descent (the real `textbook sgd` stepper) reaches θ* at the predicted linear rate.
package struct RidgeGradientDescentCheck: ClosedFormCheck {
    package var problem: RidgeProblem
    package var steps = 100
    /// η as a fraction of 2/h_max (1 = the stability limit); 0.8 keeps the top mode oscillating.
    package var etaFraction = 0.8
    /// Tests only: the η the closed form assumes differs from the one run by this factor.
    package var predictedEtaFactor = 1.0

    package var id: String { "ridge/gd-rate/\(problem.n)x\(problem.d)" }
    package var title: String { "ridge \(problem.name): GD contracts by ρ = max|1 − η·2·eig(XᵀX+λI)| per step" }
    package var proves: String {
        """
        Runs textbook sgd with η = \(etaFraction)·2/h_max on ridge \(problem.name) (λ = \(problem.lambda)) for \(steps) steps from a random θ_0 and compares every error e_k = θ_k − θ* \
        with the closed form Σ_i (1 − η·h_i)^k (q_iᵀe_0) q_i (h_i, q_i: Jacobi eigenpairs of \
        H = 2(XᵀX+λI), θ* by Cholesky, all in float64), and checks ‖e_k‖₂ ≤ ρ^k‖e_0‖₂ with \
        ρ = max_i |1 − η·h_i| < 1 (the predicted linear rate; h_min ≥ 2λ makes it < 1 even though \
        XᵀX is singular), requiring the last step's ‖e_k‖/‖e_{k−1}‖ within 1% of ρ (the rate is \
        attained, not just a bound). Error: max_k ‖e_k − predicted‖∞ / ‖e_0‖∞ (and the bound's excess). \
        Tolerance: float64 1e-12 (each step rounds θ by an ulp; the iteration contracts, so the \
        errors add up to ≤ \(steps) ulps); float32 1e-5 (\(steps)·ε₃₂ ≈ 6e-6 relative to ‖θ‖∞ ≈ ‖e_0‖∞, \
        and the gradient's own float32 rounding of similar size).
        """
    }
    package func tolerance(_ dtype: DType) -> Double { dtype == .float64 ? 1e-12 : 1e-5 }

    package func run<T: DescentFloat>(_ type: T.Type) -> CheckOutcome {
        outcome(self, T.self) {
            let p = problem
            let X = p.matrix(Double.self)
            let A = X.gram.plusIdentity(p.lambda)
            guard let L = LinearAlgebra.cholesky(A) else {
                throw CheckAbort(status: .failed, message: "Cholesky of XᵀX + λI failed")
            }
            let thetaStar = LinearAlgebra.choleskySolve(L, X.transposeTimes(p.y))
            let (eig, Q) = LinearAlgebra.symmetricEigen(A)
            let h = eig.map { 2 * $0 }
            let eta = etaFraction * 2 / h.last!
            let rho = h.map { abs(1 - eta * $0) }.max()!
            try require(rho < 1, "ρ = \(rho) ≥ 1: GD would not converge")

            let sgd = OptimizerUnderTest(convention: "textbook", name: "sgd", hyperparameters: [("lr", JSON(eta))])
            let box = try sgd.stepper(T.self, shapes: [[p.d]])
            // A start with components along every eigenvector (θ* itself has none along X's null
            // space, whose modes are the slowest), so the rate ρ is actually attained.
            var r = SplitMix64(seed: 0x6764)
            let theta0 = rounded(r.vector(p.d, 0.5, 1.5), to: T.self)
            let theta = Buffer<T>(converting: theta0)
            let e0 = zip(theta0, thetaStar).map { $0 - $1 }
            // Coordinates of e_0 in the eigenbasis.
            let c = (0..<p.d).map { i in (0..<p.d).reduce(0.0) { $0 + Q[$1, i] * e0[$1] } }
            let predictedEta = eta * predictedEtaFactor
            let e0Inf = maxAbs(e0), e0Two = e0.reduce(0) { $0 + $1 * $1 }.squareRoot()
            var err = 0.0, boundExcess = 0.0
            var lastRatio = 0.0, previousNorm = e0Two
            for k in 1...steps {
                let g = p.gradient(theta.doubles)
                box.step([theta], [Buffer<T>(converting: g)], eta)
                let e = zip(theta.doubles, thetaStar).map { $0 - $1 }
                var predicted = [Double](repeating: 0, count: p.d)
                for i in 0..<p.d {
                    let f = power(1 - predictedEta * h[i], k) * c[i]
                    for r in 0..<p.d { predicted[r] += f * Q[r, i] }
                }
                let d = zip(e, predicted).map { abs($0 - $1) }.max()! / e0Inf
                err = max(err, d.isNaN ? .infinity : d)
                let norm = e.reduce(0) { $0 + $1 * $1 }.squareRoot()
                boundExcess = max(boundExcess, (norm - power(rho, k) * e0Two) / e0Two)
                lastRatio = norm / previousNorm
                previousNorm = norm
            }
            try require(abs(lastRatio - rho) < 0.01 * rho,
                        "the observed rate \(lastRatio) is not the predicted ρ = \(rho) (is the slowest mode excited?)")
            return (max(err, boundExcess),
                    "η = \(sci(eta)), ρ = \(String(format: "%.6f", rho)), last-step ‖e‖ ratio \(String(format: "%.6f", lastRatio)); "
                    + "trajectory error \(sci(err)) of ‖e_0‖∞, bound excess \(sci(max(0, boundExcess)))")
        }
    }
}
