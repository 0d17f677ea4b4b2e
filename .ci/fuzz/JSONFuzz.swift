// JSONFuzz.swift — libFuzzer target for Descent's JSON reader (Sources/DescentJSON/JSON.swift):
// any bytes must parse or throw JSONParseError, never trap; what parses must serialise and parse
// back to the same value. Built and run by .ci/fuzz/run.sh json (swiftc -sanitize=fuzzer,address).
import Foundation
import DescentJSON
import FuzzDriver

func descentJSONFuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let v = try? JSON.parse(bytes: bytes) else { return 0 }
    let text = v.serialized()
    guard let again = try? JSON.parse(text) else { fatalError("serialised JSON does not parse: \(text.prefix(200))") }
    if again != v { fatalError("round trip changed the value: \(text.prefix(200))") }
    _ = v.serialized(pretty: true)
    // The accessors the loaders use on every value.
    if let a = v.arrayValue { for x in a.prefix(64) { _ = x.intValue; _ = x.doubleValue; _ = x.kindName } }
    if let o = v.objectValue { for (k, x) in o.prefix(64) { _ = v[k]; _ = x.intValue } }
    return 0
}

// libFuzzer's driver with this target (SwiftPM gives an executable its own entry point).
var argc = CommandLine.argc
var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
exit(LLVMFuzzerRunDriver(&argc, &argv) { data, size in descentJSONFuzz(data ?? UnsafePointer(bitPattern: 1)!, size) })
