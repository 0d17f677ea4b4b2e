// ConventionSchemaTests.swift — each keyword default is written once, in its convention entry's
// builder (Sources/DescentCore/Conventions, Schedules): the schema recorded from the builder is
// what `descent list` prints and what the cross-convention spellings use; the notes do not
// restate defaults; and the recorded defaults are the libraries' own (their signatures).
import Foundation
import Testing
import DescentTestSupport
@testable import DescentCore
@testable import DescentConformance
import DescentJSON

@Suite struct ConventionSchemaTests {
    /// Runs the built `descent` command (the list is what a user reads).
    func descentList(_ extra: [String] = []) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: try descentBinary())
        p.arguments = ["list"] + extra
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        #expect(p.terminationStatus == 0)
        return String(decoding: data, as: UTF8.self)
    }

    @Test func descentListShowsEveryEntrysRecordedSignature() throws {
        let text = try descentList()
        let json = try JSON.parse(try descentList(["--format", "json"]))
        var checked = 0
        for c in Conventions.all {
            let jc = json["conventions"]?.arrayValue?.first { $0["name"]?.stringValue == c.name }
            for (entries, key) in [(c.optimizers.map { ($0.name, $0.keywords) }, "optimizers"), (c.schedules.map { ($0.name, $0.keywords) }, "schedules")] {
                for (name, keywords) in entries {
                    #expect(text.contains("(\(keywords.signature))"), "\(c.name)/\(name): descent list lacks (\(keywords.signature))")
                    let je = jc?[key]?.arrayValue?.first { $0["name"]?.stringValue == name }
                    let listed = je?["keywords"]?.arrayValue?.compactMap { $0["name"]?.stringValue } ?? []
                    #expect(listed == keywords.map(\.name), "\(c.name)/\(name): --format json keywords \(listed)")
                    checked += 1
                }
            }
        }
        #expect(checked == Conventions.all.reduce(0) { $0 + $1.optimizers.count + $1.schedules.count })
    }

    /// The library signatures, read from their sources (torch 2.15 torch/optim/*.py, optax 0.2.8
    /// _src/alias.py, Keras 3.15.1 keras/src/optimizers/*.py, transformers 5.23.0
    /// optimization.py): an independent record of defaults.
    @Test(arguments: [
        ("torch", "Adam", ["lr": "0.001", "eps": "1e-08", "weight_decay": "0", "amsgrad": "False", "maximize": "False"]),
        ("torch", "AdamW", ["lr": "0.001", "weight_decay": "0.01"]),
        ("torch", "SGD", ["lr": "0.001", "momentum": "0", "dampening": "0", "nesterov": "False"]),
        ("torch", "Adagrad", ["lr": "0.01", "lr_decay": "0", "initial_accumulator_value": "0", "eps": "1e-10"]),
        ("torch", "RMSprop", ["lr": "0.01", "alpha": "0.99", "eps": "1e-08", "centered": "False"]),
        ("torch", "NAdam", ["lr": "0.002", "momentum_decay": "0.004"]),
        ("keras", "Adam", ["learning_rate": "0.001", "beta_1": "0.9", "beta_2": "0.999", "epsilon": "1e-07"]),
        ("keras", "AdamW", ["weight_decay": "0.004"]),
        ("keras", "SGD", ["learning_rate": "0.01", "momentum": "0"]),
        ("optax", "adam", ["b1": "0.9", "b2": "0.999", "eps": "1e-08", "eps_root": "0"]),
        ("optax", "adamw", ["weight_decay": "0.0001"]),
        ("optax", "lamb", ["eps": "1e-06", "weight_decay": "0"]),
        ("transformers", "Adafactor", ["lr": "None", "clip_threshold": "1.0", "decay_rate": "-0.8", "beta1": "None",
                                       "weight_decay": "0.0", "scale_parameter": "True", "relative_step": "True",
                                       "warmup_init": "False"]),
    ] as [(String, String, [String: String])])
    func recordedDefaultsAreTheLibrarys(_ convention: String, _ name: String, _ expected: [String: String]) throws {
        let e = try #require(Conventions.named(convention)?.optimizers.first { $0.name == name })
        let kw = e.keywords
        for (key, value) in expected {
            let k = try #require(kw.first { $0.name == key }, "\(convention)/\(name) does not read \(key)")
            let shown = k.defaultValue.map { $0.doubleValue.map { String($0) } ?? Keyword.python($0) } ?? "None"
            let want = Double(value).map { String($0) } ?? value
            #expect(shown == want, "\(convention)/\(name) \(key): \(shown), the library says \(value)")
        }
    }

    @Test func optaxLearningRateIsRequiredAndTorchBetasAPair() throws {
        let adam = try #require(Conventions.optax.optimizers.first { $0.name == "adam" }).keywords
        #expect(adam.first { $0.name == "learning_rate" }?.required == true)
        let torch = try #require(Conventions.torch.optimizers.first { $0.name == "Adam" }).keywords
        #expect(torch.first { $0.name == "betas" }?.defaultValue == .array([JSON(0.9), JSON(0.999)]))
        #expect(torch.first { $0.name == "foreach" }?.kind == .noEffect)
    }

    /// Every keyword a cross-convention spelling names is one its entry's builder reads (else its
    /// default would silently be None), and the spelling's default is the schema's.
    @Test func spellingsNameKeywordsTheBuildersRead() {
        var n = 0
        for algorithm in crossConventionAlgorithms {
            for s in algorithm {
                let schema = Spelling.schema(s.convention, s.name)
                #expect(!schema.isEmpty, "\(s.convention)/\(s.name) is no entry")
                for (q, spelled) in s.keys {
                    let base = String(spelled.key.prefix { $0 != "[" })
                    #expect(schema.contains { $0.name == base }, "\(s.convention)/\(s.name) \(q): '\(spelled.key)' is not read by the builder")
                    #expect(spelled.default == Spelling.defaultValue(of: spelled.key, in: schema))
                    n += 1
                }
            }
        }
        #expect(n > 100)
    }

    /// The notes describe what a name means; they do not restate a default (`lr 1e-3`,
    /// `eps=1e-8`), which `descent list` prints from the schema.
    @Test func notesDoNotRestateDefaults() {
        var offenders: [String] = []
        for c in Conventions.all {
            let entries = c.optimizers.map { ($0.name, $0.note, $0.keywords) } + c.schedules.map { ($0.name, $0.note, $0.keywords) }
            for (name, note, keywords) in entries {
                for k in keywords where k.defaultValue?.doubleValue != nil {
                    let pattern = "(^|[^A-Za-z_])\(NSRegularExpression.escapedPattern(for: k.name))[ =]−?-?[0-9]"
                    if note.range(of: pattern, options: .regularExpression) != nil { offenders.append("\(c.name)/\(name): \(k.name) in “\(note)”") }
                }
            }
        }
        #expect(offenders.isEmpty, "\(offenders.joined(separator: "\n"))")
    }
}
