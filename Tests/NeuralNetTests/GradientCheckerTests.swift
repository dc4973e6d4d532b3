import Testing
import TestSupport
import TensorCore
import Kernels
@testable import NeuralNet

/// tanh with a deliberately wrong derivative: (1 − y²)·(1 + error).
private struct WrongTanh: Layer {
    let error: Float
    var parameters: [Parameter] { [] }
    func forward(_ input: Matrix, context: inout ForwardContext) -> (output: Matrix, cache: (Matrix, Matrix)) {
        let y = Kernels.activate(input, .tanh)
        return (y, (input, y))
    }
    func backward(_ outputGradient: Matrix, cache: (Matrix, Matrix)) -> Matrix {
        var dx = Kernels.activationBackward(outputGradient, input: cache.0, output: cache.1, .tanh)
        Kernels.scale(&dx, by: 1 + error)
        return dx
    }
}

/// Dense whose bias gradient forgets one row of the batch (a typical indexing bug).
private struct DenseDroppingLastRow: Layer {
    let dense: Dense
    var parameters: [Parameter] { dense.parameters }
    func forward(_ input: Matrix, context: inout ForwardContext) -> (output: Matrix, cache: Matrix) {
        dense.forward(input, context: &context)
    }
    func backward(_ outputGradient: Matrix, cache: Matrix) -> Matrix {
        let dx = dense.backward(outputGradient, cache: cache)
        let lastRow = Matrix(rows: 1, columns: outputGradient.columns, storage: outputGradient.row(outputGradient.rows - 1))
        Kernels.axpy(-1, lastRow, &dense.bias.gradient)
        return dx
    }
}

@Suite struct GradientCheckerTests {
    @Test(arguments: [Float(0.03), -0.03, 1])
    func catchesAWrongDerivative(error: Float) {
        let wrong = GradientCase.layer("wrong tanh") { _ in WrongTanh(error: error) }
        #expect(!GradientChecker().check(wrong.make()).passed)
    }

    @Test func acceptsTheRightDerivative() {
        let right = GradientCase.layer("right tanh") { _ in WrongTanh(error: 0) }
        #expect(GradientChecker().check(right.make()).passed)
    }

    @Test func catchesAWrongParameterGradient() {
        let wrong = GradientCase.layer("dense bug") { DenseDroppingLastRow(dense: Dense(inputSize: 4, outputSize: 3, name: "d", rng: &$0)) }
        let (passed, worst) = GradientChecker().check(wrong.make())
        #expect(!passed)
        #expect(worst.first { $0.tensor == "d.bias" }.map { $0.error > 1e-2 } == true)
    }
}
