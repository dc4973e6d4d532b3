import TensorCore
import Kernels

/// An element-wise non-linearity y = f(x) with no parameters.
public struct ActivationLayer: Layer {
    /// The function f.
    public let activation: Activation

    /// A layer applying `activation`.
    public init(_ activation: Activation) { self.activation = activation }

    /// No parameters.
    public var parameters: [Parameter] { [] }

    /// y = f(x); the cache is (x, y).
    public func forward(_ input: Matrix, context: inout ForwardContext) -> (output: Matrix, cache: (input: Matrix, output: Matrix)) {
        let y = Kernels.activate(input, activation)
        return (y, (input, y))
    }

    /// dx = dy ⊙ f'(x).
    public func backward(_ outputGradient: Matrix, cache: (input: Matrix, output: Matrix)) -> Matrix {
        Kernels.activationBackward(outputGradient, input: cache.input, output: cache.output, activation) // ∂y/∂x = f'(x)
    }
}
