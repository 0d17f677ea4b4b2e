// Optax+Polyak.swift — optax.polyak_sgd (optax 0.2.8, optax/_src/alias.py: sgd(learning_rate=scaling)
// then scale_by_polyak), on PolyakSGD.swift. It takes no learning_rate: `scaling` plays its part
// (the spec's lr), so its cases give no per-step lr. optax checks `variant` only when the first
// update runs (ValueError); Descent refuses it when the case is read, in the same words.
import DescentJSON

let optaxPolyakGroup: [OptimizerEntry] = [
    OptimizerEntry("polyak_sgd", "u = −scaling·g, then × min((f(w) − f_min) / (‖u‖² + eps), max_learning_rate), 0 where ‖u‖² + eps ≤ float64's eps; variant 'sps+' clips the gap at 0; needs the objective's value: closed-loop problem cases only") { h in
        var f = PolyakSGDFamily()
        f.maxLearningRate = try h.double("max_learning_rate", default: 1.0)
        let scaling = try h.double("scaling", default: 1.0)
        f.fMin = try h.double("f_min", default: 0.0)
        f.eps = try h.double("eps", default: 0.0)
        let variant = try h.string("variant", default: "sps") ?? "sps"
        switch variant {
        case "sps": f.plus = false
        case "sps+": f.plus = true
        default: throw h.invalid("variant", "Invalid argument value for Polyak SGD: variant='\(variant)'")
        }
        return OptimizerSpec(family: f, lr: scaling)
    },
]

/// optax.noisy_sgd (alias.py: add_noise(eta, gamma, key), then scale_by_learning_rate): every step
/// adds N(0, eta/(1 + t)^gamma) noise drawn with jax.random from the key, split once per step and
/// once per tensor. A case holds gradients, not those draws, and Descent does not implement JAX's
/// threefry generator, so its cases are `unsupported` with that reason (the arguments are read
/// first, so a missing learning_rate is still the library's TypeError).
let optaxNoisySGDGroup: [OptimizerEntry] = [
    OptimizerEntry("noisy_sgd", "w ← w − lr·(g + N(0, eta/(1 + t)^gamma)) with the noise drawn by jax.random from key: unsupported (a case cannot replay the draws)") { h in
        _ = try optaxLearningRate(&h, "noisy_sgd", required: true)
        _ = try h.double("eta", default: 0.01)
        _ = try h.double("gamma", default: 0.55)
        _ = try h.optionalInt("key")
        _ = try h.optionalInt("seed")
        throw DescentError.unsupported("optax.noisy_sgd adds Gaussian noise drawn by jax.random (threefry2x32) from its key, split every step and per tensor: a case carries the gradients, not those draws, and Descent does not reimplement JAX's random generator, so it cannot reproduce optax's trajectory")
    },
]
