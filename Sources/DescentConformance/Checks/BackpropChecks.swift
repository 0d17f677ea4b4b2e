// BackpropChecks.swift — the MLP's backward pass against central finite differences of its own
// forward pass, for every activation × loss (DescentCore/Training/MLP.swift).
//
//   fdᵢ = (L(θ + h·eᵢ) − L(θ − h·eᵢ)) / 2h   in float64 (truncation O(h²), rounding O(ε/h))
//   error = ‖g − fd‖₂ / max(‖g‖₂, ‖fd‖₂)      over every parameter of every tensor
//
// g is the implementation's gradient in the run's precision (naive engine), at the parameters
// rounded to that precision; fd always uses the float64 model at those same parameters. The
// forward pass itself is checked against torch and optax by the training fixtures; this check
// shows the backward is the derivative of the forward.
import DescentCore

package let backpropChecks: [any ClosedFormCheck] = Activation.allCases.flatMap { a in
    Loss.allCases.map { BackpropGradientCheck(activation: a, loss: $0) }
}

/// ∂L/∂θ by backpropagation equals the central finite difference of L, on a random MLP and batch.
package struct BackpropGradientCheck: ClosedFormCheck {
    package var activation: Activation
    package var loss: Loss
    /// Deliberate backward mistakes (tests prove the check fails on them); empty in real runs.
    package var faults: MLPFaults = []
    package var h = 1e-6

    package var id: String { "backprop/\(activation.rawValue)-\(loss.rawValue)" }
    package var title: String { "MLP backward = finite differences of the forward (\(activation.rawValue), \(loss.rawValue))" }
    package var proves: String {
        """
        Draws a random MLP (2 hidden \(activation.rawValue) layers, widths 2–6, seeded) and a batch of 5–9 rows \
        (some repeated) of random inputs and \(loss.rawValue) targets, computes ∂L/∂θ by backpropagation \
        (the implementation, naive engine, in the run's precision) and compares it with central finite \
        differences (L(θ+h) − L(θ−h))/2h, h = 1e-6, of the float64 forward pass at the same parameters. \
        Error: ‖g − fd‖₂ / max(‖g‖₂, ‖fd‖₂). A dropped σ′, a bias gradient not summed over the batch or \
        a gradient of the summed (not averaged) loss gives errors of order 1. Tolerance: float64 1e-6 \
        (truncation h²·L‴ ≈ 1e-12 and rounding ε·|L|/h ≈ 1e-10, relative to gradients of order 1e-2–1); \
        float32 1e-4 (the float32 backward rounds each product and sum at 6e-8 relative; with \
        cancellation in Σ over the batch and the layers, ~1e-6–1e-5 relative measured, bounded at 1e-4).
        """
    }
    package func tolerance(_ dtype: DType) -> Double { dtype == .float64 ? 1e-6 : 1e-4 }

    package func run<T: DescentFloat>(_ type: T.Type) -> CheckOutcome {
        outcome(self, T.self) {
            var r = SplitMix64(seed: 0x6270_0000 &+ UInt64(Activation.allCases.firstIndex(of: activation)! * 8
                                                           + Loss.allCases.firstIndex(of: loss)!))
            let out = loss == .binaryCrossEntropy ? 1 : 2 + r.below(4)
            let sizes = [2 + r.below(5), 2 + r.below(5), 2 + r.below(5), out]
            let spec = try MLPSpec(sizes: sizes, activation: activation, loss: loss)
            let n = 7
            let x = (0..<n * sizes[0]).map { _ in rounded(r.uniform(-2, 2), T.self) }
            let y: [Double] = switch loss {
            case .crossEntropy: (0..<n).map { _ in Double(r.below(out)) }
            case .binaryCrossEntropy: (0..<n).map { _ in Double(r.below(2)) }
            case .mse: (0..<n * out).map { _ in rounded(r.uniform(-1, 1), T.self) }
            }
            let batch = (0..<5 + r.below(5)).map { _ in r.below(n) }
            let init64 = spec.initialValues(seed: r.next()).map { $0.map { rounded($0, T.self) } }

            // The implementation's gradient, in T.
            let model = MLP<T>(spec, engine: .naive, faults: faults)
            let grads = model.makeGradients()
            model.lossAndGradients(params: init64.map { Buffer<T>(converting: $0) },
                                   data: try TrainingData<T>(spec: spec, inputs: x, targets: y, count: n),
                                   rows: batch, into: grads)
            // Central differences of the float64 forward (faults only touch the backward here).
            let ref = MLP<Double>(spec, engine: .naive)
            let data64 = try TrainingData<Double>(spec: spec, inputs: x, targets: y, count: n)
            let p = init64.map { Buffer<Double>($0) }
            var diff = 0.0, gn = 0.0, fn = 0.0
            for (t, g) in grads.enumerated() {
                for i in 0..<p[t].count {
                    let keep = p[t][i]
                    p[t][i] = keep + h
                    let up = ref.loss(params: p, data: data64, rows: batch)
                    p[t][i] = keep - h
                    let down = ref.loss(params: p, data: data64, rows: batch)
                    p[t][i] = keep
                    let fd = (up - down) / (2 * h), gi = Double(g[i])
                    diff += (gi - fd) * (gi - fd)
                    gn += gi * gi
                    fn += fd * fd
                }
            }
            try require(fn > 0, "the finite-difference gradient is zero: the check would prove nothing")
            let err = diff.squareRoot() / max(gn.squareRoot(), fn.squareRoot())
            return (err, "\(spec), batch of \(batch.count), \(spec.parameterCount) parameters: ‖g − fd‖/‖fd‖ = \(sci(err))")
        }
    }
}

/// v rounded to T's precision, as a Double.
private func rounded<T: DescentFloat>(_ v: Double, _: T.Type) -> Double { Double(T(v)) }
