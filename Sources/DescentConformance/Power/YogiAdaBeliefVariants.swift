// YogiAdaBeliefVariants.swift — known-wrong variants of Yogi and AdaBelief (optax). Appended to
// `KnownWrong.all`; the fixtures of reference/gen_yogi_adabelief.py catch every one
// (YogiAdaBeliefTests asserts it).
import DescentCore
import DescentJSON

package let yogiAdaBeliefVariants: [KnownWrongVariant] = [
    KnownWrongVariant("yogi-adam-second-moment", "Yogi with Adam's second moment v ← β₂·v + (1 − β₂)·g² instead of v − (1 − β₂)·sign(v − g²)·g²", .changing(YogiFamily.self) { x in
        guard !x.adamSecondMoment else { return false }
        x.adamSecondMoment = true; return true
    }),
    KnownWrongVariant("yogi-zero-init", "Yogi's moments started at 0 (Adam's) instead of initial_accumulator_value 1e-6", .changing(YogiFamily.self) { x in
        guard x.initialAccumulator != 0 else { return false }
        x.initialAccumulator = 0; return true
    }),
    KnownWrongVariant("adabelief-adam-second-moment", "AdaBelief with Adam's g² in the second moment instead of the prediction error (g − m)²", .changing(AdaBeliefFamily.self) { x in
        guard !x.adamSecondMoment else { return false }
        x.adamSecondMoment = true; return true
    }),
    KnownWrongVariant("adabelief-eps-root-under-root", "AdaBelief's eps_root added under the root (Adam's eps_root) instead of into the state every step", .changing(AdaBeliefFamily.self) { x in
        guard x.epsRootInState, x.epsRoot != 0 else { return false }
        x.epsRootInState = false; return true
    }),
]
