import Testing
import TensorCore
import Kernels
@testable import NeuralNet

/// Writing layer outputs into kept storage gives the same numbers as the allocating paths.
@Suite struct BufferReuseTests {
    static func storageAddress(_ x: Matrix) -> UnsafePointer<Float>? { x.withUnsafeBufferPointer { $0.baseAddress } }

    @Test func denseForwardIntoReusesStorageOfTheRightShape() {
        var rng = RandomGenerator(seed: 5)
        let dense = Dense(inputSize: 7, outputSize: 11, name: "d", biasInitialization: .zeros, rng: &rng)
        dense.bias.value = Kernels.randomNormal(rows: 1, columns: 11, using: &rng)
        let x = Kernels.randomNormal(rows: 4, columns: 7, using: &rng)
        var context = ForwardContext(mode: .training, seed: 1)
        let (expected, _) = dense.forward(x, context: &context)
        var output = Matrix(rows: 4, columns: 11, repeating: .nan)
        let before = Self.storageAddress(output)
        _ = dense.forward(x, into: &output, context: &context)
        #expect(output == expected)
        #expect(Self.storageAddress(output) == before)                  // written in place
        var wrongShape = Matrix(rows: 2, columns: 3)
        _ = dense.forward(x, into: &wrongShape, context: &context)
        #expect(wrongShape == expected)                                 // replaced, right shape
    }

    @Test func chainForwardIntoEqualsForward() {
        var rng = RandomGenerator(seed: 6)
        let mlp = MLP(sizes: [5, 8, 13], activation: .tanh, name: "m", rng: &rng)
        let chain = Chain([AnyLayer(ActivationLayer(.tanh)), AnyLayer(mlp)])
        let x = Kernels.randomNormal(rows: 3, columns: 5, using: &rng)
        var context = ForwardContext(mode: .training, seed: 1)
        let (expected, cache) = chain.forward(x, context: &context)
        var output = Matrix(rows: 3, columns: 13)
        let before = Self.storageAddress(output)
        let intoCache = chain.forward(x, into: &output, context: &context)
        #expect(output == expected)
        #expect(Self.storageAddress(output) == before)        // the last Dense, through AnyLayer and MLP, wrote in place
        let dy = Kernels.randomNormal(rows: 3, columns: 13, using: &rng)
        let dx = chain.backward(dy, cache: cache)
        mlp.parameters.zeroGradients()
        #expect(chain.backward(dy, cache: intoCache) == dx)
    }

    @Test func workspaceHandsBackWhatWasKept() {
        let workspace = Workspace()
        #expect(workspace.take("a").count == 0)
        workspace.keep(Matrix(rows: 2, columns: 2, repeating: 3), as: "a")
        #expect(workspace.take("a") == Matrix(rows: 2, columns: 2, repeating: 3))
        #expect(workspace.take("a").count == 0)                         // taken means gone
    }
}
