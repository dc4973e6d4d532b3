import Testing
import TestSupport
import TensorCore
import Kernels
@testable import NeuralNet

/// One row of the gradient table: a name and a builder of the problem.
struct GradientCase: Sendable, CustomTestStringConvertible {
    let name: String
    let make: @Sendable () -> GradientProblem
    var testDescription: String { name }

    /// A dense-input layer checked w.r.t. its parameters and input, under loss L = Σ y ⊙ R.
    static func layer<L: Layer & SendableMetatype>(_ name: String, batch: Int = 3, inputSize: Int = 4, mode: ForwardContext.Mode = .training,
                                seed: UInt64 = 11, _ build: @escaping @Sendable (inout RandomGenerator) -> L) -> GradientCase {
        GradientCase(name: name) {
            var rng = RandomGenerator(seed: seed)
            let layer = build(&rng)
            let input = Fixtures.matrix(batch, inputSize, seed: seed &+ 1)
            var probe = ForwardContext(mode: mode, seed: seed)
            let shape = layer.forward(input, context: &probe).output
            let weights = Fixtures.matrix(shape.rows, shape.columns, seed: seed &+ 2)
            return GradientProblem(parameters: layer.parameters, inputs: [input], checkedInputs: [0], seed: seed, mode: mode) {
                inputs, context, backward in
                let (y, cache) = layer.forward(inputs[0], context: &context)
                let loss = Kernels.dot(y, weights)                               // L = Σ y ⊙ R, ∂L/∂y = R
                return (loss, backward ? [layer.backward(weights, cache: cache)] : [])
            }
        }
    }

    /// A sparse-input layer checked w.r.t. its parameters only (its input is data).
    static func sparseLayer<L: SparseInputLayer & SendableMetatype>(_ name: String, batch: Int = 4, inputSize: Int = 6, seed: UInt64 = 21,
                                                 dropout keepProbability: Float = 1,
                                                 _ build: @escaping @Sendable (inout RandomGenerator) -> L) -> GradientCase {
        GradientCase(name: name) {
            var rng = RandomGenerator(seed: seed)
            let layer = build(&rng)
            let input = Fixtures.sparse(batch, inputSize, seed: seed &+ 1)
            let dropout = Dropout(keepProbability: keepProbability)
            var probe = ForwardContext(mode: .training, seed: seed)
            let shape = layer.forward(sparse: input, context: &probe).output
            let weights = Fixtures.matrix(shape.rows, shape.columns, seed: seed &+ 2)
            return GradientProblem(parameters: layer.parameters, inputs: [], checkedInputs: [], seed: seed, mode: .training) {
                _, context, backward in
                let dropped = dropout.apply(sparse: input, context: &context)
                let (y, cache) = layer.forward(sparse: dropped, context: &context)
                if backward { layer.backward(weights, cache: cache) }
                return (Kernels.dot(y, weights), [])
            }
        }
    }

    /// A likelihood checked w.r.t. the decoder output.
    static func likelihood<L: Likelihood & Sendable>(_ name: String, rows: Int = 3, columns: Int = 5, seed: UInt64 = 31, _ likelihood: L,
                                          target: @escaping @Sendable (Int, Int, UInt64) -> L.Target) -> GradientCase where L.Output == Matrix {
        GradientCase(name: name) {
            let output = Fixtures.matrix(rows, columns, seed: seed)
            let data = target(rows, columns, seed &+ 1)
            return GradientProblem(parameters: [], inputs: [output], checkedInputs: [0], seed: seed, mode: .training) {
                inputs, _, _ in
                let (loss, gradient) = likelihood.negativeLogLikelihood(inputs[0], target: data)
                return (loss, [gradient])
            }
        }
    }

    /// A prior checked w.r.t. μ and logσ² (and its own parameters), for the loss weight·KL + Σ z ⊙ R
    /// so the sample path and the reparameterisation are checked too.
    static func prior<P: Prior & SendableMetatype>(_ name: String, rows: Int = 3, latent: Int = 4, weight: Double = 0.7, seed: UInt64 = 41,
                                mode: ForwardContext.Mode = .training,
                                _ build: @escaping @Sendable (inout RandomGenerator) -> P) -> GradientCase {
        GradientCase(name: name) {
            var rng = RandomGenerator(seed: seed)
            let prior = build(&rng)
            let mean = Fixtures.matrix(rows, latent, seed: seed &+ 1)
            let logVariance = Fixtures.matrix(rows, latent, seed: seed &+ 2, scale: 0.5)
            let weights = Fixtures.matrix(rows, latent, seed: seed &+ 3)
            return GradientProblem(parameters: prior.parameters, inputs: [mean, logVariance], checkedInputs: [0, 1],
                                   seed: seed, mode: mode) { inputs, context, backward in
                let posterior = GaussianPosterior(mean: inputs[0], logVariance: inputs[1], context: &context)
                // A prior accumulates into its own parameters (VampPrior) in every call: loss-only calls restore them.
                let saved = prior.parameters.map(\.gradient)
                let kl = prior.divergence(from: posterior, weight: weight, context: &context)
                let loss = weight * kl.value + Kernels.dot(posterior.sample, weights)
                if !backward { for (parameter, gradient) in zip(prior.parameters, saved) { parameter.gradient = gradient } }
                guard backward else { return (loss, []) }
                var dz = weights                                                  // ∂(Σ z ⊙ R)/∂z = R
                Kernels.axpy(1, kl.sample, &dz)
                let (dMean, dLogVariance) = posterior.backward(sampleGradient: dz)
                return (loss, [Kernels.add(dMean, kl.mean), Kernels.add(dLogVariance, kl.logVariance)])
            }
        }
    }
}

/// The table: adding a layer, likelihood or prior to the gradient tests is one line here.
enum GradientCases {
    static let layers: [GradientCase] = [
        .layer("Dense") { Dense(inputSize: 4, outputSize: 3, name: "d", biasInitialization: .truncatedNormal(standardDeviation: 0.5), rng: &$0) },
        .layer("Dense glorotNormal") { Dense(inputSize: 4, outputSize: 2, name: "d", weightInitialization: .glorotNormal, rng: &$0) },
        .layer("Activation identity") { _ in ActivationLayer(.identity) },
        .layer("Activation tanh") { _ in ActivationLayer(.tanh) },
        .layer("Activation sigmoid") { _ in ActivationLayer(.sigmoid) },
        .layer("Activation relu") { _ in ActivationLayer(.relu) },
        .layer("Activation selu") { _ in ActivationLayer(.selu) },
        .layer("Activation swish") { _ in ActivationLayer(.swish) },
        .layer("LayerNorm ε = 0.1 (RecVAE's), random gain and bias", inputSize: 5) { rng in
            LayerNorm(gain: Parameter(name: "ln.gain", value: Kernels.randomUniform(rows: 1, columns: 5, low: 0.5, high: 1.5, using: &rng)),
                      bias: Parameter(name: "ln.bias", value: Kernels.randomUniform(rows: 1, columns: 5, low: -1, high: 1, using: &rng)),
                      epsilon: 0.1)
        },
        .layer("LayerNorm ε = 1e-5 (torch's default), fresh", batch: 4, inputSize: 3) { _ in LayerNorm(width: 3, name: "ln") },
        .layer("Dense-swish-LayerNorm (a RecVAE encoder layer)") { rng in
            Chain(Dense(inputSize: 4, outputSize: 6, name: "fc", rng: &rng), ActivationLayer(.swish), LayerNorm(width: 6, epsilon: 0.1, name: "ln"))
        },
        .layer("Dropout training, fixed seed") { _ in Dropout(keepProbability: 0.6) },
        .layer("Dropout inference", mode: .inference) { _ in Dropout(keepProbability: 0.6) },
        .layer("GatedDense") { GatedDense(inputSize: 4, outputSize: 3, name: "g", rng: &$0) },
        .layer("TiedDense after its Dense (shared weight, two uses)") { rng in
            let encoder = Dense(inputSize: 4, outputSize: 3, name: "enc", rng: &rng)
            return Chain(encoder, ActivationLayer(.tanh),
                         TiedDense(transposing: encoder, name: "dec", biasInitialization: .truncatedNormal(standardDeviation: 0.3), rng: &rng))
        },
        .layer("Chain Dense-tanh-Dropout-Dense") { rng in
            Chain(Dense(inputSize: 4, outputSize: 5, name: "a", rng: &rng), ActivationLayer(.tanh),
                  Dropout(keepProbability: 0.5), Dense(inputSize: 5, outputSize: 3, name: "b", rng: &rng))
        },
        .layer("MLP selu") { MLP(sizes: [4, 5, 3], activation: .selu, name: "mlp", rng: &$0) },
        .layer("MLP tanh, sigmoid output") { MLP(sizes: [4, 3, 2, 3], activation: .tanh, outputActivation: .sigmoid, name: "m", rng: &$0) },
        .layer("AnyLayer(Dense)") { AnyLayer(Dense(inputSize: 4, outputSize: 2, name: "x", rng: &$0)) },
        .layer("LogVarianceClamp, some logσ² clamped", inputSize: 6) { _ in LogVarianceClamp(bounds: -0.7...0.6) },
        .layer("Dense with PyTorch's U(±1/√In) bias") { Dense(inputSize: 4, outputSize: 3, name: "d", biasInitialization: .fanIn(4), rng: &$0) },
    ]

    static let sparseLayers: [GradientCase] = [
        .sparseLayer("SparseDense") { SparseDense(inputSize: 6, outputSize: 3, name: "s", rng: &$0) },
        .sparseLayer("SparseDense after sparse dropout", dropout: 0.5) { SparseDense(inputSize: 6, outputSize: 3, name: "s", rng: &$0) },
        .sparseLayer("SparseHiddenLayer tanh") { rng in
            SparseHiddenLayer(linear: SparseDense(inputSize: 6, outputSize: 3, name: "s", rng: &rng), gate: nil, activation: .tanh)
        },
        .sparseLayer("SparseHiddenLayer gated", dropout: 0.5) { rng in
            SparseHiddenLayer(linear: SparseDense(inputSize: 6, outputSize: 3, name: "s", rng: &rng),
                              gate: SparseDense(inputSize: 6, outputSize: 3, name: "s.gate", biasInitialization: .fanIn(6), rng: &rng))
        },
    ]

    static let likelihoods: [GradientCase] = [
        .likelihood("Multinomial mean over users", MultinomialLikelihood()) { Fixtures.sparse($0, $1, seed: $2) },
        .likelihood("Multinomial sum", MultinomialLikelihood(reduction: .sum)) { Fixtures.sparse($0, $1, seed: $2) },
        .likelihood("Gaussian MSE", GaussianLikelihood()) { Fixtures.matrix($0, $1, seed: $2) },
        .likelihood("Masked Gaussian half sum (AutoRec)", MaskedGaussianLikelihood(reduction: .halfSum)) { Fixtures.sparse($0, $1, seed: $2) },
        .likelihood("Masked Gaussian mean over observed (DeepRec)", MaskedGaussianLikelihood(reduction: .meanOverEntries)) {
            Fixtures.sparse($0, $1, seed: $2)
        },
        .likelihood("Bernoulli", BernoulliLikelihood()) { Fixtures.binary($0, $1, seed: $2) },
        .likelihood("Bernoulli mean over entries", BernoulliLikelihood(reduction: .meanOverEntries)) { Fixtures.binary($0, $1, seed: $2) },
    ]

    static let priors: [GradientCase] = [
        .prior("StandardNormal + reparameterisation") { _ in StandardNormalPrior() },
        .prior("StandardNormal at inference (z = μ)", mode: .inference) { _ in StandardNormalPrior() },
        .prior("StandardNormal, weight 0", weight: 0) { _ in StandardNormalPrior() },
        .prior("VampPrior K = 3, shared Dense-tanh-Dense encoder, clamped pseudo-inputs") { rng in
            let encoder = Chain(Dense(inputSize: 5, outputSize: 6, name: "enc.0", rng: &rng), ActivationLayer(.tanh),
                                Dense(inputSize: 6, outputSize: 8, name: "enc.1", rng: &rng))
            return VampPrior(componentCount: 3, inputSize: 5, encoder: AnyLayer(encoder), initialMean: 0.5,
                             initialStandardDeviation: 0.2, rng: &rng)
        },
        .prior("VampPrior with dropout on the pseudo-inputs, unclamped", seed: 43) { rng in
            let encoder = Chain(Dropout(keepProbability: 0.7), Dense(inputSize: 5, outputSize: 8, name: "enc", rng: &rng))
            return VampPrior(componentCount: 4, inputSize: 5, encoder: AnyLayer(encoder), pseudoInputBounds: nil, rng: &rng)
        },
    ]

    static let observedEntries: [GradientCase] = [
        .sampledDense("SampledDense, identity") { SampledDense(inputSize: 3, outputSize: 5, name: "w", rng: &$0) },
        .observedLikelihood("ObservedGaussian sum (AutoRec)", ObservedGaussianLikelihood(reduction: .sum)),
        .observedLikelihood("ObservedGaussian mean over entries", ObservedGaussianLikelihood(reduction: .meanOverEntries)),
        .penalty("L2Penalty λ = 0.7 on two weights", lambda: 0.7),
    ]

    static let conditionalPriors: [GradientCase] = [
        .conditionalPrior("ConditionalGaussianPrior, Dense-tanh-Dense network") { rng in
            Chain(Dense(inputSize: 3, outputSize: 5, name: "p.0", rng: &rng), ActivationLayer(.tanh),
                  Dense(inputSize: 5, outputSize: 8, name: "p.1", rng: &rng))
        },
        .conditionalPrior("ConditionalGaussianPrior, gated network with a clamped head", weight: 0.4, seed: 63) { rng in
            Chain(GatedDense(inputSize: 3, outputSize: 5, name: "p.0", rng: &rng),
                  Dense(inputSize: 5, outputSize: 8, name: "p.head", rng: &rng), LogVarianceClamp(bounds: -1...1))
        },
    ]

    static var all: [GradientCase] { layers + sparseLayers + likelihoods + priors + observedEntries + conditionalPriors + compositePriors }
}

@Suite struct GradientTests {
    @Test(arguments: GradientCases.all)
    func analyticMatchesCentralDifferences(_ testCase: GradientCase) {
        let (passed, worst) = GradientChecker().check(testCase.make())
        #expect(passed, "\(testCase.name): \(worst.map(\.description).joined(separator: "; "))")
        #expect(!worst.isEmpty, "\(testCase.name) checked no tensor")
    }
}
