// KnobSearchTests.swift — the diagnosis's knob and constant search (issue 19): Descent's own
// families mutated at random in up to 3 knobs or constants are named by the change made (or by a
// set no larger that reproduces the mutant's trajectory), never by a candidate that passes the
// case, and every "nearest" line printed is within the stated bound.
import Foundation
import Testing
import DescentTestSupport
@testable import DescentCore
@testable import DescentConformance
import DescentJSON

/// A fixed-seed generator (SplitMix64): the mutants are the same on every run.
private struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// The plain trajectory cases of the families the search knows (no field features, no training).
private func mutantCases() throws -> [(FixtureCase, String, OptimizerCase)] {
    let files = ["torch/Adam.json", "torch/AdamW.json", "torch/SGD.json", "torch/RMSprop.json", "torch/Adagrad.json",
                 "torch/Adamax.json", "torch/RAdam.json", "torch/NAdam.json", "torch/Adadelta.json", "torch/Muon.json",
                 "optax/adam.json", "optax/rmsprop.json", "optax/sgd.json", "optax/lamb.json", "optax/lars.json",
                 "optax/lion.json", "optax/radam.json", "optax/adagrad.json", "pytorch_optimizer/Lamb.json"]
    var out: [(FixtureCase, String, OptimizerCase)] = []
    for f in files {
        let path = fixturesURL.appendingPathComponent(f).path
        for c in try FixtureLoader.load(path: path).cases {
            guard case let .optimizer(oc) = c, c.expectedError == nil, oc.training == nil, !oc.needsFieldRun,
                  oc.steps.count >= 3 else { continue }
            out.append((c, path, oc))
        }
    }
    return out
}

@Suite struct KnobSearchTests {
    @Test func randomMutantsOfDescentsFamiliesAreNamedByTheChangeMade() throws {
        let cases = try mutantCases()
        #expect(cases.count > 50)
        var rng = SplitMix(state: 19)
        let verifier = Verifier(implementations: [], dtypes: [], diagnoser: nil)
        var tried = 0, named = 0, exact = 0, bySize = [0, 0, 0, 0], namedBySize = [0, 0, 0, 0]
        var misses: [String] = []
        var attempts = 0
        while tried < 60 && attempts < 2000 {
            attempts += 1
            let (c, path, oc) = cases[Int.random(in: 0..<cases.count, using: &rng)]
            guard let spec = try? Verifier.spec(for: oc) else { continue }
            let changes = FamilyKnobs.changes(for: spec.family, shapes: oc.params.map(\.shape)).filter { !$0.precision }
            guard !changes.isEmpty else { continue }
            let k = Int.random(in: 1...3, using: &rng)
            var chosen: [KnobChange] = []
            for ch in changes.shuffled(using: &rng) where chosen.count < k && !chosen.contains(where: { $0.knob == ch.knob }) {
                chosen.append(ch)
            }
            // Table order: the order the search applies a set in.
            chosen.sort { a, b in changes.firstIndex { $0.text == a.text }! < changes.firstIndex { $0.text == b.text }! }
            let mutant = KnobVariant(chosen)
            let result = verifier.run(c, file: path, implementation: mutant, dtype: .float64, keepTrajectory: true)
            // A mutant the case does not catch (or that declines it) is not a failure to diagnose.
            guard result.status == .fail else { continue }
            tried += 1
            bySize[chosen.count] += 1
            let own = verifier.run(c, file: path, implementation: EngineImplementation(.naive, summary: ""), dtype: .float64, keepTrajectory: true).trajectory
            let outcome = KnobSearch.search(c, file: path, result: result, own: own)
            for v in outcome.reproducing {
                // Never a candidate that passes the case's own goldens.
                #expect(verifier.run(c, file: path, implementation: v, dtype: .float64).status == .fail, "\(oc.id): \(v.summary) passes the case")
            }
            guard let best = outcome.reproducing.first else {
                misses.append("\(oc.id) [\(chosen.map(\.text).joined(separator: "; "))]: \(outcome.gaveUp ?? "nothing found") after \(outcome.replays)")
                continue
            }
            let same = Set(best.texts) == Set(chosen.map(\.text))
            // An equivalent set: no larger, and its replay reproduces the mutant's trajectory at the case's tolerance.
            let replay = verifier.run(c, file: path, implementation: best, dtype: .float64, keepTrajectory: true)
            let equivalent = best.texts.count <= chosen.count
                && Diagnosis.compare(c, replay.trajectory, against: result, label: "")?.matches == true
            if same { exact += 1 }
            if same || equivalent { named += 1; namedBySize[chosen.count] += 1 } else {
                misses.append("\(oc.id) [\(chosen.map(\.text).joined(separator: "; "))] named as [\(best.summary)]")
            }
        }
        #expect(tried >= 60)
        let rate = Double(named) / Double(max(tried, 1))
        print("knob search: \(named)/\(tried) mutants named (\(exact) by the exact change; by size 1/2/3: \(namedBySize[1])/\(bySize[1]), \(namedBySize[2])/\(bySize[2]), \(namedBySize[3])/\(bySize[3]))")
        for m in misses { print("  missed: \(m)") }
        #expect(rate >= 0.95, "\(named) of \(tried) mutants named; missed: \(misses)")
    }
}
