// FieldVariants.swift — the known-wrong variants of the loop around an optimizer (FieldRun.swift):
// each makes one mistake that real training code makes with param groups, missing gradients,
// checkpoints, accumulation, skipped steps or a schedule inside the optimizer. A variant declines
// (unsupported) the cases that do not use what it gets wrong.
import DescentCore
import DescentJSON

extension FieldMistake {
    /// Whether a case uses what this mistake gets wrong.
    package func applies(to c: OptimizerCase) -> Bool {
        guard let f = c.field else { return false }
        let hp = c.hyperparameters?.objectValue ?? []
        let missing = c.steps.contains { $0.field?.missing.contains(true) ?? false }
        switch self {
        case .decayOnNoDecayGroup:
            return f.paramGroups?.contains { $0.hyperparameters?["weight_decay"] != nil } ?? false
                || hp.contains { $0.0 == "exclude_from_weight_decay" }
        case .oneLRForAllGroups:
            return (f.paramGroups?.count ?? 0) > 1
                && ((f.paramGroups?.contains { $0.hyperparameters?["lr"] != nil || $0.hyperparameters?["learning_rate"] != nil } ?? false)
                    || c.steps.contains { $0.field?.groupLRs != nil })
        case .missingGradAsZero:
            return missing
        case .globalStepForLateParameter:
            return missing && FieldStyle(c.convention) == .torch
        case .counterResetOnLoad, .scalarsCastToFloat32OnLoad, .stateNotRestored:
            return f.resumeAfter != nil
        case .accumulationMeanSumSwapped:
            return f.accumulation != nil || hp.contains { $0.0 == "gradient_accumulation_steps" && ($0.1.intValue ?? 1) > 1 }
        case .skippedStepAdvancesCount:
            return f.nonFinite != nil
        case .scheduleCountEarly, .scheduleCountLate:
            return f.schedule != nil
        case .sharedStatePerGroup:
            let sharing = ["prodigyopt", "dadaptation"].contains(c.convention) || (c.convention == "pytorch_optimizer" && c.name == "Prodigy")
            return sharing && ((f.paramGroups?.count ?? 0) > 1 || missing)
        }
    }
}

extension KnownWrong {
    /// The field variants, one per mistake.
    public static let fieldVariants: [KnownWrongVariant] = [
        KnownWrongVariant("decay-on-no-decay-group", "weight decay applied to the group that sets weight_decay=0 (or to Keras's excluded variables)",
                          .field(.decayOnNoDecayGroup)),
        KnownWrongVariant("one-lr-for-all-groups", "every param group steps with the first group's lr", .field(.oneLRForAllGroups)),
        KnownWrongVariant("missing-grad-as-zero", "a None gradient stepped as a zero gradient (state and count advance)", .field(.missingGradAsZero)),
        KnownWrongVariant("global-step-for-late-parameter", "a parameter whose first gradient comes late takes the global step count (torch keeps one per parameter)",
                          .field(.globalStepForLateParameter)),
        KnownWrongVariant("step-counter-reset-on-load", "the step counters restart at 0 after loading a checkpoint", .field(.counterResetOnLoad)),
        KnownWrongVariant("scalar-state-cast-to-float32-on-load", "the saved scalars (counters, mu_product, weight_sum, …) cast to float32 on load",
                          .field(.scalarsCastToFloat32OnLoad)),
        KnownWrongVariant("state-not-restored", "the checkpoint's optimizer state not loaded: fresh moments after the resume", .field(.stateNotRestored)),
        KnownWrongVariant("accumulation-mean-sum-swapped", "accumulated gradients averaged where the library sums them (torch), or summed where it averages (MultiSteps, Keras)",
                          .field(.accumulationMeanSumSwapped)),
        KnownWrongVariant("skipped-step-advances-count", "a step skipped for non-finite gradients still advances the optimizer's count", .field(.skippedStepAdvancesCount)),
        KnownWrongVariant("schedule-count-early", "the schedule inside the optimizer evaluated one count early", .field(.scheduleCountEarly)),
        KnownWrongVariant("schedule-count-late", "the schedule inside the optimizer evaluated one count late", .field(.scheduleCountLate)),
        KnownWrongVariant("shared-estimate-per-group", "an optimizer that keeps ONE state over all its param groups (Prodigy's and D-Adaptation's d, summed over every group's tensors that have a gradient) run as one optimizer per group, or per tensor where gradients are None",
                          .field(.sharedStatePerGroup)),
    ]
}
