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

    /// y = f(x) on the stored values of a CSR matrix (outputs at observed entries); the cache holds
    /// the values as [1, nnz] rows.
    public func forward(sparse input: SparseMatrix) -> (output: SparseMatrix, cache: (input: Matrix, output: Matrix)) {
        let x = Matrix(rows: 1, columns: input.nonZeroCount, storage: input.values)
        let y = Kernels.activate(x, activation)
        return (input.withValues(y.storage), (x, y))
    }

    /// dx = dy ⊙ f'(x) on the stored values (the same pattern as the forward input).
    public func backward(sparse outputGradient: SparseMatrix, cache: (input: Matrix, output: Matrix)) -> SparseMatrix {
        let dy = Matrix(rows: 1, columns: outputGradient.nonZeroCount, storage: outputGradient.values)
        return outputGradient.withValues(backward(dy, cache: cache).storage)                   // ∂y/∂x = f'(x)
    }
}
