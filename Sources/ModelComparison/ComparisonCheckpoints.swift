import Foundation
import Checkpoints
import ModelKit
import RecCore

/// `--save-dir`: each trained model's checkpoint (its best epoch's weights, as `fit` leaves them).
enum ComparisonCheckpoints {
    /// `DIR/<model>-seed<S>.safetensors`.
    static func path(_ directory: String, entry: String, seed: UInt64) -> String {
        (directory as NSString).appendingPathComponent("\(entry)-seed\(seed).safetensors")
    }

    /// Saves a ranking model with the training users' histories (for `Recommend --user`).
    static func save(ranking model: any Recommender, entry: String, options: ModelOptions, split: StrongGeneralizationSplit,
                     into directory: String?, log: (String) -> Void) throws {
        guard let directory else { return }
        guard let model = model as? any ResumableRecommender else {
            throw CheckpointError.cannotWrite(file: path(directory, entry: entry, seed: options.seed), reason: "\(entry) cannot be checkpointed")
        }
        let file = path(directory, entry: entry, seed: options.seed)
        try makeDirectory(directory, for: file)
        try Checkpoint(ranking: model, name: entry, options: options, itemIDs: split.itemIDs, history: split.train,
                       userIDs: split.trainUserIDs).save(to: file)
        log("[\(entry)] checkpoint written to \(file)")
    }

    /// Saves a rating model with its known (training) ratings.
    static func save(rating model: any RatingRecommender, entry: String, options: ModelOptions, split: RatingSplit,
                     into directory: String?, log: (String) -> Void) throws {
        guard let directory else { return }
        guard let model = model as? any ResumableRatingRecommender else {
            throw CheckpointError.cannotWrite(file: path(directory, entry: entry, seed: options.seed), reason: "\(entry) cannot be checkpointed")
        }
        let file = path(directory, entry: entry, seed: options.seed)
        try makeDirectory(directory, for: file)
        try Checkpoint(rating: model, name: entry, options: options, itemIDs: split.itemIDs, known: split.train,
                       userIDs: split.userIDs).save(to: file)
        log("[\(entry)] checkpoint written to \(file)")
    }

    /// Creates `directory` (and its parents) for writing `file`; the error names the file.
    static func makeDirectory(_ directory: String, for file: String) throws {
        do { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) } catch {
            throw CheckpointError.cannotWrite(file: file, reason: "cannot create \(directory): \(error.localizedDescription)")
        }
    }
}
