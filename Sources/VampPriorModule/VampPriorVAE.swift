import Kernels
import ModelKit
import NeuralNet
import RecCore
import TensorCore

/// The VampPrior VAE for collaborative filtering (Kim & Suh, RecSys 2019, "Vamp"): Mult-VAE's
/// multinomial VAE [I → 600 → 200 → 600 → I] whose prior is the VampPrior p(z) = (1/K) Σ_k q(z|u_k)
/// (Tomczak & Welling 2018) over K = 1000 learned pseudo-inputs run through the same encoder.
public final class VampPriorVAE: Recommender, TrainableModel {
    /// The settings this model was built with.
    public let configuration: VampPriorConfiguration
    /// The number of items (input and output width).
    public let itemCount: Int
    /// First encoder layer on the sparse batch, I → H.
    let inputBlock: SparseInputBlock
    /// The rest of q(z|x): hidden layers, then H → [μ | logσ²] with logσ² clamped.
    let encoderTail: Chain
    /// p(x|z): Z → H (→ H …) → I logits.
    let decoder: Chain
    /// The VampPrior, running [dropout →] the input block's dense twin → `encoderTail` on its pseudo-inputs.
    let prior: VampPrior
    let inputDropout: Dropout
    let likelihood = MultinomialLikelihood(reduction: .meanOverRows)
    var rng: RandomGenerator

    /// A freshly initialised model for `itemCount` items.
    public init(itemCount: Int, configuration: VampPriorConfiguration = .vampPrior) {
        precondition(itemCount > 0 && configuration.layerCount >= 1,
                     "VampPriorVAE needs items and at least one layer, got \(itemCount) items, \(configuration.layerCount) layers")
        self.configuration = configuration
        self.itemCount = itemCount
        let c = configuration
        var rng = RandomGenerator(seed: c.seed)
        inputBlock = SparseInputBlock(itemCount, c.hiddenSize, name: "q.0", gated: c.gated, rng: &rng)
        encoderTail = Chain(VampPriorLayers.blocks(c.layerCount - 1, size: c.hiddenSize, name: "q.hidden", gated: c.gated, rng: &rng)
                            + VampPriorLayers.gaussianHead(c.hiddenSize, latent: c.latentSize, name: "q.head",
                                                           bounds: c.logVarianceBounds, rng: &rng))
        decoder = Chain(VampPriorLayers.block(c.latentSize, c.hiddenSize, name: "p.0", gated: c.gated, rng: &rng)
                        + VampPriorLayers.blocks(c.layerCount - 1, size: c.hiddenSize, name: "p.hidden", gated: c.gated, rng: &rng)
                        + [AnyLayer(VampPriorLayers.dense(c.hiddenSize, itemCount, name: "p.logits", rng: &rng))])
        inputDropout = Dropout(keepProbability: 1 - c.dropout)
        let pseudoDropout = c.pseudoInputDropout && c.dropout > 0 ? [AnyLayer(inputDropout)] : []
        prior = VampPrior(componentCount: c.componentCount, inputSize: itemCount,
                          encoder: AnyLayer(Chain(pseudoDropout + inputBlock.denseLayers + [AnyLayer(encoderTail)])),
                          name: "prior.pseudoinputs", initialMean: c.pseudoInputMean,
                          initialStandardDeviation: c.pseudoInputStandardDeviation, pseudoInputBounds: 0...1, rng: &rng)
        self.rng = rng
    }

    /// Every trainable parameter: encoder, decoder, pseudo-inputs.
    public var parameters: [Parameter] {
        (inputBlock.parameters + encoderTail.parameters + decoder.parameters + prior.parameters).uniqued()
    }

    /// The number of trainable scalars (the K×I pseudo-inputs included).
    public var parameterCount: Int { parameters.scalarCount }

    /// One β-ELBO step: NLL + β·(log q(z|x) − log p(z)), gradients into every parameter.
    public func lossAndGradients(batch: SparseMatrix, step: TrainingStep, context: inout ForwardContext) -> Double {
        let beta = step.klWeight
        let dropped = inputDropout.apply(sparse: Kernels.l2NormalizeRows(batch), context: &context)  // x/‖x‖₂, dropout
        let (h, inputCache) = inputBlock.forward(sparse: dropped, context: &context)                  // [B, H]
        let (encoded, tailCache) = encoderTail.forward(h, context: &context)                          // [B, 2Z]
        let posterior = GaussianPosterior(encoderOutput: encoded, context: &context)
        let (logits, decoderCache) = decoder.forward(posterior.sample, context: &context)             // [B, I]
        let (nll, dLogits) = likelihood.negativeLogLikelihood(logits, target: batch)
        let kl = prior.divergence(from: posterior, weight: beta, context: &context)                   // pseudo-input pass inside

        var dz = decoder.backward(dLogits, cache: decoderCache)                                       // ∂NLL/∂z
        Kernels.axpy(1, kl.sample, &dz)                                                               // + β·∂KL/∂z
        let (dMean, dLogVariance) = posterior.backward(sampleGradient: dz)                           // z = μ + σ·ε
        let dEncoded = GaussianPosterior.encoderGradient(mean: Kernels.add(dMean, kl.mean),
                                                         logVariance: Kernels.add(dLogVariance, kl.logVariance))
        inputBlock.backward(encoderTail.backward(dEncoded, cache: tailCache), cache: inputCache)
        return nll + beta * kl.value
    }

    /// Logits for each history row (z = μ, no dropout).
    public func scores(for histories: SparseMatrix) -> Matrix {
        precondition(histories.columns == itemCount, "VampPriorVAE: histories have \(histories.columns) items, model has \(itemCount)")
        return RankingTraining.batchedScores(histories, batchSize: 2_000) { batch in
            var context = ForwardContext(mode: .inference, seed: 0)
            let (h, _) = inputBlock.forward(sparse: Kernels.l2NormalizeRows(batch), context: &context)
            let (encoded, _) = encoderTail.forward(h, context: &context)
            let mean = Kernels.columns(0..<configuration.latentSize, of: encoded)                     // z = μ
            return decoder.forward(mean, context: &context).output
        }
    }

    /// Trains with Adam, β warmed up per epoch, keeping the best validation NDCG@100 epoch.
    public func fit(train: SparseMatrix, validation: HeldOutUsers?,
                    progress: @escaping (EpochProgress) -> Void) throws -> FitSummary {
        try fit(train: train, validation: validation, resume: nil, onEpochEnd: nil, progress: progress)
    }
}

extension VampPriorConfiguration {
    /// The trainer's settings: epochs, batch, β warm-up, patience.
    var rankingSettings: RankingTrainingSettings {
        RankingTrainingSettings(configuration: TrainingConfiguration(
            epochs: epochs, batchSize: batchSize, klSchedule: klSchedule, patience: patience))
    }
}

extension VampPriorVAE {
    /// The zoo entry `vampprior-vae`.
    public static let zooEntry = ModelEntry(
        name: "vampprior-vae",
        summary: "VampPrior VAE: Mult-VAE [I-600-200-600-I] with a VampPrior of K=1000 pseudo-inputs (Kim & Suh, RecSys 2019; Tomczak & Welling 2018)",
        builtInDataOverrides: ["components": "100"]   // K = 1000 is sized for ML-20M's 116k training users
    ) { itemCount, options in
        VampPriorVAE(itemCount: itemCount,
                     configuration: try .from(options, model: "vampprior-vae", base: .vampPrior))
    }
}
