import Testing
import TensorCore
@testable import NeuralNet

@Suite struct ParameterTests {
    @Test func zeroGradientKeepsShape() {
        let p = Parameter(name: "w", value: Matrix(rows: 2, columns: 3, repeating: 1))
        p.gradient[1, 2] = 5
        p.zeroGradient()
        #expect(p.gradient == Matrix(rows: 2, columns: 3))
        #expect([p].scalarCount == 6)
    }
}

@Suite struct LazyGradientTests {
    /// A closed-form model's parameter holds no gradient until one is used; then it is zeros of the value's shape.
    @Test func gradientIsAllocatedOnFirstUse() {
        let p = Parameter(name: "b", value: Matrix(rows: 3, columns: 3, repeating: 2), allocatesGradient: false)
        #expect(p.store.written.count == 0)
        #expect(p.gradient == Matrix(rows: 3, columns: 3))
        let q = Parameter(name: "c", value: Matrix(rows: 2, columns: 4), allocatesGradient: false)
        q.gradient[1, 3] = 7
        #expect(q.gradient.rows == 2 && q.gradient.columns == 4 && q.gradient[1, 3] == 7)
        q.zeroGradient()
        #expect(q.gradient == Matrix(rows: 2, columns: 4))
    }
}
