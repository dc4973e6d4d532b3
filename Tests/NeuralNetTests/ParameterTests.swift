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
