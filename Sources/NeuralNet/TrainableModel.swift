import TensorCore

/// Where the trainer is when it asks a model for one step.
public struct TrainingStep: Sendable, Equatable {
    /// The epoch, counted from 0.
    public var epoch: Int
    /// The mini-batch within the epoch, counted from 0.
    public var batch: Int
    /// Mini-batches processed before this one over the whole run (Mult-VAE's `update_count`).
    public var update: Int
    /// The KL weight β from the trainer's schedule for this step.
    public var klWeight: Double
    /// The learning rate in force for this step (0 for full-batch steppers).
    public var learningRate: Float
    /// Rows in the whole training data (a batch of B rows carries B/N of a per-data-set penalty).
    public var trainingRowCount: Int
    /// The recipe's phase this step belongs to (an index into `TrainingRecipe.phases`; 0 for the
    /// one phase of an ordinary recipe).
    public var phase: Int
    /// The parameters the optimizer will update after this step, by name; nil: all of them.
    public var updatedParameterNames: Set<String>?

    /// A step with the given coordinates.
    public init(epoch: Int, batch: Int, update: Int, klWeight: Double, learningRate: Float, trainingRowCount: Int = 0,
                phase: Int = 0, updatedParameterNames: Set<String>? = nil) {
        (self.epoch, self.batch, self.update) = (epoch, batch, update)
        (self.klWeight, self.learningRate, self.trainingRowCount) = (klWeight, learningRate, trainingRowCount)
        (self.phase, self.updatedParameterNames) = (phase, updatedParameterNames)
    }

    /// Whether the optimizer updates `parameter` after this step (a model may skip the gradients
    /// of the others: the trainer discards them).
    public func updates(_ parameter: Parameter) -> Bool { updatedParameterNames?.contains(parameter.name) ?? true }
}

/// A model the `Trainer` can fit: it owns its forward/backward step, the trainer owns the loop.
///
/// On entry to a step every gradient is zero. `lossAndGradients` runs forward and backward on the
/// CSR batch (rows = users), accumulates dL/dθ into `parameters`, and returns the loss.
///
/// Models needing several updates per batch (DeepRec's dense re-feeding, Kuchaiev & Ginsburg 2017)
/// override `trainStep`: it receives `applyUpdate`, which checks the loss and gradients for
/// non-finite values, steps the optimizer and zeroes the gradients; the model may call it several
/// times (compute gradients, `applyUpdate(loss)`, compute the follow-up gradients, `applyUpdate` …).
/// The default `trainStep` is `lossAndGradients` followed by one `applyUpdate`.
public protocol TrainableModel {
    /// Every trainable parameter (shared instances once; see `Array<Parameter>.uniqued()`).
    var parameters: [Parameter] { get }
    /// Forward and backward on `batch`; accumulates gradients; returns the loss of the batch.
    func lossAndGradients(batch: SparseMatrix, step: TrainingStep, context: inout ForwardContext) -> Double
    /// One batch of training: calls `applyUpdate` once per optimizer step; returns the loss reported
    /// for the batch (by convention the first, main loss).
    func trainStep(batch: SparseMatrix, step: TrainingStep, context: inout ForwardContext,
                   applyUpdate: (_ loss: Double) throws -> Void) throws -> Double
    /// How many times `trainStep` calls `applyUpdate` (1 by default): the trainer's reproducible
    /// mode replays a step update by update and must know where it ends (`Trainer.reproducibleShards`).
    var updatesPerStep: Int { get }
    /// Called by the trainer before each phase of each epoch (`phase` indexes the recipe's phases;
    /// `epoch` from 0), also the first of a resumed run: what a model keeps between phases (RecVAE's
    /// previous encoder) is set here. Does nothing by default.
    func willBeginPhase(_ phase: Int, epoch: Int)
}

extension TrainableModel {
    /// One update per step.
    public var updatesPerStep: Int { 1 }

    /// Nothing to prepare.
    public func willBeginPhase(_ phase: Int, epoch: Int) {}

    /// `lossAndGradients` followed by one optimizer update.
    public func trainStep(batch: SparseMatrix, step: TrainingStep, context: inout ForwardContext,
                          applyUpdate: (_ loss: Double) throws -> Void) throws -> Double {
        let loss = lossAndGradients(batch: batch, step: step, context: &context)
        try applyUpdate(loss)
        return loss
    }
}
