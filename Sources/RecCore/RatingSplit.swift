import TensorCore

/// A split of individual ratings into train / validation / test matrices of one users × items shape
/// (rating prediction: AutoRec, DeepRec). Every rating lands in at most one part.
public struct RatingSplit: Sendable, Equatable {
    /// Ratings to train on.
    public let train: SparseMatrix
    /// Ratings for model selection.
    public let validation: SparseMatrix
    /// Ratings to report.
    public let test: SparseMatrix
    /// Original id of every row and column (as in the source `Interactions`).
    public let userIDs: [Int64], itemIDs: [Int64]
    /// Ratings of the source that are in no part (the time split drops those outside its windows
    /// and those whose user or item has no training rating); 0 for the random split.
    public let droppedCount: Int

    /// Random split (Sedhain et al., "AutoRec", WWW 2015: "randomly split each dataset into 90%–10%
    /// train-test sets, and hold out 10% of the training set for hyperparameter tuning"):
    /// shuffles all ratings with `seed`; the first round(`testFraction`·n) are test, the next
    /// round(`validationFraction`·rest) validation, the remainder train.
    public static func random(_ interactions: Interactions, testFraction: Double = 0.1,
                              validationFraction: Double = 0.1, seed: UInt64) -> RatingSplit {
        precondition((0...1).contains(testFraction) && (0...1).contains(validationFraction),
                     "RatingSplit.random: fractions must lie in [0, 1], got \(testFraction), \(validationFraction)")
        let total = interactions.count
        var generator = RandomGenerator(seed: seed)
        let order = generator.permutation(total)
        let testCount = Int((testFraction * Double(total)).rounded())
        let validationCount = Int((validationFraction * Double(total - testCount)).rounded())
        var part = [UInt8](repeating: 0, count: total)   // 0 train, 1 validation, 2 test
        for k in 0..<testCount { part[order[k]] = 2 }
        for k in testCount..<(testCount + validationCount) { part[order[k]] = 1 }
        return RatingSplit(interactions, part: part, dropped: 0)
    }

    /// Time-ordered split (Kuchaiev & Ginsburg 2017, DeepRec `netflix_data_convert.py`): ratings with
    /// `trainingStart ≤ t ≤ trainingEnd` train; ratings with `testStart ≤ t ≤ testEnd` whose user and
    /// item both have a training rating go to validation or test by a fair coin per rating (seeded);
    /// everything else is dropped and counted. Netflix full: 1999-12-01…2005-11-30 train,
    /// 2005-12-01…2005-12-31 test. Times are seconds since 1970 (dates at midnight UTC).
    public static func timeOrdered(_ interactions: Interactions, trainingStart: Int64 = .min, trainingEnd: Int64,
                                   testStart: Int64, testEnd: Int64 = .max, seed: UInt64) throws -> RatingSplit {
        guard interactions.timestampOffsets != nil else {
            throw DataError.missingTimestamps(source: "RatingSplit.timeOrdered")
        }
        let ratings = interactions.ratings
        var part = [UInt8](repeating: 3, count: interactions.count)   // 3 = dropped
        var userTrained = [Bool](repeating: false, count: ratings.rows)
        var itemTrained = [Bool](repeating: false, count: ratings.columns)
        for user in 0..<ratings.rows {
            for position in ratings.range(ofRow: user) {
                let time = interactions.timestamp(atStorageIndex: position) ?? 0
                if time >= trainingStart && time <= trainingEnd {
                    part[position] = 0
                    userTrained[user] = true
                    itemTrained[Int(ratings.columnIndices[position])] = true
                }
            }
        }
        var generator = RandomGenerator(seed: seed)
        var dropped = 0
        for user in 0..<ratings.rows {
            for position in ratings.range(ofRow: user) where part[position] != 0 {
                let time = interactions.timestamp(atStorageIndex: position) ?? 0
                if time >= testStart && time <= testEnd && userTrained[user]
                    && itemTrained[Int(ratings.columnIndices[position])] {
                    part[position] = generator.nextUniform() < 0.5 ? 1 : 2
                } else {
                    dropped += 1
                }
            }
        }
        return RatingSplit(interactions, part: part, dropped: dropped)
    }

    /// A split from its parts (`GivenRatingSplit`); all three matrices share one users × items shape.
    init(train: SparseMatrix, validation: SparseMatrix, test: SparseMatrix, userIDs: [Int64], itemIDs: [Int64]) {
        precondition(train.rows == validation.rows && train.rows == test.rows && train.rows == userIDs.count
                     && train.columns == validation.columns && train.columns == test.columns && train.columns == itemIDs.count,
                     "RatingSplit: train \(train.rows)×\(train.columns), validation \(validation.rows)×\(validation.columns), test \(test.rows)×\(test.columns), \(userIDs.count) user ids, \(itemIDs.count) item ids")
        (self.train, self.validation, self.test, self.userIDs, self.itemIDs) = (train, validation, test, userIDs, itemIDs)
        droppedCount = 0
    }

    /// Builds the three matrices from a part label per stored rating (0, 1, 2; others dropped).
    private init(_ interactions: Interactions, part: [UInt8], dropped: Int) {
        let ratings = interactions.ratings
        func matrix(_ label: UInt8) -> SparseMatrix { ratings.keepingEntries { part[$0] == label } }
        train = matrix(0)
        validation = matrix(1)
        test = matrix(2)
        userIDs = interactions.userIDs
        itemIDs = interactions.itemIDs
        droppedCount = dropped
    }
}
