// TrainObjective.swift — tuning training runs (`descent tune --data … --model … --optimizer …`).
// Needs `descent train` (the MLP and the digits data); until it is in this build, asking for it
// is a clear usage error rather than a silent fallback.
enum TrainingObjectiveFactory {
    static func make(options: [String: String], metric: String) throws -> any TuneObjective {
        throw UsageError(message: "tuning training runs needs `descent train`, which is not in this build yet; use --function NAME")
    }
}
