// TunePlots.swift — SVG plots of a tuning run and of a strategy comparison.
enum TunePlots {
    static func write(_ report: TuneReport, dir: String) throws -> [String] {
        throw UsageError(message: "--plots: the SVG plotting module is not in this build yet")
    }
    static func writeComparison(_ c: [FunctionComparison], dir: String) throws -> [String] {
        throw UsageError(message: "--plots: the SVG plotting module is not in this build yet")
    }
}
