// DescentKit.swift — the library's one import: `import DescentKit` brings the conformance API
// (Descent.verify, fixtures, the verifier, reports), the numerics and optimizer families of
// DescentCore and the exact JSON of DescentJSON.
@_exported import DescentConformance
@_exported import DescentCore
@_exported import DescentJSON
