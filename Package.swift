// swift-tools-version:6.0
// Descent: the reference benchmark and conformance suite for optimizers and learning-rate schedules.
// No package dependencies by design: the toolchain, Foundation and the C library only.
import PackageDescription

// DescentAVX512 compiles the vectorized engine's element-wise loops a second time for AVX-512
// (zmm registers, one vsqrtps/vdivps per 16 floats). Nothing in it runs unless the CPU and the
// kernel report AVX-512F at run time; every other target stays on the baseline x86-64 ISA.
// Elsewhere (arm64) the target builds without flags and installs nothing.
#if arch(x86_64)
let avx512Flags: [SwiftSetting] = [.unsafeFlags(["-Xcc", "-mavx512f", "-O"])]
#else
let avx512Flags: [SwiftSetting] = []
#endif

let package = Package(
    name: "Descent",
    products: [
        .library(name: "DescentKit", targets: ["DescentJSON", "DescentCore", "DescentAVX512", "DescentHarness"]),
        .executable(name: "descent", targets: ["descent"]),
    ],
    targets: [
        // A small exact JSON reader/writer: numbers round-trip to float64, errors carry line and column.
        .target(name: "DescentJSON"),
        // Numerics, engines (naive / vectorized / blas), optimizer families, conventions, schedules.
        .target(name: "DescentCore", dependencies: ["DescentJSON"]),
        // The vectorized loops compiled for AVX-512, installed at run time when the CPU has it.
        .target(name: "DescentAVX512", dependencies: ["DescentCore"], swiftSettings: avx512Flags),
        // Fixtures, the verifier, closed-form checks, reports, benchmarks.
        .target(name: "DescentHarness", dependencies: ["DescentJSON", "DescentCore", "DescentAVX512"]),
        // The `descent` command.
        .executableTarget(name: "descent", dependencies: ["DescentHarness"]),
        .testTarget(name: "DescentTests", dependencies: ["DescentJSON", "DescentCore", "DescentAVX512", "DescentHarness"]),
    ]
)
