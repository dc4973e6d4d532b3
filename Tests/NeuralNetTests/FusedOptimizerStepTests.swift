import Testing
import TensorCore
import Kernels
@testable import NeuralNet

/// `Optimizer.updateZeroingGradients`: Adam's fused pass equals `update` then `zeroGradients()`;
/// the first non-finite gradient is named (Adam's fused pass and the protocol's default).
@Suite struct FusedOptimizerStepTests {
    @Test func adamFusedStepEqualsUpdateThenZero() {
        var rng = RandomGenerator(seed: 9)
        func parameters() -> [Parameter] {
            var local = RandomGenerator(seed: 10)
            return [Parameter(name: "w", value: Kernels.randomNormal(rows: 30, columns: 7, using: &local)),
                    Parameter(name: "b", value: Kernels.randomNormal(rows: 1, columns: 7, using: &local), decays: false)]
        }
        let plain = parameters(), fused = parameters()
        var adamPlain = Adam(learningRate: 0.01, weightDecay: 0.1), adamFused = adamPlain
        for _ in 0..<3 {
            for (p, q) in zip(plain, fused) {
                p.gradient = Kernels.randomNormal(rows: p.value.rows, columns: p.value.columns, using: &rng)
                q.gradient = p.gradient
            }
            adamPlain.update(plain)
            plain.zeroGradients()
            #expect(adamFused.updateZeroingGradients(fused) == nil)
        }
        for (p, q) in zip(plain, fused) {
            #expect(p.value == q.value)
            #expect(q.gradient == Matrix(rows: q.value.rows, columns: q.value.columns))
        }
        #expect(adamPlain.state == adamFused.state)
    }

    @Test func fusedStepNamesTheFirstNonFiniteGradient() {
        let a = Parameter(name: "a", value: Matrix([[1, 2]])), b = Parameter(name: "b", value: Matrix([[3]]))
        let c = Parameter(name: "c", value: Matrix([[4]]))
        b.gradient = Matrix([[.infinity]])
        c.gradient = Matrix([[.nan]])
        var adam = Adam()
        #expect(adam.updateZeroingGradients([a, b, c]) == "b")
        var sgd = SGD(learningRate: 0.1)                                 // the protocol's default path
        c.gradient = Matrix([[.nan]])
        #expect(sgd.updateZeroingGradients([a, c]) == "c")
        #expect(sgd.updateZeroingGradients([a]) == nil)
    }
}
