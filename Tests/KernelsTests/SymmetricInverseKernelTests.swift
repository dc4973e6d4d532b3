import Testing
import TensorCore
@testable import Kernels

/// The in-place inverse of a symmetric positive-definite matrix, on every backend (LAPACK's
/// spotrf/spotri where the BLAS library has them; the built-in block sweep on `.builtin`), against
/// a Double Gauss–Jordan reference.
@Suite struct SymmetricInverseKernelTests {
    /// A = MᵀM + shift·I for a seeded M [n/2, n] of entries in [−1, 1): symmetric, positive definite, condition
    /// (λ_max + shift)/shift (≈ 150 for n = 290, shift 2: built-in 1.1e-5, LAPACK 5.4e-6 relative error; at
    /// shift 0.5, condition ≈ 560, 2.1e-4 and 2.5e-5: the Gauss–Jordan sweep loses accuracy faster).
    static func positiveDefinite(_ n: Int, shift: Float, seed: UInt64) -> Matrix {
        let m = Reference.matrix(max(1, n / 2), n, seed: seed)
        var a = Kernels.gemm(m, m, transposeA: true)
        Kernels.addToDiagonal(&a, shift)
        Kernels.copyUpperTriangleToLower(&a)                                             // exactly symmetric
        return a
    }

    /// A⁻¹ by Gauss–Jordan with partial pivoting in Double.
    static func inverse(_ a: Matrix) -> [[Double]] {
        let n = a.rows
        var left = Reference.nested(a)
        var right = (0..<n).map { i in (0..<n).map { $0 == i ? 1.0 : 0.0 } }
        for column in 0..<n {
            let pivot = (column..<n).max { abs(left[$0][column]) < abs(left[$1][column]) } ?? column
            left.swapAt(column, pivot); right.swapAt(column, pivot)
            let scale = left[column][column]
            for j in 0..<n { left[column][j] /= scale; right[column][j] /= scale }
            for i in 0..<n where i != column {
                let factor = left[i][column]
                if factor == 0 { continue }
                for j in 0..<n { left[i][j] -= factor * left[column][j]; right[i][j] -= factor * right[column][j] }
            }
        }
        return right
    }

    /// The largest |actual − expected| over the largest |expected|.
    static func relativeError(_ actual: Matrix, _ expected: [[Double]]) -> Double {
        var worst = 0.0, largest = 0.0
        for r in 0..<actual.rows {
            for c in 0..<actual.columns {
                worst = max(worst, abs(Double(actual[r, c]) - expected[r][c]))
                largest = max(largest, abs(expected[r][c]))
            }
        }
        return worst / max(largest, .leastNormalMagnitude)
    }

    @Test(arguments: Kernels.availableBackends, [1, 2, 17, 130, 290])
    func invertsLikeTheDoubleReference(backend: KernelBackend, n: Int) throws {
        let a = Self.positiveDefinite(n, shift: 2, seed: UInt64(n))
        var inverse = a
        let method = try Kernels.invertSymmetricPositiveDefinite(&inverse, backend: backend)
        if case .blas(let library) = backend, library.hasSymmetricInverse { #expect(method == .lapack) }
        if case .builtin = backend { #expect(method == .builtin) }
        let error = Self.relativeError(inverse, Self.inverse(a))
        #expect(error < 2e-4, "\(backend) n = \(n) (\(method)): relative error \(error)")
    }

    /// Pivot blocks smaller than the matrix and not dividing it: every part of the sweep runs.
    @Test(arguments: [1, 7, 32])
    func builtinSweepWithSmallBlocks(blockSize: Int) throws {
        let a = Self.positiveDefinite(90, shift: 0.25, seed: 71)
        var inverse = a
        try Kernels.invertSymmetricPositiveDefinite(&inverse, backend: .builtin, blockSize: blockSize)
        let error = Self.relativeError(inverse, Self.inverse(a))
        #expect(error < 2e-4, "block \(blockSize): relative error \(error)")
    }

    /// A click Gram matrix plus λI, as EASE inverts it: the Float error against Double is what the
    /// model page reports (λ = 5 here gives condition ≈ 10³; the measured error is printed).
    @Test(arguments: Kernels.availableBackends)
    func clickGramPlusRidgeIsAccurate(backend: KernelBackend) throws {
        let clicks = Reference.sparse(400, 300, density: 0.1, seed: 72, emptyRow: 3).withValues(1)
        var a = Matrix(rows: 300, columns: 300)
        Kernels.sparseGram(clicks, into: &a)
        Kernels.addToDiagonal(&a, 5)
        var inverse = a
        try Kernels.invertSymmetricPositiveDefinite(&inverse, backend: backend)
        let error = Self.relativeError(inverse, Self.inverse(a))
        print("clickGramPlusRidgeIsAccurate \(backend): relative error \(error)")
        #expect(error < 1e-4, "\(backend): relative error \(error)")
    }

    @Test(arguments: Kernels.availableBackends)
    func indefiniteAndNaNMatricesAreNamedErrors(backend: KernelBackend) {
        var indefinite = Matrix([[1, 2, 0], [2, 1, 0], [0, 0, 1]])                          // eigenvalue −1
        #expect {
            try Kernels.invertSymmetricPositiveDefinite(&indefinite, backend: backend)
        } throws: { error in (error as? NotPositiveDefinite).map { $0.size == 3 && $0.row == 1 } ?? false }
        var negative = Matrix([[-4]])
        #expect(throws: NotPositiveDefinite.self) { try Kernels.invertSymmetricPositiveDefinite(&negative, backend: backend) }
        var withNaN = Self.positiveDefinite(20, shift: 1, seed: 73)
        withNaN.storage[5 * 20 + 9] = .nan
        withNaN.storage[9 * 20 + 5] = .nan
        #expect(throws: NotPositiveDefinite.self) { try Kernels.invertSymmetricPositiveDefinite(&withNaN, backend: backend) }
        var empty = Matrix(rows: 0, columns: 0)
        #expect(throws: Never.self) { try Kernels.invertSymmetricPositiveDefinite(&empty, backend: backend) }
    }
}
