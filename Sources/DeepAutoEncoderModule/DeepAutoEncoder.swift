import Kernels
import ModelKit
import NeuralNet
import RecCore
import TensorCore

/// The deep SELU autoencoder of Kuchaiev & Ginsburg (2017, NVIDIA DeepRecommender): user-based,
/// encoder n → 512 → 512 → 1024, decoder mirrored (optionally tied to the transposed encoder
/// weights), SELU everywhere, dropout on the code only, masked MSE over observed ratings, SGD with
/// momentum, and dense re-feeding: after each update the detached output f(x) is fed back as both
/// input and dense target for `augmentationSteps` further updates.
public final class DeepAutoEncoder: RatingRecommender, TrainableModel {
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

    /// The number of trainable scalars.
    public var parameterCount: Int { parameters.scalarCount }

    /// Everything after the first layer's affine map: f, encoder, dropout, decoder.
    private func forwardTail(_ h: Matrix, context: inout ForwardContext)
        -> (output: Matrix, backward: (Matrix) -> Matrix) {
        let (code, encoderCache) = encoderTail.forward(h, context: &context)                  // [B, H_last]
        let (dropped, dropoutCache) = codeDropout.forward(code, context: &context)
        let (output, decoderCache) = decoder.forward(dropped, context: &context)             // [B, n]
        return (output, { dOutput in
            let dDropped = self.decoder.backward(dOutput, cache: decoderCache)
            let dCode = self.codeDropout.backward(dDropped, cache: dropoutCache)
            return self.encoderTail.backward(dCode, cache: encoderCache)                     // ∂L/∂h
        })
    }

    /// Masked MSE of a sparse rating batch (mean over its observed ratings), gradients accumulated; also the output.
    func sparseStep(_ batch: SparseMatrix, context: inout ForwardContext) -> (loss: Double, output: Matrix) {
        let first = SparseDense(firstLayer)
        let (h, firstCache) = first.forward(sparse: batch, context: &context)
        let (output, backward) = forwardTail(h, context: &context)
        let (loss, dOutput) = maskedLikelihood.negativeLogLikelihood(output, target: batch)  // ∂/∂y = 2(y − r)/|O| on O
        first.backward(backward(dOutput), cache: firstCache)
        return (loss, output)
    }

    /// Dense re-feeding step: input and target are the detached output `x` of the previous step (MSE over all entries).
    func denseStep(_ x: Matrix, context: inout ForwardContext) -> (loss: Double, output: Matrix) {
        let (h, firstCache) = firstLayer.forward(x, context: &context)
        let (output, backward) = forwardTail(h, context: &context)
        let (loss, dOutput) = denseLikelihood.negativeLogLikelihood(output, target: x)     // ∂/∂y = 2(y − x)/(B·n)
        _ = firstLayer.backward(backward(dOutput), cache: firstCache)                       // x is a constant target too
        return (loss, output)
    }

    /// The masked MSE of `batch` with its gradients (no re-feeding).
    public func lossAndGradients(batch: SparseMatrix, step: TrainingStep, context: inout ForwardContext) -> Double {
        sparseStep(batch, context: &context).loss
    }

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

    /// Outputs for user rows of `known` (inference: no dropout).
    func outputs(_ known: SparseMatrix) -> Matrix {
        var context = ForwardContext(mode: .inference, seed: 0)
        let (h, _) = SparseDense(firstLayer).forward(sparse: known, context: &context)
        return forwardTail(h, context: &context).output
    }

    /// Raw predictions at the stored positions of `queries` given the known ratings (users × items).
    public func predictions(at queries: SparseMatrix, known: SparseMatrix) -> [Float] {
        precondition(queries.rows == userCount && queries.columns == itemCount && known.rows == userCount
                     && known.columns == itemCount,
                     "DeepAutoEncoder: queries \(queries.rows)×\(queries.columns), known \(known.rows)×\(known.columns), model \(userCount)×\(itemCount)")
        var values: [Float] = []
        values.reserveCapacity(queries.nonZeroCount)
        for start in stride(from: 0, to: userCount, by: 1_000) {
            let range = start..<min(userCount, start + 1_000)
            let pattern = queries.rows(in: range)
            guard pattern.nonZeroCount > 0 else { continue }
            values.append(contentsOf: Kernels.gather(outputs(known.rows(in: range)), at: pattern))
        }
        return values
    }

    /// Trains with SGD + momentum and the multi-step schedule, keeping the epoch with the lowest validation RMSE.
    public func fit(train: SparseMatrix, validation: SparseMatrix?,
                    progress: @escaping (EpochProgress) -> Void) throws -> FitSummary {
        try fit(train: train, validation: validation, resume: nil, onEpochEnd: nil, progress: progress)
    }
}

extension DeepAutoEncoder {
    /// The zoo entry `deep-ae`.
    public static let zooEntry = ModelEntry(
        name: "deep-ae",
        summary: "Deep SELU autoencoder: n-512-512-1024 mirrored, code dropout 0.8, dense re-feeding (Kuchaiev & Ginsburg 2017)"
    ) { userCount, itemCount, options in
        DeepAutoEncoder(userCount: userCount, itemCount: itemCount, configuration: try .from(options))
    }
}
