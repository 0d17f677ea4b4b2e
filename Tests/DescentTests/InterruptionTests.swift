// InterruptionTests.swift — issue 14 §5: two jobs writing the same results/ at once leave every
// file complete and valid; SIGINT / SIGTERM during a run leave no temporary files and no adapter
// processes (the real `descent` command, run as a subprocess).
import Foundation
import Testing
import DescentTestSupport
@testable import DescentConformance
@testable import DescentCore
@testable import DescentLab
@testable import DescentCLI
import DescentJSON


func leftoverTemps(_ dir: String) -> [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).filter { $0.contains(".tmp-") }
}

@Suite(.serialized) struct InterruptionTests {
    @Test func concurrentWritersLeaveEveryFileCompleteAndValid() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = "\(dir)/results/conformance.json"
        let writers = 6, rounds = 40
        let failures = NSLock()
        nonisolated(unsafe) var bad: [String] = []
        DispatchQueue.concurrentPerform(iterations: writers + 1) { w in
            if w == writers {   // a reader, all along
                for _ in 0..<(rounds * 2) {
                    if let d = FileManager.default.contents(atPath: path), (try? JSON.parse(bytes: [UInt8](d))) == nil {
                        failures.lock(); bad.append("a reader saw an incomplete file"); failures.unlock()
                    }
                }
                return
            }
            for k in 0..<rounds {
                let doc = JSON.object([("writer", JSON(w)), ("round", JSON(k)),
                                       ("payload", .array((0..<2000).map { JSON(Double($0 * (w + 1))) }))]).serialized()
                do { try AtomicWrite.write(doc, to: path) } catch {
                    failures.lock(); bad.append("\(error)"); failures.unlock()
                }
            }
        }
        #expect(bad.isEmpty, "\(bad.prefix(3))")
        let final = try JSON.parse(bytes: [UInt8](try #require(FileManager.default.contents(atPath: path))))
        #expect(final["payload"]?.arrayValue?.count == 2000)
        #expect(leftoverTemps("\(dir)/results").isEmpty)
    }

    @Test func twoMainJobsWritingTheSameResults() throws {
        let bin = try descentBinary()
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // A small fixtures folder (the main job on all of fixtures/ twice would be slow in debug),
        // and no training or claims: in a debug build they cost ~35 s of CPU per job, and their
        // files go through the same whole-or-nothing writer as the conformance and power reports
        // (results/ and results/local/) that the two jobs race on here.
        try FileManager.default.createDirectory(atPath: "\(dir)/fixtures/torch", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: Descent.bundledFixtures + "/torch/SGD.json", toPath: "\(dir)/fixtures/torch/SGD.json")
        let jobs = (0..<2).map { _ -> Process in
            let p = Process()
            p.executableURL = URL(fileURLWithPath: bin)
            p.arguments = ["--fixtures", "\(dir)/fixtures", "--results", "\(dir)/results", "--no-bench", "--no-training", "--no-claims"]
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            return p
        }
        for p in jobs { try p.run() }
        for p in jobs { p.waitUntilExit() }
        for p in jobs { #expect(p.terminationStatus == 0 || p.terminationStatus == 1) }
        for name in ["local/conformance.json", "power.json"] {
            let d = try #require(FileManager.default.contents(atPath: "\(dir)/results/\(name)"), "\(name)")
            #expect((try? JSON.parse(bytes: [UInt8](d))) != nil, "\(name) is not valid JSON")
        }
        for name in ["conformance.md", "power.md"] {
            let t = try String(contentsOfFile: "\(dir)/results/\(name)", encoding: .utf8)
            #expect(t.hasPrefix("# ") && t.hasSuffix("\n"), "\(name)")
        }
        #expect(leftoverTemps("\(dir)/results").isEmpty && leftoverTemps("\(dir)/results/local").isEmpty)
    }

    @Test(arguments: [SIGINT, SIGTERM])
    func aSignalStopsTheAdapterAndLeavesNothingBehind(_ sig: Int32) throws {
        let bin = try descentBinary()
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try fixture([sgdCase(id: "a"), sgdCase(id: "b")]).write(toFile: "\(dir)/f.json", atomically: true, encoding: .utf8)
        // An adapter that records its pid and then never answers (and a child of its own).
        let adapter = "echo $$ > \(dir)/adapter.pid; sleep 300 & echo $! > \(dir)/child.pid; wait"
        let p = Process()
        p.executableURL = URL(fileURLWithPath: bin)
        p.arguments = ["verify", "\(dir)/f.json", "--adapter", adapter, "--output", "\(dir)/report.json", "--format", "json"]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        let until = Date().addingTimeInterval(30)
        while !FileManager.default.fileExists(atPath: "\(dir)/child.pid") && Date() < until { usleep(50_000) }
        usleep(200_000)
        kill(p.processIdentifier, sig)
        let deadline = Date().addingTimeInterval(30)
        while p.isRunning && Date() < deadline { usleep(50_000) }
        if p.isRunning { kill(p.processIdentifier, SIGKILL); Issue.record("descent did not stop within 30 s of signal \(sig)") }
        p.waitUntilExit()
        #expect(p.terminationStatus == 128 + sig)
        for f in ["adapter.pid", "child.pid"] {
            let pid = try #require(Int32(try String(contentsOfFile: "\(dir)/\(f)", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
            // Gone, or a zombie waiting for init: not running. descent sends SIGKILL to the
            // adapter's process group and exits; the kill lands when the kernel next schedules
            // those processes, which on a loaded machine can be after descent's own exit (CI saw
            // one still "S" right then). So: gone within 5 s, not at the instant of our check.
            func state() -> Substring? {
                (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8))?.split(separator: " ").dropFirst(2).first
            }
            let gone = Date().addingTimeInterval(5)
            while let s = state(), s != "Z", s != "X", Date() < gone { usleep(20_000) }
            let last = state()
            #expect(last == nil || last == "Z" || last == "X", "\(f) \(pid) still running 5 s after descent exited (state \(last ?? "?"))")
        }
        #expect(!FileManager.default.fileExists(atPath: "\(dir)/report.json"))   // no half-written report
        #expect(leftoverTemps(dir).isEmpty)
    }

    @Test func cleanUpRemovesRegisteredTemporaryFiles() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let tmp = "\(dir)/.x.json.tmp-1-1"
        try "{".write(toFile: tmp, atomically: false, encoding: .utf8)
        Interruption.register(tempFile: tmp)
        Interruption.removeTempFiles()
        Interruption.unregister(tempFile: tmp)
        #expect(!FileManager.default.fileExists(atPath: tmp))
    }
}
