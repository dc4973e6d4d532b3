import Foundation
import Checkpoints
import Kernels
import ModelKit
import RecCore
import TensorCore

/// One rating model trained and scored with one seed (its own random 90/10 split, or the given split).
public struct RatingSeedRun: Sendable, Codable, Equatable {
    public var seed: UInt64
    public var rmse: Double
    public var mae: Double
    public var bestEpoch: Int
    public var bestValidationRMSE: Double?
    public var trainingSeconds: Double
    public var testRatings: Int
    public var defaultedRatings: Int
}

/// One rating model's runs over every seed.
public struct RatingModelResult: Sendable, Codable, Equatable {
    public var model: String
    public var parameterCount: Int
    public var runs: [RatingSeedRun]

    /// Mean over seeds ± standard error of that mean (s.d./√seeds; 0 with one seed).
    public func summary(_ metric: KeyPath<RatingSeedRun, Double>) -> MeanWithError {
        let values = runs.map { $0[keyPath: metric] }
        let mean = values.reduce(0, +) / Double(max(1, values.count))
        guard values.count > 1 else { return MeanWithError(mean: mean, standardError: 0) }
        let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count - 1)
        return MeanWithError(mean: mean, standardError: (variance / Double(values.count)).squareRoot())
    }
}

/// The rating task of `CompareModels`: random 90/10 splits of ratings (10% of the training part held
/// out for validation, Sedhain et al. 2015), one split per seed, or a given split folder
/// (`--format rating-split`: fixed test, validation carved per seed); RMSE and MAE on the test ratings.
public struct RatingComparison {
    /// The zoo, the options and the progress log.
    public let zoo: ModelZoo, options: ComparisonOptions, log: (String) -> Void

    /// Epochs used on the built-in data set when `--epochs` is not given.
    public static let builtInEpochs = 15

    /// A comparison over `zoo` with `options`.
    public init(zoo: ModelZoo, options: ComparisonOptions, log: @escaping (String) -> Void) {
        self.zoo = zoo
        self.options = options
        self.log = log
    }

    /// `--task`, or rating when every model asked for is a rating model or `--format rating-split`
    /// (ranking when neither).
    public static func task(for options: ComparisonOptions, zoo: ModelZoo) throws -> ModelTask {
        if let task = options.task { return task }
        if options.format == .ratingSplit { return .rating }
        if options.format == nil, let path = options.dataPath,
           (try? ComparisonData.guessFormat(path)) == .ratingSplit { return .rating }
        guard !options.models.isEmpty else { return .ranking }
        let tasks = try Set(options.models.map { try zoo.entry(named: $0).task })
        return tasks == [.rating] ? .rating : .ranking
    }

    /// The rating entries asked for (`--models`, or every rating model).
    public func selectedEntries() throws -> [ModelEntry] {
        let entries = try options.models.isEmpty ? zoo.entries.filter { $0.task == .rating }
            : options.models.map { try zoo.entry(named: $0) }
        guard !entries.isEmpty else { throw ComparisonError.noModels }
        for entry in entries where entry.task != .rating {
            throw ModelZooError.wrongTask(model: entry.name, task: entry.task)
        }
        return entries
    }

    /// The ratings of `--data` (or the built-in synthetic set), or the split folder of
    /// `--format rating-split`, and a line describing them.
    public func loadRatings() throws -> (source: RatingSplitSource, description: String) {
        guard let path = options.dataPath else {
            let data = SyntheticRatings()
            return (.ratings(data.generate(), validationFraction: validationFraction), "built-in synthetic ratings (\(data.userCount) users × \(data.itemCount) items, rank \(data.rank))")
        }
        log("loading \(path) …")
        let format = try options.format ?? ComparisonData.guessFormat(path)
        let interactions: Interactions
        switch format {
        case .movielens100k: interactions = try Interactions.load(path: path, format: .movieLens100K)
        case .movielens1m: interactions = try Interactions.load(path: path, format: .movieLensDat)
        case .movielens20m: interactions = try Interactions.load(path: path, format: .movieLensCSV)
        case .netflix: interactions = try Interactions.loadNetflix(path: path)
        case .csv:
            interactions = try Interactions.load(path: path, format: DelimitedFormat(
                delimiter: ",", hasHeader: true, ratingColumn: 2, timestampColumn: nil))
        case .ratingSplit:
            let given = try GivenRatingSplit.load(folder: path, validationFraction: validationFraction)
            let validation = given.validation.map { "\($0.nonZeroCount) validation" }
                ?? "validation \(Int(given.validationFraction * 100))% of train per seed"
            return (.given(given), "\(path) (given split): \(given.userIDs.count) users × \(given.itemIDs.count) items, \(given.train.nonZeroCount) train, \(validation), \(given.test.nonZeroCount) test ratings")
        case .vaeCFSplit:
            throw ComparisonError.invalidValue(flag: "--format", value: format.rawValue,
                                               expected: "a ratings file for --task rating (a vae_cf split holds clicks)")
        }
        return (.ratings(interactions, validationFraction: validationFraction), "\(path): \(interactions.userCount) users × \(interactions.itemCount) items, \(interactions.count) ratings")
    }

    /// Trains and scores every selected model with every seed on its own random 90/10 split.
    public func run(on interactions: Interactions, builtIn: Bool) throws -> [RatingModelResult] {
        try run(on: .ratings(interactions, validationFraction: validationFraction), builtIn: builtIn)
    }

    /// `--validation-fraction`, or 0.1.
    var validationFraction: Double { options.validationFraction ?? 0.1 }

    /// Trains and scores every selected model with every seed on `source.split(seed:)`;
    /// `afterEachRun` receives the results so far after every (model, seed).
    public func run(on source: RatingSplitSource, builtIn: Bool,
                    afterEachRun: ([RatingModelResult]) throws -> Void = { _ in }) throws -> [RatingModelResult] {
        let entries = try selectedEntries()
        let epochs = options.epochs ?? (builtIn ? Self.builtInEpochs : nil)
        // Build every model once before training any (a bad --set value fails now, not hours in).
        let shape = source.shape
        for entry in entries {
            guard let make = entry.makeRating else { throw ModelZooError.wrongTask(model: entry.name, task: entry.task) }
            let model = try make(shape.users, shape.items,
                                 ModelOptions(seed: options.firstSeed, epochs: epochs, overrides: options.overrides[entry.name] ?? [:]))
            if let option = options.checkpointOption, !(model is any ResumableRatingRecommender) {
                throw ComparisonError.cannotCheckpoint(model: entry.name, option: option)
            }
        }
        var results: [RatingModelResult] = []
        for entry in entries {
            guard let make = entry.makeRating else { throw ModelZooError.wrongTask(model: entry.name, task: entry.task) }
            var runs: [RatingSeedRun] = []
            var parameterCount = 0
            for seedIndex in 0..<options.seeds {
                let seed = options.firstSeed + UInt64(seedIndex)
                let split = source.split(seed: seed)
                let modelOptions = ModelOptions(seed: seed, epochs: epochs, overrides: options.overrides[entry.name] ?? [:])
                let model = try make(split.train.rows, split.train.columns, modelOptions)
                parameterCount = model.parameterCount
                let label = options.seeds > 1 ? "\(entry.name) seed \(seed)" : entry.name
                let started = Date()
                // With no validation ratings (--validation-fraction 0) the last epoch is kept.
                let validation = split.validation.nonZeroCount > 0 ? split.validation : nil
                let progress: (EpochProgress) -> Void = { progress in
                    guard !options.quiet else { return }
                    let metric = progress.validationMetric.map { String(format: "  val RMSE %.4f", $0) } ?? ""
                    log(String(format: "[%@] epoch %d/%d  loss %.4g%@  %.1f s", label, progress.epoch,
                               progress.epochCount, progress.loss, metric, progress.seconds))
                }
                var earlierSeconds = 0.0
                let summary: FitSummary
                if let stateFiles = options.resumeDirectory.map(TrainingStateFiles.init(directory:)) {
                    guard let resumable = model as? any ResumableRatingRecommender else {
                        throw ComparisonError.cannotCheckpoint(model: entry.name, option: "--resume-dir")
                    }
                    (summary, earlierSeconds) = try stateFiles.fit(
                        resumable, entry: entry.name, task: .rating, options: modelOptions, itemIDs: split.itemIDs,
                        train: split.train, log: options.quiet ? nil : { log("[\(label)] \($0)") },
                        checkpoint: { Checkpoint(rating: resumable, name: entry.name, options: modelOptions, itemIDs: split.itemIDs,
                                                 known: split.train, userIDs: split.userIDs, training: $0) }
                    ) { resume, onEpochEnd in
                        try resumable.fit(train: split.train, validation: validation, resume: resume,
                                          onEpochEnd: onEpochEnd, progress: progress)
                    }
                } else {
                    summary = try model.fit(train: split.train, validation: validation, progress: progress)
                }
                let trainingSeconds = earlierSeconds + Date().timeIntervalSince(started)
                try ComparisonCheckpoints.save(rating: model, entry: entry.name, options: modelOptions, split: split,
                                               into: options.saveDirectory, log: options.quiet ? { _ in } : log)
                let report = RatingEvaluation.evaluate(model, test: split.test, train: split.train)
                let run = RatingSeedRun(seed: seed, rmse: report.rmse, mae: report.mae, bestEpoch: summary.bestEpoch,
                                        bestValidationRMSE: summary.bestValidationMetric, trainingSeconds: trainingSeconds,
                                        testRatings: report.count, defaultedRatings: report.defaultedCount)
                if !options.quiet {
                    log(String(format: "[%@] done in %@: best epoch %d, test RMSE %.4f, MAE %.4f", label,
                               ComparisonRunner.duration(trainingSeconds), run.bestEpoch, run.rmse, run.mae))
                }
                runs.append(run)
                try afterEachRun(results + [RatingModelResult(model: entry.name, parameterCount: parameterCount, runs: runs)])
            }
            results.append(RatingModelResult(model: entry.name, parameterCount: parameterCount, runs: runs))
        }
        return results
    }

    /// The table: one row per model, the lowest RMSE marked with `*`.
    public static func render(_ results: [RatingModelResult], dataDescription: String,
                              splitNote: String = "random 90/10 split per seed") -> String {
        let seeds = results.first?.runs.count ?? 0
        let best = results.min { $0.summary(\.rmse).mean < $1.summary(\.rmse).mean }?.model
        let header = ["", "model", "RMSE", "MAE", "train s", "params"]
        var rows = [header]
        for result in results {
            let seconds = result.runs.map(\.trainingSeconds).sorted()
            rows.append([result.model == best ? "*" : "", result.model,
                         format(result.summary(\.rmse), seeds: result.runs.count),
                         format(result.summary(\.mae), seeds: result.runs.count),
                         String(format: "%.1f", seconds.isEmpty ? 0 : seconds[seconds.count / 2]),
                         "\(result.parameterCount)"])
        }
        let widths = header.indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
        var lines = ["\(dataDescription) — \(splitNote), mean ± standard error over \(seeds) seed(s)"]
        for (index, row) in rows.enumerated() {
            lines.append(row.enumerated().map { column, cell in
                column <= 1 ? cell.padding(toLength: widths[column], withPad: " ", startingAt: 0)
                    : String(repeating: " ", count: widths[column] - cell.count) + cell
            }.joined(separator: "  "))
            if index == 0 { lines.append(String(repeating: "-", count: lines.last?.count ?? 0)) }
        }
        lines.append("* lowest RMSE (predictions clipped to 1…5; users/items without training ratings predicted 3)")
        return lines.joined(separator: "\n")
    }

    /// `mean ± s.e.` over seeds, or the value alone with one seed (no spread to show).
    static func format(_ value: MeanWithError, seeds: Int) -> String {
        seeds > 1 ? String(format: "%.4f ± %.4f", value.mean, value.standardError) : String(format: "%.4f", value.mean)
    }

    /// Results as CSV, one line per (model, seed).
    public static func csv(_ results: [RatingModelResult]) -> String {
        var lines = ["model,seed,rmse,mae,best_epoch,train_seconds,test_ratings,defaulted,parameters"]
        for result in results {
            for run in result.runs {
                lines.append("\(result.model),\(run.seed),\(run.rmse),\(run.mae),\(run.bestEpoch),\(run.trainingSeconds),\(run.testRatings),\(run.defaultedRatings),\(result.parameterCount)")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The whole rating run of `CompareModelsCommand`: load, train, print, write files.
    func execute(output: (String) -> Void) throws {
        let (source, description) = try loadRatings()
        log("data: \(description)")
        let save: ([RatingModelResult]) throws -> Void = { results in     // after every (model, seed), as ranking
            guard let path = options.outputPath else { return }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try ResultsFiles.write(json: encoder.encode(results), csv: Self.csv(results), to: path)
        }
        let results = try run(on: source, builtIn: options.dataPath == nil, afterEachRun: save)
        let note: String
        if case .given = source { note = "given test set" } else { note = "random 90/10 split per seed" }
        output(Self.render(results, dataDescription: description, splitNote: note))
        try save(results)
        if let path = options.outputPath { log("wrote \(path) and \(ResultsFiles.csvPath(for: path))") }
    }
}
