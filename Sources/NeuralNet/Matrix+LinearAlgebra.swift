import Kernels
import TensorCore

/// The linear algebra a closed-form model writes (EASE's ridge regression), each one `Kernels`
/// loop, working in place where the result may be as large as the item-item matrix.
extension SparseMatrix {
    /// Sᵀ·S [C, C] written over `gram` (shape [C, C]; its old values are not read, so its storage is
    /// reused): the item-item co-occurrence counts of a 0/1 click matrix.
    public func gram(into gram: inout Matrix) { Kernels.sparseGram(self, into: &gram) }

    /// S·D [R, D.columns]: every row's stored values times the rows of `dense` they select.
    public func multiplied(by dense: Matrix) -> Matrix { Kernels.sparseDenseProduct(self, dense) }
}

extension Matrix {
    /// Adds `value` to every diagonal entry of this square matrix (a ridge λ·I).
    public mutating func addToDiagonal(_ value: Float) { Kernels.addToDiagonal(&self, value) }

    /// Replaces this symmetric positive-definite matrix by its inverse, in place (LAPACK's Cholesky
    /// inverse when the BLAS library has it, else the built-in block sweep); returns which ran.
    /// Throws `NotPositiveDefinite` (its description names the size and the row) when it is not.
    @discardableResult
    public mutating func invertSymmetricPositiveDefinite() throws -> String {
        try Kernels.invertSymmetricPositiveDefinite(&self).description
    }

    /// Column j ← multiplier · column j / self[j, j] for every j, then the diagonal set to `diagonal`.
    public mutating func scaleColumnsByReciprocalDiagonal(multiplier: Float, diagonal: Float) {
        Kernels.scaleColumnsByReciprocalDiagonal(&self, multiplier: multiplier, diagonal: diagonal)
    }
}
