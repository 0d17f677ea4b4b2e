// Torch+AveragedModel.swift — torch.optim.swa_utils.AveragedModel (torch 2.15.0,
// torch/optim/swa_utils.py) over a torch.optim optimizer (AveragedModelFamily). A case names the
// optimizer that trains the model (`optimizer`: {name, hyperparameters}, read by the torch
// convention's own entry), the averaging function (`avg_fn` / `multi_avg_fn`: {name, parameters}
// of a swa_utils getter, or null) and when update_parameters is called (`update_start`,
// `update_every`: not AveragedModel's arguments but the training loop's; fixtures/FORMAT.md).
// Checked in the order of a script that builds the optimizer, then the averaging function (the
// getter validates decay), then AveragedModel (its assertion that at most one function is given).
import DescentJSON

private let swaUtils = "torch.optim.swa_utils"

/// A swa_utils getter ({name, parameters}) as an average, validating decay as the getter does.
private func averageFunction(_ v: JSON, key: String, multi: Bool, field: String) throws -> AveragedModelFamily.Average {
    guard let name = v["name"]?.stringValue else {
        throw DescentError.invalidInput(field: "\(field).\(key)", message: "\(swaUtils).AveragedModel: \(key) must be null or {\"name\": a swa_utils getter, \"parameters\": {…}}")
    }
    let getters = multi ? ["get_swa_multi_avg_fn", "get_ema_multi_avg_fn"] : ["get_swa_avg_fn", "get_ema_avg_fn"]
    guard getters.contains(name) else {
        throw DescentError.unsupported("\(swaUtils).AveragedModel: \(key) \(name) (Descent runs \(getters.joined(separator: " and ")) as \(key))")
    }
    var p = try Hyperparameters(v["parameters"], callee: "\(swaUtils).\(name)", field: "\(field).\(key).parameters")
    let average: AveragedModelFamily.Average
    if name.hasPrefix("get_ema") {
        let decay = try p.double("decay", default: 0.999)
        if decay < 0.0 || decay > 1.0 {
            throw p.invalid("decay", "Invalid decay value \(p.pythonRepr("decay", fallback: 0.999)) provided. Please provide a value in [0,1] range.")
        }
        average = multi ? .emaLerp(decay: decay) : .ema(decay: decay)
    } else {
        average = multi ? .swaLerp : .swa
    }
    try p.finish()
    return average
}

let torchAveragedModelGroup: [OptimizerEntry] = [
    OptimizerEntry("AveragedModel", "torch.optim.swa_utils.AveragedModel over `optimizer` (a torch.optim name and its hyperparameters): the reported parameters are the averaged model's, the initial ones until the first update_parameters (which copies the model), then the equal average (SWA; get_swa_multi_avg_fn by lerp) or avg_fn / multi_avg_fn's EMA; update_parameters after every step from update_start, every update_every steps") { h in
        let inner = h.raw("optimizer")
        let avgFn = h.raw("avg_fn")
        let multiAvgFn = h.raw("multi_avg_fn")
        try h.ignore("use_buffers", "device")   // a case's model has no buffers; the device is the CPU
        let start = try h.int("update_start", default: 1)
        let every = try h.int("update_every", default: 1)
        guard let inner else {
            throw DescentError.invalidInput(field: "\(h.field).optimizer", message: "\(swaUtils).AveragedModel needs optimizer: {\"name\": a torch.optim optimizer, \"hyperparameters\": {…}}, the optimizer that trains the model")
        }
        guard let name = inner["name"]?.stringValue, name != "AveragedModel" else {
            throw DescentError.invalidInput(field: "\(h.field).optimizer.name", message: "\(swaUtils).AveragedModel: optimizer.name must name a torch.optim optimizer")
        }
        if start < 1 { throw DescentError.invalidInput(field: "\(h.field).update_start", message: "must be at least 1 (the first optimizer step after which update_parameters is called)") }
        if every < 1 { throw DescentError.invalidInput(field: "\(h.field).update_every", message: "must be at least 1") }
        let spec = try Conventions.torch.optimizer(name, inner["hyperparameters"])
        let single = try avgFn.map { try averageFunction($0, key: "avg_fn", multi: false, field: h.field) }
        let multi = try multiAvgFn.map { try averageFunction($0, key: "multi_avg_fn", multi: true, field: h.field) }
        if single != nil && multi != nil {
            throw h.invalid("multi_avg_fn", "Only one of avg_fn and multi_avg_fn should be provided")
        }
        var s = spec
        s.family = AveragedModelFamily(inner: spec.family, average: multi ?? single ?? .swa, start: start, every: every)
        return s
    },
]
