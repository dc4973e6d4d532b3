import Testing
@testable import TensorCore

@Suite struct SparseMatrixTests {
    /// 4×5 with an empty row 1 and unsorted, duplicated triplets.
    static let sample = SparseMatrix(rows: 4, columns: 5, triplets: [
        (0, 3, 1), (0, 1, 2), (2, 4, 3), (3, 0, 4), (3, 2, 5), (0, 3, 0.5),
    ])

    @Test func tripletsAreSortedAndDuplicatesSummed() {
        let s = Self.sample
        #expect(s.rowPointers == [0, 2, 2, 3, 5])
        #expect(s.columnIndices == [1, 3, 4, 0, 2])
        #expect(s.values == [2, 1.5, 3, 4, 5])
        #expect(s.count(inRow: 1) == 0)
    }

    @Test func denseRoundTrip() {
        let dense = Self.sample.toDense()
        #expect(dense[0, 3] == 1.5 && dense[1, 0] == 0 && dense[3, 2] == 5)
        #expect(SparseMatrix(dense: dense) == Self.sample)
    }

    @Test func rowRangeBatch() {
        let batch = Self.sample.rows(in: 1..<4)
        #expect(batch.rows == 3)
        #expect(batch.toDense() == Matrix(Array(Self.sample.toDense().storage[5...]).chunked(5)))
        #expect(Self.sample.rows(in: 2..<2).rows == 0)
    }

    @Test func rowSubsetBatchKeepsRequestedOrder() {
        let batch = Self.sample.rows(at: [3, 1, 0, 3])
        let dense = Self.sample.toDense()
        #expect(batch.toDense() == Matrix([dense.row(3), dense.row(1), dense.row(0), dense.row(3)]))
    }

    @Test func transposeTwiceIsIdentity() {
        let t = Self.sample.transposed()
        #expect(t.rows == 5 && t.columns == 4)
        #expect(t.toDense()[3, 0] == 1.5)
        #expect(t.transposed() == Self.sample)
    }
}

extension Array where Element == Float {
    func chunked(_ size: Int) -> [[Float]] {
        stride(from: 0, to: count, by: size).map { Array(self[$0..<Swift.min($0 + size, count)]) }
    }
}
