// TrainingFixture.swift — `kind: "training"` cases (fixture spec, "Training case"): a model, a
// data set, and per step the minibatch rows, the loss before the step and the parameters after.
// A training case loads as an `OptimizerCase` whose `training` is set, so the optimizer, its
// hyperparameters, `grad_transforms`, per-step `lr`, tolerances, the adapter protocol and the
// known-wrong variants work exactly as for replay cases.
import DescentCore
import DescentJSON

/// The model and the data of a training case, as written (names are resolved when the case runs,
/// so an unknown model type, activation or loss is reported `unsupported`, not a load error).
public struct TrainingSetup: Sendable {
    public var modelType: String
    public var sizes: [Int]
    public var activation: String?
    public var loss: String
    /// N × d₀ values, row-major.
    public var inputs: [Double]
    /// N values (class indices or 0/1 labels) or N × d_L (mse).
    public var targets: [Double]
    /// N.
    public var rows: Int

    /// The MLP the case names; `unsupported` for a name Descent does not implement,
    /// `invalidInput` for an architecture that cannot work.
    public func modelSpec() throws -> MLPSpec {
        guard modelType == "mlp" else { throw DescentError.unsupported("model type '\(modelType)' is not implemented (known: mlp)") }
        var act: Activation?
        if let a = activation {
            guard let x = Activation(rawValue: a) else {
                throw DescentError.unsupported("activation '\(a)' is not implemented (known: \(Activation.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            act = x
        }
        guard let l = Loss(rawValue: loss) else {
            throw DescentError.unsupported("loss '\(loss)' is not implemented (known: \(Loss.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        return try MLPSpec(sizes: sizes, activation: act, loss: l)
    }

    /// The data in precision T (checks the targets against the loss).
    public func data<T: DescentFloat>(_ spec: MLPSpec, _: T.Type) throws -> TrainingData<T> {
        try TrainingData<T>(spec: spec, inputs: inputs, targets: targets, count: rows)
    }
}

extension FixtureLoader {
    package static func parseTrainingCase(_ c: JSON, id: String) throws -> OptimizerCase {
        let (convention, name, hp) = try call(c, "optimizer", arguments: "hyperparameters")
        for key in ["resume", "accumulation", "non_finite", "schedule"] where c[key] != nil && c[key]?.isNull == false {
            throw DescentError.unsupported("field '\(key)' on a training case is not implemented in Descent (it is for optimizer cases)")
        }
        if let g = c["optimizer"]?["param_groups"], !g.isNull {
            throw DescentError.unsupported("optimizer.param_groups on a training case is not implemented in Descent (it is for optimizer cases)")
        }

        // model
        guard let m = c["model"], m.objectValue != nil else { throw bad("model", "missing (an object with type, sizes, activation, loss)") }
        let type = m["type"] == nil ? "mlp" : try string(m, "type", in: "model")   // absent: the spec's only type
        guard let sj = m["sizes"]?.arrayValue else { throw bad("model.sizes", "missing or not an array") }
        let sizes = try sj.enumerated().map { (i, s) -> Int in
            guard let n = s.intValue, n >= 1 else { throw bad("model.sizes[\(i)]", "expected a positive integer") }
            return n
        }
        if sizes.count < 2 { throw bad("model.sizes", "needs at least 2 sizes (input and output), got \(sizes.count)") }
        var activation: String?
        if let a = m["activation"], !a.isNull {
            guard let s = a.stringValue else { throw bad("model.activation", "expected a string, found \(a.kindName)") }
            activation = s
        }
        let loss = try string(m, "loss", in: "model")

        // data
        guard let d = c["data"], d.objectValue != nil else { throw bad("data", "missing (an object with inputs and targets)") }
        func tensor(_ key: String) throws -> (shape: [Int], values: [Double]) {
            let f = "data.\(key)"
            guard let t = d[key], t.objectValue != nil else { throw bad(f, "missing (an object with shape and values)") }
            return try shapedTensor(t, f, allowEmpty: false)
        }
        let inputs = try tensor("inputs"), targets = try tensor("targets")
        guard inputs.shape.count == 2 else { throw bad("data.inputs.shape", "expected [N, d₀], found \(inputs.shape)") }
        let n = inputs.shape[0]
        if inputs.shape[1] != sizes[0] { throw bad("data.inputs.shape", "rows of \(inputs.shape[1]) values, but model.sizes[0] is \(sizes[0])") }
        if targets.shape[0] != n { throw bad("data.targets.shape", "\(targets.shape[0]) targets for \(n) input rows") }
        let (perOutput, overflow) = n.multipliedReportingOverflow(by: sizes[sizes.count - 1])
        if targets.values.count != n && (overflow || targets.values.count != perOutput) {
            throw bad("data.targets.shape", "expected [\(n)] or [\(n), \(sizes[sizes.count - 1])], found \(targets.shape)")
        }

        let params = try parseParams(c)
        var gradTransforms: [JSON] = []
        if let gt = c["grad_transforms"], !gt.isNull {
            guard let a = gt.arrayValue else { throw bad("grad_transforms", "expected an array of {convention, name, parameters}") }
            gradTransforms = a
        }
        guard let stepsJ = c["steps"]?.arrayValue, !stepsJ.isEmpty else { throw bad("steps", "missing, not an array, or empty") }
        var steps: [StepSpec] = []
        for (k, s) in stepsJ.enumerated() {
            let f = "steps[\(k)]"
            guard s.objectValue != nil else { throw bad(f, "expected an object") }
            var lr: Double?
            if let l = s["lr"], !l.isNull { lr = try number(l, "\(f).lr") }
            guard let bj = s["batch"]?.arrayValue, !bj.isEmpty else { throw bad("\(f).batch", "missing or empty (the rows of data in this minibatch)") }
            let batch = try bj.enumerated().map { (i, r) -> Int in
                guard let x = r.intValue, x >= 0, x < n else { throw bad("\(f).batch[\(i)]", "expected a row index in 0..<\(n), found \(r.serialized())") }
                return x
            }
            let expectedLoss = try number(s["expected_loss"], "\(f).expected_loss")
            guard let ej = s["expected"]?.arrayValue else { throw bad("\(f).expected", "missing or not an array") }
            if ej.count != params.count { throw bad("\(f).expected", "expected \(params.count) tensors, found \(ej.count)") }
            let expected = try ej.enumerated().map { (t, e) in
                let v = try numbers(e, "\(f).expected[\(t)]")
                if v.count != params[t].count { throw bad("\(f).expected[\(t)]", "tensor \(t) has \(params[t].count) values, found \(v.count)") }
                return v
            }
            steps.append(StepSpec(lr: lr, grads: nil, expected: expected, batch: batch, expectedLoss: expectedLoss))
        }
        guard let tol = try tolerance(c["tolerance"], "tolerance") else { throw bad("tolerance", "missing") }
        let setup = TrainingSetup(modelType: type, sizes: sizes, activation: activation, loss: loss,
                                  inputs: inputs.values, targets: targets.values, rows: n)
        return OptimizerCase(id: id, source: c["source"]?.stringValue, description: c["description"]?.stringValue,
                             convention: convention, name: name, hyperparameters: hp, params: params, steps: steps,
                             problem: nil, gradTransforms: gradTransforms, tolerance: tol,
                             toleranceFloat32: try tolerance(c["tolerance_float32"], "tolerance_float32"),
                             expectedError: nil, json: c, training: setup)
    }
}
