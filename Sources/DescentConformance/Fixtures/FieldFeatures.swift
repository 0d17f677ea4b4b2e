// FieldFeatures.swift — the field features of an optimizer case (fixtures/FORMAT.md, "Field
// features"): param groups, null gradients, expected state, a resume point, gradient
// accumulation, a non-finite guard, a schedule handed to the optimizer, and the `features`
// tags. Parsed here; run by Verify/FieldRun.swift. A case without them has `field == nil` and
// runs exactly as before.
import DescentCore
import DescentJSON

/// The `features` tags of the spec.
public enum FieldFeature: String, CaseIterable, Sendable {
    case paramGroups = "param_groups", missingGrads = "missing_grads", state, resume, accumulation
    case nonFinite = "non_finite", scheduleInOptimizer = "schedule_in_optimizer", emptyTensors = "empty_tensors"
}

/// One entry of `optimizer.param_groups`.
public struct ParamGroupSpec: Sendable {
    /// Tensor indices into the case's `params`.
    public var params: [Int]
    /// The group's own hyperparameters (merged over the case's when the group's optimizer is built).
    public var hyperparameters: JSON?
    /// optax: another optimizer for this group (`"set_to_zero"`, …); nil = the case's.
    public var name: String?
}

/// One `expected_state` entry: per tensor (a slot, a scalar, or nothing), or one number.
public enum ExpectedStateValue: Sendable {
    public enum PerTensor: Sendable { case values([Double]), scalar(Double), absent }
    case perTensor([PerTensor])
    case scalar(Double)
}

/// A `{convention, name, parameters}` object (`non_finite`, `schedule`).
public struct LibraryCall: Sendable {
    public var convention: String
    public var name: String
    public var parameters: JSON?
}

/// Everything a case's field features say, parsed.
public struct FieldSetup: Sendable {
    public var features: [FieldFeature] = []
    public var tensorNames: [String?] = []
    public var paramGroups: [ParamGroupSpec]? = nil
    /// `resume.after_step`.
    public var resumeAfter: Int? = nil
    /// `accumulation.steps`.
    public var accumulation: Int? = nil
    public var nonFinite: LibraryCall? = nil
    /// `schedule` on the optimizer case, and whether torch's loop steps it before the optimizer.
    public var schedule: LibraryCall? = nil
    public var scheduleBeforeOptimizer = false

    /// Whether the case needs the field runner at all (tags alone change nothing).
    public var changesTheRun: Bool {
        paramGroups != nil || resumeAfter != nil || accumulation != nil || nonFinite != nil || schedule != nil
    }
}

/// Per step: the field features' parts of a step.
public struct FieldStep: Sendable {
    /// Tensors whose gradient is `null` at this step.
    public var missing: [Bool]
    /// `lr` as an array: one entry per group (nil: the group's own).
    public var groupLRs: [Double?]? = nil
    public var expectedState: [(name: String, value: ExpectedStateValue)]? = nil
}

extension FixtureLoader {
    /// The case's `features` (absent: none).
    package static func parseFeatures(_ c: JSON) throws -> [FieldFeature] {
        guard let f = c["features"], !f.isNull else { return [] }
        guard let a = f.arrayValue else { throw bad("features", "expected an array of feature names") }
        return try a.enumerated().map { i, x in
            guard let s = x.stringValue else { throw bad("features[\(i)]", "expected a string, found \(x.kindName)") }
            guard let t = FieldFeature(rawValue: s) else {
                throw bad("features[\(i)]", "unknown feature \"\(s)\" (known: \(FieldFeature.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            return t
        }
    }

    package static func libraryCall(_ v: JSON, _ field: String) throws -> LibraryCall {
        guard v.objectValue != nil else { throw bad(field, "expected an object {convention, name, parameters}") }
        let p = v["parameters"]
        if let p, !p.isNull, p.objectValue == nil { throw bad("\(field).parameters", "expected an object, found \(p.kindName)") }
        return LibraryCall(convention: try string(v, "convention", in: field), name: try string(v, "name", in: field),
                           parameters: p?.isNull == true ? nil : p)
    }

    /// The case-level field features (not the per-step ones). `tensors` is the number of params.
    package static func parseFieldSetup(_ c: JSON, tensors: Int) throws -> FieldSetup {
        var f = FieldSetup()
        f.features = try parseFeatures(c)
        f.tensorNames = (c["params"]?.arrayValue ?? []).enumerated().map { _, p in p["name"]?.stringValue }
        if let groups = c["optimizer"]?["param_groups"], !groups.isNull {
            guard let a = groups.arrayValue, !a.isEmpty else { throw bad("optimizer.param_groups", "expected a non-empty array of groups") }
            var owner = [Int?](repeating: nil, count: tensors)
            f.paramGroups = try a.enumerated().map { g, gj in
                let field = "optimizer.param_groups[\(g)]"
                guard gj.objectValue != nil else { throw bad(field, "expected an object {params, hyperparameters}") }
                guard let pj = gj["params"]?.arrayValue else { throw bad("\(field).params", "missing (a list of tensor indices)") }
                let idx = try pj.enumerated().map { j, x -> Int in
                    guard let i = x.intValue, i >= 0, i < tensors else {
                        throw bad("\(field).params[\(j)]", "expected a tensor index 0..<\(tensors)")
                    }
                    if let o = owner[i] { throw bad("\(field).params[\(j)]", "tensor \(i) is already in group \(o)") }
                    owner[i] = g
                    return i
                }
                let hp = gj["hyperparameters"]
                if let hp, !hp.isNull, hp.objectValue == nil { throw bad("\(field).hyperparameters", "expected an object, found \(hp.kindName)") }
                return ParamGroupSpec(params: idx, hyperparameters: hp?.isNull == true ? nil : hp, name: try optionalString(gj, "name", in: field))
            }
            if let missing = owner.firstIndex(where: { $0 == nil }) {
                throw bad("optimizer.param_groups", "tensor \(missing) is in no group (every tensor must be in exactly one)")
            }
        }
        if let r = c["resume"], !r.isNull {
            guard let k = r["after_step"]?.intValue else { throw bad("resume.after_step", "missing or not an integer") }
            f.resumeAfter = k
        }
        if let a = c["accumulation"], !a.isNull {
            guard let k = a["steps"]?.intValue, k >= 1 else { throw bad("accumulation.steps", "expected an integer ≥ 1") }
            f.accumulation = k
        }
        if let n = c["non_finite"], !n.isNull { f.nonFinite = try libraryCall(n, "non_finite") }
        if let s = c["schedule"], !s.isNull {
            f.schedule = try libraryCall(s, "schedule")
            if let st = s["stepping"], !st.isNull {
                switch st.stringValue {
                case "after_optimizer": f.scheduleBeforeOptimizer = false
                case "before_optimizer": f.scheduleBeforeOptimizer = true
                default: throw bad("schedule.stepping", "expected \"after_optimizer\" or \"before_optimizer\", found \(st.serialized())")
                }
            }
        }
        return f
    }

    package static func optionalString(_ c: JSON, _ key: String, in parent: String) throws -> String? {
        guard let v = c[key], !v.isNull else { return nil }
        guard let s = v.stringValue else { throw bad("\(parent).\(key)", "expected a string, found \(v.kindName)") }
        return s
    }

    /// A step's `expected_state`.
    package static func parseExpectedState(_ v: JSON, _ field: String, params: [TensorSpec], allowNonFinite: Bool) throws
        -> [(name: String, value: ExpectedStateValue)] {
        guard let o = v.objectValue else { throw bad(field, "expected an object of state names") }
        return try o.map { name, x in
            let f = "\(field).\(name)"
            if let a = x.arrayValue {
                if a.count != params.count { throw bad(f, "expected one entry per tensor (\(params.count)), found \(a.count)") }
                return (name, .perTensor(try a.enumerated().map { t, e in
                    if e.isNull { return .absent }
                    if let b = e.boolValue { return .scalar(b ? 1 : 0) }
                    if e.arrayValue != nil {
                        let vals = try numbers(e, "\(f)[\(t)]", allowNonFinite: allowNonFinite)
                        // One number for a tensor of another size: a per-tensor scalar held in a
                        // 0-d array (optax novograd's nu), written flattened.
                        if vals.count == 1, params[t].count != 1 { return .scalar(vals[0]) }
                        if vals.count != params[t].count { throw bad("\(f)[\(t)]", "tensor \(t) has \(params[t].count) values, found \(vals.count)") }
                        return .values(vals)
                    }
                    return .scalar(try number(e, "\(f)[\(t)]", allowNonFinite: allowNonFinite))
                }))
            }
            if let b = x.boolValue { return (name, .scalar(b ? 1 : 0)) }
            return (name, .scalar(try number(x, f, allowNonFinite: allowNonFinite)))
        }
    }
}
