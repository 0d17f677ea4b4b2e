// EngineTests.swift — the vectorized and BLAS engines against the naive one.
//
// • vectorized vs naive: BIT-IDENTICAL parameters and state on random trajectories, for every
//   optimizer configuration that appears in fixtures/ (so every kernel the families define), in
//   float32 and float64, on tensors that exercise the SIMD loop and the scalar tail, with 1 and 2
//   threads (the parallel threshold lowered so the threaded path runs on small tensors).
// • reruns are bit-identical; SIMD lane semantics match the scalar Lane (NaN, ±0, signum).
// • vectorized dot: |Δ| ≤ γₙ·Σ|xᵢyᵢ| (summation order differs); axpy/scal bit-identical.
// • blas vs naive: dot/nrm2 within γₙ·Σ|xᵢyᵢ| (nrm2: relative 2γₙ), axpy within ε·(|a·x|+|y|),
//   scal exact, gemm within γₖ·Σ|a||b| per entry. Without BLAS these are skipped — unless
//   DESCENT_REQUIRE_BLAS=1, when they FAIL.
import Foundation
import Testing
import DescentTestSupport
import Synchronization
import DescentVectorLoops
@testable import DescentCore
@testable import DescentConformance
@testable import DescentLab
@testable import DescentCLI
import DescentJSON

private let fixturesRoot = fixturesURL

/// Test values from the harness's splitmix64 generator (Checks/Check.swift).
extension SplitMix64 {
    /// Uniform in [−1, 1), with exact zeros and a few large values mixed in.
    mutating func value() -> Double {
        let u = Double(next() >> 11) / Double(1 << 53) * 2 - 1
        switch next() % 32 {
        case 0: return 0
        case 1: return u * 1e3
        case 2: return u * 1e-4
        default: return u
        }
    }
}

/// Every distinct optimizer call (convention, name, hyperparameters) in the fixture files, with
/// the tensor shapes of its first case (masks and matrix optimizers depend on them).
private let fixtureOptimizers: [(convention: String, name: String, hyperparameters: JSON?, shapes: [[Int]])] = {
    var seen = Set<String>(), out: [(String, String, JSON?, [[Int]])] = []
    let files = FileManager.default.enumerator(atPath: fixturesRoot.path)?.compactMap { $0 as? String }
        .filter { $0.hasSuffix(".json") && !$0.contains("schedules") }.sorted() ?? []
    for f in files {
        guard let text = try? String(contentsOf: fixturesRoot.appendingPathComponent(f), encoding: .utf8),
              let json = try? JSON.parse(text), let cases = json["cases"]?.arrayValue else { continue }
        for c in cases where c["expected_error"] == nil {   // (an error case may fail only at makeStepper)
            guard let o = c["optimizer"], let conv = o["convention"]?.stringValue, let name = o["name"]?.stringValue else { continue }
            let h = o["hyperparameters"]
            let key = "\(conv)|\(name)|\(h?.serialized(pretty: false) ?? "")"
            let shapes = c["params"]?.arrayValue?.map { $0["shape"]?.arrayValue?.compactMap(\.intValue) ?? [] } ?? [[4]]
            if seen.insert(key).inserted { out.append((conv, name, h, shapes)) }
        }
    }
    return out
}()

/// The value's bytes (bit-pattern equality for generic floats).
private func bytes<T: DescentFloat>(_ x: T) -> [UInt8] { withUnsafeBytes(of: x) { Array($0) } }

/// Bitwise equality, NaN equal to NaN.
func same<T: DescentFloat>(_ a: T, _ b: T) -> Bool {
    (a.isNaN && b.isNaN) || (a == b && a.sign == b.sign)
}

func firstDifference<T: DescentFloat>(_ a: Buffer<T>, _ b: Buffer<T>) -> Int? {
    (0..<a.count).first { !same(a[$0], b[$0]) }
}

/// Runs `steps` random steps of one optimizer on two engines; returns a mismatch description or nil.
private func compareEngines<T: DescentFloat>(_ spec: OptimizerSpec, _: T.Type, _ a: Engine, _ b: Engine,
                                             sizes: [Int], steps: Int, seed: UInt64) throws -> String? {
    try compareEngines(spec, T.self, a, b, shapes: sizes.map { [$0] }, steps: steps, seed: seed)
}

/// Values agree: bit for bit (`ulps` nil), or within ulps·ε·max(1, |x|) (NaN equal to NaN).
private func close<T: DescentFloat>(_ x: T, _ y: T, ulps: Double?) -> Bool {
    guard let ulps else { return same(x, y) }
    if x.isNaN || y.isNaN { return x.isNaN && y.isNaN }
    return Swift.abs(Double(x) - Double(y)) <= ulps * Double(T.ulpOfOne) * Swift.max(1, Swift.abs(Double(x)))
}

private func compareEngines<T: DescentFloat>(_ spec: OptimizerSpec, _: T.Type, _ a: Engine, _ b: Engine,
                                             shapes: [[Int]], steps: Int, seed: UInt64, ulps: Double? = nil) throws -> String? {
    func firstDifference(_ a: Buffer<T>, _ b: Buffer<T>) -> Int? { (0..<a.count).first { !close(a[$0], b[$0], ulps: ulps) } }
    let sizes = shapes.map { $0.reduce(1, *) }
    let sa = try spec.family.makeStepper(T.self, shapes: shapes, engine: a)
    let sb = try spec.family.makeStepper(T.self, shapes: shapes, engine: b)
    if sa.needsObjective { return nil }
    var rng = SplitMix64(seed: seed)
    let pa = sizes.map { n in Buffer<T>(converting: (0..<n).map { _ in rng.value() }) }
    let pb = pa.map { $0.clone() }
    for t in 0..<steps {
        let grads = sizes.map { n in Buffer<T>(converting: (0..<n).map { _ in rng.value() }) }
        let lr = t % 3 == 2 ? spec.lr * 0.5 : spec.lr
        sa.step(pa, grads.map { $0.clone() }, lr)
        sb.step(pb, grads.map { $0.clone() }, lr)
        for (i, (x, y)) in zip(pa, pb).enumerated() {
            if let j = firstDifference(x, y) { return "step \(t + 1): param tensor \(i)[\(j)]: \(x[j]) vs \(y[j])" }
        }
        for (s1, s2) in zip(sa.state(), sb.state()) {
            for (i, (x, y)) in zip(s1.buffers, s2.buffers).enumerated() {
                if let j = firstDifference(x, y) { return "step \(t + 1): state \(s1.name) tensor \(i)[\(j)]: \(x[j]) vs \(y[j])" }
            }
        }
    }
    return nil
}

/// The loops to compare trajectories with bit for bit: `loops` itself, except that a table whose
/// GEMM rounds differently from naive (AVX-512: fused multiply-adds, PackedGemm.swift) runs
/// without its GEMM (the engine then takes the baseline row product, which is naive's
/// arithmetic). Those GEMMs are checked on their own, within their stated bound
/// (`vectorizedGemm`), and on every fixture by `descent verify --implementation vectorized`.
func exactLoops(_ loops: LoopChoice = .installed) -> LoopChoice {
    guard let t = loops.table else { return loops }
    return t.exactGemm ? loops : .table(t.withoutGemm())
}

@Suite("Engines", .serialized)
struct EngineTests {
    /// Runs every fixture optimizer on naive and vectorized with vectors resized by `resize`
    /// (matrices keep their shape); returns (configurations run, failures).
    private func everyFixtureOptimizer(_ dtype: DType, vectors: [Int], ulps: Double?, fallbackUlps: Double? = nil,
                                       engines: (_ threads: Int) -> (Engine, Engine) = { (.naive, Engine(.vectorized, threads: $0, loops: exactLoops())) })
        throws -> (ran: Int, exact: Int, failures: [String]) {
        _ = installedLoops   // the run-time choice of loops is made (and installed) once
        var failures: [String] = [], ran = 0, exact = 0
        for (i, o) in fixtureOptimizers.enumerated() {
            guard let spec = try? Conventions.optimizer(convention: o.convention, name: o.name, hyperparameters: o.hyperparameters)
            else { continue }   // cases that expect an argument error
            let threads = i % 2 == 0 ? 1 : 2
            // pytorch_optimizer.Shampoo preconditions a 1-D tensor of n elements with an n×n matrix
            // root (an O(n³) eigen-decomposition per step): it keeps its fixture shapes.
            let dense = o.convention == "pytorch_optimizer" && o.name == "Shampoo"
            let shapes = o.shapes.enumerated().map { $0.element.count <= 1 && !dense ? [vectors[$0.offset % vectors.count]] : $0.element }
            let (a, b) = engines(threads)
            func run(_ shapes: [[Int]], _ ulps: Double?) throws -> String? {
                switch dtype {
                case .float64: return try compareEngines(spec, Double.self, a, b, shapes: shapes, steps: 12, seed: UInt64(i), ulps: ulps)
                case .float32: return try compareEngines(spec, Float.self, a, b, shapes: shapes, steps: 12, seed: UInt64(i), ulps: ulps)
                }
            }
            var used = shapes
            var r: String?
            do { r = try run(shapes, ulps) } catch { used = o.shapes; r = try run(o.shapes, ulps) }   // shapes the family insists on
            if r == nil { exact += 1 }
            // Reductions (norms in LAMB/LARS, …) sum in another order once a tensor is long enough
            // for the SIMD accumulators (≥ 64 Float / 32 Double elements): compare within a tolerance.
            let longTensor = used.contains { $0.reduce(1, *) >= 32 }
            if r != nil, let fallbackUlps, longTensor { r = try run(used, fallbackUlps) }
            ran += 1
            if let r { failures.append("\(o.convention)/\(o.name) \(o.hyperparameters?.serialized(pretty: false) ?? "{}"): \(r)") }
        }
        return (ran, exact, failures)
    }

    @Test("vectorized is bit-identical to naive for every fixture optimizer", arguments: DType.allCases)
    func vectorizedMatchesNaive(dtype: DType) throws {
        #expect(fixtureOptimizers.count > 20, "fixture optimizers found: \(fixtureOptimizers.count)")
        // 29 = 16 + 13 Float lanes = 3·8 + 5 Double lanes: SIMD loop and scalar tail; 7: tail only.
        // Below 32 elements the vectorized dot adds in naive's order, so even optimizers with norms
        // must agree bit for bit (matrices of 32+ elements are allowed the reduction tolerance).
        let (ran, _, failures) = try everyFixtureOptimizer(dtype, vectors: [29, 7, 23], ulps: nil, fallbackUlps: 1000)
        #expect(ran > 20)
        #expect(failures.isEmpty, "\(failures.count) mismatches:\n\(failures.prefix(10).joined(separator: "\n"))")
    }

    @Test("vectorized on long, threaded tensors: element-wise bit-identical, reductions within 1000 ε",
          arguments: DType.allCases)
    func vectorizedLongTensors(dtype: DType) throws {
        let saved = VectorizedEngine.parallelThreshold
        VectorizedEngine.parallelThreshold = 100
        defer { VectorizedEngine.parallelThreshold = saved }
        // 141 = 8·16 + 13 = 17·8 + 5; 300 is cut in two chunks (threads = 2 for every other optimizer).
        let (ran, exact, failures) = try everyFixtureOptimizer(dtype, vectors: [141, 7, 300], ulps: nil, fallbackUlps: 1000)
        #expect(ran > 20)
        // the rest: optimizers with norms (LAMB, LARS, NovoGrad's ‖g‖², Fromage's ratio, …); besides
        // those 20, optax.contrib dog / dowg / momo / momo_adam, whose step size is a ratio of sums
        // over every tensor (each of their fixture configurations may differ in the last bits).
        let globalSums = fixtureOptimizers.filter { $0.convention == "optax" && ["dog", "dowg", "momo", "momo_adam"].contains($0.name) }.count
        #expect(exact >= ran - 20 - globalSums, "only \(exact) of \(ran) bit-identical")
        #expect(failures.isEmpty, "\(failures.count) mismatches:\n\(failures.prefix(10).joined(separator: "\n"))")
    }

    @Test("AVX-512 loops are bit-identical to the baseline loops for every fixture optimizer, dot products included",
          .enabled(if: VectorLoops.runs(.avx512), "this CPU has no AVX-512F: those loops cannot run here"),
          arguments: DType.allCases)
    func avx512MatchesBaseline(dtype: DType) throws {
        _ = installedLoops
        try #require(VectorizedEngine.isa == VectorLoops.choose(), "the chosen loops were not installed")
        try wideMatchesBaseline(.avx512, dtype)
    }

    @Test("AVX2 loops are bit-identical to the baseline loops for every fixture optimizer, dot products included",
          .enabled(if: VectorLoops.runs(.avx2), "this CPU has no AVX2: those loops cannot run here"),
          arguments: DType.allCases)
    func avx2MatchesBaseline(dtype: DType) throws {
        try wideMatchesBaseline(.avx2, dtype)
    }

    /// `isa`'s table (used directly, not installed) against the baseline loops.
    private func wideMatchesBaseline(_ isa: VectorISA, _ dtype: DType) throws {
        let saved = VectorizedEngine.parallelThreshold
        VectorizedEngine.parallelThreshold = 100
        defer { VectorizedEngine.parallelThreshold = saved }
        let table = try #require(VectorLoops.table(isa))
        #expect(table.isa == isa && table.kernelCount >= 50)
        // Long tensors: the dot products' four 512-bit accumulators are in play (bit-identical
        // too: both loops add in the same block order), and 300 is cut in two chunks.
        let (ran, exact, failures) = try everyFixtureOptimizer(dtype, vectors: [141, 7, 300], ulps: nil) { threads in
            (Engine(.vectorized, threads: threads, loops: .baseline), Engine(.vectorized, threads: threads, loops: exactLoops(.table(table))))
        }
        #expect(ran > 20 && exact == ran)
        #expect(failures.isEmpty, "\(isa): \(failures.count) mismatches:\n\(failures.prefix(10).joined(separator: "\n"))")
    }

    @Test("vectorized reruns are bit-identical, threaded or not")
    func reruns() throws {
        let saved = VectorizedEngine.parallelThreshold
        VectorizedEngine.parallelThreshold = 64
        defer { VectorizedEngine.parallelThreshold = saved }
        for (conv, name) in [("torch", "Adam"), ("torch", "SGD"), ("optax", "rmsprop")] {
            let spec = try Conventions.optimizer(convention: conv, name: name,
                                                 hyperparameters: conv == "optax" ? try JSON.parse(#"{"learning_rate": 0.01}"#) : nil)
            let r1 = try compareEngines(spec, Float.self, Engine(.vectorized, threads: 2), Engine(.vectorized, threads: 2),
                                        sizes: [1000, 77], steps: 5, seed: 7)
            let r2 = try compareEngines(spec, Float.self, Engine(.vectorized, threads: 1), Engine(.vectorized, threads: 2),
                                        sizes: [1000, 77], steps: 5, seed: 8)
            #expect(r1 == nil && r2 == nil, "\(conv)/\(name): \(r1 ?? r2 ?? "")")
        }
    }

    @Test("SIMD lanes have the scalar Lane's semantics", arguments: DType.allCases)
    func laneSemantics(dtype: DType) {
        switch dtype {
        case .float64: checkLanes(Double.self)
        case .float32: checkLanes(Float.self)
        }
    }

    private func checkLanes<T: DescentFloat>(_: T.Type) {
        typealias V = SIMDLane<T>
        let w = V.scalarCount
        let specials: [T] = [0, -0.0, .nan, 1, -2, .infinity, -.infinity, .leastNonzeroMagnitude,
                             -.leastNonzeroMagnitude, 3.5, -0.25, .greatestFiniteMagnitude, 4, 1e-3, -7, 0.5]
        // Every ordered pair of specials, w pairs at a time.
        var pairs: [(T, T)] = []
        for a in specials { for b in specials { pairs.append((a, b)) } }
        while pairs.count % w != 0 { pairs.append((0, -0.0)) }
        for start in stride(from: 0, to: pairs.count, by: w) {
            let chunk = pairs[start..<start + w]
            let a = V(chunk.map(\.0)), b = V(chunk.map(\.1))
            let ops: [(String, V, (T, T) -> T)] = [
                ("maxNaN", V.maxNaN(a, b), { T.maxNaN($0, $1) }), ("minNaN", V.minNaN(a, b), { T.minNaN($0, $1) }),
                ("+", a + b, { $0 + $1 }), ("-", a - b, { $0 - $1 }), ("*", a * b, { $0 * $1 }), ("/", a / b, { $0 / $1 }),
                ("neg", -a, { a, _ in -a }), ("abs", a.absolute, { a, _ in a.absolute }),
                ("signum", a.signum, { a, _ in a.signum }), ("sqrt", a.squareRoot(), { a, _ in a.squareRoot() }),
                ("ifPositive", V.ifPositive(a, b, -a), { T.ifPositive($0, $1, -$0) }),
                ("ifZero", V.ifZero(a, b, -a), { T.ifZero($0, $1, -$0) }),
            ]
            for (name, v, f) in ops {
                for (l, (x, y)) in chunk.enumerated() {
                    let want = f(x, y), got = v[l]
                    // maxNaN/minNaN/signum/abs/neg must match bit for bit, NaN payload included.
                    let exact = bytes(want) == bytes(got) || (want.isNaN && got.isNaN && !["maxNaN", "minNaN", "signum", "abs", "neg", "ifPositive", "ifZero"].contains(name))
                    #expect(exact, "\(T.self) \(name)(\(x), \(y)): lane \(got) vs scalar \(want)")
                }
            }
        }
        // The documented fine points, stated directly.
        let z = V(repeating: 0), nz = V(repeating: -0.0), nan = V(repeating: .nan), one = V(repeating: 1)
        #expect(V.maxNaN(z, nz)[0].sign == .minus)          // a > b is false: returns b
        #expect(V.maxNaN(nz, z)[0].sign == .plus)
        #expect(V.maxNaN(nan, one)[0].isNaN && V.maxNaN(one, nan)[0].isNaN)
        #expect(V.minNaN(nan, one)[0].isNaN && V.minNaN(one, nan)[0].isNaN)
        #expect(nz.signum[0].sign == .minus && nz.signum[0] == 0)
        #expect(z.signum[0].sign == .plus && z.signum[0] == 0)
        #expect(nan.signum[0].isNaN)
        #expect((-z)[0].sign == .minus)                     // sign flip, not 0 − x
        #expect(V.ifPositive(nan, one, z)[0] == 0 && V.ifZero(nan, one, z)[0] == 0)   // NaN is neither > 0 nor 0
        #expect(V.ifZero(nz, one, z)[0] == 1 && V.ifPositive(nz, one, z)[0] == 0)     // −0 is 0, not > 0
    }

    @Test("vectorized gemm against naive's triple loop: bit-identical on the baseline and AVX2 loops, within 2·γₖ₊₂·(|α|·Σ|a||b| + |β·C|) on AVX-512's FMA tile (every transpose, SIMD and tail, k-blocks, row blocks, column panels, strides, 1 and 2 threads)",
          arguments: DType.allCases)
    func vectorizedGemm(dtype: DType) {
        _ = installedLoops
        switch dtype {
        case .float64: gemmCheck(Double.self)
        case .float32: gemmCheck(Float.self)
        }
    }

    private func gemmCheck<T: DescentFloat>(_: T.Type) {
        var rng = SplitMix64(seed: 99)
        // 37 columns: two 16-float lanes + a tail of 5 (Float), four 8-double lanes + 5 (Double);
        // 130×70×300: two k-blocks of the packed GEMM (KC 256, partial sums through its scratch),
        // two row blocks (MC 128) and a 2-row edge tile, and 2.73·10⁶ multiply-adds, past the 2²¹
        // threshold, so its rows run on 2 threads; 9×2100×3: two column panels (NC 2048);
        // k = 0: C ← β·C.
        #expect(130 * 70 * 300 >= VectorizedEngine.gemmParallelThreshold)
        for (m, n, k) in [(3, 37, 5), (17, 7, 29), (130, 70, 300), (9, 2100, 3), (5, 4, 0)] {
            for (ta, tb) in [(false, false), (true, false), (false, true), (true, true)] {
                for (alpha, beta) in [(T(1), T(0)), (T(-0.5), T(2))] {
                    let lda = (ta ? m : k) + 1, ldb = (tb ? k : n) + 2, ldc = n + 3   // strided
                    let a = Buffer<T>(converting: (0..<((ta ? k : m) * lda)).map { _ in rng.value() })
                    let b = Buffer<T>(converting: (0..<((tb ? n : k) * ldb)).map { _ in rng.value() })
                    let c0 = Buffer<T>(converting: (0..<(m * ldc)).map { _ in rng.value() })
                    let want = c0.clone()
                    NaiveEngine.gemm(transA: ta, transB: tb, m: m, n: n, k: k, alpha: alpha, a.pointer, lda: lda, b.pointer, ldb: ldb,
                                     beta: beta, want.pointer, ldc: ldc)
                    // 2·γₖ₊₂·(|α|·Σₗ|aᵢₗ·bₗⱼ| + |β·cᵢⱼ|) per entry (gamma() below is 2·γ): both sums
                    // within γₖ of the exact one, plus the final α·acc + β·C.
                    // Computed once per product, on first use (the AVX-512 check at 1 and 2 threads).
                    var bounds: [Double] = []
                    func bound(_ i: Int, _ j: Int) -> Double {
                        if bounds.isEmpty {
                            bounds = [Double](repeating: 0, count: m * n)
                            for r in 0..<m {
                                for c in 0..<n {
                                    var s = 0.0
                                    for l in 0..<k {
                                        let av = Double(ta ? a[l * lda + r] : a[r * lda + l]), bv = Double(tb ? b[c * ldb + l] : b[l * ldb + c])
                                        s += Swift.abs(av * bv)
                                    }
                                    bounds[r * n + c] = gamma(T.self, k + 2) * (Swift.abs(Double(alpha)) * s + Swift.abs(Double(beta) * Double(c0[r * ldc + c])))
                                }
                            }
                        }
                        return bounds[i * n + j]
                    }
                    for isa in VectorISA.allCases where VectorLoops.runs(isa) {
                        for threads in [1, 2] {
                            let got = c0.clone()
                            VectorizedEngine.gemm(transA: ta, transB: tb, m: m, n: n, k: k, alpha: alpha, a.pointer, lda: lda,
                                                  b.pointer, ldb: ldb, beta: beta, got.pointer, ldc: ldc, threads: threads,
                                                  loops: VectorLoops.table(isa).map { .table($0) } ?? .baseline)
                            let what = "\(T.self) \(m)×\(n)×\(k) transA \(ta) transB \(tb) α \(alpha) β \(beta) \(isa) loops, \(threads) threads"
                            if isa != .avx512 {
                                let d = firstDifference(want, got)
                                #expect(d == nil, "\(what): entry \(d ?? -1)")
                                continue
                            }
                            // Entries within the bound; the padding past n (ldc) untouched.
                            var bad: String?
                            for i in 0..<m where bad == nil {
                                for j in 0..<ldc where bad == nil {
                                    let w = Double(want[i * ldc + j]), g = Double(got[i * ldc + j])
                                    let tol = j < n ? bound(i, j) : 0
                                    if !(Swift.abs(w - g) <= tol) { bad = "[\(i),\(j)] \(g) vs naive \(w) (tolerance \(tol))" }
                                }
                            }
                            #expect(bad == nil, "\(what): \(bad ?? "")")
                        }
                    }
                }
            }
        }
    }

    @Test("vectorized dot within γₙ·Σ|xy|; axpy and scal bit-identical", arguments: [1, 15, 1000, 4099])
    func vectorizedLevel1(n: Int) {
        level1(Double.self, n: n)
        level1(Float.self, n: n)
    }

    private func level1<T: DescentFloat>(_: T.Type, n: Int) {
        var rng = SplitMix64(seed: UInt64(n))
        let x = Buffer<T>(converting: (0..<n).map { _ in rng.value() }), y = Buffer<T>(converting: (0..<n).map { _ in rng.value() })
        let v = Engine(.vectorized)
        let bound = gamma(T.self, n) * (0..<n).reduce(0.0) { $0 + Swift.abs(Double(x[$1]) * Double(y[$1])) }
        #expect(Swift.abs(Double(v.dot(x, y)) - Double(Engine.naive.dot(x, y))) <= bound)
        let y1 = y.clone(), y2 = y.clone()
        Engine.naive.axpy(T(0.37), x, y1); v.axpy(T(0.37), x, y2)
        #expect(firstDifference(y1, y2) == nil)
        Engine.naive.scal(T(-1.7), y1); v.scal(T(-1.7), y2)
        #expect(firstDifference(y1, y2) == nil)
    }
}

/// γₙ = n·ε/(1 − n·ε) for the type's ε (unit roundoff ε = ulp(1)/2), doubled for the two sums compared.
private func gamma<T: DescentFloat>(_: T.Type, _ n: Int) -> Double {
    let u = Double(T.ulpOfOne) / 2, nu = Double(max(n, 1)) * u
    return 2 * nu / (1 - nu)
}

// MARK: - BLAS

private var blasRequired: Bool { ProcessInfo.processInfo.environment["DESCENT_REQUIRE_BLAS"] == "1" }

/// BLAS tests run when BLAS is present, or when it is required (and then fail); otherwise they are skipped.
private let blasTestsEnabled = BLASEngine.isAvailable || blasRequired

/// True when BLAS tests should run; records a failure when BLAS is required but missing.
private func blasPresent() -> Bool {
    if BLASEngine.isAvailable { return true }
    if blasRequired { Issue.record("DESCENT_REQUIRE_BLAS=1 but BLAS is missing: \(BLASLibrary.unavailableReason)") }
    return false
}

@Suite("BLAS engine")
struct BLASTests {
    @Test("availability is reported, and required when DESCENT_REQUIRE_BLAS=1")
    func availability() throws {
        let impl = try #require(Implementations.named("blas"))
        if BLASEngine.isAvailable {
            #expect(impl.availability == .available)
            #expect(BLASLibrary.shared!.path.isEmpty == false)
        } else {
            guard case let .unavailable(why) = impl.availability else { Issue.record("blas missing but reported available"); return }
            #expect(why.contains("install libopenblas-dev (apt-get install libopenblas-dev) or set DESCENT_BLAS"))
            #expect(!blasRequired, "DESCENT_REQUIRE_BLAS=1 but BLAS is missing: \(why)")
        }
        // A library that does not exist is reported with the install hint.
        let missing = BLASLibrary.load(candidates: ["/nonexistent/libcblas.so"])
        #expect(missing.library == nil)
        #expect(missing.reason?.hasPrefix("install libopenblas-dev (apt-get install libopenblas-dev) or set DESCENT_BLAS") == true)
    }

    @Test("the OpenBLAS core: CPU features × the library's own choice × DESCENT_BLAS_CORE / OPENBLAS_CORETYPE")
    func coreChoice() throws {
        let avx512: Set<String> = ["sse2", "avx", "avx2", "fma", "avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl"]
        let avx2: Set<String> = ["sse2", "avx", "avx2", "fma"]
        func d(_ f: Set<String>, _ reported: String?, _ mode: String? = nil, user: String? = nil) throws -> String? {
            try BLASCore.decide(cpuFlags: f, reported: reported, descentBlasCore: mode, openblasCoretype: user).request
        }
        // auto (unset or "auto"): an older core than the CPU's set is replaced by the matching one.
        #expect(try d(avx512, "Prescott") == "SkylakeX")
        #expect(try d(avx512, "Haswell", "auto") == "SkylakeX")
        #expect(try d(avx2, "Prescott") == "Haswell")
        #expect(try d(avx2, "Sandybridge") == "Haswell")
        // … and a core of the CPU's own set is left alone (Zen runs AVX2 kernels; SkylakeX on AVX-512).
        #expect(try d(avx2, "Zen") == nil)
        #expect(try d(avx2, "Haswell") == nil)
        #expect(try d(avx512, "SkylakeX") == nil)
        #expect(try d(avx512, "SapphireRapids") == nil)
        #expect(try d(["sse2"], "Prescott") == nil)
        #expect(try d(avx512, "SomethingNew") == nil)        // unknown names are not second-guessed
        // AVX-512F alone is not enough for OpenBLAS's SkylakeX kernels (they use BW/DQ/VL).
        #expect(try d(["avx2", "fma", "avx512f"], "Prescott") == "Haswell")
        // native: never touched; a user's OPENBLAS_CORETYPE wins over everything.
        #expect(try d(avx512, "Prescott", "native") == nil)
        #expect(try d(avx512, "Prescott", "SkylakeX", user: "Haswell") == nil)
        #expect(try BLASCore.decide(cpuFlags: avx512, reported: nil, descentBlasCore: "auto", openblasCoretype: "Haswell").reason
                == "OPENBLAS_CORETYPE=Haswell set by the user")
        // NAME: asked for as given (canonical spelling), if the CPU runs its kernels.
        #expect(try d(avx512, nil, "haswell") == "Haswell")
        #expect(try d(avx512, nil, "SkylakeX") == "SkylakeX")
        #expect(throws: BLASCore.ChoiceError.self) { try d(avx2, nil, "SkylakeX") }      // SIGILL otherwise
        #expect(throws: BLASCore.ChoiceError.self) { try d(avx512, nil, "Skylake-X") }   // not a core name
        do { _ = try d(avx2, nil, "SkylakeX") } catch { #expect("\(error)".contains("DESCENT_BLAS_CORE=SkylakeX needs AVX-512")) }
        #expect(BLASCore.needsReportedCore(descentBlasCore: nil, openblasCoretype: nil))
        #expect(!BLASCore.needsReportedCore(descentBlasCore: "auto", openblasCoretype: "Zen"))
        #expect(!BLASCore.needsReportedCore(descentBlasCore: "Haswell", openblasCoretype: nil))
        // The loaded library says which core runs and why (bench records both).
        if let lib = BLASLibrary.shared, let core = lib.core {
            #expect(BLASCore.tier(ofCore: core) == nil || BLASCore.tier(ofCore: core)! <= BLASCore.tier(cpuFlags: CPUFeatures.current.flags))
            #expect(!lib.coreChoice.isEmpty)
        }
    }

    @Test("auto: an OpenBLAS that picked an older core than the CPU's is loaded again with the CPU's own, and says so",
          .enabled(if: blasTestsEnabled, "BLAS missing (set DESCENT_REQUIRE_BLAS=1 to fail instead)"))
    func coreReload() throws {
        guard blasPresent(), let lib = BLASLibrary.shared, let core = lib.core, let have = BLASCore.tier(ofCore: core),
              have < .avx512 else { return }   // OpenBLAS below SkylakeX only
        // A private copy of the library file (dlopen shares an object already loaded by its inode), and
        // a pretend AVX-512 CPU: auto must reload it as SkylakeX. Nothing of the copy runs (this CPU
        // may lack AVX-512); only openblas_get_corename is called, by the load itself.
        // (the loaded file, from the process's mappings)
        let maps = (try? String(contentsOfFile: "/proc/self/maps", encoding: .utf8)) ?? ""
        guard let fname = maps.split(separator: "\n").compactMap({ $0.split(separator: " ", omittingEmptySubsequences: true).last })
            .map(String.init).first(where: { $0.hasPrefix("/") && $0.contains("libopenblas") }) else { return }
        let copy = NSTemporaryDirectory() + "descent-openblas-copy-\(getpid()).so"
        try? FileManager.default.removeItem(atPath: copy)
        try FileManager.default.copyItem(atPath: fname, toPath: copy)
        defer { try? FileManager.default.removeItem(atPath: copy) }
        let avx512: Set<String> = ["avx", "avx2", "fma", "avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl"]
        let loaded = BLASLibrary.load(candidates: [copy], environment: [:], cpuFlags: avx512)
        let reloaded = try #require(loaded.library, "\(loaded.reason ?? "")")
        #expect(reloaded.core == "SkylakeX")
        #expect(reloaded.coreChoice.hasPrefix("auto: the library chose \(core)") && reloaded.coreChoice.hasSuffix("asked for SkylakeX; running SkylakeX"),
                "\(reloaded.coreChoice)")
        // The variable was set for the load only.
        #expect(getenv("OPENBLAS_CORETYPE") == nil || ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] != nil)
    }

    @Test("blas level 1 within the stated tolerances", .enabled(if: blasTestsEnabled, "BLAS missing (set DESCENT_REQUIRE_BLAS=1 to fail instead)"),
          arguments: [1, 17, 1000, 70001])
    func level1(n: Int) {
        guard blasPresent() else { return }
        check(Double.self, n: n)
        check(Float.self, n: n)
    }

    private func check<T: DescentFloat>(_: T.Type, n: Int) {
        var rng = SplitMix64(seed: UInt64(n) &+ 99)
        let x = Buffer<T>(converting: (0..<n).map { _ in rng.value() }), y = Buffer<T>(converting: (0..<n).map { _ in rng.value() })
        let b = Engine(.blas)
        let sumAbs = (0..<n).reduce(0.0) { $0 + Swift.abs(Double(x[$1]) * Double(y[$1])) }
        #expect(Swift.abs(Double(b.dot(x, y)) - Double(Engine.naive.dot(x, y))) <= gamma(T.self, n) * sumAbs)
        let nb = Double(b.norm(x)), nn = Double(Engine.naive.norm(x))
        #expect(Swift.abs(nb - nn) <= 2 * gamma(T.self, n) * nn + Double(T.leastNormalMagnitude))
        let y1 = y.clone(), y2 = y.clone(), a = T(0.37)
        Engine.naive.axpy(a, x, y1); b.axpy(a, x, y2)
        let eps = Double(T.ulpOfOne)
        for i in 0..<n {
            let tol = eps * (Swift.abs(Double(a) * Double(x[i])) + Swift.abs(Double(y[i])))
            if Swift.abs(Double(y1[i]) - Double(y2[i])) > tol { Issue.record("\(T.self) axpy[\(i)]: \(y1[i]) vs \(y2[i])"); break }
        }
        let s1 = y.clone(), s2 = y.clone()
        Engine.naive.scal(T(-1.7), s1); b.scal(T(-1.7), s2)
        #expect(firstDifference(s1, s2) == nil)
    }

    @Test("blas scal/axpy keep IEEE semantics for a = 0 (0·NaN = NaN, −0 + 0 = +0)", .enabled(if: blasTestsEnabled, "BLAS missing (set DESCENT_REQUIRE_BLAS=1 to fail instead)"))
    func zeroScale() {
        guard blasPresent() else { return }
        let x = Buffer<Double>([.nan, .infinity, 1, -2]), y = Buffer<Double>([1, 1, -0.0, 3])
        let n1 = x.clone(), b1 = x.clone()
        Engine.naive.scal(0, n1); Engine(.blas).scal(0, b1)
        #expect(firstDifference(n1, b1) == nil)
        let n2 = y.clone(), b2 = y.clone()
        Engine.naive.axpy(0, x, n2); Engine(.blas).axpy(0, x, b2)
        #expect(firstDifference(n2, b2) == nil)
        #expect(n1[0].isNaN && n1[1].isNaN && n2[0].isNaN && n2[2] == 0 && n2[2].sign == .plus)
    }

    @Test("blas gemm within γₖ·Σ|a||b| of the naive triple loop", .enabled(if: blasTestsEnabled, "BLAS missing (set DESCENT_REQUIRE_BLAS=1 to fail instead)"))
    func gemm() {
        guard blasPresent() else { return }
        gemmCheck(Double.self)
        gemmCheck(Float.self)
    }

    private func gemmCheck<T: DescentFloat>(_: T.Type) {
        var rng = SplitMix64(seed: 5)
        for (transA, transB) in [(false, false), (true, false), (false, true), (true, true)] {
            let m = 13, n = 29, k = 41
            let a = Buffer<T>(converting: (0..<(m * k)).map { _ in rng.value() })
            let bm = Buffer<T>(converting: (0..<(k * n)).map { _ in rng.value() })
            let c0 = Buffer<T>(converting: (0..<(m * n)).map { _ in rng.value() })
            let c1 = c0.clone(), c2 = c0.clone()
            let lda = transA ? m : k, ldb = transB ? k : n
            for (eng, c) in [(Engine.naive, c1), (Engine(.blas), c2)] {
                eng.gemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: T(0.5), a.pointer, lda: lda,
                         bm.pointer, ldb: ldb, beta: T(2), c.pointer, ldc: n)
            }
            for i in 0..<m {
                for j in 0..<n {
                    var s = 0.0
                    for l in 0..<k {
                        let av = transA ? a[l * lda + i] : a[i * lda + l], bv = transB ? bm[j * ldb + l] : bm[l * ldb + j]
                        s += Swift.abs(Double(av) * Double(bv))
                    }
                    let tol = gamma(T.self, k + 2) * (0.5 * s + 2 * Swift.abs(Double(c0[i * n + j])))
                    if Swift.abs(Double(c1[i * n + j]) - Double(c2[i * n + j])) > tol {
                        Issue.record("\(T.self) gemm(\(transA),\(transB))[\(i),\(j)]: \(c1[i * n + j]) vs \(c2[i * n + j])")
                        return
                    }
                }
            }
        }
    }

    @Test("blas engines with different thread counts, run at once, each get their own count's result bit for bit",
          .enabled(if: blasTestsEnabled, "BLAS missing (set DESCENT_REQUIRE_BLAS=1 to fail instead)"))
    func threadCountsDoNotInterleave() throws {
        guard blasPresent() else { return }
        // Products at BLASEngine.gemmThreadThreshold multiply-adds (smaller ones always run on one
        // OpenBLAS thread): OpenBLAS's threaded driver rounds some of them differently from its
        // one-thread driver.
        var rng = SplitMix64(seed: 11)
        let shapes = [(false, false, 512, 256, 256), (true, false, 256, 256, 512), (false, true, 512, 64, 1024)]
        #expect(shapes.allSatisfy { $0.2 * $0.3 * $0.4 >= BLASEngine.gemmThreadThreshold })
        let problems = shapes.map { (ta, tb, m, n, k) in
            (ta, tb, m, n, k, Buffer<Float>(converting: (0..<(m * k)).map { _ in rng.value() }),
             Buffer<Float>(converting: (0..<(k * n)).map { _ in rng.value() }))
        }
        @Sendable func run(_ threads: Int) -> [[Float]] {
            problems.map { (ta, tb, m, n, k, a, b) in
                let c = Buffer<Float>(zeros: m * n)
                Engine(.blas, threads: threads).gemm(transA: ta, transB: tb, m: m, n: n, k: k, alpha: 1, a.pointer, lda: ta ? m : k,
                                                      b.pointer, ldb: tb ? k : n, beta: 0, c.pointer, ldc: n)
                return Array(UnsafeBufferPointer(start: c.pointer, count: m * n))
            }
        }
        let one = run(1), two = run(2)
        if one == two { print("note: OpenBLAS rounds these shapes alike on 1 and 2 threads here; the check below cannot see an interleaving") }
        // Two threads of this process: one runs 2-thread gemms and checks them, the other keeps
        // setting 1 thread with tiny gemms. Before the lock held the count for a whole call, a
        // 2-thread call could start after the other had set 1, and round like the 1-thread one.
        let done = Mutex(false), finished = DispatchSemaphore(value: 0)
        let tiny = Buffer<Float>(zeros: 1)
        Thread.detachNewThread {
            while !done.withLock({ $0 }) {
                Engine(.blas, threads: 1).gemm(transA: false, transB: false, m: 1, n: 1, k: 1, alpha: Float(1), tiny.pointer, lda: 1,
                                               tiny.pointer, ldb: 1, beta: 0, tiny.pointer, ldc: 1)
            }
            finished.signal()
        }
        var mismatches = 0
        for _ in 0..<300 where run(2) != two { mismatches += 1 }
        done.withLock { $0 = true }
        finished.wait()
        #expect(mismatches == 0, "\(mismatches) of 300 two-thread gemms ran on one thread")
        #expect(run(1) == one && run(2) == two)
    }

    @Test("blas optimizers match naive bit for bit (element-wise kernels run on the vectorized pass)", .enabled(if: blasTestsEnabled, "BLAS missing (set DESCENT_REQUIRE_BLAS=1 to fail instead)"))
    func optimizers() throws {
        guard blasPresent() else { return }
        for (conv, name) in [("torch", "Adam"), ("torch", "SGD"), ("optax", "adamw")] {
            let spec = try Conventions.optimizer(convention: conv, name: name,
                                                 hyperparameters: conv == "optax" ? try JSON.parse(#"{"learning_rate": 0.01}"#) : nil)
            let r = try compareEngines(spec, Double.self, .naive, Engine(.blas), sizes: [333], steps: 5, seed: 3)
            #expect(r == nil, "\(conv)/\(name): \(r ?? "")")
        }
    }
}

// MARK: - descent bench (format only; timings are not tested)

@Suite("Bench report")
struct BenchReportTests {
    @Test("descent-bench/1 JSON has the stated fields; bytes and state per parameter come from the steppers")
    func jsonFormat() throws {
        let cfg = BenchConfiguration(optimizers: ["torch/Adam", "torch/SGD+momentum", "torch/SGD"].compactMap(BenchOptimizer.named),
                                     implementations: ["naive", "vectorized"], dtypes: [.float32, .float64],
                                     sizes: [4096], threads: [1], repeats: 1, probeCount: 1 << 14)
        let report = Bench.run(cfg)
        let json = try JSON.parse(BenchRender.json(report))
        #expect(json["format"]?.stringValue == "descent-bench/1")
        #expect(json.objectValue?.map(\.0) == ["format", "machine", "bandwidth", "results"])
        for key in ["cpu", "cores", "caches", "blas"] { #expect(json["machine"]?[key] != nil, "machine.\(key)") }
        for key in ["copy", "scale", "add", "triad"] { #expect(json["bandwidth"]?["1"]?[key]?.doubleValue != nil, "bandwidth.1.\(key)") }
        let results = try #require(json["results"]?.arrayValue)
        #expect(results.count == 12)
        let fields = ["optimizer", "implementation", "dtype", "size", "threads", "min_ns", "median_ns", "ns_per_param",
                      "bytes_per_param", "gbps", "fraction_of_triad", "probe_min_ns", "probe_median_ns", "of_memory_limit",
                      "of_memory_limit_median", "working_set_bytes", "in_cache"]
        for r in results {
            #expect(r.objectValue?.map(\.0) == fields)
            // Every row has its same-traffic probe: 4K parameters fit in any last-level cache.
            #expect((r["of_memory_limit"]?.doubleValue ?? 0) > 0 && r["in_cache"] == .bool(true))
            #expect(r["working_set_bytes"]?.intValue == 4096 * (r["bytes_per_param"]?.intValue ?? 0))
        }
        func bytes(_ o: String, _ d: String) -> Int? {
            results.first { $0["optimizer"]?.stringValue == o && $0["dtype"]?.stringValue == d }?["bytes_per_param"]?.intValue
        }
        #expect(bytes("torch/Adam", "float32") == 28)          // p, g, m, v read; p, m, v written
        #expect(bytes("torch/Adam", "float64") == 56)
        #expect(bytes("torch/SGD+momentum", "float32") == 20)
        #expect(bytes("torch/SGD", "float64") == 24)
        let adam = report.memory.first { $0.optimizer == "torch/Adam" && $0.dtype == .float32 }
        #expect(adam?.stateBytes == 8 && adam?.names == ["exp_avg", "exp_avg_sq"])
        let md = BenchRender.markdown(report, command: "test")
        #expect(md.contains("| torch/Adam | vectorized | float32 | 4K |"))
        #expect(md.contains("| of memory limit |") && md.contains("| in cache |"))
    }

    @Test("GEMM-bound rows: FLOPs counted from the real gemm calls, GFLOP/s against BLAS's own GEMM")
    func gemmRows() throws {
        // (naive's triple loop is the same counting path as vectorized's, and slow in a debug build)
        let impls = ["vectorized"] + (BLASEngine.isAvailable ? ["blas"] : [])
        let cfg = BenchConfiguration(optimizers: ["torch/Muon"].compactMap(BenchOptimizer.named), implementations: impls,
                                     dtypes: [.float32], sizes: [4096, 300 * 300], threads: [1], repeats: 1, probeCount: 1 << 14)
        let report = Bench.run(cfg)
        // 64×64 only for vectorized (300×300 is above its limit, and says so).
        #expect(report.results.count == impls.count + (BLASEngine.isAvailable ? 1 : 0))
        #expect(report.skipped.contains { $0.contains("torch/Muon on vectorized at 300×300") })
        let json = try JSON.parse(BenchRender.json(report))
        for r in try #require(json["results"]?.arrayValue) {
            // torch Muon: 5 Newton–Schulz iterations of X·Xᵀ, A·A and B·X, each 2·m³ for m×m.
            let m = Double(try #require(r["size"]?.intValue)).squareRoot()
            #expect(r["flops_per_step"]?.doubleValue == 30 * m * m * m)
            #expect((r["gflops"]?.doubleValue ?? 0) > 0)
            if BLASEngine.isAvailable { #expect((r["fraction_of_gemm"]?.doubleValue ?? 0) > 0) }
            else { #expect(r["fraction_of_gemm"] == .null) }
        }
        #expect((json["gemm"]?.arrayValue?.count ?? 0) == (BLASEngine.isAvailable ? 2 : 0))
        #expect(BenchRender.markdown(report, command: "test").contains("## GEMM-bound optimizers"))
    }
}
