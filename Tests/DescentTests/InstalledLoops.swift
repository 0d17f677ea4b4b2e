// InstalledLoops.swift — the tests install the run-time choice of vector loops as the `descent`
// command does at start-up (DescentVectorLoops; DescentKit alone runs the baseline loops).
import DescentCore
import DescentVectorLoops

/// Touch once before a test that needs the chosen loops installed.
let installedLoops: VectorISA = VectorLoops.install()
