// CoverageTests.swift — the README's coverage table is `descent list --coverage` on the current
// registry and names file; every registry name of a library's convention is a name that library
// exports (fixtures/data/library-names.txt, listed from the libraries by
// reference/gen_library_names.py), so a misspelt entry or a stale list fails here.
import Foundation
import Testing
import DescentTestSupport
import DescentConformance
import DescentCore

@Suite struct CoverageTests {
    @Test func theReadmeTableIsCurrent() throws {
        let readme = try String(contentsOf: repositoryRoot.appendingPathComponent("README.md"), encoding: .utf8)
        let begin = try #require(readme.range(of: "<!-- coverage:begin (descent list --coverage) -->\n"))
        let end = try #require(readme.range(of: "<!-- coverage:end -->", range: begin.upperBound..<readme.endIndex))
        let table = String(readme[begin.upperBound..<end.lowerBound])
        let expected = Coverage.markdown(try Coverage.compute(fixtures: fixturesURL.path))
        #expect(table == expected, "README.md's coverage table is stale: replace it with `descent list --coverage`")
    }

    @Test func everyRegistryNameIsExportedByItsLibrary() throws {
        let coverage = try Coverage.compute(fixtures: fixturesURL.path)
        let libraries = Set(coverage.map(\.library))
        for c in Conventions.all where c.name != "textbook" {
            #expect(libraries.contains(c.name), "library-names.txt has no \(c.name)")
        }
        for c in coverage {
            #expect(c.unknownToLibrary.isEmpty, "\(c.library) \(c.version) exports no \(c.unknownToLibrary)")
            #expect(c.optimizers.contains { $0.reason == nil }, "\(c.library): nothing covered")
        }
        // torch's top-level list, as the names file records it, contains Adam and Descent covers it.
        let torch = try #require(coverage.first { $0.library == "torch" })
        #expect(torch.optimizers.first { $0.name == "Adam" }?.reason == nil)
        #expect(torch.schedules.first { $0.name == "LambdaLR" }?.reason?.contains("callable") == true)
    }

    /// A names file without a name the registry has is caught (the check above can fail).
    @Test func aStaleNamesFileIsCaught() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("coverage-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("data"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let original = try String(contentsOf: fixturesURL.appendingPathComponent(Coverage.namesFile), encoding: .utf8)
        let stale = original.replacingOccurrences(of: "\"AdamW\",", with: "")
        #expect(stale != original)
        try stale.write(to: dir.appendingPathComponent(Coverage.namesFile), atomically: true, encoding: .utf8)
        let coverage = try Coverage.compute(fixtures: dir.path)
        #expect(coverage.first { $0.library == "torch" }?.unknownToLibrary == ["AdamW"])
        #expect(throws: DescentError.self) { try Coverage.compute(fixtures: dir.appendingPathComponent("nowhere").path) }
    }
}
