// FixtureFuzz.swift — libFuzzer target for the fixture decoder: any bytes are read as a fixture
// file (JSON → FixtureLoader.load: every kind — optimizer, schedule, training, validation) and
// every case that loads is run on the naive implementation in float64 (with no diagnosis, to keep
// executions fast). Nothing may trap: a file loads or throws FixtureFileError, a bad case is a
// BrokenCase with a message, and a case that cannot run is an error result with a message.
// Built and run by .ci/fuzz/run.sh fixture.
import Foundation
import DescentJSON
import FuzzDriver
@testable import DescentHarness

nonisolated(unsafe) let verifier: Verifier = {
    var v = Verifier(implementations: [EngineImplementation(.naive, summary: "")], dtypes: [.float64])
    v.diagnose = false
    return v
}()

func descentFixtureFuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let json = try? JSON.parse(bytes: bytes) else { return 0 }
    let file: FixtureFile
    do {
        file = try FixtureLoader.load(json: json, path: "fuzz.json")
    } catch let e as FixtureFileError {
        if e.message.isEmpty { fatalError("a file error without a message") }
        return 0
    } catch {
        fatalError("the loader threw \(type(of: error)), not FixtureFileError: \(error)")
    }
    for b in file.broken where b.message.isEmpty { fatalError("a broken case without a message: \(b.id)") }
    for r in verifier.run(file) where r.status == .error && r.message.isEmpty {
        fatalError("an error result without a message: \(r.id)")
    }
    return 0
}

// libFuzzer's driver with this target (SwiftPM gives an executable its own entry point).
var argc = CommandLine.argc
var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
exit(LLVMFuzzerRunDriver(&argc, &argv) { data, size in descentFixtureFuzz(data ?? UnsafePointer(bitPattern: 1)!, size) })
