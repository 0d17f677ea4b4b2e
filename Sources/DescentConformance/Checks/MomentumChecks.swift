// MomentumChecks.swift — the three textbook momentum forms, unrolled.
//
//   momentum      (lr inside):  m ← mu·m − lr_t·g;         w ← w + m
//   momentum_ema  (lr outside): v ← beta·v + (1−beta)·g;   w ← w − lr_t·v
//   momentum_sum  (lr outside): v ← beta·v + g;            w ← w − lr_t·v
//
// Unrolled (zero initial buffers, steps t = 0…T−1):
//   inside: w_T = w_0 − Σ_{t<T} Σ_{s≤t} mu^(t−s)·lr_s·g_s
//   ema:    w_T = w_0 − Σ_{t<T} lr_t·(1−beta)·Σ_{s≤t} beta^(t−s)·g_s
//   sum:    w_T = w_0 − Σ_{t<T} lr_t·Σ_{s≤t} beta^(t−s)·g_s
// With a constant lr: sum(lr) ≡ ema(lr/(1−beta)) ≡ inside(lr, mu=beta). When lr changes, the
// inside form weights g_s by the lr of the step it arrived at (lr_s), the outside forms by the lr
// of the step they are applied at (lr_t):
//   w_T^inside − w_T^sum = Σ_{t<T} Σ_{s≤t} beta^(t−s)·(lr_t − lr_s)·g_s.
import DescentCore
import DescentJSON

package let momentumChecks: [any ClosedFormCheck] = [
    MomentumUnrollingCheck(),
    MomentumReparametrisationCheck(),
    MomentumLRChangeCheck(),
]

/// The shared problem: a fixed gradient sequence on one tensor, and an lr sequence.
package struct MomentumProblem: Sendable {
    package var size = 6
    package var steps = 30
    package var beta = 0.9
    package var lr = 0.05
    package var seed: UInt64 = 0x6d6f6d

    package var initial: [Double] { var r = SplitMix64(seed: seed); return r.vector(size, 0.5, 2) }
    package var grads: [[Double]] {
        var r = SplitMix64(seed: seed &+ 1)
        return (0..<steps).map { _ in r.vector(size, 0.1, 1) }
    }
    /// A changing lr: a warmup, a hold and a step drop (ratios up to 10×), so lr_t ≠ lr_s matters.
    package var changingLRs: [Double] {
        (0..<steps).map { (t: Int) -> Double in
            if t < 8 { return lr * Double(t + 1) / 8 }
            return t < 20 ? lr : lr / 10
        }
    }
    package var constantLRs: [Double] { Array(repeating: lr, count: steps) }

    package func inside(_ lr: Double) -> OptimizerUnderTest {
        OptimizerUnderTest(convention: "textbook", name: "momentum", hyperparameters: [("lr", JSON(lr)), ("mu", JSON(beta))])
    }
    package func ema(_ lr: Double) -> OptimizerUnderTest {
        OptimizerUnderTest(convention: "textbook", name: "momentum_ema", hyperparameters: [("lr", JSON(lr)), ("beta", JSON(beta))])
    }
    package func sum(_ lr: Double) -> OptimizerUnderTest {
        OptimizerUnderTest(convention: "textbook", name: "momentum_sum", hyperparameters: [("lr", JSON(lr)), ("beta", JSON(beta))])
    }

    /// Closed forms of the three unrolled trajectories (all steps), from the explicit weighted sums.
    /// `weight(t, s)` is the coefficient of g_s in the displacement made at step t.
    package static func unrolled(initial: [Double], grads: [[Double]], weight: (Int, Int) -> Double) -> [[Double]] {
        var w = initial
        var out: [[Double]] = []
        for t in 0..<grads.count {
            for s in 0...t {
                let c = weight(t, s)
                for i in w.indices { w[i] -= c * grads[s][i] }
            }
            out.append(w)
        }
        return out
    }
}

package func power(_ x: Double, _ n: Int) -> Double { var r = 1.0; for _ in 0..<n { r *= x }; return r }

/// Collects per-form trajectories, reporting all missing forms at once.
package func runForms<T: DescentFloat>(_ type: T.Type, _ forms: [(OptimizerUnderTest, [Double])], initial: [Double],
                               grads: [[Double]]) throws -> [[[Double]]] {
    var missing: [String] = []
    var out: [[[Double]]] = []
    for (o, lrs) in forms {
        do {
            let box = try o.stepper(T.self, shapes: [[initial.count]])
            out.append(trajectory(box, initial: initial, grads: grads, lrs: lrs))
        } catch let a as CheckAbort where a.status == .notRun {
            if !missing.contains(o.label) { missing.append(o.label) }
        }
    }
    if !missing.isEmpty {
        throw CheckAbort(status: .notRun, message: "not run: \(missing.joined(separator: ", ")) "
                         + (missing.count == 1 ? "is" : "are") + " not implemented")
    }
    return out
}

/// Each form's trajectory equals its explicit weighted sum of past gradients.
package struct MomentumUnrollingCheck: ClosedFormCheck {
    package var problem = MomentumProblem()
    /// Tests only: relative perturbation of the measured trajectories (proves the check can fail).
    package var perturbation = 0.0

    package var id: String { "momentum/unrolling" }
    package var title: String { "momentum forms = explicit weighted sums of past gradients" }
    package var proves: String {
        """
        Runs textbook momentum (lr inside), momentum_ema and momentum_sum for \(problem.steps) steps \
        with a changing lr (warmup, hold, 10× drop) on a fixed gradient sequence, and compares every \
        iterate with the unrolled closed form w_T = w_0 − Σ_t Σ_{s≤t} c(t,s)·g_s computed directly as \
        a double sum: c = mu^(t−s)·lr_s (inside), lr_t·(1−beta)·beta^(t−s) (ema), lr_t·beta^(t−s) \
        (sum). Error: max |Δw| / max |w| over the trajectory. Tolerance: float64 1e-12 (a \
        \(problem.steps)-step recurrence with contraction beta accumulates a few hundred ulps at \
        most); float32 1e-5 (ε₃₂ ≈ 6e-8 per operation over \(problem.steps) steps, the buffer \
        amplifying by at most 1/(1−beta) = \(Int((1 / (1 - problem.beta)).rounded()))).
        """
    }
    package func tolerance(_ dtype: DType) -> Double { dtype == .float64 ? 1e-12 : 1e-5 }

    package func run<T: DescentFloat>(_ type: T.Type) -> CheckOutcome {
        outcome(self, T.self) {
            let p = problem, b = p.beta, lrs = p.changingLRs
            let w0 = rounded(p.initial, to: T.self), g = p.grads.map { rounded($0, to: T.self) }
            let measured = try runForms(T.self, [(p.inside(p.lr), lrs), (p.ema(p.lr), lrs), (p.sum(p.lr), lrs)],
                                        initial: w0, grads: g)
            let predicted = [
                MomentumProblem.unrolled(initial: w0, grads: g) { t, s in power(b, t - s) * lrs[s] },
                MomentumProblem.unrolled(initial: w0, grads: g) { t, s in lrs[t] * (1 - b) * power(b, t - s) },
                MomentumProblem.unrolled(initial: w0, grads: g) { t, s in lrs[t] * power(b, t - s) },
            ]
            let names = ["momentum", "momentum_ema", "momentum_sum"]
            var errs: [String] = []
            var worst = 0.0
            for k in 0..<3 {
                let e = relativeError(perturbed(measured[k], perturbation), predicted[k])
                worst = max(worst, e.isNaN ? .infinity : e)
                errs.append("\(names[k]) \(sci(e))")
            }
            return (worst, "all three forms match their unrolled sums (\(errs.joined(separator: ", ")))")
        }
    }
}

/// With a constant lr the three forms are one method: sum(lr) ≡ ema(lr/(1−beta)) ≡ inside(lr, mu=beta).
package struct MomentumReparametrisationCheck: ClosedFormCheck {
    package var problem = MomentumProblem()
    /// The ema form's lr multiplier; the identity needs 1/(1−beta). Tests change it to see a failure.
    package var emaLRFactor: Double? = nil
    package var perturbation = 0.0

    package var id: String { "momentum/reparametrisation" }
    package var title: String { "constant lr: momentum_sum(lr) ≡ momentum_ema(lr/(1−beta)) ≡ momentum(lr, mu=beta)" }
    package var proves: String {
        """
        With a constant lr the three textbook momentum forms are the same method under \
        sum(lr, beta) ≡ ema(lr/(1−beta), beta) ≡ inside(lr, mu=beta): runs all three through the \
        real steppers for \(problem.steps) steps and compares the ema and inside trajectories with \
        the sum trajectory (max |Δw| / max |w|). Tolerance: float64 1e-12, float32 1e-5 (the three \
        recurrences round differently; same budget as momentum/unrolling).
        """
    }
    package func tolerance(_ dtype: DType) -> Double { dtype == .float64 ? 1e-12 : 1e-5 }

    package func run<T: DescentFloat>(_ type: T.Type) -> CheckOutcome {
        outcome(self, T.self) {
            let p = problem
            let w0 = rounded(p.initial, to: T.self), g = p.grads.map { rounded($0, to: T.self) }
            let f = emaLRFactor ?? 1 / (1 - p.beta)
            let lrs = p.constantLRs
            let m = try runForms(T.self, [(p.sum(p.lr), lrs), (p.ema(p.lr * f), lrs.map { $0 * f }),
                                          (p.inside(p.lr), lrs)], initial: w0, grads: g)
            let eEma = relativeError(perturbed(m[1], perturbation), m[0])
            let eIn = relativeError(perturbed(m[2], perturbation), m[0])
            return (max(eEma, eIn), "ema vs sum \(sci(eEma)), inside vs sum \(sci(eIn))")
        }
    }
}

/// Once lr changes, lr-inside and lr-outside momentum differ by exactly
/// Σ_t Σ_{s≤t} beta^(t−s)·(lr_t − lr_s)·g_s; the two lr-outside forms stay equivalent.
package struct MomentumLRChangeCheck: ClosedFormCheck {
    package var problem = MomentumProblem()
    package var perturbation = 0.0

    package var id: String { "momentum/lr-change" }
    package var title: String { "changing lr: lr-inside − lr-outside momentum = Σ beta^(t−s)(lr_t − lr_s) g_s" }
    package var proves: String {
        """
        With a changing lr (warmup, hold, 10× drop) runs textbook momentum(lr_t, mu=beta) and \
        momentum_sum(lr_t, beta) and compares their measured difference w^inside − w^sum at every \
        step with the closed form Σ_{t'≤t} Σ_{s≤t'} beta^(t'−s)·(lr_t' − lr_s)·g_s; requires that \
        difference to exceed 1000× the tolerance (the forms really differ), and that \
        momentum_ema(lr_t/(1−beta)) still equals momentum_sum(lr_t) (both apply lr outside). \
        Error relative to max |w| (the difference is a cancellation of two trajectories of that \
        size). Tolerance: float64 1e-12, float32 1e-5, as momentum/unrolling.
        """
    }
    package func tolerance(_ dtype: DType) -> Double { dtype == .float64 ? 1e-12 : 1e-5 }

    package func run<T: DescentFloat>(_ type: T.Type) -> CheckOutcome {
        outcome(self, T.self) {
            let p = problem, b = p.beta, lrs = p.changingLRs
            let w0 = rounded(p.initial, to: T.self), g = p.grads.map { rounded($0, to: T.self) }
            let f = 1 / (1 - b)
            let m = try runForms(T.self, [(p.inside(p.lr), lrs), (p.sum(p.lr), lrs), (p.ema(p.lr * f), lrs.map { $0 * f })],
                                 initial: w0, grads: g)
            let inside = perturbed(m[0], perturbation)
            let measuredDiff = zip(inside, m[1]).map { a, c in zip(a, c).map { $0 - $1 } }
            let zero = w0.map { _ in 0.0 }
            let predictedDiff = MomentumProblem.unrolled(initial: zero, grads: g) { t, s in
                -power(b, t - s) * (lrs[t] - lrs[s])
            }
            let scale = m[1].flatMap { $0 }.map { abs($0) }.max() ?? 1
            let diffSize = (predictedDiff.flatMap { $0 }.map { abs($0) }.max() ?? 0) / scale
            try require(diffSize > 1000 * tolerance(T.dtype),
                        "the predicted inside/outside difference \(sci(diffSize)) is too small to test")
            let eDiff = relativeError(measuredDiff, predictedDiff, scale: scale)
            let eOut = relativeError(m[2], m[1])
            return (max(eDiff, eOut), "difference \(sci(diffSize)) of max|w| predicted to \(sci(eDiff)); "
                    + "ema(lr_t/(1−beta)) vs sum(lr_t) \(sci(eOut))")
        }
    }
}
