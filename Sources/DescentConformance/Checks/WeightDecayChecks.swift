// WeightDecayChecks.swift — L2 penalty versus decoupled weight decay.
//
//   SGD on f(θ) + λ‖θ‖²:  θ' = θ − η(∇f(θ) + 2λθ) = (1 − 2ηλ)·θ − η·∇f(θ)
//     i.e. shrink θ by (1 − 2ηλ), then step on the data gradient (torch SGD, weight_decay = 2λ).
//   Adam does not commute with that: Adam + L2 normalises (g + wd·θ) by √v̂, so the decay is
//   rescaled per coordinate; decoupled decay (AdamW) shrinks θ outside the normalisation:
//     Adam + L2: g̃ = g + wd·θ;  θ' = θ − lr·m̂(g̃)/(√v̂(g̃) + eps)
//     AdamW:     θ' = θ·(1 − lr·wd) − lr·m̂(g)/(√v̂(g) + eps)         (torch)
//     textbook adamw: θ' = θ − lr·m̂(g)/√(v̂(g) + eps) − wd·θ           (decay not scaled by lr)
import DescentCore
import DescentJSON

package let weightDecayChecks: [any ClosedFormCheck] = [
    SGDL2ShrinkCheck(),
    DecoupledDecayCheck(flavor: .torch),
    DecoupledDecayCheck(flavor: .textbook),
]

/// Runs a stepper on one tensor with a gradient that may depend on the parameters.
package func closedLoop<T: DescentFloat>(_ box: StepperBox<T>, initial: [Double], steps: Int, lrs: [Double],
                                 grad: ([Double], Int) -> [Double]) -> [[Double]] {
    let p = Buffer<T>(converting: initial)
    var out: [[Double]] = []
    for t in 0..<steps {
        box.step([p], [Buffer<T>(converting: grad(p.doubles, t))], lrs[t])
        out.append(p.doubles)
    }
    return out
}

/// SGD with an L2 penalty ≡ shrink by (1 − 2ηλ) then step on the data gradient.
package struct SGDL2ShrinkCheck: ClosedFormCheck {
    package var lambda = 0.3
    package var steps = 30
    package var perturbation = 0.0
    /// Tests only: the shrink factor the closed form uses is (1 − shrinkFactor·ηλ); 2 is right.
    package var shrinkFactor = 2.0

    package var id: String { "weight-decay/sgd-l2" }
    package var title: String { "SGD + λ‖θ‖² ≡ θ·(1 − 2ηλ) then a step on the data gradient" }
    package var proves: String {
        """
        Runs torch SGD(lr = η_t, weight_decay = 2λ = \(2 * lambda)) — the gradient of λ‖θ‖² is 2λθ \
        — in closed loop on the least-squares gradient 2Xᵀ(Xθ − y) (X 3×6) with a changing lr, and \
        compares every iterate with the closed form θ ← (1 − 2η_tλ)·θ − η_t·2Xᵀ(Xθ − y) evaluated \
        along its own float64 trajectory: an L2 penalty under SGD is exactly multiplicative \
        shrinkage followed by the data step. Error: max |Δθ| / max |θ|. Tolerance: float64 1e-12 \
        (\(steps) contractive linear steps, a few ulps each); float32 1e-5 (\(steps)·ε₃₂ ≈ 2e-6 \
        plus the gradient's rounding).
        """
    }
    package func tolerance(_ dtype: DType) -> Double { dtype == .float64 ? 1e-12 : 1e-5 }

    package func run<T: DescentFloat>(_ type: T.Type) -> CheckOutcome {
        outcome(self, T.self) {
            let problem = RidgeProblem.wide
            let X = problem.matrix(Double.self)
            let data: ([Double]) -> [Double] = { th in
                X.transposeTimes(zip(X.times(th), problem.y).map { $0 - $1 }).map { 2 * $0 }
            }
            let lrs = (0..<steps).map { t in t < 10 ? 0.05 : (t < 20 ? 0.1 : 0.02) }
            var r = SplitMix64(seed: 0x6c32)
            let w0 = rounded(r.vector(problem.d, 0.5, 2), to: T.self)
            let under = OptimizerUnderTest(convention: "torch", name: "SGD", hyperparameters: [
                ("lr", JSON(lrs[0])), ("weight_decay", JSON(2 * lambda))])
            let box = try under.stepper(T.self, shapes: [[problem.d]])
            let measured = closedLoop(box, initial: w0, steps: steps, lrs: lrs) { th, _ in data(th) }
            var th = w0
            var predicted: [[Double]] = []
            for t in 0..<steps {
                let g = data(th)
                let shrink = 1 - shrinkFactor * lrs[t] * lambda
                th = zip(th, g).map { shrink * $0 - lrs[t] * $1 }
                predicted.append(th)
            }
            let e = relativeError(perturbed(measured, perturbation), predicted)
            return (e, "torch SGD(weight_decay=2λ) equals shrink-then-step to \(sci(e))")
        }
    }
}

/// Decoupled decay (AdamW) is not Adam + L2: both match their closed forms, and differ.
package struct DecoupledDecayCheck: ClosedFormCheck {
    package enum Flavor: String, Sendable { case torch, textbook }
    package var flavor: Flavor
    package var steps = 25
    package var lr = 0.01
    package var beta1 = 0.9
    package var beta2 = 0.999
    package var eps = 1e-8
    package var perturbation = 0.0

    /// torch: decay lr·wd per step; textbook: wd per step (not scaled by lr).
    package var weightDecay: Double { flavor == .torch ? 0.5 : 0.01 }

    package var id: String { "weight-decay/decoupled-vs-l2/\(flavor.rawValue)" }
    package var title: String {
        flavor == .torch ? "torch AdamW (decoupled) ≠ torch Adam(weight_decay) (L2), each as predicted"
                         : "textbook adamw (decoupled) ≠ textbook adam on g + wd·θ (L2), each as predicted"
    }
    package var proves: String {
        let pair = flavor == .torch
            ? "torch AdamW(weight_decay=\(weightDecay)) and torch Adam(weight_decay=\(weightDecay))"
            : "textbook adamw(weight_decay=\(weightDecay)) and textbook adam fed g + wd·θ"
        return """
        Runs \(pair) for \(steps) steps on one fixed gradient sequence (|g| in 0.05…1), and compares \
        each with its own closed-form recurrence computed in float64 in the check (decoupled: \
        \(flavor == .torch ? "θ·(1 − lr·wd)" : "θ − wd·θ") outside the normalisation; L2: wd·θ \
        added to g before the moments). Requires the two predicted trajectories to differ by more \
        than 1000× the tolerance (relative to max |θ|): for Adam, decoupled decay is not an L2 \
        penalty, unlike SGD. Error: max |Δθ| / max |θ| over both runs. Tolerance: float64 1e-12 \
        (\(steps) steps of a few ulps; m̂/√v̂ is well conditioned for |g| ≥ 0.05 ≫ eps); float32 \
        1e-5 (\(steps)·ε₃₂ ≈ 1.5e-6 relative, ×lr per step).
        """
    }
    package func tolerance(_ dtype: DType) -> Double { dtype == .float64 ? 1e-12 : 1e-5 }

    /// Adam in float64 with L2 (coupled) or decoupled decay, as the flavor defines them.
    package func reference(initial: [Double], grads: [[Double]], decoupled: Bool) -> [[Double]] {
        var th = initial
        var m = th.map { _ in 0.0 }, v = m
        var out: [[Double]] = []
        for (k, g0) in grads.enumerated() {
            let t = k + 1
            let g = decoupled ? g0 : zip(g0, th).map { $0 + weightDecay * $1 }
            let bc1 = 1 - power(beta1, t), bc2 = 1 - power(beta2, t)
            let before = th
            if decoupled && flavor == .torch { th = th.map { $0 * (1 - lr * weightDecay) } }
            for i in th.indices {
                m[i] = beta1 * m[i] + (1 - beta1) * g[i]
                v[i] = beta2 * v[i] + (1 - beta2) * g[i] * g[i]
                let mhat = m[i] / bc1, vhat = v[i] / bc2
                th[i] -= flavor == .torch ? lr * mhat / (vhat.squareRoot() + eps) : lr * mhat / (vhat + eps).squareRoot()
            }
            if decoupled && flavor == .textbook { th = zip(th, before).map { $0 - weightDecay * $1 } }
            out.append(th)
        }
        return out
    }

    package func run<T: DescentFloat>(_ type: T.Type) -> CheckOutcome {
        outcome(self, T.self) {
            var r = SplitMix64(seed: 0x6164_616d)
            let w0 = rounded(r.vector(5, 0.5, 2), to: T.self)
            let grads = (0..<steps).map { _ in rounded(r.vector(5, 0.05, 1), to: T.self) }
            let lrs = Array(repeating: lr, count: steps)
            let decoupled: OptimizerUnderTest, coupled: OptimizerUnderTest
            switch flavor {
            case .torch:
                let common: [(String, JSON)] = [("lr", JSON(lr)), ("betas", .array([JSON(beta1), JSON(beta2)])),
                                                ("eps", JSON(eps)), ("weight_decay", JSON(weightDecay))]
                decoupled = OptimizerUnderTest(convention: "torch", name: "AdamW", hyperparameters: common)
                coupled = OptimizerUnderTest(convention: "torch", name: "Adam", hyperparameters: common)
            case .textbook:
                let common: [(String, JSON)] = [("lr", JSON(lr)), ("beta1", JSON(beta1)), ("beta2", JSON(beta2)), ("eps", JSON(eps))]
                decoupled = OptimizerUnderTest(convention: "textbook", name: "adamw",
                                               hyperparameters: common + [("weight_decay", JSON(weightDecay))])
                coupled = OptimizerUnderTest(convention: "textbook", name: "adam", hyperparameters: common)
            }
            var missing: [String] = []
            var boxes: [StepperBox<T>] = []
            for o in [decoupled, coupled] {
                do { boxes.append(try o.stepper(T.self, shapes: [[w0.count]])) } catch let a as CheckAbort where a.status == .notRun {
                    missing.append(o.label)
                }
            }
            if !missing.isEmpty {
                throw CheckAbort(status: .notRun, message: "not run: \(missing.joined(separator: ", ")) not implemented")
            }
            let mDec = closedLoop(boxes[0], initial: w0, steps: steps, lrs: lrs) { _, t in grads[t] }
            let l2Added = flavor == .textbook   // torch Adam adds wd·θ itself
            let mCou = closedLoop(boxes[1], initial: w0, steps: steps, lrs: lrs) { th, t in
                l2Added ? zip(grads[t], th).map { $0 + weightDecay * $1 } : grads[t]
            }
            let pDec = reference(initial: w0, grads: grads, decoupled: true)
            let pCou = reference(initial: w0, grads: grads, decoupled: false)
            let scale = pCou.flatMap { $0 }.map { abs($0) }.max() ?? 1
            let gap = relativeError(pDec, pCou, scale: scale)
            try require(gap > 1000 * tolerance(T.dtype), "decoupled and L2 trajectories differ by only \(sci(gap))")
            let eDec = relativeError(perturbed(mDec, perturbation), pDec, scale: scale)
            let eCou = relativeError(perturbed(mCou, perturbation), pCou, scale: scale)
            return (max(eDec, eCou), "decoupled vs L2 differ by \(sci(gap)) of max|θ|; "
                    + "\(decoupled.label) matches decoupled to \(sci(eDec)), \(coupled.label) matches L2 to \(sci(eCou))")
        }
    }
}
