// LBFGSScheduleFreeVariants.swift — known-wrong variants of L-BFGS (torch, optax) and
// Schedule-Free (optax.contrib, the `schedulefree` package): the mistakes their implementations
// make. Appended to `KnownWrong.all`; the fixtures of reference/gen_lbfgs_schedulefree.py catch
// every one (LBFGSScheduleFreeTests asserts it, and which case was designed to catch it).
// Two mistakes of these families are the generic `maximize-ignored` and `weight-decay-ignored`.
import DescentCore
import DescentJSON

private func lbfgs(_ change: @escaping @Sendable (inout LBFGSFamily) -> Bool) -> KnownWrongVariant.Mistake { .changing(LBFGSFamily.self, change) }

private func scheduleFree(_ change: @escaping @Sendable (inout ScheduleFreeFamily) -> Bool) -> KnownWrongVariant.Mistake { .changing(ScheduleFreeFamily.self, change) }

/// An argument of torch.optim.LBFGS ignored: the library's default used instead.
private func torchLBFGSIgnoring(_ key: String, default value: Double) -> KnownWrongVariant.Mistake {
    ignoring(key, setTo: JSON(value), when: { ($0.doubleValue ?? value) != value }, in: ["torch"], names: ["LBFGS"])
}

package let lbfgsScheduleFreeVariants: [KnownWrongVariant] = [
    // MARK: L-BFGS, both libraries
    KnownWrongVariant("lbfgs-history-off-by-one", "L-BFGS keeps history_size (memory_size) + 1 curvature pairs: the oldest pair is dropped one update late", lbfgs { x in
        x.history += 1; return true
    }),
    KnownWrongVariant("lbfgs-history-one-short", "L-BFGS keeps only history_size (memory_size) − 1 curvature pairs: the oldest pair is dropped one update early", lbfgs { x in
        guard x.history > 1 else { return false }
        x.history -= 1; return true
    }),
    KnownWrongVariant("lbfgs-lr-ignored", "L-BFGS's lr (torch) / learning_rate (optax) ignored: unit steps, the default 1", .arguments { convention, name, args in
        switch (convention, name) {
        case ("torch", "LBFGS"):
            return setArgument(&args, "lr", to: JSON(1.0), when: { ($0.doubleValue ?? 1) != 1 })
        case ("optax", "lbfgs"):
            return setArgument(&args, "learning_rate", to: .null, when: { !$0.isNull && ($0.doubleValue ?? 1) != 1 })
        default:
            return false
        }
    }),

    // MARK: L-BFGS, torch
    KnownWrongVariant("lbfgs-no-line-search", "torch L-BFGS ignores line_search_fn='strong_wolfe': fixed steps of lr instead of the strong-Wolfe line search", lbfgs { x in
        guard x.form == .torch && x.lineSearch == .strongWolfe else { return false }
        x.lineSearch = .none; return true
    }),
    KnownWrongVariant("lbfgs-line-search-always", "torch L-BFGS runs a strong-Wolfe line search when line_search_fn is None (torch takes fixed steps of lr)", lbfgs { x in
        guard x.form == .torch && x.lineSearch == .none else { return false }
        x.lineSearch = .strongWolfe; return true
    }),
    KnownWrongVariant("lbfgs-max-eval-ignored", "torch L-BFGS's max_eval budget ignored: only max_iter (and the tolerances) end a step() call", lbfgs { x in
        guard x.form == .torch else { return false }
        x.maxEval = Int.max / 2; return true
    }),
    KnownWrongVariant("lbfgs-one-iteration-per-step", "torch L-BFGS does one iteration per step() call instead of up to max_iter", lbfgs { x in
        guard x.form == .torch && x.maxIter > 1 else { return false }
        x.maxIter = 1; return true
    }),
    KnownWrongVariant("lbfgs-tolerance-grad-ignored", "torch L-BFGS's tolerance_grad ignored (the default 1e-7 used)", torchLBFGSIgnoring("tolerance_grad", default: 1e-7)),
    KnownWrongVariant("lbfgs-tolerance-change-ignored", "torch L-BFGS's tolerance_change ignored (the default 1e-9 used)", torchLBFGSIgnoring("tolerance_change", default: 1e-9)),

    // MARK: L-BFGS, optax
    KnownWrongVariant("lbfgs-no-initial-scaling", "optax L-BFGS without the initial inverse-Hessian scaling γ = sᵀy/yᵀy (identity instead; scale_init_precond=True)", lbfgs { x in
        guard x.form == .optax && x.scaleInitPrecond else { return false }
        x.scaleInitPrecond = false; return true
    }),
    KnownWrongVariant("lbfgs-scale-init-precond-ignored", "optax L-BFGS's scale_init_precond=False ignored: the initial inverse Hessian is still scaled by sᵀy/yᵀy", lbfgs { x in
        guard x.form == .optax && !x.scaleInitPrecond else { return false }
        x.scaleInitPrecond = true; return true
    }),
    KnownWrongVariant("lbfgs-zoom-no-curvature-test", "optax L-BFGS's zoom line search accepts a step on sufficient decrease alone (the strong-Wolfe curvature test left out)", lbfgs { x in
        guard x.form == .optax && x.zoom.curvRtol.isFinite else { return false }
        x.zoom.curvRtol = .infinity; return true
    }),
    KnownWrongVariant("lbfgs-zoom-no-approx-armijo", "optax L-BFGS's zoom line search without the approximate Armijo (Hager–Zhang) decrease test: the plain Armijo test only", lbfgs { x in
        guard x.form == .optax && x.zoom.approxDecRtol != nil else { return false }
        x.zoom.approxDecRtol = nil; return true
    }),
    KnownWrongVariant("lbfgs-zoom-steps-one-short", "optax L-BFGS's zoom line search gives up one step early (max_linesearch_steps − 1 trials before the safe step)", lbfgs { x in
        guard x.form == .optax && x.zoom.maxSteps > 1 else { return false }
        x.zoom.maxSteps -= 1; return true
    }),
    KnownWrongVariant("lbfgs-zoom-steps-one-long", "optax L-BFGS's zoom line search tries one step more than max_linesearch_steps before falling back to the safe step", lbfgs { x in
        guard x.form == .optax else { return false }
        x.zoom.maxSteps += 1; return true
    }),

    // MARK: Schedule-Free
    KnownWrongVariant("schedulefree-warmup-ignored", "Schedule-Free's warmup_steps ignored: the full lr from the first step", scheduleFree { x in
        guard let w = x.warmupSteps, w > 0 else { return false }
        x.warmupSteps = x.form == .optax ? nil : 0; return true
    }),
    KnownWrongVariant("schedulefree-warmup-zero-as-none", "optax Schedule-Free's warmup_steps=0 taken as no warmup (optax's warmup schedule then holds the lr at 0)", scheduleFree { x in
        guard x.form == .optax && x.warmupSteps == 0 else { return false }
        x.warmupSteps = nil; return true
    }),
    KnownWrongVariant("schedulefree-warmup-off-by-one", "Schedule-Free's linear warmup one step too long (over warmup_steps + 1 steps)", scheduleFree { x in
        guard let w = x.warmupSteps, w > 0 else { return false }
        x.warmupSteps = w + 1; return true
    }),
    KnownWrongVariant("schedulefree-unweighted-average", "Schedule-Free's x as the plain running mean of z (averaging weights ignore the lr and the step: weight_lr_power and r taken as 0)", scheduleFree { x in
        guard x.weightLRPower != 0 || x.r != 0 else { return false }
        x.weightLRPower = 0; x.r = 0; return true
    }),
    KnownWrongVariant("schedulefree-weight-lr-power-ignored", "Schedule-Free's weight_lr_power ignored (the default 2: weights ∝ max lr²)", scheduleFree { x in
        guard x.weightLRPower != 2 else { return false }
        x.weightLRPower = 2; return true
    }),
    KnownWrongVariant("schedulefree-weight-lr-power-one", "Schedule-Free's averaging weights ∝ max lr instead of max lr^weight_lr_power", scheduleFree { x in
        guard x.weightLRPower != 1 else { return false }
        x.weightLRPower = 1; return true
    }),
    KnownWrongVariant("schedulefree-r-ignored", "schedulefree's r ignored (averaging weights without the (k+1)^r factor)", scheduleFree { x in
        guard x.r != 0 else { return false }
        x.r = 0; return true
    }),
    KnownWrongVariant("schedulefree-beta-ignored", "Schedule-Free's β (momentum / b1 / betas[0]) ignored: 0.9 used", scheduleFree { x in
        guard x.beta1 != 0.9 else { return false }
        x.beta1 = 0.9; return true
    }),
    KnownWrongVariant("schedulefree-beta2-ignored", "Schedule-Free AdamW's β₂ (b2 / betas[1]) ignored: 0.999 used", scheduleFree { x in
        guard x.base == .adamw && x.beta2 != 0.999 else { return false }
        x.beta2 = 0.999; return true
    }),
    KnownWrongVariant("schedulefree-eps-dropped", "Schedule-Free AdamW without eps in the denominator (g/√v̂)", scheduleFree { x in
        guard x.base == .adamw && x.eps != 0 else { return false }
        x.eps = 0; return true
    }),
    KnownWrongVariant("radam-schedulefree-no-rectification", "RAdamScheduleFree without RAdam's rectification: AdamWScheduleFree's full lr and normalised step from the first step", scheduleFree { x in
        guard x.rectify else { return false }
        x.rectify = false; return true
    }),
    KnownWrongVariant("radam-schedulefree-silent-phase-ignored", "RAdamScheduleFree's silent_sgd_phase ignored: SGD steps on the raw gradient at the full lr while ρ_t ≤ 4", scheduleFree { x in
        guard x.rectify && x.silentSGDPhase else { return false }
        x.silentSGDPhase = false; return true
    }),
    KnownWrongVariant("radam-schedulefree-threshold-5", "RAdamScheduleFree's rectification switched on at ρ_t > 5 (torch RAdam's threshold) instead of ρ_t > 4", scheduleFree { x in
        guard x.rectify && x.rectifyThreshold == 4 else { return false }
        x.rectifyThreshold = 5; return true
    }),
    KnownWrongVariant("schedulefree-closure-holds-y", "schedulefree's *Closure classes ported as the train-mode ones: the parameters hold y between steps instead of x", scheduleFree { x in
        guard x.holdsX else { return false }
        x.holdsX = false; return true
    }),
    KnownWrongVariant("schedulefree-paper-bias-corrected", "AdamWScheduleFreePaper ported as AdamWScheduleFree: v bias-corrected instead of the lr scaled by √(1 − β₂ᵗ)", scheduleFree { x in
        guard x.lrBiasCorrection else { return false }
        x.lrBiasCorrection = false; return true
    }),
    KnownWrongVariant("schedulefree-reference-decay-at-z-ignored", "AdamWScheduleFreeReference's decay_at_z ignored: the decay taken at y", scheduleFree { x in
        guard x.keepsX && x.decayAtZ else { return false }
        x.decayAtZ = false; return true
    }),
    KnownWrongVariant("keras-schedulefree-lr-weighted", "Keras ScheduleFreeAdamW averaging with schedulefree's weights ∝ max lr² instead of Keras's uniform 1/t", scheduleFree { x in
        guard x.form == .keras && x.kerasUniformWeights else { return false }
        x.kerasUniformWeights = false; return true
    }),
    KnownWrongVariant("schedulefree-params-hold-x", "Schedule-Free with x (the average, what eval mode holds) in the parameters instead of y = β·x + (1−β)·z: x is reported and the gradient is taken at x", .family { f in
        guard let x = f as? ScheduleFreeFamily else { return nil }
        return ScheduleFreeHoldingX(inner: x)
    }),
]

/// Schedule-Free whose parameters hold x = (y − (1−β)·z)/β while it trains y internally.
package struct ScheduleFreeHoldingX: OptimizerFamily {
    package var inner: ScheduleFreeFamily
    package var familyName: String { inner.familyName }
    package var summary: String { inner.summary + " [the parameters hold x]" }

    package func makeStepper<T: DescentFloat>(_: T.Type, shapes: [[Int]], engine: Engine) throws -> StepperBox<T> {
        StepperBox(HoldingXStepper(try inner.makeStepper(T.self, shapes: shapes, engine: engine), beta: inner.beta1))
    }
}

package final class HoldingXStepper<T: DescentFloat>: Stepper {
    package let inner: StepperBox<T>
    package let beta: T
    /// The real parameters (y), kept apart from the ones the caller sees.
    package var y: [Buffer<T>] = []

    package init(_ inner: StepperBox<T>, beta: Double) {
        self.inner = inner
        self.beta = T(beta)
    }

    package func step(params: [Buffer<T>], grads: [Buffer<T>], lr: Double) {
        if y.isEmpty { y = params.map { $0.clone() } }
        inner.step(y, grads, lr)
        guard let z = inner.state().first(where: { $0.name == "z" || $0.name == "momentum" })?.buffers else { return }   // Keras calls z `momentum`
        for (p, (yt, zt)) in zip(params, zip(y, z)) {
            for i in 0..<p.count { p[i] = (yt[i] - (1 - beta) * zt[i]) / beta }
        }
    }

    package var state: [(name: String, buffers: [Buffer<T>])] { inner.state() }
}
