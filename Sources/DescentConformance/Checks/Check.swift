// Check.swift — closed-form checks (`descent check`): mathematical facts about optimizers and
// schedules that need no reference library. Each check runs the REAL Descent implementation
// (through `Conventions`, exactly as a fixture would) on one side, and an independent closed form
// computed here in Double on the other, in float64 and in float32.
//
// A check whose implementation is missing reports `notRun` (never a pass). Every check's tolerance
// is stated and justified in its `proves` text. Measured errors are norm-wise relative:
//   error = max_i |measured_i − predicted_i| / max_i |predicted_i|   (over a whole trajectory)
// unless a check says otherwise, so near-zero elements do not blow the ratio up.
import DescentCore
import DescentJSON
import Foundation

/// What running one check in one precision found.
public struct CheckOutcome: Sendable, Equatable {
    public enum Status: String, Sendable {
        case passed, failed
        /// The implementation under test does not exist (yet): reported as a failure.
        case notRun = "not run"
    }
    public let id: String
    public let dtype: DType
    public let status: Status
    /// The largest error measured (nil when not run).
    public let maxError: Double?
    public let tolerance: Double
    /// One line: what was compared, or why the check failed / did not run.
    public let message: String

    public var passed: Bool { status == .passed }

    public init(id: String, dtype: DType, status: Status, maxError: Double?, tolerance: Double, message: String) {
        self.id = id
        self.dtype = dtype
        self.status = status
        self.maxError = maxError
        self.tolerance = tolerance
        self.message = message
    }
}

/// One mathematical fact, checked against the implementation.
public protocol ClosedFormCheck: Sendable {
    /// Stable identifier, e.g. "momentum/unrolling".
    var id: String { get }
    /// A short title for tables.
    var title: String { get }
    /// What the check proves, how, and why its tolerance is what it is.
    var proves: String { get }
    /// The tolerance on `maxError` in this precision.
    func tolerance(_ dtype: DType) -> Double
    /// Runs the check with the implementation in precision T (closed forms stay in Double).
    func run<T: DescentFloat>(_ type: T.Type) -> CheckOutcome
}

extension ClosedFormCheck {
    /// Runs the check in the given precision.
    public func run(dtype: DType) -> CheckOutcome {
        switch dtype {
        case .float64: return run(Double.self)
        case .float32: return run(Float.self)
        }
    }
}

/// The registered checks.
public enum ClosedFormChecks {
    public static let all: [any ClosedFormCheck] =
        momentumChecks + adamBiasCorrectionChecks + ridgeChecks + weightDecayChecks + scheduleChecks + lionChecks + rpropChecks + lbfgsChecks + scheduleFreeChecks + muonChecks
        + backpropChecks

    /// Runs every check in every requested precision.
    public static func run(_ checks: [any ClosedFormCheck] = all,
                           dtypes: [DType] = DType.allCases) -> [CheckOutcome] {
        checks.flatMap { c in dtypes.map { c.run(dtype: $0) } }
    }
}

// MARK: - Shared machinery for the checks

/// Why a check could not produce a measurement.
package struct CheckAbort: Error {
    package var status: CheckOutcome.Status
    package var message: String
}

/// Builds the outcome of a check body: the body returns (maxError, message) or throws
/// `CheckAbort` / a Descent error (unsupported → not run; anything else → failed).
package func outcome<T: DescentFloat>(_ check: some ClosedFormCheck, _ type: T.Type,
                              _ body: () throws -> (error: Double, message: String)) -> CheckOutcome {
    let tol = check.tolerance(T.dtype)
    do {
        let (err, msg) = try body()
        let ok = err.isFinite && err <= tol
        return CheckOutcome(id: check.id, dtype: T.dtype, status: ok ? .passed : .failed,
                            maxError: err, tolerance: tol,
                            message: ok ? msg : "error \(sci(err)) exceeds tolerance \(sci(tol)): \(msg)")
    } catch let a as CheckAbort {
        return CheckOutcome(id: check.id, dtype: T.dtype, status: a.status, maxError: nil, tolerance: tol, message: a.message)
    } catch {
        return CheckOutcome(id: check.id, dtype: T.dtype, status: .failed, maxError: nil, tolerance: tol,
                            message: "error: \(error)")
    }
}

/// A condition the check's own setup must satisfy for the check to mean anything (e.g. the two
/// forms it contrasts must really differ). Violations fail the check.
package func require(_ condition: Bool, _ message: @autoclosure () -> String) throws {
    if !condition { throw CheckAbort(status: .failed, message: message()) }
}

/// Short scientific notation for messages.

/// An optimizer of the implementation under test, named the way a fixture names it.
package struct OptimizerUnderTest: Sendable {
    package var convention: String
    package var name: String
    package var hyperparameters: [(String, JSON)]

    package init(convention: String, name: String, hyperparameters: [(String, JSON)]) {
        self.convention = convention
        self.name = name
        self.hyperparameters = hyperparameters
    }

    package var label: String { "\(convention) \(name)" }

    /// A stepper of precision T. A missing implementation aborts the check as `notRun`.
    package func stepper<T: DescentFloat>(_ type: T.Type, shapes: [[Int]]) throws -> StepperBox<T> {
        let spec: OptimizerSpec
        do {
            spec = try Conventions.optimizer(convention: convention, name: name,
                                             hyperparameters: .object(hyperparameters))
        } catch let e as DescentError {
            if case .unsupported = e {
                throw CheckAbort(status: .notRun, message: "not run: \(label) is not implemented (\(e))")
            }
            throw CheckAbort(status: .failed, message: "\(label) rejected the check's hyperparameters: \(e)")
        }
        return try spec.family.makeStepper(T.self, shapes: shapes, engine: .naive)
    }
}

/// A schedule of the implementation under test.
package struct ScheduleUnderTest: Sendable {
    package var convention: String
    package var name: String
    package var parameters: [(String, JSON)]
    package var baseLR: Double? = nil

    package var label: String { "\(convention) \(name)" }

    package func values<T: DescentFloat>(_ type: T.Type, count: Int) throws -> [Double] {
        let s: any Schedule
        do {
            s = try Conventions.schedule(convention: convention, name: name, parameters: .object(parameters),
                                         context: ScheduleContext(baseLR: baseLR))
        } catch let e as DescentError {
            if case .unsupported = e {
                throw CheckAbort(status: .notRun, message: "not run: \(label) is not implemented (\(e))")
            }
            throw CheckAbort(status: .failed, message: "\(label) rejected the check's parameters: \(e)")
        }
        let v = try s.values(T.self, count: count).lr.map { Double($0) }
        try require(v.count == count, "\(label) returned \(v.count) values, \(count) asked")
        return v
    }
}

/// Runs an optimizer on one tensor along a fixed (open-loop) gradient sequence and returns the
/// parameters after every step (float64 copies of the T values).
package func trajectory<T: DescentFloat>(_ box: StepperBox<T>, initial: [Double], grads: [[Double]], lrs: [Double]) -> [[Double]] {
    let p = Buffer<T>(converting: initial)
    var out: [[Double]] = []
    for (t, g) in grads.enumerated() {
        box.step([p], [Buffer<T>(converting: g)], lrs[t])
        out.append(p.doubles)
    }
    return out
}

/// Values as the precision T holds them (so closed forms see exactly the stepper's inputs).
package func rounded<T: DescentFloat>(_ v: [Double], to: T.Type) -> [Double] { v.map { Double(T($0)) } }

/// Norm-wise relative error of `measured` against `predicted` (both flattened); `scale` overrides
/// the denominator max|predicted|.
package func relativeError(_ measured: [[Double]], _ predicted: [[Double]], scale: Double? = nil) -> Double {
    let m = measured.flatMap { $0 }, p = predicted.flatMap { $0 }
    guard m.count == p.count else { return .infinity }
    let s = scale ?? max(p.map { abs($0) }.max() ?? 0, .leastNormalMagnitude)
    var e = 0.0
    for (a, b) in zip(m, p) {
        let d = abs(a - b)
        if d.isNaN { return .nan }
        e = max(e, d)
    }
    return e / s
}

/// Tests prove that a check can fail by perturbing the implementation's output before comparison:
/// x ← x + p·max(|x|, 1e-3). Zero (the default) leaves measurements untouched.
package func perturbed(_ x: [[Double]], _ p: Double) -> [[Double]] {
    p == 0 ? x : x.map { $0.map { $0 + p * max(abs($0), 1e-3) } }
}
