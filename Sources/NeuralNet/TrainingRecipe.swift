#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How a model is trained: the optimizer and how it steps, the epochs, the schedules and the
/// early-stopping rule. A model declares its recipe (its paper's values); the one `Trainer` runs it.
public struct TrainingRecipe {
    /// How the optimizer meets the data.
    public enum Stepping {
        /// Mini-batches of `batchSize` rows (a fresh random order each epoch when `shuffle`); the
        /// model's step calls the optimizer once per update.
        case miniBatch(batchSize: Int, optimizer: any Optimizer, shuffle: Bool = true)
        /// `iterationsPerEpoch` steps of a full-batch optimizer (L-BFGS, Rprop) on all rows per epoch.
        case fullBatch(iterationsPerEpoch: Int, optimizer: any FullBatchOptimizer)
    }

    /// Passes over the training rows (mini-batch) or rounds of full-batch steps, at most.
    public var epochs: Int
    /// The optimizer and how it steps.
    public var stepping: Stepping
    /// β over training (the step's `klWeight`; 0 for models without a KL term).
    public var klSchedule: KLSchedule
    /// The learning rate over training, relative to the optimizer's initial rate (mini-batch only).
    public var learningRateSchedule: LearningRateSchedule
    /// Stop after this many epochs without a better validation metric (nil: never stop early).
    public var patience: Int?
    /// The first epoch (from 0) that counts toward `patience`: epochs before it never end the run,
    /// however long since the best (0: every epoch counts). The VampPrior reference code's rule,
    /// whose counter is reset during β warm-up (`utils/perform_experiment.py` of psywaves/EVCF).
    public var patienceStartEpoch: Int = 0
    /// The epochs to run instead of `epochs` when no validation rule can stop the run early (nil:
    /// `epochs` either way): for a recipe whose `epochs` is an upper bound meant to be cut by
    /// `patience` (the deep AE's update budget).
    public var epochsWithoutValidation: Int?
    /// The parts of every epoch, in order (mini-batch stepping only; one pass over every
    /// parameter by default). See `TrainingPhase`.
    public var phases: [TrainingPhase]
    /// How each update's loss is reduced over a batch's rows, for data-parallel training (one per
    /// `applyUpdate` of a step, the last repeating; default: means over the rows). See `ShardWeighting`.
    public var shardWeighting: [ShardWeighting] = [.rows]

    /// A recipe with the given parts.
    public init(epochs: Int, stepping: Stepping, klSchedule: KLSchedule = .constant(0),
                learningRateSchedule: LearningRateSchedule = .constant, patience: Int? = nil,
                patienceStartEpoch: Int = 0,
                epochsWithoutValidation: Int? = nil, phases: [TrainingPhase] = [.everyParameter]) {
        (self.epochs, self.stepping, self.klSchedule) = (epochs, stepping, klSchedule)
        (self.learningRateSchedule, self.patience, self.phases) = (learningRateSchedule, patience, phases)
        self.patienceStartEpoch = patienceStartEpoch
        self.epochsWithoutValidation = epochsWithoutValidation
    }

    /// This recipe for a run with (`true`) or without a validation rule: without one, the epochs
    /// become `epochsWithoutValidation` when set.
    public func forRun(validated: Bool) -> TrainingRecipe {
        guard !validated, let epochsWithoutValidation else { return self }
        var recipe = self
        recipe.epochs = epochsWithoutValidation
        return recipe
    }
}

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
    /// rate · factor^(milestones ≤ epoch) (`torch.optim.lr_scheduler.MultiStepLR`, as DeepRec's `run.py`).
    case multiStep(milestones: [Int], factor: Double)

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
        case .multiStep(let milestones, let factor):
            let passed = milestones.filter { $0 <= epoch }.count
            return Float(Double(base) * pow(factor, Double(passed)))
        }
    }
}

/// The validation rule of a fit: a metric of the model on held-out data, scored after every epoch,
/// and its direction; the trainer keeps the parameters of the best epoch.
public struct Validation {
    /// The metric's name for messages (e.g. `NDCG@100`, `RMSE`).
    public var metricName: String
    /// Whether larger values are better (NDCG) or smaller ones (RMSE).
    public var higherIsBetter: Bool
    /// Scores the model as its parameters are now.
    public var evaluate: () throws -> Double

    /// A rule scoring with `evaluate`.
    public init(metricName: String, higherIsBetter: Bool, evaluate: @escaping () throws -> Double) {
        (self.metricName, self.higherIsBetter, self.evaluate) = (metricName, higherIsBetter, evaluate)
    }

    /// Whether `value` is finite and better than `best` (any finite value beats none).
    public func improves(_ value: Double, on best: Double?) -> Bool {
        guard value.isFinite else { return false }
        guard let best else { return true }
        return higherIsBetter ? value > best : value < best
    }
}
