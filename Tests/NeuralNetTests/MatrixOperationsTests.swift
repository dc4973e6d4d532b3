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

    /// The closed-form operations (EASE's), on a hand-computed 3-item case.
    @Test func gramInverseAndDiagonalScaling() throws {
        let clicks = SparseMatrix(rows: 3, columns: 3, triplets: [(0, 0, 1), (0, 1, 1), (1, 1, 1), (2, 1, 1), (2, 2, 1)])
        var gram = Matrix(rows: 3, columns: 3, repeating: 9)                         // overwritten, not read
        clicks.gram(into: &gram)
        #expect(gram == Matrix([[1, 1, 0], [1, 3, 1], [0, 1, 1]]))
        gram.addToDiagonal(1)
        #expect(gram == Matrix([[2, 1, 0], [1, 4, 1], [0, 1, 2]]))
        var inverse = gram
        try inverse.invertSymmetricPositiveDefinite()
        // (G + I)⁻¹ = [[7, −2, 1], [−2, 4, −2], [1, −2, 7]] / 12
        let expected: [[Float]] = [[7, -2, 1], [-2, 4, -2], [1, -2, 7]].map { $0.map { $0 / 12 } }
        #expect((0..<3).allSatisfy { r in (0..<3).allSatisfy { abs(inverse[r, $0] - expected[r][$0]) < 1e-6 } })
        inverse.scaleColumnsByReciprocalDiagonal(multiplier: -1, diagonal: 0)
        let b: [[Float]] = [[0, 0.5, -1.0 / 7], [2.0 / 7, 0, 2.0 / 7], [-1.0 / 7, 0.5, 0]]
        #expect((0..<3).allSatisfy { r in (0..<3).allSatisfy { abs(inverse[r, $0] - b[r][$0]) < 1e-6 } })
        let scores = SparseMatrix(rows: 1, columns: 3, triplets: [(0, 1, 2)]).multiplied(by: inverse)   // 2·row 1
        #expect(scores.rows == 1 && abs(scores[0, 0] - 4.0 / 7) < 1e-6 && scores[0, 1] == 0 && abs(scores[0, 2] - 4.0 / 7) < 1e-6)
        var notDefinite = Matrix([[1, 2], [2, 1]])
        #expect(throws: (any Error).self) { try notDefinite.invertSymmetricPositiveDefinite() }
    }
}
