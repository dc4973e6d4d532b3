import TensorCore

/// A built-in implicit-feedback data set with planted structure, so `CompareModels` runs on a fresh
/// machine with no data, and a model that learns anything beats a popularity ranking.
///
/// Each item has a Zipf-like popularity; items are split into `clusterCount` overlapping taste
/// groups; each user belongs to one group and draws `clicksPerUser` distinct items (±50%), each
/// from the user's group with probability `affinity` (popularity-weighted) and from the whole
/// catalogue otherwise.
public struct SyntheticClicks: Sendable {
    /// Number of users (rows).
    public var userCount: Int
    /// Number of items (columns).
    public var itemCount: Int
    /// Number of taste groups.
    public var clusterCount: Int
    /// Mean clicks per user.
    public var clicksPerUser: Int
    /// Probability that a click comes from the user's own group.
    public var affinity: Double
    /// Seed of the generator.
    public var seed: UInt64

    /// The default built-in data set: 4,000 users × 1,200 items, 12 groups, ~40 clicks per user.
    public init(userCount: Int = 4_000, itemCount: Int = 1_200, clusterCount: Int = 12,
                clicksPerUser: Int = 40, affinity: Double = 0.8, seed: UInt64 = 2018) {
        precondition(userCount > 0 && itemCount > 1 && clusterCount > 0 && clicksPerUser > 0,
                     "SyntheticClicks needs positive sizes")
        precondition(clicksPerUser * 3 / 2 < itemCount, "SyntheticClicks: too many clicks per user for \(itemCount) items")
        self.userCount = userCount
        self.itemCount = itemCount
        self.clusterCount = clusterCount
        self.clicksPerUser = clicksPerUser
        self.affinity = affinity
        self.seed = seed
    }

    /// The users × items click matrix (values 1).
    public func generate() -> SparseMatrix {
        var rng = RandomGenerator(seed: seed)
        // Zipf-like popularity weights over a random item order, cumulative for sampling.
        let order = rng.permutation(itemCount)
        var weight = [Double](repeating: 0, count: itemCount)
        for (rank, item) in order.enumerated() { weight[item] = 1 / Double(rank + 1).squareRoot() }
        // Each group: a random window of ~2·I/C items (so groups overlap), popularity-weighted.
        let groupSize = min(itemCount, max(2, 2 * itemCount / clusterCount))
        var groups: [[Int]] = []
        var groupCumulative: [[Double]] = []
        let groupOrder = rng.permutation(itemCount)
        for c in 0..<clusterCount {
            let start = (c * itemCount / clusterCount) % itemCount
            let members = (0..<groupSize).map { groupOrder[(start + $0) % itemCount] }
            groups.append(members)
            groupCumulative.append(cumulative(members.map { weight[$0] }))
        }
        let allCumulative = cumulative(weight)

        var pointers = [0]
        var columns: [Int32] = []
        pointers.reserveCapacity(userCount + 1)
        columns.reserveCapacity(userCount * clicksPerUser)
        for _ in 0..<userCount {
            let group = Int(rng.nextBelow(UInt64(clusterCount)))
            let low = max(1, clicksPerUser / 2)
            let target = low + Int(rng.nextBelow(UInt64(clicksPerUser + 1)))
            var chosen = Set<Int>()
            var attempts = 0
            while chosen.count < target && attempts < target * 50 {
                attempts += 1
                if Double(rng.nextUniform()) < affinity {
                    chosen.insert(groups[group][sample(groupCumulative[group], &rng)])
                } else {
                    chosen.insert(sample(allCumulative, &rng))
                }
            }
            columns.append(contentsOf: chosen.sorted().map { Int32($0) })
            pointers.append(columns.count)
        }
        return SparseMatrix(rows: userCount, columns: itemCount, rowPointers: pointers, columnIndices: columns,
                            values: [Float](repeating: 1, count: columns.count))
    }

    private func cumulative(_ weights: [Double]) -> [Double] {
        var total = 0.0
        return weights.map { total += $0; return total }
    }

    /// An index drawn with probability proportional to its weight (binary search on the cumulative sums).
    private func sample(_ cumulative: [Double], _ rng: inout RandomGenerator) -> Int {
        let target = Double(rng.nextUniform()) * (cumulative.last ?? 0)
        var low = 0, high = cumulative.count - 1
        while low < high {
            let middle = (low + high) / 2
            if cumulative[middle] <= target { low = middle + 1 } else { high = middle }
        }
        return low
    }
}
