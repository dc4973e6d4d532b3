import Testing
import TensorCore
@testable import Kernels

@Suite struct SparseKernelTests {
    static let cases: [[Int]] = [[1, 1, 1], [17, 33, 9], [130, 257, 67], [5, 40, 0], [0, 4, 3], [9, 1000, 600]]

    @Test(arguments: cases)
    func csrTimesDense(shape: [Int]) {
        let (rows, items, hidden) = (shape[0], shape[1], shape[2])
        let s = Reference.sparse(rows, items, density: 0.2, seed: 51, emptyRow: rows > 1 ? 1 : nil)
        let d = Reference.matrix(items, hidden, seed: 52)
        let y = Kernels.sparseDenseProduct(s, d)
        Reference.expectClose(y, Reference.gemm(s.toDense(), d, transposeA: false, transposeB: false),
                              tolerance: 1e-5, scale: 2)
        if rows > 1 { #expect((0..<hidden).allSatisfy { y[1, $0] == 0 }) }
    }

    @Test(arguments: cases)
    func csrTransposeTimesDenseAccumulates(shape: [Int]) {
        let (rows, items, hidden) = (shape[0], shape[1], shape[2])
        let s = Reference.sparse(rows, items, density: 0.2, seed: 53, emptyRow: rows > 1 ? 0 : nil)
        let d = Reference.matrix(rows, hidden, seed: 54)
        let start = Reference.matrix(items, hidden, seed: 55)
        var g = start
        Kernels.sparseTransposeDenseProduct(s, d, alpha: -2, accumulatingInto: &g)
        let product = Reference.gemm(s.toDense(), d, transposeA: true, transposeB: false)
        let expected = (0..<items).map { i in (0..<hidden).map { j in Double(start[i, j]) - 2 * product[i][j] } }
        Reference.expectClose(g, expected, tolerance: 1e-5, scale: 2)
    }

    @Test func l2NormalizeCSRRows() {
        let s = Reference.sparse(23, 41, density: 0.3, seed: 56, emptyRow: 4)
        let normalized = Kernels.l2NormalizeRows(s)
        #expect(normalized.rowPointers == s.rowPointers && normalized.columnIndices == s.columnIndices)
        for r in 0..<s.rows where s.count(inRow: r) > 0 {
            let norm = s.values(inRow: r).reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
            for (value, original) in zip(normalized.values(inRow: r), s.values(inRow: r)) {
                #expect(abs(Double(value) - Double(original) / norm) < 1e-6)
            }
        }
    }

    @Test func sparseRowSumsAddEachRowsValues() {
        let s = Reference.sparse(17, 33, density: 0.3, seed: 85, emptyRow: 4)
        let sums = Kernels.sparseRowSums(s), dense = Reference.nested(s.toDense())
        #expect(sums.count == 17 && sums[4] == 0)
        for r in 0..<17 { #expect(abs(Double(sums[r]) - dense[r].reduce(0, +)) < 1e-5) }
        #expect(Kernels.sparseRowSums(SparseMatrix.empty(rows: 0, columns: 3)).isEmpty)
    }
}

@Suite struct CountKernelTests {
    @Test func rowAndColumnCountsCountStoredEntries() {
        let s = Reference.sparse(17, 33, density: 0.3, seed: 86, emptyRow: 4)
        let rows = Kernels.sparseRowCounts(s), columns = Kernels.sparseColumnCounts(s)
        #expect(rows.count == 17 && columns.count == 33 && rows[4] == 0)
        for r in 0..<17 { #expect(rows[r] == s.count(inRow: r)) }
        for c in 0..<33 { #expect(columns[c] == (0..<17).filter { r in s.columns(inRow: r).contains(Int32(c)) }.count) }
        #expect(rows.reduce(0, +) == s.nonZeroCount && columns.reduce(0, +) == s.nonZeroCount)
        #expect(Kernels.sparseColumnCounts(SparseMatrix.empty(rows: 0, columns: 3)) == [0, 0, 0])
        #expect(Kernels.sparseRowCounts(SparseMatrix.empty(rows: 2, columns: 0)) == [0, 0])
    }

    @Test func powerOfTwoHistogramBinsByBitLength() {
        #expect(Kernels.powerOfTwoHistogram([]) == [])
        #expect(Kernels.powerOfTwoHistogram([0]) == [1])
        // bins: ≤0 | 1 | 2–3 | 4–7 | 8–15
        #expect(Kernels.powerOfTwoHistogram([1, 2, 3, 4, 7, 8, 15, -2]) == [1, 1, 2, 2, 2])
        #expect(Kernels.powerOfTwoHistogram([16]) == [0, 0, 0, 0, 0, 1])
        #expect(Kernels.powerOfTwoHistogram([Int.max]).count == 64 && Kernels.powerOfTwoHistogram([Int.max]).last == 1)
    }
}
