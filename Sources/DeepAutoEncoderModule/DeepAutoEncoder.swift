import ModelKit
import NeuralNet
import RecCore
import TensorCore

/// The deep SELU autoencoder of Kuchaiev & Ginsburg (2017, NVIDIA DeepRecommender): user-based,
/// encoder n → 512 → 512 → 1024, decoder mirrored (optionally tied to the transposed encoder
/// weights), SELU everywhere, dropout on the code only, masked MSE over observed ratings, SGD with
/// momentum, and dense re-feeding: after each update the detached output f(x) is fed back as both
/// input and dense target for `augmentationSteps` further updates.
public final class DeepAutoEncoder: StepTrainedModel {
    /// The settings this model was built with.
    public let configuration: DeepAutoEncoderConfiguration
    /// Users and items of the rating matrix.
    public let userCount: Int, itemCount: Int
    /// The first encoder layer [n, H₁], read sparsely for rating batches and densely when re-feeding.
    let firstLayer: Dense
    /// f after the first layer, then the other encoder layers, each followed by f.
    let encoderTail: Chain
    /// Dropout on the code (the only dropout of the model).
    let codeDropout: Dropout
    /// The mirrored decoder, f after every layer (but the last when `linearLastLayer`).
    let decoder: Chain
    let maskedLikelihood = MaskedGaussianLikelihood(reduction: .meanOverEntries)
    let denseLikelihood = GaussianLikelihood(reduction: .meanOverEntries)

    /// A freshly initialised model for a `userCount` × `itemCount` rating matrix.
    public init(userCount: Int, itemCount: Int, configuration: DeepAutoEncoderConfiguration = .paper) {
        precondition(userCount > 0 && itemCount > 0 && !configuration.hiddenSizes.isEmpty,
                     "DeepAutoEncoder needs users, items and a hidden size, got \(userCount), \(itemCount), \(configuration.hiddenSizes)")
        self.configuration = configuration
        self.userCount = userCount
        self.itemCount = itemCount
        var rng = RandomGenerator(seed: configuration.seed)
        let f = configuration.activation
        let sizes = [itemCount] + configuration.hiddenSizes
        // DeepRec: xavier_uniform_ weights, zero biases.
        let encoders = (0..<(sizes.count - 1)).map {
            Dense(inputSize: sizes[$0], outputSize: sizes[$0 + 1], name: "encoder.\($0)",
                  weightInitialization: .glorotUniform, biasInitialization: .zeros, rng: &rng)
        }
        firstLayer = encoders[0]
        encoderTail = Chain([AnyLayer(ActivationLayer(f))] + encoders.dropFirst().flatMap {
            [AnyLayer($0), AnyLayer(ActivationLayer(f))]
        })
        codeDropout = Dropout(keepProbability: 1 - configuration.dropout)
        var decoderLayers: [AnyLayer] = []
        for (index, encoder) in encoders.reversed().enumerated() {
            let name = "decoder.\(index)"
            if configuration.constrainedDecoder {
                decoderLayers.append(AnyLayer(TiedDense(transposing: encoder, name: name, rng: &rng)))
            } else {
                decoderLayers.append(AnyLayer(Dense(inputSize: encoder.outputSize, outputSize: encoder.inputSize, name: name,
                                                    weightInitialization: .glorotUniform, rng: &rng)))
            }
            if index < encoders.count - 1 || !configuration.linearLastLayer {
                decoderLayers.append(AnyLayer(ActivationLayer(f)))
            }
        }
        decoder = Chain(decoderLayers)
    }

    /// Every trainable parameter, tied weights once.
    public var parameters: [Parameter] { (firstLayer.parameters + encoderTail.parameters + decoder.parameters).uniqued() }

    /// SGD with momentum on batches of 128 users, the rate halved at DeepRec's milestones; the
    /// epochs are the paper's update count on these users, at most, with patience on validation
    /// (without validation, nothing could cut that bound short: the paper's 12 epochs).
    public var recipe: TrainingRecipe {
        let budget = configuration.epochBudget(rows: userCount)
        var recipe = TrainingRecipe(epochs: budget,
                                    stepping: .miniBatch(batchSize: configuration.batchSize,
                                                         optimizer: SGD(learningRate: configuration.learningRate,
                                                                        momentum: configuration.momentum,
                                                                        weightDecay: configuration.weightDecay)),
                                    learningRateSchedule: .multiStep(milestones: configuration.milestones(forBudget: budget), factor: 0.5),
                                    patience: configuration.patience,
                                    epochsWithoutValidation: budget > configuration.epochs ? configuration.epochs : nil)
        recipe.shardWeighting = [.storedEntries, .rows]     // masked MSE over |O|, then dense re-feeding's over B·I
        return recipe
    }

    /// Training draws from its own generator (seed + 1; the initialisation used the seed).
    public func makeTrainingContext() -> ForwardContext { ForwardContext(mode: .training, seed: configuration.seed &+ 1) }

    /// The caches of everything after the first layer's affine map.
    struct TailCache {
        let encoder: [AnyLayerCache], dropout: Matrix?, decoder: [AnyLayerCache]
    }

    /// f, encoder, dropout, decoder after the first layer's affine map h.
    func forwardTail(_ h: Matrix, context: inout ForwardContext) -> (output: Matrix, cache: TailCache) {
        let (code, encoderCache) = encoderTail.forward(h, context: &context)                  // [B, H_last]
        let (dropped, dropoutCache) = codeDropout.forward(code, context: &context)
        let (output, decoderCache) = decoder.forward(dropped, context: &context)             // [B, n]
        return (output, TailCache(encoder: encoderCache, dropout: dropoutCache, decoder: decoderCache))
    }

    /// ∂L/∂h from ∂L/∂output through the decoder, the dropout and the encoder tail.
    func backwardTail(_ dOutput: Matrix, cache: TailCache) -> Matrix {
        let dDropped = decoder.backward(dOutput, cache: cache.decoder)
        let dCode = codeDropout.backward(dDropped, cache: cache.dropout)
        return encoderTail.backward(dCode, cache: cache.encoder)
    }

    /// Masked MSE of a sparse rating batch (mean over its observed ratings), gradients accumulated; also the output.
    func sparseStep(_ batch: SparseMatrix, context: inout ForwardContext) -> (loss: Double, output: Matrix) {
        let first = SparseDense(firstLayer)
        let (h, firstCache) = first.forward(sparse: batch, context: &context)
        let (output, tailCache) = forwardTail(h, context: &context)
        let (loss, dOutput) = maskedLikelihood.negativeLogLikelihood(output, target: batch)  // ∂/∂y = 2(y − r)/|O| on O
        first.backward(backwardTail(dOutput, cache: tailCache), cache: firstCache)
        return (loss, output)
    }

    /// Dense re-feeding step: input and target are the detached output `x` of the previous step (MSE over all entries).
    func denseStep(_ x: Matrix, context: inout ForwardContext) -> (loss: Double, output: Matrix) {
        let (h, firstCache) = firstLayer.forward(x, context: &context)
        let (output, tailCache) = forwardTail(h, context: &context)
        let (loss, dOutput) = denseLikelihood.negativeLogLikelihood(output, target: x)     // ∂/∂y = 2(y − x)/(B·n)
        _ = firstLayer.backward(backwardTail(dOutput, cache: tailCache), cache: firstCache) // x is a constant target too
        return (loss, output)
    }

    /// The masked MSE of `batch` with its gradients (no re-feeding).
    public func lossAndGradients(batch: SparseMatrix, step: TrainingStep, context: inout ForwardContext) -> Double {
        sparseStep(batch, context: &context).loss
    }

    /// The masked-MSE update and one per re-feeding step.
    public var updatesPerStep: Int { 1 + configuration.augmentationSteps }

    /// One update on the batch, then `augmentationSteps` dense re-feeding updates; returns the first loss.
    public func trainStep(batch: SparseMatrix, step: TrainingStep, context: inout ForwardContext,
                          applyUpdate: (_ loss: Double) throws -> Void) throws -> Double {
        let (loss, output) = sparseStep(batch, context: &context)
        try applyUpdate(loss)
        var fed = output
        for _ in 0..<configuration.augmentationSteps {
            let (refedLoss, refedOutput) = denseStep(fed, context: &context)
            try applyUpdate(refedLoss)
            fed = refedOutput
        }
        return loss
    }

    /// Predicted ratings of every item for user rows of known ratings (inference: no dropout).
    public func scores(for histories: SparseMatrix) -> Matrix {
        precondition(histories.columns == itemCount, "DeepAutoEncoder: histories have \(histories.columns) items, model has \(itemCount)")
        return RowBatches.scores(histories, batchSize: 1_000) { batch in
            var context = ForwardContext(mode: .inference, seed: 0)
            let (h, _) = SparseDense(firstLayer).forward(sparse: batch, context: &context)
            return forwardTail(h, context: &context).output
        }
    }
}
