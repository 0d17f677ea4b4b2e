#!/usr/bin/env bash
# Descent as a versioned Swift dependency: copies this working tree into a fresh git repository
# in a temporary folder, tags it 1.0.0, builds a separate package that depends on it with
# `.package(url: "file://…", from: "1.0.0")` (SwiftPM refuses unsafeFlags in such a dependency's
# products) and runs a verification of a torch-convention SGD written in that package, through
# the public API (Descent.verify): Tests/DescentTests/UserSGD.swift, copied in. Exit status 0 when it
# builds and every case passes.
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
# The user's optimizer is the one LibraryAPITests verifies in process (public API only).
cp "$root/Tests/DescentTests/UserSGD.swift" "$work/uses-descent/Sources/UsesDescent/UserSGD.swift"
cat > "$work/uses-descent/Sources/UsesDescent/main.swift" <<'SWIFT'
// A user's own optimizer (torch.optim.SGD's update rule, UserSGD.swift), verified through Descent's API.
import DescentKit
import Foundation

let report = try Descent.verify(UserSGD(), fixtures: [Descent.bundledFixtures + "/torch/SGD.json"], name: "torch-sgd")
print(report.text, terminator: "")
exit(report.passed && report.summary.pass >= 8 ? 0 : 1)
SWIFT

cd "$work/uses-descent"
swift build 2>&1 | tail -3
.build/debug/UsesDescent
