import ModelKit
import NeuralNet
import RecCore
import TensorCore

/// Every setting of AutoRec; `.itemBased` / `.userBased` hold the paper's architecture and optimiser with λ chosen on ML-1M validation data
/// (Sedhain et al., "AutoRec: Autoencoders Meet Collaborative Filtering", WWW 2015; see
/// Documentation/Models/AutoRec.md).
public struct AutoRecConfiguration: TrainingConfiguration, Equatable {
    /// Which vectors are encoded.
    public enum Orientation: String, Sendable, CaseIterable {
        /// I-AutoRec: each item's vector of user ratings (the paper's better variant).
        case item
        /// U-AutoRec: each user's vector of item ratings.
        case user
    }

    /// How the objective is minimised.
    public enum OptimizerKind: String, Sendable, CaseIterable {
        /// Full-batch resilient propagation (the paper, §3).
        case rprop
        /// Full-batch L-BFGS (the paper, §3).
        case lbfgs
        /// Mini-batch Adam (not in the paper; common in re-implementations).
        case adam
    }

    /// Item- or user-based.
    public var orientation: Orientation
    /// k, the hidden units (500, the paper's §3 and Figure 2).
    public var hiddenSize: Int
    /// g, the encoder activation (sigmoid: the paper's best pair, Table 1(a)).
    public var encoderActivation: Activation
    /// f, the decoder activation (identity, Table 1(a)).
    public var decoderActivation: Activation
    /// λ of the regulariser λ/2·(‖W‖² + ‖V‖²) (eq. 2; the paper tunes it over {0.001, …, 1000}).
    /// Defaults chosen on ML-1M validation data (Documentation/Models/AutoRec.md): 300 for
    /// I-AutoRec, 600 for U-AutoRec. The data term is a sum over ratings, so λ's effect shrinks
    /// as the data grows: retune it for a data set of a different size.
    public var lambda: Double
    /// The optimizer.
    public var optimizer: OptimizerKind
    /// L-BFGS's line search: backtracking Armijo (the default) or strong Wolfe (the peer's, torch's
    /// `line_search_fn="strong_wolfe"`); the paper does not say.
    public var lineSearch: LBFGS.LineSearch = .armijo
    /// Full-batch steps per epoch (20: one `torch.optim.LBFGS.step` with max_iter 20 in the peer);
    /// Adam makes one pass over the rows per epoch.
    public var iterationsPerEpoch: Int
    /// Epochs; validation RMSE is checked after each and the best epoch kept (I-AutoRec's L-BFGS 20:
    /// on ML-1M its validation optimum is at epoch 4–6, and it rises slowly after; U-AutoRec's Adam
    /// 200: its optimum is at epoch 131).
    public var epochs: Int
    /// Stop after this many epochs without a better validation RMSE, the best epoch kept
    /// (`patience`, 0: never): a quarter of the budget, I-AutoRec 5 of 20, U-AutoRec 50 of 200.
    /// Ours (the paper does not say how long it trains): on ML-1M the longest stretch without a new
    /// best before the best epoch was 0 (I-AutoRec) and 5 (U-AutoRec) over seeds 1–3 (BENCHMARKS.md
    /// §16), so the figures of the full budget are kept.
    public var patience: Int?
    /// Adam's learning rate (I-AutoRec 1e-3, torch's default; U-AutoRec 3e-4, chosen on validation),
    /// or Rprop's initial step size.
    public var learningRate: Float
    /// Rows per Adam mini-batch (256, the peer's).
    public var batchSize: Int
    /// Seed of the initialisation.
    public var seed: UInt64

    /// I-AutoRec: the paper's architecture and optimiser, λ and epochs chosen on ML-1M validation data.
    public static let itemBased = AutoRecConfiguration(
        orientation: .item, hiddenSize: 500, encoderActivation: .sigmoid, decoderActivation: .identity,
        lambda: 300, optimizer: .lbfgs, iterationsPerEpoch: 20, epochs: 20, patience: 5, learningRate: 1e-3, batchSize: 256, seed: 0)

    /// U-AutoRec: as `itemBased` with user vectors, but trained by mini-batch Adam (lr 3·10⁻⁴,
    /// batch 256, λ 100, up to 200 epochs, best validation epoch kept). Chosen on ML-1M validation
    /// data (Documentation/Models/AutoRec.md): best validation RMSE 0.8731 at epoch 131, against
    /// 0.8864 for the paper's full-batch L-BFGS at its best λ (600) — a deviation from the paper's
    /// optimiser; `--set u-autorec.optimizer=lbfgs --set u-autorec.lambda=600` restores it.
    public static let userBased: AutoRecConfiguration = {
        var c = itemBased
        c.orientation = .user
        c.optimizer = .adam
        c.lambda = 100
        c.learningRate = 3e-4
        c.epochs = 200
        c.patience = 50
        return c
    }()

    /// What `--tune` varies for `base`: λ (the paper tunes it over {0.001, …, 1000}; its value here is
    /// the zoo default chosen on ML-1M validation, AutoRec.md), the hidden units k (500 in the paper),
    /// and Adam's learning rate where Adam trains (U-AutoRec; L-BFGS has none).
    public static func searchSpace(for base: AutoRecConfiguration) -> SearchSpace {
        var dimensions: [SearchDimension] = [
            .real("lambda", 10...3000, logScale: true, paper: SearchDimension.text(base.lambda)),
            .choices("hidden", ["250", "500", "1000"], paper: "500"),
        ]
        if base.optimizer == .adam {
            dimensions.append(.real("lr", 1e-4...3e-3, logScale: true, paper: "\(base.learningRate)"))
        }
        return SearchSpace(dimensions)
    }

    /// `base` with `options` applied (`--set i-autorec.KEY=VALUE`); unknown keys throw.
    public static func from(_ options: ModelOptions, base: AutoRecConfiguration, model: String) throws -> AutoRecConfiguration {
        try base.applying(options, model: model) { reader, c in
            c.hiddenSize = try reader.int("hidden", default: c.hiddenSize, minimum: 1)
            c.encoderActivation = try reader.choice("g", default: c.encoderActivation)
            c.decoderActivation = try reader.choice("f", default: c.decoderActivation)
            c.lambda = try reader.nonNegative("lambda", default: c.lambda)
            c.optimizer = try reader.choice("optimizer", default: c.optimizer)
            c.lineSearch = try reader.choice("line-search", default: c.lineSearch)
            c.iterationsPerEpoch = try reader.int("iterations", default: c.iterationsPerEpoch, minimum: 1)
        }
    }
}

extension AutoRec {
    /// The zoo entry `i-autorec`.
    public static let itemZooEntry = zooEntry(
        name: "i-autorec", base: .itemBased, testOverrides: ["hidden": "8", "iterations": "3"],
        summary: "I-AutoRec: item-based autoencoder on observed ratings, 500 sigmoid units (Sedhain et al., WWW 2015)")

    /// The zoo entry `u-autorec`.
    public static let userZooEntry = zooEntry(
        name: "u-autorec", base: .userBased, testOverrides: ["hidden": "8", "lr": "0.01", "batch": "16"],
        summary: "U-AutoRec: user-based autoencoder on observed ratings, 500 sigmoid units, mini-batch Adam (Sedhain et al., WWW 2015)")

    /// A rating entry `name` whose settings are `base` with the options applied.
    static func zooEntry(name: String, base: AutoRecConfiguration, testOverrides: [String: String],
                         summary: String) -> ModelEntry {
        ModelEntry(name: name, summary: summary, task: .rating, testOverrides: testOverrides,
                   searchSpace: AutoRecConfiguration.searchSpace(for: base),
                   configuration: { try .from($0, base: base, model: name) },
                   parameterCount: { shape, c in try parameterCount(shape, c, model: name) }) { shape, c in
            AutoRec(userCount: shape.users, itemCount: shape.items, configuration: c)
        }
    }

    /// V [width, H], μ, W [width, H], b for the rows AutoRec encodes (items: width = users).
    static func parameterCount(_ shape: DataShape, _ c: AutoRecConfiguration, model: String) throws -> Int {
        guard shape.users > 0 && shape.items > 0 else {
            throw ModelZooError.tooLarge(model: model, detail: "a \(shape.users) × \(shape.items) rating matrix has nothing to encode")
        }
        let width = c.orientation == .item ? shape.users : shape.items
        var count = ParameterCount(model: model)
        try count.dense(width, c.hiddenSize)                                                       // encoder
        try count.dense(c.hiddenSize, width)                                                       // decoder
        return count.total
    }
}
