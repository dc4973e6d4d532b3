import Foundation
import Checkpoints
import Kernels
import ModelKit
import NeuralNet
import RecCore

/// Runs every requested model over every seed on a task's data and collects its test metrics —
/// one runner for every task.
public struct ComparisonRunner {
    /// The models available.
    public let zoo: ModelZoo
    /// The command-line options.
    public let options: ComparisonOptions
    /// Where progress lines go (stderr in the executable).
    public let log: (String) -> Void
    /// Writes text as it is to a terminal, for the line that updates during an epoch; nil (stderr
    /// is not a terminal, or a test) prints the plain epoch lines only.
    public let terminal: ((String) -> Void)?
    /// The processes training each model together (MPI ranks); nil: this process alone.
    public let dataParallel: (any DataParallelGroup)?

    /// Epochs used on the built-in data sets when `--epochs` is not given (keeps the default run ≈ 2 min).
    public static let builtInEpochs = 15

    /// A runner over `zoo` with `options`, logging progress to `log` and, when `terminal` is
    /// given, drawing the line of the running epoch with it.
    public init(zoo: ModelZoo, options: ComparisonOptions, log: @escaping (String) -> Void,
                terminal: ((String) -> Void)? = nil, dataParallel: (any DataParallelGroup)? = nil) {
        self.zoo = zoo
        self.dataParallel = dataParallel
        self.options = options
        self.log = log
        self.terminal = terminal
    }

    /// The entries to run for `task`: `--models` (any case), or every entry of the task; unknown
    /// names, in `--models` or `--set`, throw listing the known ones (and the closest), and a model
    /// of another task throws naming its task.
    public func selectedEntries(for task: TaskName) throws -> [ModelEntry] {
        for name in options.overrides.keys.sorted() { _ = try zoo.entry(named: name) }
        let entries = try options.models.isEmpty ? zoo.entries.filter { $0.task == task }
            : options.models.map { try zoo.entry(named: $0) }
        guard !entries.isEmpty else { throw ComparisonError.noModels }
        for entry in entries where entry.task != task {
            throw ModelZooError.wrongTask(model: entry.name, task: entry.task)
        }
        return entries
    }

    /// The options `entry` is built with for `seed`: on built-in data its small-data settings
    /// first, then `tuned` (a trial's or the tuned settings), `--set` values winning (the model
    /// named in any case; a key it sets is never in the search space).
    func modelOptions(_ entry: ModelEntry, seed: UInt64, builtIn: Bool, tuned: [String: String] = [:]) -> ModelOptions {
        var merged = builtIn ? entry.builtInDataOverrides : [:]
        merged.merge(tuned) { _, tuned in tuned }
        for (name, values) in options.overrides.sorted(by: { $0.key < $1.key }) where name.lowercased() == entry.name.lowercased() {
            merged.merge(values) { _, user in user }
        }
        return ModelOptions(seed: seed, epochs: options.epochs ?? (builtIn ? Self.builtInEpochs : nil), overrides: merged)
    }

    /// `error` (an entry refusing a setting, or a key of its tuning space) naming the experiment
    /// file and line that key was read from, when it came from `--config`; else `error` itself.
    func namingTheFileLine(_ error: Error, of entry: ModelEntry) -> Error {
        let refused: (option: String, key: String)
        switch error {
        case let ModelZooError.unknownOption(_, key, _), let ModelZooError.invalidOption(_, key, _, _): refused = ("settings", key)
        case let SearchSpaceError.emptyRange(_, key, _), let SearchSpaceError.unknownSetting(_, key, _),
             let SearchSpaceError.unreadable(_, key, _): refused = ("tuneSpace", key)
        default: return error
        }
        let sourceKey = ComparisonOptions.settingSourceKey(option: refused.option, model: entry.name, key: refused.key)
        guard let source = options.settingSources[sourceKey] else { return error }
        return ComparisonError.settingInFile(source: source, key: "\(refused.option).\(entry.name).\(refused.key)",
                                             reason: "\(error)")
    }

    /// Trains each selected model with each seed on its split of `dataset`, scores the test part,
    /// returns the results. With `--tune`, each model's settings are first chosen by a search on
    /// the validation part (`HyperparameterSearch`): once on the first seed's split when every
    /// seed has the same split, else once per seed on its own; then each seed trains the choice.
    /// `afterEachRun` receives the results so far (the current model with the seeds it has
    /// finished) after every (model, seed), so a caller can save them before a long run ends.
    public func run<T: Task>(_ task: T, on dataset: TaskDataset<T.Split>,
                             afterEachRun: ([ModelResult]) throws -> Void = { _ in }) throws -> [ModelResult] {
        let entries = try selectedEntries(for: task.name)
        let seeds = (0..<options.seeds).map { options.firstSeed + UInt64($0) }
        var splits: [UInt64: T.Split] = [:]
        func split(_ seed: UInt64) throws -> T.Split {
            if let cached = splits[seed] { return cached }
            let made = try dataset.split(seed)
            splits[seed] = made
            return made
        }
        // Build every model once before training any, so that a bad --set value for the last model
        // is reported now, not after the others have trained for hours.
        for entry in entries {
            do {
                _ = try entry.make(split(options.firstSeed).shape, modelOptions(entry, seed: options.firstSeed, builtIn: dataset.isBuiltIn))
            } catch {
                throw namingTheFileLine(error, of: entry)
            }
        }
        let tuning = try tuningSession(entries, task: task, dataset: dataset, shape: split(options.firstSeed).shape)
        var results: [ModelResult] = []
        for entry in entries {
            var runs: [SeedRun] = []
            var parameterCount = 0
            var chosen: [UInt64: [String: String]] = [:]
            for seed in seeds {
                let label = options.seeds > 1 ? "\(entry.name) seed \(seed)" : entry.name
                var tuned: [String: String]? = nil
                if let tuning {
                    let searchSeed = tuning.oneSplit ? options.firstSeed : seed
                    if chosen[searchSeed] == nil {
                        let searchLabel = tuning.oneSplit || options.seeds == 1 ? entry.name : "\(entry.name) seed \(seed)"
                        chosen[searchSeed] = try tune(entry, seed: searchSeed, label: searchLabel, task: task,
                                                      split: try split(searchSeed), builtIn: dataset.isBuiltIn, session: tuning)
                    }
                    tuned = chosen[searchSeed]
                }
                let (run, parameters) = try train(entry, seed: seed, label: label, task: task, split: try split(seed),
                                                  builtIn: dataset.isBuiltIn, tuned: tuned)
                parameterCount = parameters
                runs.append(run)
                try afterEachRun(results + [ModelResult(model: entry.name, task: task.name, parameterCount: parameterCount, runs: runs,
                                                        tunedSettings: chosen[options.firstSeed])])
            }
            results.append(ModelResult(model: entry.name, task: task.name, parameterCount: parameterCount, runs: runs,
                                       tunedSettings: chosen[options.firstSeed]))
        }
        return results
    }

    /// One (model, seed) with `--precision` for every product it computes on this thread, its sums
    /// independent of the thread count under `--reproducible`.
    private func train<T: Task>(_ entry: ModelEntry, seed: UInt64, label: String, task: T, split: T.Split,
                                builtIn: Bool, tuned: [String: String]? = nil) throws -> (SeedRun, parameterCount: Int) {
        try Kernels.withProductPrecision(options.precision ?? Kernels.defaultProductPrecision) {
            try Kernels.withSumsIndependentOfThreads(options.reproducibleShards != nil) {          // scoring too
                try trainAtThreadPrecision(entry, seed: seed, label: label, task: task, split: split, builtIn: builtIn, tuned: tuned)
            }
        }
    }

    /// One (model, seed): build, fit (continuing from `--resume-dir` when asked), save, score.
    private func trainAtThreadPrecision<T: Task>(_ entry: ModelEntry, seed: UInt64, label: String, task: T, split: T.Split,
                                                 builtIn: Bool, tuned: [String: String]?) throws -> (SeedRun, parameterCount: Int) {
        let modelOptions = modelOptions(entry, seed: seed, builtIn: builtIn, tuned: tuned ?? [:])
        let model = try entry.make(split.shape, modelOptions)
        let started = Date()
        var elapsedEpochs = 0.0, epochsRun = 0
        let metricName = task.validationMetric.name
        let line = options.quiet ? nil : terminal.map { write in
            EpochProgressLine(label: label, write: write)
        }
        let userCount = split.train.rows
        defer { line?.clear() }
        let progress: (EpochReport) -> Void = { report in
            elapsedEpochs += report.seconds
            epochsRun += 1
            line?.clear()
            guard !options.quiet else { return }
            let remaining = Double(report.epochCount - report.epoch) * elapsedEpochs / Double(epochsRun)
            let metric = report.validationMetric.map { String(format: "  val %@ %.4f", metricName, $0) } ?? ""
            log(String(format: "[%@] epoch %d/%d  loss %.4g%@  %.1f s  ETA %@", label, report.epoch, report.epochCount,
                       report.loss, metric, report.seconds, Self.duration(remaining)))
        }
        var request = FitRequest(train: split.train, validation: task.validation(on: split), progress: progress,
                                 log: { text in
                                     line?.clear()
                                     if !options.quiet { log("[\(label)] \(text)") }
                                 },
                                 batchProgress: line.map { line in
                                     { progress in line.update(progress, unit: progress.rowCount == userCount ? "users" : "items") }
                                 })
        request.dataParallel = dataParallel
        request.reproducibleShards = options.reproducibleShards
        var earlierSeconds = 0.0
        let history: TrainingHistory
        do {                                                          // a rank failing in the fit stops every rank
            (history, earlierSeconds) = try MemberFailures.together(dataParallel) {
                if let stateFiles = options.resumeDirectory.map(TrainingStateFiles.init(directory:)) {
                    return try stateFiles.fit(model, entry: entry.name, task: task.name, options: modelOptions,
                                              split: split, request: request,
                                              log: options.quiet ? nil : { log("[\(label)] \($0)") })
                }
                return (try model.fit(request), 0)
            }
        } catch let error as TrainingError {
            throw ComparisonError.trainingFailed(model: label, reason: error.description)
        }
        let trainingSeconds = earlierSeconds + Date().timeIntervalSince(started)
        try MemberFailures.together(dataParallel) {                       // rank 0's write failing stops every rank
            try ComparisonCheckpoints.save(model, entry: entry.name, task: task.name, options: modelOptions, split: split,
                                           into: (dataParallel?.rank ?? 0) == 0 ? options.saveDirectory : nil, log: options.quiet ? { _ in } : log)
        }
        let report = try task.evaluate(model, on: split, splitOver: dataParallel)
        let perUser = report.perUser[task.perUserMetric.key]
        var run = SeedRun(seed: seed, metrics: report.values, bestEpoch: history.bestEpoch,
                          bestValidationMetric: history.bestValidationMetric, trainingSeconds: trainingSeconds,
                          evaluatedCount: report.evaluatedCount, counts: report.counts,
                          perUserValues: perUser ?? [], perUserIDs: perUser == nil ? [] : report.users,
                          curve: history.epochs.map {
                              EpochPoint(epoch: $0.epoch, loss: $0.loss, validationMetric: $0.validationMetric, seconds: $0.seconds)
                          })
        run.tunedSettings = tuned
        if !options.quiet {
            let ordered = [task.validationMetric] + task.metrics.filter { $0 != task.validationMetric }
            let figures = ordered.map { String(format: "%@ %.4f", $0.name, run.metric($0.key).mean) }.joined(separator: ", ")
            log("[\(label)] done in \(Self.duration(trainingSeconds)): best epoch \(run.bestEpoch), test \(figures)")
        }
        return (run, model.parameterCount)
    }

    /// `1m 05s` style durations for progress lines.
    static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite else { return "?" }
        let total = Int(seconds.rounded())
        return total >= 60 ? String(format: "%dm %02ds", total / 60, total % 60) : "\(total)s"
    }
}
