// Command.swift — the registry of `descent`'s commands: each with its name, a one-line abstract
// for the command list, its help text, its options and what it runs. The top-level usage, `descent
// help COMMAND`, `COMMAND --help`, the dispatch and the "did you mean" for a mistyped command or
// mode all come from here.
import DescentLab

package struct Command {
    /// The word after `descent` (or after the parent command, for a mode such as `bench gemm`).
    package var name: String
    /// How the command is called, as shown in the command list: "verify [PATH...]".
    package var synopsis: String
    /// What it does, for the command list.
    package var abstract: String
    /// The full help (`descent help NAME`, `descent NAME --help`); a mode without its own shows its parent's.
    package var usage: String
    /// Options that take a value, and flags (`--help` is always one).
    package var valued: Set<String>
    package var flags: Set<String>
    /// Modes chosen by a first word (`bench gemm`, `tune merge`, `sweep lr`).
    package var modes: [Command]
    /// Whether a mode word is required (`sweep lr`); otherwise the command runs itself without one.
    package var modeRequired: Bool
    /// Runs with the parsed arguments; returns the exit status.
    package var run: (Arguments) throws -> Int32

    package init(_ name: String, synopsis: String, abstract: String, usage: String, valued: Set<String> = [], flags: Set<String> = [],
                 modes: [Command] = [], modeRequired: Bool = false, run: @escaping (Arguments) throws -> Int32) {
        self.name = name
        self.synopsis = synopsis
        self.abstract = abstract
        self.usage = usage
        self.valued = valued
        self.flags = flags.union(["help"])
        self.modes = modes
        self.modeRequired = modeRequired
        self.run = run
    }

    package func mode(_ word: String) -> Command? { modes.first { $0.name == word } }

    /// Parses `argv` with this command's options and runs it; `path` is how it was called
    /// ("bench gemm"), for messages. A first word naming a mode runs that mode.
    package func invoke(_ argv: [String], path: String) throws -> Int32 {
        if let first = argv.first, !first.hasPrefix("-"), !modes.isEmpty {
            if let m = mode(first) { return try m.invoke(Array(argv.dropFirst()), path: path + " " + m.name) }
            throw CommandUsageError(command: path, message: "unknown \(path) mode '\(first)'"
                                    + Suggest.didYouMean(first, among: modes.map(\.name))
                                    + " (modes: \(modes.map(\.name).joined(separator: ", ")))")
        }
        if modeRequired {
            if argv.isEmpty || argv == ["--help"] || argv == ["-h"] { print(usage); return 0 }
            throw CommandUsageError(command: path, message: "`descent \(path)` needs a mode first: "
                                    + modes.map { "`descent \(path) \($0.name)`" }.joined(separator: " or "))
        }
        let a: Arguments
        do { a = try Arguments(argv, valued: valued, flagNames: flags) } catch let e as UsageError {
            throw CommandUsageError(command: path, message: e.message)
        }
        if a.flag("help") { print(usage); return 0 }
        do { return try run(a) } catch let e as UsageError {
            throw CommandUsageError(command: path, message: e.message)
        } catch let e as ConfigurationError {
            throw CommandUsageError(command: path, message: e.message)
        }
    }
}

/// A usage error inside a command: the message, and the command whose help to point to.
package struct CommandUsageError: Error {
    var command: String
    var message: String
}

extension CLI {
    /// Every command, in the order the usage lists them. The main job (no command) is `mainCommand`.
    package static var commands: [Command] {
        [
            Command("verify", synopsis: "verify [PATH...]", abstract: "verify fixture files or folders (default: fixtures/)",
                    usage: verifyUsage, valued: verifyValued, flags: verifyFlags, run: verify),
            Command("check", synopsis: "check", abstract: "run the closed-form checks", usage: checkUsage,
                    valued: ["dtype", "format", "output"], flags: ["verbose"], run: check),
            Command("power", synopsis: "power [PATH...]",
                    abstract: "run the known-wrong variants on the fixtures: which mistakes the fixtures catch (writes results/power.md, power.json)",
                    usage: powerUsage, valued: ["variant", "format", "output", "results"], run: power),
            Command("list", synopsis: "list", abstract: "conventions, optimizers, schedules, implementations, known-wrong variants",
                    usage: listUsage, valued: ["format", "output"], flags: ["coverage"], run: list),
            benchCommand,
            Command("train", synopsis: "train", abstract: "train an MLP on digits / toy data with any optimizer and schedule",
                    usage: trainUsage, valued: trainValued.union(["optimizer", "hp", "schedule", "sp", "warmup"]), flags: ["quiet"], run: train),
            Command("compare", synopsis: "compare", abstract: "several optimizers on the same problem: table and SVG plots",
                    usage: compareUsage, valued: trainValued.union(["run", "plots", "title"]), flags: ["quiet"], run: compare),
            tuneCommand,
            Command("claims", synopsis: "claims [--quick]", abstract: "the course's tuning claims as experiments (results/claims.md)",
                    usage: claimsUsage, valued: ["results", "only", "fixtures"], flags: ["quick", "quiet"], run: claims),
            sweepCommand,
            Command("help", synopsis: "help [COMMAND]", abstract: "this text, or a command's", usage: helpUsage, run: help),
        ]
    }

    package static func command(_ name: String) -> Command? { commands.first { $0.name == name } }

    package static var mainCommand: Command {
        Command("", synopsis: "", abstract: "", usage: usage, valued: ["fixtures", "results"],
                flags: ["verbose", "no-bench", "no-training", "no-claims"], run: mainJob)
    }

    package static let helpUsage = """
    descent help [COMMAND [MODE]]

    Prints the overview (commands, the main job, environment variables), or a command's help
    (the same as `descent COMMAND --help`).
    """

    /// `descent help [COMMAND [MODE]]`.
    package static func help(_ a: Arguments) throws -> Int32 {
        guard let name = a.positional.first else { print(usage); return 0 }
        guard var c = command(name) else {
            throw UsageError(message: "no command '\(name)'" + Suggest.didYouMean(name, among: commands.map(\.name))
                             + " (commands: \(commands.map(\.name).joined(separator: ", ")))")
        }
        for word in a.positional.dropFirst() {
            guard let m = c.mode(word) else {
                throw UsageError(message: "no mode '\(word)' of \(c.name)" + Suggest.didYouMean(word, among: c.modes.map(\.name)))
            }
            c = m
        }
        print(c.usage)
        return 0
    }

    /// The top-level help: the commands (from the registry), the main job, the environment.
    public static var usage: String {
        let rows = [("descent [options]", "the main job (below): verify, check, power, a short bench, a training comparison and the claims")]
            + commands.map { ("descent " + $0.synopsis, $0.abstract) }
        let width = rows.map(\.0.count).max()! + 2
        var list = ""
        for (synopsis, abstract) in rows {
            let lines = wrap(abstract, width: 100 - 2 - width)
            list += "  " + synopsis.padding(toLength: width, withPad: " ", startingAt: 0) + lines[0] + "\n"
            for l in lines.dropFirst() { list += String(repeating: " ", count: 2 + width) + l + "\n" }
        }
        return """
        descent — conformance and benchmark suite for optimizers and learning-rate schedules

        USAGE
        \(list)
        Run `descent COMMAND --help` (or `descent help COMMAND`) for a command's options.

        \(mainUsage)

        \(environmentHelp)

        EXIT STATUS
          0 everything passed, 1 a failure (a case, a check, a variant not caught, a bench regression),
          2 unusable input or usage (a missing path, a bad file, an unknown name or option).
        """
    }

    /// Words of `text` in lines of at most `width` characters.
    package static func wrap(_ text: String, width: Int) -> [String] {
        var lines: [String] = []
        var line = ""
        for w in text.split(separator: " ") {
            if !line.isEmpty && line.count + 1 + w.count > width { lines.append(line); line = "" }
            line += (line.isEmpty ? "" : " ") + w
        }
        return lines + [line]
    }

    package static let environmentHelp = """
    ENVIRONMENT
      DESCENT_BLAS=PATH           the CBLAS shared library the `blas` implementation loads (default: the
                                  first of libopenblas.so.0, libopenblas.so, libcblas.so.3 that loads;
                                  none: `blas` is unavailable and its cases are unsupported)
      DESCENT_BLAS_CORE=auto|native|NAME  the OpenBLAS kernels: auto (default) asks for SkylakeX / Haswell
                                  when the library would run an older core than this CPU's AVX-512 /
                                  AVX2; native leaves the library's choice; NAME (e.g. Haswell) asks
                                  for that core. A user's OPENBLAS_CORETYPE is respected. `descent
                                  bench` records the core that ran
      DESCENT_VECTOR_ISA=ISA      baseline, avx2 or avx512: the instruction set of the vectorized engine's
                                  loops, when this CPU runs it (default: the widest it runs)
      DESCENT_PARALLEL_THRESHOLD=N  one parallel threshold for every vectorized loop (work = elements ×
                                  (1 + state slots)) instead of the measured ones; results do not depend
                                  on it (`descent bench --threshold N` sets it for one run)
      DESCENT_SPIN_US=MICROSECONDS  how long an idle worker thread spins before it sleeps (default 100)
      DESCENT_HUGEPAGES=0         no 2 MiB alignment and MADV_HUGEPAGE for buffers of 2 MiB and more
                                  (default: on), to measure the difference
      Read by reference/adapters/keras_on_torch_example.py (an adapter run by `verify --adapter`):
      DESCENT_PORT_DEFAULTS=torch pass torch's defaults explicitly for what a case leaves out
      DESCENT_PORT_DROP=1         leave out what Keras cannot express instead of answering unsupported
      Read by `swift test` (.ci/run sets the first; it runs the dependency test itself):
      DESCENT_REQUIRE_BLAS=1      the BLAS tests fail, instead of being skipped, when OpenBLAS cannot load
      DESCENT_DEPENDENCY_TEST=1   run the test that builds a separate package depending on Descent
      DESCENT_FUZZ_ITERATIONS=N   mutants per target of the mutation fuzz tests (default 300)
    """
}
