// Bench.swift — `descent bench`: time per optimizer step, against the same-traffic memory probe.
//
// What runs is exactly what `descent verify` checks: the optimizer is built by name through
// `Conventions.optimizer(convention:name:hyperparameters:)` and turned into a stepper by the
// registered engine (`EngineImplementations.all`), with the requested thread count.
//
// Method, per (optimizer, implementation, dtype, size, threads):
//   • one tensor of `size` parameters (or a model's parameter list, `--shapes`); parameters,
//     gradients and the stepper (its state) are allocated and filled before timing; the gradient
//     is fixed (the step's cost does not depend on its values: no branches, no subnormals);
//   • warm-up steps (untimed), then `repeat` timed samples; a sample times `inner` consecutive
//     steps (inner = ⌈2¹⁸ / size⌉, so small tensors are not below the clock's resolution) and
//     yields a per-step time; min_ns and median_ns are over the samples;
//   • bytes_per_param = (3 + 2·k)·sizeof(dtype): every step reads p and g, writes p, and reads and
//     writes each of the k state buffers per parameter (k from the stepper's real `state`):
//     SGD 3 accesses, SGD+momentum 5, Adam/AdamW 7 (p, g, m, v read; p, m, v written),
//     AMSGrad 9; this is the minimum traffic of one fused pass (write-allocate not counted);
//   • the same-traffic probe (TrafficProbe.swift): buffers of the same sizes as p, g and the k
//     state buffers, streamed in place by `Engine.map` with trivial arithmetic (p ← p + g,
//     sᵢ ← sᵢ + g) on the widest installed loops, with the same thread count, parallel threshold
//     and split as the step. Its samples alternate with the step's (step sample, probe sample,
//     …), so both see the same machine load; of_memory_limit = probe min ÷ step min (1 = the
//     step moves its bytes as fast as memory moves them). A working set (bytes_per_param · size)
//     that fits in the last-level cache is flagged `in_cache`: the probe then measures the
//     cache, not memory, and the tables say "in cache" instead of a ratio;
//   • gbps = bytes_per_param·size / min_ns. The STREAM-style probe (Bandwidth.swift) runs once,
//     as a description of the machine; fraction_of_triad = gbps / its triad at the same threads.
import DescentCore
import DescentJSON
import Dispatch
import Foundation

/// A benchmarked optimizer: a convention's name with fixed hyperparameters.
public struct BenchOptimizer: Sendable {
    public var label: String
    public var convention: String
    public var name: String
    public var hyperparameters: String?
    /// A matrix optimizer (GEMM-bound): one m×m tensor with m = ⌊√size⌋, timed up to
    /// `maxMatrixSide` (naive and vectorized run level 3 as a triple loop) or `maxBLASMatrixSide`.
    public var matrix: Bool

    public static let maxMatrixSide = 256
    public static let maxBLASMatrixSide = 1024

    public init(_ label: String, _ convention: String, _ name: String, _ hyperparameters: String? = nil, matrix: Bool = false) {
        self.label = label
        self.convention = convention
        self.name = name
        self.hyperparameters = hyperparameters
        self.matrix = matrix
    }

    /// The tensor shape a size gives: [size], or [m, m] for matrix optimizers.
    package func shape(_ size: Int) -> [Int] {
        guard matrix else { return [size] }
        let m = Int(Double(size).squareRoot())
        return [m, m]
    }

    /// The catalog `--optimizer all` runs; any other `convention/Name` is accepted too (optax gets
    /// learning_rate 1e-3, which it requires).
    public static let catalog: [BenchOptimizer] = [
        BenchOptimizer("torch/SGD", "torch", "SGD", #"{"lr": 0.01}"#),
        BenchOptimizer("torch/SGD+momentum", "torch", "SGD", #"{"lr": 0.01, "momentum": 0.9}"#),
        BenchOptimizer("torch/Adagrad", "torch", "Adagrad"),
        BenchOptimizer("torch/RMSprop", "torch", "RMSprop"),
        BenchOptimizer("torch/Adadelta", "torch", "Adadelta"),
        BenchOptimizer("torch/Adam", "torch", "Adam"),
        BenchOptimizer("torch/AdamW", "torch", "AdamW"),
        BenchOptimizer("torch/Adam+amsgrad", "torch", "Adam", #"{"amsgrad": true}"#),
        BenchOptimizer("torch/Adamax", "torch", "Adamax"),
        BenchOptimizer("torch/NAdam", "torch", "NAdam"),
        BenchOptimizer("torch/RAdam", "torch", "RAdam"),
        BenchOptimizer("torch/Rprop", "torch", "Rprop"),
        // timed with every entry present (the bench's gradients are dense): its heaviest case
        BenchOptimizer("torch/SparseAdam", "torch", "SparseAdam"),
        BenchOptimizer("torch/ASGD", "torch", "ASGD"),
        BenchOptimizer("optax/adam", "optax", "adam", #"{"learning_rate": 0.001}"#),
        BenchOptimizer("optax/lion", "optax", "lion", #"{"learning_rate": 0.0001}"#),
        BenchOptimizer("optax/lamb", "optax", "lamb", #"{"learning_rate": 0.001}"#),
        BenchOptimizer("optax/lars", "optax", "lars", #"{"learning_rate": 0.001}"#),
        BenchOptimizer("optax/rprop", "optax", "rprop", #"{"learning_rate": 0.001}"#),
        BenchOptimizer("optax/optimistic_gradient_descent", "optax", "optimistic_gradient_descent", #"{"learning_rate": 0.001}"#),
        BenchOptimizer("optax/optimistic_adam_v2", "optax", "optimistic_adam_v2", #"{"learning_rate": 0.001}"#),
        BenchOptimizer("optax/yogi", "optax", "yogi", #"{"learning_rate": 0.001}"#),
        BenchOptimizer("optax/adabelief", "optax", "adabelief", #"{"learning_rate": 0.001}"#),
        BenchOptimizer("optax/adan", "optax", "adan", #"{"learning_rate": 0.001}"#),
        BenchOptimizer("optax/novograd", "optax", "novograd", #"{"learning_rate": 0.001}"#),
        BenchOptimizer("optax/fromage", "optax", "fromage", #"{"learning_rate": 0.001}"#),
        BenchOptimizer("optax/sm3", "optax", "sm3", #"{"learning_rate": 0.001}"#),
        BenchOptimizer("optax/adopt", "optax", "adopt", #"{"learning_rate": 0.001}"#),
        BenchOptimizer("optax/prodigy", "optax", "prodigy"),
        BenchOptimizer("prodigyopt/Prodigy", "prodigyopt", "Prodigy"),
        BenchOptimizer("pytorch_optimizer/Prodigy", "pytorch_optimizer", "Prodigy"),
        BenchOptimizer("dadaptation/DAdaptAdam", "dadaptation", "DAdaptAdam"),
        BenchOptimizer("schedulefree/AdamWScheduleFree", "schedulefree", "AdamWScheduleFree"),
        BenchOptimizer("dadaptation/DAdaptSGD", "dadaptation", "DAdaptSGD"),
        BenchOptimizer("dadaptation/DAdaptLion", "dadaptation", "DAdaptLion"),
        BenchOptimizer("dadaptation/DAdaptAdaGrad", "dadaptation", "DAdaptAdaGrad"),
        BenchOptimizer("dadaptation/DAdaptAdan", "dadaptation", "DAdaptAdan"),
        BenchOptimizer("schedulefree/SGDScheduleFree", "schedulefree", "SGDScheduleFree"),
        BenchOptimizer("schedulefree/RAdamScheduleFree", "schedulefree", "RAdamScheduleFree"),
        BenchOptimizer("optax/ademamix", "optax", "ademamix", #"{"learning_rate": 0.001}"#),
        BenchOptimizer("pytorch_optimizer/AdEMAMix", "pytorch_optimizer", "AdEMAMix"),
        BenchOptimizer("optax/madgrad", "optax", "madgrad", #"{"learning_rate": 0.001}"#),
        BenchOptimizer("pytorch_optimizer/MADGRAD", "pytorch_optimizer", "MADGRAD"),
        BenchOptimizer("pytorch_optimizer/StableAdamW", "pytorch_optimizer", "StableAdamW"),
        BenchOptimizer("pytorch_optimizer/Adan", "pytorch_optimizer", "Adan"),
        BenchOptimizer("pytorch_optimizer/Tiger", "pytorch_optimizer", "Tiger"),
        BenchOptimizer("optax/cocob", "optax", "cocob", #"{"learning_rate": 0.001}"#),
        BenchOptimizer("optax/dog", "optax", "dog", #"{"learning_rate": 0.001}"#),
        BenchOptimizer("optax/acprop", "optax", "acprop", #"{"learning_rate": 0.001}"#),
        BenchOptimizer("pytorch_optimizer/Ranger", "pytorch_optimizer", "Ranger"),
        BenchOptimizer("pytorch_optimizer/CAME", "pytorch_optimizer", "CAME", matrix: true),
        // Adafactor on a square matrix: its factored second moment (a row and a column vector).
        BenchOptimizer("torch/Adafactor", "torch", "Adafactor", matrix: true),
        BenchOptimizer("optax/adafactor", "optax", "adafactor", #"{"learning_rate": 0.001}"#, matrix: true),
        BenchOptimizer("transformers/Adafactor", "transformers", "Adafactor", matrix: true),
        BenchOptimizer("keras/Adafactor", "keras", "Adafactor", matrix: true),
        // GEMM-bound: 5 Newton–Schulz iterations per step, 3 matrix products each.
        BenchOptimizer("torch/Muon", "torch", "Muon", #"{"lr": 0.02}"#, matrix: true),
    ]

    /// The default set: the optimizers most runs care about.
    public static let defaults = ["torch/SGD", "torch/SGD+momentum", "torch/Adam", "torch/AdamW"]

    /// A catalog label, or `convention/Name`.
    public static func named(_ s: String) -> BenchOptimizer? {
        if let b = catalog.first(where: { $0.label == s }) { return b }
        let parts = s.split(separator: "/", maxSplits: 1).map(String.init)
        guard parts.count == 2, Conventions.named(parts[0]) != nil else { return nil }
        return BenchOptimizer(s, parts[0], parts[1], parts[0] == "optax" ? #"{"learning_rate": 0.001}"# : nil)
    }

    package func spec() throws -> OptimizerSpec {
        try Conventions.optimizer(convention: convention, name: name,
                                  hyperparameters: try hyperparameters.map { try JSON.parse($0) })
    }
}

public struct BenchResult: Sendable {
    public var optimizer: String
    public var implementation: String
    public var dtype: DType
    public var size: Int
    public var threads: Int
    public var minNs: Double
    public var medianNs: Double
    public var bytesPerParam: Int
    /// State bytes per parameter (from the stepper's `state` buffers as long as the tensor).
    public var stateBytesPerParam: Double
    /// State bytes per tensor (the stepper's shorter buffers, e.g. NAdam's mu_product).
    public var stateBytesPerTensor: Int
    /// The concrete stepper that ran.
    public var stepperType: String
    public var fractionOfTriad: Double?
    /// GEMM-bound optimizers: floating-point operations of the step's matrix products
    /// (2·m·n·k per `Engine.gemm` call, counted as they run), and the fraction of this run's
    /// BLAS GEMM rate at the same dtype, matrix side and threads.
    public var flopsPerStep: Double? = nil
    public var fractionOfGemm: Double? = nil
    /// Where an included row comes from (`descent bench --include`); nil for this run's rows.
    public var source: String? = nil
    /// `--shapes`: the model whose parameter list ran (size = its total parameter count) and
    /// how many tensors it has; nil for one tensor of `size`.
    public var shapes: String? = nil
    public var tensors: Int? = nil
    /// The same-traffic probe (see the file header): its best and median sample per pass, and
    /// whether the working set fits in the last-level cache. nil for included rows without one.
    public var probeMinNs: Double? = nil
    public var probeMedianNs: Double? = nil
    public var inCache: Bool? = nil

    public var nsPerParam: Double { minNs / Double(size) }
    /// Bytes one step moves: bytes_per_param · size.
    public var workingSetBytes: Int { bytesPerParam * size }
    /// Probe time ÷ step time (best samples): the fraction of the memory limit the step reaches.
    public var ofMemoryLimit: Double? { probeMinNs.map { $0 / minNs } }
    /// The same with median samples.
    public var ofMemoryLimitMedian: Double? { probeMedianNs.map { $0 / medianNs } }
    public var gbps: Double { Double(bytesPerParam * size) / minNs }
    /// GFLOP/s of the matrix products (best sample).
    public var gflops: Double? { flopsPerStep.map { $0 / minNs } }
}

/// The BLAS library's own GEMM rate: C ← A·B on n×n matrices, best of several samples.
public struct GemmRate: Sendable {
    public var dtype: DType
    public var n: Int
    public var threads: Int
    public var gflops: Double
}

public struct BenchConfiguration: Sendable {
    public var optimizers: [BenchOptimizer]
    public var implementations: [String]
    public var dtypes: [DType]
    public var sizes: [Int]
    public var threads: [Int]
    public var repeats: Int
    /// STREAM probe array length (float64 elements); nil = BandwidthProbe.defaultCount().
    public var probeCount: Int?
    /// Whether to run the same-traffic probe beside each row (default: yes).
    public var trafficProbe = true
    /// `--shapes`: models' parameter lists to time instead of `sizes` (ModelShapes.swift).
    public var models: [ModelShapes] = []

    public init(optimizers: [BenchOptimizer], implementations: [String], dtypes: [DType], sizes: [Int],
                threads: [Int], repeats: Int, probeCount: Int? = nil) {
        self.optimizers = optimizers
        self.implementations = implementations
        self.dtypes = dtypes
        self.sizes = sizes
        self.threads = threads
        self.repeats = repeats
        self.probeCount = probeCount
    }

    public static let defaultSizes = [1 << 12, 1 << 16, 1 << 20, 1 << 24]
}

public struct BenchReport: Sendable {
    package init(machine: [(String, JSON)], bandwidth: [BandwidthResult], results: [BenchResult], skipped: [String], memory: [(optimizer: String, dtype: DType, stateBytes: Double, perTensorBytes: Int, names: [String])], included: [IncludedBench] = [], gemm: [GemmRate] = []) {

        self.machine = machine

        self.bandwidth = bandwidth

        self.results = results

        self.skipped = skipped

        self.memory = memory

        self.included = included

        self.gemm = gemm

    }

    public var machine: [(String, JSON)]
    public var bandwidth: [BandwidthResult]
    public var results: [BenchResult]
    /// Runs that could not be made (unavailable implementation, unsupported optimizer).
    public var skipped: [String]
    /// The memory table: optimizer → dtype → state bytes per parameter.
    public var memory: [(optimizer: String, dtype: DType, stateBytes: Double, perTensorBytes: Int, names: [String])]
    /// Other runs' results shown beside this run's (`--include`, BenchInclude.swift).
    public var included: [IncludedBench] = []
    /// BLAS GEMM rates measured in this run for the GEMM-bound rows (empty without BLAS).
    public var gemm: [GemmRate] = []
}

public enum Bench {
    #if DEBUG
    public static let buildConfiguration = "debug"
    #else
    public static let buildConfiguration = "release"
    #endif

    /// An implementation running with `threads` threads (engines take a thread count).
    package static func implementation(_ name: String, threads: Int) -> EngineImplementation? {
        EngineImplementations.named(name)?.with(threads: threads, counter: WorkCounter())
    }

    /// Runs the whole configuration. `progress` receives one line per result.
    public static func run(_ cfg: BenchConfiguration, progress: ((String) -> Void)? = nil) -> BenchReport {
        let machineAtStart = machine()
        let probeThreads = Array(Set([1] + cfg.threads)).sorted()
        let streamCount = cfg.probeCount ?? BandwidthProbe.defaultCount()
        progress?("STREAM bandwidth, a machine description (\(streamCount >> 20)M float64 per array, threads \(probeThreads.map(String.init).joined(separator: ", ")))")
        let bandwidth = BandwidthProbe.measure(threads: probeThreads, count: streamCount, repeats: 3)
        let llc = BandwidthProbe.lastLevelCacheBytes()
        var results: [BenchResult] = [], skipped: [String] = []
        var memory: [(String, DType, Double, Int, [String])] = []
        for opt in cfg.optimizers {
            for dtype in cfg.dtypes {
                var memoryDone = false
                for implName in cfg.implementations {
                    for threads in cfg.threads {
                        if implName == "naive" && threads > 1 { continue }   // naive is single-threaded
                        guard let impl = implementation(implName, threads: threads) else {
                            skipped.append("\(implName): unknown implementation"); continue
                        }
                        if case let .unavailable(why) = impl.availability {
                            let s = "\(implName): \(why)"
                            if !skipped.contains(s) { skipped.append(s) }
                            continue
                        }
                        let workloads: [(size: Int, model: ModelShapes?)] = cfg.models.isEmpty
                            ? cfg.sizes.map { ($0, nil) } : cfg.models.map { ($0.parameterCount, $0) }
                        for (size, model) in workloads {
                            if opt.matrix, let model {
                                let s = "\(opt.label) with --shapes \(model.name): matrix optimizers run square matrices (--size)"
                                if !skipped.contains(s) { skipped.append(s) }
                                continue
                            }
                            if opt.matrix {
                                let side = opt.shape(size)[0]
                                let cap = impl.name == "blas" ? BenchOptimizer.maxBLASMatrixSide : BenchOptimizer.maxMatrixSide
                                if side > cap {
                                    let s = "\(opt.label) on \(implName) at \(side)×\(side): above this implementation's \(cap)×\(cap) bench limit (O(m³) per step)"
                                    if !skipped.contains(s) { skipped.append(s) }
                                    continue
                                }
                            }
                            do {
                                var r: BenchResult
                                let names: [String]
                                switch dtype {
                                case .float64: (r, names) = try measure(opt, impl, Double.self, size: size, model: model, threads: threads,
                                                                       repeats: cfg.repeats, probe: cfg.trafficProbe)
                                case .float32: (r, names) = try measure(opt, impl, Float.self, size: size, model: model, threads: threads,
                                                                       repeats: cfg.repeats, probe: cfg.trafficProbe)
                                }
                                if let bw = bandwidth.first(where: { $0.threads == threads }) { r.fractionOfTriad = r.gbps / bw.triad }
                                if r.probeMinNs != nil { r.inCache = llc.map { r.workingSetBytes <= $0 } ?? false }
                                results.append(r)
                                if !memoryDone { memory.append((opt.label, dtype, r.stateBytesPerParam, r.stateBytesPerTensor, names)); memoryDone = true }
                                progress?(String(format: "%@ %@ %@ %@ t=%d: %.3f ns/param, %.1f GB/s, %@",
                                                 opt.label, implName, dtype.rawValue, model.map { "\($0.name) (\(size) params)" } ?? "n=\(size)",
                                                 threads, r.nsPerParam, r.gbps, BenchRender.memoryLimitLabel(r, long: true)))
                            } catch {
                                let s = "\(opt.label) on \(implName) \(dtype.rawValue): \(error)"
                                if !skipped.contains(s) { skipped.append(s) }
                                break
                            }
                        }
                    }
                }
            }
        }
        let best = bandwidth
        // GEMM-bound rows against BLAS's own GEMM at the same dtype, matrix side and threads.
        var gemm: [GemmRate] = []
        if BLASEngine.isAvailable {
            for i in results.indices {
                guard let g = results[i].gflops, g > 0 else { continue }
                let n = Int(Double(results[i].size).squareRoot())
                let rate: GemmRate
                if let known = gemm.first(where: { $0.dtype == results[i].dtype && $0.n == n && $0.threads == results[i].threads }) {
                    rate = known
                } else {
                    progress?("BLAS GEMM rate \(results[i].dtype.rawValue) \(n)×\(n) t=\(results[i].threads)")
                    switch results[i].dtype {
                    case .float64: rate = gemmRate(Double.self, n: n, threads: results[i].threads)
                    case .float32: rate = gemmRate(Float.self, n: n, threads: results[i].threads)
                    }
                    gemm.append(rate)
                }
                results[i].fractionOfGemm = g / rate.gflops
            }
        }
        var report = BenchReport(machine: machineAtStart, bandwidth: best, results: results, skipped: skipped, memory: memory)
        report.gemm = gemm
        return report
    }

    /// How many n×n products one GEMM timing sample makes: about 2·10⁸ FLOP, but at most 2¹⁴
    /// calls, so that a tiny n (a test's 6×6 layer) samples for milliseconds, not seconds.
    package static func gemmCallsPerSample(n: Int) -> Int { min(1 << 14, max(1, (1 << 27) / (n * n * n))) }

    /// BLAS's C ← A·B on n×n matrices of `T`: the best of 7 samples of `gemmCallsPerSample` calls.
    package static func gemmRate<T: DescentFloat>(_: T.Type, n: Int, threads: Int) -> GemmRate {
        let a = Buffer<T>(repeating: T(0.5), count: n * n), b = Buffer<T>(repeating: T(0.25), count: n * n)
        let c = Buffer<T>(zeros: n * n)
        let engine = Engine(.blas, threads: threads)
        let calls = gemmCallsPerSample(n: n)
        func once() {
            engine.gemm(transA: false, transB: false, m: n, n: n, k: n, alpha: 1, a.pointer, lda: n, b.pointer, ldb: n,
                        beta: 0, c.pointer, ldc: n)
        }
        once()
        var best = Double.infinity
        for _ in 0..<7 {
            let t0 = DispatchTime.now().uptimeNanoseconds
            for _ in 0..<calls { once() }
            best = min(best, Double(DispatchTime.now().uptimeNanoseconds - t0) / Double(calls))
        }
        return GemmRate(dtype: T.dtype, n: n, threads: threads, gflops: 2 * Double(n * n * n) / best)
    }

    /// One measurement (see the file header). (Specialised: the fill loops are most of a quick
    /// bench's time when generic.)
    @_specialize(where T == Float) @_specialize(where T == Double)
    package static func measure<T: DescentFloat>(_ opt: BenchOptimizer, _ impl: EngineImplementation, _: T.Type, size: Int,
                                         model: ModelShapes? = nil, threads: Int, repeats: Int,
                                         probe: Bool = true) throws -> (BenchResult, [String]) {
        let spec = try opt.spec()
        let shapes = model?.shapes ?? [opt.shape(size)]
        let counts = shapes.map { $0.reduce(1, *) }
        let size = counts.reduce(0, +)
        let box = try impl.stepper(spec, T.self, shapes: shapes)
        if box.needsObjective { throw DescentError.unsupported("needs an objective (closed-loop only)") }
        let ps = counts.map { Buffer<T>(zeros: $0) }, gs = counts.map { Buffer<T>(zeros: $0) }
        var x: UInt32 = 12345
        for (p, g) in zip(ps, gs) {
            for i in 0..<p.count {
                x = x &* 1_664_525 &+ 1_013_904_223
                let u = Double(x >> 8) / Double(1 << 24)          // [0, 1)
                p[i] = T(u * 2 - 1)
                g[i] = T((0.1 + 0.9 * u) * (x & 1 == 0 ? 1 : -1))
            }
        }
        let lr = spec.lr
        let inner = max(1, ((1 << 18) + size - 1) / size)
        for _ in 0..<(2 * inner) { box.step(ps, gs, lr) }         // warm-up: page-in, caches, threads
        // Per-parameter state: buffers as long as the tensor; anything shorter (a step count,
        // NAdam's mu_product) is per-tensor state.
        let state = box.state()
        let buffers = state.flatMap(\.buffers)
        // (a list: buffers as long as their tensor, per tensor; k = such buffers per tensor)
        let long = buffers.filter { b in counts.contains(b.count) }
        let k = long.reduce(0) { $0 + $1.count } / max(1, size)
        let perTensor = buffers.filter { b in !counts.contains(b.count) }.reduce(0) { $0 + $1.bytes } / counts.count
        // The same-traffic probe: p, g and k slot buffers of the tensors' sizes, through the
        // vectorized engine's map with this row's thread count (p and slots 1, g 0: nothing changes).
        let probeEngine = Engine(.vectorized, threads: threads)
        let kernel = TrafficProbeKernel<T>(slots: k)
        let pp = probe ? counts.map { Buffer<T>(repeating: 1, count: $0) } : []
        let pg = probe ? counts.map { Buffer<T>(repeating: 0, count: $0) } : []
        let pslots = probe ? (0..<kernel.slotCount).map { _ in counts.map { Buffer<T>(repeating: 1, count: $0) } } : []
        func probePass() { probeEngine.map(kernel, pp, pg, pslots) }
        if probe { for _ in 0..<(2 * inner) { probePass() } }
        var samples: [Double] = [], probeSamples: [Double] = []
        samples.reserveCapacity(repeats)
        // GEMM work of the timed steps, when the implementation is an engine that counts it.
        let counter = impl.engine.counter
        var stepFlops = 0
        for _ in 0..<max(1, repeats) {
            let f0 = counter?.gemmFlops.load(ordering: .relaxed) ?? 0
            let t0 = DispatchTime.now().uptimeNanoseconds
            for _ in 0..<inner { box.step(ps, gs, lr) }
            samples.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / Double(inner))
            stepFlops += (counter?.gemmFlops.load(ordering: .relaxed) ?? 0) - f0
            if probe {
                let t1 = DispatchTime.now().uptimeNanoseconds
                for _ in 0..<inner { probePass() }
                probeSamples.append(Double(DispatchTime.now().uptimeNanoseconds - t1) / Double(inner))
            }
        }
        let flops = Double(stepFlops) / Double(max(1, repeats) * inner)
        samples.sort()
        probeSamples.sort()
        var r = BenchResult(optimizer: opt.label, implementation: impl.name, dtype: T.dtype, size: size, threads: threads,
                            minNs: samples[0], medianNs: samples[samples.count / 2],
                            bytesPerParam: (3 + 2 * k) * MemoryLayout<T>.stride,
                            stateBytesPerParam: Double(k * MemoryLayout<T>.stride), stateBytesPerTensor: perTensor,
                            stepperType: box.typeName, fractionOfTriad: nil, flopsPerStep: flops > 0 ? flops : nil,
                            shapes: model?.name, tensors: model.map { $0.shapes.count })
        if probe {
            r.probeMinNs = probeSamples[0]
            r.probeMedianNs = probeSamples[probeSamples.count / 2]
        }
        return (r, state.map(\.name))
    }

    /// CPU, caches, vector ISA, build, BLAS.
    public static func machine() -> [(String, JSON)] {
        let cpu = CPUFeatures.current
        var u = utsname()
        uname(&u)
        let os = withUnsafeBytes(of: u.sysname) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) } + " "
            + withUnsafeBytes(of: u.release) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        let blas: JSON
        if let lib = BLASLibrary.shared {
            // The kernels that ran (openblas_get_corename) and how they were chosen (BLASCore.swift).
            blas = .object([("library", .string(lib.path)), ("version", lib.config.map { .string($0) } ?? .null),
                            ("core", lib.core.map { .string($0) } ?? .null), ("core_choice", .string(lib.coreChoice))])
        } else {
            blas = .object([("library", .null), ("version", .null), ("unavailable", .string(BLASLibrary.unavailableReason))])
        }
        return [
            ("cpu", .string(cpu.model)),
            ("cores", JSON(cpu.cores)),
            ("caches", .object(cpu.caches.map { ($0.name, .string($0.size)) })),
            ("isa", .string(cpu.widestISA)),
            // The instruction set of `vectorized`'s loops (chosen at run time, Accelerator.swift);
            // `vectorized-portable` always runs the baseline loops.
            ("vector_loops", .string(EngineImplementations.isa.rawValue)),
            ("features", .array(["sse2", "avx", "avx2", "fma", "avx512f"].filter { cpu.flags.contains($0) }.map { .string($0) })),
            ("os", .string(os)),
            ("build", .string(buildConfiguration)),
            // Other processes share the cores: the 1-minute load average when the run started.
            ("load_average", .string((try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?
                .split(separator: " ").first.map(String.init) ?? "unknown")),
            ("parallel_threshold", VectorizedEngine.parallelThreshold.map { JSON($0) } ?? .object([
                ("baseline_loops", JSON(VectorizedEngine.baselineParallelThreshold)),
                ("accelerated_loops", JSON(VectorizedEngine.acceleratedParallelThreshold))])),
            ("blas", blas),
        ]
    }

    // MARK: The short bench for the main job

    /// A short run (a few seconds in a release build): torch/Adam and torch/SGD, float32, 64K and
    /// 4M parameters, 1 thread, every available implementation, each beside its same-traffic
    /// probe. Writes `resultsDir`/bench-short.md and bench-short.json atomically and returns the
    /// markdown. `progress` gets a line per row (the CLI sends them to stderr).
    public static func quick(resultsDir: String = "results", progress: ((String) -> Void)? = nil) throws -> String {
        let cfg = BenchConfiguration(
            optimizers: ["torch/Adam", "torch/SGD"].compactMap(BenchOptimizer.named),
            implementations: EngineImplementations.all.map(\.name), dtypes: [.float32],
            sizes: [1 << 16, 1 << 22], threads: [1], repeats: 7)
        let report = run(cfg, progress: progress)
        let md = BenchRender.markdown(report, command: "swift run -c release descent (main job, short bench)")
        // The full `descent bench` run keeps results/bench.{md,json}; the main job's short one
        // sits beside it.
        try AtomicWrite.write(md, to: "\(resultsDir)/bench-short.md")
        try AtomicWrite.write(BenchRender.json(report), to: "\(resultsDir)/bench-short.json")
        return md
    }
}
