import TensorCore
import Kernels

/// A layer whose input is a CSR batch and which returns no input gradient (the data needs none).
///
/// Separate from `Layer` on purpose: the first encoder layer of every top-N model reads the sparse
/// click matrix, and a dense input gradient [B, I] would be wasted work (>99% zeros in the input).
public protocol SparseInputLayer {
    /// What the forward pass keeps for the backward pass.
    associatedtype Cache
    /// The trainable parameters, in a stable order.
    var parameters: [Parameter] { get }
    /// Output for the sparse `input` ([B, In] CSR → [B, Out]) and the cache for `backward`.
    func forward(sparse input: SparseMatrix, context: inout ForwardContext) -> (output: Matrix, cache: Cache)
    /// Accumulates dL/dθ into the parameters' gradients for dL/doutput.
    func backward(_ outputGradient: Matrix, cache: Cache)
}

/// Affine map y = S·W + b for a CSR batch S [B, In], W [In, Out]: the sparse first encoder layer.
public struct SparseDense: SparseInputLayer {
    /// The dense layer holding W and b (share it to use the same weights on dense inputs).
    public let dense: Dense
    /// W, shape [In, Out].
    public var weight: Parameter { dense.weight }
    /// b, shape [1, Out].
    public var bias: Parameter { dense.bias }
    /// [weight, bias].
    public var parameters: [Parameter] { dense.parameters }
    /// Whether `backward` hands the weight its gradient as a described `SparseTransposeProductGradient`
    /// (computed by the optimizer a block of items at a time, no [In, Out] gradient matrix) rather
    /// than scattering it into `weight.gradient` at once. Either gives the same numbers to every
    /// reader; the default is `defersWeightGradientByDefault`.
    public var defersWeightGradient: Bool = SparseDense.defersWeightGradientByDefault

    /// `RuntimeOptions.defersGradients`: true unless `AUTOENCODERZOO_DEFERRED_GRADIENTS=0` (A/B timing).
    public static var defersWeightGradientByDefault: Bool { RuntimeOptions.current.defersGradients }

    /// A sparse-input view of `dense` (same parameters).
    public init(_ dense: Dense) { self.dense = dense }

    /// A fresh layer, as `Dense.init(inputSize:outputSize:name:…)`.
    public init(inputSize: Int, outputSize: Int, name: String,
                weightInitialization: WeightInitialization = .glorotUniform,
                biasInitialization: BiasInitialization = .zeros, rng: inout RandomGenerator) {
        self.init(Dense(inputSize: inputSize, outputSize: outputSize, name: name,
                        weightInitialization: weightInitialization, biasInitialization: biasInitialization, rng: &rng))
    }

    /// y = S·W + b; the cache is S.
    public func forward(sparse input: SparseMatrix, context: inout ForwardContext) -> (output: Matrix, cache: SparseMatrix) {
        precondition(input.columns == weight.value.rows,
                     "SparseDense \(weight.name): input \(input.rows)×\(input.columns), weight \(weight.value.shapeDescription)")
        var y = Kernels.sparseDenseProduct(input, weight.value)                       // [B, Out]
        Kernels.addRowVector(bias.value, to: &y)
        return (y, input)
    }

    /// Accumulates dW += Sᵀ·dy (described, see `defersWeightGradient`) and db += Σ_b dy.
    public func backward(_ outputGradient: Matrix, cache input: SparseMatrix) {
        if defersWeightGradient {                                                                      // ∂L/∂W = Sᵀ·dy
            weight.accumulate(SparseTransposeProductGradient(input: input, outputGradient: outputGradient))
        } else {
            Kernels.sparseTransposeDenseProduct(input, outputGradient, accumulatingInto: &weight.gradient)
        }
        Kernels.addColumnSums(of: outputGradient, to: &bias.gradient)                                 // ∂L/∂b = Σ_b dy
    }
}
