// Fixture.swift — the in-memory form of a `descent-fixture/1` file (../shared/spec/fixtures.md)
// and its loader. Loading is strict and precise: every problem names the file, the case id and
// the field. A broken case is kept (as an error) so the run can go on with the others.
import DescentCore
import DescentJSON
import Foundation

public struct Tolerance: Sendable, Equatable {
    public var rtol: Double
    public var atol: Double
    public init(rtol: Double, atol: Double) {
        self.rtol = rtol
        self.atol = atol
    }
}

public struct TensorSpec: Sendable {
    public var shape: [Int]
    public var values: [Double]
    public var count: Int { values.count }
}

public struct StepSpec: Sendable {
    /// Learning-rate override for this step only.
    public var lr: Double?
    /// Gradients per tensor (replay cases); nil in closed-loop problem cases.
    public var grads: [[Double]]?
    /// Parameters after the step, per tensor.
    public var expected: [[Double]]
    /// Training cases: the rows of the case's data in this step's minibatch.
    public var batch: [Int]? = nil
    /// Training cases: the batch loss at the parameters before this step.
    public var expectedLoss: Double? = nil
    /// Field features of this step (null gradients, per-group lr, expected state); nil when the
    /// step has none. Where `grads[i]` is null, `grads[i]` is empty and `field.missing[i]` true.
    public var field: FieldStep? = nil
    /// Sparse gradients (`grad_indices`, FORMAT.md): per tensor, the flat row-major indices of the
    /// entries the coalesced sparse gradient holds (ascending), nil for a tensor with a null
    /// gradient; nil when the step's gradients are dense.
    public var gradIndices: [[Int]?]? = nil
    /// The objective's value passed to this step's update (`steps[k].value`, FORMAT.md), for an
    /// optimizer whose update takes the loss (optax momo, momo_adam, polyak_sgd); nil when not given.
    public var value: Double? = nil
    /// The Hessian-diagonal estimate handed to this step (`steps[k].hessian`, FORMAT.md: one tensor
    /// per parameter, row-major; pytorch_optimizer SophiaH's `step(hessian=...)`); nil when not given.
    public var hessian: [[Double]]? = nil
}

/// A closed-loop objective named by a case (`problem`).
public enum Problem: Sendable {
    /// f = ½ xᵀAx − bᵀx
    case quadratic(a: [Double], b: [Double])
    /// f = (a − x)² + b(y − x²)²
    case rosenbrock(a: Double, b: Double)
    /// f = ‖y − Xw‖² + λ‖w‖²
    case ridge(x: [Double], n: Int, d: Int, y: [Double], lambda: Double)

    public var name: String {
        switch self {
        case .quadratic: return "quadratic"
        case .rosenbrock: return "rosenbrock"
        case .ridge: return "ridge"
        }
    }

    /// The number of parameters the problem takes (one tensor).
    public var dimension: Int {
        switch self {
        case let .quadratic(_, b): return b.count
        case .rosenbrock: return 2
        case let .ridge(_, _, d, _, _): return d
        }
    }
}

public struct OptimizerCase: Sendable {
    public var id: String
    public var source: String?
    public var description: String?
    public var convention: String
    public var name: String
    public var hyperparameters: JSON?
    public var params: [TensorSpec]
    public var steps: [StepSpec]
    public var problem: Problem?
    /// Extension: pre-step gradient transforms (`grad_transforms`), e.g. global-norm clipping.
    public var gradTransforms: [JSON]
    public var tolerance: Tolerance
    public var toleranceFloat32: Tolerance?
    /// Extension: the library rejects these hyperparameters with this message (then `steps`
    /// may be empty). The case passes when the implementation rejects them with that wording.
    public var expectedError: String?
    /// The case as written (for the adapter protocol).
    public var json: JSON
    /// `kind: "training"`: the model and data the gradients come from (TrainingFixture.swift).
    public var training: TrainingSetup? = nil
    /// "optimizer" or "training".
    public var kind: String { training == nil ? "optimizer" : "training" }
    /// The field features (FieldFeatures.swift); nil when the case has none of their fields.
    public var field: FieldSetup? = nil
    /// Extension: bf16/fp16 storage (`low_precision`, fixtures/FORMAT.md "Low precision"); nil
    /// for a float64 golden.
    public var lowPrecision: LowPrecisionCase? = nil
    /// Whether the case needs the field runner (Verify/FieldRun.swift): groups, a resume, …, or a
    /// step with null gradients, a per-group lr or expected state.
    /// Whether some step gives sparse gradients (`grad_indices`).
    public var hasSparseGradients: Bool { steps.contains { $0.gradIndices != nil } }

    public var needsFieldRun: Bool {
        guard let field else { return steps.contains { $0.field != nil } }
        return field.changesTheRun || !field.features.isEmpty || steps.contains { $0.field != nil }
            || (convention == "keras" && (hyperparameters?.objectValue ?? []).contains { ["exclude_from_weight_decay", "gradient_accumulation_steps"].contains($0.0) })
    }
}

/// A case's `low_precision` object as written: the formats, and the path by name (a path
/// Descent does not know makes the case `unsupported`, not unusable).
public struct LowPrecisionCase: Sendable, Equatable {
    public var params: StorageFormat
    /// nil: float32 state.
    public var state: StorageFormat?
    public var path: String
    /// `tolerance_ulps`: the largest error allowed, in ulps of `params` (0: the same values).
    public var toleranceULPs: Double

    /// The setup a family runs, when Descent knows the path.
    public var setup: LowPrecisionSetup? {
        LowPrecisionPath(rawValue: path).map { LowPrecisionSetup(params: params, state: state, path: $0) }
    }

    static func parse(_ c: JSON) throws -> LowPrecisionCase? {
        guard let lp = c["low_precision"], !lp.isNull else { return nil }
        guard lp.objectValue != nil else { throw FixtureLoader.bad("low_precision", "expected an object {param_dtype, state_dtype, path}") }
        func format(_ key: String, float32: Bool) throws -> StorageFormat?? {
            guard let v = lp[key], !v.isNull else { return .none }
            guard let name = v.stringValue else { throw FixtureLoader.bad("low_precision.\(key)", "expected a string, found \(v.kindName)") }
            if float32 && name == "float32" { return .some(nil) }
            guard let f = StorageFormat(rawValue: name) else {
                throw FixtureLoader.bad("low_precision.\(key)", "expected \(float32 ? "bfloat16, float16 or float32" : "bfloat16 or float16"), found \"\(name)\"")
            }
            return .some(f)
        }
        guard case let .some(params?) = try format("param_dtype", float32: false) else {
            throw FixtureLoader.bad("low_precision.param_dtype", "missing (bfloat16 or float16)")
        }
        let state: StorageFormat? = switch try format("state_dtype", float32: true) { case .none: params; case let .some(s): s }
        guard let path = lp["path"]?.stringValue else { throw FixtureLoader.bad("low_precision.path", "missing (torch: for_loop, foreach or fused)") }
        for key in ["foreach", "fused"] where c["optimizer"]?["hyperparameters"]?[key] != nil {
            throw FixtureLoader.bad("hyperparameters.\(key)", "not allowed in a low_precision case: low_precision.path names the path")
        }
        var ulps = 0.0
        if let t = c["tolerance_ulps"], !t.isNull {
            ulps = try FixtureLoader.number(t, "tolerance_ulps")
            if ulps < 0 || ulps != ulps.rounded() { throw FixtureLoader.bad("tolerance_ulps", "expected a whole number ≥ 0, found \(ulps)") }
        }
        return LowPrecisionCase(params: params, state: state, path: path, toleranceULPs: ulps)
    }

    /// Every value of `values` must be a value of `format` (the loader's check, naming the field).
    static func check(_ values: [Double], _ format: StorageFormat?, _ field: String) throws {
        guard let format else { return }
        for (i, x) in values.enumerated() where !format.represents(x) {
            throw FixtureLoader.bad("\(field)[\(i)]", "\(x) is not a \(format.rawValue) value (a low_precision case holds exact values of its dtype)")
        }
    }
}

public struct ScheduleCase: Sendable {
    public var id: String
    public var source: String?
    public var description: String?
    public var convention: String
    public var name: String
    public var parameters: JSON?
    public var baseLR: Double?
    public var metrics: [Double]?
    public var expectedLR: [Double]
    public var expectedMomentum: [Double]?
    public var tolerance: Tolerance
    public var toleranceFloat32: Tolerance?
    /// Extension: the library rejects these parameters with this message (see OptimizerCase).
    public var expectedError: String?
    public var json: JSON
}

public enum FixtureCase: Sendable {
    case optimizer(OptimizerCase)
    case schedule(ScheduleCase)

    public var id: String {
        switch self {
        case let .optimizer(c): return c.id
        case let .schedule(c): return c.id
        }
    }
    public var convention: String {
        switch self {
        case let .optimizer(c): return c.convention
        case let .schedule(c): return c.convention
        }
    }
    public var name: String {
        switch self {
        case let .optimizer(c): return c.name
        case let .schedule(c): return c.name
        }
    }
    public var expectedError: String? {
        switch self {
        case let .optimizer(c): return c.expectedError
        case let .schedule(c): return c.expectedError
        }
    }
}

/// A case that could not be read: it is reported as `error` with this message.
public struct BrokenCase: Sendable {
    public var id: String
    public var message: String
}

public struct FixtureFile: Sendable {
    public var path: String
    public var description: String
    public var cases: [FixtureCase]
    public var broken: [BrokenCase]
}

/// A file that cannot be used at all (unreadable, not JSON, wrong format).
public struct FixtureFileError: Error, CustomStringConvertible, Sendable {
    public var path: String
    public var message: String
    public var description: String { "\(path): \(message)" }
}

// MARK: - Loading

public enum FixtureLoader {
    public static let format = "descent-fixture/1"

    /// Loads one file. Throws `FixtureFileError` only when nothing in it is usable.
    public static func load(path: String) throws -> FixtureFile {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw FixtureFileError(path: path, message: "cannot read the file")
        }
        let json: JSON
        do {
            json = try JSON.parse(bytes: [UInt8](data))
        } catch let e as JSONParseError {
            throw FixtureFileError(path: path, message: "not valid JSON: \(e)")
        }
        return try load(json: json, path: path)
    }

    public static func load(json: JSON, path: String) throws -> FixtureFile {
        guard json.objectValue != nil else {
            throw FixtureFileError(path: path, message: "the top level must be an object, found \(json.kindName)")
        }
        guard let fmt = json["format"] else {
            throw FixtureFileError(path: path, message: "field 'format' is missing (expected \"\(format)\")")
        }
        guard fmt.stringValue == format else {
            throw FixtureFileError(path: path, message: "field 'format' is \(fmt.serialized()), expected \"\(format)\"")
        }
        guard let cases = json["cases"]?.arrayValue else {
            throw FixtureFileError(path: path, message: "field 'cases' must be an array")
        }
        var out = FixtureFile(path: path, description: json["description"]?.stringValue ?? "", cases: [], broken: [])
        var seen = Set<String>()
        for (i, c) in cases.enumerated() {
            let label = c["id"]?.stringValue ?? "cases[\(i)]"
            do {
                let parsed = try parseCase(c)
                if !seen.insert(parsed.id).inserted {
                    out.broken.append(BrokenCase(id: label, message: "\(path): case \(label): field 'id': duplicate id (ids must be unique in a file)"))
                    continue
                }
                out.cases.append(parsed)
            } catch let e as DescentError {
                if case let .invalidInput(field, message) = e {
                    out.broken.append(BrokenCase(id: label, message: "\(path): case \(label): field '\(field)': \(message)"))
                } else {
                    out.broken.append(BrokenCase(id: label, message: "\(path): case \(label): \(e)"))
                }
            } catch {
                out.broken.append(BrokenCase(id: label, message: "\(path): case \(label): \(error)"))
            }
        }
        return out
    }

    package static func bad(_ field: String, _ message: String) -> DescentError { .invalidInput(field: field, message: message) }

    /// The library call a case names at `key` (`optimizer`, `schedule`): its convention, its name
    /// and its keyword arguments at `arguments` (absent, null or an object).
    package static func call(_ c: JSON, _ key: String, arguments: String) throws -> (convention: String, name: String, arguments: JSON?) {
        guard let o = c[key], o.objectValue != nil else { throw bad(key, "missing (an object with convention, name, \(arguments))") }
        let convention = try string(o, "convention", in: key)
        let name = try string(o, "name", in: key)
        let args = o[arguments]
        if let args, !args.isNull, args.objectValue == nil { throw bad("\(key).\(arguments)", "expected an object, found \(args.kindName)") }
        return (convention, name, args)
    }

    /// A `{ "shape", "values" }` tensor at `f`: every dimension an exact integer (≥ 0, or ≥ 1 unless
    /// `allowEmpty`), the element count checked — a shape such as [2^40, 2^30] is an error, not a
    /// trap — and as many values as the shape holds.
    package static func shapedTensor(_ t: JSON, _ f: String, allowEmpty: Bool) throws -> (shape: [Int], values: [Double]) {
        guard let shapeJ = t["shape"]?.arrayValue else { throw bad("\(f).shape", "missing or not an array") }
        var shape: [Int] = []
        for (j, s) in shapeJ.enumerated() {
            guard let n = s.intValue, n >= (allowEmpty ? 0 : 1) else {
                throw bad("\(f).shape[\(j)]", allowEmpty ? "expected a non-negative integer" : "expected a positive integer")
            }
            shape.append(n)
        }
        var want = 1
        for (j, n) in shape.enumerated() {
            let (product, overflow) = want.multipliedReportingOverflow(by: n)
            if overflow || product > Int(Int32.max) {
                throw bad("\(f).shape[\(j)]", "shape \(shape) has more elements than Descent can hold (limit \(Int32.max))")
            }
            want = product
        }
        let values = try numbers(t["values"], "\(f).values")
        if values.count != want { throw bad("\(f).values", "shape \(shape) needs \(want) values, found \(values.count)") }
        return (shape, values)
    }

    package static func string(_ c: JSON, _ key: String, in parent: String = "") throws -> String {
        let f = parent.isEmpty ? key : "\(parent).\(key)"
        guard let v = c[key] else { throw bad(f, "missing") }
        guard let s = v.stringValue else { throw bad(f, "expected a string, found \(v.kindName)") }
        return s
    }

    package static func number(_ v: JSON?, _ field: String, allowNonFinite: Bool = false) throws -> Double {
        guard let v else { throw bad(field, "missing") }
        if allowNonFinite, let s = v.stringValue {
            switch s {
            case "NaN": return .nan
            case "Infinity": return .infinity
            case "-Infinity": return -.infinity
            default: break
            }
        }
        if let s = v.stringValue, ["NaN", "nan", "Infinity", "-Infinity", "inf", "-inf"].contains(s) {
            throw bad(field, "NaN and infinities are not allowed in fixtures (found \"\(s)\"; a case with \"non_finite\" in its features may hold \"NaN\", \"Infinity\", \"-Infinity\")")
        }
        guard let d = v.doubleValue else { throw bad(field, "expected a number, found \(v.kindName)") }
        return d
    }

    package static func numbers(_ v: JSON?, _ field: String, allowNonFinite: Bool = false) throws -> [Double] {
        guard let v else { throw bad(field, "missing") }
        guard let a = v.arrayValue else { throw bad(field, "expected an array of numbers, found \(v.kindName)") }
        var out = [Double]()
        out.reserveCapacity(a.count)
        for (i, x) in a.enumerated() { out.append(try number(x, "\(field)[\(i)]", allowNonFinite: allowNonFinite)) }
        return out
    }

    package static func tolerance(_ v: JSON?, _ field: String) throws -> Tolerance? {
        guard let v, !v.isNull else { return nil }
        guard v.objectValue != nil else { throw bad(field, "expected an object {rtol, atol}") }
        let t = Tolerance(rtol: try number(v["rtol"], "\(field).rtol"), atol: try number(v["atol"], "\(field).atol"))
        if t.rtol < 0 || t.atol < 0 { throw bad(field, "rtol and atol must be ≥ 0") }
        return t
    }

    package static func parseCase(_ c: JSON) throws -> FixtureCase {
        guard c.objectValue != nil else { throw bad("case", "expected an object, found \(c.kindName)") }
        let id = try string(c, "id")
        if id.isEmpty { throw bad("id", "must not be empty") }
        let kind = try string(c, "kind")
        switch kind {
        case "optimizer": return .optimizer(try parseOptimizerCase(c, id: id))
        case "schedule": return .schedule(try parseScheduleCase(c, id: id))
        case "training": return .optimizer(try parseTrainingCase(c, id: id))
        default: throw bad("kind", "expected \"optimizer\", \"schedule\" or \"training\", found \"\(kind)\"")
        }
    }

    /// The case's `params`: tensors with their shapes and values (at least one).
    package static func parseParams(_ c: JSON) throws -> [TensorSpec] {
        guard let ps = c["params"]?.arrayValue else { throw bad("params", "missing or not an array") }
        var params: [TensorSpec] = []
        for (i, p) in ps.enumerated() {
            let f = "params[\(i)]"
            let (shape, values) = try shapedTensor(p, f, allowEmpty: true)
            params.append(TensorSpec(shape: shape, values: values))
        }
        if params.isEmpty { throw bad("params", "at least one tensor is needed") }
        return params
    }

    package static func parseOptimizerCase(_ c: JSON, id: String) throws -> OptimizerCase {
        let (convention, name, hp) = try call(c, "optimizer", arguments: "hyperparameters")

        let params = try parseParams(c)

        var problem: Problem?
        if let pj = c["problem"], !pj.isNull { problem = try parseProblem(pj, params: params) }

        var gradTransforms: [JSON] = []
        if let gt = c["grad_transforms"], !gt.isNull {
            guard let a = gt.arrayValue else { throw bad("grad_transforms", "expected an array of {convention, name, parameters}") }
            gradTransforms = a
        }
        let expectedError = try optionalString(c, "expected_error")
        guard let stepsJ = c["steps"]?.arrayValue ?? (expectedError != nil ? [] : nil) else {
            throw bad("steps", "missing or not an array")
        }
        let field = try parseFieldSetup(c, tensors: params.count)
        let lowPrecision = try LowPrecisionCase.parse(c)
        for (t, p) in params.enumerated() { try LowPrecisionCase.check(p.values, lowPrecision?.params, "params[\(t)].values") }
        let nonFinite = field.features.contains(.nonFinite) || lowPrecision != nil
        let groupCount = field.paramGroups?.count ?? 1
        var steps: [StepSpec] = []
        for (k, s) in stepsJ.enumerated() {
            let f = "steps[\(k)]"
            guard s.objectValue != nil else { throw bad(f, "expected an object") }
            var lr: Double?
            var stepField: FieldStep?
            if let l = s["lr"], !l.isNull {
                if field.schedule != nil { throw bad("\(f).lr", "not allowed: the case hands a schedule to the optimizer (`schedule`)") }
                if let a = l.arrayValue {
                    guard field.paramGroups != nil else { throw bad("\(f).lr", "a list of lrs needs optimizer.param_groups") }
                    if a.count != groupCount { throw bad("\(f).lr", "expected one lr per group (\(groupCount)), found \(a.count)") }
                    let lrs = try a.enumerated().map { g, x in x.isNull ? nil : try number(x, "\(f).lr[\(g)]") }
                    stepField = FieldStep(missing: Array(repeating: false, count: params.count), groupLRs: lrs)
                } else {
                    lr = try number(l, "\(f).lr")
                }
            }
            var grads: [[Double]]?
            if problem == nil {
                guard let gj = s["grads"]?.arrayValue else { throw bad("\(f).grads", "missing (replay cases give a gradient per tensor per step)") }
                if gj.count != params.count { throw bad("\(f).grads", "expected \(params.count) tensors, found \(gj.count)") }
                var missing = [Bool](repeating: false, count: params.count)
                grads = try gj.enumerated().map { (t, g) in
                    if g.isNull {
                        missing[t] = true
                        return []
                    }
                    let v = try numbers(g, "\(f).grads[\(t)]", allowNonFinite: nonFinite)
                    if v.count != params[t].count { throw bad("\(f).grads[\(t)]", "tensor \(t) has \(params[t].count) values, found \(v.count)") }
                    try LowPrecisionCase.check(v, lowPrecision?.params, "\(f).grads[\(t)]")
                    return v
                }
                if missing.contains(true) {
                    if field.accumulation != nil { throw bad("accumulation", "null gradients and accumulation do not combine") }
                    stepField = FieldStep(missing: missing, groupLRs: stepField?.groupLRs)
                }
            }
            var gradIndices: [[Int]?]?
            if let ij = s["grad_indices"], !ij.isNull {
                gradIndices = try parseGradIndices(ij, "\(f).grad_indices", grads: grads, params: params)
            }
            var value: Double?
            if let v = s["value"], !v.isNull {
                if problem != nil { throw bad("\(f).value", "not allowed in a closed-loop case: the problem gives the value") }
                value = try number(v, "\(f).value")
            }
            var hessian: [[Double]]?
            if let hj = s["hessian"], !hj.isNull {
                if problem != nil { throw bad("\(f).hessian", "not allowed in a closed-loop case: a replay case hands the estimate to the step") }
                guard let a = hj.arrayValue else { throw bad("\(f).hessian", "not an array (one tensor per parameter)") }
                if a.count != params.count { throw bad("\(f).hessian", "expected \(params.count) tensors, found \(a.count)") }
                hessian = try a.enumerated().map { (t, h) in
                    let v = try numbers(h, "\(f).hessian[\(t)]")
                    if v.count != params[t].count { throw bad("\(f).hessian[\(t)]", "tensor \(t) has \(params[t].count) values, found \(v.count)") }
                    return v
                }
            }
            guard let ej = s["expected"]?.arrayValue else { throw bad("\(f).expected", "missing or not an array") }
            if ej.count != params.count { throw bad("\(f).expected", "expected \(params.count) tensors, found \(ej.count)") }
            let expected = try ej.enumerated().map { (t, e) in
                let v = try numbers(e, "\(f).expected[\(t)]", allowNonFinite: nonFinite)
                if v.count != params[t].count { throw bad("\(f).expected[\(t)]", "tensor \(t) has \(params[t].count) values, found \(v.count)") }
                try LowPrecisionCase.check(v, lowPrecision?.params, "\(f).expected[\(t)]")
                return v
            }
            if let es = s["expected_state"], !es.isNull {
                let st = try parseExpectedState(es, "\(f).expected_state", params: params, allowNonFinite: nonFinite)
                stepField = FieldStep(missing: stepField?.missing ?? Array(repeating: false, count: params.count),
                                      groupLRs: stepField?.groupLRs, expectedState: st)
            }
            steps.append(StepSpec(lr: lr, grads: grads, expected: expected, field: stepField, gradIndices: gradIndices, value: value, hessian: hessian))
        }
        if steps.isEmpty && expectedError == nil { throw bad("steps", "at least one step is needed") }
        if let r = field.resumeAfter, r < 1 || r >= max(steps.count, 2) {
            throw bad("resume.after_step", "expected 1 ≤ after_step < \(steps.count) (the number of steps), found \(r)")
        }
        let tol = try tolerance(c["tolerance"], "tolerance") ?? (expectedError != nil ? Tolerance(rtol: 0, atol: 0) : nil)
        guard let tol else { throw bad("tolerance", "missing") }
        return OptimizerCase(id: id, source: c["source"]?.stringValue, description: c["description"]?.stringValue,
                             convention: convention, name: name, hyperparameters: hp, params: params, steps: steps,
                             problem: problem, gradTransforms: gradTransforms, tolerance: tol,
                             toleranceFloat32: try tolerance(c["tolerance_float32"], "tolerance_float32"),
                             expectedError: expectedError, json: c,
                             field: field.changesTheRun || !field.features.isEmpty || field.tensorNames.contains { $0 != nil } ? field : nil,
                             lowPrecision: lowPrecision)
    }

    package static func optionalString(_ c: JSON, _ key: String) throws -> String? {
        guard let v = c[key], !v.isNull else { return nil }
        guard let s = v.stringValue else { throw bad(key, "expected a string, found \(v.kindName)") }
        return s
    }

    /// `steps[k].grad_indices`: one entry per tensor, a list of strictly ascending flat indices
    /// (or null where the gradient is null); every entry of the gradient outside them must be 0.
    private static func parseGradIndices(_ j: JSON, _ f: String, grads: [[Double]]?, params: [TensorSpec]) throws -> [[Int]?] {
        guard let grads else { throw bad(f, "sparse gradients need the step's grads (a closed-loop problem computes dense ones)") }
        guard let a = j.arrayValue else { throw bad(f, "expected an array with one entry per tensor") }
        if a.count != params.count { throw bad(f, "expected \(params.count) tensors, found \(a.count)") }
        return try a.enumerated().map { t, e -> [Int]? in
            if e.isNull {
                if !grads[t].isEmpty || params[t].count == 0 { throw bad("\(f)[\(t)]", "null, but grads[\(t)] is not null") }
                return nil
            }
            guard let list = e.arrayValue else { throw bad("\(f)[\(t)]", "expected an array of indices or null") }
            if grads[t].isEmpty && params[t].count != 0 { throw bad("\(f)[\(t)]", "tensor \(t) has a null gradient, so its indices must be null") }
            var out: [Int] = []
            for (k, x) in list.enumerated() {
                guard let i = x.intValue, i >= 0, i < params[t].count else {
                    throw bad("\(f)[\(t)][\(k)]", "expected an index 0 ≤ i < \(params[t].count), found \(x.serialized())")
                }
                if let last = out.last, i <= last { throw bad("\(f)[\(t)][\(k)]", "indices must be strictly ascending (coalesced), found \(i) after \(last)") }
                out.append(i)
            }
            var present = [Bool](repeating: false, count: params[t].count)
            for i in out { present[i] = true }
            if let i = present.indices.first(where: { !present[$0] && grads[t][$0] != 0 }) {
                throw bad("\(f)[\(t)]", "grads[\(t)][\(i)] is \(grads[t][i]) but \(i) is not a present index (absent entries are 0)")
            }
            return out
        }
    }

    package static func parseProblem(_ p: JSON, params: [TensorSpec]) throws -> Problem {
        guard p.objectValue != nil else { throw bad("problem", "expected an object") }
        let name = try string(p, "name", in: "problem")
        let problem: Problem
        switch name {
        case "quadratic":
            let b = try numbers(p["b"], "problem.b")
            let a = try numbers(p["A"], "problem.A")
            if a.count != b.count * b.count { throw bad("problem.A", "b has \(b.count) values, so A needs \(b.count * b.count), found \(a.count)") }
            problem = .quadratic(a: a, b: b)
        case "rosenbrock":
            problem = .rosenbrock(a: try number(p["a"] ?? JSON(1.0), "problem.a"), b: try number(p["b"] ?? JSON(100.0), "problem.b"))
        case "ridge":
            guard let n = p["n"]?.intValue, n > 0 else { throw bad("problem.n", "expected a positive integer") }
            guard let d = p["d"]?.intValue, d > 0 else { throw bad("problem.d", "expected a positive integer") }
            let x = try numbers(p["X"], "problem.X")
            let (nd, overflow) = n.multipliedReportingOverflow(by: d)
            if overflow { throw bad("problem.d", "n·d overflows (n = \(n), d = \(d))") }
            if x.count != nd { throw bad("problem.X", "n·d = \(nd) values needed, found \(x.count)") }
            let y = try numbers(p["y"], "problem.y")
            if y.count != n { throw bad("problem.y", "n = \(n) values needed, found \(y.count)") }
            let lambda = try number(p["lambda"], "problem.lambda")
            problem = .ridge(x: x, n: n, d: d, y: y, lambda: lambda)
        default:
            throw DescentError.unsupported("problem '\(name)' is not implemented in Descent (known: quadratic, rosenbrock, ridge)")
        }
        if params.count != 1 { throw bad("params", "a '\(name)' problem takes one tensor, found \(params.count)") }
        if params[0].count != problem.dimension {
            throw bad("params[0].values", "the '\(name)' problem has dimension \(problem.dimension), found \(params[0].count) values")
        }
        return problem
    }

    package static func parseScheduleCase(_ c: JSON, id: String) throws -> ScheduleCase {
        let (convention, name, params) = try call(c, "schedule", arguments: "parameters")
        var baseLR: Double?
        if let b = c["base_lr"], !b.isNull { baseLR = try number(b, "base_lr") }
        var metrics: [Double]?
        if let m = c["metrics"], !m.isNull { metrics = try numbers(m, "metrics") }
        let expectedError = try optionalString(c, "expected_error")
        let expected = expectedError != nil && c["expected_lr"] == nil ? [] : try numbers(c["expected_lr"], "expected_lr")
        if expected.isEmpty && expectedError == nil { throw bad("expected_lr", "at least one value is needed") }
        var momentum: [Double]?
        if let m = c["expected_momentum"], !m.isNull {
            momentum = try numbers(m, "expected_momentum")
            if momentum!.count != expected.count {
                throw bad("expected_momentum", "expected_lr has \(expected.count) values, expected_momentum \(momentum!.count)")
            }
        }
        let tol = try tolerance(c["tolerance"], "tolerance") ?? (expectedError != nil ? Tolerance(rtol: 0, atol: 0) : nil)
        guard let tol else { throw bad("tolerance", "missing") }
        return ScheduleCase(id: id, source: c["source"]?.stringValue, description: c["description"]?.stringValue,
                            convention: convention, name: name, parameters: params, baseLR: baseLR, metrics: metrics,
                            expectedLR: expected, expectedMomentum: momentum, tolerance: tol,
                            toleranceFloat32: try tolerance(c["tolerance_float32"], "tolerance_float32"),
                            expectedError: expectedError, json: c)
    }

    /// Every `*.json` file under the given paths (files are taken as they are; folders are walked,
    /// sorted, so runs are reproducible).
    public static func discover(_ paths: [String]) -> (files: [String], missing: [String]) {
        var files: [String] = []
        var missing: [String] = []
        let fm = FileManager.default
        for p in paths {
            var isDir: ObjCBool = false
            guard fm.fileExists(atPath: p, isDirectory: &isDir) else { missing.append(p); continue }
            if isDir.boolValue {
                let base = p.hasSuffix("/") ? String(p.dropLast()) : p
                let all = (fm.enumerator(atPath: p)?.allObjects as? [String]) ?? []
                files += all.filter { $0.hasSuffix(".json") }.sorted().map { "\(base)/\($0)" }
            } else {
                files.append(p)
            }
        }
        return (files, missing)
    }
}
