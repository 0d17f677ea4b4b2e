// SophiaHVariants.swift — known-wrong variants of pytorch_optimizer.SophiaH (SophiaH.swift): the
// mistakes of a port, each caught by fixtures/pytorch_optimizer/SophiaH.json.
import DescentCore

package let sophiaHVariants: [KnownWrongVariant] = [
    KnownWrongVariant("sophiah-hessian-every-step", "SophiaH's Hessian EMA h ← lerp(h, D, 1 − b2) taken on every step (absorbing the last estimate again) instead of only on refresh steps (an estimate handed, or (t − 1) % update_period == 0)", .changing(SophiaHFamily.self) { x in
        guard !x.refreshEveryStep, x.updatePeriod > 1 else { return false }
        x.refreshEveryStep = true; return true
    }),
    KnownWrongVariant("sophiah-no-clip", "SophiaH's ratio m / max(h, eps) used unclipped instead of clamped to ±p", .changing(SophiaHFamily.self) { x in
        guard x.clip else { return false }
        x.clip = false; return true
    }),
    KnownWrongVariant("sophiah-abs-hessian", "SophiaH's denominator max(|h|, eps) (a positive part of the estimate) instead of the library's clamp max(h, eps), which sends a negative h to eps", .changing(SophiaHFamily.self) { x in
        guard !x.absHessian else { return false }
        x.absHessian = true; return true
    }),
    KnownWrongVariant("sophiah-decay-coupled", "SophiaH's decoupled weight decay (weight_decouple True, the default: w·(1 − lr·wd)) added to the gradient instead (wd·w into g)", .changing(SophiaHFamily.self) { x in
        guard case let .decoupled(l) = x.decay else { return false }
        x.decay = .coupled(l); return true
    }),
    KnownWrongVariant("sophiah-period-off-by-one", "SophiaH refreshing at t % update_period == 0 instead of (t − 1) % update_period == 0 (the library refreshes at the first step)", .changing(SophiaHFamily.self) { x in
        guard !x.periodOffByOne else { return false }
        x.periodOffByOne = true; return true
    }),
    KnownWrongVariant("sophiah-handed-only-on-period", "SophiaH absorbing an estimate handed to step(hessian=...) only on the period's refresh steps, where the library refreshes on every step handed one", .changing(SophiaHFamily.self) { x in
        guard !x.handedOnlyOnPeriod, x.updatePeriod > 1 else { return false }
        x.handedOnlyOnPeriod = true; return true
    }),
]
