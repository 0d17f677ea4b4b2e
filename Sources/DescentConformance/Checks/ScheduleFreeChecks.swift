// ScheduleFreeChecks.swift — Schedule-Free SGD under a constant gradient, in closed form.
//
// Schedule-Free SGD (β = momentum / b1, lr γ constant, no warmup, r = 0): z₀ = x₀ = y₀ = w₀ and,
// for step k = 0, 1, …,
//   z_{k+1} = z_k − γ·g,   x_{k+1} = (1 − c_{k+1})·x_k + c_{k+1}·z_{k+1},   y_{k+1} = β·x_{k+1} + (1 − β)·z_{k+1},
// with c_{k+1} = w_k / Σ_{j≤k} w_j and w_j = (j+1)^r·(max lr)^p = γ^p for every j, so c_{k+1} = 1/(k+1)
// and x_t is the plain mean of z_1 … z_t. With a constant g:
//   z_t = w₀ − t·γ·g,   x_t = w₀ − ((t+1)/2)·γ·g,   y_t = w₀ − (β·(t+1)/2 + (1 − β)·t)·γ·g.
// Both libraries hold y as the parameters (schedulefree in train mode; optax returns y), so both
// must produce y_t. (The schedulefree update y ← lerp(y, z, c) + γ(β(1 − c) − 1)·g is this
// recursion rewritten without x; optax rebuilds x = (y − (1 − β)·z)/β each step.)
import DescentCore
import DescentJSON

package let scheduleFreeChecks: [any ClosedFormCheck] = [
    ScheduleFreeConstantGradientCheck(),
]

package struct ScheduleFreeConstantGradientCheck: ClosedFormCheck {
    package var steps = 40
    package var lr = 0.05
    package var beta = 0.8
    /// Tests only: added to the results before comparison (proves the check can fail).
    package var perturbation = 0.0

    package var id: String { "schedule-free/constant-gradient" }
    package var title: String { "Schedule-Free SGD with a constant gradient: y_t = w₀ − (β(t+1)/2 + (1−β)t)·γ·g" }
    package var proves: String {
        """
        schedulefree SGDScheduleFree(lr=0.05, momentum=0.8) and optax.contrib.schedule_free_sgd(\
        learning_rate=0.05, b1=0.8) (warmup off: warmup_steps 0 resp. None — optax's 0 means a \
        constant-0 lr), 40 steps with one constant gradient on 6 elements: every step's parameters \
        equal y_t = w₀ − (β(t+1)/2 + (1−β)t)·γ·g, the closed form of the equal-weight average \
        (c = 1/(k+1) because every weight is γ²). Norm-wise relative error over the trajectory. \
        Tolerance: float64 1e-13 (measured 6e-16: a few roundings per step over 40 steps, relative \
        to max|y|); float32 1e-5 (measured 5e-7: the same in float32's 6e-8).
        """
    }
    package func tolerance(_ dtype: DType) -> Double { dtype == .float64 ? 1e-13 : 1e-5 }

    package func run<T: DescentFloat>(_ type: T.Type) -> CheckOutcome {
        outcome(self, T.self) {
            var r = SplitMix64(seed: 0x7366_7367)
            let w0 = rounded(r.vector(6, 0.5, 2), to: T.self)
            let g = rounded(r.vector(6, 0.1, 1), to: T.self)
            let predicted: [[Double]] = (1...steps).map { t in
                let coef = (beta * Double(t + 1) / 2 + (1 - beta) * Double(t)) * lr
                return zip(w0, g).map { $0 - coef * $1 }
            }
            let forms = [
                OptimizerUnderTest(convention: "schedulefree", name: "SGDScheduleFree",
                                   hyperparameters: [("lr", JSON(lr)), ("momentum", JSON(beta))]),
                OptimizerUnderTest(convention: "optax", name: "schedule_free_sgd",
                                   hyperparameters: [("learning_rate", JSON(lr)), ("b1", JSON(beta))]),
            ]
            var worst = 0.0
            for o in forms {
                let box = try o.stepper(T.self, shapes: [[6]])
                let traj = trajectory(box, initial: w0, grads: Array(repeating: g, count: steps),
                                      lrs: Array(repeating: lr, count: steps))
                let e = relativeError(perturbed(traj, perturbation), predicted)
                worst = max(worst, e.isNaN ? .infinity : e)
            }
            return (worst, "schedulefree SGDScheduleFree and optax schedule_free_sgd vs the closed form y_t, \(steps) steps")
        }
    }
}
