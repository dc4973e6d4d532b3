/// The settings every gradient-trained zoo model reads alike: `lr`, `batch`, `epochs` and
/// `patience`, and the seed of `ModelOptions`. A model's configuration conforms by having them, and reads its options
/// with `applying(_:model:_:)`, so the shared keys have one name, one range and one default rule.
public protocol TrainingConfiguration: Sendable {
    /// The optimizer's learning rate (`lr`, positive).
    var learningRate: Float { get set }
    /// Rows per mini-batch (`batch`, at least 1).
    var batchSize: Int { get set }
    /// Training epochs (`epochs`, at least 1; `ModelOptions.epochs`, `--epochs`, replaces the default).
    var epochs: Int { get set }
    /// Stop after this many epochs without a better validation metric, the best epoch kept
    /// (`patience`, 0 for nil: never). Each entry's default is sized on its own validation curves
    /// (BENCHMARKS.md §16) so that it never cut a measured run short; `epochs` stays the upper bound.
    var patience: Int? { get set }
    /// Seed of the model's random generator (`ModelOptions.seed`).
    var seed: UInt64 { get set }
}

extension TrainingConfiguration {
    /// These settings with `model`'s overrides in `options` applied: `readModelSettings` reads the
    /// model's own keys, then `lr`, `batch`, `epochs` and `patience` are read, any other key throws
    /// `ModelZooError.unknownOption` listing the known ones, and the seed becomes the options'.
    public func applying(_ options: ModelOptions, model: String,
                         _ readModelSettings: (inout OptionReader, inout Self) throws -> Void) throws -> Self {
        var reader = OptionReader(model: model, options: options)
        var c = self
        try readModelSettings(&reader, &c)
        c.learningRate = Float(try reader.positive("lr", default: Double(c.learningRate)))
        c.batchSize = try reader.int("batch", default: c.batchSize, minimum: 1)
        c.epochs = try reader.int("epochs", default: options.epochs ?? c.epochs, minimum: 1)
        let patience = try reader.int("patience", default: c.patience ?? 0, minimum: 0)
        c.patience = patience > 0 ? patience : nil
        try reader.finish()
        c.seed = options.seed
        return c
    }
}
