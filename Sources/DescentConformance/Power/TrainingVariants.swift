// TrainingVariants.swift — known-wrong forward / backward passes that only show when a model is
// trained (the training cases of reference/gen_training.py catch them). Each runs the naive MLP
// with one MLPFaults mistake; it declines every case that is not a training case, and the cases
// where its mistake cannot show (relu′(0) needs relu hidden layers, the softmax shift needs
// cross_entropy, σ′ needs a hidden layer).
import DescentCore

extension KnownWrong {
    package static let trainingVariants: [KnownWrongVariant] = [
        KnownWrongVariant("train-loss-summed", "the batch loss (and its gradient) summed over the batch instead of averaged",
                          .model(.lossSummed)),
        KnownWrongVariant("train-bias-grad-first-example", "∂L/∂b taken from the first example of the batch only, not summed over it",
                          .model(.biasGradientFirstExample)),
        KnownWrongVariant("train-relu-prime-zero-is-one", "relu′(0) = 1 (autograd in torch and jax gives 0)",
                          .model(.reluPrimeZeroIsOne)),
        KnownWrongVariant("train-softmax-no-max-shift", "softmax as e^a/Σe^a without subtracting the row max: overflows on large logits",
                          .model(.softmaxNoMaxShift)),
        KnownWrongVariant("train-weights-transposed", "W⁽ˡ⁾ read in the Wᵀ layout [d_{l−1}, d_l] instead of nn.Linear's [d_l, d_{l−1}]",
                          .model(.weightsTransposed)),
        KnownWrongVariant("train-sigma-prime-dropped", "backward drops σ′: δ⁽ˡ⁻¹⁾ = W⁽ˡ⁾ᵀδ⁽ˡ⁾",
                          .model(.sigmaPrimeDropped)),
    ]
}

extension KnownWrongVariant {
    /// A model mistake applies to training cases whose model can show it.
    package static func prepareModelMistake(_ c: FixtureCase, _ faults: MLPFaults) throws -> FixtureCase {
        guard case let .optimizer(oc) = c, let t = oc.training else { throw notApplicable("not a training case") }
        let hidden = t.sizes.count > 2
        if faults.contains(.reluPrimeZeroIsOne) && !(hidden && t.activation == "relu") { throw notApplicable("no relu layer") }
        if faults.contains(.softmaxNoMaxShift) && t.loss != "cross_entropy" { throw notApplicable("no softmax") }
        if faults.contains(.sigmaPrimeDropped) && !hidden { throw notApplicable("no hidden layer") }
        return c
    }
}
