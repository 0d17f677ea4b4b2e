// Optax+Adafactor.swift — optax.adafactor (optax 0.2.8, optax/_src/alias.py and factorized.py):
// scale_by_factored_rms, then clip_by_block_rms(clipping_threshold), scale_by_learning_rate,
// scale_by_param_block_rms, ema(momentum), add_decayed_weights(weight_decay_rate), scale(−1).
// optax validates none of these values; a None min_dim_size_to_factor fails in init (TypeError).
import DescentJSON

let optaxAdafactorGroup: [OptimizerEntry] = [
    OptimizerEntry("adafactor", "decay 1 − (t − decay_offset)^(−decay_rate) in float32; factored over the two largest dims when both reach min_dim_size_to_factor; eps added to g²; block-RMS clipping; lr (None: unscaled) and parameter scale after it; momentum ema stored in dtype_momentum; weight_decay_rate added, not × lr") { h in
        let lr = try h.optionalDouble("learning_rate") ?? 1   // None: no scale_by_learning_rate (scale(−1) still follows)
        h.note("min_dim_size_to_factor", .integer, JSON(128))
        if let v = h.values["min_dim_size_to_factor"], v.isNull {
            _ = h.raw("min_dim_size_to_factor")
            throw h.invalid("min_dim_size_to_factor", "'<' not supported between instances of 'int' and 'NoneType'")
        }
        let minDim = try h.int("min_dim_size_to_factor", default: 128)
        let decayRate = try h.double("decay_rate", default: 0.8)
        let decayOffset = try h.int("decay_offset", default: 0)
        let paramScale = try h.bool("multiply_by_parameter_scale", default: true)
        let clipping = try h.nullableDouble("clipping_threshold", default: 1.0)
        let momentum = try h.optionalDouble("momentum")
        var momentumFloat32 = true
        switch try h.string("dtype_momentum", default: "float32") ?? "None" {
        case "float32": break
        case "float64": momentumFloat32 = false
        case let other: throw DescentError.unsupported("\(h.callee): dtype_momentum=\(other) (only float32 or float64 is supported)")
        }
        let weightDecay = try h.optionalDouble("weight_decay_rate")
        let eps = try h.double("eps", default: 1e-30)
        let factored = try h.bool("factored", default: true)
        if let m = h.raw("weight_decay_mask"), !m.isNull {
            throw DescentError.unsupported("\(h.callee): weight_decay_mask=\(m.serialized()) (only null is supported)")
        }
        var f = AdafactorFamily(form: .optax)
        f.decayExponent = -decayRate
        f.decayOffset = decayOffset
        f.paramScaleFloor = paramScale ? 1e-3 : nil
        f.clipThreshold = clipping
        f.momentum = momentum ?? 0
        f.momentumFloat32 = momentumFloat32
        f.weightDecay = weightDecay ?? 0
        f.epsSquare = eps
        f.factoring = factored ? .twoLargest(minDimSize: minDim) : .off
        return OptimizerSpec(family: f, lr: lr)
    },
]
