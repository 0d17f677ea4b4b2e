// Keras+Optimizers.swift — the keras convention: `keras.optimizers.X(**kwargs)` with Keras 3.15.1's
// keyword names, defaults and ValueErrors (keras/src/optimizers/*.py), mapped onto Descent's
// families. What every Keras optimizer shares (clipping, decoupled weight decay before the update)
// is KerasBase.swift. Keras's own differences from torch, each a knob here:
//   SGD      m ← μ·m − lr·g; w ← w + m (lr inside the buffer, buffer from 0; nesterov w ← w + μ·m − lr·g)
//   RMSprop  rho 0.9, epsilon 1e-7 INSIDE the root; momentum buffer holds lr·g/√(v+ε) (lr inside)
//   Adagrad  initial_accumulator_value 0.1, epsilon 1e-7 INSIDE the root
//   Adadelta learning_rate 1e-3, rho 0.95, epsilon 1e-7 (torch's math)
//   Adam     "epsilon hat": w ← w − lr·√(1−β₂ᵗ)/(1−β₁ᵗ)·m/(√v + ε); amsgrad = max of raw v
//   AdamW    Adam with weight_decay 0.004 (Keras's decoupled decay, before the update)
//   Adamax   u ← max(β₂·u, |g|); w ← w − lr·m/((1−β₁ᵗ)(u + ε))   (ε outside the max)
//   Nadam    torch's NAdam with the momentum schedule μₜ = β₁(1 − ½·0.96ᵗ) (momentum_decay 1)
//   Lion     the paper's Lion (beta_2 0.99), no decay of its own
//   Lamb     Adam direction with ε outside √v̂, ratio ‖w‖/‖u‖ (1 if either is 0), epsilon 1e-7
//   Ftrl     keras's FTRL-proximal (Ftrl.swift), initial_accumulator_value 0.1, learning_rate_power −0.5
//   Muon     momentum as a trace μ·M + G, Newton–Schulz (muon_a/b/c, ns_steps) of X/(‖X‖_F + 1e-7), update
//            scaled by √max(A, B)·rms_rate; tensors that are not 2-D go to Adam with epsilon hat
//            (adam_beta_1/2, epsilon, adam_weight_decay); weight_decay for the 2-D ones
//   Adafactor ρ = min(lr, 1/√t) always (relative_step changes nothing for a constant lr), epsilon_1
//            added to g², factored r/c over the last two dims with v = (r/mean(r)) ⊗ c (Keras's
//            velocity), no clamp, update clipped at RMS clip_threshold, α = max(epsilon_2, RMS(w))·ρ
//   ScheduleFreeAdamW  Keras's own form (ScheduleFree.swift, keras form): x rebuilt from the weights
//            each step, uniform averaging weights 1/t, warmup_steps, no decay inside the update
import DescentJSON

/// The arguments of keras.optimizers.Optimizer.__init__ that every Keras optimizer takes.
struct KerasBaseArguments {
    var lr: Double
    var weightDecay: Double?
    var transforms: [any GradientTransform]
    /// use_ema: (ema_momentum, ema_overwrite_frequency), nil without it.
    var ema: (momentum: Double, overwrite: Int?)?

    init(_ h: inout Hyperparameters, lr defaultLR: Double, weightDecay defaultDecay: Double? = nil) throws {
        if let v = h.values["learning_rate"], v.objectValue != nil {
            throw DescentError.unsupported("\(h.callee): a LearningRateSchedule object as learning_rate (give per-step lr in the steps instead)")
        }
        lr = try h.double("learning_rate", default: defaultLR)
        // Absent: the default (AdamW 0.004); an explicit null: None (no decay).
        weightDecay = try h.nullableDouble("weight_decay", default: defaultDecay)
        let clipNorm = try h.optionalDouble("clipnorm")
        let clipValue = try h.optionalDouble("clipvalue")
        let globalClipNorm = try h.optionalDouble("global_clipnorm")
        _ = try h.string("name", default: nil)
        let useEMA = try h.bool("use_ema", default: false)
        let emaMomentum = try h.double("ema_momentum", default: 0.99)
        h.note("ema_overwrite_frequency", .integer, .null)
        let emaRaw = h.raw("ema_overwrite_frequency")
        if try h.optionalDouble("loss_scale_factor") != nil {
            throw DescentError.unsupported("\(h.callee): loss_scale_factor (not modelled)")
        }
        if try h.optionalInt("gradient_accumulation_steps") != nil {
            throw DescentError.unsupported("\(h.callee): gradient_accumulation_steps is run by the field loop of a case (fixtures/FORMAT.md, accumulation), not by the optimizer alone")
        }
        let values = h.values
        func shown(_ k: String) -> String { values[k].map(pyRepr) ?? "None" }
        if useEMA {
            // Checked only with use_ema, before the clipping arguments (base_optimizer.__init__'s order).
            if emaMomentum > 1 || emaMomentum < 0 {
                throw h.invalid("ema_momentum", "`ema_momentum` must be in the range [0, 1]. Received: ema_momentum=\(shown("ema_momentum"))")
            }
            if let v = emaRaw {
                // Python truthiness: 0 and 0.0 skip the check (False is an int too).
                let truthy = v.boolValue ?? ((v.doubleValue ?? 1) != 0)
                var isInt = v.boolValue != nil   // a Python int: a JSON number written without '.' or an exponent
                if case let .number(text) = v { isInt = !text.contains(where: { ".eE".contains($0) }) }
                if truthy && (!isInt || (v.doubleValue ?? 0) < 1) {
                    throw h.invalid("ema_overwrite_frequency", "`ema_overwrite_frequency` must be an integer >= 1 or None. Received: ema_overwrite_frequency=\(shown("ema_overwrite_frequency"))")
                }
                guard isInt, v.boolValue == nil, let f = v.intValue, f >= 1 else {
                    throw DescentError.unsupported("\(h.callee): ema_overwrite_frequency=\(shown("ema_overwrite_frequency")) passes Keras's check but its JAX step takes (iterations + 1) % \(shown("ema_overwrite_frequency")); not modelled")
                }
                ema = (emaMomentum, f)
            } else {
                ema = (emaMomentum, nil)
            }
        }
        if [clipNorm, clipValue, globalClipNorm].filter({ $0 != nil }).count > 1 {
            throw h.invalid("clipnorm", "Only one of `clipnorm`, `clipvalue` and `global_clipnorm` can be set. Received: clipnorm=\(shown("clipnorm")), clipvalue=\(shown("clipvalue")), global_clipnorm=\(shown("global_clipnorm"))")
        }
        transforms = kerasClipping(clipNorm: clipNorm, clipValue: clipValue, globalClipNorm: globalClipNorm)
    }

    /// The family wrapped in Keras's pre-step decay and clipping.
    func spec(_ family: any OptimizerFamily, decayBuiltIn: Bool = false) -> OptimizerSpec {
        var f = family
        if let wd = weightDecay, !decayBuiltIn { f = KerasDecayedFamily(inner: f, weightDecay: wd) }
        if let e = ema { f = KerasEMAFamily(inner: f, momentum: e.momentum, overwriteFrequency: e.overwrite) }
        if !transforms.isEmpty { f = TransformedFamily(inner: f, transforms: transforms) }
        return OptimizerSpec(family: f, lr: lr)
    }
}

/// Keras Adam and AdamW: the torch form with epsilon hat; the decay is Keras's (decoupled, before
/// the update), which is AdamFamily's torch-form decoupled decay w ← w·(1 − lr·λ).
private func kerasAdam(_ h: inout Hyperparameters, weightDecay: Double?) throws -> OptimizerSpec {
    let base = try KerasBaseArguments(&h, lr: 1e-3, weightDecay: weightDecay)
    if weightDecay != nil && base.weightDecay == nil {
        throw h.invalid("weight_decay", "Argument `weight_decay` must be a float. Received: weight_decay=None")
    }
    var f = AdamFamily(form: .torch)
    f.beta1 = try h.double("beta_1", default: 0.9)
    f.beta2 = try h.double("beta_2", default: 0.999)
    f.eps = try h.double("epsilon", default: 1e-7)
    f.epsilonHat = true
    f.amsgrad = try h.bool("amsgrad", default: false) ? .maxOfRaw : .off
    if let wd = base.weightDecay, wd != 0 { f.decay = .decoupled(wd) }
    return base.spec(f, decayBuiltIn: true)
}

let kerasOptimizers: [OptimizerEntry] = [
    OptimizerEntry("Adafactor", "min(lr, 1/√t) whatever relative_step says; epsilon_1 added to g²; r and c over the last two dims, velocity (r/mean(r))⊗c; update clipping; parameter scale max(epsilon_2, RMS(w))") { h in
        let base = try KerasBaseArguments(&h, lr: 1e-3)
        var f = AdafactorFamily(form: .keras)
        f.decayExponent = try h.double("beta_2_decay", default: -0.8)
        f.epsSquare = try h.double("epsilon_1", default: 1e-30)
        f.paramScaleFloor = try h.double("epsilon_2", default: 1e-3)
        f.clipThreshold = try h.double("clip_threshold", default: 1.0)
        // update_step takes min(lr, 1/√t) twice when relative_step is True, once when it is False:
        // the same number for a float learning rate (a schedule object is not modelled).
        _ = try h.bool("relative_step", default: true)
        return base.spec(f)
    },
    OptimizerEntry("SGD", "m ← momentum·m − lr·g, w ← w + m (lr inside the buffer, from 0); nesterov w ← w + momentum·m − lr·g") { h in
        let base = try KerasBaseArguments(&h, lr: 0.01)
        let momentum = try h.double("momentum", default: 0)
        if let v = h.values["momentum"], !v.isNull, pyIsInt(v) || momentum < 0 || momentum > 1 {
            throw h.invalid("momentum", "`momentum` must be a float between [0, 1].")
        }
        let nesterov = try h.bool("nesterov", default: false)
        let f = SGDFamily(momentum: momentum, nesterov: nesterov && momentum != 0, lrInsideBuffer: true,
                          bufferStartsAtGradient: false, bufferName: "-momentum")
        return base.spec(f)
    },
    OptimizerEntry("RMSprop", "epsilon inside the root; centered by the EMA of g; momentum buffer accumulates lr·g/√(v+ε) (lr inside)") { h in
        let base = try KerasBaseArguments(&h, lr: 1e-3)
        let rho = try h.double("rho", default: 0.9)
        let momentum = try h.double("momentum", default: 0)
        let eps = try h.double("epsilon", default: 1e-7)
        let centered = try h.bool("centered", default: false)
        let f = RMSpropFamily(decay: rho, eps: eps, epsInsideSqrt: true, centered: centered, meanByLerp: false,
                              initialScale: 0, biasCorrection: false, momentum: momentum > 0 ? momentum : 0,
                              nesterov: false, lrInsideMomentum: true,
                              stateNames: ("velocity", "average_gradient", "momentum"))
        return base.spec(f)
    },
    OptimizerEntry("Adagrad", "epsilon inside the root") { h in
        let base = try KerasBaseArguments(&h, lr: 1e-3)
        let initial = try h.double("initial_accumulator_value", default: 0.1)
        let eps = try h.double("epsilon", default: 1e-7)
        let f = AdagradFamily(initialAccumulator: initial, eps: eps, epsInsideSqrt: true, sumName: "accumulator")
        return base.spec(f)
    },
    OptimizerEntry("Adadelta", "torch's update") { h in
        let base = try KerasBaseArguments(&h, lr: 1e-3)
        let f = AdadeltaFamily(rho: try h.double("rho", default: 0.95), eps: try h.double("epsilon", default: 1e-7),
                               weightDecay: 0, maximize: false,
                               stateNames: ("accumulated_grad", "accumulated_delta_var"))
        return base.spec(f)
    },
    OptimizerEntry("Adam", "epsilon as epsilon hat (added to √v, lr·√(1−β₂ᵗ)/(1−β₁ᵗ) step); amsgrad = max of raw v") { h in
        try kerasAdam(&h, weightDecay: nil)
    },
    OptimizerEntry("AdamW", "Adam (epsilon hat) with weight_decay decoupled, applied before the update: w ← w − w·λ·lr") { h in
        try kerasAdam(&h, weightDecay: 0.004)
    },
    OptimizerEntry("Adamax", "epsilon outside the max: u ← max(β₂·u, |g|), w ← w − lr·m/((1−β₁ᵗ)(u + ε))") { h in
        let base = try KerasBaseArguments(&h, lr: 1e-3)
        var f = AdamaxFamily(form: .torch)
        f.beta1 = try h.double("beta_1", default: 0.9)
        f.beta2 = try h.double("beta_2", default: 0.999)
        f.eps = try h.double("epsilon", default: 1e-7)
        f.epsOutsideMax = true
        return base.spec(f)
    },
    OptimizerEntry("Nadam", "momentum schedule μₜ = β₁(1 − ½·0.96ᵗ) (torch NAdam with momentum_decay 1)") { h in
        let base = try KerasBaseArguments(&h, lr: 1e-3)
        var f = NAdamFamily()
        f.beta1 = try h.double("beta_1", default: 0.9)
        f.beta2 = try h.double("beta_2", default: 0.999)
        f.eps = try h.double("epsilon", default: 1e-7)
        f.momentumDecay = 1
        return base.spec(f)
    },
    OptimizerEntry("Lion", "w ← w − lr·sign(β₁m + (1−β₁)g), m ← β₂m + (1−β₂)g") { h in
        let base = try KerasBaseArguments(&h, lr: 1e-3)
        var f = LionFamily(form: .optax)
        f.beta1 = try h.double("beta_1", default: 0.9)
        f.beta2 = try h.double("beta_2", default: 0.99)
        if f.beta1 <= 0 || f.beta1 > 1 {
            throw h.invalid("beta_1", "Argument `beta_1` must be in the [0, 1] range. Otherwise, the optimizer degenerates to SignSGD. Received: beta_1=\(h.pythonRepr("beta_1", fallback: 0.9)).")
        }
        return base.spec(f)
    },
    OptimizerEntry("Lamb", "epsilon outside √v̂; update m̂/(√v̂+ε) scaled by ‖w‖/‖u‖ (1 if either is 0); decay is Keras's, before the step") { h in
        let base = try KerasBaseArguments(&h, lr: 1e-3)
        var f = LambFamily(form: .optax, biasCorrection: .moments)
        f.beta1 = try h.double("beta_1", default: 0.9)
        f.beta2 = try h.double("beta_2", default: 0.999)
        f.eps = try h.double("epsilon", default: 1e-7)
        return base.spec(f)
    },
    OptimizerEntry("Ftrl", "FTRL-proximal: l1/l2/l2-shrinkage regularization, beta") { h in
        let base = try KerasBaseArguments(&h, lr: 1e-3)
        var f = FtrlFamily()
        f.learningRatePower = try h.double("learning_rate_power", default: -0.5)
        f.initialAccumulator = try h.double("initial_accumulator_value", default: 0.1)
        f.l1 = try h.double("l1_regularization_strength", default: 0)
        f.l2 = try h.double("l2_regularization_strength", default: 0)
        f.l2Shrinkage = try h.double("l2_shrinkage_regularization_strength", default: 0)
        f.beta = try h.double("beta", default: 0)
        func check(_ bad: Bool, _ key: String, _ text: String) throws {
            if bad { throw h.invalid(key, "`\(key)` \(text) Received: \(key)=\(h.pythonRepr(key, fallback: 0)).") }
        }
        try check(f.initialAccumulator < 0, "initial_accumulator_value", "needs to be positive or zero.")
        try check(f.learningRatePower > 0, "learning_rate_power", "needs to be negative or zero.")
        try check(f.l1 < 0, "l1_regularization_strength", "needs to be positive or zero.")
        try check(f.l2 < 0, "l2_regularization_strength", "needs to be positive or zero.")
        if f.l2Shrinkage < 0 {
            throw h.invalid("l2_shrinkage_regularization_strength", "`l2_shrinkage_regularization_strength` needs to be positive or zero. Received: l2_shrinkage_regularization_strength=\(h.pythonRepr("l2_shrinkage_regularization_strength", fallback: 0)).")
        }
        return base.spec(f)
    },
    OptimizerEntry("Muon", "2-D tensors: M ← μ·M + G (a trace), nesterov G + μ·M, Newton–Schulz (3.4445, −4.7750, 2.0315)×ns_steps of X/(‖X‖_F + epsilon), lr·√max(A,B)·rms_rate; others: Adam (epsilon hat); weight_decay / adam_weight_decay before the update") { h in
        let base = try KerasBaseArguments(&h, lr: 1e-3, weightDecay: 0.004)
        var f = MuonFamily(form: .torch)
        f.momentum = try h.double("momentum", default: 0.95)
        f.nesterov = try h.bool("nesterov", default: true)
        f.momentumTrace = true
        let a = try h.double("muon_a", default: 3.4445), b = try h.double("muon_b", default: -4.7750), c = try h.double("muon_c", default: 2.0315)
        f.coefficients = Array(repeating: (a, b, c), count: try h.int("ns_steps", default: 5))
        f.normalization = .frobeniusPlus(1e-7)
        if let r = try h.optionalDouble("rms_rate") { f.shapeScale = .optaxConsistentRMS(r) } else if h.values["rms_rate"] == nil {
            f.shapeScale = .optaxConsistentRMS(0.2)
        } else {
            f.shapeScale = .unscaled
        }
        f.weightDecay = base.weightDecay ?? 0
        var adam = AdamFamily(form: .torch)
        adam.beta1 = try h.double("adam_beta_1", default: 0.9)
        adam.beta2 = try h.double("adam_beta_2", default: 0.999)
        adam.eps = try h.double("epsilon", default: 1e-7)
        adam.epsilonHat = true
        let adamDecayGiven = h.values["adam_weight_decay"] != nil
        let adamDecay = try h.optionalDouble("adam_weight_decay")
        if let d = adamDecayGiven ? adamDecay : 0.004, d != 0 { adam.decay = .decoupled(d) }
        f.fallback = adam
        if try h.double("adam_lr_ratio", default: 1) != 1 {
            throw DescentError.unsupported("\(h.callee): adam_lr_ratio other than 1 (Descent's fallback takes the Muon lr in force)")
        }
        _ = try h.bool("exclude_embeddings", default: true)   // variables here are not embeddings
        if let v = h.raw("exclude_layers"), !(v.isNull || v.arrayValue?.isEmpty == true) {
            throw DescentError.unsupported("\(h.callee): exclude_layers (variables are matched by path)")
        }
        var spec = base.spec(f, decayBuiltIn: true)
        spec.lr = base.lr
        return spec
    },
    OptimizerEntry("ScheduleFreeAdamW", "Keras's own schedule-free AdamW: z (`momentum`) from the initial weights, v ← v + (g² − v)(1 − β₂), z ← z − lr_t·g/(√v̂ + ε), x rebuilt from the weights, averaged with weight 1/t, y = (1 − β₁)z + β₁x; warmup lr·min(t/W, 1); Keras's decay before the step") { h in
        let base = try KerasBaseArguments(&h, lr: 0.0025)
        var f = ScheduleFreeFamily(form: .keras, base: .adamw)
        f.beta1 = try h.double("beta_1", default: 0.9)
        f.beta2 = try h.double("beta_2", default: 0.999)
        f.eps = try h.double("epsilon", default: 1e-8)
        f.warmupSteps = try h.int("warmup_steps", default: 0)
        f.weightDecay = base.weightDecay ?? 0
        return base.spec(f, decayBuiltIn: true)
    },
]
