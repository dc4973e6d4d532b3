import Kernels
import TensorCore

/// An affine output layer evaluated only at the stored entries of a sparse pattern:
/// y_e = x[r]·W[c] + b[c] for every entry e = (r, c) — the output where a rating is observed.
///
/// W is stored [Out, In] (row c holds output c's weights), so each entry is one row-by-row dot
/// product (`Kernels.sampledProduct`). AutoRec's loss needs its reconstruction only at observed
/// ratings (Sedhain et al. 2015, eq. 2), ~4 % of an ML-1M matrix: the sampled layer costs nnz·In
/// instead of the R·Out·In of a dense one, and its gradients are sparse × dense products.
/// `forward(_:)` gives every output (dense), for scoring.
public struct SampledDense {
    /// W, shape [Out, In], decays; b, shape [1, Out], no decay.
    public let weight: Parameter, bias: Parameter

    /// A layer around existing parameters.
    public init(weight: Parameter, bias: Parameter) {
        bias.requireBiasShape(width: weight.value.rows, of: "SampledDense", weight: weight)
        (self.weight, self.bias) = (weight, bias)
    }

    /// A fresh layer In → Out named `name` (parameters `name.weight` [Out, In], `name.bias` zero):
    /// the weight is drawn as `weightInitialization` draws an [Out, In] matrix.
    public init(inputSize: Int, outputSize: Int, name: String,
                weightInitialization: WeightInitialization = .glorotUniform, rng: inout RandomGenerator) {
        let w = weightInitialization.makeWeight(inputs: outputSize, outputs: inputSize, using: &rng)
        self.init(weight: Parameter(name: "\(name).weight", value: w),
                  bias: Parameter(name: "\(name).bias", value: Matrix(rows: 1, columns: outputSize), decays: false))
    }

    /// [weight, bias].
    public var parameters: [Parameter] { [weight, bias] }

    /// y at the stored entries of `pattern` [R, Out] for inputs x [R, In], as a CSR matrix with the
    /// pattern's positions; the cache is x.
    public func forward(_ input: Matrix, at pattern: SparseMatrix) -> (output: SparseMatrix, cache: Matrix) {
        precondition(input.rows == pattern.rows && input.columns == weight.value.columns && pattern.columns == weight.value.rows,
                     "SampledDense \(weight.name): input \(input.shapeDescription), pattern \(pattern.rows)×\(pattern.columns), weight \(weight.value.shapeDescription)")
        var y = Kernels.sampledProduct(left: input, right: weight.value, at: pattern)   // y_e = x[r]·W[c]
        Kernels.addColumnBias(bias.value, to: &y, at: pattern)                           // + b[c]
        return (pattern.withValues(y), input)
    }

    /// dx = G·W for the sparse output gradient G (the pattern's entries); accumulates
    /// dW[c] += Σ_r G[r, c]·x[r] and db[c] += Σ_r G[r, c].
    public func backward(_ outputGradient: SparseMatrix, cache input: Matrix) -> Matrix {
        Kernels.sparseTransposeDenseProduct(outputGradient, input, accumulatingInto: &weight.gradient) // ∂L/∂W = Gᵀ·x
        Kernels.addSparseColumnSums(of: outputGradient, to: &bias.gradient)                            // ∂L/∂b = Σ_r G[r, ·]
        return Kernels.sparseDenseProduct(outputGradient, weight.value)                                // ∂L/∂x = G·W
    }

    /// Every output: y = x·Wᵀ + b, [R, In] → [R, Out].
    public func forward(_ input: Matrix) -> Matrix {
        precondition(input.columns == weight.value.columns,
                     "SampledDense \(weight.name): input \(input.shapeDescription), weight \(weight.value.shapeDescription)")
        var y = Kernels.gemm(input, weight.value, transposeB: true)
        Kernels.addRowVector(bias.value, to: &y)
        return y
    }
}
