import TensorCore

/// Everything a training loop needs to continue exactly where it stopped: the position (epoch,
/// update counts), the training generator, the best-so-far selection and the optimizer's state.
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

    /// A state with the given values.
    public init(nextEpoch: Int, updates: Int, optimizerSteps: Int, generator: RandomGenerator,
                bestEpoch: Int? = nil, bestMetric: Double? = nil, bestValues: [String: Matrix]? = nil,
                optimizer: OptimizerState = OptimizerState(kind: "none"), seconds: Double = 0) {
        self.nextEpoch = nextEpoch
        self.updates = updates
        self.optimizerSteps = optimizerSteps
        self.generator = generator
        self.bestEpoch = bestEpoch
        self.bestMetric = bestMetric
        self.bestValues = bestValues
        self.optimizer = optimizer
        self.seconds = seconds
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
