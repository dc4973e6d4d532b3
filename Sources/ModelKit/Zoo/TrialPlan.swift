import TensorCore

/// The settings of every trial of one search, fixed by the space, the trial count, the model's
/// name and the seed alone, so the same command gives the same trials (and a resumed search the
/// trials it had). A space whose dimensions are all discrete with at most `count` combinations is
/// searched as a grid (every combination once, fewer trials than asked when it is smaller);
/// otherwise trial 0 holds the paper values and trials 1… draw each setting at random (uniform,
/// or log-uniform where the dimension says), trial i from a generator seeded by (seed, model, i),
/// so a longer search starts with the trials of a shorter one.
public struct TrialPlan: Sendable, Equatable {
    /// Each trial's settings, by option key.
    public let trials: [[String: String]]
    /// Whether the plan is a grid.
    public let isGrid: Bool

    /// The plan of `count` trials of `space` for `model` with `seed`.
    public init(space: SearchSpace, count: Int, model: String, seed: UInt64) {
        precondition(count > 0, "TrialPlan: \(count) trials")
        if let grid = space.grid(limit: count) {
            (trials, isGrid) = (grid, true)
            return
        }
        let paper = space.paperValues.filter { !$0.value.isEmpty }
        let stem = Self.hash(model) ^ seed &* 0x9E37_79B9_7F4A_7C15
        trials = [paper] + (1..<max(1, count)).map { index in
            var generator = RandomGenerator(seed: stem &+ UInt64(index) &* 0xD1B5_4A32_D192_ED03)
            return Dictionary(uniqueKeysWithValues: space.dimensions.map { dimension in
                (dimension.key, dimension.value(at: Double(generator.next() >> 11) * 0x1p-53))
            })
        }
        isGrid = false
    }

    /// FNV-1a of the name's UTF-8 bytes (stable across processes, unlike `hashValue`).
    static func hash(_ text: String) -> UInt64 {
        text.utf8.reduce(0xCBF2_9CE4_8422_2325) { ($0 ^ UInt64($1)) &* 0x100_0000_01B3 }
    }

    /// `key=value, …` in key order, for progress lines and tables.
    public static func describe(_ settings: [String: String]) -> String {
        settings.isEmpty ? "(defaults)" : settings.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", ")
    }
}
