// GaLoreVariants.swift — known-wrong variants of pytorch_optimizer.GaLore (GaLore.swift): the
// mistakes of a port, each caught by fixtures/pytorch_optimizer/GaLore.json.
import DescentCore

package let galoreVariants: [KnownWrongVariant] = [
    KnownWrongVariant("galore-projection-not-refreshed", "GaLore's projector computed from the first gradient only, never recomputed when group['step'] % update_proj_gap == 0", .changing(GaLoreFamily.self) { x in
        guard x.projector != nil, x.refreshAtGap else { return false }
        x.refreshAtGap = false; return true
    }),
    KnownWrongVariant("galore-scale-missing", "GaLore's back-projected update not multiplied by scale", .changing(GaLoreFamily.self) { x in
        guard let p = x.projector, p.scale != 1, x.applyScale else { return false }
        x.applyScale = false; return true
    }),
    KnownWrongVariant("galore-std-sides-swapped", "GaLore's std projection on the wrong side: U_kᵀ·G for a tall matrix and G·V_k for a wide one (the library projects a tall matrix on the right, keeping the smaller moments)", .changing(GaLoreFamily.self) { x in
        guard let p = x.projector, p.type == .std || p.type == .random, !x.swapSides else { return false }
        x.swapSides = true; return true
    }),
    KnownWrongVariant("galore-decay-before-step", "GaLore's weight decay w·(1 − lr·wd) applied before the step (torch AdamW's order) instead of after it", .changing(GaLoreFamily.self) { x in
        guard x.weightDecay != 0, !x.decayFirst else { return false }
        x.decayFirst = true; return true
    }),
]
