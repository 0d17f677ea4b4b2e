// swift-tools-version:6.0
// Descent: the reference benchmark and conformance suite for optimizers and learning-rate schedules.
// No package dependencies by design: the toolchain, Foundation and the C library only.
import PackageDescription

let package = Package(
    name: "Descent",
    products: [
        .library(name: "DescentKit", targets: ["DescentJSON", "DescentCore", "DescentHarness"]),
        .executable(name: "descent", targets: ["descent"]),
    ],
    targets: [
        // A small exact JSON reader/writer: numbers round-trip to float64, errors carry line and column.
        .target(name: "DescentJSON"),
        // Numerics, engines (naive / vectorized / blas), optimizer families, conventions, schedules.
        .target(name: "DescentCore", dependencies: ["DescentJSON"]),
        // Fixtures, the verifier, closed-form checks, reports, benchmarks.
        .target(name: "DescentHarness", dependencies: ["DescentJSON", "DescentCore"]),
        // The `descent` command.
        .executableTarget(name: "descent", dependencies: ["DescentHarness"]),
        .testTarget(name: "DescentTests", dependencies: ["DescentJSON", "DescentCore", "DescentHarness"]),
    ]
)
