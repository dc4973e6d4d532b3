#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Kernels
import TensorCore

/// RecVAE's composite prior (Shenbin et al., WSDM 2020, §3.3 and the authors' `CompositePrior`):
/// on each latent coordinate a mixture of the standard normal, the posterior of the previous
/// encoder q_old(z|x) and a wide Gaussian N(0, e^{10}),
/// p(z_j | x) = w₁ N(z_j; 0, 1) + w₂ N(z_j; μ_old,j, σ²_old,j) + w₃ N(z_j; 0, e^{logσ²_wide}),
/// with weights (3/20, 3/4, 1/10) and logσ²_wide = 10 as in the code. The previous posterior is
/// given by the caller (the old encoder takes no gradient).
///
/// The KL term is the one-sample Monte-Carlo estimate log q(z|x) − log p(z|x) summed over the
/// latent coordinates, as the code's `log_norm_pdf(z, mu, logvar) − prior(x, z)`, each user's
/// weighted by its own β_b (RecVAE: β_b = γ·|x_b|, the user's click count), averaged over users.
/// Not a `Prior`: its divergence needs the previous posterior and a weight per user, as
/// `ConditionalGaussianPrior` needs its condition.
public struct CompositePrior: Sendable, Equatable {
    /// The mixture weights (standard normal, previous posterior, wide), summing to 1.
    public var weights: [Double]
    /// logσ² of the wide component (10).
    public var wideLogVariance: Float

    /// The reference code's weights [3/20, 3/4, 1/10] and wide logσ² 10.
    public static let recVAE = CompositePrior(weights: [3.0 / 20, 3.0 / 4, 1.0 / 10], wideLogVariance: 10)

    /// A prior with the given mixture weights (three, positive) and wide logσ².
    public init(weights: [Double], wideLogVariance: Float) {
        precondition(weights.count == 3 && weights.allSatisfy { $0 > 0 && $0.isFinite },
                     "CompositePrior: needs three positive weights (standard, previous posterior, wide), got \(weights)")
        precondition(wideLogVariance.isFinite, "CompositePrior: wide logσ² \(wideLogVariance) is not finite")
        (self.weights, self.wideLogVariance) = (weights, wideLogVariance)
    }

    /// Per-user log p(z_b | x_b) (summed over coordinates) and its gradient w.r.t. z, [B, Z].
    public func logDensity(of z: Matrix, previousMean: Matrix, previousLogVariance: Matrix) -> (rows: [Double], sampleGradient: Matrix) {
        let zeros = Matrix(rows: 1, columns: z.columns)
        let wide = Matrix(rows: 1, columns: z.columns, repeating: wideLogVariance)
        return Kernels.coordinatewiseGaussianMixtureLogDensity(
            sample: z, means: [zeros, previousMean, zeros], logVariances: [zeros, previousLogVariance, wide],
            logWeights: weights.map { log($0) })
    }

    /// mean_b β_b·[log q(z_b|x_b) − log p(z_b|x_b)] as `value` (the weighted term the loss adds),
    /// and its gradients w.r.t. μ, logσ² and the sample z of `posterior` (the caller adds `sample`
    /// to the decoder's ∂L/∂z before the reparameterisation's backward). `rowWeights` are the β_b.
    public func divergence(from posterior: GaussianPosterior, previousMean: Matrix, previousLogVariance: Matrix,
                           rowWeights: [Double]) -> Divergence {
        let z = posterior.sample
        precondition(rowWeights.count == z.rows && previousMean.rows == z.rows && previousMean.columns == z.columns
                     && previousLogVariance.rows == z.rows && previousLogVariance.columns == z.columns,
                     "CompositePrior: z \(z.shapeDescription), previous μ \(previousMean.shapeDescription), "
                     + "logσ² \(previousLogVariance.shapeDescription), \(rowWeights.count) row weights")
        let logPrior = logDensity(of: z, previousMean: previousMean, previousLogVariance: previousLogVariance)
        let logPosterior = Kernels.diagonalGaussianLogDensity(sample: z, mean: posterior.mean, logVariance: posterior.logVariance)
        let users = Double(max(1, z.rows))
        var value = 0.0
        for b in 0..<z.rows { value += rowWeights[b] * (logPosterior[b] - logPrior.rows[b]) }
        let scales = rowWeights.map { Float($0 / users) }                                   // ∂(mean_b β_b KL_b)/∂KL_b
        var q = Kernels.diagonalGaussianLogDensityBackward(sample: z, mean: posterior.mean,
                                                           logVariance: posterior.logVariance, scale: 1)  // ∂ log q
        var dz = Kernels.subtract(q.sample, logPrior.sampleGradient)                                // ∂z: log q and −log p both use z
        Kernels.scaleRows(&dz, by: scales)
        Kernels.scaleRows(&q.mean, by: scales)
        Kernels.scaleRows(&q.logVariance, by: scales)
        return Divergence(value: value / users, mean: q.mean, logVariance: q.logVariance, sample: dz)
    }
}
