// CrossConvention.swift — the first question of a diagnosis: does the failing trajectory follow
// ANOTHER library's convention for the same algorithm? The most common real cause of a mismatch
// is a port: Keras's Adam run on torch's fixtures, optax's RMSprop on Keras's, …
//
// Each algorithm is listed once, spelled by every convention that has it: which keyword means
// which canonical quantity (lr, β₁, ε, weight decay, …), the library's default, and one line on
// what that library does differently. A failing case is re-spelled in every other convention —
// twice: with only the arguments the case gives (the other library's defaults for the rest, as a
// user porting the call writes it) and with every default of the case's convention spelled out
// (only the maths differs) — and replayed on the naive engine; a twin whose trajectory reproduces
// the failing one is named, with the difference in one line.
import DescentCore
import DescentJSON

/// One library's spelling of one algorithm.
package struct Spelling: Sendable {
    package let convention: String
    package let name: String
    /// canonical quantity → (keyword, the library's default; nil = none/required). The defaults
    /// are not written here: they come from the convention entry's own schema
    /// (`OptimizerEntry.keywords`, recorded from its builder), `betas[0]` from a pair's first.
    package let keys: [String: (key: String, default: JSON?)]
    /// What this library does, in one line (the "difference" a match reports): parts separated
    /// by "; ", a part marked "[q] " shown only when the case uses quantity q (non-zero, true).
    package let semantics: String

    /// canonical quantity → the library's keyword; the defaults are looked up in the entry's schema.
    package init(convention: String, name: String, keys: [String: String], semantics: String) {
        self.convention = convention
        self.name = name
        self.semantics = semantics
        let schema = Self.schema(convention, name)
        self.keys = keys.mapValues { key in (key, Self.defaultValue(of: key, in: schema)) }
    }

    /// The keywords of `convention/name`, as its builder reads them (empty when there is no such entry).
    package static func schema(_ convention: String, _ name: String) -> [Keyword] {
        Conventions.named(convention)?.optimizers.first { $0.name == name }?.keywords ?? []
    }

    /// `key`'s default in `schema`; `key[i]` is element i of an array default (torch's betas).
    package static func defaultValue(of key: String, in schema: [Keyword]) -> JSON? {
        var name = key, index: Int?
        if let open = key.firstIndex(of: "["), key.hasSuffix("]") {
            name = String(key[..<open])
            index = Int(key[key.index(after: open)..<key.index(before: key.endIndex)])
        }
        guard let d = schema.first(where: { $0.name == name })?.defaultValue else { return nil }
        guard let index else { return d }
        guard let a = d.arrayValue, index < a.count else { return nil }
        return a[index]
    }

    /// The parts of `semantics` that concern a case with these canonical values.
    package func describe(_ values: [String: JSON]) -> String {
        let parts = semantics.components(separatedBy: "; ").compactMap { part -> String? in
            guard part.hasPrefix("["), let close = part.firstIndex(of: "]") else { return part }
            let q = String(part[part.index(after: part.startIndex)..<close])
            guard let v = values[q], v.boolValue ?? ((v.doubleValue ?? 0) != 0) else { return nil }
            return String(part[part.index(close, offsetBy: 2)...])
        }
        return parts.joined(separator: "; ")
    }
}

/// Canonical quantities a twin may leave out when they hold their neutral value.
private let neutral: [String: JSON] = [
    "dampening": JSON(0.0), "maximize": .bool(false), "lr_decay": JSON(0.0),
]
/// Quantities a library without them silently fixes (dropped when re-spelling).
private let droppable: Set<String> = ["momentum_decay", "decoupled"]


/// The algorithms and their spellings (torch 2.15, optax 0.2.8, Keras 3.15.1, textbook,
/// pytorch_optimizer 4.1.0, lion-pytorch 0.2.5, transformers 5.23.0, prodigyopt 1.1.2, dadaptation 3.2, bitsandbytes 0.50.2).
package let crossConventionAlgorithms: [[Spelling]] = [
    // SGD with momentum
    [
        Spelling(convention: "torch", name: "SGD", keys: ["lr": "lr", "momentum": "momentum", "nesterov": "nesterov",
                 "wd": "weight_decay", "dampening": "dampening", "maximize": "maximize"],
                 semantics: "[momentum] lr outside the momentum buffer (b ← μb + g, w ← w − lr·b), buffer started at the first gradient; [wd] weight_decay as L2 on the gradient"),
        Spelling(convention: "keras", name: "SGD", keys: ["lr": "learning_rate", "momentum": "momentum", "nesterov": "nesterov",
                 "wd": "weight_decay"],
                 semantics: "[momentum] lr inside the momentum buffer (m ← μm − lr·g, w ← w + m) from a zero buffer; [wd] weight_decay decoupled, w ← w − w·λ·lr before the update"),
        Spelling(convention: "optax", name: "sgd", keys: ["lr": "learning_rate", "momentum": "momentum", "nesterov": "nesterov"],
                 semantics: "[momentum] trace b ← g + μb from a zero buffer, lr outside"),
        Spelling(convention: "textbook", name: "momentum", keys: ["lr": "lr", "momentum": "mu"],
                 semantics: "lr inside the buffer (m ← μm − lr·g; w ← w + m)"),
    ],
    // Adafactor
    [
        Spelling(convention: "torch", name: "Adafactor", keys: ["lr": "lr", "decay": "beta2_decay", "clip": "d", "eps2": "eps[1]",
                 "wd": "weight_decay", "maximize": "maximize"],
                 semantics: "relative step min(lr, 1/√t); nothing added to g², v̂ clamped at eps1²; factored over the last two dims; [wd] weight_decay as w·(1 − lr·λ) before the update"),
        Spelling(convention: "keras", name: "Adafactor", keys: ["lr": "learning_rate", "decay": "beta_2_decay", "clip": "clip_threshold",
                 "eps2": "epsilon_2", "wd": "weight_decay"],
                 semantics: "relative step min(lr, 1/√t) whatever relative_step says; epsilon_1 added to g²; factored over the last two dims; [wd] weight_decay decoupled, w ← w − w·λ·lr before the update"),
        Spelling(convention: "optax", name: "adafactor", keys: ["lr": "learning_rate", "clip": "clipping_threshold", "wd": "weight_decay_rate"],
                 semantics: "no relative step (ρ = lr); decay 1 − t^(−decay_rate) in float32; factored only when both dims reach min_dim_size_to_factor; [wd] λ·w added to the update, not × lr"),
        Spelling(convention: "transformers", name: "Adafactor", keys: ["lr": "lr", "decay": "decay_rate", "clip": "clip_threshold",
                 "eps2": "eps[1]", "wd": "weight_decay"],
                 semantics: "relative step min(1e-2, 1/√t) with the lr unused unless relative_step False (then ρ = lr); eps[0] added to g², v̂ not clamped; factored over the last two dims; [wd] weight_decay × the scaled step α, not the lr"),
    ],
    // Rprop
    [
        Spelling(convention: "torch", name: "Rprop", keys: ["lr": "lr", "eta_minus": "etas[0]", "eta_plus": "etas[1]",
                 "min_step": "step_sizes[0]", "max_step": "step_sizes[1]", "maximize": "maximize"],
                 semantics: "compares the gradient with the previous gradient and applies this step's update; step sizes clamped every step and started at the first step's lr"),
        Spelling(convention: "optax", name: "rprop", keys: ["lr": "learning_rate", "eta_minus": "eta_minus", "eta_plus": "eta_plus",
                 "min_step": "min_step_size", "max_step": "max_step_size"],
                 semantics: "compares the gradient with the previous update and applies the previous step's update (the first step moves nothing); a step size is left unclipped where the product is 0"),
    ],
    // Adagrad
    [
        Spelling(convention: "torch", name: "Adagrad", keys: ["lr": "lr", "eps": "eps", "init_acc": "initial_accumulator_value",
                 "wd": "weight_decay", "lr_decay": "lr_decay", "maximize": "maximize"],
                 semantics: "eps outside the root (g/(√s + ε)); [wd] weight_decay as L2 on the gradient"),
        Spelling(convention: "keras", name: "Adagrad", keys: ["lr": "learning_rate", "eps": "epsilon",
                 "init_acc": "initial_accumulator_value", "wd": "weight_decay"],
                 semantics: "epsilon inside the root (g/√(s + ε)); [wd] weight_decay decoupled, w ← w − w·λ·lr before the update"),
        Spelling(convention: "optax", name: "adagrad", keys: ["lr": "learning_rate", "eps": "eps", "init_acc": "initial_accumulator_value"],
                 semantics: "eps inside the root, 0 where the sum is 0"),
        Spelling(convention: "textbook", name: "adagrad", keys: ["lr": "lr", "eps": "eps"],
                 semantics: "eps inside the root, accumulator from 0"),
    ],
    // RMSprop
    [
        Spelling(convention: "torch", name: "RMSprop", keys: ["lr": "lr", "rho": "alpha", "eps": "eps", "momentum": "momentum",
                 "centered": "centered", "wd": "weight_decay", "maximize": "maximize"],
                 semantics: "eps outside the root (g/(√v + ε)); [momentum] momentum buffer of g/(√v + ε) with lr outside; [wd] weight_decay as L2 on the gradient"),
        Spelling(convention: "keras", name: "RMSprop", keys: ["lr": "learning_rate", "rho": "rho", "eps": "epsilon",
                 "momentum": "momentum", "centered": "centered", "wd": "weight_decay"],
                 semantics: "epsilon inside the root (g/√(v + ε)); [momentum] lr inside the momentum buffer (b ← μb + lr·g/√(v + ε), w ← w − b); [centered] centered by the EMA of g; [wd] weight_decay decoupled, w ← w − w·λ·lr before the update"),
        Spelling(convention: "optax", name: "rmsprop", keys: ["lr": "learning_rate", "rho": "decay", "eps": "eps",
                 "momentum": "momentum", "centered": "centered"],
                 semantics: "eps inside the root; [momentum] lr inside the momentum trace"),
        Spelling(convention: "textbook", name: "rmsprop", keys: ["lr": "lr", "rho": "beta", "eps": "eps"],
                 semantics: "eps inside the root"),
    ],
    // Adadelta
    [
        Spelling(convention: "torch", name: "Adadelta", keys: ["lr": "lr", "rho": "rho", "eps": "eps",
                 "wd": "weight_decay", "maximize": "maximize"],
                 semantics: "the same update; [wd] weight_decay as L2 on the gradient"),
        Spelling(convention: "keras", name: "Adadelta", keys: ["lr": "learning_rate", "rho": "rho", "eps": "epsilon",
                 "wd": "weight_decay"],
                 semantics: "the same update; [wd] weight_decay decoupled, w ← w − w·λ·lr before the update"),
        Spelling(convention: "optax", name: "adadelta", keys: ["lr": "learning_rate", "rho": "rho", "eps": "eps", "wd": "weight_decay"],
                 semantics: "the same update; [wd] weight_decay added to the gradient"),
    ],
    // Adam
    [
        Spelling(convention: "torch", name: "Adam", keys: ["lr": "lr", "beta1": "betas[0]", "beta2": "betas[1]",
                 "eps": "eps", "wd": "weight_decay", "amsgrad": "amsgrad",
                 "maximize": "maximize", "decoupled": "decoupled_weight_decay"],
                 semantics: "ε added outside √v̂ (after bias correction): m̂/(√v̂ + ε); [amsgrad] amsgrad = max of raw v; [wd] weight_decay as L2 on the gradient"),
        Spelling(convention: "keras", name: "Adam", keys: ["lr": "learning_rate", "beta1": "beta_1", "beta2": "beta_2",
                 "eps": "epsilon", "wd": "weight_decay", "amsgrad": "amsgrad"],
                 semantics: "ε added outside √v after bias correction folded into the step size (epsilon hat): lr·√(1−β₂ᵗ)/(1−β₁ᵗ)·m/(√v + ε); [wd] weight_decay decoupled, w ← w − w·λ·lr before the update"),
        Spelling(convention: "optax", name: "adam", keys: ["lr": "learning_rate", "beta1": "b1", "beta2": "b2", "eps": "eps"],
                 semantics: "ε added outside √v̂ (torch's maths, optax's operation order)"),
        Spelling(convention: "textbook", name: "adam", keys: ["lr": "lr", "beta1": "beta1", "beta2": "beta2", "eps": "eps"],
                 semantics: "ε inside the root: m̂/√(v̂ + ε)"),
        Spelling(convention: "bitsandbytes", name: "Adam", keys: ["lr": "lr", "beta1": "betas[0]", "beta2": "betas[1]",
                 "eps": "eps", "wd": "weight_decay", "amsgrad": "amsgrad"],
                 semantics: "float32 throughout; ε·√(1−β₂ᵗ) added to √v (torch's maths); [amsgrad] amsgrad accepted and ignored; [wd] weight_decay decoupled, w·(1 − lr·λ) (AdamW's), not L2"),
    ],
    // AdamW
    [
        Spelling(convention: "torch", name: "AdamW", keys: ["lr": "lr", "beta1": "betas[0]", "beta2": "betas[1]",
                 "eps": "eps", "wd": "weight_decay", "amsgrad": "amsgrad", "maximize": "maximize"],
                 semantics: "ε outside √v̂; [wd] decoupled decay w·(1 − lr·λ)"),
        Spelling(convention: "keras", name: "AdamW", keys: ["lr": "learning_rate", "beta1": "beta_1", "beta2": "beta_2",
                 "eps": "epsilon", "wd": "weight_decay", "amsgrad": "amsgrad"],
                 semantics: "ε added outside √v after bias correction folded into the step size (epsilon hat): lr·√(1−β₂ᵗ)/(1−β₁ᵗ)·m/(√v + ε); [wd] decoupled decay w ← w − w·λ·lr before the update"),
        Spelling(convention: "optax", name: "adamw", keys: ["lr": "learning_rate", "beta1": "b1", "beta2": "b2", "eps": "eps",
                 "wd": "weight_decay"],
                 semantics: "ε outside √v̂; [wd] decay added to the update (u + λw)·lr"),
        Spelling(convention: "textbook", name: "adamw", keys: ["lr": "lr", "beta1": "beta1", "beta2": "beta2", "eps": "eps",
                 "wd": "weight_decay"],
                 semantics: "ε inside the root; [wd] decay w ← w − λ·w not multiplied by lr"),
        Spelling(convention: "bitsandbytes", name: "AdamW", keys: ["lr": "lr", "beta1": "betas[0]", "beta2": "betas[1]",
                 "eps": "eps", "wd": "weight_decay", "amsgrad": "amsgrad"],
                 semantics: "float32 throughout; ε·√(1−β₂ᵗ) added to √v (torch's maths); [amsgrad] amsgrad accepted and ignored; [wd] decoupled decay w·(1 − lr·λ)"),
    ],
    // Adamax
    [
        Spelling(convention: "torch", name: "Adamax", keys: ["lr": "lr", "beta1": "betas[0]", "beta2": "betas[1]",
                 "eps": "eps", "wd": "weight_decay", "maximize": "maximize"],
                 semantics: "ε inside the max: u ← max(β₂u, |g| + ε); [wd] weight_decay as L2 on the gradient"),
        Spelling(convention: "keras", name: "Adamax", keys: ["lr": "learning_rate", "beta1": "beta_1", "beta2": "beta_2",
                 "eps": "epsilon", "wd": "weight_decay"],
                 semantics: "ε outside the max: u ← max(β₂u, |g|), then m/((1−β₁ᵗ)(u + ε)); [wd] weight_decay decoupled, w ← w − w·λ·lr before the update"),
        Spelling(convention: "optax", name: "adamax", keys: ["lr": "learning_rate", "beta1": "b1", "beta2": "b2", "eps": "eps"],
                 semantics: "ε inside the max (torch's maths)"),
    ],
    // NAdam (Dozat's, with a momentum schedule)
    [
        Spelling(convention: "torch", name: "NAdam", keys: ["lr": "lr", "beta1": "betas[0]", "beta2": "betas[1]",
                 "eps": "eps", "wd": "weight_decay", "momentum_decay": "momentum_decay",
                 "maximize": "maximize", "decoupled": "decoupled_weight_decay"],
                 semantics: "momentum schedule μₜ = β₁(1 − ½·0.96^(t·momentum_decay)); [wd] weight_decay as L2 on the gradient"),
        Spelling(convention: "keras", name: "Nadam", keys: ["lr": "learning_rate", "beta1": "beta_1", "beta2": "beta_2",
                 "eps": "epsilon", "wd": "weight_decay"],
                 semantics: "the fixed momentum schedule μₜ = β₁(1 − ½·0.96ᵗ) (torch's with momentum_decay 1); [wd] weight_decay decoupled, w ← w − w·λ·lr before the update"),
    ],
    // Lion
    [
        Spelling(convention: "keras", name: "Lion", keys: ["lr": "learning_rate", "beta1": "beta_1", "beta2": "beta_2", "wd": "weight_decay"],
                 semantics: "[wd] decay w ← w − w·λ·lr before the sign update"),
        Spelling(convention: "optax", name: "lion", keys: ["lr": "learning_rate", "beta1": "b1", "beta2": "b2", "wd": "weight_decay"],
                 semantics: "[wd] decay λw added to the sign update"),
        Spelling(convention: "pytorch_optimizer", name: "Lion", keys: ["lr": "lr", "beta1": "betas[0]", "beta2": "betas[1]",
                 "wd": "weight_decay", "maximize": "maximize"],
                 semantics: "[wd] decoupled decay w·(1 − lr·λ) before the sign update"),
        Spelling(convention: "lion_pytorch", name: "Lion", keys: ["lr": "lr", "beta1": "betas[0]", "beta2": "betas[1]",
                 "wd": "weight_decay"],
                 semantics: "[wd] decoupled decay w·(1 − lr·λ) before the sign update"),
        Spelling(convention: "bitsandbytes", name: "Lion", keys: ["lr": "lr", "beta1": "betas[0]", "beta2": "betas[1]",
                 "wd": "weight_decay"],
                 semantics: "float32 throughout; [wd] decoupled decay w·(1 − lr·λ) before the sign update"),
    ],
    // LAMB
    [
        Spelling(convention: "keras", name: "Lamb", keys: ["lr": "learning_rate", "beta1": "beta_1", "beta2": "beta_2",
                 "eps": "epsilon", "wd": "weight_decay"],
                 semantics: "ratio ‖w‖/‖m̂/(√v̂ + ε)‖ with no clamp of ‖w‖; [wd] decay w ← w − w·λ·lr before the step, outside the ratio"),
        Spelling(convention: "optax", name: "lamb", keys: ["lr": "learning_rate", "beta1": "b1", "beta2": "b2",
                 "eps": "eps", "wd": "weight_decay"],
                 semantics: "ratio ‖w‖/‖u‖ with no clamp of ‖w‖; [wd] decay λw added to the update inside the ratio"),
        Spelling(convention: "pytorch_optimizer", name: "Lamb", keys: ["lr": "lr", "beta1": "betas[0]", "beta2": "betas[1]",
                 "eps": "eps", "wd": "weight_decay", "maximize": "maximize"],
                 semantics: "‖w‖ clamped at 10 in the ratio, the step divided by 1 − β₁ᵗ only; [wd] decoupled decay"),
    ],
    // AdEMAMix
    [
        Spelling(convention: "optax", name: "ademamix", keys: ["lr": "learning_rate", "beta1": "b1", "beta2": "b2",
                 "beta3": "b3", "alpha": "alpha", "eps": "eps", "wd": "weight_decay"],
                 semantics: "alpha and b3 constants unless given as schedules of the count from 0 (no t_alpha_beta3); [wd] decay λw added to the update, × lr"),
        Spelling(convention: "pytorch_optimizer", name: "AdEMAMix", keys: ["lr": "lr", "beta1": "betas[0]", "beta2": "betas[1]",
                 "beta3": "betas[2]", "alpha": "alpha", "eps": "eps", "wd": "weight_decay", "maximize": "maximize"],
                 semantics: "t_alpha_beta3 warms alpha and beta3 up at the step from 1 (None: constants); [wd] weight_decay coupled, added to the gradient (weight_decouple False)"),
        Spelling(convention: "bitsandbytes", name: "AdEMAMix", keys: ["lr": "lr", "beta1": "betas[0]", "beta2": "betas[1]",
                 "beta3": "betas[2]", "alpha": "alpha", "eps": "eps", "wd": "weight_decay"],
                 semantics: "float32 throughout; t_alpha and t_beta3 warm alpha and beta3 up over their own spans (None or 0: constants); [wd] decoupled decay w·(1 − lr·λ), default 1e-2"),
    ],
    // Simplified AdEMAMix
    [
        Spelling(convention: "optax", name: "simplified_ademamix", keys: ["lr": "learning_rate", "beta1": "b1", "beta2": "b2",
                 "alpha": "alpha", "eps": "eps", "wd": "weight_decay"],
                 semantics: "m ← b1·m + g, an accumulator; u = (m + alpha·g)/(√(n/(1 − b2ᵗ)) + eps); [wd] decay λw added to the update, × lr"),
        Spelling(convention: "pytorch_optimizer", name: "SimplifiedAdEMAMix", keys: ["lr": "lr", "beta1": "betas[0]", "beta2": "betas[1]",
                 "alpha": "alpha", "eps": "eps", "wd": "weight_decay", "maximize": "maximize"],
                 semantics: "m = lerp(m, g, 1 − beta1), an EMA; u = (m + alpha·g)/(√v + √den_sum·eps)/√den_sum; [wd] decoupled decay w·(1 − lr·λ)"),
    ],
    // Prodigy
    [
        Spelling(convention: "prodigyopt", name: "Prodigy", keys: ["lr": "lr", "beta1": "betas[0]", "beta2": "betas[1]", "beta3": "beta3",
                 "eps": "eps", "wd": "weight_decay", "d0": "d0", "dcoef": "d_coef", "safeguard": "safeguard_warmup"],
                 semantics: "no bias correction by default (use_bias_correction); d capped by growth_rate; [wd] decoupled decay −wd·d·lr·w by default (decouple=False: coupled)"),
        Spelling(convention: "optax", name: "prodigy", keys: ["lr": "learning_rate", "beta1": "betas[0]", "beta2": "betas[1]", "beta3": "beta3",
                 "eps": "eps", "wd": "weight_decay", "d0": "estim_lr0", "dcoef": "estim_lr_coef", "safeguard": "safeguard_warmup"],
                 semantics: "bias correction √(1 − β₂ᵗ)/(1 − β₁ᵗ) always on; no growth cap; [wd] decay −wd·d·lr·w always decoupled"),
        Spelling(convention: "pytorch_optimizer", name: "Prodigy", keys: ["lr": "lr", "beta1": "betas[0]", "beta2": "betas[1]", "beta3": "beta3",
                 "eps": "eps", "wd": "weight_decay", "d0": "d0", "dcoef": "d_coef", "safeguard": "safeguard_warmup", "maximize": "maximize"],
                 semantics: "no bias correction by default (bias_correction); the group step advances on a step with Σ|s| = 0; [wd] decay w·(1 − wd·d·lr) after the estimate; weight_decouple=False has no effect"),
    ],
    // D-Adaptation Adam
    [
        Spelling(convention: "dadaptation", name: "DAdaptAdam", keys: ["lr": "lr", "beta1": "betas[0]", "beta2": "betas[1]",
                 "eps": "eps", "wd": "weight_decay", "d0": "d0", "decoupled": "decouple"],
                 semantics: "no bias correction unless use_bias_correction; d ← max(d, min(d̂, d·growth_rate)); a step with ‖s‖₁ = 0 returns before moving; [wd] weight_decay coupled (added to g) unless decouple"),
        Spelling(convention: "optax", name: "dadapt_adamw", keys: ["lr": "learning_rate", "beta1": "betas[0]", "beta2": "betas[1]",
                 "eps": "eps", "wd": "weight_decay", "d0": "estim_lr0"],
                 semantics: "the bias correction √(1 − b2ᵗ)/(1 − b1ᵗ) always on; no growth cap; scalars in the parameters' dtype; [wd] decoupled, −wd·dlr·w in the update"),
    ],
    // ADOPT
    [
        Spelling(convention: "optax", name: "adopt", keys: ["lr": "learning_rate", "beta1": "b1", "beta2": "b2", "eps": "eps"],
                 semantics: "clip ±(t − 1)^0.25 (count before the step: 0 at step 1, 1 at step 2); m as b1·m + (1 − b1)·n; no weight decay"),
        Spelling(convention: "pytorch_optimizer", name: "ADOPT", keys: ["lr": "lr", "beta1": "betas[0]", "beta2": "betas[1]",
                 "eps": "eps", "wd": "weight_decay", "maximize": "maximize"],
                 semantics: "clip ±t^0.25 (the group's step: 2^0.25 at the first clipped step); m by torch's lerp; [wd] weight_decay coupled (added to g) by default, also at the first step"),
    ],    // MADGRAD
    [
        Spelling(convention: "optax", name: "madgrad", keys: ["lr": "learning_rate", "momentum": "momentum", "eps": "eps", "wd": "weight_decay"],
                 semantics: "λ = (lr + eps)·√(k + 1) as a float32 number, eps added even at lr 0; σ = cbrt(G) + eps; x0 the initial params at any momentum; [wd] coupled (add_decayed_weights)"),
        Spelling(convention: "pytorch_optimizer", name: "MADGRAD", keys: ["lr": "lr", "momentum": "momentum", "eps": "eps", "wd": "weight_decay",
                 "maximize": "maximize"],
                 semantics: "λ in float64, 0 at lr 0; σ = G^(1/3) + eps (eps 0: a 0 is inf); momentum 0 rebuilds x0 = w + s/rms_old; [wd] coupled by default, weight_decouple: −(lr + eps)·wd·w_old after the step"),
    ],
    // Schedule-Free AdamW
    [
        Spelling(convention: "schedulefree", name: "AdamWScheduleFree", keys: ["lr": "lr", "beta1": "betas[0]", "beta2": "betas[1]",
                 "eps": "eps", "wd": "weight_decay", "warmup": "warmup_steps"],
                 semantics: "averaging weights ∝ max lr^weight_lr_power (2); warmup lr·(k+1)/W; [wd] λ·y added to the normalised step"),
        Spelling(convention: "optax", name: "schedule_free_adamw", keys: ["lr": "learning_rate", "beta1": "b1", "beta2": "b2",
                 "eps": "eps", "wd": "weight_decay", "warmup": "warmup_steps"],
                 semantics: "averaging weights ∝ max lr^weight_lr_power (2); optax's warmup schedule from 0; x rebuilt from y; [wd] λ·y added to the normalised step"),
        Spelling(convention: "keras", name: "ScheduleFreeAdamW", keys: ["lr": "learning_rate", "beta1": "beta_1", "beta2": "beta_2",
                 "eps": "epsilon", "wd": "weight_decay", "warmup": "warmup_steps"],
                 semantics: "uniform averaging weights 1/t; warmup lr·min(t/W, 1); x rebuilt from the weights; [wd] Keras's decay w ← w − w·λ·lr before the step"),
    ],
    // Yogi
    [
        Spelling(convention: "optax", name: "yogi", keys: ["lr": "learning_rate", "beta1": "b1", "beta2": "b2", "eps": "eps"],
                 semantics: "both moments start at 1e-6 (not an argument); u = m̂/(√v̂ + eps); no weight decay"),
        Spelling(convention: "pytorch_optimizer", name: "Yogi", keys: ["lr": "lr", "beta1": "betas[0]", "beta2": "betas[1]",
                 "eps": "eps", "wd": "weight_decay", "maximize": "maximize"],
                 semantics: "both moments start at initial_accumulator; m by torch's lerp; √v/√(1 − b2ᵗ) + eps; [wd] weight_decay decoupled (w·(1 − lr·wd)) by default"),
    ],
    // AdaBelief
    [
        Spelling(convention: "optax", name: "adabelief", keys: ["lr": "learning_rate", "beta1": "b1", "beta2": "b2", "eps": "eps"],
                 semantics: "eps_root (its own keyword, 1e-16) added into s every step; eps outside the root; no weight decay"),
        Spelling(convention: "pytorch_optimizer", name: "AdaBelief", keys: ["lr": "lr", "beta1": "betas[0]", "beta2": "betas[1]",
                 "eps": "eps", "wd": "weight_decay", "maximize": "maximize"],
                 semantics: "the same eps added into s every step AND outside the root; m by torch's lerp; [wd] weight_decay decoupled (w·(1 − lr·wd)) by default"),
    ],
    // Adan
    [
        Spelling(convention: "optax", name: "adan", keys: ["lr": "learning_rate", "beta1": "b1", "beta2": "b2", "beta3": "b3", "eps": "eps", "wd": "weight_decay"],
                 semantics: "1 − b2 weights the difference (in n and the step); eps_root 1e-8 under the root; [wd] weight_decay added to the update before the lr"),
        Spelling(convention: "pytorch_optimizer", name: "Adan", keys: ["lr": "lr", "beta1": "betas[0]", "beta2": "betas[1]", "beta3": "betas[2]",
                 "eps": "eps", "wd": "weight_decay", "maximize": "maximize"],
                 semantics: "b2 weights the difference (the official code); no eps under the root; [wd] weight_decay proximal w/(1 + lr·wd) after the step by default"),
    ],
]

/// A re-spelled case and what it means.
package struct Twin {
    package let testCase: FixtureCase
    package let label: String
    package let semantics: String
}

package enum CrossConvention {
    /// The twins of an optimizer or schedule case in every other convention.
    package static func twins(of c: FixtureCase) -> [Twin] {
        switch c {
        case let .optimizer(oc): return optimizerTwins(oc)
        case let .schedule(sc): return scheduleTwins(sc)
        }
    }

    // MARK: Optimizers

    package static func optimizerTwins(_ oc: OptimizerCase) -> [Twin] {
        guard let algorithm = crossConventionAlgorithms.first(where: { $0.contains { $0.convention == oc.convention && $0.name == oc.name } }),
              let source = algorithm.first(where: { $0.convention == oc.convention && $0.name == oc.name }) else { return [] }
        let args = oc.hyperparameters?.objectValue ?? []
        // The canonical values the case gives.
        var given: [String: JSON] = [:]
        for (canon, spec) in source.keys {
            if let (key, index) = indexed(spec.key) {
                if let a = args.first(where: { $0.0 == key })?.1.arrayValue, index < a.count { given[canon] = a[index] }
            } else if let v = args.first(where: { $0.0 == spec.key })?.1, !v.isNull {
                given[canon] = v
            }
        }
        // Gradient clipping, as canonical quantities.
        guard let clips = clipping(oc) else { return [] }
        var full = given
        for (canon, spec) in source.keys where full[canon] == nil { if let d = spec.default { full[canon] = d } }
        var out: [Twin] = []
        for target in algorithm where target.convention != oc.convention {
            var seen: [String] = []
            // A port that keeps only what the target can say (a global clip may also have become
            // Keras's per-tensor clipnorm).
            let perTensorOptions = target.convention == "keras" && clips.contains(where: { $0.0 == "global" }) ? [false, true] : [false]
            for (mode, values) in [("given", given), ("full", full)] {
              for perTensor in perTensorOptions {
                guard let (respelled, dropped) = respell(values, fallback: full, target: target) else { continue }
                var twin = respelled
                var transforms: [JSON] = []
                guard applyClipping(clips, to: target.convention, perTensor: perTensor, args: &twin, transforms: &transforms) else { continue }
                let text = JSON.object(twin).serialized()
                if seen.contains(text) { continue }
                seen.append(text)
                var t = oc
                t.convention = target.convention
                t.name = target.name
                t.hyperparameters = .object(twin)
                t.gradTransforms = transforms
                var notes: [String] = []
                if mode == "given" {
                    let differing = source.keys.compactMap { canon, spec -> String? in
                        guard given[canon] == nil, let tk = target.keys[canon], let td = tk.default, let sd = spec.default,
                              td.doubleValue.map({ $0 != sd.doubleValue }) ?? (td.boolValue != sd.boolValue) else { return nil }
                        return "\(tk.key) \(td.doubleValue.map(pyRepr) ?? pyRepr(td)) (\(oc.convention): \(spec.key) \(sd.doubleValue.map(pyRepr) ?? pyRepr(sd)))"
                    }.sorted()
                    if !differing.isEmpty { notes.append("its own defaults where the case gives none: " + differing.joined(separator: ", ")) }
                }
                let maths = target.describe(values.merging(twinValues(twin, target), uniquingKeysWith: { a, _ in a }))
                if !maths.isEmpty { notes.append(maths) }
                if perTensor {
                    notes.append("the clip is per tensor (clipnorm: each gᵢ·c/max(‖gᵢ‖, c)) instead of over all tensors together")
                } else if clips.contains(where: { $0.0 == "global" }) && oc.convention == "torch" {
                    notes.append("the global-norm clip scales by c/max(n, c), without torch's +1e-6 in the divisor")
                }
                if !dropped.isEmpty {
                    notes.append("\(dropped.joined(separator: ", ")) left out (\(qualify(target.convention, target.name)) has no such argument)")
                }
                let note = notes.joined(separator: "; ")
                let call = twin.map { "\($0.0)=\(pyRepr($0.1))" }.joined(separator: ", ")
                let clipNote = transforms.isEmpty ? "" : " with " + transforms.compactMap { $0["name"]?.stringValue }.joined(separator: ", ")
                out.append(Twin(testCase: .optimizer(t), label: "\(qualify(target.convention, target.name))(\(call))\(clipNote)", semantics: note))
              }
            }
        }
        return out
    }

    /// The canonical values a twin's arguments hold (with the target's defaults).
    package static func twinValues(_ args: [(String, JSON)], _ target: Spelling) -> [String: JSON] {
        var out: [String: JSON] = [:]
        for (canon, spec) in target.keys {
            if let v = args.first(where: { $0.0 == spec.key })?.1 { out[canon] = v } else if let d = spec.default { out[canon] = d }
        }
        return out
    }

    /// "betas[1]" → ("betas", 1).
    package static func indexed(_ key: String) -> (String, Int)? {
        guard key.hasSuffix("]"), let open = key.firstIndex(of: "[") else { return nil }
        let inner = key[key.index(after: open)..<key.index(before: key.endIndex)]
        return Int(inner).map { (String(key[..<open]), $0) }
    }

    /// Canonical values → the target's keyword arguments (nil when the target cannot say them).
    /// Arguments a port may leave out when the target has no way to say them (the port then
    /// silently differs; the twin says which it left out). Anything else unsayable: no twin.
    package static let leftOutByPorts: Set<String> = ["dampening", "maximize", "lr_decay", "centered", "amsgrad", "nesterov"]

    package static func respell(_ values: [String: JSON], fallback: [String: JSON], target: Spelling) -> ([(String, JSON)], [String])? {
        var args: [(String, JSON)] = []
        var dropped: [String] = []
        var pairs: [String: [Int: JSON]] = [:]
        for (canon, v) in values.sorted(by: { $0.key < $1.key }) {
            guard let tk = target.keys[canon] else {
                if droppable.contains(canon) { continue }
                if let nv = neutral[canon], nv.doubleValue == v.doubleValue && nv.boolValue == v.boolValue { continue }
                if canon == "wd", (v.doubleValue ?? 0) == 0 { continue }
                if canon == "momentum", (v.doubleValue ?? 0) == 0 { continue }
                if v.boolValue == false { continue }
                if leftOutByPorts.contains(canon) { dropped.append("\(canon)=\(pyRepr(v))"); continue }
                return nil
            }
            var value = v
            // Keras insists on floats (momentum, rho…): JSON integer literals become floats.
            if target.convention == "keras", pyIsInt(v), case let .number(text) = v { value = .number(text + ".0") }
            if let (key, index) = indexed(tk.key) { pairs[key, default: [:]][index] = value } else { args.append((tk.key, value)) }
        }
        for (key, parts) in pairs.sorted(by: { $0.key < $1.key }) {
            args.append((key, .array([parts[0] ?? target.keys.values.first { $0.key == "\(key)[0]" }?.default ?? JSON(0.9),
                                      parts[1] ?? target.keys.values.first { $0.key == "\(key)[1]" }?.default ?? JSON(0.999)])))
        }
        // A required learning rate (optax): the source's.
        if let tk = target.keys["lr"], tk.default == nil, !args.contains(where: { $0.0 == tk.key }), let lr = fallback["lr"] {
            args.append((tk.key, lr))
        }
        return (args, dropped)
    }

    /// The case's clipping as (kind, value): "global" (an L2 norm over all tensors), "value".
    /// nil when a transform has no equivalent elsewhere (an inf-norm clip, …).
    package static func clipping(_ oc: OptimizerCase) -> [(String, JSON)]? {
        var out: [(String, JSON)] = []
        let args = oc.hyperparameters?.objectValue ?? []
        if oc.convention == "keras" {
            if let v = args.first(where: { $0.0 == "global_clipnorm" })?.1, !v.isNull { out.append(("global", v)) }
            if let v = args.first(where: { $0.0 == "clipvalue" })?.1, !v.isNull { out.append(("value", v)) }
            if let v = args.first(where: { $0.0 == "clipnorm" })?.1, !v.isNull { _ = v; return nil }
        }
        for t in oc.gradTransforms {
            let p = t["parameters"]
            switch (t["convention"]?.stringValue ?? "", t["name"]?.stringValue ?? "") {
            case ("torch", "clip_grad_norm_"), ("torch", "clip_grad_norm"):
                if let nt = p?["norm_type"], !nt.isNull, nt.doubleValue != 2 { return nil }
                guard let m = p?["max_norm"] else { return nil }
                out.append(("global", m))
            case ("torch", "clip_grad_value_"):
                guard let v = p?["clip_value"] else { return nil }
                out.append(("value", v))
            case ("optax", "clip_by_global_norm"):
                guard let m = p?["max_norm"] else { return nil }
                out.append(("global", m))
            case ("optax", "clip"):
                guard let v = p?["max_delta"] else { return nil }
                out.append(("value", v))
            default:
                return nil
            }
        }
        return out
    }

    /// Writes the clipping the target's way: Keras arguments, or torch / optax transforms.
    package static func applyClipping(_ clips: [(String, JSON)], to convention: String, perTensor: Bool = false,
                              args: inout [(String, JSON)], transforms: inout [JSON]) -> Bool {
        if clips.isEmpty { return true }
        switch convention {
        case "keras":
            guard clips.count == 1 else { return false }
            args.append((clips[0].0 == "global" ? (perTensor ? "clipnorm" : "global_clipnorm") : "clipvalue", clips[0].1))
        case "torch":
            for (kind, v) in clips {
                transforms.append(.object([("convention", .string("torch")), ("name", .string(kind == "global" ? "clip_grad_norm_" : "clip_grad_value_")),
                                           ("parameters", .object([(kind == "global" ? "max_norm" : "clip_value", v)]))]))
            }
        case "optax":
            for (kind, v) in clips {
                transforms.append(.object([("convention", .string("optax")), ("name", .string(kind == "global" ? "clip_by_global_norm" : "clip")),
                                           ("parameters", .object([(kind == "global" ? "max_norm" : "max_delta", v)]))]))
            }
        default:
            return false
        }
        return true
    }

    package static func qualify(_ convention: String, _ name: String) -> String {
        Conventions.named(convention)?.qualify(name) ?? "\(convention).\(name)"
    }

    // MARK: Schedules

    /// Cosine decay: torch CosineAnnealingLR(T_max, eta_min) from base_lr ↔ keras CosineDecay ↔
    /// optax cosine_decay_schedule (both held at the floor after the decay; torch's cosine goes on).
    package static func scheduleTwins(_ sc: ScheduleCase) -> [Twin] {
        let p = sc.parameters?.objectValue ?? []
        func num(_ key: String) -> Double? { p.first { $0.0 == key }?.1.doubleValue }
        var initial: Double, steps: Double, floor: Double
        switch (sc.convention, sc.name) {
        case ("torch", "CosineAnnealingLR"):
            guard let t = num("T_max") else { return [] }
            initial = sc.baseLR ?? 0.1; steps = t; floor = num("eta_min") ?? 0
        case ("keras", "CosineDecay"):
            guard num("warmup_target") == nil, let i = num("initial_learning_rate"), let t = num("decay_steps") else { return [] }
            initial = i; steps = t; floor = (num("alpha") ?? 0) * i
        case ("optax", "cosine_decay_schedule"):
            guard let i = num("init_value"), let t = num("decay_steps"), (num("exponent") ?? 1) == 1 else { return [] }
            initial = i; steps = t; floor = (num("alpha") ?? 0) * i
        case ("transformers", "get_cosine_schedule_with_warmup"), ("transformers", "get_cosine_with_min_lr_schedule_with_warmup"):
            guard num("num_warmup_steps") == 0, (num("num_cycles") ?? 0.5) == 0.5, num("min_lr") == nil,
                  let t = num("num_training_steps") else { return [] }
            initial = sc.baseLR ?? 0.1; steps = t; floor = (num("min_lr_rate") ?? 0) * initial
        default:
            return []
        }
        let alpha = initial == 0 ? 0 : floor / initial
        var out: [Twin] = []
        func twin(_ convention: String, _ name: String, _ params: [(String, JSON)], baseLR: Double?, _ semantics: String) {
            guard convention != sc.convention else { return }
            var t = sc
            t.convention = convention
            t.name = name
            t.parameters = .object(params)
            t.baseLR = baseLR
            let call = params.map { "\($0.0)=\(pyRepr($0.1))" }.joined(separator: ", ")
            out.append(Twin(testCase: .schedule(t), label: "\(Conventions.named(convention)?.qualifySchedule(name) ?? name)(\(call))", semantics: semantics))
        }
        twin("keras", "CosineDecay", [("initial_learning_rate", JSON(initial)), ("decay_steps", JSON(steps)), ("alpha", JSON(alpha))], baseLR: nil,
             "the cosine is held at alpha·initial_learning_rate after decay_steps (torch's CosineAnnealingLR follows the cosine back up past T_max)")
        twin("optax", "cosine_decay_schedule", [("init_value", JSON(initial)), ("decay_steps", JSON(Int(steps))), ("alpha", JSON(alpha))], baseLR: nil,
             "the cosine is held at alpha·init_value after decay_steps (torch's CosineAnnealingLR follows the cosine back up past T_max)")
        twin("torch", "CosineAnnealingLR", [("T_max", JSON(Int(steps))), ("eta_min", JSON(floor))], baseLR: initial,
             "the cosine goes on past T_max, rising again (Keras and optax hold the floor)")
        twin("transformers", "get_cosine_with_min_lr_schedule_with_warmup",
             [("num_warmup_steps", JSON(0)), ("num_training_steps", JSON(Int(steps))), ("min_lr_rate", JSON(alpha))], baseLR: initial,
             "a LambdaLR multiplier computed from the step count (not torch's recursion), rising again past num_training_steps (Keras and optax hold the floor)")
        return out
    }
}
