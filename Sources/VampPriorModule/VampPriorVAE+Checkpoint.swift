import Kernels
import ModelKit
import NeuralNet
import RecCore
import TensorCore

extension VampPriorVAE: ResumableRecommender {
    /// Trains as `fit(train:validation:progress:)`, continuing from `resume` (the parameters must hold
    /// the values saved with it) and handing the state after every epoch to `onEpochEnd`.
    public func fit(train: SparseMatrix, validation: HeldOutUsers?, resume: TrainingState?,
                    onEpochEnd: ((TrainingState) throws -> Void)?,
                    progress: @escaping (EpochProgress) -> Void) throws -> FitSummary {
        precondition(train.columns == itemCount, "VampPriorVAE: training data has \(train.columns) items, model has \(itemCount)")
        var optimizer = Adam(learningRate: configuration.learningRate)
        optimizer.normalizesGradients = configuration.normalizesGradients
        var context = ForwardContext(mode: .training, rng: rng.split())
        return try RankingTraining.fit(self, train: train, validation: validation, settings: configuration.rankingSettings,
                                       optimizer: &optimizer, context: &context, progress: progress,
                                       resume: resume, onEpochEnd: onEpochEnd)
    }
}
