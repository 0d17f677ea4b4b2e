// LionLambTests.swift — Lion, LAMB and LARS (optax lion/lamb/lars, lion_pytorch Lion,
// pytorch_optimizer Lion/Lamb/LARS) against the golden fixtures of reference/gen_lion_lamb.py:
// every case passes through Conventions → makeStepper in float64 and float32 (the verifier's own
// comparison and float32 policy), every knob's mistake makes its fixture fail, and the libraries'
// validation messages are reproduced.
import Foundation
import Testing
import DescentTestSupport
@testable import DescentCore
@testable import DescentConformance
@testable import DescentLab
@testable import DescentCLI
import DescentJSON

private let fixturesRoot = fixturesURL

private let lionLambFixtureFiles = [
    "optax/lion.json", "optax/lamb.json", "optax/lars.json", "lion_pytorch/Lion.json",
    "pytorch_optimizer/Lion.json", "pytorch_optimizer/Lamb.json", "pytorch_optimizer/LARS.json",
    "optax/problems/lion_lamb.json", "lion_pytorch/problems/lion_lamb.json", "pytorch_optimizer/problems/lion_lamb.json",
    "optax/sign_sgd.json", "optax/signum.json", "optax/problems/sign.json", "pytorch_optimizer/Tiger.json",
]

private func load(_ file: String) throws -> FixtureFile {
    try FixtureLoader.load(path: fixturesRoot.appendingPathComponent(file).path)
}

@Test(arguments: lionLambFixtureFiles)
func lionLambFixturesPass(_ file: String) throws {
    let results = Verifier(implementations: [EngineImplementation(.naive, summary: "")], dtypes: [.float64, .float32])
        .run(try load(file))
    #expect(results.count >= 6)
    for r in results {
        #expect(r.status == .pass, "\(r.id) [\(r.dtype)]: \(r.status) \(r.message)")
    }
}

// MARK: - The fixtures discriminate: flipping a knob must fail its case

/// The naive engine with the convention's family replaced by a mistaken one.
private struct Mistaken: Implementation {
    let mutate: @Sendable (any OptimizerFamily) -> any OptimizerFamily
    var name: String { "mistaken" }
    var summary: String { "" }
    var availability: Availability { .available }
    func stepper<T: DescentFloat>(_ spec: OptimizerSpec, _: T.Type, shapes: [[Int]]) throws -> StepperBox<T> {
        try mutate(spec.family).makeStepper(T.self, shapes: shapes, engine: .naive)
    }
}

private func lion(_ f: any OptimizerFamily, _ change: (inout LionFamily) -> Void) -> any OptimizerFamily {
    var x = f as! LionFamily; change(&x); return x
}
private func lamb(_ f: any OptimizerFamily, _ change: (inout LambFamily) -> Void) -> any OptimizerFamily {
    var x = f as! LambFamily; change(&x); return x
}
private func lars(_ f: any OptimizerFamily, _ change: (inout LARSFamily) -> Void) -> any OptimizerFamily {
    var x = f as! LARSFamily; change(&x); return x
}

private typealias Mistake = (file: String, id: String, mistake: String, mutate: @Sendable (any OptimizerFamily) -> any OptimizerFamily)

private let mistakes: [Mistake] = [
    // Lion
    ("optax/lion.json", "optax/lion/defaults", "default weight_decay 0", { lion($0) { $0.decay = .none } }),
    ("optax/lion.json", "optax/lion/defaults", "the one-beta sign form (b1 = b2)", { lion($0) { $0.beta1 = $0.beta2 } }),
    ("optax/lion.json", "optax/lion/betas-lr-schedule", "betas swapped", { lion($0) { swap(&$0.beta1, &$0.beta2) } }),
    ("optax/lion.json", "optax/lion/decay-lr-schedule", "decay not scaled by lr", { lion($0) { $0.decay = .fixed(0.5) } }),
    ("optax/lion.json", "optax/lion/mask", "mask ignored", { lion($0) { $0.decayMask = nil } }),
    ("optax/lion.json", "optax/lion/small-b1-mu-dtype", "the one-beta sign form (b1 = b2)", { lion($0) { $0.beta1 = $0.beta2 } }),
    ("lion_pytorch/Lion.json", "lion_pytorch/Lion/decay-lr-schedule", "decay not scaled by lr",
     { lion($0) { $0.decay = .fixed(0.3) } }),
    ("lion_pytorch/Lion.json", "lion_pytorch/Lion/decoupled-lr-schedule", "decoupled_weight_decay ignored",
     { lion($0) { $0.decay = .decoupled(0.05) } }),
    ("lion_pytorch/Lion.json", "lion_pytorch/Lion/decoupled-lr-schedule", "wd divided by the current lr",
     { lion($0) { $0.decay = .fixed(0.05 / 0.01) } }),
    ("lion_pytorch/Lion.json", "lion_pytorch/Lion/betas-lr-schedule", "betas swapped", { lion($0) { swap(&$0.beta1, &$0.beta2) } }),
    ("pytorch_optimizer/Lion.json", "pytorch_optimizer/Lion/coupled-decay", "decoupled instead of coupled",
     { lion($0) { $0.decay = .decoupled(0.5) } }),
    ("pytorch_optimizer/Lion.json", "pytorch_optimizer/Lion/fixed-decay", "fixed_decay ignored",
     { lion($0) { $0.decay = .decoupled(0.02) } }),
    ("pytorch_optimizer/Lion.json", "pytorch_optimizer/Lion/maximize-coupled", "maximize ignored", { lion($0) { $0.maximize = false } }),
    ("pytorch_optimizer/Lion.json", "pytorch_optimizer/Lion/defaults", "the one-beta sign form (b1 = b2)",
     { lion($0) { $0.beta1 = $0.beta2 } }),
    ("pytorch_optimizer/Lion.json", "pytorch_optimizer/Lion/adanorm", "adanorm ignored", { lion($0) { $0.adaNorm = nil } }),
    ("pytorch_optimizer/Lion.json", "pytorch_optimizer/Lion/adanorm-r-coupled", "default adanorm_r", { lion($0) { $0.adaNorm = 0.95 } }),
    ("pytorch_optimizer/Lion.json", "pytorch_optimizer/Lion/cautious", "cautious ignored", { lion($0) { $0.cautious = false } }),
    ("pytorch_optimizer/Lion.json", "pytorch_optimizer/Lion/cautious-adanorm-zero", "cautious ignored",
     { lion($0) { $0.cautious = false } }),
    ("pytorch_optimizer/Lion.json", "pytorch_optimizer/Lion/use-gc", "use_gc ignored", { lion($0) { $0.centralize = false } }),
    ("pytorch_optimizer/Lion.json", "pytorch_optimizer/Lion/use-gc-everything", "use_gc ignored",
     { lion($0) { $0.centralize = false } }),
    // LAMB
    ("optax/lamb.json", "optax/lamb/defaults", "pytorch_optimizer's bias correction (lr/bc1)",
     { lamb($0) { $0.biasCorrection = .stepSize } }),
    ("optax/lamb.json", "optax/lamb/defaults", "eps in the ratio's denominator", { lamb($0) { $0.trustEps = $0.eps } }),
    ("optax/lamb.json", "optax/lamb/large-weights", "‖w‖ clipped at 10", { lamb($0) { $0.weightNormClip = 10 } }),
    ("optax/lamb.json", "optax/lamb/decay-lr-schedule", "decay outside the ratio", { lamb($0) { $0.decay = .decoupled(0.1) } }),
    ("optax/lamb.json", "optax/lamb/mask", "mask ignored", { lamb($0) { $0.decayMask = nil } }),
    ("optax/lamb.json", "optax/lamb/eps-root", "eps and eps_root swapped", { lamb($0) { swap(&$0.eps, &$0.epsRoot) } }),
    ("pytorch_optimizer/Lamb.json", "pytorch_optimizer/Lamb/defaults", "optax's corrected moments",
     { lamb($0) { $0.biasCorrection = .moments } }),
    ("pytorch_optimizer/Lamb.json", "pytorch_optimizer/Lamb/defaults", "no 1/bc1 (adam_debias default)",
     { lamb($0) { $0.biasCorrection = .none } }),
    ("pytorch_optimizer/Lamb.json", "pytorch_optimizer/Lamb/large-weights", "‖w‖ not clipped", { lamb($0) { $0.weightNormClip = nil } }),
    ("pytorch_optimizer/Lamb.json", "pytorch_optimizer/Lamb/decoupled-lr-schedule", "decay not scaled by lr",
     { lamb($0) { $0.decay = .fixed(0.1) } }),
    ("pytorch_optimizer/Lamb.json", "pytorch_optimizer/Lamb/decoupled-lr-schedule", "decay added to the update",
     { lamb($0) { $0.decay = .addedToUpdate(0.1) } }),
    ("pytorch_optimizer/Lamb.json", "pytorch_optimizer/Lamb/fixed-decay", "fixed_decay ignored", { lamb($0) { $0.decay = .decoupled(0.05) } }),
    ("pytorch_optimizer/Lamb.json", "pytorch_optimizer/Lamb/coupled-decay", "decoupled instead of coupled",
     { lamb($0) { $0.decay = .decoupled(0.1) } }),
    ("pytorch_optimizer/Lamb.json", "pytorch_optimizer/Lamb/adam-debias", "adam_debias ignored",
     { lamb($0) { $0.biasCorrection = .stepSize } }),
    ("pytorch_optimizer/Lamb.json", "pytorch_optimizer/Lamb/no-grad-averaging", "grad_averaging ignored",
     { lamb($0) { $0.gradAveraging = true } }),
    ("pytorch_optimizer/Lamb.json", "pytorch_optimizer/Lamb/adam", "adam=True ignored", { lamb($0) { $0.trustRatio = true } }),
    ("pytorch_optimizer/Lamb.json", "pytorch_optimizer/Lamb/pre-norm-maximize", "pre_norm ignored", { lamb($0) { $0.preNorm = nil } }),
    ("pytorch_optimizer/Lamb.json", "pytorch_optimizer/Lamb/pre-norm-maximize", "maximize ignored", { lamb($0) { $0.maximize = false } }),
    ("pytorch_optimizer/Lamb.json", "pytorch_optimizer/Lamb/pre-norm-off", "max_grad_norm 0 not disabling pre_norm",
     { lamb($0) { $0.preNorm = 1.0 } }),
    ("pytorch_optimizer/Lamb.json", "pytorch_optimizer/Lamb/rectify", "rectify ignored", { lamb($0) { $0.rectify = nil } }),
    ("pytorch_optimizer/Lamb.json", "pytorch_optimizer/Lamb/rectify-degenerated", "degenerated_to_sgd ignored",
     { lamb($0) { $0.rectify?.degeneratedToSGD = false } }),
    ("pytorch_optimizer/Lamb.json", "pytorch_optimizer/Lamb/rectify-degenerated", "n_sma_threshold ignored",
     { lamb($0) { $0.rectify?.threshold = 5 } }),
    ("pytorch_optimizer/Lamb.json", "pytorch_optimizer/Lamb/rectify-degenerated", "coupled decay applied under rectify",
     { lamb($0) { $0.decay = .decoupled(0.1) } }),
    ("pytorch_optimizer/Lamb.json", "pytorch_optimizer/Lamb/adanorm", "adanorm ignored", { lamb($0) { $0.adaNorm = nil } }),
    ("pytorch_optimizer/Lamb.json", "pytorch_optimizer/Lamb/adanorm-rectify", "adanorm ignored", { lamb($0) { $0.adaNorm = nil } }),
    // LARS
    ("optax/lars.json", "optax/lars/defaults", "1-D tensors excluded", { lars($0) { $0.excludeVectors = true } }),
    ("optax/lars.json", "optax/lars/decay-lr-schedule", "lr outside the momentum", { lars($0) { $0.lrInsideMomentum = false } }),
    ("optax/lars.json", "optax/lars/decay-lr-schedule", "the paper's denominator ‖g‖ + λ‖w‖",
     { lars($0) { $0.denominator = .gradNormPlusDecay } }),
    ("optax/lars.json", "optax/lars/nesterov", "nesterov ignored", { lars($0) { $0.nesterov = false } }),
    ("optax/lars.json", "optax/lars/masks", "masks swapped", { lars($0) { swap(&$0.decayMask, &$0.trustMask) } }),
    ("optax/lars.json", "optax/lars/eps-zero-norms", "eps ignored", { lars($0) { $0.eps = 0 } }),
    ("optax/lars.json", "optax/lars/no-trust-ratio", "trust_ratio_mask=False ignored", { lars($0) { $0.trustRatio = true } }),
    ("optax/lars.json", "optax/lars/no-momentum", "momentum default applied", { lars($0) { $0.momentum = 0.9 } }),
    ("optax/lars.json", "optax/lars/decay-mask-false", "weight_decay_mask=False ignored", { lars($0) { $0.weightDecay = 0.1 } }),
    ("pytorch_optimizer/LARS.json", "pytorch_optimizer/LARS/defaults", "1-D tensors not excluded",
     { lars($0) { $0.excludeVectors = false } }),
    ("pytorch_optimizer/LARS.json", "pytorch_optimizer/LARS/decay-lr-schedule", "lr inside the momentum",
     { lars($0) { $0.lrInsideMomentum = true } }),
    ("pytorch_optimizer/LARS.json", "pytorch_optimizer/LARS/decay-lr-schedule", "optax's denominator ‖g + λw‖",
     { lars($0) { $0.denominator = .updateNorm } }),
    ("pytorch_optimizer/LARS.json", "pytorch_optimizer/LARS/dampening", "dampening ignored", { lars($0) { $0.dampening = 0 } }),
    ("pytorch_optimizer/LARS.json", "pytorch_optimizer/LARS/nesterov", "nesterov ignored", { lars($0) { $0.nesterov = false } }),
    ("pytorch_optimizer/LARS.json", "pytorch_optimizer/LARS/no-momentum-maximize", "maximize ignored",
     { lars($0) { $0.maximize = false } }),
    ("pytorch_optimizer/LARS.json", "pytorch_optimizer/LARS/zero-norms", "trust coefficient default",
     { lars($0) { $0.trustCoefficient = 1e-3 } }),
]

@Test func lionLambFixturesCatchTheirMistakes() throws {
    var files: [String: FixtureFile] = [:]
    for m in mistakes {
        let file = try files[m.file] ?? load(m.file)
        files[m.file] = file
        let c = try #require(file.cases.first { $0.id == m.id }, "\(m.id)")
        let verifier = Verifier(implementations: [], dtypes: [.float64])
        let control = verifier.run(c, file: m.file, implementation: Mistaken(mutate: { $0 }), dtype: .float64)
        #expect(control.status == .pass, "\(m.id) fails without the mistake: \(control.message)")
        let r = verifier.run(c, file: m.file, implementation: Mistaken(mutate: m.mutate), dtype: .float64)
        #expect(r.status == .fail, "\(m.id) does not catch: \(m.mistake) (\(r.status))")
    }
}

// MARK: - Argument validation (the libraries' own texts)

private func message(_ convention: String, _ name: String, _ hyperparameters: String) -> String? {
    do {
        _ = try Conventions.optimizer(convention: convention, name: name, hyperparameters: try JSON.parse(hyperparameters))
        return nil
    } catch let DescentError.invalidHyperparameter(_, message) {
        return message
    } catch {
        return "\(error)"
    }
}

@Test func lionLambValidationMessages() {
    // pytorch_optimizer 4.1.0 (texts produced by the library itself; see the fixtures' expected_error).
    let P = "pytorch_optimizer"
    #expect(message(P, "Lion", #"{"lr": -1}"#) == "learning rate must be positive. (-1 > 0)")
    #expect(message(P, "Lion", #"{"lr": -0.001}"#) == "learning rate must be positive. (-0.001 > 0)")
    #expect(message(P, "Lion", #"{"lr": 0.0}"#) == nil)
    #expect(message(P, "Lion", #"{"betas": [1.0, 0.99]}"#) == "beta1 must be in the range [0.0, 1.0)")
    #expect(message(P, "Lamb", #"{"betas": [0.9, 1]}"#) == "beta2 must be in the range [0.0, 1.0)")
    #expect(message(P, "Lamb", #"{"weight_decay": -1.0, "eps": -1.0}"#) == "weight_decay must be non-negative")
    #expect(message(P, "Lamb", #"{"max_grad_norm": -1.0}"#) == "max_grad_norm must be non-negative")
    #expect(message(P, "Lamb", #"{"lr": -1e-05, "betas": [2, 2]}"#) == "learning rate must be positive. (-1e-05 > 0)")
    #expect(message(P, "LARS", #"{"momentum": 1.0}"#) == "momentum must be in the range [0.0, 1.0)")
    #expect(message(P, "LARS", #"{"dampening": -0.1}"#) == "dampening must be in the range [0.0, 1.0)")
    #expect(message(P, "LARS", #"{"trust_coefficient": -0.001}"#) == "trust_coefficient must be non-negative")
    // lion-pytorch asserts (no message): the type name is what the fixtures expect.
    #expect(message("lion_pytorch", "Lion", #"{"lr": 0.0}"#)?.contains("AssertionError") == true)
    #expect(message("lion_pytorch", "Lion", #"{"betas": [0.9, 1.5]}"#)?.contains("AssertionError") == true)
    #expect(message("lion_pytorch", "Lion", #"{"betas": [0.0, 1.0], "use_triton": false}"#) == nil)
    // optax: only Python's own TypeError for the missing positional argument.
    #expect(message("optax", "lion", "{}") == "lion() missing 1 required positional argument: 'learning_rate'")
    #expect(message("optax", "lars", #"{"b1": 0.9}"#) == "lars() missing 1 required positional argument: 'learning_rate'")
}

@Test func lionLambKeywordHandling() throws {
    func spec(_ c: String, _ n: String, _ h: String) throws -> OptimizerSpec {
        try Conventions.optimizer(convention: c, name: n, hyperparameters: try JSON.parse(h))
    }
    // pytorch_optimizer stores **kwargs: keys it never reads change nothing; keys it reads that
    // Descent does not implement are unsupported.
    _ = try spec("pytorch_optimizer", "LARS", #"{"anything": 3}"#)
    _ = try spec("pytorch_optimizer", "Lion", #"{"cautious": false, "foreach": true}"#)
    _ = try spec("pytorch_optimizer", "Lion", #"{"use_gc": false, "adanorm_r": 0.5, "unused_key": [1, 2]}"#)
    #expect((try spec("pytorch_optimizer", "Lion", #"{"use_gc": true}"#).family as? LionFamily)?.centralize == true)
    // optax: learning_rate None is the identity scaling (lr −1); mu_dtype below float64 is unsupported.
    #expect(try spec("optax", "lamb", #"{"learning_rate": null}"#).lr == -1)
    #expect(throws: DescentError.self) { try spec("optax", "lion", #"{"learning_rate": 0.1, "mu_dtype": "bfloat16"}"#) }
    // lion_pytorch's decoupled decay is relative to the constructor's lr.
    let f = try spec("lion_pytorch", "Lion", #"{"lr": 0.02, "weight_decay": 0.1, "decoupled_weight_decay": true}"#).family
    #expect((f as? LionFamily)?.decay == .relative(0.1, initialLR: 0.02))
    // Every entry's note names the one-beta form as a different algorithm.
    for (c, n) in [("optax", "lion"), ("lion_pytorch", "Lion"), ("pytorch_optimizer", "Lion")] {
        let note = Conventions.named(c)!.optimizers.first { $0.name == n }!.note
        #expect(note.contains("one-beta") && note.contains("different algorithm"), "\(c) \(n)")
    }
}

// MARK: - Closed-form check: Lion moves every element by exactly ±lr (0 where c = 0)

@Test func lionSignChecksPassAndCanFail() {
    for check in lionChecks {
        for dtype in DType.allCases {
            let o = check.run(dtype: dtype)
            #expect(o.status == .passed, "\(o.id) [\(dtype)]: \(o.message)")
        }
        var broken = check as! LionSignCheck
        broken.perturbation = 1e-3
        #expect(broken.run(dtype: .float64).status == .failed, "\(check.id) cannot fail")
    }
}

// MARK: - Known-wrong variants: every one is caught by these fixtures

@Test func lionLambVariantsAreCaught() throws {
    let files = try lionLambFixtureFiles.map(load)
    for p in Power.run(files: files, variants: lionLambVariants) {
        #expect(p.applicable > 0, "\(p.variant.id) applies to no case")
        #expect(p.caught, "no fixture catches \(p.variant.id) (\(p.variant.summary)); it applies to \(p.applicable) cases")
    }
    #expect(Set(lionLambVariants.map(\.id)).count == lionLambVariants.count)
}
