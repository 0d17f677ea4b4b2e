// LBFGSChecks.swift — L-BFGS on a convex quadratic f(x) = ½xᵀAx − bᵀx, A ≻ 0 (d × d).
//
// With exact line searches, BFGS started from H₀ = γI generates the same iterates as conjugate
// gradients (Nocedal & Wright, Thm 8.? / §7.2: on a quadratic the BFGS directions are
// A-conjugate), so it reaches x* = A⁻¹b in at most d iterations; L-BFGS with history ≥ d keeps every
// pair and is BFGS. The catch is the *exact* line search: torch's strong-Wolfe search stops at the
// first step satisfying |φ'(t)| ≤ 0.9·|φ'(0)|, usually the unit quasi-Newton step, and then the
// property does not hold (measured with lr 1: relative error 1e-1 … 1e-7 after d iterations,
// d = 3…8). It does hold when the first trial step fails Armijo: with lr = 10 the trial is 10× the
// quasi-Newton step, Armijo fails, and the zoom's cubic interpolation through (0, φ, φ') and
// (t, φ, φ') — exact for the quadratic φ(t) = f(x + t·d) — lands on the exact minimiser along
// the line, where |φ'| ≈ 0 passes the Wolfe test (the 10%-from-the-boundary safeguard only moves
// a point the second time in a row). So torch LBFGS(lr=10, line_search_fn="strong_wolfe",
// history_size=d, max_iter=d, max_eval=100·d) must minimise the quadratic in one step() call.
import DescentCore
import DescentJSON

package let lbfgsChecks: [any ClosedFormCheck] = [
    LBFGSQuadraticTerminationCheck(),
]

package struct LBFGSQuadraticTerminationCheck: ClosedFormCheck {
    package var dimensions = [3, 5, 8]
    /// Tests only: added to the result before comparison (proves the check can fail).
    package var perturbation = 0.0

    package var id: String { "lbfgs/quadratic-termination" }
    package var title: String { "L-BFGS with exact line searches minimises a d-dim quadratic in d iterations" }
    package var proves: String {
        """
        torch LBFGS(lr=10, line_search_fn='strong_wolfe', history_size=d, max_iter=d, \
        max_eval=100d (the default 5d/4 would cut the line searches short), tolerance_grad=0, tolerance_change=0), one step() on f = ½xᵀAx − bᵀx (A = MMᵀ + ½I, d = 3, 5, 8) \
        from x = 0, reaches x* = A⁻¹b (Cholesky in Double): with lr 10 the first trial fails Armijo \
        and the zoom's cubic interpolation is exact on the quadratic line function, so every line \
        search is exact and BFGS = CG terminates in d iterations. Error ‖x − x*‖∞/‖x*‖∞. Tolerance: \
        float64 1e-10 (measured 1.5e-14 here and ≤ 1e-14 with torch itself: rounding in d cubic \
        interpolations and κ(A)); float32 1e-4 (measured 2.3e-6: float32's 6e-8 times κ(A) and d). With \
        the default lr 1 the unit step usually passes the Wolfe test, the searches are inexact and the \
        property does not hold (measured 1e-1 … 1e-7 after d iterations) — that is not a bug.
        """
    }
    package func tolerance(_ dtype: DType) -> Double { dtype == .float64 ? 1e-10 : 1e-4 }

    package func run<T: DescentFloat>(_ type: T.Type) -> CheckOutcome {
        outcome(self, T.self) {
            var worst = 0.0
            for d in dimensions {
                var r = SplitMix64(seed: 0x6c62_6667 &+ UInt64(d))
                let m = r.vector(d * d, 0.1, 1)
                var a = [Double](repeating: 0, count: d * d)
                for i in 0..<d { for j in 0..<d {
                    a[i * d + j] = (0..<d).reduce(0.0) { $0 + m[i * d + $1] * m[j * d + $1] } + (i == j ? 0.5 : 0)
                } }
                let b = r.vector(d, 0.5, 2)
                let aT = rounded(a, to: T.self), bT = rounded(b, to: T.self)
                guard let l = LinearAlgebra.cholesky(Matrix(rows: d, cols: d, aT)) else {
                    throw CheckAbort(status: .failed, message: "the check's A is not positive definite")
                }
                let xStar = LinearAlgebra.choleskySolve(l, bT)
                let o = OptimizerUnderTest(convention: "torch", name: "LBFGS", hyperparameters: [
                    ("lr", JSON(10.0)), ("line_search_fn", JSON("strong_wolfe")), ("history_size", JSON(d)),
                    ("max_iter", JSON(d)), ("max_eval", JSON(100 * d)), ("tolerance_grad", JSON(0.0)), ("tolerance_change", JSON(0.0)),
                ])
                let box = try o.stepper(T.self, shapes: [[d]])
                try require(box.needsObjective, "torch LBFGS does not ask for the objective")
                let objective = Problem.quadratic(a: aT, b: bT).objective(T.self)
                let x = Buffer<T>(zeros: d)
                box.stepObjective([x], objective, 10.0)
                let e = relativeError(perturbed([x.doubles], perturbation), [xStar])
                worst = max(worst, e.isNaN ? .infinity : e)
            }
            return (worst, "torch LBFGS strong_wolfe, lr 10, history d, d = \(dimensions): ‖x − x*‖∞/‖x*‖∞ after d iterations")
        }
    }
}
