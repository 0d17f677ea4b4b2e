// BitsandbytesTests.swift — the bitsandbytes convention (0.50.2's 32-bit optimizers on the CPU)
// against the float32 goldens of reference/gen_bitsandbytes.py on naive and vectorized in float64
// and float32; every number of those goldens a float32 number (what a "float32" case means);
// Adam's decoupled decay on a first step worked by hand; AdEMAMix's two warmup spans; the keyword
// handling (optim_bits 8 and args unsupported, optim_bits ignored by the 32bit classes and not a
// keyword of Lion32bit); every bitsandbytes variant caught.
import Foundation
import Testing
import DescentTestSupport
@testable import DescentCore
@testable import DescentConformance
import DescentJSON

private let bnbFixtureFiles = ["bitsandbytes/Adam.json", "bitsandbytes/AdamW.json", "bitsandbytes/Lion.json", "bitsandbytes/AdEMAMix.json",
                                "bitsandbytes/SGD.json", "bitsandbytes/RMSprop.json", "bitsandbytes/Adagrad.json"]

@Test(arguments: bnbFixtureFiles)
func bitsandbytesFixturesPass(_ file: String) throws {
    try expectFixtureFilePasses(file, atLeast: 8 * 4)
}

@Test func bitsandbytesGoldensAreFloat32Numbers() throws {
    func isFloat32(_ x: Double) -> Bool { Double(Float(x)) == x }
    var checked = 0
    for file in bnbFixtureFiles {
        for case let .optimizer(c) in try loadFixtureFile(file).cases {
            #expect(c.json["dtype"]?.stringValue == "float32", "\(c.id): dtype")
            guard c.expectedError == nil else { continue }
            for p in c.params { #expect(p.values.allSatisfy(isFloat32), "\(c.id): initial values") }
            for s in c.steps {
                #expect((s.grads ?? []).allSatisfy { $0.allSatisfy(isFloat32) }, "\(c.id): gradients")
                #expect(s.expected.allSatisfy { $0.allSatisfy(isFloat32) }, "\(c.id): expected values")
                checked += 1
            }
        }
    }
    #expect(checked >= 20 * 35)
}

private func bnb(_ name: String, _ json: String) throws -> OptimizerSpec {
    try Conventions.optimizer(convention: "bitsandbytes", name: name, hyperparameters: try JSON.parse(json))
}

/// Adam(lr 0.1, weight_decay 0.5), w = 1, g = 2: m = 0.2, v = 0.004, and the step is
/// −lr·(√(1−β₂)/(1−β₁))·m/(√v + ε√(1−β₂)) = −0.1·(0.2/√0.004)·(√0.001/0.1) ≈ −0.1; the decay is
/// decoupled, w·(1 − 0.05) first: w = 0.85 (torch Adam's L2 would give 1 − 0.1 = 0.9).
@Test func bitsandbytesAdamDecaysDecoupled() throws {
    for name in ["Adam", "Adam32bit", "PagedAdam", "AdamW"] {
        let spec = try bnb(name, #"{"lr": 0.1, "weight_decay": 0.5}"#)
        let box = try spec.family.makeStepper(Double.self, shapes: [[1]], engine: .naive)
        let w = Buffer<Double>([1.0])
        box.step([w], [Buffer<Double>([2.0])], spec.lr)
        let c2 = (1 - 0.999).squareRoot()
        let expected = 0.95 - 0.1 * (c2 / 0.1) * 0.2 / ((0.001 * 4).squareRoot() + 1e-8 * c2)
        #expect(abs(w.doubles[0] - expected) <= 1e-15, "\(name): \(w.doubles[0]) vs \(expected)")
        #expect(abs(w.doubles[0] - 0.85) < 1e-6)
    }
}

@Test func bitsandbytesAdEMAMixWarmsUpOverEachSpan() throws {
    let spec = try bnb("AdEMAMix", #"{"t_alpha": 10, "t_beta3": 15, "alpha": 4.0}"#)
    let f = try #require(spec.family as? AdEMAMixFamily)
    let (l1, l3) = (Double.log(0.9), Double.log(0.9999))
    for t in [1, 5, 12, 20] {
        let (a, b3) = f.mixing(step: t)
        let x = Double(t) / 15
        #expect(a == min(Double(t) * 4 / 10, 4), "alpha at \(t)")
        #expect(b3 == min(Double.exp(l1 * l3 / ((1 - x) * l3 + x * l1)), 0.9999), "beta3 at \(t)")
    }
    let none = try #require(try bnb("AdEMAMix", #"{"t_alpha": 0, "t_beta3": null}"#).family as? AdEMAMixFamily)
    let m = none.mixing(step: 3)
    #expect(m.alpha == 5 && m.beta3 == 0.9999, "t_alpha 0 and t_beta3 None: no warmup")
    #expect(none.decay == .decoupled(1e-2), "AdEMAMix's default weight_decay 1e-2, decoupled")
}

@Test func bitsandbytesKeywords() throws {
    func unsupported(_ name: String, _ json: String) -> Bool {
        do { _ = try bnb(name, json); return false } catch let DescentError.unsupported(why) { return !why.isEmpty } catch { return false }
    }
    #expect(unsupported("Adam", #"{"optim_bits": 8}"#))
    #expect(unsupported("AdEMAMix", #"{"optim_bits": 8}"#))
    #expect(unsupported("Lion", #"{"optim_bits": 16}"#))
    #expect(unsupported("AdamW", #"{"args": {"optim_bits": 8}}"#))
    #expect(unsupported("Lion32bit", #"{"optim_bits": 32}"#), "Lion32bit has no optim_bits keyword")
    #expect(unsupported("PagedAdamW", #"{"is_paged": true}"#), "PagedAdamW has no is_paged keyword")
    let ignored = try bnb("Adam32bit", #"{"optim_bits": 8, "amsgrad": true, "is_paged": true, "min_8bit_size": 1}"#)
    let plain = try #require(try bnb("Adam", "{}").family as? AdamFamily)
    let a = try #require(ignored.family as? AdamFamily)
    #expect(a.amsgrad == .off && a.decay == plain.decay && a.beta2 == plain.beta2, "Adam32bit ignores optim_bits and amsgrad")
    #expect((try bnb("AdamW", "{}").family as? AdamFamily)?.decay == .decoupled(1e-2))
    #expect((try bnb("Lion", "{}")).lr == 1e-4)
}

@Test func bitsandbytesVariantsAreCaught() throws {
    try expectEveryVariantCaught(files: bnbFixtureFiles, variants: bitsandbytesVariants, count: 7)
}
