import Kernels
import TensorCore

extension ForwardContext {
    /// A [rows, columns] draw for the rows of the batch, by `draw(rows, &rng)`. In a data-parallel
    /// step (`shard` set, `rows` its row count) the draw covers the whole global batch and this
    /// shard's rows are returned: every member's generator advances as one process's does, and
    /// the numbers are those one process draws for these rows (dropout masks, the noise ε).
    /// A draw of another row count (VampPrior's pseudo-inputs) is made as it is.
    public mutating func drawBatchRows(_ rows: Int, _ draw: (_ rows: Int, _ rng: inout RandomGenerator) -> Matrix) -> Matrix {
        guard let shard, rows == shard.rows.count, shard.globalRows != rows else { return draw(rows, &rng) }
        let whole = draw(shard.globalRows, &rng)
        let width = whole.columns
        return Matrix(rows: rows, columns: width,
                      storage: Array(whole.storage[(shard.rows.lowerBound * width)..<(shard.rows.upperBound * width)]))
    }

    /// A draw over the stored entries of the batch `batch` (CSR) by `draw`, which must take exactly
    /// one uniform per stored entry, in order (`Kernels.dropout`). In a data-parallel step the
    /// draws of the global batch's other entries are taken and discarded around it, so the numbers
    /// are one process's.
    public mutating func drawBatchEntries(_ batch: SparseMatrix,
                                          _ draw: (_ batch: SparseMatrix, _ rng: inout RandomGenerator) -> SparseMatrix) -> SparseMatrix {
        guard let shard, batch.rows == shard.rows.count, batch.nonZeroCount == shard.entries.count,
              shard.globalRows != batch.rows else { return draw(batch, &rng) }
        Kernels.discardUniforms(shard.entries.lowerBound, using: &rng)
        let drawn = draw(batch, &rng)
        Kernels.discardUniforms(shard.globalEntries - shard.entries.upperBound, using: &rng)
        return drawn
    }
}
