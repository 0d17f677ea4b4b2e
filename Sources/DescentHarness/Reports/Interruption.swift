// Interruption.swift — Ctrl-C (SIGINT) or SIGTERM during a run leaves no temporary files and no
// adapter processes: what is in flight registers here, and the signal handler (a dispatch
// source, so it runs as ordinary code, not in signal context) removes the files, kills the
// adapters' process groups, and exits with 128 + the signal number.
import Dispatch
import Foundation
#if canImport(Glibc)
import Glibc
#endif

public enum Interruption {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var tempFiles: Set<String> = []
    nonisolated(unsafe) private static var processGroups: Set<pid_t> = []
    nonisolated(unsafe) private static var sources: [DispatchSourceSignal] = []

    /// Installs the SIGINT and SIGTERM handlers (once; the `descent` command calls it at start).
    public static func install() {
        lock.lock(); defer { lock.unlock() }
        guard sources.isEmpty else { return }
        for sig in [SIGINT, SIGTERM] {
            signal(sig, SIG_IGN)
            let s = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            s.setEventHandler { cleanUpAndExit(sig) }
            s.resume()
            sources.append(s)
        }
    }

    static func cleanUpAndExit(_ sig: Int32) -> Never {
        cleanUp()
        FileHandle.standardError.write(Data("descent: interrupted (signal \(sig)); temporary files removed, adapters stopped\n".utf8))
        _exit(128 + sig)
    }

    /// Removes the registered temporary files and kills the registered process groups.
    public static func cleanUp() {
        lock.lock()
        let files = tempFiles, groups = processGroups
        lock.unlock()
        for f in files { unlink(f) }
        for g in groups where g > 0 {
            kill(-g, SIGKILL)
            var st: Int32 = 0
            while waitpid(-g, &st, 0) > 0 {}
        }
    }

    static func register(tempFile: String) { lock.lock(); tempFiles.insert(tempFile); lock.unlock() }
    static func unregister(tempFile: String) { lock.lock(); tempFiles.remove(tempFile); lock.unlock() }
    static func register(processGroup: pid_t) { lock.lock(); processGroups.insert(processGroup); lock.unlock() }
    static func unregister(processGroup: pid_t) { lock.lock(); processGroups.remove(processGroup); lock.unlock() }
}
