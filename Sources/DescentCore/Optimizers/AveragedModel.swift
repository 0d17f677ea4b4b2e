// AveragedModel.swift — torch.optim.swa_utils.AveragedModel (torch 2.15.0,
// torch/optim/swa_utils.py) over a torch optimizer: the model is trained by the inner optimizer,
// and the parameters a case reports are the AVERAGED model's (`averaged.parameters()`), a deep
// copy of the model at construction (the initial parameters) until the first update.
//
// update_parameters(model) is called after optimizer step k (k = 1, 2, …) when k ≥ start and
// (k − start) mod every = 0 (the torch SWA tutorial's "if epoch > swa_start"). With n = n_averaged
// (a long tensor from 0, incremented after every call), w the averaged parameter and p the model's:
//
//   n = 0 (first call):                 w ← p                         (copy_, whatever the average)
//   n > 0:
//     default (avg_fn = multi_avg_fn = None; on CPU, not a foreach device, get_swa_avg_fn):
//                                       w ← w + (p − w)/(n + 1)
//     avg_fn = get_swa_avg_fn():        the same
//     multi_avg_fn = get_swa_multi_avg_fn():
//                                       w ← lerp(w, p, 1/(n + 1))     (_foreach_lerp_)
//     avg_fn = get_ema_avg_fn(decay):   w ← decay·w + (1 − decay)·p
//     multi_avg_fn = get_ema_multi_avg_fn(decay):
//                                       w ← lerp(w, p, 1 − decay)
//
// lerp(s, e, t) is ATen's: s + t·(e − s) when |t| < 0.5, else e − (e − s)·(1 − t). The weight
// 1/(n + 1) of get_swa_multi_avg_fn is `1 / (n_averaged + 1)` on a long tensor: true division in
// torch's DEFAULT dtype (float64 in the reference runner, float32 in a script that keeps torch's
// default), not the parameters' dtype.
import Foundation

public struct AveragedModelFamily: WrappingFamily {
    public var wrapped: any OptimizerFamily { inner }
    public func rewrapping(_ inner: any OptimizerFamily) -> any OptimizerFamily {
        var f = self
        f.inner = inner
        return f
    }

    public enum Average: Sendable, Equatable {
        /// avg_fn None (the default) or get_swa_avg_fn(): w + (p − w)/(n + 1).
        case swa
        /// get_swa_multi_avg_fn(): lerp(w, p, 1/(n + 1)).
        case swaLerp
        /// get_ema_avg_fn(decay): decay·w + (1 − decay)·p.
        case ema(decay: Double)
        /// get_ema_multi_avg_fn(decay): lerp(w, p, 1 − decay).
        case emaLerp(decay: Double)
    }

    public var inner: any OptimizerFamily
    public var average: Average
    /// The first optimizer step after which update_parameters is called (1: after every step).
    public var start: Int
    /// update_parameters every `every` steps from `start`.
    public var every: Int
    /// Known-wrong forms: the first update averages (the deep copy of the initial model counted
    /// as a model already averaged) instead of copying the model; SWA's weight 1/(n + 2) (n_averaged
    /// counted from 1); EMA's weight decay where torch's is 1 − decay; the model's own parameters
    /// reported instead of the average.
    public var firstUpdateAverages = false
    public var reportsModel = false
    public var countFromOne = false
    public var decaySwapped = false

    public init(inner: any OptimizerFamily, average: Average, start: Int = 1, every: Int = 1) {
        self.inner = inner
        self.average = average
        self.start = start
        self.every = every
    }

    public var familyName: String { inner.familyName }
    public var summary: String {
        let how: String
        switch average {
        case .swa: how = "SWA w + (p − w)/(n + 1)"
        case .swaLerp: how = "SWA lerp(w, p, 1/(n + 1))"
        case let .ema(d): how = "EMA \(d)·w + (1 − \(d))·p"
        case let .emaLerp(d): how = "EMA lerp(w, p, 1 − \(d))"
        }
        return "torch AveragedModel (\(how), first update copies; after step \(start)" + (every == 1 ? "" : " every \(every)") + "; the averaged parameters reported) → " + inner.summary
    }

    @_specialize(where T == Double) @_specialize(where T == Float)
    public func makeStepper<T: DescentFloat>(_: T.Type, shapes: [[Int]], engine: Engine) throws -> StepperBox<T> {
        StepperBox(AveragedModelStepper(try inner.makeStepper(T.self, shapes: shapes, engine: engine), self, shapes: shapes))
    }
}

final class AveragedModelStepper<T: DescentFloat>: Stepper {
    let inner: StepperBox<T>
    let config: AveragedModelFamily
    /// The model the inner optimizer trains (the case's parameters are the averaged model).
    let model: [Buffer<T>]
    var started = false
    var steps = 0
    var nAveraged = 0

    init(_ inner: StepperBox<T>, _ config: AveragedModelFamily, shapes: [[Int]]) {
        self.inner = inner
        self.config = config
        model = .zeros(like: shapes)
    }

    private func begin(_ params: [Buffer<T>]) {
        guard !started else { return }
        for (m, p) in zip(model, params) { m.copy(from: p) }
        started = true
    }

    private static func lerp(_ s: T, _ e: T, _ t: T) -> T {
        abs(t) < T(0.5) ? s + t * (e - s) : e - (e - s) * (1 - t)
    }

    /// update_parameters(model) into the averaged parameters `params`.
    private func update(_ params: [Buffer<T>]) {
        if nAveraged == 0 && !config.firstUpdateAverages {
            for (w, p) in zip(params, model) { w.copy(from: p) }
        } else {
            let n = T(nAveraged + (config.countFromOne ? 1 : 0))
            for (w, p) in zip(params, model) {
                switch config.average {
                case .swa:
                    for i in 0..<w.count { w[i] = w[i] + (p[i] - w[i]) / (n + 1) }
                case .swaLerp:
                    let t = 1 / (n + 1)
                    for i in 0..<w.count { w[i] = Self.lerp(w[i], p[i], t) }
                case let .ema(d):
                    let (a, b) = config.decaySwapped ? (T(1 - d), T(d)) : (T(d), T(1 - d))
                    for i in 0..<w.count { w[i] = a * w[i] + b * p[i] }
                case let .emaLerp(d):
                    let t = config.decaySwapped ? T(d) : T(1 - d)
                    for i in 0..<w.count { w[i] = Self.lerp(w[i], p[i], t) }
                }
            }
        }
        nAveraged += 1
    }

    private func after(_ params: [Buffer<T>]) {
        steps += 1
        if steps >= config.start && (steps - config.start) % config.every == 0 { update(params) }
        if config.reportsModel { for (w, p) in zip(params, model) { w.copy(from: p) } }
    }

    func step(params: [Buffer<T>], grads: [Buffer<T>], lr: Double) {
        begin(params)
        inner.step(model, grads, lr)
        after(params)
    }

    func step(params: [Buffer<T>], objective: Objective<T>, lr: Double) {
        begin(params)
        inner.stepObjective(model, objective, lr)
        after(params)
    }

    var needsObjective: Bool { inner.needsObjective }
    var state: [(name: String, buffers: [Buffer<T>])] { inner.state() + [("model", model)] }
}

extension AveragedModelStepper {
    func save() -> StepperState {
        var s = inner.save()
        s.buffers.append(("model", model.map(\.doubles)))
        s.scalars.append(("n_averaged", Double(nAveraged)))
        s.scalars.append(("averaged_model_steps", Double(steps)))
        return s
    }
    func load(_ saved: StepperState) throws {
        var rest = saved
        rest.buffers.removeAll { $0.name == "model" }
        rest.scalars.removeAll { ["n_averaged", "averaged_model_steps"].contains($0.name) }
        try inner.load(rest)
        try saved.restore(into: [("model", model)])
        nAveraged = try saved.count("n_averaged")
        steps = try saved.count("averaged_model_steps")
        started = true
    }
}
