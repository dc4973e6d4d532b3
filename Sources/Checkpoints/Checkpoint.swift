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
    /// The task the model was trained for (`ranking`, `rating`).
    public var task: TaskName
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
    public init(model: String, task: TaskName, options: ModelOptions, itemCount: Int, userCount: Int,
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

    /// A checkpoint of a zoo model's current parameters, built for data of `shape`. `history` (the
    /// training matrix, users × items) with `userIDs` lets `Recommend` answer for known users.
    public init(_ model: any ZooModel, name: String, task: TaskName, options: ModelOptions, shape: DataShape,
                itemIDs: [Int64]? = nil, history: SparseMatrix? = nil, userIDs: [Int64]? = nil, training: TrainingState? = nil) {
        self.init(model: name, task: task, options: options, itemCount: shape.items, userCount: shape.users,
                  itemIDs: itemIDs, userIDs: userIDs, history: history, parameters: Self.values(of: model), training: training)
    }

    /// The values of a model's (unique) parameters by name.
    public static func values(of model: any ZooModel) -> [String: Matrix] {
        Dictionary(model.parameters.uniqued().map { ($0.name, $0.value) }, uniquingKeysWith: { first, _ in first })
    }

    /// Copies the stored values into `model`'s parameters; every parameter must be present with its shape.
    public func restore(into model: any ZooModel) throws {
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
    public func makeModel(zoo: ModelZoo) throws -> any ZooModel {
        let entry: ModelEntry
        do { entry = try zoo.entry(named: model) } catch {
            throw CheckpointError.badMetadata(file: source, key: "model", value: model, expected: "one of \(zoo.names.joined(separator: ", "))")
        }
        guard entry.task == task else {
            throw CheckpointError.badMetadata(file: source, key: "task", value: task.rawValue, expected: entry.task.rawValue)
        }
        // The stored settings size the model: count its parameters first, so settings that would need
        // more than the file stores (a corrupted `hidden`, say) are an error before anything is allocated.
        let shape = DataShape(users: userCount, items: itemCount)
        guard itemCount > 0 else {
            throw CheckpointError.badMetadata(file: source, key: "item_count", value: "0", expected: "at least one item")
        }
        let made: any ZooModel
        do {
            let expected = try entry.parameterCount(shape, options)
            let stored = parameters.values.reduce(0) { $0 + $1.count }
            guard expected <= stored else {
                throw CheckpointError.badMetadata(
                    file: source, key: "overrides", value: Self.json(options.overrides),
                    expected: "settings whose \(expected) parameters (for \(userCount) users × \(itemCount) items) fit the \(stored) stored")
            }
            made = try entry.make(shape, options)
        } catch let error as ModelZooError {
            throw CheckpointError.badMetadata(file: source, key: "overrides", value: Self.json(options.overrides), expected: error.description)
        }
        try restore(into: made)
        return made
    }
}
