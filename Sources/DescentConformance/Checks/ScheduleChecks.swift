// ScheduleChecks.swift — schedules against closed forms, and torch against optax where their
// parameters map onto each other.
//
//   torch CosineAnnealingLR (recursive, chainable form) after k steps:
//     lr_k = eta_min + (base_lr − eta_min)·(1 + cos(π·k/T_max))/2        (for every k, periodic)
//   optax cosine_decay_schedule(init, decay_steps, alpha)(k), k ≤ decay_steps
//     = torch CosineAnnealingLR(T_max = decay_steps, eta_min = alpha·init, base_lr = init)
//   optax cosine_onecycle_schedule(T, peak, pct_start = W/T, div, final_div)(k), k ≤ T
//     = torch OneCycleLR(max_lr = peak, total_steps = T + 1, pct_start = (W + 1)/(T + 1), div, final_div)
//   (optax peaks at step ⌊pct·T⌋ and ends at T; torch at pct·total − 1 and total − 1.)
import DescentCore
import DescentJSON
import Foundation

package let scheduleChecks: [any ClosedFormCheck] = [
    TorchCosineClosedFormCheck(tMax: 25, etaMin: 0.03, baseLR: 0.3, count: 101),
    TorchCosineClosedFormCheck(tMax: 7, etaMin: 0, baseLR: 1, count: 50),
    CosineAgreementCheck(),
    OneCycleAgreementCheck(),
]

/// Compares two schedules' value lists (or one with a closed form), norm-wise relative.
package func scheduleError(_ measured: [Double], _ predicted: [Double], perturbation: Double) -> Double {
    relativeError(perturbed([measured], perturbation), [predicted])
}

/// torch's recursive CosineAnnealingLR equals its closed form.
package struct TorchCosineClosedFormCheck: ClosedFormCheck {
    package var tMax: Int
    package var etaMin: Double
    package var baseLR: Double
    package var count: Int
    package var perturbation = 0.0

    package var id: String { "schedule/torch-cosine-closed-form/T\(tMax)" }
    package var title: String { "torch CosineAnnealingLR (recursive) = eta_min + (base−eta_min)(1+cos(πk/T_max))/2" }
    package var proves: String {
        """
        Runs torch CosineAnnealingLR(T_max=\(tMax), eta_min=\(etaMin)) with base_lr \(baseLR) for \
        \(count - 1) steps (several half-periods: torch's recursion keeps going past T_max, through \
        its special case at (k − 1 − T_max) mod 2T_max = 0) and compares each lr with the closed \
        form eta_min + (base_lr − eta_min)(1 + cos(πk/T_max))/2. Error: max |Δlr| / base_lr. \
        Tolerance: float64 1e-12 (the recursion multiplies \(count) ratios; its rounding errors \
        add up linearly, ~1e-14 here); float32 max(1e-5, 4·count·u₃₂) = \(sci(float32Tolerance)) \
        (u₃₂ = 2⁻²⁴ ≈ 6e-8: about four roundings per recursive step — the cosine ratio, the \
        subtraction, the product, the addition — accumulating over \(count) steps; the recursion \
        neither damps nor amplifies them relative to base_lr).
        """
    }
    package var float32Tolerance: Double { max(1e-5, 4 * Double(count) * Double(Float.ulpOfOne) / 2) }
    package func tolerance(_ dtype: DType) -> Double { dtype == .float64 ? 1e-12 : float32Tolerance }

    package func run<T: DescentFloat>(_ type: T.Type) -> CheckOutcome {
        outcome(self, T.self) {
            let s = ScheduleUnderTest(convention: "torch", name: "CosineAnnealingLR",
                                      parameters: [("T_max", JSON(tMax)), ("eta_min", JSON(etaMin))], baseLR: baseLR)
            let measured = try s.values(T.self, count: count)
            let predicted = (0..<count).map { k in
                etaMin + (baseLR - etaMin) * (1 + cos(Double.pi * Double(k) / Double(tMax))) / 2
            }
            let e = relativeError(perturbed([measured], perturbation), [predicted], scale: baseLR)
            return (e, "\(count) values match the closed form to \(sci(e)) of base_lr")
        }
    }
}

/// optax cosine_decay_schedule ≡ torch CosineAnnealingLR over 0…decay_steps.
package struct CosineAgreementCheck: ClosedFormCheck {
    package var initValue = 0.3
    package var decaySteps = 25
    package var alpha = 0.1
    /// Tests only: the eta_min handed to torch is alpha·init·etaMinFactor (1 is the right mapping).
    package var etaMinFactor = 1.0
    package var perturbation = 0.0

    package var id: String { "schedule/optax-torch-cosine" }
    package var title: String { "optax cosine_decay_schedule ≡ torch CosineAnnealingLR (eta_min = alpha·init)" }
    package var proves: String {
        """
        optax cosine_decay_schedule(init_value=\(initValue), decay_steps=\(decaySteps), \
        alpha=\(alpha))(k) and torch CosineAnnealingLR(T_max=\(decaySteps), eta_min=alpha·init) \
        with base_lr = init after k steps agree for k = 0…\(decaySteps) (beyond, optax holds while \
        torch rises again), and both equal the closed form \
        init·((1 − alpha)(1 + cos(πk/decay_steps))/2 + alpha). Error: max |Δlr| / max lr over both \
        comparisons. Tolerance: float64 1e-12, float32 1e-5 (each side is a few dozen float \
        operations per value).
        """
    }
    package func tolerance(_ dtype: DType) -> Double { dtype == .float64 ? 1e-12 : 1e-5 }

    package func run<T: DescentFloat>(_ type: T.Type) -> CheckOutcome {
        outcome(self, T.self) {
            let n = decaySteps + 1
            let optax = ScheduleUnderTest(convention: "optax", name: "cosine_decay_schedule", parameters: [
                ("init_value", JSON(initValue)), ("decay_steps", JSON(decaySteps)), ("alpha", JSON(alpha))])
            let torch = ScheduleUnderTest(convention: "torch", name: "CosineAnnealingLR", parameters: [
                ("T_max", JSON(decaySteps)), ("eta_min", JSON(alpha * initValue * etaMinFactor))], baseLR: initValue)
            let (o, t) = try bothSchedules(T.self, optax, torch, count: n)
            let closed = (0..<n).map { k in
                initValue * ((1 - alpha) * (1 + cos(Double.pi * Double(k) / Double(decaySteps))) / 2 + alpha)
            }
            let eOT = scheduleError(t, o, perturbation: perturbation)
            let eOC = scheduleError(o, closed, perturbation: 0)
            return (max(eOT, eOC), "torch vs optax \(sci(eOT)), optax vs closed form \(sci(eOC)) over k = 0…\(decaySteps)")
        }
    }
}

/// optax cosine_onecycle_schedule ≡ torch OneCycleLR (cos, two phases) under the index mapping.
package struct OneCycleAgreementCheck: ClosedFormCheck {
    package var transitionSteps = 40
    package var warmup = 12
    package var peak = 0.5
    package var divFactor = 25.0
    package var finalDivFactor = 1e4
    /// Tests only: torch's total_steps = T + 1 + totalStepsOffset (0 is the right mapping).
    package var totalStepsOffset = 0
    package var perturbation = 0.0

    package var id: String { "schedule/optax-torch-onecycle" }
    package var title: String { "optax cosine_onecycle_schedule ≡ torch OneCycleLR (total = T+1, pct = (W+1)/(T+1))" }
    package var proves: String {
        """
        optax cosine_onecycle_schedule(transition_steps=T=\(transitionSteps), peak_value=\(peak), \
        pct_start=\(warmup)/\(transitionSteps), div_factor=\(divFactor), \
        final_div_factor=\(finalDivFactor)) peaks at step ⌊pct·T⌋ = W and ends at T; torch \
        OneCycleLR peaks at pct·total − 1 and ends at total − 1, so with max_lr = peak, \
        total_steps = T + 1 and pct_start = (W + 1)/(T + 1) (anneal_strategy cos, two phases, same \
        div factors) the two agree at every k = 0…T. Error: max |Δlr| / peak. Tolerance: float64 \
        1e-12, float32 1e-5 (a cosine interpolation per value; torch's pct_start·total − 1 is W \
        only up to one rounding).
        """
    }
    package func tolerance(_ dtype: DType) -> Double { dtype == .float64 ? 1e-12 : 1e-5 }

    package func run<T: DescentFloat>(_ type: T.Type) -> CheckOutcome {
        outcome(self, T.self) {
            let n = transitionSteps + 1
            let optax = ScheduleUnderTest(convention: "optax", name: "cosine_onecycle_schedule", parameters: [
                ("transition_steps", JSON(transitionSteps)), ("peak_value", JSON(peak)),
                ("pct_start", JSON(Double(warmup) / Double(transitionSteps))), ("div_factor", JSON(divFactor)),
                ("final_div_factor", JSON(finalDivFactor))])
            let total = transitionSteps + 1 + totalStepsOffset
            let torch = ScheduleUnderTest(convention: "torch", name: "OneCycleLR", parameters: [
                ("max_lr", JSON(peak)), ("total_steps", JSON(total)),
                ("pct_start", JSON(Double(warmup + 1) / Double(total))),
                ("div_factor", JSON(divFactor)), ("final_div_factor", JSON(finalDivFactor))], baseLR: peak / divFactor)
            let (o, t) = try bothSchedules(T.self, optax, torch, count: n)
            let e = relativeError(perturbed([t], perturbation), [o], scale: peak)
            return (e, "torch vs optax over k = 0…\(transitionSteps): \(sci(e)) of peak (peak at k = \(warmup): "
                    + "optax \(o[warmup]), torch \(t[warmup]))")
        }
    }
}

/// Both schedules' values, reporting every missing implementation at once.
package func bothSchedules<T: DescentFloat>(_ type: T.Type, _ a: ScheduleUnderTest, _ b: ScheduleUnderTest,
                                    count: Int) throws -> ([Double], [Double]) {
    var missing: [String] = []
    var va: [Double] = [], vb: [Double] = []
    do { va = try a.values(T.self, count: count) } catch let x as CheckAbort where x.status == .notRun { missing.append(a.label) }
    do { vb = try b.values(T.self, count: count) } catch let x as CheckAbort where x.status == .notRun { missing.append(b.label) }
    if !missing.isEmpty {
        throw CheckAbort(status: .notRun, message: "not run: \(missing.joined(separator: ", ")) not implemented")
    }
    return (va, vb)
}
