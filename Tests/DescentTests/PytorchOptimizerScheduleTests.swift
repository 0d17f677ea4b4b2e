// PytorchOptimizerScheduleTests.swift — pytorch_optimizer's own schedulers (pytorch-optimizer
// 4.1.0, lr_scheduler/): values worked out by hand from the library's formulas, its corners (REX's
// constructor step, the min_lr reset, Chebyshev's fractal order and epoch − 2 index, poly's raw
// step count, proportion's last_lr), and its TypeErrors for missing arguments. The goldens
// themselves run in ScheduleTests (pytorchOptimizerScheduleFixture).
import Foundation
import Testing
import DescentJSON
@testable import DescentCore

private func lrs(_ name: String, _ json: String, base: Double = 0.1, count: Int) throws -> [Double] {
    let s = try Conventions.schedule(convention: "pytorch_optimizer", name: name, parameters: try JSON.parse(json),
                                     context: ScheduleContext(baseLR: base))
    return try s.values(Double.self, count: count).lr
}

private func close(_ a: [Double], _ b: [Double]) -> Bool {
    a.count == b.count && zip(a, b).allSatisfy { Swift.abs($0 - $1) <= 1e-15 + 1e-13 * Swift.abs($1) }
}

@Test func rexCountsItsConstructorStep() throws {
    // min_lr after construction; the k-th step gives f(k) = (1 − k/T)/(1 − k/(2T)), 0 from T = 4 on.
    let f = { (k: Double) in (1 - k / 4) / (1 - k / 8) }
    #expect(close(try lrs("rex", #"{"total_steps": 4}"#, count: 6), [0, f(1), f(2), f(3), 0, 0]))
}

@Test func linearWarmupFamilyByHand() throws {
    // min_lr, then init + (max − init)·t/W for t < W, max at t = W, then each decay; poly's (t − W)^p unnormalized.
    #expect(close(try lrs("linear", #"{"t_max": 4, "max_lr": 1, "min_lr": 0.5, "init_lr": 0.25, "warmup_steps": 2}"#, base: 9, count: 7),
                  [0.5, 0.25, 0.625, 1, 0.75, 0.5, 0.25]))
    #expect(close(try lrs("poly", #"{"t_max": 100, "max_lr": 1, "poly_order": 2}"#, count: 5), [0, 1, 1, 4, 9]))
    let c = try lrs("cosine", #"{"t_max": 2, "max_lr": 1}"#, count: 6)
    #expect(close(c, [0, 1, 0.5, 0, 0.5, 1]))   // back up the cosine past t_max
}

@Test func chebyshevFractalOrder() throws {
    let s = PytorchOptimizerSchedule(name: "chebyshev", lr: .chebyshev(numEpochs: 8, isWarmup: false), baseLR: 1, summary: "")
    var sorted = s
    sorted.mistakes = [.chebyshevSorted]
    let nodes = try sorted.chebyshevTable(8)
    #expect(close(try s.chebyshevTable(8), [0, 7, 3, 4, 1, 6, 2, 5].map { nodes[$0] }))
    // num_epochs 4: four nodes, a permutation of 4 − 2 = 2 of them.
    #expect(try s.chebyshevTable(4).count == 2)
    // epochs 0, 1 and 2 read index 0; past the end the last node holds.
    let v = try lrs("chebyshev", #"{"num_epochs": 8}"#, base: 1, count: 12)
    #expect(v[0] == v[2] && v[3] == nodes[7] && v[11] == nodes[5])
}

@Test func proportionReadsLastLR() throws {
    // Around linear (last_lr = [init_lr] after construction): (lr − 0)/(1 − 0)·(1 − 0.5) + 0.5.
    let v = try lrs("proportion", #"{"lr_scheduler": {"name": "linear", "parameters": {"t_max": 2, "max_lr": 1, "init_lr": 0.2, "warmup_steps": 1}}, "max_lr": 1, "max_value": 1, "min_value": 0.5}"#, count: 4)
    #expect(close(v, [0.6, 0.6, 1, 0.5]))
}

@Test func pytorchOptimizerScheduleErrors() throws {
    func message(_ name: String, _ json: String) -> String? {
        do { _ = try lrs(name, json, count: 6); return nil } catch let e as DescentError {
            switch e {
            case let .invalidHyperparameter(_, m), let .invalidInput(_, m), let .unsupported(m): return m
            }
        } catch { return "\(error)" }
    }
    #expect(message("linear", "{}") == "BaseLinearWarmupScheduler.__init__() missing 2 required positional arguments: 't_max' and 'max_lr'")
    #expect(message("warmup_stable_decay", "{}")
            == "get_wsd_schedule() missing 3 required positional arguments: 'num_warmup_steps', 'num_stable_steps', and 'num_decay_steps'")
    #expect(message("poly", #"{"t_max": 3, "max_lr": 0.1, "poly_order": -0.5}"#) == "poly_order must be positive. -0.5")
    #expect(message("linear", #"{"t_max": 3, "max_lr": 0.1, "min_lr": -1.0}"#) == "min_lr must be positive. (-1.0 > 0)")
    // raised while stepping, as Python does: t_max = warmup_steps divides by zero after the warmup
    #expect(message("cosine", #"{"t_max": 2, "max_lr": 0.1, "warmup_steps": 2}"#)?.hasSuffix("ZeroDivisionError: division by zero") == true)
    #expect(message("linear", #"{"t_max": 2, "max_lr": 0.1, "warmup_steps": 2}"#)?.hasSuffix("ZeroDivisionError: float division by zero") == true)
    #expect(message("chebyshev", #"{"num_epochs": 8, "last_epoch": 3}"#)?.contains("last_epoch other than -1") == true)
}
