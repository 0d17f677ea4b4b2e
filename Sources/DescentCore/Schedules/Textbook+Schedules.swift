// Textbook+Schedules.swift — the textbook convention's learning-rate schedules (the spec's table),
// with its parameter names. The math is in TextbookSchedules.swift.
import DescentJSON

/// One textbook schedule: its name, its note for `descent list`, and how its parameters are read.
struct TextbookScheduleReader: Sendable {
    let name: String
    let note: String
    let read: @Sendable (_ h: inout Hyperparameters, _ name: String, _ fn: String) throws -> TextbookSchedule
    init(_ name: String, _ note: String,
         _ read: @escaping @Sendable (_ h: inout Hyperparameters, _ name: String, _ fn: String) throws -> TextbookSchedule) {
        self.name = name
        self.note = note
        self.read = read
    }
}

/// The schedules Descent computes, in `descent list` order.
let textbookScheduleReaders: [TextbookScheduleReader] = [
    TextbookScheduleReader("step_decay", "lr·gamma^⌊t/step_size⌋") { h, name, fn in
        let lr = try h.need("lr"), gamma = try h.need("gamma"), s = try h.needInt("step_size")
        if s <= 0 { throw h.invalid("step_size", "step_size must be a positive integer, got \(s)") }
        return .stepDecay(lr: lr, gamma: gamma, stepSize: s)
    },
    TextbookScheduleReader("cosine_annealing", "eta_min + ½(eta_max − eta_min)(1 + cos(π·min(t, t_max)/t_max))") { h, name, fn in
        let emax = try h.need("eta_max"), emin = try h.double("eta_min", default: 0), t = try h.needInt("t_max")
        if t <= 0 { throw h.invalid("t_max", "t_max must be a positive integer, got \(t)") }
        return .cosineAnnealing(etaMax: emax, etaMin: emin, tMax: t)
    },
    TextbookScheduleReader("one_cycle", "linear warmup from 0, cosine to min_lr at total_steps") { h, name, fn in
        let mx = try h.need("max_lr"), mn = try h.double("min_lr", default: 0)
        let w = try h.needInt("warmup_steps"), total = try h.needInt("total_steps")
        if w < 0 { throw h.invalid("warmup_steps", "warmup_steps must be >= 0, got \(w)") }
        if total <= w { throw h.invalid("total_steps", "total_steps must exceed warmup_steps, got \(total) <= \(w)") }
        return .oneCycle(maxLR: mx, minLR: mn, warmup: w, total: total)
    },
    TextbookScheduleReader("reduce_on_plateau", "lr·factor after patience non-improving metrics") { h, name, fn in
        let lr = try h.need("lr"), f = try h.need("factor"), p = try h.needInt("patience"), mn = try h.double("min_lr", default: 0)
        return .reduceOnPlateau(lr: lr, factor: f, patience: p, minLR: mn)
    },
    TextbookScheduleReader("segments", "linear / cosine / constant pieces, e.g. DeepSeek-V3's warmup–stable–decay") { h, name, fn in
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
    },
]

let textbookSchedules: [ScheduleEntry] = textbookScheduleReaders.map { textbookEntry($0.name, $0.note) }

private func textbookEntry(_ name: String, _ note: String) -> ScheduleEntry {
    ScheduleEntry(name, note) { h, context in
        TextbookScheduleCase(schedule: try textbookSchedule(name, &h), metrics: context.metrics, summary: "textbook \(name)")
    }
}

func textbookSchedule(_ name: String, _ h: inout Hyperparameters) throws -> TextbookSchedule {
    guard let s = textbookScheduleReaders.first(where: { $0.name == name }) else {
        throw DescentError.unsupported("textbook schedule '\(name)' is not implemented in Descent")
    }
    return try s.read(&h, name, name)
}

extension Hyperparameters {
    /// A number the textbook schedule needs.
    fileprivate mutating func need(_ k: String) throws -> Double {
        guard let d = try optionalDouble(k) else {
            throw DescentError.invalidInput(field: "\(field).\(k)", message: "\(callee) needs \(k)")
        }
        return d
    }

    /// An integer the textbook schedule needs.
    fileprivate mutating func needInt(_ k: String) throws -> Int {
        guard let i = try optionalInt(k) else {
            throw DescentError.invalidInput(field: "\(field).\(k)", message: "\(callee) needs an integer \(k)")
        }
        return i
    }
}
