// BitsandbytesVariants.swift — the mistakes of a port of bitsandbytes's 32-bit optimizers (0.50.2)
// to or from another library: its Adam's decoupled decay read as torch Adam's L2, the `amsgrad`
// that its 32-bit classes accept and never read honoured, AdEMAMix run with pytorch_optimizer's
// defaults (no decay, coupled), AdEMAMix's two warmup spans taken as one, and SGD's dampening and
// nesterov or RMSprop's momentum honoured where the CPU kernels validate them and never read them. Each is caught by
// fixtures/bitsandbytes (PowerTests). Appended to `KnownWrong.all`.
import DescentCore
import DescentJSON

/// The keywords only bitsandbytes has (storage and paging), left out when a call is ported.
private let bnbOnlyKeys: Set<String> = ["optim_bits", "min_8bit_size", "is_paged", "args"]

/// Whether a bitsandbytes call is an AdamW class (true), an Adam class (false) — with their
/// 32bit and Paged aliases — or neither (nil).
private func bnbAdamClass(_ convention: String, _ name: String) -> Bool? {
    guard convention == "bitsandbytes" else { return nil }
    var base = name.hasPrefix("Paged") ? String(name.dropFirst(5)) : name
    if base.hasSuffix("32bit") { base = String(base.dropLast(5)) }
    switch base {
    case "Adam": return false
    case "AdamW": return true
    default: return nil
    }
}

private func value(_ args: [(String, JSON)], _ key: String) -> JSON? { args.first { $0.0 == key }?.1 }

package let bitsandbytesVariants: [KnownWrongVariant] = [
    KnownWrongVariant("bnb-adam-decay-as-l2", "bitsandbytes Adam's weight_decay read as torch Adam's L2 (λ·w added to the gradient) where its \"adam\" kernel decays decoupled, w·(1 − lr·λ)",
                      .call { convention, name, args in
        guard bnbAdamClass(convention, name) == false, nonzero(value(args, "weight_decay") ?? JSON(0)) else { return false }
        args = args.filter { !bnbOnlyKeys.contains($0.0) && $0.0 != "amsgrad" }
        (convention, name) = ("torch", "Adam")
        return true
    }),
    KnownWrongVariant("bnb-amsgrad-honoured", "amsgrad=True honoured (a running max of v) where bitsandbytes's 32-bit Adam and AdamW accept it and never read it",
                      .call { convention, name, args in
        guard let adamW = bnbAdamClass(convention, name), value(args, "amsgrad").map(isTrue) == true else { return false }
        let wd = value(args, "weight_decay") ?? JSON(adamW ? 1e-2 : 0)
        args = args.filter { !bnbOnlyKeys.contains($0.0) && $0.0 != "weight_decay" } + [("weight_decay", wd)]
        (convention, name) = ("torch", "AdamW")   // torch AdamW's decay is bitsandbytes's
        return true
    }),
    KnownWrongVariant("bnb-ademamix-pytorch-optimizer-defaults", "bitsandbytes AdEMAMix ported as pytorch_optimizer.AdEMAMix with the keywords given: its default weight_decay 0 (bitsandbytes: 1e-2), and a decay given added to the gradient (coupled) instead of w·(1 − lr·λ)",
                      .call { convention, name, args in
        guard convention == "bitsandbytes", ["AdEMAMix", "PagedAdEMAMix"].contains(name) else { return false }
        let tA = value(args, "t_alpha"), tB = value(args, "t_beta3")
        guard (tA ?? .null).isNull && (tB ?? .null).isNull,
              nonzero(value(args, "weight_decay") ?? JSON(1e-2)) else { return false }
        args = args.filter { !bnbOnlyKeys.contains($0.0) && !["t_alpha", "t_beta3"].contains($0.0) }
        (convention, name) = ("pytorch_optimizer", "AdEMAMix")
        return true
    }),
    KnownWrongVariant("bnb-ademamix-one-warmup-span", "bitsandbytes AdEMAMix's beta3 warmed up over t_alpha (one span for both, as pytorch_optimizer's t_alpha_beta3) instead of its own t_beta3",
                      .arguments { convention, name, args in
        guard convention == "bitsandbytes", name.hasSuffix("AdEMAMix"),
              let a = value(args, "t_alpha")?.doubleValue, a != 0,
              let b = value(args, "t_beta3")?.doubleValue, b != 0, a != b else { return false }
        return setArgument(&args, "t_beta3", to: JSON(a), when: { _ in true })
    }),
    KnownWrongVariant("bnb-sgd-dampening-honoured", "bitsandbytes SGD's dampening honoured (torch's buf ← momentum·buf + (1 − dampening)·g) where its CPU momentum kernel never reads it",
                      .call { convention, name, args in
        guard convention == "bitsandbytes", ["SGD", "SGD32bit"].contains(name), nonzero(value(args, "dampening") ?? JSON(0)) else { return false }
        args = args.filter { !bnbOnlyKeys.contains($0.0) && $0.0 != "nesterov" }
        (convention, name) = ("torch", "SGD")
        return true
    }),
    KnownWrongVariant("bnb-sgd-nesterov-honoured", "bitsandbytes SGD's nesterov=True honoured (w ← w − lr·(g + momentum·buf)) where its CPU momentum kernel never reads it",
                      .call { convention, name, args in
        guard convention == "bitsandbytes", ["SGD", "SGD32bit"].contains(name), value(args, "nesterov").map(isTrue) == true else { return false }
        args = args.filter { !bnbOnlyKeys.contains($0.0) && $0.0 != "dampening" }
        (convention, name) = ("torch", "SGD")
        return true
    }),
    KnownWrongVariant("bnb-rmsprop-momentum-honoured", "bitsandbytes RMSprop's momentum honoured (torch's buffer of g/(√v + ε)) where its CPU rmsprop kernel validates it and never reads it",
                      .call { convention, name, args in
        guard convention == "bitsandbytes", ["RMSprop", "RMSprop32bit"].contains(name), nonzero(value(args, "momentum") ?? JSON(0)) else { return false }
        args = args.filter { !bnbOnlyKeys.contains($0.0) }
        (convention, name) = ("torch", "RMSprop")
        return true
    }),
]
