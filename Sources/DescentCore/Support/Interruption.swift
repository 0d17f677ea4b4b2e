// Interruption.swift — Ctrl-C (SIGINT) or SIGTERM during a run leaves no temporary files and no
// adapter processes: what is in flight registers here (fixed-size tables of C strings and process
// groups, so the handler needs no allocation and no lock), and the handler unlinks the files,
// kills the adapters' process groups and exits with 128 + the signal number. unlink, kill and
// _exit are async-signal-safe.
import Foundation
#if canImport(Glibc)
import Glibc
#endif

public enum Interruption {
    package static let capacity = 256
    private static let lock = NSLock()
    nonisolated(unsafe) private static let files = UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>.allocate(capacity: capacity)
    nonisolated(unsafe) private static let groups = UnsafeMutablePointer<pid_t>.allocate(capacity: capacity)
    nonisolated(unsafe) private static var ready: Bool = {
        files.initialize(repeating: nil, count: capacity)
        groups.initialize(repeating: 0, count: capacity)
        return true
    }()

    /// Installs the SIGINT and SIGTERM handlers (the `descent` command calls it at start).
    public static func install() {
        _ = ready
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGINT)
        sigaddset(&set, SIGTERM)
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
        let handler: @convention(c) (Int32) -> Void = { sig in
            Interruption.cleanUp()
            let msg = "descent: interrupted; temporary files removed, adapters stopped\n"
            _ = msg.withCString { write(2, $0, strlen($0)) }
            _exit(128 + sig)
        }
        signal(SIGINT, handler)
        signal(SIGTERM, handler)
    }

    /// Removes the registered temporary files and kills the registered process groups (no
    /// allocation, no lock: safe in a signal handler). Dead children are reaped by the exit.
    public static func cleanUp() {
        _ = ready
        for i in 0..<capacity {
            if let f = files[i] { unlink(f) }
            let g = groups[i]
            if g > 0 { kill(-g, SIGKILL) }
        }
    }

    /// The file half of `cleanUp` (tests: without killing the adapters of other tests).
    package static func removeTempFiles() {
        _ = ready
        for i in 0..<capacity { if let f = files[i] { unlink(f) } }
    }

    package static func register(tempFile: String) {
        _ = ready
        lock.lock(); defer { lock.unlock() }
        for i in 0..<capacity where files[i] == nil { files[i] = strdup(tempFile); return }
    }

    package static func unregister(tempFile: String) {
        lock.lock(); defer { lock.unlock() }
        for i in 0..<capacity {
            if let f = files[i], String(cString: f) == tempFile {
                files[i] = nil
                free(f)
                return
            }
        }
    }

    package static func register(processGroup: pid_t) {
        _ = ready
        lock.lock(); defer { lock.unlock() }
        for i in 0..<capacity where groups[i] == 0 { groups[i] = processGroup; return }
    }

    package static func unregister(processGroup: pid_t) {
        lock.lock(); defer { lock.unlock() }
        for i in 0..<capacity where groups[i] == processGroup { groups[i] = 0; return }
    }
}
