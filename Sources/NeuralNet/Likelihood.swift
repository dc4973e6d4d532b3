import TensorCore
import Kernels

/// How a likelihood's per-entry losses are reduced to one number.
public enum LossReduction: Sendable, Equatable {
    /// Σ over every counted entry.
    case sum
    /// ½·Σ: AutoRec's objective Σ‖r − h(r)‖²_O scaled by ½ (Sedhain et al. 2015, with the usual ½).
    case halfSum
    /// Σ / B: mean over the users (rows) of the batch, as Mult-VAE's reference code (Liang et al. 2018).
    case meanOverRows
    /// Σ / n: mean over the counted entries (all entries, or the observed ones for a masked loss:
    /// DeepRec's MMSE, Kuchaiev & Ginsburg 2017).
    case meanOverEntries

    /// The factor turning a sum over `entries` entries of a `rows`-row batch into this reduction.
    public func scale(rows: Int, entries: Int) -> Double {
        switch self {
        case .sum: return 1
        case .halfSum: return 0.5
        case .meanOverRows: return rows > 0 ? 1 / Double(rows) : 0
        case .meanOverEntries: return entries > 0 ? 1 / Double(entries) : 0
        }
    }

    /// A summing loss kernel reduced: `kernel` receives this reduction's factor for `rows` rows and
    /// `entries` counted entries as its gradient scale, and the sum it returns is scaled alike.
    func reduce<Gradient>(rows: Int, entries: Int,
                          _ kernel: (_ gradientScale: Float) -> (Double, Gradient)) -> (loss: Double, gradient: Gradient) {
        let factor = scale(rows: rows, entries: entries)
        let (sum, gradient) = kernel(Float(factor))
        return (sum * factor, gradient)
    }
}

/// A fused negative log-likelihood of data given a decoder output, with its gradient w.r.t. that output.
///
/// `negativeLogLikelihood(replacingWithGradient:target:)` is the same computation with the output's
/// storage reused for its gradient (no second [B, I] matrix per step); a likelihood that has no
/// faster way gets the default, which computes both and replaces the output.
public protocol Likelihood {
    /// The decoder output: a dense `Matrix` [B, I], or a `SparseMatrix` of outputs at observed entries.
    associatedtype Output = Matrix
    /// The batch of observations: `SparseMatrix` (clicks, observed ratings) or dense `Matrix`.
    associatedtype Target
    /// (−log p(target | output) reduced, ∂loss/∂output).
    func negativeLogLikelihood(_ output: Output, target: Target) -> (loss: Double, gradient: Output)
    /// The same loss, with `output` replaced by ∂loss/∂output.
    func negativeLogLikelihood(replacingWithGradient output: inout Output, target: Target) -> Double
}

extension Likelihood {
    /// The default: compute loss and gradient, then replace the output with the gradient.
    public func negativeLogLikelihood(replacingWithGradient output: inout Output, target: Target) -> Double {
        let (loss, gradient) = negativeLogLikelihood(output, target: target)
        output = gradient
        return loss
    }
}

/// Multinomial likelihood over items: −Σ_i x_i·log softmax(logits)_i per user (Liang et al. 2018, eq. 2),
/// fused with log-softmax; mean over users by default, as the reference code.
public struct MultinomialLikelihood: Likelihood, Sendable {
    /// The reduction (default mean over users).
    public let reduction: LossReduction
    /// A multinomial likelihood reduced by `reduction`.
    public init(reduction: LossReduction = .meanOverRows) { self.reduction = reduction }

    /// Loss and ∂/∂logits = scale·(softmax·Σx − x); entries counted are the stored clicks.
    public func negativeLogLikelihood(_ output: Matrix, target: SparseMatrix) -> (loss: Double, gradient: Matrix) {
        reduction.reduce(rows: output.rows, entries: target.nonZeroCount) {
            Kernels.multinomialNegativeLogLikelihood(logits: output, targets: target, gradientScale: $0)
        }
    }

    /// The same loss, with the gradient written over `output` (the logits are consumed: no [B, I]
    /// matrix is allocated).
    public func negativeLogLikelihood(replacingWithGradient output: inout Matrix, target: SparseMatrix) -> Double {
        let scale = reduction.scale(rows: output.rows, entries: target.nonZeroCount)
        let total = Kernels.multinomialNegativeLogLikelihood(logitsToGradient: &output, targets: target,
                                                             gradientScale: Float(scale))
        return total * scale
    }
}

/// Gaussian likelihood with unit variance on every entry: squared error (p − t)², mean over all
/// entries by default (MSE).
public struct GaussianLikelihood: Likelihood, Sendable {
    /// The reduction (default mean over entries: MSE).
    public let reduction: LossReduction
    /// A Gaussian likelihood reduced by `reduction`.
    public init(reduction: LossReduction = .meanOverEntries) { self.reduction = reduction }

    /// Loss and ∂/∂p = scale·2(p − t).
    public func negativeLogLikelihood(_ output: Matrix, target: Matrix) -> (loss: Double, gradient: Matrix) {
        reduction.reduce(rows: output.rows, entries: output.count) {
            Kernels.squaredError(prediction: output, target: target, gradientScale: $0)
        }
    }
}

/// Gaussian likelihood on observed entries only (the stored entries of the target CSR): squared
/// error Σ_O (p − t)². Use `.halfSum` for AutoRec (Sedhain et al. 2015) or `.meanOverEntries` for
/// DeepRec's masked MSE (sum over observed ratings / their count, Kuchaiev & Ginsburg 2017).
public struct MaskedGaussianLikelihood: Likelihood, Sendable {
    /// The reduction; `.meanOverEntries` divides by the number of observed entries.
    public let reduction: LossReduction
    /// A masked Gaussian likelihood reduced by `reduction`.
    public init(reduction: LossReduction) { self.reduction = reduction }

    /// Loss and ∂/∂p = scale·2(p − t) on observed entries, 0 elsewhere.
    public func negativeLogLikelihood(_ output: Matrix, target: SparseMatrix) -> (loss: Double, gradient: Matrix) {
        reduction.reduce(rows: output.rows, entries: target.nonZeroCount) {
            Kernels.maskedSquaredError(prediction: output, target: target, gradientScale: $0)
        }
    }
}

/// Bernoulli likelihood on every entry from logits: the stable logistic loss
/// softplus(l) − t·l; mean over users by default (Mult-VAE's logistic variant, Liang et al. 2018 eq. 3).
public struct BernoulliLikelihood: Likelihood, Sendable {
    /// The reduction (default mean over users).
    public let reduction: LossReduction
    /// A Bernoulli likelihood reduced by `reduction`.
    public init(reduction: LossReduction = .meanOverRows) { self.reduction = reduction }

    /// Loss and ∂/∂l = scale·(σ(l) − t) for dense 0/1 targets.
    public func negativeLogLikelihood(_ output: Matrix, target: Matrix) -> (loss: Double, gradient: Matrix) {
        reduction.reduce(rows: output.rows, entries: output.count) {
            Kernels.logisticLoss(logits: output, targets: target, gradientScale: $0)
        }
    }
}

/// Gaussian likelihood on observed entries only, when the model computes its output only there (a
/// `SampledDense` decoder): output and target are CSR matrices with the same pattern, and the loss
/// is Σ_O (p − t)², reduced (`.sum` for AutoRec's objective, Sedhain et al. 2015, eq. 2).
public struct ObservedGaussianLikelihood: Likelihood, Sendable {
    /// The reduction.
    public let reduction: LossReduction
    /// A likelihood of observed entries reduced by `reduction`.
    public init(reduction: LossReduction) { self.reduction = reduction }

    /// Loss and ∂/∂p = scale·2(p − t) at every stored entry (the output's pattern).
    public func negativeLogLikelihood(_ output: SparseMatrix, target: SparseMatrix) -> (loss: Double, gradient: SparseMatrix) {
        precondition(output.rows == target.rows && output.columns == target.columns && output.rowPointers == target.rowPointers
                     && output.columnIndices == target.columnIndices,
                     "ObservedGaussianLikelihood: output \(output.rows)×\(output.columns) (\(output.nonZeroCount) entries) and target \(target.rows)×\(target.columns) (\(target.nonZeroCount)) need one pattern")
        let (loss, gradient) = reduction.reduce(rows: output.rows, entries: target.nonZeroCount) {
            Kernels.squaredError(predictions: output.values, targets: target.values, gradientScale: $0)
        }
        return (loss, output.withValues(gradient))
    }
}
