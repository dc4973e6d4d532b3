import Kernels
import TensorCore

/// Layer normalisation over the features of each row with a learnable gain and bias (Ba et al.
/// 2016), as `torch.nn.LayerNorm(width, eps)`: y = g ⊙ (x − mean)/√(var + ε) + b, with the biased
/// variance, g initialised to ones and b to zeros. RecVAE's encoder uses ε = 0.1 (Shenbin et al.
/// 2020, reference code `Encoder(eps=1e-1)`); torch's default is 1e-5.
public struct LayerNorm: Layer {
    /// g, [1, C], no weight decay (a scale, as torch's LayerNorm weight is usually excluded).
    public let gain: Parameter
    /// b, [1, C], no weight decay.
    public let bias: Parameter
    /// ε, added to the variance.
    public let epsilon: Float

    /// What the backward pass needs: x̂ and 1/√(var + ε) per row.
    public struct Cache {
        /// x̂, [B, C].
        public let normalized: Matrix
        /// One per row.
        public let inverseStandardDeviations: [Float]
    }

    /// A layer around existing parameters (restored or shared ones).
    public init(gain: Parameter, bias: Parameter, epsilon: Float) {
        precondition(gain.value.rows == 1 && bias.value.rows == 1 && gain.value.columns == bias.value.columns,
                     "LayerNorm \(gain.name): gain \(gain.value.shapeDescription), bias \(bias.value.shapeDescription) must be one row each of the same width")
        precondition(epsilon >= 0, "LayerNorm \(gain.name): epsilon \(epsilon) < 0")
        (self.gain, self.bias, self.epsilon) = (gain, bias, epsilon)
    }

    /// A fresh layer of width `width` named `name` (parameters `name.gain` = 1, `name.bias` = 0).
    public init(width: Int, epsilon: Float = 1e-5, name: String) {
        precondition(width > 0, "LayerNorm \(name): width \(width) must be positive")
        self.init(gain: Parameter(name: "\(name).gain", value: Matrix(rows: 1, columns: width, repeating: 1), decays: false),
                  bias: Parameter(name: "\(name).bias", value: Matrix(rows: 1, columns: width), decays: false),
                  epsilon: epsilon)
    }

    /// C, the normalised width.
    public var width: Int { gain.value.columns }
    /// [gain, bias].
    public var parameters: [Parameter] { [gain, bias] }

    /// y = g ⊙ x̂ + b ([B, C] → [B, C]).
    public func forward(_ input: Matrix, context: inout ForwardContext) -> (output: Matrix, cache: Cache) {
        precondition(input.columns == width, "LayerNorm \(gain.name): input \(input.shapeDescription), width \(width)")
        let result = Kernels.layerNormalization(input, gain: gain.value, bias: bias.value, epsilon: epsilon)
        return (result.output, Cache(normalized: result.normalized, inverseStandardDeviations: result.inverseStandardDeviations))
    }

    /// dx = s·(d − mean(d) − x̂ ⊙ mean(d ⊙ x̂)) with d = dy ⊙ g; accumulates dg += Σ dy ⊙ x̂, db += Σ dy.
    public func backward(_ outputGradient: Matrix, cache: Cache) -> Matrix {
        Kernels.layerNormalizationBackward(outputGradient, normalized: cache.normalized,                // ∂y/∂x, ∂y/∂g, ∂y/∂b
                                           inverseStandardDeviations: cache.inverseStandardDeviations,
                                           gain: gain.value, gainGradient: &gain.gradient, biasGradient: &bias.gradient)
    }
}
