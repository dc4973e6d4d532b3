import ModelKit
import NeuralNet
import RecCore
import TensorCore

/// Mult-VAE (Liang et al., WWW 2018): a VAE with a multinomial likelihood over items,
/// [I → 600 → 200 → 600 → I] with tanh, trained on the β-annealed ELBO.
public final class MultVAE: StepTrainedModel {
    /// The settings this model was built with.
    public let configuration: MultVAEConfiguration
    /// The number of items (input and output width).
    public let itemCount: Int
    /// The encoder: its first layer reads the sparse click batch ([I, H₁]); the rest is tanh, then
    /// Dense layers down to [μ | logσ²] (2Z wide, no activation).
    let inputLayer: SparseDense, encoderTail: Chain
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

    /// Adam (lr 1e-3) on batches of 500 users, β annealed per update to 0.2 over 200,000 updates.
    public var recipe: TrainingRecipe {
        TrainingRecipe(epochs: configuration.epochs,
                       stepping: .miniBatch(batchSize: configuration.batchSize, optimizer: Adam(learningRate: configuration.learningRate)),
                       klSchedule: .annealPerUpdate(cap: configuration.betaCap, totalAnnealSteps: configuration.annealSteps),
                       patience: configuration.patience)
    }

    /// Training draws from a generator split off the model's own (initialisation came first).
    public func makeTrainingContext() -> ForwardContext { ForwardContext(mode: .training, rng: rng.split()) }

    /// One β-ELBO step: forward on the batch, backward into every parameter; returns NLL + β·KL.
    public func lossAndGradients(batch: SparseMatrix, step: TrainingStep, context: inout ForwardContext) -> Double {
        let normalized = batch.l2NormalizedRows()                                      // x / ‖x‖₂
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
            mean: dMean + kl.mean, logVariance: dLogVariance + kl.logVariance)
        let dH = encoderTail.backward(dEncoded, cache: tailCache)
        inputLayer.backward(dH, cache: inputCache)
        return nll + step.klWeight * kl.value
    }

    /// Logits for each history row (z = μ, no dropout); ranking by logits equals ranking by softmax.
    public func scores(for histories: SparseMatrix) -> Matrix {
        precondition(histories.columns == itemCount, "MultVAE: histories have \(histories.columns) items, model has \(itemCount)")
        return RowBatches.scores(histories, batchSize: 2_000) { batch in
            var context = ForwardContext(mode: .inference, seed: 0)
            let (h, _) = inputLayer.forward(sparse: batch.l2NormalizedRows(), context: &context)
            let (encoded, _) = encoderTail.forward(h, context: &context)
            let mean = encoded.columns(in: 0..<(encoded.columns / 2))                    // z = μ
            return decoder.forward(mean, context: &context).output
        }
    }
}
