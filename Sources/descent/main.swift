// The `descent` command: see DescentCLI/CLI.swift.
import DescentCLI
import DescentCore
import DescentVectorLoops
import Foundation

VectorLoops.install()   // the AVX-512 / AVX2 loops when this CPU runs them (before any optimizer)
Interruption.install()  // Ctrl-C / SIGTERM: remove temporary files, stop adapters

exit(CLI.main(Array(CommandLine.arguments.dropFirst())))
