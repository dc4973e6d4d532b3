import TensorCore
import Kernels

/// y = x·Wᵀ + b where W [Out, In] is *another* layer's weight (tied autoencoder weights): the
/// gradient adds into that shared `Parameter`, so both uses train one matrix. The bias is its own.
public struct TiedDense: Layer {
    /// The shared weight W, shape [Out, In] (e.g. the encoder's Dense weight [I, H] used by a decoder
    /// H → I), and b, shape [1, Out].
    public let tiedWeight: Parameter, bias: Parameter

    /// A layer computing x·Wᵀ + b with the shared `tiedWeight` and its own `bias`.
    public init(tiedWeight: Parameter, bias: Parameter) {
        bias.requireBiasShape(width: tiedWeight.value.rows, of: "TiedDense", weight: tiedWeight)
        (self.tiedWeight, self.bias) = (tiedWeight, bias)
    }

    /// The transpose of `layer`, with a fresh bias `name.bias` drawn from `rng`.
    public init(transposing layer: Dense, name: String, biasInitialization: BiasInitialization = .zeros,
                rng: inout RandomGenerator) {
        let b = biasInitialization.makeBias(outputs: layer.inputSize, using: &rng)
        self.init(tiedWeight: layer.weight, bias: Parameter(name: "\(name).bias", value: b, decays: false))
    }

    /// [tiedWeight, bias]: the shared weight is listed here too, so optimizers must de-duplicate
    /// by identity (`Array<Parameter>.uniqued()`).
    public var parameters: [Parameter] { [tiedWeight, bias] }

    /// y = x·Wᵀ + b ([B, In] → [B, Out]); the cache is x.
    public func forward(_ input: Matrix, context: inout ForwardContext) -> (output: Matrix, cache: Matrix) {
        precondition(input.columns == tiedWeight.value.columns,
                     "TiedDense \(tiedWeight.name): input \(input.shapeDescription), tied weight \(tiedWeight.value.shapeDescription)")
        var y = Kernels.gemm(input, tiedWeight.value, transposeB: true)                       // [B, Out]
        Kernels.addRowVector(bias.value, to: &y)
        return (y, input)
    }

    /// dx = dy·W; accumulates dW += dyᵀ·x and db += Σ_b dy.
    public func backward(_ outputGradient: Matrix, cache input: Matrix) -> Matrix {
        Kernels.gemm(outputGradient, input, transposeA: true, into: &tiedWeight.gradient, accumulate: true) // ∂L/∂W = dyᵀ·x
        Kernels.addColumnSums(of: outputGradient, to: &bias.gradient)                                      // ∂L/∂b = Σ_b dy
        return Kernels.gemm(outputGradient, tiedWeight.value)                                              // ∂L/∂x = dy·W
    }
}
