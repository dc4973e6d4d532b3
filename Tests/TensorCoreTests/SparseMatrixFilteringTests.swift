import Testing
@testable import TensorCore

@Suite struct SparseMatrixFilteringTests {
    /// [[1, 0, 2], [0, 0, 0], [3, 4, 0]] stored as 4 entries at positions 0…3.
    static let matrix = SparseMatrix(rows: 3, columns: 3, rowPointers: [0, 2, 2, 4],
                                     columnIndices: [0, 2, 0, 1], values: [1, 2, 3, 4])

    @Test func keepsTheChosenEntriesInOrderAndTheShape() {
        let odd = Self.matrix.keepingEntries { $0 % 2 == 1 }
        #expect(odd.rows == 3 && odd.columns == 3)
        #expect(odd.rowPointers == [0, 1, 1, 2])
        #expect(odd.columnIndices == [2, 1] && odd.values == [2, 4])
    }

    @Test func allOrNothing() {
        #expect(Self.matrix.keepingEntries { _ in true } == Self.matrix)
        let none = Self.matrix.keepingEntries { _ in false }
        #expect(none.nonZeroCount == 0 && none.rowPointers == [0, 0, 0, 0] && none.rows == 3)
    }
}
