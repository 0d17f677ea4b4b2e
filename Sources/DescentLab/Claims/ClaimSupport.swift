// ClaimSupport.swift — shared pieces of the claims experiments: an optimizer of the registry as a
// stepper, a minimal MLP training loop (for experiments that need a hook between gradient and
// step), lr sweeps and the flatness figure.
import DescentCore
import DescentJSON
import Foundation

package struct ClaimResult {
    package var id: String
    package var claim: String
    package var experiment: String
    package var numbers: [(String, JSON)]
    package var verdict: String
    package var plots: [String]
    package var table: String = ""

    package var json: JSON {
        .object([("id", .string(id)), ("claim", .string(claim)), ("experiment", .string(experiment)),
                 ("numbers", .object(numbers)), ("verdict", .string(verdict)), ("plots", .array(plots.map { .string($0) }))])
    }
}

package enum ClaimKit {
    /// A float64 stepper of a registry optimizer (convention/name with keyword arguments).
    package static func stepper(_ convention: String, _ name: String, _ hp: [(String, JSON)], shapes: [[Int]]) throws -> StepperBox<Double> {
        do {
            let spec = try Conventions.optimizer(convention: convention, name: name, hyperparameters: .object(hp))
            return try spec.family.makeStepper(Double.self, shapes: shapes, engine: .naive)
        } catch let e as DescentError {
            if case .unsupported = e { throw LabInputError(message: "claims: \(convention)/\(name): not implemented (\(e))") }
            throw LabInputError(message: "claims: \(convention)/\(name) rejected the claim's hyperparameters: \(e)")
        }
    }

    /// Minimises f (value, gradient) from x0 with a registry optimizer for `steps` steps; returns
    /// the values f(x_k) for k = 0…steps (NaN once it diverges).
    package static func minimise(_ f: ([Double]) -> (Double, [Double]), x0: [Double], convention: String, name: String,
                         hp: [(String, JSON)], lr: Double, steps: Int, stopBelow: Double? = nil) throws -> [Double] {
        let box = try stepper(convention, name, hp + [("lr", JSON(lr))], shapes: [[x0.count]])
        let p = Buffer<Double>(x0)
        var out: [Double] = []
        for _ in 0..<steps {
            let (v, g) = f(p.array)
            out.append(v)
            if !v.isFinite || v > 1e30 { out.append(.nan); return out }
            if let s = stopBelow, v <= s { return out }
            box.step([p], [Buffer<Double>(g)], lr)
        }
        out.append(f(p.array).0)
        return out
    }

    /// Log-spaced grid from lo to hi with `perDecade` points per decade (both ends included).
    package static func logGrid(_ lo: Double, _ hi: Double, perDecade: Int) -> [Double] {
        let n = Int((log10(hi / lo) * Double(perDecade)).rounded())
        return (0...n).map { lo * pow(10, Double($0) / Double(perDecade)) }
    }

    /// Width in decades of the contiguous lr interval around the best whose loss is within `within`
    /// (default 10 %) of the best: loss ≤ best + within·|best|. The interval's ends are interpolated
    /// (log loss linear in log lr) between the last grid point inside and the first outside; a NaN
    /// (diverged) neighbour ends it at the grid point.
    package static func flatness(lrs: [Double], losses: [Double], within: Double = 0.1) -> (decades: Double, best: Int) {
        guard let b = losses.indices.filter({ losses[$0].isFinite }).min(by: { losses[$0] < losses[$1] }) else { return (.nan, 0) }
        let tol = losses[b] + within * abs(losses[b])
        var lo = b, hi = b
        while lo > 0, losses[lo - 1].isFinite, losses[lo - 1] <= tol { lo -= 1 }
        while hi < losses.count - 1, losses[hi + 1].isFinite, losses[hi + 1] <= tol { hi += 1 }
        func crossing(_ inside: Int, _ outside: Int) -> Double {
            let (li, lo2) = (losses[inside], losses[outside])
            guard lo2.isFinite, li > 0, lo2 > 0, tol > 0, lo2 != li else { return log10(lrs[inside]) }
            let t = (log(tol) - log(li)) / (log(lo2) - log(li))
            return log10(lrs[inside]) + min(max(t, 0), 1) * (log10(lrs[outside]) - log10(lrs[inside]))
        }
        let left = lo > 0 ? crossing(lo, lo - 1) : log10(lrs[lo])
        let right = hi < losses.count - 1 ? crossing(hi, hi + 1) : log10(lrs[hi])
        return (right - left, b)
    }

    package static func digits(_ fixtures: String) throws -> DataSet {
        do { return try DataSets.named("digits", fixtures: fixtures) } catch {
            throw LabInputError(message: "claims: cannot load the digits data from \(fixtures)/data: \(error)")
        }
    }

    /// A float64 training loop on an MLP (same init and batch order for a given seed); `beforeStep`
    /// sees the parameters after the gradient was taken and before the optimizer steps.
    package static func trainMLP(data: DataSet, sizes: [Int], box: StepperBox<Double>, lr: Double, steps: Int, batch: Int, seed: UInt64,
                         beforeStep: (([Buffer<Double>]) -> Void)? = nil) throws -> (params: [Buffer<Double>], testLoss: Double, trainLoss: Double) {
        let spec = try MLPSpec(sizes: sizes, activation: .relu, loss: .crossEntropy)
        let train = try TrainingData<Double>(spec: spec, inputs: data.trainInputs, targets: data.trainTargets, count: data.trainCount)
        let test = try TrainingData<Double>(spec: spec, inputs: data.testInputs, targets: data.testTargets, count: data.testCount)
        let model = MLP<Double>(spec, engine: Engine(.vectorized))
        let params = spec.initialParameters(Double.self, seed: seed)
        let grads = model.makeGradients()
        var order = SplitMix64(seed: seed ^ 0xB47C_0DE5_5EED_0001)
        var batches: [[Int]] = []
        for _ in 0..<steps {
            if batches.isEmpty { batches = order.epochBatches(count: data.trainCount, batchSize: batch).reversed() }
            let rows = batches.removeLast()
            model.lossAndGradients(params: params, data: train, rows: rows, into: grads)
            beforeStep?(params)
            box.step(params, grads, lr)
        }
        return (params, model.evaluate(params: params, data: test).loss, model.evaluate(params: params, data: train).loss)
    }

    /// Least-squares slope of log y against log x.
    package static func logLogSlope(_ x: [Double], _ y: [Double]) -> Double {
        let lx = x.map(log), ly = y.map(log)
        let mx = lx.reduce(0, +) / Double(lx.count), my = ly.reduce(0, +) / Double(ly.count)
        var sxy = 0.0, sxx = 0.0
        for i in lx.indices { sxy += (lx[i] - mx) * (ly[i] - my); sxx += (lx[i] - mx) * (lx[i] - mx) }
        return sxy / sxx
    }

    package static func f(_ v: Double) -> String { TuneReport.fmt(v) }
}
