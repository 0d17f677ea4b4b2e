// AdapterProcess.swift — one adapter subprocess (`/bin/sh -c CMD`) spoken to line by line.
// Reads stdout and stderr with poll(2) so neither pipe can fill up and block the adapter, gives
// each answer a deadline, and always reaps the child (no zombies).
import DescentCore
import Foundation
#if canImport(Glibc)
import Glibc
#endif

package final class AdapterProcess {
    package let command: String
    private(set) var pid: pid_t = 0
    private var stdinFD: Int32 = -1
    private var stdoutFD: Int32 = -1
    private var stderrFD: Int32 = -1
    private var stdoutBuffer: [UInt8] = []
    /// stderr collected since the last `takeStderr()`.
    private var stderrBuffer: [UInt8] = []
    private(set) var running = false

    package init(command: String) { self.command = command }

    deinit { stop() }

    package enum Failure: Error, CustomStringConvertible {
        case spawn(String)
        case exited(String)
        case timeout(Double)
        case startupTimeout(Double, Double)
        case writeFailed
        package var description: String {
            switch self {
            case let .spawn(m): return "could not start the adapter: \(m)"
            case let .exited(how): return "the adapter \(how) before answering"
            case let .timeout(s): return "the adapter gave no answer within \(s) s (timeout)"
            case let .startupTimeout(s, startup):
                return "the adapter gave no answer within \(s) s of starting (timeout, including \(startup) s for start-up: --startup-timeout)"
            case .writeFailed: return "the adapter closed its input"
            }
        }
    }

    /// Become a child subreaper (Linux): what the adapter's shell leaves behind is re-parented to
    /// us, not to init, so we can reap it and no zombie outlives a run.
    private static let subreaper: Void = {
        #if os(Linux)
        typealias Prctl = @convention(c) (Int32, UInt, UInt, UInt, UInt) -> Int32
        if let sym = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "prctl") {
            _ = unsafeBitCast(sym, to: Prctl.self)(36 /* PR_SET_CHILD_SUBREAPER */, 1, 0, 0, 0)
        }
        #endif
    }()

    /// Reaps every exited member of the adapter's process group.
    private func reapGroup() {
        var st: Int32 = 0
        while waitpid(-pid, &st, WNOHANG) > 0 {}
    }

    package func start() throws {
        stop()
        AdapterProcess.subreaper
        signal(SIGPIPE, SIG_IGN)   // a dead adapter must not take the harness with it
        var inPipe: [Int32] = [0, 0], outPipe: [Int32] = [0, 0], errPipe: [Int32] = [0, 0]
        guard pipe(&inPipe) == 0, pipe(&outPipe) == 0, pipe(&errPipe) == 0 else { throw Failure.spawn("pipe failed") }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, inPipe[0], 0)
        posix_spawn_file_actions_adddup2(&actions, outPipe[1], 1)
        posix_spawn_file_actions_adddup2(&actions, errPipe[1], 2)
        for fd in inPipe + outPipe + errPipe { posix_spawn_file_actions_addclose(&actions, fd) }
        // Its own process group, so a kill reaches everything the shell started.
        var attr = posix_spawnattr_t()
        posix_spawnattr_init(&attr)
        defer { posix_spawnattr_destroy(&attr) }
        posix_spawnattr_setflags(&attr, Int16(POSIX_SPAWN_SETPGROUP))
        posix_spawnattr_setpgroup(&attr, 0)
        let argv: [UnsafeMutablePointer<CChar>?] = [strdup("/bin/sh"), strdup("-c"), strdup(command), nil]
        defer { for p in argv { free(p) } }
        var child: pid_t = 0
        let rc = posix_spawn(&child, "/bin/sh", &actions, &attr, argv, environ)
        close(inPipe[0]); close(outPipe[1]); close(errPipe[1])
        guard rc == 0 else {
            close(inPipe[1]); close(outPipe[0]); close(errPipe[0])
            throw Failure.spawn(String(cString: strerror(rc)))
        }
        pid = child
        Interruption.register(processGroup: child)   // Ctrl-C / SIGTERM kill the group
        stdinFD = inPipe[1]
        stdoutFD = outPipe[0]
        stderrFD = errPipe[0]
        for fd in [stdinFD, stdoutFD, stderrFD] { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        for fd in [stdoutFD, stderrFD] { _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) }
        stdoutBuffer = []
        stderrBuffer = []
        running = true
    }

    /// Closes stdin, gives the adapter a moment to exit, then kills it; always reaps it.
    package func stop(grace: Double = 0.5) {
        guard running else { return }
        running = false
        defer { Interruption.unregister(processGroup: pid) }
        if stdinFD >= 0 { close(stdinFD); stdinFD = -1 }
        defer {
            // The group: grandchildren of the shell included. Then reap them.
            kill(-pid, SIGKILL)
            let until = Date().addingTimeInterval(1)
            var st: Int32 = 0
            while Date() < until {
                let w = waitpid(-pid, &st, WNOHANG)
                if w < 0 { break }          // no member left
                if w == 0 { usleep(2_000) }
            }
        }
        var status: Int32 = 0
        let deadline = Date().addingTimeInterval(grace)
        while waitpid(pid, &status, WNOHANG) == 0 {
            if Date() > deadline {
                kill(-pid, SIGKILL)
                _ = waitpid(pid, &status, 0)
                break
            }
            usleep(5_000)
        }
        drain()
        if stdoutFD >= 0 { close(stdoutFD); stdoutFD = -1 }
        if stderrFD >= 0 { close(stderrFD); stderrFD = -1 }
    }

    /// Kills at once (after a timeout or garbage) and reaps.
    package func kill9() {
        guard running else { return }
        kill(-pid, SIGKILL)
        stop(grace: 2)
    }

    package func send(_ line: String) throws {
        var bytes = Array(line.utf8)
        bytes.append(UInt8(ascii: "\n"))
        var off = 0
        while off < bytes.count {
            let n = bytes[off...].withUnsafeBytes { write(stdinFD, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                if errno == EAGAIN { usleep(1000); continue }
                throw Failure.writeFailed
            }
            off += n
        }
    }

    /// The next line of stdout, waiting at most `timeout` seconds.
    package func readLine(timeout: Double, startupAllowance: Double = 0) throws -> String {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            if let nl = stdoutBuffer.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: stdoutBuffer[..<nl], as: UTF8.self)
                stdoutBuffer.removeSubrange(...nl)
                return line
            }
            let left = deadline.timeIntervalSinceNow
            if left <= 0 { throw startupAllowance > 0 ? Failure.startupTimeout(timeout, startupAllowance) : Failure.timeout(timeout) }
            var fds = [pollfd(fd: stdoutFD, events: Int16(POLLIN), revents: 0),
                       pollfd(fd: stderrFD, events: Int16(POLLIN), revents: 0)]
            let r = poll(&fds, 2, Int32(min(left * 1000, 1000)) + 1)
            if r < 0 { if errno == EINTR { continue }; throw Failure.exited("could not be polled") }
            if fds[1].revents != 0 { _ = readAvailable(stderrFD, into: &stderrBuffer) }
            if fds[0].revents != 0 {
                let n = readAvailable(stdoutFD, into: &stdoutBuffer)
                if n == 0, !stdoutBuffer.contains(UInt8(ascii: "\n")) {
                    // EOF: the adapter is gone. Reap it and say how it ended.
                    _ = readAvailable(stderrFD, into: &stderrBuffer)
                    throw Failure.exited(exitDescription())
                }
            }
        }
    }

    private func exitDescription() -> String {
        var status: Int32 = 0
        var waited = waitpid(pid, &status, WNOHANG)
        let deadline = Date().addingTimeInterval(1)
        while waited == 0 && Date() < deadline { usleep(5_000); waited = waitpid(pid, &status, WNOHANG) }
        if waited == 0 { kill(-pid, SIGKILL); _ = waitpid(pid, &status, 0) }
        kill(-pid, SIGKILL)   // anything the shell left behind
        reapGroup()
        running = false
        if stdinFD >= 0 { close(stdinFD); stdinFD = -1 }
        let sig = status & 0x7f
        if sig != 0 { return "was killed by signal \(sig)" }
        let code = (status >> 8) & 0xff
        let hint = code == 127 ? " (the shell could not find the command)" : code == 126 ? " (the command is not executable)" : ""
        return "exited with status \(code)\(hint)"
    }

    /// Reads what is available now; returns the byte count (0 at EOF, -1 when nothing yet).
    @discardableResult
    private func readAvailable(_ fd: Int32, into buf: inout [UInt8]) -> Int {
        var chunk = [UInt8](repeating: 0, count: 65536)
        var total = 0
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n > 0 { buf.append(contentsOf: chunk[0..<n]); total += n; continue }
            if n == 0 { return total == 0 ? 0 : total }
            return total == 0 ? -1 : total
        }
    }

    private func drain() {
        if stderrFD >= 0 { _ = readAvailable(stderrFD, into: &stderrBuffer) }
    }

    /// stderr written since the last call (kept in the report of a failing case).
    package func takeStderr(limit: Int = 4000) -> String {
        drain()
        defer { stderrBuffer = [] }
        let s = String(decoding: stderrBuffer, as: UTF8.self)
        return s.count > limit ? "…" + String(s.suffix(limit)) : s
    }
}
