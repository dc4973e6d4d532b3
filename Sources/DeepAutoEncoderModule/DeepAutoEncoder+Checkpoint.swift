import Kernels
import ModelKit
import NeuralNet
import RecCore
import TensorCore

extension DeepAutoEncoder: ResumableRatingRecommender {
    /// Trains as `fit(train:validation:progress:)`, continuing from `resume` (the parameters must hold
    /// the values saved with it) and handing the state after every epoch to `onEpochEnd`.
    public func fit(train: SparseMatrix, validation: SparseMatrix?, resume: TrainingState?,
                    onEpochEnd: ((TrainingState) throws -> Void)?,
                    progress: @escaping (EpochProgress) -> Void) throws -> FitSummary {
        precondition(train.rows == userCount && train.columns == itemCount,
                     "DeepAutoEncoder: training data \(train.rows)×\(train.columns), model \(userCount)×\(itemCount)")
        let validate: (() -> Double)? = validation.map { validation in
            { RatingValidation.rmse(self, validation: validation, train: train) }
        }
        let settings = RatingTrainingSettings(epochs: configuration.epochs, batchSize: configuration.batchSize,
                                              learningRateMilestones: configuration.learningRateMilestones,
                                              learningRateFactor: 0.5)
        var optimizer = SGD(learningRate: configuration.learningRate, momentum: configuration.momentum,
                            weightDecay: configuration.weightDecay)
        var context = ForwardContext(mode: .training, seed: configuration.seed &+ 1)
        return try RatingTraining.fitMiniBatch(self, rows: train, settings: settings, optimizer: &optimizer,
                                               context: &context, validate: validate, progress: progress,
                                                   resume: resume, onEpochEnd: onEpochEnd)
    }
}
