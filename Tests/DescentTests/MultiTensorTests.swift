// MultiTensorTests.swift — one element-wise pass over a whole parameter list (MultiTensor.swift)
// and the worker pool under it (WorkerPool.swift).
//
// • the list pass is bit-identical to naive tensor by tensor, for lists whose tensors are empty,
//   shorter than a lane, lane-aligned or not, with pieces that cut tensors and span several,
//   at 1, 2 and 3 threads, on every loop set this CPU runs;
// • the pool runs every chunk of every region exactly once, region after region, and when
//   several threads call it at once (the busy fallback);
// • the model shape lists have the published tensor and parameter counts.
import Foundation
import Synchronization
import Testing
import DescentVectorLoops
@testable import DescentCore
@testable import DescentConformance
@testable import DescentLab
@testable import DescentCLI

@Suite("Multi-tensor pass", .serialized)
struct MultiTensorTests {
    private func values<T: DescentFloat>(_ n: Int, _ rng: inout SplitMix64, _: T.Type) -> Buffer<T> {
        Buffer<T>(converting: (0..<n).map { _ in rng.value() })
    }

    @Test("a list pass is bit-identical to naive tensor by tensor (Adam with a decay mask, SGD+momentum; 1–3 threads; every loop set)",
          arguments: DType.allCases)
    func bitIdentical(dtype: DType) {
        switch dtype {
        case .float64: check(Double.self)
        case .float32: check(Float.self)
        }
    }

    private func check<T: DescentFloat>(_: T.Type) {
        _ = Implementations.isa
        let saved = VectorizedEngine.parallelThreshold
        VectorizedEngine.parallelThreshold = 1
        defer { VectorizedEngine.parallelThreshold = saved }
        let sizes = [0, 1, 15, 64, 65, 1000, 4097, 3, 20_000, 130]
        var family = AdamFamily(form: .torch)
        family.decay = .decoupled(0.01)
        family.decayMask = sizes.indices.map { $0 % 3 != 0 }
        let mask = family.decayMask!
        for isa in VectorISA.allCases where VectorLoops.runs(isa) {
            for threads in [1, 2, 3] {
                var rng = SplitMix64(seed: UInt64(7 + threads))
                let p0 = sizes.map { values($0, &rng, T.self) }, g = sizes.map { values($0, &rng, T.self) }
                let m0 = sizes.map { values($0, &rng, T.self) }, v0 = sizes.map { n in Buffer<T>(converting: (0..<n).map { _ in Swift.abs(rng.value()) }) }
                let engine = Engine(.vectorized, threads: threads, loops: VectorLoops.table(isa).map { .table($0) } ?? .baseline)
                for step in 1...3 {
                    var k: AdamKernel<T> = family.kernel(step: step, lr: 0.01)
                    var masked = k
                    masked.decoupled = 0; masked.decayFactor = 1
                    if step == 3 { k.lr = 0.5 }
                    let want = (p0.map { $0.clone() }, m0.map { $0.clone() }, v0.map { $0.clone() })
                    let got = (p0.map { $0.clone() }, m0.map { $0.clone() }, v0.map { $0.clone() })
                    for i in sizes.indices { NaiveEngine.map(mask[i] ? k : masked, want.0[i], g[i], [want.1[i], want.2[i]]) }
                    engine.map(perTensor: { mask[$0] ? k : masked }, got.0, g, [got.1, got.2])
                    for i in sizes.indices {
                        for (w, x, name) in [(want.0[i], got.0[i], "p"), (want.1[i], got.1[i], "m"), (want.2[i], got.2[i], "v")] {
                            let d = (0..<w.count).first { Double(w[$0]).bitPattern != Double(x[$0]).bitPattern }
                            #expect(d == nil, "\(T.self) \(isa) \(threads) threads step \(step) tensor \(i) \(name)[\(d ?? -1)]")
                        }
                    }
                }
                // SGD with momentum through the list overload with one kernel.
                let sgd = SGDKernel<T>(lr: 0.1, weightDecay: 0.01, maximize: false, momentum: 0.9, keep: 1, nesterov: true,
                                       lrInside: false, initialise: true)
                let want = (p0.map { $0.clone() }, m0.map { $0.clone() }), got = (p0.map { $0.clone() }, m0.map { $0.clone() })
                for i in sizes.indices { NaiveEngine.map(sgd, want.0[i], g[i], [want.1[i]]) }
                engine.map(sgd, got.0, g, [got.1])
                for i in sizes.indices {
                    let wp = want.0[i], wm = want.1[i], gp = got.0[i], gm = got.1[i]
                    let d = (0..<sizes[i]).first { e in
                        Double(wp[e]).bitPattern != Double(gp[e]).bitPattern || Double(wm[e]).bitPattern != Double(gm[e]).bitPattern
                    }
                    #expect(d == nil, "\(T.self) \(isa) \(threads) threads SGD tensor \(i) element \(d ?? -1)")
                }
            }
        }
    }

    @Test("the worker pool runs every chunk of every region once, also with several callers at once")
    func pool() {
        let pool = WorkerPool.shared
        let counts = Buffer<Double>(zeros: 64)
        for region in 0..<2000 {
            let chunks = 1 + region % 37
            let ptr = UncheckedBox(counts.pointer)
            pool.run(chunks: chunks, threads: 2) { c in ptr.value[c] += 1 }
            for c in 0..<64 {
                #expect(counts[c] == (c < chunks ? 1 : 0), "region \(region) chunk \(c): ran \(counts[c]) times")
                counts[c] = 0
            }
        }
        // Several threads at once: one gets the pool, the others fall back; all chunks run once.
        let total = Atomic<Int>(0)
        DispatchQueue.concurrentPerform(iterations: 4) { _ in
            for _ in 0..<300 {
                let seen = Atomic<Int>(0)
                WorkerPool.shared.run(chunks: 9, threads: 2) { c in seen.add(1 << (3 * (c % 7)), ordering: .relaxed) }
                total.add(seen.load(ordering: .relaxed) == (0..<9).reduce(0) { $0 + (1 << (3 * ($1 % 7))) } ? 1 : 0, ordering: .relaxed)
            }
        }
        #expect(total.load(ordering: .relaxed) == 1200)
    }

    @Test("model parameter lists: GPT-2 small 148 tensors / 124,439,808, ResNet-50 161 / 25,557,032, BERT-base 199 / 109,482,240, ViT-B/16 152 / 86,567,656; files parse or name the line")
    func models() throws {
        let gpt2 = try #require(ModelShapes.builtIn("gpt2")), resnet = try #require(ModelShapes.builtIn("resnet50"))
        let bert = try #require(ModelShapes.builtIn("bert-base"))
        #expect(gpt2.shapes.count == 148 && gpt2.parameterCount == 124_439_808)
        #expect(resnet.shapes.count == 161 && resnet.parameterCount == 25_557_032)
        #expect(resnet.shapes.filter { $0.reduce(1, *) < 512 * 1024 }.count == 143)
        #expect(bert.shapes.count == 199 && bert.parameterCount == 109_482_240)
        let vit = try #require(ModelShapes.builtIn("vit-b-16"))
        #expect(vit.shapes.count == 152 && vit.parameterCount == 86_567_656)
        #expect(vit.shapes.filter { $0.count == 1 }.count == 100)
        let m = try ModelShapes.parse("# a model\n768x2304\n\n 64 \n3x3x64x64 # conv\n", name: "m.txt")
        #expect(m.shapes == [[768, 2304], [64], [3, 3, 64, 64]] && m.name == "m")
        #expect(throws: ShapesError.self) { try ModelShapes.parse("768x\n", name: "bad.txt") }
        do { _ = try ModelShapes.parse("10\n0x3\n", name: "bad.txt") } catch let e as ShapesError {
            #expect(e.message.hasPrefix("bad.txt:2:"))
        }
        #expect(throws: ShapesError.self) { try ModelShapes.parse("# nothing\n", name: "empty.txt") }
    }
}
