import Foundation
import Checkpoints
import ModelKit
import NeuralNet
import RecCore
import TensorCore

/// `--resume-dir DIR`: every (model, seed) keeps its training state in
/// `DIR/<model>-seed<S>.training.safetensors`, rewritten atomically after every epoch (weights, the
/// optimizer's moments, the best epoch's weights, the generator, the epoch and update counts, the
/// reports of the epochs so far, the training matrix). A later run with the same DIR continues each
/// (model, seed) from its file, with the same numbers and learning curve as a run that never
/// stopped, and only re-scores one that had finished.
///
/// A file is used only when it was written for the same model, options (seed, epochs, `--set`
/// values) and training data (item ids and every training interaction); otherwise the run stops
/// with an error that names the file and the difference, so that stale state is never mixed in.
struct TrainingStateFiles {
    /// The folder.
    let directory: String

    /// `DIR/<model>-seed<S>.training.safetensors`.
    func path(entry: String, seed: UInt64) -> String {
        (directory as NSString).appendingPathComponent("\(entry)-seed\(seed).training.safetensors")
    }

    /// The saved state of (`entry`, `options.seed`) restored into `model` (where it continues goes
    /// to `log`), or nil when there is no file yet. Throws `ComparisonError.staleTrainingState` when the
    /// file was written for another run, and `CheckpointError` when it cannot be read.
    func resume(entry: String, task: TaskName, options: ModelOptions, itemIDs: [Int64], train: SparseMatrix,
                into model: any ZooModel, log: ((String) -> Void)?) throws -> TrainingState? {
        let file = path(entry: entry, seed: options.seed)
        guard FileManager.default.fileExists(atPath: file) else { return nil }
        let saved = try Checkpoint.load(from: file, expecting: entry)
        func stale(_ what: String, saved: String, now: String) -> ComparisonError {
            .staleTrainingState(file: file, what: what, saved: saved, now: now)
        }
        guard saved.task == task else { throw stale("task", saved: saved.task.rawValue, now: task.rawValue) }
        guard saved.options.seed == options.seed else { throw stale("seed", saved: "\(saved.options.seed)", now: "\(options.seed)") }
        guard saved.options.epochs == options.epochs else {
            throw stale("epochs", saved: saved.options.epochs.map(String.init) ?? "the model's default",
                        now: options.epochs.map(String.init) ?? "the model's default")
        }
        guard saved.options.overrides == options.overrides else {
            func text(_ overrides: [String: String]) -> String {
                overrides.isEmpty ? "none" : overrides.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
            }
            throw stale("--set values", saved: text(saved.options.overrides), now: text(options.overrides))
        }
        guard saved.itemIDs == itemIDs else {
            throw stale("items", saved: "\(saved.itemIDs.count) item ids", now: "\(itemIDs.count) item ids (or other ids)")
        }
        guard let history = saved.history, history == train else {
            throw stale("training data", saved: saved.history.map { "\($0.rows) users, \($0.nonZeroCount) interactions" } ?? "none",
                        now: "\(train.rows) users, \(train.nonZeroCount) interactions (or other ones)")
        }
        guard let training = saved.training else {
            throw CheckpointError.badMetadata(file: file, key: "training", value: "(missing)", expected: "a training state")
        }
        try saved.restore(into: model)
        log?("continuing after epoch \(training.nextEpoch) from \(file)")
        return training
    }

    /// Fits `model` with the state file of (`entry`, `options.seed`): restores it when there is one,
    /// runs the fit from there, and saves the model with its training state after every epoch.
    /// Returns the fit's history and the seconds the earlier runs had spent.
    func fit(_ model: any ZooModel, entry: String, task: TaskName, options: ModelOptions, split: some TaskSplit,
             request: FitRequest, log: ((String) -> Void)?) throws -> (history: TrainingHistory, earlierSeconds: Double) {
        let resume = try MemberFailures.together(request.dataParallel) {
            try self.resume(entry: entry, task: task, options: options, itemIDs: split.itemIDs, train: split.train,
                            into: model, log: log)
        }
        // Every rank reads the state (rank 0 alone writes it): all must continue from the same epoch.
        try request.dataParallel?.requireAgreement(on: Array("\(resume?.nextEpoch ?? 0) \(resume?.updates ?? 0)".utf8),
                                                   what: "training states in \(directory) (give every rank the same folder, e.g. on a shared file system)")
        var request = request
        request.resume = resume
        let writes = (request.dataParallel?.rank ?? 0) == 0                  // rank 0 alone writes the state
        request.onEpochEnd = { state in
            guard writes else { return }
            try save(Checkpoint(model, name: entry, task: task, options: options, shape: split.shape, itemIDs: split.itemIDs,
                                history: split.train, userIDs: split.trainUserIDs, training: state))
        }
        do {
            return (try model.fit(request), resume?.seconds ?? 0)
        } catch TrainingError.invalidResumeState(let field, let value, let expected) {
            // Only a resumed fit checks a state: the file it came from is the one to name.
            throw CheckpointError.badMetadata(file: path(entry: entry, seed: options.seed), key: "training.\(field)",
                                              value: value, expected: expected)
        }
    }

    /// Writes `checkpoint` (a model's current weights with its `training` state after an epoch) to
    /// the file of its model and seed.
    func save(_ checkpoint: Checkpoint) throws {
        let file = path(entry: checkpoint.model, seed: checkpoint.options.seed)
        try ComparisonCheckpoints.makeDirectory(directory, for: file)
        try checkpoint.save(to: file)
    }
}
