import ModelKit
import NeuralNet
import RecCore
import TensorCore

/// H+Vamp and H+Vamp (Gated) (Kim & Suh, RecSys 2019): a two-latent VAE with q(z₂|x), q(z₁|x, z₂),
/// a learned prior p(z₁|z₂), the VampPrior on z₂ and a multinomial (or Bernoulli) decoder p(x|z₁, z₂);
/// z₁ = z₂ = 200, hidden 600; gated linear units in place of tanh layers in the gated variant.
public final class HierarchicalVampPriorVAE: StepTrainedModel {
    /// The settings this model was built with.
    public let configuration: VampPriorConfiguration
    /// The number of items (input and output width).
    public let itemCount: Int
    /// q(z₂|x): the sparse first layer, then hidden layers and the [μ₂ | logσ₂²] head.
    let topInput: SparseHiddenLayer, topTail: Chain
    /// q(z₁|x, z₂): its own sparse layer on x, a layer on z₂, then joint layers on the concatenation and the head.
    let lowerInput: SparseHiddenLayer, lowerFromTop: Chain, lowerJoint: Chain
    /// p(z₁|z₂): layers on z₂ and the [μ | logσ²] head.
    let conditionalPrior: ConditionalGaussianPrior
    /// p(x|z₁, z₂): a layer on each latent, joint layers on the concatenation, then I logits.
    let decoderFromLower: Chain, decoderFromTop: Chain, decoderJoint: Chain
    /// The VampPrior on z₂, running [dropout →] `topInput`'s dense twin → `topTail` on its pseudo-inputs.
    let prior: VampPrior
    let inputDropout: Dropout
    var rng: RandomGenerator

    /// A freshly initialised model for `itemCount` items.
    public init(itemCount: Int, configuration: VampPriorConfiguration = .hierarchicalGated) {
        precondition(itemCount > 0 && configuration.layerCount >= 1,
                     "HierarchicalVampPriorVAE needs items and at least one layer, got \(itemCount) items, \(configuration.layerCount) layers")
        self.configuration = configuration
        self.itemCount = itemCount
        let c = configuration, h = c.hiddenSize, gated = c.gated
        var rng = RandomGenerator(seed: c.seed)
        typealias L = VampPriorLayers
        // Layer counts of the reference `HVamp.py`: q(z₂|x) and p(z₁|z₂) have num_layers layers, the
        // joint parts of q(z₁|x, z₂) and p(x|z₁, z₂) one layer on [H | H] plus num_layers − 2.
        topInput = L.sparseInput(itemCount, h, name: "q2.0", gated: gated, rng: &rng)
        topTail = Chain(L.blocks(c.layerCount - 1, size: h, name: "q2.hidden", gated: gated, rng: &rng)
                        + L.gaussianHead(h, latent: c.latentSize, name: "q2.head", bounds: c.logVarianceBounds, rng: &rng))
        lowerInput = L.sparseInput(itemCount, h, name: "q1.x", gated: gated, rng: &rng)
        lowerFromTop = Chain(L.block(c.latentSize, h, name: "q1.z2", gated: gated, rng: &rng))
        lowerJoint = Chain(L.block(2 * h, h, name: "q1.joint", gated: gated, rng: &rng)
                           + L.blocks(c.layerCount - 2, size: h, name: "q1.hidden", gated: gated, rng: &rng)
                           + L.gaussianHead(h, latent: c.lowerLatentSize, name: "q1.head", bounds: c.logVarianceBounds, rng: &rng))
        conditionalPrior = ConditionalGaussianPrior(network: Chain(
            L.block(c.latentSize, h, name: "pz1.0", gated: gated, rng: &rng)
            + L.blocks(c.layerCount - 1, size: h, name: "pz1.hidden", gated: gated, rng: &rng)
            + L.gaussianHead(h, latent: c.lowerLatentSize, name: "pz1.head", bounds: c.logVarianceBounds, rng: &rng)))
        decoderFromLower = Chain(L.block(c.lowerLatentSize, h, name: "px.z1", gated: gated, rng: &rng))
        decoderFromTop = Chain(L.block(c.latentSize, h, name: "px.z2", gated: gated, rng: &rng))
        decoderJoint = Chain(L.block(2 * h, h, name: "px.joint", gated: gated, rng: &rng)
                             + L.blocks(c.layerCount - 2, size: h, name: "px.hidden", gated: gated, rng: &rng)
                             + [AnyLayer(L.dense(h, itemCount, name: "px.logits", rng: &rng))])
        inputDropout = Dropout(keepProbability: 1 - c.dropout)
        prior = L.prior(c, itemCount: itemCount, dropout: inputDropout, encoder: topInput, topTail, rng: &rng)
        self.rng = rng
    }

    /// Every trainable parameter: the encoders, p(z₁|z₂), the decoder, the pseudo-inputs.
    public var parameters: [Parameter] {
        let encoders = topInput.parameters + topTail.parameters + lowerInput.parameters + lowerFromTop.parameters
            + lowerJoint.parameters
        let decoders = conditionalPrior.parameters + decoderFromLower.parameters + decoderFromTop.parameters
            + decoderJoint.parameters
        return (encoders + decoders + prior.parameters).uniqued()
    }

    /// Adam on batches of 200 users, β warmed up per epoch, early stopping (`VampPriorConfiguration.recipe`).
    public var recipe: TrainingRecipe { configuration.recipe }

    /// Training draws from a generator split off the model's own (initialisation came first).
    public func makeTrainingContext() -> ForwardContext { ForwardContext(mode: .training, rng: rng.split()) }

    /// Logits of p(x|z₁, z₂) for the given latents, with the caches of the three decoder parts.
    func decode(lower z1: Matrix, top z2: Matrix, context: inout ForwardContext)
        -> (logits: Matrix, caches: (lower: [AnyLayerCache], top: [AnyLayerCache], joint: [AnyLayerCache])) {
        let (g1, lowerCache) = decoderFromLower.forward(z1, context: &context)                  // [B, H]
        let (g2, topCache) = decoderFromTop.forward(z2, context: &context)                      // [B, H]
        let (logits, jointCache) = decoderJoint.forward(g1.concatenatingColumns(g2), context: &context)
        return (logits, (lowerCache, topCache, jointCache))
    }

    /// Logits for each history row: z₂ = μ₂(x), z₁ = μ₁(x, z₂), no dropout (the reference's eval mode).
    public func scores(for histories: SparseMatrix) -> Matrix {
        precondition(histories.columns == itemCount,
                     "HierarchicalVampPriorVAE: histories have \(histories.columns) items, model has \(itemCount)")
        return RowBatches.scores(histories, batchSize: 2_000) { batch in
            var context = ForwardContext(mode: .inference, seed: 0)
            let x = batch.l2NormalizedRows()
            let (h2, _) = topInput.forward(sparse: x, context: &context)
            let z2 = topTail.forward(h2, context: &context).output.columns(in: 0..<configuration.latentSize)
            let (hx, _) = lowerInput.forward(sparse: x, context: &context)
            let (hz, _) = lowerFromTop.forward(z2, context: &context)
            let encoded = lowerJoint.forward(hx.concatenatingColumns(hz), context: &context).output
            let z1 = encoded.columns(in: 0..<configuration.lowerLatentSize)
            return decode(lower: z1, top: z2, context: &context).logits
        }
    }

    /// One β-ELBO step of the reference `HVamp.calculate_loss`, averaged over users:
    /// NLL + β·[log q(z₁|x, z₂) − log p(z₁|z₂) + log q(z₂|x) − log p(z₂)], one sample of each latent,
    /// p(z₂) the VampPrior. Gradients reach every network, the pseudo-inputs, and z₂ through all
    /// four of its uses (q(z₁|·), p(z₁|·), the decoder, the VampPrior term).
    public func lossAndGradients(batch: SparseMatrix, step: TrainingStep, context: inout ForwardContext) -> Double {
        let beta = step.klWeight
        let x = batch.l2NormalizedRows()                                                          // x/‖x‖₂
        // q(z₂|x)
        let (h2, topInputCache) = topInput.forward(sparse: inputDropout.apply(sparse: x, context: &context), context: &context)
        let (encodedTop, topTailCache) = topTail.forward(h2, context: &context)                    // [B, 2Z₂]
        let top = GaussianPosterior(encoderOutput: encodedTop, context: &context)
        // q(z₁|x, z₂): its own dropout mask on x, as the reference's separate nn.Dropout
        let (hx, lowerInputCache) = lowerInput.forward(sparse: inputDropout.apply(sparse: x, context: &context), context: &context)
        let (hz, lowerFromTopCache) = lowerFromTop.forward(top.sample, context: &context)
        let (encodedLower, lowerJointCache) = lowerJoint.forward(hx.concatenatingColumns(hz), context: &context)
        let lower = GaussianPosterior(encoderOutput: encodedLower, context: &context)            // [B, 2Z₁] → z₁
        // p(x|z₁, z₂)
        let (logits, decoderCaches) = decode(lower: lower.sample, top: top.sample, context: &context)
        let (nll, dLogits) = configuration.likelihood.negativeLogLikelihood(logits, target: batch)
        // KL terms: z₁ by one sample against p(z₁|z₂) (its network's gradients accumulate here);
        // z₂ against the VampPrior
        let lowerKL = conditionalPrior.divergence(from: lower, given: top.sample, weight: beta, context: &context)
        let topKL = prior.divergence(from: top, weight: beta, context: &context)

        // Backward: the decoder
        let dJoint = decoderJoint.backward(dLogits, cache: decoderCaches.joint)                 // ∂/∂[g₁ | g₂]
        let hidden = dJoint.columns / 2
        var dz1 = decoderFromLower.backward(dJoint.columns(in: 0..<hidden), cache: decoderCaches.lower)
        var dz2 = decoderFromTop.backward(dJoint.columns(in: hidden..<(2 * hidden)), cache: decoderCaches.top)
        lowerKL.addSampleGradient(to: &dz1)                                                       // β·KL(z₁) uses z₁ twice
        dz2 += lowerKL.condition                                                                  // p(z₁|z₂) uses z₂
        // q(z₁|x, z₂)
        let (dLowerMean, dLowerLogVariance) = lower.backward(sampleGradient: dz1)                 // z₁ = μ₁ + σ₁·ε₁
        let dEncodedLower = GaussianPosterior.encoderGradient(mean: dLowerMean + lowerKL.mean,
                                                              logVariance: dLowerLogVariance + lowerKL.logVariance)
        let dLowerJoint = lowerJoint.backward(dEncodedLower, cache: lowerJointCache)             // ∂/∂[h_x | h_z]
        lowerInput.backward(dLowerJoint.columns(in: 0..<hidden), cache: lowerInputCache)
        dz2 += lowerFromTop.backward(dLowerJoint.columns(in: hidden..<(2 * hidden)), cache: lowerFromTopCache) // q(z₁|x, z₂) uses z₂
        // q(z₂|x), with the VampPrior's ∂/∂z₂, ∂/∂μ₂, ∂/∂logσ₂²
        dz2 += topKL.sample
        let (dTopMean, dTopLogVariance) = top.backward(sampleGradient: dz2)                       // z₂ = μ₂ + σ₂·ε₂
        let dEncodedTop = GaussianPosterior.encoderGradient(mean: dTopMean + topKL.mean,
                                                            logVariance: dTopLogVariance + topKL.logVariance)
        topInput.backward(topTail.backward(dEncodedTop, cache: topTailCache), cache: topInputCache)
        return nll + beta * (lowerKL.value + topKL.value)
    }
}
