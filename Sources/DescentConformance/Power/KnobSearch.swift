// KnobSearch.swift — when no registered mistake reproduces a failing trajectory, the diagnosis
// searches the family's own knobs and constants (FamilyKnobs.swift):
//   1. precision localisation: the case's own maths with one named scalar group at a time rounded
//      to float32 (a constant such as β₂ or a Newton–Schulz coefficient, the bias corrections,
//      the lr or schedule value), then pairs and triples of them: the smallest set that
//      reproduces the whole trajectory is named, in the case's terms;
//   2. the knob search: every single change of a discrete knob or a constant over its grid, then
//      pairs (all of them while they fit the budget, else those built on the nearest singles),
//      then triples built on the nearest pairs — breadth first, the smallest set first:
//      "reproduced by RMSprop with initial accumulator 1 (case: 0), ε inside the root, lr inside
//      the momentum buffer — 3 changes, exact over all 20 steps".
// Both are bounded (`maxReplays`, `maxSeconds`) and say when they gave up. A candidate that
// passes the case's goldens, or replays Descent's own run bit for bit, is never named
// (Diagnosis.replay).
import DescentCore
import DescentJSON
import Foundation

/// A set of knob changes (and, for precision localisation, the lr rounded to float32), run on the
/// naive engine like a known-wrong variant.
package struct KnobVariant: Implementation {
    package let changes: [KnobChange]
    /// The learning rate (or the schedule's values) rounded to float32 before each step.
    package let roundLR: Bool
    package let base = EngineImplementation(.naive, summary: "")

    package init(_ changes: [KnobChange], roundLR: Bool = false) {
        self.changes = changes
        self.roundLR = roundLR
    }

    package var texts: [String] { changes.map(\.text) + (roundLR ? ["lr / schedule value rounded to float32"] : []) }
    package var name: String { "knobs:" + texts.joined(separator: "; ") }
    package var summary: String { texts.joined(separator: ", ") }
    package var availability: Availability { .available }

    package func resolve(_ spec: OptimizerSpec) throws -> OptimizerSpec {
        func changed(_ f: any OptimizerFamily) -> (any OptimizerFamily)? {
            if let w = f as? any WrappingFamily { return changed(w.wrapped).map { w.rewrapping($0) } }
            var x = f
            for c in changes {
                guard let y = c.apply(x) else { return nil }
                x = y
            }
            return x
        }
        var s = spec
        guard let f = changed(spec.family) else { throw KnownWrongVariant.notApplicable("\(spec.family.familyName) knobs") }
        s.family = f
        return s
    }

    package func stepper<T: DescentFloat>(_ spec: OptimizerSpec, _: T.Type, shapes: [[Int]]) throws -> StepperBox<T> {
        let inner = try base.stepper(spec, T.self, shapes: shapes)
        return roundLR ? StepperBox(RoundedLRStepper<T>(inner)) : inner
    }

    package func groupedStepper<T: DescentFloat>(_ specs: [OptimizerSpec], _: T.Type, members: [[Int]], shapes: [[Int]]) throws -> StepperBox<T> {
        if roundLR { throw KnownWrongVariant.notApplicable("the lr rounded inside a stepper over several param groups") }
        return try base.groupedStepper(specs, T.self, members: members, shapes: shapes)
    }

    package func model<T: DescentFloat>(_ spec: MLPSpec, _: T.Type) throws -> MLP<T> { try base.model(spec, T.self) }

    package func scheduleValues<T: DescentFloat>(_ schedule: any Schedule, _ type: T.Type, count: Int) throws -> ScheduleValues<T> {
        guard roundLR, changes.isEmpty else { throw KnownWrongVariant.notApplicable("knobs of an optimizer") }
        let v = try schedule.values(T.self, count: count)
        return ScheduleValues(lr: v.lr.map { T(Double(Float(Double($0)))) }, momentum: v.momentum.map { $0.map { T(Double(Float(Double($0)))) } })
    }
}

/// Rounds the learning rate to float32 before each step (a library that holds it in float32).
package final class RoundedLRStepper<T: DescentFloat>: Stepper {
    package let inner: StepperBox<T>
    package init(_ inner: StepperBox<T>) { self.inner = inner }
    package func step(params: [Buffer<T>], grads: [Buffer<T>], lr: Double) { inner.step(params, grads, Double(Float(lr))) }
    package func step(params: [Buffer<T>], objective: Objective<T>, lr: Double) { inner.stepObjective(params, objective, Double(Float(lr))) }
    package var needsObjective: Bool { inner.needsObjective }
    package var takesValue: Bool { inner.takesValue }
    package var takesHessian: Bool { inner.takesHessian }
    package var hessianDue: Bool { inner.hessianDue() }
    package func step(params: [Buffer<T>], grads: [Buffer<T>], hessian: [Buffer<T>], lr: Double) {
        inner.stepHessian(params, grads, hessian, Double(Float(lr)))
    }
    package var state: [(name: String, buffers: [Buffer<T>])] { inner.state() }
}

public enum KnobSearch {
    /// At most this many replays per failing case (precision localisation and knob search together).
    public static let maxReplays = 1500
    /// At most this many seconds per failing case.
    public static let maxSeconds = 20.0
    /// Pairs are all tried while there are at most this many; beyond, those built on the nearest singles.
    package static let maxAllPairs = 700
    /// Triples (and beam pairs) are built on this many of the nearest smaller sets.
    package static let beam = 12

    package struct Outcome {
        /// The diagnosis lines of what reproduced the trajectory (empty: nothing did).
        package var lines: [String] = []
        /// Why the search stopped short of its whole space (nil: it covered it).
        package var gaveUp: String?
        /// The candidates replayed that did not match, for "nearest".
        package var tried: [Diagnosis.Replay] = []
        package var replays = 0
        /// The smallest sets found that reproduce it, best first.
        package var reproducing: [KnobVariant] = []
    }

    /// Precision localisation then the knob search, for a failing run `result` of `c`.
    package static func search(_ c: FixtureCase, file: String, result: CaseResult, own: [[[Double]]]?,
                               maxReplays: Int = maxReplays, maxSeconds: Double = maxSeconds) -> Outcome {
        var out = Outcome()
        let start = Date()
        let steps = result.trajectory.count
        var changes: [KnobChange] = []
        var familyName = "the case's optimizer"
        if case let .optimizer(oc) = c, let spec = try? Verifier.spec(for: oc) {
            changes = FamilyKnobs.changes(for: spec.family, shapes: oc.params.map(\.shape))
            familyName = spec.family.innermost.familyName
        }
        func overBudget() -> Bool {
            if out.replays >= maxReplays { out.gaveUp = "gave up after \(out.replays) replays (bound \(maxReplays))"; return true }
            if Date().timeIntervalSince(start) > maxSeconds { out.gaveUp = "gave up after \(sci(Date().timeIntervalSince(start))) s and \(out.replays) replays (bound \(Int(maxSeconds)) s)"; return true }
            return false
        }
        func run(_ v: KnobVariant) -> Diagnosis.Replay? {
            out.replays += 1
            return Diagnosis.replay(c, file: file, implementation: v, against: result, label: v.summary, own: own)
        }

        // 1. Precision localisation: named groups rounded to float32, smallest set first.
        let precision = changes.filter(\.precision)
        let groups: [KnobVariant] = precision.map { KnobVariant([$0]) } + [KnobVariant([], roundLR: true)]
        var matched: [(KnobVariant, Diagnosis.Replay)] = []
        func combinations(_ n: Int, _ k: Int) -> [[Int]] {
            guard k > 0 else { return [[]] }
            guard n >= k else { return [] }
            return combinations(n - 1, k - 1).map { $0 + [n - 1] } + combinations(n - 1, k)
        }
        for size in 1...min(3, groups.count) {
            for set in combinations(groups.count, size) {
                if overBudget() { break }
                let v = KnobVariant(set.flatMap { groups[$0].changes }, roundLR: set.contains { groups[$0].roundLR })
                guard let r = run(v) else { continue }
                if r.matches { matched.append((v, r)) } else { out.tried.append(r) }
            }
            if !matched.isEmpty || out.gaveUp != nil { break }
        }
        if !matched.isEmpty {
            let (v, r) = matched.min { $0.1.maxRel < $1.1.maxRel }!
            let n = v.texts.count
            out.reproducing = [v]
            out.lines.append("reproduced by the case's own maths with \(v.texts.joined(separator: ", ")) — \(n) float32 rounding\(n == 1 ? "" : "s"), exact over all \(steps) steps (\(sci(r.maxRel)) relative)")
            return out
        }
        if out.gaveUp != nil { return out }

        // 2. The knob search, breadth first.
        let singles = changes.filter { !$0.precision }
        var scored: [(set: [Int], r: Diagnosis.Replay)] = []
        var found: [([Int], Diagnosis.Replay)] = []
        for (i, ch) in singles.enumerated() {
            if overBudget() { break }
            guard let r = run(KnobVariant([ch])) else { continue }
            if r.matches { found.append(([i], r)) } else { scored.append(([i], r)); out.tried.append(r) }
        }
        let live = Set(scored.map { $0.set[0] } + found.map { $0.0[0] })
        func extend(_ bases: [[Int]]) -> [[Int]] {
            var seen: Set<[Int]> = []
            var sets: [[Int]] = []
            for b in bases {
                for j in live.sorted() where !b.contains(j) && !b.contains(where: { singles[$0].knob == singles[j].knob }) {
                    let s = (b + [j]).sorted()
                    if seen.insert(s).inserted { sets.append(s) }
                }
            }
            return sets
        }
        func runSets(_ sets: [[Int]]) -> [(set: [Int], r: Diagnosis.Replay)] {
            var level: [(set: [Int], r: Diagnosis.Replay)] = []
            for s in sets {
                if overBudget() { break }
                guard let r = run(KnobVariant(s.map { singles[$0] })) else { continue }
                if r.matches { found.append((s, r)) } else { level.append((s, r)); out.tried.append(r) }
            }
            return level
        }
        func nearest(_ xs: [(set: [Int], r: Diagnosis.Replay)]) -> [[Int]] {
            xs.sorted { $0.r.distance < $1.r.distance }.prefix(beam).map(\.set)
        }
        if found.isEmpty && out.gaveUp == nil {
            let all = extend(live.sorted().map { [$0] })
            let pairs = all.count <= maxAllPairs ? all : extend(nearest(scored))
            let level2 = runSets(pairs)
            if found.isEmpty && out.gaveUp == nil {
                _ = runSets(extend(nearest(level2)))
            }
        }
        guard !found.isEmpty else { return out }
        let size = found.map(\.0.count).min()!
        let best = found.filter { $0.0.count == size }.sorted { $0.1.maxRel < $1.1.maxRel }
        for (s, r) in best.prefix(3) {
            out.reproducing.append(KnobVariant(s.map { singles[$0] }))
            out.lines.append("reproduced by \(familyName) with \(s.map { singles[$0].text }.joined(separator: ", ")) — \(size) change\(size == 1 ? "" : "s"), exact over all \(steps) steps (\(sci(r.maxRel)) relative)")
        }
        return out
    }
}
