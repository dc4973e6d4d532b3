import Kernels
import TensorCore

/// Dense ranks of raw 32-bit ids in ascending id order: a direct table when the largest id is
/// small (MovieLens, Netflix), else a dictionary over the sorted distinct ids.
struct IdentifierRanks: Sendable {
    /// Largest id served by the direct table (2²⁵ entries, 128 MiB at most).
    static let directLimit: UInt32 = 1 << 25

    /// Whether ids up to `maximum` in a file of `rows` rows get the direct table: the table must
    /// stay within the limit and within 8 slots per row (2¹⁶ at least), so a short file with one
    /// large id costs a dictionary, not a table sized by the id.
    static func usesTable(maximum: UInt32, rows: Int) -> Bool {
        maximum < directLimit && Int(maximum) <= max(1 << 16, 8 * rows)
    }
    private let table: [Int32]
    private let dictionary: [UInt32: Int32]
    /// The distinct ids, ascending (`ids[rank]`).
    let ids: [Int64]

    /// Ranks of every id in `column` of every part.
    init(parts: [ParsedSegment], maximum: UInt32, column: KeyPath<ParsedColumns.Block, UnsafeMutablePointer<UInt32>>) {
        if Self.usesTable(maximum: maximum, rows: parts.reduce(0) { $0 + $1.columns.count }) {
            var table = [Int32](repeating: -1, count: Int(maximum) + 1)
            table.withUnsafeMutableBufferPointer { slots in
                for part in parts {
                    for block in part.columns.blocks {
                        let values = block[keyPath: column]
                        for k in 0..<block.count { slots[Int(values[k])] = 0 }
                    }
                }
            }
            var ids: [Int64] = []
            for id in table.indices where table[id] == 0 {
                table[id] = Int32(ids.count)
                ids.append(Int64(id))
            }
            self.table = table
            dictionary = [:]
            self.ids = ids
        } else {
            var seen = Set<UInt32>()
            for part in parts {
                for block in part.columns.blocks {
                    let values = block[keyPath: column]
                    for k in 0..<block.count { seen.insert(values[k]) }
                }
            }
            let sorted = seen.sorted()
            var dictionary: [UInt32: Int32] = [:]
            dictionary.reserveCapacity(sorted.count)
            for (rank, id) in sorted.enumerated() { dictionary[id] = Int32(rank) }
            table = []
            self.dictionary = dictionary
            ids = sorted.map { Int64($0) }
        }
    }

    /// The dense rank of `id` (which must be one of the ids counted).
    @inline(__always)
    func rank(_ id: UInt32) -> Int32 {
        if !table.isEmpty { return table[Int(id)] }
        return dictionary[id] ?? 0
    }
}

/// Builds an `Interactions` table from parsed segments (in file order): id ranks, a counting sort
/// on users scattered in parallel (each segment into its own slots, so file order is kept within
/// every row), then the parallel per-row sort and duplicate resolution of `RowCompaction`.
struct ColumnBuilder {
    let parts: [ParsedSegment]
    let timed: Bool

    /// Builds the table, applying `policy` to repeated pairs (releases the segments' storage).
    func build(file: String, policy: DuplicatePolicy) throws -> InteractionsBuilder.Outcome {
        let users = IdentifierRanks(parts: parts, maximum: parts.map(\.columns.maximumUser).max() ?? 0, column: \.users)
        let items = IdentifierRanks(parts: parts, maximum: parts.map(\.columns.maximumItem).max() ?? 0, column: \.items)
        let origin = timed ? parts.filter { $0.columns.count > 0 }.map(\.columns.minimumTime).min() ?? 0 : 0
        let rows = users.ids.count, total = parts.reduce(0) { $0 + $1.columns.count }
        // Per-segment row sizes, counted in parallel, then each segment's first slot in every row.
        let cursors = parts.map { _ in SegmentCursor(rows: rows) }
        Kernels.parallelFor(chunks: parts.count) { p in
            let counts = cursors[p].slots
            for block in parts[p].columns.blocks {
                for k in 0..<block.count { counts[Int(users.rank(block.users[k]))] += 1 }
            }
        }
        var pointers = [Int](repeating: 0, count: rows + 1)
        for row in 0..<rows {
            var next = pointers[row]
            for cursor in cursors {
                let size = cursor.slots[row]
                cursor.slots[row] = next
                next += size
            }
            pointers[row + 1] = next
        }
        var finalCount = 0
        var rejected: (Int, Int)?
        var valueStorage: [Float] = [], timeStorage: [UInt32] = []
        let columns = [Int32](unsafeUninitializedCapacity: total) { columnBuffer, columnsKept in
            let values = [Float](unsafeUninitializedCapacity: total) { valueBuffer, valuesKept in
                let offsets = [UInt32](unsafeUninitializedCapacity: timed ? total : 0) { timeBuffer, timesKept in
                    scatter(users: users, items: items, origin: UInt32(truncatingIfNeeded: origin), cursors: cursors,
                            columns: columnBuffer, values: valueBuffer, times: timeBuffer)
                    var compaction = RowCompaction(columns: columnBuffer, values: valueBuffer,
                                                   times: timed ? timeBuffer : nil, policy: policy)
                    finalCount = compaction.run(pointers: &pointers)
                    rejected = compaction.rejected
                    timesKept = timed && rejected == nil ? finalCount : 0
                }
                valuesKept = rejected == nil ? finalCount : 0
                timeStorage = offsets
            }
            columnsKept = rejected == nil ? finalCount : 0
            valueStorage = values
        }
        if let (row, column) = rejected {
            return .duplicate(userID: users.ids[row], itemID: items.ids[column])
        }
        let matrix = SparseMatrix(rows: rows, columns: items.ids.count, rowPointers: pointers,
                                  columnIndices: columns, values: valueStorage)
        return .table(Interactions(ratings: matrix, userIDs: users.ids, itemIDs: items.ids,
                                   timestampOffsets: timed ? timeStorage : nil, origin: Int64(origin),
                                   duplicateCount: total - finalCount))
    }
}

extension ColumnBuilder {
    /// Scatters every segment into its slots (segments in parallel), releasing each block once copied.
    private func scatter(users: IdentifierRanks, items: IdentifierRanks, origin: UInt32, cursors: [SegmentCursor],
                         columns: UnsafeMutableBufferPointer<Int32>, values: UnsafeMutableBufferPointer<Float>,
                         times: UnsafeMutableBufferPointer<UInt32>) {
        guard let c = columns.baseAddress, let v = values.baseAddress else { return }
        let columnOut = SharedMutablePointer(c), valueOut = SharedMutablePointer(v)
        let timeOut = times.baseAddress.map { SharedMutablePointer($0) }
        let parts = self.parts
        Kernels.parallelFor(chunks: parts.count) { p in
            let part = parts[p], slots = cursors[p].slots
            for index in part.columns.blocks.indices {
                let block = part.columns.blocks[index]
                for k in 0..<block.count {
                    let row = Int(users.rank(block.users[k]))
                    let position = slots[row]
                    slots[row] = position + 1
                    columnOut.base[position] = items.rank(block.items[k])
                    valueOut.base[position] = block.ratings[k]
                    if let timeOut, let blockTimes = block.times { timeOut.base[position] = blockTimes[k] &- origin }
                }
                part.columns.release(block: index)
            }
        }
    }
}

/// One segment's per-row counters (sizes, then next free slot), owned by one thread at a time.
final class SegmentCursor: @unchecked Sendable {
    let slots: UnsafeMutablePointer<Int>
    init(rows: Int) {
        slots = .allocate(capacity: max(rows, 1))
        slots.initialize(repeating: 0, count: max(rows, 1))
    }
    deinit { slots.deallocate() }
}
