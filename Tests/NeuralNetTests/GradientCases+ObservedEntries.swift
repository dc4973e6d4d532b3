import Kernels
import TensorCore
import TestSupport
@testable import NeuralNet

extension GradientCase {
    /// A `SampledDense` layer at the entries of a fixed sparse pattern, checked w.r.t. its
    /// parameters and its dense input, under L = Σ_e y_e·r_e.
    static func sampledDense(_ name: String, rows: Int = 4, seed: UInt64 = 71,
                             _ build: @escaping @Sendable (inout RandomGenerator) -> SampledDense) -> GradientCase {
        GradientCase(name: name) {
            var rng = RandomGenerator(seed: seed)
            let layer = build(&rng)
            let input = Fixtures.matrix(rows, layer.weight.value.columns, seed: seed &+ 1)
            let pattern = Fixtures.sparse(rows, layer.weight.value.rows, seed: seed &+ 2, density: 0.5)
            let weights = Fixtures.matrix(1, pattern.nonZeroCount, seed: seed &+ 3).storage
            return GradientProblem(parameters: layer.parameters, inputs: [input], checkedInputs: [0], seed: seed, mode: .training) {
                inputs, _, backward in
                let (y, cache) = layer.forward(inputs[0], at: pattern)
                let loss = zip(y.values, weights).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }   // ∂L/∂y_e = r_e
                return (loss, backward ? [layer.backward(pattern.withValues(weights), cache: cache)] : [])
            }
        }
    }

    /// A likelihood of outputs at observed entries, checked w.r.t. those outputs (a [1, nnz] input).
    static func observedLikelihood(_ name: String, rows: Int = 4, columns: Int = 6, seed: UInt64 = 81,
                                   _ likelihood: ObservedGaussianLikelihood) -> GradientCase {
        GradientCase(name: name) {
            let target = Fixtures.sparse(rows, columns, seed: seed, density: 0.5)
            let output = Fixtures.matrix(1, target.nonZeroCount, seed: seed &+ 1)
            return GradientProblem(parameters: [], inputs: [output], checkedInputs: [0], seed: seed, mode: .training) {
                inputs, _, _ in
                let (loss, gradient) = likelihood.negativeLogLikelihood(target.withValues(inputs[0].storage), target: target)
                return (loss, [Matrix(rows: 1, columns: gradient.nonZeroCount, storage: gradient.values)])
            }
        }
    }

    /// An `L2Penalty` checked w.r.t. the penalised parameters (one unpenalised parameter must get no gradient).
    static func penalty(_ name: String, lambda: Double, seed: UInt64 = 91) -> GradientCase {
        GradientCase(name: name) {
            let penalised = [Parameter(name: "v", value: Fixtures.matrix(3, 4, seed: seed)),
                             Parameter(name: "w", value: Fixtures.matrix(2, 5, seed: seed &+ 1))]
            let free = Parameter(name: "b", value: Fixtures.matrix(1, 3, seed: seed &+ 2), decays: false)
            let penalty = L2Penalty(penalised)
            return GradientProblem(parameters: penalised + [free], inputs: [], checkedInputs: [], seed: seed, mode: .training) {
                _, _, backward in
                let saved = (penalised + [free]).map(\.gradient)
                let loss = penalty.apply(weight: lambda)
                if !backward { for (parameter, gradient) in zip(penalised + [free], saved) { parameter.gradient = gradient } }
                return (loss, [])
            }
        }
    }

    /// A conditional Gaussian prior checked w.r.t. the posterior's μ and logσ², the condition and the
    /// network's parameters, for the loss weight·KL + Σ z ⊙ R (the sample path included).
    static func conditionalPrior(_ name: String, rows: Int = 3, latent: Int = 4, weight: Double = 0.7, seed: UInt64 = 61,
                                 _ build: @escaping @Sendable (inout RandomGenerator) -> Chain) -> GradientCase {
        GradientCase(name: name) {
            var rng = RandomGenerator(seed: seed)
            let prior = ConditionalGaussianPrior(network: build(&rng))
            let mean = Fixtures.matrix(rows, latent, seed: seed &+ 1)
            let logVariance = Fixtures.matrix(rows, latent, seed: seed &+ 2, scale: 0.5)
            let condition = Fixtures.matrix(rows, 3, seed: seed &+ 3)
            let weights = Fixtures.matrix(rows, latent, seed: seed &+ 4)
            return GradientProblem(parameters: prior.parameters, inputs: [mean, logVariance, condition], checkedInputs: [0, 1, 2],
                                   seed: seed, mode: .training) { inputs, context, backward in
                let posterior = GaussianPosterior(mean: inputs[0], logVariance: inputs[1], context: &context)
                let saved = prior.parameters.map(\.gradient)        // the network accumulates on every call
                let kl = prior.divergence(from: posterior, given: inputs[2], weight: weight, context: &context)
                let loss = weight * kl.value + Kernels.dot(posterior.sample, weights)
                guard backward else {
                    for (parameter, gradient) in zip(prior.parameters, saved) { parameter.gradient = gradient }
                    return (loss, [])
                }
                var dz = weights                                                    // ∂(Σ z ⊙ R)/∂z = R
                kl.addSampleGradient(to: &dz)
                let (dMean, dLogVariance) = posterior.backward(sampleGradient: dz)
                return (loss, [dMean + kl.mean, dLogVariance + kl.logVariance, kl.condition])
            }
        }
    }
}
