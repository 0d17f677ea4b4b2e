// APISurfaceTests.swift — what a package depending on DescentKit gets. The product's modules are
// DescentKit's umbrella, DescentConformance, DescentCore and DescentJSON (no lab, no CLI), and
// their top-level public declarations are listed in Support/api-surface.txt: a change to the
// library's surface is a deliberate edit of that list, reviewed with the code.
import Foundation
import Testing
import DescentTestSupport

private let root = repositoryRoot

/// `Module kind Name` for every top-level public declaration of `module`'s sources.
private func publicDeclarations(_ module: String) throws -> [String] {
    let dir = root.appendingPathComponent("Sources/\(module)")
    let files = try FileManager.default.subpathsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".swift") }.sorted()
    let pattern = try NSRegularExpression(pattern: #"^(?:@[A-Za-z_]+(?:\([^)]*\))? )*public (?:final )?(struct|enum|class|protocol|func|let|var|typealias|actor) ([A-Za-z_][A-Za-z0-9_]*)"#,
                                          options: .anchorsMatchLines)
    var out: [String] = []
    for f in files {
        let text = try String(contentsOf: dir.appendingPathComponent(f), encoding: .utf8)
        for m in pattern.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
            let kind = (text as NSString).substring(with: m.range(at: 1)), name = (text as NSString).substring(with: m.range(at: 2))
            out.append("\(module) \(kind) \(name)")
        }
    }
    return out
}

@Suite struct APISurfaceTests {
    @Test func theProductHoldsNoLabOrCLIModule() throws {
        let package = try String(contentsOf: root.appendingPathComponent("Package.swift"), encoding: .utf8)
        let line = try #require(package.split(separator: "\n").first { $0.contains(".library(name: \"DescentKit\"") })
        #expect(line.contains("\"DescentConformance\"") && line.contains("\"DescentCore\"") && line.contains("\"DescentJSON\""))
        #expect(!line.contains("DescentLab") && !line.contains("DescentCLI"), "\(line)")
    }

    @Test func publicDeclarationsAreTheListedOnes() throws {
        let listed = try String(contentsOf: root.appendingPathComponent("Tests/DescentTests/Support/api-surface.txt"), encoding: .utf8)
            .split(separator: "\n").map(String.init).filter { !$0.isEmpty && !$0.hasPrefix("#") }
        let found = try ["DescentKit", "DescentConformance", "DescentCore", "DescentJSON"].flatMap(publicDeclarations)
        let added = Set(found).subtracting(listed).sorted(), removed = Set(listed).subtracting(found).sorted()
        #expect(added.isEmpty, "public but not in Support/api-surface.txt: \(added.joined(separator: ", "))")
        #expect(removed.isEmpty, "listed in Support/api-surface.txt but not public: \(removed.joined(separator: ", "))")
        // The lab's and the CLI's types stay out of the library.
        for name in ["CLI", "Arguments", "UsageError", "Trainer", "TrainConfig", "Bench", "TuneRunner", "Claims", "Plot"] {
            #expect(!found.contains { $0.hasSuffix(" \(name)") }, "\(name) is exported by DescentKit")
        }
    }
}
