// Conformance.swift — results/conformance.md and results/conformance.json: rows are fixture
// groups (one fixture file each), columns are implementation × dtype.
import DescentCore
import DescentJSON
import Foundation

public struct ConformanceTable {
    public var groups: [String]
    public var columns: [(implementation: String, dtype: DType)]
    public var cells: [String: Summary]   // "\(group)|\(impl)|\(dtype)"
    public var results: [CaseResult]

    /// `root` is stripped from file paths to name the groups ("fixtures/torch/Adam.json" → "torch/Adam").
    public init(results: [CaseResult], root: String?) {
        self.results = results
        var groups: [String] = []
        var cols: [(String, DType)] = []
        var cells: [String: Summary] = [:]
        for r in results {
            let g = ConformanceTable.group(r.file, root: root)
            if !groups.contains(g) { groups.append(g) }
            if !cols.contains(where: { $0.0 == r.implementation && $0.1 == r.dtype }) { cols.append((r.implementation, r.dtype)) }
            cells["\(g)|\(r.implementation)|\(r.dtype.rawValue)", default: Summary()].add(r.status)
        }
        self.groups = groups.sorted()
        self.columns = cols.map { (implementation: $0.0, dtype: $0.1) }
        self.cells = cells
    }

    package static func group(_ file: String, root: String?) -> String {
        var g = file
        if let root {
            let prefix = root.hasSuffix("/") ? root : root + "/"
            if g.hasPrefix(prefix) { g = String(g.dropFirst(prefix.count)) }
        }
        if g.hasSuffix(".json") { g = String(g.dropLast(5)) }
        return g
    }

    package static func cellText(_ s: Summary?) -> String {
        guard let s, s.total > 0 else { return "" }
        if s.pass + s.unsupported == s.total {
            if s.pass == 0 { return "unsupported" }
            return s.unsupported > 0 ? "\(s.pass)/\(s.total) ✓ (\(s.unsupported) unsupported)" : "\(s.pass)/\(s.total) ✓"
        }
        var parts: [String] = []
        if s.fail > 0 { parts.append("\(s.fail) fail") }
        if s.error > 0 { parts.append("\(s.error) error") }
        if s.unsupported > 0 { parts.append("\(s.unsupported) unsupported") }
        return "\(s.pass)/\(s.total) ✗ (\(parts.joined(separator: ", ")))"
    }

    public func markdown(title: String = "Conformance", command: String, extra: String = "") -> String {
        let s = Summary(results)
        var out = "# \(title)\n\n"
        out += "Written by `\(command)`. Rows are fixture files (groups of golden cases), columns are "
        out += "implementation × precision; a cell counts the cases that pass out of those run. float32 runs "
        out += "compare with the float64 goldens under the float32 tolerance policy (README).\n\n"
        out += "**\(s.line)** (\(s.countsLine))\n\n"
        out += "| group | " + columns.map { "\($0.implementation) \($0.dtype.rawValue)" }.joined(separator: " | ") + " |\n"
        out += "|---|" + columns.map { _ in "---" }.joined(separator: "|") + "|\n"
        for g in groups {
            out += "| \(g) | " + columns.map { ConformanceTable.cellText(cells["\(g)|\($0.implementation)|\($0.dtype.rawValue)"]) }
                .joined(separator: " | ") + " |\n"
        }
        let bad = results.filter { $0.status == .fail || $0.status == .error }
        if !bad.isEmpty {
            out += "\n## Failures and errors\n\n"
            for r in bad {
                out += "- `\(r.id)` [\(r.implementation), \(r.dtype.rawValue)] \(r.status.rawValue): \(r.message.replacingOccurrences(of: "\n", with: " "))\n"
            }
        }
        let unsupported = Dictionary(grouping: results.filter { $0.status == .unsupported }, by: { $0.message })
        if !unsupported.isEmpty {
            out += "\n## Unsupported\n\n"
            for (why, rs) in unsupported.sorted(by: { $0.key < $1.key }) {
                let ids = Set(rs.map(\.id)).sorted()
                out += "- \(why) — \(ids.count) case\(ids.count == 1 ? "" : "s") (\(ids.prefix(4).joined(separator: ", "))\(ids.count > 4 ? ", …" : ""))\n"
            }
        }
        out += extra
        return out
    }

    public func json(extra: [(String, JSON)] = []) -> String {
        var groupsJSON: [JSON] = []
        for g in groups {
            var cellsJSON: [JSON] = []
            for c in columns {
                guard let s = cells["\(g)|\(c.implementation)|\(c.dtype.rawValue)"] else { continue }
                cellsJSON.append(.object([("implementation", .string(c.implementation)), ("dtype", .string(c.dtype.rawValue)),
                                          ("pass", JSON(s.pass)), ("fail", JSON(s.fail)),
                                          ("unsupported", JSON(s.unsupported)), ("error", JSON(s.error))]))
            }
            groupsJSON.append(.object([("group", .string(g)), ("cells", .array(cellsJSON))]))
        }
        var o: [(String, JSON)] = [
            ("format", .string("descent-conformance/1")),
            ("summary", Reports.summaryJSON(Summary(results))),
            ("groups", .array(groupsJSON)),
        ]
        o += extra
        o.append(("results", .array(results.map(Reports.jsonValue))))
        return JSON.object(o).serialized(pretty: true) + "\n"
    }
}
