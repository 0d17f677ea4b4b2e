// ClosedFormCheckTests.swift — every closed-form check passes in both precisions, and every check
// can fail: each is also run against a deliberately wrong input and must report `failed`.
import Testing
import DescentCore
@testable import DescentConformance
@testable import DescentLab
@testable import DescentCLI

private let checkIDs = ClosedFormChecks.all.map(\.id)

private func check(_ id: String) -> any ClosedFormCheck {
    ClosedFormChecks.all.first { $0.id == id }!
}

@Test func checkIdentifiersAreUniqueAndDescribed() {
    #expect(Set(checkIDs).count == checkIDs.count)
    for c in ClosedFormChecks.all {
        #expect(!c.title.isEmpty)
        #expect(c.proves.contains("Tolerance"), "\(c.id) must state and justify its tolerance")
        #expect(c.tolerance(.float64) < c.tolerance(.float32))
    }
}

@Test(arguments: checkIDs)
func checkPassesInBothPrecisions(_ id: String) {
    for dtype in DType.allCases {
        let o = check(id).run(dtype: dtype)
        #expect(o.passed, "\(id) [\(dtype)]: \(o.status.rawValue): \(o.message)")
        #expect(o.id == id && o.dtype == dtype)
        if o.passed, let e = o.maxError { #expect(e <= o.tolerance) }
    }
}

/// Runs a deliberately broken variant in both precisions and expects a measured failure.
private func expectFails(_ c: some ClosedFormCheck, sourceLocation: SourceLocation = #_sourceLocation) {
    for dtype in DType.allCases {
        let o = c.run(dtype: dtype)
        #expect(o.status == .failed, "\(c.id) [\(dtype)] should fail, got \(o.status.rawValue): \(o.message)",
                sourceLocation: sourceLocation)
        #expect(!o.passed, sourceLocation: sourceLocation)
    }
}

/// A relative perturbation of 1e-3 of the implementation's output is far above every tolerance.
private let wrong = 1e-3

/// Every registered check's deliberately wrong variant (a perturbed measurement or a wrong
/// mapping). A check added without one fails `everyRegisteredCheckCanFail`.
private func wrongVariant(_ c: any ClosedFormCheck) -> (any ClosedFormCheck)? {
    switch c {
    case var x as MomentumUnrollingCheck: x.perturbation = wrong; return x
    case var x as MomentumReparametrisationCheck: x.perturbation = wrong; return x
    case var x as MomentumLRChangeCheck: x.perturbation = wrong; return x
    case var x as AdamBiasCorrectionCheck: x.perturbation = wrong; return x
    case var x as RidgeNormalEquationsCheck: x.solutionPerturbation = wrong; return x
    case var x as RidgeGradientDescentCheck: x.predictedEtaFactor = 1 + 10 * wrong; return x
    case var x as SGDL2ShrinkCheck: x.perturbation = wrong; return x
    case var x as DecoupledDecayCheck: x.perturbation = wrong; return x
    case var x as TorchCosineClosedFormCheck: x.perturbation = wrong; return x
    case var x as CosineAgreementCheck: x.perturbation = wrong; return x
    case var x as OneCycleAgreementCheck: x.perturbation = wrong; return x
    case var x as LionSignCheck: x.perturbation = wrong; return x
    case var x as RpropSignLogicCheck: x.perturbation = wrong; return x
    case var x as BackpropGradientCheck: x.faults = .sigmaPrimeDropped; return x
    case var x as LBFGSQuadraticTerminationCheck: x.perturbation = wrong; return x
    case var x as ScheduleFreeConstantGradientCheck: x.perturbation = wrong; return x
    case var x as MuonNewtonSchulzCheck: x.perturbation = wrong; return x
    default: return nil
    }
}

@Test(arguments: checkIDs)
func everyRegisteredCheckCanFail(_ id: String) throws {
    let variant = try #require(wrongVariant(check(id)), "\(id) has no deliberately wrong variant in the tests")
    expectFails(variant)
}

@Test func momentumChecksCanFail() {
    var unrolling = MomentumUnrollingCheck(); unrolling.perturbation = wrong
    expectFails(unrolling)
    // The wrong reparametrisation: ema with the same lr as sum instead of lr/(1−beta).
    var reparam = MomentumReparametrisationCheck(); reparam.emaLRFactor = 1
    expectFails(reparam)
    var change = MomentumLRChangeCheck(); change.perturbation = wrong
    expectFails(change)
}

@Test func adamBiasCorrectionCanFail() {
    for flavor in [AdamBiasCorrectionCheck.Flavor.textbook, .torch] {
        var c = AdamBiasCorrectionCheck(optimizer: flavor); c.perturbation = wrong
        expectFails(c)
    }
}

@Test func ridgeChecksCanFail() {
    var normal = RidgeNormalEquationsCheck(); normal.solutionPerturbation = wrong
    expectFails(normal)
    // The closed form assuming a 1% different step size predicts a different trajectory.
    var gd = RidgeGradientDescentCheck(problem: .rankDeficient); gd.predictedEtaFactor = 1.01
    expectFails(gd)
}

@Test func weightDecayChecksCanFail() {
    // Shrinking by (1 − ηλ) instead of (1 − 2ηλ): the classic factor-of-two slip.
    var l2 = SGDL2ShrinkCheck(); l2.shrinkFactor = 1
    expectFails(l2)
    for flavor in [DecoupledDecayCheck.Flavor.torch, .textbook] {
        var c = DecoupledDecayCheck(flavor: flavor); c.perturbation = wrong
        expectFails(c)
    }
}

@Test func scheduleChecksCanFail() {
    var cosine = TorchCosineClosedFormCheck(tMax: 25, etaMin: 0.03, baseLR: 0.3, count: 101); cosine.perturbation = wrong
    expectFails(cosine)
    var agree = CosineAgreementCheck(); agree.etaMinFactor = 1.5
    expectFails(agree)
    // total_steps = T + 2 shifts torch's phases by a step: the mapping is exact only at T + 1.
    var onecycle = OneCycleAgreementCheck(); onecycle.totalStepsOffset = 1
    expectFails(onecycle)
}

@Test func missingImplementationIsNotRunNeverPassed() throws {
    let missing = OptimizerUnderTest(convention: "textbook", name: "no_such_optimizer", hyperparameters: [])
    #expect {
        _ = try missing.stepper(Double.self, shapes: [[2]])
    } throws: { e in
        guard let a = e as? CheckAbort else { return false }
        return a.status == .notRun && a.message.hasPrefix("not run: textbook no_such_optimizer is not implemented")
    }
    // Through a check: the outcome of a missing implementation is `not run`, which is not a pass.
    let o = outcome(MomentumUnrollingCheck(), Double.self) {
        _ = try missing.stepper(Double.self, shapes: [[2]])
        return (0, "unreachable")
    }
    #expect(o.status == .notRun && !o.passed && o.maxError == nil)
}

@Test func linearAlgebraHelpers() throws {
    // A = [[4, 2], [2, 3]]: eigenvalues (7 ± √17)/2, Cholesky solve of A·x = [2, 1] is [0.5, 0].
    let A = Matrix<Double>(rows: 2, cols: 2, [4, 2, 2, 3])
    let L = try #require(LinearAlgebra.cholesky(A))
    let x = LinearAlgebra.choleskySolve(L, [2, 1])
    #expect(abs(x[0] - 0.5) < 1e-15 && abs(x[1]) < 1e-15)
    let (values, vectors) = LinearAlgebra.symmetricEigen(A)
    #expect(abs(values[0] - (7 - 17.0.squareRoot()) / 2) < 1e-14)
    #expect(abs(values[1] - (7 + 17.0.squareRoot()) / 2) < 1e-14)
    for i in 0..<2 {   // A·q = λ·q
        let q = [vectors[0, i], vectors[1, i]]
        let aq = A.times(q)
        #expect(abs(aq[0] - values[i] * q[0]) < 1e-14 && abs(aq[1] - values[i] * q[1]) < 1e-14)
    }
    #expect(LinearAlgebra.cholesky(Matrix<Double>(rows: 2, cols: 2, [1, 2, 2, 1])) == nil)   // indefinite
}
