import Testing
import TensorCore
@testable import NeuralNet

/// The matrix arithmetic models use between layers, against hand-computed values.
@Suite struct MatrixOperationsTests {
    @Test func arithmeticSlicesAndTransposes() {
        let a = Matrix([[1, 2, 3], [4, 5, 6]]), b = Matrix([[0.5, -1, 2], [1, 1, 1]])
        #expect(a + b == Matrix([[1.5, 1, 5], [5, 6, 7]]))
        var c = a
        c += b
        #expect(c == a + b)
        #expect(a.columns(in: 1..<3) == Matrix([[2, 3], [5, 6]]))
        #expect(a.columns(in: 0..<1).concatenatingColumns(a.columns(in: 1..<3)) == a)
        #expect(a.transposed() == Matrix([[1, 4], [2, 5], [3, 6]]))
    }

    @Test func rowsColumnSumsAndOrders() {
        #expect(Matrix([[1, 2]]).repeatedAsRows(3) == Matrix([[1, 2], [1, 2], [1, 2]]))
        #expect(Matrix([[1, 2]]).repeatedAsRows(0).rows == 0)
        let s = SparseMatrix(rows: 3, columns: 4, triplets: [(0, 1, 2), (1, 1, 3), (2, 0, 1), (2, 3, 5)])
        #expect(s.columnSums() == Matrix([[1, 5, 0, 5]]))
        #expect(s.withValues(1).columnSums() == Matrix([[1, 2, 0, 1]]))
        // Values computed in the transpose's order come back in the matrix's order.
        let t = s.transposed()
        #expect(s.valuesFromTransposedOrder(t.values) == s.values)
        let rows = s.l2NormalizedRows()
        #expect(abs(rows.values[2] * rows.values[2] + rows.values[3] * rows.values[3] - 1) < 1e-6)
    }
}
