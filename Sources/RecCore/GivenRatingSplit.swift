import TensorCore

/// A rating split fixed by files (`train.csv`, `test.csv`, optionally `validation.csv`), e.g. one a
/// peer implementation made, so both sides train and test on the same ratings.
///
/// All parts share one users × items index space: the union of the ids of every file, in
/// ascending order of original id. A user or item that appears only in the test file has no
/// training rating and is predicted with `RatingEvaluation.autoRecDefaultRating`, as everywhere.
/// The test part is fixed; without `validation.csv`, `split(seed:)` carves the validation part out
/// of the training ratings with that seed.
public struct GivenRatingSplit: Sendable, Equatable {
    /// The folder the files were read from.
    public let folder: String
    /// Original id of every row and column (union of all files, ascending).
    public let userIDs: [Int64], itemIDs: [Int64]
    /// Ratings of `train.csv` (including those a seed carves out for validation).
    public let train: SparseMatrix
    /// Ratings of `test.csv`.
    public let test: SparseMatrix
    /// Ratings of `validation.csv`, or nil when the folder has none.
    public let validation: SparseMatrix?
    /// Share of the training ratings held out for validation per seed when `validation` is nil.
    public let validationFraction: Double

    /// A split from matrices of one shape (ids give the original id of every row and column).
    public init(folder: String, userIDs: [Int64], itemIDs: [Int64], train: SparseMatrix, test: SparseMatrix,
                validation: SparseMatrix?, validationFraction: Double = 0.1) {
        precondition((0...1).contains(validationFraction),
                     "GivenRatingSplit: validationFraction must lie in [0, 1], got \(validationFraction)")
        for part in [train, test] + (validation.map { [$0] } ?? []) {
            precondition(part.rows == userIDs.count && part.columns == itemIDs.count,
                         "GivenRatingSplit: a \(part.rows)×\(part.columns) part for \(userIDs.count) users × \(itemIDs.count) items")
        }
        (self.folder, self.userIDs, self.itemIDs, self.train) = (folder, userIDs, itemIDs, train)
        (self.test, self.validation, self.validationFraction) = (test, validation, validationFraction)
    }

    /// The split used with `seed`: the given validation file, or round(`validationFraction` · n) of the
    /// n training ratings drawn by a permutation seeded with `seed` (the rest train). Test is fixed.
    public func split(seed: UInt64) -> RatingSplit {
        if let validation {
            return RatingSplit(train: train, validation: validation, test: test, userIDs: userIDs, itemIDs: itemIDs)
        }
        let total = train.nonZeroCount
        var generator = RandomGenerator(seed: seed)
        let order = generator.permutation(total)
        var heldOut = [Bool](repeating: false, count: total)
        for k in 0..<Int((validationFraction * Double(total)).rounded()) { heldOut[order[k]] = true }
        func part(_ wanted: Bool) -> SparseMatrix { train.keepingEntries { heldOut[$0] == wanted } }
        return RatingSplit(train: part(false), validation: part(true), test: test, userIDs: userIDs, itemIDs: itemIDs)
    }
}

/// Where the rating splits of a comparison come from: raw ratings split at random per seed, or a
/// split given by files.
public enum RatingSplitSource: Sendable {
    /// Ratings split 90/10 by `RatingSplit.random` per seed, then `validationFraction` of the 90%
    /// held out for validation (0.1: 81/9/10).
    case ratings(Interactions, validationFraction: Double = 0.1)
    /// A fixed test file; validation given or carved per seed (`GivenRatingSplit.split(seed:)`).
    case given(GivenRatingSplit)

    /// Users × items of every split (a split keeps its source's shape), without splitting.
    public var shape: (users: Int, items: Int) {
        switch self {
        case let .ratings(interactions, _): return (interactions.userCount, interactions.itemCount)
        case let .given(given): return (given.train.rows, given.train.columns)
        }
    }

    /// The split for `seed`.
    public func split(seed: UInt64) -> RatingSplit {
        switch self {
        case let .ratings(interactions, validationFraction):
            return RatingSplit.random(interactions, testFraction: 0.1, validationFraction: validationFraction, seed: seed)
        case let .given(given):
            return given.split(seed: seed)
        }
    }
}
