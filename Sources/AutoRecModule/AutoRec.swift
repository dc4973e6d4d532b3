import Kernels
import ModelKit
import NeuralNet
import RecCore
import TensorCore

/// AutoRec (Sedhain et al., WWW 2015): h(r) = f(W·g(V·r + μ) + b) reconstructs a partially
/// observed rating vector r; trained on the squared error at observed entries only plus
/// λ/2·(‖W‖² + ‖V‖²). Item-based (I-AutoRec, rows = items) or user-based (U-AutoRec).
///
/// Sparse throughout: the encoder reads the CSR rows (S·V), and in training the decoder is
/// evaluated only at the observed entries (`Kernels.sampledRowDot`), so no dense [rows, width]
/// output is formed; its gradients are CSR × dense products.
public final class AutoRec: RatingRecommender, TrainableModel {
    /// The settings this model was built with.
    public let configuration: AutoRecConfiguration
    /// Users and items of the rating matrix.
    public let userCount: Int, itemCount: Int
    /// V and μ: encoder [width, H] reading the sparse rating rows.
    let encoder: SparseDense
    /// W stored as [width, H] (row c is the decoder weights of output c), so output c at row r is a[r]·W[c].
    let decoderWeight: Parameter
    /// b, [1, width].
    let decoderBias: Parameter
    /// The number of rows the regulariser is spread over (set by `fit`; a batch of B rows carries B/N of it).
    var trainingRowCount = 0

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
        decoderWeight = Parameter(name: "decoder.weight", value: WeightInitialization.glorotUniform.makeWeight(
            inputs: width, outputs: configuration.hiddenSize, using: &rng))
        decoderBias = Parameter(name: "decoder.bias", value: Matrix(rows: 1, columns: width), decays: false)
    }

    /// [V, μ, W, b].
    public var parameters: [Parameter] { encoder.parameters + [decoderWeight, decoderBias] }

    /// The number of trainable scalars.
    public var parameterCount: Int { parameters.scalarCount }

    /// The encoded rows of a users × items matrix: itself (U-AutoRec) or its transpose (I-AutoRec).
    func rows(of ratings: SparseMatrix) -> SparseMatrix {
        configuration.orientation == .item ? ratings.transposed() : ratings
    }

    /// a = g(S·V + μ) for CSR rows S, with the pre-activation z and the encoder's cache.
    func encode(_ rows: SparseMatrix) -> (z: Matrix, a: Matrix, cache: SparseMatrix) {
        var context = ForwardContext(mode: .inference, seed: 0)                   // AutoRec has no randomness
        let (z, cache) = encoder.forward(sparse: rows, context: &context)            // [B, H]
        return (z, Kernels.activate(z, configuration.encoderActivation), cache)
    }

    /// (u, f(u)) at the stored positions of `pattern` (rows as `a`): u_e = a[r]·W[c] + b[c], as [1, nnz].
    func decode(_ a: Matrix, at pattern: SparseMatrix) -> (u: Matrix, output: Matrix) {
        var u = Kernels.sampledRowDot(left: a, right: decoderWeight.value, at: pattern)
        Kernels.addColumnBias(decoderBias.value, to: &u, at: pattern)
        let preActivation = Matrix(rows: 1, columns: u.count, storage: u)
        return (preActivation, Kernels.activate(preActivation, configuration.decoderActivation))
    }

    /// Σ_O (h(r) − r)² + (B/N)·λ/2·(‖W‖² + ‖V‖²) on a batch of B encoded rows (CSR; its stored
    /// values are both input and target), with gradients accumulated into the parameters.
    public func lossAndGradients(batch: SparseMatrix, step: TrainingStep, context: inout ForwardContext) -> Double {
        let (z, a, cache) = encode(batch)
        let (u, output) = decode(a, at: batch)
        let (squaredError, dOutput) = Kernels.squaredError(predictions: output.storage, targets: batch.values,
                                                           gradientScale: 1)
        let dU = Kernels.activationBackward(Matrix(rows: 1, columns: dOutput.count, storage: dOutput), input: u,
                                            output: output, configuration.decoderActivation)   // ∂L/∂u = ∂L/∂h·f'(u)
        let g = batch.withValues(dU.storage)                                                  // sparse ∂L/∂u [B, width]
        Kernels.sparseTransposeDenseProduct(g, a, accumulatingInto: &decoderWeight.gradient)  // ∂L/∂W[c] = Σ_r G[r,c]·a[r]
        Kernels.addSparseColumnSums(of: g, to: &decoderBias.gradient)                         // ∂L/∂b[c] = Σ_r G[r,c]
        let dA = Kernels.sparseDenseProduct(g, decoderWeight.value)                           // ∂L/∂a = G·W
        let dZ = Kernels.activationBackward(dA, input: z, output: a, configuration.encoderActivation) // ∂L/∂z = ∂L/∂a·g'(z)
        encoder.backward(dZ, cache: cache)                                                    // ∂L/∂V = Sᵀ·∂L/∂z, ∂L/∂μ = Σ_r ∂L/∂z
        let share = Double(batch.rows) / Double(max(trainingRowCount, batch.rows))
        let lambda = configuration.lambda * share
        let penalty = lambda / 2 * (Kernels.sumOfSquares(encoder.weight.value) + Kernels.sumOfSquares(decoderWeight.value))
        Kernels.axpy(Float(lambda), encoder.weight.value, &encoder.weight.gradient)           // ∂(λ/2‖V‖²)/∂V = λV
        Kernels.axpy(Float(lambda), decoderWeight.value, &decoderWeight.gradient)             // ∂(λ/2‖W‖²)/∂W = λW
        return squaredError + penalty
    }

    /// Raw predictions at the stored positions of `queries` given the known ratings (users × items).
    public func predictions(at queries: SparseMatrix, known: SparseMatrix) -> [Float] {
        precondition(queries.rows == userCount && queries.columns == itemCount && known.rows == userCount
                     && known.columns == itemCount,
                     "AutoRec: queries \(queries.rows)×\(queries.columns), known \(known.rows)×\(known.columns), model \(userCount)×\(itemCount)")
        let inputRows = rows(of: known), queryRows = rows(of: queries)
        var values: [Float] = []
        values.reserveCapacity(queries.nonZeroCount)
        for start in stride(from: 0, to: inputRows.rows, by: 1_000) {
            let range = start..<min(inputRows.rows, start + 1_000)
            let pattern = queryRows.rows(in: range)
            guard pattern.nonZeroCount > 0 else { continue }
            values.append(contentsOf: decode(encode(inputRows.rows(in: range)).a, at: pattern).output.storage)
        }
        guard configuration.orientation == .item else { return values }
        return Kernels.scatter(values, to: Kernels.transposeOrder(queries), count: queries.nonZeroCount)
    }

    /// Trains with the configured optimizer, keeping the epoch with the lowest validation RMSE.
    public func fit(train: SparseMatrix, validation: SparseMatrix?,
                    progress: @escaping (EpochProgress) -> Void) throws -> FitSummary {
        try fit(train: train, validation: validation, resume: nil, onEpochEnd: nil, progress: progress)
    }
}

extension AutoRec {
    /// The zoo entry `i-autorec`.
    public static let itemZooEntry = ModelEntry(
        name: "i-autorec",
        summary: "I-AutoRec: item-based autoencoder on observed ratings, 500 sigmoid units (Sedhain et al., WWW 2015)"
    ) { userCount, itemCount, options in
        AutoRec(userCount: userCount, itemCount: itemCount,
                configuration: try .from(options, base: .itemBased, model: "i-autorec"))
    }

    /// The zoo entry `u-autorec`.
    public static let userZooEntry = ModelEntry(
        name: "u-autorec",
        summary: "U-AutoRec: user-based autoencoder on observed ratings, 500 sigmoid units, mini-batch Adam (Sedhain et al., WWW 2015)"
    ) { userCount, itemCount, options in
        AutoRec(userCount: userCount, itemCount: itemCount,
                configuration: try .from(options, base: .userBased, model: "u-autorec"))
    }
}
