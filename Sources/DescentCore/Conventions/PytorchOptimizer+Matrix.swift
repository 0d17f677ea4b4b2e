// PytorchOptimizer+Matrix.swift — pytorch_optimizer Shampoo and SOAP (pytorch_optimizer 4.1.0):
// keyword arguments, defaults and validation with the library's own messages. Both constructors
// take `**kwargs` and ignore what they do not know, so unknown keys are accepted here too.
import DescentJSON

/// pytorch_optimizer's BaseOptimizer validators, worded as the library words them.
struct PytorchOptimizerValidation {
    static func learningRate(_ h: Hyperparameters, _ lr: Double) throws {
        if lr < 0 { throw h.invalid("lr", "learning rate must be positive. (\(h.values["lr"].map(pyRepr) ?? "") > 0)") }
    }
    static func range(_ h: Hyperparameters, _ key: String, _ x: Double, name: String, closedHigh: Bool = false) throws {
        if !(0.0 <= x && (closedHigh ? x <= 1.0 : x < 1.0)) {
            throw h.invalid(key, "\(name) must be in the range [0.0, 1.0\(closedHigh ? "]" : ")")")
        }
    }
    static func nonNegative(_ h: Hyperparameters, _ key: String, _ x: Double?) throws {
        if let x, x < 0 { throw h.invalid(key, "\(key) must be non-negative") }
    }
    static func positive(_ h: Hyperparameters, _ key: String, _ x: Double) throws {
        if x <= 0 { throw h.invalid(key, "\(key) must be positive") }
    }
    static func step(_ h: Hyperparameters, _ key: String, _ x: Int) throws {
        if x < 1 { throw h.invalid(key, "\(key) must be positive. (\(x) > 0)") }
    }
    /// `**kwargs`: every other keyword is accepted and ignored.
    static func swallowRest(_ h: inout Hyperparameters) {
        for k in h.values.keys.sorted() { _ = h.raw(k) }
    }
}

let pytorchOptimizerMatrixGroup: [OptimizerEntry] = [
    OptimizerEntry("Shampoo", "momentum lerps toward the last update, L^(−1/4)·G·R^(−1/4) (matrix_eps), roots every preconditioning_compute_steps") { h in
        typealias V = PytorchOptimizerValidation
        var f = ShampooFamily()
        let lr = try h.double("lr", default: 1e-3)
        f.momentum = try h.double("momentum", default: 0)
        f.weightDecay = try h.double("weight_decay", default: 0)
        f.weightDecouple = try h.bool("weight_decouple", default: false)
        f.fixedDecay = try h.bool("fixed_decay", default: false)
        f.preconditioningComputeSteps = try h.int("preconditioning_compute_steps", default: 1)
        f.matrixEps = try h.double("matrix_eps", default: 1e-6)
        f.maximize = try h.bool("maximize", default: false)
        try V.learningRate(h, lr)
        try V.range(h, "momentum", f.momentum, name: "momentum")
        try V.nonNegative(h, "weight_decay", f.weightDecay)
        try V.step(h, "preconditioning_compute_steps", f.preconditioningComputeSteps)
        try V.nonNegative(h, "matrix_eps", f.matrixEps)
        V.swallowRest(&h)
        return OptimizerSpec(family: f, lr: lr)
    },
    OptimizerEntry("SOAP", "shampoo_beta None = beta2, weight_decay decoupled, after the update, correct_bias; first step only builds the eigenbases") { h in
        typealias V = PytorchOptimizerValidation
        var f = SOAPFamily()
        let lr = try h.double("lr", default: 3e-3)
        (f.beta1, f.beta2) = try h.pair("betas", default: (0.95, 0.95))
        f.shampooBeta = try h.optionalDouble("shampoo_beta")
        f.weightDecay = try h.double("weight_decay", default: 1e-2)
        f.preconditionFrequency = try h.int("precondition_frequency", default: 10)
        f.maxPreconditionDim = try h.int("max_precondition_dim", default: 10000)
        let mergeDims = try h.bool("merge_dims", default: false)
        let precondition1D = try h.bool("precondition_1d", default: false)
        f.correctBias = try h.bool("correct_bias", default: true)
        f.normalizeGradient = try h.bool("normalize_gradient", default: false)
        let dataFormat = try h.string("data_format", default: "channels_first")
        f.eps = try h.double("eps", default: 1e-8)
        f.maximize = try h.bool("maximize", default: false)
        try V.learningRate(h, lr)
        try V.range(h, "betas", f.beta1, name: "beta1")
        try V.range(h, "betas", f.beta2, name: "beta2")
        try V.nonNegative(h, "shampoo_beta", f.shampooBeta)
        try V.nonNegative(h, "weight_decay", f.weightDecay)
        try V.positive(h, "precondition_frequency", Double(f.preconditionFrequency))
        try V.positive(h, "max_precondition_dim", Double(f.maxPreconditionDim))
        try V.nonNegative(h, "eps", f.eps)
        V.swallowRest(&h)
        if mergeDims {
            throw DescentError.unsupported("pytorch_optimizer.SOAP: merge_dims=True is not implemented in Descent")
        }
        f.precondition1D = precondition1D
        _ = dataFormat   // only matters for 4-D tensors with merge_dims
        return OptimizerSpec(family: f, lr: lr)
    },
    OptimizerEntry("ScalableShampoo", "SGD graft, nesterov, Schur–Newton roots every preconditioning_compute_steps, block_size with merged small dims (small tensors are not preconditioned); one block only") { h in
        typealias V = PytorchOptimizerValidation
        var f = ScalableShampooFamily()
        let lr = try h.double("lr", default: 1e-3)
        (f.beta1, f.beta2) = try h.pair("betas", default: (0.9, 0.999))
        f.movingAverageForMomentum = try h.bool("moving_average_for_momentum", default: false)
        f.weightDecay = try h.double("weight_decay", default: 0)
        f.decoupledWeightDecay = try h.bool("decoupled_weight_decay", default: false)
        f.decoupledLearningRate = try h.bool("decoupled_learning_rate", default: true)
        f.inverseExponentOverride = try h.int("inverse_exponent_override", default: 0)
        f.startPreconditioningStep = try h.int("start_preconditioning_step", default: 25)
        f.preconditioningComputeSteps = try h.int("preconditioning_compute_steps", default: 1000)
        f.statisticsComputeSteps = try h.int("statistics_compute_steps", default: 1)
        f.blockSize = try h.int("block_size", default: 512)
        f.skipPreconditioningRankLt = try h.int("skip_preconditioning_rank_lt", default: 1)
        f.noPreconditioningForLayersWithDimGt = try h.int("no_preconditioning_for_layers_with_dim_gt", default: 8192)
        f.shapeInterpretation = try h.bool("shape_interpretation", default: true)
        let graft = try h.int("graft_type", default: 1)
        let sides = try h.int("pre_conditioner_type", default: 0)
        f.nesterov = try h.bool("nesterov", default: true)
        f.diagonalEps = try h.double("diagonal_eps", default: 1e-10)
        f.matrixEps = try h.double("matrix_eps", default: 1e-6)
        f.useSVD = try h.bool("use_svd", default: false)
        f.maximize = try h.bool("maximize", default: false)
        try V.learningRate(h, lr)
        try V.range(h, "betas", f.beta1, name: "beta1")
        try V.range(h, "betas", f.beta2, name: "beta2")
        try V.nonNegative(h, "weight_decay", f.weightDecay)
        try V.step(h, "start_preconditioning_step", f.startPreconditioningStep)
        try V.step(h, "preconditioning_compute_steps", f.preconditioningComputeSteps)
        try V.step(h, "statistics_compute_steps", f.statisticsComputeSteps)
        try V.nonNegative(h, "diagonal_eps", f.diagonalEps)
        try V.nonNegative(h, "matrix_eps", f.matrixEps)
        V.swallowRest(&h)
        // build_graft: an unknown graft_type is the base Graft (the gradient itself, as SGD), and the
        // norm rescaling still applies (graft_type != NONE).
        f.graft = ScalableShampooFamily.Graft(rawValue: graft) ?? .sgd
        guard let s = ScalableShampooFamily.Sides(rawValue: sides) else {
            throw DescentError.unsupported("pytorch_optimizer.ScalableShampoo: pre_conditioner_type=\(sides) raises a bare ValueError in the library on multi-dimensional tensors")
        }
        f.sides = s
        return OptimizerSpec(family: f, lr: lr)
    },
]
