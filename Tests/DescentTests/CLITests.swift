// CLITests.swift — the `descent` command as a new user meets it: the command registry (one list
// for the usage, `help COMMAND` and the dispatch), every option in its command's help, the main
// job's help and the environment variables, "did you mean" for mistyped names, the report format
// from --output's extension, bench's and tune's explicit modes (and their older spellings), the
// one fixture loader, and the main job leaving the committed results as they were.
import Foundation
import Testing
import DescentTestSupport
@testable import DescentConformance
@testable import DescentCore
@testable import DescentLab
@testable import DescentCLI
import DescentJSON


/// The message of the usage error `body` throws ("" if none).
private func usageMessage(_ body: () throws -> Void) -> String {
    do { try body() } catch let e as UsageError { return e.message } catch let e as CommandUsageError { return e.message } catch let e as CLI.InputError {
        return e.message
    } catch let e as ConfigurationError { return e.message } catch { return "\(error)" }
    return ""
}

@Suite struct CommandRegistryTests {
    /// Every command and mode of the registry.
    static var everyCommand: [Command] { CLI.commands + CLI.commands.flatMap(\.modes) + [CLI.mainCommand] }

    @Test func theUsageAndHelpComeFromTheRegistry() {
        for c in CLI.commands {
            #expect(CLI.usage.contains("descent " + c.synopsis), "\(c.name) is not in the usage")
            #expect(CLI.command(c.name)?.usage == c.usage)
            #expect(CLI.main(["help", c.name]) == 0)
        }
        #expect(CLI.main(["help", "bench", "gemm"]) == 0)
        #expect(CLI.main(["help", "nosuch"]) == 2)
        #expect(CLI.main(["bench", "gemm", "--help"]) == 0 && CLI.main(["tune", "merge", "--help"]) == 0)
        #expect(Set(CLI.commands.map(\.name)).count == CLI.commands.count)
    }

    @Test func everyOptionIsInItsCommandsHelp() {
        for c in Self.everyCommand {
            // compare and sweep take `descent train`'s model, data and training options, and say so.
            let usage = c.usage + (c.usage.contains("descent train") && c.name != "train" ? CLI.trainUsage : "")
            for o in c.valued.union(c.flags) where o != "help" {
                #expect(usage.contains("--\(o)"), "`\(c.synopsis)` takes --\(o), which its help does not mention")
            }
        }
    }

    @Test func theMainJobsHelpSaysWhatItDoesAndWrites() {
        let help = CLI.usage
        for s in ["--no-bench", "--no-training", "--no-claims", "--fixtures DIR", "--results DIR",
                  "results/conformance.md", "results/local/conformance.json", "results/power.md", "power.json",
                  "results/local/bench-short.md", "results/local/training.md", "training-loss.svg", "results/local/claims.md", "claims-*.svg"] {
            #expect(help.contains(s), "the main job's help does not mention \(s)")
        }
        #expect(help.contains("leave out step 3, the short benchmark") && help.contains("leave out step 5, the quick claims"))
    }

    @Test func everyEnvironmentVariableIsInTheHelp() throws {
        // Every DESCENT_ variable the sources and the tests read, and the Keras porting adapter's.
        var names: Set<String> = ["DESCENT_PORT_DEFAULTS", "DESCENT_PORT_DROP"]
        for folder in ["Sources", "Tests/DescentTests"] {
            let base = repositoryRoot.appendingPathComponent(folder)
            for case let path as String in FileManager.default.enumerator(atPath: base.path) ?? FileManager.DirectoryEnumerator() where path.hasSuffix(".swift") {
                let text = try String(contentsOf: base.appendingPathComponent(path), encoding: .utf8)
                let re = try NSRegularExpression(pattern: #"environment\["(DESCENT_[A-Z_]+)"\]"#)
                for m in re.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                    names.insert(String(text[Range(m.range(at: 1), in: text)!]))
                }
            }
        }
        #expect(names.isSuperset(of: ["DESCENT_BLAS", "DESCENT_SPIN_US", "DESCENT_HUGEPAGES", "DESCENT_PARALLEL_THRESHOLD",
                                      "DESCENT_REQUIRE_BLAS", "DESCENT_DEPENDENCY_TEST", "DESCENT_VECTOR_ISA"]), "\(names.sorted())")
        let env = try #require(CLI.usage.range(of: "ENVIRONMENT").map { String(CLI.usage[$0.lowerBound...]) })
        for n in names { #expect(env.contains(n), "\(n) is not in the ENVIRONMENT section") }
    }

    @Test func tuneAndBenchHelpDescribeTheirOptions() {
        #expect(CLI.tuneUsage.contains("--steps-per-trial N") && CLI.tuneUsage.contains("--train-seed S"))
        for i in Implementations.all { #expect(CLI.benchUsage.contains(i.name), "bench --help omits \(i.name)") }
        #expect(CLI.benchUsage.contains("vectorized-portable"))
    }
}

@Suite struct SuggestionTests {
    @Test func theNearestNameWhenItIsNear() {
        #expect(Suggest.distance("Adma", "Adam") == 1)   // a swap is one edit
        #expect(Suggest.nearest("Adma", among: ["AdamW", "Adam", "Adagrad"]) == "Adam")
        #expect(Suggest.nearest("trainig", among: ["optimizers", "training", "gemm"]) == "training")
        #expect(Suggest.nearest("frobnicate", among: CLI.commands.map(\.name)) == nil)
        #expect(Suggest.nearest("ab", among: ["xy"]) == nil)
    }

    @Test func mistypedNamesGetADidYouMean() throws {
        #expect(CLI.unknownCommand("verfy").message == "unknown command 'verfy' (did you mean 'verify'?)")
        #expect(CLI.unknownCommand("frobnicate").message == "unknown command 'frobnicate'")
        #expect(CLI.main(["verfy"]) == 2)
        #expect(usageMessage { _ = try Arguments(["--formt", "json"], valued: ["format", "output"], flagNames: ["help"]) }
                    == "unknown option --formt (did you mean '--format'?)")
        let dtype = try Arguments(["--dtype", "foat32"], valued: ["dtype"], flagNames: [])
        #expect(usageMessage { _ = try CLI.selectedDTypes(dtype) }.hasSuffix("got 'foat32' (did you mean 'float32'?)"))
        let impl = try Arguments(["--implementation", "vectorised"], valued: ["implementation"], flagNames: [])
        #expect(usageMessage { _ = try CLI.selectedImplementations(impl) }.hasPrefix("unknown implementation 'vectorised' (did you mean 'vectorized'?)"))
        let wrong = try Arguments(["--implementation", "wrong:adam-no-bias-corection"], valued: ["implementation"], flagNames: [])
        #expect(usageMessage { _ = try CLI.selectedImplementations(wrong) }.contains("(did you mean 'wrong:adam-no-bias-correction'?)"))
        let variant = try Arguments(["--variant", "adam-no-bias-corection"], valued: ["variant"], flagNames: [])
        #expect(usageMessage { _ = try CLI.power(variant) }.contains("(did you mean 'adam-no-bias-correction'?)"))
        let bench = try #require(CLI.command("bench"))
        #expect(usageMessage { _ = try bench.invoke(["trainig"], path: "bench") }.contains("(did you mean 'training'?)"))
        #expect(usageMessage { _ = try CLI.help(try Arguments(["bnch"], valued: [], flagNames: [])) }.contains("(did you mean 'bench'?)"))
        #expect(usageMessage { _ = try CLI.benchOptimizer("torch/SGD+momentun") }.contains("torch/SGD+momentum"))
        // The training options' own checks (TrainConfig, Trainer) suggest too.
        let train = try Arguments(["--dtype", "foat32"], valued: CLI.trainValued, flagNames: [])
        #expect(usageMessage { _ = try TrainConfig(options: train) }.hasSuffix("got 'foat32' (did you mean 'float32'?)"))
        var c = TrainConfig()
        c.implementation = "vectorised"
        c.steps = 1
        #expect(usageMessage { _ = try Trainer.run(c, data: try DataSets.named("xor", fixtures: Descent.bundledFixtures)) }
                    .hasPrefix("unknown implementation 'vectorised' (did you mean 'vectorized'?)"))
        #expect(CLI.main(["sweep", "lrr"]) == 2 && CLI.main(["sweep", "--optimizer", "torch/SGD"]) == 2 && CLI.main(["sweep"]) == 0)
    }
}

@Suite struct OutputFormatTests {
    @Test func theExtensionChoosesAndAnExplicitFormatWins() throws {
        func format(_ args: [String], _ choices: [String]) throws -> String {
            try Arguments(args, valued: ["format", "output"], flagNames: []).outputFormat(choices)
        }
        let all = ["text", "json", "markdown", "junit"]
        #expect(try format(["--output", "r.json"], all) == "json")
        #expect(try format(["--output", "r.md"], all) == "markdown")
        #expect(try format(["--output", "r.xml"], all) == "junit")
        #expect(try format(["--output", "r.txt"], all) == "text")
        #expect(try format([], all) == "text")
        #expect(try format(["--output", "r.json", "--format", "text"], all) == "text")   // --format wins
        #expect(try format(["--output", "r.md"], ["text", "json", "junit"]) == "text")  // no markdown there
    }

    @Test func everyCommandWritesWhatItsOutputNames() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let f = "\(dir)/f.json"
        try fixture([sgdCase(id: "a")]).write(toFile: f, atomically: true, encoding: .utf8)
        func written(_ args: [String], _ name: String, status: Int32 = 0) throws -> String {
            #expect(CLI.main(args + ["--output", "\(dir)/\(name)"]) == status, "\(args)")
            return try String(contentsOfFile: "\(dir)/\(name)", encoding: .utf8)
        }
        let verify = ["verify", f, "--implementation", "naive", "--dtype", "float64"]
        #expect(try JSON.parse(try written(verify, "r.json"))["format"]?.stringValue == "descent-report/1")
        #expect(try written(verify, "r.xml").hasPrefix("<?xml"))
        #expect(try written(verify + ["--format", "text"], "t.json").hasSuffix("1 passed, 0 failed, 0 skipped\n"))
        #expect(try JSON.parse(try written(["check", "--dtype", "float64"], "c.json"))["format"]?.stringValue == "descent-checks/1")
        #expect(try written(["check", "--dtype", "float64"], "c.md").hasPrefix("## Closed-form checks"))
        #expect(try JSON.parse(try written(["list"], "l.json"))["format"]?.stringValue == "descent-list/1")
        // (one case catches few variants: exit status 1)
        #expect(try JSON.parse(try written(["power", f], "p.json", status: 1))["format"]?.stringValue == "descent-power/1")
        #expect(try written(["power", f], "p.md", status: 1).hasPrefix("# "))
        let train = ["train", "--fixtures", Descent.bundledFixtures, "--steps", "2", "--implementation", "naive", "--quiet"]
        #expect(try JSON.parse(try written(train, "t.json"))["format"]?.stringValue == "descent-train/1")
        #expect(try written(train, "t.md").hasPrefix("# "))
    }
}

@Suite struct BenchModeTests {
    @Test func unknownOptimizersExitTwoBeforeAnythingIsMeasured() {
        // Validated up front: no probe, no timing (this would take seconds otherwise).
        let start = Date()
        #expect(CLI.main(["bench", "--optimizer", "torch/Adma", "--size", "4K", "--repeat", "1"]) == 2)
        #expect(CLI.main(["bench", "optimizers", "--optimizer", "torch/Adam", "--optimizer", "nosuch/Adam", "--size", "4K"]) == 2)
        #expect(CLI.main(["bench", "training", "--model", "mlp:4,6,3", "--optimizer", "torch/Adma", "--repeat", "1"]) == 2)
        #expect(CLI.main(["bench", "training", "--model", "mlp:4,6,3", "--optimizer", "torch/Adam", "--hp", "nonsense=1", "--repeat", "1"]) == 2)
        #expect(Date().timeIntervalSince(start) < 5)
        #expect(usageMessage { _ = try CLI.benchOptimizer("torch/Adma") }.contains("'Adma'"))
        #expect(usageMessage { _ = try CLI.benchOptimizer("Adam") }.hasPrefix("unknown optimizer 'Adam'"))
    }

    @Test func explicitModesAndTheOlderSpellings() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let training = ["--model", "mlp:4,6,3", "--batch-size", "4", "--implementation", "naive", "--repeat", "1"]
        for (i, args) in [["bench", "training"] + training, ["bench"] + training].enumerated() {
            #expect(CLI.main(args + ["--output", "\(dir)/t\(i).json"]) == 0)
            #expect(try JSON.parse(try String(contentsOfFile: "\(dir)/t\(i).json", encoding: .utf8))["training"]?.arrayValue?.count == 1)
        }
        for (i, args) in [["bench", "gemm", "8", "--dtype", "float64", "--repeat", "1"],
                          ["bench", "--gemm", "8", "--dtype", "float64", "--repeat", "1"]].enumerated() {
            #expect(CLI.main(args + ["--output", "\(dir)/g\(i).json"]) == 0)
            let doc = try JSON.parse(try String(contentsOfFile: "\(dir)/g\(i).json", encoding: .utf8))
            #expect(doc["format"]?.stringValue == "descent-bench-gemm/1")
            #expect(doc["gemm"]?.arrayValue?.map { $0["n"]?.intValue } == [8])
        }
        // An option of another mode is an error naming both (it was silently ignored).
        let bench = try #require(CLI.command("bench"))
        #expect(usageMessage { _ = try bench.invoke(["--gemm", "8", "--size", "4K"], path: "bench") }
                    == "--size is an option of `descent bench optimizers`, not of `descent bench gemm` (which --gemm chose)")
        #expect(CLI.main(["bench", "gemm", "8", "--optimizer", "torch/Adam"]) == 2)
        #expect(CLI.main(["bench", "nosuch"]) == 2)
    }
}

@Suite struct TuneModeTests {
    @Test func compareStrategiesAsAModeAndAsTheOlderFlag() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let args = ["--functions", "branin", "--strategies", "random", "--trials", "3", "--seeds", "1", "--quiet"]
        #expect(CLI.main(["tune", "compare-strategies"] + args + ["--output", "\(dir)/a.json"]) == 0)
        #expect(CLI.main(["tune", "--compare-strategies"] + args + ["--output", "\(dir)/b.json"]) == 0)
        let a = try String(contentsOfFile: "\(dir)/a.json", encoding: .utf8), b = try String(contentsOfFile: "\(dir)/b.json", encoding: .utf8)
        #expect(a == b)
        #expect(try JSON.parse(a)["format"]?.stringValue?.hasPrefix("descent-") == true)
        #expect(CLI.main(["tune", "--function", "branin", "--seeds", "3"]) == 2)            // compare-strategies' option
        #expect(CLI.main(["tune", "compare-strategies", "--space", "x1=lin:0:1"]) == 2)
        #expect(CLI.main(["tune", "compare-strategies", "--strategies", "bayse"]) == 2)
        #expect(CLI.main(["tune", "mrege"]) == 2)
    }
}

@Suite struct FixtureInputTests {
    @Test func oneLoaderForVerifyPowerAndTheAdapter() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: "\(dir)/empty", withIntermediateDirectories: true)
        #expect(usageMessage { _ = try CLI.loadFixtures(["\(dir)/empty"]) } == "no fixture files (*.json) under \(dir)/empty")
        try "{not json".write(toFile: "\(dir)/bad.json", atomically: true, encoding: .utf8)
        #expect(usageMessage { _ = try CLI.loadFixtures(["\(dir)/bad.json"]) } == "no usable fixture case in \(dir)/bad.json (see above)")
        try fixture([sgdCase(id: "a")]).write(toFile: "\(dir)/good.json", atomically: true, encoding: .utf8)
        let loaded = try CLI.loadFixtures(["\(dir)/good.json", "\(dir)/bad.json", "\(dir)/missing.json"])
        #expect(loaded.files.map(\.path) == ["\(dir)/good.json"] && loaded.missing == ["\(dir)/missing.json"])
        #expect(loaded.entries.count == 2)
        for command in [["verify"], ["power"], ["verify", "--adapter", "cat"]] {
            #expect(CLI.main(command + ["\(dir)/empty"]) == 2, "\(command)")
            #expect(CLI.main(command + ["\(dir)/bad.json"]) == 2, "\(command)")
        }
    }
}

@Suite struct MainJobResultsTests {
    @Test func theMainJobLeavesTheCommittedResultsByteStable() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: "\(dir)/fixtures/torch", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: Descent.bundledFixtures + "/torch/SGD.json", toPath: "\(dir)/fixtures/torch/SGD.json")
        var runs: [[String: Data]] = []
        for _ in 0..<2 {
            let status = CLI.main(["--fixtures", "\(dir)/fixtures", "--results", "\(dir)/results", "--no-bench", "--no-training", "--no-claims"])
            #expect(status == 0 || status == 1)
            let names = try FileManager.default.contentsOfDirectory(atPath: "\(dir)/results").sorted()
            #expect(names == ["conformance.md", "local", "power.json", "power.md"])
            #expect(FileManager.default.fileExists(atPath: "\(dir)/results/local/conformance.json"))
            let files = names.filter { $0 != "local" } + ["local/conformance.json"]
            runs.append(Dictionary(uniqueKeysWithValues: try files.map { ($0, try Data(contentsOf: URL(fileURLWithPath: "\(dir)/results/\($0)"))) }))
        }
        #expect(runs[0] == runs[1], "the deterministic reports differ between two runs")
        // The timing- and machine-dependent outputs go to results/local/, which git ignores.
        #expect(CLI.mainJobLocalDir("results") == "results/local")
        let ignore = try String(contentsOf: repositoryRoot.appendingPathComponent(".gitignore"), encoding: .utf8)
        #expect(ignore.split(separator: "\n").contains("/results/local/"))
    }
}
