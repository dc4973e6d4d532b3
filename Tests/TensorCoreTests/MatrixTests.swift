import Testing
@testable import TensorCore

@Suite struct MatrixTests {
    @Test func storesRowMajor() {
        var m = Matrix([[1, 2, 3], [4, 5, 6]])
        #expect(m.rows == 2 && m.columns == 3)
        #expect(m[1, 0] == 4)
        m[0, 2] = 9
        #expect(m.storage == [1, 2, 9, 4, 5, 6])
        #expect(m.row(1) == [4, 5, 6])
    }

    @Test func reshapeKeepsOrder() {
        let m = Matrix([[1, 2], [3, 4], [5, 6]]).reshaped(rows: 2, columns: 3)
        #expect(m.storage == [1, 2, 3, 4, 5, 6])
        #expect(m[1, 0] == 4)
    }

    @Test func emptyShapesAreAllowed() {
        let m = Matrix(rows: 0, columns: 5)
        #expect(m.count == 0)
        #expect(Matrix(rows: 3, columns: 0).count == 0)
    }
}
