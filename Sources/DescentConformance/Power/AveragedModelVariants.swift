// AveragedModelVariants.swift — known-wrong variants of torch.optim.swa_utils.AveragedModel
// (AveragedModelFamily): the mistakes of a hand-written SWA / EMA of the weights. Appended to
// `KnownWrong.all`; each is caught by fixtures/torch/AveragedModel.json.
import DescentCore
import DescentJSON

private func averaged(_ change: @escaping @Sendable (inout AveragedModelFamily) -> Bool) -> KnownWrongVariant.Mistake {
    .changing(AveragedModelFamily.self, change)
}

private func isEMA(_ a: AveragedModelFamily.Average) -> Bool {
    switch a {
    case .ema, .emaLerp: return true
    case .swa, .swaLerp: return false
    }
}

package let averagedModelVariants: [KnownWrongVariant] = [
    KnownWrongVariant("averaged-model-ema-first-update-averages", "AveragedModel's EMA whose first update_parameters blends the model into the initial copy instead of copying it (n_averaged = 0 not special)", averaged { f in
        guard isEMA(f.average), !f.firstUpdateAverages else { return false }
        f.firstUpdateAverages = true; return true
    }),
    KnownWrongVariant("averaged-model-swa-count-off-by-one", "AveragedModel's SWA mean with n_averaged counted from 1: w + (p − w)/(n + 2), the first copy counted twice", averaged { f in
        guard !isEMA(f.average), !f.countFromOne else { return false }
        f.countFromOne = true; return true
    }),
    KnownWrongVariant("averaged-model-ema-decay-swapped", "AveragedModel's EMA with decay applied as 1 − decay: (1 − decay)·w + decay·p", averaged { f in
        guard isEMA(f.average), !f.decaySwapped else { return false }
        f.decaySwapped = true; return true
    }),
    KnownWrongVariant("averaged-model-reports-model", "AveragedModel's averaged parameters never read: the trained model's own parameters reported (evaluated) instead", averaged { f in
        guard !f.reportsModel else { return false }
        f.reportsModel = true; return true
    }),
    KnownWrongVariant("averaged-model-start-ignored", "update_parameters called after every step from the first, ignoring the loop's swa_start (update_start)", ignoring("update_start", setTo: JSON(1), when: { ($0.doubleValue ?? 1) != 1 }, in: ["torch"], names: ["AveragedModel"])),
    KnownWrongVariant("averaged-model-every-ignored", "update_parameters called after every step, ignoring the loop's frequency (update_every)", ignoring("update_every", setTo: JSON(1), when: { ($0.doubleValue ?? 1) != 1 }, in: ["torch"], names: ["AveragedModel"])),
]
