// LinearAlgebra.swift — the little dense linear algebra the closed-form checks need, generic over
// the precision: row-major square/rectangular matrices as flat arrays, Cholesky factorisation and
// solve, and the cyclic Jacobi eigenvalue method for symmetric matrices (eigenvalues and
// orthonormal eigenvectors; accurate to O(ε·‖A‖) absolutely, which is what the bounds need).
import DescentJSON

/// A dense row-major matrix.
package struct Matrix<T: DescentFloatLike>: Sendable {
    package var rows: Int
    package var cols: Int
    package var a: [T]

    package init(rows: Int, cols: Int, _ a: [T]) {
        precondition(a.count == rows * cols)
        self.rows = rows
        self.cols = cols
        self.a = a
    }

    package init(zeros rows: Int, _ cols: Int) { self.init(rows: rows, cols: cols, Array(repeating: 0, count: rows * cols)) }

    package static func identity(_ n: Int) -> Matrix {
        var m = Matrix(zeros: n, n)
        for i in 0..<n { m[i, i] = 1 }
        return m
    }

    package subscript(i: Int, j: Int) -> T {
        get { a[i * cols + j] }
        set { a[i * cols + j] = newValue }
    }

    /// XᵀX (cols × cols).
    package var gram: Matrix {
        var g = Matrix(zeros: cols, cols)
        for i in 0..<cols { for j in 0..<cols {
            var s: T = 0
            for k in 0..<rows { s += self[k, i] * self[k, j] }
            g[i, j] = s
        } }
        return g
    }

    /// A·x.
    package func times(_ x: [T]) -> [T] {
        precondition(x.count == cols)
        return (0..<rows).map { i in
            var s: T = 0
            for j in 0..<cols { s += self[i, j] * x[j] }
            return s
        }
    }

    /// Aᵀ·y.
    package func transposeTimes(_ y: [T]) -> [T] {
        precondition(y.count == rows)
        var out = [T](repeating: 0, count: cols)
        for i in 0..<rows { for j in 0..<cols { out[j] += self[i, j] * y[i] } }
        return out
    }

    /// A + s·I.
    package func plusIdentity(_ s: T) -> Matrix {
        var m = self
        for i in 0..<min(rows, cols) { m[i, i] += s }
        return m
    }

    /// max |a_ij| · n: a cheap upper bound of the 2-norm used to scale absolute tolerances.
    package var normBound: T {
        var m: T = 0
        for v in a { m = max(m, abs(v)) }
        return m * T(max(rows, cols))
    }
}

/// The scalar operations the helpers use (Float and Double).
package typealias DescentFloatLike = BinaryFloatingPoint & Sendable

package enum LinearAlgebra {
    /// The lower-triangular L with A = L·Lᵀ, or nil when A is not (numerically) positive definite.
    package static func cholesky<T: DescentFloatLike>(_ A: Matrix<T>) -> Matrix<T>? {
        precondition(A.rows == A.cols)
        let n = A.rows
        var L = Matrix<T>(zeros: n, n)
        for j in 0..<n {
            var d = A[j, j]
            for k in 0..<j { d -= L[j, k] * L[j, k] }
            guard d > 0, d.isFinite else { return nil }
            let ljj = d.squareRoot()
            L[j, j] = ljj
            for i in (j + 1)..<max(n, j + 1) {
                var s = A[i, j]
                for k in 0..<j { s -= L[i, k] * L[j, k] }
                L[i, j] = s / ljj
            }
        }
        return L
    }

    /// Solves (L·Lᵀ)·x = b by forward then backward substitution.
    package static func choleskySolve<T: DescentFloatLike>(_ L: Matrix<T>, _ b: [T]) -> [T] {
        let n = L.rows
        var y = b
        for i in 0..<n {
            var s = y[i]
            for k in 0..<i { s -= L[i, k] * y[k] }
            y[i] = s / L[i, i]
        }
        var x = y
        for i in stride(from: n - 1, through: 0, by: -1) {
            var s = x[i]
            for k in (i + 1)..<max(n, i + 1) { s -= L[k, i] * x[k] }
            x[i] = s / L[i, i]
        }
        return x
    }

    /// Eigenvalues (ascending) and the matching orthonormal eigenvectors (columns of `vectors`) of a
    /// symmetric matrix, by cyclic Jacobi rotations until the off-diagonal mass is negligible.
    package static func symmetricEigen<T: DescentFloatLike>(_ S: Matrix<T>) -> (values: [T], vectors: Matrix<T>) {
        precondition(S.rows == S.cols)
        let n = S.rows
        var A = S
        var V = Matrix<T>.identity(n)
        let eps = T.ulpOfOne
        for _ in 0..<100 {
            var off: T = 0, total: T = 0
            for i in 0..<n { for j in 0..<n {
                total += A[i, j] * A[i, j]
                if i != j { off += A[i, j] * A[i, j] }
            } }
            if off <= eps * eps * total || off == 0 { break }
            for p in 0..<n { for q in (p + 1)..<max(n, p + 1) where A[p, q] != 0 {
                // Rotation that zeroes A[p, q] (Golub & Van Loan, Algorithm 8.4.1).
                let theta = (A[q, q] - A[p, p]) / (2 * A[p, q])
                let t = (theta >= 0 ? 1 : -1) / (abs(theta) + (theta * theta + 1).squareRoot())
                let c = 1 / (t * t + 1).squareRoot(), s = t * c
                for k in 0..<n {   // A ← A·J
                    let akp = A[k, p], akq = A[k, q]
                    A[k, p] = c * akp - s * akq
                    A[k, q] = s * akp + c * akq
                }
                for k in 0..<n {   // A ← Jᵀ·A
                    let apk = A[p, k], aqk = A[q, k]
                    A[p, k] = c * apk - s * aqk
                    A[q, k] = s * apk + c * aqk
                }
                for k in 0..<n {   // V ← V·J
                    let vkp = V[k, p], vkq = V[k, q]
                    V[k, p] = c * vkp - s * vkq
                    V[k, q] = s * vkp + c * vkq
                }
            } }
        }
        let order = (0..<n).sorted { A[$0, $0] < A[$1, $1] }
        var vectors = Matrix<T>(zeros: n, n)
        for (newCol, old) in order.enumerated() { for k in 0..<n { vectors[k, newCol] = V[k, old] } }
        return (order.map { A[$0, $0] }, vectors)
    }
}

/// max_i |v_i|.
package func maxAbs<T: DescentFloatLike>(_ v: [T]) -> T { v.reduce(0) { max($0, abs($1)) } }
