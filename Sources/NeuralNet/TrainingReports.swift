/// What happened in one epoch (the progress report and the history entry).
public struct EpochReport: Sendable, Equatable {
    /// The epoch, from 1.
    public var epoch: Int
    /// Epochs planned.
    public var epochCount: Int
    /// The mean of the mini-batches' losses, or the loss of the epoch's last full-batch step.
    public var loss: Double
    /// The validation metric, when a validation rule ran.
    public var validationMetric: Double?
    /// Wall-clock seconds of the epoch, validation included.
    public var seconds: Double
    /// Mini-batches (or full-batch steps) processed so far over the run.
    public var updates: Int
    /// β at the epoch's last step.
    public var klWeight: Double
    /// The learning rate of the epoch.
    public var learningRate: Float

    /// A report with the given values.
    public init(epoch: Int, epochCount: Int, loss: Double, validationMetric: Double?, seconds: Double,
                updates: Int = 0, klWeight: Double = 0, learningRate: Float = 0) {
        (self.epoch, self.epochCount, self.loss, self.validationMetric) = (epoch, epochCount, loss, validationMetric)
        (self.seconds, self.updates, self.klWeight, self.learningRate) = (seconds, updates, klWeight, learningRate)
    }
}

/// The outcome of a fit.
public struct TrainingHistory: Sendable, Equatable {
    /// One report per epoch of the run: a resumed run's begin with the reports of its training
    /// state (`TrainingState.epochReports`), so they equal an uninterrupted run's, each epoch's
    /// `seconds` its own wall time as it ran. Only a state without reports (a training-state file
    /// written before they were kept) gives the epochs from the resume on.
    public var epochs: [EpochReport]
    /// The epoch (from 1) whose parameters were kept: the best validation epoch, or the last one.
    public var bestEpoch: Int
    /// The validation metric at `bestEpoch`, when validation ran.
    public var bestValidationMetric: Double?
    /// Whether early stopping ended training before the last epoch.
    public var stoppedEarly: Bool
    /// Optimizer steps applied over the whole run (more than mini-batches when a model re-feeds).
    public var optimizerSteps: Int

    /// A history with the given values.
    public init(epochs: [EpochReport], bestEpoch: Int, bestValidationMetric: Double?, stoppedEarly: Bool = false,
                optimizerSteps: Int = 0) {
        (self.epochs, self.bestEpoch, self.bestValidationMetric) = (epochs, bestEpoch, bestValidationMetric)
        (self.stoppedEarly, self.optimizerSteps) = (stoppedEarly, optimizerSteps)
    }
}

/// Why training stopped with an error. Epochs and batches are counted from 1, as in progress lines.
public enum TrainingError: Error, Equatable, CustomStringConvertible {
    /// The loss of `batch` in `epoch` was NaN or infinite.
    case nonFiniteLoss(epoch: Int, batch: Int, value: Double)
    /// The gradient of `parameter` after `batch` in `epoch` held a NaN or infinite value.
    case nonFiniteGradient(epoch: Int, batch: Int, parameter: String)
    /// A setting is out of range: its name and value.
    case invalidConfiguration(setting: String, value: String)
    /// A saved training state does not fit the run it would continue: the field, its value and what fits.
    case invalidResumeState(field: String, value: String, expected: String)

    /// A message naming the place and the value.
    public var description: String {
        switch self {
        case .nonFiniteLoss(let epoch, let batch, let value):
            return "non-finite loss \(value) in epoch \(epoch), batch \(batch)"
        case .nonFiniteGradient(let epoch, let batch, let parameter):
            return "non-finite gradient of \(parameter) in epoch \(epoch), batch \(batch)"
        case .invalidConfiguration(let setting, let value):
            return "invalid training setting \(setting) = \(value)"
        case .invalidResumeState(let field, let value, let expected):
            return "training state \(field) = \(value) does not fit this run (expected \(expected))"
        }
    }
}

/// Where an epoch stands after one of its mini-batches (or full-batch steps), for a progress line.
public struct BatchProgress: Sendable, Equatable {
    /// The epoch, from 1.
    public var epoch: Int
    /// Epochs planned.
    public var epochCount: Int
    /// Batches done in this epoch, from 1 (over every phase and pass).
    public var batch: Int
    /// Batches the epoch runs.
    public var batchCount: Int
    /// Rows (users, or items for an item-based model) processed so far in this epoch.
    public var rows: Int
    /// Rows the model trains on.
    public var rowCount: Int
    /// Seconds since the epoch began.
    public var seconds: Double

    /// Progress with the given values.
    public init(epoch: Int, epochCount: Int, batch: Int, batchCount: Int, rows: Int, rowCount: Int, seconds: Double) {
        (self.epoch, self.epochCount, self.batch, self.batchCount) = (epoch, epochCount, batch, batchCount)
        (self.rows, self.rowCount, self.seconds) = (rows, rowCount, seconds)
    }
}
