import Kernels
import TensorCore

/// The one training loop: epochs, shuffled mini-batches or full-batch steps, schedules, validation
/// in either direction, best-epoch keeping, early stopping, progress and resuming. Models own their
/// step (`TrainableModel`) and declare their `TrainingRecipe`; the trainer owns the loop.
public struct Trainer {
    /// What to run.
    public var recipe: TrainingRecipe
    /// The processes training this model together, each on its shard of every batch (nil: this
    /// process alone). See `DataParallelGroup` and `Trainer+DataParallel.swift`.
    public var dataParallel: (any DataParallelGroup)?
    /// The data-parallel gradient message, kept across steps (unused alone).
    let reductionBuffer = ReductionBuffer()
    /// K for the reproducible mode: every batch (and full-batch evaluation) in the same K parts
    /// whatever the number of members and threads, added exactly, so that the run's numbers are
    /// the same bits alone and on any number of ranks (see `ReproducibleShards`); nil: off.
    public var reproducibleShards: Int?
    /// The reproducible mode's kept part gradients, reused from step to step.
    let exactSum = ExactGradientSum()
    /// Where each mini-batch update's trace line goes (`StepTraceLine`), on rank 0 only; nil: no
    /// trace. Standard error when `AUTOENCODERZOO_STEP_TRACE=1` (a debugging aid: it reads the
    /// gradients, which changes no number, and costs one pass over them per update).
    public var stepTrace: ((String) -> Void)? = StepTraceLine.fromEnvironment()

    /// A trainer for `recipe`, alone or as a member of `dataParallel`.
    public init(recipe: TrainingRecipe, dataParallel: (any DataParallelGroup)? = nil, reproducibleShards: Int? = nil) {
        precondition(reproducibleShards.map { $0 >= 1 } ?? true, "Trainer: \(reproducibleShards ?? 0) reproducible parts")
        self.recipe = recipe
        self.dataParallel = dataParallel
        self.reproducibleShards = reproducibleShards
    }

    /// Fits `model` to the rows of `data`.
    ///
    /// Mini-batch: each epoch runs the recipe's phases in order (one pass over every parameter by
    /// default; see `TrainingPhase`), telling the model as each begins; each pass draws a
    /// permutation of the rows from `context.rng` (when shuffling), splits it into batches and asks
    /// the model for a step per batch, then updates the phase's parameters. The epoch's loss is the
    /// mean over all its batches. Full-batch: each epoch runs
    /// the optimizer's `step` `iterationsPerEpoch` times on all rows, every evaluation of one step
    /// starting from the same generator state (one fixed objective for a line search). Every loss
    /// and gradient is checked for NaN/∞ (`TrainingError` names the epoch and batch, from 1).
    ///
    /// After each epoch `validation` (if any) scores the model; the parameters of the best epoch are
    /// kept and restored at the end (optimizer state is not), and training stops after `patience`
    /// epochs without improvement. `resume` continues a run from the state an earlier run's
    /// `onEpochEnd` received (the model's parameters must already hold that moment's values), with
    /// the same numbers as a run that never stopped; a state that does not fit the recipe is an error.
    /// The history of a resumed run starts with the state's `epochReports`, so that its `epochs`
    /// are those of the run that never stopped (each with the seconds it took when it ran).
    /// `batchProgress`, when given, hears after every mini-batch (or full-batch step) where the epoch stands.
    /// `stopAfterEpoch`, asked after each epoch's report and state, ends training there when it
    /// answers true (a tuner's stopping rule); the history then says `stoppedEarly`, as for patience.
    public func train<Model: TrainableModel>(
        _ model: Model, on data: SparseMatrix, context: inout ForwardContext, validation: Validation? = nil,
        progress: (EpochReport) -> Void = { _ in }, batchProgress: ((BatchProgress) -> Void)? = nil,
        resume: TrainingState? = nil,
        onEpochEnd: ((TrainingState) throws -> Void)? = nil, stopAfterEpoch: ((EpochReport) -> Bool)? = nil
    ) throws -> TrainingHistory {
        try Kernels.withSumsIndependentOfThreads(reproducibleShards != nil) {
            try trainInOrder(model, on: data, context: &context, validation: validation, progress: progress,
                             batchProgress: batchProgress, resume: resume, onEpochEnd: onEpochEnd, stopAfterEpoch: stopAfterEpoch)
        }
    }

    /// `train`, its sums ordered as `reproducibleShards` asks.
    private func trainInOrder<Model: TrainableModel>(
        _ model: Model, on data: SparseMatrix, context: inout ForwardContext, validation: Validation?,
        progress: (EpochReport) -> Void, batchProgress: ((BatchProgress) -> Void)?, resume: TrainingState?,
        onEpochEnd: ((TrainingState) throws -> Void)?, stopAfterEpoch: ((EpochReport) -> Bool)?
    ) throws -> TrainingHistory {
        let parameters = try checkedParameters(of: model)
        var loop = LoopState()
        var optimizer = ActiveOptimizer(recipe.stepping)
        if let resume {
            try resume.check(against: recipe, parameters: parameters)
            do {
                loop = LoopState(resume, bestValues: try resume.bestValues(for: parameters))
                try optimizer.restore(resume.optimizer)
            } catch TrainingError.invalidConfiguration(let setting, let value) {
                throw TrainingError.invalidResumeState(field: setting, value: value, expected: "what this run's model and optimizer save")
            }
            context.rng = resume.generator
            // A run saved after the epoch that triggered early stopping has finished: continuing it
            // must not train on (as the uninterrupted run did not).
            if shouldStop(after: resume.nextEpoch - 1, bestEpoch: resume.bestEpoch) {
                loop.stoppedEarly = true
                loop.nextEpoch = recipe.epochs
            }
        }
        let firstEpoch = loop.nextEpoch
        let clock = ContinuousClock()
        for epoch in firstEpoch..<max(firstEpoch, recipe.epochs) {
            let started = clock.now
            let loss: Double, rate: Float
            var batchesDone = 0, rowsDone = 0
            let batchCount = batchesPerEpoch(rows: data.rows)
            let afterBatch: (Int) -> Void = { rows in
                batchesDone += 1
                rowsDone += rows
                guard let batchProgress else { return }
                let elapsed = clock.now - started
                batchProgress(BatchProgress(epoch: epoch + 1, epochCount: self.recipe.epochs, batch: batchesDone,
                                            batchCount: batchCount, rows: rowsDone, rowCount: data.rows,
                                            seconds: elapsed.inSeconds))
            }
            switch optimizer {
            case .miniBatch(var stepper, let baseRate, let batchSize, let shuffle):
                optimizer = .stepping                // the stepper holds the only copy: its moments are never copied on write
                stepper.learningRate = recipe.learningRateSchedule.learningRate(base: baseRate, epoch: epoch)
                var total = 0.0, batches = 0
                for (phaseIndex, phase) in recipe.phases.enumerated() {
                    model.willBeginPhase(phaseIndex, epoch: epoch)
                    let updated = phase.parameterNames.map { names in parameters.filter { names.contains($0.name) } } ?? parameters
                    for _ in 0..<phase.passes {
                        let pass = try runMiniBatchEpoch(epoch, phase: phaseIndex, of: model, on: data, batchSize: batchSize,
                                                         shuffle: shuffle, parameters: parameters, updated: updated,
                                                         optimizer: &stepper, loop: &loop, context: &context, afterBatch: afterBatch)
                        (total, batches) = (total + pass.lossTotal, batches + pass.batches)
                    }
                }
                (loss, rate) = (batches > 0 ? total / Double(batches) : 0, stepper.learningRate)
                optimizer = .miniBatch(stepper, baseRate: baseRate, batchSize: batchSize, shuffle: shuffle)
            case .fullBatch(var stepper, let iterations):
                optimizer = .stepping
                model.willBeginPhase(0, epoch: epoch)
                (loss, rate) = (try runFullBatchEpoch(epoch, of: model, on: data, iterations: iterations,
                                                      parameters: parameters, optimizer: &stepper, loop: &loop,
                                                      context: &context, afterBatch: afterBatch), 0)
                optimizer = .fullBatch(stepper, iterations: iterations)
            case .stepping:
                preconditionFailure("Trainer: the optimizer was not put back after an epoch")
            }
            try checkMembersAgree(parameters, epoch: epoch)
            var metric: Double? = nil
            if let validation {
                let value = try validation.evaluate()
                metric = value
                if validation.improves(value, on: loop.bestMetric) {
                    (loop.bestMetric, loop.bestEpoch, loop.bestValues) = (value, epoch, parameters.map(\.value))
                }
            }
            let elapsed = clock.now - started
            let report = EpochReport(
                epoch: epoch + 1, epochCount: recipe.epochs, loss: loss, validationMetric: metric,
                seconds: elapsed.inSeconds,
                updates: loop.updates, klWeight: recipe.klSchedule.weight(epoch: epoch, update: max(0, loop.updates - 1)),
                learningRate: rate)
            loop.reports.append(report)
            loop.seconds += report.seconds
            loop.nextEpoch = epoch + 1
            try MemberFailures.together(dataParallel) {                   // e.g. rank 0's state write: every rank stops
                progress(report)
                try onEpochEnd?(loop.state(generator: context.rng, parameters: parameters, optimizer: optimizer.state))
            }
            if shouldStop(after: epoch, bestEpoch: loop.bestEpoch)
                || (epoch < recipe.epochs - 1 && stopAfterEpoch?(report) == true) {
                loop.stoppedEarly = true
                break
            }
        }
        if let best = loop.bestValues {
            for (parameter, value) in zip(parameters, best) { parameter.value = value }
        }
        parameters.zeroGradients()
        return TrainingHistory(epochs: loop.reports, bestEpoch: loop.bestEpoch.map { $0 + 1 } ?? loop.nextEpoch,
                               bestValidationMetric: loop.bestMetric, stoppedEarly: loop.stoppedEarly,
                               optimizerSteps: loop.optimizerSteps)
    }

    /// One pass of mini-batches of `phase` over the data, updating `updated` (the others' gradients
    /// are zeroed after each update); returns the sum of the batches' losses and their count.
    private func runMiniBatchEpoch<Model: TrainableModel>(
        _ epoch: Int, phase: Int, of model: Model, on data: SparseMatrix, batchSize: Int, shuffle: Bool,
        parameters: [Parameter], updated: [Parameter],
        optimizer: inout any Optimizer, loop: inout LoopState, context: inout ForwardContext, afterBatch: (Int) -> Void
    ) throws -> (lossTotal: Double, batches: Int) {
        let restricted = updated.count < parameters.count
        let updatedNames = restricted ? Set(updated.map(\.name)) : nil
        let frozen = restricted ? parameters.filter { !(updatedNames?.contains($0.name) ?? true) } : []
        let order = shuffle ? context.rng.permutation(data.rows) : Array(0..<data.rows)
        var lossTotal = 0.0, batches = 0
        parameters.zeroGradients()
        for (batchIndex, start) in stride(from: 0, to: order.count, by: batchSize).enumerated() {
            let rows = Array(order[start..<min(order.count, start + batchSize)])
            var batch = shuffle ? data.rows(at: rows) : data.rows(in: start..<(start + rows.count))
            let step = TrainingStep(epoch: epoch, batch: batchIndex, update: loop.updates,
                                    klWeight: recipe.klSchedule.weight(epoch: epoch, update: loop.updates),
                                    learningRate: optimizer.learningRate, trainingRowCount: data.rows,
                                    phase: phase, updatedParameterNames: updatedNames)
            if let parts = reproducibleParts() {
                let traces = stepTrace != nil && parts.group.rank == 0
                let (loss, updates) = try reproducibleStep(
                    model, global: batch, parts: parts, step: step, epoch: epoch, batchIndex: batchIndex,
                    parameters: parameters, updated: updated, frozen: frozen, optimizer: &optimizer, context: &context
                ) { update, loss in
                    guard traces, let stepTrace else { return }
                    stepTrace(StepTraceLine(epoch: epoch + 1, batch: batchIndex + 1, update: update + 1, loss: loss,
                                            gradients: updated).text)
                }
                lossTotal += loss
                batches += 1
                loop.updates += 1
                loop.optimizerSteps += updates
                afterBatch(rows.count)
                continue
            }
            let plan = shardPlan(batch)                                   // data-parallel: this member's rows
            if let plan { (batch, context.shard) = (plan.batch, plan.shard) }
            var updateIndex = 0, reducedLoss: Double? = nil
            var steps = 0
            // Data-parallel: true from a reduction until the update closure returns, where an error
            // is thrown by every member alike (the reduced loss and gradients are the same
            // everywhere); an error outside that is this member's own, made known to the others
            // by joining their next reduction flagged (`ShardPlan.fail`), so none waits for it.
            var alike = false
            let localLoss: Double
            do {
                localLoss = try model.trainStep(batch: batch, step: step, context: &context) { localLoss in
                    var loss = localLoss
                    if let plan {                                         // Σ_r w_r·(loss_r, g_r) before any check
                        try Self.check(loss: localLoss, epoch: epoch, batch: batchIndex)   // this shard's: names the rank
                        alike = true
                        loss = try plan.reduce(loss: localLoss, parameters: updated, update: updateIndex)
                        reducedLoss = reducedLoss ?? loss
                        updateIndex += 1
                    }
                    try Self.check(loss: loss, epoch: epoch, batch: batchIndex)
                    if let stepTrace, (dataParallel?.rank ?? 0) == 0 {
                        stepTrace(StepTraceLine(epoch: epoch + 1, batch: batchIndex + 1, update: steps + 1, loss: loss,
                                                gradients: updated).text)
                    }
                    // One pass per parameter: step, zero the gradient, report a NaN/∞ gradient.
                    if let name = optimizer.updateZeroingGradients(updated) {
                        throw TrainingError.nonFiniteGradient(epoch: epoch + 1, batch: batchIndex + 1, parameter: name)
                    }
                    frozen.zeroGradients()                                // computed, not applied: this phase keeps them
                    steps += 1
                    alike = false
                }
            } catch {
                guard let plan, !alike, plan.group.size > 1 else { throw error }
                try plan.fail(error)
            }
            context.shard = nil
            let loss = reducedLoss ?? localLoss
            try Self.check(loss: loss, epoch: epoch, batch: batchIndex)
            lossTotal += loss
            batches += 1
            loop.updates += 1
            loop.optimizerSteps += steps
            afterBatch(rows.count)
        }
        try checkPassStatus()
        return (lossTotal, batches)
    }
}
