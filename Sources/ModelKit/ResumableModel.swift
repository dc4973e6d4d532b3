import NeuralNet
import RecCore
import TensorCore

/// A top-N zoo model whose training can be checkpointed and resumed: its parameters have unique
/// names (`TrainableModel.parameters`), and its fit can start from a saved `TrainingState` and hand
/// the state after every epoch to a hook (e.g. to write a checkpoint).
public protocol ResumableRecommender: Recommender, TrainableModel {
    /// The number of items (input and output width).
    var itemCount: Int { get }
    /// `fit(train:validation:progress:)`, continuing from `resume` (the parameters must hold the
    /// values saved with it) and calling `onEpochEnd` with the state after every epoch.
    func fit(train: SparseMatrix, validation: HeldOutUsers?, resume: TrainingState?,
             onEpochEnd: ((TrainingState) throws -> Void)?,
             progress: @escaping (EpochProgress) -> Void) throws -> FitSummary
}

/// A rating zoo model whose training can be checkpointed and resumed (see `ResumableRecommender`).
public protocol ResumableRatingRecommender: RatingRecommender, TrainableModel {
    /// Users and items of the rating matrix the model was built for.
    var userCount: Int { get }
    /// Users and items of the rating matrix the model was built for.
    var itemCount: Int { get }
    /// `fit(train:validation:progress:)`, continuing from `resume` and calling `onEpochEnd` after every epoch.
    func fit(train: SparseMatrix, validation: SparseMatrix?, resume: TrainingState?,
             onEpochEnd: ((TrainingState) throws -> Void)?,
             progress: @escaping (EpochProgress) -> Void) throws -> FitSummary
}
