// StepperState.swift — a stepper's whole state as plain values: what a checkpoint holds.
//
// `buffers` are the state tensors by Descent's names (the names of `Stepper.state`), one value
// list per tensor; `scalars` are counters and running numbers (`step`, `mu_product`,
// `weight_sum`, …). `encoded()` / `init(encoded:)` are the bytes a resume goes through (JSON,
// every number written so that it reads back to the same Double: Float state is exact in
// Double), so a resumed run proves the state survives serialisation, not just a live object.
import DescentJSON

public struct StepperState: Sendable, Equatable {
    public var buffers: [(name: String, values: [[Double]])]
    public var scalars: [(name: String, value: Double)]
    /// Buffers that cover only some of the stepper's tensors (Muon's momentum for its matrices,
    /// its Adam fallback's moments for the rest): which tensors, by index into the stepper's
    /// shapes. A buffer without an entry has one value list per tensor. Not encoded: a stepper
    /// knows its own layout when it loads.
    public var layouts: [(name: String, tensors: [Int])] = []

    public func layout(_ name: String) -> [Int]? { layouts.first { $0.name == name }?.tensors }

    public init(buffers: [(name: String, values: [[Double]])] = [], scalars: [(name: String, value: Double)] = []) {
        self.buffers = buffers
        self.scalars = scalars
    }

    /// The state of `buffers` (copied) and these scalars.
    public init<T: DescentFloat>(buffers: [(name: String, buffers: [Buffer<T>])], scalars: [(name: String, value: Double)] = []) {
        self.buffers = buffers.map { ($0.name, $0.buffers.map(\.doubles)) }
        self.scalars = scalars
    }

    public static func == (a: StepperState, b: StepperState) -> Bool {
        a.buffers.map(\.name) == b.buffers.map(\.name) && zip(a.buffers, b.buffers).allSatisfy { $0.values == $1.values }
            && a.scalars.map(\.name) == b.scalars.map(\.name) && zip(a.scalars, b.scalars).allSatisfy { $0.value == $1.value }
    }

    public func scalar(_ name: String) throws -> Double {
        guard let v = scalars.first(where: { $0.name == name })?.value else {
            throw DescentError.invalidInput(field: "state.\(name)", message: "the saved state has no scalar '\(name)'")
        }
        return v
    }

    /// A saved counter, checked to be a whole number.
    public func count(_ name: String = "step") throws -> Int {
        let v = try scalar(name)
        guard v >= 0, v == v.rounded(), v < 9.0e15 else {
            throw DescentError.invalidInput(field: "state.\(name)", message: "a step counter must be a whole number ≥ 0, found \(v)")
        }
        return Int(v)
    }

    /// Copies the saved buffers into `into` (the fresh stepper's `state`), name by name: every
    /// name of `into` must be saved, with the same tensor count and sizes (saved entries that
    /// `into` lacks are the caller's: matrices, lazily made buffers).
    public func restore<T: DescentFloat>(into: [(name: String, buffers: [Buffer<T>])]) throws {
        for b in into {
            guard let s = buffers.first(where: { $0.name == b.name }) else {
                throw DescentError.invalidInput(field: "state.\(b.name)", message: "the saved state has no '\(b.name)' (it holds \(buffers.map(\.name)))")
            }
            guard b.buffers.count == s.values.count else {
                throw DescentError.invalidInput(field: "state.\(b.name)", message: "\(s.values.count) tensors saved, \(b.buffers.count) expected")
            }
            for (t, (buf, vals)) in zip(b.buffers, s.values).enumerated() {
                guard buf.count == vals.count else {
                    throw DescentError.invalidInput(field: "state.\(b.name)[\(t)]", message: "\(vals.count) values saved, \(buf.count) expected")
                }
                for i in 0..<vals.count { buf[i] = T(vals[i]) }
            }
        }
    }

    /// A number per tensor (adanorm's running gradient norms), saved as one-value lists.
    public mutating func add<T: DescentFloat>(perTensor values: [T], as name: String) {
        buffers.append((name, values.map { [Double($0)] }))
    }

    /// The numbers `add(perTensor:as:)` saved; `count` of them expected.
    public func perTensor<T: DescentFloat>(_ name: String, count: Int) throws -> [T] {
        guard let e = values(name), e.count == count, e.allSatisfy({ $0.count == 1 }) else {
            throw DescentError.invalidInput(field: "state.\(name)", message: "one saved number per tensor (\(count)) expected")
        }
        return e.map { T($0[0]) }
    }

    /// Saved tensors by name (nil when absent).
    public func values(_ name: String) -> [[Double]]? { buffers.first { $0.name == name }?.values }

    /// Per-tensor matrices (nil where a dimension is not preconditioned), as entries `name[i][d]`.
    public mutating func add<T: DescentFloat>(matrices: [[DenseMatrix<T>?]], as name: String) {
        for (i, row) in matrices.enumerated() {
            for (d, m) in row.enumerated() {
                if let m { buffers.append(("\(name)[\(i)][\(d)]", [[Double(m.rows), Double(m.cols)], m.data.doubles])) }
            }
        }
    }

    /// The matrices `add(matrices:as:)` saved, in the layout of `like` (nil entries stay nil
    /// unless saved).
    public func matrices<T: DescentFloat>(_ name: String, like: [[DenseMatrix<T>?]]) throws -> [[DenseMatrix<T>?]] {
        try like.enumerated().map { i, row in
            try row.indices.map { d -> DenseMatrix<T>? in
                guard let v = values("\(name)[\(i)][\(d)]") else { return nil }
                guard v.count == 2, v[0].count == 2, v[1].count == Int(v[0][0] * v[0][1]) else {
                    throw DescentError.invalidInput(field: "state.\(name)[\(i)][\(d)]", message: "not a saved matrix")
                }
                return DenseMatrix(rows: Int(v[0][0]), cols: Int(v[0][1]), data: Buffer<T>(converting: v[1]))
            }
        }
    }

    /// The state as bytes (JSON: {"buffers": [[name, [[values]]]...], "scalars": [[name, value]...]}).
    public func encoded() -> [UInt8] {
        let b: [JSON] = buffers.map { .array([JSON($0.name), .array($0.values.map { .array($0.map(Self.number)) })]) }
        let s: [JSON] = scalars.map { .array([JSON($0.name), Self.number($0.value)]) }
        return Array(JSON.object([("buffers", .array(b)), ("scalars", .array(s))]).serialized().utf8)
    }

    public init(encoded bytes: [UInt8]) throws {
        let j = try JSON.parse(bytes: bytes)
        guard let b = j["buffers"]?.arrayValue, let s = j["scalars"]?.arrayValue else {
            throw DescentError.invalidInput(field: "state", message: "not a saved stepper state")
        }
        self.init()
        for e in b {
            guard let pair = e.arrayValue, pair.count == 2, let name = pair[0].stringValue, let ts = pair[1].arrayValue else {
                throw DescentError.invalidInput(field: "state.buffers", message: "expected [name, tensors]")
            }
            buffers.append((name, try ts.map { t in try (t.arrayValue ?? []).map(Self.value) }))
        }
        for e in s {
            guard let pair = e.arrayValue, pair.count == 2, let name = pair[0].stringValue else {
                throw DescentError.invalidInput(field: "state.scalars", message: "expected [name, value]")
            }
            scalars.append((name, try Self.value(pair[1])))
        }
    }

    /// Non-finite numbers as strings (JSON has none); a NaN in the state is data.
    package static func number(_ x: Double) -> JSON {
        if x.isNaN { return JSON("NaN") }
        if x.isInfinite { return JSON(x > 0 ? "Infinity" : "-Infinity") }
        if x == 0 && x.sign == .minus { return .number("-0.0") }   // a signed zero survives the checkpoint
        return JSON(x)
    }

    static func value(_ j: JSON) throws -> Double {
        if let d = j.doubleValue { return d }
        switch j.stringValue {
        case "NaN": return .nan
        case "Infinity": return .infinity
        case "-Infinity": return -.infinity
        default: throw DescentError.invalidInput(field: "state", message: "expected a number, found \(j.kindName)")
        }
    }
}
