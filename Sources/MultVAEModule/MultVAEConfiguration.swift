import ModelKit
import RecCore

/// Every setting of Mult-VAE, with the paper's values as `.paper` (Liang et al. 2018 and the
/// authors' reference code; see Documentation/Models/MultVAE.md).
public struct MultVAEConfiguration: TrainingConfiguration, Equatable {
    /// Encoder hidden sizes after the item layer, the last one being the latent size Z: [600, 200].
    public var hiddenSizes: [Int]
    /// Probability of dropping an input entry (the reference keeps 0.5).
    public var dropout: Float
    /// β cap of the KL annealing (0.2).
    public var betaCap: Double
    /// Updates over which β rises linearly from 0 to the cap (200,000).
    public var annealSteps: Int
    /// Adam learning rate (1e-3).
    public var learningRate: Float
    /// Users per mini-batch (500).
    public var batchSize: Int
    /// Training epochs (200).
    public var epochs: Int
    /// Stop after this many epochs without a better validation NDCG@100, the best epoch kept
    /// (`patience`, 0: never): 50, a quarter of the budget.
    /// Ours (the reference runs all 200): on ML-1M the longest stretch without a new best before the
    /// best epoch was 17 (seeds 1–3, BENCHMARKS.md §16), so the 200-epoch figures are kept.
    public var patience: Int?
    /// Seed of the model's random generator (initialisation, shuffling, dropout, ε).
    public var seed: UInt64

    /// The paper's settings.
    public static let paper = MultVAEConfiguration(hiddenSizes: [600, 200], dropout: 0.5, betaCap: 0.2,
                                                   annealSteps: 200_000, learningRate: 1e-3, batchSize: 500,
                                                   epochs: 200, patience: 50, seed: 0)

    /// What `--tune` varies (Liang et al. chose β by its annealing curve and kept dropout 0.5 and
    /// Adam's 10⁻³): the β cap, the updates over which β rises to it (on ML-1M's ~10 batches per
    /// epoch the paper's 200,000 leave β below 0.002 for 200 epochs), dropout and the learning rate.
    public static let searchSpace = SearchSpace([
        .real("beta-cap", 0.05...1, paper: "0.2"),
        .choices("anneal-steps", ["2000", "20000", "200000"], paper: "200000"),
        .real("dropout", 0.1...0.7, paper: "0.5"),
        .real("lr", 1e-4...1e-2, logScale: true, paper: "0.001"),
    ])

    /// The paper's settings with `options` applied (`--set mult-vae.KEY=VALUE`); unknown keys throw.
    public static func from(_ options: ModelOptions, model: String = "mult-vae") throws -> MultVAEConfiguration {
        try paper.applying(options, model: model) { reader, c in
            c.hiddenSizes = try reader.intList("hidden", default: c.hiddenSizes)
            c.dropout = try reader.probability("dropout", default: c.dropout)
            c.betaCap = try reader.nonNegative("beta-cap", default: c.betaCap)
            c.annealSteps = try reader.int("anneal-steps", default: c.annealSteps, minimum: 0)
        }
    }
}

extension MultVAE {
    /// The zoo entry `mult-vae`.
    public static let zooEntry = ModelEntry(
        name: "mult-vae",
        summary: "Mult-VAE: multinomial VAE, [I-600-200-600-I], β annealed to 0.2 (Liang et al., WWW 2018)",
        task: .ranking, testOverrides: ["hidden": "32,8", "batch": "50", "anneal-steps": "20"],
        searchSpace: MultVAEConfiguration.searchSpace,
        configuration: { try MultVAEConfiguration.from($0) },
        parameterCount: { shape, c in
            let latent = c.hiddenSizes[c.hiddenSizes.count - 1]
            var count = ParameterCount(model: "mult-vae")
            try count.chain([shape.items] + c.hiddenSizes.dropLast() + [2 * latent])                   // encoder
            try count.chain([latent] + c.hiddenSizes.dropLast().reversed() + [shape.items])            // decoder
            return count.total
        }
    ) { shape, c in
        MultVAE(itemCount: shape.items, configuration: c)
    }
}
