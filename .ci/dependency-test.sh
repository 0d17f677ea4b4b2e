#!/usr/bin/env bash
# Descent as a versioned Swift dependency: copies this working tree into a fresh git repository
# in a temporary folder, tags it 1.0.0, builds a separate package that depends on it with
# `.package(url: "file://…", from: "1.0.0")` (SwiftPM refuses unsafeFlags in such a dependency's
# products) and runs a verification of a torch-convention SGD written in that package, through
# the public API (Descent.verify). Exit status 0 when it builds and every case passes.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d "${TMPDIR:-/tmp}/descent-dependency.XXXXXX")"
trap 'rm -rf "$work"' EXIT

mkdir -p "$work/descent"
(cd "$root" && tar --exclude=.build --exclude="*.tmp-*" -cf - Package.swift Sources Tests fixtures) | tar -xf - -C "$work/descent"
git -C "$work/descent" init -q
git -C "$work/descent" add -A
git -C "$work/descent" -c user.name=descent-ci -c user.email=ci@descent.invalid commit -qm "Descent (working tree)"
git -C "$work/descent" tag 1.0.0

mkdir -p "$work/uses-descent/Sources/UsesDescent"
cat > "$work/uses-descent/Package.swift" <<SWIFT
// swift-tools-version:6.0
import PackageDescription
let package = Package(
    name: "UsesDescent",
    dependencies: [.package(url: "file://$work/descent", from: "1.0.0")],
    targets: [.executableTarget(name: "UsesDescent", dependencies: [.product(name: "DescentKit", package: "descent")])]
)
SWIFT
cat > "$work/uses-descent/Sources/UsesDescent/main.swift" <<'SWIFT'
// A user's own optimizer (torch.optim.SGD's update rule), verified through Descent's API.
import DescentHarness
import DescentJSON
import Foundation

struct Rejected: Error, CustomStringConvertible { var description: String }

struct TorchSGD: VerifiableOptimizer {
    func makeStep(_ r: OptimizerRequest) throws -> OptimizerStep {
        guard r.convention == "torch", r.name == "SGD", r.gradTransforms.isEmpty else { throw DescentUnsupported("torch SGD only") }
        let h = r.hyperparameters
        let lr0 = h["lr"]?.doubleValue ?? 1e-3, mu = h["momentum"]?.doubleValue ?? 0
        let damp = h["dampening"]?.doubleValue ?? 0, wd = h["weight_decay"]?.doubleValue ?? 0
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

let report = try Descent.verify(TorchSGD(), fixtures: [Descent.bundledFixtures + "/torch/SGD.json"], name: "torch-sgd")
print(report.text, terminator: "")
exit(report.passed && report.summary.pass >= 8 ? 0 : 1)
SWIFT

cd "$work/uses-descent"
swift build 2>&1 | tail -3
.build/debug/UsesDescent
