// TestFunctions.swift — standard optimisation test functions with known global minima, so the
// search strategies can be checked against the truth in milliseconds (`descent tune --function`).
// Definitions, domains and optima as in Surjanovic & Bingham's Virtual Library of Simulation
// Experiments (sfu.ca/~ssurjano) and the BoTorch / Optuna benchmark suites; the Python versions in
// reference/tune/functions.py are written independently and cross-check these (TuneTests).
import DescentCore
import Foundation

package struct TestFunction: Sendable {
    package var name: String
    package var dim: Int
    package var domain: [(Double, Double)]
    /// The global minimum value.
    package var optimum: Double
    /// One global minimiser (for the tests), when known.
    package var argmin: [Double]?
    package var f: @Sendable ([Double]) -> Double

    package func callAsFunction(_ x: [Double]) -> Double { f(x) }

    /// The default search space: x1…xd, linear over the domain.
    package var space: SearchSpace {
        SearchSpace(dimensions: domain.enumerated().map { Dimension(name: "x\($0.offset + 1)", kind: .lin($0.element.0, $0.element.1)) })
    }

    package static let names = ["branin", "hartmann3", "hartmann6", "rosenbrock", "ackley", "levy", "goldstein-price",
                        "six-hump-camel", "sphere", "styblinski-tang", "rastrigin", "michalewicz", "beale", "booth",
                        "dixon-price", "zakharov", "griewank", "eggholder", "holder-table"]
    /// Functions defined for any dimension (`--dim`, default 2).
    package static let scalable: Set<String> = ["rosenbrock", "ackley", "levy", "sphere", "styblinski-tang", "rastrigin",
                                        "dixon-price", "zakharov", "griewank", "michalewicz"]

    package static func canonical(_ name: String) -> String? {
        let key = name.lowercased().filter { $0.isLetter || $0.isNumber }
        let aliases = ["camel": "six-hump-camel", "sixhumpcamel": "six-hump-camel", "camel6": "six-hump-camel",
                       "goldstein": "goldstein-price", "goldsteinprice": "goldstein-price", "styblinskitang": "styblinski-tang",
                       "styblinski": "styblinski-tang", "dixonprice": "dixon-price", "holdertable": "holder-table",
                       "hartmann": "hartmann6"]
        if let a = aliases[key] { return a }
        return names.first { $0.filter { $0.isLetter || $0.isNumber } == key }
    }

    /// The named function (dimension `dim` for the scalable ones).
    package static func named(_ raw: String, dim: Int? = nil) throws -> TestFunction {
        guard let name = canonical(raw) else {
            throw ConfigurationError(message: "unknown function '\(raw)' (known: \(names.joined(separator: ", ")))")
        }
        if let dim, !scalable.contains(name), dim != fixedDim(name) {
            throw ConfigurationError(message: "--dim: \(name) is defined in \(fixedDim(name)) dimensions only")
        }
        let d = dim ?? (scalable.contains(name) ? 2 : fixedDim(name))
        guard d >= 1 else { throw ConfigurationError(message: "--dim must be at least 1") }
        if name == "michalewicz", ![2, 5, 10].contains(d) {
            throw ConfigurationError(message: "--dim: michalewicz's minimum is known for 2, 5 or 10 dimensions only")
        }
        return make(name, d)
    }

    package static func fixedDim(_ name: String) -> Int {
        switch name {
        case "hartmann3": return 3
        case "hartmann6": return 6
        default: return 2
        }
    }

    package static func box(_ lo: Double, _ hi: Double, _ d: Int) -> [(Double, Double)] { Array(repeating: (lo, hi), count: d) }

    // swiftlint:disable:next function_body_length
    package static func make(_ name: String, _ d: Int) -> TestFunction {
        let pi = Double.pi
        switch name {
        case "branin":
            return TestFunction(name: name, dim: 2, domain: [(-5, 10), (0, 15)], optimum: 5 / (4 * pi), argmin: [pi, 2.275]) { x in
                let b = 5.1 / (4 * pi * pi), c = 5 / pi, t = 1 / (8 * pi)
                let u = x[1] - b * x[0] * x[0] + c * x[0] - 6
                return u * u + 10 * (1 - t) * cos(x[0]) + 10
            }
        case "hartmann3":
            return TestFunction(name: name, dim: 3, domain: box(0, 1, 3), optimum: -3.86278214782076,
                                argmin: [0.114614, 0.555649, 0.852547]) { x in
                hartmann(x, alpha: [1.0, 1.2, 3.0, 3.2],
                         A: [[3.0, 10, 30], [0.1, 10, 35], [3.0, 10, 30], [0.1, 10, 35]],
                         P: [[3689, 1170, 2673], [4699, 4387, 7470], [1091, 8732, 5547], [381, 5743, 8828]])
            }
        case "hartmann6":
            return TestFunction(name: name, dim: 6, domain: box(0, 1, 6), optimum: -3.32236801141551,
                                argmin: [0.20169, 0.150011, 0.476874, 0.275332, 0.311652, 0.6573]) { x in
                hartmann(x, alpha: [1.0, 1.2, 3.0, 3.2],
                         A: [[10, 3, 17, 3.5, 1.7, 8], [0.05, 10, 17, 0.1, 8, 14], [3, 3.5, 1.7, 10, 17, 8], [17, 8, 0.05, 10, 0.1, 14]],
                         P: [[1312, 1696, 5569, 124, 8283, 5886], [2329, 4135, 8307, 3736, 1004, 9991],
                             [2348, 1451, 3522, 2883, 3047, 6650], [4047, 8828, 8732, 5743, 1091, 381]])
            }
        case "rosenbrock":
            return TestFunction(name: name, dim: d, domain: box(-5, 10, d), optimum: 0, argmin: Array(repeating: 1, count: d)) { x in
                var s = 0.0
                for i in 0..<(x.count - 1) { let a = x[i + 1] - x[i] * x[i], b = x[i] - 1; s += 100 * a * a + b * b }
                return s
            }
        case "ackley":
            return TestFunction(name: name, dim: d, domain: box(-32.768, 32.768, d), optimum: 0, argmin: Array(repeating: 0, count: d)) { x in
                let n = Double(x.count)
                let s1 = x.reduce(0) { $0 + $1 * $1 }, s2 = x.reduce(0) { $0 + cos(2 * pi * $1) }
                return -20 * exp(-0.2 * (s1 / n).squareRoot()) - exp(s2 / n) + 20 + M_E
            }
        case "levy":
            return TestFunction(name: name, dim: d, domain: box(-10, 10, d), optimum: 0, argmin: Array(repeating: 1, count: d)) { x in
                let w = x.map { 1 + ($0 - 1) / 4 }
                let s0 = sin(pi * w[0])
                var s = s0 * s0
                for i in 0..<(w.count - 1) {
                    let q = sin(pi * w[i] + 1)
                    s += (w[i] - 1) * (w[i] - 1) * (1 + 10 * q * q)
                }
                let wd = w[w.count - 1], q = sin(2 * pi * wd)
                return s + (wd - 1) * (wd - 1) * (1 + q * q)
            }
        case "goldstein-price":
            return TestFunction(name: name, dim: 2, domain: box(-2, 2, 2), optimum: 3, argmin: [0, -1]) { x in
                let (a, b) = (x[0], x[1])
                let p = 1 + (a + b + 1) * (a + b + 1) * (19 - 14 * a + 3 * a * a - 14 * b + 6 * a * b + 3 * b * b)
                let q = 30 + (2 * a - 3 * b) * (2 * a - 3 * b) * (18 - 32 * a + 12 * a * a + 48 * b - 36 * a * b + 27 * b * b)
                return p * q
            }
        case "six-hump-camel":
            return TestFunction(name: name, dim: 2, domain: [(-3, 3), (-2, 2)], optimum: -1.0316284534898774,
                                argmin: [0.0898420131003, -0.7126564030207]) { x in
                let (a, b) = (x[0], x[1])
                return (4 - 2.1 * a * a + a * a * a * a / 3) * a * a + a * b + (-4 + 4 * b * b) * b * b
            }
        case "sphere":
            return TestFunction(name: name, dim: d, domain: box(-5.12, 5.12, d), optimum: 0, argmin: Array(repeating: 0, count: d)) { x in
                x.reduce(0) { $0 + $1 * $1 }
            }
        case "styblinski-tang":
            return TestFunction(name: name, dim: d, domain: box(-5, 5, d), optimum: -39.16616570377142 * Double(d),
                                argmin: Array(repeating: -2.903534018185960, count: d)) { x in
                0.5 * x.reduce(0) { $0 + $1 * $1 * $1 * $1 - 16 * $1 * $1 + 5 * $1 }
            }
        case "rastrigin":
            return TestFunction(name: name, dim: d, domain: box(-5.12, 5.12, d), optimum: 0, argmin: Array(repeating: 0, count: d)) { x in
                10 * Double(x.count) + x.reduce(0) { $0 + $1 * $1 - 10 * cos(2 * pi * $1) }
            }
        case "michalewicz":
            let opt = [2: -1.8013034100985537, 5: -4.687658179, 10: -9.66015][d]!
            return TestFunction(name: name, dim: d, domain: box(0, pi, d), optimum: opt,
                                argmin: d == 2 ? [2.202905513296628, 1.570796326794896] : nil) { x in
                var s = 0.0
                for (i, v) in x.enumerated() { s -= sin(v) * pow(sin(Double(i + 1) * v * v / pi), 20) }
                return s
            }
        case "beale":
            return TestFunction(name: name, dim: 2, domain: box(-4.5, 4.5, 2), optimum: 0, argmin: [3, 0.5]) { x in
                let (a, b) = (x[0], x[1])
                let t1 = 1.5 - a + a * b, t2 = 2.25 - a + a * b * b, t3 = 2.625 - a + a * b * b * b
                return t1 * t1 + t2 * t2 + t3 * t3
            }
        case "booth":
            return TestFunction(name: name, dim: 2, domain: box(-10, 10, 2), optimum: 0, argmin: [1, 3]) { x in
                let t1 = x[0] + 2 * x[1] - 7, t2 = 2 * x[0] + x[1] - 5
                return t1 * t1 + t2 * t2
            }
        case "dixon-price":
            let am = (1...d).map { (i: Int) -> Double in let p: Double = pow(2, Double(i)); return pow(2, -(p - 2) / p) }
            return TestFunction(name: name, dim: d, domain: box(-10, 10, d), optimum: 0, argmin: am) { x in
                var s = (x[0] - 1) * (x[0] - 1)
                for i in 1..<max(x.count, 1) { let t = 2 * x[i] * x[i] - x[i - 1]; s += Double(i + 1) * t * t }
                return s
            }
        case "zakharov":
            return TestFunction(name: name, dim: d, domain: box(-5, 10, d), optimum: 0, argmin: Array(repeating: 0, count: d)) { x in
                var s1 = 0.0, s2 = 0.0
                for (i, v) in x.enumerated() { s1 += v * v; s2 += 0.5 * Double(i + 1) * v }
                return s1 + s2 * s2 + s2 * s2 * s2 * s2
            }
        case "griewank":
            return TestFunction(name: name, dim: d, domain: box(-600, 600, d), optimum: 0, argmin: Array(repeating: 0, count: d)) { x in
                var s = 0.0, p = 1.0
                for (i, v) in x.enumerated() { s += v * v / 4000; p *= cos(v / Double(i + 1).squareRoot()) }
                return s - p + 1
            }
        case "eggholder":
            return TestFunction(name: name, dim: 2, domain: box(-512, 512, 2), optimum: -959.6406627208506,
                                argmin: [512, 404.2318050])  { x in
                let (a, b) = (x[0], x[1])
                return -(b + 47) * sin(abs(b + a / 2 + 47).squareRoot()) - a * sin(abs(a - (b + 47)).squareRoot())
            }
        case "holder-table":
            return TestFunction(name: name, dim: 2, domain: box(-10, 10, 2), optimum: -19.208502567886743,
                                argmin: [8.05502347573655, 9.66459043366945]) { x in
                -abs(sin(x[0]) * cos(x[1]) * exp(abs(1 - (x[0] * x[0] + x[1] * x[1]).squareRoot() / pi)))
            }
        default:
            fatalError("unknown test function \(name)")
        }
    }

    package static func hartmann(_ x: [Double], alpha: [Double], A: [[Double]], P: [[Double]]) -> Double {
        var s = 0.0
        for i in 0..<4 {
            var e = 0.0
            for j in 0..<x.count { let t = x[j] - P[i][j] * 1e-4; e += A[i][j] * t * t }
            s -= alpha[i] * exp(-e)
        }
        return s
    }
}
