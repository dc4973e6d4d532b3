import TensorCore

extension TaskName {
    /// Rating prediction on observed ratings.
    public static let rating = TaskName("rating")
}

extension RatingSplit: TaskSplit {
    /// Users × items of the rating matrix.
    public var shape: DataShape { DataShape(users: train.rows, items: train.columns) }
    /// Every user is a training row.
    public var trainUserIDs: [Int64] { userIDs }
}

/// Rating prediction (Sedhain et al. 2015): random 90/10 splits of the observed ratings, one per
/// seed, with a share of the training part held out for validation (or a given split folder);
/// models predict the test ratings from the training ratings. RMSE and MAE with predictions
/// clipped to 1…5, unseen users and items predicted 3 (AutoRec's code); epochs are selected by
/// validation RMSE, lower is better.
public struct RatingTask: Task {
    /// The task with the paper's protocol.
    public init() {}

    public var name: TaskName { .rating }
    public var summary: String { "rating prediction: RMSE, MAE on a random 90/10 split per seed" }

    static let rmse = MetricDefinition(name: "RMSE", key: "rmse", higherIsBetter: false)
    static let mae = MetricDefinition(name: "MAE", key: "mae", higherIsBetter: false)

    /// Each user's mean squared error over their own test ratings (clipped, defaulted as RMSE's):
    /// the per-user figure of the paired tests. Its mean over users weighs users alike, so it is not
    /// RMSE²; a user with one test rating counts as much as one with a hundred.
    static let userMSE = MetricDefinition(name: "MSE", key: "user_mse", higherIsBetter: false)

    public var metrics: [MetricDefinition] { [Self.rmse, Self.mae] }
    public var validationMetric: MetricDefinition { Self.rmse }
    public var perUserMetric: MetricDefinition { Self.userMSE }
    public var evaluatedUnit: String { "ratings" }
    public var tableNote: String? { "predictions clipped to 1…5; users/items without training ratings predicted 3" }

    /// `SyntheticRatings()`'s settings (every stored property, as Swift prints the value).
    public var builtInDataSettings: String { String(describing: SyntheticRatings()) }

    /// The built-in ratings (`SyntheticRatings()`), a ratings file, or a split folder with a fixed
    /// test set (`rating-split`).
    public func load(_ request: DataRequest, log: (String) -> Void) throws -> TaskDataset<RatingSplit> {
        let validationFraction = request.validationFraction ?? 0.1
        let perSeed = "random 90/10 split per seed"
        if let threshold = request.minimumRating {
            throw DataRequestError.invalidValue(option: "--min-rating", value: threshold.argument,
                                                expected: "--task ranking (the rating task predicts every rating)")
        }
        guard let path = request.path else {
            let data = SyntheticRatings()
            return dataset(.ratings(data.generate(), validationFraction: validationFraction), splitNote: perSeed, builtIn: true,
                           description: "built-in synthetic ratings (\(data.userCount) users × \(data.itemCount) items, rank \(data.rank))")
        }
        log("loading \(path.escapingControlCharacters) …")
        let format = try request.resolvedFormat(path: path)
        switch format {
        case .ratingSplit:
            let given = try GivenRatingSplit.load(folder: path, validationFraction: validationFraction)
            let validation = given.validation.map { "\($0.nonZeroCount) validation" }
                ?? "validation \(Int(given.validationFraction * 100))% of train per seed"
            return dataset(.given(given), splitNote: "given test set", builtIn: false,
                           description: "\(path) (given split): \(given.userIDs.count) users × \(given.itemIDs.count) items, \(given.train.nonZeroCount) train, \(validation), \(given.test.nonZeroCount) test ratings")
        case .vaeCFSplit:
            throw DataRequestError.invalidValue(option: "--format", value: format.rawValue,
                                                expected: "a ratings file for --task rating (a vae_cf split holds clicks)")
        default:
            guard try request.hasRatingColumn(path: path, format: format) else {
                throw DataRequestError.invalidValue(option: "--task", value: "rating",
                                                    expected: "a file with a rating column (\(path.escapingControlCharacters) has two, user and item: clicks, for --task ranking)")
            }
            let interactions = try request.interactions(path: path, format: format, log: log)
            return dataset(.ratings(interactions, validationFraction: validationFraction), splitNote: perSeed, builtIn: false,
                           description: "\(path): \(interactions.userCount) users × \(interactions.itemCount) items, \(interactions.count) ratings")
        }
    }

    private func dataset(_ source: RatingSplitSource, splitNote: String, builtIn: Bool,
                         description: String) -> TaskDataset<RatingSplit> {
        TaskDataset(description: description, splitNote: splitNote, isBuiltIn: builtIn) { seed in source.split(seed: seed) }
    }

    /// Validation RMSE with the training ratings as the known ones; nil without validation ratings
    /// (`--validation-fraction 0`: the last epoch is kept). Data-parallel members each predict the
    /// ratings of a shard of users (`partialScore`: their squared errors and count; every prediction
    /// still reads the whole training matrix, as I-AutoRec's item columns need) and add them up.
    public func validation(on split: RatingSplit) -> TaskValidation? {
        guard split.validation.nonZeroCount > 0 else { return nil }
        let validation = split.validation, train = split.train
        var rule = TaskValidation(metric: Self.rmse) { model in Self.errors(of: model, test: validation, train: train).rmse }
        rule.rowCount = validation.rows
        rule.partialScore = { model, rows in
            let entries = validation.rowPointers[rows.lowerBound]..<validation.rowPointers[rows.upperBound]
            guard !entries.isEmpty else { return (0, 0) }
            let (predictions, _) = Self.defaulting(Self.rawPredictions(of: model, at: validation, rows: rows, train: train),
                                                   at: validation, rows: rows, train: train)
            let report = RatingEvaluation.errors(predictions: predictions, targets: Array(validation.values[entries]), range: 1...5)
            return (report.squaredErrorSum, report.count)
        }
        rule.finish = { sum, count in count > 0 ? (sum / Double(count)).squareRoot() : .nan }
        return rule
    }

    /// RMSE and MAE on the test ratings, how many were predicted 3 for an unseen user or item, and
    /// every test user's mean squared error (`perUserMetric`) with their id.
    public func evaluate(_ model: any Recommender, on split: RatingSplit) -> TaskReport {
        scoring(model, on: split).scoreAll()
    }

    /// `evaluate` cut by test users (`scoring`).
    public func testScoring(_ model: any Recommender, on split: RatingSplit) -> TestScoring? { scoring(model, on: split) }

    /// `evaluate` cut by test users: a part is the model's raw predictions of the rows' test ratings
    /// (in CSR order); the report defaults, clips and scores the predictions of every row.
    func scoring(_ model: any Recommender, on split: RatingSplit) -> TestScoring {
        let test = split.test, train = split.train, userIDs = split.userIDs
        return TestScoring(rowCount: test.rows, part: { rows in
            Self.rawPredictions(of: model, at: test, rows: rows, train: train).map(Double.init)
        }, report: { contributions in
            precondition(contributions.count == test.nonZeroCount,
                         "RatingTask: \(contributions.count) predictions for \(test.nonZeroCount) test ratings")
            let (predictions, defaulted) = Self.defaulting(contributions.map(Float.init), at: test, rows: 0..<test.rows, train: train)
            let report = RatingEvaluation.errors(predictions: predictions, targets: test.values, range: 1...5,
                                                 defaultedCount: defaulted)
            let perUser = RatingEvaluation.meanSquaredErrorPerRow(predictions: predictions, test: test, range: 1...5)
            return TaskReport(values: ["rmse": MeanWithError(mean: report.rmse, standardError: .nan),
                                       "mae": MeanWithError(mean: report.mae, standardError: .nan)],
                              perUser: [Self.userMSE.key: perUser.values], users: perUser.rows.map { userIDs[$0] },
                              evaluatedCount: report.count, counts: ["defaulted": report.defaultedCount])
        })
    }

    /// RMSE and MAE of `model` on the ratings of `test`, with `train` as the known ratings:
    /// predictions clipped to 1…5, and a rating whose user or item has no training rating predicted
    /// as 3 (`RatingEvaluation.autoRecDefaultRating`).
    public static func errors(of model: any Recommender, test: SparseMatrix, train: SparseMatrix) -> RatingReport {
        let rows = 0..<test.rows
        let (predictions, defaulted) = defaulting(rawPredictions(of: model, at: test, rows: rows, train: train),
                                                  at: test, rows: rows, train: train)
        return RatingEvaluation.errors(predictions: predictions, targets: test.values, range: 1...5, defaultedCount: defaulted)
    }

    /// The model's raw predictions (unclipped, not defaulted) at the stored positions of rows `rows`
    /// of `heldOut`, in CSR order, given every user's ratings in `train`: a prediction depends on
    /// `train` and its own position only, so a part of the rows gets the values the whole would.
    static func rawPredictions(of model: any Recommender, at heldOut: SparseMatrix, rows: Range<Int>,
                               train: SparseMatrix) -> [Float] {
        precondition(heldOut.rows == train.rows && heldOut.columns == train.columns,
                     "RatingTask: held-out \(heldOut.rows)×\(heldOut.columns), train \(train.rows)×\(train.columns)")
        let entries = heldOut.rowPointers[rows.lowerBound]..<heldOut.rowPointers[rows.upperBound]
        guard !entries.isEmpty else { return [] }
        let queries = entries.count == heldOut.nonZeroCount ? heldOut : heldOut.keepingEntries { entries.contains($0) }
        let predictions = model.scores(at: queries, known: train)
        precondition(predictions.count == queries.nonZeroCount,
                     "RatingTask: \(predictions.count) predictions for \(queries.nonZeroCount) ratings")
        return predictions
    }

    /// `predictions` of the ratings of rows `rows` of `heldOut` with 3 where the user or item has no
    /// training rating, and how many were so defaulted.
    static func defaulting(_ predictions: [Float], at heldOut: SparseMatrix, rows: Range<Int>,
                           train: SparseMatrix) -> ([Float], defaulted: Int) {
        let first = heldOut.rowPointers[rows.lowerBound]
        precondition(predictions.count == heldOut.rowPointers[rows.upperBound] - first,
                     "RatingTask: \(predictions.count) predictions for rows \(rows) of the held-out ratings")
        var itemSeen = [Bool](repeating: false, count: train.columns)
        for column in train.columnIndices { itemSeen[Int(column)] = true }
        var predictions = predictions, defaulted = 0
        for user in rows {
            let userSeen = train.count(inRow: user) > 0
            for position in heldOut.range(ofRow: user) where !(userSeen && itemSeen[Int(heldOut.columnIndices[position])]) {
                predictions[position - first] = RatingEvaluation.autoRecDefaultRating
                defaulted += 1
            }
        }
        return (predictions, defaulted)
    }
}
