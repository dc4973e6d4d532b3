import TensorCore

/// What a comparison asks of models and how it scores them: how the data is prepared and split,
/// what the model is asked, the validation metric and its direction, the evaluator and the
/// table's columns. Ranking (top-N from implicit feedback) and rating prediction are two tasks;
/// a third is a new type conforming to this protocol, registered in the task catalog, with no
/// change to the comparison runner (Documentation/Architecture.md).
public protocol Task: Sendable {
    /// One split of the data: the training matrix and the held-out parts.
    associatedtype Split: TaskSplit
    /// The name on the command line, in checkpoints and on zoo entries.
    var name: TaskName { get }
    /// One line for `--help`.
    var summary: String { get }
    /// The table's metric columns, in order.
    var metrics: [MetricDefinition] { get }
    /// The metric that selects epochs (validation) and marks the best model (test).
    var validationMetric: MetricDefinition { get }
    /// The per-user figure the paired significance tests compare (ranking: NDCG@100; rating: each
    /// user's mean squared error over their test ratings); its key indexes `TaskReport.perUser`.
    var perUserMetric: MetricDefinition { get }
    /// What the test metrics average over, plural (`users`, `ratings`).
    var evaluatedUnit: String { get }
    /// A line under the table on how the metrics were computed, or nil.
    var tableNote: String? { get }
    /// The built-in data set's generator and its settings, as text: what a results file fingerprints
    /// when a run reads no file.
    var builtInDataSettings: String { get }
    /// The data `request` names (a file or folder; the built-in set when it names none), ready to split.
    func load(_ request: DataRequest, log: (String) -> Void) throws -> TaskDataset<Split>
    /// The validation rule on `split`'s validation part; nil when the split has none.
    func validation(on split: Split) -> TaskValidation?
    /// The model's metrics on `split`'s test part.
    func evaluate(_ model: any Recommender, on split: Split) -> TaskReport
    /// The same scoring as `evaluate`, cut by test rows so data-parallel members can each score a
    /// part and build one report from every part; nil: the task scores its test part only whole.
    func testScoring(_ model: any Recommender, on split: Split) -> TestScoring?
}

extension Task {
    /// None: `evaluate` scores the whole test part.
    public func testScoring(_ model: any Recommender, on split: Split) -> TestScoring? { nil }
}

/// A task's test scoring cut by test rows (users): `part(rows)` scores rows `rows` and returns
/// what they contribute as numbers that concatenate in row order (per-user metric values, or
/// per-rating predictions); `report` builds the report from the contributions of every row, so a
/// report built from the parts of N members is the one a single process builds from one part.
public struct TestScoring {
    /// The test rows `part` splits.
    public var rowCount: Int
    /// The contributions of rows `rows` (a sub-range of 0 ..< `rowCount`).
    public var part: (_ rows: Range<Int>) -> [Double]
    /// The report from the contributions of rows 0 ..< `rowCount`, concatenated in row order.
    public var report: (_ contributions: [Double]) -> TaskReport

    /// A scoring of `rowCount` rows with the given part and report.
    public init(rowCount: Int, part: @escaping (_ rows: Range<Int>) -> [Double],
                report: @escaping (_ contributions: [Double]) -> TaskReport) {
        (self.rowCount, self.part, self.report) = (rowCount, part, report)
    }

    /// The report of every row scored here: what `Task.evaluate` returns.
    public func scoreAll() -> TaskReport { report(part(0..<rowCount)) }
}

/// A task's name (`ranking`, `rating`); each task declares its own as a static constant.
public struct TaskName: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible {
    /// The name as written.
    public let rawValue: String
    /// The name `rawValue`.
    public init(rawValue: String) { self.rawValue = rawValue }
    /// The name `name`.
    public init(_ name: String) { self.rawValue = name }
    public var description: String { rawValue }
}

/// One split of a task's data, as models and checkpoints see it.
public protocol TaskSplit: Sendable {
    /// Users × items the models are built for.
    var shape: DataShape { get }
    /// The matrix the models train on (users × items).
    var train: SparseMatrix { get }
    /// The original id of every training row.
    var trainUserIDs: [Int64] { get }
    /// The original id of every item column.
    var itemIDs: [Int64] { get }
}

/// A metric of a task's table: its name, its key in JSON and CSV, and its direction.
public struct MetricDefinition: Sendable, Hashable, Codable {
    /// As printed (`NDCG@100`, `RMSE`).
    public var name: String
    /// As stored (`ndcg100`, `rmse`).
    public var key: String
    /// Whether larger values are better.
    public var higherIsBetter: Bool

    /// A metric with the given name, key and direction.
    public init(name: String, key: String, higherIsBetter: Bool) {
        (self.name, self.key, self.higherIsBetter) = (name, key, higherIsBetter)
    }

    /// Whether `value` is better than `other` in this metric's direction.
    public func isBetter(_ value: Double, than other: Double) -> Bool {
        higherIsBetter ? value > other : value < other
    }
}

/// A mean with its standard error (NaN when there is none to give; JSON writes it as null).
public struct MeanWithError: Sendable, Codable, Equatable {
    /// The mean.
    public var mean: Double
    /// The standard error of that mean (or, over seeds, the spread the table states).
    public var standardError: Double

    /// A mean and its standard error.
    public init(mean: Double, standardError: Double) {
        (self.mean, self.standardError) = (mean, standardError)
    }

    private enum CodingKeys: String, CodingKey { case mean, standardError }

    /// Reads null as NaN.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        mean = try container.decodeIfPresent(Double.self, forKey: .mean) ?? .nan
        standardError = try container.decodeIfPresent(Double.self, forKey: .standardError) ?? .nan
    }

    /// Writes a value that is not finite as null (JSON has no NaN).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(mean.isFinite ? mean : nil, forKey: .mean)
        try container.encode(standardError.isFinite ? standardError : nil, forKey: .standardError)
    }

    public static func == (left: MeanWithError, right: MeanWithError) -> Bool {
        left.mean.bitPattern == right.mean.bitPattern && left.standardError.bitPattern == right.standardError.bitPattern
    }
}

/// A model's test metrics on one split.
public struct TaskReport: Sendable, Equatable {
    /// Each metric's mean and standard error over the evaluated units (users, ratings), by key.
    public var values: [String: MeanWithError]
    /// Per-user values by metric key, each aligned with `users` (ranking: every metric; rating: the
    /// per-user mean squared error); `Task.perUserMetric`'s key is always present.
    public var perUser: [String: [Double]]
    /// The original ids of the evaluated users (those with at least one test item or rating), in
    /// the order of every `perUser` array.
    public var users: [Int64]
    /// The number of evaluated units: test users (ranking) or test ratings (rating).
    public var evaluatedCount: Int
    /// Counts worth reporting, by name (rating: `defaulted` predictions for unseen users or items).
    public var counts: [String: Int]

    /// A report with the given values.
    public init(values: [String: MeanWithError], perUser: [String: [Double]] = [:], users: [Int64] = [],
                evaluatedCount: Int, counts: [String: Int] = [:]) {
        precondition(perUser.values.allSatisfy { $0.count == users.count },
                     "TaskReport: per-user arrays of \(perUser.mapValues(\.count)) values for \(users.count) users")
        (self.values, self.perUser, self.users, self.evaluatedCount, self.counts) = (values, perUser, users, evaluatedCount, counts)
    }
}

/// How a fit scores a model on a split's validation part: the metric (with its direction) and
/// the scoring itself.
public struct TaskValidation {
    /// The metric.
    public var metric: MetricDefinition
    /// The metric of a model as its parameters are now.
    public var score: (any Recommender) -> Double
    /// The sum and count over rows `rows` of the `rowCount` validation users that `finish` turns
    /// into the metric (a mean of per-user values; for RMSE, squared errors of the rows' ratings):
    /// data-parallel members each score a part and add them up. Nil: the rule scores all at once.
    public var partialScore: ((_ model: any Recommender, _ rows: Range<Int>) -> (sum: Double, count: Int))? = nil
    /// The validation users `partialScore` splits.
    public var rowCount = 0
    /// The metric from the sum and count the members' `partialScore`s add up to: their ratio (a
    /// mean, the default) or, for RMSE, its square root.
    public var finish: (_ sum: Double, _ count: Int) -> Double = { sum, count in count > 0 ? sum / Double(count) : .nan }

    /// A rule scoring `metric` with `score`.
    public init(metric: MetricDefinition, score: @escaping (any Recommender) -> Double) {
        (self.metric, self.score) = (metric, score)
    }
}

/// A task's data, loaded and ready to split once per seed.
public struct TaskDataset<Split: TaskSplit>: Sendable {
    /// One line for the table's title, e.g. `ml-1m vae_cf split: 4,834 train users, …`.
    public var description: String
    /// How seeds split it, for the title (`random 90/10 split per seed`), or nil for one fixed split.
    public var splitNote: String?
    /// Whether this is the built-in synthetic set (models use their small-data settings).
    public var isBuiltIn: Bool
    /// The split for a seed.
    public var split: @Sendable (UInt64) throws -> Split

    /// A dataset with the given parts.
    public init(description: String, splitNote: String?, isBuiltIn: Bool, split: @escaping @Sendable (UInt64) throws -> Split) {
        (self.description, self.splitNote, self.isBuiltIn, self.split) = (description, splitNote, isBuiltIn, split)
    }
}
