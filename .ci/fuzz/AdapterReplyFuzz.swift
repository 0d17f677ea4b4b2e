// AdapterReplyFuzz.swift — libFuzzer target for the adapter-reply parser: the first byte picks one
// of five cases from the bundled fixtures (an optimizer case, a training case, a schedule case
// with momentum, and an optimizer and a schedule validation case), and the other bytes, as one
// answer line, are judged against it (AdapterVerifier.judge: JSON → id → unsupported / error /
// params, loss, lr, momentum → comparison).
// Nothing may trap; every fault has a message. No process is started.
// DESCENT_FUZZ_WRITE_SEEDS=DIR writes the correct answer (and an `unsupported` one) for each case
// into DIR and exits. Built and run by .ci/fuzz/run.sh adapter-reply.
import Foundation
import DescentJSON
import FuzzDriver
@testable import DescentHarness

/// The smallest case of each sort among the bundled fixtures (fewest expected values).
nonisolated(unsafe) let cases: [FixtureCase] = {
    let files = FixtureLoader.discover([Descent.bundledFixtures]).files.compactMap { try? FixtureLoader.load(path: $0) }
    let all = files.flatMap(\.cases)
    func size(_ c: FixtureCase) -> Int {
        switch c {
        case let .optimizer(o): return o.steps.count * o.params.reduce(0) { $0 + $1.count } + 1
        case let .schedule(s): return s.expectedLR.count + 1
        }
    }
    func smallest(_ p: (FixtureCase) -> Bool) -> FixtureCase {
        guard let c = all.filter(p).min(by: { size($0) < size($1) }) else { fatalError("no such case in \(Descent.bundledFixtures)") }
        return c
    }
    return [
        smallest { if case let .optimizer(o) = $0 { return o.training == nil && o.expectedError == nil && o.steps.count > 1 }; return false },
        smallest { if case let .optimizer(o) = $0 { return o.training != nil && o.expectedError == nil }; return false },
        smallest { if case let .schedule(s) = $0 { return s.expectedMomentum != nil && s.expectedError == nil }; return false },
        smallest { if case let .optimizer(o) = $0 { return o.expectedError != nil }; return false },
        smallest { if case let .schedule(s) = $0 { return s.expectedError != nil }; return false },
    ]
}()
nonisolated(unsafe) let adapter = AdapterVerifier(command: "false")

func correctAnswer(_ c: FixtureCase) -> JSON {
    var o: [(String, JSON)] = [("id", .string(c.id))]
    if let e = c.expectedError { return .object(o + [("error", .string(e))]) }
    switch c {
    case let .optimizer(oc):
        o.append(("params", .array(oc.steps.map { .array($0.expected.map { .array($0.map { JSON($0) }) }) })))
        if oc.training != nil { o.append(("loss", .array(oc.steps.map { JSON($0.expectedLoss ?? .nan) }))) }
    case let .schedule(sc):
        o.append(("lr", .array(sc.expectedLR.map { JSON($0) })))
        if let m = sc.expectedMomentum { o.append(("momentum", .array(m.map { JSON($0) }))) }
    }
    return .object(o)
}

func writeSeeds(to dir: String) {
    for (i, c) in cases.enumerated() {
        let start = CaseResult(file: "fuzz.json", id: c.id, kind: "", convention: "", name: "", implementation: "adapter",
                               dtype: .float64, status: .error, message: "")
        let good = correctAnswer(c).serialized()
        guard case let .judged(r) = adapter.judge(line: good, c, start), r.status == .pass else {
            fatalError("the correct answer to \(c.id) does not pass: \(good.prefix(300))")
        }
        let unsupported = JSON.object([("id", .string(c.id)), ("unsupported", .string("no"))]).serialized()
        for (name, line) in [("answer", good), ("unsupported", unsupported)] {
            FileManager.default.createFile(atPath: "\(dir)/\(name)-\(i)", contents: Data([UInt8(i)] + Array(line.utf8)))
        }
    }
}

func descentAdapterReplyFuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    guard size > 0 else { return 0 }
    let c = cases[Int(data[0]) % cases.count]
    let line = String(decoding: UnsafeBufferPointer(start: data + 1, count: size - 1), as: UTF8.self)
    let start = CaseResult(file: "fuzz.json", id: c.id, kind: "", convention: "", name: "", implementation: "adapter",
                           dtype: .float64, status: .error, message: "")
    switch adapter.judge(line: line, c, start) {
    case let .judged(r): if r.status != .pass && r.status != .unsupported && r.message.isEmpty { fatalError("a \(r.status) without a message") }
    case let .fault(message, _, _): if message.isEmpty { fatalError("a fault without a message") }
    }
    return 0
}

if let dir = ProcessInfo.processInfo.environment["DESCENT_FUZZ_WRITE_SEEDS"] { writeSeeds(to: dir); exit(0) }
_ = cases

// libFuzzer's driver with this target (SwiftPM gives an executable its own entry point).
var argc = CommandLine.argc
var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
exit(LLVMFuzzerRunDriver(&argc, &argv) { data, size in descentAdapterReplyFuzz(data ?? UnsafePointer(bitPattern: 1)!, size) })
