import Foundation
import Checkpoints
import ModelKit
import RecCore

/// `--save-dir`: each trained model's checkpoint (its best epoch's weights, as `fit` leaves them),
/// with its split's training matrix (for `Recommend --user`).
enum ComparisonCheckpoints {
    /// `DIR/<model>-seed<S>.safetensors`.
    static func path(_ directory: String, entry: String, seed: UInt64) -> String {
        (directory as NSString).appendingPathComponent("\(entry)-seed\(seed).safetensors")
    }

    /// Saves `model` of `task` trained on `split` into `directory` (nothing when nil).
    static func save(_ model: any ZooModel, entry: String, task: TaskName, options: ModelOptions, split: some TaskSplit,
                     into directory: String?, log: (String) -> Void) throws {
        guard let directory else { return }
        let file = path(directory, entry: entry, seed: options.seed)
        try makeDirectory(directory, for: file)
        try Checkpoint(model, name: entry, task: task, options: options, shape: split.shape, itemIDs: split.itemIDs,
                       history: split.train, userIDs: split.trainUserIDs).save(to: file)
        log("[\(entry)] checkpoint written to \(file.escapingControlCharacters)")
    }

    /// Creates `directory` (and its parents) for writing `file`; the error names the file.
    static func makeDirectory(_ directory: String, for file: String) throws {
        do { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) } catch {
            throw CheckpointError.cannotWrite(file: file, reason: "cannot create \(directory): \(error.localizedDescription)")
        }
    }
}
