// ClaimsCommand.swift — `descent claims [--quick] [--results DIR] [--only a,b,…]`: the course's
// claims as experiments; writes DIR/claims.md, DIR/claims.json (descent-claims/1) and the plots.
import DescentCore
import DescentConformance
import DescentLab
import DescentJSON
import Foundation

extension CLI {
    package static let claimsUsage = """
    descent claims [--quick] [--results DIR] [--only a,b,…] [--fixtures DIR] [--quiet]

    Runs the course's claims about optimisation and tuning as experiments, each with its numbers, a
    plot and a verdict (holds / does not hold / holds only when …) decided from the numbers by the
    rule its experiment states:
      a  random search beats grid when one of two hyperparameters is unimportant
      b  Adam is less lr-sensitive than SGD (flatness in decades, three problems)
      c  warmup + a decreasing schedule beats a constant lr at the same tuned peak
      d  the optimal lr grows about linearly with the batch size, up to a critical batch size
         (with the gradient noise scale B_simple from per-example gradients)
      e  L2 regularisation equals weight decay (1 − 2ηλ) for SGD but not for Adam, in training
      f  momentum reaches a target on an ill-conditioned quadratic in about √κ steps instead of κ
      g  ridge: XᵀX + λI is invertible and gradient descent converges at the predicted rate
    --quick uses smaller grids and fewer steps and seeds (seconds; the main job runs it); without it
    the full experiments run (minutes). Writes DIR/claims.md, DIR/claims.json and DIR/claims-*.svg
    (default DIR: results). A verdict that a claim does not hold is a result, not a failure: the
    exit status is 0 whenever the experiments ran.
    """

    package static func claims(_ a: Arguments) throws -> Int32 {
        if let p = a.positional.first { throw UsageError(message: "claims: unexpected '\(p)'") }
        let only = try a.value("only").map { s -> Set<String> in
            let ids = Set(s.split(separator: ",").map(String.init))
            guard ids.isSubset(of: ["a", "b", "c", "d", "e", "f", "g"]) else { throw UsageError(message: "--only takes claim letters a…g") }
            return ids
        }
        let dir = a.value("results") ?? "results"
        let o = ClaimsOptions(quick: a.flag("quick"), fixtures: a.value("fixtures") ?? defaultFixtures(), dir: dir)
        let command = "descent claims" + a.raw.filter { $0 != "--quiet" }.map { " " + $0 }.joined()
        let results = try Claims.run(o, only: only, progress: a.flag("quiet") ? nil : { stderr($0) })
        try writeClaims(results, o, command: command)
        print(claimsText(results), terminator: "")
        stderr("wrote \(dir)/claims.md, claims.json and \(results.reduce(0) { $0 + $1.plots.count }) plots")
        return 0
    }

    package static func claimsText(_ results: [ClaimResult]) -> String {
        results.map { "\($0.id). \($0.claim)\n   \($0.verdict)\n" }.joined()
    }

    package static func writeClaims(_ results: [ClaimResult], _ o: ClaimsOptions, command: String) throws {
        let json = JSON.object([("format", .string("descent-claims/1")), ("quick", .bool(o.quick)), ("command", .string(command)),
                                ("claims", .array(results.map(\.json)))]).serialized(pretty: true) + "\n"
        var md = "# The course's claims as experiments\n\n"
        md += "Regenerate with `\(command)` (`descent claims` for the full experiments, `--quick` for the short ones the main job runs). "
        md += "Every verdict is decided from the numbers by the rule its experiment states; plots are SVG next to this file.\n\n"
        md += "| claim | verdict |\n|---|---|\n"
        for r in results { md += "| \(r.id). \(r.claim) | \(r.verdict.replacingOccurrences(of: "|", with: "\\|")) |\n" }
        for r in results {
            md += "\n## \(r.id). \(r.claim)\n\n**Experiment.** \(r.experiment)\n\n**Verdict.** \(r.verdict)\n\n"
            if !r.table.isEmpty { md += "```\n\(r.table)\n```\n\n" }
            md += "**Numbers.**\n\n```json\n\(JSON.object(r.numbers).serialized(pretty: true))\n```\n\n"
            for p in r.plots { md += "![\(r.id)](\(p))\n" }
        }
        try AtomicWrite.write(md, to: "\(o.dir)/claims.md")
        try AtomicWrite.write(json, to: "\(o.dir)/claims.json")
    }
}
