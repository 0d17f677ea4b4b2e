// RpropChecks.swift — Rprop's sign logic in closed form. Only the signs of the gradients matter,
// so on three kinds of element the trajectory is a sum of clamped geometric step sizes:
//
//   steady (g_t = s·|·|, one sign s):  η_k = min(lr·η₊^(k−1), max) at the k-th step
//     torch:  w_t = w₀ − s·Σ_{k=1..t} η_k
//     optax:  w_t = w₀ − s·Σ_{k=1..t−1} η_k   (optax applies the update of the step before)
//   alternating (g_t = s·(−1)^(t−1)·|·|): every second step is a flip
//     torch:  the flip zeroes the gradient (no move, prev ← 0), the next step compares with 0
//             (η kept) and moves by −s·η; η halves at every flip:
//             w_t = w₀ − s·Σ_{j=0..⌈t/2⌉−1} max(lr·η₋^j, min)
//     optax:  the flip zeroes both the update and prev_updates, the next step emits the zeroed
//             prev_updates: w never moves, w_t = w₀
//   dead (g = 0): w_t = w₀.
// The magnitudes are random over 1e-4..1e3: a step scaled by |g| fails at once.
import DescentCore
import DescentJSON

package let rpropChecks: [any ClosedFormCheck] = [
    RpropSignLogicCheck(convention: "torch", name: "Rprop"),
    RpropSignLogicCheck(convention: "optax", name: "rprop"),
]

/// On steady, alternating and dead elements Rprop's trajectory is the closed form above.
package struct RpropSignLogicCheck: ClosedFormCheck {
    package var convention: String
    package var name: String
    package var lr = 0.05
    package var etaMinus = 0.5
    package var etaPlus = 1.2
    package var minStep = 1e-3
    package var maxStep = 0.2
    package var steps = 16
    package var perturbation = 0.0

    package var id: String { "rprop/sign-logic/\(convention)" }
    package var title: String { "\(convention) \(name): steady, alternating and zero gradients give the clamped geometric closed form" }
    package var proves: String {
        """
        Runs \(convention) \(name) (lr \(lr), etas (\(etaMinus), \(etaPlus)), step sizes [\(minStep), \(maxStep)]) \
        for \(steps) steps on 18 elements: 8 with a steady sign, 8 whose sign flips every step, 2 always 0, \
        magnitudes 10^U(−4, 3) redrawn every step. A steady element moves by the clamped geometric step sizes \
        min(lr·η₊^(k−1), max) (optax one step late); an alternating one, in torch, moves on every other step by \
        max(lr·η₋^j, min) (the flip zeroes the gradient), in optax never (the flip zeroes the update it would \
        emit); a zero never moves. A step scaled by |g|, the flip not zeroed, the bounds ignored or optax's lag \
        removed all fail. Error: max |w − w_closed| / lr. Tolerance: float64 1e-12 (≤ 16 roundings of w ≤ 3 \
        and of the step-size products: ≈ 1e-14 of lr); float32 1e-4 (16·ulp₃₂(3)/2 ≈ 4e-6 of lr, plus the \
        float32 products of the step sizes).
        """
    }
    package func tolerance(_ dtype: DType) -> Double { dtype == .float64 ? 1e-12 : 1e-4 }

    package func run<T: DescentFloat>(_ type: T.Type) -> CheckOutcome {
        outcome(self, T.self) {
            let steady = 0..<8, alternating = 8..<16, n = 18
            var r = SplitMix64(seed: 0x59_09)
            let w0 = rounded(r.vector(n, 0.5, 2), to: T.self)
            let signs: [Double] = (0..<n).map { _ in r.uniform(0, 1) < 0.5 ? -1 : 1 }
            let grads: [[Double]] = (0..<steps).map { t in
                rounded((0..<n).map { i in
                    let mag = Double.pow(10, r.uniform(-4, 3))
                    if steady.contains(i) { return signs[i] * mag }
                    if alternating.contains(i) { return signs[i] * (t % 2 == 0 ? 1 : -1) * mag }
                    return 0
                }, to: T.self)
            }
            let hp: [(String, JSON)] = convention == "optax"
                ? [("learning_rate", JSON(lr)), ("eta_minus", JSON(etaMinus)), ("eta_plus", JSON(etaPlus)),
                   ("min_step_size", JSON(minStep)), ("max_step_size", JSON(maxStep))]
                : [("lr", JSON(lr)), ("etas", JSON.array([JSON(etaMinus), JSON(etaPlus)])),
                   ("step_sizes", JSON.array([JSON(minStep), JSON(maxStep)]))]
            let box = try OptimizerUnderTest(convention: convention, name: name, hyperparameters: hp).stepper(T.self, shapes: [[n]])
            let measured = perturbed(trajectory(box, initial: w0, grads: grads, lrs: Array(repeating: lr, count: steps)), perturbation)
            let optax = convention == "optax"
            let grow = (1...steps).map { k in Swift.min(lr * Double.pow(etaPlus, Double(k - 1)), maxStep) }
            let shrink = (0..<steps).map { j in Swift.max(lr * Double.pow(etaMinus, Double(j)), minStep) }
            try require(grow.last == maxStep && shrink.last == minStep, "the run must reach both bounds")
            let predicted: [[Double]] = (1...steps).map { t in
                (0..<n).map { i in
                    if steady.contains(i) { return w0[i] - signs[i] * grow[..<(optax ? t - 1 : t)].reduce(0, +) }
                    if alternating.contains(i) && !optax { return w0[i] - signs[i] * shrink[..<((t + 1) / 2)].reduce(0, +) }
                    return w0[i]
                }
            }
            let e = relativeError(measured, predicted, scale: lr)
            return (e, "\(convention) \(name) follows the sign-logic closed form to \(sci(e)) of lr")
        }
    }
}
