import Kernels
import TensorCore

/// The matrix arithmetic models write between layers, so a model reads as its equations and never
/// calls a kernel itself (each operation is one `Kernels` loop).
extension Matrix {
    /// The columns in `range` as a new matrix (e.g. μ = h[:, 0..<Z] of an encoder output [μ | logσ²]).
    public func columns(in range: Range<Int>) -> Matrix { Kernels.columns(range, of: self) }

    /// [self | other]: the columns of `other` after those of `self` (same row count).
    public func concatenatingColumns(_ other: Matrix) -> Matrix { Kernels.concatenateColumns(self, other) }

    /// This [1, C] row repeated `count` times, [count, C] (a score vector every user shares).
    public func repeatedAsRows(_ count: Int) -> Matrix {
        precondition(rows == 1 && count >= 0, "repeatedAsRows: \(shapeDescription) is not one row, or count \(count) < 0")
        var result = Matrix(rows: count, columns: columns)
        Kernels.fillRows(&result, with: self)
        return result
    }

    /// The transpose, [R, C] → [C, R].
    public func transposed() -> Matrix { Kernels.transpose(self) }

    /// The entry-wise sum.
    public static func + (left: Matrix, right: Matrix) -> Matrix { Kernels.add(left, right) }

    /// Adds `right` entry-wise into `left` (a gradient from one more path).
    public static func += (left: inout Matrix, right: Matrix) { Kernels.axpy(1, right, &left) }
}

extension SparseMatrix {
    /// Each row divided by its L2 norm (empty rows stay empty): Mult-VAE's input normalisation
    /// x/‖x‖₂ (Liang et al. 2018, reference code).
    public func l2NormalizedRows() -> SparseMatrix { Kernels.l2NormalizeRows(self) }

    /// The sum of each row's stored values (a user's click count on binary data).
    public func rowSums() -> [Float] { Kernels.sparseRowSums(self) }

    /// The sum of each column's stored values, [1, C] (`withValues(1)` first counts the entries).
    public func columnSums() -> Matrix {
        var sums = Matrix(rows: 1, columns: columns)
        Kernels.addSparseColumnSums(of: self, to: &sums)
        return sums
    }

    /// `values` given in the CSR order of `transposed()` (one per stored entry), put in this
    /// matrix's CSR order: what a model that works on the transpose computed, for this matrix.
    public func valuesFromTransposedOrder(_ values: [Float]) -> [Float] {
        precondition(values.count == nonZeroCount, "valuesFromTransposedOrder: \(values.count) values for \(nonZeroCount) entries")
        return Kernels.scatter(values, to: Kernels.transposeOrder(self), count: nonZeroCount)
    }
}
