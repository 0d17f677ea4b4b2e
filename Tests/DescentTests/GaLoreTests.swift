// GaLoreTests.swift — pytorch_optimizer.GaLore against the goldens of reference/gen_galore.py on
// naive and vectorized in float64 and float32; SVD.swift's decomposition checked by its defining
// properties (U·Σ·Vᵀ = A, orthonormal factors, descending σ) and on a matrix whose SVD is known in
// closed form; a projected first step worked by hand; the sign invariance of the projected-back
// update; a resume through the saved state; argument handling; every variant caught.
import Foundation
import Testing
import DescentTestSupport
@testable import DescentCore
@testable import DescentConformance
import DescentJSON

private let galoreFiles = ["pytorch_optimizer/GaLore.json"]

@Test func galoreFixturesPass() throws {
    try expectFixtureFilePasses("pytorch_optimizer/GaLore.json", atLeast: 13 * 4)
}

@Test(arguments: [(6, 4), (3, 5), (4, 4), (1, 3), (5, 1)])
func svdReconstructsAndIsOrthonormal(_ m: Int, _ n: Int) {
    var x: UInt64 = 0x9E37_79B9_7F4A_7C15 &* UInt64(m * 31 + n)
    let a = (0..<(m * n)).map { _ -> Double in
        x = x &* 6364136223846793005 &+ 1442695040888963407
        return Double(Int64(bitPattern: x >> 11) % 2000) / 1000 - 1
    }
    let (u, s, vt) = SVD.thin(a, rows: m, cols: n)
    let k = min(m, n)
    #expect(s.count == k && zip(s, s.dropFirst()).allSatisfy { $0 >= $1 })
    for i in 0..<m { for j in 0..<n {
        let r = (0..<k).reduce(0.0) { $0 + u[i * k + $1] * s[$1] * vt[$1 * n + j] }
        #expect(abs(r - a[i * n + j]) <= 1e-13, "A[\(i),\(j)]")
    } }
    for p in 0..<k { for q in 0..<k {
        let uu = (0..<m).reduce(0.0) { $0 + u[$1 * k + p] * u[$1 * k + q] }
        let vv = (0..<n).reduce(0.0) { $0 + vt[p * n + $1] * vt[q * n + $1] }
        #expect(abs(uu - (p == q ? 1 : 0)) <= 1e-13 && abs(vv - (p == q ? 1 : 0)) <= 1e-13, "orthonormality \(p),\(q)")
    } }
}

/// A = [[3, 0], [0, -2], [0, 0]]: σ = (3, 2), u₁ = ±e₁, v₁ = ±e₁, u₂·v₂ᵀ = −e₂e₂ᵀ.
@Test func svdOfAKnownMatrix() {
    let (u, s, vt) = SVD.thin([3, 0, 0, -2, 0, 0], rows: 3, cols: 2)
    #expect(abs(s[0] - 3) < 1e-15 && abs(s[1] - 2) < 1e-15)
    #expect(abs(abs(u[0]) - 1) < 1e-15 && abs(abs(vt[0]) - 1) < 1e-15 && u[0] * vt[0] > 0)
    #expect(abs(u[1 * 2 + 1] * vt[1 * 2 + 1] + 1) < 1e-15)
}

/// A rank-1 projection of G = [[3, 0], [0, 1], [0, 0]] (tall: right, V₁ = ±e₁ᵀ): R = G·V₁ᵀ = ±(3, 0, 0)ᵀ;
/// Adam's first step N = 0.1·R/(√0.001·|R| + eps) and back N·V₁ = (n, 0; 0, 0; 0, 0) with n = 0.1·3/(√0.001·3 + 1e-6),
/// whatever the sign; α = lr·√0.001/0.1; the second column and every other entry do not move.
@Test func galoreProjectedFirstStepByHand() throws {
    let spec = try Conventions.optimizer(convention: "pytorch_optimizer", name: "GaLore", hyperparameters: try JSON.parse(
        "{\"lr\": 0.1, \"rank\": 1, \"update_proj_gap\": 10, \"scale\": 0.5, \"projection_type\": \"std\"}"))
    let box = try spec.family.makeStepper(Double.self, shapes: [[3, 2]], engine: .naive)
    let w = Buffer<Double>([1, 1, 1, 1, 1, 1])
    box.step([w], [Buffer<Double>([3, 0, 0, 1, 0, 0])], 0.1)
    let alpha = 0.1 * (1 - 0.999).squareRoot() / (1 - 0.9)
    let n = (0.1 * 3) / ((0.001 * 9).squareRoot() + 1e-6)
    let want = [1 - alpha * n * 0.5, 1, 1, 1, 1, 1]
    for i in 0..<6 { #expect(abs(w.doubles[i] - want[i]) <= 1e-12, "element \(i): \(w.doubles[i]) vs \(want[i])") }
}

@Test func galoreResumeExactly() throws {
    try expectResumeIsExact(files: galoreFiles, after: 4, includingState: true)
}

@Test func galoreVariantsAreCaught() throws {
    try expectEveryVariantCaught(files: galoreFiles, variants: galoreVariants, count: 4)
}

@Test func galoreArgumentHandling() throws {
    func spec(_ hp: String) throws -> OptimizerSpec {
        try Conventions.optimizer(convention: "pytorch_optimizer", name: "GaLore", hyperparameters: try JSON.parse(hp))
    }
    for (hp, word) in [("{\"rank\": 2, \"scale\": 1, \"projection_type\": \"std\"}", "update_proj_gap"),
                       ("{\"rank\": 2, \"update_proj_gap\": 0, \"scale\": 1, \"projection_type\": \"std\"}", "ZeroDivisionError"),
                       ("{\"rank\": -1, \"update_proj_gap\": 2, \"scale\": 1, \"projection_type\": \"std\"}", "rank"),
                       ("{\"rank\": 2, \"update_proj_gap\": 2, \"scale\": 1, \"projection_type\": \"svd\"}", "NotImplementedError")] {
        do {
            _ = try spec(hp)
            Issue.record("accepted \(hp)")
        } catch let DescentError.unsupported(why) {
            #expect(why.contains(word), "\(hp): \(why)")
        }
    }
    // Without rank the projector keys are never read; unknown keys are accepted.
    let plain = try spec("{\"scale\": 3, \"some_key\": 1}")
    #expect((plain.family as? GaLoreFamily)?.projector == nil)
    // rank None: every singular vector.
    #expect((try spec("{\"rank\": null, \"update_proj_gap\": 2, \"scale\": 1, \"projection_type\": \"left\"}").family as? GaLoreFamily)?.projector?.rank == nil)
    // reverse_std on a wide matrix with rank ≥ its rows: the library's project_back fails.
    let wide = try spec("{\"rank\": 3, \"update_proj_gap\": 2, \"scale\": 1, \"projection_type\": \"reverse_std\"}")
    #expect(throws: DescentError.self) { _ = try wide.family.makeStepper(Double.self, shapes: [[3, 5]], engine: .naive) }
    _ = try wide.family.makeStepper(Double.self, shapes: [[5, 3]], engine: .naive)
}

/// A replay that crosses a projector refresh with β₁ ≠ 0 depends on LAPACK's singular-vector signs:
/// unsupported, with the reason; fewer steps than the gap, or β₁ = 0, run.
@Test func galoreRefreshWithMomentumIsUnsupported() throws {
    func run(_ hp: String, steps: Int) throws -> CaseResult {
        let step = "{\"grads\": [[1, 2, 3, 4, 5, 7]], \"expected\": [[0, 0, 0, 0, 0, 0]]}"
        let text = """
        {"format": "descent-fixture/1", "description": "t", "cases": [{"id": "t/galore", "kind": "optimizer",
         "optimizer": {"convention": "pytorch_optimizer", "name": "GaLore", "hyperparameters": \(hp)},
         "params": [{"shape": [3, 2], "values": [1, 2, 3, 4, 5, 6]}],
         "steps": [\(Array(repeating: step, count: steps).joined(separator: ", "))], "tolerance": {"rtol": 1e-9, "atol": 1e-12}}]}
        """
        let f = try FixtureLoader.load(json: try JSON.parse(text), path: "t.json")
        return Verifier(implementations: [EngineImplementation(.naive, summary: "")], dtypes: [.float64]).run(f)[0]
    }
    let keys = "\"rank\": 1, \"update_proj_gap\": 3, \"scale\": 1, \"projection_type\": \"std\""
    let r = try run("{\(keys)}", steps: 3)
    #expect(r.status == .unsupported && r.message.contains("step 3") && r.message.contains("LAPACK"), "\(r.status) \(r.message)")
    #expect(try run("{\(keys)}", steps: 2).status != .unsupported)
    #expect(try run("{\(keys), \"betas\": [0.0, 0.999]}", steps: 3).status != .unsupported)
}
