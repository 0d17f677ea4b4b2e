// Bitsandbytes+Optimizers.swift — the 32-bit optimizers of the bitsandbytes package (0.50.2,
// bitsandbytes/optim/*.py) on the CPU, where every update is `_optimizer_update_32bit_cpu`
// (backends/cpu/ops.py:345-451): the gradient and the parameter taken as float32 (`g.float()`,
// `p.data.float()`), float32 state, the parameter written back after each step. Its goldens are
// float32 cases (fixtures/FORMAT.md, the `bitsandbytes` row).
//
// Adam and AdamW are one kernel ("adam"): m ← β₁m + (1−β₁)g, v ← β₂v + (1−β₂)g²; w ← w·(1 − lr·λ)
// when λ > 0 — decoupled in `Adam` too, NOT torch Adam's L2; w ← w − lr·(√(1−β₂ᵗ)/(1−β₁ᵗ))·m/(√v +
// ε·√(1−β₂ᵗ)) (torch AdamW's update, its ε rescaled into √v's units). `amsgrad` is accepted and never
// read by the 32-bit classes (optim/adam.py, adamw.py: only the 8-bit ones reject it). Lion is
// lion_pytorch's (decoupled w·(1 − lr·λ), c = β₁m + (1−β₁)g, w ← w − lr·sign(c), m ← β₂m + (1−β₂)g).
// AdEMAMix is pytorch_optimizer's arithmetic with w·(1 − lr·λ) first and the two warmups over their
// own spans `t_alpha`, `t_beta3` (None or 0: none, the library tests them for truth). SGD, RMSprop
// and Adagrad are torch's with L2 decay (`g + λ·w` when λ > 0), except that the CPU kernels never
// read SGD's `dampening` and `nesterov` or RMSprop's `momentum` (validated, as betas, and dropped).
//
// The constructors validate (optim/optimizer.py:458-470, Optimizer2State and Optimizer1State alike),
// in this order: `0 <= lr`, `0 <= eps`, every beta in [0, 1), `0 <= weight_decay`, with torch's
// wording. `optim_bits=8` keeps blockwise 8-bit quantised state for every tensor of
// `min_8bit_size` elements or more (dynamic quantisation maps, an absmax per 256 elements) —
// not implemented, so unsupported; any other value fails at the first step (NotImplementedError).
// In the `…32bit` classes `optim_bits` is accepted and ignored (32 is passed). `is_paged` and the
// `Paged…` classes: paging only moves state between GPU and CPU memory, and on the CPU the library
// falls back to ordinary buffers (optimizer.py, get_state_buffer): no effect. `args` (an object
// overriding optim_bits, min_8bit_size, max_unorm, skip_zeros) has no JSON form: unsupported unless
// null. `AdEMAMix32bit` / `PagedAdEMAMix32bit` are not here: on the CPU they fail at the first step
// (they never allocate AdEMAMix's (2, …) state; Coverage.reasons).
import DescentJSON

/// How a class takes `optim_bits`: passed on, accepted and replaced by 32 (Adam32bit, AdamW32bit),
/// or not a keyword of the class (Lion32bit, PagedLion32bit).
private enum BnbBits { case honoured, ignored, absent }

/// A number of a message as the library's f-string prints it: the value given, else the default.
private func shown(_ h: Hyperparameters, _ key: String, _ x: Double) -> String { h.values[key].map { pyRepr($0) } ?? pyRepr(x) }

/// What every bitsandbytes 32-bit optimizer reads besides its maths: `optim_bits` (as `bits` says),
/// `is_paged` (a keyword of the classes not named Paged…, where paging changes nothing on the CPU),
/// `min_8bit_size` and `args` (not a keyword of AdEMAMix). Read before any check, so that the
/// entry's schema records them.
private struct BnbStorage {
    var bits: BnbBits
    var optimBits: Int
    var args: JSON?

    init(_ h: inout Hyperparameters, bits: BnbBits, isPagedKeyword: Bool, argsKeyword: Bool = true) throws {
        self.bits = bits
        optimBits = bits == .absent ? 32 : try h.int("optim_bits", default: 32)
        if isPagedKeyword { try h.ignore("is_paged") }
        _ = try h.int("min_8bit_size", default: 4096)
        args = argsKeyword ? h.raw("args") : nil
    }

    /// Optimizer2State's / Optimizer1State's checks in their order (optim/optimizer.py:458-470),
    /// then what Descent cannot run.
    func check(_ h: Hyperparameters, lr: Double, eps: Double?, betas: [Double], wd: Double) throws {
        if !(0 <= lr) { throw h.invalid("lr", "Invalid learning rate: \(shown(h, "lr", lr))") }
        if let eps, !(0 <= eps) { throw h.invalid("eps", "Invalid epsilon value: \(shown(h, "eps", eps))") }
        let given = h.values["betas"]?.arrayValue
        for (i, b) in betas.enumerated() where !(0 <= b && b < 1) {
            throw h.invalid("betas", "Invalid beta parameter at index \(i): \(given.map { pyRepr($0[i]) } ?? pyRepr(b))")
        }
        if !(0 <= wd) { throw h.invalid("weight_decay", "Invalid weight_decay value: \(shown(h, "weight_decay", wd))") }
        if args != nil {
            throw DescentError.unsupported("\(h.callee): args (an object overriding optim_bits, min_8bit_size, max_unorm and skip_zeros) has no JSON form; give the keywords instead")
        }
        if bits == .honoured && optimBits == 8 {
            throw DescentError.unsupported("\(h.callee): optim_bits=8 keeps blockwise 8-bit quantised state (dynamic quantisation maps, an absmax per 256 elements) for tensors of min_8bit_size elements or more: not implemented in Descent")
        }
        if bits == .honoured && optimBits != 32 {
            throw DescentError.unsupported("\(h.callee): optim_bits=\(optimBits) (the library raises NotImplementedError at its first step: only 8 and 32 exist)")
        }
    }
}

/// An Adam-kernel class: `Adam…` (weight decay 0 by default) or `AdamW…` (1e-2).
private func bnbAdam(_ name: String, weightDecay: Double, bits: BnbBits, pagedKeyword: Bool) -> OptimizerEntry {
    let paged = name.hasPrefix("Paged")
    return OptimizerEntry(name, "bitsandbytes's \"adam\" kernel in float32: weight_decay DECOUPLED, w·(1 − lr·wd) before the update (in Adam too, not L2); w ← w − lr·(√(1 − beta2ᵗ)/(1 − beta1ᵗ))·m/(√v + eps·√(1 − beta2ᵗ)); amsgrad accepted and ignored\(paged ? "; paged state is ordinary memory on the CPU" : "")\(bits == .ignored ? "; optim_bits ignored (32)" : "")") { h in
        let lr = try h.double("lr", default: 1e-3)
        let (b1, b2) = try h.pair("betas", default: (0.9, 0.999))
        let eps = try h.double("eps", default: 1e-8)
        let wd = try h.double("weight_decay", default: weightDecay)
        try h.ignore("amsgrad")
        let storage = try BnbStorage(&h, bits: bits, isPagedKeyword: pagedKeyword)
        try storage.check(h, lr: lr, eps: eps, betas: [b1, b2], wd: wd)
        var f = AdamFamily(form: .torch)
        f.beta1 = b1
        f.beta2 = b2
        f.eps = eps
        f.decay = wd > 0 ? .decoupled(wd) : .none
        return OptimizerSpec(family: f, lr: lr)
    }
}

private func bnbLion(_ name: String, bits: BnbBits) -> OptimizerEntry {
    let paged = name.hasPrefix("Paged")
    return OptimizerEntry(name, "lion_pytorch's Lion in float32: w ← w·(1 − lr·wd); c = beta1·m + (1 − beta1)·g; w ← w − lr·sign(c); m ← beta2·m + (1 − beta2)·g\(paged ? "; paged state is ordinary memory on the CPU" : "")") { h in
        let lr = try h.double("lr", default: 1e-4)
        let (b1, b2) = try h.pair("betas", default: (0.9, 0.99))
        let wd = try h.double("weight_decay", default: 0)
        let storage = try BnbStorage(&h, bits: bits, isPagedKeyword: !paged)
        try storage.check(h, lr: lr, eps: nil, betas: [b1, b2], wd: wd)
        var f = LionFamily(form: .lionPytorch)
        f.beta1 = b1
        f.beta2 = b2
        f.decay = wd > 0 ? .decoupled(wd) : .none
        return OptimizerSpec(family: f, lr: lr)
    }
}

private func bnbAdEMAMix(_ name: String, paged: Bool) -> OptimizerEntry {
    OptimizerEntry(name, "AdEMAMix in float32: w ← w·(1 − lr·wd); m1, m2 = EMAs of g (beta1, beta3), v of g² (beta2); w ← w − lr·(m1/(1 − beta1ᵗ) + alpha·m2)/(√v/√(1 − beta2ᵗ) + eps), m2 not bias-corrected; t_alpha warms alpha up linearly, t_beta3 beta3 by the paper's half-life interpolation from beta1 (None or 0: no warmup)\(paged ? "; paged state is ordinary memory on the CPU" : "")") { h in
        let lr = try h.double("lr", default: 1e-3)
        let betas = try h.triple("betas", default: (0.9, 0.999, 0.9999))
        let alpha = try h.double("alpha", default: 5.0)
        let tAlpha = try h.nullableDouble("t_alpha", default: nil)
        let tBeta3 = try h.nullableDouble("t_beta3", default: nil)
        let eps = try h.double("eps", default: 1e-8)
        let wd = try h.double("weight_decay", default: 1e-2)
        let storage = try BnbStorage(&h, bits: .honoured, isPagedKeyword: !paged, argsKeyword: false)
        try storage.check(h, lr: lr, eps: eps, betas: [betas.0, betas.1, betas.2], wd: wd)
        var f = AdEMAMixFamily(form: .pytorchOptimizer)
        (f.beta1, f.beta2, f.beta3) = betas
        f.alpha = alpha
        // `if t_alpha:` / `if t_beta3:` (optim/ademamix.py): None and 0 both mean no warmup.
        f.tAlpha = tAlpha == 0 ? nil : tAlpha
        f.tBeta3 = tBeta3 == 0 ? nil : tBeta3
        f.eps = eps
        f.decay = wd > 0 ? .decoupled(wd) : .none
        return OptimizerSpec(family: f, lr: lr)
    }
}

/// SGD / SGD32bit: the "momentum" kernel (ops.py:397-407), torch SGD with momentum and L2 decay;
/// `dampening` (passed as beta2) and `nesterov` (never passed) are not read on the CPU.
private func bnbSGD(_ name: String, bits: BnbBits) -> OptimizerEntry {
    OptimizerEntry(name, "the \"momentum\" kernel in float32: g ← g + wd·w (L2); buf ← g at the first step, then momentum·buf + g; w ← w − lr·buf; a zero momentum is rejected (NotImplementedError); dampening (validated as a beta) and nesterov are accepted and not read by the CPU kernel") { h in
        let lr = try h.optionalDouble("lr")
        let momentum = try h.double("momentum", default: 0)
        let dampening = try h.double("dampening", default: 0)
        let wd = try h.double("weight_decay", default: 0)
        try h.ignore("nesterov")
        let storage = try BnbStorage(&h, bits: bits, isPagedKeyword: false)
        if lr == nil { throw h.invalid("lr", "\(name).__init__() missing 1 required positional argument: 'lr'") }
        if momentum == 0 { throw h.invalid("momentum", "SGD without momentum is not supported!") }
        try storage.check(h, lr: lr!, eps: 0, betas: [momentum, dampening], wd: wd)
        let f = SGDFamily(weightDecay: wd > 0 ? wd : 0, maximize: false, momentum: momentum, dampening: 0, nesterov: false,
                          lrInsideBuffer: false, bufferStartsAtGradient: true, bufferName: "state1")
        return OptimizerSpec(family: f, lr: lr!)
    }
}

/// RMSprop / RMSprop32bit: the "rmsprop" kernel (ops.py:420-427); `momentum` (passed as beta2) is
/// validated and not read on the CPU.
private func bnbRMSprop(_ name: String, bits: BnbBits) -> OptimizerEntry {
    OptimizerEntry(name, "the \"rmsprop\" kernel in float32: g ← g + wd·w (L2); v ← alpha·v + (1 − alpha)·g²; w ← w − lr·g/(√v + eps); a zero alpha and centered are rejected (NotImplementedError); momentum (validated as a beta) is not read by the CPU kernel") { h in
        let lr = try h.double("lr", default: 1e-2)
        let alpha = try h.double("alpha", default: 0.99)
        let eps = try h.double("eps", default: 1e-8)
        let wd = try h.double("weight_decay", default: 0)
        let momentum = try h.double("momentum", default: 0)
        let centered = try h.bool("centered", default: false)
        let storage = try BnbStorage(&h, bits: bits, isPagedKeyword: false)
        if alpha == 0 { throw h.invalid("alpha", "RMSprop with alpha==0.0 is not supported!") }
        if centered { throw h.invalid("centered", "Centered RMSprop is not supported!") }
        try storage.check(h, lr: lr, eps: eps, betas: [alpha, momentum], wd: wd)
        let f = RMSpropFamily(decay: alpha, eps: eps, epsInsideSqrt: false, centered: false, initialScale: 0,
                              biasCorrection: false, weightDecay: wd > 0 ? wd : 0, maximize: false,
                              momentum: 0, nesterov: false, lrInsideMomentum: false,
                              stateNames: ("state1", "grad_avg", "momentum_buffer"))
        return OptimizerSpec(family: f, lr: lr)
    }
}

/// Adagrad / Adagrad32bit: the "adagrad" kernel (ops.py:429-435), after the class's own checks.
private func bnbAdagrad(_ name: String, bits: BnbBits) -> OptimizerEntry {
    OptimizerEntry(name, "the \"adagrad\" kernel in float32: g ← g + wd·w (L2); s ← s + g²; w ← w − lr·g/(√s + eps); a nonzero initial_accumulator_value or lr_decay is rejected") { h in
        let lr = try h.double("lr", default: 1e-2)
        let lrDecay = try h.double("lr_decay", default: 0)
        let wd = try h.double("weight_decay", default: 0)
        let initial = try h.double("initial_accumulator_value", default: 0)
        let eps = try h.double("eps", default: 1e-10)
        let storage = try BnbStorage(&h, bits: bits, isPagedKeyword: false)
        // optim/adagrad.py: its own checks first, in this order.
        if !(0 <= lr) { throw h.invalid("lr", "Invalid learning rate: \(shown(h, "lr", lr))") }
        if !(0 <= wd) { throw h.invalid("weight_decay", "Invalid weight_decay value: \(shown(h, "weight_decay", wd))") }
        if !(0 <= eps) { throw h.invalid("eps", "Invalid epsilon value: \(shown(h, "eps", eps))") }
        if initial != 0 { throw h.invalid("initial_accumulator_value", "Initial accumulator value != 0.0 not supported!") }
        if lrDecay != 0 { throw h.invalid("lr_decay", "Lr Decay != 0.0 not supported!") }
        try storage.check(h, lr: lr, eps: eps, betas: [0, 0], wd: wd)
        let f = AdagradFamily(weightDecay: wd > 0 ? wd : 0, maximize: false, lrDecay: 0, initialAccumulator: 0, eps: eps,
                              epsInsideSqrt: false, zeroWhereSumNotPositive: false, sumName: "state1")
        return OptimizerSpec(family: f, lr: lr)
    }
}

// Adam…: every class takes `is_paged` (PagedAdam… pass True whatever it says); PagedAdamW… do not.
private func bnbAdamClasses(_ base: String, weightDecay: Double) -> [OptimizerEntry] {
    let classes: [(String, BnbBits)] = [(base, .honoured), (base + "32bit", .ignored), ("Paged" + base, .honoured), ("Paged" + base + "32bit", .ignored)]
    return classes.map { name, bits in
        bnbAdam(name, weightDecay: weightDecay, bits: bits, pagedKeyword: base == "Adam" || !name.hasPrefix("Paged"))
    }
}

private let bnbLionClasses: [(String, BnbBits)] = [("Lion", .honoured), ("Lion32bit", .absent), ("PagedLion", .honoured), ("PagedLion32bit", .absent)]

let bitsandbytesGroup: [OptimizerEntry] = bnbAdamClasses("Adam", weightDecay: 0) + bnbAdamClasses("AdamW", weightDecay: 1e-2)
    + bnbLionClasses.map { bnbLion($0.0, bits: $0.1) }
    + [bnbAdEMAMix("AdEMAMix", paged: false), bnbAdEMAMix("PagedAdEMAMix", paged: true)]
    + [bnbSGD("SGD", bits: .honoured), bnbSGD("SGD32bit", bits: .absent),
       bnbRMSprop("RMSprop", bits: .honoured), bnbRMSprop("RMSprop32bit", bits: .absent),
       bnbAdagrad("Adagrad", bits: .honoured), bnbAdagrad("Adagrad32bit", bits: .ignored)]
