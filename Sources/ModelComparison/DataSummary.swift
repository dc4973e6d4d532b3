import Kernels
import TensorCore

/// The size and shape of the data a comparison trained on (the first seed's training matrix), for
/// the report: users, items, interactions, density, and clicks per user and per item binned by
/// powers of two.
public struct DataSummary: Sendable, Codable, Equatable {
    /// Training users (rows).
    public var users: Int
    /// Items (columns).
    public var items: Int
    /// Stored interactions (clicks, or ratings in the rating task).
    public var interactions: Int
    /// interactions / (users · items); 0 for an empty matrix.
    public var density: Double
    /// How many users have 1, 2–3, 4–7, … interactions.
    public var interactionsPerUser: [HistogramBin]
    /// How many items have 1, 2–3, 4–7, … interactions.
    public var interactionsPerItem: [HistogramBin]

    /// The summary of `train`.
    public init(train: SparseMatrix) {
        users = train.rows
        items = train.columns
        interactions = train.nonZeroCount
        let cells = Double(train.rows) * Double(train.columns)
        density = cells > 0 ? Double(train.nonZeroCount) / cells : 0
        interactionsPerUser = HistogramBin.powersOfTwo(Kernels.sparseRowCounts(train))
        interactionsPerItem = HistogramBin.powersOfTwo(Kernels.sparseColumnCounts(train))
    }
}

/// The values in [lower, upper] (both included) and how many there are.
public struct HistogramBin: Sendable, Codable, Equatable {
    /// The smallest value of the bin.
    public var lower: Int
    /// The largest value of the bin.
    public var upper: Int
    /// Values in the bin.
    public var count: Int

    /// A bin of `count` values in [lower, upper].
    public init(lower: Int, upper: Int, count: Int) {
        (self.lower, self.upper, self.count) = (lower, upper, count)
    }

    /// The bins 0, 1, 2–3, 4–7, … up to the last non-empty one (`Kernels.powerOfTwoHistogram`);
    /// the 0 bin only when some value is 0.
    static func powersOfTwo(_ values: [Int]) -> [HistogramBin] {
        let counts = Kernels.powerOfTwoHistogram(values)
        return counts.enumerated().compactMap { bin, count in
            if bin == 0 { return count > 0 ? HistogramBin(lower: 0, upper: 0, count: count) : nil }
            let lower = 1 << (bin - 1)
            return HistogramBin(lower: lower, upper: bin >= Int.bitWidth - 1 ? Int.max : (lower << 1) - 1, count: count)
        }
    }
}
