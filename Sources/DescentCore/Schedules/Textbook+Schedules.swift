// Textbook+Schedules.swift — the textbook convention's learning-rate schedules (the spec's table),
// with its parameter names. The math is in TextbookSchedules.swift.
import DescentJSON

let textbookSchedules: [ScheduleEntry] = [
    textbookEntry("step_decay", "lr·gamma^⌊t/step_size⌋"),
    textbookEntry("cosine_annealing", "eta_min + ½(eta_max − eta_min)(1 + cos(π·min(t, t_max)/t_max)) (eta_min 0)"),
    textbookEntry("one_cycle", "linear warmup from 0, cosine to min_lr at total_steps (min_lr 0)"),
    textbookEntry("reduce_on_plateau", "lr·factor after patience non-improving metrics (min_lr 0)"),
    textbookEntry("segments", "linear / cosine / constant pieces, e.g. DeepSeek-V3's warmup–stable–decay"),
]

private func textbookEntry(_ name: String, _ note: String) -> ScheduleEntry {
    ScheduleEntry(name, note) { h, context in
        TextbookScheduleCase(schedule: try textbookSchedule(name, &h), metrics: context.metrics, summary: "textbook \(name)")
    }
}

func textbookSchedule(_ name: String, _ h: inout Hyperparameters) throws -> TextbookSchedule {
    func need(_ k: String) throws -> Double {
        guard let d = try h.optionalDouble(k) else {
            throw DescentError.invalidInput(field: "\(h.field).\(k)", message: "\(h.callee) needs \(k)")
        }
        return d
    }
    func needInt(_ k: String) throws -> Int {
        guard let i = try h.optionalInt(k) else {
            throw DescentError.invalidInput(field: "\(h.field).\(k)", message: "\(h.callee) needs an integer \(k)")
        }
        return i
    }
    switch name {
    case "step_decay":
        let lr = try need("lr"), gamma = try need("gamma"), s = try needInt("step_size")
        if s <= 0 { throw h.invalid("step_size", "step_size must be a positive integer, got \(s)") }
        return .stepDecay(lr: lr, gamma: gamma, stepSize: s)
    case "cosine_annealing":
        let emax = try need("eta_max"), emin = try h.double("eta_min", default: 0), t = try needInt("t_max")
        if t <= 0 { throw h.invalid("t_max", "t_max must be a positive integer, got \(t)") }
        return .cosineAnnealing(etaMax: emax, etaMin: emin, tMax: t)
    case "one_cycle":
        let mx = try need("max_lr"), mn = try h.double("min_lr", default: 0)
        let w = try needInt("warmup_steps"), total = try needInt("total_steps")
        if w < 0 { throw h.invalid("warmup_steps", "warmup_steps must be >= 0, got \(w)") }
        if total <= w { throw h.invalid("total_steps", "total_steps must exceed warmup_steps, got \(total) <= \(w)") }
        return .oneCycle(maxLR: mx, minLR: mn, warmup: w, total: total)
    case "reduce_on_plateau":
        let lr = try need("lr"), f = try need("factor"), p = try needInt("patience"), mn = try h.double("min_lr", default: 0)
        return .reduceOnPlateau(lr: lr, factor: f, patience: p, minLR: mn)
    case "segments":
        guard let list = h.raw("segments")?.arrayValue, !list.isEmpty else {
            throw DescentError.invalidInput(field: "\(h.field).segments", message: "\(h.callee) needs a non-empty list of segments")
        }
        let segs = try list.enumerated().map { i, s -> TextbookSegment in
            var sh = try Hyperparameters(s, callee: h.callee, field: "\(h.field).segments[\(i)]")
            let shapeName = try sh.string("shape", default: nil) ?? ""
            guard let shape = TextbookSegment.Shape(rawValue: shapeName) else {
                throw sh.invalid("shape", "shape must be linear, cosine or constant, got '\(shapeName)'")
            }
            let steps = try sh.int("steps", default: -1)
            if steps < 0 { throw sh.invalid("steps", "steps must be a non-negative integer") }
            guard let from = try sh.optionalDouble("from") else {
                throw DescentError.invalidInput(field: "\(sh.field).from", message: "\(h.callee): a segment needs `from`")
            }
            let to = try sh.optionalDouble("to")
            if shape != .constant && to == nil {
                throw DescentError.invalidInput(field: "\(sh.field).to", message: "\(h.callee): a \(shapeName) segment needs `to`")
            }
            try sh.finish()
            return TextbookSegment(shape: shape, steps: steps, from: from, to: to ?? from)
        }
        return .segments(segs)
    default:
        throw DescentError.unsupported("textbook schedule '\(name)' is not implemented in Descent")
    }
}
