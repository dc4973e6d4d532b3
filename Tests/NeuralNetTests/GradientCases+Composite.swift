import TensorCore
import GradientChecking
import Kernels
@testable import NeuralNet

extension GradientCase {
    /// A whole Mult-VAE-shaped objective checked end to end w.r.t. every parameter:
    /// L2-normalised CSR input → sparse dropout → SparseDense → tanh → Dense to [μ | logσ²] →
    /// reparameterised z → tanh MLP decoder → multinomial NLL + β·KL(q ‖ N(0, I)).
    static func multVAEObjective(seed: UInt64 = 51, beta: Double = 0.3) -> GradientCase {
        GradientCase(name: "Mult-VAE objective (sparse dropout, encoder, reparameterisation, KL, decoder)") {
            var rng = RandomGenerator(seed: seed)
            let items = 7, hidden = 5, latent = 2
            let first = SparseDense(inputSize: items, outputSize: hidden, name: "q.0", biasInitialization: .multVAE, rng: &rng)
            let toGaussian = Chain(ActivationLayer(.tanh),
                                   Dense(inputSize: hidden, outputSize: 2 * latent, name: "q.1", rng: &rng))
            let decoder = MLP(sizes: [latent, hidden, items], activation: .tanh, name: "p", rng: &rng)
            let data = Fixtures.sparse(4, items, seed: seed &+ 1)
            let input = Kernels.l2NormalizeRows(data)
            let dropout = Dropout(keepProbability: 0.5)
            let prior = StandardNormalPrior(), likelihood = MultinomialLikelihood()
            let parameters = (first.parameters + toGaussian.parameters + decoder.parameters).uniqued()
            return GradientProblem(parameters: parameters, inputs: [], checkedInputs: [], seed: seed, mode: .training) {
                _, context, backward in
                let (h0, firstCache) = first.forward(sparse: dropout.apply(sparse: input, context: &context), context: &context)
                let (h, gaussianCache) = toGaussian.forward(h0, context: &context)
                let posterior = GaussianPosterior(encoderOutput: h, context: &context)
                let (logits, decoderCache) = decoder.forward(posterior.sample, context: &context)
                let (nll, dLogits) = likelihood.negativeLogLikelihood(logits, target: data)
                let kl = prior.divergence(from: posterior, weight: beta, context: &context)
                guard backward else { return (nll + beta * kl.value, []) }
                var dz = decoder.backward(dLogits, cache: decoderCache)
                Kernels.axpy(1, kl.sample, &dz)
                let (dMean, dLogVariance) = posterior.backward(sampleGradient: dz)
                let dh = GaussianPosterior.encoderGradient(mean: Kernels.add(dMean, kl.mean),
                                                           logVariance: Kernels.add(dLogVariance, kl.logVariance))
                first.backward(toGaussian.backward(dh, cache: gaussianCache), cache: firstCache)
                return (nll + beta * kl.value, [])
            }
        }
    }
}
