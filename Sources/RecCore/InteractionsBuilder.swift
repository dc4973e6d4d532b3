import TensorCore

/// What to do when a (user, item) pair appears more than once in a file.
public enum DuplicatePolicy: Sendable, Equatable, CaseIterable {
    /// Keep the latest entry: the one with the largest timestamp, and among equal (or absent)
    /// timestamps the one on the later line. The default (a re-rating replaces the old rating).
    case keepLast
    /// Keep the earliest entry: smallest timestamp, then the earlier line.
    case keepFirst
    /// Throw `DataError.duplicateInteraction` naming the second line and the first one.
    case reject
}

/// Collects parsed rows in fixed-size chunks (no large reallocation while reading), then builds
/// the CSR table by a counting sort on users, freeing each chunk as soon as it is scattered.
struct InteractionsBuilder {
    static let chunkSize = 1 << 20
    struct Chunk {
        var users: [Int32] = [], items: [Int32] = [], ratings: [Float] = [], times: [Int64] = []
        init(timed: Bool) {
            users.reserveCapacity(InteractionsBuilder.chunkSize)
            items.reserveCapacity(InteractionsBuilder.chunkSize)
            ratings.reserveCapacity(InteractionsBuilder.chunkSize)
            if timed { times.reserveCapacity(InteractionsBuilder.chunkSize) }
        }
    }

    let timed: Bool
    private(set) var users = IdentifierMap()
    private(set) var items = IdentifierMap()
    private var chunks: [Chunk] = []
    private var current: Chunk
    private(set) var count = 0
    private var minimumTime = Int64.max, maximumTime = Int64.min

    init(timed: Bool) {
        self.timed = timed
        current = Chunk(timed: timed)
    }

    /// Adds one row (the timestamp is ignored when the builder is untimed).
    @inline(__always)
    mutating func append(user: Int64, item: Int64, rating: Float, timestamp: Int64) {
        if current.users.count == Self.chunkSize {
            chunks.append(current)
            current = Chunk(timed: timed)
        }
        current.users.append(users.index(for: user))
        current.items.append(items.index(for: item))
        current.ratings.append(rating)
        if timed {
            current.times.append(timestamp)
            minimumTime = min(minimumTime, timestamp)
            maximumTime = max(maximumTime, timestamp)
        }
        count += 1
    }

    /// Outcome of `build`: the table, or the original ids of a rejected duplicate pair.
    enum Outcome {
        case table(Interactions)
        case duplicate(userID: Int64, itemID: Int64)
    }

    /// Builds the table, applying `policy` to repeated pairs (consumes the collected rows).
    mutating func build(file: String, policy: DuplicatePolicy) throws -> Outcome {
        chunks.append(current)
        current = Chunk(timed: false)
        let (userIDs, userRank) = users.finalRanks()
        let (itemIDs, itemRank) = items.finalRanks()
        users = IdentifierMap()
        items = IdentifierMap()
        let origin = timed ? minimumTime : 0
        if timed && count > 0 {
            // Any two Int64 times may be read (Int64.min and 1 overflow a plain subtraction).
            let (span, overflow) = maximumTime.subtractingReportingOverflow(minimumTime)
            if overflow || span > Int64(UInt32.max) {
                throw DataError.timestampRangeTooWide(file: file, minimum: minimumTime, maximum: maximumTime)
            }
        }
        // Counting sort on users: row sizes, then offsets.
        var pointers = [Int](repeating: 0, count: userIDs.count + 1)
        for chunk in chunks { for user in chunk.users { pointers[Int(userRank[Int(user)]) + 1] += 1 } }
        for row in 0..<userIDs.count { pointers[row + 1] += pointers[row] }
        // Scatter into raw buffers, chunk by chunk, releasing every chunk once copied.
        let total = count
        let columnBuffer = UnsafeMutableBufferPointer<Int32>.allocate(capacity: max(total, 1))
        let valueBuffer = UnsafeMutableBufferPointer<Float>.allocate(capacity: max(total, 1))
        let timeBuffer = UnsafeMutableBufferPointer<UInt32>.allocate(capacity: timed ? max(total, 1) : 1)
        defer { columnBuffer.deallocate(); valueBuffer.deallocate(); timeBuffer.deallocate() }
        var cursor = pointers
        while !chunks.isEmpty {
            let chunk = chunks.removeFirst()
            chunk.users.withUnsafeBufferPointer { chunkUsers in
                chunk.items.withUnsafeBufferPointer { chunkItems in
                    chunk.ratings.withUnsafeBufferPointer { chunkRatings in
                        chunk.times.withUnsafeBufferPointer { chunkTimes in
                            for k in 0..<chunkUsers.count {
                                let row = Int(userRank[Int(chunkUsers[k])])
                                let position = cursor[row]
                                cursor[row] = position + 1
                                columnBuffer[position] = itemRank[Int(chunkItems[k])]
                                valueBuffer[position] = chunkRatings[k]
                                if timed { timeBuffer[position] = UInt32(chunkTimes[k] - origin) }
                            }
                        }
                    }
                }
            }
        }
        cursor = []
        var compaction = RowCompaction(columns: columnBuffer, values: valueBuffer,
                                       times: timed ? timeBuffer : nil, policy: policy)
        let finalCount = compaction.run(pointers: &pointers)
        if let (row, column) = compaction.rejected {
            return .duplicate(userID: userIDs[row], itemID: itemIDs[column])
        }
        let columns = Array(UnsafeBufferPointer(rebasing: columnBuffer[0..<finalCount]))
        let values = Array(UnsafeBufferPointer(rebasing: valueBuffer[0..<finalCount]))
        let offsets = timed ? Array(UnsafeBufferPointer(rebasing: timeBuffer[0..<finalCount])) : nil
        let matrix = SparseMatrix(rows: userIDs.count, columns: itemIDs.count, rowPointers: pointers,
                                  columnIndices: columns, values: values)
        return .table(Interactions(ratings: matrix, userIDs: userIDs, itemIDs: itemIDs,
                                   timestampOffsets: offsets, origin: origin, duplicateCount: total - finalCount))
    }
}
