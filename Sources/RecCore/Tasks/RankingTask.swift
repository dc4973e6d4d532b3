import TensorCore

extension TaskName {
    /// Top-N recommendation from implicit feedback.
    public static let ranking = TaskName("ranking")
}

extension StrongGeneralizationSplit: TaskSplit {
    /// Training users × items.
    public var shape: DataShape { DataShape(users: train.rows, items: itemCount) }
}

/// Top-N recommendation from implicit feedback under strong generalisation (Liang et al. 2018):
/// models train on the training users' clicks; held-out users' histories are split into fold-in
/// and target items, and models rank every item from the fold-in part alone. Recall@20, Recall@50
/// and NDCG@100 over the test users (the vae_cf definitions); epochs are selected by validation
/// NDCG@100, higher is better.
public struct RankingTask: Task {
    /// The cut-off of the validation NDCG (100 in Liang et al. 2018).
    public var validationCutoff = 100
    /// Users scored per inference batch.
    public var scoringBatchSize = 2_000

    /// The task with the paper's settings.
    public init() {}

    public var name: TaskName { .ranking }
    public var summary: String { "top-N from clicks: Recall@20, Recall@50, NDCG@100 on held-out users" }

    public var metrics: [MetricDefinition] {
        [Self.recall(20), Self.recall(50), Self.ndcg(100)]
    }

    public var validationMetric: MetricDefinition { Self.ndcg(validationCutoff) }
    /// Per-user NDCG@100 on the test users.
    public var perUserMetric: MetricDefinition { Self.ndcg(100) }
    public var evaluatedUnit: String { "users" }
    public var tableNote: String? { nil }

    static func recall(_ k: Int) -> MetricDefinition { MetricDefinition(name: "Recall@\(k)", key: "recall\(k)", higherIsBetter: true) }
    static func ndcg(_ k: Int) -> MetricDefinition { MetricDefinition(name: "NDCG@\(k)", key: "ndcg\(k)", higherIsBetter: true) }

    /// `SyntheticClicks()`'s settings (every stored property, as Swift prints the value).
    public var builtInDataSettings: String { String(describing: SyntheticClicks()) }

    /// The built-in clicks (`SyntheticClicks()`, 500 validation and 500 test users), a vae_cf split
    /// folder as it is, or raw ratings split as Liang et al. do (clicks: ratings > 3.5, or every row
    /// of a click file, or as `--min-rating` says; users with ≥ 5 clicks; 10% of users each held
    /// out for validation and test, at most 10,000).
    public func load(_ request: DataRequest, log: (String) -> Void) throws -> TaskDataset<StrongGeneralizationSplit> {
        guard let path = request.path else {
            try Self.refuseThreshold(request, expected: "a ratings file given with --data (the built-in data are clicks)")
            let generator = SyntheticClicks()
            let clicks = generator.generate()
            let interactions = Interactions(ratings: clicks, userIDs: (0..<clicks.rows).map(Int64.init),
                                            itemIDs: (0..<clicks.columns).map(Int64.init))
            // Every synthetic click counts (values are 1), so the rating filter keeps everything above 0.
            let split = StrongGeneralizationSplit.make(from: interactions, heldOutUsers: request.heldOutUsers ?? 500,
                                                       ratingAbove: 0, seed: 98765)
            return fixed(split, description: "built-in synthetic clicks (\(generator.userCount) users × \(generator.itemCount) items, \(generator.clusterCount) taste groups): ", builtIn: true)
        }
        log("loading \(path.escapingControlCharacters) …")
        let format = try request.resolvedFormat(path: path)
        switch format {
        case .vaeCFSplit:
            try Self.refuseThreshold(request, expected: "a ratings file to split (a vae_cf split is clicks already)")
            return fixed(try StrongGeneralizationSplit.loadVAECF(folder: path), description: "\(path) (vae_cf split): ", builtIn: false)
        case .ratingSplit:
            throw DataRequestError.invalidValue(option: "--format", value: format.rawValue,
                                                expected: "a ranking data set (rating-split is for --task rating)")
        default:
            let hasRatings = try request.hasRatingColumn(path: path, format: format)
            let interactions = try request.interactions(path: path, format: format, log: log)
            let threshold = request.minimumRating ?? .standard(hasRatings: hasRatings)
            let qualifying = StrongGeneralizationSplit.qualifyingUsers(in: interactions, ratingAbove: threshold.ratingAbove).count
            let heldOut = request.heldOutUsers ?? min(10_000, max(1, qualifying / 10))
            guard 2 * heldOut < qualifying else {
                if request.heldOutUsers != nil {
                    throw DataRequestError.invalidValue(option: "--heldout-users", value: "\(heldOut)",
                                                        expected: "fewer than half of the \(qualifying) users with ≥ 5 clicks (\(threshold.rule))")
                }
                throw DataRequestError.tooFewUsers(path: path, qualifying: qualifying, rule: threshold.rule,
                                                   hint: Self.hint(threshold: threshold, hasRatings: hasRatings))
            }
            let split = StrongGeneralizationSplit.make(from: interactions, heldOutUsers: heldOut, ratingAbove: threshold.ratingAbove)
            let source = hasRatings || request.minimumRating != nil ? "--min-rating \(threshold.argument)" : "no rating column"
            let clicks = "\(source): " + (threshold == .everyRow ? "every row is a click" : "\(threshold.rule) are clicks")
            return fixed(split, description: "\(path) (strong generalisation, \(clicks)): ", builtIn: false)
        }
    }

    /// Throws when `--min-rating` was given for data that are not split from ratings.
    private static func refuseThreshold(_ request: DataRequest, expected: String) throws {
        if let threshold = request.minimumRating {
            throw DataRequestError.invalidValue(option: "--min-rating", value: threshold.argument, expected: expected)
        }
    }

    /// What would let more users qualify: a lower or no threshold, or more data.
    private static func hint(threshold: ClickThreshold, hasRatings: Bool) -> String {
        switch threshold {
        case .everyRow: return "the file holds too few users with 5 items or more"
        case .above where hasRatings: return "lower --min-rating, or pass --min-rating none to count every row"
        case .above: return "the file has no rating column (every row has rating 1): drop --min-rating or pass --min-rating none"
        }
    }

    /// One split for every seed (the held-out users are part of the data set, as in the papers).
    private func fixed(_ split: StrongGeneralizationSplit, description: String, builtIn: Bool) -> TaskDataset<StrongGeneralizationSplit> {
        let summary = "\(split.train.rows) train users, \(split.validation.userCount) validation, \(split.test.userCount) test, \(split.itemCount) items"
        return TaskDataset(description: description + summary, splitNote: nil, isBuiltIn: builtIn) { _ in split }
    }

    /// Mean NDCG@`validationCutoff` over the validation users (fold-in items masked).
    public func validation(on split: StrongGeneralizationSplit) -> TaskValidation? {
        let users = split.validation, cutoff = validationCutoff, batchSize = scoringBatchSize
        var rule = TaskValidation(metric: validationMetric) { model in
            let report = RankingEvaluation.evaluate(foldIn: users.foldIn, target: users.target, cutoffs: [cutoff],
                                                    batchSize: batchSize) { model.scores(for: $0) }
            return report.ndcg(at: cutoff)?.mean ?? .nan
        }
        rule.rowCount = users.foldIn.rows                           // each user's NDCG needs only their own rows
        rule.partialScore = { model, rows in
            guard !rows.isEmpty else { return (0, 0) }
            let report = RankingEvaluation.evaluate(foldIn: users.foldIn.rows(in: rows), target: users.target.rows(in: rows),
                                                    cutoffs: [cutoff], batchSize: batchSize) { model.scores(for: $0) }
            let values = report.ndcg(at: cutoff)?.perUser ?? []
            return (values.reduce(0, +), values.count)
        }
        return rule
    }

    /// Recall@20, Recall@50 and NDCG@100 over the test users, with per-user values and user ids.
    public func evaluate(_ model: any Recommender, on split: StrongGeneralizationSplit) -> TaskReport {
        scoring(model, on: split).scoreAll()
    }

    /// `evaluate` cut by test users (`scoring`).
    public func testScoring(_ model: any Recommender, on split: StrongGeneralizationSplit) -> TestScoring? {
        scoring(model, on: split)
    }

    /// `evaluate` cut by test users: a part holds, per user of its rows, 1 + one value per metric
    /// (whether the user has a target item, then their Recall@20, Recall@50, NDCG@100); the report
    /// summarises the values of the users with a target item, in row order.
    func scoring(_ model: any Recommender, on split: StrongGeneralizationSplit) -> TestScoring {
        let users = split.test, metrics = self.metrics, batchSize = scoringBatchSize
        let width = 1 + metrics.count
        return TestScoring(rowCount: users.foldIn.rows, part: { rows in
            guard !rows.isEmpty else { return [] }
            let report = RankingEvaluation.evaluate(foldIn: users.foldIn.rows(in: rows), target: users.target.rows(in: rows),
                                                    cutoffs: [20, 50, 100], batchSize: batchSize) { model.scores(for: $0) }
            var contributions = [Double](repeating: 0, count: rows.count * width)
            let columns = metrics.map { report[$0.name]?.perUser ?? [] }
            for (index, row) in report.users.enumerated() {
                contributions[row * width] = 1
                for (offset, values) in columns.enumerated() { contributions[row * width + 1 + offset] = values[index] }
            }
            return contributions
        }, report: { contributions in
            precondition(contributions.count == users.foldIn.rows * width,
                         "RankingTask: \(contributions.count) values for \(users.foldIn.rows) test users × \(width)")
            let evaluated = (0..<users.foldIn.rows).filter { contributions[$0 * width] == 1 }
            var values: [String: MeanWithError] = [:], perUser: [String: [Double]] = [:]
            for (offset, metric) in metrics.enumerated() {
                let summary = MetricSummary(name: metric.name, values: evaluated.map { contributions[$0 * width + 1 + offset] })
                values[metric.key] = MeanWithError(mean: summary.mean, standardError: summary.standardError)
                perUser[metric.key] = summary.perUser
            }
            return TaskReport(values: values, perUser: perUser, users: evaluated.map { users.userIDs[$0] },
                              evaluatedCount: evaluated.count)
        })
    }
}
