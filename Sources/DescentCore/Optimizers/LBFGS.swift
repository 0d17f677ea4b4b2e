// LBFGS.swift — limited-memory BFGS as torch.optim.LBFGS and optax.lbfgs compute it. All tensors
// are treated as one flat vector x (torch concatenates them the same way). With the m most recent
// pairs sᵢ = x₊ − x, yᵢ = g₊ − g, ρᵢ = 1/(yᵢ·sᵢ) and γ = s·y/y·y of the newest pair, the direction
// is d = −H·g by the two-loop recursion
//
//   q ← g;  for i newest → oldest:  αᵢ = ρᵢ·(sᵢ·q);  q ← q − αᵢ·yᵢ
//   r ← γ·q; for i oldest → newest: βᵢ = ρᵢ·(yᵢ·r);  r ← r + (αᵢ − βᵢ)·sᵢ;   d = −r
//
// and x ← x + t·d with t from a line search (LineSearch.swift) or fixed. The libraries differ in
// the details, all kept here:
//   torch  pairs are stored only when y·s > 1e-10 (curvature check); the first iteration moves
//          t = min(1, 1/‖g‖₁)·lr along −g; later t = lr; up to max_iter iterations and max_eval
//          evaluations per step(), stopping on max|g| ≤ tolerance_grad, g·d > −tolerance_change,
//          max|t·d| ≤ tolerance_change or |Δloss| < tolerance_change. Fixed steps (no line
//          search) re-evaluate the gradient except after the last iteration of a step().
//   optax  one iteration per update; every pair is stored (ρ = 0 when y·s = 0) in a circular
//          memory written at (count − 1) mod m; γ = 1/max(1, ‖g‖) at the first update when
//          scale_init_precond; the direction is scaled by −lr, then the zoom line search from
//          stepsize 1; the value and gradient at the accepted point are reused next update
//          (optax.value_and_grad_from_state), so an update evaluates the objective only in the
//          line search.

public struct LBFGSFamily: OptimizerFamily {
    public enum Form: String, Sendable { case torch, optax }
    public enum TorchLineSearch: String, Sendable { case none, strongWolfe = "strong_wolfe" }

    public var form: Form
    // torch
    public var maxIter = 20
    public var maxEval = 25
    public var toleranceGrad = 1e-7
    public var toleranceChange = 1e-9
    public var lineSearch: TorchLineSearch = .none
    public var maximize = false
    /// torch `history_size` / optax `memory_size`.
    public var history = 100
    // optax
    public var scaleInitPrecond = true
    public var zoom = ZoomLineSearch()

    public init(form: Form) {
        self.form = form
        if form == .optax { history = 10 }
    }

    public var familyName: String { "LBFGS" }
    public var summary: String {
        switch form {
        case .torch:
            return "torch form, history \(history), max_iter \(maxIter), max_eval \(maxEval), line search \(lineSearch.rawValue), "
                + "tolerance_grad \(toleranceGrad), tolerance_change \(toleranceChange)" + (maximize ? ", maximize" : "")
        case .optax:
            return "optax form, memory \(history), scale_init_precond \(scaleInitPrecond), zoom line search (\(zoom.maxSteps) steps, guess 1)"
        }
    }

    @_specialize(where T == Double) @_specialize(where T == Float)
    public func makeStepper<T: DescentFloat>(_: T.Type, shapes: [[Int]], engine: Engine) throws -> StepperBox<T> {
        switch form {
        case .torch: return StepperBox(TorchLBFGSStepper<T>(self, shapes: shapes, engine: engine))
        case .optax: return StepperBox(OptaxLBFGSStepper<T>(self, shapes: shapes, engine: engine))
        }
    }
}

/// The flat view of a list of tensors and the objective over it.
struct FlatObjective<T: DescentFloat> {
    let shapes: [[Int]]
    let objective: Objective<T>
    var evaluations = 0

    static func flatten(_ tensors: [Buffer<T>]) -> Buffer<T> {
        let out = Buffer<T>(zeros: tensors.reduce(0) { $0 + $1.count })
        var o = 0
        for t in tensors {
            for i in 0..<t.count { out.pointer[o + i] = t.pointer[i] }
            o += t.count
        }
        return out
    }

    static func scatter(_ flat: Buffer<T>, into tensors: [Buffer<T>]) {
        var o = 0
        for t in tensors {
            for i in 0..<t.count { t.pointer[i] = flat.pointer[o + i] }
            o += t.count
        }
    }

    /// Loss and flat gradient at the flat point x.
    func callAsFunction(_ x: Buffer<T>) -> (Double, Buffer<T>) {
        let ps = shapes.map { Buffer<T>(zeros: $0.reduce(1, *)) }
        Self.scatter(x, into: ps)
        let (loss, grads) = objective(ps)
        return (loss, Self.flatten(grads))
    }
}

/// The two-loop recursion on `v` in place: v ← H·v for the pairs (s, y, ρ), oldest first, and the
/// initial scale γ. Empty or zero pairs are exact no-ops (optax runs its whole memory).
func lbfgsTwoLoop<T: DescentFloat>(_ v: Buffer<T>, s: [Buffer<T>], y: [Buffer<T>], rho: [Double], gamma: Double,
                                   engine: Engine) {
    var alpha = [Double](repeating: 0, count: s.count)
    for i in s.indices.reversed() {
        alpha[i] = Double(engine.dot(s[i], v)) * rho[i]
        engine.axpy(T(-alpha[i]), y[i], v)
    }
    engine.scal(T(gamma), v)
    for i in s.indices {
        let beta = Double(engine.dot(y[i], v)) * rho[i]
        engine.axpy(T(alpha[i] - beta), s[i], v)
    }
}

private func maxAbs<T: DescentFloat>(_ x: Buffer<T>, scale: Double = 1) -> Double {
    var m = 0.0
    for i in 0..<x.count { m = pyMax(m, abs(Double(x[i]) * scale)) }
    return m
}

// MARK: - torch

final class TorchLBFGSStepper<T: DescentFloat>: Stepper {
    let config: LBFGSFamily
    let shapes: [[Int]]
    let engine: Engine
    // torch's state (global, registered on the first parameter)
    var funcEvals = 0, nIter = 0
    var d: Buffer<T>? = nil
    var t = 0.0
    var oldDirs: [Buffer<T>] = [], oldStps: [Buffer<T>] = [], ro: [Double] = []
    var hDiag = 1.0
    var prevFlatGrad: Buffer<T>? = nil
    var prevLoss = 0.0

    init(_ config: LBFGSFamily, shapes: [[Int]], engine: Engine) {
        self.config = config
        self.shapes = shapes
        self.engine = engine
    }

    var needsObjective: Bool { true }

    func step(params: [Buffer<T>], grads: [Buffer<T>], lr: Double) {
        preconditionFailure("LBFGS evaluates the objective during a step: use step(params:objective:lr:)")
    }

    func step(params: [Buffer<T>], objective: Objective<T>, lr: Double) {
        withoutActuallyEscaping(objective) { step(params, $0, lr) }
    }

    private func step(_ params: [Buffer<T>], _ objective: @escaping Objective<T>, _ lr: Double) {
        let c = config, engine = self.engine
        let flatObjective = FlatObjective(shapes: shapes, objective: objective)
        let evaluate: (Buffer<T>) -> (Double, Buffer<T>) = { x in
            var (loss, g) = flatObjective(x)
            if c.maximize { loss = -loss; engine.scal(T(-1), g) }
            return (loss, g)
        }
        let x = FlatObjective<T>.flatten(params)
        defer { FlatObjective<T>.scatter(x, into: params) }

        var (loss, flatGrad) = evaluate(x)
        var currentEvals = 1
        funcEvals += 1
        var optCond = maxAbs(flatGrad) <= c.toleranceGrad
        if optCond { return }

        var n = 0
        while n < c.maxIter {
            n += 1
            nIter += 1
            // Direction.
            let dir: Buffer<T>
            if nIter == 1 {
                dir = flatGrad.clone(); engine.scal(T(-1), dir)
                oldDirs = []; oldStps = []; ro = []
                hDiag = 1
            } else {
                let y = flatGrad.clone(); engine.axpy(T(-1), prevFlatGrad!, y)
                let s = d!.clone(); engine.scal(T(t), s)
                let ys = Double(engine.dot(y, s))
                if ys > 1e-10 {
                    if oldDirs.count == c.history { oldDirs.removeFirst(); oldStps.removeFirst(); ro.removeFirst() }
                    oldDirs.append(y); oldStps.append(s); ro.append(1.0 / ys)
                    hDiag = ys / Double(engine.dot(y, y))
                }
                dir = flatGrad.clone(); engine.scal(T(-1), dir)
                lbfgsTwoLoop(dir, s: oldStps, y: oldDirs, rho: ro, gamma: hDiag, engine: engine)
            }
            d = dir
            if let p = prevFlatGrad { p.copy(from: flatGrad) } else { prevFlatGrad = flatGrad.clone() }
            prevLoss = loss

            // Step length.
            if nIter == 1 {
                var l1 = T(0)
                for i in 0..<flatGrad.count { l1 += flatGrad[i].magnitude }
                let inv = 1.0 / Double(l1)
                t = pyMin(1.0, inv) * lr
            } else {
                t = lr
            }
            let gtd = Double(engine.dot(flatGrad, dir))
            if gtd > -c.toleranceChange { break }

            var lsEvals = 0
            switch c.lineSearch {
            case .strongWolfe:
                let phi = LineFunction(x: x.clone(), d: dir, engine: engine, evaluate: evaluate)
                let r = TorchStrongWolfe.search(phi, t: t, f: loss, g: flatGrad, gtd: gtd, toleranceChange: 1e-9,
                                                maxLS: c.maxEval - currentEvals)
                (loss, flatGrad, t, lsEvals) = (r.f, r.g, r.t, r.evals)
                engine.axpy(T(t), dir, x)
                optCond = maxAbs(flatGrad) <= c.toleranceGrad
            case .none:
                engine.axpy(T(t), dir, x)
                if n != c.maxIter {
                    (loss, flatGrad) = evaluate(x)
                    optCond = maxAbs(flatGrad) <= c.toleranceGrad
                    lsEvals = 1
                }
            }
            currentEvals += lsEvals
            funcEvals += lsEvals

            if n == c.maxIter { break }
            if currentEvals >= c.maxEval { break }
            if optCond { break }
            if maxAbs(dir, scale: t) <= c.toleranceChange { break }
            if abs(loss - prevLoss) < c.toleranceChange { break }
        }
    }

    var state: [(name: String, buffers: [Buffer<T>])] {
        var out: [(name: String, buffers: [Buffer<T>])] = []
        if let d { out.append(("d", [d])) }
        if let p = prevFlatGrad { out.append(("prev_flat_grad", [p])) }
        if !oldDirs.isEmpty { out.append(("old_dirs", oldDirs)); out.append(("old_stps", oldStps)) }
        return out
    }
}

// MARK: - optax

final class OptaxLBFGSStepper<T: DescentFloat>: Stepper {
    let config: LBFGSFamily
    let shapes: [[Int]]
    let engine: Engine
    // scale_by_lbfgs state
    var count = 0
    let prevParams: Buffer<T>, prevUpdates: Buffer<T>
    let diffParams: [Buffer<T>], diffUpdates: [Buffer<T>]
    var weights: [Double]
    // scale_by_zoom_linesearch state (value and grad at the accepted point; value starts at +∞)
    var value = Double.infinity
    var grad: Buffer<T>

    init(_ config: LBFGSFamily, shapes: [[Int]], engine: Engine) {
        self.config = config
        self.shapes = shapes
        self.engine = engine
        let n = shapes.reduce(0) { $0 + $1.reduce(1, *) }
        prevParams = Buffer(zeros: n); prevUpdates = Buffer(zeros: n)
        diffParams = (0..<config.history).map { _ in Buffer(zeros: n) }
        diffUpdates = (0..<config.history).map { _ in Buffer(zeros: n) }
        weights = [Double](repeating: 0, count: config.history)
        grad = Buffer(zeros: n)
    }

    var needsObjective: Bool { true }

    func step(params: [Buffer<T>], grads: [Buffer<T>], lr: Double) {
        preconditionFailure("lbfgs evaluates the objective during a step: use step(params:objective:lr:)")
    }

    func step(params: [Buffer<T>], objective: Objective<T>, lr: Double) {
        withoutActuallyEscaping(objective) { step(params, $0, lr) }
    }

    private func step(_ params: [Buffer<T>], _ objective: @escaping Objective<T>, _ lr: Double) {
        let m = config.history
        let evaluate = FlatObjective(shapes: shapes, objective: objective)
        let x = FlatObjective<T>.flatten(params)
        // value_and_grad_from_state: reuse the line search's value and gradient when finite.
        var g = grad
        var v = value
        if !v.isFinite { (v, g) = evaluate(x) }

        // scale_by_lbfgs: update the memory, then precondition.
        let memIdx = count % m
        let prevIdx = ((count - 1) % m + m) % m
        let dw = diffParams[prevIdx], du = diffUpdates[prevIdx]
        var gamma = 1.0
        if count > 0 {
            dw.copy(from: x); engine.axpy(T(-1), prevParams, dw)
            du.copy(from: g); engine.axpy(T(-1), prevUpdates, du)
            let vdot = Double(engine.dot(du, dw))
            weights[prevIdx] = vdot == 0 ? 0 : 1 / vdot
            if config.scaleInitPrecond {
                let den = Double(engine.dot(du, du))
                gamma = den > 0 ? vdot / den : 1
            }
        } else {
            dw.fill(0); du.fill(0); weights[prevIdx] = 0
            if config.scaleInitPrecond {
                let norm = Double(engine.norm(g))
                gamma = Swift.min(1.0, 1.0 / norm)
            }
        }
        let order = (0..<m).map { (memIdx + $0) % m }   // oldest first
        let u = g.clone()
        lbfgsTwoLoop(u, s: order.map { diffParams[$0] }, y: order.map { diffUpdates[$0] }, rho: order.map { weights[$0] },
                     gamma: gamma, engine: engine)
        prevParams.copy(from: x); prevUpdates.copy(from: g)
        count += 1

        // scale(−lr), then the zoom line search from stepsize 1.
        engine.scal(T(-lr), u)
        let phi = LineFunction(x: x, d: u, engine: engine, evaluate: { evaluate($0) })
        let r = config.zoom.search(phi, value: v, grad: g, guess: 1.0)
        (value, grad) = (r.value, r.grad)
        engine.axpy(T(r.t), u, x)
        FlatObjective<T>.scatter(x, into: params)
    }

    var state: [(name: String, buffers: [Buffer<T>])] {
        [("diff_params_memory", diffParams), ("diff_updates_memory", diffUpdates), ("grad", [grad])]
    }
}

// MARK: - Saved state (torch's state_dict keys; optax's LBFGS state fields)

extension TorchLBFGSStepper {
    func save() -> StepperState {
        var s = StepperState(buffers: [(name: String, buffers: [Buffer<T>])](),
                             scalars: [("func_evals", Double(funcEvals)), ("n_iter", Double(nIter)), ("t", t), ("H_diag", hDiag),
                                       ("prev_loss", prevLoss)])
        if let d { s.buffers.append(("d", [d.doubles])) }
        if let p = prevFlatGrad { s.buffers.append(("prev_flat_grad", [p.doubles])) }
        s.buffers.append(("old_dirs", oldDirs.map(\.doubles)))
        s.buffers.append(("old_stps", oldStps.map(\.doubles)))
        s.buffers.append(("ro", ro.map { [$0] }))
        return s
    }
    func load(_ saved: StepperState) throws {
        funcEvals = try saved.count("func_evals")
        nIter = try saved.count("n_iter")
        t = try saved.scalar("t")
        hDiag = try saved.scalar("H_diag")
        prevLoss = try saved.scalar("prev_loss")
        d = saved.values("d")?.first.map { Buffer<T>(converting: $0) }
        prevFlatGrad = saved.values("prev_flat_grad")?.first.map { Buffer<T>(converting: $0) }
        oldDirs = (saved.values("old_dirs") ?? []).map { Buffer<T>(converting: $0) }
        oldStps = (saved.values("old_stps") ?? []).map { Buffer<T>(converting: $0) }
        ro = (saved.values("ro") ?? []).map { $0.first ?? 0 }
        guard oldDirs.count == oldStps.count, oldDirs.count == ro.count else {
            throw DescentError.invalidInput(field: "state.old_dirs", message: "old_dirs, old_stps and ro differ in length")
        }
    }
}

extension OptaxLBFGSStepper {
    func save() -> StepperState {
        var s = StepperState(buffers: state, scalars: [("count", Double(count)), ("value", value)])
        s.buffers += [("params", [prevParams.doubles]), ("updates", [prevUpdates.doubles]), ("weights", weights.map { [$0] })]
        return s
    }
    func load(_ saved: StepperState) throws {
        try saved.restore(into: state + [("params", [prevParams]), ("updates", [prevUpdates])])
        count = try saved.count("count")
        value = try saved.scalar("value")
        guard let w = saved.values("weights"), w.count == weights.count else {
            throw DescentError.invalidInput(field: "state.weights", message: "\(weights.count) weights expected")
        }
        weights = w.map { $0.first ?? 0 }
    }
}
