import Kernels
import ModelKit
import NeuralNet
import RecCore
import TensorCore

/// H+Vamp and H+Vamp (Gated) (Kim & Suh, RecSys 2019): a two-latent VAE with q(z₂|x), q(z₁|x, z₂),
/// a learned prior p(z₁|z₂), the VampPrior on z₂ and a multinomial decoder p(x|z₁, z₂);
/// z₁ = z₂ = 200, hidden 600; gated linear units in place of tanh layers in the gated variant.
public final class HierarchicalVampPriorVAE: Recommender, TrainableModel {
    /// The settings this model was built with.
    public let configuration: VampPriorConfiguration
    /// The number of items (input and output width).
    public let itemCount: Int
    /// q(z₂|x): the sparse first layer, then hidden layers and the [μ₂ | logσ₂²] head.
    let topInput: SparseInputBlock
    let topTail: Chain
    /// q(z₁|x, z₂): its own sparse layer on x, a layer on z₂, then joint layers on the concatenation and the head.
    let lowerInput: SparseInputBlock
    let lowerFromTop: Chain
    let lowerJoint: Chain
    /// p(z₁|z₂): layers on z₂ and the [μ | logσ²] head.
    let conditionalPrior: Chain
    /// p(x|z₁, z₂): a layer on each latent, joint layers on the concatenation, then I logits.
    let decoderFromLower: Chain
    let decoderFromTop: Chain
    let decoderJoint: Chain
    /// The VampPrior on z₂, running [dropout →] `topInput`'s dense twin → `topTail` on its pseudo-inputs.
    let prior: VampPrior
    let inputDropout: Dropout
    let likelihood = MultinomialLikelihood(reduction: .meanOverRows)
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
        topInput = SparseInputBlock(itemCount, h, name: "q2.0", gated: gated, rng: &rng)
        topTail = Chain(L.blocks(c.layerCount - 1, size: h, name: "q2.hidden", gated: gated, rng: &rng)
                        + L.gaussianHead(h, latent: c.latentSize, name: "q2.head", bounds: c.logVarianceBounds, rng: &rng))
        lowerInput = SparseInputBlock(itemCount, h, name: "q1.x", gated: gated, rng: &rng)
        lowerFromTop = Chain(L.block(c.latentSize, h, name: "q1.z2", gated: gated, rng: &rng))
        lowerJoint = Chain(L.block(2 * h, h, name: "q1.joint", gated: gated, rng: &rng)
                           + L.blocks(c.layerCount - 2, size: h, name: "q1.hidden", gated: gated, rng: &rng)
                           + L.gaussianHead(h, latent: c.lowerLatentSize, name: "q1.head", bounds: c.logVarianceBounds, rng: &rng))
        conditionalPrior = Chain(L.block(c.latentSize, h, name: "pz1.0", gated: gated, rng: &rng)
                                 + L.blocks(c.layerCount - 1, size: h, name: "pz1.hidden", gated: gated, rng: &rng)
                                 + L.gaussianHead(h, latent: c.lowerLatentSize, name: "pz1.head", bounds: c.logVarianceBounds, rng: &rng))
        decoderFromLower = Chain(L.block(c.lowerLatentSize, h, name: "px.z1", gated: gated, rng: &rng))
        decoderFromTop = Chain(L.block(c.latentSize, h, name: "px.z2", gated: gated, rng: &rng))
        decoderJoint = Chain(L.block(2 * h, h, name: "px.joint", gated: gated, rng: &rng)
                             + L.blocks(c.layerCount - 2, size: h, name: "px.hidden", gated: gated, rng: &rng)
                             + [AnyLayer(L.dense(h, itemCount, name: "px.logits", rng: &rng))])
        inputDropout = Dropout(keepProbability: 1 - c.dropout)
        let pseudoDropout = c.pseudoInputDropout && c.dropout > 0 ? [AnyLayer(inputDropout)] : []
        prior = VampPrior(componentCount: c.componentCount, inputSize: itemCount,
                          encoder: AnyLayer(Chain(pseudoDropout + topInput.denseLayers + [AnyLayer(topTail)])),
                          name: "prior.pseudoinputs", initialMean: c.pseudoInputMean,
                          initialStandardDeviation: c.pseudoInputStandardDeviation, pseudoInputBounds: 0...1, rng: &rng)
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

    /// The number of trainable scalars (the K×I pseudo-inputs included).
    public var parameterCount: Int { parameters.scalarCount }

    /// Logits of p(x|z₁, z₂) for the given latents, with the caches of the three decoder parts.
    func decode(lower z1: Matrix, top z2: Matrix, context: inout ForwardContext)
        -> (logits: Matrix, caches: (lower: [AnyLayerCache], top: [AnyLayerCache], joint: [AnyLayerCache])) {
        let (g1, lowerCache) = decoderFromLower.forward(z1, context: &context)                  // [B, H]
        let (g2, topCache) = decoderFromTop.forward(z2, context: &context)                      // [B, H]
        let (logits, jointCache) = decoderJoint.forward(Kernels.concatenateColumns(g1, g2), context: &context)
        return (logits, (lowerCache, topCache, jointCache))
    }

    /// Logits for each history row: z₂ = μ₂(x), z₁ = μ₁(x, z₂), no dropout (the reference's eval mode).
    public func scores(for histories: SparseMatrix) -> Matrix {
        precondition(histories.columns == itemCount,
                     "HierarchicalVampPriorVAE: histories have \(histories.columns) items, model has \(itemCount)")
        return RankingTraining.batchedScores(histories, batchSize: 2_000) { batch in
            var context = ForwardContext(mode: .inference, seed: 0)
            let x = Kernels.l2NormalizeRows(batch)
            let (h2, _) = topInput.forward(sparse: x, context: &context)
            let z2 = Kernels.columns(0..<configuration.latentSize, of: topTail.forward(h2, context: &context).output)
            let (hx, _) = lowerInput.forward(sparse: x, context: &context)
            let (hz, _) = lowerFromTop.forward(z2, context: &context)
            let encoded = lowerJoint.forward(Kernels.concatenateColumns(hx, hz), context: &context).output
            let z1 = Kernels.columns(0..<configuration.lowerLatentSize, of: encoded)
            return decode(lower: z1, top: z2, context: &context).logits
        }
    }

    /// Trains with Adam, β warmed up per epoch, keeping the best validation NDCG@100 epoch.
    public func fit(train: SparseMatrix, validation: HeldOutUsers?,
                    progress: @escaping (EpochProgress) -> Void) throws -> FitSummary {
        try fit(train: train, validation: validation, resume: nil, onEpochEnd: nil, progress: progress)
    }
}

extension HierarchicalVampPriorVAE {
    /// The zoo entry `h-vamp`: tanh layers.
    public static let zooEntry = ModelEntry(
        name: "h-vamp",
        summary: "H+Vamp: hierarchical VAE z1|z2, VampPrior on z2 (K=1000), tanh, hidden 600, z 200+200 (Kim & Suh, RecSys 2019)",
        builtInDataOverrides: ["components": "100"]   // K = 1000 is sized for ML-20M's 116k training users
    ) { itemCount, options in
        HierarchicalVampPriorVAE(itemCount: itemCount,
                                 configuration: try .from(options, model: "h-vamp", base: .hierarchical))
    }

    /// The zoo entry `h-vamp-gated`: gated linear units in place of tanh.
    public static let gatedZooEntry = ModelEntry(
        name: "h-vamp-gated",
        summary: "H+Vamp (Gated): H+Vamp with gated linear units (x·W+b)⊙σ(x·V+c) (Kim & Suh, RecSys 2019)",
        builtInDataOverrides: ["components": "100"]   // K = 1000 is sized for ML-20M's 116k training users
    ) { itemCount, options in
        HierarchicalVampPriorVAE(itemCount: itemCount,
                                 configuration: try .from(options, model: "h-vamp-gated", base: .hierarchicalGated))
    }
}
