// AdamBiasCorrectionCheck.swift — Adam's bias correction, with a constant gradient.
//
//   m_t = b1·m_{t−1} + (1−b1)·g = (1 − b1^t)·g   ⇒   m̂_t = m_t / (1 − b1^t) = g   exactly, every t
//   v_t = (1 − b2^t)·g²                          ⇒   v̂_t = g²
//   update_t = lr·m̂_t / (√v̂_t + eps) → lr·sign(g)   as eps → 0 (eps = 0 here: |update| = lr)
// Without the correction the first update would be lr·(1−b1)/√(1−b2)·sign(g) (≈ 3.16·lr for the
// default betas): the check requires that to be distinguishable from lr.
import DescentCore
import DescentJSON

package let adamBiasCorrectionChecks: [any ClosedFormCheck] = [
    AdamBiasCorrectionCheck(optimizer: .textbook),
    AdamBiasCorrectionCheck(optimizer: .torch),
]

package struct AdamBiasCorrectionCheck: ClosedFormCheck {
    package enum Flavor: String, Sendable { case textbook, torch }
    package var optimizer: Flavor
    package var lr = 1e-3
    package var beta1 = 0.9
    package var beta2 = 0.999
    package var steps = 25
    /// The constant gradient: mixed signs, magnitudes over six decades (the update must not care).
    package var gradient: [Double] = [0.001, -0.02, 0.3, -1, 4, -50, 700, -1e3]
    package var perturbation = 0.0

    package var id: String { "adam/bias-correction/\(optimizer.rawValue)" }
    package var title: String { "\(under.label): constant gradient ⇒ m̂ = g and every update has magnitude lr" }

    package var under: OptimizerUnderTest {
        switch optimizer {
        case .textbook:
            return OptimizerUnderTest(convention: "textbook", name: "adam", hyperparameters: [
                ("lr", JSON(lr)), ("beta1", JSON(beta1)), ("beta2", JSON(beta2)), ("eps", JSON(0.0))])
        case .torch:
            return OptimizerUnderTest(convention: "torch", name: "Adam", hyperparameters: [
                ("lr", JSON(lr)), ("betas", .array([JSON(beta1), JSON(beta2)])), ("eps", JSON(0.0))])
        }
    }

    package var proves: String {
        """
        Runs \(under.label) (eps = 0, lr \(lr), betas \(beta1), \(beta2)) from w = 0 with one \
        constant gradient (magnitudes 1e-3…1e3, mixed signs) for \(steps) steps. Bias correction \
        makes m̂_t = g and v̂_t = g² exactly at every step, so every update w_t − w_{t−1} must be \
        −lr·sign(g) (and, where the stepper exposes torch's exp_avg, exp_avg/(1−b1^t) = g). The \
        uncorrected first update lr·(1−b1)/√(1−b2) = \(sci(lr * (1 - beta1) / (1 - beta2).squareRoot())) \
        must differ from lr by far more than the tolerance. Error: max |update − predicted| / lr. \
        Tolerance: float64 1e-12 (m_t and v_t carry a few ulps per step, the subtraction of two \
        iterates of size ≤ \(steps)·lr costs \(steps) ulps of lr); float32 1e-5 (same budget with \
        ε₃₂ ≈ 6e-8: \(steps)·ε₃₂ ≈ 1.5e-6).
        """
    }
    package func tolerance(_ dtype: DType) -> Double { dtype == .float64 ? 1e-12 : 1e-5 }

    package func run<T: DescentFloat>(_ type: T.Type) -> CheckOutcome {
        outcome(self, T.self) {
            let g = rounded(gradient, to: T.self)
            let uncorrected = (1 - beta1) / (1 - beta2).squareRoot()
            try require(abs(uncorrected - 1) > 1e4 * tolerance(T.dtype),
                        "uncorrected/corrected first-step ratio \(uncorrected) too close to 1 to discriminate")
            let box = try under.stepper(T.self, shapes: [[g.count]])
            let p = Buffer<T>(zeros: g.count)
            let gb = Buffer<T>(converting: g)
            var iterates: [[Double]] = [p.doubles]
            var stateError = 0.0
            for t in 1...steps {
                box.step([p], [gb], lr)
                iterates.append(p.doubles)
                if let m = box.state().first(where: { $0.name == "exp_avg" })?.buffers.first {
                    let bc = 1 - power(beta1, t)
                    for i in g.indices { stateError = max(stateError, abs(Double(m[i]) / bc - g[i]) / abs(g[i])) }
                }
            }
            iterates = perturbed(iterates, perturbation)
            var err = 0.0
            var first = 0.0
            for t in 1...steps {
                for i in g.indices {
                    let update = iterates[t][i] - iterates[t - 1][i]
                    let predicted = -lr * (g[i] > 0 ? 1 : -1)
                    if t == 1 { first = max(first, abs(update) / lr) }
                    let e = abs(update - predicted) / lr
                    err = max(err, e.isNaN ? .infinity : e)
                }
            }
            let stateNote = box.state().contains { $0.name == "exp_avg" } ? "; exp_avg/(1−b1^t) = g to \(sci(stateError))" : ""
            return (max(err, stateError), "every update is lr·sign(g) to \(sci(err)) of lr (first |update|/lr = "
                    + "\(first), uncorrected would be \(sci(uncorrected)))\(stateNote)")
        }
    }
}
