// SearchSpace.swift — the hyperparameter space of `descent tune`.
//
//   name=log:LO:HI      a positive real searched on a log scale
//   name=lin:LO:HI      a real searched on a linear scale
//   name=int:LO:HI      an integer in [LO, HI] (linear);  name=intlog:LO:HI on a log scale
//   name=choice:a,b,c   one of the listed values (numbers stay numbers)
//
// Every strategy works in the unit cube [0,1]^d of warped coordinates (log dimensions in log
// space); `value(at:)` maps a coordinate to the hyperparameter and `unit(of:)` maps back (for
// discrete dimensions, to the centre of the value's cell), which is what the GP sees.
import DescentCore
import DescentJSON
import Foundation

package enum ParamValue: Sendable, Equatable {
    case number(Double)
    case text(String)

    package var json: JSON {
        switch self {
        case let .number(d): return JSON(d)
        case let .text(s): return .string(s)
        }
    }
    package var description: String {
        switch self {
        case let .number(d): return ParamValue.format(d)
        case let .text(s): return s
        }
    }
    package var double: Double? { if case let .number(d) = self { return d }; return nil }

    package static func format(_ d: Double) -> String {
        if d == d.rounded(), abs(d) < 1e9 { return String(Int64(d)) }
        return String(format: "%.4g", d)
    }
}

package struct Dimension: Sendable, Equatable {
    package enum Kind: Sendable, Equatable {
        case log(Double, Double), lin(Double, Double), int(Int, Int), intLog(Int, Int), choice([ParamValue])
    }
    package var name: String
    package var kind: Kind

    package var isLog: Bool { if case .log = kind { return true }; if case .intLog = kind { return true }; return false }

    /// The textual form (as given after `name=`).
    package var spec: String {
        switch kind {
        case let .log(a, b): return "log:\(a):\(b)"
        case let .lin(a, b): return "lin:\(a):\(b)"
        case let .int(a, b): return "int:\(a):\(b)"
        case let .intLog(a, b): return "intlog:\(a):\(b)"
        case let .choice(v): return "choice:" + v.map(\.description).joined(separator: ",")
        }
    }

    /// Number of distinct values (nil for continuous dimensions).
    package var levels: Int? {
        switch kind {
        case .log, .lin: return nil
        case let .int(a, b), let .intLog(a, b): return b - a + 1
        case let .choice(v): return v.count
        }
    }

    package func value(at u: Double) -> ParamValue {
        let u = min(max(u, 0), 1)
        switch kind {
        case let .log(a, b): return .number(exp(log(a) + u * (log(b) - log(a))))
        case let .lin(a, b): return .number(a + u * (b - a))
        case let .int(a, b): return .number(Double(a + min(Int(u * Double(b - a + 1)), b - a)))
        case let .intLog(a, b):
            let v = exp(log(Double(a) - 0.5) + u * (log(Double(b) + 0.5) - log(Double(a) - 0.5)))
            return .number(Double(min(max(Int(v.rounded()), a), b)))
        case let .choice(v): return v[min(Int(u * Double(v.count)), v.count - 1)]
        }
    }

    /// The warped coordinate of a value (cell centre for discrete dimensions); nil when out of range.
    package func unit(of v: ParamValue) -> Double? {
        switch kind {
        case let .log(a, b):
            guard let x = v.double, x > 0 else { return nil }
            return (log(x) - log(a)) / (log(b) - log(a))
        case let .lin(a, b):
            guard let x = v.double else { return nil }
            return b == a ? 0.5 : (x - a) / (b - a)
        case let .int(a, b):
            guard let x = v.double else { return nil }
            return (x - Double(a) + 0.5) / Double(b - a + 1)
        case let .intLog(a, b):
            guard let x = v.double, x > 0 else { return nil }
            return (log(x) - log(Double(a) - 0.5)) / (log(Double(b) + 0.5) - log(Double(a) - 0.5))
        case let .choice(vals):
            guard let i = vals.firstIndex(of: v) else { return nil }
            return (Double(i) + 0.5) / Double(vals.count)
        }
    }

    /// Snaps a coordinate to the coordinate of the value it maps to.
    package func snap(_ u: Double) -> Double { levels == nil ? min(max(u, 0), 1) : unit(of: value(at: u))! }

    /// Parses `name=kind:…`.
    package static func parse(_ text: String) throws -> Dimension {
        guard let eq = text.firstIndex(of: "=") else {
            throw ConfigurationError(message: "--space '\(text)': expected NAME=KIND:… (log:LO:HI, lin:LO:HI, int:LO:HI, intlog:LO:HI, choice:A,B,…)")
        }
        let name = String(text[..<eq]).trimmingCharacters(in: .whitespaces)
        let rest = String(text[text.index(after: eq)...])
        guard !name.isEmpty else { throw ConfigurationError(message: "--space '\(text)': empty name") }
        guard let colon = rest.firstIndex(of: ":") else {
            throw ConfigurationError(message: "--space '\(text)': expected a kind (log, lin, int, intlog, choice) then ':'")
        }
        let kind = String(rest[..<colon]), args = String(rest[rest.index(after: colon)...])
        func bounds() throws -> (Double, Double) {
            let p = args.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
            guard p.count == 2, let a = Double(p[0]), let b = Double(p[1]), a.isFinite, b.isFinite else {
                throw ConfigurationError(message: "--space '\(text)': \(kind) needs LO:HI (two numbers); got '\(args)'")
            }
            guard a < b else { throw ConfigurationError(message: "--space '\(text)': LO must be below HI") }
            return (a, b)
        }
        switch kind {
        case "log":
            let (a, b) = try bounds()
            guard a > 0 else { throw ConfigurationError(message: "--space '\(text)': log bounds must be positive") }
            return Dimension(name: name, kind: .log(a, b))
        case "lin": let (a, b) = try bounds(); return Dimension(name: name, kind: .lin(a, b))
        case "int", "intlog":
            let (a, b) = try bounds()
            guard a == a.rounded(), b == b.rounded() else { throw ConfigurationError(message: "--space '\(text)': int bounds must be integers") }
            if kind == "intlog" {
                guard a >= 1 else { throw ConfigurationError(message: "--space '\(text)': intlog bounds must be ≥ 1") }
                return Dimension(name: name, kind: .intLog(Int(a), Int(b)))
            }
            return Dimension(name: name, kind: .int(Int(a), Int(b)))
        case "choice":
            let vals = args.split(separator: ",").map { s -> ParamValue in
                let t = s.trimmingCharacters(in: .whitespaces)
                if let d = Double(t), d.isFinite { return .number(d) }
                return .text(t)
            }
            guard !vals.isEmpty else { throw ConfigurationError(message: "--space '\(text)': choice needs at least one value") }
            return Dimension(name: name, kind: .choice(vals))
        default:
            throw ConfigurationError(message: "--space '\(text)': unknown kind '\(kind)' (log, lin, int, intlog, choice)")
        }
    }
}

package struct SearchSpace: Sendable, Equatable {
    package init(dimensions: [Dimension]) {

        self.dimensions = dimensions

    }

    package var dimensions: [Dimension]
    package var d: Int { dimensions.count }

    package static func parse(_ specs: [String]) throws -> SearchSpace {
        let dims = try specs.map(Dimension.parse)
        var seen = Set<String>()
        for x in dims where !seen.insert(x.name).inserted {
            throw ConfigurationError(message: "--space: dimension '\(x.name)' given twice")
        }
        return SearchSpace(dimensions: dims)
    }

    package func config(at u: [Double]) -> [(String, ParamValue)] { zip(dimensions, u).map { ($0.name, $0.value(at: $1)) } }
    package func snap(_ u: [Double]) -> [Double] { zip(dimensions, u).map { $0.snap($1) } }
    package func unit(of config: [(String, ParamValue)]) -> [Double]? {
        var out: [Double] = []
        for dim in dimensions {
            guard let v = config.first(where: { $0.0 == dim.name })?.1, let u = dim.unit(of: v) else { return nil }
            out.append(u)
        }
        return out
    }

    package var json: JSON { .array(dimensions.map { .object([("name", .string($0.name)), ("spec", .string($0.spec))]) }) }
}
