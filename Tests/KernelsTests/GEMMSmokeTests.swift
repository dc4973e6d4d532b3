import Testing
import TensorCore
@testable import Kernels

@Suite struct GEMMSmokeTests {
    @Test func twoByTwo() {
        let a = Matrix([[1, 2], [3, 4]]), b = Matrix([[5, 6], [7, 8]])
        #expect(Kernels.gemm(a, b) == Matrix([[19, 22], [43, 50]]))
        #expect(Kernels.gemm(a, b, transposeA: true) == Matrix([[26, 30], [38, 44]]))
        #expect(Kernels.gemm(a, b, transposeB: true) == Matrix([[17, 23], [39, 53]]))
    }
}
