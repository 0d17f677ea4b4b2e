// LowPrecisionReplayTests.swift — the bf16/fp16 goldens of torch's three CPU paths
// (fixtures/torch/lowp/, reference/gen_lowp_torch.py) replayed at 0 ulps on every engine, the
// ulp distance, the loader's checks of `low_precision`, the float32/float64 kernels untouched by
// it, and the low-precision known-wrong variants caught and named.
import Foundation
import Testing
import DescentTestSupport
@testable import DescentCore
@testable import DescentConformance
import DescentJSON

private let lowpFiles = ["torch/lowp/Adam.json", "torch/lowp/AdamW.json", "torch/lowp/SGD.json"]

@Suite struct LowPrecisionReplayTests {
    @Test func everyLowPrecisionGoldenPassesAtZeroULPsOnEveryEngine() throws {
        let implementations: [any Implementation] = [
            EngineImplementation(.naive, summary: ""),
            EngineImplementation(Engine(.vectorized, threads: 2), name: "vectorized", summary: ""),
            EngineImplementation(Engine(.vectorized, threads: 1, loops: .baseline), name: "vectorized-baseline", summary: ""),
        ] + (BLASEngine.isAvailable ? [EngineImplementation(Engine(.blas, threads: 1), name: "blas", summary: "")] : [])
        var paths: Set<String> = []
        for file in lowpFiles {
            let results = Verifier(implementations: implementations, dtypes: [.float64, .float32]).run(try loadFixtureFile(file))
            #expect(results.count >= 18 * implementations.count)
            for r in results {
                #expect(r.status == .pass, "\(r.id) [\(r.implementation), \(r.precisionName)]: \(r.status) \(r.message)")
                #expect(r.storage != nil && r.dtype == .float32 && r.maxULPs == 0, "\(r.id): \(String(describing: r.storage)) \(r.dtype) \(String(describing: r.maxULPs))")
                if let p = r.ran.range(of: "arithmetic") { paths.insert(String(r.ran[..<p.lowerBound].split(separator: " ").last ?? "")) }
            }
        }
        #expect(paths == ["for_loop", "foreach", "fused"])
    }

    @Test func aFloat16EpsUnderflowIsNaNOnThePerOpPathsAndFiniteOnFused() throws {
        let file = try loadFixtureFile("torch/lowp/Adam.json")
        func expected(_ id: String) throws -> [Double] {
            for case let .optimizer(c) in file.cases where c.id == id { return c.steps[0].expected[0] }
            throw DescentError.unsupported("no case \(id)")
        }
        #expect(try expected("torch/lowp/Adam/float16-for_loop-zero-grad-eps")[0].isNaN)
        #expect(try expected("torch/lowp/Adam/float16-foreach-zero-grad-eps")[0].isNaN)
        #expect(try expected("torch/lowp/Adam/float16-fused-zero-grad-eps").allSatisfy(\.isFinite))
    }

    @Test func ulpDistanceCountsValuesOfTheFormat() {
        let b = StorageFormat.bfloat16, h = StorageFormat.float16
        #expect(b.ulpDistance(expected: 1, actual: 1) == 0)
        #expect(b.ulpDistance(expected: 1, actual: 1 + 0x1p-7) == 1)
        #expect(b.ulpDistance(expected: 1, actual: 1 - 0x1p-8) == 1)
        #expect(b.ulpDistance(expected: 0, actual: -0.0) == 0)
        #expect(h.ulpDistance(expected: 0x1p-24, actual: -0x1p-24) == 2)   // across zero
        #expect(h.ulpDistance(expected: 65504, actual: .infinity) == 1)
        #expect(h.ulpDistance(expected: .nan, actual: -.nan) == 0)
        #expect(h.ulpDistance(expected: 1, actual: .nan) == .infinity)
        #expect(b.represents(0.59765625) && !b.represents(0.1) && h.represents(0x1p-24) && !h.represents(0x1p-26))
    }

    private func loadCase(_ edit: (inout [(String, JSON)]) -> Void) throws -> FixtureFile {
        var doc = try JSON.parse(String(contentsOf: fixturesURL.appendingPathComponent("torch/lowp/SGD.json"), encoding: .utf8))
        guard case var .object(top) = doc, let i = top.firstIndex(where: { $0.0 == "cases" }),
              case let .array(cases) = top[i].1, case var .object(c) = cases[0] else { throw DescentError.unsupported("SGD.json") }
        edit(&c)
        top[i].1 = .array([.object(c)])
        doc = .object(top)
        return try FixtureLoader.load(json: doc, path: "edited.json")
    }

    @Test func theLoaderNamesAValueThatIsNotInTheDtype() throws {
        let f = try loadCase { c in
            let k = c.firstIndex { $0.0 == "params" }!
            guard case var .array(ps) = c[k].1, case var .object(p0) = ps[0], case var .array(vals) = p0[1].1 else { return }
            vals[2] = JSON(0.1)
            p0[1].1 = .array(vals); ps[0] = .object(p0); c[k].1 = .array(ps)
        }
        #expect(f.cases.isEmpty && f.broken.count == 1)
        #expect(f.broken.first?.message.contains("params[0].values[2]") == true, "\(f.broken.first?.message ?? "")")
        #expect(f.broken.first?.message.contains("0.1 is not a bfloat16 value") == true)
        let g = try loadCase { c in
            let k = c.firstIndex { $0.0 == "optimizer" }!
            c[k].1 = try! JSON.parse(#"{"convention": "torch", "name": "SGD", "hyperparameters": {"lr": 0.01, "foreach": true}}"#)
        }
        #expect(g.broken.first?.message.contains("hyperparameters.foreach") == true, "\(g.broken.first?.message ?? "")")
        let u = try loadCase { c in
            let k = c.firstIndex { $0.0 == "low_precision" }!
            c[k].1 = try! JSON.parse(#"{"param_dtype": "bfloat16", "path": "xla"}"#)
        }
        let r = Verifier(implementations: [EngineImplementation(.naive, summary: "")]).run(u)
        #expect(r.count == 1 && r[0].status == .unsupported && r[0].message.contains("xla"), "\(r.map(\.message))")
    }

    @Test func theFloatKernelsDoNotSeeStorage() throws {
        // A family without storage builds the float32/float64 steppers as before; with storage it
        // refuses float64 arithmetic.
        var a = AdamFamily(form: .torch)
        #expect(throws: Never.self) { _ = try a.makeStepper(Double.self, shapes: [[3]], engine: .naive) }
        a.storage = LowPrecisionSetup(params: .bfloat16, state: .bfloat16, path: .fused)
        #expect(throws: DescentError.self) { _ = try a.makeStepper(Double.self, shapes: [[3]], engine: .naive) }
        #expect(a.summary.contains("bfloat16 params"))
    }

    @Test func everyLowPrecisionVariantIsCaughtAndNamed() throws {
        try expectEveryVariantCaught(files: lowpFiles, variants: lowPrecisionVariants, count: 6)
        let file = try loadFixtureFile("torch/lowp/Adam.json")
        for v in lowPrecisionVariants {
            let failing = Verifier(implementations: [v]).run(file).filter { $0.status == .fail }
            #expect(!failing.isEmpty, "\(v.id) fails no Adam case")
            #expect(failing.contains { $0.diagnosis.contains { $0.contains("`\(v.id)`") } }, "\(v.id) is not named by the diagnosis")
        }
    }
}
