import ModelKit
import RecCore
import TensorCore

/// Every setting of the deep autoencoder, with the paper's values as `.paper` (Kuchaiev & Ginsburg,
/// "Training Deep AutoEncoders for Collaborative Filtering", 2017, and NVIDIA DeepRecommender's
/// `run.py` / README Netflix command; see Documentation/Models/DeepAutoEncoder.md).
public struct DeepAutoEncoderConfiguration: TrainingConfiguration, Equatable {
    /// Encoder sizes after the item layer: 512, 512, 1024 (the Netflix model, §3); the decoder mirrors them.
    public var hiddenSizes: [Int]
    /// The activation of every layer (SELU, §2.1 and Figure 2).
    public var activation: Activation
    /// Probability of dropping a code unit (0.8, the Netflix command's `--drop_prob 0.8`); dropout acts on the code layer only.
    public var dropout: Float
    /// Decoder weights tied to the transposed encoder weights ("constrained", §2.1); off in the best model.
    public var constrainedDecoder: Bool
    /// No activation on the last decoder layer (DeepRec's `--skip_last_layer_nl`; off by default).
    public var linearLastLayer: Bool
    /// Dense re-feeding steps after each update (1, §2.3 and `--aug_step 1`).
    public var augmentationSteps: Int
    /// SGD learning rate (0.005, `--lr 0.005`).
    public var learningRate: Float
    /// SGD momentum (0.9, `--optimizer momentum`).
    public var momentum: Float
    /// L2 weight decay (0, `--weight_decay 0`).
    public var weightDecay: Float
    /// Users per mini-batch (128, `--batch_size 128`).
    public var batchSize: Int
    /// Epochs (12, `--num_epochs 12`): the paper's count on its data. With `updateBudget` set, the
    /// floor of the epoch budget (`epochBudget(rows:)`); an explicit `--epochs` or `epochs=` is exact.
    public var epochs: Int
    /// The paper's run in optimizer updates, so that smaller data sets are not cut short: 12 epochs
    /// of Netflix's 477,412 training users in batches of 128 (3,730 batches each) = 44,760
    /// (`update-budget`; nil when the epochs were given explicitly). A deviation: DeepRec counts epochs.
    public var updateBudget: Int?
    /// Stop after this many epochs without a better validation RMSE, the best epoch kept (`patience`,
    /// 0: never). A deviation: DeepRec has no early stopping; it lets the update budget be an upper bound.
    public var patience: Int?
    /// Epochs at which the rate halves (`MultiStepLR(milestones=[24, 36, 48, 66, 72], gamma=0.5)` in
    /// `run.py`), counted on the paper's 12-epoch run and stretched with the budget (`milestones(forBudget:)`).
    public var learningRateMilestones: [Int]
    /// Seed of the initialisation and the dropout masks.
    public var seed: UInt64

    /// The paper's Netflix settings.
    public static let paper = DeepAutoEncoderConfiguration(
        hiddenSizes: [512, 512, 1024], activation: .selu, dropout: 0.8, constrainedDecoder: false, linearLastLayer: false,
        augmentationSteps: 1, learningRate: 0.005, momentum: 0.9, weightDecay: 0, batchSize: 128, epochs: 12,
        updateBudget: paperUpdates, patience: 20, learningRateMilestones: [24, 36, 48, 66, 72], seed: 0)

    /// 12 epochs × ⌈477,412 / 128⌉ batches: the Netflix run of the paper's README command in updates.
    public static let paperUpdates = 12 * ((477_412 + 127) / 128)

    /// Epochs for `rows` training rows: with an update budget, enough epochs to make that many
    /// updates (one per batch of `batchSize` rows), never fewer than `epochs`; else `epochs`.
    /// The paper's Netflix data gives its 12; ML-1M's 6,040 users (48 batches) give 933.
    public func epochBudget(rows: Int) -> Int {
        guard let updateBudget, rows > 0 else { return epochs }
        let batches = (rows + batchSize - 1) / batchSize
        return max(epochs, (updateBudget + batches - 1) / batches)
    }

    /// The milestones stretched by the budget's ratio to the paper's 12 epochs (rounded), so they
    /// fall at the same share of the run as in the paper's (where none is reached: the first is at 24).
    public func milestones(forBudget budget: Int) -> [Int] {
        guard budget > epochs, epochs > 0 else { return learningRateMilestones }
        return learningRateMilestones.map { Int((Double($0) * Double(budget) / Double(epochs)).rounded()) }
    }

    /// What `--tune` varies: the code dropout, SGD's learning rate and the weight decay.
    public static let searchSpace = SearchSpace([
        .real("dropout", 0...0.9, paper: "0.8"),
        .real("lr", 1e-3...0.05, logScale: true, paper: "0.005"),
        .choices("weight-decay", ["0", "0.0001", "0.001"], paper: "0"),
    ])

    /// The paper's settings with `options` applied (`--set deep-ae.KEY=VALUE`); unknown keys throw.
    public static func from(_ options: ModelOptions, model: String = "deep-ae") throws -> DeepAutoEncoderConfiguration {
        var c = try paper.applying(options, model: model) { reader, c in
            c.hiddenSizes = try reader.intList("hidden", default: c.hiddenSizes)
            c.activation = try reader.choice("activation", default: c.activation)
            c.dropout = try reader.probability("dropout", default: c.dropout)
            c.constrainedDecoder = try reader.int("constrained", default: c.constrainedDecoder ? 1 : 0, minimum: 0) != 0
            c.linearLastLayer = try reader.int("linear-last", default: c.linearLastLayer ? 1 : 0, minimum: 0) != 0
            c.augmentationSteps = try reader.int("aug-steps", default: c.augmentationSteps, minimum: 0)
            c.momentum = Float(try reader.double("momentum", default: Double(c.momentum)))
            c.weightDecay = Float(try reader.double("weight-decay", default: Double(c.weightDecay)))
            let budget = try reader.int("update-budget", default: c.updateBudget ?? 0, minimum: 0)
            c.updateBudget = budget > 0 ? budget : nil
        }
        if options.epochs != nil || options.overrides["epochs"] != nil { c.updateBudget = nil }   // exact epochs asked for
        return c
    }
}

extension DeepAutoEncoder {
    /// The zoo entry `deep-ae`.
    public static let zooEntry = ModelEntry(
        name: "deep-ae",
        summary: "Deep SELU autoencoder: n-512-512-1024 mirrored, code dropout 0.8, dense re-feeding (Kuchaiev & Ginsburg 2017)",
        task: .rating, testOverrides: ["hidden": "8,4", "batch": "16", "dropout": "0.2", "lr": "0.05"],
        searchSpace: DeepAutoEncoderConfiguration.searchSpace,
        configuration: { try DeepAutoEncoderConfiguration.from($0) },
        parameterCount: { shape, c in
            guard shape.users > 0 && shape.items > 0 else {
                throw ModelZooError.tooLarge(model: "deep-ae", detail: "a \(shape.users) × \(shape.items) rating matrix")
            }
            let sizes = [shape.items] + c.hiddenSizes
            var count = ParameterCount(model: "deep-ae")
            try count.chain(sizes)                                                                 // encoder
            for (inputs, outputs) in zip(sizes, sizes.dropFirst()) {                               // mirrored decoder
                if c.constrainedDecoder { try count.tensor(1, inputs) } else { try count.dense(outputs, inputs) }
            }
            return count.total
        }
    ) { shape, c in
        DeepAutoEncoder(userCount: shape.users, itemCount: shape.items, configuration: c)
    }
}
