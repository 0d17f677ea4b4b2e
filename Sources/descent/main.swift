// The `descent` command: see CLI.swift in DescentHarness.
import DescentHarness
import Foundation

exit(CLI.main(Array(CommandLine.arguments.dropFirst())))
