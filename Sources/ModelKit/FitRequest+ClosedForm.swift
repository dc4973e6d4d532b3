import NeuralNet
import TensorCore

extension FitRequest {
    /// The end of a fit without epochs (EASE, popularity): its one report (epoch 1 of 1, loss 0,
    /// `metric` from validation when it ran) goes to `progress`, the finished state to
    /// `onEpochEnd` (so `--resume-dir` re-scores it instead of fitting again), and it is returned
    /// as the history.
    public func finishOneEpochFit(validationMetric metric: Double?, seconds: Double) throws -> TrainingHistory {
        let report = EpochReport(epoch: 1, epochCount: 1, loss: 0, validationMetric: metric, seconds: seconds)
        progress(report)
        try onEpochEnd?(TrainingState(nextEpoch: 1, updates: 0, optimizerSteps: 0, generator: RandomGenerator(seed: 1),
                                      bestEpoch: metric == nil ? nil : 0, bestMetric: metric, seconds: report.seconds,
                                      epochReports: [report]))
        return TrainingHistory(epochs: [report], bestEpoch: 1, bestValidationMetric: metric)
    }
}
