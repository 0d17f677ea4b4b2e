// Result.swift — the outcome of one (case, implementation, dtype) run.
import DescentCore

public enum Status: String, Sendable, CaseIterable {
    case pass, fail, unsupported, error
}

/// Where a trajectory first left the golden one.
public struct FirstFailure: Sendable, Equatable {
    /// Index into the case's `steps` (optimizer) or `expected_lr` (schedule), from 0.
    public var step: Int
    /// Tensor index (optimizer); 0 = lr, 1 = momentum (schedule).
    public var tensor: Int
    /// Flat (row-major) element index within the tensor.
    public var index: Int
    public var expected: Double
    public var actual: Double
}

public struct CaseResult: Sendable {
    public var file: String
    public var id: String
    public var kind: String
    public var convention: String
    public var name: String
    public var implementation: String
    public var dtype: DType
    public var status: Status
    public var maxAbsError: Double?
    public var maxRelError: Double?
    /// Largest error in units in the last place of the evaluation's precision.
    public var maxULPs: Double?
    public var message: String
    public var firstFailure: FirstFailure?
    /// For each tensor (or lr / momentum series), the first step where it left tolerance.
    public var firstDivergingStep: [Int?]
    /// What actually ran: implementation, family and its knobs, the concrete stepper type.
    public var ran: String
    /// The tolerance applied (after the float32 policy).
    public var tolerance: Tolerance?
    /// What the implementation produced: [step][tensor] values (schedules: [k][0] = [lr],
    /// [k][1] = [momentum]). Kept for failing cases only (diagnosis), else empty.
    public var trajectory: [[[Double]]] = []
    /// Known-wrong variants whose trajectory this failing result reproduces (diagnosis).
    public var diagnosis: [String] = []
    /// An argument-validation case (`expected_error`): counted in its own bucket.
    public var validation = false
    /// A validation case: whether the implementation rejected the arguments at all (its wording
    /// is graded by `status`: a pass means it rejected them with the library's wording). nil for
    /// trajectory cases, and where the run never got that far (an adapter fault).
    public var rejected: Bool?
    /// A validation case rejected with the library's wording (`status == .pass`).
    public var withLibraryWording: Bool { validation && status == .pass }
    /// The case's `features` tags (fixtures/FORMAT.md, "Field features").
    public var features: [String] = []
    /// A low-precision case: the storage format it ran in (`dtype` is then float32, the
    /// arithmetic), and the one `maxULPs` is counted in.
    public var storage: StorageFormat? = nil
    /// The precision the run is reported under: the storage format, else the dtype.
    public var precisionName: String { storage?.rawValue ?? dtype.rawValue }

    public init(file: String, id: String, kind: String, convention: String, name: String, implementation: String,
                dtype: DType, status: Status, message: String) {
        self.file = file
        self.id = id
        self.kind = kind
        self.convention = convention
        self.name = name
        self.implementation = implementation
        self.dtype = dtype
        self.status = status
        self.message = message
        self.maxAbsError = nil
        self.maxRelError = nil
        self.maxULPs = nil
        self.firstFailure = nil
        self.firstDivergingStep = []
        self.ran = ""
        self.tolerance = nil
    }
}

/// The counts of a run, in the one vocabulary of every report: pass, fail, error, unsupported for
/// the trajectory cases, and the same four for the argument-validation (`expected_error`) cases,
/// counted apart so that a library that words its errors differently is not swamped by them.
public struct Summary: Sendable, Equatable {
    public var pass = 0, fail = 0, unsupported = 0, error = 0
    /// The validation cases' own counts (zero when there are none, or with --no-validation).
    public var validationPass = 0, validationFail = 0, validationUnsupported = 0, validationError = 0
    public init() {}
    public init<S: Sequence>(_ results: S) where S.Element == CaseResult {
        for r in results { add(r.status, validation: r.validation) }
    }
    public mutating func add(_ s: Status, validation: Bool = false) {
        switch (s, validation) {
        case (.pass, false): pass += 1
        case (.fail, false): fail += 1
        case (.unsupported, false): unsupported += 1
        case (.error, false): error += 1
        case (.pass, true): validationPass += 1
        case (.fail, true): validationFail += 1
        case (.unsupported, true): validationUnsupported += 1
        case (.error, true): validationError += 1
        }
    }
    public var validationTotal: Int { validationPass + validationFail + validationUnsupported + validationError }
    public var total: Int { pass + fail + unsupported + error + validationTotal }
    /// The closing line's three numbers (both buckets): passed = pass; failed = fail + error;
    /// skipped = unsupported.
    public var passed: Int { pass + validationPass }
    public var failed: Int { fail + error + validationFail + validationError }
    public var skipped: Int { unsupported + validationUnsupported }
    /// The closing line of text output (the form CI systems read): failed counts fail and error,
    /// skipped counts unsupported, over trajectory and validation cases alike.
    public var line: String { "\(passed) passed, \(failed) failed, \(skipped) skipped" }
    /// The full counts in the JSON summary's words, one line.
    public var countsLine: String {
        var s = "pass \(pass), fail \(fail), error \(error), unsupported \(unsupported)"
        if validationTotal > 0 {
            s += "; validation: pass \(validationPass), fail \(validationFail), error \(validationError), unsupported \(validationUnsupported)"
        }
        return s
    }
}
