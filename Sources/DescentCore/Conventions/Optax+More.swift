// Optax+More.swift — optax.adan, optax.novograd, optax.fromage and optax.sm3 (optax 0.2.8,
// optax/_src/alias.py over transform.py's scale_by_adan, scale_by_novograd, scale_by_trust_ratio
// and scale_by_sm3). Each is a family of its own (Adan.swift, NovoGrad.swift, Fromage.swift,
// SM3.swift): none is a knob of an existing family (see each file's header). optax validates none
// of the values; the only errors are Python's, at the call.
import DescentJSON

/// `learning_rate` where None is a TypeError at the call (fromage squares it, sm3 negates it):
/// required, and not null.
private func numericLearningRate(_ h: inout Hyperparameters, _ function: String, noneError: String) throws -> Double {
    let none = h.values["learning_rate"]?.isNull == true
    let lr = try requiredLearningRate(&h, function)
    if none { throw h.invalid("learning_rate", noneError) }
    return lr
}

let optaxMoreGroup: [OptimizerEntry] = [
    OptimizerEntry("adan", "Adan: EMAs m of g, v of the difference g − g_prev (0 at the first step), n of (g + (1 − b2)·diff)², each bias-corrected; u = (m̂ + (1 − b2)·v̂)/(√(n̂ + eps_root) + eps) + weight_decay·w (mask), then −lr; b's weigh the OLD value; learning_rate None adds u") { h in
        let lr = try requiredLearningRate(&h, "adan")
        var f = AdanFamily()
        f.beta1 = try h.double("b1", default: 0.98)
        f.beta2 = try h.double("b2", default: 0.92)
        f.beta3 = try h.double("b3", default: 0.99)
        f.eps = try h.double("eps", default: 1e-8)
        f.epsRoot = try h.double("eps_root", default: 1e-8)
        let wd = try h.double("weight_decay", default: 0)
        let (on, perTensor) = try optaxMask(&h, "mask", ifNull: true)
        f.weightDecay = on ? wd : 0
        f.decayMask = f.weightDecay == 0 ? nil : perTensor
        return OptimizerSpec(family: f, lr: lr)
    },
    OptimizerEntry("novograd", "NovoGrad: per-tensor nu from ‖g‖² (set to ‖g‖² at the first step, then an EMA with b2), mu ← b1·mu + g/(√(nu + eps_root) + eps) + weight_decay·w (mu = that at the first step, no 1 − b1), then −lr; learning_rate None adds mu") { h in
        let lr = try requiredLearningRate(&h, "novograd")
        var f = NovoGradFamily()
        f.beta1 = try h.double("b1", default: 0.9)
        f.beta2 = try h.double("b2", default: 0.25)
        f.eps = try h.double("eps", default: 1e-6)
        f.epsRoot = try h.double("eps_root", default: 0)
        f.weightDecay = try h.double("weight_decay", default: 0)
        return OptimizerSpec(family: f, lr: lr)
    },
    OptimizerEntry("fromage", "Fromage: per tensor g·max(‖w‖, min_norm)/max(‖g‖, min_norm) (1 where a norm is 0), then w ← mult·(w − lr·that) with mult = 1/√(1 + lr²) from the step's lr; no state") { h in
        let lr = try numericLearningRate(&h, "fromage", noneError: "unsupported operand type(s) for ** or pow(): 'NoneType' and 'int'")
        var f = FromageFamily()
        f.minNorm = try h.double("min_norm", default: 1e-6)
        return OptimizerSpec(family: f, lr: lr)
    },
    OptimizerEntry("sm3", "SM3 (optax's, SM3-I with momentum): per-dimension accumulators (a 1-D tensor's per element), a = g² + min over the dimensions, u = g·rsqrt(a + 1e-8) where a > 0 else 0, nu ← (1 − momentum)·u + momentum·nu, w ← w − lr·nu; each dimension keeps the max of a over the others; 0-d tensors fail in optax") { h in
        let lr = try numericLearningRate(&h, "sm3", noneError: "bad operand type for unary -: 'NoneType'")
        var f = SM3Family()
        f.momentum = try h.double("momentum", default: 0.9)
        return OptimizerSpec(family: f, lr: lr)
    },
]
