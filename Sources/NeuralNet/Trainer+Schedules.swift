/// The weight β of the KL term as training proceeds.
public enum KLSchedule: Sendable, Equatable {
    /// β = value throughout (1: the plain ELBO; 0: no KL term).
    case constant(Double)
    /// β = min(cap, update / totalAnnealSteps), updated every mini-batch; β = cap when
    /// totalAnnealSteps is 0. Mult-VAE: cap 0.2, 200 000 steps (Liang et al. 2018, §2.2.2 and code).
    case annealPerUpdate(cap: Double, totalAnnealSteps: Int)
    /// β = min(cap, (epoch + 1) / warmUpEpochs), fixed within an epoch (linear warm-up of the
    /// VampPrior reference code, Tomczak & Welling 2018: β = epoch / warmup with epochs from 1).
    case warmUpPerEpoch(cap: Double, warmUpEpochs: Int)

    /// β for the batch at `epoch` (from 0) after `update` mini-batches (from 0).
    public func weight(epoch: Int, update: Int) -> Double {
        switch self {
        case .constant(let value):
            return value
        case .annealPerUpdate(let cap, let total):
            return total > 0 ? min(cap, Double(update) / Double(total)) : cap
        case .warmUpPerEpoch(let cap, let epochs):
            return epochs > 0 ? min(cap, Double(epoch + 1) / Double(epochs)) : cap
        }
    }
}

/// The learning rate as training proceeds, relative to the optimizer's initial rate.
public enum LearningRateSchedule: Sendable, Equatable {
    /// The initial rate throughout.
    case constant
    /// rate · factor^⌊epoch / everyEpochs⌋ (step decay).
    case stepDecay(everyEpochs: Int, factor: Double)

    /// The rate for `epoch` (from 0) given the initial `base` rate.
    public func learningRate(base: Float, epoch: Int) -> Float {
        switch self {
        case .constant:
            return base
        case .stepDecay(let every, let factor):
            guard every > 0 else { return base }
            var rate = Double(base)
            for _ in 0..<(epoch / every) { rate *= factor }
            return Float(rate)
        }
    }
}

/// The trainer's settings.
public struct TrainingConfiguration: Sendable, Equatable {
    /// Passes over the training users.
    public var epochs: Int
    /// Users per mini-batch (Mult-VAE: 500).
    public var batchSize: Int
    /// Whether each epoch visits users in a fresh random order drawn from the context's generator.
    public var shuffle: Bool
    /// β over training.
    public var klSchedule: KLSchedule
    /// Learning rate over training.
    public var learningRateSchedule: LearningRateSchedule
    /// Stop after this many epochs without a better validation metric (nil: never stop early).
    public var patience: Int?

    /// Settings with the given values.
    public init(epochs: Int, batchSize: Int, shuffle: Bool = true, klSchedule: KLSchedule = .constant(1),
                learningRateSchedule: LearningRateSchedule = .constant, patience: Int? = nil) {
        self.epochs = epochs
        self.batchSize = batchSize
        self.shuffle = shuffle
        self.klSchedule = klSchedule
        self.learningRateSchedule = learningRateSchedule
        self.patience = patience
    }
}

/// Why training stopped with an error.
public enum TrainingError: Error, Equatable, CustomStringConvertible {
    /// The loss of `batch` (from 0) in `epoch` (from 0) was NaN or infinite.
    case nonFiniteLoss(epoch: Int, batch: Int, value: Double)
    /// The gradient of `parameter` after `batch` in `epoch` held a NaN or infinite value.
    case nonFiniteGradient(epoch: Int, batch: Int, parameter: String)
    /// A setting is out of range: its name and value.
    case invalidConfiguration(setting: String, value: String)

    /// A message naming the place and the value.
    public var description: String {
        switch self {
        case .nonFiniteLoss(let epoch, let batch, let value):
            return "Non-finite loss \(value) in epoch \(epoch), batch \(batch)"
        case .nonFiniteGradient(let epoch, let batch, let parameter):
            return "Non-finite gradient of \(parameter) in epoch \(epoch), batch \(batch)"
        case .invalidConfiguration(let setting, let value):
            return "Invalid training setting \(setting) = \(value)"
        }
    }
}

/// What happened in one epoch.
public struct EpochReport: Sendable, Equatable {
    /// The epoch, from 0.
    public var epoch: Int
    /// The mean of the batches' reported losses.
    public var meanLoss: Double
    /// The validation metric (higher is better), when a validation hook ran.
    public var metric: Double?
    /// Wall-clock seconds of the epoch, validation included.
    public var seconds: Double
    /// Mini-batches processed so far over the run.
    public var updates: Int
    /// β at the epoch's last batch.
    public var klWeight: Double
    /// The learning rate of the epoch.
    public var learningRate: Float
}

/// The outcome of `Trainer.train`.
public struct TrainingHistory: Sendable, Equatable {
    /// One report per epoch run.
    public var epochs: [EpochReport]
    /// The epoch whose parameters were restored (best metric), if validation ran.
    public var bestEpoch: Int?
    /// The best validation metric.
    public var bestMetric: Double?
    /// Whether early stopping ended training before the last epoch.
    public var stoppedEarly: Bool
    /// Optimizer steps applied (more than mini-batches when a model re-feeds).
    public var optimizerSteps: Int
}
