// TestSupport.swift — what the test suites share: where the repository and its fixtures are, and
// the `descent` command built beside the tests.
import Foundation

/// The repository's root folder (the one with Package.swift).
public let repositoryRoot = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// The repository's `fixtures/` folder.
public let fixturesURL = repositoryRoot.appendingPathComponent("fixtures")

/// The `descent` command built next to the tests (`swift build` / `swift test` build it).
public func descentBinary() throws -> String {
    for config in ["debug", "release"] {
        let p = repositoryRoot.appendingPathComponent(".build/\(config)/descent").path
        if FileManager.default.isExecutableFile(atPath: p) { return p }
    }
    throw NoBuiltCommand()
}

/// No `descent` under .build/.
public struct NoBuiltCommand: Error, CustomStringConvertible {
    public var description: String { "no built descent command under .build/ (run swift build)" }
}
