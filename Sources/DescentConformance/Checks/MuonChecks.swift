// MuonChecks.swift — Muon's Newton–Schulz orthogonalisation in closed form.
//
//   One quintic step X ← a·X + b·(XXᵀ)X + c·(XXᵀ)²X acts on X = U·diag(σ)·Vᵀ singular value by
//   singular value: X ← U·diag(φ(σ))·Vᵀ with φ(x) = a·x + b·x³ + c·x⁵. After the normalisation
//   x = σ/‖G‖_F (torch: ÷ max(‖G‖_F, ε); optax: ÷ (‖G‖_F + ε)) every x lies in (0, 1], and k steps give
//       NS_k(G) = U·diag(φᵏ(x))·Vᵀ.
//   Iterating φ on a fine grid of [0.01, 1] with the default coefficients (3.4445, −4.7750, 2.0315)
//   and k = 5 gives the band φ⁵([0.01, 1]) ≈ [0.6818, 1.1344]: the output is not orthogonal, its
//   singular values are promised to lie in that band (Keller Jordan's "S' ~ Uniform(0.5, 1.5)").
//
// The check builds G with known U, V, σ (random orthogonal factors, σ/‖σ‖ ∈ [0.0158, 0.95]), runs
// ONE Muon step from W = 0 with lr = 1, momentum 0 / no nesterov / no decay and a shape whose
// scale factor is 1, so W₁ = −NS₅(G), and compares W₁ with −U·diag(φ⁵(x))·Vᵀ element by element;
// it also computes the singular values of W₁ and requires them inside the band.
import DescentCore
import DescentJSON

package let muonChecks: [any ClosedFormCheck] = [
    MuonNewtonSchulzCheck(convention: "torch"),
    MuonNewtonSchulzCheck(convention: "optax"),
]

/// φ(x) = a·x + b·x³ + c·x⁵, applied k times.
package func newtonSchulzScalar(_ x: Double, _ abc: (Double, Double, Double), steps: Int) -> Double {
    var y = x
    for _ in 0..<steps { y = abc.0 * y + abc.1 * y * y * y + abc.2 * y * y * y * y * y }
    return y
}

/// The band φᵏ([lo, 1]), by iterating the scalar map on a log-spaced grid of 20 001 points.
package func newtonSchulzBand(_ abc: (Double, Double, Double), steps: Int, lo: Double) -> (Double, Double) {
    var mn = Double.infinity, mx = -Double.infinity
    let n = 20_000
    for i in 0...n {
        let x = lo * Double.pow(1 / lo, Double(i) / Double(n))
        let y = newtonSchulzScalar(x, abc, steps: steps)
        mn = min(mn, y); mx = max(mx, y)
    }
    return (mn, mx)
}

package struct MuonNewtonSchulzCheck: ClosedFormCheck {
    /// "torch" (torch.optim.Muon, a 3×5 tensor) or "optax" (optax.contrib.muon, a 5×3 tensor).
    package var convention: String
    package var perturbation = 0.0
    /// Tests only: the number of φ iterations the closed form applies (5 is right).
    package var closedFormSteps = 5

    package static let coefficients = (3.4445, -4.7750, 2.0315)
    package static let sigma = [3.0, 1.0, 0.05]

    package var id: String { "muon/newton-schulz-\(convention)" }
    package var title: String { "Muon's NS₅(G) = U·φ⁵(Σ/‖G‖)·Vᵀ, singular values in φ⁵([0.01, 1]) (\(convention))" }
    package var shape: (Int, Int) { convention == "torch" ? (3, 5) : (5, 3) }
    package var proves: String {
        let (lo, hi) = newtonSchulzBand(Self.coefficients, steps: 5, lo: 0.01)
        return """
        Runs one \(convention == "torch" ? "torch.optim.Muon" : "optax.contrib.muon") step from W = 0 \
        (lr 1, no momentum, no nesterov, no decay; a \(shape.0)×\(shape.1) tensor, whose shape scale \
        is 1) on G = U·diag(3, 1, 0.05)·Vᵀ with random orthogonal U, V, and compares −W₁ with the \
        closed form U·diag(φ⁵(σ/‖G‖_F))·Vᵀ, φ(x) = 3.4445x − 4.7750x³ + 2.0315x⁵: a quintic \
        Newton–Schulz step acts on each singular value separately, so the output is known exactly. \
        The singular values of −W₁ must lie in the band φ⁵([0.01, 1]) = [\(String(format: "%.4f", lo)), \
        \(String(format: "%.4f", hi))] obtained by iterating φ on a grid of [0.01, 1] (the normalised \
        singular values here are ≥ 0.0158). Error: max |ΔO| / max |O|. Tolerance: float64 1e-11 \
        (|dφ⁵/dx| ≤ a⁵ ≈ 486 amplifies rounding of a few ulps); float32 2e-4 (the same \
        amplification of ε₃₂ ≈ 6e-8).
        """
    }
    package func tolerance(_ dtype: DType) -> Double { dtype == .float64 ? 1e-11 : 2e-4 }

    package func run<T: DescentFloat>(_ type: T.Type) -> CheckOutcome {
        outcome(self, T.self) {
            let (m, n) = shape
            var r = SplitMix64(seed: convention == "torch" ? 0x6d75 : 0x6f70)
            let U = randomOrthogonal(m, &r), V = randomOrthogonal(n, &r)
            let k = min(m, n)
            func compose(_ s: [Double]) -> [Double] {
                var out = [Double](repeating: 0, count: m * n)
                for i in 0..<m { for j in 0..<n { for l in 0..<k { out[i * n + j] += U[i][l] * s[l] * V[j][l] } } }
                return out
            }
            let G = rounded(compose(Self.sigma), to: T.self)
            let hp: [(String, JSON)] = convention == "torch"
                ? [("lr", JSON(1.0)), ("momentum", JSON(0.0)), ("nesterov", JSON(false)), ("weight_decay", JSON(0.0))]
                : [("learning_rate", JSON(1.0)), ("beta", JSON(0.0)), ("nesterov", JSON(false))]
            let box = try OptimizerUnderTest(convention: convention, name: convention == "torch" ? "Muon" : "muon",
                                             hyperparameters: hp).stepper(T.self, shapes: [[m, n]])
            let measured = trajectory(box, initial: [Double](repeating: 0, count: m * n), grads: [G], lrs: [1.0])
                .map { $0.map { -$0 } }
            // Closed form, from the values the stepper saw.
            let frob = G.reduce(0) { $0 + $1 * $1 }.squareRoot()
            let denominator = convention == "torch" ? max(frob, 1e-7) : frob + 1e-8
            let x = Self.sigma.map { $0 * (frob / Self.sigma.reduce(0) { $0 + $1 * $1 }.squareRoot()) / denominator }
            let predicted = [compose(x.map { newtonSchulzScalar($0, Self.coefficients, steps: closedFormSteps) })]
            // Singular values of the measured output, against the band.
            let O = Matrix<Double>(rows: m, cols: n, perturbed(measured, perturbation)[0])
            var gram = Matrix<Double>(zeros: k, k)
            for i in 0..<k { for j in 0..<k {
                gram[i, j] = (0..<(m > n ? m : n)).reduce(0) { acc, l in
                    acc + (m > n ? O[l, i] * O[l, j] : O[i, l] * O[j, l]) }
            } }
            let singular = LinearAlgebra.symmetricEigen(gram).values.map { max($0, 0).squareRoot() }
            let (lo, hi) = newtonSchulzBand(Self.coefficients, steps: 5, lo: 0.01)
            let slack = tolerance(T.dtype) * 10
            try require(singular.allSatisfy { $0 >= lo - slack && $0 <= hi + slack },
                        "singular values \(singular.map { String(format: "%.4f", $0) }) outside the band [\(lo), \(hi)]")
            let e = relativeError(perturbed(measured, perturbation), predicted)
            return (e, "NS₅ output equals U·φ⁵(Σ/‖G‖)·Vᵀ to \(sci(e)); singular values \(singular.map { String(format: "%.4f", $0) }) ⊂ [\(String(format: "%.4f", lo)), \(String(format: "%.4f", hi))]")
        }
    }
}

/// A random n×n orthogonal matrix (rows of the result are rows of Q), by Gram–Schmidt in Double.
package func randomOrthogonal(_ n: Int, _ r: inout SplitMix64) -> [[Double]] {
    var q: [[Double]] = []
    while q.count < n {
        var v = r.vector(n, 0.1, 1)
        for u in q {
            let d = zip(u, v).reduce(0) { $0 + $1.0 * $1.1 }
            v = zip(v, u).map { $0 - d * $1 }
        }
        let norm = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
        if norm > 1e-8 { q.append(v.map { $0 / norm }) }
    }
    // q's rows are orthonormal vectors; use them as the columns of the factor.
    return (0..<n).map { i in (0..<n).map { j in q[j][i] } }
}
