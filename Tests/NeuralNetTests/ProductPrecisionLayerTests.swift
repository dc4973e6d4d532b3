import Testing
import TensorCore
import Kernels
@testable import NeuralNet

/// A dense layer follows the thread's product precision with no code of its own: under
/// `withProductPrecision(.bfloat16)` its forward and backward products are those of the
/// bf16-rounded operands, its parameters and gradients stay Float storage.
@Suite struct ProductPrecisionLayerTests {
    static func layer() -> Dense {
        var rng = RandomGenerator(seed: 5)
        return Dense(inputSize: 37, outputSize: 19, name: "d", rng: &rng)
    }

    @Test func denseForwardAndBackwardRoundTheirOperands() {
        let layer = Self.layer()
        var rng = RandomGenerator(seed: 6)
        let x = Kernels.randomUniform(rows: 11, columns: 37, low: -1, high: 1, using: &rng)
        let dy = Kernels.randomUniform(rows: 11, columns: 19, low: -1, high: 1, using: &rng)
        var context = ForwardContext(mode: .training, seed: 1)
        let weightBefore = layer.weight.value
        let (y, dx) = Kernels.withProductPrecision(.bfloat16) { () -> (Matrix, Matrix) in
            let (y, cache) = layer.forward(x, context: &context)
            return (y, layer.backward(dy, cache: cache))
        }
        let gradient = layer.weight.gradient
        let xr = Kernels.roundedToBFloat16(x), wr = Kernels.roundedToBFloat16(layer.weight.value)
        let dyr = Kernels.roundedToBFloat16(dy)
        var expectedY = Matrix(rows: 11, columns: 19)
        Kernels.fillRows(&expectedY, with: layer.bias.value)
        Kernels.gemm(xr, wr, into: &expectedY, accumulate: true, precision: .float32)
        let expectedDX = Kernels.gemm(dyr, wr, transposeB: true, precision: .float32)
        let expectedDW = Kernels.gemm(xr, dyr, transposeA: true, precision: .float32)
        for (actual, expected, name) in [(y, expectedY, "y"), (dx, expectedDX, "dx"), (gradient, expectedDW, "dW")] {
            let worst = zip(actual.storage, expected.storage).map { abs($0 - $1) }.max() ?? 0
            #expect(worst < 1e-5, "\(name): worst difference \(worst) from the product of rounded operands")
        }
        let float32Y = Kernels.gemm(x, layer.weight.value, precision: .float32)
        var unrounded = float32Y
        Kernels.addRowVector(layer.bias.value, to: &unrounded)
        let change = zip(y.storage, unrounded.storage).map { abs($0 - $1) }.max() ?? 0
        #expect(change > 1e-4, "bf16 should change y by more than fp32 rounding (max change \(change))")
        #expect(layer.weight.value == weightBefore, "the weights themselves are not rounded")
    }
}
