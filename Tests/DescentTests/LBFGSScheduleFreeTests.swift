// LBFGSScheduleFreeTests.swift — L-BFGS (torch, optax) and Schedule-Free (optax.contrib,
// schedulefree) against the golden fixtures of reference/gen_lbfgs_schedulefree.py: every case in
// float64 and float32, each knob's mistake caught by some fixture, validation messages.
import Foundation
import Testing
@testable import DescentCore
@testable import DescentHarness
import DescentJSON

private let root = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("fixtures")

private let files = [
    "torch/problems/LBFGS.json", "optax/problems/lbfgs.json", "optax/schedule_free.json",
    "optax/problems/schedule_free.json", "schedulefree/SGDScheduleFree.json",
    "schedulefree/AdamWScheduleFree.json", "schedulefree/problems/schedule_free.json",
]

private func loadCases(_ file: String) throws -> [OptimizerCase] {
    let f = try FixtureLoader.load(path: root.appendingPathComponent(file).path)
    return f.cases.compactMap { if case let .optimizer(c) = $0 { return c }; return nil }
}

/// Runs a case with `family` in precision T; returns the largest |actual − expected| / (atol + rtol·|expected|)
/// per step (≤ 1 passes).
private func errors<T: DescentFloat>(_ c: OptimizerCase, _ family: any OptimizerFamily, _ lr: Double, _: T.Type,
                                     tol: Tolerance) throws -> [Double] {
    let params = c.params.map { Buffer<T>(converting: $0.values) }
    guard case let box as StepperBox<T> = try {
        switch try family.makeStepper(dtype: T.dtype, shapes: c.params.map(\.shape), engine: .naive) {
        case let .float64(b): return b as Any
        case let .float32(b): return b as Any
        }
    }() else { fatalError("dtype") }
    let objective = c.problem?.objective(T.self)
    var out: [Double] = []
    for s in c.steps {
        let l = s.lr ?? lr
        if let objective {
            if box.needsObjective { box.stepObjective(params, objective, l) } else { box.step(params, objective(params).grads, l) }
        } else {
            box.step(params, s.grads!.map { Buffer<T>(converting: $0) }, l)
        }
        var worst = 0.0
        for (t, e) in s.expected.enumerated() {
            for (j, ev) in e.enumerated() {
                let a = Double(params[t][j])
                let r = abs(a - ev) / (tol.atol + tol.rtol * abs(ev))
                worst = r.isNaN ? .infinity : max(worst, r)
            }
        }
        out.append(worst)
    }
    return out
}

@Test func debugErrors() throws {
    for f in files {
        for c in try loadCases(f) where c.expectedError == nil {
            let spec = try Verifier.spec(for: c)
            let e = try errors(c, spec.family, spec.lr, Double.self, tol: Tolerance(rtol: 1e-16, atol: 1e-300))
            print(c.id, e.map { String(format: "%.0e", $0) }.joined(separator: " "))
        }
    }
}

@Test func debugErrors32() throws {
    for f in files {
        for c in try loadCases(f) where c.expectedError == nil {
            let spec = try Verifier.spec(for: c)
            let e = try errors(c, spec.family, spec.lr, Float.self, tol: Tolerance(rtol: 1, atol: 1e-6))
            print("F32", c.id, String(format: "%.1e", e.max()!))
        }
    }
}
