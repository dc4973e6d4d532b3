import ModelKit
import RecCore

/// Every setting of Mult-DAE, with the paper's values as `.paper` (Liang et al. 2018 and the
/// authors' reference code; see Documentation/Models/MultDAE.md).
public struct MultDAEConfiguration: TrainingConfiguration, Equatable {
    /// Hidden sizes after the item layer: [200].
    public var hiddenSizes: [Int]
    /// Probability of dropping an input entry (the reference keeps 0.5).
    public var dropout: Float
    /// λ of the L2 penalty on the weights, per batch: the update adds 2·λ/B·W to each weight's
    /// gradient (λ = 0.01, B = 500: 4·10⁻⁵·W).
    public var lambda: Double
    /// Adam learning rate (1e-3).
    public var learningRate: Float
    /// Users per mini-batch (500).
    public var batchSize: Int
    /// Training epochs (200).
    public var epochs: Int
    /// Stop after this many epochs without a better validation NDCG@100, the best epoch kept
    /// (`patience`, 0: never): 50, a quarter of the budget.
    /// Ours (the reference runs all 200): on ML-1M the longest stretch without a new best before the
    /// best epoch was 13 (seeds 1–3, BENCHMARKS.md §16), so the 200-epoch figures are kept.
    public var patience: Int?
    /// Seed of the model's random generator.
    public var seed: UInt64

    /// The paper's settings.
    public static let paper = MultDAEConfiguration(hiddenSizes: [200], dropout: 0.5, lambda: 0.01, learningRate: 1e-3,
                                                   batchSize: 500, epochs: 200, patience: 50, seed: 0)

    /// The weight decay added to the weights' gradients: 2λ/B.
    public var weightDecay: Float { Float(2 * lambda / Double(batchSize)) }

    /// What `--tune` varies: input dropout, the weight decay's λ and Adam's learning rate.
    public static let searchSpace = SearchSpace([
        .real("dropout", 0.1...0.7, paper: "0.5"),
        .real("lambda", 1e-3...1e-1, logScale: true, paper: "0.01"),
        .real("lr", 1e-4...1e-2, logScale: true, paper: "0.001"),
    ])

    /// The paper's settings with `options` applied (`--set mult-dae.KEY=VALUE`); unknown keys throw.
    public static func from(_ options: ModelOptions, model: String = "mult-dae") throws -> MultDAEConfiguration {
        try paper.applying(options, model: model) { reader, c in
            c.hiddenSizes = try reader.intList("hidden", default: c.hiddenSizes)
            c.dropout = try reader.probability("dropout", default: c.dropout)
            c.lambda = try reader.nonNegative("lambda", default: c.lambda)
        }
    }
}

extension MultDAE {
    /// The zoo entry `mult-dae`.
    public static let zooEntry = ModelEntry(
        name: "mult-dae",
        summary: "Mult-DAE: multinomial denoising autoencoder, [I-200-I], dropout 0.5 (Liang et al., WWW 2018)",
        task: .ranking, testOverrides: ["hidden": "16", "batch": "50"], searchSpace: MultDAEConfiguration.searchSpace,
        configuration: { try MultDAEConfiguration.from($0) },
        parameterCount: { shape, c in
            var count = ParameterCount(model: "mult-dae")
            try count.chain([shape.items] + c.hiddenSizes + c.hiddenSizes.dropLast().reversed() + [shape.items])
            return count.total
        }
    ) { shape, c in
        MultDAE(itemCount: shape.items, configuration: c)
    }
}
