import ModelKit
import NeuralNet
import RecCore
import TensorCore

/// AutoRec (Sedhain et al., WWW 2015): h(r) = f(W·g(V·r + μ) + b) reconstructs a partially
/// observed rating vector r; trained on the squared error at observed entries only plus
/// λ/2·(‖W‖² + ‖V‖²). Item-based (I-AutoRec, rows = items) or user-based (U-AutoRec).
///
/// Sparse throughout: the encoder reads the CSR rows (S·V), and in training the decoder is
/// evaluated only at the observed entries (`SampledDense`), so no dense [rows, width] output is
/// formed; its gradients are CSR × dense products.
public final class AutoRec: StepTrainedModel {
    /// The settings this model was built with.
    public let configuration: AutoRecConfiguration
    /// Users and items of the rating matrix.
    public let userCount: Int, itemCount: Int
    /// V and μ: encoder [width, H] reading the sparse rating rows, then g.
    let encoder: SparseDense, encoderActivation: ActivationLayer
    /// W [width, H] and b [1, width], evaluated at the observed entries, then f.
    let decoder: SampledDense, decoderActivation: ActivationLayer
    /// Σ_O (h(r) − r)².
    let likelihood = ObservedGaussianLikelihood(reduction: .sum)
    /// λ/2·(‖W‖² + ‖V‖²).
    let penalty: L2Penalty

    /// A freshly initialised model for a `userCount` × `itemCount` rating matrix.
    public init(userCount: Int, itemCount: Int, configuration: AutoRecConfiguration = .itemBased) {
        precondition(userCount > 0 && itemCount > 0 && configuration.hiddenSize > 0,
                     "AutoRec needs users, items and hidden units, got \(userCount), \(itemCount), \(configuration.hiddenSize)")
        self.configuration = configuration
        self.userCount = userCount
        self.itemCount = itemCount
        let width = configuration.orientation == .item ? userCount : itemCount
        var rng = RandomGenerator(seed: configuration.seed)
        var encoder = SparseDense(inputSize: width, outputSize: configuration.hiddenSize, name: "encoder",
                                  weightInitialization: .glorotUniform, biasInitialization: .zeros, rng: &rng)
        encoder.defersWeightGradient = false         // the L2 term reads ∂L/∂V every step: a described one only adds work
        self.encoder = encoder
        encoderActivation = ActivationLayer(configuration.encoderActivation)
        decoder = SampledDense(inputSize: configuration.hiddenSize, outputSize: width, name: "decoder",
                               weightInitialization: .glorotUniform, rng: &rng)
        decoderActivation = ActivationLayer(configuration.decoderActivation)
        penalty = L2Penalty([encoder.weight, decoder.weight])
    }

    /// [V, μ, W, b].
    public var parameters: [Parameter] { encoder.parameters + decoder.parameters }

    /// Full-batch L-BFGS or Rprop (the paper), or mini-batch Adam, for the configured epochs.
    public var recipe: TrainingRecipe {
        let stepping: TrainingRecipe.Stepping
        switch configuration.optimizer {
        case .adam:
            stepping = .miniBatch(batchSize: configuration.batchSize, optimizer: Adam(learningRate: configuration.learningRate))
        case .rprop:
            stepping = .fullBatch(iterationsPerEpoch: configuration.iterationsPerEpoch,
                                  optimizer: Rprop(learningRate: configuration.learningRate))
        case .lbfgs:
            stepping = .fullBatch(iterationsPerEpoch: configuration.iterationsPerEpoch,
                                  optimizer: LBFGS(lineSearch: configuration.lineSearch))
        }
        var recipe = TrainingRecipe(epochs: configuration.epochs, stepping: stepping, patience: configuration.patience)
        recipe.shardWeighting = [.sum]                      // Σ_O over the rows; the penalty carries B/N already
        return recipe
    }

    /// AutoRec has no randomness in training; the context is seeded for the trainer's bookkeeping.
    public func makeTrainingContext() -> ForwardContext { ForwardContext(mode: .training, seed: configuration.seed &+ 1) }

    /// The encoded rows of a users × items matrix: itself (U-AutoRec) or its transpose (I-AutoRec).
    public func trainingRows(of ratings: SparseMatrix) -> SparseMatrix {
        configuration.orientation == .item ? ratings.transposed() : ratings
    }

    /// Σ_O (h(r) − r)² + (B/N)·λ/2·(‖W‖² + ‖V‖²) on a batch of B encoded rows (CSR; its stored
    /// values are both input and target) out of N, with gradients accumulated into the parameters.
    public func lossAndGradients(batch: SparseMatrix, step: TrainingStep, context: inout ForwardContext) -> Double {
        let (z, encoderCache) = encoder.forward(sparse: batch, context: &context)              // z = S·V + μ
        let (a, encoderActivationCache) = encoderActivation.forward(z, context: &context)      // a = g(z)
        let (u, decoderCache) = decoder.forward(a, at: batch)                                  // u_e = a[r]·W[c] + b[c] on O
        let (output, outputCache) = decoderActivation.forward(sparse: u)                       // h = f(u)
        let (squaredError, dOutput) = likelihood.negativeLogLikelihood(output, target: batch)  // ∂/∂h = 2(h − r) on O
        let dU = decoderActivation.backward(sparse: dOutput, cache: outputCache)              // ∂L/∂u = ∂L/∂h·f'(u)
        let dA = decoder.backward(dU, cache: decoderCache)                                     // ∂L/∂a = G·W
        let dZ = encoderActivation.backward(dA, cache: encoderActivationCache)                // ∂L/∂z = ∂L/∂a·g'(z)
        encoder.backward(dZ, cache: encoderCache)                                              // ∂L/∂V = Sᵀ·∂L/∂z
        let share = Double(batch.rows) / Double(max(step.trainingRowCount, batch.rows))
        return squaredError + penalty.apply(weight: configuration.lambda * share)             // + λW, λV
    }

    /// h = f(W·g(V·r + μ) + b) at the given positions of a block of encoded rows.
    private func reconstruct(_ rows: SparseMatrix, at pattern: SparseMatrix) -> [Float] {
        var context = ForwardContext(mode: .inference, seed: 0)
        let a = encoderActivation.forward(encoder.forward(sparse: rows, context: &context).output, context: &context).output
        return decoderActivation.forward(sparse: decoder.forward(a, at: pattern).output).output.values
    }

    /// Raw predictions at the stored positions of `queries` given the known ratings (users × items),
    /// the decoder evaluated only there.
    public func scores(at queries: SparseMatrix, known: SparseMatrix) -> [Float] {
        precondition(queries.rows == userCount && queries.columns == itemCount && known.rows == userCount
                     && known.columns == itemCount,
                     "AutoRec: queries \(queries.rows)×\(queries.columns), known \(known.rows)×\(known.columns), model \(userCount)×\(itemCount)")
        let values = QueryBlocks.values(at: trainingRows(of: queries), known: trainingRows(of: known)) { rows, pattern in
            reconstruct(rows, at: pattern)
        }
        return configuration.orientation == .item ? queries.valuesFromTransposedOrder(values) : values
    }

    /// Predicted ratings of every item for the users of `histories` (users × items). U-AutoRec folds
    /// each row in alone; I-AutoRec reads every item's column across all users, so `histories` must
    /// be the whole known matrix (every user's row).
    public func scores(for histories: SparseMatrix) -> Matrix {
        precondition(histories.columns == itemCount && (configuration.orientation == .user || histories.rows == userCount),
                     "AutoRec: histories \(histories.rows)×\(histories.columns); the model scores \(configuration.orientation == .item ? "all \(userCount) users" : "users") × \(itemCount) items")
        var context = ForwardContext(mode: .inference, seed: 0)
        let rows = trainingRows(of: histories)
        let a = encoderActivation.forward(encoder.forward(sparse: rows, context: &context).output, context: &context).output
        let output = decoderActivation.forward(decoder.forward(a), context: &context).output       // [rows, width]
        return configuration.orientation == .item ? output.transposed() : output
    }
}
