// KerasTests.swift — the keras convention (Keras 3.15.1's names, defaults and maths, checked by
// hand-worked closed forms and against the Keras goldens), and the diagnosis of failures: another
// convention first, then one known mistake, then pairs, then the nearest candidate.
import Foundation
import Testing
import DescentTestSupport
@testable import DescentCore
@testable import DescentConformance
@testable import DescentLab
@testable import DescentCLI
import DescentJSON

private let kerasRoot = fixturesURL

private func fixtureFile(_ file: String) throws -> FixtureFile {
    try FixtureLoader.load(path: kerasRoot.appendingPathComponent(file).path)
}

private func kerasSpec(_ name: String, _ hp: String = "{}") throws -> OptimizerSpec {
    try Conventions.optimizer(convention: "keras", name: name, hyperparameters: try JSON.parse(hp))
}

/// One float64 step of `spec` on the naive engine.
private func oneStep(_ spec: OptimizerSpec, w: [Double], g: [Double], lr: Double? = nil) throws -> [Double] {
    let box = try spec.family.makeStepper(Double.self, shapes: [[w.count]], engine: .naive)
    let p = Buffer<Double>(converting: w)
    box.step([p], [Buffer<Double>(converting: g)], lr ?? spec.lr)
    return p.doubles
}

@Suite struct KerasConventionTests {
    @Test func defaultsAreKeras() throws {
        #expect(try kerasSpec("SGD").lr == 0.01)
        #expect(try kerasSpec("Adam").lr == 1e-3)
        let adam = try #require(try kerasSpec("Adam").family as? AdamFamily)
        #expect(adam.eps == 1e-7 && adam.epsilonHat && adam.decay == .none)
        let adamw = try #require(try kerasSpec("AdamW").family as? AdamFamily)
        #expect(adamw.decay == .decoupled(0.004))
        let adagrad = try #require(try kerasSpec("Adagrad").family as? AdagradFamily)
        #expect(adagrad.initialAccumulator == 0.1 && adagrad.eps == 1e-7 && adagrad.epsInsideSqrt)
        let rms = try #require(try kerasSpec("RMSprop").family as? RMSpropFamily)
        #expect(rms.decay == 0.9 && rms.epsInsideSqrt && rms.lrInsideMomentum)
        let nadam = try #require(try kerasSpec("Nadam").family as? NAdamFamily)
        #expect(nadam.momentumDecay == 1)
    }

    @Test func adamEpsilonHatIsTorchWithScaledEpsilon() throws {
        // Step 1: m = 0.1g, v = 0.001g², α = lr·√0.001/0.1; w ← w − α·m/(√v + ε).
        let g = 2e-4, lr = 0.1, eps = 1e-3
        let keras = try oneStep(try kerasSpec("Adam", "{\"learning_rate\": \(lr), \"epsilon\": \(eps)}"), w: [1], g: [g])[0]
        let alpha = lr * 0.001.squareRoot() / 0.1
        let expected = 1 - alpha * (0.1 * g) / ((0.001 * g * g).squareRoot() + eps)
        #expect(abs(keras - expected) <= 1e-15)
        // torch's form with ε/√bc₂ gives the same step.
        var torch = AdamFamily(form: .torch)
        torch.eps = eps / 0.001.squareRoot()
        let t = try oneStep(OptimizerSpec(family: torch, lr: lr), w: [1], g: [g])[0]
        #expect(abs(t - keras) <= 1e-14)
    }

    @Test func weightDecayIsDecoupledBeforeTheUpdate() throws {
        // Keras SGD, weight_decay 0.5, lr 0.1: w ← w − w·0.5·0.1, then w ← w − 0.1·g.
        let w = try oneStep(try kerasSpec("SGD", "{\"learning_rate\": 0.1, \"weight_decay\": 0.5}"), w: [2], g: [1])
        #expect(abs(w[0] - (2 - 2 * 0.5 * 0.1 - 0.1)) <= 1e-15)
    }

    @Test func adamaxDividesByUPlusEpsilon() throws {
        // u = max(0, |g|) = |g|; w ← w − lr·m/((1−β₁)(u + ε)) with m = 0.1g.
        let g = 1e-3, eps = 0.01
        let w = try oneStep(try kerasSpec("Adamax", "{\"learning_rate\": 1.0, \"epsilon\": \(eps)}"), w: [0], g: [g])
        #expect(abs(w[0] - (-(0.1 * g) / (0.1 * (g + eps)))) <= 1e-15)
    }

    @Test func globalClipnormHasNoEpsilon() throws {
        // g = (3, 4), ‖g‖ = 5, clip to 1: g ← (0.6, 0.8) exactly as 1·min(1/5, 1) — torch would divide by 5 + 1e-6.
        let w = try oneStep(try kerasSpec("SGD", "{\"learning_rate\": 1.0, \"global_clipnorm\": 1.0}"), w: [0, 0], g: [3, 4])
        #expect(abs(w[0] + 0.6) <= 1e-15 && abs(w[1] + 0.8) <= 1e-15)
    }

    @Test func kerasArgumentErrors() throws {
        #expect(throws: DescentError.self) { try kerasSpec("SGD", "{\"clipnorm\": 1.0, \"clipvalue\": 1.0}") }
        #expect(throws: DescentError.self) { try kerasSpec("SGD", "{\"momentum\": 0}") }
        #expect(throws: DescentError.self) { try kerasSpec("AdamW", "{\"weight_decay\": null}") }
        do {
            _ = try kerasSpec("Adam", "{\"betas\": [0.9, 0.99]}")
            Issue.record("torch's betas accepted by keras.optimizers.Adam")
        } catch let DescentError.unsupported(why) {
            #expect(why.contains("betas"))
        }
    }

    /// ScheduleFreeAdamW's first step by hand: z starts at w, so x = w, c = 1/1 and the new weights
    /// are z₁ = w − lr·g/(√((1−β₂)g²/(1−β₂)) + ε) = w − lr·g/(|g| + ε), whatever β₁.
    @Test func scheduleFreeAdamWFirstStepIsASignLikeStep() throws {
        let spec = try kerasSpec("ScheduleFreeAdamW", "{\"learning_rate\": 0.1, \"beta_1\": 0.7, \"epsilon\": 0.01}")
        let w = [1.0, -2.0, 0.5], g = [0.5, -4.0, 0.0]
        let out = try oneStep(spec, w: w, g: g)
        for i in w.indices {
            let want = w[i] - 0.1 * g[i] / (abs(g[i]) + 0.01)
            #expect(abs(out[i] - want) <= 1e-15 * max(1, abs(want)), "element \(i): \(out[i]) vs \(want)")
        }
    }

    @Test func cosineDecayHoldsItsFloor() throws {
        let s = try Conventions.schedule(convention: "keras", name: "CosineDecay",
                                         parameters: try JSON.parse("{\"initial_learning_rate\": 1.0, \"decay_steps\": 4, \"alpha\": 0.1}"),
                                         context: ScheduleContext())
        let v = try s.values(Double.self, count: 8).lr
        #expect(abs(v[2] - (0.9 * 0.5 + 0.1)) <= 1e-15)
        #expect(v[4...].allSatisfy { abs($0 - 0.1) <= 1e-15 })
    }

    @Test(arguments: ["keras/SGD.json", "keras/RMSprop.json", "keras/Adagrad.json", "keras/Adadelta.json", "keras/Adam.json",
                      "keras/AdamW.json", "keras/Adamax.json", "keras/Nadam.json", "keras/Lion.json", "keras/Lamb.json", "keras/Ftrl.json", "keras/Muon.json",
                      "keras/Adafactor.json", "keras/ScheduleFreeAdamW.json", "keras/use_ema.json",
                      "keras/schedules/CosineDecay.json", "keras/schedules/CosineDecayRestarts.json",
                      "keras/schedules/PiecewiseConstantDecay.json", "keras/schedules/PolynomialDecay.json"])
    func kerasGoldensPass(_ file: String) throws {
        let results = Verifier(implementations: Implementations.all.filter { $0.availability == .available },
                               dtypes: DType.allCases).run(try fixtureFile(file))
        #expect(results.count >= 4)
        let bad = results.filter { $0.status != .pass }
        #expect(bad.isEmpty, "\(bad.prefix(3).map { "\($0.id) [\($0.implementation) \($0.dtype)]: \($0.message)" })")
    }
}

/// Runs another case in the place of the one under test: a library following another convention.
private struct Ported: Implementation {
    let twin: FixtureCase
    var name: String { "ported" }
    var summary: String { "" }
    var availability: Availability { .available }
    func prepare(_ c: FixtureCase) throws -> FixtureCase { twin }
    func stepper<T: DescentFloat>(_ spec: OptimizerSpec, _: T.Type, shapes: [[Int]]) throws -> StepperBox<T> {
        try spec.family.makeStepper(T.self, shapes: shapes, engine: .naive)
    }
}

private func torchCase(_ file: String, _ id: String) throws -> FixtureCase {
    try #require(try fixtureFile(file).cases.first { $0.id == id })
}

@Suite struct DiagnosisTests {
    /// Keras's Adam run on a torch case: the diagnosis names Keras and epsilon hat, first.
    @Test func anotherConventionIsNamedFirst() throws {
        let c = try torchCase("torch/Adam.json", "torch/Adam/large-eps")
        guard case var .optimizer(oc) = c else { Issue.record("not an optimizer case"); return }
        oc.convention = "keras"; oc.name = "Adam"
        oc.hyperparameters = try JSON.parse("{\"learning_rate\": 0.01, \"epsilon\": 0.001}")
        let r = Verifier(implementations: [], dtypes: []).run(c, file: "torch/Adam.json", implementation: Ported(twin: .optimizer(oc)), dtype: .float64)
        #expect(r.status == .fail)
        let d = Diagnosis.diagnose(c, file: "torch/Adam.json", result: r)
        #expect(d.first?.hasPrefix("matches keras.optimizers.Adam(") == true, "\(d)")
        #expect(d.first?.contains("epsilon hat") == true)
        // …and the known mistake that is the same thing in torch's terms.
        #expect(d.contains { $0.contains("`adam-epsilon-hat`") }, "\(d)")
    }

    @Test func cosineHeldAfterTMaxIsNamed() throws {
        let c = try torchCase("torch/schedules/CosineAnnealingLR.json", "torch/CosineAnnealingLR/past-tmax")
        let v = try #require(KnownWrong.named("cosine-held-after-t-max"))
        let r = Verifier(implementations: [], dtypes: []).run(c, file: "x", implementation: v, dtype: .float64)
        #expect(r.status == .fail)
        let d = Diagnosis.diagnose(c, file: "x", result: r)
        #expect(d.first?.hasPrefix("matches keras.optimizers.schedules.CosineDecay(") == true, "\(d)")
        #expect(d.contains { $0.contains("`cosine-held-after-t-max`") })
    }

    /// Two mistakes no convention explains: found as a pair.
    @Test func twoMistakesAreFoundAsAPair() throws {
        let c = try torchCase("torch/Adam.json", "torch/Adam/l2")
        let pair = CombinedVariant(try #require(KnownWrong.named("adam-no-bias-correction")), try #require(KnownWrong.named("weight-decay-ignored")))
        let r = Verifier(implementations: [], dtypes: []).run(c, file: "x", implementation: pair, dtype: .float64)
        #expect(r.status == .fail)
        let d = Diagnosis.diagnose(c, file: "x", result: r)
        #expect(d.count >= 1)
        #expect(d.contains { $0.contains("two known mistakes") && $0.contains("`adam-no-bias-correction`") && $0.contains("`weight-decay-ignored`") }, "\(d)")
    }

    /// Nothing known reproduces it: say so, with the nearest candidate.
    @Test func nothingKnownSaysSoWithTheNearest() throws {
        let c = try torchCase("torch/Adam.json", "torch/Adam/defaults")
        let odd = KnownWrongVariant("test-odd-betas", "not registered", .arguments { _, _, args in
            args.append(("betas", .array([JSON(0.85), JSON(0.9991)]))); return true
        })
        let r = Verifier(implementations: [], dtypes: []).run(c, file: "x", implementation: odd, dtype: .float64)
        #expect(r.status == .fail)
        let d = Diagnosis.diagnose(c, file: "x", result: r)
        #expect(d.count == 1)
        // β₁ 0.85 is on no grid: the knob search says it covered its space, and a nearest
        // candidate is printed only within the stated bound of the normalised distance.
        #expect(d.first?.hasPrefix("no known mistake reproduces this; nor does any setting of up to 3 of the family's knobs") == true, "\(d)")
        let line = d.first ?? ""
        if let r = line.range(of: "nearest: ") {
            let tail = line[r.upperBound...]
            let dist = tail.range(of: "(distance ").flatMap { Double(tail[$0.upperBound...].prefix { $0 != " " }) }
            #expect(dist.map { $0 <= Diagnosis.nearestBound } == true, "\(line)")
        } else {
            #expect(line.contains("no candidate comes within \(Diagnosis.nearestBound)"), "\(line)")
        }
    }

    /// Every failing trajectory of Keras's optimizers ported onto the torch fixtures (the Keras
    /// twins Descent itself knows, run as the implementation under test) gets a match.
    @Test func everyKerasPortOfATorchCaseIsExplained() throws {
        var checked = 0
        for file in ["torch/SGD.json", "torch/RMSprop.json", "torch/Adagrad.json", "torch/Adam.json", "torch/AdamW.json",
                     "torch/Adamax.json", "torch/NAdam.json", "torch/transforms/clipping.json"] {
            for c in try fixtureFile(file).cases where c.expectedError == nil {
                guard let twin = CrossConvention.twins(of: c).first(where: { $0.testCase.convention == "keras" }) else { continue }
                let r = Verifier(implementations: [], dtypes: []).run(c, file: file, implementation: Ported(twin: twin.testCase), dtype: .float64)
                guard r.status == .fail else { continue }
                checked += 1
                let d = Diagnosis.diagnose(c, file: file, result: r)
                #expect(d.first?.hasPrefix("matches keras.optimizers.") == true, "\(c.id): \(d)")
            }
        }
        #expect(checked >= 20)
    }

    /// Keras on its torch backend computes global_clipnorm's scale in float32: the port is
    /// named as matching up to float32-level rounding, not left unexplained.
    @Test func aPortWithFloat32RoundingIsNamed() throws {
        let c = try torchCase("torch/transforms/clipping.json", "torch/clip_grad_norm_/SGD-0")
        guard case var .optimizer(oc) = c else { Issue.record("not an optimizer case"); return }
        oc.convention = "keras"; oc.name = "SGD"; oc.gradTransforms = []
        oc.hyperparameters = try JSON.parse("{\"learning_rate\": 0.1, \"global_clipnorm\": 1.0}")
        let r0 = Verifier(implementations: [], dtypes: []).run(c, file: "x", implementation: Ported(twin: .optimizer(oc)), dtype: .float64)
        // Perturb the port by float32-level rounding (as the torch backend's float32 scale does).
        var r = r0
        r.trajectory = r0.trajectory.map { $0.map { $0.map { Double(Float($0)) } } }
        #expect(r.status == .fail)
        let d = Diagnosis.diagnose(c, file: "x", result: r)
        #expect(d.first?.hasPrefix("matches keras.optimizers.SGD(") == true && d.first?.contains("up to float32-level rounding") == true, "\(d)")
        #expect(d.count <= 3)
    }

    @Test func aPairComposesBothMistakes() throws {
        let c = try torchCase("torch/RMSprop.json", "torch/RMSprop/momentum")
        let a = try #require(KnownWrong.named("rmsprop-eps-placement")), b = try #require(KnownWrong.named("rmsprop-momentum-lr-moved"))
        let pair = CombinedVariant(a, b)
        let spec = try pair.resolve(try Verifier.spec(for: { guard case let .optimizer(o) = c else { fatalError() }; return o }()))
        let r = try #require(spec.family as? RMSpropFamily)
        #expect(r.epsInsideSqrt && r.lrInsideMomentum)
    }
}
