import ModelKit
import NeuralNet
import RecCore
import TensorCore

/// The VampPrior VAE for collaborative filtering (Kim & Suh, RecSys 2019, "Vamp"): Mult-VAE's
/// multinomial VAE [I → 600 → 200 → 600 → I] whose prior is the VampPrior p(z) = (1/K) Σ_k q(z|u_k)
/// (Tomczak & Welling 2018) over K = 1000 learned pseudo-inputs run through the same encoder.
public final class VampPriorVAE: StepTrainedModel {
    /// The settings this model was built with.
    public let configuration: VampPriorConfiguration
    /// The number of items (input and output width).
    public let itemCount: Int
    /// q(z|x): the first layer on the sparse batch (I → H), then hidden layers and H → [μ | logσ²]
    /// with logσ² clamped.
    let inputBlock: SparseHiddenLayer, encoderTail: Chain
    /// p(x|z): Z → H (→ H …) → I logits.
    let decoder: Chain
    /// The VampPrior, running [dropout →] the input block's dense twin → `encoderTail` on its pseudo-inputs.
    let prior: VampPrior
    let inputDropout: Dropout
    var rng: RandomGenerator

    /// A freshly initialised model for `itemCount` items.
    public init(itemCount: Int, configuration: VampPriorConfiguration = .vampPrior) {
        precondition(itemCount > 0 && configuration.layerCount >= 1,
                     "VampPriorVAE needs items and at least one layer, got \(itemCount) items, \(configuration.layerCount) layers")
        self.configuration = configuration
        self.itemCount = itemCount
        let c = configuration
        var rng = RandomGenerator(seed: c.seed)
        inputBlock = VampPriorLayers.sparseInput(itemCount, c.hiddenSize, name: "q.0", gated: c.gated, rng: &rng)
        encoderTail = Chain(VampPriorLayers.blocks(c.layerCount - 1, size: c.hiddenSize, name: "q.hidden", gated: c.gated, rng: &rng)
                            + VampPriorLayers.gaussianHead(c.hiddenSize, latent: c.latentSize, name: "q.head",
                                                           bounds: c.logVarianceBounds, rng: &rng))
        decoder = Chain(VampPriorLayers.block(c.latentSize, c.hiddenSize, name: "p.0", gated: c.gated, rng: &rng)
                        + VampPriorLayers.blocks(c.layerCount - 1, size: c.hiddenSize, name: "p.hidden", gated: c.gated, rng: &rng)
                        + [AnyLayer(VampPriorLayers.dense(c.hiddenSize, itemCount, name: "p.logits", rng: &rng))])
        inputDropout = Dropout(keepProbability: 1 - c.dropout)
        prior = VampPriorLayers.prior(c, itemCount: itemCount, dropout: inputDropout, encoder: inputBlock, encoderTail, rng: &rng)
        self.rng = rng
    }

    /// Every trainable parameter: encoder, decoder, pseudo-inputs.
    public var parameters: [Parameter] {
        (inputBlock.parameters + encoderTail.parameters + decoder.parameters + prior.parameters).uniqued()
    }

    /// Adam on batches of 200 users, β warmed up per epoch, early stopping (`VampPriorConfiguration.recipe`).
    public var recipe: TrainingRecipe { configuration.recipe }

    /// Training draws from a generator split off the model's own (initialisation came first).
    public func makeTrainingContext() -> ForwardContext { ForwardContext(mode: .training, rng: rng.split()) }

    /// One β-ELBO step: NLL + β·(log q(z|x) − log p(z)), gradients into every parameter.
    public func lossAndGradients(batch: SparseMatrix, step: TrainingStep, context: inout ForwardContext) -> Double {
        let beta = step.klWeight
        let dropped = inputDropout.apply(sparse: batch.l2NormalizedRows(), context: &context)       // x/‖x‖₂, dropout
        let (h, inputCache) = inputBlock.forward(sparse: dropped, context: &context)                  // [B, H]
        let (encoded, tailCache) = encoderTail.forward(h, context: &context)                          // [B, 2Z]
        let posterior = GaussianPosterior(encoderOutput: encoded, context: &context)
        let (logits, decoderCache) = decoder.forward(posterior.sample, context: &context)             // [B, I]
        let (nll, dLogits) = configuration.likelihood.negativeLogLikelihood(logits, target: batch)
        let kl = prior.divergence(from: posterior, weight: beta, context: &context)                   // pseudo-input pass inside

        var dz = decoder.backward(dLogits, cache: decoderCache)                                       // ∂NLL/∂z
        dz += kl.sample                                                                               // + β·∂KL/∂z
        let (dMean, dLogVariance) = posterior.backward(sampleGradient: dz)                           // z = μ + σ·ε
        let dEncoded = GaussianPosterior.encoderGradient(mean: dMean + kl.mean, logVariance: dLogVariance + kl.logVariance)
        inputBlock.backward(encoderTail.backward(dEncoded, cache: tailCache), cache: inputCache)
        return nll + beta * kl.value
    }

    /// Logits for each history row (z = μ, no dropout).
    public func scores(for histories: SparseMatrix) -> Matrix {
        precondition(histories.columns == itemCount, "VampPriorVAE: histories have \(histories.columns) items, model has \(itemCount)")
        return RowBatches.scores(histories, batchSize: 2_000) { batch in
            var context = ForwardContext(mode: .inference, seed: 0)
            let (h, _) = inputBlock.forward(sparse: batch.l2NormalizedRows(), context: &context)
            let (encoded, _) = encoderTail.forward(h, context: &context)
            let mean = encoded.columns(in: 0..<configuration.latentSize)                                // z = μ
            return decoder.forward(mean, context: &context).output
        }
    }
}
