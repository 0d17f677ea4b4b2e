// Torch+Matrix.swift — torch.optim.Muon (torch/optim/_muon.py, torch 2.15): keyword arguments,
// defaults and validation. Messages are torch's own ValueError texts, numbers printed as Python does.
import DescentJSON

let torchMatrixGroup: [OptimizerEntry] = [
    OptimizerEntry("Muon", "weight_decay decoupled × lr, momentum as an EMA, nesterov, NS (3.4445, −4.775, 2.0315)×ns_steps on U/max(‖U‖_F, eps); 2-D params only") { h in
        let lr = try h.double("lr", default: 1e-3)
        let wd = try h.double("weight_decay", default: 0.1)
        let momentum = try h.double("momentum", default: 0.95)
        let nesterov = try h.bool("nesterov", default: true)
        let coefficients = try h.doubles("ns_coefficients") ?? [3.4445, -4.7750, 2.0315]
        let eps = try h.double("eps", default: 1e-7)
        let steps = try h.int("ns_steps", default: 5)
        let adjust = try h.string("adjust_lr_fn", default: nil)
        // torch.optim.Muon takes no foreach / differentiable keyword (a TypeError in torch): they
        // stay unknown keywords, reported unsupported like any other.
        let values = h.values
        func shown(_ key: String) -> String { values[key].map(pyRepr) ?? "" }
        if !(0.0 <= lr) { throw h.invalid("lr", "Learning rate should be >= 0 but is: \(shown("lr"))") }
        if !(0.0 <= momentum) { throw h.invalid("momentum", "momentum should be >= 0 but is: \(shown("momentum"))") }
        if !(0.0 <= wd) { throw h.invalid("weight_decay", "weight decay should be >= 0 but is: \(shown("weight_decay"))") }
        let scale: MuonFamily.ShapeScale
        switch adjust {
        case nil, "original": scale = .torchOriginal
        case "match_rms_adamw": scale = .torchMatchRMSAdamW
        case "spectral_unclamped": scale = .torchSpectralUnclamped
        case let other?: throw h.invalid("adjust_lr_fn", "Adjust learning rate function \(other) is not supported")
        }
        // Raised by the first step() in torch (_zeropower_via_newtonschulz); Descent raises them up front.
        if steps >= 100 { throw h.invalid("ns_steps", "Number of steps must be less than 100 for computational efficiency") }
        if coefficients.count != 3 { throw h.invalid("ns_coefficients", "Coefficients must be a tuple of exactly 3 values") }
        var f = MuonFamily(form: .torch)
        f.momentum = momentum
        f.nesterov = nesterov
        f.coefficients = Array(repeating: (coefficients[0], coefficients[1], coefficients[2]), count: max(0, steps))
        f.normalization = .frobeniusClamped(eps)
        f.weightDecay = wd
        f.shapeScale = scale
        return OptimizerSpec(family: f, lr: lr)
    },
]
