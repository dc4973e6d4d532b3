import Kernels
import TensorCore

/// A built-in explicit-rating data set with planted low-rank structure, so the rating task of
/// `CompareModels` runs on a fresh machine with no data.
///
/// Ratings are clamp(round(3 + 1.2·u·vᵀ/√k + noise), 1, 5) for k-dimensional Gaussian user and item
/// factors, observed at random positions with probability `density`.
public struct SyntheticRatings: Sendable {
    /// Users, items, rank k and the observed fraction.
    public var userCount = 1_500, itemCount = 600, rank = 6
    /// The probability that a (user, item) rating is observed.
    public var density = 0.06
    /// Seed of the generator.
    public var seed: UInt64 = 2015

    /// The default data set (1,500 users × 600 items, rank 6, 6% observed).
    public init() {}

    /// The ratings as `Interactions` (ids are the row and column numbers).
    public func generate() -> Interactions {
        var rng = RandomGenerator(seed: seed)
        let users = Kernels.randomNormal(rows: userCount, columns: rank, using: &rng)
        let items = Kernels.randomNormal(rows: itemCount, columns: rank, using: &rng)
        let affinity = Kernels.gemm(users, items, transposeB: true, precision: .float32)   // [N, M]: data, never bf16
        let scale = 1.2 / Float(rank).squareRoot()
        var triplets: [(row: Int, column: Int, value: Float)] = []
        for user in 0..<userCount {
            for item in 0..<itemCount where Double(rng.nextUniform()) < density {
                let noisy = 3 + scale * affinity[user, item] + 0.3 * rng.nextNormal()
                triplets.append((user, item, min(5, max(1, noisy.rounded()))))
            }
        }
        let ratings = SparseMatrix(rows: userCount, columns: itemCount, triplets: triplets)
        return Interactions(ratings: ratings, userIDs: (0..<userCount).map(Int64.init),
                            itemIDs: (0..<itemCount).map(Int64.init))
    }
}
