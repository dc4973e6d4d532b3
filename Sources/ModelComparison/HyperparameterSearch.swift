import Foundation
import ModelKit
import NeuralNet
import RecCore

/// One model's search on one split: the trials of its plan, each trained on the split's training
/// part and scored on its validation part only (the test part is never read: trials see the split
/// through `Task.validation(on:)` and `TaskSplit.train`), the median rule stopping those that fall
/// behind, each finished trial appended to the log, and those the log already holds read back.
struct HyperparameterSearch {
    /// The entry searched.
    let entry: ModelEntry
    /// Its trials.
    let plan: TrialPlan
    /// What it runs on (written into every trial's line).
    let context: SearchContext
    /// The stopping rule.
    let rule: MedianStoppingRule
    /// Where trials go.
    let tuningLog: TuningLog
    /// The seed (model and split).
    let seed: UInt64
    /// The options of a trial with the given settings.
    let options: ([String: String]) -> ModelOptions
    /// Progress lines (nil: quiet).
    let log: ((String) -> Void)?
    /// The label of progress lines (`mult-vae`, `mult-vae seed 2`).
    let label: String
    /// K of the trainer's reproducible mode for every trial (`--reproducible`); nil: off.
    var reproducibleShards: Int? = nil

    /// The chosen trial (the best validation value; ties to the earlier trial) and every trial, run
    /// or read back from `finished` (the log's trials of this model and seed, by index).
    func run<T: Task>(_ task: T, on split: T.Split, finished: [Int: (line: Int, record: TrialRecord)]) throws
        -> (chosen: TrialRecord, trials: [TrialRecord]) {
        guard let validation = task.validation(on: split) else { throw ComparisonError.noValidationForTuning }
        let metric = task.validationMetric
        var trials: [TrialRecord] = []
        for (index, settings) in plan.trials.enumerated() {
            let trialLabel = "\(label) trial \(index + 1)/\(plan.trials.count)"
            if let (line, record) = finished[index] {
                guard record.settings == settings else {
                    throw TuningLogError.otherSettings(file: tuningLog.path, line: line, model: entry.name, trial: index,
                                                       there: TrialPlan.describe(record.settings), now: TrialPlan.describe(settings))
                }
                log?("[\(trialLabel)] from \(tuningLog.path) line \(line): \(Self.summary(record, metric: metric))")
                trials.append(record)
                continue
            }
            let record = try runTrial(index, settings: settings, label: trialLabel, split: split, validation: validation,
                                      metric: metric, earlier: trials.map(\.validation))
            try tuningLog.append(record)
            log?("[\(trialLabel)] \(TrialPlan.describe(settings)): \(Self.summary(record, metric: metric))")
            trials.append(record)
        }
        let candidates = trials.filter { $0.failure == nil && $0.bestValue != nil }
        guard var chosen = candidates.first else { throw ComparisonError.everyTrialFailed(model: label) }
        for trial in candidates.dropFirst() where metric.isBetter(trial.bestValue ?? .nan, than: chosen.bestValue ?? .nan) {
            chosen = trial
        }
        return (chosen, trials)
    }

    /// One trial: build, fit with the median rule asked after every epoch, record.
    private func runTrial(_ index: Int, settings: [String: String], label: String, split: some TaskSplit,
                          validation: TaskValidation, metric: MetricDefinition, earlier: [[Double?]]) throws -> TrialRecord {
        let model = try entry.make(split.shape, options(settings))
        let started = Date()
        var curve: [Double?] = []
        var stoppedByRule = false
        let progress: (EpochReport) -> Void = { report in
            curve.append(report.validationMetric.flatMap { $0.isFinite ? $0 : nil })
            let value = report.validationMetric.map { String(format: "  val %@ %.4f", metric.name, $0) } ?? ""
            log?(String(format: "[%@] epoch %d/%d  loss %.4g%@  %.1f s", label, report.epoch, report.epochCount,
                        report.loss, value, report.seconds))
        }
        var request = FitRequest(train: split.train, validation: validation, progress: progress,
                                 log: { line in log?("[\(label)] \(line)") },
                                 stopAfterEpoch: { report in
                                     stoppedByRule = rule.shouldStop(curve, earlier: earlier, higherIsBetter: metric.higherIsBetter,
                                                                     epochCount: report.epochCount)
                                     return stoppedByRule
                                 })
        request.reproducibleShards = reproducibleShards
        var record = TrialRecord(model: entry.name, seed: seed, trial: index, settings: settings, validation: [],
                                 bestValue: nil, bestEpoch: nil, stoppedEarly: false, stopReason: nil, failure: nil,
                                 seconds: 0, search: context)
        do {
            let history = try model.fit(request)
            record.bestValue = history.bestValidationMetric.flatMap { $0.isFinite ? $0 : nil }
            record.bestEpoch = record.bestValue == nil ? nil : history.bestEpoch
            record.stoppedEarly = history.stoppedEarly
            record.stopReason = history.stoppedEarly ? (stoppedByRule ? "median rule" : "patience") : nil
        } catch let error as TrainingError {
            record.failure = error.description
        }
        record.validation = curve
        record.seconds = Date().timeIntervalSince(started)
        return record
    }

    /// `best NDCG@100 0.4012 at epoch 87 (stopped at epoch 12: median rule), 45 s`.
    static func summary(_ record: TrialRecord, metric: MetricDefinition) -> String {
        if let failure = record.failure { return "failed: \(failure)" }
        let best = record.bestValue.map { String(format: "best %@ %.4f at epoch %d", metric.name, $0, record.bestEpoch ?? 0) }
            ?? "no finite validation value"
        let stop = record.stopReason.map { " (stopped at epoch \(record.validation.count): \($0))" } ?? ""
        return best + stop + ", " + ComparisonRunner.duration(record.seconds)
    }
}
