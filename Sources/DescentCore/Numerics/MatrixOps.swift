// MatrixOps.swift — the small dense-matrix toolkit the matrix optimizers (Muon, Shampoo, SOAP)
// share, generic over the float type. Matrices are row-major `Buffer`s; every matrix product goes
// through `engine.gemm` (so the BLAS engine accelerates it), scalings through `engine.scal`.
//
//   Newton–Schulz (quintic):  A = X·Xᵀ;  B = b·A + c·A·A;  X ← a·X + B·X      (k steps, X wide)
//   symmetric eigen:          S = V·diag(λ)·Vᵀ by cyclic Jacobi rotations, λ descending
//   inverse root:             S^(−1/p) = V·diag(λ^(−1/p))·Vᵀ                  (S symmetric PSD)
//   QR:                       A = Q·R by Householder reflections (Q returned)

/// A dense row-major matrix view: `rows × cols` values in `data`.
public struct DenseMatrix<T: DescentFloat> {
    public let rows: Int, cols: Int
    public let data: Buffer<T>

    public init(rows: Int, cols: Int, data: Buffer<T>) {
        precondition(data.count == rows * cols, "Matrix: \(data.count) values for \(rows)×\(cols)")
        self.rows = rows; self.cols = cols; self.data = data
    }
    public init(zeros rows: Int, _ cols: Int) { self.init(rows: rows, cols: cols, data: Buffer<T>(zeros: rows * cols)) }

    public static func identity(_ n: Int, scale: T = 1) -> DenseMatrix<T> {
        let m = DenseMatrix(zeros: n, n)
        for i in 0..<n { m[i, i] = scale }
        return m
    }

    public subscript(i: Int, j: Int) -> T {
        get { data.pointer[i * cols + j] }
        nonmutating set { data.pointer[i * cols + j] = newValue }
    }

    public func copy() -> DenseMatrix<T> {
        let b = Buffer<T>(zeros: data.count)
        b.pointer.update(from: data.pointer, count: data.count)
        return DenseMatrix(rows: rows, cols: cols, data: b)
    }

    public var transposed: DenseMatrix<T> {
        let t = DenseMatrix(zeros: cols, rows)
        for i in 0..<rows { for j in 0..<cols { t[j, i] = self[i, j] } }
        return t
    }
}

/// How Newton–Schulz scales its input before iterating (the libraries differ).
public enum NSNormalization: Sendable, Equatable {
    /// X / max(‖X‖_F, ε) (torch `_zeropower_via_newtonschulz`).
    case frobeniusClamped(Double)
    /// X / (‖X‖_F + ε) (optax `preconditioning='frobenius'`).
    case frobeniusPlus(Double)
    /// X / (‖X‖₂ + ε) (optax `'spectral'`: largest singular value).
    case spectralPlus(Double)
    /// No scaling; the first iteration rescales the rows of X by (Σ_j |XXᵀ|_ij)^(−½) (optax `'aol'`, ε = 1e-8 fixed).
    case aol
    /// No scaling; the first iteration divides X by √‖XXᵀ‖_F (optax `'schatten'`, ε = 1e-8 fixed).
    case schatten
}

public enum MatrixOps {
    /// C = op(A)·op(B) through the engine.
    public static func matmul<T: DescentFloat>(_ engine: Engine, _ a: DenseMatrix<T>, _ b: DenseMatrix<T>,
                                               transA: Bool = false, transB: Bool = false) -> DenseMatrix<T> {
        let m = transA ? a.cols : a.rows, k = transA ? a.rows : a.cols
        let n = transB ? b.rows : b.cols
        precondition(k == (transB ? b.cols : b.rows), "matmul: inner dimensions differ")
        let c = DenseMatrix<T>(zeros: m, n)
        engine.gemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: 1, a.data.pointer, lda: a.cols,
                    b.data.pointer, ldb: b.cols, beta: 0, c.data.pointer, ldc: n)
        return c
    }

    /// C ← alpha·A·B + beta·C in place (torch's `addmm(C, A, B, beta=, alpha=)`).
    public static func addmm<T: DescentFloat>(_ engine: Engine, _ c: DenseMatrix<T>, _ a: DenseMatrix<T>, _ b: DenseMatrix<T>,
                                              alpha: T, beta: T) {
        precondition(a.cols == b.rows && c.rows == a.rows && c.cols == b.cols, "addmm: shapes differ")
        engine.gemm(transA: false, transB: false, m: a.rows, n: b.cols, k: a.cols, alpha: alpha, a.data.pointer,
                    lda: a.cols, b.data.pointer, ldb: b.cols, beta: beta, c.data.pointer, ldc: c.cols)
    }

    /// ‖X‖_F (through engine.norm).
    public static func frobenius<T: DescentFloat>(_ engine: Engine, _ x: DenseMatrix<T>) -> T { engine.norm(x.data) }

    /// Newton–Schulz orthogonalisation of `x` (not modified): k = `coefficients.count` quintic
    /// steps X ← a·X + (b·A + c·A²)·X with A = X·Xᵀ, on the wide orientation (a tall input is
    /// transposed first and the result transposed back, as both libraries do).
    public static func newtonSchulz<T: DescentFloat>(_ engine: Engine, _ x: DenseMatrix<T>,
                                                     coefficients: [(Double, Double, Double)],
                                                     normalization: NSNormalization) -> DenseMatrix<T> {
        let tall = x.rows > x.cols
        var X = tall ? x.transposed : x.copy()
        switch normalization {
        case let .frobeniusClamped(eps):
            engine.scal(1 / max(frobenius(engine, X), T(eps)), X.data)
        case let .frobeniusPlus(eps):
            engine.scal(1 / (frobenius(engine, X) + T(eps)), X.data)
        case let .spectralPlus(eps):
            let gram = matmul(engine, X, X, transB: true)
            let top = symmetricEigen(gram).values.first ?? 0
            engine.scal(1 / (max(top, 0).squareRoot() + T(eps)), X.data)
        case .aol, .schatten: break
        }
        for (step, (a, b, c)) in coefficients.enumerated() {
            let A = matmul(engine, X, X, transB: true)
            if step == 0 && normalization == .aol {
                // s_i = (Σ_j |A_ij| clipped below at 1e-8)^(−½); X ← diag(s)·X, A ← diag(s)·A·diag(s).
                let n = A.rows
                var s = [T](repeating: 0, count: n)
                for i in 0..<n {
                    var r = T(0)
                    for j in 0..<n { r += A[i, j].magnitude }
                    s[i] = 1 / max(r, T(1e-8)).squareRoot()
                }
                for i in 0..<n {
                    for j in 0..<X.cols { X[i, j] = X[i, j] * s[i] }
                    for j in 0..<n { A[i, j] = A[i, j] * s[i] * s[j] }
                }
            } else if step == 0 && normalization == .schatten {
                let s = 1 / max(frobenius(engine, A), T(1e-8)).squareRoot()
                engine.scal(s, X.data)
                engine.scal(s * s, A.data)
            }
            let B = matmul(engine, A, A)                 // B ← c·A·A + b·A
            engine.scal(T(c), B.data)
            engine.axpy(T(b), A.data, B.data)
            let next = X.copy()                          // X ← B·X + a·X
            addmm(engine, next, B, X, alpha: 1, beta: T(a))
            X = next
        }
        return tall ? X.transposed : X
    }

    /// Eigen-decomposition of a symmetric matrix by cyclic Jacobi rotations: eigenvalues in
    /// descending order, eigenvectors as the columns of `vectors` (each defined up to sign).
    public static func symmetricEigen<T: DescentFloat>(_ s: DenseMatrix<T>, maxSweeps: Int = 100)
        -> (values: [T], vectors: DenseMatrix<T>) {
        precondition(s.rows == s.cols, "symmetricEigen: matrix is not square")
        let n = s.rows
        let a = s.copy()
        let v = DenseMatrix<T>.identity(n)
        for _ in 0..<maxSweeps {
            var off = T(0), total = T(0)
            for i in 0..<n {
                for j in 0..<n {
                    total += a[i, j] * a[i, j]
                    if i != j { off += a[i, j] * a[i, j] }
                }
            }
            if off == 0 || off <= total * T.ulpOfOne * T.ulpOfOne { break }
            for p in 0..<n {
                for q in (p + 1)..<max(p + 1, n) where a[p, q] != 0 {
                    // Rotation that annihilates a[p, q] (Golub & Van Loan, Algorithm 8.4.1).
                    let tau = (a[q, q] - a[p, p]) / (2 * a[p, q])
                    let t = (tau >= 0 ? 1 : -1) / (tau.magnitude + (1 + tau * tau).squareRoot())
                    let c = 1 / (1 + t * t).squareRoot(), sn = t * c
                    for k in 0..<n {
                        let akp = a[k, p], akq = a[k, q]
                        a[k, p] = c * akp - sn * akq
                        a[k, q] = sn * akp + c * akq
                    }
                    for k in 0..<n {
                        let apk = a[p, k], aqk = a[q, k]
                        a[p, k] = c * apk - sn * aqk
                        a[q, k] = sn * apk + c * aqk
                    }
                    for k in 0..<n {
                        let vkp = v[k, p], vkq = v[k, q]
                        v[k, p] = c * vkp - sn * vkq
                        v[k, q] = sn * vkp + c * vkq
                    }
                }
            }
        }
        let order = (0..<n).sorted { a[$0, $0] > a[$1, $1] }
        let vectors = DenseMatrix<T>(zeros: n, n)
        for (col, src) in order.enumerated() { for k in 0..<n { vectors[k, col] = v[k, src] } }
        return (order.map { a[$0, $0] }, vectors)
    }

    /// S^(−1/p) of a symmetric (positive-definite) matrix as an SVD computes it (pytorch_optimizer's
    /// `compute_power_svd`): the singular values are |λ| and the right vectors carry sign(λ), so
    /// the result is V·diag(sign(λ)·|λ|^(−1/p))·Vᵀ — S^(−1/p) itself when S is positive definite.
    public static func inverseRoot<T: DescentFloat>(_ engine: Engine, _ s: DenseMatrix<T>, power: Double) -> DenseMatrix<T> {
        let (values, v) = symmetricEigen(s)
        let scaled = v.copy()
        for j in 0..<s.cols {
            let l = Double(values[j])
            let f = T((l < 0 ? -1 : 1) * Double.pow(l.magnitude, -1 / power))
            for i in 0..<s.rows { scaled[i, j] = scaled[i, j] * f }
        }
        return matmul(engine, scaled, v, transB: true)
    }

    /// Aᵖ by binary powering (torch.linalg.matrix_power's square-and-multiply).
    public static func power<T: DescentFloat>(_ engine: Engine, _ a: DenseMatrix<T>, _ p: Int) -> DenseMatrix<T> {
        precondition(p >= 1)
        var result: DenseMatrix<T>? = nil
        var base = a, n = p
        while n > 0 {
            if n & 1 == 1 { result = result.map { matmul(engine, $0, base) } ?? base.copy() }
            n >>= 1
            if n > 0 { base = matmul(engine, base, base) }
        }
        return result!
    }

    /// The largest eigenvalue of a symmetric PSD matrix by 100 power iterations and a Rayleigh
    /// quotient, clamped below at 1e-16 (pytorch_optimizer's `power_iteration`; the library starts
    /// from a random vector, Descent from a fixed one — the converged value is the same).
    public static func largestEigenvalue<T: DescentFloat>(_ g: DenseMatrix<T>, iterations: Int = 100) -> T {
        let n = g.rows
        var v = (0..<n).map { T(1) + T($0) / T(n * 7 + 3) }
        func mv(_ x: [T]) -> [T] { (0..<n).map { i in (0..<n).reduce(T(0)) { $0 + g[i, $1] * x[$1] } } }
        for _ in 0..<iterations {
            let w = mv(v)
            let norm = max(w.reduce(T(0)) { $0 + $1 * $1 }.squareRoot(), T.leastNormalMagnitude)
            v = w.map { $0 / norm }
        }
        let w = mv(v)
        return max(zip(v, w).reduce(T(0)) { $0 + $1.0 * $1.1 }, T(1e-16))
    }

    /// pytorch_optimizer's `compute_power_schur_newton` (Guo & Higham's coupled iteration for
    /// (G + ridge·λ_max·I)^(−1/p)), iteration for iteration: stops when max|M − I| ≤ 1e-3 or when
    /// the error grows by more than ×1.2 (then the previous root is returned), at most 100 steps.
    public static func inverseRootSchurNewton<T: DescentFloat>(_ engine: Engine, _ g0: DenseMatrix<T>, p: Int,
                                                               ridge: Double, maxIterations: Int = 100,
                                                               tolerance: Double = 1e-3, maxErrorRatio: Double = 1.2)
        -> DenseMatrix<T> {
        let n = g0.rows
        if n == 1 {
            let x = g0[0, 0]
            return DenseMatrix(rows: 1, cols: 1, data: Buffer([T.pow(x + T(ridge) * max(x, T(1e-16)), T(-1) / T(p))]))
        }
        let g = g0.copy()
        let shift = largestEigenvalue(g0) * T(ridge)
        for i in 0..<n { g[i, i] = g[i, i] + shift }
        let z = T(1 + p) / (2 * frobenius(engine, g))
        var root = DenseMatrix<T>.identity(n, scale: T.pow(z, 1 / T(p)))
        var m = g.copy()
        engine.scal(z, m.data)
        let alpha = T(-1) / T(p)
        func distanceToIdentity(_ a: DenseMatrix<T>) -> T {
            var e = T(0)
            for i in 0..<n { for j in 0..<n { e = Swift.max(e, (a[i, j] - (i == j ? 1 : 0)).magnitude) } }
            return e
        }
        var previous = distanceToIdentity(m)
        for _ in 0..<maxIterations {
            let mi = m.copy()                                  // (1 − α)·I + α·M
            engine.scal(alpha, mi.data)
            for i in 0..<n { mi[i, i] = mi[i, i] + (1 - alpha) }
            let newRoot = matmul(engine, root, mi)
            let newM = matmul(engine, power(engine, mi, p), m)
            let error = distanceToIdentity(newM)
            let diverged = error > previous * T(maxErrorRatio)
            if diverged || error <= T(tolerance) { return diverged ? root : newRoot }
            root = newRoot
            m = newM
            previous = error
        }
        return root
    }

    /// Mode-d unfolding of a row-major tensor: dimension d moved first (the others keep their
    /// order), reshaped to n_d × (product of the others) — torch's `x.movedim(d, 0).reshape(n_d, -1)`.
    public static func unfold<T: DescentFloat>(_ x: Buffer<T>, shape: [Int], dim d: Int) -> DenseMatrix<T> {
        let n = shape[d], inner = shape[(d + 1)...].reduce(1, *), outer = shape[..<d].reduce(1, *)
        let m = DenseMatrix<T>(zeros: n, outer * inner)
        for o in 0..<outer { for i in 0..<n { for k in 0..<inner {
            m[i, o * inner + k] = x[(o * n + i) * inner + k]
        } } }
        return m
    }

    /// The inverse of `unfold`.
    public static func fold<T: DescentFloat>(_ m: DenseMatrix<T>, shape: [Int], dim d: Int) -> Buffer<T> {
        let n = shape[d], inner = shape[(d + 1)...].reduce(1, *), outer = shape[..<d].reduce(1, *)
        let x = Buffer<T>(zeros: n * outer * inner)
        for o in 0..<outer { for i in 0..<n { for k in 0..<inner {
            x[(o * n + i) * inner + k] = m[i, o * inner + k]
        } } }
        return x
    }

    /// The Q of a Householder QR decomposition of a square or tall matrix (thin: rows × cols).
    /// Columns are defined up to sign; callers must not depend on the sign convention.
    public static func qr<T: DescentFloat>(_ a: DenseMatrix<T>) -> DenseMatrix<T> {
        let m = a.rows, n = a.cols
        precondition(m >= n, "qr: matrix must be square or tall")
        let r = a.copy()
        var reflectors: [[T]] = []
        for k in 0..<n {
            var norm = T(0)
            for i in k..<m { norm += r[i, k] * r[i, k] }
            norm = norm.squareRoot()
            var v = [T](repeating: 0, count: m)
            if norm == 0 { reflectors.append(v); continue }
            let alpha = r[k, k] >= 0 ? -norm : norm
            for i in k..<m { v[i] = r[i, k] }
            v[k] -= alpha
            var vv = T(0)
            for i in k..<m { vv += v[i] * v[i] }
            if vv == 0 { reflectors.append([T](repeating: 0, count: m)); continue }
            for j in k..<n {
                var d = T(0)
                for i in k..<m { d += v[i] * r[i, j] }
                let f = 2 * d / vv
                for i in k..<m { r[i, j] -= f * v[i] }
            }
            for i in k..<m { v[i] = v[i] / vv.squareRoot() }
            reflectors.append(v)
        }
        // Q = H₀·H₁·…·H_{n−1} applied to the first n columns of the identity.
        let q = DenseMatrix<T>(zeros: m, n)
        for i in 0..<n { q[i, i] = 1 }
        for k in stride(from: n - 1, through: 0, by: -1) {
            let v = reflectors[k]
            for j in 0..<n {
                var d = T(0)
                for i in k..<m { d += v[i] * q[i, j] }
                for i in k..<m { q[i, j] -= 2 * d * v[i] }
            }
        }
        return q
    }
}
