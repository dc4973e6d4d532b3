import TensorCore
import Kernels

/// Inverted dropout: in training each entry is kept with probability p and scaled by 1/p, so the
/// expectation is unchanged and inference is the identity (Srivastava et al. 2014).
public struct Dropout: Layer {
    /// p, the probability of keeping an entry (Mult-VAE keeps 0.5 of its input, Liang et al. 2018).
    public let keepProbability: Float

    /// A dropout layer keeping each entry with probability `keepProbability` ∈ (0, 1].
    public init(keepProbability: Float) {
        precondition(keepProbability > 0 && keepProbability <= 1, "Dropout: keep probability \(keepProbability) outside (0, 1]")
        self.keepProbability = keepProbability
    }

    /// No parameters.
    public var parameters: [Parameter] { [] }

    /// x ⊙ mask in training (mask from `context.rng`), x in inference; the cache is the mask (nil when off).
    public func forward(_ input: Matrix, context: inout ForwardContext) -> (output: Matrix, cache: Matrix?) {
        guard context.isTraining, keepProbability < 1 else { return (input, nil) }
        let keep = keepProbability, columns = input.columns
        let mask = context.drawBatchRows(input.rows) { rows, rng in         // a shard draws the global batch's mask
            Kernels.dropoutMask(rows: rows, columns: columns, keepProbability: keep, using: &rng)
        }
        return (Kernels.multiply(input, mask), mask)
    }

    /// dx = dy ⊙ mask (or dy when dropout was off).
    public func backward(_ outputGradient: Matrix, cache mask: Matrix?) -> Matrix {
        guard let mask else { return outputGradient }                                // ∂x/∂x = 1
        return Kernels.multiply(outputGradient, mask)                                // ∂(x⊙m)/∂x = m
    }

    /// Dropout on a CSR batch before the first layer (Mult-VAE drops its L2-normalised input):
    /// kept entries are scaled by 1/p, dropped ones removed; identity in inference. No backward is
    /// needed because the input is data.
    public func apply(sparse input: SparseMatrix, context: inout ForwardContext) -> SparseMatrix {
        guard context.isTraining, keepProbability < 1 else { return input }
        let keep = keepProbability
        return context.drawBatchEntries(input) { batch, rng in Kernels.dropout(batch, keepProbability: keep, using: &rng) }
    }
}
