// LineSearch.swift — the two line searches the L-BFGS family uses, ported operation for operation.
//
// Both search along a direction d from x for a step size t with, for φ(t) = f(x + t·d),
//   sufficient decrease  φ(t) ≤ φ(0) + c₁·t·φ'(0)        (Armijo)
//   small curvature      |φ'(t)| ≤ c₂·|φ'(0)|             (strong Wolfe)
//
// • torch `_strong_wolfe` (torch/optim/lbfgs.py, from minFunc's lswolfe.lua): c₁ 1e-4, c₂ 0.9;
//   bracketing with safeguarded cubic interpolation (steps in [t + 0.01(t − t_prev), 10t]), then a
//   zoom that interpolates cubically inside the bracket, moves a point closer than 10% of the
//   bracket to a boundary back to 10% away when progress was insufficient, and stops when
//   |bracket|·max|d| < tolerance_change. At most max_ls evaluations.
// • optax `zoom_linesearch` (optax/_src/linesearch.py, Nocedal–Wright 3.5/3.6 with Hager–Zhang's
//   approximate Armijo test): errors
//     decrease  = max(0, min(φ(t) − φ(0) − c₁·t·φ'(0),
//                            max(φ'(t) − (2c₁ − 1)·φ'(0), φ(t) − φ(0) − ε_a·|φ(0)|)))   (NaN → ∞)
//     curvature = max(0, |φ'(t)| − c₂·|φ'(0)|)                                           (NaN → ∞)
//   interval search t = guess, 2t, 4t, …; zoom by cubic (3-point, accepted 20% inside), quadratic
//   (10% inside) or bisection; a "safe" step (decrease only) is kept and taken on failure.
//
// Scalars (t, φ, φ') are Double; vectors are flat buffers, combined through engine.dot / axpy.

/// φ and ∇f at x + t·d: the objective restricted to the search line.
struct LineFunction<T: DescentFloat> {
    let x: Buffer<T>
    let d: Buffer<T>
    let engine: Engine
    /// Loss and flat gradient at a flat point.
    let evaluate: (Buffer<T>) -> (Double, Buffer<T>)

    /// (φ(t), ∇f(x + t·d), φ'(t) = ∇f·d); the point is x + t·d element-wise.
    func callAsFunction(_ t: Double) -> (value: Double, grad: Buffer<T>, slope: Double) {
        let p = x.clone()
        engine.axpy(T(t), d, p)
        let (f, g) = evaluate(p)
        return (f, g, Double(engine.dot(g, d)))
    }
}

/// Python's `max(a, b)` / `min(a, b)`: the first argument unless the second compares greater / less.
@inline(__always) func pyMax(_ a: Double, _ b: Double) -> Double { b > a ? b : a }
@inline(__always) func pyMin(_ a: Double, _ b: Double) -> Double { b < a ? b : a }

// MARK: - torch

enum TorchStrongWolfe {
    /// torch's `_cubic_interpolate(x1, f1, g1, x2, f2, g2, bounds)`.
    static func cubicInterpolate(_ x1: Double, _ f1: Double, _ g1: Double, _ x2: Double, _ f2: Double, _ g2: Double,
                                 bounds: (Double, Double)? = nil) -> Double {
        let (xminBound, xmaxBound) = bounds ?? (x1 <= x2 ? (x1, x2) : (x2, x1))
        let d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2)
        let d2Square = d1 * d1 - g1 * g2
        if d2Square >= 0 {
            let d2 = d2Square.squareRoot()
            let minPos = x1 <= x2
                ? x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
                : x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2))
            return pyMin(pyMax(minPos, xminBound), xmaxBound)
        }
        return (xminBound + xmaxBound) / 2.0
    }

    /// torch's `_strong_wolfe`: returns (f, g, t, evaluations).
    static func search<T: DescentFloat>(_ phi: LineFunction<T>, t tInit: Double, f: Double, g: Buffer<T>, gtd: Double,
                                        c1: Double = 1e-4, c2: Double = 0.9, toleranceChange: Double = 1e-9,
                                        maxLS: Int = 25) -> (f: Double, g: Buffer<T>, t: Double, evals: Int) {
        var dNorm = 0.0
        for i in 0..<phi.d.count { dNorm = pyMax(dNorm, Double(phi.d[i].magnitude)) }
        var t = tInit
        var (fNew, gNew, gtdNew) = phi(t)
        var evals = 1

        // Bracketing phase.
        var tPrev = 0.0, fPrev = f, gPrev = g.clone(), gtdPrev = gtd
        var done = false
        var lsIter = 0
        var bracket: [Double] = [], bracketF: [Double] = [], bracketG: [Buffer<T>] = [], bracketGtd: [Double] = []
        while lsIter < maxLS {
            if fNew > f + c1 * t * gtd || (lsIter > 1 && fNew >= fPrev) {
                bracket = [tPrev, t]; bracketF = [fPrev, fNew]; bracketG = [gPrev, gNew]; bracketGtd = [gtdPrev, gtdNew]
                break
            }
            if abs(gtdNew) <= -c2 * gtd {
                bracket = [t]; bracketF = [fNew]; bracketG = [gNew]
                done = true
                break
            }
            if gtdNew >= 0 {
                bracket = [tPrev, t]; bracketF = [fPrev, fNew]; bracketG = [gPrev, gNew]; bracketGtd = [gtdPrev, gtdNew]
                break
            }
            let minStep = t + 0.01 * (t - tPrev)
            let maxStep = t * 10
            let tmp = t
            t = cubicInterpolate(tPrev, fPrev, gtdPrev, t, fNew, gtdNew, bounds: (minStep, maxStep))
            tPrev = tmp; fPrev = fNew; gPrev = gNew; gtdPrev = gtdNew
            (fNew, gNew, gtdNew) = phi(t)
            evals += 1
            lsIter += 1
        }
        if lsIter == maxLS {
            bracket = [0, t]; bracketF = [f, fNew]; bracketG = [g, gNew]
            if bracketGtd.count < 2 { bracketGtd = [gtd, gtdNew] }   // unused: the zoom loop does not run
        }

        // Zoom phase.
        var insufProgress = false
        // One point (done in the bracketing phase): it is the low end, even when its f is NaN (where
        // torch's `bracket_f[0] <= bracket_f[-1]` is False and its index 1 raises; a NaN is data here).
        var (lowPos, highPos) = bracketF.count == 1 || bracketF[0] <= bracketF[bracketF.count - 1] ? (0, 1) : (1, 0)
        while !done && lsIter < maxLS {
            if abs(bracket[1] - bracket[0]) * dNorm < toleranceChange { break }
            t = cubicInterpolate(bracket[0], bracketF[0], bracketGtd[0], bracket[1], bracketF[1], bracketGtd[1])
            let bMax = pyMax(bracket[0], bracket[1]), bMin = pyMin(bracket[0], bracket[1])
            let eps = 0.1 * (bMax - bMin)
            if pyMin(bMax - t, t - bMin) < eps {
                if insufProgress || t >= bMax || t <= bMin {
                    t = abs(t - bMax) < abs(t - bMin) ? bMax - eps : bMin + eps
                    insufProgress = false
                } else {
                    insufProgress = true
                }
            } else {
                insufProgress = false
            }
            (fNew, gNew, gtdNew) = phi(t)
            evals += 1
            lsIter += 1
            if fNew > f + c1 * t * gtd || fNew >= bracketF[lowPos] {
                bracket[highPos] = t; bracketF[highPos] = fNew; bracketG[highPos] = gNew; bracketGtd[highPos] = gtdNew
                (lowPos, highPos) = bracketF[0] <= bracketF[1] ? (0, 1) : (1, 0)
            } else {
                if abs(gtdNew) <= -c2 * gtd {
                    done = true
                } else if gtdNew * (bracket[highPos] - bracket[lowPos]) >= 0 {
                    bracket[highPos] = bracket[lowPos]; bracketF[highPos] = bracketF[lowPos]
                    bracketG[highPos] = bracketG[lowPos]; bracketGtd[highPos] = bracketGtd[lowPos]
                }
                bracket[lowPos] = t; bracketF[lowPos] = fNew; bracketG[lowPos] = gNew; bracketGtd[lowPos] = gtdNew
            }
        }
        return (bracketF[lowPos], bracketG[lowPos], bracket[lowPos], evals)
    }
}

// MARK: - optax

/// optax's `zoom_linesearch` knobs (the defaults `optax.lbfgs` uses: 20 steps, initial guess 1).
public struct ZoomLineSearch: Sendable, Equatable {
    public var maxSteps = 20
    public var maxStepsize: Double? = nil
    public var tol = 0.0
    public var increaseFactor = 2.0
    public var slopeRtol = 1e-4
    public var curvRtol = 0.9
    public var approxDecRtol: Double? = 1e-6
    public var intervalThreshold = 1e-5
    public init() {}

    /// jnp.maximum / jnp.minimum: NaN-propagating.
    @inline(__always) private func nanMax(_ a: Double, _ b: Double) -> Double { a.isNaN || b.isNaN ? .nan : Swift.max(a, b) }
    @inline(__always) private func nanMin(_ a: Double, _ b: Double) -> Double { a.isNaN || b.isNaN ? .nan : Swift.min(a, b) }

    func decreaseError(_ t: Double, _ v: Double, _ s: Double, _ v0: Double, _ s0: Double) -> Double {
        var e = v - v0 - slopeRtol * t * s0
        if let a = approxDecRtol {
            var approx = s - (2 * slopeRtol - 1.0) * s0
            let delta = v - v0 - a * abs(v0)
            approx = nanMax(approx, delta)
            e = nanMin(approx, e)
        }
        e = nanMax(e, 0)
        return e.isNaN ? .infinity : e
    }

    func curvatureError(_ s: Double, _ s0: Double) -> Double {
        let e = nanMax(abs(s) - curvRtol * abs(s0), 0)
        return e.isNaN ? .infinity : e
    }

    /// `_cubicmin(a, fa, fpa, b, fb, c, fc)` (NaN when there is no real critical point).
    static func cubicmin(_ a: Double, _ fa: Double, _ fpa: Double, _ b: Double, _ fb: Double, _ c: Double, _ fc: Double) -> Double {
        let C = fpa
        let db = b - a, dc = c - a
        let denom = (db * dc) * (db * dc) * (db - dc)
        let v0 = fb - fa - C * db, v1 = fc - fa - C * dc
        let A = (dc * dc * v0 + -(db * db) * v1) / denom
        let B = (-(dc * (dc * dc)) * v0 + db * (db * db) * v1) / denom
        let radical = B * B - 3.0 * A * C
        return a + (-B + radical.squareRoot()) / (3.0 * A)
    }

    /// `_quadmin(a, fa, fpa, b, fb)`.
    static func quadmin(_ a: Double, _ fa: Double, _ fpa: Double, _ b: Double, _ fb: Double) -> Double {
        let db = b - a
        let B = (fb - fa - fpa * db) / (db * db)
        return a - fpa / (2.0 * B)
    }

    /// Runs the search from (value, grad) at x along d with the initial guess; returns the step
    /// size and the value and gradient there (the state `value_and_grad_from_state` reuses).
    func search<T: DescentFloat>(_ phi: LineFunction<T>, value: Double, grad: Buffer<T>, guess: Double)
        -> (t: Double, value: Double, grad: Buffer<T>) {
        let s0 = Double(phi.engine.dot(phi.d, grad))
        let v0 = value
        var count = 0
        var stepsize = 0.0, cur = (value: value, grad: grad, slope: s0)
        var decErr = Double.infinity
        var intervalFound = false, done = false, failed = false
        var low = 0.0, vLow = value, sLow = s0, high = 0.0, vHigh = value, sHigh = s0
        var cubicRef = 0.0, vCubicRef = value
        var safeStep = 0.0, safeValue = value, safeGrad = grad

        while !(done || failed) {
            if !intervalFound {
                // _search_interval
                var newStep = count == 0 ? guess : increaseFactor * stepsize
                var maxReached = false
                if let m = maxStepsize { maxReached = newStep >= m; newStep = nanMin(newStep, m) }
                let n = phi(newStep)
                let dec = decreaseError(newStep, n.value, n.slope, v0, s0)
                let err = nanMax(dec, curvatureError(n.slope, s0))
                if dec <= tol { (safeStep, safeValue, safeGrad) = (newStep, n.value, n.grad) }
                let setHigh = dec > 0 || (n.value >= cur.value && count > 0)
                let setLow = n.slope >= 0 && !setHigh
                if setLow {
                    (low, vLow, sLow, high, vHigh, sHigh) = (newStep, n.value, n.slope, stepsize, cur.value, cur.slope)
                } else {
                    (low, vLow, sLow, high, vHigh, sHigh) = (stepsize, cur.value, cur.slope, newStep, n.value, n.slope)
                }
                intervalFound = setHigh || setLow || err <= tol
                done = err <= tol || (maxReached && !intervalFound)
                failed = count + 1 >= maxSteps && !done
                (cubicRef, vCubicRef) = (low, vLow)
                stepsize = newStep; cur = n; decErr = dec
            } else {
                // _zoom_into_interval
                let delta = abs(high - low)
                let left = nanMin(high, low), right = nanMax(high, low)
                let cubicChk = 0.2 * delta, quadChk = 0.1 * delta
                let tooSmall = delta <= intervalThreshold
                let mc = Self.cubicmin(low, vLow, sLow, high, vHigh, cubicRef, vCubicRef)
                let useCubic = mc > left + cubicChk && mc < right - cubicChk
                let mq = Self.quadmin(low, vLow, sLow, high, vHigh)
                let useQuad = !useCubic && (mq > left + quadChk && mq < right - quadChk)
                let middle = useCubic ? mc : useQuad ? mq : (low + high) / 2.0
                let n = phi(middle)
                let dec = decreaseError(middle, n.value, n.slope, v0, s0)
                let err = nanMax(dec, curvatureError(n.slope, s0))
                if dec <= tol && n.value < safeValue { (safeStep, safeValue, safeGrad) = (middle, n.value, n.grad) }
                done = err <= tol
                let setHighToMiddle = dec > 0 || n.value >= vLow
                let setHighToLow = n.slope * (high - low) >= 0 && !setHighToMiddle
                let setLowToMiddle = !setHighToMiddle
                let (oldLow, oldVLow, oldHigh, oldVHigh) = (low, vLow, high, vHigh)
                if setHighToMiddle { (high, vHigh, sHigh) = (middle, n.value, n.slope) }
                if setHighToLow { (high, vHigh, sHigh) = (low, vLow, sLow) }
                if setLowToMiddle { (low, vLow, sLow) = (middle, n.value, n.slope) }
                (cubicRef, vCubicRef) = setHighToMiddle || setHighToLow ? (oldHigh, oldVHigh) : (oldLow, oldVLow)
                failed = (count + 1 >= maxSteps || (tooSmall && safeStep > 0)) && !done
                stepsize = middle; cur = n; decErr = dec
            }
            count += 1
            if failed && (safeStep > 0 || decErr.isInfinite) {
                // _try_safe_step
                stepsize = safeStep
                cur = (safeValue, safeGrad, cur.slope)
            }
        }
        _ = sHigh   // optax keeps slope_high in its state but never reads it
        return (stepsize, cur.value, cur.grad)
    }
}
