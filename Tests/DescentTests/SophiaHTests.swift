// SophiaHTests.swift — pytorch_optimizer.SophiaH against the goldens of reference/gen_sophiah.py on
// naive and vectorized in float64 and float32, a first step worked by hand (from sophia.py's
// update, not from Descent), steps[k].hessian's handling (a refresh step without it is an error
// naming it; a closed-loop case unsupported; a malformed one rejected at load), a resume through
// the saved state, and every known-wrong variant caught by the goldens.
import Foundation
import Testing
import DescentTestSupport
@testable import DescentCore
@testable import DescentConformance
import DescentJSON

private let sophiaFiles = ["pytorch_optimizer/SophiaH.json"]

@Test func sophiaHFixturesPass() throws {
    try expectFixtureFilePasses("pytorch_optimizer/SophiaH.json", atLeast: 13 * 4)
}

/// Step 1 with D handed: m = 0.04·g, h = 0.01·D, u = clamp(m / max(h, eps), −p, p), w − lr·u; step 2
/// (not a refresh with update_period 10): m = 0.96·m + 0.04·g₂ by lerp, h unchanged.
@Test func sophiaHFirstStepsByHand() throws {
    let spec = try Conventions.optimizer(convention: "pytorch_optimizer", name: "SophiaH",
                                         hyperparameters: try JSON.parse("{\"p\": 1.0}"))
    let box = try spec.family.makeStepper(Double.self, shapes: [[3]], engine: .naive)
    #expect(box.takesHessian && box.hessianDue())
    let w = Buffer<Double>([1, -2, 0.5]), g = [0.5, 3.0, -1.0], d = [2.0, -4.0, 0.001]
    box.stepHessian([w], [Buffer<Double>(g)], [Buffer<Double>(d)], 0.06)
    var m = g.map { 0.04 * $0 }, want = [1.0, -2.0, 0.5]
    let h = d.map { 0.01 * $0 }
    for i in 0..<3 { want[i] -= 0.06 * min(max(m[i] / max(h[i], 1e-12), -1), 1) }
    for i in 0..<3 { #expect(abs(w.doubles[i] - want[i]) <= 1e-15 * abs(want[i]), "step 1 element \(i)") }
    #expect(!box.hessianDue())
    let g2 = [-0.25, 1.0, 2.0]
    box.step([w], [Buffer<Double>(g2)], 0.06)
    for i in 0..<3 { m[i] += 0.04 * (g2[i] - m[i]); want[i] -= 0.06 * min(max(m[i] / max(h[i], 1e-12), -1), 1) }
    for i in 0..<3 { #expect(abs(w.doubles[i] - want[i]) <= 1e-15 * abs(want[i]), "step 2 element \(i)") }
}

private func sophiaCase(_ steps: String, problem: String? = nil) throws -> FixtureFile {
    let text = """
    {"format": "descent-fixture/1", "description": "t", "cases": [{"id": "t/sophia", "kind": "optimizer",
     "optimizer": {"convention": "pytorch_optimizer", "name": "SophiaH", "hyperparameters": {"update_period": 2}},
     \(problem.map { "\"problem\": \($0)," } ?? "")
     "params": [{"shape": [2], "values": [1, 2]}], "steps": \(steps), "tolerance": {"rtol": 1e-9, "atol": 1e-12}}]}
    """
    return try FixtureLoader.load(json: try JSON.parse(text), path: "t.json")
}

@Test func sophiaHReplayNeedsTheHessianOnRefreshSteps() throws {
    // Step 3 ((3 − 1) % 2 == 0) refreshes and gives no estimate: an error naming steps[2].hessian.
    let f = try sophiaCase("""
    [{"grads": [[1, 1]], "hessian": [[1, 1]], "expected": [[0, 0]]}, {"grads": [[1, 1]], "expected": [[0, 0]]},
     {"grads": [[1, 1]], "expected": [[0, 0]]}]
    """)
    let r = Verifier(implementations: [EngineImplementation(.naive, summary: "")], dtypes: [.float64]).run(f)
    #expect(r.count == 1 && r[0].status == .error && r[0].message.contains("steps[2].hessian"), "\(r.map(\.message))")
    // A closed-loop case cannot hand it: unsupported.
    let q = try sophiaCase("[{\"expected\": [[0, 0]]}]", problem: "{\"name\": \"rosenbrock\", \"a\": 1, \"b\": 100}")
    let rq = Verifier(implementations: [EngineImplementation(.naive, summary: "")], dtypes: [.float64]).run(q)
    #expect(rq.count == 1 && rq[0].status == .unsupported && rq[0].message.contains("Hutchinson"), "\(rq.map(\.message))")
    // The wrong number of tensors or values is rejected at load.
    for bad in ["[[1, 1], [2]]", "[[1]]", "3"] {
        let b = try sophiaCase("[{\"grads\": [[1, 1]], \"hessian\": \(bad), \"expected\": [[0, 0]]}]")
        #expect(b.cases.isEmpty && b.broken.count == 1 && b.broken[0].message.contains("steps[0].hessian"), "\(bad): \(b.broken.map(\.message))")
    }
}

@Test func sophiaHResumeExactly() throws {
    try expectResumeIsExact(files: sophiaFiles, after: 5, includingState: true)
}

@Test func sophiaHVariantsAreCaught() throws {
    try expectEveryVariantCaught(files: sophiaFiles, variants: sophiaHVariants, count: 6)
}
