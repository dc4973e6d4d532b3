import TensorCore

/// Everything a training loop needs to continue exactly where it stopped: the position (epoch,
/// update counts), the training generator, the best-so-far selection, the optimizer's state and
/// the reports of the epochs run so far (so a resumed run's history is the whole learning curve).
///
/// Produced at the end of every epoch by `Trainer.train` for an
/// `onEpochEnd` hook; passed back as `resume` to continue. Resuming from the state saved after epoch
/// e with the parameters of that moment gives the same numbers as never stopping.
public struct TrainingState: Sendable, Equatable {
    /// The first epoch still to run (epochs completed so far).
    public var nextEpoch: Int
    /// Mini-batches processed so far (β annealing counts these).
    public var updates: Int
    /// Optimizer steps applied so far.
    public var optimizerSteps: Int
    /// The training context's generator (shuffling, dropout, sampling) at the end of the epoch.
    public var generator: RandomGenerator
    /// The epoch (from 0) with the best validation metric so far, if validation ran.
    public var bestEpoch: Int?
    /// That best metric (NDCG for ranking models: higher is better; RMSE for rating models: lower).
    public var bestMetric: Double?
    /// The parameter values of the best epoch, by `Parameter.name` (nil without validation).
    public var bestValues: [String: Matrix]?
    /// The optimizer's state (moments, velocities, step counts); empty for a stateless one.
    public var optimizer: OptimizerState
    /// Wall-clock seconds spent in the epochs so far (training and validation), summed over every
    /// run that continued this one; lets a resumed run report its whole training time.
    public var seconds: Double
    /// The report of every epoch run so far, in order, the last one that of epoch `nextEpoch`; a
    /// resumed run's `TrainingHistory.epochs` starts with them. Normally epochs 1…`nextEpoch`;
    /// empty for a state written before reports were kept (a training-state file without them),
    /// and then, for a run continued from such a state, only the epochs after that resume.
    public var epochReports: [EpochReport]

    /// A state with the given values.
    public init(nextEpoch: Int, updates: Int, optimizerSteps: Int, generator: RandomGenerator,
                bestEpoch: Int? = nil, bestMetric: Double? = nil, bestValues: [String: Matrix]? = nil,
                optimizer: OptimizerState = OptimizerState(kind: "none"), seconds: Double = 0,
                epochReports: [EpochReport] = []) {
        self.nextEpoch = nextEpoch
        self.updates = updates
        self.optimizerSteps = optimizerSteps
        self.generator = generator
        self.bestEpoch = bestEpoch
        self.bestMetric = bestMetric
        self.bestValues = bestValues
        self.optimizer = optimizer
        self.seconds = seconds
        self.epochReports = epochReports
    }

    /// The best values in the order of `parameters`; nil when none were kept. Throws
    /// `TrainingError.invalidConfiguration` when a parameter is missing or has another shape.
    public func bestValues(for parameters: [Parameter]) throws -> [Matrix]? {
        guard let bestValues else { return nil }
        return try parameters.map { parameter in
            guard let value = bestValues[parameter.name],
                  value.rows == parameter.value.rows, value.columns == parameter.value.columns else {
                throw TrainingError.invalidConfiguration(setting: "resume best value", value: parameter.name)
            }
            return value
        }
    }
}

extension TrainingState {
    /// The first rule `epochReports` breaks, as the field (`epoch_reports.epoch`,
    /// `epoch_reports.loss[I]`, …: the training-state file's names), its value and what would fit;
    /// nil when they fit. No reports fit (a state written before they were kept). Otherwise: at
    /// most `nextEpoch` of them, numbered consecutively and ending at `nextEpoch` (so from 1, unless
    /// the run continued a state without reports), one epoch count ≥ `nextEpoch`, finite losses, β
    /// and learning rates, seconds finite and ≥ 0, and update counts never decreasing and at most
    /// `updates`. A validation metric may be anything a validation rule returned (NaN included).
    /// Whether the epoch count is the run's is the trainer's check.
    public func epochReportsProblem() -> (field: String, value: String, expected: String)? {
        guard let first = epochReports.first else { return nil }
        guard epochReports.count <= nextEpoch else {
            return ("epoch_reports.epoch", "\(epochReports.count) reports", "at most next_epoch (\(nextEpoch)), one per epoch run")
        }
        guard first.epochCount >= nextEpoch else {
            return ("epoch_reports.epoch_count", "\(first.epochCount)", "at least next_epoch (\(nextEpoch))")
        }
        let start = nextEpoch - epochReports.count + 1
        var previousUpdates = 0
        for (index, report) in epochReports.enumerated() {
            func field(_ name: String) -> String { "epoch_reports.\(name)[\(index)]" }
            guard report.epoch == start + index else {
                return (field("epoch"), "\(report.epoch)",
                        "\(start + index): reports numbered consecutively up to next_epoch (\(nextEpoch))")
            }
            guard report.epochCount == first.epochCount else {
                return (field("epoch_count"), "\(report.epochCount)", "\(first.epochCount), the epoch count of every report")
            }
            guard report.loss.isFinite else { return (field("loss"), "\(report.loss)", "a finite number") }
            guard report.seconds.isFinite, report.seconds >= 0 else {
                return (field("seconds"), "\(report.seconds)", "a finite number ≥ 0")
            }
            guard report.updates >= previousUpdates, report.updates <= updates else {
                return (field("updates"), "\(report.updates)", "\(previousUpdates)…\(updates): never decreasing, at most updates")
            }
            guard report.klWeight.isFinite else { return (field("kl_weight"), "\(report.klWeight)", "a finite number") }
            guard report.learningRate.isFinite else {
                return (field("learning_rate"), "\(report.learningRate)", "a finite number")
            }
            previousUpdates = report.updates
        }
        return nil
    }
}

/// An optimizer's state as plain named values, so a checkpoint can store any optimizer.
public struct OptimizerState: Sendable, Equatable {
    /// Which optimizer wrote it (`adam`, `sgd`, `rprop`, `lbfgs`, `none`).
    public var kind: String
    /// Tensors by name (e.g. `m/encoder.0.weight`).
    public var tensors: [String: Matrix]
    /// Integers by name (e.g. Adam's step count `t/encoder.0.weight`).
    public var integers: [String: Int]
    /// Reals by name (e.g. L-BFGS's current loss).
    public var reals: [String: Double]

    /// A state of `kind` with the given values.
    public init(kind: String, tensors: [String: Matrix] = [:], integers: [String: Int] = [:], reals: [String: Double] = [:]) {
        self.kind = kind
        self.tensors = tensors
        self.integers = integers
        self.reals = reals
    }
}

extension OptimizerState {
    /// Throws unless the state was written by `expected` (an empty `none` state is accepted as fresh).
    func requireKind(_ expected: String) throws {
        guard kind == expected || (kind == "none" && tensors.isEmpty) else {
            throw TrainingError.invalidConfiguration(setting: "optimizer state kind (expected \(expected))", value: kind)
        }
    }

    /// The integer `name`, or an error naming it.
    func integer(_ name: String) throws -> Int {
        guard let value = integers[name] else {
            throw TrainingError.invalidConfiguration(setting: "optimizer state integer (missing)", value: name)
        }
        return value
    }

    /// The tensor `name`, or an error naming it.
    func tensor(_ name: String) throws -> Matrix {
        guard let value = tensors[name] else {
            throw TrainingError.invalidConfiguration(setting: "optimizer state tensor (missing)", value: name)
        }
        return value
    }
}
