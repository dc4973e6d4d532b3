import TensorCore

/// Held-out users of a strong-generalisation split: rows of `foldIn` and `target` are the same users.
public struct HeldOutUsers: Sendable, Equatable {
    /// The items given to the model as input (80 % per user), users × items, binary.
    public let foldIn: SparseMatrix
    /// The items the model must recover (20 % per user), users × items, binary.
    public let target: SparseMatrix
    /// The id of every row (original user id, or the `uid` of a vae_cf file).
    public let userIDs: [Int64]

    /// Held-out users from their two matrices, which must have the same shape.
    public init(foldIn: SparseMatrix, target: SparseMatrix, userIDs: [Int64]) {
        precondition(foldIn.rows == target.rows && foldIn.columns == target.columns && userIDs.count == foldIn.rows,
                     "HeldOutUsers: fold-in \(foldIn.rows)×\(foldIn.columns), target \(target.rows)×\(target.columns), \(userIDs.count) ids")
        (self.foldIn, self.target, self.userIDs) = (foldIn, target, userIDs)
    }

    /// Number of held-out users.
    public var userCount: Int { foldIn.rows }
}

/// A strong-generalisation split (Liang et al., "Variational Autoencoders for Collaborative
/// Filtering", WWW 2018): training users are seen whole; validation and test users are disjoint
/// from them and from each other, and are scored on a held-out part of their own items.
public struct StrongGeneralizationSplit: Sendable, Equatable {
    /// Training users × items, binary clicks.
    public let train: SparseMatrix
    /// Id of every training row.
    public let trainUserIDs: [Int64]
    /// Validation users.
    public let validation: HeldOutUsers
    /// Test users.
    public let test: HeldOutUsers
    /// Original id of every item column (the items seen by training users).
    public let itemIDs: [Int64]

    /// A split from its parts; all matrices must have `itemIDs.count` columns.
    public init(train: SparseMatrix, trainUserIDs: [Int64], validation: HeldOutUsers, test: HeldOutUsers, itemIDs: [Int64]) {
        precondition(train.columns == itemIDs.count && validation.foldIn.columns == itemIDs.count
                     && test.foldIn.columns == itemIDs.count && trainUserIDs.count == train.rows,
                     "StrongGeneralizationSplit: train \(train.rows)×\(train.columns), validation \(validation.foldIn.columns) and test \(test.foldIn.columns) columns, \(itemIDs.count) items")
        (self.train, self.trainUserIDs, self.validation) = (train, trainUserIDs, validation)
        (self.test, self.itemIDs) = (test, itemIDs)
    }

    /// Number of items (columns).
    public var itemCount: Int { itemIDs.count }

    /// Rows of `interactions` with at least `minimumItems` ratings above `threshold`, ascending.
    /// With the paper's settings (> 3.5, ≥ 5) ML-1M keeps 6,034 users and ML-20M 136,677.
    public static func qualifyingUsers(in interactions: Interactions, ratingAbove threshold: Float = 3.5,
                                       minimumItems: Int = 5) -> [Int] {
        let ratings = interactions.ratings
        return (0..<ratings.rows).filter { user in
            ratings.values(inRow: user).lazy.filter { $0 > threshold }.count >= minimumItems
        }
    }

    /// Makes the split as the vae_cf notebook does: keep ratings > `threshold`, keep users with
    /// ≥ `minimumItems` of them, shuffle users with `seed`, hold out `heldOutUsers` for validation
    /// and as many for test, keep the items seen by training users (held-out clicks on other items
    /// are dropped), then for every held-out user with ≥ 5 items draw ⌊`targetFraction`·n⌋ of them
    /// without replacement as the target; users with fewer keep all items as fold-in.
    /// Paper settings: threshold 3.5, minimum 5, 10,000 held-out users (ML-20M), fraction 0.2, seed 98765.
    public static func make(from interactions: Interactions, heldOutUsers: Int, ratingAbove threshold: Float = 3.5,
                            minimumItems: Int = 5, targetFraction: Double = 0.2,
                            seed: UInt64 = 98765) -> StrongGeneralizationSplit {
        let users = qualifyingUsers(in: interactions, ratingAbove: threshold, minimumItems: minimumItems)
        precondition(2 * heldOutUsers < users.count,
                     "StrongGeneralizationSplit: \(heldOutUsers) validation + \(heldOutUsers) test users need more than \(users.count) qualifying users")
        var generator = RandomGenerator(seed: seed)
        let order = generator.permutation(users.count).map { users[$0] }
        let trainCount = users.count - 2 * heldOutUsers
        let trainRows = Array(order[0..<trainCount])
        let validationRows = Array(order[trainCount..<(trainCount + heldOutUsers)])
        let testRows = Array(order[(trainCount + heldOutUsers)...])
        let ratings = interactions.ratings
        // Item set: items clicked (rating > threshold) by training users, in ascending original id.
        var seen = [Bool](repeating: false, count: ratings.columns)
        for user in trainRows {
            for position in ratings.range(ofRow: user) where ratings.values[position] > threshold {
                seen[Int(ratings.columnIndices[position])] = true
            }
        }
        var newColumn = [Int32](repeating: -1, count: ratings.columns)
        var itemIDs: [Int64] = []
        for item in 0..<ratings.columns where seen[item] {
            newColumn[item] = Int32(itemIDs.count)
            itemIDs.append(interactions.itemIDs[item])
        }
        func clicks(_ user: Int) -> [Int32] {
            ratings.range(ofRow: user).compactMap { position in
                let column = newColumn[Int(ratings.columnIndices[position])]
                return ratings.values[position] > threshold && column >= 0 ? column : nil
            }.sorted()
        }
        let train = binaryMatrix(trainRows.map(clicks), columns: itemIDs.count)
        func holdOut(_ rows: [Int]) -> HeldOutUsers {
            var sampler = RandomGenerator(seed: seed)   // the notebook re-seeds before each split
            var foldIn: [[Int32]] = [], target: [[Int32]] = []
            for user in rows {
                let items = clicks(user)
                var chosen = [Bool](repeating: false, count: items.count)
                if items.count >= 5 {
                    var indices = Array(items.indices)
                    let count = Int(targetFraction * Double(items.count))
                    for k in 0..<count {   // partial Fisher–Yates: a uniform sample without replacement
                        let j = k + Int(sampler.nextBelow(UInt64(items.count - k)))
                        indices.swapAt(k, j)
                        chosen[indices[k]] = true
                    }
                }
                foldIn.append(items.indices.filter { !chosen[$0] }.map { items[$0] })
                target.append(items.indices.filter { chosen[$0] }.map { items[$0] })
            }
            return HeldOutUsers(foldIn: binaryMatrix(foldIn, columns: itemIDs.count),
                                target: binaryMatrix(target, columns: itemIDs.count),
                                userIDs: rows.map { interactions.userIDs[$0] })
        }
        return StrongGeneralizationSplit(train: train, trainUserIDs: trainRows.map { interactions.userIDs[$0] },
                                         validation: holdOut(validationRows), test: holdOut(testRows),
                                         itemIDs: itemIDs)
    }

    /// A binary CSR matrix from sorted, distinct column lists, one per row.
    static func binaryMatrix(_ rows: [[Int32]], columns: Int) -> SparseMatrix {
        var pointers = [0]
        pointers.reserveCapacity(rows.count + 1)
        var indices: [Int32] = []
        for row in rows {
            indices.append(contentsOf: row)
            pointers.append(indices.count)
        }
        return SparseMatrix(rows: rows.count, columns: columns, rowPointers: pointers, columnIndices: indices,
                            values: [Float](repeating: 1, count: indices.count))
    }
}
