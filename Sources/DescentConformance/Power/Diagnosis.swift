// Diagnosis.swift — what a failing trajectory is, in order:
//   1. another library's convention for the same algorithm (CrossConvention.swift): "matches
//      keras.optimizers.Adam(…): ε added outside √v after bias correction folded into the step size";
//   2. one known mistake (KnownWrong.all): "matches known mistake `adam-eps-inside-sqrt` …";
//   3. when neither reproduces it, two known mistakes at once — every pair of the variants that
//      apply to the case (at most `maxPairVariants` of them, the nearest first);
//   4. the family's own knobs and constants (KnobSearch.swift): first precision localisation (the
//      case's maths with named scalars rounded to float32: "reproduced by the case's own maths
//      with β₂ rounded to float32"), then up to 3 changes of its knobs and constants over a grid
//      of the values libraries use: "reproduced by RMSprop with initial accumulator 1 (case: 0),
//      ε inside the root — 2 changes, exact over all 20 steps";
//   5. a candidate of 1–3 within float32-level rounding (rtol 1e-5): "matches X up to float32-level
//      rounding …" — the same maths with some operation in lower precision (Keras's float64 runs
//      compute a few operations in float32, e.g. global_clipnorm's scale on the torch backend);
//      or the case's own maths to that level;
//   6. otherwise, plainly: "no known mistake reproduces this; nearest: X (distance d of the
//      update's size …)", the nearest by the normalised trajectory distance ‖Δ‖/‖update‖ over
//      all steps, and only within `nearestBound`. A failing trajectory never goes without a word.
// Every candidate is replayed on the naive engine in float64 and compared with the failing
// trajectory at the case's tolerance (NaN where the candidate also has NaN counts as equal).
// A candidate that changes nothing on the case is never named: one whose replay passes the
// case's own goldens, or whose trajectory is bit for bit Descent's own (the mistake is a no-op
// there, e.g. a counter cast to float32 that stays exact).
import DescentCore
import DescentJSON
import Foundation

public enum Diagnosis {
    /// Pairs are tried among at most this many applicable variants (the nearest first): ≤ 66 replays.
    package static let maxPairVariants = 12
    /// A candidate within this relative distance (and the case's atol) "matches up to rounding".
    package static let nearRtol = 1e-5

    package struct Replay {
        package let label: String
        package let matches: Bool
        /// Within float32-level rounding (rtol 1e-5): the same maths with some operation done in
        /// lower precision (Keras computes parts of its float64 runs in float32).
        package var nearMatch = false
        package let maxRel: Double
        /// First step at which the candidate leaves the failing trajectory (nil: never).
        package let firstStep: Int?
        /// The normalised trajectory distance ‖Δ‖/‖update‖ over all steps: the candidate's
        /// distance from the failing trajectory over the size of the failing run's own updates
        /// (`trajectoryDistance`); ∞ where one has a NaN the other has not.
        package var distance = Double.infinity
        /// Ordering for "nearest": the smaller normalised distance.
        package func nearer(than o: Replay) -> Bool {
            distance != o.distance ? distance < o.distance : maxRel < o.maxRel
        }
    }

    /// "nearest" lines are printed only for candidates within this normalised distance
    /// (‖Δ‖/‖update‖ over all steps): farther ones explain nothing.
    public static let nearestBound = 0.25

    /// ‖a − b‖ / ‖update‖ over all steps, where the updates are the failing trajectory's own
    /// step-to-step changes (from the case's initial parameters; a schedule's values themselves).
    package static func trajectoryDistance(_ c: FixtureCase, failing: [[[Double]]], candidate: [[[Double]]]) -> Double {
        var diff = 0.0, scale = 0.0
        var prev: [[Double]]?
        if case let .optimizer(oc) = c { prev = oc.params.map(\.values) }
        for (k, (mine, theirs)) in zip(failing, candidate).enumerated() {
            for t in 0..<min(mine.count, theirs.count) {
                let a = mine[t], e = theirs[t]
                guard a.count == e.count else { continue }
                for i in a.indices {
                    if a[i].isNaN && e[i].isNaN { continue }
                    if a[i].isNaN != e[i].isNaN || !(a[i] - e[i]).isFinite { return .infinity }
                    diff += (a[i] - e[i]) * (a[i] - e[i])
                }
                if let p = prev, t < p.count, p[t].count == a.count {
                    for i in a.indices where a[i].isFinite && p[t][i].isFinite { scale += (a[i] - p[t][i]) * (a[i] - p[t][i]) }
                } else if case .schedule = c {
                    for x in a where x.isFinite { scale += x * x }
                }
            }
            if case .optimizer = c { prev = k < failing.count ? mine : nil }
        }
        if diff == 0 { return 0 }
        return scale > 0 ? (diff / scale).squareRoot() : .infinity
    }

    /// Lines explaining `result` (a failing run of `c`), most likely cause first.
    public static func diagnose(_ c: FixtureCase, file: String, result: CaseResult,
                                variants: [KnownWrongVariant] = KnownWrong.all) -> [String] {
        guard result.status == .fail, !result.trajectory.isEmpty else { return [] }
        let naive = EngineImplementation(.naive, summary: "")
        var lines: [String] = []
        var nearest: Replay?
        var near: [(Replay, String)] = []
        func consider(_ r: Replay) { if !r.matches, nearest.map({ r.nearer(than: $0) }) ?? true { nearest = r } }
        // Descent's own run of the case: a candidate that reproduces it exactly changes nothing here.
        // (Only where the parameters are all a case grades: a case with expected state can fail on
        // the state alone.)
        var expectsState = false
        if case let .optimizer(oc) = c { expectsState = oc.steps.contains { $0.field?.expectedState != nil } }
        let own = expectsState ? nil : Verifier(implementations: [], dtypes: [], diagnoser: nil)
            .run(c, file: file, implementation: naive, dtype: .float64, keepTrajectory: true).trajectory
        func replay(_ c: FixtureCase, file: String, implementation: any Implementation, against: CaseResult, label: String) -> Replay? {
            Diagnosis.replay(c, file: file, implementation: implementation, against: against, label: label, own: own)
        }

        // 1. Another convention.
        for twin in CrossConvention.twins(of: c) {
            guard let r = replay(twin.testCase, file: file, implementation: naive, against: result, label: twin.label) else { continue }
            if r.matches {
                let line = twin.semantics.trimmingCharacters(in: .whitespaces).isEmpty ? "matches \(twin.label)" : "matches \(twin.label): \(twin.semantics)"
                if !lines.contains(line) { lines.append(line) }
            } else {
                consider(r)
                if r.nearMatch { near.append((r, twin.semantics)) }
            }
        }

        // 2. One known mistake.
        var applicable: [(KnownWrongVariant, Replay)] = []
        var singles: [(String, Double)] = []
        for v in variants {
            guard let r = replay(c, file: file, implementation: v, against: result, label: "`\(v.id)`") else { continue }
            applicable.append((v, r))
            if r.matches { singles.append((v.id, r.maxRel)) } else {
                consider(r)
                if r.nearMatch, case .float32Accumulation = v.mistake {} else if r.nearMatch { near.append((r, v.summary)) }
            }
        }
        lines += singles.sorted { $0.1 < $1.1 }.map { id, rel in
            "matches known mistake `\(id)` (\(KnownWrong.named(id)?.summary ?? id)) to \(sci(rel)) relative over all \(result.trajectory.count) steps"
        }
        if !lines.isEmpty { return lines }

        // 3. Two known mistakes at once.
        let pool = applicable.sorted { $0.1.nearer(than: $1.1) }.prefix(maxPairVariants).map(\.0)
        for i in pool.indices {
            for j in pool.indices where j > i {
                let pair = CombinedVariant(pool[i], pool[j])
                guard let r = replay(c, file: file, implementation: pair, against: result, label: "`\(pool[i].id)` + `\(pool[j].id)`") else { continue }
                if r.matches {
                    lines.append("matches two known mistakes at once: `\(pool[i].id)` (\(pool[i].summary)) and `\(pool[j].id)` (\(pool[j].summary)), to \(sci(r.maxRel)) relative over all \(result.trajectory.count) steps")
                } else {
                    consider(r)
                }
            }
        }
        if !lines.isEmpty { return lines }

        // 4. The family's own knobs and constants: precision localisation, then the knob search.
        let search = KnobSearch.search(c, file: file, result: result, own: own)
        if !search.lines.isEmpty { return search.lines }
        for r in search.tried { consider(r) }

        // 5. The same maths up to float32-level rounding.
        let tolText: String
        switch c {
        case let .optimizer(oc): tolText = sci(oc.tolerance.rtol)
        case let .schedule(sc): tolText = sci(sc.tolerance.rtol)
        }
        for (r, what) in near.sorted(by: { $0.0.maxRel < $1.0.maxRel }).prefix(3) {
            lines.append("matches \(r.label) up to float32-level rounding (relative distance \(sci(r.maxRel)), beyond the case's rtol \(tolText): some operation ran in lower precision): \(what)")
        }
        if !lines.isEmpty { return lines }
        // The case's own maths to float32-level rounding, though no named group alone explains it.
        if let own, let r = Diagnosis.compare(c, own, against: result, label: "the case's own maths"), r.nearMatch {
            return ["matches the case's own maths up to float32-level rounding (relative distance \(sci(r.maxRel)), beyond the case's rtol \(tolText)): some scalar or operation ran in float32; no named group of scalars (constants, bias corrections, lr) rounded to float32 reproduces it alone or in threes"]
        }

        // 6. Say so, with the nearest candidate when it comes within the bound.
        let searched = search.gaveUp.map { "; the knob search \($0)" } ?? (search.replays > 0 ? "; nor does any setting of up to 3 of the family's knobs and constants (\(search.replays) replays)" : "")
        if let n = nearest, n.distance <= nearestBound {
            return ["no known mistake reproduces this\(searched); nearest: \(n.label) (distance \(sci(n.distance)) of the update's size over all steps; relative \(sci(n.maxRel)) from step \(n.firstStep ?? 0))"]
        }
        if nearest != nil {
            return ["no known mistake reproduces this\(searched); no candidate comes within \(nearestBound) of the trajectory (‖Δ‖/‖update‖ over all steps)"]
        }
        return ["no known mistake reproduces this\(searched), and no known mistake or other convention applies to this case"]
    }

    /// An `error` answer on a trajectory case, diagnosed by what was rejected: the case's
    /// arguments the implementation's message names (or all of them when it names none), which the
    /// library accepts (the case's goldens come from running them), and the field features the
    /// case uses. Empty for other errors (a crash, a timeout, a malformed answer).
    public static func diagnoseError(_ c: FixtureCase, result: CaseResult) -> [String] {
        let prefix = "the adapter reported an error: "
        guard result.status == .error, !result.validation, result.message.hasPrefix(prefix) else { return [] }
        var said = String(result.message.dropFirst(prefix.count))
        if let r = said.range(of: "\n--- adapter stderr") { said = String(said[..<r.lowerBound]) }
        let args: [(String, JSON)]
        var features: [String] = []
        switch c {
        case let .optimizer(oc):
            args = oc.hyperparameters?.objectValue ?? []
            features = oc.field?.features.map(\.rawValue) ?? []
            if !oc.gradTransforms.isEmpty { features.append("grad_transforms") }
        case let .schedule(sc): args = sc.parameters?.objectValue ?? []
        }
        // The message's words (a key such as `lr` is named only as a whole word, not inside `lr_decay`).
        let words = Set(said.lowercased().split { !($0.isLetter || $0.isNumber || "_.-+".contains($0)) }
            .map { String($0).trimmingCharacters(in: CharacterSet(charactersIn: ".")) })
        let named = args.filter { k, v in words.contains(k.lowercased()) || (v.doubleValue != nil && words.contains(v.serialized().lowercased())) }
        func show(_ xs: [(String, JSON)]) -> String { xs.map { "\($0.0)=\($0.1.serialized())" }.joined(separator: ", ") }
        let what = "\(c.convention) \(c.name)"
        var line: String
        if !named.isEmpty {
            line = "rejected \(show(named)) (named in its message), which \(what) accepts: the case's goldens come from running them"
        } else if args.isEmpty {
            line = "rejected the call with no arguments (the library's defaults), which \(what) accepts"
        } else {
            line = "rejected the case's arguments \(show(args)), which \(what) accepts; its message names none of them"
        }
        if !features.isEmpty { line += "; the case also uses \(features.joined(separator: ", ")), which the rejection may be about" }
        return [line]
    }

    /// Runs `impl` on `c` and compares its trajectory with the failing one; nil when it declines.
    /// nil also when the candidate changes nothing on the case: it passes the case's goldens, or
    /// its trajectory is bit for bit `own` (Descent's run of the case).
    package static func replay(_ c: FixtureCase, file: String, implementation impl: any Implementation, against result: CaseResult,
                       label: String, own: [[[Double]]]? = nil) -> Replay? {
        let verifier = Verifier(implementations: [], dtypes: [], diagnoser: nil)
        let r = verifier.run(c, file: file, implementation: impl, dtype: .float64, keepTrajectory: true)
        guard r.status == .fail, r.trajectory.count == result.trajectory.count else { return nil }
        if let own, sameBits(own, r.trajectory) { return nil }
        return compare(c, r.trajectory, against: result, label: label)
    }

    /// Whether two trajectories are the same bit for bit (a NaN equals any NaN). Written as loops:
    /// the nested `zip(…).allSatisfy` closures this replaced took the type checker 38 s.
    private static func sameBits(_ a: [[[Double]]], _ b: [[[Double]]]) -> Bool {
        guard a.count == b.count else { return false }
        for (sa, sb) in zip(a, b) {
            guard sa.count == sb.count else { return false }
            for (va, vb) in zip(sa, sb) {
                guard va.count == vb.count else { return false }
                for (x, y) in zip(va, vb) where x.bitPattern != y.bitPattern && !(x.isNaN && y.isNaN) { return false }
            }
        }
        return true
    }

    /// Compares a candidate trajectory with the failing one at the case's tolerance.
    package static func compare(_ c: FixtureCase, _ trajectory: [[[Double]]], against result: CaseResult, label: String) -> Replay? {
        guard trajectory.count == result.trajectory.count else { return nil }
        let tol: Tolerance
        switch c {
        case let .optimizer(oc): tol = oc.tolerance
        case let .schedule(sc): tol = sc.tolerance
        }
        let series = result.trajectory.first?.count ?? 0
        var cmp = TrajectoryComparer(dtype: result.dtype, tolerance: tol, float32Override: nil, series: series)
        var loose = TrajectoryComparer(dtype: result.dtype, tolerance: Tolerance(rtol: max(tol.rtol, nearRtol), atol: tol.atol),
                                       float32Override: nil, series: series)
        for (k, (mine, theirs)) in zip(result.trajectory, trajectory).enumerated() {
            for t in 0..<min(mine.count, theirs.count) where mine[t].count == theirs[t].count {
                var a = mine[t], e = theirs[t]
                for i in a.indices where a[i].isNaN && e[i].isNaN { a[i] = 0; e[i] = 0 }
                cmp.compare(step: k, series: t, expected: e, actual: a)
                loose.compare(step: k, series: t, expected: e, actual: a)
            }
        }
        var out = Replay(label: label, matches: cmp.first == nil, maxRel: cmp.maxRel, firstStep: cmp.first?.step)
        out.nearMatch = loose.first == nil
        out.distance = trajectoryDistance(c, failing: result.trajectory, candidate: trajectory)
        return out
    }
}

/// Two known mistakes made together (argument edits, family changes and schedule changes composed).
package struct CombinedVariant: Implementation {
    package let a: KnownWrongVariant, b: KnownWrongVariant
    package init(_ a: KnownWrongVariant, _ b: KnownWrongVariant) { self.a = a; self.b = b }

    package var name: String { "wrong:\(a.id)+\(b.id)" }
    package var summary: String { "\(a.summary); and \(b.summary)" }
    package var availability: Availability { .available }

    package func prepare(_ c: FixtureCase) throws -> FixtureCase { try b.prepare(a.prepare(c)) }
    package func resolve(_ spec: OptimizerSpec) throws -> OptimizerSpec { try b.resolve(a.resolve(spec)) }

    package func stepper<T: DescentFloat>(_ spec: OptimizerSpec, _: T.Type, shapes: [[Int]]) throws -> StepperBox<T> {
        if case .float32Accumulation = b.mistake { return try b.stepper(spec, T.self, shapes: shapes) }
        return try a.stepper(spec, T.self, shapes: shapes)
    }

    package func groupedStepper<T: DescentFloat>(_ specs: [OptimizerSpec], _: T.Type, members: [[Int]], shapes: [[Int]]) throws -> StepperBox<T> {
        if case .float32Accumulation = b.mistake { return try b.groupedStepper(specs, T.self, members: members, shapes: shapes) }
        return try a.groupedStepper(specs, T.self, members: members, shapes: shapes)
    }

    /// A training case's model with the faults of both mistakes (either may be a model mistake).
    package func model<T: DescentFloat>(_ spec: MLPSpec, _: T.Type) throws -> MLP<T> {
        var faults: MLPFaults = []
        for v in [a, b] { if case let .model(f) = v.mistake { faults.formUnion(f) } }
        return faults.isEmpty ? try a.model(spec, T.self) : MLP<T>(spec, engine: a.base.engine, faults: faults)
    }

    package func scheduleValues<T: DescentFloat>(_ schedule: any Schedule, _ type: T.Type, count: Int) throws -> ScheduleValues<T> {
        var s = schedule
        for v in [a, b] {
            switch v.mistake {
            case let .schedule(change):
                guard let changed = change(s) else { throw KnownWrongVariant.notApplicable(s.summary) }
                s = changed
            case .arguments, .field:
                break
            case .family, .call, .float32Accumulation, .model:
                throw KnownWrongVariant.notApplicable("an optimizer mistake")
            }
        }
        return try s.values(type, count: count)
    }
}

extension Verifier {
    /// The standard diagnoser: the known-wrong variants, the other conventions' spellings and
    /// the precision checks (`Diagnosis.diagnose`).
    public static let knownMistakes: Diagnoser = { c, file, result in Diagnosis.diagnose(c, file: file, result: result) }
}
