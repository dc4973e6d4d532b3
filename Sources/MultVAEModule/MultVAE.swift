import Kernels
import ModelKit
import NeuralNet
import RecCore
import TensorCore

/// Mult-VAE (Liang et al., WWW 2018): a VAE with a multinomial likelihood over items,
/// [I → 600 → 200 → 600 → I] with tanh, trained on the β-annealed ELBO.
public final class MultVAE: Recommender, TrainableModel {
    /// The settings this model was built with.
    public let configuration: MultVAEConfiguration
    /// The number of items (input and output width).
    public let itemCount: Int
    /// First encoder layer, reading the sparse click batch: [I, H₁].
    let inputLayer: SparseDense
    /// The rest of the encoder: tanh, then Dense layers down to [μ | logσ²] (2Z wide, no activation).
    let encoderTail: Chain
    /// The decoder: Z → … → H₁ → I with tanh between layers and identity logits.
    let decoder: MLP
    let inputDropout: Dropout
    let likelihood = MultinomialLikelihood(reduction: .meanOverRows)
    let prior = StandardNormalPrior()
    /// The [B, I] logit buffer, reused by every training step (see `Workspace`).
    let workspace = Workspace()
    var rng: RandomGenerator

    /// A freshly initialised model for `itemCount` items.
    public init(itemCount: Int, configuration: MultVAEConfiguration = .paper) {
        precondition(itemCount > 0 && configuration.hiddenSizes.count >= 1,
                     "MultVAE needs items and at least a latent size, got \(itemCount) items, hidden \(configuration.hiddenSizes)")
        self.configuration = configuration
        self.itemCount = itemCount
        var rng = RandomGenerator(seed: configuration.seed)
        let hidden = configuration.hiddenSizes
        let latent = hidden[hidden.count - 1]
        let weights = WeightInitialization.glorotNormal
        let biases = BiasInitialization.multVAE                           // truncated N(0, 0.001²)
        // Encoder widths: I → hidden[0] → … → hidden[n−2] → 2·Z.
        let encoderWidths = [itemCount] + hidden.dropLast() + [2 * latent]
        inputLayer = SparseDense(inputSize: itemCount, outputSize: encoderWidths[1], name: "encoder.0",
                                 weightInitialization: weights, biasInitialization: biases, rng: &rng)
        if encoderWidths.count > 2 {
            let tail = MLP(sizes: Array(encoderWidths[1...]), activation: .tanh, name: "encoder.tail",
                           weightInitialization: weights, biasInitialization: biases, rng: &rng)
            encoderTail = Chain([AnyLayer(ActivationLayer(.tanh)), AnyLayer(tail)])
        } else {
            encoderTail = Chain([])
        }
        // Decoder widths mirror the encoder: Z → hidden[n−2] → … → hidden[0] → I.
        decoder = MLP(sizes: [latent] + hidden.dropLast().reversed() + [itemCount], activation: .tanh,
                      name: "decoder", weightInitialization: weights, biasInitialization: biases, rng: &rng)
        inputDropout = Dropout(keepProbability: 1 - configuration.dropout)
        self.rng = rng
    }

    /// Every trainable parameter, encoder first.
    public var parameters: [Parameter] { inputLayer.parameters + encoderTail.parameters + decoder.parameters }

    /// The number of trainable scalars.
    public var parameterCount: Int { parameters.scalarCount }

    /// One β-ELBO step: forward on the batch, backward into every parameter; returns NLL + β·KL.
    public func lossAndGradients(batch: SparseMatrix, step: TrainingStep, context: inout ForwardContext) -> Double {
        let normalized = Kernels.l2NormalizeRows(batch)                               // x / ‖x‖₂
        let dropped = inputDropout.apply(sparse: normalized, context: &context)
        let (h, inputCache) = inputLayer.forward(sparse: dropped, context: &context)    // [B, H₁]
        let (encoded, tailCache) = encoderTail.forward(h, context: &context)            // [B, 2Z]
        let posterior = GaussianPosterior(encoderOutput: encoded, pairedNoise: true, context: &context) // ε: paired Box–Muller
        var logits = workspace.take("logits")                                           // storage from the last step
        let decoderCache = decoder.forward(posterior.sample, into: &logits, context: &context) // [B, I]
        let nll = likelihood.negativeLogLikelihood(replacingWithGradient: &logits, target: batch) // logits ← ∂L/∂logits
        let kl = prior.divergence(from: posterior, weight: step.klWeight, context: &context)

        let dSample = decoder.backward(logits, cache: decoderCache)                     // ∂L/∂z
        workspace.keep(logits, as: "logits")
        let (dMean, dLogVariance) = posterior.backward(sampleGradient: dSample)
        let dEncoded = GaussianPosterior.encoderGradient(                               // ∂/∂[μ|logσ²], + β·∂KL
            mean: Kernels.add(dMean, kl.mean), logVariance: Kernels.add(dLogVariance, kl.logVariance))
        let dH = encoderTail.backward(dEncoded, cache: tailCache)
        inputLayer.backward(dH, cache: inputCache)
        return nll + step.klWeight * kl.value
    }

    /// Logits for each history row (z = μ, no dropout); ranking by logits equals ranking by softmax.
    public func scores(for histories: SparseMatrix) -> Matrix {
        precondition(histories.columns == itemCount, "MultVAE: histories have \(histories.columns) items, model has \(itemCount)")
        return RankingTraining.batchedScores(histories, batchSize: 2_000) { batch in
            var context = ForwardContext(mode: .inference, seed: 0)
            let (h, _) = inputLayer.forward(sparse: Kernels.l2NormalizeRows(batch), context: &context)
            let (encoded, _) = encoderTail.forward(h, context: &context)
            let latent = encoded.columns / 2
            let mean = Kernels.columns(0..<latent, of: encoded)                          // z = μ
            return decoder.forward(mean, context: &context).output
        }
    }

    /// Trains with Adam and per-update KL annealing, keeping the best validation NDCG@100 epoch.
    public func fit(train: SparseMatrix, validation: HeldOutUsers?,
                    progress: @escaping (EpochProgress) -> Void) throws -> FitSummary {
        try fit(train: train, validation: validation, resume: nil, onEpochEnd: nil, progress: progress)
    }
}

extension MultVAE {
    /// The zoo entry `mult-vae`.
    public static let zooEntry = ModelEntry(
        name: "mult-vae",
        summary: "Mult-VAE: multinomial VAE, [I-600-200-600-I], β annealed to 0.2 (Liang et al., WWW 2018)"
    ) { itemCount, options in
        MultVAE(itemCount: itemCount, configuration: try MultVAEConfiguration.from(options))
    }
}
