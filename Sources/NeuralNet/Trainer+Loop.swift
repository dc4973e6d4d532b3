import TensorCore

extension Trainer {
    /// The recipe's optimizer between epochs, with what its stepping needs; `stepping` while an
    /// epoch runs and the optimizer is out (held by the epoch alone, so Adam's moments, shared with
    /// no other copy, are updated in place rather than copied on the first write of every epoch).
    enum ActiveOptimizer {
        case miniBatch(any Optimizer, baseRate: Float, batchSize: Int, shuffle: Bool)
        case fullBatch(any FullBatchOptimizer, iterations: Int)
        case stepping

        init(_ stepping: TrainingRecipe.Stepping) {
            switch stepping {
            case .miniBatch(let batchSize, let optimizer, let shuffle):
                self = .miniBatch(optimizer, baseRate: optimizer.learningRate, batchSize: batchSize, shuffle: shuffle)
            case .fullBatch(let iterations, let optimizer):
                self = .fullBatch(optimizer, iterations: iterations)
            }
        }

        /// The optimizer's state for a checkpoint.
        var state: OptimizerState {
            switch self {
            case .miniBatch(let optimizer, _, _, _): return optimizer.checkpointState
            case .fullBatch(let optimizer, _): return optimizer.checkpointState
            case .stepping: preconditionFailure("Trainer: the optimizer's state was asked for during an epoch")
            }
        }

        /// Restores the optimizer's state (an empty `none` state leaves it fresh).
        mutating func restore(_ state: OptimizerState) throws {
            switch self {
            case .miniBatch(var optimizer, let baseRate, let batchSize, let shuffle):
                try optimizer.restore(state)
                self = .miniBatch(optimizer, baseRate: baseRate, batchSize: batchSize, shuffle: shuffle)
            case .fullBatch(var optimizer, let iterations):
                try optimizer.restore(state)
                self = .fullBatch(optimizer, iterations: iterations)
            case .stepping:
                preconditionFailure("Trainer: an optimizer was restored during an epoch")
            }
        }
    }

    /// The loop's counters and best-so-far selection.
    struct LoopState {
        var nextEpoch = 0, updates = 0, optimizerSteps = 0
        var bestEpoch: Int? = nil
        var bestMetric: Double? = nil
        var bestValues: [Matrix]? = nil
        var stoppedEarly = false
        /// Seconds of the epochs so far, including those of the runs this one continues.
        var seconds = 0.0
        /// The reports of the epochs so far, including those of the runs this one continues.
        var reports: [EpochReport] = []

        init() {}

        /// The counters and reports of a saved state.
        init(_ state: TrainingState, bestValues: [Matrix]?) {
            (nextEpoch, updates, optimizerSteps) = (state.nextEpoch, state.updates, state.optimizerSteps)
            (bestEpoch, bestMetric, self.bestValues, seconds) = (state.bestEpoch, state.bestMetric, bestValues, state.seconds)
            reports = state.epochReports
        }

        /// The state after the epoch just finished.
        func state(generator: RandomGenerator, parameters: [Parameter], optimizer: OptimizerState) -> TrainingState {
            TrainingState(nextEpoch: nextEpoch, updates: updates, optimizerSteps: optimizerSteps, generator: generator,
                          bestEpoch: bestEpoch, bestMetric: bestMetric,
                          bestValues: bestValues.map { Dictionary(uniqueKeysWithValues: zip(parameters.map(\.name), $0)) },
                          optimizer: optimizer, seconds: seconds, epochReports: reports)
        }
    }

    /// The model's distinct parameters, after checking the recipe and that no two share a name
    /// (optimizer state and checkpoints are keyed by name).
    func checkedParameters(of model: some TrainableModel) throws -> [Parameter] {
        guard recipe.epochs >= 0 else {
            throw TrainingError.invalidConfiguration(setting: "epochs", value: "\(recipe.epochs)")
        }
        switch recipe.stepping {
        case .miniBatch(let batchSize, _, _) where batchSize <= 0:
            throw TrainingError.invalidConfiguration(setting: "batch size", value: "\(batchSize)")
        case .fullBatch(let iterations, _) where iterations <= 0:
            throw TrainingError.invalidConfiguration(setting: "iterations per epoch", value: "\(iterations)")
        default: break
        }
        if let patience = recipe.patience, patience < 1 {
            throw TrainingError.invalidConfiguration(setting: "patience", value: "\(patience)")
        }
        guard recipe.patienceStartEpoch >= 0 else {
            throw TrainingError.invalidConfiguration(setting: "patience start epoch", value: "\(recipe.patienceStartEpoch)")
        }
        let parameters = model.parameters.uniqued()
        var names = Set<String>()
        for parameter in parameters where !names.insert(parameter.name).inserted {
            throw TrainingError.invalidConfiguration(setting: "parameter name (duplicate)", value: parameter.name)
        }
        try checkPhases(parameterNames: names)
        return parameters
    }

    /// Throws unless the recipe has at least one phase, each with ≥ 1 pass and only known, at least
    /// one, parameter names; full-batch stepping takes the one default phase only.
    func checkPhases(parameterNames: Set<String>) throws {
        guard !recipe.phases.isEmpty else { throw TrainingError.invalidConfiguration(setting: "phases", value: "none") }
        for phase in recipe.phases {
            guard phase.passes >= 1 else {
                throw TrainingError.invalidConfiguration(setting: "passes of phase '\(phase.name)'", value: "\(phase.passes)")
            }
            if let chosen = phase.parameterNames {
                if let unknown = chosen.subtracting(parameterNames).sorted().first {
                    throw TrainingError.invalidConfiguration(setting: "parameter of phase '\(phase.name)' (unknown)", value: unknown)
                }
                guard !chosen.isEmpty else {
                    throw TrainingError.invalidConfiguration(setting: "parameters of phase '\(phase.name)'", value: "none")
                }
            }
        }
        if case .fullBatch = recipe.stepping, recipe.phases != [.everyParameter] {
            throw TrainingError.invalidConfiguration(setting: "phases (full-batch stepping runs one phase of every parameter)",
                                                     value: recipe.phases.map(\.name).joined(separator: ", "))
        }
    }

    /// Mini-batches an epoch of `rows` rows runs over all its phases and passes, or its full-batch steps.
    func batchesPerEpoch(rows: Int) -> Int {
        switch recipe.stepping {
        case .miniBatch(let batchSize, _, _):
            return recipe.phases.reduce(0) { $0 + $1.passes } * ((rows + max(1, batchSize) - 1) / max(1, batchSize))
        case .fullBatch(let iterations, _): return iterations
        }
    }

    /// Whether early stopping ends the run after `epoch` (from 0): `patience` epochs without a
    /// better validation metric, counting only epochs from `patienceStartEpoch` on, and epochs still to go.
    func shouldStop(after epoch: Int, bestEpoch: Int?) -> Bool {
        guard let patience = recipe.patience, let bestEpoch else { return false }
        let countedSince = max(bestEpoch, recipe.patienceStartEpoch - 1)   // the last epoch that does not count
        return epoch - countedSince >= patience && epoch < recipe.epochs - 1
    }

    /// Throws when `loss` is NaN or infinite (epoch and batch from 0, reported from 1).
    static func check(loss: Double, epoch: Int, batch: Int) throws {
        guard loss.isFinite else { throw TrainingError.nonFiniteLoss(epoch: epoch + 1, batch: batch + 1, value: loss) }
    }
}

extension TrainingState {
    /// Throws `TrainingError.invalidResumeState` unless the state could have been saved by a run of
    /// `recipe` on `parameters`: epochs within the plan, counts not negative, the best epoch before
    /// the next, finite seconds, a generator that is not all zeros, and epoch reports that fit
    /// (`epochReportsProblem`, each of this recipe's epoch count).
    func check(against recipe: TrainingRecipe, parameters: [Parameter]) throws {
        func fail(_ field: String, _ value: Any, _ expected: String) -> TrainingError {
            .invalidResumeState(field: field, value: "\(value)", expected: expected)
        }
        guard (0...max(0, recipe.epochs)).contains(nextEpoch) else {
            throw fail("next_epoch", nextEpoch, "0…\(recipe.epochs), the epochs of this run")
        }
        guard updates >= 0 else { throw fail("updates", updates, "≥ 0") }
        guard optimizerSteps >= 0 else { throw fail("optimizer_steps", optimizerSteps, "≥ 0") }
        if let bestEpoch, !(0..<nextEpoch).contains(bestEpoch) {
            throw fail("best_epoch", bestEpoch, "0…\(nextEpoch - 1), an epoch already run")
        }
        if let bestMetric, !bestMetric.isFinite { throw fail("best_metric", bestMetric, "a finite number") }
        guard seconds.isFinite && seconds >= 0 else { throw fail("seconds", seconds, "a finite number ≥ 0") }
        let words = generator.state
        guard words != (0, 0, 0, 0) else { throw fail("generator", "0 0 0 0", "a state that is not all zeros") }
        if let problem = epochReportsProblem() { throw fail(problem.field, problem.value, problem.expected) }
        if let index = epochReports.firstIndex(where: { $0.epochCount != recipe.epochs }) {
            throw fail("epoch_reports.epoch_count", epochReports[index].epochCount, "\(recipe.epochs), the epochs of this run")
        }
    }
}
