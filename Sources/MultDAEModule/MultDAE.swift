import ModelKit
import NeuralNet
import RecCore
import TensorCore

/// Mult-DAE (Liang et al., WWW 2018): a denoising autoencoder with a multinomial likelihood,
/// [I → 200 → I] with tanh, input dropout 0.5 and L2 weight decay.
public final class MultDAE: StepTrainedModel {
    /// The settings this model was built with.
    public let configuration: MultDAEConfiguration
    /// The number of items.
    public let itemCount: Int
    /// The network: its first layer reads the sparse click batch ([I, H₁]); the tail is tanh, then
    /// the rest: H₁ → … → I (identity logits).
    let inputLayer: SparseDense, tail: Chain
    let inputDropout: Dropout
    let likelihood = MultinomialLikelihood(reduction: .meanOverRows)
    /// The [B, I] logit buffer, reused by every training step (see `Workspace`).
    let workspace = Workspace()
    var rng: RandomGenerator

    /// A freshly initialised model for `itemCount` items.
    public init(itemCount: Int, configuration: MultDAEConfiguration = .paper) {
        precondition(itemCount > 0 && !configuration.hiddenSizes.isEmpty,
                     "MultDAE needs items and at least one hidden size, got \(itemCount), \(configuration.hiddenSizes)")
        self.configuration = configuration
        self.itemCount = itemCount
        var rng = RandomGenerator(seed: configuration.seed)
        let weights = WeightInitialization.glorotNormal
        let biases = BiasInitialization.multVAE                                        // truncated N(0, 0.001²)
        let hidden = configuration.hiddenSizes
        inputLayer = SparseDense(inputSize: itemCount, outputSize: hidden[0], name: "encoder.0",
                                 weightInitialization: weights, biasInitialization: biases, rng: &rng)
        // Mirror: H₁ → … → H_n → … → H₁ → I.
        let rest = Array(hidden.dropFirst()) + hidden.dropLast().reversed() + [itemCount]
        let mlp = MLP(sizes: [hidden[0]] + rest, activation: .tanh, name: "decoder",
                      weightInitialization: weights, biasInitialization: biases, rng: &rng)
        tail = Chain([AnyLayer(ActivationLayer(.tanh)), AnyLayer(mlp)])
        inputDropout = Dropout(keepProbability: 1 - configuration.dropout)
        self.rng = rng
    }

    /// Every trainable parameter.
    public var parameters: [Parameter] { inputLayer.parameters + tail.parameters }

    /// Adam (lr 1e-3, weight decay 2λ/B on the weights) on batches of 500 users; no KL term.
    public var recipe: TrainingRecipe {
        TrainingRecipe(epochs: configuration.epochs,
                       stepping: .miniBatch(batchSize: configuration.batchSize,
                                            optimizer: Adam(learningRate: configuration.learningRate,
                                                            weightDecay: configuration.weightDecay)),
                       patience: configuration.patience)
    }

    /// Training draws from a generator split off the model's own (initialisation came first).
    public func makeTrainingContext() -> ForwardContext { ForwardContext(mode: .training, rng: rng.split()) }

    /// One denoising step: multinomial NLL of the batch from its dropped-out, normalised input.
    /// (The L2 penalty's gradient is added by the optimizer's weight decay.)
    public func lossAndGradients(batch: SparseMatrix, step: TrainingStep, context: inout ForwardContext) -> Double {
        let dropped = inputDropout.apply(sparse: batch.l2NormalizedRows(), context: &context)
        let (h, inputCache) = inputLayer.forward(sparse: dropped, context: &context)    // [B, H₁]
        var logits = workspace.take("logits")                                           // storage from the last step
        let tailCache = tail.forward(h, into: &logits, context: &context)              // [B, I]
        let nll = likelihood.negativeLogLikelihood(replacingWithGradient: &logits, target: batch) // logits ← ∂L/∂logits
        inputLayer.backward(tail.backward(logits, cache: tailCache), cache: inputCache)
        workspace.keep(logits, as: "logits")
        return nll
    }

    /// Logits for each history row (no dropout).
    public func scores(for histories: SparseMatrix) -> Matrix {
        precondition(histories.columns == itemCount, "MultDAE: histories have \(histories.columns) items, model has \(itemCount)")
        return RowBatches.scores(histories, batchSize: 2_000) { batch in
            var context = ForwardContext(mode: .inference, seed: 0)
            let (h, _) = inputLayer.forward(sparse: batch.l2NormalizedRows(), context: &context)
            return tail.forward(h, context: &context).output
        }
    }
}
