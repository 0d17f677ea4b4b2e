// MLPSpec.swift — what a multilayer perceptron is (the fixture spec's "Training case"): layer
// sizes, the hidden activation, the loss; its parameter shapes and its seeded initialisation.
//
// Notation (the course's): sizes [d₀, d₁, …, d_L]; layer l = 1…L computes
//     a⁽ˡ⁾ = W⁽ˡ⁾ z⁽ˡ⁻¹⁾ + b⁽ˡ⁾,   z⁽ˡ⁾ = σ(a⁽ˡ⁾) for l < L,   z⁽⁰⁾ = x,
// with W⁽ˡ⁾ of shape [d_l, d_{l−1}] (torch nn.Linear layout, row-major) and b⁽ˡ⁾ of shape [d_l].
// The last layer is linear: a⁽ᴸ⁾ are the logits the loss reads. Parameters are listed
// W⁽¹⁾, b⁽¹⁾, W⁽²⁾, b⁽²⁾, … (the fixture's `params` order). sizes of length 2 is linear /
// softmax regression and needs no activation.

/// The hidden layers' σ.
public enum Activation: String, CaseIterable, Sendable {
    /// σ(a) = 1/(1 + e^(−a)); σ′ = σ(1 − σ).
    case sigmoid
    /// σ(a) = tanh a; σ′ = 1 − tanh² a.
    case tanh
    /// σ(a) = max(a, 0); σ′(a) = 1 for a > 0, 0 for a ≤ 0 (relu′(0) = 0, as torch's autograd).
    case relu
}

/// The loss on the logits a⁽ᴸ⁾ of a batch of B rows.
public enum Loss: String, CaseIterable, Sendable {
    /// Targets are class indices t; L = (1/B) Σᵢ −log softmax(aᵢ)[tᵢ], softmax computed with the
    /// row's max subtracted (torch F.cross_entropy, optax softmax_cross_entropy_with_integer_labels().mean()).
    case crossEntropy = "cross_entropy"
    /// Targets y of shape [B, d_L]; L = (1/(B·d_L)) Σᵢⱼ (aᵢⱼ − yᵢⱼ)² (torch F.mse_loss).
    case mse
    /// d_L = 1, targets y ∈ {0, 1}; L = (1/B) Σᵢ [max(aᵢ, 0) − aᵢyᵢ + log(1 + e^(−|aᵢ|))]
    /// (torch F.binary_cross_entropy_with_logits: BCE of sigmoid(a), computed on the logit, stable).
    case binaryCrossEntropy = "binary_cross_entropy"
}

/// An MLP's architecture and loss.
public struct MLPSpec: Sendable, Hashable, CustomStringConvertible {
    /// [d₀, d₁, …, d_L]: input width, hidden widths, output width.
    public let sizes: [Int]
    /// σ of the hidden layers (nil only when there are none).
    public let activation: Activation?
    public let loss: Loss

    /// Throws `DescentError.invalidInput` naming the field when the architecture cannot work.
    public init(sizes: [Int], activation: Activation?, loss: Loss) throws {
        guard sizes.count >= 2 else {
            throw DescentError.invalidInput(field: "model.sizes", message: "needs at least 2 sizes (input and output), got \(sizes)")
        }
        guard sizes.allSatisfy({ $0 >= 1 }) else {
            throw DescentError.invalidInput(field: "model.sizes", message: "every size must be ≥ 1, got \(sizes)")
        }
        if sizes.count > 2 && activation == nil {
            throw DescentError.invalidInput(field: "model.activation", message: "an MLP with hidden layers needs an activation (sigmoid, tanh, relu)")
        }
        if loss == .binaryCrossEntropy && sizes.last != 1 {
            throw DescentError.invalidInput(field: "model.sizes", message: "binary_cross_entropy needs one output (last size 1), got \(sizes.last!)")
        }
        if loss == .crossEntropy && sizes.last! < 2 {
            throw DescentError.invalidInput(field: "model.sizes", message: "cross_entropy needs at least 2 classes, got \(sizes.last!)")
        }
        self.sizes = sizes
        self.activation = activation
        self.loss = loss
    }

    /// L, the number of linear layers.
    public var layerCount: Int { sizes.count - 1 }
    public var inputWidth: Int { sizes[0] }
    public var outputWidth: Int { sizes[sizes.count - 1] }

    /// [[d₁, d₀], [d₁], [d₂, d₁], [d₂], …] — the `params` shapes, in order.
    public var parameterShapes: [[Int]] {
        (1..<sizes.count).flatMap { (l: Int) -> [[Int]] in [[sizes[l], sizes[l - 1]], [sizes[l]]] }
    }

    /// Number of scalars in all parameters.
    public var parameterCount: Int { (1..<sizes.count).reduce(0) { $0 + sizes[$1] * (sizes[$1 - 1] + 1) } }

    /// Width of one target row: 1 (a class index or a 0/1 label) or d_L (mse).
    public var targetWidth: Int { loss == .mse ? outputWidth : 1 }

    /// "mlp:64,16,10 tanh cross_entropy".
    public var description: String {
        "mlp:" + sizes.map(String.init).joined(separator: ",") + (activation.map { " \($0.rawValue)" } ?? "") + " \(loss.rawValue)"
    }

    /// torch nn.Linear's default initialisation, drawn from `SplitMix64(seed:)`: for each layer
    /// in order, every entry of W⁽ˡ⁾ (row-major) then of b⁽ˡ⁾ is U(−k, k) with k = 1/√d_{l−1}
    /// (kaiming_uniform with a = √5 gives exactly this bound for W; the bias uses 1/√fan_in).
    /// Values are drawn in float64, so a float32 model starts from the same values rounded.
    /// (torch's own generator is not reproduced: the distribution is, the stream is ours.)
    public func initialValues(seed: UInt64) -> [[Double]] {
        var rng = SplitMix64(seed: seed)
        var out: [[Double]] = []
        for l in 1..<sizes.count {
            let k = 1 / Double(sizes[l - 1]).squareRoot()
            out.append((0..<sizes[l] * sizes[l - 1]).map { _ in rng.uniform(-k, k) })
            out.append((0..<sizes[l]).map { _ in rng.uniform(-k, k) })
        }
        return out
    }

    /// Buffers holding `initialValues(seed:)` in precision T.
    public func initialParameters<T: DescentFloat>(_: T.Type = T.self, seed: UInt64) -> [Buffer<T>] {
        initialValues(seed: seed).map { Buffer<T>(converting: $0) }
    }

}

