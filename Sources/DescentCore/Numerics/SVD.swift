// SVD.swift — the thin singular value decomposition A = U·diag(σ)·Vᵀ of a small dense matrix by
// one-sided Jacobi rotations (Hestenes' method; Demmel & Veselić 1992), in float64 whatever the
// caller's precision. For A (m × n), k = min(m, n): U is m × k with orthonormal columns, σ has k
// values in descending order, Vᵀ is k × n with orthonormal rows — torch.linalg.svd(A,
// full_matrices=False)'s shapes. A tall A (m ≥ n) has its columns rotated until they are mutually
// orthogonal (A·V = U·Σ); a wide one is decomposed as its transpose.
//
// Each singular pair (u_i, v_i) is defined up to a joint sign, and LAPACK (torch's gesdd) fixes it
// by its own arithmetic, not by a rule: a caller must depend on the subspaces only (GaLore's
// projected-back update does, within one projector; GaLore.swift). Singular vectors of a zero
// singular value are returned as zero columns (U) — there is nothing to normalise. Accuracy: the
// rotations stop when every column pair's cosine is below 1e-15 (or after 60 sweeps); σ and the
// vectors are then accurate to a few ulps relative to ‖A‖ divided by the gaps between the σ.

public enum SVD {
    /// (u: m × k row-major, s: k descending, vt: k × n row-major) of the row-major m × n matrix `a`.
    public static func thin(_ a: [Double], rows m: Int, cols n: Int) -> (u: [Double], s: [Double], vt: [Double]) {
        precondition(a.count == m * n, "SVD: \(a.count) values for \(m)×\(n)")
        if m < n {
            // Aᵀ = U'·Σ·V'ᵀ, so A = V'·Σ·U'ᵀ: U = V' (m × m), Vᵀ = U'ᵀ (m × n).
            var at = [Double](repeating: 0, count: m * n)
            for i in 0..<m { for j in 0..<n { at[j * m + i] = a[i * n + j] } }
            let r = thin(at, rows: n, cols: m)
            var u = [Double](repeating: 0, count: m * m), vt = [Double](repeating: 0, count: m * n)
            // r.vt is m × m (rows: v'_i); U's column i is v'_i.
            for i in 0..<m { for j in 0..<m { u[j * m + i] = r.vt[i * m + j] } }
            // r.u is n × m (columns: u'_i); Vᵀ's row i is u'_i.
            for i in 0..<m { for j in 0..<n { vt[i * n + j] = r.u[j * m + i] } }
            return (u, r.s, vt)
        }
        // Tall: columns of W = A rotated; V accumulates the rotations. Column-major copies for speed.
        var w = [[Double]](repeating: [Double](repeating: 0, count: m), count: n)
        for i in 0..<m { for j in 0..<n { w[j][i] = a[i * n + j] } }
        var v = [[Double]](repeating: [Double](repeating: 0, count: n), count: n)
        for j in 0..<n { v[j][j] = 1 }
        for _ in 0..<60 {
            var rotated = false
            for p in 0..<n {
                for q in (p + 1)..<max(p + 1, n) {
                    var alpha = 0.0, beta = 0.0, gamma = 0.0
                    for i in 0..<m {
                        alpha += w[p][i] * w[p][i]
                        beta += w[q][i] * w[q][i]
                        gamma += w[p][i] * w[q][i]
                    }
                    if gamma == 0 || abs(gamma) <= 1e-15 * (alpha * beta).squareRoot() { continue }
                    rotated = true
                    let zeta = (beta - alpha) / (2 * gamma)
                    let t = (zeta >= 0 ? 1.0 : -1.0) / (abs(zeta) + (1 + zeta * zeta).squareRoot())
                    let c = 1 / (1 + t * t).squareRoot(), s = c * t
                    for i in 0..<m {
                        let x = w[p][i], y = w[q][i]
                        w[p][i] = c * x - s * y
                        w[q][i] = s * x + c * y
                    }
                    for i in 0..<n {
                        let x = v[p][i], y = v[q][i]
                        v[p][i] = c * x - s * y
                        v[q][i] = s * x + c * y
                    }
                }
            }
            if !rotated { break }
        }
        let norms = w.map { col in col.reduce(0) { $0 + $1 * $1 }.squareRoot() }
        let order = (0..<n).sorted { norms[$0] > norms[$1] }
        var u = [Double](repeating: 0, count: m * n), vt = [Double](repeating: 0, count: n * n)
        for (k, j) in order.enumerated() {
            let sigma = norms[j]
            if sigma > 0 { for i in 0..<m { u[i * n + k] = w[j][i] / sigma } }
            for i in 0..<n { vt[k * n + i] = v[j][i] }
        }
        return (u, order.map { norms[$0] }, vt)
    }
}
