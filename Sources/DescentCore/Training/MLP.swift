// MLP.swift — forward and backward pass of a multilayer perceptron on a minibatch (MLPSpec.swift
// has the notation). Every matrix product is the engine's `gemm`, so `naive`, `vectorized` and
// `blas` (cblas_?gemm) each run their own; the rest (bias, σ, loss) is plain loops.
//
// Batched, row-major: a batch of B rows stacks z⁽ˡ⁾ as the rows of Z⁽ˡ⁾ [B, d_l], so
//   forward   A⁽ˡ⁾ = Z⁽ˡ⁻¹⁾ W⁽ˡ⁾ᵀ + 1 b⁽ˡ⁾ᵀ                 gemm(transB)  (the bias fills C first, β = 1)
//             Z⁽ˡ⁾ = σ(A⁽ˡ⁾) for l < L; A⁽ᴸ⁾ are the logits
//   loss      L = (1/B) Σᵢ ℓ(aᵢ⁽ᴸ⁾, yᵢ)   (Loss in MLPSpec.swift)
//   backward  Δ⁽ᴸ⁾ = ∂L/∂A⁽ᴸ⁾  (row i: δᵢ⁽ᴸ⁾ = ∂L/∂z⁽ᴸ⁾ ⊙ σ′(a⁽ᴸ⁾) with the linear last layer, the 1/B inside)
//             ∂L/∂W⁽ˡ⁾ = Δ⁽ˡ⁾ᵀ Z⁽ˡ⁻¹⁾  (= Σᵢ δᵢ⁽ˡ⁾ zᵢ⁽ˡ⁻¹⁾ᵀ)      gemm(transA)
//             ∂L/∂b⁽ˡ⁾ = Σᵢ δᵢ⁽ˡ⁾      (summed over the batch)
//             Δ⁽ˡ⁻¹⁾ = (Δ⁽ˡ⁾ W⁽ˡ⁾) ⊙ σ′(A⁽ˡ⁻¹⁾)  (δ⁽ˡ⁻¹⁾ = W⁽ˡ⁾ᵀδ⁽ˡ⁾ ⊙ σ′(a⁽ˡ⁻¹⁾))   gemm
// Loss gradients on the logits (per row, before the 1/B):
//   cross_entropy          softmax(a) − onehot(t)
//   mse                    2(a − y)/d_L
//   binary_cross_entropy   sigmoid(a) − y
import Foundation

/// Deliberate mistakes, for the gradient checks' own tests and the power report (known-wrong
/// variants that only show in training). Empty in every real use.
public struct MLPFaults: OptionSet, Sendable, Hashable {
    public let rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }
    /// Backward drops σ′: Δ⁽ˡ⁻¹⁾ = Δ⁽ˡ⁾W⁽ˡ⁾.
    public static let sigmaPrimeDropped = MLPFaults(rawValue: 1 << 0)
    /// ∂L/∂b⁽ˡ⁾ = δ₁⁽ˡ⁾, the first example's only (not summed over the batch).
    public static let biasGradientFirstExample = MLPFaults(rawValue: 1 << 1)
    /// The loss is summed over the batch instead of averaged (mse: over every entry), gradient too.
    public static let lossSummed = MLPFaults(rawValue: 1 << 2)
    /// relu′(0) = 1 instead of 0.
    public static let reluPrimeZeroIsOne = MLPFaults(rawValue: 1 << 3)
    /// softmax without subtracting the row max: e^a overflows on large logits.
    public static let softmaxNoMaxShift = MLPFaults(rawValue: 1 << 4)
    /// Only the backward pass sums over the batch: ∂L/∂A⁽ᴸ⁾ lacks the 1/B (mse: 1/(B·d_L)) while
    /// the loss is still averaged (a backward inconsistent with its forward).
    public static let backwardLossSummed = MLPFaults(rawValue: 1 << 6)
    /// W⁽ˡ⁾ read as [d_{l−1}, d_l] row-major (the Wᵀ layout) instead of nn.Linear's [d_l, d_{l−1}].
    public static let weightsTransposed = MLPFaults(rawValue: 1 << 5)
}

/// Loss and accuracy of a model on a set of rows.
public struct Evaluation: Sendable, Equatable {
    /// Mean loss over the rows (the loss of one batch holding them all).
    public var loss: Double
    /// Fraction classified right: argmax of the logits (cross_entropy), logit > 0 ⇔ y = 1
    /// (binary_cross_entropy); nil for mse.
    public var accuracy: Double?
    public init(loss: Double, accuracy: Double?) {
        self.loss = loss
        self.accuracy = accuracy
    }
}

/// An MLP bound to an engine, with workspace for its batches. The methods are @inlinable so a
/// caller in another module (the harness, `descent train`) gets them specialised for Float or
/// Double instead of running generic code per element. Parameters live outside it (the
/// optimizer owns them), as `[Buffer<T>]` in `spec.parameterShapes` order. Not thread-safe: one
/// instance per training loop.
///
///     let spec = try MLPSpec(sizes: [64, 32, 10], activation: .relu, loss: .crossEntropy)
///     let model = MLP<Double>(spec, engine: Engine(.blas))
///     let params = spec.initialParameters(Double.self, seed: 1)
///     let grads = model.makeGradients()
///     let loss = model.lossAndGradients(params: params, data: train, rows: batch, into: grads)
///     stepper.step(params: params, grads: grads, lr: lr)
///     let test = model.evaluate(params: params, data: testSet)
public final class MLP<T: DescentFloat> {
    public let spec: MLPSpec
    public var engine: Engine
    public var faults: MLPFaults

    /// Workspace for batches of up to `capacity` rows: X (the gathered inputs), A⁽ˡ⁾, Z⁽ˡ⁾ and two Δ buffers.
    @usableFromInline var capacity = 0
    @usableFromInline var x: Buffer<T> = Buffer(zeros: 0)
    @usableFromInline var pre: [Buffer<T>] = []     // A⁽ˡ⁾, l = 1…L  (index l−1)
    @usableFromInline var post: [Buffer<T>] = []    // Z⁽ˡ⁾, l = 1…L−1 (index l−1)
    @usableFromInline var delta: Buffer<T> = Buffer(zeros: 0)
    @usableFromInline var deltaPrev: Buffer<T> = Buffer(zeros: 0)

    public init(_ spec: MLPSpec, engine: Engine = .naive, faults: MLPFaults = []) {
        self.spec = spec
        self.engine = engine
        self.faults = faults
    }

    /// Zeroed gradient buffers, one per parameter.
    @inlinable public func makeGradients() -> [Buffer<T>] { .zeros(like: spec.parameterShapes) }

    @inlinable func reserve(_ rows: Int) {
        guard rows > capacity else { return }
        capacity = rows
        let s = spec.sizes
        x = Buffer(zeros: rows * s[0])
        pre = (1..<s.count).map { Buffer(zeros: rows * s[$0]) }
        post = (1..<s.count - 1).map { Buffer(zeros: rows * s[$0]) }
        let widest = s.max()!
        delta = Buffer(zeros: rows * widest)
        deltaPrev = Buffer(zeros: rows * widest)
    }

    // MARK: Forward

    /// Runs the layers on `rows` of `data`; afterwards pre[L−1] holds the logits [B, d_L].
    @inlinable func forward(_ params: [Buffer<T>], _ data: TrainingData<T>, _ rows: some Collection<Int>) {
        precondition(params.count == 2 * spec.layerCount, "MLP: \(params.count) parameter tensors for \(spec.layerCount) layers")
        let b = rows.count
        reserve(b)
        let s = spec.sizes
        let d0 = s[0]
        for (i, r) in rows.enumerated() {
            precondition(r >= 0 && r < data.count, "MLP: row \(r) outside the data (\(data.count) rows)")
            (x.pointer + i * d0).update(from: data.inputs.pointer + r * d0, count: d0)
        }
        var input = UnsafePointer(x.pointer)
        for l in 1..<s.count {
            let (dIn, dOut) = (s[l - 1], s[l])
            let w = params[2 * (l - 1)], bias = params[2 * (l - 1) + 1]
            let a = pre[l - 1].pointer
            for i in 0..<b { (a + i * dOut).update(from: bias.pointer, count: dOut) }
            // A⁽ˡ⁾ ← Z⁽ˡ⁻¹⁾ W⁽ˡ⁾ᵀ + A⁽ˡ⁾ (holding the bias rows)
            if faults.contains(.weightsTransposed) {
                engine.gemm(transA: false, transB: false, m: b, n: dOut, k: dIn, alpha: 1, input, lda: dIn,
                            w.pointer, ldb: dOut, beta: 1, a, ldc: dOut)
            } else {
                engine.gemm(transA: false, transB: true, m: b, n: dOut, k: dIn, alpha: 1, input, lda: dIn,
                            w.pointer, ldb: dIn, beta: 1, a, ldc: dOut)
            }
            guard l < s.count - 1 else { break }
            let z = post[l - 1].pointer
            for j in 0..<b * dOut { z[j] = Self.sigma(spec.activation!, a[j]) }
            input = UnsafePointer(z)
        }
    }

    @inlinable @inline(__always)
    static func sigma(_ f: Activation, _ a: T) -> T {
        switch f {
        case .sigmoid: return sigmoid(a)
        case .tanh: return tanh(a)
        case .relu: return a > 0 ? a : 0
        }
    }

    /// σ′ from the pre-activation a and the activation z = σ(a).
    @inlinable @inline(__always)
    func sigmaPrime(_ f: Activation, _ a: T, _ z: T) -> T {
        switch f {
        case .sigmoid: return z * (1 - z)
        case .tanh: return 1 - z * z
        case .relu: return a > 0 || (a == 0 && faults.contains(.reluPrimeZeroIsOne)) ? 1 : 0
        }
    }

    /// 1/(1 + e^(−a)), written so e^x never overflows: e^a/(1 + e^a) for a < 0.
    @inlinable @inline(__always)
    static func sigmoid(_ a: T) -> T {
        if a >= 0 { return 1 / (1 + T.exp(-a)) }
        let e = T.exp(a)
        return e / (1 + e)
    }

    @inlinable @inline(__always)
    static func tanh(_ a: T) -> T {
        T.self == Double.self ? T(Foundation.tanh(Double(a))) : T(Foundation.tanhf(Float(a)))
    }

    @inlinable @inline(__always)
    static func log1p(_ a: T) -> T {
        T.self == Double.self ? T(Foundation.log1p(Double(a))) : T(Foundation.log1pf(Float(a)))
    }

    // MARK: Loss

    /// The batch loss of the logits in pre[L−1]; when `grad` is given, writes ∂L/∂A⁽ᴸ⁾ there ([B, d_L]).
    @inlinable func loss(_ data: TrainingData<T>, _ rows: some Collection<Int>, grad: UnsafeMutablePointer<T>?) -> T {
        let b = rows.count, k = spec.outputWidth
        let logits = pre[spec.layerCount - 1].pointer
        let y = data.targets.pointer
        var total = T(0)
        switch spec.loss {
        case .crossEntropy:
            let scale = faults.contains(.lossSummed) ? T(1) : 1 / T(b)
            let gscale = faults.contains(.backwardLossSummed) ? T(1) : scale
            let shift = !faults.contains(.softmaxNoMaxShift)
            for (i, r) in rows.enumerated() {
                let a = logits + i * k
                var m = a[0]
                for j in 1..<k where a[j] > m || a[j].isNaN { m = a[j] }
                if !shift { m = 0 }
                var sum = T(0)
                for j in 0..<k { sum += T.exp(a[j] - m) }
                let t = Int(y[r])
                total += T.log(sum) + m - a[t]       // −log softmax(a)[t] = logsumexp(a) − a_t
                if let g = grad.map({ $0 + i * k }) {
                    for j in 0..<k { g[j] = (T.exp(a[j] - m) / sum - (j == t ? 1 : 0)) * gscale }
                }
            }
            return total * scale
        case .mse:
            let scale = faults.contains(.lossSummed) ? T(1) : 1 / T(b * k)
            let gscale = faults.contains(.backwardLossSummed) ? T(1) : scale
            for (i, r) in rows.enumerated() {
                for j in 0..<k {
                    let d = logits[i * k + j] - y[r * k + j]
                    total += d * d
                    grad?[i * k + j] = 2 * d * gscale
                }
            }
            return total * scale
        case .binaryCrossEntropy:
            let scale = faults.contains(.lossSummed) ? T(1) : 1 / T(b)
            let gscale = faults.contains(.backwardLossSummed) ? T(1) : scale
            for (i, r) in rows.enumerated() {
                let a = logits[i], t = y[r]
                // max(a, 0) − a·y + log(1 + e^(−|a|))
                total += (a > 0 ? a : 0) - a * t + Self.log1p(T.exp(-a.magnitude))
                grad?[i] = (Self.sigmoid(a) - t) * gscale
            }
            return total * scale
        }
    }

    // MARK: Public API

    /// The batch loss L at `params` on `rows` of `data`, and ∂L/∂θ written into `grads`
    /// (same shapes as `params`; overwritten, not accumulated). `rows` may repeat and may be in
    /// any order; the batch is the rows taken in that order.
    @inlinable @discardableResult
    public func lossAndGradients(params: [Buffer<T>], data: TrainingData<T>, rows: some Collection<Int>,
                                 into grads: [Buffer<T>]) -> T {
        precondition(grads.count == params.count, "MLP: \(grads.count) gradient buffers for \(params.count) parameters")
        precondition(!rows.isEmpty, "MLP: empty batch")
        forward(params, data, rows)
        let b = rows.count
        let s = spec.sizes, layers = spec.layerCount
        let value = loss(data, rows, grad: delta.pointer)
        for l in stride(from: layers, through: 1, by: -1) {
            let (dIn, dOut) = (s[l - 1], s[l])
            let w = params[2 * (l - 1)], gw = grads[2 * (l - 1)], gb = grads[2 * (l - 1) + 1]
            let input = l == 1 ? x.pointer : post[l - 2].pointer
            let dl = delta.pointer
            // ∂L/∂W⁽ˡ⁾ = Δ⁽ˡ⁾ᵀ Z⁽ˡ⁻¹⁾  [d_l, d_{l−1}]   (Wᵀ layout: Z⁽ˡ⁻¹⁾ᵀ Δ⁽ˡ⁾ [d_{l−1}, d_l])
            if faults.contains(.weightsTransposed) {
                engine.gemm(transA: true, transB: false, m: dIn, n: dOut, k: b, alpha: 1, input, lda: dIn,
                            dl, ldb: dOut, beta: 0, gw.pointer, ldc: dOut)
            } else {
                engine.gemm(transA: true, transB: false, m: dOut, n: dIn, k: b, alpha: 1, dl, lda: dOut,
                            input, ldb: dIn, beta: 0, gw.pointer, ldc: dIn)
            }
            // ∂L/∂b⁽ˡ⁾ = Σᵢ δᵢ⁽ˡ⁾
            let rowsSummed = faults.contains(.biasGradientFirstExample) ? 1 : b
            for j in 0..<dOut {
                var acc = T(0)
                for i in 0..<rowsSummed { acc += dl[i * dOut + j] }
                gb.pointer[j] = acc
            }
            guard l > 1 else { break }
            // Δ⁽ˡ⁻¹⁾ = (Δ⁽ˡ⁾ W⁽ˡ⁾) ⊙ σ′(A⁽ˡ⁻¹⁾)
            let dp = deltaPrev.pointer
            if faults.contains(.weightsTransposed) {
                engine.gemm(transA: false, transB: true, m: b, n: dIn, k: dOut, alpha: 1, dl, lda: dOut,
                            w.pointer, ldb: dOut, beta: 0, dp, ldc: dIn)
            } else {
                engine.gemm(transA: false, transB: false, m: b, n: dIn, k: dOut, alpha: 1, dl, lda: dOut,
                            w.pointer, ldb: dIn, beta: 0, dp, ldc: dIn)
            }
            if !faults.contains(.sigmaPrimeDropped) {
                let a = pre[l - 2].pointer, z = post[l - 2].pointer, f = spec.activation!
                for j in 0..<b * dIn { dp[j] *= sigmaPrime(f, a[j], z[j]) }
            }
            swap(&delta, &deltaPrev)
        }
        return value
    }

    /// The batch loss L at `params` on `rows` (forward only).
    @inlinable public func loss(params: [Buffer<T>], data: TrainingData<T>, rows: some Collection<Int>) -> T {
        precondition(!rows.isEmpty, "MLP: empty batch")
        forward(params, data, rows)
        return loss(data, rows, grad: nil)
    }

    /// The logits a⁽ᴸ⁾ for `rows`, [B, d_L] row-major.
    @inlinable public func logits(params: [Buffer<T>], data: TrainingData<T>, rows: some Collection<Int>) -> [T] {
        forward(params, data, rows)
        return Array(UnsafeBufferPointer(start: pre[spec.layerCount - 1].pointer, count: rows.count * spec.outputWidth))
    }

    /// Mean loss and accuracy over `rows` (all rows when nil), in chunks of `chunk` rows; the
    /// loss is accumulated in float64 as Σ (chunk loss × chunk rows) / N.
    @inlinable public func evaluate(params: [Buffer<T>], data: TrainingData<T>, rows: [Int]? = nil, chunk: Int = 512) -> Evaluation {
        let all = rows ?? Array(0..<data.count)
        precondition(!all.isEmpty, "MLP: nothing to evaluate")
        var lossSum = 0.0, right = 0
        let k = spec.outputWidth
        for start in stride(from: 0, to: all.count, by: chunk) {
            let part = all[start..<min(start + chunk, all.count)]
            forward(params, data, part)
            let l = loss(data, part, grad: nil)
            lossSum += Double(l) * Double(part.count)
            let logits = pre[spec.layerCount - 1].pointer
            for (i, r) in part.enumerated() {
                switch spec.loss {
                case .crossEntropy:
                    var best = 0
                    for j in 1..<k where logits[i * k + j] > logits[i * k + best] { best = j }
                    if best == Int(data.targets.pointer[r]) { right += 1 }
                case .binaryCrossEntropy:
                    if (logits[i] > 0) == (data.targets.pointer[r] > 0.5) { right += 1 }
                case .mse: break
                }
            }
        }
        let n = Double(all.count)
        return Evaluation(loss: lossSum / n,
                          accuracy: spec.loss == .mse ? nil : Double(right) / n)
    }
}
