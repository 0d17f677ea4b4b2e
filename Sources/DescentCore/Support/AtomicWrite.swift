// AtomicWrite.swift — results are written whole (temp file + rename) or not at all.
import Foundation

public enum AtomicWrite {
    /// Writes `text` to `path` through a temporary file in the same folder, then renames it.
    /// Creates the folder if needed. On any failure nothing at `path` has changed.
    public static func write(_ text: String, to path: String) throws {
        let url = URL(fileURLWithPath: path)
        let dir = url.deletingLastPathComponent()
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        // A name no other writer uses (process id and a per-process counter): two jobs writing the
        // same results/ at once each rename a complete file into place; the last rename wins, and
        // every file is always complete and valid. Registered so that Ctrl-C removes it.
        let tmp = dir.appendingPathComponent(".\(url.lastPathComponent).tmp-\(getpid())-\(counter.next())")
        Interruption.register(tempFile: tmp.path)
        defer { Interruption.unregister(tempFile: tmp.path) }
        do {
            try Data(text.utf8).write(to: tmp)
            guard rename(tmp.path, url.path) == 0 else {
                throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
            }
        } catch {
            try? FileManager.default.removeItem(at: tmp)
            throw error
        }
    }

    private final class Counter: @unchecked Sendable {
        private let lock = NSLock()
        private var n = 0
        func next() -> Int { lock.lock(); defer { lock.unlock() }; n += 1; return n }
    }
    private static let counter = Counter()
}
