// Variants.swift — the known-wrong variants, one line each. Every variant must be caught by at
// least one fixture (`descent power`, and the test suite asserts it).
import DescentCore
import DescentJSON

/// Changes an Adam-group family's knob, or declines.
private func adam(_ change: @escaping @Sendable (inout AdamFamily) -> Bool) -> KnownWrongVariant.Mistake { .changing(AdamFamily.self, change) }

private func sgd(_ change: @escaping @Sendable (inout SGDFamily) -> Bool) -> KnownWrongVariant.Mistake { .changing(SGDFamily.self, change) }

private let cosineNames: Set<String> = ["CosineAnnealingLR", "cosine_decay_schedule", "cosine_annealing",
                                        "warmup_cosine_decay_schedule", "CosineAnnealingWarmRestarts"]

public enum KnownWrong {
    public static let all: [KnownWrongVariant] = core + lionLambVariants + lbfgsScheduleFreeVariants + trainingVariants + conventionVariants + matrixVariants + adafactorVariants + rpropVariants + asgdVariants + yogiAdaBeliefVariants + optaxMoreVariants + sparseOptimisticVariants + polyakVariants + ademamixVariants + adoptVariants + prodigyVariants + dadaptationVariants
        + optaxContribVariants + pytorchOptimizerYogiAdaBeliefVariants + pytorchOptimizerAdanVariants + pytorchOptimizerStableAdamWVariants + pytorchOptimizerCAMERangerVariants + madgradVariants + sophiaHVariants + galoreVariants
        + libraryChoiceVariants + fieldVariants + lowPrecisionVariants + averagedModelVariants + bitsandbytesVariants

    package static let core: [KnownWrongVariant] = [
        // MARK: Adam group
        KnownWrongVariant("adam-no-bias-correction", "Adam without bias correction (m and v used raw)", adam { a in
            guard a.biasCorrectionMu || a.biasCorrectionNu else { return false }
            if a.form == .torch { a.form = .optax }   // the same math; the optax form has the knob
            a.biasCorrectionMu = false; a.biasCorrectionNu = false; return true
        }),
        KnownWrongVariant("adam-eps-inside-sqrt", "eps added inside the square root (√(v̂+eps)) instead of outside", adam { a in
            guard a.eps != 0 && a.epsRoot == 0 else { return false }
            if a.form == .torch { a.form = .optax }   // the same math; the optax form has the knob
            a.epsRoot = a.eps; a.eps = 0; return true
        }),
        KnownWrongVariant("adam-eps-outside-sqrt", "eps added outside the square root where the convention puts it inside", adam { a in
            guard a.epsRoot != 0 && a.eps == 0 else { return false }
            a.eps = a.epsRoot; a.epsRoot = 0; return true
        }),
        KnownWrongVariant("adam-eps-root-ignored", "optax's eps_root ignored (only eps outside the root)", adam { a in
            guard a.form == .optax && a.epsRoot != 0 else { return false }
            a.epsRoot = 0; return true
        }),
        KnownWrongVariant("adamw-coupled-decay", "AdamW's decay applied as L2 on the gradient (coupled) instead of decoupled", adam { a in
            switch a.decay {
            case let .decoupled(l), let .decoupledUnscaled(l): a.decay = .l2(l); return true
            default: return false
            }
        }),
        KnownWrongVariant("adam-l2-as-decoupled", "Adam's weight_decay (L2) applied decoupled, as AdamW does", adam { a in
            guard case let .l2(l) = a.decay else { return false }
            a.decay = .decoupled(l); return true
        }),
        KnownWrongVariant("adamw-decay-not-scaled-by-lr", "decoupled decay w ← w − λ·w, not multiplied by lr", adam { a in
            guard case let .decoupled(l) = a.decay else { return false }
            a.decay = .decoupledUnscaled(l); return true
        }),
        KnownWrongVariant("adamw-decay-scaled-by-lr", "the textbook's decoupled decay multiplied by lr", adam { a in
            guard case let .decoupledUnscaled(l) = a.decay else { return false }
            a.decay = .decoupled(l); return true
        }),
        KnownWrongVariant("amsgrad-max-of-corrected", "AMSGrad takes the max of bias-corrected v̂ (optax) where torch takes it of raw v", adam { a in
            guard a.amsgrad == .maxOfRaw else { return false }
            a.amsgrad = .maxOfCorrected; return true
        }),
        KnownWrongVariant("amsgrad-max-of-raw", "AMSGrad takes the max of raw v (torch) where optax takes it of v̂", adam { a in
            guard a.amsgrad == .maxOfCorrected else { return false }
            a.amsgrad = .maxOfRaw; return true
        }),
        KnownWrongVariant("amsgrad-ignored", "amsgrad=True ignored (plain Adam)", adam { a in
            guard a.amsgrad != .off else { return false }
            a.amsgrad = .off; return true
        }),
        KnownWrongVariant("adam-nesterov-as-plain", "optax's Nesterov Adam (nadam) computed as plain Adam", adam { a in
            guard a.nesterov else { return false }
            a.nesterov = false; return true
        }),
        KnownWrongVariant("nadam-momentum-decay-ignored", "torch NAdam's momentum_decay schedule ignored (μ_t = β₁)", .family { f in
            guard var n = f as? NAdamFamily, n.momentumDecay != 0 else { return nil }
            n.momentumDecay = 0; return n
        }),
        KnownWrongVariant("radam-threshold-off-by-one", "RAdam rectifies one step late (threshold 6 instead of 5)", .family { f in
            guard var r = f as? RAdamFamily else { return nil }
            r.threshold += 1; return r
        }),

        // MARK: SGD group
        KnownWrongVariant("momentum-lr-inside", "momentum buffer accumulates lr·g (lr inside) where the library keeps lr outside", sgd { s in
            guard s.momentum != 0 && !s.lrInsideBuffer else { return false }
            s.lrInsideBuffer = true; return true
        }),
        KnownWrongVariant("momentum-lr-outside", "momentum buffer accumulates g (lr outside) where the convention puts lr inside", sgd { s in
            guard s.momentum != 0 && s.lrInsideBuffer else { return false }
            s.lrInsideBuffer = false; return true
        }),
        KnownWrongVariant("nesterov-as-plain-momentum", "nesterov=True computed as plain momentum",
                          ignoring("nesterov", setTo: .bool(false), when: isTrue)),
        KnownWrongVariant("dampening-ignored", "SGD's dampening ignored", ignoring("dampening", setTo: JSON(0.0), when: nonzero)),
        KnownWrongVariant("momentum-buffer-starts-at-zero", "torch's first momentum step dampened from a zero buffer instead of cloning the gradient", sgd { s in
            guard s.momentum != 0 && s.bufferStartsAtGradient else { return false }
            s.bufferStartsAtGradient = false; return true
        }),
        KnownWrongVariant("ema-debias-missing", "optax ema's bias correction dropped (the raw EMA from 0 added)", sgd { s in
            guard s.debias && s.momentum != 0 else { return false }
            s.debias = false; return true
        }),
        KnownWrongVariant("ema-debias-count-ahead", "optax ema debiased with the count one ahead (1 − decay^(t+1))", sgd { s in
            guard s.debias && s.momentum != 0 else { return false }
            s.debiasCountShift = 1; return true
        }),
        KnownWrongVariant("ema-debias-count-before-increment", "optax ema debiased with the count before its increment (1 − decay^(t−1): 1 − decay⁰ = 0 at the first step)", sgd { s in
            guard s.debias && s.momentum != 0 else { return false }
            s.debiasCountShift = -1; return true
        }),
        KnownWrongVariant("rmsprop-uncentered", "centered RMSprop computed uncentered", ignoring("centered", setTo: .bool(false), when: isTrue)),
        KnownWrongVariant("rmsprop-eps-placement", "RMSprop's eps on the wrong side of the square root", .family { f in
            guard var r = f as? RMSpropFamily, r.eps != 0 else { return nil }
            r.epsInsideSqrt.toggle(); return r
        }),
        KnownWrongVariant("adagrad-initial-accumulator-ignored", "Adagrad's initial accumulator value ignored (starts at 0)", .family { f in
            guard var a = f as? AdagradFamily, a.initialAccumulator != 0 else { return nil }
            a.initialAccumulator = 0; return a
        }),
        KnownWrongVariant("adagrad-lr-decay-ignored", "Adagrad's lr_decay ignored", .family { f in
            guard var a = f as? AdagradFamily, a.lrDecay != 0 else { return nil }
            a.lrDecay = 0; return a
        }),
        KnownWrongVariant("adagrad-eps-placement", "Adagrad's eps on the wrong side of the square root", .family { f in
            guard var a = f as? AdagradFamily, a.eps != 0 else { return nil }
            a.epsInsideSqrt.toggle(); return a
        }),

        // MARK: Any optimizer
        KnownWrongVariant("maximize-ignored", "maximize=True ignored (descends instead of ascending)",
                          ignoring("maximize", setTo: .bool(false), when: isTrue)),
        KnownWrongVariant("weight-decay-ignored", "weight_decay ignored", ignoring("weight_decay", setTo: JSON(0.0), when: nonzero)),
        KnownWrongVariant("float32-accumulation", "float32 arithmetic and state in a float64 run", .float32Accumulation),

        // MARK: Schedules
        KnownWrongVariant("cosine-off-by-one", "cosine schedule evaluated one step late", .schedule { s in
            cosineNames.contains(where: { s.summary.contains($0) }) ? ShiftedSchedule(inner: s) : nil
        }),
        KnownWrongVariant("schedule-off-by-one", "step-based schedule evaluated one step late (StepLR, MultiStepLR, exponential decay, …)", .schedule { s in
            cosineNames.contains(where: { s.summary.contains($0) }) ? nil : ShiftedSchedule(inner: s)
        }),
        KnownWrongVariant("onecycle-phase-boundary-off-by-one", "one-cycle warmup ends one step late", .arguments { convention, name, args in
            switch (convention, name) {
            case ("textbook", "one_cycle"):
                return setArgument(&args, "warmup_steps", to: JSON((args.first { $0.0 == "warmup_steps" }?.1.intValue ?? 0) + 1), when: { _ in true })
            case ("torch", "OneCycleLR"):
                let total = args.first { $0.0 == "total_steps" }?.1.doubleValue
                    ?? (args.first { $0.0 == "epochs" }?.1.doubleValue).flatMap { e in (args.first { $0.0 == "steps_per_epoch" }?.1.doubleValue).map { e * $0 } }
                guard let total, total > 0 else { return false }
                let pct = args.first { $0.0 == "pct_start" }?.1.doubleValue ?? 0.3
                if let i = args.firstIndex(where: { $0.0 == "pct_start" }) { args[i].1 = JSON(pct + 1 / total) } else { args.append(("pct_start", JSON(pct + 1 / total))) }
                return true
            default:
                return false
            }
        }),
        KnownWrongVariant("plateau-non-strict", "ReduceLROnPlateau counts a metric equal to the best (≤) as an improvement", .schedule { $0.mutated(.plateauNonStrict) }),
        KnownWrongVariant("plateau-threshold-ignored", "ReduceLROnPlateau's threshold ignored", ignoring("threshold", setTo: JSON(0.0), when: nonzero, names: ["ReduceLROnPlateau"])),
        KnownWrongVariant("plateau-cooldown-ignored", "ReduceLROnPlateau's cooldown ignored", ignoring("cooldown", setTo: JSON(0), when: nonzero, names: ["ReduceLROnPlateau"])),
        KnownWrongVariant("greedy-cooldown-ignored", "transformers GreedyLR's cooldown ignored", ignoring("cooldown", setTo: JSON(0), when: nonzero, names: ["get_greedy_schedule"])),
        KnownWrongVariant("greedy-warmup-ignored", "transformers GreedyLR's warmup (the pause after a raise) ignored", ignoring("warmup", setTo: JSON(0), when: nonzero, names: ["get_greedy_schedule"])),
        KnownWrongVariant("greedy-no-reset", "transformers GreedyLR never resetting to the initial lr after reset_start reductions at min_lr", ignoring("reset_start", setTo: JSON(1_000_000), when: { _ in true }, names: ["get_greedy_schedule"])),
        KnownWrongVariant("greedy-smooth-ignored", "transformers GreedyLR's smooth ignored (decisions on the raw metric, not the window's mean)", ignoring("smooth", setTo: .bool(false), when: isTrue, names: ["get_greedy_schedule"])),
        KnownWrongVariant("greedy-eps-ignored", "transformers GreedyLR applying lr changes smaller than eps", ignoring("eps", setTo: JSON(0.0), when: nonzero, names: ["get_greedy_schedule"])),
        KnownWrongVariant("greedy-plateau-defaults", "transformers GreedyLR with ReduceLROnPlateau's default factor 0.1 instead of 0.95", .arguments { _, name, args in
            guard name == "get_greedy_schedule", !args.contains(where: { $0.0 == "factor" }) else { return false }
            args.append(("factor", JSON(0.1)))
            return true
        }),
        KnownWrongVariant("warm-restarts-ignore-t-mult", "CosineAnnealingWarmRestarts ignoring T_mult (every period T_0)", ignoring("T_mult", setTo: JSON(1), when: { ($0.doubleValue ?? 1) != 1 })),
        KnownWrongVariant("staircase-ignored", "optax exponential_decay's staircase ignored", ignoring("staircase", setTo: .bool(false), when: isTrue)),
        KnownWrongVariant("swalr-anneal-strategy-swapped", "SWALR's 'cos' and 'linear' anneals swapped", .arguments { convention, name, args in
            guard convention == "torch", name == "SWALR" else { return false }
            let cosine = (args.first { $0.0 == "anneal_strategy" }?.1.stringValue ?? "cos") == "cos"
            let swapped = JSON.string(cosine ? "linear" : "cos")
            if let i = args.firstIndex(where: { $0.0 == "anneal_strategy" }) { args[i].1 = swapped } else { args.append(("anneal_strategy", swapped)) }
            return true
        }),
        KnownWrongVariant("swalr-anneal-from-one", "SWALR's anneal counted from _step_count (1 at construction) instead of _step_count − 1: swa_lr reached one step early", .schedule { $0.mutated(.swaAnnealFromOne) }),
        // pytorch_optimizer's own schedulers (PytorchOptimizerSchedules.swift)
        KnownWrongVariant("po-schedule-min-lr-reset-forgotten", "pytorch_optimizer's linear/cosine/poly/rex/cosine_annealing_with_warmup without the constructor's reset of the group's lr (and CosineAnnealingWarmupRestarts' floor) to min_lr: the optimizer's lr at step 0", .schedule { $0.mutated(.pytorchOptimizerResetForgotten) }),
        KnownWrongVariant("rex-constructor-step-forgotten", "pytorch_optimizer's REXScheduler without the step its LRScheduler constructor takes: max_lr at the first step, every value one step late", .schedule { $0.mutated(.rexConstructorStepForgotten) }),
        KnownWrongVariant("po-warmup-from-one", "pytorch_optimizer's linear warmup counted from 1 (init_lr + (max_lr − init_lr)(t + 1)/W): max_lr one step early", .schedule { $0.mutated(.pytorchOptimizerWarmupFromOne) }),
        KnownWrongVariant("po-decay-held-at-min-lr", "pytorch_optimizer's LinearScheduler / CosineScheduler held at min_lr past t_max (the library goes on: below min_lr, or back up the cosine)", .schedule { $0.mutated(.pytorchOptimizerHeldAtMin) }),
        KnownWrongVariant("poly-normalized", "pytorch_optimizer's PolyScheduler as the usual decay min + (max − min)(1 − (t − W)/(T − W))^p, where the library raises the raw step count t − W to the power", .schedule { $0.mutated(.polyNormalized) }),
        KnownWrongVariant("chebyshev-order-sorted", "pytorch_optimizer's Chebyshev nodes in sorted order (the fractal permutation skipped)", .schedule { $0.mutated(.chebyshevSorted) }),
        KnownWrongVariant("chebyshev-index-from-zero", "pytorch_optimizer's Chebyshev schedule read at epoch instead of epoch − 2", .schedule { $0.mutated(.chebyshevIndexFromZero) }),
        KnownWrongVariant("wsd-floor-in-every-cooldown", "pytorch_optimizer's get_wsd_schedule with min_lr_ratio as the floor of the 1-sqrt / linear / 1-square cooldowns (only cosine has one; transformers' get_wsd_schedule floors them all)", .schedule { $0.mutated(.wsdFloorInEveryCooldown) }),
        KnownWrongVariant("proportion-reads-group-lr", "pytorch_optimizer's ProportionScheduler reading the optimizer's lr where the scheduler keeps a last_lr (init_lr, REX's max_lr after construction)", .schedule { $0.mutated(.proportionReadsGroupLR) }),
        KnownWrongVariant("po-init-lr-ignored", "pytorch_optimizer's linear warmup from 0 whatever init_lr", ignoring("init_lr", setTo: JSON(0.0), when: nonzero, in: ["pytorch_optimizer"], names: ["linear", "cosine", "poly"])),
        KnownWrongVariant("poly-order-ignored", "pytorch_optimizer's PolyScheduler with its default poly_order 0.5 whatever is given", ignoring("poly_order", setTo: JSON(0.5), when: { $0.doubleValue != 0.5 }, in: ["pytorch_optimizer"], names: ["poly"])),
        KnownWrongVariant("warmup-restarts-gamma-ignored", "pytorch_optimizer's CosineAnnealingWarmupRestarts restarting at the same max_lr (gamma ignored)", .arguments { convention, name, args in
            guard convention == "pytorch_optimizer", name == "cosine_annealing_with_warmup" else { return false }
            if let i = args.firstIndex(where: { $0.0 == "gamma" }) {
                guard args[i].1.doubleValue != 1 else { return false }
                args[i].1 = JSON(1.0)
            } else {
                args.append(("gamma", JSON(1.0)))   // its default is 0.9
            }
            return true
        }),
        KnownWrongVariant("warmup-restarts-cycle-mult-ignored", "pytorch_optimizer's CosineAnnealingWarmupRestarts with every cycle first_cycle_steps long (cycle_mult ignored)", ignoring("cycle_mult", setTo: JSON(1.0), when: { $0.doubleValue != 1 }, in: ["pytorch_optimizer"], names: ["cosine_annealing_with_warmup"])),
        KnownWrongVariant("wsd-cooldown-type-ignored", "pytorch_optimizer's get_wsd_schedule with its default 1-sqrt cooldown whatever cooldown_type says", ignoring("cooldown_type", setTo: .string("1-sqrt"), when: { $0.stringValue != "1-sqrt" }, in: ["pytorch_optimizer"], names: ["warmup_stable_decay"])),
        KnownWrongVariant("chebyshev-is-warmup-ignored", "pytorch_optimizer's Chebyshev schedule ignoring is_warmup (the factor 1)", ignoring("is_warmup", setTo: .bool(false), when: isTrue, in: ["pytorch_optimizer"], names: ["chebyshev"])),
        KnownWrongVariant("cyclic-mode-ignored", "CyclicLR's triangular2/exp_range mode computed as triangular", ignoring("mode", setTo: .string("triangular"), when: { $0.stringValue != "triangular" }, names: ["CyclicLR"])),
    ]

    public static func named(_ id: String) -> KnownWrongVariant? { all.first { $0.id == id } }
}
