import Kernels
import NeuralNet
import RecCore
import TensorCore

/// How a top-N autoencoder is fitted: the trainer's loop plus the zoo's validation protocol.
public struct RankingTrainingSettings: Sendable {
    /// Epochs, batch size, KL and learning-rate schedules, patience.
    public var configuration: TrainingConfiguration
    /// The cut-off of the validation NDCG used for model selection (100 in Liang et al. 2018).
    public var validationCutoff: Int
    /// Users scored per inference batch during validation.
    public var scoringBatchSize: Int

    /// Settings with the given trainer configuration; NDCG@100 selection.
    public init(configuration: TrainingConfiguration, validationCutoff: Int = 100, scoringBatchSize: Int = 2_000) {
        self.configuration = configuration
        self.validationCutoff = validationCutoff
        self.scoringBatchSize = scoringBatchSize
    }
}

/// Fits zoo models with `Trainer` and reports progress in the zoo's terms.
public enum RankingTraining {
    /// Trains `model` on `train` with `optimizer`; when `validation` is given, keeps the epoch with
    /// the best validation NDCG@cutoff (parameters restored at the end). `resume` and `onEpochEnd`
    /// are the trainer's (see `Trainer.train`).
    public static func fit<Model: TrainableModel & Recommender, Opt: Optimizer>(
        _ model: Model, train: SparseMatrix, validation: HeldOutUsers?, settings: RankingTrainingSettings,
        optimizer: inout Opt, context: inout ForwardContext, progress: @escaping (EpochProgress) -> Void,
        resume: TrainingState? = nil, onEpochEnd: ((TrainingState) throws -> Void)? = nil
    ) throws -> FitSummary {
        let trainer = Trainer(configuration: settings.configuration)
        let epochCount = settings.configuration.epochs
        var validate: ((Int) throws -> Double)? = nil
        if let validation {
            validate = { _ in
                RankingValidation.meanNDCG(model, on: validation, cutoff: settings.validationCutoff,
                                             batchSize: settings.scoringBatchSize)
            }
        }
        var reports: [EpochProgress] = []
        let history = try trainer.train(model, on: train, optimizer: &optimizer, context: &context,
                                        validate: validate, progress: { report in
            let progressReport = EpochProgress(epoch: report.epoch + 1, epochCount: epochCount, loss: report.meanLoss,
                                               validationMetric: report.metric, seconds: report.seconds)
            reports.append(progressReport)
            progress(progressReport)
        }, resume: resume, onEpochEnd: onEpochEnd)
        let bestEpoch = history.bestEpoch.map { $0 + 1 } ?? (history.epochs.last.map { $0.epoch + 1 } ?? resume?.nextEpoch ?? 0)
        return FitSummary(bestEpoch: bestEpoch, bestValidationMetric: history.bestMetric, epochs: reports)
    }

    /// Scores `histories` in row batches of `batchSize` with `score` and stacks the results.
    public static func batchedScores(_ histories: SparseMatrix, batchSize: Int,
                                     score: (SparseMatrix) -> Matrix) -> Matrix {
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
