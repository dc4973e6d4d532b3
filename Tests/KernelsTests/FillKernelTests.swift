import Testing
import TensorCore
@testable import Kernels

@Suite struct FillKernelTests {
    /// 0×3 (empty), 3×7 (one chunk), 700×801 (> 2 chunks of 262,144: the threaded split).
    @Test(arguments: [(0, 3), (3, 7), (700, 801)])
    func setsEveryElementInPlace(rows: Int, columns: Int) {
        var x = Matrix(rows: rows, columns: columns, storage: (0..<(rows * columns)).map { Float($0 % 13) - 6 })
        if x.count > 0 { x.storage[x.count / 2] = .nan }
        Kernels.fill(&x, with: 0)
        #expect(x.rows == rows && x.columns == columns)
        #expect(x.storage.allSatisfy { $0 == 0 })   // NaN too: a fill, not a multiplication by 0
        Kernels.fill(&x, with: 2.5)
        #expect(x.storage.allSatisfy { $0 == 2.5 })
    }

    @Test func copiesAreNotChanged() {
        var x = Matrix(rows: 2, columns: 2, repeating: 1)
        let copy = x
        Kernels.fill(&x, with: 0)
        #expect(copy.storage == [1, 1, 1, 1] && x.storage == [0, 0, 0, 0])
    }
}
