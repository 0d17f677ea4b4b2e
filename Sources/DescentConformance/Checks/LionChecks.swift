// LionChecks.swift — Lion's update is a sign: before decay every element moves by exactly ±lr,
// or by 0 where c = β₁·m + (1−β₁)·g is 0.
//
//   c_t = β₁·m_{t−1} + (1−β₁)·g_t;   m_t = β₂·m_{t−1} + (1−β₂)·g_t   (m₀ = 0)
//   w_{t+1} = w_t·(1 − κ_t) − lr_t·sign(c_t)        κ_t = lr_t·λ (decoupled decay), 0 without decay
//
// so the residual w_{t+1} − w_t·(1 − κ_t) is −lr_t·sign(c_t) ∈ {−lr_t, 0, +lr_t} whatever the
// gradient's magnitude. The closed form tracks m and c in Double from the same (precision-rounded)
// gradients; the data keep every non-zero |c| far from 0 so its sign is unambiguous.
import DescentCore
import DescentJSON

package let lionChecks: [any ClosedFormCheck] = [
    LionSignCheck(convention: "optax", name: "lion", decay: 0),
    LionSignCheck(convention: "lion_pytorch", name: "Lion", decay: 0),
    LionSignCheck(convention: "pytorch_optimizer", name: "Lion", decay: 0),
    LionSignCheck(convention: "lion_pytorch", name: "Lion", decay: 0.5),
]

/// Every element of a Lion step moves by exactly ±lr (0 where c = 0), after removing the decay.
package struct LionSignCheck: ClosedFormCheck {
    package var convention: String
    package var name: String
    /// Decoupled weight decay λ (w ← w·(1 − lr·λ) before the sign step); 0 = none.
    package var decay: Double
    package var beta1 = 0.9
    package var beta2 = 0.99
    package var steps = 30
    package var perturbation = 0.0

    package var id: String { "lion/sign-step/\(convention)\(decay != 0 ? "-decay" : "")" }
    package var title: String {
        "\(convention) \(name): every element moves by exactly ±lr (0 where c = 0)\(decay != 0 ? " after decay" : "")"
    }
    package var proves: String {
        """
        Runs \(convention) \(name) (betas \(beta1), \(beta2)\(decay != 0 ? ", decoupled decay \(decay)" : ", no decay")) \
        for \(steps) steps on 24 elements: gradients of magnitude 1e-6..1e3 with random signs (Lion must not \
        care), exact zeros, and 4 elements whose gradient is always 0 (c = 0 there). With an lr that changes \
        per step, the residual w_{t+1} − w_t·(1 − lr_t·λ) must equal −lr_t·sign(c_t), c_t = β₁·m + (1−β₁)·g \
        tracked in Double: a one-beta sign form (sign(m_t)), a magnitude-scaled step or sign(0) = 1 all \
        fail. Error: max |residual + lr_t·sign(c_t)| / min lr_t. Tolerance: float64 1e-12 (one rounding \
        of w ≤ 2 against lr ≥ 0.02: ≈ 1e-14); float32 2e-5 (ulp₃₂(2)/2 / 0.02 ≈ 6e-6, plus the decay \
        factor's rounding).
        """
    }
    package func tolerance(_ dtype: DType) -> Double { dtype == .float64 ? 1e-12 : 2e-5 }

    package func run<T: DescentFloat>(_ type: T.Type) -> CheckOutcome {
        outcome(self, T.self) {
            let n = 24, dead = 20..<24
            var r = SplitMix64(seed: 0x11_0e)
            let w0 = rounded(r.vector(n, 0.5, 2), to: T.self)
            let lrs = (0..<steps).map { t in t < 10 ? 0.05 : (t < 20 ? 0.02 : 0.08) }
            let grads: [[Double]] = (0..<steps).map { _ in
                rounded((0..<n).map { i in
                    if dead.contains(i) || r.uniform(0, 1) < 0.1 { return 0 }
                    return r.signed(1, 10) * Double.pow(10, Double(Int(r.uniform(-6, 3))))
                }, to: T.self)
            }
            let lrKey = convention == "optax" ? "learning_rate" : "lr"
            var hp: [(String, JSON)] = [(lrKey, JSON(lrs[0]))]
            if convention == "optax" {
                hp += [("b1", JSON(beta1)), ("b2", JSON(beta2)), ("weight_decay", JSON(decay))]
            } else {
                hp += [("betas", JSON.array([JSON(beta1), JSON(beta2)])), ("weight_decay", JSON(decay))]
            }
            let box = try OptimizerUnderTest(convention: convention, name: name, hyperparameters: hp)
                .stepper(T.self, shapes: [[n]])
            let measured = trajectory(box, initial: w0, grads: grads, lrs: lrs)
            // Residuals of the measured trajectory (decay removed) against −lr·sign(c).
            var m = [Double](repeating: 0, count: n)
            var w = w0
            var residuals: [[Double]] = [], predicted: [[Double]] = []
            var smallest = Double.infinity
            for t in 0..<steps {
                let c = (0..<n).map { i in beta1 * m[i] + (1 - beta1) * grads[t][i] }
                for i in 0..<n { m[i] = beta2 * m[i] + (1 - beta2) * grads[t][i] }
                for x in c where x != 0 { smallest = Swift.min(smallest, Swift.abs(x)) }
                let next = perturbed([measured[t]], perturbation)[0]
                let factor = 1 - lrs[t] * decay
                residuals.append((0..<n).map { i in next[i] - w[i] * factor })
                predicted.append(c.map { -lrs[t] * ($0 > 0 ? 1 : $0 < 0 ? -1 : 0) })
                w = measured[t]
            }
            try require(smallest > 1e-9, "the data put c within 1e-9 of 0 (\(smallest)): its sign is ambiguous")
            try require(dead.allSatisfy { i in predicted.allSatisfy { $0[i] == 0 } }, "dead elements must have c = 0")
            let e = relativeError(residuals, predicted, scale: lrs.min()!)
            return (e, "\(convention) \(name) steps are exactly ±lr (0 where c = 0) to \(sci(e)) of the smallest lr")
        }
    }
}
