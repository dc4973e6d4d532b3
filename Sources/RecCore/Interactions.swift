import TensorCore

/// A users × items interaction table: ratings in CSR, optional timestamps, and the original ids.
///
/// Users and items are renumbered densely in ascending order of their original ids
/// (`userIDs[u]` is the original id of row `u`). Timestamps are stored as 32-bit offsets from
/// `timestampOrigin`, one per stored rating, in the CSR storage order, so a loaded table holds
/// about 12 bytes per interaction (4 item index + 4 rating + 4 time) plus the row pointers and
/// id maps.
public struct Interactions: Sendable, Equatable {
    /// Ratings (or 1 for implicit data) as a users × items CSR matrix.
    public let ratings: SparseMatrix
    /// Seconds after `timestampOrigin` of every stored rating, in storage order; nil without timestamps.
    public let timestampOffsets: [UInt32]?
    /// The earliest timestamp (seconds since 1970 for dates), the zero of `timestampOffsets`.
    public let timestampOrigin: Int64
    /// Original id of every user row, ascending.
    public let userIDs: [Int64]
    /// Original id of every item column, ascending.
    public let itemIDs: [Int64]
    /// Rows of the file dropped because they repeated an earlier row's (user, item) pair, as the
    /// format's `DuplicatePolicy` resolved them (`.keepLast` by default); 0 for tables not loaded.
    /// Loaders never drop a row silently: callers report this count.
    public let duplicateCount: Int

    /// A table from its parts; `timestamps` (absolute, one per stored entry) are stored compactly.
    public init(ratings: SparseMatrix, userIDs: [Int64], itemIDs: [Int64], timestamps: [Int64]? = nil) {
        precondition(userIDs.count == ratings.rows && itemIDs.count == ratings.columns,
                     "Interactions: \(userIDs.count) user ids and \(itemIDs.count) item ids for a \(ratings.rows)×\(ratings.columns) matrix")
        self.ratings = ratings
        self.userIDs = userIDs
        self.itemIDs = itemIDs
        duplicateCount = 0
        if let timestamps {
            precondition(timestamps.count == ratings.nonZeroCount,
                         "Interactions: \(timestamps.count) timestamps for \(ratings.nonZeroCount) ratings")
            let origin = timestamps.min() ?? 0
            precondition((timestamps.max() ?? 0) - origin <= Int64(UInt32.max), "Interactions: timestamps span more than 2^32 s")
            timestampOrigin = origin
            timestampOffsets = timestamps.map { UInt32($0 - origin) }
        } else {
            timestampOrigin = 0
            timestampOffsets = nil
        }
    }

    /// A table from already compact parts (the loaders' path; no copying).
    init(ratings: SparseMatrix, userIDs: [Int64], itemIDs: [Int64], timestampOffsets: [UInt32]?, origin: Int64,
         duplicateCount: Int = 0) {
        self.ratings = ratings
        self.userIDs = userIDs
        self.itemIDs = itemIDs
        self.duplicateCount = duplicateCount
        self.timestampOffsets = timestampOffsets
        self.timestampOrigin = origin
    }

    /// Number of users (rows).
    public var userCount: Int { ratings.rows }
    /// Number of items (columns).
    public var itemCount: Int { ratings.columns }
    /// Number of stored interactions.
    public var count: Int { ratings.nonZeroCount }
    /// Whether every interaction carries a timestamp.
    public var hasTimestamps: Bool { timestampOffsets != nil }

    /// The dense row of the user with original id `id`, or nil when absent (binary search).
    public func userIndex(of id: Int64) -> Int? { Self.search(userIDs, id) }

    /// The dense column of the item with original id `id`, or nil when absent (binary search).
    public func itemIndex(of id: Int64) -> Int? { Self.search(itemIDs, id) }

    /// The absolute timestamp of the entry at CSR storage position `position`, or nil without timestamps.
    public func timestamp(atStorageIndex position: Int) -> Int64? {
        timestampOffsets.map { timestampOrigin + Int64($0[position]) }
    }

    /// All absolute timestamps in storage order, or nil.
    public var timestamps: [Int64]? { timestampOffsets.map { $0.map { timestampOrigin + Int64($0) } } }

    /// Bytes held by the arrays of this table (CSR, timestamps and id maps).
    public var bytesHeld: Int {
        ratings.storageBytes + (timestampOffsets?.count ?? 0) * MemoryLayout<UInt32>.stride
            + (userIDs.count + itemIDs.count) * MemoryLayout<Int64>.stride
    }

    /// A table keeping only the entries for which `keep(user, item, rating)` holds; ids and shape unchanged.
    public func filtered(_ keep: (Int, Int, Float) -> Bool) -> Interactions {
        var pointers = [0]
        pointers.reserveCapacity(userCount + 1)
        var columns: [Int32] = [], values: [Float] = [], offsets: [UInt32] = []
        for user in 0..<userCount {
            for position in ratings.range(ofRow: user) {
                let item = Int(ratings.columnIndices[position]), rating = ratings.values[position]
                guard keep(user, item, rating) else { continue }
                columns.append(Int32(item))
                values.append(rating)
                if let timestampOffsets { offsets.append(timestampOffsets[position]) }
            }
            pointers.append(columns.count)
        }
        let matrix = SparseMatrix(rows: userCount, columns: itemCount, rowPointers: pointers,
                                  columnIndices: columns, values: values)
        return Interactions(ratings: matrix, userIDs: userIDs, itemIDs: itemIDs,
                            timestampOffsets: timestampOffsets == nil ? nil : offsets, origin: timestampOrigin,
                            duplicateCount: duplicateCount)
    }

    private static func search(_ sorted: [Int64], _ id: Int64) -> Int? {
        var low = 0, high = sorted.count
        while low < high {
            let middle = (low + high) / 2
            if sorted[middle] < id { low = middle + 1 } else { high = middle }
        }
        return low < sorted.count && sorted[low] == id ? low : nil
    }
}
