import TensorCore
import Kernels

/// The training loop: epochs, shuffled mini-batches of users, schedules, validation, best-state
/// keeping, early stopping and progress reporting. Models own their step; the trainer owns the loop.
public struct Trainer {
    /// The settings.
    public var configuration: TrainingConfiguration

    /// A trainer with `configuration`.
    public init(configuration: TrainingConfiguration) { self.configuration = configuration }

    /// Fits `model` to the rows (users) of `data`.
    ///
    /// Each epoch draws a permutation of the users from `context.rng` (when shuffling), splits it
    /// into batches of `batchSize`, and asks the model for a step per batch; every update checks the
    /// loss and gradients for NaN/∞ and throws `TrainingError` naming the epoch and batch. After each
    /// epoch `validate(epoch)` (if given; higher is better) is called; the parameter values of the
    /// best epoch are kept and restored at the end (optimizer state is not restored), and training
    /// stops after `patience` epochs without improvement. `progress` receives each epoch's report.
    ///
    /// `resume` continues a run from the state an earlier run's `onEpochEnd` received (the model's
    /// parameters must already hold the values of that moment): epochs, update counts, the
    /// context's generator, the best-so-far selection and the optimizer state are restored, so the
    /// run continues as if it had never stopped (a state saved after the epoch at which early stopping
    /// fired trains no further epoch). `onEpochEnd` receives that state after every epoch.
    public func train<Model: TrainableModel, Opt: Optimizer>(
        _ model: Model, on data: SparseMatrix, optimizer: inout Opt, context: inout ForwardContext,
        validate: ((_ epoch: Int) throws -> Double)? = nil,
        progress: ((EpochReport) -> Void)? = nil,
        resume: TrainingState? = nil,
        onEpochEnd: ((TrainingState) throws -> Void)? = nil
    ) throws -> TrainingHistory {
        try validateConfiguration()
        let parameters = model.parameters.uniqued()
        var names = Set<String>()
        for parameter in parameters where !names.insert(parameter.name).inserted {
            // Optimizer state is keyed by name: two distinct parameters with one name would share moments.
            throw TrainingError.invalidConfiguration(setting: "parameter name (duplicate)", value: parameter.name)
        }
        let baseRate = optimizer.learningRate
        let clock = ContinuousClock()
        var history = TrainingHistory(epochs: [], bestEpoch: nil, bestMetric: nil, stoppedEarly: false, optimizerSteps: 0)
        var best: [Matrix]? = nil
        var updates = 0
        var optimizerSteps = 0
        var firstEpoch = 0
        var seconds = 0.0
        if let resume {
            (firstEpoch, updates, optimizerSteps) = (resume.nextEpoch, resume.updates, resume.optimizerSteps)
            (history.bestEpoch, history.bestMetric) = (resume.bestEpoch, resume.bestMetric)
            best = try resume.bestValues(for: parameters)
            context.rng = resume.generator
            try Trainer.restore(&optimizer, from: resume.optimizer)
            seconds = resume.seconds
            // A run saved after the epoch that triggered early stopping has finished: continuing it
            // must not train on (as the uninterrupted run did not).
            if shouldStop(after: resume.nextEpoch - 1, bestEpoch: resume.bestEpoch) {
                history.stoppedEarly = true
                firstEpoch = configuration.epochs
            }
        }

        for epoch in firstEpoch..<configuration.epochs {
            let started = clock.now
            let rate = configuration.learningRateSchedule.learningRate(base: baseRate, epoch: epoch)
            optimizer.learningRate = rate
            let order = configuration.shuffle ? context.rng.permutation(data.rows) : Array(0..<data.rows)
            var lossTotal: Double = 0
            var batches = 0
            var beta = configuration.klSchedule.weight(epoch: epoch, update: updates)
            parameters.zeroGradients()
            for (batchIndex, start) in stride(from: 0, to: order.count, by: configuration.batchSize).enumerated() {
                let rows = Array(order[start..<min(order.count, start + configuration.batchSize)])
                let batch = configuration.shuffle ? data.rows(at: rows) : data.rows(in: start..<(start + rows.count))
                beta = configuration.klSchedule.weight(epoch: epoch, update: updates)
                let step = TrainingStep(epoch: epoch, batch: batchIndex, update: updates, klWeight: beta, learningRate: rate)
                let loss = try model.trainStep(batch: batch, step: step, context: &context) { loss in
                    try Trainer.check(loss: loss, parameters: [], epoch: epoch, batch: batchIndex)
                    // One pass per parameter: step, zero the gradient, report a NaN/∞ gradient.
                    if let name = optimizer.updateZeroingGradients(parameters) {
                        throw TrainingError.nonFiniteGradient(epoch: epoch, batch: batchIndex, parameter: name)
                    }
                    optimizerSteps += 1
                }
                try Trainer.check(loss: loss, parameters: [], epoch: epoch, batch: batchIndex)
                lossTotal += loss
                batches += 1
                updates += 1
            }

            var metric: Double? = nil
            if let validate {
                let value = try validate(epoch)
                metric = value
                if history.bestMetric.map({ value > $0 }) ?? value.isFinite {
                    history.bestMetric = value
                    history.bestEpoch = epoch
                    best = parameters.map(\.value)
                }
            }
            let elapsed = clock.now - started
            let report = EpochReport(epoch: epoch, meanLoss: batches > 0 ? lossTotal / Double(batches) : 0, metric: metric,
                                     seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18,
                                     updates: updates, klWeight: beta, learningRate: rate)
            history.epochs.append(report)
            seconds += report.seconds
            progress?(report)
            if let onEpochEnd {
                try onEpochEnd(TrainingState(
                    nextEpoch: epoch + 1, updates: updates, optimizerSteps: optimizerSteps, generator: context.rng,
                    bestEpoch: history.bestEpoch, bestMetric: history.bestMetric,
                    bestValues: best.map { Dictionary(uniqueKeysWithValues: zip(parameters.map(\.name), $0)) },
                    optimizer: Trainer.state(of: optimizer), seconds: seconds))
            }
            if shouldStop(after: epoch, bestEpoch: history.bestEpoch) {
                history.stoppedEarly = true
                break
            }
        }
        if let best {
            for (parameter, value) in zip(parameters, best) { parameter.value = value }
        }
        parameters.zeroGradients()
        history.optimizerSteps = optimizerSteps
        return history
    }

    /// Whether early stopping ends the run after `epoch`: `patience` epochs without a better
    /// validation metric, and epochs still to go.
    private func shouldStop(after epoch: Int, bestEpoch: Int?) -> Bool {
        guard let patience = configuration.patience, let bestEpoch else { return false }
        return epoch - bestEpoch >= patience && epoch < configuration.epochs - 1
    }

    private func validateConfiguration() throws {
        guard configuration.epochs >= 0 else {
            throw TrainingError.invalidConfiguration(setting: "epochs", value: "\(configuration.epochs)")
        }
        guard configuration.batchSize > 0 else {
            throw TrainingError.invalidConfiguration(setting: "batchSize", value: "\(configuration.batchSize)")
        }
        if let patience = configuration.patience, patience < 1 {
            throw TrainingError.invalidConfiguration(setting: "patience", value: "\(patience)")
        }
    }

    /// Throws when `loss` or any gradient is NaN or infinite.
    static func check(loss: Double, parameters: [Parameter], epoch: Int, batch: Int) throws {
        guard loss.isFinite else { throw TrainingError.nonFiniteLoss(epoch: epoch, batch: batch, value: loss) }
        for parameter in parameters where !Kernels.allFinite(parameter.gradient) {
            throw TrainingError.nonFiniteGradient(epoch: epoch, batch: batch, parameter: parameter.name)
        }
    }
}
