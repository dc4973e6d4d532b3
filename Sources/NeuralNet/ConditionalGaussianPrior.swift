import Kernels
import TensorCore

/// A learned conditional prior p(z|c) = N(μ(c), diag σ²(c)), its parameters given by a network of
/// the condition c (H+Vamp's p(z₁|z₂), Kim & Suh 2019, after Tomczak & Welling's hierarchical
/// VampPrior). The KL term is the one-sample Monte-Carlo estimate mean_b [log q(z_b|x_b) − log p(z_b|c_b)],
/// as the reference code's `log_Normal_diag` difference.
///
/// `divergence` runs the network on the condition, back-propagates the weighted gradients of
/// log p through it (its parameters accumulate them) and returns every gradient the caller needs.
public struct ConditionalGaussianPrior {
    /// The network c → [μ | logσ²] ([B, C] → [B, 2Z]).
    public let network: Chain

    /// A prior whose parameters come from `network`.
    public init(network: Chain) { self.network = network }

    /// The network's parameters.
    public var parameters: [Parameter] { network.parameters }

    /// The KL estimate and the gradients of `weight`·KL.
    public struct Divergence {
        /// mean_b [log q(z_b|x_b) − log p(z_b|c_b)] (unweighted).
        public var value: Double
        /// ∂(weight·KL)/∂μ_q and ∂(weight·KL)/∂logσ_q² of the posterior, [B, Z].
        public var mean: Matrix, logVariance: Matrix
        /// ∂(weight·KL)/∂z through log q and through log p, [B, Z] each (added in this order).
        public var sampleThroughPosterior: Matrix, sampleThroughPrior: Matrix
        /// ∂(weight·KL)/∂c, through the network, [B, C].
        public var condition: Matrix

        /// Adds both ∂/∂z terms into `sampleGradient`.
        public func addSampleGradient(to sampleGradient: inout Matrix) {
            Kernels.axpy(1, sampleThroughPosterior, &sampleGradient)                    // log q uses z
            Kernels.axpy(1, sampleThroughPrior, &sampleGradient)                        // log p uses z
        }
    }

    /// KL(q(z|x) ‖ p(z|c)) by one sample (the posterior's) for the condition `condition`, and its
    /// gradients scaled by `weight`; the network's parameters accumulate theirs.
    public func divergence(from posterior: GaussianPosterior, given condition: Matrix, weight: Double,
                           context: inout ForwardContext) -> Divergence {
        let (output, cache) = network.forward(condition, context: &context)             // [B, 2Z]
        let z = posterior.sample, latent = z.columns
        precondition(output.rows == z.rows && output.columns == 2 * latent,
                     "ConditionalGaussianPrior: network output \(output.shapeDescription), expected \(z.rows)×\(2 * latent)")
        let priorMean = Kernels.columns(0..<latent, of: output)
        let priorLogVariance = Kernels.columns(latent..<(2 * latent), of: output)
        let value = Kernels.meanDifference(
            Kernels.diagonalGaussianLogDensity(sample: z, mean: posterior.mean, logVariance: posterior.logVariance),
            Kernels.diagonalGaussianLogDensity(sample: z, mean: priorMean, logVariance: priorLogVariance))
        let scale = Float(z.rows > 0 ? weight / Double(z.rows) : 0)
        let q = Kernels.diagonalGaussianLogDensityBackward(sample: z, mean: posterior.mean,
                                                           logVariance: posterior.logVariance, scale: scale)   // ∂(s·Σ log q)
        let p = Kernels.diagonalGaussianLogDensityBackward(sample: z, mean: priorMean,
                                                           logVariance: priorLogVariance, scale: -scale)       // ∂(−s·Σ log p)
        let dCondition = network.backward(Kernels.concatenateColumns(p.mean, p.logVariance), cache: cache) // ∂/∂[μ_p | logσ_p²] → c
        return Divergence(value: value, mean: q.mean, logVariance: q.logVariance,
                          sampleThroughPosterior: q.sample, sampleThroughPrior: p.sample, condition: dCondition)
    }
}
