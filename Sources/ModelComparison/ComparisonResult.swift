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
    /// Every epoch this run trained: training loss, validation metric, seconds (a resumed run: every
    /// epoch too, the earlier ones from its training state; from the resume on only when that state
    /// was written before epoch reports were kept). Empty in files written before it was recorded.
    public var curve: [EpochPoint] = []
    /// The settings `--tune` chose for this run (on its split's validation part), as `--set` keys
    /// and values; nil without tuning (and then not written).
    public var tunedSettings: [String: String]?

    private enum CodingKeys: String, CodingKey {
        case seed, metrics, bestEpoch, bestValidationMetric, trainingSeconds, evaluatedCount, counts, curve, tunedSettings
    }

    /// A finished run.
    public init(seed: UInt64, metrics: [String: MeanWithError], bestEpoch: Int, bestValidationMetric: Double?,
                trainingSeconds: Double, evaluatedCount: Int, counts: [String: Int] = [:],
                perUserValues: [Double] = [], perUserIDs: [Int64] = [], curve: [EpochPoint] = []) {
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
        self.curve = curve
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(seed: try container.decode(UInt64.self, forKey: .seed),
                  metrics: try container.decode([String: MeanWithError].self, forKey: .metrics),
                  bestEpoch: try container.decode(Int.self, forKey: .bestEpoch),
                  bestValidationMetric: try container.decodeIfPresent(Double.self, forKey: .bestValidationMetric),
                  trainingSeconds: try container.decode(Double.self, forKey: .trainingSeconds),
                  evaluatedCount: try container.decode(Int.self, forKey: .evaluatedCount),
                  counts: try container.decodeIfPresent([String: Int].self, forKey: .counts) ?? [:],
                  curve: try container.decodeIfPresent([EpochPoint].self, forKey: .curve) ?? [])
        tunedSettings = try container.decodeIfPresent([String: String].self, forKey: .tunedSettings)
    }

    /// The metric `key`, NaN when missing.
    public func metric(_ key: String) -> MeanWithError {
        metrics[key] ?? MeanWithError(mean: .nan, standardError: .nan)
    }
}

/// One epoch of a run's learning curve.
public struct EpochPoint: Sendable, Codable, Equatable {
    /// The epoch, from 1.
    public var epoch: Int
    /// The mean training loss of the epoch.
    public var loss: Double
    /// The validation metric after the epoch, when validation ran.
    public var validationMetric: Double?
    /// Wall-clock seconds of the epoch, validation included.
    public var seconds: Double

    /// A point with the given values.
    public init(epoch: Int, loss: Double, validationMetric: Double?, seconds: Double) {
        (self.epoch, self.loss, self.validationMetric, self.seconds) = (epoch, loss, validationMetric, seconds)
    }

    private enum CodingKeys: String, CodingKey { case epoch, loss, validationMetric, seconds }

    /// Reads a null loss as NaN.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(epoch: try container.decode(Int.self, forKey: .epoch),
                  loss: try container.decodeIfPresent(Double.self, forKey: .loss) ?? .nan,
                  validationMetric: try container.decodeIfPresent(Double.self, forKey: .validationMetric),
                  seconds: try container.decode(Double.self, forKey: .seconds))
    }

    /// Writes values that are not finite as null (JSON has no NaN).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(epoch, forKey: .epoch)
        try container.encode(loss.isFinite ? loss : nil, forKey: .loss)
        try container.encode(validationMetric.flatMap { $0.isFinite ? $0 : nil }, forKey: .validationMetric)
        try container.encode(seconds, forKey: .seconds)
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
        let mean = Descriptive.mean(means)
        let variance = means.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(max(1, means.count - 1))
        return MeanWithError(mean: mean, standardError: variance.squareRoot())
    }

    /// Median training seconds over seeds.
    public var medianTrainingSeconds: Double {
        runs.isEmpty ? 0 : Descriptive.median(runs.map(\.trainingSeconds))
    }
}
