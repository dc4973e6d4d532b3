import Foundation
import ModelKit
import NeuralNet
import RecCore
import TensorCore

/// What `FailsInStep` does to its member's step.
public enum StepFault: String, Sendable, CaseIterable {
    /// Throws `InjectedStepFailure` just before the step's first update (where the other members
    /// are about to enter the gradient reduction).
    case error
    /// Hands the update a NaN loss (a shard whose loss overflowed).
    case nan
    /// Ends the process with SIGKILL there (a rank killed by a signal; under `mpirun` only).
    case kill
    /// Throws `InjectedStepFailure` after the step's updates (the other members have left the
    /// step's last reduction and go on to the next step's, or to the end of the pass).
    case afterUpdates
}

/// The error `StepFault.error` throws.
public struct InjectedStepFailure: Error, CustomStringConvertible {
    public let rank: Int, epoch: Int, batch: Int
    public var description: String { "injected failure on rank \(rank) in epoch \(epoch), batch \(batch)" }
}

/// A gradient-trained zoo model whose member `failingRank` of a data-parallel fit (this process's
/// rank is `rank`) meets `fault` in the step of `epoch` and `batch` (both from 1, as the trainer's
/// errors count), at its first update (`afterUpdates`: once the step's updates are done); every
/// other step, and every other rank, is the inner model's own. What `FaultTests` injects into one
/// rank's training step.
public final class FailsInStep: StepTrainedModel {
    let inner: any StepTrainedModel
    let rank: Int, failingRank: Int, epoch: Int, batch: Int
    let fault: StepFault

    /// `inner`, as rank `rank`, failing when `rank == failingRank`.
    public init(_ inner: any StepTrainedModel, rank: Int, failingRank: Int, epoch: Int, batch: Int, fault: StepFault) {
        self.inner = inner
        (self.rank, self.failingRank, self.epoch, self.batch, self.fault) = (rank, failingRank, epoch, batch, fault)
    }

    /// `model` wrapped when it is gradient-trained; any other model as it is.
    public static func wrapping(_ model: any ZooModel, rank: Int, failingRank: Int, epoch: Int, batch: Int,
                                fault: StepFault) -> any ZooModel {
        guard let stepped = model as? any StepTrainedModel else { return model }
        return FailsInStep(stepped, rank: rank, failingRank: failingRank, epoch: epoch, batch: batch, fault: fault)
    }

    public var parameters: [Parameter] { inner.parameters }
    public var recipe: TrainingRecipe { inner.recipe }
    public var updatesPerStep: Int { inner.updatesPerStep }
    public func trainingRows(of train: SparseMatrix) -> SparseMatrix { inner.trainingRows(of: train) }
    public func makeTrainingContext() -> ForwardContext { inner.makeTrainingContext() }
    public func scores(for histories: SparseMatrix) -> Matrix { inner.scores(for: histories) }
    public func scores(at queries: SparseMatrix, known: SparseMatrix) -> [Float] { inner.scores(at: queries, known: known) }
    public func willBeginPhase(_ phase: Int, epoch: Int) { inner.willBeginPhase(phase, epoch: epoch) }
    public func lossAndGradients(batch: SparseMatrix, step: TrainingStep, context: inout ForwardContext) -> Double {
        inner.lossAndGradients(batch: batch, step: step, context: &context)
    }

    public func trainStep(batch rows: SparseMatrix, step: TrainingStep, context: inout ForwardContext,
                          applyUpdate: (_ loss: Double) throws -> Void) throws -> Double {
        let here = rank == failingRank && step.epoch + 1 == epoch && step.batch + 1 == batch
        var first = true
        let loss = try inner.trainStep(batch: rows, step: step, context: &context) { loss in
            defer { first = false }
            guard here && first else { return try applyUpdate(loss) }
            switch fault {
            case .error: throw InjectedStepFailure(rank: rank, epoch: epoch, batch: batch)
            case .nan: try applyUpdate(.nan)
            case .kill:
                kill(getpid(), SIGKILL)
                try applyUpdate(loss)                                         // not reached
            case .afterUpdates: try applyUpdate(loss)
            }
        }
        if here && fault == .afterUpdates { throw InjectedStepFailure(rank: rank, epoch: epoch, batch: batch) }
        return loss
    }
}

extension ModelZoo {
    /// This zoo with `name` replaced by its `FailsInStep` twin, this process being rank `rank`.
    public func failing(_ name: String, rank: Int, failingRank: Int, epoch: Int, batch: Int, fault: StepFault) throws -> ModelZoo {
        let standard = try entry(named: name)
        return ModelZoo(entries.filter { $0.name != name } + [
            ModelEntry(name: name, summary: "fails on rank \(failingRank) in epoch \(epoch), batch \(batch)", task: standard.task,
                       parameterCount: standard.parameterCount) { shape, options in
                FailsInStep.wrapping(try standard.make(shape, options), rank: rank, failingRank: failingRank,
                                     epoch: epoch, batch: batch, fault: fault)
            },
        ])
    }
}
