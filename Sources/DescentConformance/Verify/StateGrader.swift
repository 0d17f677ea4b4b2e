// StateGrader.swift — grades `expected_state` (fixtures/FORMAT.md, "expected_state on a step"):
// every name the case gives, per tensor or as one number, at the case's tolerance. Used for
// Descent's implementations (FieldRun.swift) and for an adapter's `state` reply (Adapter.swift).
// The parameters are graded first; a state that differs fails the case, a state the
// implementation does not report makes a passing case `unsupported`.
import DescentCore

package struct StateGrader {
    var cmp: TrajectoryComparer
    var failure: String?
    var unreported: Set<String> = []

    package init(dtype: DType, tolerance: Tolerance, float32Override: Tolerance?) {
        cmp = TrajectoryComparer(dtype: dtype, tolerance: tolerance, float32Override: float32Override, series: 1)
    }

    /// Compares step k's expected state with what `scalar(name)` (a whole-optimizer number) and
    /// `perTensor(name, t)` report (nil: not reported).
    package mutating func grade(step k: Int, tensors n: Int, expected: [(name: String, value: ExpectedStateValue)],
                                scalar: (String) -> Double?, perTensor: (String, Int) -> ExpectedStateValue.PerTensor?) {
        for (name, want) in expected {
            switch want {
            case let .scalar(e):
                var a = scalar(name)
                for t in 0..<n where a == nil {
                    switch perTensor(name, t) {
                    case let .scalar(v)?: a = v
                    case let .values(v)? where v.count == 1: a = v[0]
                    default: break
                    }
                }
                guard let a else { unreported.insert(name); continue }
                compare(k, name, nil, [e], [a])
            case let .perTensor(list):
                for (t, w) in list.enumerated() {
                    let got: ExpectedStateValue.PerTensor? = scalar(name).map { .scalar($0) } ?? perTensor(name, t)
                    switch (w, got) {
                    case (.absent, _): continue
                    case (_, nil): unreported.insert(name)
                    case let (.values(e), .values(a)?) where e.count == a.count: compare(k, name, t, e, a)
                    case let (.scalar(e), .scalar(a)?): compare(k, name, t, [e], [a])
                    case let (.scalar(e), .values(a)?) where a.count == 1: compare(k, name, t, [e], a)
                    case let (.values(e), .scalar(a)?) where e.count == 1: compare(k, name, t, e, [a])
                    default:
                        if failure == nil { failure = "state '\(name)' of tensor \(t) at step \(k) has another form or size than expected" }
                    }
                }
            }
        }
    }

    private mutating func compare(_ k: Int, _ name: String, _ t: Int?, _ e: [Double], _ a: [Double]) {
        let before = cmp.first
        cmp.compare(step: k, series: 0, expected: e, actual: a)
        if before == nil, let f = cmp.first, failure == nil {
            let whose = t.map { " of tensor \($0)" } ?? ""
            failure = "state '\(name)'\(whose) left the golden one at step \(f.step)\(e.count > 1 ? ", index \(f.index)" : ""): expected \(f.expected), got \(f.actual)"
        }
    }

    /// After the parameters were graded into r: a state difference fails the case; state not
    /// reported makes a passing case `unsupported`.
    package func finish(into r: inout CaseResult, who: String) {
        guard r.status == .pass else { return }
        if let failure {
            r.status = .fail
            r.message = failure
        } else if !unreported.isEmpty {
            r.status = .unsupported
            r.message = "the parameters pass, but \(who) does not report the state \(unreported.sorted().map { "'\($0)'" }.joined(separator: ", ")) the case expects"
        }
    }
}
