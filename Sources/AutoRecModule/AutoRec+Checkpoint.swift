import Foundation
import Kernels
import ModelKit
import NeuralNet
import RecCore
import TensorCore

extension AutoRec: ResumableRatingRecommender {
    /// Set `AUTOENCODERZOO_LBFGS_TRACE=1` to print every L-BFGS iteration's loss/gradient evaluations,
    /// accepted step length and loss on stderr (a debugging aid; off by default).
    public static let lineSearchTraceVariable = "AUTOENCODERZOO_LBFGS_TRACE"

    /// Whether `lineSearchTraceVariable` is set to something other than `0`.
    static var tracesLineSearch: Bool {
        getEnvironment(lineSearchTraceVariable).map { !$0.isEmpty && $0 != "0" } ?? false
    }

    /// Trains as `fit(train:validation:progress:)`, continuing from `resume` (the parameters must hold
    /// the values saved with it) and handing the state after every epoch to `onEpochEnd`.
    public func fit(train: SparseMatrix, validation: SparseMatrix?, resume: TrainingState?,
                    onEpochEnd: ((TrainingState) throws -> Void)?,
                    progress: @escaping (EpochProgress) -> Void) throws -> FitSummary {
        precondition(train.rows == userCount && train.columns == itemCount,
                     "AutoRec: training data \(train.rows)×\(train.columns), model \(userCount)×\(itemCount)")
        let trainingRows = rows(of: train)
        trainingRowCount = trainingRows.rows
        let validate: (() -> Double)? = validation.map { validation in
            { RatingValidation.rmse(self, validation: validation, train: train) }
        }
        var context = ForwardContext(mode: .training, seed: configuration.seed &+ 1)
        var settings = RatingTrainingSettings(epochs: configuration.epochs, batchSize: configuration.batchSize,
                                              iterationsPerEpoch: configuration.iterationsPerEpoch)
        switch configuration.optimizer {
        case .adam:
            var optimizer = Adam(learningRate: configuration.learningRate)
            return try RatingTraining.fitMiniBatch(self, rows: trainingRows, settings: settings, optimizer: &optimizer,
                                                   context: &context, validate: validate, progress: progress,
                                                   resume: resume, onEpochEnd: onEpochEnd)
        case .rprop:
            var optimizer = Rprop(learningRate: configuration.learningRate)
            if let resume { try optimizer.restore(resume.optimizer) }
            return try RatingTraining.fitFullBatch(self, rows: trainingRows, settings: settings, context: &context,
                                                   validate: validate, progress: progress, resume: resume,
                                                   onEpochEnd: RatingTraining.addingOptimizerState(to: onEpochEnd) {
                                                       optimizer.checkpointState
                                                   }) { parameters, evaluate in
                let loss = evaluate()
                optimizer.update(parameters)
                return loss
            }
        case .lbfgs:
            settings.batchSize = trainingRows.rows
            var optimizer = LBFGS(lineSearch: configuration.lineSearch)
            if let resume { try optimizer.restore(resume.optimizer) }
            return try RatingTraining.fitFullBatch(self, rows: trainingRows, settings: settings, context: &context,
                                                   validate: validate, progress: progress, resume: resume,
                                                   onEpochEnd: RatingTraining.addingOptimizerState(to: onEpochEnd) {
                                                       optimizer.checkpointState
                                                   }) { parameters, evaluate in
                let loss = optimizer.step(parameters, evaluate: evaluate)
                if Self.tracesLineSearch {
                    let line = String(format: "lbfgs: %d evaluation(s), step length %g, loss %.6g (%d evaluations in all)\n",
                                      optimizer.lastStepEvaluations, optimizer.lastStepLength, loss, optimizer.evaluationCount)
                    FileHandle.standardError.write(Data(line.utf8))
                }
                return loss
            }
        }
    }
}
