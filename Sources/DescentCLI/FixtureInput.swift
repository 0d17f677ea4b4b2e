// FixtureInput.swift — the one "discover → load → nothing usable" step of verify, verify
// --adapter, power and the main job: the fixture files under the given paths, loaded, with the
// missing paths and the files that did not load reported on stderr.
import DescentConformance
import DescentCore

extension CLI {
    /// The fixture files found under a command's paths, in the order found.
    package struct LoadedFixtures {
        /// A loaded file, or one that did not load (with why).
        package enum Entry {
            case loaded(FixtureFile)
            case broken(path: String, message: String)
        }

        package var entries: [Entry] = []
        /// Paths that are neither a file nor a folder.
        package var missing: [String] = []

        /// The files that loaded.
        package var files: [FixtureFile] { entries.compactMap { if case let .loaded(f) = $0 { f } else { nil } } }

        /// An error result per (implementation, dtype) for a file that did not load.
        package static func fileErrors(path: String, message: String, implementations: [String], dtypes: [DType]) -> [CaseResult] {
            implementations.flatMap { impl in
                dtypes.map { dt in
                    CaseResult(file: path, id: "(file)", kind: "file", convention: "?", name: "?",
                               implementation: impl, dtype: dt, status: .error, message: message)
                }
            }
        }

        /// The error results of the missing paths.
        package func missingErrors(implementations: [String], dtypes: [DType]) -> [CaseResult] {
            missing.flatMap { m in Self.fileErrors(path: m, message: "\(m): no such file or folder", implementations: implementations, dtypes: dtypes) }
        }
    }

    /// Finds the *.json files under `paths` and loads them. A missing path and a file that does
    /// not load are reported on stderr ("descent: …") and kept in the result; throws InputError
    /// when no fixture file was found, or when none has a usable case.
    package static func loadFixtures(_ paths: [String]) throws -> LoadedFixtures {
        let (files, missing) = FixtureLoader.discover(paths)
        var loaded = LoadedFixtures(missing: missing)
        for m in missing { stderr("descent: \(m): no such file or folder") }
        for f in files {
            do { loaded.entries.append(.loaded(try FixtureLoader.load(path: f))) } catch {
                let message = (error as? FixtureFileError)?.description ?? "\(f): \(error)"
                stderr("descent: \(message)")
                loaded.entries.append(.broken(path: f, message: message))
            }
        }
        let problems = !missing.isEmpty || loaded.files.count < files.count
        if files.isEmpty && missing.isEmpty { throw InputError(message: "no fixture files (*.json) under \(paths.joined(separator: ", "))") }
        guard loaded.files.contains(where: { !$0.cases.isEmpty }) else {
            throw InputError(message: "no usable fixture case in \(paths.joined(separator: ", "))" + (problems ? " (see above)" : ""))
        }
        return loaded
    }
}
