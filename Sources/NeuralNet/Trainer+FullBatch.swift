import Kernels
import TensorCore

extension Trainer {
    /// One epoch of full-batch steps; returns the last step's loss.
    func runFullBatchEpoch<Model: TrainableModel>(
        _ epoch: Int, of model: Model, on data: SparseMatrix, iterations: Int, parameters: [Parameter],
        optimizer: inout any FullBatchOptimizer, loop: inout LoopState, context: inout ForwardContext,
        afterBatch: (Int) -> Void
    ) throws -> Double {
        var loss = 0.0
        let parts = reproducibleParts()                                   // the reproducible mode's parts, or
        let plan = parts == nil ? shardPlan(data) : nil                   // data-parallel: this member's rows
        var failure: Error? = nil
        for iteration in 0..<iterations {
            // Every evaluation of one step starts from the same generator state, so a stochastic
            // model presents one fixed objective to the line search.
            let stepContext = context
            let step = TrainingStep(epoch: epoch, batch: iteration, update: loop.updates,
                                    klWeight: recipe.klSchedule.weight(epoch: epoch, update: loop.updates),
                                    learningRate: 0, trainingRowCount: data.rows)
            loss = optimizer.step(parameters) {
                parameters.zeroGradients()
                if let parts {
                    guard failure == nil else { return .nan }
                    do {
                        return try reproducibleEvaluation(model, data: data, parts: parts, step: step,
                                                          parameters: parameters, stepContext: stepContext)
                    } catch {
                        failure = error
                        return .nan
                    }
                }
                var evaluationContext = stepContext
                evaluationContext.shard = plan?.shard
                let localLoss = model.lossAndGradients(batch: plan?.batch ?? data, step: step, context: &evaluationContext)
                guard let plan, failure == nil else { return failure == nil ? localLoss : .nan }
                do { return try plan.reduce(loss: localLoss, parameters: parameters, update: 0) } catch {
                    failure = error
                    return .nan
                }
            }
            if let failure { throw failure }
            try Self.check(loss: loss, epoch: epoch, batch: iteration)
            for parameter in parameters where !Kernels.allFinite(parameter.gradient) {
                throw TrainingError.nonFiniteGradient(epoch: epoch + 1, batch: iteration + 1, parameter: parameter.name)
            }
            _ = context.rng.nextUniform()
            loop.updates += 1
            loop.optimizerSteps += 1
            afterBatch(data.rows)
        }
        return loss
    }
}
