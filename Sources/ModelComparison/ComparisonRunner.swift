import Foundation
import Checkpoints
import Kernels
import ModelKit
import RecCore
import TensorCore

/// Runs every requested model over every seed on one split and collects test metrics.
public struct ComparisonRunner {
    /// The models available.
    public let zoo: ModelZoo
    /// The command-line options.
    public let options: ComparisonOptions
    /// Where progress lines go (stderr in the executable).
    public let log: (String) -> Void

    /// Epochs used on the built-in data set when `--epochs` is not given (keeps the default run ≈ 2 min).
    public static let builtInEpochs = 15

    /// A runner over `zoo` with `options`, logging progress to `log`.
    public init(zoo: ModelZoo, options: ComparisonOptions, log: @escaping (String) -> Void) {
        self.zoo = zoo
        self.options = options
        self.log = log
    }

    /// The entries to run: `--models`, or every ranking model; unknown names throw listing the known ones.
    public func selectedEntries() throws -> [ModelEntry] {
        let entries = try options.models.isEmpty ? zoo.entries.filter { $0.task == .ranking }
            : options.models.map { try zoo.entry(named: $0) }
        guard !entries.isEmpty else { throw ComparisonError.noModels }
        return entries
    }

    /// Trains each selected model with each seed on `data`, scores the test users, returns the results.
    /// `afterEachRun` receives the results so far (the current model with the seeds it has finished)
    /// after every (model, seed), so a caller can save them before a long run ends.
    public func run(on data: ComparisonData, builtIn: Bool,
                    afterEachRun: ([ModelResult]) throws -> Void = { _ in }) throws -> [ModelResult] {
        let entries = try selectedEntries()
        let epochs = options.epochs ?? (builtIn ? Self.builtInEpochs : nil)
        let split = data.split
        func modelOptions(_ entry: ModelEntry, seed: UInt64) -> ModelOptions {
            // On the built-in data, the entry's small-data settings apply first; `--set` values win.
            let base = builtIn ? entry.builtInDataOverrides : [:]
            return ModelOptions(seed: seed, epochs: epochs,
                                overrides: base.merging(options.overrides[entry.name] ?? [:]) { _, user in user })
        }
        // Build every model once before training any, so that a bad --set value for the last model
        // is reported now, not after the others have trained for hours.
        for entry in entries {
            let model = try entry.make(split.itemCount, modelOptions(entry, seed: options.firstSeed))
            if let option = options.checkpointOption, !(model is any ResumableRecommender) {
                throw ComparisonError.cannotCheckpoint(model: entry.name, option: option)
            }
        }
        var results: [ModelResult] = []
        for entry in entries {
            var runs: [SeedRun] = []
            var parameterCount = 0
            for seedIndex in 0..<options.seeds {
                let seed = options.firstSeed + UInt64(seedIndex)
                let modelOptions = modelOptions(entry, seed: seed)
                let model = try entry.make(split.itemCount, modelOptions)
                parameterCount = model.parameterCount
                let label = options.seeds > 1 ? "\(entry.name) seed \(seed)" : entry.name
                let started = Date()
                var elapsedEpochs = 0.0, epochsRun = 0
                let progress: (EpochProgress) -> Void = { progress in
                    elapsedEpochs += progress.seconds
                    epochsRun += 1
                    guard !options.quiet else { return }
                    let remaining = Double(progress.epochCount - progress.epoch) * elapsedEpochs / Double(epochsRun)
                    let metric = progress.validationMetric.map { String(format: "  val NDCG@100 %.4f", $0) } ?? ""
                    log(String(format: "[%@] epoch %d/%d  loss %.3f%@  %.1f s  ETA %@", label, progress.epoch,
                               progress.epochCount, progress.loss, metric, progress.seconds, Self.duration(remaining)))
                }
                var earlierSeconds = 0.0
                let summary: FitSummary
                if let stateFiles = options.resumeDirectory.map(TrainingStateFiles.init(directory:)) {
                    guard let resumable = model as? any ResumableRecommender else {
                        throw ComparisonError.cannotCheckpoint(model: entry.name, option: "--resume-dir")
                    }
                    (summary, earlierSeconds) = try stateFiles.fit(
                        resumable, entry: entry.name, task: .ranking, options: modelOptions, itemIDs: split.itemIDs,
                        train: split.train, log: options.quiet ? nil : { log("[\(label)] \($0)") },
                        checkpoint: { Checkpoint(ranking: resumable, name: entry.name, options: modelOptions, itemIDs: split.itemIDs,
                                                 history: split.train, userIDs: split.trainUserIDs, training: $0) }
                    ) { resume, onEpochEnd in
                        try resumable.fit(train: split.train, validation: split.validation, resume: resume,
                                          onEpochEnd: onEpochEnd, progress: progress)
                    }
                } else {
                    summary = try model.fit(train: split.train, validation: split.validation, progress: progress)
                }
                let trainingSeconds = earlierSeconds + Date().timeIntervalSince(started)
                try ComparisonCheckpoints.save(ranking: model, entry: entry.name, options: modelOptions, split: split,
                                               into: options.saveDirectory, log: options.quiet ? { _ in } : log)
                let report = RankingEvaluation.evaluate(foldIn: split.test.foldIn, target: split.test.target,
                                                        cutoffs: [20, 50, 100], batchSize: 2_000) { model.scores(for: $0) }
                func metric(_ summary: MetricSummary?) -> MeanWithError {
                    MeanWithError(mean: summary?.mean ?? .nan, standardError: summary?.standardError ?? .nan)
                }
                let run = SeedRun(seed: seed, recall20: metric(report.recall(at: 20)), recall50: metric(report.recall(at: 50)),
                                  ndcg100: metric(report.ndcg(at: 100)), bestEpoch: summary.bestEpoch,
                                  trainingSeconds: trainingSeconds, testUsers: report.users.count)
                if !options.quiet {
                    log(String(format: "[%@] done in %@: best epoch %d, test NDCG@100 %.4f, Recall@20 %.4f, Recall@50 %.4f",
                               label, Self.duration(trainingSeconds), run.bestEpoch, run.ndcg100.mean, run.recall20.mean,
                               run.recall50.mean))
                }
                runs.append(run)
                try afterEachRun(results + [ModelResult(model: entry.name, parameterCount: parameterCount, runs: runs)])
            }
            results.append(ModelResult(model: entry.name, parameterCount: parameterCount, runs: runs))
        }
        return results
    }

    /// `1m 05s` style durations for progress lines.
    static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite else { return "?" }
        let total = Int(seconds.rounded())
        return total >= 60 ? String(format: "%dm %02ds", total / 60, total % 60) : "\(total)s"
    }
}
