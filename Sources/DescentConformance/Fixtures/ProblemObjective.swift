// ProblemObjective.swift — loss and gradient of the closed-loop problems, in the evaluation's
// precision. The formulas match reference/common.py (problem_grad / problem_loss).
import DescentCore

extension Problem {
    /// The objective as a gradient oracle over one tensor of `dimension` values.
    public func objective<T: DescentFloat>(_: T.Type) -> Objective<T> {
        switch self {
        case let .quadratic(aD, bD):
            let d = bD.count
            let a = aD.map { T($0) }, b = bD.map { T($0) }
            return { params in
                let x = params[0]
                let g = Buffer<T>(zeros: d)
                var loss = T(0)
                for i in 0..<d {
                    var ax = T(0)
                    for j in 0..<d { ax += a[i * d + j] * x[j] }
                    g[i] = ax - b[i]
                    loss += x[i] * ax / 2 - b[i] * x[i]
                }
                return (Double(loss), [g])
            }
        case let .rosenbrock(aD, bD):
            let a = T(aD), b = T(bD)
            return { params in
                let x = params[0][0], y = params[0][1]
                let r = y - x * x
                let g = Buffer<T>([-2 * (a - x) - 4 * b * x * r, 2 * b * r])
                return (Double((a - x) * (a - x) + b * (r * r)), [g])
            }
        case let .ridge(xD, n, d, yD, lambdaD):
            let xm = xD.map { T($0) }, y = yD.map { T($0) }, lambda = T(lambdaD)
            return { params in
                let w = params[0]
                var r = [T](repeating: 0, count: n)
                var loss = T(0)
                for i in 0..<n {
                    var xw = T(0)
                    for j in 0..<d { xw += xm[i * d + j] * w[j] }
                    r[i] = y[i] - xw
                    loss += r[i] * r[i]
                }
                let g = Buffer<T>(zeros: d)
                for j in 0..<d {
                    var xtr = T(0)
                    for i in 0..<n { xtr += xm[i * d + j] * r[i] }
                    g[j] = -2 * xtr + 2 * lambda * w[j]
                    loss += lambda * w[j] * w[j]
                }
                return (Double(loss), [g])
            }
        }
    }
}
