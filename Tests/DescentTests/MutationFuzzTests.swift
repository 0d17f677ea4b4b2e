// MutationFuzzTests.swift — a deterministic mutation fuzzer over the parsers that take input:
// the fixture decoder (file → cases, every kind, then a run of every parsed case on the naive
// implementation), the adapter-reply parser (an answer line → comparison) and the `--include`
// reader. Seeds are the cases of fixtures/ (and bench files); mutations replace values with the
// inputs that used to trap (1e300, −0.5, 2.5, 2⁴⁰, 2⁶², 1e−300, wrong types) and cut, duplicate
// or flip bytes. Any trap fails the run (the process dies); every input must load or give an
// error. libFuzzer covers the JSON reader itself (.ci/fuzz/run.sh, results/fuzz.md).
//
// DESCENT_FUZZ_ITERATIONS=N sets the number of mutants per target (default 300: a few seconds);
// the long run used for results/fuzz.md is DESCENT_FUZZ_ITERATIONS=20000.
import Foundation
import Testing
@testable import DescentConformance
@testable import DescentLab
@testable import DescentCLI
import DescentCore
import DescentJSON

struct Mutator {
    var rng: SplitMix64
    static let interesting: [JSON] = [JSON(1e300), JSON(-0.5), JSON(2.5), JSON(0), JSON(-1), JSON(1099511627776.0),
                                      JSON(4611686018427387904.0), JSON(1e-300), JSON(-1e300), .string("x"), .null,
                                      .array([]), .object([]), .bool(true), JSON(1e15), JSON(-1099511627776.0)]

    mutating func below(_ n: Int) -> Int { n <= 0 ? 0 : Int(rng.next() % UInt64(n)) }

    /// Replaces one node of the tree (chosen uniformly among all nodes) with an interesting value
    /// or a copy of another node.
    mutating func mutateTree(_ v: JSON) -> JSON {
        var count = 0
        func countNodes(_ v: JSON) { count += 1; if let a = v.arrayValue { a.forEach(countNodes) }; if let o = v.objectValue { o.forEach { countNodes($0.1) } } }
        countNodes(v)
        var target = below(count)
        let replacement: JSON = below(4) == 0 ? .array([Self.interesting[below(Self.interesting.count)]]) : Self.interesting[below(Self.interesting.count)]
        func walk(_ v: JSON) -> JSON {
            if target == 0 { target -= 1; return replacement }
            target -= 1
            switch v {
            case let .array(a): return .array(a.map(walk))
            case let .object(o): return .object(o.map { ($0.0, walk($0.1)) })
            default: return v
            }
        }
        return walk(v)
    }

    mutating func mutateBytes(_ s: String) -> String {
        var b = Array(s.utf8)
        guard !b.isEmpty else { return s }
        switch below(4) {
        case 0: b[below(b.count)] ^= UInt8(1 << below(8))
        case 1: let i = below(b.count); b.removeSubrange(i..<min(b.count, i + below(16) + 1))
        case 2: let i = below(b.count), n = min(b.count - i, below(64) + 1); b.insert(contentsOf: b[i..<(i + n)], at: below(b.count))
        default: b.insert(contentsOf: Array(["1e400", "-0", "9999999999999999999", "\"", "[", "}", ",", "\\u0000"][below(8)].utf8), at: below(b.count))
        }
        return String(decoding: b, as: UTF8.self)
    }
}

var fuzzIterations: Int { ProcessInfo.processInfo.environment["DESCENT_FUZZ_ITERATIONS"].flatMap(Int.init) ?? 300 }

/// Small seed cases from the fixtures: every case whose text is short.
func seedCases() throws -> [JSON] {
    let files = FixtureLoader.discover([Descent.bundledFixtures]).files
    var seeds: [JSON] = []
    for f in files {
        guard let data = FileManager.default.contents(atPath: f), let doc = try? JSON.parse(bytes: [UInt8](data)),
              let cases = doc["cases"]?.arrayValue else { continue }
        for c in cases where c.serialized().utf8.count < 6000 { seeds.append(c) }
    }
    return seeds
}

@Suite(.serialized) struct MutationFuzzTests {
    static let naive = Verifier(implementations: [EngineImplementation(.naive, summary: "")], dtypes: [.float64])

    @Test func fixtureDecoderAndVerifierNeverTrap() throws {
        let seeds = try seedCases()
        try #require(seeds.count > 50)
        var m = Mutator(rng: SplitMix64(seed: 0xF022))
        var verifier = Self.naive
        verifier.diagnoser = nil
        var loaded = 0, broken = 0, rejected = 0
        for i in 0..<fuzzIterations {
            let seed = seeds[m.below(seeds.count)]
            var mutant = m.mutateTree(seed)
            if i % 3 == 0 { mutant = m.mutateTree(mutant) }
            var text = "{\"format\": \"descent-fixture/1\", \"cases\": [\(mutant.serialized())]}"
            if i % 5 == 4 { text = m.mutateBytes(text) }
            guard let json = try? JSON.parse(text) else { rejected += 1; continue }
            guard let file = try? FixtureLoader.load(json: json, path: "fuzz-\(i).json") else { rejected += 1; continue }
            broken += file.broken.count
            loaded += file.cases.count
            for r in verifier.run(file) where r.status == .error {
                #expect(!r.message.isEmpty, "an error without a message: \(r.id)")
            }
        }
        // The mutator reaches all three outcomes: cases that load, cases the loader reports
        // broken, and texts it rejects (a mutator stuck in one of them tests nothing).
        #expect(loaded > 0 && broken > 0 && rejected > 0, "loaded \(loaded), broken \(broken), rejected \(rejected)")
    }

    @Test func adapterReplyParserNeverTraps() throws {
        let f = try FixtureLoader.load(json: try JSON.parse(fixture([sgdCase(), """
            {"id": "s", "kind": "schedule", "schedule": {"convention": "optax", "name": "constant_schedule", "parameters": {"value": 0.1}},
             "expected_lr": [0.1, 0.1], "expected_momentum": [0.9, 0.9], "tolerance": {"rtol": 0, "atol": 0}}
            """])), path: "a.json")
        let answers = [#"{"id": "t/sgd", "params": [[[0.9, 2.1]], [[0.4, 2.1]]]}"#, #"{"id": "s", "lr": [0.1, 0.1], "momentum": [0.9, 0.9]}"#]
        let a = AdapterVerifier(command: "true")
        defer { a.finish() }
        var m = Mutator(rng: SplitMix64(seed: 0xADA9))
        for i in 0..<fuzzIterations * 4 {
            let k = i % 2
            var text = answers[k]
            if i % 3 == 0 { text = m.mutateBytes(text) }
            guard var answer = try? JSON.parse(text) else { continue }
            if i % 3 != 0 { answer = m.mutateTree(answer) }
            var r = CaseResult(file: "a.json", id: f.cases[k].id, kind: "", convention: "", name: "", implementation: "adapter",
                               dtype: .float64, status: .error, message: "")
            switch f.cases[k] {
            case let .optimizer(c): try? a.compareOptimizer(c, answer, &r)
            case let .schedule(c): try? a.compareSchedule(c, answer, &r)
            }
        }
    }

    @Test func includeReaderNeverTraps() throws {
        let seed = """
        {"format": "descent-bench/1", "machine": {"source": "torch"}, "bandwidth": {"1": {"triad": 10.5, "copy": 9}},
         "results": [{"optimizer": "torch/Adam", "implementation": "torch", "dtype": "float32", "size": 4096, "threads": 1,
                      "min_ns": 1000, "median_ns": 1200, "bytes_per_param": 28, "fraction_of_triad": 0.5}]}
        """
        let doc = try JSON.parse(seed)
        _ = try BenchInclude.parse(seed, file: "seed.json")
        var m = Mutator(rng: SplitMix64(seed: 0x1C1D))
        var ok = 0, bad = 0
        for i in 0..<fuzzIterations * 4 {
            let text = i % 2 == 0 ? m.mutateTree(doc).serialized() : m.mutateBytes(seed)
            do { _ = try BenchInclude.parse(text, file: "fuzz.json"); ok += 1 } catch let e as BenchIncludeError {
                #expect(e.description.hasPrefix("fuzz.json: "))
                bad += 1
            }
        }
        #expect(ok > 0 && bad > 0)
    }
}
