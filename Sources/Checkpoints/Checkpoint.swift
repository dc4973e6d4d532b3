import Foundation
import ModelKit
import NeuralNet
import RecCore
import TensorCore

/// A trained zoo model on disk: its weights, how to rebuild it (zoo entry name and options), the
/// original item ids of its columns, optionally the training users' histories (for recommending to
/// known users) and optionally the training state needed to resume (see Documentation/Checkpoints.md).
public struct Checkpoint: Sendable {
    /// The value of the `format` metadata entry.
    public static let formatName = "autoencoderzoo.checkpoint"
    /// The value of the `version` metadata entry this code writes and reads.
    public static let formatVersion = "1"

    /// The zoo entry name (e.g. `mult-vae`).
    public var model: String
    /// Ranking or rating.
    public var task: ModelTask
    /// The options the model was built with (seed, epochs, overrides).
    public var options: ModelOptions
    /// Items (columns) the model was built for.
    public var itemCount: Int
    /// Users: the rating models' rows; for ranking models the rows of `history` (0 without one).
    public var userCount: Int
    /// The original id of every item column, ascending.
    public var itemIDs: [Int64]
    /// The original id of every row of `history`.
    public var userIDs: [Int64]
    /// The training users' interactions (users × items); a rating model's known ratings.
    public var history: SparseMatrix?
    /// Every parameter's value, by `Parameter.name`.
    public var parameters: [String: Matrix]
    /// The training loop's state after the saved epoch, for resuming; nil for a finished model.
    public var training: TrainingState?
    /// The file this checkpoint was read from (names it in errors), or `<memory>`.
    public var source: String = "<memory>"

    /// A checkpoint with the given parts.
    public init(model: String, task: ModelTask, options: ModelOptions, itemCount: Int, userCount: Int,
                itemIDs: [Int64]? = nil, userIDs: [Int64]? = nil, history: SparseMatrix? = nil,
                parameters: [String: Matrix], training: TrainingState? = nil) {
        precondition(history.map { $0.columns == itemCount && $0.rows == (userIDs?.count ?? $0.rows) } ?? true,
                     "Checkpoint: history \(history.map { "\($0.rows)×\($0.columns)" } ?? "-") for \(userIDs?.count ?? -1) user ids, \(itemCount) items")
        self.model = model
        self.task = task
        self.options = options
        self.itemCount = itemCount
        self.userCount = userCount
        self.itemIDs = itemIDs ?? (0..<itemCount).map(Int64.init)
        precondition(self.itemIDs.count == itemCount, "Checkpoint: \(self.itemIDs.count) item ids for \(itemCount) items")
        self.history = history
        self.userIDs = userIDs ?? (history.map { (0..<$0.rows).map(Int64.init) } ?? [])
        self.parameters = parameters
        self.training = training
    }

    /// A checkpoint of a top-N model's current parameters. `history` (training users × items) with
    /// `userIDs` enables recommendations for known users.
    public init(ranking model: some ResumableRecommender, name: String, options: ModelOptions, itemIDs: [Int64]? = nil,
                history: SparseMatrix? = nil, userIDs: [Int64]? = nil, training: TrainingState? = nil) {
        self.init(model: name, task: .ranking, options: options, itemCount: model.itemCount, userCount: history?.rows ?? 0,
                  itemIDs: itemIDs, userIDs: userIDs, history: history, parameters: Self.values(of: model), training: training)
    }

    /// A checkpoint of a rating model's current parameters; `known` is its known ratings (users × items).
    public init(rating model: some ResumableRatingRecommender, name: String, options: ModelOptions, itemIDs: [Int64]? = nil,
                known: SparseMatrix? = nil, userIDs: [Int64]? = nil, training: TrainingState? = nil) {
        self.init(model: name, task: .rating, options: options, itemCount: model.itemCount, userCount: model.userCount,
                  itemIDs: itemIDs, userIDs: userIDs, history: known, parameters: Self.values(of: model), training: training)
    }

    /// The values of a model's (unique) parameters by name.
    public static func values(of model: some TrainableModel) -> [String: Matrix] {
        Dictionary(model.parameters.uniqued().map { ($0.name, $0.value) }, uniquingKeysWith: { first, _ in first })
    }

    /// Copies the stored values into `model`'s parameters; every parameter must be present with its shape.
    public func restore(into model: some TrainableModel) throws {
        let parameters = model.parameters.uniqued()
        for parameter in parameters {
            guard let value = self.parameters[parameter.name] else {
                throw CheckpointError.missingTensor(file: source, tensor: parameter.name)
            }
            guard value.rows == parameter.value.rows, value.columns == parameter.value.columns else {
                throw CheckpointError.shapeMismatch(file: source, tensor: parameter.name,
                                                    expected: [parameter.value.rows, parameter.value.columns],
                                                    found: [value.rows, value.columns])
            }
        }
        for parameter in parameters { parameter.value = self.parameters[parameter.name] ?? parameter.value }
        parameters.zeroGradients()
    }

    /// The checkpoint as the fit it was saved from would have ended: a training-state checkpoint
    /// (`CompareModels --resume-dir`, or any save from `onEpochEnd`) holds the weights of its last
    /// epoch, and a finished fit keeps the best validation epoch's, so those replace them when the
    /// state kept them; the training state is dropped. Other checkpoints are returned unchanged.
    public func finishedModel() -> Checkpoint {
        guard let training else { return self }
        var finished = self
        if let best = training.bestValues, !best.isEmpty { finished.parameters.merge(best) { _, best in best } }
        finished.training = nil
        return finished
    }

    /// The model of the zoo entry named in the checkpoint, rebuilt with the stored options and its
    /// parameters restored.
    public func makeModel(zoo: ModelZoo) throws -> TrainedModel {
        let entry: ModelEntry
        do { entry = try zoo.entry(named: model) } catch {
            throw CheckpointError.badMetadata(file: source, key: "model", value: model, expected: "one of \(zoo.names.joined(separator: ", "))")
        }
        guard entry.task == task else {
            throw CheckpointError.badMetadata(file: source, key: "task", value: task.rawValue, expected: entry.task.rawValue)
        }
        switch task {
        case .ranking:
            guard let made = try entry.make(itemCount, options) as? any ResumableRecommender else {
                throw CheckpointError.badMetadata(file: source, key: "model", value: model, expected: "a checkpointable model")
            }
            try restore(into: made)
            return .ranking(made)
        case .rating:
            guard let make = entry.makeRating,
                  let made = try make(userCount, itemCount, options) as? any ResumableRatingRecommender else {
                throw CheckpointError.badMetadata(file: source, key: "model", value: model, expected: "a checkpointable rating model")
            }
            try restore(into: made)
            return .rating(made)
        }
    }
}

/// A model rebuilt from a checkpoint.
public enum TrainedModel {
    /// A top-N model.
    case ranking(any ResumableRecommender)
    /// A rating-prediction model.
    case rating(any ResumableRatingRecommender)
}
