import ModelKit
import NeuralNet
import RecCore
import TensorCore

/// RecVAE (Shenbin et al., WSDM 2020), following the authors' code: a densely connected
/// swish/LayerNorm encoder (`RecVAEEncoder`), a linear decoder Z → I with a multinomial likelihood,
/// the composite prior (standard normal, the previous epoch's posterior, a wide Gaussian) and a KL
/// weight per user, β_b = γ·|x_b|. Each epoch alternates: `encoderPasses` passes updating the
/// encoder with input dropout, then `decoderPasses` updating the decoder without dropout (the
/// recipe's two phases); the previous encoder is copied from the encoder before the decoder phase.
public final class RecVAE: StepTrainedModel {
    /// The settings this model was built with.
    public let configuration: RecVAEConfiguration
    /// The number of items (input and output width).
    public let itemCount: Int
    let encoder: RecVAEEncoder
    /// The composite prior's q_old(z|x): not trained, not a parameter (see `willBeginPhase`).
    let previousEncoder: RecVAEEncoder
    /// Z → I logits.
    let decoder: Dense
    let inputDropout: Dropout
    let likelihood = MultinomialLikelihood(reduction: .meanOverRows)
    let prior = CompositePrior.recVAE
    /// The [B, I] logit buffer, reused by every training step.
    let workspace = Workspace()
    var rng: RandomGenerator

    /// The phases of every epoch: the encoder's passes, then the decoder's.
    enum Phase: Int { case encoder = 0, decoder = 1 }

    /// A freshly initialised model for `itemCount` items (PyTorch's default Linear initialisation;
    /// the previous encoder is a second, independent initialisation, as the code's `encoder_old`).
    public init(itemCount: Int, configuration: RecVAEConfiguration = .paper) {
        precondition(itemCount > 0, "RecVAE needs items, got \(itemCount)")
        self.configuration = configuration
        self.itemCount = itemCount
        var rng = RandomGenerator(seed: configuration.seed)
        let c = configuration
        encoder = RecVAEEncoder(itemCount: itemCount, hiddenSize: c.hiddenSize, layerCount: c.layerCount,
                                latentSize: c.latentSize, epsilon: c.layerNormEpsilon, name: "encoder", rng: &rng)
        previousEncoder = RecVAEEncoder(itemCount: itemCount, hiddenSize: c.hiddenSize, layerCount: c.layerCount,
                                        latentSize: c.latentSize, epsilon: c.layerNormEpsilon, name: "prior.encoder_old", rng: &rng)
        decoder = Dense(inputSize: c.latentSize, outputSize: itemCount, name: "decoder",
                        weightInitialization: .fanInUniform, biasInitialization: .fanIn(c.latentSize), rng: &rng)
        inputDropout = Dropout(keepProbability: 1 - c.dropout)
        self.rng = rng
    }

    /// Every trainable parameter, encoder first.
    public var parameters: [Parameter] { encoder.parameters + decoder.parameters }

    /// Adam (lr 5·10⁻⁴) on batches of 500; each epoch `encoderPasses` passes updating the encoder,
    /// then `decoderPasses` updating the decoder (one Adam: its moments and step count are per
    /// parameter, as the code's two optimizers). The step's β is γ (each user's weight γ·|x_b|).
    public var recipe: TrainingRecipe {
        TrainingRecipe(epochs: configuration.epochs,
                       stepping: .miniBatch(batchSize: configuration.batchSize, optimizer: Adam(learningRate: configuration.learningRate)),
                       klSchedule: .constant(configuration.gamma),
                       patience: configuration.patience,
                       phases: [TrainingPhase(name: "encoder", passes: configuration.encoderPasses,
                                              parameterNames: Set(encoder.parameters.map(\.name))),
                                TrainingPhase(name: "decoder", passes: configuration.decoderPasses,
                                              parameterNames: Set(decoder.parameters.map(\.name)))])
    }

    /// Training draws from a generator split off the model's own (initialisation came first).
    public func makeTrainingContext() -> ForwardContext { ForwardContext(mode: .training, rng: rng.split()) }

    /// The code's `update_prior()` (old encoder ← encoder) runs after the encoder passes, i.e.
    /// before the decoder phase. It is repeated before the encoder phase of every epoch after the
    /// first, where the values are already equal (the decoder phase does not change the encoder), so
    /// a run resumed from a checkpoint (which stores no old encoder) continues bit for bit.
    public func willBeginPhase(_ phase: Int, epoch: Int) {
        if phase == Phase.decoder.rawValue || epoch > 0 { previousEncoder.copyValues(from: encoder) }
    }

    /// One step of the negative ELBO with the composite prior: −mean_b Σ_i x_bi log softmax(logits)_i
    /// + mean_b β_b·[log q(z_b|x_b) − log p(z_b|x_b)], β_b = γ·|x_b| (γ is `step.klWeight`).
    /// Dropout on the input in the encoder phase only; gradients only of the parameters the step
    /// updates (all of them when the step names none).
    public func lossAndGradients(batch: SparseMatrix, step: TrainingStep, context: inout ForwardContext) -> Double {
        let encoderPhase = step.phase == Phase.encoder.rawValue
        let updatesEncoder = step.updates(encoder.input.weight), updatesDecoder = step.updates(decoder.weight)
        let normalized = batch.l2NormalizedRows()                                        // x / ‖x‖₂
        let dropped = encoderPhase ? inputDropout.apply(sparse: normalized, context: &context) : normalized
        let (encoded, encoderCache) = encoder.forward(sparse: dropped, context: &context)  // [B, 2Z]
        let posterior = GaussianPosterior(encoderOutput: encoded, context: &context)    // z = μ + σ·ε
        var logits = workspace.take("logits")
        let decoderCache = decoder.forward(posterior.sample, into: &logits, context: &context)   // [B, I]
        let nll = likelihood.negativeLogLikelihood(replacingWithGradient: &logits, target: batch) // logits ← ∂L/∂logits

        // q_old(z|x) on the undropped input. In the decoder phase of training the old encoder was
        // just copied from the encoder and there is no dropout: it equals the posterior, reused.
        let previous: Matrix
        if encoderPhase || updatesEncoder {
            var inference = ForwardContext(mode: .inference, seed: 0)
            previous = previousEncoder.forward(sparse: normalized, context: &inference).output
        } else {
            previous = encoded
        }
        let latent = configuration.latentSize
        let betas = batch.rowSums().map { step.klWeight * Double($0) }                  // β_b = γ·|x_b|
        let kl = prior.divergence(from: posterior, previousMean: previous.columns(in: 0..<latent),
                                  previousLogVariance: previous.columns(in: latent..<(2 * latent)), rowWeights: betas)

        if !updatesEncoder {                                                             // decoder phase: ∂W, ∂b only
            if updatesDecoder { decoder.accumulateParameterGradients(logits, cache: decoderCache) }
            workspace.keep(logits, as: "logits")
            return nll + kl.value
        }
        let dSample = updatesDecoder ? decoder.backward(logits, cache: decoderCache) : decoder.inputGradient(logits) // ∂L/∂z
        workspace.keep(logits, as: "logits")
        let (dMean, dLogVariance) = posterior.backward(sampleGradient: dSample + kl.sample)   // + ∂KL/∂z
        let dEncoded = GaussianPosterior.encoderGradient(mean: dMean + kl.mean, logVariance: dLogVariance + kl.logVariance)
        encoder.backward(dEncoded, cache: encoderCache)
        return nll + kl.value
    }

    /// Logits for each history row (z = μ, no dropout); ranking by logits equals ranking by softmax.
    public func scores(for histories: SparseMatrix) -> Matrix {
        precondition(histories.columns == itemCount, "RecVAE: histories have \(histories.columns) items, model has \(itemCount)")
        return RowBatches.scores(histories, batchSize: 2_000) { batch in
            var context = ForwardContext(mode: .inference, seed: 0)
            let (encoded, _) = encoder.forward(sparse: batch.l2NormalizedRows(), context: &context)
            let mean = encoded.columns(in: 0..<configuration.latentSize)                // z = μ
            return decoder.forward(mean, context: &context).output
        }
    }
}
