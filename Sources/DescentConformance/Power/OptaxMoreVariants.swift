// OptaxMoreVariants.swift — known-wrong variants of Adan, NovoGrad, Fromage and SM3 (optax).
// Appended to `KnownWrong.all`; the fixtures of reference/gen_optax_more.py catch every one
// (OptaxMoreTests asserts it).
import DescentCore
import DescentJSON

package let optaxMoreVariants: [KnownWrongVariant] = [
    KnownWrongVariant("adan-no-gradient-difference", "Adan without the gradient-difference term: v and the (1 − b2)·(g − g_prev) in n left out (d = 0 at every step)", .changing(AdanFamily.self) { x in
        guard x.gradientDifference else { return false }
        x.gradientDifference = false; return true
    }),
    KnownWrongVariant("adan-first-difference-against-zero", "Adan's first gradient difference taken against a previous gradient of 0 (d = g) instead of skipped (d = 0)", .changing(AdanFamily.self) { x in
        guard x.gradientDifference, x.firstDifferenceZero else { return false }
        x.firstDifferenceZero = false; return true
    }),
    KnownWrongVariant("novograd-elementwise-second-moment", "NovoGrad with an element-wise second moment (g², Adam's) instead of the per-tensor ‖g‖²", .changing(NovoGradFamily.self) { x in
        guard !x.elementwiseSecondMoment else { return false }
        x.elementwiseSecondMoment = true; return true
    }),
    KnownWrongVariant("novograd-nu-ema-from-zero", "NovoGrad's nu started as an EMA from 0 ((1 − b2)·‖g‖² at the first step) instead of ‖g‖²", .changing(NovoGradFamily.self) { x in
        guard x.firstStepSetsNu, x.beta2 != 0 else { return false }
        x.firstStepSetsNu = false; return true
    }),
    KnownWrongVariant("fromage-no-shrink", "Fromage without the 1/√(1 + lr²) factor (plain −lr·ratio·g, the weights not shrunk)", .changing(FromageFamily.self) { x in
        guard x.shrink else { return false }
        x.shrink = false; return true
    }),
    KnownWrongVariant("fromage-min-norm-ignored", "Fromage's min_norm ignored: the ratio from the raw norms (1 where one is 0)", .changing(FromageFamily.self) { x in
        guard x.minNorm != 0 else { return false }
        x.minNorm = 0; return true
    }),
    KnownWrongVariant("sm3-elementwise-accumulator", "SM3 with one accumulator per element for every tensor (Adagrad's) instead of one per dimension, which optax keeps only for 1-D tensors", .changing(SM3Family.self) { x in
        guard !x.perElementAccumulators else { return false }
        x.perElementAccumulators = true; return true
    }),
]
