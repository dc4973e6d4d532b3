import Kernels
import TensorCore
import TestSupport
@testable import NeuralNet

extension GradientCase {
    /// `CompositePrior.divergence` checked w.r.t. μ and logσ² of the posterior, under the loss
    /// mean_b β_b·KL_b + Σ z ⊙ R, so the sample path (the prior's ∂/∂z and the reparameterisation)
    /// is checked too; the previous posterior and the β_b are fixed.
    static func compositePrior(_ name: String, rows: Int = 3, latent: Int = 4, seed: UInt64 = 91,
                               rowWeights: [Double] = [0.7, 2.5, 0.05], mode: ForwardContext.Mode = .training,
                               previousNear: Bool = false, _ prior: CompositePrior = .recVAE) -> GradientCase {
        GradientCase(name: name) {
            let mean = Fixtures.matrix(rows, latent, seed: seed &+ 1)
            let logVariance = Fixtures.matrix(rows, latent, seed: seed &+ 2, scale: 0.5)
            // The old posterior near the new one (what RecVAE meets after an epoch) or unrelated to it.
            let previousMean = previousNear ? Kernels.add(mean, Fixtures.matrix(rows, latent, seed: seed &+ 4, scale: 0.1))
                                            : Fixtures.matrix(rows, latent, seed: seed &+ 4)
            let previousLogVariance = Fixtures.matrix(rows, latent, seed: seed &+ 5, scale: 0.5)
            let weights = Fixtures.matrix(rows, latent, seed: seed &+ 3)
            return GradientProblem(parameters: [], inputs: [mean, logVariance], checkedInputs: [0, 1], seed: seed, mode: mode) {
                inputs, context, backward in
                let posterior = GaussianPosterior(mean: inputs[0], logVariance: inputs[1], context: &context)
                let kl = prior.divergence(from: posterior, previousMean: previousMean, previousLogVariance: previousLogVariance,
                                          rowWeights: rowWeights)
                let loss = kl.value + Kernels.dot(posterior.sample, weights)
                guard backward else { return (loss, []) }
                var dz = weights                                                  // ∂(Σ z ⊙ R)/∂z = R
                Kernels.axpy(1, kl.sample, &dz)
                let (dMean, dLogVariance) = posterior.backward(sampleGradient: dz)
                return (loss, [Kernels.add(dMean, kl.mean), Kernels.add(dLogVariance, kl.logVariance)])
            }
        }
    }
}

extension GradientCases {
    static let compositePriors: [GradientCase] = [
        .compositePrior("CompositePrior (RecVAE's weights), per-user β"),
        .compositePrior("CompositePrior, previous posterior near the current one", seed: 93, previousNear: true),
        .compositePrior("CompositePrior at inference (z = μ)", seed: 95, mode: .inference),
        .compositePrior("CompositePrior, other weights and wide logσ² 4", rows: 2, latent: 5, seed: 97, rowWeights: [1, 0.3],
                        CompositePrior(weights: [0.5, 0.25, 0.25], wideLogVariance: 4)),
    ]
}
