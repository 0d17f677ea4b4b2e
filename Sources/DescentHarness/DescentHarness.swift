// DescentHarness.swift — the conformance module's earlier name, kept so that `import
// DescentHarness` goes on compiling: the same modules as `import DescentKit`.
@_exported import DescentConformance
@_exported import DescentCore
@_exported import DescentJSON
