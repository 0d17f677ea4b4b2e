// TrainingRun.swift — runs a training case: at every step the implementation's MLP computes the
// batch loss and the gradients by backpropagation on that step's rows (on the implementation's
// engine: naive / vectorized / blas gemm), the case's grad_transforms and optimizer follow, as in
// a replay case. The optimizer is handed the batch objective (`stepObjective`), so one that
// takes the gradient elsewhere than at its parameters (schedulefree's *Closure classes, at y) or
// evaluates several times (L-BFGS) or takes the loss's value (polyak_sgd, momo) trains too. The loss before each step and the parameters after it are compared with the
// goldens; the loss is the last series of the trajectory (tensor index = number of tensors).
// float32 policy for the loss: atol₃₂ = 1e-5 · max over steps of |expected_loss| (the series'
// peak, as for schedules), so a loss that training drives to ~0 is judged at the scale it came from.
import DescentCore

extension Verifier {
    package func runTraining<T: DescentFloat>(_ c: OptimizerCase, _ setup: TrainingSetup, _ impl: any Implementation, _: T.Type,
                                      _ r: inout CaseResult) throws {
        let mlp = try setup.modelSpec()
        let shapes = c.params.map(\.shape)
        guard shapes == mlp.parameterShapes else {
            throw DescentError.invalidInput(field: "params", message: "shapes \(shapes) do not match the model \(mlp) (\(mlp.parameterShapes))")
        }
        let spec = try impl.resolve(Verifier.spec(for: c))
        let model = try impl.model(mlp, T.self)
        let data = try setup.data(mlp, T.self)
        let box = try Verifier.stepperBox(impl, spec, shapes, T.self)
        r.ran = "\(impl.name): \(mlp) on \(model.engine.kind.rawValue) gemm\(model.faults.isEmpty ? "" : " [faults \(model.faults.rawValue)]"); "
            + "\(c.convention).\(c.name) → \(spec.family.familyName) [\(spec.family.summary)] as \(box.typeName)"
        let params = c.params.map { Buffer<T>(converting: $0.values) }
        var cmp = TrajectoryComparer(dtype: T.dtype, tolerance: c.tolerance, float32Override: c.toleranceFloat32,
                                     series: c.params.count + 1)
        for (k, s) in c.steps.enumerated() {
            let lr = s.lr ?? spec.lr
            let rows = s.batch!
            // Every optimizer steps on the batch objective and evaluates it where it needs to:
            // once at the parameters (the default), several times (L-BFGS), or at its own point
            // (schedulefree's *Closure classes, whose parameters hold x: the gradient at y). The
            // loss is the objective's first evaluation of the step, what torch's loop and the
            // closure report. Each evaluation gets its own gradients (an optimizer may keep them).
            var first: T?
            let objective: Objective<T> = { p in
                let g = model.makeGradients()
                let l = model.lossAndGradients(params: p, data: data, rows: rows, into: g)
                if first == nil { first = l }
                return (Double(l), g)
            }
            box.stepObjective(params, objective, lr)
            let loss = first ?? .nan
            cmp.compare(step: k, series: c.params.count, expected: [s.expectedLoss!], actual: [Double(loss)],
                        scale: c.lossScale)
            var now: [[Double]] = []
            for t in 0..<params.count {
                now.append(params[t].doubles)
                cmp.compare(step: k, series: t, expected: s.expected[t], actual: now[t])
            }
            r.trajectory.append(now + [[Double(loss)]])
        }
        cmp.finish(into: &r, what: "trajectory")
        Verifier.nameLossSeries(&r, tensors: c.params.count)
    }

    /// In a training case's failure message, series `tensors` is the loss, not a tensor.
    package static func nameLossSeries(_ r: inout CaseResult, tensors: Int) {
        guard let f = r.firstFailure, f.tensor == tensors else { return }
        r.message = "the loss left the golden one at step \(f.step) (before the step): expected \(f.expected), got \(f.actual)"
    }
}

extension OptimizerCase {
    /// The float32 policy's scale for the loss series: its peak |expected_loss| over the case (as
    /// for a schedule's lr series), since a float32 loss carries the absolute rounding of the
    /// largest logits it came from — a loss that falls to 1e-10 from logits of 10³ is 0 in float32.
    package var lossScale: Double { steps.reduce(0) { max($0, abs($1.expectedLoss ?? 0)) } }
}
