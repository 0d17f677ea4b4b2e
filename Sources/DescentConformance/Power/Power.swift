// Power.swift — how sharp the fixtures are (`descent power`), and failure diagnosis.
//
// Power: every known-wrong variant runs on every fixture case (float64, naive engine). A variant
// is *caught* when at least one case it applies to fails; one that no case catches is a hole in
// the fixtures. Diagnosis: when a real implementation fails a case, the variants that apply to
// the case are replayed and compared with the failing trajectory, so a failure can say "your
// Adam matches `adam-eps-inside-sqrt` to 3e-13 over all 20 steps".
import DescentCore
import DescentJSON
import Foundation

public struct VariantPower: Sendable {
    public var variant: KnownWrongVariant
    /// Cases the variant applies to (it did not decline them).
    public var applicable: Int
    /// Results in which the variant failed (caught).
    public var catching: [CaseResult]
    /// Cases where the variant still passed (the case does not see this mistake).
    public var passing: Int
    /// Cases that errored under the variant (counted as caught only by fail).
    public var errors: Int

    public var caught: Bool { !catching.isEmpty }
    /// The catching result that diverged first.
    public var earliest: CaseResult? { catching.min { ($0.firstFailure?.step ?? .max) < ($1.firstFailure?.step ?? .max) } }
}

public enum Power {
    /// Runs every variant on the given fixtures. With `untilCaught`, a variant stops at the first
    /// case that catches it (`caught` is the same; the counts are then partial), which is what a
    /// test of "every variant is caught" needs.
    public static func run(files: [FixtureFile], variants: [KnownWrongVariant] = KnownWrong.all,
                           untilCaught: Bool = false) -> [VariantPower] {
        variants.map { v in
            let verifier = Verifier(implementations: [v], dtypes: [.float64])
            var p = VariantPower(variant: v, applicable: 0, catching: [], passing: 0, errors: 0)
            for f in files where !(untilCaught && p.caught) {
                for c in f.cases where c.expectedError == nil && !(untilCaught && p.caught) {
                    var r = verifier.run(c, file: f.path, implementation: v, dtype: .float64)
                    r.trajectory = []
                    switch r.status {
                    case .unsupported: continue
                    case .fail: p.catching.append(r)
                    case .pass: p.passing += 1
                    case .error: p.errors += 1
                    }
                    p.applicable += 1
                }
            }
            return p
        }
    }

    public static func markdown(_ power: [VariantPower], command: String) -> String {
        let caught = power.filter(\.caught).count
        var out = "# Power of the fixtures\n\n"
        out += "Written by `\(command)`. Each known-wrong variant (a mistake real implementations make) runs on every "
        out += "fixture case in float64; it is **caught** when at least one case it applies to fails. A variant no "
        out += "fixture catches is a hole in the fixtures.\n\n"
        out += "**\(caught) of \(power.count) variants caught.**\n\n"
        out += "| variant | mistake | caught | cases applied / catching | first divergence (case, step) | caught by (first cases) |\n"
        out += "|---|---|---|---|---|---|\n"
        for p in power {
            let e = p.earliest
            let first = e.map { "`\($0.id)` step \($0.firstFailure?.step ?? 0)" } ?? "—"
            let by = Array(Set(p.catching.map(\.id))).sorted().prefix(3).map { "`\($0)`" }.joined(separator: ", ")
            out += "| `\(p.variant.id)` | \(p.variant.summary) | \(p.caught ? "yes" : "**NO**") | \(p.applicable) / \(p.catching.count) | \(first) | \(by) |\n"
        }
        return out
    }

    public static func json(_ power: [VariantPower]) -> String {
        JSON.object([
            ("format", .string("descent-power/1")),
            ("caught", JSON(power.filter(\.caught).count)), ("variants", JSON(power.count)),
            ("results", .array(power.map { p in
                .object([
                    ("variant", .string(p.variant.id)), ("mistake", .string(p.variant.summary)), ("caught", .bool(p.caught)),
                    ("applicable", JSON(p.applicable)), ("catching", JSON(p.catching.count)),
                    ("caught_by", .array(p.catching.map { .object([("file", .string($0.file)), ("id", .string($0.id)),
                                                                   ("step", $0.firstFailure.map { JSON($0.step) } ?? .null)]) })),
                ])
            })),
        ]).serialized(pretty: true) + "\n"
    }

    public static func text(_ power: [VariantPower]) -> String {
        var out = ""
        for p in power {
            let e = p.earliest
            out += "\(p.caught ? "CAUGHT" : "MISSED") \(p.variant.id): \(p.variant.summary)\n"
            out += "       applies to \(p.applicable) cases, caught by \(p.catching.count)"
            if let e { out += "; first divergence: \(e.id) at step \(e.firstFailure?.step ?? 0)" }
            out += "\n"
        }
        let caught = power.filter(\.caught).count
        out += "\(caught) passed, \(power.count - caught) failed, 0 skipped\n"
        return out
    }
}

// Diagnosis of failures: Diagnosis.swift.
