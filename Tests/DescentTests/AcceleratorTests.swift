// AcceleratorTests.swift — the AVX-512 and AVX2 loops chosen at run time (Accelerator.swift,
// DescentAVX512, DescentAVX2).
//
// • every element-wise kernel DescentCore defines has its line in Loops.swift (a kernel without
//   one silently runs the slower baseline loop), which both wide modules compile;
// • the choice: the widest instruction set the CPU reports (avx512f, avx2), or the one
//   DESCENT_VECTOR_ISA names when the CPU runs it;
// • isolation: every weak or global function a wide module's object code defines is either this
//   module's own (its name mentions the module) or contains no vector instruction at all — so
//   the linker, which keeps one copy of each weak symbol for the whole program, can never hand an
//   AVX-512 copy of shared code to the baseline paths (they must run on CPUs without AVX-512);
//   and vector code appears only in the loops and the closures that call them, so building the
//   table and asking `isCompiled` are safe on any CPU.
// (Bit-identity of the AVX-512 and baseline loops on every fixture optimizer: EngineTests.)
import Foundation
import Testing
import DescentTestSupport
import DescentVectorLoops
@testable import DescentCore
import DescentAVX2
import DescentAVX512
import DescentKit

private let packageRoot = repositoryRoot

/// Runs a tool found on PATH; stdout, or nil when it cannot run or fails.
private func tool(_ name: String, _ args: [String], input: String? = nil) -> String? {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = [name] + args
    let out = Pipe(), inp = Pipe()
    p.standardOutput = out
    p.standardError = FileHandle.nullDevice
    if input != nil { p.standardInput = inp }
    do { try p.run() } catch { return nil }
    if let input {
        DispatchQueue.global().async {
            inp.fileHandleForWriting.write(Data(input.utf8))
            try? inp.fileHandleForWriting.close()
        }
    }
    let data = out.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return p.terminationStatus == 0 ? String(decoding: data, as: UTF8.self) : nil
}

@Suite("Accelerated loops")
struct AcceleratorTests {
    /// `public struct XKernel<Scalar: DescentFloat>: ElementwiseKernel` in DescentCore's sources.
    private func coreKernels() throws -> [String] {
        let core = packageRoot.appendingPathComponent("Sources/DescentCore")
        let files = FileManager.default.enumerator(atPath: core.path)?.compactMap { $0 as? String }.filter { $0.hasSuffix(".swift") } ?? []
        var names: [String] = []
        let pattern = try Regex(#"struct (\w+)<Scalar: DescentFloat>: ElementwiseKernel"#)
        for f in files {
            let text = try String(contentsOf: core.appendingPathComponent(f), encoding: .utf8)
            for m in text.matches(of: pattern) { names.append(String(m.output[1].substring ?? "")) }
        }
        return names.sorted()
    }

    @Test("every element-wise kernel of DescentCore has its loop in the AVX-512 and AVX2 tables")
    func coverage() throws {
        let kernels = try coreKernels()
        #expect(kernels.count >= 25, "kernels found: \(kernels)")
        let loops = packageRoot.appendingPathComponent("Sources/DescentAVX512/Loops.swift")
        let source = try String(contentsOf: loops, encoding: .utf8)
        let missing = kernels.filter { !source.contains("both(a, \($0)<Float>.self, \($0)<Double>.self)") }
        #expect(missing.isEmpty, "add `both(a, K<Float>.self, K<Double>.self)` to Sources/DescentAVX512/Loops.swift for: \(missing)")
        // DescentAVX2 compiles the same file (a symbolic link, not a copy that could drift).
        let link = packageRoot.appendingPathComponent("Sources/DescentAVX2/Loops.swift").path
        #expect((try? FileManager.default.destinationOfSymbolicLink(atPath: link)) == "../DescentAVX512/Loops.swift")
        #if arch(x86_64)
        for table in [AVX512.table(), AVX2.table()] {
            #expect(table.kernelCount == 2 * kernels.count, "\(table.isa)")
            #expect(table.covers(AdamKernel<Float>.self) && table.covers(SGDKernel<Double>.self))
        }
        #endif
    }

    @Test("the widest instruction set the CPU runs is chosen, or the one DESCENT_VECTOR_ISA names if it runs")
    func choice() {
        let avx512 = CPUFeatures(model: "test", cores: 2, flags: ["sse2", "avx2", "avx512f"], caches: [])
        let avx2 = CPUFeatures(model: "test", cores: 2, flags: ["sse2", "avx", "avx2"], caches: [])
        let sse2 = CPUFeatures(model: "test", cores: 2, flags: ["sse2"], caches: [])
        #if arch(x86_64)
        #expect(VectorLoops.choose(cpu: avx512, environment: [:]) == .avx512)
        #expect(VectorLoops.choose(cpu: avx2, environment: [:]) == .avx2)
        #expect(VectorLoops.choose(cpu: avx512, environment: ["DESCENT_VECTOR_ISA": "avx2"]) == .avx2)
        #expect(VectorLoops.choose(cpu: avx2, environment: ["DESCENT_VECTOR_ISA": "avx512"]) == .avx2)   // cannot: widest it runs
        #endif
        #expect(VectorLoops.choose(cpu: sse2, environment: [:]) == .baseline)
        #expect(VectorLoops.choose(cpu: sse2, environment: ["DESCENT_VECTOR_ISA": "avx2"]) == .baseline)
        #expect(VectorLoops.choose(cpu: avx512, environment: ["DESCENT_VECTOR_ISA": "baseline"]) == .baseline)
        #expect(VectorLoops.table(.baseline) == nil)
        // What this process chose is what the CPU offers.
        _ = installedLoops
        #expect(Implementations.isa == VectorLoops.choose())
        #expect(VectorizedEngine.isa == Implementations.isa)
    }

    @Test("the wide modules define no shared function with vector instructions (the linker cannot mix ISAs)",
          .enabled(if: AVX512.isCompiled && AVX2.isCompiled, "the wide modules are compiled for their ISAs on x86_64 only"),
          arguments: [("DescentAVX512", "%zmm"), ("DescentAVX2", "%ymm")])
    func isolation(module: String, register: String) throws {
        // The debug build's objects (the wide modules are compiled with -O even there, Package.swift).
        let dir = packageRoot.appendingPathComponent(".build/debug/\(module).build")
        let objects = (try? FileManager.default.contentsOfDirectory(atPath: dir.path))?.filter { $0.hasSuffix(".swift.o") } ?? []
        try #require(!objects.isEmpty, "no object files in \(dir.path) (tests expect the default build directory)")
        var functions = 0, vectorFunctions = 0, adamLoops = 0
        for o in objects {
            let path = dir.appendingPathComponent(o).path
            let nm = try #require(tool("nm", ["--defined-only", path]), "nm (binutils) is needed")
            let symbols = nm.split(separator: "\n").compactMap { line -> String? in
                let f = line.split(separator: " ")
                return f.count == 3 && (f[1] == "W" || f[1] == "T") ? String(f[2]) : nil
            }
            functions += symbols.count
            let demangled = try #require(tool("swift-demangle", [], input: symbols.joined(separator: "\n")),
                                         "swift-demangle (the toolchain's) is needed").split(separator: "\n").map(String.init)
            try #require(demangled.count == symbols.count)
            // This module's own: its name is in the symbol (a type of it, or an extension in it,
            // e.g. `(extension in DescentAVX512):DescentCore.VectorizedEngine.GemmMAdd`).
            let shared = Set(zip(symbols, demangled).filter { !$0.1.contains("\(module).") && !$0.1.contains("(extension in \(module))") }.map(\.0))
            // The float32 Adam loop (the benchmark's headline), to look at its instructions.
            let adam = Set(zip(symbols, demangled).filter {
                $0.1.hasPrefix("generic specialization <\(module).Wide<DescentCore.AdamKernel<Swift.Float>>> of static DescentCore.VectorizedEngine.run")
            }.map(\.0))
            #expect(shared.count < 10, "\(o): \(shared.count) shared functions: \(shared.sorted().prefix(10))")
            // Instructions per function, from one disassembly.
            let asm = try #require(tool("objdump", ["-d", "--no-show-raw-insn", path]), "objdump (binutils) is needed")
            var current: String?, offenders: [String: String] = [:], counted = Set<String>(), adamInstructions: [String] = []
            for line in asm.split(separator: "\n") {
                if line.hasSuffix(">:"), let lt = line.firstIndex(of: "<") {
                    current = String(line[line.index(after: lt)..<line.index(line.endIndex, offsetBy: -2)])
                    continue
                }
                guard let name = current, line.contains(":\t") else { continue }
                let insn = line.split(separator: "\t", maxSplits: 1).last.map(String.init) ?? ""
                if adam.contains(name) { adamInstructions.append(insn) }
                let vector = insn.contains("%zmm") || insn.contains("%ymm") || insn.contains("%xmm") || insn.hasPrefix("v")
                guard vector else { continue }
                if counted.insert(name).inserted { vectorFunctions += 1 }
                if shared.contains(name), offenders[name] == nil { offenders[name] = insn }
            }
            #expect(offenders.isEmpty, "\(o): shared functions with vector instructions: \(offenders)")
            // Building the table (AVX512.table(), which the tests call on any CPU) and
            // `isCompiled` must run without AVX: vector code only in the loops and in the
            // closures that call them once installed.
            let vectorNames = counted.sorted()
            let vectorDemangled = try #require(tool("swift-demangle", [], input: vectorNames.joined(separator: "\n")))
                .split(separator: "\n").map(String.init)
            // (Clang's intrinsic wrappers, `_mm512_fmadd_ps` …, are called only from the loops.)
            let setup = vectorDemangled.filter {
                !$0.contains("closure #") && !$0.contains("DescentCore.VectorizedEngine.") && !$0.hasPrefix("_mm512_") && !$0.hasPrefix("_mm256_")
            }
            #expect(setup.isEmpty, "\(o): vector instructions outside the loops: \(setup.prefix(5))")
            if !adam.isEmpty {
                // Packed square roots and divisions on the module's registers (the baseline build
                // runs four 128-bit sqrtps/divps per lane operation; the standard library's
                // SIMD16<Float>.squareRoot() would be 16 scalar sqrtss). The scalar tail adds
                // vsqrtss (with its sqrtf fallback for negative inputs) and a few xmm operations.
                adamLoops += 1
                #expect(adamInstructions.contains { $0.hasPrefix("vsqrtps") && $0.contains(register) }, "\(module): no vsqrtps \(register) in the float32 Adam loop")
                #expect(adamInstructions.contains { $0.hasPrefix("vdivps") && $0.contains(register) }, "\(module): no vdivps \(register) in the float32 Adam loop")
            }
        }
        #expect(adamLoops == 1, "the float32 Adam loop was not found among \(module)'s functions")
        // The check saw the loops: 29 kernels × 2 dtypes specialised, with vector code.
        #expect(functions > 100, "only \(functions) functions — were the loops specialised?")
        #expect(vectorFunctions >= 58, "vector code in only \(vectorFunctions) functions")
    }
}
