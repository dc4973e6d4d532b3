import TensorCore
import Kernels

/// Affine map y = x·W + b with W [In, Out] and b [1, Out].
public struct Dense: OutputReusingLayer {
    /// W, shape [In, Out], decays; b, shape [1, Out], no decay.
    public let weight: Parameter, bias: Parameter

    /// A layer around existing parameters (shared or restored ones).
    public init(weight: Parameter, bias: Parameter) {
        bias.requireBiasShape(width: weight.value.columns, of: "Dense", weight: weight)
        (self.weight, self.bias) = (weight, bias)
    }

    /// A fresh layer named `name` (parameters `name.weight`, `name.bias`), initialised from `rng`.
    public init(inputSize: Int, outputSize: Int, name: String,
                weightInitialization: WeightInitialization = .glorotUniform,
                biasInitialization: BiasInitialization = .zeros, rng: inout RandomGenerator) {
        let w = weightInitialization.makeWeight(inputs: inputSize, outputs: outputSize, using: &rng)
        let b = biasInitialization.makeBias(outputs: outputSize, using: &rng)
        self.init(weight: Parameter(name: "\(name).weight", value: w),
                  bias: Parameter(name: "\(name).bias", value: b, decays: false))
    }

    /// In, the input width.
    public var inputSize: Int { weight.value.rows }
    /// Out, the output width.
    public var outputSize: Int { weight.value.columns }
    /// [weight, bias].
    public var parameters: [Parameter] { [weight, bias] }

    /// y = x·W + b ([B, In] → [B, Out]); the cache is x.
    public func forward(_ input: Matrix, context: inout ForwardContext) -> (output: Matrix, cache: Matrix) {
        var y = Matrix(rows: 0, columns: 0)
        let cache = forward(input, into: &y, context: &context)
        return (y, cache)
    }

    /// y = b + x·W written into `output`, whose storage is reused when it is already [B, Out] (the
    /// bias is written first and the GEMM accumulates onto it); the cache is x.
    public func forward(_ input: Matrix, into output: inout Matrix, context: inout ForwardContext) -> Matrix {
        precondition(input.columns == inputSize, "Dense \(weight.name): input \(input.shapeDescription), weight \(weight.value.shapeDescription)")
        if output.rows != input.rows || output.columns != outputSize {
            output = Matrix(rows: input.rows, columns: outputSize)
        }
        Kernels.fillRows(&output, with: bias.value)                                 // y = b
        Kernels.gemm(input, weight.value, into: &output, accumulate: true)         // y += x·W
        return input
    }

    /// dx = dy·Wᵀ; accumulates dW += xᵀ·dy and db += Σ_b dy.
    public func backward(_ outputGradient: Matrix, cache input: Matrix) -> Matrix {
        Kernels.gemm(input, outputGradient, transposeA: true, into: &weight.gradient, accumulate: true) // ∂L/∂W = xᵀ·dy
        Kernels.addColumnSums(of: outputGradient, to: &bias.gradient)                                  // ∂L/∂b = Σ_b dy
        return Kernels.gemm(outputGradient, weight.value, transposeB: true)                            // ∂L/∂x = dy·Wᵀ
    }

    /// dx = dy·Wᵀ without dW and db: the backward pass of a layer whose parameters the current
    /// step does not update (RecVAE's decoder during its encoder phase).
    public func inputGradient(_ outputGradient: Matrix) -> Matrix {
        Kernels.gemm(outputGradient, weight.value, transposeB: true)                                   // ∂L/∂x = dy·Wᵀ
    }

    /// dW += xᵀ·dy and db += Σ_b dy without dx: the backward pass of a first layer whose input
    /// needs no gradient (RecVAE's decoder during its decoder phase, when the encoder is frozen).
    public func accumulateParameterGradients(_ outputGradient: Matrix, cache input: Matrix) {
        Kernels.gemm(input, outputGradient, transposeA: true, into: &weight.gradient, accumulate: true) // ∂L/∂W = xᵀ·dy
        Kernels.addColumnSums(of: outputGradient, to: &bias.gradient)                                  // ∂L/∂b = Σ_b dy
    }
}
