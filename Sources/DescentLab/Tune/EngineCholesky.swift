// EngineCholesky.swift — blocked Cholesky factorisation (A = L·Lᵀ) whose O(n³) work runs through
// an Engine's gemm (naive / vectorized / blas), and the triangular solves the Gaussian process
// needs. Each diagonal block is factored by the closed-form checks' LinearAlgebra.cholesky (the
// one readable implementation); the panels and the trailing updates are matrix products.
//
//   for each block column J (width nb):
//     L_JJ  = chol(A_JJ − L_J,<J · L_J,<Jᵀ)           (update by engine.gemm, factor by LinearAlgebra)
//     L_IJ  = (A_IJ − L_I,<J · L_J,<Jᵀ) · L_JJ⁻ᵀ        (update by engine.gemm, then a triangular solve)
import DescentCore

package enum EngineCholesky {
    /// Block width: below it the factorisation is LinearAlgebra.cholesky alone.
    package static let blockSize = 16

    /// The lower-triangular factor (row-major n×n, zeros above the diagonal), or nil when A is not
    /// numerically positive definite.
    package static func factor(_ a: [Double], n: Int, engine: Engine = .naive) -> [Double]? {
        precondition(a.count == n * n)
        var L = [Double](repeating: 0, count: n * n)
        let nb = blockSize
        var j0 = 0
        while j0 < n {
            let w = min(nb, n - j0)
            // S = A[j0..<n, j0..<j0+w] − L[j0..<n, 0..<j0] · L[j0..<j0+w, 0..<j0]ᵀ   ((n−j0) × w)
            let m = n - j0
            var S = [Double](repeating: 0, count: m * w)
            for i in 0..<m { for j in 0..<w { S[i * w + j] = a[(j0 + i) * n + j0 + j] } }
            if j0 > 0 {
                L.withUnsafeBufferPointer { lp in
                    S.withUnsafeMutableBufferPointer { sp in
                        engine.gemm(transA: false, transB: true, m: m, n: w, k: j0, alpha: -1.0,
                                    lp.baseAddress! + j0 * n, lda: n, lp.baseAddress! + j0 * n, ldb: n,
                                    beta: 1.0, sp.baseAddress!, ldc: w)
                    }
                }
            }
            // Diagonal block.
            var D = Matrix<Double>(zeros: w, w)
            for i in 0..<w { for j in 0...i { D[i, j] = S[i * w + j]; D[j, i] = S[i * w + j] } }
            guard let Ld = LinearAlgebra.cholesky(D) else { return nil }
            for i in 0..<w { for j in 0...i { L[(j0 + i) * n + j0 + j] = Ld[i, j] } }
            // Panel below: row r solves x · Ldᵀ = s (forward substitution along the row).
            for i in w..<max(m, w) {
                for j in 0..<w {
                    var s = S[i * w + j]
                    for k in 0..<j { s -= L[(j0 + i) * n + j0 + k] * Ld[j, k] }
                    L[(j0 + i) * n + j0 + j] = s / Ld[j, j]
                }
            }
            j0 += w
        }
        return L
    }

    /// Solves L·x = b.
    package static func forward(_ L: [Double], n: Int, _ b: [Double]) -> [Double] {
        var y = b
        for i in 0..<n {
            var s = y[i]
            let row = i * n
            for k in 0..<i { s -= L[row + k] * y[k] }
            y[i] = s / L[row + i]
        }
        return y
    }

    /// Solves Lᵀ·x = b.
    package static func backward(_ L: [Double], n: Int, _ b: [Double]) -> [Double] {
        var x = b
        for i in stride(from: n - 1, through: 0, by: -1) {
            var s = x[i]
            for k in (i + 1)..<max(n, i + 1) { s -= L[k * n + i] * x[k] }
            x[i] = s / L[i * n + i]
        }
        return x
    }

    /// Solves (L·Lᵀ)·x = b.
    package static func solve(_ L: [Double], n: Int, _ b: [Double]) -> [Double] { backward(L, n: n, forward(L, n: n, b)) }

    /// (L·Lᵀ)⁻¹, row-major.
    package static func inverse(_ L: [Double], n: Int) -> [Double] {
        var out = [Double](repeating: 0, count: n * n)
        var e = [Double](repeating: 0, count: n)
        for j in 0..<n {
            e[j] = 1
            let c = solve(L, n: n, e)
            e[j] = 0
            for i in 0..<n { out[i * n + j] = c[i] }
        }
        return out
    }
}
