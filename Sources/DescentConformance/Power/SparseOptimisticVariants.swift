// SparseOptimisticVariants.swift — known-wrong variants of torch SparseAdam and of optax's
// optimistic gradient (optimistic_gradient_descent, optimistic_adam_v2, optimistic_adam).
// Appended to `KnownWrong.all`; the fixtures of reference/gen_sparse_adam.py and
// reference/gen_optimistic.py catch every one (SparseOptimisticTests asserts it).
import DescentCore
import DescentJSON

package let sparseOptimisticVariants: [KnownWrongVariant] = [
    KnownWrongVariant("sparse-adam-dense-update", "SparseAdam as Adam on the densified gradient: absent entries decay exp_avg and exp_avg_sq and move", .changing(SparseAdamFamily.self) { x in
        guard !x.denseUpdate else { return false }
        x.denseUpdate = true; return true
    }),
    KnownWrongVariant("sparse-adam-empty-step-not-counted", "SparseAdam's step not advanced by a sparse gradient with no entries (torch counts it)", .changing(SparseAdamFamily.self) { x in
        guard x.countEmptyGradients else { return false }
        x.countEmptyGradients = false; return true
    }),
    KnownWrongVariant("optimistic-zero-start", "the optimistic gradient's previous gradient started at 0 (optax before issue 1082: a first step of (alpha + beta)·g) instead of at the first gradient", .changing(OptimisticGradientFamily.self) { x in
        guard !x.zeroStart, x.beta != 0 else { return false }
        x.zeroStart = true; return true
    }),
    KnownWrongVariant("optimistic-keeps-combination", "the optimistic combination (alpha + beta)·a − beta·a_prev kept as the previous gradient instead of a", .changing(OptimisticGradientFamily.self) { x in
        guard !x.keepsCombination, x.beta != 0 else { return false }
        x.keepsCombination = true; return true
    }),
    KnownWrongVariant("optimistic-adam-without-nesterov", "optimistic_adam(_v2)'s Adam direction without nesterov (the default there is nesterov=True)", .changing(OptimisticGradientFamily.self) { x in
        guard x.adam, x.nesterov else { return false }
        x.nesterov = false; return true
    }),
    KnownWrongVariant("optimistic-adam-scaled-by-lr", "the deprecated optimistic_adam's update scaled by the learning rate again (its lr is already alpha)", .changing(OptimisticGradientFamily.self) { x in
        guard !x.scaleByLearningRate else { return false }
        x.scaleByLearningRate = true; return true
    }),
]

/// Known-wrong variants of optax.polyak_sgd, caught by reference/gen_polyak.py's closed-loop cases.
package let polyakVariants: [KnownWrongVariant] = [
    KnownWrongVariant("polyak-norm-of-raw-gradient", "polyak_sgd's step size over ‖g‖² of the raw gradient instead of the scaled update's ‖scaling·g‖²", .changing(PolyakSGDFamily.self) { x in
        guard !x.normOfGradient else { return false }
        x.normOfGradient = true; return true
    }),
    KnownWrongVariant("polyak-uncapped", "polyak_sgd's step size not capped at max_learning_rate", .changing(PolyakSGDFamily.self) { x in
        guard !x.uncapped else { return false }
        x.uncapped = true; return true
    }),
    KnownWrongVariant("polyak-sps-plus-as-sps", "polyak_sgd's variant 'sps+' run as 'sps' (a negative gap not clipped at 0)", .changing(PolyakSGDFamily.self) { x in
        guard x.plus else { return false }
        x.plus = false; return true
    }),
]
