// PowerTests.swift — the fixtures catch every registered known-wrong variant, every correct
// implementation passes them, and a failure is diagnosed as the variant it reproduces.
import Foundation
import Testing
import DescentTestSupport
@testable import DescentCore
@testable import DescentConformance
@testable import DescentLab
@testable import DescentCLI
import DescentJSON

private let repoFixtures = fixturesURL.path

/// Every fixture file, loaded once for the suite's tests (a global is initialised once, thread-safely).
private let loadedFixtures = Result { try FixtureLoader.discover([repoFixtures]).files.map { try FixtureLoader.load(path: $0) } }
private func allFixtures() throws -> [FixtureFile] { try loadedFixtures.get() }

@Suite struct PowerTests {
    @Test func everyVariantIsCaughtByTheFixtures() throws {
        // Each variant stops at its first catching case (the main job's power report runs them all).
        let power = Power.run(files: try allFixtures(), untilCaught: true)
        // One result per registered variant: none is silently left out of the run.
        #expect(power.map(\.variant.id) == KnownWrong.all.map(\.id))
        for p in power {
            #expect(p.caught, "no fixture catches \(p.variant.id) (\(p.variant.summary)); it applies to \(p.applicable) cases")
        }
    }

    @Test func variantIdsAreUnique() {
        #expect(Set(KnownWrong.all.map(\.id)).count == KnownWrong.all.count)
    }

    @Test func everyCorrectImplementationPassesEveryFixture() throws {
        let files = try allFixtures()
        for impl in Implementations.all where impl.availability == .available {
            let results = Verifier(implementations: [impl], dtypes: DType.allCases).run(files)
            let bad = results.filter { $0.status == .fail || $0.status == .error }
            #expect(bad.isEmpty, "\(impl.name): \(bad.prefix(3).map { "\($0.id) [\($0.dtype.rawValue)]: \($0.message)" })")
            #expect(results.allSatisfy { $0.implementation == impl.name })
        }
    }

    @Test func aFailureIsDiagnosedAsTheVariantItReproduces() throws {
        let files = try allFixtures()
        // Run three variants as if they were the implementation under test.
        for id in ["adam-eps-inside-sqrt", "momentum-lr-inside", "cosine-off-by-one"] {
            let v = try #require(KnownWrong.named(id))
            let results = Verifier(implementations: [v], dtypes: [.float64]).run(files)
            let failing = results.filter { $0.status == .fail }
            #expect(!failing.isEmpty)
            // Another library's convention may be named first (textbook Adam puts eps inside the
            // root, Keras's SGD keeps lr inside the buffer); the variant itself must be named too.
            for r in failing {
                #expect(r.diagnosis.contains { $0.contains("`\(id)`") }, "\(r.id): \(r.diagnosis)")
            }
        }
    }

    @Test func aVariantThatDoesNotApplyDeclines() throws {
        let f = try load(fixture([sgdCase()]))
        let v = try #require(KnownWrong.named("adam-eps-inside-sqrt"))
        let r = Verifier(implementations: [v], dtypes: [.float64]).run(f)
        #expect(r.allSatisfy { $0.status == .unsupported && $0.message.hasPrefix("not applicable") })
    }
}

extension Verifier {
    func run(_ files: [FixtureFile]) -> [CaseResult] { files.flatMap { run($0) } }
}
