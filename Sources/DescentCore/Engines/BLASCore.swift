// BLASCore.swift — which OpenBLAS core (kernel set) the `blas` engine asks for.
//
// A DYNAMIC_ARCH OpenBLAS picks its kernels once, when it is loaded, from the CPU's identity. A
// release that predates the CPU does not know it and falls back to an old core: Debian's 0.3.21
// on a recent Intel Xeon with AVX-512 runs its Prescott (SSE3) kernels, 3× slower at GEMM than
// the SkylakeX ones. The library reads OPENBLAS_CORETYPE at load time, so Descent:
//
//   1. OPENBLAS_CORETYPE already set by the user: left alone (the user chose).
//   2. DESCENT_BLAS_CORE=native: left alone (the library's own choice).
//   3. DESCENT_BLAS_CORE=NAME (e.g. Haswell, SkylakeX): NAME is set before loading; a name
//      OpenBLAS does not have, or one whose instructions this CPU lacks (SkylakeX on an AVX2-only
//      CPU dies of SIGILL at the first GEMM), makes `blas` unavailable with the reason, and the
//      `descent` command refuses it (exit status 2).
//   4. DESCENT_BLAS_CORE=auto (the default): the library is loaded, and when the core it reports
//      (openblas_get_corename) belongs to an older instruction set than the CPU's widest
//      (AVX-512 → SkylakeX, AVX2 + FMA → Haswell), it is unloaded and loaded again with
//      OPENBLAS_CORETYPE set to the matching core, then the reported core is checked.
// The variable is set in Descent's own process only for the load and restored after it, so
// child processes (adapters, Python references) see the environment they were given.
// `BLASCore.decide` is the pure choice (CPU features × reported core × environment → core);
// BLASTests checks it. The conformance run of the `blas` implementation is the proof that the
// chosen kernels compute correctly.

/// The choice of OpenBLAS core; see the file header.
public enum BLASCore {
    /// Instruction-set tiers, oldest first.
    public enum Tier: Int, Comparable, Sendable, CustomStringConvertible {
        case sse = 0, avx = 1, avx2 = 2, avx512 = 3
        public static func < (a: Tier, b: Tier) -> Bool { a.rawValue < b.rawValue }
        public var description: String { ["SSE", "AVX", "AVX2", "AVX-512"][rawValue] }
    }

    /// OpenBLAS's x86-64 core names (as openblas_get_corename reports them and OPENBLAS_CORETYPE
    /// takes them) and the instruction set their kernels need.
    public static let cores: [(name: String, tier: Tier)] = [
        ("Prescott", .sse), ("Core2", .sse), ("Penryn", .sse), ("Dunnington", .sse), ("Nehalem", .sse),
        ("Atom", .sse), ("Opteron", .sse), ("Opteron_SSE3", .sse), ("Barcelona", .sse), ("Nano", .sse),
        ("Bobcat", .sse), ("Katmai", .sse), ("Coppermine", .sse), ("Northwood", .sse), ("Banias", .sse),
        ("Athlon", .sse),
        ("Sandybridge", .avx), ("Bulldozer", .avx), ("Piledriver", .avx), ("Steamroller", .avx), ("Excavator", .avx),
        ("Haswell", .avx2), ("Zen", .avx2),
        ("SkylakeX", .avx512), ("CooperLake", .avx512), ("SapphireRapids", .avx512),
    ]

    /// The tier of a core name (case-insensitive), nil for a name not in `cores`.
    public static func tier(ofCore name: String) -> Tier? {
        cores.first { $0.name.lowercased() == name.lowercased() }?.tier
    }

    /// The widest tier the CPU's /proc/cpuinfo flags allow for OpenBLAS's kernels (SkylakeX
    /// needs AVX-512 F, CD, BW, DQ and VL; Haswell AVX2 and FMA).
    public static func tier(cpuFlags f: Set<String>) -> Tier {
        if ["avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl"].allSatisfy(f.contains) { return .avx512 }
        if f.contains("avx2") && f.contains("fma") { return .avx2 }
        if f.contains("avx") { return .avx }
        return .sse
    }

    /// The core to ask for on a CPU of `tier` (nil: nothing better than the library's choice).
    public static func target(for tier: Tier) -> String? {
        switch tier {
        case .avx512: return "SkylakeX"
        case .avx2: return "Haswell"
        case .avx: return "Sandybridge"
        case .sse: return nil
        }
    }

    /// What to do: set OPENBLAS_CORETYPE to `request` (nil: leave the library's choice), and why.
    public struct Decision: Equatable, Sendable {
        public var request: String?
        public var reason: String
        public init(request: String?, reason: String) { self.request = request; self.reason = reason }
    }

    /// A DESCENT_BLAS_CORE value that cannot be used.
    public struct ChoiceError: Error, Equatable, CustomStringConvertible, Sendable {
        public var message: String
        public var description: String { message }
    }

    /// The choice (see the file header). `reported` is the core the library picked by itself
    /// (nil before it has been loaded: then `auto` needs it, and `needsReportedCore` says so).
    public static func decide(cpuFlags: Set<String>, reported: String?, descentBlasCore: String?,
                              openblasCoretype: String?) throws -> Decision {
        if let user = openblasCoretype, !user.isEmpty {
            return Decision(request: nil, reason: "OPENBLAS_CORETYPE=\(user) set by the user")
        }
        let cpu = tier(cpuFlags: cpuFlags)
        let mode = (descentBlasCore ?? "").trimmingCharacters(in: .whitespaces)
        switch mode.lowercased() {
        case "native":
            return Decision(request: nil, reason: "DESCENT_BLAS_CORE=native: the library's own choice")
        case "", "auto":
            guard let reported else { return Decision(request: nil, reason: "auto: the library's core is not known yet") }
            guard let have = tier(ofCore: reported) else {
                return Decision(request: nil, reason: "auto: the library chose \(reported), a core Descent does not know; left alone")
            }
            if have < cpu, let want = target(for: cpu) {
                return Decision(request: want, reason: "auto: the library chose \(reported) (\(have) kernels) on a CPU with \(cpu); asked for \(want)")
            }
            return Decision(request: nil, reason: "auto: the library's own choice \(reported) (\(have) kernels) matches this CPU (\(cpu))")
        default:
            guard let canonical = cores.first(where: { $0.name.lowercased() == mode.lowercased() }) else {
                throw ChoiceError(message: "DESCENT_BLAS_CORE=\(mode): not auto, native or an OpenBLAS core name ("
                                  + cores.filter { $0.tier >= .avx2 }.map(\.name).joined(separator: ", ") + ", …)")
            }
            if canonical.tier > cpu {
                throw ChoiceError(message: "DESCENT_BLAS_CORE=\(canonical.name) needs \(canonical.tier) kernels; this CPU has \(cpu) (auto or native instead)")
            }
            return Decision(request: canonical.name, reason: "DESCENT_BLAS_CORE=\(canonical.name)")
        }
    }

    /// Whether `decide` needs the library's own choice first (auto with no user override).
    public static func needsReportedCore(descentBlasCore: String?, openblasCoretype: String?) -> Bool {
        if let user = openblasCoretype, !user.isEmpty { return false }
        let mode = (descentBlasCore ?? "").trimmingCharacters(in: .whitespaces).lowercased()
        return mode.isEmpty || mode == "auto"
    }
}
