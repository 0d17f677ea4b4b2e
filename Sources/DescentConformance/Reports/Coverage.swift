// Coverage.swift — what each library exports (fixtures/data/library-names.txt, listed from the
// libraries themselves by reference/gen_library_names.py) against Descent's registry
// (`Conventions.all`): per library, the names Descent covers, the ones it lists but cannot run
// (`unsupported`, with the entry's own reason) and the ones it lacks, with why. `descent list
// --coverage` prints it; the README's coverage table is that output, checked by CoverageTests.
import DescentCore
import DescentJSON
import Foundation

public struct LibraryCoverage: Sendable {
    public struct Name: Sendable, Equatable {
        public var name: String
        /// nil when Descent runs it; else why not.
        public var reason: String?
    }
    public var library: String
    public var version: String
    /// The library's optimizers, schedules and other exports (wrappers, contrib), each with its
    /// status, in the order of the names file.
    public var optimizers: [Name]
    public var schedules: [Name]
    public var other: [Name]
    /// Registry names of this convention the library does not export (a stale names file or a
    /// misspelt entry; CoverageTests requires none).
    public var unknownToLibrary: [String]
}

public enum Coverage {
    public static let namesFile = "data/library-names.txt"

    /// Why a library name is not covered, where there is more to say than "not implemented yet".
    static let reasons: [String: [String: String]] = [
        "bitsandbytes": bitsandbytesReasons,
        "optax": [
            "contrib.dpsgd": "needs per-example gradients, and draws its noise from jax.random inside the update; a case cannot replay it",
            "contrib.sophia": "its Hessian estimate draws Rademacher vectors from jax.random inside the update",
        ],
        "transformers": [
            "get_adafactor_schedule": "not a schedule: AdafactorSchedule is a proxy that reports transformers.Adafactor's own relative-step lr (which depends on the step and, with scale_parameter, on the parameters' RMS); the Adafactor goldens check that lr inside the trajectory",
            "LayerWiseDummyOptimizer": "a placeholder with no update: the Trainer's layer-wise optimizers step in gradient hooks, and its step() does nothing",
        ],
    ]
    static let notYet = "not implemented yet"

    /// bitsandbytes 0.50.2: its 8-bit classes, the two 32-bit AdEMAMix classes the library cannot
    /// step on the CPU, and LAMB/LARS (an update-norm clip, not a trust ratio).
    static let bitsandbytesReasons: [String: String] = {
        var r: [String: String] = [:]
        for base in ["AdEMAMix", "Adagrad", "Adam", "AdamW", "LAMB", "LARS", "Lion", "RMSprop", "SGD", "PagedAdEMAMix", "PagedAdam", "PagedAdamW", "PagedLion"] {
            r[base + "8bit"] = "8-bit state: every tensor of min_8bit_size (4096) elements or more keeps its moments blockwise quantised (a dynamic quantisation map, an absmax per 256 elements), which Descent does not implement"
        }
        for name in ["AdEMAMix32bit", "PagedAdEMAMix32bit"] {
            r[name] = "fails on the CPU at its first step (bitsandbytes 0.50.2: RuntimeError \"output with shape [] doesn't match the broadcast shape\" at backends/cpu/ops.py:391; the class subclasses Optimizer2State directly and never allocates AdEMAMix's (2, …) state), so there is no golden to check; AdEMAMix(optim_bits=32) is the same update and is covered"
        }
        let clipped = "the update's norm clipped per tensor, u·min(1, max_unorm·‖w‖/‖u‖) (backends/cpu/ops.py:325-341, ‖w‖ taken before the step), not LAMB/LARS's trust ratio; no Descent family has that clipping yet"
        for name in ["LAMB", "LAMB32bit"] {
            r[name] = "Adam's update (its bias_correction, adam_w_mode and amsgrad keywords are never read) with " + clipped
        }
        for name in ["LARS", "LARS32bit"] {
            r[name] = "SGD with momentum (the \"lars\" kernel) with " + clipped
        }
        r["PytorchLARS"] = "a pure-torch LARS (optim/lars.py) with the same update-norm clipping, max_unorm·‖w‖ (not a trust ratio), which no Descent family has yet"
        return r
    }()

    /// The coverage of every library in the names file (under `fixtures`, default the bundled
    /// fixtures), in the registry's convention order.
    public static func compute(fixtures: String = Descent.bundledFixtures) throws -> [LibraryCoverage] {
        let path = fixtures + "/" + namesFile
        guard let data = FileManager.default.contents(atPath: path) else {
            throw DescentError.invalidInput(field: namesFile, message: "\(path): no such file (reference/gen_library_names.py writes it)")
        }
        let doc = try JSON.parse(bytes: [UInt8](data))
        guard let libs = doc["libraries"]?.objectValue else {
            throw DescentError.invalidInput(field: "\(namesFile): libraries", message: "missing or not an object")
        }
        var out: [LibraryCoverage] = []
        for (library, entry) in libs {
            func names(_ key: String) throws -> [String] {
                guard let a = entry[key]?.arrayValue else {
                    throw DescentError.invalidInput(field: "\(namesFile): libraries.\(library).\(key)", message: "missing or not an array")
                }
                return try a.map {
                    guard let s = $0.stringValue else {
                        throw DescentError.invalidInput(field: "\(namesFile): libraries.\(library).\(key)", message: "not a string: \($0)")
                    }
                    return s
                }
            }
            let convention = Conventions.named(library)
            let optimizerStatus = Dictionary(convention?.optimizers.map { ($0.name, $0.unsupportedReason) } ?? [], uniquingKeysWith: { a, _ in a })
            let scheduleStatus = Dictionary(convention?.schedules.map { ($0.name, $0.unsupportedReason) } ?? [], uniquingKeysWith: { a, _ in a })
            let libraryReasons = reasons[library] ?? [:]
            func mark(_ list: [String], _ registry: [String: String?]) -> [LibraryCoverage.Name] {
                list.map { n in
                    // optax.contrib.X is named X in the optax convention (its fixtures call optax.contrib.X).
                    let key = registry[n] != nil ? n : (n.hasPrefix("contrib.") ? String(n.dropFirst(8)) : n)
                    if let s = registry[key] { return .init(name: n, reason: s) }
                    return .init(name: n, reason: libraryReasons[n] ?? notYet)
                }
            }
            let opt = try names("optimizers"), sched = try names("schedules"), other = try names("other")
            let exported = Set(opt + sched + other).union((opt + sched + other).filter { $0.hasPrefix("contrib.") }.map { String($0.dropFirst(8)) })
            let unknown = (convention?.optimizers.map(\.name) ?? []).filter { !exported.contains($0) }
                + (convention?.schedules.map(\.name) ?? []).filter { !exported.contains($0) }
            out.append(LibraryCoverage(
                library: library, version: entry["version"]?.stringValue ?? "?",
                optimizers: mark(opt, optimizerStatus), schedules: mark(sched, scheduleStatus),
                other: mark(other, optimizerStatus.merging(scheduleStatus) { a, _ in a }),
                unknownToLibrary: unknown))
        }
        let order = Conventions.all.map(\.name)
        return out.sorted { (order.firstIndex(of: $0.library) ?? order.count, $0.library) < (order.firstIndex(of: $1.library) ?? order.count, $1.library) }
    }

    /// A table cell names at most this many of one reason's names (the JSON names them all).
    static let maxNamesShown = 12

    /// The README's table: one row per library, then the names not covered with why.
    public static func markdown(_ coverage: [LibraryCoverage]) -> String {
        func count(_ names: [LibraryCoverage.Name]) -> String {
            names.isEmpty ? "—" : "\(names.filter { $0.reason == nil }.count) of \(names.count)"
        }
        var out = "| library | optimizers covered | schedules covered | other covered | not covered, and why |\n"
        out += "|---|---:|---:|---:|---|\n"
        for c in coverage {
            var why: [String: [String]] = [:]
            var order: [String] = []
            for n in c.optimizers + c.schedules + c.other {
                guard let r = n.reason else { continue }
                if why[r] == nil { order.append(r) }
                why[r, default: []].append("`\(n.name)`")
            }
            let missing = order.map { r in
                let names = why[r]!
                let shown = names.count > maxNamesShown ? names.prefix(maxNamesShown - 2).joined(separator: ", ") + " and \(names.count - maxNamesShown + 2) more"
                    : names.joined(separator: ", ")
                return "\(shown): \(r)"
            }.joined(separator: "; ")
            out += "| \(c.library) \(c.version) | \(count(c.optimizers)) | \(count(c.schedules)) | \(count(c.other)) | \(missing.isEmpty ? "everything is covered" : missing) |\n"
        }
        return out
    }

    public static func json(_ coverage: [LibraryCoverage]) -> JSON {
        func names(_ list: [LibraryCoverage.Name]) -> JSON {
            .array(list.map { n in .object([("name", .string(n.name))] + (n.reason.map { [("not_covered", .string($0))] } ?? [])) })
        }
        return .object([("format", .string("descent-coverage/1")), ("libraries", .array(coverage.map { c in
            .object([("library", .string(c.library)), ("version", .string(c.version)), ("optimizers", names(c.optimizers)),
                     ("schedules", names(c.schedules)), ("other", names(c.other))])
        }))])
    }
}
