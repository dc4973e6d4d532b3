import Kernels
import TensorCore

/// One epoch's report from a model's training loop, for progress output.
public struct EpochProgress: Sendable {
    /// 1-based epoch number.
    public let epoch: Int
    /// Total epochs planned.
    public let epochCount: Int
    /// Mean training loss over the epoch's batches.
    public let loss: Double
    /// The validation metric (NDCG@100 for ranking models), when a validation set was given.
    public let validationMetric: Double?
    /// Seconds this epoch took (training and validation).
    public let seconds: Double

    /// A report for one epoch.
    public init(epoch: Int, epochCount: Int, loss: Double, validationMetric: Double?, seconds: Double) {
        self.epoch = epoch
        self.epochCount = epochCount
        self.loss = loss
        self.validationMetric = validationMetric
        self.seconds = seconds
    }
}

/// What a fit returns: the kept epoch and its validation metric.
public struct FitSummary: Sendable {
    /// The epoch whose parameters were kept (best validation metric, or the last without validation).
    public let bestEpoch: Int
    /// The validation metric at `bestEpoch`, when a validation set was given.
    public let bestValidationMetric: Double?
    /// Every epoch's report, in order.
    public let epochs: [EpochProgress]

    /// A summary of a finished fit.
    public init(bestEpoch: Int, bestValidationMetric: Double?, epochs: [EpochProgress]) {
        self.bestEpoch = bestEpoch
        self.bestValidationMetric = bestValidationMetric
        self.epochs = epochs
    }
}

/// A top-N recommender trained on implicit feedback (users × items clicks).
///
/// Models are reference types: `fit` changes their parameters in place.
public protocol Recommender: AnyObject {
    /// The number of trainable scalars.
    var parameterCount: Int { get }

    /// Trains on `train` (users × items). When `validation` is given, scores it after each epoch
    /// (NDCG@100) and keeps the best epoch's parameters. `progress` is called after every epoch.
    func fit(train: SparseMatrix, validation: HeldOutUsers?,
             progress: @escaping (EpochProgress) -> Void) throws -> FitSummary

    /// Scores every item for each row of `histories` (users × items) → [users, items]; higher is better.
    /// Deterministic: inference uses no randomness.
    func scores(for histories: SparseMatrix) -> Matrix
}

extension Recommender {
    /// The `count` best-scoring items for each history row, excluding the items already in it.
    public func recommend(for histories: SparseMatrix, count: Int) -> [[Int32]] {
        Kernels.topK(scores(for: histories), k: count, excluding: histories)
    }
}
