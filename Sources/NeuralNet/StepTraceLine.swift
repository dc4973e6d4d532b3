#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Kernels
import TensorCore

/// One line of the mini-batch step trace (`AUTOENCODERZOO_STEP_TRACE=1`): which update of which
/// batch, the loss the optimizer is about to step on (the group's reduced loss when training
/// data-parallel) and the squared norm of the gradients it will apply, both printed round-trip
/// exact, so two runs' traces can be compared update by update (one process against `mpirun`,
/// one kernel backend against another) to see where their numbers part.
struct StepTraceLine {
    /// Epoch, batch within the epoch and update within the batch, each from 1.
    let epoch: Int, batch: Int, update: Int
    /// The loss of this update.
    let loss: Double
    /// Σ over the parameters of Σ g² (each parameter's sum in Double, added in parameter order).
    let squaredGradientNorm: Double

    init(epoch: Int, batch: Int, update: Int, loss: Double, gradients parameters: [Parameter]) {
        (self.epoch, self.batch, self.update, self.loss) = (epoch, batch, update, loss)
        squaredGradientNorm = parameters.reduce(0) { $0 + Kernels.sumOfSquares($1.gradient) }
    }

    /// `step: epoch E batch B update U loss L |g|² G`.
    var text: String { "step: epoch \(epoch) batch \(batch) update \(update) loss \(loss) |g|² \(squaredGradientNorm)" }

    /// Standard error when `AUTOENCODERZOO_STEP_TRACE` asks for the trace, else nil.
    static func fromEnvironment() -> ((String) -> Void)? {
        guard RuntimeOptions.current.tracesTrainingSteps else { return nil }
        return { writeTraceLine($0) }
    }
}

/// Writes `line` and a newline to standard error in one call, so lines of concurrent writers
/// (MPI ranks, threads) stay whole; the debugging traces' one way out (`StepTraceLine`, `LBFGS`).
func writeTraceLine(_ line: String) {
    let bytes = Array((line + "\n").utf8)
    _ = bytes.withUnsafeBufferPointer { write(2, $0.baseAddress, $0.count) }
}
