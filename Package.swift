// swift-tools-version:6.0
// Descent: the reference benchmark and conformance suite for optimizers and learning-rate schedules.
// No package dependencies by design: the toolchain, Foundation and the C library only.
import PackageDescription

// DescentAVX512 and DescentAVX2 compile the vectorized engine's loops (one shared file) again for
// AVX-512 (zmm: one vsqrtps/vdivps per 16 floats) and AVX2 (ymm: per 8). Nothing in them runs
// unless the CPU reports the instruction set at run time; every other target stays on the
// baseline x86-64 ISA. -O even in debug builds, so the tests check the loops that really run.
// Elsewhere (arm64) the targets build without flags and install nothing.
// SwiftPM refuses unsafeFlags in a versioned dependency's products, so the AVX targets are outside
// DescentKit: only the `descent` command and the tests link them (through DescentVectorLoops) and
// install them at start-up; a package depending on DescentKit runs the baseline-ISA loops.
#if arch(x86_64)
let avx512Flags: [SwiftSetting] = [.unsafeFlags(["-Xcc", "-mavx512f", "-O"])]
let avx2Flags: [SwiftSetting] = [.unsafeFlags(["-Xcc", "-mavx2", "-O"])]
#else
let avx512Flags: [SwiftSetting] = []
let avx2Flags: [SwiftSetting] = []
#endif

let package = Package(
    name: "Descent",
    products: [
        // What a package that depends on Descent gets: `import DescentKit` (the fixtures, the
        // verifier with its gate, the known-wrong variants and diagnosis, the closed-form checks,
        // the reports and the library API, over DescentCore and DescentJSON). No lab or CLI type.
        .library(name: "DescentKit", targets: ["DescentKit", "DescentHarness", "DescentConformance", "DescentCore", "DescentJSON"]),
        .executable(name: "descent", targets: ["descent"]),
    ],
    targets: [
        // A small exact JSON reader/writer: numbers round-trip to float64, errors carry line and column.
        .target(name: "DescentJSON"),
        // Numerics, engines (naive / vectorized / blas), optimizer families, conventions, schedules.
        .target(name: "DescentCore", dependencies: ["DescentJSON"]),
        // The vectorized loops compiled for AVX-512 and for AVX2, installed at run time when the CPU has them.
        .target(name: "DescentAVX512", dependencies: ["DescentCore"], swiftSettings: avx512Flags),
        .target(name: "DescentAVX2", dependencies: ["DescentCore"], swiftSettings: avx2Flags),
        // Chooses the widest loops this CPU runs and installs them (the command and the tests call it).
        .target(name: "DescentVectorLoops", dependencies: ["DescentCore", "DescentAVX512", "DescentAVX2"]),
        // Conformance: fixtures, the verifier and its CI gate, known-wrong variants and diagnosis,
        // closed-form checks, reports, the library API. The DescentKit product.
        .target(name: "DescentConformance", dependencies: ["DescentJSON", "DescentCore"]),
        // `import DescentKit`: DescentConformance, DescentCore and DescentJSON in one import.
        .target(name: "DescentKit", dependencies: ["DescentConformance", "DescentCore", "DescentJSON"]),
        // The module's earlier name: `import DescentHarness` still works (the same three modules).
        .target(name: "DescentHarness", dependencies: ["DescentConformance", "DescentCore", "DescentJSON"]),
        // The lab: training, benchmarks, tuning, the course's claims, plots.
        .target(name: "DescentLab", dependencies: ["DescentJSON", "DescentCore"]),
        // The `descent` command's subcommands: argument parsing, help, exit codes.
        .target(name: "DescentCLI", dependencies: ["DescentJSON", "DescentCore", "DescentConformance", "DescentLab"]),
        // The `descent` command.
        .executableTarget(name: "descent", dependencies: ["DescentCLI", "DescentCore", "DescentVectorLoops"]),
        // What the test suites share (the repository's paths, the built command).
        .target(name: "DescentTestSupport", path: "Tests/DescentTestSupport"),
        .testTarget(name: "DescentTests", dependencies: ["DescentTestSupport", "DescentJSON", "DescentCore", "DescentAVX512", "DescentAVX2", "DescentVectorLoops", "DescentConformance", "DescentLab", "DescentCLI", "DescentKit"],
                    exclude: ["Support/api-surface.txt"]),
    ]
)
