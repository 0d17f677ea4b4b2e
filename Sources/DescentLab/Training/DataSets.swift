// DataSets.swift — the data `descent train` and `descent compare` learn from: the 8×8 digits
// (fixtures/data/digits.txt, exported from scikit-learn by reference/export_data.py) and the
// course's 2-D toy sets (XOR, two moons, two spirals), generated here deterministically.
import DescentCore
import Foundation

/// A classification data set with a fixed train/test split. Inputs are float64, row-major.
public struct DataSet: Sendable {
    public var name: String
    /// Where it came from (file and licence, or the generator and its seed).
    public var source: String
    public var inputWidth: Int
    public var classes: Int
    public var trainInputs: [Double]
    public var trainTargets: [Double]
    public var testInputs: [Double]
    public var testTargets: [Double]
    public var trainCount: Int { trainTargets.count }
    public var testCount: Int { testTargets.count }

    /// The model `descent train` uses when none is given: one hidden layer of 64 for digits,
    /// two of 32 for the toy sets (enough for the spirals).
    public var defaultSizes: [Int] {
        name == "digits" ? [inputWidth, 64, classes] : [inputWidth, 32, 32, classes]
    }
}

/// A data file that cannot be used: which file, which line, what is wrong.
public struct DataFileError: Error, CustomStringConvertible, Sendable {
    public var file: String
    public var line: Int?
    public var reason: String
    public var description: String { "\(file)\(line.map { ":\($0)" } ?? ""): \(reason)" }
}

public enum DataSets {
    public static let names = ["digits", "xor", "moons", "spirals"]
    /// Where `digits` is read from, relative to the repository root.
    public static let digitsPath = "fixtures/data/digits.txt"

    /// A data set by name (`digits`, `xor`, `moons`, `spirals`) or a descent-data/1 file path.
    /// `named`, with a data file that cannot be read reported as the `--data` input it is.
    public static func load(_ name: String, fixtures: String) throws -> DataSet {
        do { return try named(name, fixtures: fixtures) } catch let e as DataFileError {
            throw LabInputError(message: "--data \(name): \(e.description)")
        }
    }

    public static func named(_ name: String, fixtures: String = "fixtures") throws -> DataSet {
        switch name {
        case "digits":
            // A fixtures folder of the user's own (`--fixtures DIR`) need not carry the data set:
            // then the copy bundled with the package is read.
            let own = "\(fixtures)/data/digits.txt"
            let bundled = BundledFiles.fixtures + "/data/digits.txt"
            let fm = FileManager.default
            return try load(path: !fm.fileExists(atPath: own) && fm.fileExists(atPath: bundled) ? bundled : own)
        case "xor": return xor()
        case "moons": return moons()
        case "spirals": return spirals()
        default:
            if name.contains("/") || name.hasSuffix(".txt") { return try load(path: name) }
            throw ConfigurationError(message: "unknown data set '\(name)' (known: \(names.joined(separator: ", ")), or a descent-data/1 file)")
        }
    }

    // MARK: descent-data/1 files

    /// Reads a descent-data/1 text file (format in reference/export_data.py): `# key: value`
    /// metadata (shape, classes, scale), then `split target v0 … v(d−1)` per line; features are
    /// v / scale.
    public static func load(path: String) throws -> DataSet {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw DataFileError(file: path, line: nil, reason: "cannot read (no such file, or not readable); run from the repository root")
        }
        return try parse(String(decoding: data, as: UTF8.self), file: path)
    }

    public static func parse(_ text: String, file: String) throws -> DataSet {
        var meta: [String: String] = [:]
        var trainX: [Double] = [], trainY: [Double] = [], testX: [Double] = [], testY: [Double] = []
        var width = -1, classes = -1, scale = 1.0, rows = -1
        var lineNo = 0
        func fail(_ reason: String) -> DataFileError { DataFileError(file: file, line: lineNo == 0 ? nil : lineNo, reason: reason) }
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNo += 1
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty { continue }
            if line.hasPrefix("#") {
                let body = line.dropFirst().trimmingCharacters(in: .whitespaces)
                guard let colon = body.firstIndex(of: ":") else { continue }
                let key = body[..<colon].trimmingCharacters(in: .whitespaces)
                let value = body[body.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                meta[key] = value
                switch key {
                case "format":
                    guard value == "descent-data/1" else { throw fail("format: expected descent-data/1, got '\(value)'") }
                case "shape":
                    let p = value.split(separator: " ").compactMap { Int($0) }
                    guard p.count == 2, p[0] > 0, p[1] > 0 else { throw fail("shape: expected two positive integers (rows, width), got '\(value)'") }
                    rows = p[0]; width = p[1]
                case "classes":
                    guard let c = Int(value), c >= 2 else { throw fail("classes: expected an integer ≥ 2, got '\(value)'") }
                    classes = c
                case "scale":
                    guard let s = Double(value), s > 0, s.isFinite else { throw fail("scale: expected a positive number, got '\(value)'") }
                    scale = s
                default: break
                }
                continue
            }
            guard meta["format"] != nil else { throw fail("format: missing (the file must start with '# format: descent-data/1')") }
            guard width > 0, classes > 0 else { throw fail("the header must give '# shape: ROWS WIDTH' and '# classes: K' before the data") }
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count == width + 2 else {
                throw fail("expected \(width + 2) fields (split, target, \(width) values), got \(fields.count)")
            }
            guard let y = Int(fields[1]), y >= 0, y < classes else {
                throw fail("target: '\(fields[1])' is not a class in 0..<\(classes)")
            }
            var x: [Double] = []
            x.reserveCapacity(width)
            for (j, f) in fields[2...].enumerated() {
                guard let v = Double(f), v.isFinite else { throw fail("v\(j): '\(f)' is not a finite number") }
                x.append(v / scale)
            }
            switch fields[0] {
            case "train": trainX += x; trainY.append(Double(y))
            case "test": testX += x; testY.append(Double(y))
            default: throw fail("split: expected 'train' or 'test', got '\(fields[0])'")
            }
        }
        lineNo = 0
        guard meta["format"] != nil else { throw fail("format: missing (expected '# format: descent-data/1')") }
        if rows >= 0, trainY.count + testY.count != rows {
            throw fail("shape: the header says \(rows) rows, the file has \(trainY.count + testY.count)")
        }
        guard !trainY.isEmpty, !testY.isEmpty else { throw fail("needs both train and test rows") }
        let source = [meta["source"], meta["licence"].map { "licence: \($0)" }].compactMap { $0 }.joined(separator: "; ")
        return DataSet(name: meta["name"] ?? URL(fileURLWithPath: file).deletingPathExtension().lastPathComponent,
                       source: "\(file)" + (source.isEmpty ? "" : " (\(source))"),
                       inputWidth: width, classes: classes,
                       trainInputs: trainX, trainTargets: trainY, testInputs: testX, testTargets: testY)
    }

    // MARK: The toy sets (the course's 2-D problems)

    /// A standard normal draw (Box–Muller on two SplitMix64 uniforms; 1 − u avoids log 0).
    package static func gaussian(_ rng: inout SplitMix64) -> Double {
        let u1 = 1 - rng.unit(), u2 = rng.unit()
        return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
    }

    /// `perClassTrain` + `perClassTest` points per class from `point(class, rng)`, train rows
    /// first, classes interleaved (0, 1, 0, 1, …).
    package static func generate(name: String, source: String, classes: Int, perClassTrain: Int, perClassTest: Int, seed: UInt64,
                         _ point: (Int, inout SplitMix64) -> (Double, Double)) -> DataSet {
        var rng = SplitMix64(seed: seed)
        var set = DataSet(name: name, source: source, inputWidth: 2, classes: classes,
                          trainInputs: [], trainTargets: [], testInputs: [], testTargets: [])
        for i in 0..<(perClassTrain + perClassTest) {
            for c in 0..<classes {
                let (x, y) = point(c, &rng)
                if i < perClassTrain {
                    set.trainInputs += [x, y]; set.trainTargets.append(Double(c))
                } else {
                    set.testInputs += [x, y]; set.testTargets.append(Double(c))
                }
            }
        }
        return set
    }

    /// XOR: four Gaussian clusters (σ = 0.2) at (±1, ±1); the class is 1 when the signs differ.
    /// 400 train, 200 test points.
    public static func xor(seed: UInt64 = 1) -> DataSet {
        generate(name: "xor", source: "generated: four Gaussian clusters (σ 0.2) at (±1, ±1), class = sign(x) ≠ sign(y), SplitMix64 seed \(seed)",
                 classes: 2, perClassTrain: 200, perClassTest: 100, seed: seed) { c, rng in
            let sx: Double = rng.unit() < 0.5 ? -1 : 1
            let sy = c == 0 ? sx : -sx
            return (sx + 0.2 * gaussian(&rng), sy + 0.2 * gaussian(&rng))
        }
    }

    /// Two moons (as scikit-learn's make_moons): class 0 on (cos t, sin t), class 1 on
    /// (1 − cos t, 0.5 − sin t), t uniform in [0, π], Gaussian noise σ = 0.1. 400 train, 200 test.
    public static func moons(seed: UInt64 = 2, noise: Double = 0.1) -> DataSet {
        generate(name: "moons", source: "generated: two moons (make_moons form), noise σ \(noise), SplitMix64 seed \(seed)",
                 classes: 2, perClassTrain: 200, perClassTest: 100, seed: seed) { c, rng in
            let t = Double.pi * rng.unit()
            let (x, y) = c == 0 ? (cos(t), sin(t)) : (1 - cos(t), 0.5 - sin(t))
            return (x + noise * gaussian(&rng), y + noise * gaussian(&rng))
        }
    }

    /// Two interleaved spirals of 1.5 turns: class 0 at radius r = t, angle 3πt (t uniform in
    /// [0.05, 1]), class 1 the same rotated by π; Gaussian noise σ = 0.03. 400 train, 200 test.
    public static func spirals(seed: UInt64 = 3, noise: Double = 0.03) -> DataSet {
        generate(name: "spirals", source: "generated: two spirals (1.5 turns), noise σ \(noise), SplitMix64 seed \(seed)",
                 classes: 2, perClassTrain: 200, perClassTest: 100, seed: seed) { c, rng in
            let t = 0.05 + 0.95 * rng.unit()
            let a = 3 * Double.pi * t + (c == 0 ? 0 : Double.pi)
            return (t * cos(a) + noise * gaussian(&rng), t * sin(a) + noise * gaussian(&rng))
        }
    }
}
