// UserSGD.swift — torch.optim.SGD written by a "user" against Descent's public API only (plain
// arrays). LibraryAPITests verifies it in process; .ci/dependency-test.sh copies this file into a
// separate package that depends on Descent by version and verifies it there.
import DescentKit
import DescentJSON

/// torch.optim.SGD written by a "user" (plain arrays), optionally with a deliberate mistake:
/// `ignoresDampening` forgets SGD's dampening (a known-wrong variant Descent names).
struct UserSGD: VerifiableOptimizer {
    var ignoresDampening = false
    struct Rejected: Error, CustomStringConvertible { var description: String }

    func makeStep(_ r: OptimizerRequest) throws -> OptimizerStep {
        guard r.convention == "torch", r.name == "SGD", r.gradTransforms.isEmpty else { throw DescentUnsupported("torch SGD only") }
        let h = r.hyperparameters
        let lr0 = h["lr"]?.doubleValue ?? 1e-3, mu = h["momentum"]?.doubleValue ?? 0
        let damp = ignoresDampening ? 0 : h["dampening"]?.doubleValue ?? 0, wd = h["weight_decay"]?.doubleValue ?? 0
        let nesterov = h["nesterov"]?.boolValue ?? false, maximize = h["maximize"]?.boolValue ?? false
        if lr0 < 0 { throw Rejected(description: "Invalid learning rate: \(lr0)") }
        var buf: [[Double]]? = nil
        return { p, g, stepLR in
            let lr = stepLR ?? lr0
            var d = g
            for t in p.indices { for i in p[t].indices { d[t][i] = (maximize ? -g[t][i] : g[t][i]) + wd * p[t][i] } }
            if mu != 0 {
                if var b = buf {
                    for t in b.indices { for i in b[t].indices { b[t][i] = mu * b[t][i] + (1 - damp) * d[t][i] } }
                    buf = b
                } else {
                    buf = d
                }
                for t in d.indices { for i in d[t].indices { d[t][i] = nesterov ? d[t][i] + mu * buf![t][i] : buf![t][i] } }
            }
            for t in p.indices { for i in p[t].indices { p[t][i] -= lr * d[t][i] } }
        }
    }
}
