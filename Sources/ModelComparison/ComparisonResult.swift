import Foundation
import RecCore

/// One model trained and scored with one seed.
public struct SeedRun: Sendable, Codable, Equatable {
    /// The seed.
    public var seed: UInt64
    /// Each test metric (mean and standard error over the evaluated units), by metric key.
    public var metrics: [String: MeanWithError]
    /// The epoch whose parameters were kept (from 1).
    public var bestEpoch: Int
    /// The validation metric at that epoch, when validation ran.
    public var bestValidationMetric: Double?
    /// Training seconds, validation included (a resumed run adds its earlier runs').
    public var trainingSeconds: Double
    /// Test users (ranking) or test ratings (rating) scored.
    public var evaluatedCount: Int
    /// The task's counts (rating: `defaulted`).
    public var counts: [String: Int]
    /// The task's per-user figure (`Task.perUserMetric`) of every evaluated user, aligned with
    /// `perUserIDs`; kept for the paired tests and `--per-user`, not written to the results JSON
    /// (empty in results read back from it).
    public var perUserValues: [Double] = []
    /// The original ids of the evaluated users.
    public var perUserIDs: [Int64] = []
    /// The settings `--tune` chose for this run (on its split's validation part), as `--set` keys
    /// and values; nil without tuning (and then not written).
    public var tunedSettings: [String: String]?

    private enum CodingKeys: String, CodingKey {
        case seed, metrics, bestEpoch, bestValidationMetric, trainingSeconds, evaluatedCount, counts, tunedSettings
    }

    /// A finished run.
    public init(seed: UInt64, metrics: [String: MeanWithError], bestEpoch: Int, bestValidationMetric: Double?,
                trainingSeconds: Double, evaluatedCount: Int, counts: [String: Int] = [:],
                perUserValues: [Double] = [], perUserIDs: [Int64] = []) {
        precondition(perUserValues.count == perUserIDs.count,
                     "SeedRun: \(perUserValues.count) per-user values for \(perUserIDs.count) user ids")
        self.perUserValues = perUserValues
        self.perUserIDs = perUserIDs
        self.seed = seed
        self.metrics = metrics
        self.bestEpoch = bestEpoch
        self.bestValidationMetric = bestValidationMetric
        self.trainingSeconds = trainingSeconds
        self.evaluatedCount = evaluatedCount
        self.counts = counts
    }

    /// The metric `key`, NaN when missing.
    public func metric(_ key: String) -> MeanWithError {
        metrics[key] ?? MeanWithError(mean: .nan, standardError: .nan)
    }
}

/// One model's runs over every seed.
public struct ModelResult: Sendable, Codable, Equatable {
    /// The zoo name.
    public var model: String
    /// The task it ran.
    public var task: TaskName
    /// Trainable scalars.
    public var parameterCount: Int
    /// One run per seed.
    public var runs: [SeedRun]
    /// The settings `--tune` chose on validation, as `--set` keys and values (with one search per
    /// seed, the first seed's; each run holds its own); nil without tuning (and then not written).
    public var tunedSettings: [String: String]?

    /// Results of `model` over `runs`.
    public init(model: String, task: TaskName, parameterCount: Int, runs: [SeedRun], tunedSettings: [String: String]? = nil) {
        self.model = model
        self.task = task
        self.parameterCount = parameterCount
        self.runs = runs
        self.tunedSettings = tunedSettings
    }

    /// A metric summarised over seeds: with one seed, its mean ± standard error over the evaluated
    /// units; with several, the mean over seeds ± the sample standard deviation over seeds.
    public func summary(_ key: String) -> MeanWithError {
        let values = runs.map { $0.metric(key) }
        if values.count == 1 { return values[0] }
        let means = values.map(\.mean)
        let mean = means.reduce(0, +) / Double(max(1, means.count))
        let variance = means.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(max(1, means.count - 1))
        return MeanWithError(mean: mean, standardError: variance.squareRoot())
    }

    /// Median training seconds over seeds.
    public var medianTrainingSeconds: Double {
        let sorted = runs.map(\.trainingSeconds).sorted()
        guard !sorted.isEmpty else { return 0 }
        return sorted.count % 2 == 1 ? sorted[sorted.count / 2]
            : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }
}
