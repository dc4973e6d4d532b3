import TensorCore
import Kernels

/// A divergence value and the gradients of `weight × value` with respect to the posterior's pieces.
public struct Divergence {
    /// The (unweighted) divergence, reduced as the prior documents (mean over users).
    public var value: Double
    /// ∂(weight·value)/∂μ, [B, Z].
    public var mean: Matrix
    /// ∂(weight·value)/∂logσ², [B, Z].
    public var logVariance: Matrix
    /// ∂(weight·value)/∂z, [B, Z] (zero for closed forms that do not use the sample).
    public var sample: Matrix

    /// A divergence with its gradients.
    public init(value: Double, mean: Matrix, logVariance: Matrix, sample: Matrix) {
        (self.value, self.mean, self.logVariance, self.sample) = (value, mean, logVariance, sample)
    }
}

/// A prior p(z) and the divergence term KL(q(z|x) ‖ p(z)) of the ELBO.
///
/// A prior may have trainable `parameters` and may run other layers (VampPrior runs the shared
/// encoder on its pseudo-inputs): its `divergence` accumulates `weight`-scaled gradients into those
/// parameters itself and returns the gradients with respect to the posterior, so the caller adds
/// them to the encoder's output gradient. `weight` is the KL weight β of the current step.
public protocol Prior {
    /// Trainable parameters owned or used by the prior (empty for N(0, I)).
    var parameters: [Parameter] { get }
    /// KL(q ‖ p) (mean over users) and the gradients of `weight`·KL; may draw from `context`.
    func divergence(from posterior: GaussianPosterior, weight: Double, context: inout ForwardContext) -> Divergence
}

/// p(z) = N(0, I): closed-form KL = ½Σ_j(μ² + σ² − 1 − logσ²) per user, averaged over the batch
/// (Kingma & Welling 2014, appendix B; Mult-VAE reference code).
public struct StandardNormalPrior: Prior {
    /// The standard normal prior.
    public init() {}

    /// No parameters.
    public var parameters: [Parameter] { [] }

    /// Closed-form KL averaged over users; ∂/∂z is zero (the closed form does not use the sample).
    public func divergence(from posterior: GaussianPosterior, weight: Double, context: inout ForwardContext) -> Divergence {
        let rows = posterior.mean.rows
        let perUser = rows > 0 ? 1 / Double(rows) : 0
        let kl = Kernels.standardNormalDivergence(mean: posterior.mean, logVariance: posterior.logVariance,
                                                  gradientScale: Float(weight * perUser))
        return Divergence(value: kl.value * perUser, mean: kl.mean, logVariance: kl.logVariance,
                          sample: Matrix(rows: rows, columns: posterior.mean.columns))
    }
}
