// FieldFeatureTests.swift — the field features of fixtures/FORMAT.md: the goldens of
// reference/gen_features_*.py on every implementation and precision, the loader's errors, resume
// through encoded state for every family, closed forms of null gradients and expected state, the
// adapter's state reply, and the field known-wrong variants.
import Foundation
import Testing
import DescentTestSupport
@testable import DescentCore
@testable import DescentConformance
import DescentJSON

private func featureFiles() -> [String] {
    let all = FixtureLoader.discover([fixturesURL.path]).files
    return all.filter { $0.contains("/features/") }
}

private func loadJSON(_ cases: [String]) throws -> FixtureFile {
    let text = #"{"format": "descent-fixture/1", "cases": ["# + cases.joined(separator: ",") + "]}"
    return try FixtureLoader.load(json: try JSON.parse(text), path: "test.json")
}

/// torch SGD(lr 0.5, momentum 0.9) on w₀ = [1, 2]: buf₁ = g₁ = [0.2, −0.2] (torch starts the
/// buffer at the first gradient), w₁ = [0.9, 2.1]; buf₂ = 0.9·buf₁ + [1, 0] = [1.18, −0.18],
/// w₂ = w₁ − 0.5·buf₂ = [0.31, 2.19]. `extra` adds case fields.
private func momentumCase(id: String = "t/momentum", extra: String = "") -> String {
    #"""
    {"id": "\#(id)", "kind": "optimizer", "features": ["state"\#(extra.contains("resume") ? ", \"resume\"" : "")],
     "optimizer": {"convention": "torch", "name": "SGD", "hyperparameters": {"lr": 0.5, "momentum": 0.9}},
     "params": [{"shape": [2], "values": [1, 2]}],
     "steps": [{"grads": [[0.2, -0.2]], "expected": [[0.9, 2.1]], "expected_state": {"momentum_buffer": [[0.2, -0.2]]}},
               {"grads": [[1, 0]], "expected": [[0.31, 2.19]], "expected_state": {"momentum_buffer": [[1.18, -0.18]]}}],
     "tolerance": {"rtol": 1e-12, "atol": 1e-12}\#(extra)}
    """#
}

@Suite struct FieldFeatureTests {
    @Test func everyFeatureCasePassesOnEveryImplementationAndPrecision() throws {
        let files = featureFiles()
        #expect(files.count >= 20)
        let verifier = Verifier(diagnoser: nil)
        var ran = 0
        for path in files {
            let f = try FixtureLoader.load(path: path)
            #expect(f.broken.isEmpty, "\(path): \(f.broken.map(\.message))")
            for r in verifier.run(f) {
                if r.status == .unsupported, r.message.contains("is unavailable") { continue }   // blas absent
                #expect(r.status == .pass, "\(r.id) [\(r.implementation), \(r.dtype)]: \(r.status) \(r.message)")
                ran += 1
            }
        }
        #expect(ran > 1000)
    }

    @Test func eachFeatureHasTenCasesInTwoConventions() throws {
        var byFeature: [FieldFeature: [String: Int]] = [:]
        for path in featureFiles() {
            for case let .optimizer(c) in try FixtureLoader.load(path: path).cases {
                for t in c.field?.features ?? [] { byFeature[t, default: [:]][c.convention, default: 0] += 1 }
            }
        }
        for f in FieldFeature.allCases {
            let per = byFeature[f] ?? [:]
            #expect(per.values.reduce(0, +) >= 10 && per.count >= 2, "\(f.rawValue): \(per)")
        }
    }

    /// Resume ≡ no resume: for the replay and closed-loop cases of every family, k steps, the
    /// state saved, encoded to bytes, decoded into a fresh stepper, the rest of the steps — the
    /// same bits as the run without the checkpoint.
    @Test(arguments: [DType.float64, .float32])
    func resumeThroughEncodedStateIsExactForEveryFamily(_ dtype: DType) throws {
        var families = Set<String>()
        for path in FixtureLoader.discover([fixturesURL.path]).files where !path.contains("/training/") && !path.contains("/schedules/") {
            guard let f = try? FixtureLoader.load(path: path) else { continue }
            for case let .optimizer(c) in f.cases.prefix(3) where c.expectedError == nil && c.steps.count >= 3 && !c.needsFieldRun {
                guard let spec = try? Verifier.spec(for: c) else { continue }
                switch dtype {
                case .float64: try checkResume(c, spec, Double.self, &families)
                case .float32: try checkResume(c, spec, Float.self, &families)
                }
            }
        }
        for name in ["Adam", "SGD", "NAdam", "RAdam", "Adamax", "Adagrad", "Adadelta", "RMSprop", "Lion", "LAMB", "LARS", "Muon",
                     "Shampoo", "ScalableShampoo", "SOAP", "ScheduleFree", "LBFGS", "Ftrl", "Adafactor", "Rprop", "ASGD", "Yogi", "AdaBelief",
                     "Adan", "NovoGrad", "Fromage", "SM3", "SparseAdam", "OptimisticGradient", "PolyakSGD", "AdEMAMix", "SimplifiedAdEMAMix", "ADOPT", "Prodigy",
                     "DoG", "COCOB", "ACProp", "Momo",
                     "DAdaptAdaGrad", "DAdaptAdan", "MADGRAD", "StableAdamW", "CAME", "Ranger21", "SophiaH", "GaLore"] {
            #expect(families.contains(name), "no case resumed \(name) (resumed: \(families.sorted()))")
        }
    }

    private func checkResume<T: DescentFloat>(_ c: OptimizerCase, _ spec: OptimizerSpec, _: T.Type, _ families: inout Set<String>) throws {
        let shapes = c.params.map(\.shape)
        for engine in [Engine.naive, Engine(.vectorized, threads: 2)] {
            func run(resumeAt: Int?) throws -> [[Double]] {
                var box = try spec.family.makeStepper(T.self, shapes: shapes, engine: engine)
                let params = c.params.map { Buffer<T>(converting: $0.values) }
                let objective = c.problem?.objective(T.self)
                for (k, s) in c.steps.enumerated() {
                    let lr = s.lr ?? spec.lr
                    if let objective {
                        if box.needsObjective { box.stepObjective(params, objective, lr) } else { box.step(params, objective(params).grads, lr) }
                    } else if box.needsObjective, let value = s.value {
                        let g = s.grads!.map { Buffer<T>(converting: $0) }
                        box.stepObjective(params, { _ in (value, g) }, lr)
                    } else if let present = s.gradIndices, let sparse = box.stepSparse {
                        sparse(params, s.grads!.map { Buffer<T>(converting: $0) }, present.map { $0 ?? [] }, lr)
                    } else if box.takesHessian, let h = s.hessian {
                        box.stepHessian(params, s.grads!.map { Buffer<T>(converting: $0) }, h.map { Buffer<T>(converting: $0) }, lr)
                    } else {
                        box.step(params, s.grads!.map { Buffer<T>(converting: $0) }, lr)
                    }
                    if k + 1 == resumeAt {
                        let bytes = box.save().encoded()
                        box = try spec.family.makeStepper(T.self, shapes: shapes, engine: engine)
                        try box.load(StepperState(encoded: bytes))
                    }
                }
                return params.map(\.doubles)
            }
            let straight = try run(resumeAt: nil)
            let resumed = try run(resumeAt: c.steps.count / 2)
            let same = zip(straight, resumed).allSatisfy { a, b in zip(a, b).allSatisfy { $0.bitPattern == $1.bitPattern || ($0.isNaN && $1.isNaN) } }
            #expect(same, "\(c.id) [\(engine.kind), \(T.self)]: the resumed run differs")
        }
        families.insert(spec.family.familyName)
    }

    @Test func stepperStateRoundTripsThroughBytes() throws {
        let s = StepperState(buffers: [("m", [[0.1, -0.0, .nan, .infinity], []]), ("v", [[1e-300]])],
                             scalars: [("step", 7), ("mu_product", 0.1 + 0.2), ("x", -.infinity)])
        let back = try StepperState(encoded: s.encoded())
        #expect(back.buffers.map(\.name) == ["m", "v"] && back.scalars.map(\.name) == ["step", "mu_product", "x"])
        #expect(back.buffers[0].values[0][0] == 0.1 && back.buffers[0].values[0][1].sign == .minus && back.buffers[0].values[0][2].isNaN)
        #expect(back.buffers[0].values[0][3] == .infinity && back.buffers[0].values[1].isEmpty && back.buffers[1].values[0][0] == 1e-300)
        #expect(try back.scalar("mu_product") == 0.1 + 0.2 && back.scalars[2].value == -.infinity && (try back.count()) == 7)
        #expect(throws: DescentError.self) { try StepperState(encoded: Array("{\"buffers\": 3}".utf8)) }
    }

    // MARK: closed forms

    @Test func expectedStateAndResumeOfAHandComputedCase() throws {
        for extra in ["", #", "resume": {"after_step": 1}"#] {
            let f = try loadJSON([momentumCase(extra: extra)])
            let rs = Verifier(implementations: [Implementations.named("naive")!, Implementations.named("vectorized")!],
                              dtypes: [.float64], diagnoser: nil).run(f)
            #expect(rs.allSatisfy { $0.status == .pass }, "\(rs.map { "\($0.status) \($0.message)" })")
        }
        // A wrong expected buffer fails on the state, after the parameters passed.
        let wrong = momentumCase().replacingOccurrences(of: "[[1.18, -0.18]]", with: "[[1.18, -0.17]]")
        let r = Verifier(implementations: [Implementations.named("naive")!], dtypes: [.float64], diagnoser: nil).run(try loadJSON([wrong]))
        #expect(r[0].status == .fail && r[0].message.contains("state 'momentum_buffer'"))
        // A state name Descent does not keep makes a passing case unsupported, named.
        let unknown = momentumCase().replacingOccurrences(of: #""expected_state": {"momentum_buffer": [[0.2, -0.2]]}"#,
                                                          with: #""expected_state": {"frobnication": [3]}"#)
        let u = Verifier(implementations: [Implementations.named("naive")!], dtypes: [.float64], diagnoser: nil).run(try loadJSON([unknown]))
        #expect(u[0].status == .unsupported && u[0].message.contains("'frobnication'"))
    }

    /// torch Adam with tensor 1's gradient None at step 1: its first update, at step 2, is
    /// Adam's first step, m̂ = g, v̂ = g², so w ← w − lr·g/(|g| + ε); a None taken as zero would
    /// have advanced its count and moments. Tensor 0 takes two ordinary steps.
    @Test func aNullGradientIsSkippedNotZero() throws {
        let lr = 0.1, eps = 1e-8, g = 0.5
        let w1 = 3.0 - lr * g / (abs(g) + eps)
        // tensor 0: g = 1 twice. Step 1: w = 1 − lr·1/(1 + ε). Step 2: m = 0.19, v = 0.001999·… → m̂ = 1, v̂ = 1.
        let t0a = 1.0 - lr * 1 / (1 + eps)
        let t0b = t0a - lr * 1 / (1 + eps)
        let c = #"""
        {"id": "t/adam-null", "kind": "optimizer", "features": ["missing_grads"],
         "optimizer": {"convention": "torch", "name": "Adam", "hyperparameters": {"lr": 0.1}},
         "params": [{"shape": [1], "values": [1]}, {"shape": [1], "values": [3]}],
         "steps": [{"grads": [[1], null], "expected": [[\#(t0a)], [3]]},
                   {"grads": [[1], [\#(g)]], "expected": [[\#(t0b)], [\#(w1)]]}],
         "tolerance": {"rtol": 1e-12, "atol": 1e-14}}
        """#
        let f = try loadJSON([c])
        let rs = Verifier(dtypes: [.float64], diagnoser: nil).run(f)
        #expect(rs.allSatisfy { $0.status == .pass || $0.message.contains("unavailable") }, "\(rs.map(\.message))")
        let wrong = Verifier(implementations: [KnownWrong.fieldVariants.first { $0.id == "missing-grad-as-zero" }!], dtypes: [.float64],
                             diagnoser: nil).run(f)
        #expect(wrong[0].status == .fail)
    }

    // MARK: loader

    @Test func malformedFieldFeaturesAreNamedErrors() throws {
        let base = momentumCase()
        func broken(_ edited: String) throws -> String {
            let f = try loadJSON([edited])
            return f.broken.first?.message ?? "loaded"
        }
        let groups = #""optimizer": {"convention": "torch", "name": "SGD", "hyperparameters": {"lr": 0.5, "momentum": 0.9}, "param_groups": GROUPS}"#
        func withGroups(_ g: String) -> String {
            base.replacingOccurrences(of: #""optimizer": {"convention": "torch", "name": "SGD", "hyperparameters": {"lr": 0.5, "momentum": 0.9}}"#,
                                      with: groups.replacingOccurrences(of: "GROUPS", with: g))
        }
        #expect(try broken(withGroups(#"[{"params": [0]}, {"params": [0]}]"#)).contains("'optimizer.param_groups[1].params[0]': tensor 0 is already in group 0"))
        #expect(try broken(withGroups(#"[{"params": [5]}]"#)).contains("optimizer.param_groups[0].params[0]"))
        #expect(try broken(withGroups("[]")).contains("'optimizer.param_groups'"))
        #expect(try broken(base.replacingOccurrences(of: #"["state""#, with: #"["stat""#)).contains("'features[0]': unknown feature \"stat\""))
        #expect(try broken(base.replacingOccurrences(of: "[[1, 0]]", with: #"[["NaN", 0]]"#)).contains("non_finite"))
        #expect(try broken(base + "").contains("loaded"))
        #expect(try broken(base.replacingOccurrences(of: #""tolerance""#, with: #""resume": {"after_step": 2}, "tolerance""#)).contains("'resume.after_step'"))
        #expect(try broken(base.replacingOccurrences(of: #""tolerance""#, with: #""accumulation": {"steps": 0}, "tolerance""#)).contains("'accumulation.steps'"))
        #expect(try broken(base.replacingOccurrences(of: #"{"grads": [[1, 0]]"#, with: #"{"lr": [0.1, 0.2], "grads": [[1, 0]]"#)).contains("needs optimizer.param_groups"))
        let scheduled = base.replacingOccurrences(of: #""tolerance""#, with: #""schedule": {"convention": "torch", "name": "StepLR", "parameters": {"step_size": 1}}, "tolerance""#)
        #expect(try broken(scheduled.replacingOccurrences(of: #"{"grads": [[1, 0]]"#, with: #"{"lr": 0.1, "grads": [[1, 0]]"#)).contains("'steps[1].lr'"))
        // (a list of ONE number is a per-tensor scalar, FORMAT.md: three for a 2-element tensor is malformed)
        #expect(try broken(base.replacingOccurrences(of: "[[1.18, -0.18]]", with: "[[1.18, -0.18, 0.5]]")).contains("'steps[1].expected_state.momentum_buffer[0]'"))
        let nullAcc = base.replacingOccurrences(of: "[[1, 0]]", with: "[null]")
            .replacingOccurrences(of: #""tolerance""#, with: #""accumulation": {"steps": 2}, "tolerance""#)
        #expect(try broken(nullAcc).contains("'accumulation'"))
        // Non-finite numbers load where the case says they are intended.
        let nf = base.replacingOccurrences(of: #"["state""#, with: #"["non_finite", "state""#).replacingOccurrences(of: "[[1, 0]]", with: #"[["NaN", "-Infinity"]]"#)
        let f = try loadJSON([nf])
        guard case let .optimizer(c)? = f.cases.first else { Issue.record("did not load: \(f.broken)"); return }
        #expect(c.steps[1].grads![0][0].isNaN && c.steps[1].grads![0][1] == -.infinity)
    }

    // MARK: adapter

    @Test func theAdapterRequestCarriesNoExpectedStateAndItsStateReplyIsGraded() throws {
        let f = try loadJSON([momentumCase()])
        let req = AdapterVerifier.request(for: f.cases[0]).serialized()
        #expect(!req.contains("expected_state") && !req.contains("\"expected\"") && req.contains("\"features\""))
        func run(_ reply: String) -> CaseResult {
            let a = AdapterVerifier(command: "while read l; do echo '\(reply)'; done", timeout: 5)
            a.startupTimeout = 0.01
            defer { a.finish() }
            return a.run(f)[0]
        }
        let params = #""params": [[[0.9, 2.1]], [[0.31, 2.19]]]"#
        #expect(run(#"{"id": "t/momentum", \#(params), "state": [{"momentum_buffer": [[0.2, -0.2]]}, {"momentum_buffer": [[1.18, -0.18]]}]}"#).status == .pass)
        let bad = run(#"{"id": "t/momentum", \#(params), "state": [{"momentum_buffer": [[0.2, -0.2]]}, {"momentum_buffer": [[1.0, -0.18]]}]}"#)
        #expect(bad.status == .fail && bad.message.contains("state 'momentum_buffer'"))
        let none = run(#"{"id": "t/momentum", \#(params)}"#)
        #expect(none.status == .unsupported && none.message.contains("gave no state"))
    }

    // MARK: library API

    /// A user's torch-style SGD with momentum that runs whole field cases itself.
    struct UserMomentum: VerifiableOptimizer {
        var wrongBuffer = false
        func makeStep(_ r: OptimizerRequest) throws -> OptimizerStep { throw DescentUnsupported("field cases only") }
        func runFieldCase(_ r: FieldCaseRequest) throws -> FieldCaseAnswer {
            let hp = r.request["optimizer"]?["hyperparameters"]
            let lr = hp?["lr"]?.doubleValue ?? 0.001, mu = hp?["momentum"]?.doubleValue ?? 0
            var w = (r.request["params"]?.arrayValue ?? []).map { ($0["values"]?.arrayValue ?? []).compactMap(\.doubleValue) }
            var buf: [[Double]]? = nil
            var params: [[[Double]]] = [], state: [JSON] = []
            for s in r.request["steps"]?.arrayValue ?? [] {
                let g = (s["grads"]?.arrayValue ?? []).map { ($0.arrayValue ?? []).compactMap(\.doubleValue) }
                if let b = buf {
                    buf = zip(b, g).map { bt, gt in zip(bt, gt).map { mu * $0 + $1 } }
                } else {
                    buf = wrongBuffer ? g.map { $0.map { _ in 0 } } : g
                }
                w = zip(w, buf!).map { wt, bt in zip(wt, bt).map { $0 - lr * $1 } }
                params.append(w)
                state.append(.object([("momentum_buffer", .array(buf!.map { JSON($0) }))]))
            }
            return FieldCaseAnswer(params: params, state: state)
        }
    }

    @Test func theLibraryAPIRunsFieldCasesThroughRunFieldCase() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("descent-field-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("m.json").path
        try (#"{"format": "descent-fixture/1", "cases": ["# + momentumCase() + "]}").write(toFile: path, atomically: true, encoding: .utf8)
        #expect(try Descent.verify(UserMomentum(), fixtures: [path], diagnose: false).results.map(\.status) == [.pass])
        #expect(try Descent.verify(UserMomentum(wrongBuffer: true), fixtures: [path], diagnose: false).results.map(\.status) == [.fail])
        struct Plain: VerifiableOptimizer { func makeStep(_ r: OptimizerRequest) throws -> OptimizerStep { { _, _, _ in } } }
        let declined = try Descent.verify(Plain(), fixtures: [path], diagnose: false).results
        #expect(declined.map(\.status) == [.unsupported] && declined[0].message.contains("runFieldCase"))
    }

    /// A failure of Descent's own run (a golden made wrong here) is not "explained" by a variant
    /// that changes nothing on the case: a counter cast to float32 on load stays exact, so that
    /// variant's replay is Descent's own, bit for bit, and is never named.
    @Test func aVariantThatChangesNothingOnTheCaseIsNeverNamed() throws {
        let path = fixturesURL.appendingPathComponent("torch/features/resume.json").path
        let doc = try JSON.parse(bytes: [UInt8](FileManager.default.contents(atPath: path)!))
        guard let first = doc["cases"]?.arrayValue?.first(where: { $0["optimizer"]?["name"]?.stringValue == "Adam" }),
              case let .object(pairs) = first else { Issue.record("no torch Adam resume case"); return }
        // Drop the state; move one expected value of the last step.
        let edited: [(String, JSON)] = pairs.map { k, v in
            guard k == "steps", let steps = v.arrayValue else { return (k, v) }
            return (k, .array(steps.enumerated().map { i, st in
                guard case let .object(sp) = st else { return st }
                return .object(sp.compactMap { sk, sv in
                    if sk == "expected_state" { return nil }
                    if sk == "expected", i == steps.count - 1, let ts = sv.arrayValue, let t0 = ts.first?.arrayValue, let x = t0.first?.doubleValue {
                        return (sk, .array([.array([JSON(x + 0.5)] + t0.dropFirst())] + ts.dropFirst()))
                    }
                    return (sk, sv)
                })
            }))
        }
        let f = try FixtureLoader.load(json: .object([("format", JSON("descent-fixture/1")), ("cases", .array([.object(edited)]))]), path: "t.json")
        let r = Verifier(implementations: [Implementations.named("naive")!], dtypes: [.float64]).run(f)
        #expect(r.count == 1 && r[0].status == .fail)
        #expect(!r[0].diagnosis.joined().contains("scalar-state-cast-to-float32-on-load"), "\(r[0].diagnosis)")
        #expect(!r[0].diagnosis.isEmpty)
    }

    // MARK: variants

    @Test func everyFieldVariantIsCaughtAndDeclinesCasesWithoutItsFeature() throws {
        var files: [FixtureFile] = []
        for p in featureFiles() { files.append(try FixtureLoader.load(path: p)) }
        let plain = try FixtureLoader.load(path: fixturesURL.appendingPathComponent("torch/Adam.json").path)
        for v in KnownWrong.fieldVariants {
            var verifier = Verifier(implementations: [v], dtypes: [.float64], diagnoser: nil)
            verifier.validation = false
            let caught = files.flatMap { verifier.run($0) }.filter { $0.status == .fail }
            #expect(!caught.isEmpty, "\(v.id) is caught by no feature case")
            #expect(verifier.run(plain).allSatisfy { $0.status == .unsupported }, "\(v.id) runs a case without field features")
        }
    }
}
