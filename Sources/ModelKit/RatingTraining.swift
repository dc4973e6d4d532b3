import Foundation
import Kernels
import NeuralNet
import RecCore
import TensorCore

/// How a rating model is fitted: mini-batches with a multi-step learning-rate schedule, or full
/// batches with Rprop / L-BFGS; the epoch with the lowest validation RMSE is kept.
public struct RatingTrainingSettings: Sendable, Equatable {
    /// Passes over the rows (mini-batch), or rounds of `iterationsPerEpoch` full-batch steps.
    public var epochs: Int
    /// Rows per mini-batch (ignored by full-batch optimizers).
    public var batchSize: Int
    /// Full-batch optimizer steps between two validations.
    public var iterationsPerEpoch: Int
    /// Epochs (from 0) at which the learning rate is multiplied by `learningRateFactor`
    /// (`torch.optim.lr_scheduler.MultiStepLR`, as DeepRec's `run.py`).
    public var learningRateMilestones: [Int]
    /// γ of the multi-step schedule.
    public var learningRateFactor: Double

    /// Settings with the given values.
    public init(epochs: Int, batchSize: Int = 256, iterationsPerEpoch: Int = 20,
                learningRateMilestones: [Int] = [], learningRateFactor: Double = 1) {
        self.epochs = epochs
        self.batchSize = batchSize
        self.iterationsPerEpoch = iterationsPerEpoch
        self.learningRateMilestones = learningRateMilestones
        self.learningRateFactor = learningRateFactor
    }

    /// base·γ^(number of milestones ≤ epoch).
    public func learningRate(base: Float, epoch: Int) -> Float {
        let passed = learningRateMilestones.filter { $0 <= epoch }.count
        return Float(Double(base) * pow(learningRateFactor, Double(passed)))
    }
}

/// The rating models' training loops (see `RatingTrainingSettings`).
///
/// Own loops rather than `Trainer`: the validation metric is RMSE (lower is better), DeepRec's
/// schedule is multi-step, and L-BFGS re-evaluates the full objective inside its line search.
public enum RatingTraining {
    /// Mini-batch training of `model` on the rows of `rows` (shuffled each epoch with
    /// `context.rng`); `validate` returns the validation RMSE. Each `applyUpdate` of the model's
    /// `trainStep` checks for non-finite values and steps `optimizer`. `resume` continues from the
    /// state an earlier run's `onEpochEnd` received (see `Trainer.train`).
    public static func fitMiniBatch<Model: TrainableModel, Opt: Optimizer>(
        _ model: Model, rows: SparseMatrix, settings: RatingTrainingSettings, optimizer: inout Opt,
        context: inout ForwardContext, validate: (() -> Double)?, progress: (EpochProgress) -> Void,
        resume: TrainingState? = nil, onEpochEnd: ((TrainingState) throws -> Void)? = nil
    ) throws -> FitSummary {
        let parameters = model.parameters.uniqued()
        let baseRate = optimizer.learningRate
        var tracker = BestTracker(parameters: parameters, epochCount: settings.epochs)
        var updates = 0
        if let resume {
            updates = resume.updates
            try tracker.resume(from: resume)
            context.rng = resume.generator
            try Trainer.restore(&optimizer, from: resume.optimizer)
        }
        for epoch in (resume?.nextEpoch ?? 0)..<settings.epochs {
            let started = Date()
            optimizer.learningRate = settings.learningRate(base: baseRate, epoch: epoch)
            let order = context.rng.permutation(rows.rows)
            var total = 0.0, batches = 0
            parameters.zeroGradients()
            for (index, start) in stride(from: 0, to: order.count, by: settings.batchSize).enumerated() {
                let batch = rows.rows(at: Array(order[start..<min(order.count, start + settings.batchSize)]))
                let step = TrainingStep(epoch: epoch, batch: index, update: updates, klWeight: 0,
                                        learningRate: optimizer.learningRate)
                let loss = try model.trainStep(batch: batch, step: step, context: &context) { loss in
                    try check(loss: loss, parameters: [], epoch: epoch, batch: index)
                    // One pass per parameter: step, zero the gradient, report a NaN/∞ gradient.
                    if let name = optimizer.updateZeroingGradients(parameters) {
                        throw TrainingError.nonFiniteGradient(epoch: epoch, batch: index, parameter: name)
                    }
                }
                total += loss
                batches += 1
                updates += 1
            }
            tracker.finish(epoch: epoch, loss: batches > 0 ? total / Double(batches) : 0, validate: validate,
                           started: started, progress: progress)
            try onEpochEnd?(tracker.state(nextEpoch: epoch + 1, updates: updates, generator: context.rng,
                                          optimizer: Trainer.state(of: optimizer)))
        }
        return tracker.summary()
    }

    /// `onEpochEnd` with the full-batch optimizer's state, read when the epoch ends, put into the
    /// training state it receives (`fitFullBatch` cannot see an optimizer that lives in `iterate`).
    public static func addingOptimizerState(to onEpochEnd: ((TrainingState) throws -> Void)?,
                                            _ current: @escaping () -> OptimizerState) -> ((TrainingState) throws -> Void)? {
        onEpochEnd.map { hook in { state in
            var state = state
            state.optimizer = current()
            try hook(state)
        } }
    }

    /// Full-batch training: each epoch runs `settings.iterationsPerEpoch` calls of `iterate`, which
    /// takes one optimizer step given `evaluate` (zeroes the gradients, computes the loss on all of
    /// `rows` and its gradients) and returns the loss. The optimizer lives in `iterate`, so the
    /// caller restores its state before a `resume` and adds it to the state `onEpochEnd` receives.
    public static func fitFullBatch<Model: TrainableModel>(
        _ model: Model, rows: SparseMatrix, settings: RatingTrainingSettings, context: inout ForwardContext,
        validate: (() -> Double)?, progress: (EpochProgress) -> Void,
        resume: TrainingState? = nil, onEpochEnd: ((TrainingState) throws -> Void)? = nil,
        iterate: (_ parameters: [Parameter], _ evaluate: () -> Double) throws -> Double
    ) throws -> FitSummary {
        let parameters = model.parameters.uniqued()
        var tracker = BestTracker(parameters: parameters, epochCount: settings.epochs)
        var steps = 0
        if let resume {
            steps = resume.updates
            try tracker.resume(from: resume)
            context.rng = resume.generator
        }
        for epoch in (resume?.nextEpoch ?? 0)..<settings.epochs {
            let started = Date()
            var loss = 0.0
            for iteration in 0..<settings.iterationsPerEpoch {
                // Every evaluation of one iteration starts from the same generator state, so a
                // stochastic model presents one fixed objective to the line search.
                let iterationContext = context
                let evaluate: () -> Double = {
                    parameters.zeroGradients()
                    var evaluationContext = iterationContext
                    let step = TrainingStep(epoch: epoch, batch: iteration, update: steps, klWeight: 0, learningRate: 0)
                    return model.lossAndGradients(batch: rows, step: step, context: &evaluationContext)
                }
                loss = try iterate(parameters, evaluate)
                try check(loss: loss, parameters: parameters, epoch: epoch, batch: iteration)
                _ = context.rng.nextUniform()
                steps += 1
            }
            tracker.finish(epoch: epoch, loss: loss, validate: validate, started: started, progress: progress)
            try onEpochEnd?(tracker.state(nextEpoch: epoch + 1, updates: steps, generator: context.rng,
                                          optimizer: OptimizerState(kind: "none")))
        }
        parameters.zeroGradients()
        return tracker.summary()
    }

    /// Throws `TrainingError` when `loss` or a gradient is NaN or infinite.
    static func check(loss: Double, parameters: [Parameter], epoch: Int, batch: Int) throws {
        guard loss.isFinite else { throw TrainingError.nonFiniteLoss(epoch: epoch, batch: batch, value: loss) }
        for parameter in parameters where !Kernels.allFinite(parameter.gradient) {
            throw TrainingError.nonFiniteGradient(epoch: epoch, batch: batch, parameter: parameter.name)
        }
    }
}

/// Keeps the parameters of the epoch with the lowest validation RMSE and the epoch reports.
struct BestTracker {
    let parameters: [Parameter]
    let epochCount: Int
    var reports: [EpochProgress] = []
    var best: (epoch: Int, rmse: Double, values: [Matrix])?
    var resumedEpochs = 0
    /// Seconds of the epochs so far, including those of the runs this one continues.
    var seconds = 0.0

    init(parameters: [Parameter], epochCount: Int) {
        self.parameters = parameters
        self.epochCount = epochCount
    }

    mutating func finish(epoch: Int, loss: Double, validate: (() -> Double)?, started: Date,
                         progress: (EpochProgress) -> Void) {
        let rmse = validate?()
        if let rmse, rmse.isFinite, best.map({ rmse < $0.rmse }) ?? true {
            best = (epoch, rmse, parameters.map(\.value))
        }
        let report = EpochProgress(epoch: epoch + 1, epochCount: epochCount, loss: loss, validationMetric: rmse,
                                   seconds: Date().timeIntervalSince(started))
        seconds += report.seconds
        reports.append(report)
        progress(report)
    }

    /// Takes the best-so-far selection of a resumed run.
    mutating func resume(from state: TrainingState) throws {
        resumedEpochs = state.nextEpoch
        seconds = state.seconds
        if let epoch = state.bestEpoch, let rmse = state.bestMetric, let values = try state.bestValues(for: parameters) {
            best = (epoch, rmse, values)
        }
    }

    /// The loop's state after an epoch, with the best-so-far selection (updates counts steps for full batches).
    func state(nextEpoch: Int, updates: Int, generator: RandomGenerator, optimizer: OptimizerState) -> TrainingState {
        TrainingState(nextEpoch: nextEpoch, updates: updates, optimizerSteps: updates, generator: generator,
                      bestEpoch: best?.epoch, bestMetric: best?.rmse,
                      bestValues: best.map { Dictionary(uniqueKeysWithValues: zip(parameters.map(\.name), $0.values)) },
                      optimizer: optimizer, seconds: seconds)
    }

    /// Restores the best epoch's values (when validation ran) and summarises.
    func summary() -> FitSummary {
        guard let best else {
            return FitSummary(bestEpoch: resumedEpochs + reports.count, bestValidationMetric: nil, epochs: reports)
        }
        for (parameter, value) in zip(parameters, best.values) { parameter.value = value }
        return FitSummary(bestEpoch: best.epoch + 1, bestValidationMetric: best.rmse, epochs: reports)
    }
}

/// The validation metric of rating models during training.
public enum RatingValidation {
    /// RMSE of `model` on `validation` with `train` as the known ratings (clipped to 1…5, unseen → 3).
    public static func rmse(_ model: some RatingRecommender, validation: SparseMatrix, train: SparseMatrix) -> Double {
        RatingEvaluation.evaluate(model, test: validation, train: train).rmse
    }
}
