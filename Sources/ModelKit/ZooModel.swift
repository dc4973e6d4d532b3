import NeuralNet
import RecCore
import TensorCore

/// A model of the zoo, for either task: it answers as a `Recommender`, names its parameters (so one
/// checkpoint format stores any model) and fits itself to a training matrix.
///
/// A gradient-trained model conforms through `StepTrainedModel` (a recipe and a step; `fit` comes
/// with it); a closed-form model implements `fit` itself.
public protocol ZooModel: Recommender {
    /// Every trainable tensor, shared ones once, with unique names.
    var parameters: [Parameter] { get }
    /// Trains on `request.train` (users × items), scoring `request.validation` after each epoch
    /// and keeping the best epoch; `resume` and `onEpochEnd` as `Trainer.train`'s.
    func fit(_ request: FitRequest) throws -> TrainingHistory
}

extension ZooModel {
    /// The number of trainable scalars.
    public var parameterCount: Int { parameters.uniqued().scalarCount }
}

/// What a fit is given: the training matrix, the task's validation rule, and the hooks for resuming
/// and progress.
public struct FitRequest {
    /// The training matrix (users × items).
    public var train: SparseMatrix
    /// The task's validation metric on its validation part; nil keeps the last epoch.
    public var validation: TaskValidation?
    /// The state an earlier run saved after an epoch, to continue from (the model's parameters must
    /// already hold that moment's values).
    public var resume: TrainingState?
    /// Receives the training state after every epoch (to save it).
    public var onEpochEnd: ((TrainingState) throws -> Void)?
    /// Receives every epoch's report.
    public var progress: (EpochReport) -> Void
    /// Receives where an epoch stands after each of its mini-batches (gradient-trained models; a
    /// closed-form model reports nothing); nil asks for nothing.
    public var batchProgress: ((BatchProgress) -> Void)?
    /// Receives a model's notes before and during its fit, one line each (e.g. EASE's memory
    /// estimate and the inverse it used); `CompareModels` prints them with the progress lines.
    public var log: (String) -> Void
    /// The processes training this model together (MPI ranks), each on its shard of every batch;
    /// nil: this process alone. Every member gets the same request.
    public var dataParallel: (any DataParallelGroup)? = nil
    /// K for the trainer's reproducible mode (`Trainer.reproducibleShards`: the same bits alone and
    /// on any number of ranks up to K, and on any number of threads); nil: off. A closed-form model
    /// uses it only for its validation metric's sum (`TaskValidation.score(_:splitOver:parts:)`).
    public var reproducibleShards: Int? = nil
    /// Asked after every epoch's report (and `onEpochEnd`): true ends the fit there, keeping the
    /// best epoch so far (a tuner's median stopping rule). A closed-form model fits in its one
    /// reported epoch, so there is nothing left for the answer to stop.
    public var stopAfterEpoch: ((EpochReport) -> Bool)?

    /// A request with the given parts.
    public init(train: SparseMatrix, validation: TaskValidation? = nil, resume: TrainingState? = nil,
                onEpochEnd: ((TrainingState) throws -> Void)? = nil, progress: @escaping (EpochReport) -> Void = { _ in },
                log: @escaping (String) -> Void = { _ in }, batchProgress: ((BatchProgress) -> Void)? = nil,
                stopAfterEpoch: ((EpochReport) -> Bool)? = nil) {
        (self.train, self.validation, self.resume, self.batchProgress) = (train, validation, resume, batchProgress)
        (self.onEpochEnd, self.progress, self.log, self.stopAfterEpoch) = (onEpochEnd, progress, log, stopAfterEpoch)
    }
}

/// A zoo model trained by gradient steps: it declares its recipe (optimizer, schedules, batch
/// size, epochs, patience) and its step (`TrainableModel`); the one `Trainer` runs the fit.
public protocol StepTrainedModel: ZooModel, TrainableModel {
    /// How the model is trained (its paper's values, with the options applied).
    var recipe: TrainingRecipe { get }
    /// The rows the model trains on: the users of `train` (the default), or its items for an
    /// item-based model.
    func trainingRows(of train: SparseMatrix) -> SparseMatrix
    /// The context training draws from (dropout, noise, shuffling), seeded from the model's options.
    func makeTrainingContext() -> ForwardContext
}

extension StepTrainedModel {
    /// The users of `train`.
    public func trainingRows(of train: SparseMatrix) -> SparseMatrix { train }

    /// `Trainer(recipe:).train` on `trainingRows(of: request.train)`, validating with the task's rule.
    public func fit(_ request: FitRequest) throws -> TrainingHistory {
        var context = makeTrainingContext()
        let validation = request.validation.map { rule in
            Validation(metricName: rule.metric.name, higherIsBetter: rule.metric.higherIsBetter) {
                try rule.score(self, splitOver: request.dataParallel, parts: request.reproducibleShards)
            }
        }
        return try Trainer(recipe: recipe.forRun(validated: validation != nil), dataParallel: request.dataParallel,
                           reproducibleShards: request.reproducibleShards).train(self, on: trainingRows(of: request.train), context: &context,
                                                 validation: validation, progress: request.progress,
                                                 batchProgress: request.batchProgress,
                                                 resume: request.resume, onEpochEnd: request.onEpochEnd,
                                                 stopAfterEpoch: request.stopAfterEpoch)
    }
}

/// Scoring in row batches, so a large set of users never needs one [users, items] pass at once.
public enum RowBatches {
    /// `score` on consecutive blocks of `batchSize` rows of `histories`, stacked.
    public static func scores(_ histories: SparseMatrix, batchSize: Int, score: (SparseMatrix) -> Matrix) -> Matrix {
        if histories.rows <= batchSize { return score(histories) }
        var storage: [Float] = []
        var columns = 0
        for start in stride(from: 0, to: histories.rows, by: batchSize) {
            let part = score(histories.rows(in: start..<min(histories.rows, start + batchSize)))
            if storage.isEmpty { storage.reserveCapacity(histories.rows * part.columns) }
            columns = part.columns
            storage.append(contentsOf: part.storage)
        }
        return Matrix(rows: histories.rows, columns: columns, storage: storage)
    }
}
