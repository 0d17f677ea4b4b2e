// ASGDVariants.swift — known-wrong variants of torch.optim.ASGD. Appended to `KnownWrong.all`; the
// fixtures of reference/gen_asgd.py catch every one (ASGDTests asserts it). The average ax never
// feeds the parameters, so its mistakes are caught by the `state` cases only.
import DescentCore
import DescentJSON

private func asgd(_ change: @escaping @Sendable (inout ASGDFamily) -> Bool) -> KnownWrongVariant.Mistake {
    .changing(ASGDFamily.self, change)
}

package let asgdVariants: [KnownWrongVariant] = [
    KnownWrongVariant("asgd-eta-constant", "ASGD's eta kept at the initial lr instead of lr/(1 + lambd·lr·t)^alpha", asgd { x in
        guard !x.constantEta, x.lambd != 0 else { return false }
        x.constantEta = true; return true
    }),
    KnownWrongVariant("asgd-no-decay-term", "ASGD without the decay term w·(1 − lambd·eta): lambd only slows eta", asgd { x in
        guard x.decayTerm, x.lambd != 0 else { return false }
        x.decayTerm = false; return true
    }),
    KnownWrongVariant("asgd-average-from-start", "ASGD's average started at once (t0 ignored as 0): ax averages from the third step instead of after t0", asgd { x in
        guard x.t0 != 0 else { return false }
        x.t0 = 0; return true
    }),
]
