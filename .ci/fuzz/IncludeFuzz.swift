// IncludeFuzz.swift — libFuzzer target for the `--include` reader (BenchInclude.parse: another
// library's descent-bench/1 rows, e.g. reference/bench/'s torch and optax timings): any bytes load
// or throw BenchIncludeError naming the file; never a trap. What loads is rendered (Markdown, text,
// JSON) as `descent bench --no-run --include` does. Built and run by .ci/fuzz/run.sh include.
import Foundation
import DescentJSON
import FuzzDriver
@testable import DescentHarness

func descentIncludeFuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    do {
        let included = try BenchInclude.parse(text, file: "fuzz.json")
        // As `descent bench --no-run --include fuzz.json` renders it.
        var report = BenchReport(machine: [], bandwidth: [], results: [], skipped: [], memory: [])
        report.included = [included]
        _ = BenchRender.markdown(report, command: "descent bench --no-run --include fuzz.json")
        _ = BenchRender.text(report)
        _ = BenchRender.json(report)
    } catch let e as BenchIncludeError {
        if !e.description.hasPrefix("fuzz.json: ") { fatalError("an error that does not name the file: \(e)") }
    } catch {
        fatalError("the reader threw \(type(of: error)), not BenchIncludeError: \(error)")
    }
    return 0
}

// libFuzzer's driver with this target (SwiftPM gives an executable its own entry point).
var argc = CommandLine.argc
var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
exit(LLVMFuzzerRunDriver(&argc, &argv) { data, size in descentIncludeFuzz(data ?? UnsafePointer(bitPattern: 1)!, size) })
