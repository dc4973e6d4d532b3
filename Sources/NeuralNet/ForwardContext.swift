import TensorCore

/// What a forward pass needs besides its input: the mode and the only random generator.
///
/// Dropout and sampling draw from `rng`, so the same seed gives the same numbers, and a gradient
/// check that restores the context before each perturbed call sees the same dropout masks.
public struct ForwardContext {
    /// Training or inference; dropout and sampling are active only in training.
    public enum Mode: Sendable { case training, inference }

    /// The current mode.
    public var mode: Mode
    /// The random generator every stochastic layer draws from.
    public var rng: RandomGenerator
    /// In a data-parallel step, the rows of the global batch this member computes (nil otherwise):
    /// per-row draws then cover the global batch (`drawBatchRows`, `drawBatchEntries`).
    public var shard: BatchShard? = nil

    /// A context in `mode` drawing from `rng`.
    public init(mode: Mode, rng: RandomGenerator) {
        self.mode = mode
        self.rng = rng
    }

    /// A context in `mode` seeded with `seed`.
    public init(mode: Mode, seed: UInt64) {
        self.init(mode: mode, rng: RandomGenerator(seed: seed))
    }

    /// True in training mode.
    public var isTraining: Bool { mode == .training }
}
