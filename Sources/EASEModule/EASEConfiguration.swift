import ModelKit
import TensorCore

/// EASE's one setting, with the paper's value as `.paper` (Steck, "Embarrassingly Shallow
/// Autoencoders for Sparse Data", WWW 2019; see Documentation/Models/EASE.md).
public struct EASEConfiguration: Equatable, Sendable {
    /// λ, the L2 penalty on B (500: the paper's value for ML-20M). Must be positive: it is what
    /// makes XᵀX + λI invertible. ML-1M's published split chose 800 on validation (EASE.md).
    public var lambda: Double

    /// The paper's setting.
    public static let paper = EASEConfiguration(lambda: 500)

    /// What `--tune` varies: λ over a grid of 11 values around the paper's 500 (a grid, since a
    /// closed-form fit takes seconds and one dimension is covered by a few points).
    public static let searchSpace = SearchSpace([
        .choices("lambda", ["50", "100", "200", "300", "500", "800", "1000", "1500", "2000", "3000", "5000"], paper: "500"),
    ])

    /// The largest λ accepted: Gram counts and λ are added in Float.
    public static let largestLambda = 1e30

    /// The paper's setting with `options` applied (`--set ease.lambda=VALUE`); λ ≤ 0, a λ too large
    /// for Float and unknown keys throw `ModelZooError`.
    public static func from(_ options: ModelOptions, model: String = "ease") throws -> EASEConfiguration {
        var reader = OptionReader(model: model, options: options)
        var configuration = paper
        configuration.lambda = try reader.positive("lambda", default: paper.lambda)
        guard configuration.lambda <= largestLambda else {
            throw ModelZooError.invalidOption(model: model, key: "lambda", value: "\(configuration.lambda)",
                                              expected: "a positive number up to \(largestLambda)")
        }
        try reader.finish()
        return configuration
    }

    /// The entries of the [I, I] matrix B for `items` items; throws `ModelZooError.tooLarge` for no
    /// items or an overflow.
    public static func matrixEntries(items: Int, model: String = "ease") throws -> Int {
        guard items > 0 else { throw ModelZooError.tooLarge(model: model, detail: "needs at least one item, got \(items)") }
        var count = ParameterCount(model: model)
        try count.tensor(items, items)
        return count.total
    }

    /// Peak bytes of a fit: the one [I, I] Float matrix plus a quarter for everything else
    /// (the Gram, the inverse and B are written in place; target ≤ 1.25 × I² floats).
    public static func fitBytes(items: Int, model: String = "ease") throws -> Int {
        let (bytes, overflow) = try matrixEntries(items: items, model: model).multipliedReportingOverflow(by: 5)
        guard !overflow else { throw ModelZooError.tooLarge(model: model, detail: "\(items)² floats overflow a byte count") }
        return bytes                                                                    // 4 bytes × 1.25
    }

    /// Throws `ModelZooError.tooLarge`, naming the sizes, when a fit for `items` items needs more
    /// than `physicalBytes` (the machine's memory; nil: unknown, nothing refused).
    public static func checkFits(items: Int, physicalBytes: Int? = SystemMemory.physicalBytes, model: String = "ease") throws {
        let needed = try fitBytes(items: items, model: model)
        guard let physicalBytes, needed > physicalBytes else { return }
        throw ModelZooError.tooLarge(model: model, detail: "its \(items) × \(items) item-item matrix of floats is "
            + "\(SystemMemory.describe(needed / 5 * 4)) (≈ \(SystemMemory.describe(needed)) at fit), more than this "
            + "machine's \(SystemMemory.describe(physicalBytes)) of physical memory; use fewer items")
    }
}
